"""Django admin (registry administrators only): trained models and relink progress, read-only.

They are written only by ``manage.py relink`` and the matching services, so that every
model version and run says exactly how it was made.
"""

from __future__ import annotations

from django.contrib import admin

from matching.models import LinkageModelVersion, RelinkRun


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
