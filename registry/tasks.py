"""Background work of the registry (Celery beat; see CELERY_BEAT_SCHEDULE in settings)."""

from __future__ import annotations

from celery import shared_task

from registry.published import published_entries_rebuild
from registry.retention import retention_apply


@shared_task
def retention_apply_task() -> dict[str, int]:
    """Apply the retention policy (daily); return how much each rule changed."""
    return {outcome.rule.data: outcome.count for outcome in retention_apply(dry_run=False)}


@shared_task
def published_entries_due_task() -> int:
    """Recompute the published entries whose person turned 18 (daily); return how many."""
    return published_entries_rebuild(due_only=True)
