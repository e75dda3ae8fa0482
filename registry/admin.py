"""Django admin for registry staff.

Only registry administrators (active superusers or the administrator group) may
enter the admin at all: it shows full records, and non-administrators must only
ever see data through the redaction policy. The audit log is read-only here.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from registry.access import is_registry_admin
from registry.models import (
    Agency,
    Alert,
    AuditEvent,
    Case,
    CaseStatusChange,
    CaseStatusRequest,
    MatchCandidate,
    Municipality,
    Person,
    Record,
    State,
    User,
)

admin.site.site_header = _("Registro de personas desaparecidas y detenidas")
admin.site.site_title = _("Administración del registro")
admin.site.index_title = _("Administración")


def _registry_admin_only(request: HttpRequest) -> bool:
    return is_registry_admin(request.user)


admin.site.has_permission = _registry_admin_only


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Shown to registry administrators, changed by nobody: rows written by services only."""

    def has_view_permission(self, request, obj=None):
        # Every registry administrator may read them, whatever the group's model permissions.
        return is_registry_admin(request.user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}  # no bulk "delete selected"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "last_login")
    list_filter = ("is_active", "is_superuser", "groups")


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("name", "code")

    def has_change_permission(self, request, obj=None):
        return False  # the INEGI catalogue is reference data, loaded by migration

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Municipality)
class MunicipalityAdmin(StateAdmin):
    list_display = ("code", "name", "state")
    list_filter = ("state",)


@admin.register(Agency)
class AgencyAdmin(GuardedModelAdmin):
    list_display = ("code", "name", "kind", "state", "is_active")
    list_filter = ("kind", "state", "is_active")
    search_fields = ("code", "name")


@admin.register(Record)
class RecordAdmin(SimpleHistoryAdmin):
    list_display = ("external_id", "agency", "kind", "given_names", "paternal_surname",
                    "maternal_surname", "event_date", "person")
    list_filter = ("kind", "agency", "event_state", "sex")
    search_fields = ("external_id", "name_search", "curp")
    list_select_related = ("agency", "person")
    raw_id_fields = ("import_batch", "event_municipality")
    # ``person`` changes only through matching's reversible decisions (the case follows).
    readonly_fields = ("agency", "external_id", "import_batch", "source_file", "source_sheet",
                       "source_row", "raw_values", "name_search", "person", "created_at",
                       "updated_at")
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is slow


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("id", "created_at", "merged_into")
    raw_id_fields = ("merged_into",)


class CaseStatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "changed_at", "changed_by", "approved_by",
                       "reason")

    def has_add_permission(self, request, obj=None):
        return False  # status changes go through case_status_change (history + audit)


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin, GuardedModelAdmin):
    list_display = ("folio", "agency", "status", "status_changed_at", "publication_consent")
    list_filter = ("status", "agency", "publication_consent")
    search_fields = ("folio",)
    raw_id_fields = ("missing_report",)
    filter_horizontal = ("prosecutors",)
    # ``person`` follows the report's person (matching's decisions), never typed in.
    readonly_fields = ("status", "status_changed_at", "person", "access_code_issued_at",
                       "created_at", "updated_at")
    inlines = [CaseStatusChangeInline]


@admin.register(MatchCandidate)
class MatchCandidateAdmin(SimpleHistoryAdmin):
    list_display = ("id", "record_left", "record_right", "probability", "decision",
                    "decided_by", "decided_at")
    list_filter = ("decision",)
    raw_id_fields = ("record_left", "record_right")
    readonly_fields = ("match_weight", "probability", "explanation", "model_version",
                       "created_at")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("id", "case", "record", "created_at", "handled_at", "handled_by")
    list_filter = ("handled_at",)
    raw_id_fields = ("case", "record", "match_candidate")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ("occurred_at", "actor_label", "action", "object_type", "object_id",
                    "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "purpose")
    date_hierarchy = "occurred_at"
    show_full_result_count = False



@admin.register(CaseStatusRequest)
class CaseStatusRequestAdmin(ReadOnlyModelAdmin):
    """Read-only: requests are made and decided in the case workspace (second reviewer)."""

    list_display = ("case", "to_status", "requested_by", "requested_at", "outcome",
                    "decided_by", "decided_at")
    list_filter = ("outcome", "to_status")
    raw_id_fields = ("case", "status_change")

