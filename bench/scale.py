"""A clinic group's worth of data on PostgreSQL, and what it costs: `bench/scale.py`.

Creates a fresh database (ptbuilder_scale by default), migrates it, seeds the library, then
generates therapists, clients with their app accounts, programs copied from the seeded template
(blocks, items, rules), sessions with their exercise logs and the audit records of the requests
that logged and read them, all in set-based SQL (INSERT ... SELECT generate_series). Then it
vacuums and analyzes, and prints per table and index: rows, sizes and bytes per row; per
endpoint: queries and times (through Django's full stack with a token, uncached and cached);
and EXPLAIN (ANALYZE, BUFFERS) of the heaviest queries those endpoints run. See
docs/SCALING.md for the workload it assumes and what it measured.

    .venv/bin/python bench/scale.py --sessions 1000000 --drop
    .venv/bin/python bench/scale.py --therapists 100 --clients 20000 --sessions 5000000 --drop

The cache-renewing triggers (ptbuilder/caching.py) are disabled during the load (ALTER TABLE
... DISABLE TRIGGER USER: foreign keys are still checked) and enabled again after it; then
every program's cache token and the library's are renewed, as `migrate` does. `--keep` leaves
the database for inspection; otherwise it is dropped at the end.
"""

import argparse
import os
import re
import statistics
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ptbuilder_scale"
CHUNK = 250_000
"""Sessions per INSERT statement (their logs and audit records follow in their own)."""
TABLES = [
    "auth_user",
    "knox_authtoken",
    "programs_client",
    "programs_program",
    "programs_block",
    "programs_item",
    "programs_progressionrule",
    "programs_session",
    "programs_exerciselog",
    "programs_auditevent",
    "ptbuilder_generation",
]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--therapists", type=int, default=100)
    parser.add_argument("--clients", type=int, default=20_000)
    parser.add_argument("--sessions", type=int, default=5_000_000)
    parser.add_argument(
        "--program-weeks", type=int, default=12, help="Each program's length (default 12)."
    )
    parser.add_argument(
        "--sessions-per-week",
        type=float,
        default=2.5,
        help="Sessions a client logs per week (3 prescribed); sets how many programs a "
        "client's history spans (default 2.5).",
    )
    parser.add_argument(
        "--logged-items",
        type=int,
        default=2,
        help="Items logged per session, each-side items as a left and a right entry (default 2).",
    )
    parser.add_argument(
        "--audit-per-session",
        type=int,
        default=3,
        help="Audit records per session: the client's read of their programs, the upload, "
        "a therapist's read (default 3).",
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--drop", action="store_true", help="Drop the database first if it exists.")
    parser.add_argument("--keep", action="store_true", help="Keep the database at the end.")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="Measure the database as it is (made by an earlier run with --keep).",
    )
    parser.add_argument(
        "--index-after",
        action="store_true",
        help="Drop the plain (non-unique) indexes of sessions, logs and audit records for the "
        "load and build them after it: much faster for millions of rows, but the indexes come "
        "out packed, smaller than indexes grown by inserts.",
    )
    parser.add_argument("--runs", type=int, default=15, help="Timed runs per measure (median).")
    return parser.parse_args()


def maintenance_url(url: str) -> tuple[str, str]:
    """The server's `postgres` database (to create and drop from) and the database's name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def create_database(url: str, drop: bool) -> None:
    server, name = maintenance_url(url)
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists and not drop:
            sys.exit(f"Database {name} exists: pass --drop to replace it.")
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    server, name = maintenance_url(url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def step(text: str):
    """Prints what is done and, on the way out, how long it took."""

    class Timed:
        def __enter__(self):
            print(f"{text} ...", end=" ", flush=True)
            self.started = perf_counter()

        def __exit__(self, *exc):
            print(f"{perf_counter() - self.started:.1f} s", flush=True)

    return Timed()


def main() -> None:
    args = arguments()
    if not args.measure_only:
        create_database(args.database_url, args.drop)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from programs.seeding import seed_library

    started = perf_counter()
    try:
        if not args.measure_only:
            with step("Migrating and seeding the library"):
                call_command("migrate", verbosity=0)
                seed_library()
            generate(args)
            generated = perf_counter() - started
            print(f"Generated in {generated / 60:.1f} min", flush=True)
        else:
            renew_tokens()  # the scopes of this checkout's caching.py
        storage(args)
        measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)


# Generation


def execute(sql: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rows(sql: str, params=None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def scalar(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def next_id(table: str) -> int:
    return scalar(f"SELECT coalesce(max(id), 0) FROM {table}") + 1


def generate(args) -> None:
    from django.db import transaction

    tables = [
        table
        for (table,) in rows(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger"
            " WHERE NOT tgisinternal AND tgname LIKE 'renew\\_%%'"
        )
    ]
    with step("Disabling the cache-renewing triggers for the load"):
        for table in tables:
            execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    dropped = drop_plain_indexes() if args.index_after else []
    try:
        with transaction.atomic():
            shape = people(args)
            shape |= programs(args, shape)
        sessions(args, shape)
    finally:
        with step("Enabling the triggers again"):
            for table in tables:
                execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        if dropped:
            with step(f"Building the {len(dropped)} dropped indexes"):
                execute("SET maintenance_work_mem = '512MB'")
                for definition in dropped:
                    execute(definition)
    with step("Renewing every cache token (the load renewed none)"):
        renew_tokens()
    with step("Resetting id sequences"):
        for table in TABLES:
            if table != "knox_authtoken":
                execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT coalesce(max(id), 1) FROM {table}))"
                )
    with step("VACUUM (ANALYZE), as autovacuum would in time"):
        execute("VACUUM (ANALYZE)")


def drop_plain_indexes() -> list[str]:
    """Drops the non-unique indexes of the big tables; returns the statements that rebuild them
    (primary keys and unique constraints stay: they are checked during the load)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT index.indexrelid::regclass::text, pg_get_indexdef(index.indexrelid)
            FROM pg_index AS index
            WHERE index.indrelid = ANY(%s::regclass[]) AND NOT index.indisunique""",
            [list(HOT_TABLES)],
        )
        found = cursor.fetchall()
    with step(f"Dropping {len(found)} plain indexes for the load"):
        for name, _ in found:
            execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def people(args) -> dict:
    """Therapists (in clinics of 20, in the Therapists group), clients and their app accounts."""
    from django.contrib.auth.models import Group

    from accounts.roles import THERAPISTS_GROUP

    user0 = next_id("auth_user")
    shape = {
        "therapist0": user0,  # therapist t (1-based) has id therapist0 + t - 1
        "client_user0": user0 + args.therapists,  # client c's account: client_user0 + c - 1
        "client0": next_id("programs_client"),
    }
    group = Group.objects.get(name=THERAPISTS_GROUP).pk
    with step(f"{args.therapists:,} therapists in clinics, {args.clients:,} client accounts"):
        execute(
            """INSERT INTO auth_user (id, password, is_superuser, username, first_name,
                 last_name, email, is_staff, is_active, date_joined)
            SELECT %(user0)s + n - 1, '!' || md5(n::text), false,
                   CASE WHEN n <= %(t)s THEN 'therapist' || n ELSE 'client' || (n - %(t)s) END,
                   CASE WHEN n <= %(t)s THEN 'Therapist' ELSE 'Client' END,
                   'Person ' || n,
                   CASE WHEN n <= %(t)s THEN 'therapist' || n ELSE 'client' || (n - %(t)s) END
                     || '@example.com',
                   n <= %(t)s, true, now() - interval '2 years'
            FROM generate_series(1, %(t)s + %(c)s) AS n""",
            {"user0": user0, "t": args.therapists, "c": args.clients},
        )
        execute(
            """INSERT INTO auth_user_groups (user_id, group_id)
            SELECT %(user0)s + n - 1, %(group)s FROM generate_series(1, %(t)s) AS n""",
            {"user0": user0, "group": group, "t": args.therapists},
        )
        clinic0 = next_id("clinics_clinic")
        clinics = (args.therapists + 19) // 20
        execute(
            """INSERT INTO clinics_clinic (id, name, country, emergency_number, address, phone,
                 email, logo, paper)
            SELECT %(clinic0)s + n - 1, 'Clinic ' || n, 'US', '', n || ' Main Street',
                   '555-0100', 'clinic' || n || '@example.com', '', ''
            FROM generate_series(1, %(clinics)s) AS n""",
            {"clinic0": clinic0, "clinics": clinics},
        )
        execute(
            """INSERT INTO clinics_membership (user_id, clinic_id)
            SELECT %(user0)s + n - 1, %(clinic0)s + (n - 1) / 20
            FROM generate_series(1, %(t)s) AS n""",
            {"user0": user0, "clinic0": clinic0, "t": args.therapists},
        )
        execute(
            """INSERT INTO programs_client (id, therapist_id, user_id, first_name, last_name,
                 email, units, notes, is_archived, created_at)
            SELECT %(client0)s + c - 1, %(user0)s + (c - 1) %% %(t)s, %(client_user0)s + c - 1,
                   'Client', 'Person ' || c, 'client' || c || '@example.com',
                   CASE WHEN c %% 4 = 0 THEN 'imperial' ELSE 'metric' END,
                   CASE WHEN c %% 5 = 0 THEN 'Desk job; prefers morning sessions.' ELSE '' END,
                   false, now() - interval '2 years'
            FROM generate_series(1, %(c)s) AS c""",
            {
                "client0": shape["client0"],
                "user0": user0,
                "client_user0": shape["client_user0"],
                "t": args.therapists,
                "c": args.clients,
            },
        )
    return shape


def programs(args, shape: dict) -> dict:
    """Each client's history: programs of --program-weeks back to back, copied from the
    seeded template (its blocks, items and rules), the last one active, the others completed.
    Client c's active program started 1 to 7 * weeks - 1 days ago (spread over clients)."""
    per_client = args.sessions / args.clients
    count = max(1, round(per_client / (args.sessions_per_week * args.program_weeks)))
    template = scalar("SELECT id FROM programs_program WHERE client_id IS NULL ORDER BY id LIMIT 1")
    blocks = scalar("SELECT count(*) FROM programs_block WHERE program_id = %s", [template])
    items = scalar(
        "SELECT count(*) FROM programs_item JOIN programs_block ON block_id = programs_block.id"
        " WHERE program_id = %s",
        [template],
    )
    shape |= {
        "programs_per_client": count,
        "program0": next_id("programs_program"),
        "block0": next_id("programs_block"),
        "item0": next_id("programs_item"),
        "blocks": blocks,
        "items": items,
        "template": template,
        "days": args.program_weeks * 7,
    }
    execute(
        """CREATE TEMP TABLE template_item AS
        SELECT row_number() OVER (ORDER BY block.position, block.id, item.position, item.id) - 1
                 AS rank,
               dense_rank() OVER (ORDER BY block.position, block.id) - 1 AS block_rank,
               item.*
        FROM programs_item AS item JOIN programs_block AS block ON block.id = item.block_id
        WHERE block.program_id = %s""",
        [template],
    )
    execute(
        """CREATE TEMP TABLE template_block AS
        SELECT row_number() OVER (ORDER BY position, id) - 1 AS rank, *
        FROM programs_block WHERE program_id = %s""",
        [template],
    )
    params = shape | {"c": args.clients, "weeks": args.program_weeks}
    total = args.clients * count
    with step(f"{total:,} programs ({count} per client) with {blocks} blocks, {items} items each"):
        # program p (0-based) is client p / count's program number p % count
        execute(
            """INSERT INTO programs_program (id, owner_id, client_id, title, slug, condition_id,
                 goal, notes, rationale, status, start_date, weeks, sessions_per_week, version,
                 source_id, activated_at, activated_by_id, override_reason, paused_at,
                 paused_by_id, pause_reason, created_at, updated_at, updated_by_id)
            SELECT %(program0)s + p, client.therapist_id, client.id,
                   template.title || ' (' || client.last_name || ')', '',
                   template.condition_id, template.goal, template.notes, template.rationale,
                   CASE WHEN p %% %(programs_per_client)s = %(programs_per_client)s - 1
                        THEN 'active' ELSE 'completed' END,
                   start, %(weeks)s, 3, 2, template.id, start, client.therapist_id, '', NULL,
                   NULL, '', start - interval '1 day', start, client.therapist_id
            FROM generate_series(0, %(c)s * %(programs_per_client)s - 1) AS p
            JOIN programs_client AS client
              ON client.id = %(client0)s + p / %(programs_per_client)s
            CROSS JOIN programs_program AS template
            CROSS JOIN LATERAL (
              SELECT current_date - (1 + (client.id * 37) %% (%(days)s - 1))::int
                     - (%(programs_per_client)s - 1 - p %% %(programs_per_client)s)
                       * %(days)s AS start
            ) AS started
            WHERE template.id = %(template)s""",
            params,
        )
        execute(
            """INSERT INTO programs_block (id, program_id, position, title, kind, rounds_min,
                 rounds_max, rest_between_rounds_seconds, notes)
            SELECT %(block0)s + p * %(blocks)s + block.rank, %(program0)s + p, block.position,
                   block.title, block.kind, block.rounds_min, block.rounds_max,
                   block.rest_between_rounds_seconds, block.notes
            FROM generate_series(0, %(c)s * %(programs_per_client)s - 1) AS p
            CROSS JOIN template_block AS block""",
            params,
        )
        # about 1 in 200 items marked for review
        execute(
            """INSERT INTO programs_item (id, block_id, position, exercise_id, side, notes,
                 needs_review, sets, reps_min, reps_max, hold_seconds_min, hold_seconds_max,
                 duration_seconds_min, duration_seconds_max, rest_seconds, load_kg,
                 step_height_cm)
            SELECT %(item0)s + p * %(items)s + item.rank,
                   %(block0)s + p * %(blocks)s + item.block_rank, item.position,
                   item.exercise_id, item.side, item.notes,
                   (p * %(items)s + item.rank) %% 200 = 7, item.sets, item.reps_min,
                   item.reps_max, item.hold_seconds_min, item.hold_seconds_max,
                   item.duration_seconds_min, item.duration_seconds_max, item.rest_seconds,
                   item.load_kg, item.step_height_cm
            FROM generate_series(0, %(c)s * %(programs_per_client)s - 1) AS p
            CROSS JOIN template_item AS item""",
            params,
        )
        execute(
            """INSERT INTO programs_progressionrule (item_id, parameter, mode, amount,
                 every_weeks, start_week, cap, trigger, pain_threshold, regress_above)
            SELECT %(item0)s + p * %(items)s + item.rank, rule.parameter, rule.mode,
                   rule.amount, rule.every_weeks, rule.start_week, rule.cap, rule.trigger,
                   rule.pain_threshold, rule.regress_above
            FROM generate_series(0, %(c)s * %(programs_per_client)s - 1) AS p
            CROSS JOIN template_item AS item
            JOIN programs_progressionrule AS rule ON rule.item_id = item.id""",
            params,
        )
    return shape


def sessions(args, shape: dict) -> None:
    """Session n (0-based) is client n % clients' session number n / clients: sessions arrive
    in rounds across all clients, about in time order, as they would. A client's sessions are
    spread evenly from their first program's start to today; each falls in the program whose
    weeks hold it. A session logs --logged-items items (rotating through the program's items),
    each-side items as a left and a right entry; about 1 in 100 entries has pain above 5."""
    per_client = -(-args.sessions // args.clients)
    params = shape | {
        "c": args.clients,
        "per_client": per_client,
        "session0": next_id("programs_session"),
        "logged": args.logged_items,
        "audits": args.audit_per_session,
    }
    execute("SELECT setseed(0.42)")
    print(
        f"{args.sessions:,} sessions ({per_client} per client), {args.logged_items} items "
        f"logged each, {args.audit_per_session} audit records each:",
        flush=True,
    )
    timings = {"sessions": 0.0, "logs": 0.0, "audit": 0.0}
    for first in range(0, args.sessions, CHUNK):
        last = min(first + CHUNK, args.sessions) - 1
        chunk = params | {"first": first, "last": last}
        started = perf_counter()
        execute(
            """INSERT INTO programs_session (id, client_id, program_id, client_uuid,
                 performed_at, pain_before, pain_after, symptoms_spread, notes, created_at)
            SELECT %(session0)s + n, client, %(program0)s + (client - %(client0)s)
                     * %(programs_per_client)s
                     + least(%(programs_per_client)s - 1, floor(day / %(days)s)::int),
                   gen_random_uuid(), moment, (random() * 6)::int, (random() * 4)::int,
                   random() < 0.02,
                   CASE WHEN random() < 0.1 THEN 'Felt stiff this morning, better after.'
                        ELSE '' END,
                   moment + interval '3 minutes'
            FROM generate_series(%(first)s, %(last)s) AS n
            CROSS JOIN LATERAL (
              SELECT %(client0)s + n %% %(c)s AS client, n / %(c)s AS round
            ) AS who
            CROSS JOIN LATERAL (
              SELECT (1 + (client * 37) %% (%(days)s - 1))
                     + (%(programs_per_client)s - 1) * %(days)s AS span
            ) AS history
            CROSS JOIN LATERAL (
              SELECT ((round + 0.5) * span / %(per_client)s)::float8 AS day
            ) AS offset_days
            CROSS JOIN LATERAL (
              SELECT (current_date - span)::timestamptz + day * interval '1 day' AS moment
            ) AS performed""",
            chunk,
        )
        timings["sessions"] += perf_counter() - started
        started = perf_counter()
        execute(
            """INSERT INTO programs_exerciselog (session_id, item_id, exercise_id, side, sets,
                 reps, seconds, load_kg, step_height_cm, pain, difficulty, notes)
            SELECT session.id, %(item0)s + (session.program_id - %(program0)s) * %(items)s
                     + item.rank,
                   item.exercise_id, sides.side, coalesce(item.sets, 1),
                   coalesce(item.reps_min, 0) + (random() * 2)::int, item.hold_seconds_min,
                   item.load_kg, item.step_height_cm,
                   CASE WHEN random() < 0.01 THEN 6 ELSE (random() * 4)::int END,
                   3 + (random() * 4)::int, ''
            FROM programs_session AS session
            CROSS JOIN generate_series(0, %(logged)s - 1) AS j
            JOIN template_item AS item
              ON item.rank = (session.id * %(logged)s + j) %% %(items)s
            CROSS JOIN LATERAL unnest(
              CASE item.side WHEN 'each' THEN ARRAY['left', 'right'] WHEN 'left' THEN ARRAY['left']
                WHEN 'right' THEN ARRAY['right'] ELSE ARRAY['both'] END
            ) AS sides(side)
            WHERE session.id BETWEEN %(session0)s + %(first)s AND %(session0)s + %(last)s""",
            chunk,
        )
        timings["logs"] += perf_counter() - started
        started = perf_counter()
        execute(
            """INSERT INTO programs_auditevent (at, user_id, username, action, object_type,
                 object_id, client_id, ip, request_id, path, status_code)
            SELECT session.performed_at + k * interval '1 minute',
                   CASE WHEN k %% 3 = 2 THEN client.therapist_id ELSE client.user_id END,
                   CASE WHEN k %% 3 = 2 THEN 'therapist' || (client.therapist_id
                        - %(therapist0)s + 1)
                        ELSE 'client' || (client.id - %(client0)s + 1) END,
                   (ARRAY['read:list', 'change:create', 'read:adherence'])[k %% 3 + 1],
                   (ARRAY['', 'session', 'client'])[k %% 3 + 1],
                   (ARRAY['', session.id::text, client.id::text])[k %% 3 + 1],
                   client.id,
                   ('10.' || (client.id %% 250) || '.' || (k %% 250) || '.7')::inet,
                   md5(session.id::text || ':' || k),
                   (ARRAY['/api/v1/me/programs/', '/api/v1/me/sessions/',
                          '/api/v1/clients/' || client.id || '/adherence/'])[k %% 3 + 1],
                   (ARRAY[200, 201, 200])[k %% 3 + 1]
            FROM programs_session AS session
            JOIN programs_client AS client ON client.id = session.client_id
            CROSS JOIN generate_series(0, %(audits)s - 1) AS k
            WHERE session.id BETWEEN %(session0)s + %(first)s AND %(session0)s + %(last)s""",
            chunk,
        )
        timings["audit"] += perf_counter() - started
        done = last + 1
        print(
            f"  {done:>11,} sessions: "
            + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()),
            flush=True,
        )


def program_scopes() -> list:
    """The functions naming a program's cache scopes (program:<id>, and activity:<id> where
    caching.py has it)."""
    from ptbuilder import caching

    return [
        function
        for function in (caching.program_scope, getattr(caching, "activity_scope", None))
        if function is not None
    ]


def renew_tokens() -> None:
    """What the writes would have done: a fresh token for each of every program's scopes and
    the library's."""
    from ptbuilder.caching import LIBRARY

    token = "md5(random()::text || clock_timestamp()::text)"
    for scope in program_scopes():
        prefix = scope(0).removesuffix("0")
        execute(
            f"""INSERT INTO ptbuilder_generation (scope, token)
            SELECT %s || id, {token} FROM programs_program
            ON CONFLICT (scope) DO UPDATE SET token = excluded.token""",
            [prefix],
        )
    execute(
        f"""INSERT INTO ptbuilder_generation (scope, token) VALUES (%s, {token})
        ON CONFLICT (scope) DO UPDATE SET token = excluded.token""",
        [LIBRARY],
    )


# Storage


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f}"


def storage(args) -> None:
    print("\n## Storage (after VACUUM ANALYZE)\n")
    print("| table | rows | heap+toast MB | indexes MB | total MB | bytes/row heap | total |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = 0
    for table in TABLES:
        rows = scalar(f"SELECT count(*) FROM {table}")
        heap, indexes, total = [
            scalar(f"SELECT {function}(%s::regclass)", [table])
            for function in ("pg_table_size", "pg_indexes_size", "pg_total_relation_size")
        ]
        totals += total
        per_row = f"{heap / rows:,.0f} | {total / rows:,.0f}" if rows else "- | -"
        print(
            f"| {table} | {rows:,} | {megabytes(heap)} | {megabytes(indexes)} "
            f"| {megabytes(total)} | {per_row} |"
        )
    database = scalar("SELECT pg_database_size(current_database())")
    print(f"\nThese tables: {megabytes(totals)} MB; whole database: {megabytes(database)} MB\n")
    print("| index | MB | bytes/row |")
    print("|---|---:|---:|")
    for table in ("programs_session", "programs_exerciselog", "programs_auditevent"):
        rows = scalar(f"SELECT count(*) FROM {table}") or 1
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT indexrelid::regclass::text, pg_relation_size(indexrelid)
                FROM pg_index WHERE indrelid = %s::regclass ORDER BY 2 DESC""",
                [table],
            )
            for name, size in cursor.fetchall():
                print(f"| {table}.{name} | {megabytes(size)} | {size / rows:,.1f} |")
    print()


# Measures


def token_client(user):
    from django.test import Client as HttpClient
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user)
    return HttpClient(HTTP_AUTHORIZATION=f"Token {token}")


def median_ms(call, runs: int, before=None) -> float:
    call()
    timings = []
    for _ in range(runs):
        if before:
            before()
        started = perf_counter()
        call()
        timings.append((perf_counter() - started) * 1000)
    return statistics.median(timings)


def captured(call) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    return list(queries.captured_queries)


HOT_TABLES = ("programs_session", "programs_exerciselog", "programs_auditevent")


def explain(name: str, sql: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    shown = sql if len(sql) <= 600 else sql[:600] + " ..."
    print(f"\n#### {name}\n\n```sql\n{shown}\n```\n\n```\n" + "\n".join(plan) + "\n```")


def sql_median_ms(sql: str, runs: int, jit: bool = False) -> float:
    """The median time of the statement alone, on the project's connection (JIT off, see
    settings); `jit=True` with PostgreSQL's JIT on, its server default, for comparison."""
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()

    if jit:
        execute("SET jit = on")
    try:
        return median_ms(run, runs)
    finally:
        execute("RESET jit")


def summary(sql: str) -> str:
    """A query in a few words: its verb and the table it reads or writes first."""
    verb = sql.split(None, 1)[0].upper()
    pattern = {"INSERT": r'INTO "(\w+)"', "UPDATE": r'UPDATE "(\w+)"', "DELETE": r'FROM "(\w+)"'}
    found = re.search(pattern.get(verb, r'\bFROM "(\w+)"'), sql)
    if verb in {"SAVEPOINT", "RELEASE", "ROLLBACK"}:
        return verb.lower()
    return f"{verb.lower()} {found.group(1) if found else '?'}"


def measure(args) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from clients.models import Client
    from logbook.adherence import FOLLOWED
    from programs.models import Item, Program
    from ptbuilder.caching import invalidate

    print(
        f"PostgreSQL {connection.pg_version}, shared_buffers "
        f"{scalar('SHOW shared_buffers')}, work_mem {scalar('SHOW work_mem')}; cache "
        f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; {os.cpu_count()} cores; "
        f"median of {args.runs} runs\n"
    )
    users = get_user_model().objects
    client = Client.objects.get(pk=scalar("SELECT min(id) + count(*) / 2 FROM programs_client"))
    therapist, account = users.get(pk=client.therapist_id), users.get(pk=client.user_id)
    as_therapist, as_client = token_client(therapist), token_client(account)
    followed = list(
        Program.objects.filter(client=client, status__in=FOLLOWED).values_list("pk", flat=True)
    )
    active = Program.objects.get(client=client, status=Program.Status.ACTIVE)
    item = Item.objects.filter(block__program=active, side="each").order_by("id").first()
    sessions_of_client = scalar(
        "SELECT count(*) FROM programs_session WHERE client_id = %s", [client.pk]
    )
    print(
        f"## Per request (client {client.pk}: {len(followed)} followed programs, "
        f"{sessions_of_client} sessions; their therapist has "
        f"{Client.objects.filter(therapist=therapist).count()} clients)\n"
    )

    def uncache():
        invalidate(*(scope(pk) for pk in followed for scope in program_scopes()))

    def get(http, path):
        def call():
            response = http.get(path)
            assert response.status_code == 200, (path, response.status_code, response.content)

        return call

    def post_session():
        body = {
            "client_uuid": str(uuid.uuid4()),
            "program": active.pk,
            "performed_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "pain_before": 2,
            "pain_after": 1,
            "entries": [
                {"item": item.pk, "side": "left", "reps": 10, "pain": 2},
                {"item": item.pk, "side": "right", "reps": 10, "pain": 2},
            ],
        }
        response = as_client.post("/api/v1/me/sessions/", body, content_type="application/json")
        assert response.status_code == 201, response.content

    endpoints = [
        ("adherence", get(as_therapist, f"/api/v1/clients/{client.pk}/adherence/"), True),
        ("session list", get(as_client, "/api/v1/me/sessions/"), False),
        ("me/programs", get(as_client, "/api/v1/me/programs/"), True),
        ("program detail", get(as_therapist, f"/api/v1/programs/{active.pk}/"), True),
        ("attention list", get(as_therapist, "/api/v1/attention/"), False),
        ("client list", get(as_therapist, "/api/v1/clients/"), False),
        ("log a session (POST)", post_session, False),
    ]
    print("| endpoint | queries uncached | ms uncached | queries cached | ms cached |")
    print("|---|---:|---:|---:|---:|")
    heavy = {}
    for name, call, cacheable in endpoints:
        call()
        if cacheable:
            uncache()
        queries = captured(call)
        heavy[name] = queries
        uncached = median_ms(call, args.runs, before=uncache if cacheable else None)
        if cacheable:
            cached_queries = len(captured(call))
            cached = f"{cached_queries} | {median_ms(call, args.runs):.1f}"
        else:
            cached = "- | -"
        print(f"| {name} | {len(queries)} | {uncached:.1f} | {cached} |", flush=True)

    print("\nThe queries of each (uncached), in order:\n")
    for name, queries in heavy.items():
        print(f"- {name}: " + "; ".join(summary(query["sql"]) for query in queries))

    print("\n### The heaviest queries (by captured time), EXPLAIN (ANALYZE, BUFFERS)\n")
    print("| endpoint | query | ms in the request | ms alone | ms alone, jit on |")
    print("|---|---|---:|---:|---:|")
    chosen = []
    for name, queries in heavy.items():
        selects = [
            query
            for query in queries
            if query["sql"].lstrip().upper().startswith("SELECT")
            and any(table in query["sql"] for table in HOT_TABLES)
        ]
        for rank, query in enumerate(
            sorted(selects, key=lambda q: float(q["time"]), reverse=True)[:3]
        ):
            label = f"{name} #{rank + 1}"
            alone = sql_median_ms(query["sql"], args.runs)
            with_jit = sql_median_ms(query["sql"], args.runs, jit=True)
            in_request = float(query["time"]) * 1000
            print(
                f"| {name} | {query['sql'][:70]}... | {in_request:.0f} | {alone:.2f} "
                f"| {with_jit:.2f} |"
            )
            chosen.append((label, query["sql"]))
    for label, sql in chosen:
        explain(label, sql)


if __name__ == "__main__":
    main()
