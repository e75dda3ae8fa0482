"""Django admin (registry administrators only), read-only: merge and split decisions
(undo them from the person's page), trained model versions and relink runs.

They are written only by the matching services and ``manage.py relink``, so that every
decision, model version and run says exactly how it was made.
"""

from __future__ import annotations

from django.contrib import admin

from matching.models import LinkageModelVersion, MergeDecision, RelinkRun
from registry.admin import ReadOnlyModelAdmin


@admin.register(MergeDecision)
class MergeDecisionAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "operation", "person_ids", "decided_by", "decided_at", "undone_at")
    list_filter = ("operation",)
    date_hierarchy = "decided_at"


@admin.register(LinkageModelVersion)
class LinkageModelVersionAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "created_at", "source", "trained_by", "records_count",
                    "upper_threshold", "lower_threshold", "training_seconds")
    list_filter = ("source",)


@admin.register(RelinkRun)
class RelinkRunAdmin(ReadOnlyModelAdmin):
    list_display = ("id", "started_at", "status", "partitions_done", "partitions_total",
                    "pairs", "links", "candidates", "alerts", "finished_at")
    list_filter = ("status",)
