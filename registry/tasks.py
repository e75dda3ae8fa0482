"""Background work of the registry (Celery beat; see CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task

from registry.retention import retention_apply


@shared_task
def retention_apply_task() -> dict[str, int]:
    """Apply the retention policy (daily); return how much each rule changed."""
    return {outcome.rule.data: outcome.count for outcome in retention_apply(dry_run=False)}
