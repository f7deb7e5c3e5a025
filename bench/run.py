"""Endpoint throughput against a floor, measured in one run: `make bench`.

Each endpoint is called in-process through Django's full stack (middleware, token auth, DRF)
for a fixed time; the floor is a bare Django view returning the same bytes with no work. The
ratio (endpoint ÷ floor) says how much of the request budget the endpoint's own work costs on
this machine, independent of how fast the machine is. Results go to docs/BENCHMARKS.md.
"""

import os
import platform
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

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

from bench.urls import FLOOR_BODIES  # noqa: E402
from exercises.models import Category, Exercise  # noqa: E402
from programs import printing, selectors  # noqa: E402
from programs.models import Block, ExerciseLog, Item, Program, ProgressionRule, Session  # noqa: E402
from programs.models import Client as ClientRecord  # noqa: E402
from programs.seeding import seed_library  # noqa: E402
from programs.services import program_activate  # noqa: E402
from tests.factories import TherapistFactory, UserFactory  # noqa: E402

SECONDS_PER_MEASURE = float(os.environ.get("BENCH_SECONDS", "2"))
LATENCY_RUNS = int(os.environ.get("BENCH_RUNS", "30"))
SEARCH_EXERCISES = 10_000
ADHERENCE_SESSIONS = 100_000


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


def many_sessions(program: Program, count: int) -> None:
    item = Item.objects.filter(block__program=program).first()
    start = timezone.now() - timedelta(weeks=program.weeks)
    step = timedelta(weeks=program.weeks) / count
    for offset in range(0, count, 5000):
        sessions = Session.objects.bulk_create(
            Session(
                client=program.client,
                program=program,
                client_uuid=uuid.uuid4(),
                performed_at=start + step * number,
                pain_before=number % 6,
                pain_after=number % 4,
            )
            for number in range(offset, min(offset + 5000, count))
        )
        ExerciseLog.objects.bulk_create(
            ExerciseLog(
                session=session,
                item=item,
                exercise_id=item.exercise_id,
                side="left" if index % 2 else "right",
                reps=8 + index % 3,
                pain=index % 5,
            )
            for index, session in enumerate(sessions)
        )


def throughput(http: HttpClient, path: str) -> tuple[float, bytes, str]:
    response = http.get(path)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    deadline, count = time.perf_counter() + SECONDS_PER_MEASURE, 0
    while time.perf_counter() < deadline:
        http.get(path)
        count += 1
    return count / SECONDS_PER_MEASURE, response.content, response["Content-Type"]


def against_floor(http: HttpClient, name: str, path: str) -> dict:
    endpoint, body, content_type = throughput(http, path)
    FLOOR_BODIES[name] = (body, content_type)
    floor, _, _ = throughput(http, f"/bench/floor/{name}/")
    return {"name": name, "path": path, "endpoint": endpoint, "floor": floor}


def median_ms(http: HttpClient, path: str) -> float:
    assert http.get(path).status_code == 200
    timings = []
    for _ in range(LATENCY_RUNS):
        started = time.perf_counter()
        http.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def pdf_render_ms(program: Program, user) -> tuple[float, float]:
    program = selectors.program_detail_qs(user=user).get(pk=program.pk)
    options = {"first_week": 1, "last_week": program.weeks, "paper": "a4"}
    cache.clear()
    started = time.perf_counter()
    printing.cached_pdf(lambda: program, printing.pdf_cache_key(program, **options), **options)
    cold = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    for _ in range(LATENCY_RUNS):
        printing.cached_pdf(lambda: program, printing.pdf_cache_key(program, **options), **options)
    cached = (time.perf_counter() - started) * 1000 / LATENCY_RUNS
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
        f"- {SECONDS_PER_MEASURE:g} s per throughput measure, median of {LATENCY_RUNS} runs",
    ]


def main() -> None:
    print("Preparing data ...", flush=True)
    old_name = connection.settings_dict["NAME"]
    fresh_database()
    therapist = TherapistFactory()
    account = UserFactory()
    client = ClientRecord.objects.create(
        therapist=therapist, user=account, first_name="Bench", last_name="Client"
    )
    program = program_with_items(therapist, client)
    template = Program.objects.get(slug="sciatic-nerve-pain-six-movement-tools")
    as_therapist, as_client = token_client(therapist), token_client(account)

    print("Measuring throughput against the floor ...", flush=True)
    ratios = [
        against_floor(as_therapist, "exercise-list", "/api/v1/exercises/?page_size=20"),
        against_floor(as_therapist, "program-detail", f"/api/v1/programs/{program.pk}/"),
        against_floor(as_client, "me-programs", "/api/v1/me/programs/"),
        against_floor(
            as_therapist, "schedule", f"/api/v1/programs/{program.pk}/schedule/?weeks=12"
        ),
    ]
    print("Measuring PDF rendering ...", flush=True)
    cold, cached = pdf_render_ms(template, therapist)
    print("Measuring search over 10,000 exercises ...", flush=True)
    many_exercises(SEARCH_EXERCISES)
    search = median_ms(as_therapist, "/api/v1/exercises/?search=hamstring")
    print("Measuring adherence over 100,000 sessions ...", flush=True)
    many_sessions(program, ADHERENCE_SESSIONS)
    adherence = median_ms(as_therapist, f"/api/v1/clients/{client.pk}/adherence/")
    connection.creation.destroy_test_db(old_name, verbosity=0)
    report(ratios, cold, cached, search, adherence)


def report(ratios, cold, cached, search, adherence) -> None:
    targets = {"exercise-list": 0.3, "program-detail": 0.4, "me-programs": 0.4}
    lines = [
        "# Benchmarks",
        "",
        "Measured by `make bench` (bench/run.py) in one run on this machine:",
        "",
        *machine(),
        "",
        "## Throughput against the floor",
        "",
        "The floor is a bare Django view returning the same bytes with no work.",
        "",
        "| endpoint | requests/s | floor requests/s | ratio | target |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in ratios:
        ratio = row["endpoint"] / row["floor"]
        target = targets.get(row["name"])
        verdict = "" if target is None else f"≥ {target} {'met' if ratio >= target else 'MISSED'}"
        speeds = f"{row['endpoint']:.0f} | {row['floor']:.0f}"
        lines.append(f"| `{row['path']}` | {speeds} | {ratio:.2f} | {verdict} |")
    lines += [
        "",
        "## Latency",
        "",
        "| measure | milliseconds | target |",
        "|---|---:|---:|",
        f"| PDF of the seeded template, cold render | {cold:.0f} | |",
        f"| PDF of the seeded template, from the cache | {cached:.2f} | |",
        f"| exercise search over {SEARCH_EXERCISES:,} exercises (median) | {search:.1f} | < 50 "
        f"{'met' if search < 50 else 'MISSED'} |",
        f"| adherence over {ADHERENCE_SESSIONS:,} sessions (median) | {adherence:.1f} | < 50 "
        f"{'met' if adherence < 50 else 'MISSED'} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "BENCHMARKS.md").write_text(text)


if __name__ == "__main__":
    main()
