"""Asserts on a load run against the database it wrote to, and prints the report.

Reads the driver's JSON (bench/load/drive.py) and the database named by DATABASE_URL through
the Django ORM, after the app servers have stopped. Checks:

- no 5xx and no connection errors; no status an endpoint should not give under this traffic;
- every acknowledged session (200/201) is stored exactly once, under the id every
  acknowledgement named, with all its entries; at most one 201 per client_uuid; no
  (client, client_uuid) is stored twice;
- no lost update: every 2xx edit's marker is the program's notes in the version the response
  named (the current row, or the ProgramVersion snapshot kept when that version was replaced);
  each edited program's history has one version per acknowledged edit and no gaps;
- the app servers shared the Redis cache: its log-in throttle history holds this run's log-ins;
- every task the app servers queued (their log's "task <id> queued" lines) ran exactly once in
  the worker (its "task <id> ran" lines), waiting up to TASK_WAIT_SECONDS for the queue to drain.

Exits 1 when any check fails.
"""

import argparse
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptbuilder.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db.models import Count  # noqa: E402

from logbook.models import ExerciseLog, Session  # noqa: E402
from programs.models import Program, ProgramVersion  # noqa: E402

THROTTLE_KEY = "throttle_auth_127.0.0.1"
SHOWN = 5
TASK_WAIT_SECONDS = 180
TASK_LINE = re.compile(r"task (\S+) (queued|ran|failed): ")
"""Failures listed per check; the count says how many there are in all."""


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * share // 1))
    return sorted_values[int(rank) - 1]


def report_table(run: dict) -> None:
    by_endpoint: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    for endpoint, status, millis in run["requests"]:
        by_endpoint[endpoint].append(millis)
        statuses[endpoint][status] += 1
    header = f"{'endpoint':<24} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  statuses"
    print(header)
    print("-" * len(header))
    traffic = 0
    for endpoint in sorted(by_endpoint):
        latencies = sorted(by_endpoint[endpoint])
        seconds = run["login_seconds"] if endpoint == "auth.token" else run["traffic_seconds"]
        if endpoint != "auth.token":
            traffic += len(latencies)
        counts = " ".join(f"{status}×{n}" for status, n in sorted(statuses[endpoint].items()))
        print(
            f"{endpoint:<24} {len(latencies):>8} {len(latencies) / seconds:>8.1f} "
            f"{percentile(latencies, 0.50):>8.1f} {percentile(latencies, 0.99):>8.1f}  {counts}"
        )
    print("-" * len(header))
    print(
        f"{'traffic (after log-in)':<24} {traffic:>8} {traffic / run['traffic_seconds']:>8.1f}"
        f"  over {run['traffic_seconds']:.1f} s, {run['threads']} driver threads"
    )
    before, after = run["load_average"]
    print(
        f"Machine: {run['cpus']} CPUs shared by the app servers, PostgreSQL, Redis and the "
        f"driver; 1-minute load average {before:.1f} before, {after:.1f} after."
    )


class Checks:
    def __init__(self):
        self.results: list[tuple[str, bool, str, list[str]]] = []

    def add(self, name: str, failures: list[str], detail: str = "") -> None:
        self.results.append((name, not failures, detail, failures))

    def print(self) -> bool:
        for name, passed, detail, failures in self.results:
            suffix = f" ({detail})" if detail else ""
            print(f"[{'PASS' if passed else 'FAIL'}] {name}{suffix}")
            for failure in failures[:SHOWN]:
                print(f"         {failure}")
            if len(failures) > SHOWN:
                print(f"         … and {len(failures) - SHOWN} more")
        return all(passed for _, passed, _, _ in self.results)


def check_responses(run: dict, checks: Checks) -> None:
    failures = [
        f"{endpoint} answered {status} in {millis:.0f} ms"
        for endpoint, status, millis in run["requests"]
        if status >= 500 or status == 0
    ]
    checks.add("no 5xx and no connection errors", failures, f"{len(run['requests'])} responses")
    checks.add(
        "only expected statuses",
        run["errors"] if run["error_count"] else [],
        f"{run['error_count']} unexpected responses",
    )


def check_sessions(run: dict, checks: Checks) -> None:
    acknowledged, answered_wrong = {}, []
    for client_uuid, sent in run["sessions"].items():
        acks = [(status, ident) for status, ident in sent["responses"] if status in (200, 201)]
        if not acks:
            continue
        ids = {ident for _, ident in acks}
        created = sum(1 for status, _ in acks if status == 201)
        if len(ids) != 1 or created > 1:
            answered_wrong.append(f"{client_uuid}: answers {sent['responses']}")
        acknowledged[client_uuid] = (sent, ids)
    checks.add(
        "every answer for one client_uuid names one session, created once",
        answered_wrong,
        f"{len(acknowledged)} client_uuids acknowledged",
    )

    stored = defaultdict(list)
    rows = Session.objects.filter(client_uuid__in=list(acknowledged)).annotate(
        logged=Count("entries")
    )
    for session in rows.values("id", "client_uuid", "client__user__username", "logged"):
        stored[str(session["client_uuid"])].append(session)
    missing, wrong = [], []
    for client_uuid, (sent, ids) in acknowledged.items():
        sessions = stored.get(client_uuid, [])
        if len(sessions) != 1:
            missing.append(f"{client_uuid}: acknowledged {sorted(ids)}, stored {len(sessions)}×")
            continue
        session = sessions[0]
        if (
            {session["id"]} != ids
            or session["client__user__username"] != sent["client"]
            or session["logged"] != sent["entries"]
        ):
            wrong.append(
                f"{client_uuid}: acknowledged {sorted(ids)} of {sent['client']} with "
                f"{sent['entries']} entries; stored {session}"
            )
    checks.add(
        "every acknowledged session stored exactly once with its id and entries",
        missing + wrong,
        f"{len(acknowledged)} sessions, {Session.objects.count()} rows, "
        f"{ExerciseLog.objects.count()} entries",
    )
    duplicates = (
        Session.objects.values("client_id", "client_uuid").annotate(n=Count("id")).filter(n__gt=1)
    )
    checks.add(
        "no (client, client_uuid) stored twice",
        [f"client {row['client_id']} {row['client_uuid']}: {row['n']}×" for row in duplicates],
    )


def check_edits(run: dict, checks: Checks) -> None:
    edits = run["edits"]
    programs = {
        program.pk: program
        for program in Program.objects.filter(pk__in={edit["program"] for edit in edits})
    }
    snapshots = {
        (version.program_id, version.version): version.snapshot.get("notes")
        for version in ProgramVersion.objects.filter(program_id__in=programs)
    }

    def notes_of(program_id: int, version: int):
        program = programs[program_id]
        if program.version == version:
            return program.notes
        return snapshots.get((program_id, version))

    lost, misplaced, answered_wrong = [], [], []
    where = {
        notes: key
        for key, notes in [
            *snapshots.items(),
            *(((pk, p.version), p.notes) for pk, p in programs.items()),
        ]
    }
    for edit in edits:
        program_id, marker, version = edit["program"], edit["marker"], edit["version"]
        expected_etag = f'"program-{program_id}-v{version}"'
        if edit["notes"] != marker or edit["etag"] != expected_etag:
            answered_wrong.append(
                f"PATCH program {program_id} If-Match {edit['if_match']} notes={marker}: "
                f"answered version {version}, notes {edit['notes']}, ETag {edit['etag']}"
            )
        if notes_of(program_id, version) == marker:
            continue
        if marker in where:
            misplaced.append(
                f"program {program_id}: {marker} answered as v{version}, stored as "
                f"v{where[marker][1]}"
            )
        else:
            lost.append(f"program {program_id}: {marker} (answered as v{version}) is in no version")
    checks.add(
        "no lost update: every 2xx edit in the final version history",
        lost + misplaced,
        f"{len(edits)} acknowledged edits on {len(programs)} programs",
    )
    checks.add("every 2xx edit answered with its own version, notes and ETag", answered_wrong)

    per_program = Counter(edit["program"] for edit in edits)
    gaps = []
    for program_id, program in programs.items():
        kept = sorted(v for (pk, v) in snapshots if pk == program_id)
        # Version 1 is the draft, 2 the activation; each acknowledged edit adds one.
        if program.version != 2 + per_program[program_id] or kept != list(
            range(2, program.version)
        ):
            gaps.append(
                f"program {program_id}: version {program.version} after "
                f"{per_program[program_id]} edits, snapshots {kept}"
            )
    checks.add("one version per acknowledged edit, every replaced version kept", gaps)


def check_shared_cache(run: dict, checks: Checks) -> None:
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("RedisCache"):
        checks.add("app servers share the Redis cache", [f"cache backend is {backend}"])
        return
    # Seeding cleared the key: had the app servers each kept a local cache, Redis would hold
    # none of this run's log-ins. (DRF's throttle history is read-modify-write, so log-ins
    # answered at the same moment by both servers may be counted once.)
    history = cache.get(THROTTLE_KEY) or []
    failures = []
    if not 0 < len(history) <= run["logins"]:
        failures.append(
            f"the shared log-in throttle history holds {len(history)} of {run['logins']} log-ins"
        )
    checks.add(
        "app servers share the Redis cache",
        failures,
        f"{len(history)} of {run['logins']} log-ins counted in "
        f"{settings.CACHES['default']['LOCATION']}",
    )


def task_ids(logs: list[Path], event: str) -> list[str]:
    text = "".join(log.read_text(encoding="utf-8", errors="replace") for log in logs)
    return [match[1] for match in TASK_LINE.finditer(text) if match[2] == event]


def check_tasks(queued_logs: list[Path], ran_log: Path, checks: Checks) -> None:
    queued = task_ids(queued_logs, "queued")
    deadline = time.monotonic() + TASK_WAIT_SECONDS
    while True:
        ran, failed = Counter(task_ids([ran_log], "ran")), task_ids([ran_log], "failed")
        if set(queued) <= set(ran) | set(failed) or time.monotonic() > deadline:
            break
        time.sleep(1)
    failures = [f"task {task} was queued {n} times" for task, n in Counter(queued).items() if n > 1]
    failures += [f"task {task} ran {ran[task]} times" for task in queued if ran[task] != 1]
    failures += [f"task {task} ran but was never queued" for task in set(ran) - set(queued)]
    if not queued:
        failures.append("no task was queued: the edits should render their programs' PDFs")
    checks.add(
        "every queued task ran exactly once in the worker",
        failures,
        f"{len(queued)} queued, {sum(ran.values())} ran, {len(failed)} failed",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="JSON written by bench/load/drive.py")
    parser.add_argument(
        "--queued", type=Path, nargs="+", required=True, help="the seeding's and servers' logs"
    )
    parser.add_argument("--ran", type=Path, required=True, help="the task worker's log")
    args = parser.parse_args()
    run = json.loads(args.results.read_text(encoding="utf-8"))

    report_table(run)
    print()
    checks = Checks()
    check_responses(run, checks)
    check_sessions(run, checks)
    check_edits(run, checks)
    check_shared_cache(run, checks)
    check_tasks(args.queued, args.ran, checks)
    passed = checks.print()
    print()
    print("All checks passed." if passed else "Some checks FAILED.")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
