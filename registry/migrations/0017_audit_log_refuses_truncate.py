"""The audit log and its checkpoints refuse UPDATE, DELETE and TRUNCATE (PostgreSQL).

1. TRUNCATE skips row triggers, so 0004's trigger never saw it (nor a ``TRUNCATE
   registry_user CASCADE``, which reaches the log through its foreign key): a
   statement-level trigger refuses it. The one way through is a database-level setting
   ``registry.allow_audit_truncate = on``, which only the test suite sets on its
   throw-away database (Django empties tables with TRUNCATE between tests).
2. ``ENABLE ALWAYS``: the importer switches ``session_replication_role = replica``
   (README) and replica mode skips ordinary triggers, which let UPDATE and DELETE of
   the log through. These triggers fire whatever the role.
3. The checkpoint table gets the same triggers. Who may insert into it is the
   operator's grant (README, "Audit log"; ``manage.py audit_protect_sql``).

SQLite has no TRUNCATE and no roles: there the ORM refuses changes and the checkpoints
detect what is cut off (README says so).
"""

from django.db import migrations

TABLES = ("registry_auditevent", "registry_auditcheckpoint")

CREATE = """
CREATE OR REPLACE FUNCTION registry_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE'
       AND current_setting('registry.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE)
    for table in TABLES:
        if table != "registry_auditevent":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION registry_audit_append_only()")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION registry_audit_append_only()")
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_update_delete")
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        if table != "registry_auditevent":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
    schema_editor.execute(
        "ALTER TABLE registry_auditevent ENABLE TRIGGER registry_auditevent_no_update_delete")
    schema_editor.execute("DROP FUNCTION IF EXISTS registry_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("registry", "0016_audit_checkpoint")]
    operations = [migrations.RunPython(forwards, backwards)]
