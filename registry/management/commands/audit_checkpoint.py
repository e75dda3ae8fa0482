"""Write a signed checkpoint of the audit log's head (run it from cron every few minutes)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from registry.audit import audit_checkpoint_write


class Command(BaseCommand):
    help = ("Anota un punto de control firmado de la bitácora (último evento, su hash, "
            "cuántos hay); ejecútelo periódicamente.")

    def handle(self, *args, **options) -> None:
        checkpoint = audit_checkpoint_write()
        self.stdout.write(f"Punto de control: evento {checkpoint.last_event_id}, "
                          f"{checkpoint.event_count} eventos.")
