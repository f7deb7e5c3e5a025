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


def requests_in(http: HttpClient, path: str, seconds: float) -> int:
    """Requests done in `seconds`. Django's test client leaves a few objects behind for each
    request; frozen first, they do not slow the garbage collections of later rounds."""
    gc.collect()
    gc.freeze()
    deadline, count = perf_counter() + seconds, 0
    while perf_counter() < deadline:
        http.get(path)
        count += 1
    return count


def against_floors(http: HttpClient, name: str, path: str, mandatory: dict) -> dict:
    """Endpoint and floors take turns in short rounds, so a slow moment of the machine weighs
    on all alike; each gets SECONDS_PER_MEASURE in all."""
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
    counts = dict.fromkeys(paths, 0)
    for _ in range(ROUNDS):
        for kind, measured in paths.items():
            counts[kind] += requests_in(http, measured, seconds)
    return {"name": name, "path": path} | {
        kind: count / SECONDS_PER_MEASURE for kind, count in counts.items()
    }


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


def pdf_render_ms(program: Program, user) -> tuple[float, float]:
    program = selectors.program_detail_qs(user=user).get(pk=program.pk)
    options = {"first_week": 1, "last_week": program.weeks, "paper": "a4"}
    cache.clear()
    started = perf_counter()
    printing.cached_pdf(lambda: program, printing.pdf_cache_key(program, **options), **options)
    cold = (perf_counter() - started) * 1000
    started = perf_counter()
    for _ in range(LATENCY_RUNS):
        printing.cached_pdf(lambda: program, printing.pdf_cache_key(program, **options), **options)
    cached = (perf_counter() - started) * 1000 / LATENCY_RUNS
    return cold, cached


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
    report(ratios, detail, cold, cached, search, spread, one)


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


def report(ratios, detail, cold, cached, search, spread, one) -> None:
    targets = {"program-detail": 0.7, "me-programs": 0.7}  # of the mandatory-work floor
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
        "caller's page of the library) and, for client data, the audit record written.",
        "",
        "| endpoint | requests/s | bare floor | ratio | mandatory floor | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in ratios:
        bare, mandatory = row["endpoint"] / row["floor"], row["endpoint"] / row["mandatory"]
        target = verdict(mandatory, targets.get(row["name"]), at_least=True)
        lines.append(
            f"| `{row['path']}` | {row['endpoint']:.0f} | {row['floor']:.0f} | {bare:.2f} "
            f"| {row['mandatory']:.0f} | {mandatory:.2f} | {target} |"
        )
    lines += [
        "",
        "### Latency",
        "",
        "| measure | milliseconds | target |",
        "|---|---:|---:|",
        *latency_rows("program detail of 30 items", detail, target=25),
        f"| PDF of the seeded template, cold render | {cold:.0f} | |",
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
