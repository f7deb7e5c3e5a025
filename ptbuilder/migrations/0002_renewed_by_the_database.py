"""The database itself renews the cache's generation tokens (ptbuilder/caching.py): a trigger on
every table a cached rendering shows replaces the tokens of the scopes a changed row belongs to,
in the writing statement's own transaction. Writes that bypass `save()` (`QuerySet.update`,
`bulk_create`, raw SQL) therefore cannot leave a stale entry, which signals could not promise.

RENEWED maps each table to the scopes one of its rows belongs to, as SQL over that row ({row} is
NEW or OLD): an insert renews the new row's scopes, a delete the old row's, an update both.
"""

from django.db import migrations

PROGRAM_OF_ROW = "SELECT 'program:' || {row}.{column} AS scope"
LIBRARY = "SELECT 'library' AS scope"
LIBRARY_TABLES = [
    "exercises_category",
    "exercises_equipment",
    "exercises_bodyregion",
    "exercises_tissue",
    "exercises_source",
    "exercises_condition",
    "exercises_redflag",
    "exercises_exercise",
    "exercises_exercise_equipment",
    "exercises_exercise_body_regions",
    "exercises_exercise_target_tissues",
    "exercises_exercise_conditions",
]
RENEWED = {
    "programs_program": PROGRAM_OF_ROW.format(row="{row}", column="id"),
    "programs_block": PROGRAM_OF_ROW.format(row="{row}", column="program_id"),
    "programs_item": (
        "SELECT 'program:' || program_id AS scope FROM programs_block WHERE id = {row}.block_id"
    ),
    "programs_progressionrule": (
        "SELECT 'program:' || block.program_id AS scope FROM programs_item AS item"
        " JOIN programs_block AS block ON block.id = item.block_id WHERE item.id = {row}.item_id"
    ),
    "programs_session": PROGRAM_OF_ROW.format(row="{row}", column="program_id"),
    "programs_exerciselog": (
        "SELECT 'program:' || program_id AS scope FROM programs_session"
        " WHERE id = {row}.session_id"
    ),
    # a client's record (name, units) shows in their programs
    "programs_client": (
        "SELECT 'program:' || id AS scope FROM programs_program WHERE client_id = {row}.id"
    ),
    # a therapist's name and e-mail show on their printed programs (not a log-in's time)
    "auth_user": (
        "SELECT 'program:' || id AS scope FROM programs_program WHERE owner_id = {row}.id"
    ),
    **dict.fromkeys(LIBRARY_TABLES, LIBRARY),
}
UPDATE_OF = {"auth_user": "UPDATE OF username, first_name, last_name, email"}

SQLITE_TOKEN = "lower(hex(randomblob(16)))"
POSTGRESQL_TOKEN = "md5(random()::text || clock_timestamp()::text)"


def renew(scopes_sql: str, token: str) -> str:
    return (
        "INSERT INTO ptbuilder_generation (scope, token)"
        f" SELECT scope, {token} FROM ({scopes_sql}) AS renewed WHERE scope IS NOT NULL"
        " ON CONFLICT (scope) DO UPDATE SET token = excluded.token;"
    )


def rows_of(event: str) -> list[str]:
    return {"INSERT": ["NEW"], "DELETE": ["OLD"], "UPDATE": ["OLD", "NEW"]}[event]


def sqlite_create(table: str, scopes: str) -> list[str]:
    statements = []
    for event in ("INSERT", "UPDATE", "DELETE"):
        union = " UNION ".join(scopes.format(row=row) for row in rows_of(event))
        when = UPDATE_OF.get(table, "UPDATE") if event == "UPDATE" else event
        statements.append(
            f"CREATE TRIGGER renew_{table}_{event.lower()} AFTER {when} ON {table}"
            f" FOR EACH ROW BEGIN {renew(union, SQLITE_TOKEN)} END;"
        )
    return statements


def postgresql_create(table: str, scopes: str) -> list[str]:
    def branch(row: str) -> str:
        return renew(scopes.format(row=row), POSTGRESQL_TOKEN)

    events = f"INSERT OR {UPDATE_OF.get(table, 'UPDATE')} OR DELETE"
    return [
        f"CREATE FUNCTION renew_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" IF TG_OP IN ('UPDATE', 'DELETE') THEN {branch('OLD')} END IF;"
        f" IF TG_OP IN ('INSERT', 'UPDATE') THEN {branch('NEW')} END IF;"
        " RETURN NULL; END; $$;",
        f"CREATE TRIGGER renew_{table} AFTER {events} ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION renew_{table}();",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, scopes in RENEWED.items():
        make = postgresql_create if vendor == "postgresql" else sqlite_create
        for statement in make(table, scopes):
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    for table in RENEWED:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER renew_{table} ON {table};")
            schema_editor.execute(f"DROP FUNCTION renew_{table}();")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER renew_{table}_{event};")


class Migration(migrations.Migration):
    dependencies = [
        ("ptbuilder", "0001_cache_generations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("exercises", "0002_therapists_group"),
        ("clients", "0001_initial"),
        ("programs", "0009_models_move_to_clients_logbook_and_audit"),
        ("logbook", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
