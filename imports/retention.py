"""The imports app's lines of the retention policy (``registry/retention.py``).

Registered when the app is ready: uploaded source files of finished batches and the
rejected rows (with their row issues) of batches finished long ago.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from imports.intake import batch_file_delete
from imports.models import ImportBatch, ImportStatus, RejectedRow, RowIssue
from registry.models import AuditEvent
from registry.retention import RetentionOutcome, RetentionRule, retention_applier, retention_audit

# A batch still pending or running may need its file; every other state is finished.
FINISHED = (ImportStatus.COMMITTED, ImportStatus.ROLLED_BACK, ImportStatus.FAILED,
            ImportStatus.PREVIEWED)


def _finished_before(cutoff: datetime):
    return (ImportBatch.objects.filter(status__in=FINISHED)
            .annotate(ended_at=Coalesce("finished_at", "created_at"))
            .filter(ended_at__lt=cutoff).order_by("id"))


@retention_applier("source_files")
def source_files_expire(*, rule: RetentionRule, cutoff: datetime, dry_run: bool,
                        actor: Any) -> RetentionOutcome:
    outcome = RetentionOutcome(rule)
    for batch in _finished_before(cutoff).exclude(stored_file="").iterator(chunk_size=500):
        outcome.count += 1
        outcome.items.append(f"lote {batch.pk} ({batch.file_name})")
        if dry_run:
            continue
        with transaction.atomic():
            stored = batch.stored_file
            batch.stored_file = ""
            batch.save(update_fields=["stored_file"])
            retention_audit(rule, actor=actor, action=AuditEvent.Action.DELETE, target=batch,
                            details={"file_name": batch.file_name,
                                     "sha256": batch.file_sha256})
            # The file goes once the row no longer points at it.
            transaction.on_commit(lambda stored=stored: batch_file_delete(stored))
    return outcome


@retention_applier("rejected_rows")
def rejected_rows_expire(*, rule: RetentionRule, cutoff: datetime, dry_run: bool,
                         actor: Any) -> RetentionOutcome:
    outcome = RetentionOutcome(rule)
    batches = _finished_before(cutoff).filter(
        Q(rejected_rows__isnull=False) | Q(issues__isnull=False)).distinct()
    for batch in batches.iterator(chunk_size=500):
        rows = RejectedRow.objects.filter(batch=batch)
        issues = RowIssue.objects.filter(batch=batch)
        counts = {"rejected_rows": rows.count(), "row_issues": issues.count()}
        outcome.count += counts["rejected_rows"] + counts["row_issues"]
        outcome.items.append(f"lote {batch.pk} ({counts['rejected_rows']} filas, "
                             f"{counts['row_issues']} observaciones)")
        if dry_run:
            continue
        with transaction.atomic():
            rows.delete()
            issues.delete()
            retention_audit(rule, actor=actor, action=AuditEvent.Action.DELETE, target=batch,
                            details=counts)
    return outcome
