"""The one place that knows about the cache: key names, what each entry is built from, and when
it is renewed.

Entries are plain data (JSON bytes, or dicts of JSON types), one per object and state, shared by
every caller who may see the object: who may see it is decided by the query that found it, on
every request, never by the cache. Keys hold, besides the object's id and details (units,
weeks, the day):

- state read from the database in the same request: the program's `version` and the generation
  tokens of the scopes the entry is built from, read with the program (`with_state`) or in one
  query for all;
- SCHEMA, a digest of every model's field list, so an entry made before a deploy that adds or
  removes a field is never read after it.

| entry                          | scopes                       | details                       |
|--------------------------------|------------------------------|-------------------------------|
| program detail, schedule, PDF  | program:<id>, library        | units / weeks / paper, weeks  |
| adherence of a program         | program:<id>, library        | the day                       |
| a program in the client's app  | program:<id>, library        | the client's week             |
| an exercise in a list          | library                      | —                             |

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
import uuid
from collections.abc import Callable

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
    return f"program:{program_id}"


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


def with_state(programs):
    """Programs read together with their cache state (their own and the library's tokens), in
    the same query: entries for them then cost no further read."""
    own = Concat(Value("program:"), Cast(OuterRef("pk"), output_field=CharField()))
    return with_library_state(programs).annotate(cache_token=_token(own))


def _states(programs: list) -> tuple[str, list[str]]:
    """The library's token and each program's, as read with them (with_state) or now."""
    if all(hasattr(program, "cache_token") for program in programs):
        tokens = [program.cache_token or "-" for program in programs]
        return (programs[0].library_token or "-") if programs else "-", tokens
    library, *tokens = current(LIBRARY, *(program_scope(program.pk) for program in programs))
    return library, tokens


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


def _program_key(program, kind: str, token: str, library: str, details: tuple) -> str:
    parts = (kind, schema(), program.pk, program.version, token, library, *details)
    return ":".join(map(str, parts))


def program_entries(
    programs: list, kind: str, build: Callable[[list], dict], details: Callable[[object], tuple]
) -> list:
    """One entry per program (in order) for its current version; `build(programs)` makes the
    missing ones at once, as {program id: entry}."""
    library, tokens = _states(programs)
    keys = [
        _program_key(program, kind, token, library, details(program))
        for program, token in zip(programs, tokens, strict=True)
    ]
    ids = [program.pk for program in programs]
    return _fetch(keys, lambda missing: build([programs[i] for i in missing]), ids)


def program_entry(program, kind: str, build: Callable[[object], object], *details) -> object:
    """`build(program)` once per version of the program, state of the library and `details`."""
    [entry] = program_entries(
        [program], kind, lambda programs: {program.pk: build(program)}, lambda _: details
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


def program_key(program, kind: str, *details) -> str:
    """A key for a program's rendering in its current state (the PDF's ETag is made from it)."""
    library, [token] = _states([program])
    return _program_key(program, kind, token, library, details)


def cached_bytes(key: str, build: Callable[[], bytes]) -> bytes:
    """The entry under a key made by `program_key`, built when missing."""
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=DAY)
    return value


# What renews which scope: triggers the database runs on every write

PROGRAM_OF = "SELECT 'program:' || {row}.{column} AS scope"
RENEWED = {
    "programs.Program": PROGRAM_OF.format(row="{row}", column="id"),
    "programs.Block": PROGRAM_OF.format(row="{row}", column="program_id"),
    "programs.Item": (
        "SELECT 'program:' || program_id AS scope FROM programs_block WHERE id = {row}.block_id"
    ),
    "programs.ProgressionRule": (
        "SELECT 'program:' || block.program_id AS scope FROM programs_item AS item"
        " JOIN programs_block AS block ON block.id = item.block_id WHERE item.id = {row}.item_id"
    ),
    "logbook.Session": PROGRAM_OF.format(row="{row}", column="program_id"),
    "logbook.ExerciseLog": (
        "SELECT 'program:' || program_id AS scope FROM programs_session WHERE id = {row}.session_id"
    ),
    # a client's record (name, units) shows in their programs
    "clients.Client": (
        "SELECT 'program:' || id AS scope FROM programs_program WHERE client_id = {row}.id"
    ),
    # a therapist's name and e-mail, and their clinic, show on their printed programs
    "auth.User": (
        "SELECT 'program:' || id AS scope FROM programs_program WHERE owner_id = {row}.id"
    ),
    "clinics.Clinic": (
        "SELECT 'program:' || program.id AS scope FROM programs_program AS program"
        " JOIN clinics_membership AS membership ON membership.user_id = program.owner_id"
        " WHERE membership.clinic_id = {row}.id"
    ),
    "clinics.Membership": (
        "SELECT 'program:' || id AS scope FROM programs_program WHERE owner_id = {row}.user_id"
    ),
}
"""Each table's scopes of one written row, as SQL over it ({row}: NEW or OLD); every table of
the library app renews the library."""
UPDATE_OF = {"auth.User": "UPDATE OF username, first_name, last_name, email"}
"""Columns whose update renews (not a log-in's time)."""
TOKENS = {
    "sqlite": "lower(hex(randomblob(16)))",
    "postgresql": "md5(random()::text || clock_timestamp()::text)",
}


def renewed_tables() -> dict[str, tuple[str, str]]:
    """{table: (scopes SQL, the UPDATE event)} for every table a cached entry shows."""
    tables = {
        apps.get_model(label)._meta.db_table: (scopes, UPDATE_OF.get(label, "UPDATE"))
        for label, scopes in RENEWED.items()
    }
    library = apps.get_app_config("exercises").get_models(include_auto_created=True)
    for model in library:
        tables[model._meta.db_table] = ("SELECT 'library' AS scope", "UPDATE")
    return tables


def _renew(scopes: str, vendor: str) -> str:
    return (
        "INSERT INTO ptbuilder_generation (scope, token)"
        f" SELECT scope, {TOKENS[vendor]} FROM ({scopes}) AS renewed WHERE scope IS NOT NULL"
        " ON CONFLICT (scope) DO UPDATE SET token = excluded.token;"
    )


def _trigger_sql(table: str, scopes: str, update: str, vendor: str) -> list[str]:
    """Statements that (re)create the table's renewing triggers: an insert renews the new row's
    scopes, a delete the old row's, an update both."""
    if vendor == "postgresql":
        old, new = (
            _renew(scopes.format(row="OLD"), vendor),
            _renew(scopes.format(row="NEW"), vendor),
        )
        return [
            f"CREATE OR REPLACE FUNCTION renew_{table}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN IF TG_OP IN ('UPDATE', 'DELETE') THEN {old} END IF;"
            f" IF TG_OP IN ('INSERT', 'UPDATE') THEN {new} END IF; RETURN NULL; END; $$;",
            f"DROP TRIGGER IF EXISTS renew_{table} ON {table};",
            f"CREATE TRIGGER renew_{table} AFTER INSERT OR {update} OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION renew_{table}();",
        ]
    rows = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}
    statements = []
    for event, names in rows.items():
        union = " UNION ".join(scopes.format(row=row) for row in names)
        when = update if event == "update" else event.upper()
        statements += [
            f"DROP TRIGGER IF EXISTS renew_{table}_{event};",
            f"CREATE TRIGGER renew_{table}_{event} AFTER {when} ON {table} FOR EACH ROW"
            f" BEGIN {_renew(union, vendor)} END;",
        ]
    return statements


def drop_triggers(using: str = "default", **kwargs) -> None:
    """Before a migrate: SQLite cannot rebuild a table that another table's trigger names."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in renewed_tables().keys() & existing:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS renew_{table} ON {table};")
            else:
                for event in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS renew_{table}_{event};")


def install_triggers(using: str = "default", **kwargs) -> None:
    """After a migrate: the triggers again, and every token renewed, since what the migration
    wrote renewed nothing. Tables not migrated yet are skipped."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if "ptbuilder_generation" not in existing:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE ptbuilder_generation SET token = {TOKENS[connection.vendor]}")
        for table, (scopes, update) in renewed_tables().items():
            if table in existing:
                for statement in _trigger_sql(table, scopes, update, connection.vendor):
                    cursor.execute(statement)
