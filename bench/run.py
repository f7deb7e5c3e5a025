"""Endpoint throughput against two floors, measured in one run: `make bench`.

Each endpoint is called in-process through Django's full stack (middleware, token auth, DRF)
for a fixed time, and so are two floors returning the same bytes (bench/urls.py): the bare
floor does no work; the mandatory-work floor does only what no correct answer can skip (the
token checked against the database, the current state of what is shown read for the caller,
the audit record written). A ratio (endpoint ÷ floor) says how much of the request budget the
endpoint's own work costs on this machine, independent of how fast the machine is. Endpoint
and floors take turns in short rounds; before each round and each latency measure the objects
left so far are frozen (gc.freeze), so the data built for the benchmark and the test client's
leftovers are not charged to the requests' garbage collections. Results go to docs/BENCHMARKS.md.
The admin pages' render times (bench/admin_pages.py) come first, on the seeded database;
`bench/run.py admin-pages` measures them alone.
"""

import gc
import os
import platform
import statistics
import sys
import uuid
from datetime import datetime, time, timedelta
from functools import partial
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from bench import admin_pages  # noqa: E402
from bench.urls import FLOOR_BODIES, MANDATORY  # noqa: E402
from clients.models import Client as ClientRecord  # noqa: E402
from exercises.models import Category, Exercise  # noqa: E402
from logbook.models import ExerciseLog, Session  # noqa: E402
from programs import printing, selectors  # noqa: E402
from programs.models import Block, Item, Program, ProgressionRule  # noqa: E402
from programs.seeding import seed_library  # noqa: E402
from programs.services import program_activate  # noqa: E402
from ptbuilder.caching import LIBRARY, invalidate, program_scope  # noqa: E402
from tests.factories import TherapistFactory, UserFactory  # noqa: E402

SECONDS_PER_MEASURE = float(os.environ.get("BENCH_SECONDS", "2"))
LATENCY_RUNS = int(os.environ.get("BENCH_RUNS", "30"))
ROUNDS = 10
PDF_ROUNDS = 7
SEARCH_EXERCISES = 10_000
ADHERENCE_SESSIONS = 100_000
ADHERENCE_PROGRAMS = 1_000


def fresh_database() -> str:
    """A throwaway database like the test suite's (migrated, then seeded); returns its name."""
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    seed_library()
    return name


def token_client(user) -> HttpClient:
    _, token = AuthToken.objects.create(user)
    return HttpClient(HTTP_AUTHORIZATION=f"Token {token}")


def program_with_items(therapist, client, blocks=5, items_per_block=6) -> Program:
    """A program of 30 items, each with a scheduled load rule."""
    program = Program.objects.create(owner=therapist, client=client, title="Bench", weeks=12)
    lunge = Exercise.objects.get(slug="front-foot-elevated-lunge")
    for position in range(blocks):
        block = Block.objects.create(program=program, position=position, title=f"Block {position}")
        for item_position in range(items_per_block):
            item = Item.objects.create(
                block=block,
                position=item_position,
                exercise=lunge,
                side="each",
                sets=2,
                reps_min=8,
                reps_max=10,
            )
            ProgressionRule.objects.create(
                item=item, parameter="load_kg", amount=2.5, every_weeks=2, start_week=3, cap=20
            )
    return program_activate(program=program, by=therapist, override_reason="Benchmark")


def many_exercises(count: int) -> None:
    category = Category.objects.first()
    Exercise.objects.bulk_create(
        Exercise(
            name=f"Bench exercise {number:05d}",
            slug=f"bench-exercise-{number}",
            summary="Synthetic entry " + ("with a hamstring glide" if number % 50 == 0 else ""),
            steps=["Start.", "Move slowly.", "Return."],
            category=category,
            laterality="each_side",
            reps_min=8,
            reps_max=10,
        )
        for number in range(count)
    )


def other_programs(therapist, count: int) -> list[Program]:
    """Active programs of `count` other clients, twelve weeks in, with one item each."""
    start = timezone.localdate() - timedelta(weeks=12)
    clients = ClientRecord.objects.bulk_create(
        ClientRecord(therapist=therapist, first_name="Other", last_name=f"Client {number}")
        for number in range(count)
    )
    programs = Program.objects.bulk_create(
        Program(owner=therapist, client=client, title="Other", weeks=12, start_date=start)
        for client in clients
    )
    Program.objects.filter(pk__in=[program.pk for program in programs]).update(status="active")
    blocks = Block.objects.bulk_create(
        Block(program=program, position=0, title="Block") for program in programs
    )
    lunge = Exercise.objects.get(slug="front-foot-elevated-lunge")
    Item.objects.bulk_create(
        Item(block=block, position=0, exercise=lunge, side="each", sets=2, reps_min=8)
        for block in blocks
    )
    return programs


def many_sessions(programs: list[Program], per_program: int) -> None:
    """`per_program` sessions spread over each program's weeks so far, one logged side each."""
    items = {}
    for program_id, item_id, exercise_id in Item.objects.filter(
        block__program__in=programs
    ).values_list("block__program_id", "id", "exercise_id"):
        items.setdefault(program_id, (item_id, exercise_id))
    for program in programs:
        item_id, exercise_id = items[program.pk]
        start = timezone.make_aware(datetime.combine(program.start_date, time.min))
        step = (timezone.now() - start) / per_program
        for offset in range(0, per_program, 5000):
            sessions = Session.objects.bulk_create(
                Session(
                    client_id=program.client_id,
                    program=program,
                    client_uuid=uuid.uuid4(),
                    performed_at=start + step * number,
                    pain_before=number % 6,
                    pain_after=number % 4,
                )
                for number in range(offset, min(offset + 5000, per_program))
            )
            ExerciseLog.objects.bulk_create(
                ExerciseLog(
                    session=session,
                    item_id=item_id,
                    exercise_id=exercise_id,
                    side="left" if index % 2 else "right",
                    reps=8 + index % 3,
                    pain=index % 5,
                )
                for index, session in enumerate(sessions)
            )


def requests_in(call, seconds: float) -> int:
    """Calls of `call` done in `seconds`. Django's test client leaves a few objects behind for
    each request; frozen first, they do not slow the garbage collections of later rounds."""
    gc.collect()
    gc.freeze()
    deadline, count = perf_counter() + seconds, 0
    while perf_counter() < deadline:
        call()
        count += 1
    return count


def against_floors(http: HttpClient, name: str, path: str, mandatory: dict) -> dict:
    """Endpoint and floors take turns in short rounds, so a slow moment of the machine weighs
    on all alike; each gets SECONDS_PER_MEASURE in all. Ratios are per round."""
    response = http.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    FLOOR_BODIES[name] = (response.content, response["Content-Type"])
    MANDATORY[name] = mandatory
    paths = {
        "endpoint": path,
        "floor": f"/bench/floor/{name}/",
        "mandatory": f"/bench/mandatory/{name}/",
    }
    for measured in paths.values():
        assert http.get(measured).content == response.content, measured
    seconds = SECONDS_PER_MEASURE / ROUNDS
    rounds = [
        {
            kind: requests_in(partial(http.get, measured), seconds)
            for kind, measured in paths.items()
        }
        for _ in range(ROUNDS)
    ]
    return {"name": name, "path": path, **rates(rounds)}


def rates(rounds: list[dict]) -> dict:
    """Requests per second of each kind in all rounds, and the endpoint's ratio to each floor
    round by round."""
    totals = {kind: sum(row[kind] for row in rounds) for kind in rounds[0]}
    result = {kind: count / SECONDS_PER_MEASURE for kind, count in totals.items()}
    for floor in set(totals) - {"endpoint"}:
        result[f"{floor}_ratios"] = [row["endpoint"] / row[floor] for row in rounds]
    return result


def session_upload(client_id: int, program: Program) -> dict:
    """A session of every item of `program`, both sides, as the client app sends it."""
    item_sides = Item.objects.filter(block__program=program).values_list("pk", "side")
    sides = {"each": ["left", "right"], "left": ["left"], "right": ["right"]}
    return {
        "program": program.pk,
        "performed_at": timezone.now().isoformat(),
        "entries": [
            {"item": item, "side": side, "reps": 8, "pain": 1}
            for item, item_side in item_sides
            for side in sides.get(item_side, ["both"])
        ],
    }


def uploads_against_floor(http: HttpClient, program: Program) -> dict:
    """POST /me/sessions/ (a new session each time) against floors answering the same bytes to
    the same POST: with no work, and after only the writes no correct upload can skip."""
    body = session_upload(program.client_id, program)
    path = "/api/v1/me/sessions/"

    def post(to: str):
        response = http.post(
            to, {**body, "client_uuid": str(uuid.uuid4())}, content_type="application/json"
        )
        expected = 201 if to == path else 200  # the floor answers the bytes, as a plain 200
        assert response.status_code == expected, (to, response.status_code, response.content[:300])
        return response

    first = post(path)
    FLOOR_BODIES["upload"] = (first.content, first["Content-Type"])
    MANDATORY["upload"] = {"upload": program.pk}
    paths = {kind: f"/bench/{kind}/upload/" for kind in ("floor", "mandatory")}
    seconds = SECONDS_PER_MEASURE / ROUNDS
    rounds = [
        {
            "endpoint": requests_in(lambda: post(path), seconds),
            **{kind: requests_in(partial(post, to), seconds) for kind, to in paths.items()},
        }
        for _ in range(ROUNDS)
    ]
    return {"name": "upload", "path": f"POST {path}", **rates(rounds)}


def middleware_us() -> list[float]:
    """What the project's middleware adds to a trivial view, per round: the time per request
    with it minus the time without it."""
    http, bare = HttpClient(), HttpClient()
    with override_settings(MIDDLEWARE=[]):
        assert bare.get("/bench/trivial/").status_code == 200  # its handler is built now
    assert http.get("/bench/trivial/").status_code == 200
    seconds = SECONDS_PER_MEASURE / ROUNDS
    costs = []
    for _ in range(ROUNDS):
        with_it = requests_in(lambda: http.get("/bench/trivial/"), seconds)
        without = requests_in(lambda: bare.get("/bench/trivial/"), seconds)
        costs.append((seconds / with_it - seconds / without) * 1e6)
    return costs


def cache_round_trips(http: HttpClient, path: str) -> int:
    """Calls to the cache in one answer served from it."""
    http.get(path)
    calls = []
    names = ["get", "get_many", "set", "set_many", "add", "delete", "has_key", "incr"]
    originals = {name: getattr(cache, name) for name in names}

    depth = []  # a backend's get_many may call its own get: one call, not two

    def counted(name):
        def call(*args, **kwargs):
            if not depth:
                calls.append(name)
            depth.append(name)
            try:
                return originals[name](*args, **kwargs)
            finally:
                depth.pop()

        return call

    for name in names:
        setattr(cache, name, counted(name))
    try:
        assert http.get(path).status_code == 200
    finally:
        for name in names:
            delattr(cache, name)
    return len(calls)


def median_ms(http: HttpClient, path: str, uncached: str | None = None) -> float:
    """The median time of a read; with `uncached` (a cache scope), never from the cache."""
    assert http.get(path).status_code == 200
    gc.collect()
    gc.freeze()  # the data built for the measure is not the requests' garbage
    timings = []
    for _ in range(LATENCY_RUNS):
        if uncached:
            invalidate(uncached)
        started = perf_counter()
        http.get(path)
        timings.append((perf_counter() - started) * 1000)
    return statistics.median(timings)


def pdf_render_ms(program: Program, user) -> tuple[list[float], float]:
    """Cold renders (one per round, the cache emptied before each) and the cached median."""
    program = selectors.program_detail_qs(user=user).get(pk=program.pk)
    options = {"first_week": 1, "last_week": program.weeks, "paper": "a4"}

    def fetch():
        printing.cached_pdf(lambda: program, printing.pdf_cache_key(program, **options), **options)

    cold = []
    for _ in range(PDF_ROUNDS):
        cache.clear()
        started = perf_counter()
        fetch()
        cold.append((perf_counter() - started) * 1000)
    started = perf_counter()
    for _ in range(LATENCY_RUNS):
        fetch()
    return cold, (perf_counter() - started) * 1000 / LATENCY_RUNS


def machine() -> list[str]:
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores",
        f"- {platform.platform()}",
        f"- Python {platform.python_version()}, Django {django.get_version()}",
        f"- Database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND']}",
        f"- {SECONDS_PER_MEASURE:g} s per throughput measure (in {ROUNDS} rounds taking turns with "
        f"the floor), median of {LATENCY_RUNS} runs",
    ]


def measure_admin_pages() -> None:
    """The admin pages' own section (bench/admin_pages.py), on the database as just seeded."""
    print("Measuring the admin pages ...", flush=True)
    rows = admin_pages.admin_page_times()
    section = admin_pages.section(rows, setup(), machine()[:4])
    print(section)
    write_section(ROOT / "docs" / "BENCHMARKS.md", f"admin pages, {setup()}", section)


def main(admin_pages_only: bool = False) -> None:
    """Every measure; with `admin_pages_only` (`bench/run.py admin-pages`), that section alone."""
    print("Preparing data ...", flush=True)
    old_name = connection.settings_dict["NAME"]
    fresh_database()
    measure_admin_pages()
    if admin_pages_only:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        return
    therapist = TherapistFactory()
    account = UserFactory()
    client = ClientRecord.objects.create(
        therapist=therapist, user=account, first_name="Bench", last_name="Client"
    )
    program = program_with_items(therapist, client)
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    as_therapist, as_client = token_client(therapist), token_client(account)

    print("Measuring throughput against the floors ...", flush=True)
    detail_path = f"/api/v1/programs/{program.pk}/"
    ratios = [
        against_floors(
            as_therapist, "exercise-list", "/api/v1/exercises/?page_size=20", {"library_page": 20}
        ),
        against_floors(as_therapist, "program-detail", detail_path, {"program": program.pk}),
        against_floors(as_client, "me-programs", "/api/v1/me/programs/", {"client_programs": True}),
        against_floors(
            as_therapist,
            "schedule",
            f"/api/v1/programs/{program.pk}/schedule/?weeks=12",
            {"program": program.pk},
        ),
    ]
    round_trips = {
        name: cache_round_trips(as_client if name == "me-programs" else as_therapist, path)
        for name, path in [("program-detail", detail_path), ("me-programs", "/api/v1/me/programs/")]
    }
    print("Measuring the session upload and the middleware ...", flush=True)
    ratios.append(uploads_against_floor(as_client, program))
    middleware = middleware_us()
    print("Measuring the program detail uncached ...", flush=True)
    detail = (
        median_ms(as_therapist, detail_path, program_scope(program.pk)),
        median_ms(as_therapist, detail_path),
    )
    print("Measuring PDF rendering ...", flush=True)
    cold, cached = pdf_render_ms(template, therapist)
    print("Measuring search over 10,000 exercises ...", flush=True)
    many_exercises(SEARCH_EXERCISES)
    search_path = "/api/v1/exercises/?search=hamstring"
    search = (median_ms(as_therapist, search_path, LIBRARY), median_ms(as_therapist, search_path))
    print("Measuring adherence over 100,000 sessions ...", flush=True)
    program.start_date = timezone.localdate() - timedelta(weeks=12)
    program.save()
    others = other_programs(therapist, ADHERENCE_PROGRAMS - 1)
    many_sessions([program, *others], ADHERENCE_SESSIONS // ADHERENCE_PROGRAMS)
    path, scope = f"/api/v1/clients/{client.pk}/adherence/", program_scope(program.pk)
    spread = (median_ms(as_therapist, path, scope), median_ms(as_therapist, path))
    many_sessions([program], ADHERENCE_SESSIONS)
    one = (median_ms(as_therapist, path, scope), median_ms(as_therapist, path))
    connection.creation.destroy_test_db(old_name, verbosity=0)
    report(ratios, round_trips, middleware, detail, (cold, cached), search, spread, one)


def verdict(value: float, target: float | None, *, at_least: bool) -> str:
    if target is None:
        return ""
    met = value >= target if at_least else value <= target
    return f"{'≥' if at_least else '≤'} {target} {'met' if met else 'MISSED'}"


def latency_rows(measure: str, medians: tuple[float, float], target=None) -> list[str]:
    uncached, cached = medians
    return [
        f"| {measure}, uncached (median) | {uncached:.1f} | "
        f"{verdict(uncached, target, at_least=False)} |",
        f"| {measure}, cached (median) | {cached:.1f} | |",
    ]


def spread_of(values: list[float], digits: int = 2) -> str:
    return " / ".join(
        f"{value:.{digits}f}" for value in (min(values), statistics.median(values), max(values))
    )


TARGETS = {
    "floor": {"program-detail": 0.5, "me-programs": 0.5, "schedule": 0.5, "upload": 0.3},
    "mandatory": {"program-detail": 0.7, "me-programs": 0.7, "upload": 0.3},
}
"""Medians of the per-round ratios an endpoint must reach against each floor."""


def report(ratios, round_trips, middleware, detail, pdf, search, spread, one) -> None:
    cold, cached = pdf
    lines = [
        f"## {setup()}",
        "",
        "Measured in one run on this machine:",
        "",
        *machine(),
        "",
        "### Throughput against the floors",
        "",
        "The bare floor is a Django view returning the same bytes with no work; the",
        "mandatory-work floor returns them after the work no correct answer can skip: the token",
        "checked against the database, the current state of what is shown read for the caller",
        "(the program's version for its owner, the client's active programs' versions, the",
        "caller's page of the library) and, for client data, the audit record written. Ratios",
        f"are min / median / max over the {ROUNDS} rounds; a target applies to the median.",
        "",
        "| endpoint | requests/s | bare floor | ratio | mandatory floor | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in ratios:
        verdicts = [
            verdict(
                statistics.median(row[f"{floor}_ratios"]), targets.get(row["name"]), at_least=True
            )
            + (f" ({floor})" if row["name"] in targets else "")
            for floor, targets in TARGETS.items()
            if f"{floor}_ratios" in row and row["name"] in targets
        ]
        mandatory = row.get("mandatory_ratios")
        lines.append(
            f"| `{row['path']}` | {row['endpoint']:.0f} | {row['floor']:.0f} "
            f"| {spread_of(row['floor_ratios'])} | {row.get('mandatory', 0):.0f} "
            f"| {spread_of(mandatory) if mandatory else '—'} | {'; '.join(verdicts)} |"
        )
    lines += [
        "",
        "The upload's floors answer the same POST with the same bytes, with no work and after",
        "the writes no correct upload can skip (the token checked, the program's row locked, the",
        "session, its entries and the audit record written in one transaction); each upload is",
        "a new session of the program's 30 items, both sides (60 entries).",
        "",
        "| measure | value | target |",
        "|---|---:|---:|",
        *(
            f"| cache calls in a cached `{name}` | {count} | {verdict(count, 1, at_least=False)} |"
            for name, count in round_trips.items()
        ),
        f"| middleware per request, µs (min / median / max) | {spread_of(middleware, 0)} "
        f"| {verdict(statistics.median(middleware), 60, at_least=False)} |",
    ]
    lines += [
        "",
        "### Latency",
        "",
        "| measure | milliseconds | target |",
        "|---|---:|---:|",
        *latency_rows("program detail of 30 items", detail, target=25),
        f"| PDF of the seeded template, cold render (min / median / max of {PDF_ROUNDS}) "
        f"| {spread_of(cold, 0)} | {verdict(statistics.median(cold), 500, at_least=False)} |",
        f"| PDF of the seeded template, from the cache | {cached:.2f} | |",
        *latency_rows(f"exercise search over {SEARCH_EXERCISES:,} exercises", search, target=50),
        *latency_rows(
            f"adherence of a client, {ADHERENCE_SESSIONS:,} sessions in the database "
            f"({ADHERENCE_PROGRAMS:,} programs)",
            spread,
            target=50,
        ),
        *latency_rows(
            f"adherence of one program holding {ADHERENCE_SESSIONS:,} sessions (stress)", one
        ),
        "",
        "Uncached: every run starts with the cache entry invalidated, as after a change.",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    write_section(ROOT / "docs" / "BENCHMARKS.md", setup(), section)


def setup() -> str:
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return f"{connection.vendor}, {cache_backend}"


PREAMBLE = """# Benchmarks

Written by `make bench` (bench/run.py), once on SQLite with the local-memory cache and once on
PostgreSQL with Redis; each run replaces its own section.
"""


def write_section(path: Path, name: str, section: str) -> None:
    """Replaces the section of this setup (database, cache) and keeps the other's."""
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    text = path.read_text() if path.exists() else PREAMBLE
    if not text.startswith(PREAMBLE):
        text = PREAMBLE
    block = f"{begin}\n{section}\n{end}"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)


if __name__ == "__main__":
    main(admin_pages_only=sys.argv[1:] == ["admin-pages"])
