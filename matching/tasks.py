"""Background work of the matching app (Celery; inline when no broker is configured)."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def relink_partition(run_id: int, key: str, record_ids: list[int]) -> dict[str, int]:
    """Link one partition of a re-linkage run and add its counts to the run's progress.

    ``acks_late``: a killed worker's partition is run again by another worker; that is
    safe because applying pairs is idempotent (existing candidates and links are found
    and left as they are).
    """
    from matching.services import relink_partition_run

    return relink_partition_run(run_id=run_id, key=key, record_ids=record_ids).as_dict()
