"""Background work of the matching app (Celery; inline when no broker is configured)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from matching.linkage import relink_partition_run, relink_run_prepare
from matching.models import RelinkRun
from matching.quality import precision_alert_check


@shared_task(acks_late=True, ignore_result=True)
def relink_partition(run_id: int, key: str, record_ids: list[int]) -> dict[str, int]:
    """Link one partition of a re-linkage run and add its counts to the run's progress.

    ``acks_late``: a killed worker's partition is run again by another worker; that is
    safe because applying pairs is idempotent (existing candidates and links are found
    and left as they are).
    """
    return relink_partition_run(run_id=run_id, key=key, record_ids=record_ids).as_dict()


@shared_task(ignore_result=True)
def precision_alert_check_task() -> float | None:
    """Hourly (Celery beat): e-mail the administrators if automatic links lose precision."""
    return precision_alert_check().precision


def relink_run_start(*, actor: Any = None, train: bool = True,
                     queue: str | None = None) -> RelinkRun:
    """Start a full re-linkage: one background task per partition (inline without a broker)."""
    run, partitions = relink_run_prepare(actor=actor, train=train)
    for partition in partitions:
        options = {"queue": queue} if queue else {}
        relink_partition.apply_async(args=[run.pk, partition.key, partition.record_ids],
                                     **options)
    run.refresh_from_db()
    return run
