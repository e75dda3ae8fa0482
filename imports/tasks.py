"""Background work of the imports app (Celery; inline when no broker is configured)."""

from __future__ import annotations

from celery import shared_task

from imports.models import ImportBatch
from imports.readers import ImportFileError
from imports.services import import_batch_run


@shared_task(acks_late=True, ignore_result=True)
def run_import_batch(batch_id: int, dry_run: bool) -> str:
    """Preview or commit one batch. A file refused mid-way leaves the batch "failed".

    ``acks_late``: if the worker is killed, the broker hands the task to another
    worker, which runs it again from the start (the first run left nothing behind).
    """
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        batch = import_batch_run(batch=batch, dry_run=dry_run)
    except ImportFileError:
        return ImportBatch.Status.FAILED
    return batch.status
