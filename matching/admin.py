"""Read-only admin for merge and split decisions (undo them from the person's page)."""

from django.contrib import admin

from matching.models import MergeDecision
from registry.access import is_registry_admin


@admin.register(MergeDecision)
class MergeDecisionAdmin(admin.ModelAdmin):
    list_display = ("id", "operation", "person_ids", "decided_by", "decided_at", "undone_at")
    list_filter = ("operation",)
    date_hierarchy = "decided_at"

    def has_view_permission(self, request, obj=None):
        # Every registry administrator may read it (the role's groups predate this model).
        return is_registry_admin(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False  # decisions come from matching.services (snapshot + audit)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
