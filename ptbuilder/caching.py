"""The one place that knows about the cache: key names, what each entry is built from, and when
it is renewed.

Entries are plain data (JSON bytes, or dicts of JSON types), one per object and state, shared by
every caller who may see the object: who may see it is decided by the query that found it, on
every request, never by the cache. Keys hold, besides the object's id and details (units,
weeks, the day):

- state read from the database in the same request: the program's `version` and the generation
  tokens of the scopes the entry is built from, read with the program (`with_state`) or in one
  query for all: a program's plan (program:<id>: its contents, client, therapist and clinic),
  what its client did (activity:<id>: sessions, logs and the review marks they set) and the
  library;
- SCHEMA, a digest of every model's field list, so an entry made before a deploy that adds or
  removes a field is never read after it.

| entry                          | scopes                          | details                      |
|--------------------------------|---------------------------------|------------------------------|
| schedule, PDF                  | program, library                | weeks / paper, weeks, day    |
| program detail (review marks)  | program, activity, library      | units                        |
| adherence of a program         | program, activity, library      | the day                      |
| a program in the client's app  | program, activity, library      | the client's week            |
| an exercise in a list          | library                         | —                            |

A hit costs one cache round trip (one MGET for all the entries of an answer); a PDF missing
from the cache is rendered by one process at a time (`rendered_once`).

A scope's token is random and stored in the database (ptbuilder_generation). The database
replaces it itself: triggers on every table an entry shows (programs and their contents,
sessions and logs, clients, therapists' names and clinics, the library; RENEWED below,
installed after every migrate) renew the scopes of each row written, in the writing
transaction. So no write path, not even one
that bypasses `save()` (`QuerySet.update`, `bulk_create`, raw SQL), leaves a stale entry, and
no process, with a local cache or a shared one, serves what another has changed.
"""

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.db import connections
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from rest_framework.renderers import JSONRenderer

from .models import Generation

DAY = 24 * 60 * 60
LIBRARY = "library"
"""The exercises and everything they show (taxonomy, conditions, red flags, sources)."""


def program_scope(program_id: int) -> str:
    """The program's plan: what a printout shows."""
    return f"program:{program_id}"


def activity_scope(program_id: int) -> str:
    """What the program's client did: sessions, their logs, the review marks they set."""
    return f"activity:{program_id}"


def render(data) -> bytes:
    return JSONRenderer().render(data)


def plain(data):
    """Serializer output as JSON types only (no Decimal, date or ordered dict)."""
    return json.loads(render(data))


def field_lists() -> dict[str, tuple]:
    return {
        model._meta.label: tuple(field.attname for field in model._meta.concrete_fields)
        for model in apps.get_models()
    }


def schema_digest(fields: dict[str, tuple]) -> str:
    return hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()[:12]


_schema: str | None = None


def schema() -> str:
    """The digest of this release's field lists (see the module's docstring)."""
    global _schema
    if _schema is None:
        _schema = schema_digest(field_lists())
    return _schema


def _token(scope) -> Subquery:
    return Subquery(Generation.objects.filter(scope=scope).values("token")[:1])


def with_library_state(objects):
    """Library objects read together with the library's token, in the same query."""
    return objects.annotate(library_token=_token(Value(LIBRARY)))


def _scope_of(prefix: str):
    return Concat(Value(prefix), Cast(OuterRef("pk"), output_field=CharField()))


def with_state(programs):
    """Programs read together with their cache state (their plan's, their activity's and the
    library's tokens), in the same query: entries for them then cost no further read."""
    return with_library_state(programs).annotate(
        plan_token=_token(_scope_of("program:")), activity_token=_token(_scope_of("activity:"))
    )


def _state(program, activity: bool) -> str:
    """The tokens an entry of `program` is made from: its plan's, the library's and, when the
    entry shows it, its activity's; as read with it (with_state) or now."""
    scopes = [program_scope(program.pk), LIBRARY] + [activity_scope(program.pk)] * activity
    if hasattr(program, "plan_token"):
        tokens = [program.plan_token, program.library_token, program.activity_token][: len(scopes)]
    else:
        tokens = current(*scopes)  # not kept on the object: a later key reads them anew
    return ".".join(token or "-" for token in tokens)


def current(*scopes: str) -> list[str]:
    """The tokens of `scopes`, read in one query ("-" for a scope never written)."""
    tokens = dict(Generation.objects.filter(scope__in=scopes).values_list("scope", "token"))
    return [tokens.get(scope, "-") for scope in scopes]


def invalidate(*scopes: str) -> None:
    """Forget every entry of `scopes` (new tokens, one upsert), as the triggers do on a write;
    for tools that measure an uncached read (bench/run.py)."""
    if scopes:
        Generation.objects.bulk_create(
            [Generation(scope=scope, token=uuid.uuid4().hex) for scope in set(scopes)],
            update_conflicts=True,
            unique_fields=["scope"],
            update_fields=["token"],
        )


def _fetch(keys: list[str], build_missing: Callable[[list[int]], dict], indexes) -> list:
    found = cache.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in found]
    if missing:
        built = build_missing(missing)
        fresh = {keys[i]: built[indexes[i]] for i in missing}
        cache.set_many(fresh, timeout=DAY)
        found.update(fresh)
    return [found[key] for key in keys]


def program_key(program, kind: str, *details, activity: bool = False) -> str:
    """A key for a program's rendering in its current state, with the activity of its client
    when it shows it (the PDF's ETag is made from a key)."""
    parts = (kind, schema(), program.pk, program.version, _state(program, activity), *details)
    return ":".join(map(str, parts))


def program_entries(
    programs: list,
    kind: str,
    build: Callable[[list], dict],
    details: Callable[[object], tuple],
    *,
    activity: bool,
) -> list:
    """One entry per program (in order) for its current version, and its client's activity when
    the entry shows it; `build(programs)` makes the missing ones at once, as {program id: entry}."""
    keys = [
        program_key(program, kind, *details(program), activity=activity) for program in programs
    ]
    ids = [program.pk for program in programs]
    return _fetch(keys, lambda missing: build([programs[i] for i in missing]), ids)


def program_entry(
    program, kind: str, build: Callable[[object], object], *details, activity: bool
) -> object:
    """`build(program)` once per version of the program (and of its client's activity when it
    shows it), state of the library and `details`."""
    [entry] = program_entries(
        [program],
        kind,
        lambda programs: {program.pk: build(program)},
        lambda _: details,
        activity=activity,
    )
    return entry


def library_entries(objects: list, kind: str, build: Callable[[list], dict], *details) -> list:
    """One entry per library object (in order) for the library's current state and `details`;
    `build(objects)` makes the missing ones at once, as {id: entry}."""
    if objects and all(hasattr(obj, "library_token") for obj in objects):
        library = objects[0].library_token or "-"
    else:
        [library] = current(LIBRARY)
    keys = [":".join(map(str, (kind, schema(), obj.pk, library, *details))) for obj in objects]
    ids = [obj.pk for obj in objects]
    return _fetch(keys, lambda missing: build([objects[i] for i in missing]), ids)


class Busy(Exception):
    """Another process is building the entry and did not finish within the wait."""


RENDER_LOCK_SECONDS = 60
"""How long a process may hold an entry's lock: a renderer that died frees it after that."""


def rendered_once(key: str, build: Callable[[], bytes], *, wait_seconds: float) -> bytes:
    """The entry under `key`, built when missing by one process at a time: the others wait for
    it up to `wait_seconds` (then Busy). The lock is an entry of the shared cache (add is
    atomic: SET NX in Redis), so with Redis one render serves every server process."""
    value = cache.get(key)
    if value is not None:
        return value
    lock = f"lock:{key}"
    deadline = time.monotonic() + wait_seconds
    while not cache.add(lock, 1, timeout=RENDER_LOCK_SECONDS):
        if time.monotonic() >= deadline:
            raise Busy(key)
        time.sleep(0.05)
        value = cache.get(key)
        if value is not None:
            return value
    try:
        value = cache.get(key)  # built by the process that held the lock just before
        if value is None:
            value = build()
            cache.set(key, value, timeout=DAY)
        return value
    finally:
        cache.delete(lock)


# What renews which scope: triggers the database runs on every write


@dataclass(frozen=True)
class Renewal:
    """The scopes one written row renews, as SQL over it ({row}: NEW or OLD), and on which
    events: an insert and a delete (unless `updates_only`), and an update of any column but
    those `skipped` (or of `only` those)."""

    scopes: str
    skipped: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    updates_only: bool = False

    def update_event(self, model) -> str:
        columns = self.only or [
            field.column for field in model._meta.concrete_fields if field.name not in self.skipped
        ]
        return "UPDATE OF " + ", ".join(columns) if self.only or self.skipped else "UPDATE"


def _of_program(column: str, scope: str = "program") -> str:
    return f"SELECT '{scope}:' || {{row}}.{column} AS scope"


ITEM_PROGRAM = (
    "SELECT '{scope}:' || program_id AS scope FROM programs_block WHERE id = {{row}}.block_id"
)
RENEWED = {
    "programs.Program": [Renewal(_of_program("id"))],
    "programs.Block": [Renewal(_of_program("program_id"))],
    # the review mark a painful session sets is the client's activity, not the plan
    "programs.Item": [
        Renewal(ITEM_PROGRAM.format(scope="program"), skipped=("needs_review",)),
        Renewal(ITEM_PROGRAM.format(scope="activity"), only=("needs_review",), updates_only=True),
    ],
    "programs.ProgressionRule": [
        Renewal(
            "SELECT 'program:' || block.program_id AS scope FROM programs_item AS item"
            " JOIN programs_block AS block ON block.id = item.block_id"
            " WHERE item.id = {row}.item_id"
        )
    ],
    "logbook.Session": [Renewal(_of_program("program_id", "activity"))],
    "logbook.ExerciseLog": [
        Renewal(
            "SELECT 'activity:' || program_id AS scope FROM programs_session"
            " WHERE id = {row}.session_id"
        )
    ],
    # a client's record (name, units) shows in their programs
    "clients.Client": [
        Renewal("SELECT 'program:' || id AS scope FROM programs_program WHERE client_id = {row}.id")
    ],
    # a therapist's name and e-mail, and their clinic, show on their printed programs; a
    # log-in's time does not
    "auth.User": [
        Renewal(
            "SELECT 'program:' || id AS scope FROM programs_program WHERE owner_id = {row}.id",
            only=("username", "first_name", "last_name", "email"),
        )
    ],
    "clinics.Clinic": [
        Renewal(
            "SELECT 'program:' || program.id AS scope FROM programs_program AS program"
            " JOIN clinics_membership AS membership ON membership.user_id = program.owner_id"
            " WHERE membership.clinic_id = {row}.id"
        )
    ],
    "clinics.Membership": [
        Renewal(
            "SELECT 'program:' || id AS scope FROM programs_program WHERE owner_id = {row}.user_id"
        )
    ],
}
"""What each table's written rows renew; every table of the library app renews the library."""
TOKENS = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "md5(random()::text || clock_timestamp()::text)",
}
MAX_TRIGGERS = 2
"""Renewals of one table at most (their triggers are renew_<table> and renew_<table>_1)."""


def renewed_tables() -> dict[str, list[tuple[str, str, bool]]]:
    """{table: [(scopes SQL, the UPDATE event, whether inserts and deletes renew)]} for every
    table a cached entry shows."""
    tables = {}
    for label, renewals in RENEWED.items():
        model = apps.get_model(label)
        tables[model._meta.db_table] = [
            (renewal.scopes, renewal.update_event(model), not renewal.updates_only)
            for renewal in renewals
        ]
    for model in apps.get_app_config("exercises").get_models(include_auto_created=True):
        tables[model._meta.db_table] = [("SELECT 'library' AS scope", "UPDATE", True)]
    return tables


def _renew(scopes: str, vendor: str) -> str:
    return (
        "INSERT INTO ptbuilder_generation (scope, token)"
        f" SELECT scope, {TOKENS[vendor]} FROM ({scopes}) AS renewed WHERE scope IS NOT NULL"
        " ON CONFLICT (scope) DO UPDATE SET token = excluded.token;"
    )


def _trigger_name(table: str, number: int) -> str:
    return f"renew_{table}" + (f"_{number}" if number else "")


def _trigger_sql(name: str, table: str, renewal: tuple[str, str, bool], vendor: str) -> list[str]:
    """Statements that (re)create one renewal's triggers: an insert renews the new row's
    scopes, a delete the old row's, an update both."""
    scopes, update, inserts_and_deletes = renewal
    if vendor == "postgresql":
        old, new = (
            _renew(scopes.format(row="OLD"), vendor),
            _renew(scopes.format(row="NEW"), vendor),
        )
        events = f"INSERT OR {update} OR DELETE" if inserts_and_deletes else update
        return [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN {old} END IF;"
            f" IF TG_OP IN ('INSERT', 'UPDATE') THEN {new} END IF; RETURN NULL; END; $$;",
            f"DROP TRIGGER IF EXISTS {name} ON {table};",
            f"CREATE TRIGGER {name} AFTER {events} ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {name}();",
        ]
    rows = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}
    if not inserts_and_deletes:
        rows = {"update": rows["update"]}
    statements = []
    for event, names in rows.items():
        union = " UNION ".join(scopes.format(row=row) for row in names)
        when = update if event == "update" else event.upper()
        statements += [
            f"DROP TRIGGER IF EXISTS {name}_{event};",
            f"CREATE TRIGGER {name}_{event} AFTER {when} ON {table} FOR EACH ROW"
            f" BEGIN {_renew(union, vendor)} END;",
        ]
    return statements


def drop_triggers(using: str = "default", **kwargs) -> None:
    """Before a migrate: SQLite cannot rebuild a table that another table's trigger names."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in renewed_tables().keys() & existing:
            for number in range(MAX_TRIGGERS):
                name = _trigger_name(table, number)
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
                else:
                    for event in ("insert", "update", "delete"):
                        cursor.execute(f"DROP TRIGGER IF EXISTS {name}_{event};")


def install_triggers(using: str = "default", **kwargs) -> None:
    """After a migrate: the triggers again, and every token renewed, since what the migration
    wrote renewed nothing. Tables not migrated yet are skipped."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if "ptbuilder_generation" not in existing:
        return
    drop_triggers(using)  # a renewal no longer made leaves no trigger behind
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE ptbuilder_generation SET token = {TOKENS[connection.vendor]}")
        for table, renewals in renewed_tables().items():
            if table in existing:
                for number, renewal in enumerate(renewals):
                    name = _trigger_name(table, number)
                    for statement in _trigger_sql(name, table, renewal, connection.vendor):
                        cursor.execute(statement)
