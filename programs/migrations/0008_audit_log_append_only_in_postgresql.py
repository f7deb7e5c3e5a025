"""On PostgreSQL the database itself keeps the audit log append-only.

A row may not be deleted, nor changed, except that deleting an account or a client empties
its link (SET NULL) and leaves the event. TRUNCATE, a table owner's tool, is not covered.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION programs_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND (NEW.user_id IS NULL OR NEW.user_id = OLD.user_id)
        AND (NEW.client_id IS NULL OR NEW.client_id = OLD.client_id)
        AND (NEW.id, NEW.at, NEW.username, NEW.action, NEW.object_type, NEW.object_id, NEW.ip,
             NEW.request_id, NEW.path, NEW.status_code)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.at, OLD.username, OLD.action, OLD.object_type, OLD.object_id, OLD.ip,
             OLD.request_id, OLD.path, OLD.status_code)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only.' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER programs_auditevent_append_only
    BEFORE UPDATE OR DELETE ON programs_auditevent
    FOR EACH ROW EXECUTE FUNCTION programs_auditevent_append_only();
"""

DROP = """
DROP TRIGGER programs_auditevent_append_only ON programs_auditevent;
DROP FUNCTION programs_auditevent_append_only();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("programs", "0007_covering_index_for_side_differences")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
