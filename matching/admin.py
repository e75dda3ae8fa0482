"""Django admin (registry administrators only), read-only: merge and split decisions
(undo them from the person's page), trained model versions and relink runs.

They are written only by the matching services and ``manage.py relink``, so that every
decision, model version and run says exactly how it was made.
"""

from __future__ import annotations

from django.contrib import admin

from matching.models import LinkageModelVersion, MergeDecision, RelinkRun
from registry.access import is_registry_admin


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None):
        # Every registry administrator may read them (the role's groups predate these models).
        return is_registry_admin(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MergeDecision)
class MergeDecisionAdmin(_ReadOnlyAdmin):
    list_display = ("id", "operation", "person_ids", "decided_by", "decided_at", "undone_at")
    list_filter = ("operation",)
    date_hierarchy = "decided_at"


@admin.register(LinkageModelVersion)
class LinkageModelVersionAdmin(_ReadOnlyAdmin):
    list_display = ("id", "created_at", "source", "trained_by", "records_count",
                    "upper_threshold", "lower_threshold", "training_seconds")
    list_filter = ("source",)


@admin.register(RelinkRun)
class RelinkRunAdmin(_ReadOnlyAdmin):
    list_display = ("id", "started_at", "status", "partitions_done", "partitions_total",
                    "pairs", "links", "candidates", "alerts", "finished_at")
    list_filter = ("status",)
