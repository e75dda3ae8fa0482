"""python manage.py apply_retention [--dry-run]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from registry.retention import RETENTION_POLICY, retention_apply


class Command(BaseCommand):
    help = ("Apply the retention policy (registry/retention.py): delete, anonymise or "
            "unpublish what has been kept long enough. Every action is audited. "
            "--dry-run lists what would change and changes nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="List what would change; change nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        if dry_run:
            self.stdout.write("Simulación: no se cambia nada.")
        for rule in RETENTION_POLICY:
            self.stdout.write(f"- {rule.data}: {rule.action} después de {rule.period.days} "
                              f"días contados desde {rule.counted_from}")
        for outcome in retention_apply(dry_run=dry_run):
            self.stdout.write(outcome.line(dry_run=dry_run))
