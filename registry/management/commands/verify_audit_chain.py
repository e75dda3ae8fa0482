"""Verify the audit log's hash chain and its checkpoints: exit 0 if intact, 1 if not."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from registry.audit import audit_chain_breaks, audit_checkpoint_breaks
from registry.models import AuditCheckpoint, AuditEvent


class Command(BaseCommand):
    help = ("Recalcula la cadena de hashes de la bitácora de auditoría, la compara con sus "
            "puntos de control y señala cada ruptura.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--checkpoints-file", default="",
                            help="También los puntos de control de este archivo (una línea "
                                 "JSON cada uno: AUDIT_CHECKPOINT_FILE o el registro).")

    def handle(self, *args, **options) -> None:
        breaks = list(audit_chain_breaks())
        if options["checkpoints_file"]:
            with open(options["checkpoints_file"], encoding="utf-8") as handle:
                lines = [json.loads(line) for line in handle if line.strip()]
            breaks += list(audit_checkpoint_breaks(lines))
        total = AuditEvent.objects.count()
        checkpoints = AuditCheckpoint.objects.count()
        if breaks:
            for chain_break in breaks:
                self.stderr.write(f"evento {chain_break.event_id}: {chain_break.reason}")
            raise CommandError(
                f"La bitácora fue alterada: {len(breaks)} ruptura(s) en {total} eventos.")
        self.stdout.write(self.style.SUCCESS(
            f"Cadena íntegra: {total} eventos verificados, {checkpoints} puntos de control."))
