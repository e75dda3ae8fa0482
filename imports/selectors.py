"""Reads of the imports app. Batches are visible only to operators of their agency."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from imports.linking import STAGES
from imports.models import ColumnMapping, ImportBatch, LinkageStatus, RejectedRow, RowIssue
from imports.progress import progress_cache_key
from registry.access import agencies_operated_by


def batches_visible_to(user: Any) -> QuerySet[ImportBatch]:
    """Return the batches of the agencies this user operates, newest first."""
    return (ImportBatch.objects.filter(agency__in=agencies_operated_by(user))
            .select_related("agency", "created_by", "mapping"))


def get_batch_for_user(user: Any, pk: Any) -> ImportBatch:
    """Return the batch if the user operates its agency, else raise Http404 (alike)."""
    try:
        return batches_visible_to(user).get(pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def mappings_for_user(user: Any) -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.filter(agency__in=agencies_operated_by(user)).select_related(
        "agency")


def batch_issues(batch: ImportBatch) -> QuerySet[RowIssue]:
    """Return the batch's row-error report lines in row order."""
    return RowIssue.objects.filter(batch=batch).order_by("row_number", "id")


def batch_rejected_rows(batch: ImportBatch) -> QuerySet[RejectedRow]:
    return RejectedRow.objects.filter(batch=batch).order_by("row_number")


def batch_progress(batch: ImportBatch) -> dict[str, Any]:
    """Return rows processed so far (cache first: it is updated on every chunk)."""
    rows = cache.get(progress_cache_key(batch))
    if rows is None or batch.is_finished:
        rows = batch.progress_rows
    total = batch.rows_total or 0
    return {"status": batch.status, "status_label": batch.get_status_display(), "rows": rows,
            "total": total, "percent": min(100, round(100 * rows / total)) if total else None,
            "finished": batch.is_finished, "linkage": batch_linkage(batch)}


def batch_linkage(batch: ImportBatch) -> dict[str, Any]:
    """Return the batch's linkage state as the page and ``import_records`` show it."""
    running = batch.linkage_status in (LinkageStatus.PENDING, LinkageStatus.RUNNING)
    return {"status": batch.linkage_status, "status_label": batch.get_linkage_status_display(),
            "stage": batch.linkage_stage,
            "stage_label": str(STAGES.get(batch.linkage_stage, "")) if running else "",
            "done": batch.linkage_done, "total": batch.linkage_total, "running": running,
            "counts": batch.linkage_counts, "error": batch.linkage_error}
