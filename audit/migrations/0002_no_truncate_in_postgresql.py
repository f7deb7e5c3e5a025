"""On PostgreSQL, TRUNCATE of the audit trail is refused too (UPDATE and DELETE already are,
programs/migrations/0008).

Only the test suite, which empties its own database between tests, may: it sets
`ptbuilder.flushing_test_database` for that one transaction (tests/conftest.py). A table owner
can still drop the trigger; in production the application's role should not own the table.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_auditevent_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('ptbuilder.flushing_test_database', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only.' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON programs_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_no_truncate();
"""

DROP = """
DROP TRIGGER audit_auditevent_no_truncate ON programs_auditevent;
DROP FUNCTION audit_auditevent_no_truncate();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
