"""Linking a committed batch's records, after the import, in the background.

The import commits and answers; ``linkage_enqueue`` then sends ``link_import_batch``
(a Celery task; in-process in the embedded mode, where no broker is configured). The
task links the batch's new and changed records (``matching.linkage.match_new_records``:
the batch path for large batches) and writes its progress and outcome on the batch
row, which the batch page and ``import_records`` show. A failure leaves the batch
stored and its linkage "failed", retryable (``linkage_retry``): applying pairs is
idempotent, so a second run finishes what the first began and repeats nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.models import ImportBatch, ImportStatus, LinkageStatus
from matching.linkage import match_new_records
from registry.audit import audit_event_record
from registry.models import AuditEvent, Record

logger = logging.getLogger(__name__)

# The stages of a linkage run, as the batch page names them.
STAGES = {"blocking": gettext_lazy("buscando candidatos"), "scoring": gettext_lazy("comparando"),
          "writing": gettext_lazy("guardando vínculos"),
          "matching": gettext_lazy("comparando registro por registro")}

Listener = Callable[[str, int, int], None]


def linkage_enqueue(batch: ImportBatch) -> None:
    """Mark the batch's linkage pending and send the task (after the import's commit)."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        linkage_status=LinkageStatus.PENDING, linkage_stage="", linkage_done=0,
        linkage_total=0, linkage_error="", linkage_finished_at=None)
    link_import_batch.delay(batch.pk)


@shared_task(acks_late=True, ignore_result=True)
def link_import_batch(batch_id: int) -> str:
    """Link one committed batch (idempotent: a redelivered task repeats nothing)."""
    return batch_linkage_run(batch_id=batch_id).linkage_status


def batch_linkage_run(*, batch_id: int, listener: Listener | None = None) -> ImportBatch:
    """Link the batch's records now, writing progress and outcome on the batch row.

    Records of the batch are those it created or changed (their ``import_batch``).
    An error marks the linkage failed with the message and is logged, never raised:
    the batch itself stays committed.
    """
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportStatus.COMMITTED:
        return batch
    record_ids = list(Record.objects.filter(import_batch_id=batch_id).order_by("pk")
                      .values_list("pk", flat=True))
    ImportBatch.objects.filter(pk=batch_id).update(
        linkage_status=LinkageStatus.RUNNING, linkage_stage="", linkage_done=0,
        linkage_total=len(record_ids), linkage_error="", linkage_finished_at=None)

    def progress(stage: str, done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(linkage_stage=stage, linkage_done=done,
                                                       linkage_total=total)
        if listener is not None:
            listener(stage, done, total)

    try:
        counts = match_new_records(record_ids=record_ids, progress=progress)
    except Exception as error:
        logger.exception("linkage of batch %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            linkage_status=LinkageStatus.FAILED, linkage_finished_at=timezone.now(),
            linkage_error=f"{type(error).__name__}: {error}"[:2000])
        batch.refresh_from_db()
        return batch
    ImportBatch.objects.filter(pk=batch_id).update(
        linkage_status=LinkageStatus.DONE, linkage_finished_at=timezone.now(),
        linkage_counts=counts.as_dict() if counts is not None else {},
        linkage_stage="", linkage_done=len(record_ids))
    batch.refresh_from_db()
    return batch


def linkage_retry(*, batch: ImportBatch, actor: Any) -> None:
    """Run a failed (or never finished) linkage again, in the background; audit it."""
    batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status != ImportStatus.COMMITTED or batch.linkage_status not in (
            LinkageStatus.FAILED, LinkageStatus.NONE):
        raise ValidationError(_("Solo se reintenta la vinculación de un lote aplicado cuya "
                                "vinculación falló."))
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=batch,
                       purpose=_("Reintento de la vinculación del lote"))
    linkage_enqueue(batch)
