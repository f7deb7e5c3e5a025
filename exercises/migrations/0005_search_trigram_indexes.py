"""On PostgreSQL, trigram indexes for the library's search (exercises.selectors.exercise_search).

The search finds each term anywhere in the text, ignoring case, with Django's `icontains`, which
PostgreSQL runs as `UPPER(column::text) LIKE UPPER('%term%')`: a GIN index of the trigrams of
that very expression answers it without reading every exercise. SQLite has no such index and
reads them all, as before.

`fastupdate` is off: with it, new rows wait in a pending list that every search reads through
until a vacuum merges it (10,000 new exercises made a search slower than no index at all). The
library is written seldom and read on every search, so writes pay for the merge instead.

The indexes are SQL of this migration, not the model's Meta: there SQLite would be asked for them
whenever it rebuilds the table, and an operator class over an expression would need
django.contrib.postgres among the installed apps.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SEARCHED = ["name", "summary", "steps", "cues", "precautions"]
"""The exercise's own fields the search reads (exercises.selectors.SEARCH_FIELDS)."""

CREATE = [
    f"CREATE INDEX exercise_{field}_trgm ON exercises_exercise"
    f" USING gin ((UPPER({field}::text)) gin_trgm_ops) WITH (fastupdate = off);"
    for field in SEARCHED
]
DROP = [f"DROP INDEX IF EXISTS exercise_{field}_trgm;" for field in SEARCHED]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("exercises", "0004_source_author_role")]

    operations = [
        TrigramExtension(),  # does nothing on other databases
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
