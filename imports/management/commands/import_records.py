"""Import a CSV or XLSX file of an agency's records from the command line."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from imports.intake import import_batch_create
from imports.linking import STAGES, batch_linkage_run, linkage_enqueue
from imports.models import ColumnMapping, ImportBatch, LinkageStatus
from imports.progress import ProgressReporter
from imports.readers import ImportFileError
from imports.services import import_batch_run
from registry.models import Agency, RecordKind


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, stream, total_hint: int):
        self.stream = stream
        self.total = total_hint
        self.started = time.monotonic()
        self.enabled = stream.isatty()

    def __call__(self, rows: int, _total: int = 0) -> None:
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = rows / elapsed
        if self.total:
            fraction = min(rows / self.total, 1.0)
            bar = "#" * int(30 * fraction) + "." * (30 - int(30 * fraction))
            line = f"\r[{bar}] {fraction:4.0%} {rows:,}/{self.total:,} filas {rate:,.0f} filas/s"
        else:
            line = f"\r{rows:,} filas {rate:,.0f} filas/s"
        self.stream.write(line)
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")


class LinkageBar:
    """The linkage's progress on stderr: stage, done of total (terminal only)."""

    def __init__(self, stream):
        self.stream = stream
        self.enabled = stream.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        fraction = min(done / total, 1.0)
        bar = "#" * int(30 * fraction) + "." * (30 - int(30 * fraction))
        label = STAGES.get(stage, stage)
        self.stream.write(f"\rVinculación [{bar}] {fraction:4.0%} {done:,}/{total:,} {label}   ")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _estimate_rows(path: Path) -> int:
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        return 0
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b"\n")
    return count


class Command(BaseCommand):
    help = "Importa un archivo CSV o XLSX de registros de una institución."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Ruta del archivo .csv, .xlsx o .xml (PFIF)")
        parser.add_argument("--agency", required=True, help="Clave de la institución")
        parser.add_argument("--kind", required=True,
                            choices=RecordKind.values)
        parser.add_argument("--mapping", default="", help="Nombre de la correspondencia guardada")
        parser.add_argument("--sheet", default="", help="Hoja del libro (por omisión, la primera)")
        parser.add_argument("--sex-codes", default="", choices=["", "HM", "MF"],
                            help="Qué significa M en la columna de sexo: HM (mujer) o MF "
                                 "(masculino); por omisión se lee del archivo")
        parser.add_argument("--dry-run", action="store_true",
                            help="Vista previa: cuenta lo que pasaría sin guardar nada")
        parser.add_argument("--no-link", action="store_true",
                            help="No vincular ahora (relink lo hará después)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No existe el archivo {path}")
        try:
            agency = Agency.objects.get(code=options["agency"])
        except Agency.DoesNotExist as exc:
            raise CommandError(f"No existe la institución «{options['agency']}»") from exc
        mapping = None
        if options["mapping"]:
            mapping = ColumnMapping.objects.filter(agency=agency, name=options["mapping"]).first()
            if mapping is None:
                raise CommandError(f"La institución no tiene la correspondencia "
                                   f"«{options['mapping']}»")
        try:
            with path.open("rb") as handle:
                batch = import_batch_create(
                    agency=agency, record_kind=options["kind"], upload=handle,
                    file_name=path.name, actor=None, source=ImportBatch.Source.COMMAND,
                    sheet=options["sheet"], mapping=mapping, sex_codes=options["sex_codes"])
            bar = ProgressBar(sys.stderr, _estimate_rows(path))
            progress = ProgressReporter(batch)
            progress.listeners.append(bar)
            # The linkage runs after the commit, with a bar of its own (below).
            batch = import_batch_run(batch=batch, dry_run=options["dry_run"], progress=progress,
                                     link=False)
            bar.done()
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        label = "Vista previa" if options["dry_run"] else "Importación"
        self.stdout.write(
            f"{label} del lote {batch.pk} ({batch.get_status_display()}): "
            f"{batch.rows_total} filas; {batch.rows_created} nuevos, "
            f"{batch.rows_updated} actualizados, {batch.rows_unchanged} sin cambios, "
            f"{batch.rows_rejected} rechazados ({batch.rows_warned} con advertencias).")
        if batch.rows_total and batch.rows_total == batch.rows_unchanged:
            self.stdout.write("El archivo ya estaba importado: no cambió nada.")
        if batch.status == ImportBatch.Status.COMMITTED and not options["no_link"] and (
                batch.rows_created or batch.rows_updated):
            self._link(batch)

    def _link(self, batch: ImportBatch) -> None:
        """Link the batch's records: in the background if a worker is configured (the
        bar follows the batch row), else here; either way with a progress bar."""
        bar = LinkageBar(sys.stderr)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            batch = batch_linkage_run(batch_id=batch.pk, listener=bar)
        else:
            linkage_enqueue(batch)
            while True:
                batch.refresh_from_db()
                bar(batch.linkage_stage, batch.linkage_done, batch.linkage_total)
                if batch.linkage_status in (LinkageStatus.DONE, LinkageStatus.FAILED):
                    break
                time.sleep(1)
        bar.done()
        if batch.linkage_status == LinkageStatus.FAILED:
            self.stdout.write(f"La vinculación falló ({batch.linkage_error}); el lote quedó "
                              "guardado. Reinténtela desde la página del lote.")
            return
        counts = batch.linkage_counts
        self.stdout.write(
            f"Vinculación: {counts.get('links', 0)} vínculos automáticos, "
            f"{counts.get('candidates', 0)} coincidencias para revisión, "
            f"{counts.get('alerts', 0)} alertas"
            + (f", {counts['capped_blocks']} bloques grandes comparados por vecindad"
               if counts.get("capped_blocks") else "") + ".")
