"""Writes of the imports app: run (preview or commit) a batch; save a column mapping.

The jobs behind them have modules of their own: ``intake`` (store a file or payload
as a pending batch), ``batch`` (the importer), ``progress`` (progress and liveness),
``rollback`` (undo a committed batch).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imports import reports, selectors
from imports.batch import BatchAlreadyCommitted, BatchImporter
from imports.intake import batch_file_local, file_source
from imports.mapping import FIELD_LABELS, FIELDS, IGNORED
from imports.models import ColumnMapping, ImportBatch, ImportStatus, SexCodes
from imports.progress import ProgressReporter, running_lock_hold, running_lock_release
from imports.readers import ImportFileError, TabularSource
from registry.audit import audit_event_record
from registry.models import Agency, AuditEvent


def import_batch_run(*, batch: ImportBatch, dry_run: bool, actor: Any = None,
                     source_of: Callable[[], TabularSource] | None = None,
                     progress: ProgressReporter | None = None,
                     link: bool = True) -> ImportBatch:
    """Preview (``dry_run``) or commit a batch; on any failure, leave it "failed".

    A committed or rolled-back batch is never run again (a redelivered task is a no-op).
    ``link=False`` leaves the new records to a later linkage of everything (the demo
    loads all its files, then links them once).
    """
    batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status in (ImportStatus.COMMITTED, ImportStatus.ROLLED_BACK):
        return batch
    with contextlib.ExitStack() as stack:
        if source_of is None:
            local = stack.enter_context(batch_file_local(batch))
            source_of = file_source(local, batch.file_name, batch.sheet_name)
        return _run(batch=batch, dry_run=dry_run, actor=actor, source_of=source_of,
                    progress=progress, link=link)


def _run(*, batch: ImportBatch, dry_run: bool, actor: Any,
         source_of: Callable[[], TabularSource],
         progress: ProgressReporter | None, link: bool) -> ImportBatch:
    progress = progress or ProgressReporter(batch)
    progress.set_status(status=ImportStatus.RUNNING, progress_rows=0, error_message="")
    lock_held = running_lock_hold(batch)
    try:
        importer = BatchImporter(batch=batch, source_of=source_of, dry_run=dry_run,
                                 actor=actor or batch.created_by, progress=progress, link=link)
        return importer.run()
    except BatchAlreadyCommitted:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTED)
        batch.refresh_from_db()
        return batch
    except ImportFileError as exc:
        _mark_failed(batch, exc.message)
        raise
    except Exception:
        _mark_failed(batch, _("Error interno durante la importación; no se guardó nada."))
        raise
    finally:
        if lock_held:
            running_lock_release(batch)
        progress.close()


def import_batch_preview(*, batch: ImportBatch, actor: Any = None, **kwargs: Any) -> ImportBatch:
    """Dry run: count what would be created, updated, unchanged and rejected; store nothing."""
    return import_batch_run(batch=batch, dry_run=True, actor=actor, **kwargs)


def import_batch_commit(*, batch: ImportBatch, actor: Any = None, **kwargs: Any) -> ImportBatch:
    """Store the whole batch in one transaction, or nothing."""
    return import_batch_run(batch=batch, dry_run=False, actor=actor, **kwargs)


def _mark_failed(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED, error_message=message, finished_at=timezone.now())
    batch.refresh_from_db()


@transaction.atomic
def column_mapping_save(*, agency: Agency, name: str, columns: dict[str, str],
                        actor: Any, sex_codes: str = "") -> ColumnMapping:
    """Create or replace an agency's named column mapping (header -> record field).

    ``sex_codes`` ("HM", "MF" or "" to read it from each file) says what M means in
    the agency's sex column.
    """
    unknown = sorted(set(columns.values()) - set(FIELDS) - {IGNORED})
    if unknown:
        raise ValidationError(_("Campos desconocidos: %(fields)s") % {"fields": ", ".join(unknown)})
    _check_sex_codes(sex_codes)
    mapping, _created = ColumnMapping.objects.update_or_create(
        agency=agency, name=name, defaults={"columns": columns, "sex_codes": sex_codes})
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=mapping,
                       details={"columns": columns, "sex_codes": sex_codes})
    return mapping


def _check_sex_codes(sex_codes: str) -> None:
    if sex_codes not in SexCodes.values:
        raise ValidationError(_("Códigos de sexo desconocidos: «%(value)s»; use HM o MF.")
                              % {"value": sex_codes})


@transaction.atomic
def import_batch_sex_codes_set(*, batch: ImportBatch, sex_codes: str, actor: Any) -> ImportBatch:
    """Say what M means in a batch's sex column (before it is committed); audit it.

    The caller previews the batch again: its earlier preview read M otherwise.
    """
    _check_sex_codes(sex_codes)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (ImportStatus.PENDING, ImportStatus.PREVIEWED, ImportStatus.FAILED):
        raise ValidationError(_("Solo se cambian los códigos de sexo de un lote sin confirmar."))
    before = batch.sex_codes
    batch.sex_codes = sex_codes
    batch.save(update_fields=["sex_codes"])
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=batch,
                       details={"sex_codes": {"before": before, "after": sex_codes}})
    return batch


def batch_report_export(*, batch: ImportBatch, what: str, extension: str, actor: Any,
                        ip_address: str | None = None) -> tuple[bytes | str, str]:
    """Return (body, content type) of a batch's row-error report or rejected rows; audit it.

    ``what`` is ``"errores"`` (one line per problem) or the rejected rows to correct;
    ``extension`` is ``"csv"`` or ``"xlsx"``.
    """
    if what == "errores":
        table = reports.issue_report_rows(selectors.batch_issues(batch).iterator())
    else:
        table = reports.rejected_rows_table(selectors.batch_rejected_rows(batch).iterator())
    if extension == "csv":
        body, content_type = reports.as_csv(table), "text/csv; charset=utf-8"
    else:
        body = reports.as_xlsx(table, title=what)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_event_record(actor=actor, action=AuditEvent.Action.EXPORT, target=batch,
                       ip_address=ip_address, details={"report": what, "format": extension})
    return body, content_type


MAPPING_EDITABLE = (ImportStatus.PENDING, ImportStatus.PREVIEWED, ImportStatus.FAILED)


@transaction.atomic
def import_batch_mapping_set(*, batch: ImportBatch, columns: dict[str, str], actor: Any,
                             save_as: str = "") -> ColumnMapping:
    """Map a batch's columns as the operator chose on its preview; audit it.

    1. Refuse a confirmed batch, an unknown field, or one field fed by two columns.
    2. Store the choice as the agency's saved mapping ``save_as`` (or ``lote-<id>``), so
       the next file with these headers maps alike; keep what M means.
    3. Point the batch at it. The caller previews the batch again.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in MAPPING_EDITABLE:
        raise ValidationError(_("Solo se cambian las columnas de un lote sin confirmar."))
    unknown = sorted(set(columns.values()) - set(FIELDS) - {IGNORED})
    if unknown:
        raise ValidationError(_("Campos desconocidos: %(fields)s") % {"fields": ", ".join(unknown)})
    used = Counter(name for name in columns.values() if name != IGNORED)
    twice = sorted(str(FIELD_LABELS[name]) for name, count in used.items() if count > 1)
    if twice:
        raise ValidationError(_("Cada campo se llena con una sola columna; se eligió más de "
                                "una para: %(fields)s.") % {"fields": ", ".join(twice)})
    sex_codes = batch.sex_codes or (batch.mapping.sex_codes if batch.mapping_id else "")
    mapping = column_mapping_save(agency=batch.agency, name=save_as or f"lote-{batch.pk}",
                                  columns=columns, actor=actor, sex_codes=sex_codes)
    before = batch.mapping_id
    batch.mapping = mapping
    batch.save(update_fields=["mapping"])
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=batch,
                       details={"mapping": {"before": before, "after": mapping.pk}})
    return mapping
