from django.contrib import admin

from imports.models import ColumnMapping, ImportBatch, RejectedRow
from registry.admin import AuditedModelAdmin


@admin.register(ImportBatch)
class ImportBatchAdmin(AuditedModelAdmin):
    list_display = ("id", "agency", "record_kind", "file_name", "status", "rows_total",
                    "rows_created", "rows_updated", "rows_rejected", "created_at")
    list_filter = ("status", "record_kind", "agency")
    search_fields = ("file_name", "file_sha256")
    readonly_fields = [field.name for field in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ColumnMapping)
class ColumnMappingAdmin(AuditedModelAdmin):
    list_display = ("name", "agency", "created_at")
    list_filter = ("agency",)


@admin.register(RejectedRow)
class RejectedRowAdmin(AuditedModelAdmin):
    list_display = ("batch", "row_number", "sheet", "resolved_by")
    readonly_fields = [field.name for field in RejectedRow._meta.fields]

    def has_add_permission(self, request):
        return False
