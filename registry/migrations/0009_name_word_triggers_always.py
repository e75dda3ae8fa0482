"""The name-word triggers of ``registry_record`` fire in every replication role.

The importer writes a batch's records with ``session_replication_role = replica`` so
that PostgreSQL skips its per-row foreign-key triggers (the importer checks those keys
once per chunk instead: ``imports.writers.ForeignKeyCheck``). Replica mode skips
ordinary triggers too; ``ENABLE ALWAYS`` keeps these two firing, so the public name
vocabulary stays current whatever the role. PostgreSQL only.
"""

from django.db import migrations

TRIGGERS = ("registry_record_name_words_insert", "registry_record_name_words_update")


def _alter(mode: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for trigger in TRIGGERS:
            schema_editor.execute(f"ALTER TABLE registry_record ENABLE {mode} TRIGGER {trigger}")
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0008_import_write_path"),
    ]

    operations = [
        migrations.RunPython(_alter("ALWAYS"), _alter("")),
    ]
