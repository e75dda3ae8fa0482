"""Verify the audit log's hash chain: exit 0 if intact, 1 with the broken events if not."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from registry.audit import audit_chain_breaks
from registry.models import AuditEvent


class Command(BaseCommand):
    help = "Recalcula la cadena de hashes de la bitácora de auditoría y señala cada ruptura."

    def handle(self, *args, **options) -> None:
        breaks = list(audit_chain_breaks())
        total = AuditEvent.objects.count()
        if breaks:
            for chain_break in breaks:
                self.stderr.write(f"evento {chain_break.event_id}: {chain_break.reason}")
            raise CommandError(
                f"La bitácora fue alterada: {len(breaks)} ruptura(s) en {total} eventos.")
        self.stdout.write(self.style.SUCCESS(f"Cadena íntegra: {total} eventos verificados."))
