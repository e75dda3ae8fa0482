"""Print the SQL that keeps the audit checkpoints out of the application role's reach."""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError

SQL = """-- Run once as a PostgreSQL superuser, after `manage.py migrate`.
-- {owner} owns the checkpoint table; {app} (the role the site, the workers and cron use)
-- may only read it and add rows: it cannot update, delete, truncate, or switch off the
-- table's triggers. Run later migrations of this table as {owner} (or a superuser).
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN
        CREATE ROLE {owner} NOLOGIN;
    END IF;
END $$;
ALTER TABLE registry_auditcheckpoint OWNER TO {owner};
ALTER SEQUENCE registry_auditcheckpoint_id_seq OWNER TO {owner};
REVOKE ALL ON registry_auditcheckpoint FROM {app};
GRANT SELECT, INSERT ON registry_auditcheckpoint TO {app};
GRANT USAGE ON SEQUENCE registry_auditcheckpoint_id_seq TO {app};
"""
_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class Command(BaseCommand):
    help = ("Imprime el SQL que deja la tabla de puntos de control de la bitácora fuera del "
            "alcance del rol de la aplicación (solo SELECT e INSERT).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--app-role", required=True)
        parser.add_argument("--owner-role", default="registry_audit")

    def handle(self, *args, **options) -> None:
        app, owner = options["app_role"], options["owner_role"]
        for role in (app, owner):
            if not _ROLE.fullmatch(role):
                raise CommandError(f"Nombre de rol no válido: {role!r}")
        if app == owner:
            raise CommandError("El rol dueño debe ser otro que el de la aplicación.")
        self.stdout.write(SQL.format(app=app, owner=owner))
