"""Django admin for registry staff.

Only registry administrators (active superusers or the administrator group) may
enter the admin at all: it shows full records, and non-administrators must only
ever see data through the redaction policy. The audit log is read-only here.

Every add, change and delete made here is audited (``AuditedModelAdmin``): every
app's admin classes derive from it, the admins Django and DRF register (groups,
tokens) are registered again with it, and ``tests/registry/test_admin_audit.py``
walks the admin site to hold that. Permission grants and revocations are audited by
signals wherever they are made (``registry/permission_audit.py``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin
from rest_framework.authtoken.admin import TokenAdmin as DrfTokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from registry.access import is_registry_admin
from registry.audit import audit_event_record, client_ip
from registry.models import (
    Agency,
    Alert,
    AuditEvent,
    Case,
    CasePublicationDecision,
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


# --- Audit of every admin change ---------------------------------------------------------------

ADMIN_PURPOSE = "administración del registro"
_SECRET_NAME_PARTS = ("password", "hash", "token", "secret")


def is_secret_field(name: str) -> bool:
    """Return True for a field whose value must never reach the audit log.

    Password and access-code hashes, tokens (DRF's token is a field named ``key``),
    keys: the log may say that they changed, never what they hold.
    """
    return name == "key" or any(part in name for part in _SECRET_NAME_PARTS)


def _value_is_logged(field: models.Field) -> bool:
    """Return True for a field whose old and new values the audit row keeps.

    Flags, choices and foreign keys (by id): what changes access and publication
    (``is_active``, ``is_superuser``, ``status``, ``publication``, ``agency``). Free text
    is named but not copied: it may hold personal data, and the audit log is append-only,
    so nothing written there can later be corrected or erased (the history tables keep
    the earlier values where retention can reach them).
    """
    if is_secret_field(field.name) or field.many_to_many:
        return False
    return isinstance(field, models.BooleanField) or bool(field.choices) or (
        field.many_to_one or field.one_to_one)


def _concrete_field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a form field that is no model field (password1)
        return None
    return field if getattr(field, "concrete", False) else None


def _stored_values(obj: models.Model, fields: list[models.Field]) -> dict[str, Any]:
    if not fields or obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).values(
        *(field.attname for field in fields)).first() or {}
    return {field.name: stored.get(field.attname) for field in fields}


def _m2m_ids(obj: models.Model, names: list[str]) -> dict[str, set[Any]]:
    return {name: set(getattr(obj, name).values_list("pk", flat=True)) for name in names}


class AuditedModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every add, change and delete writes an audit row.

    1. ``save_model`` reads the stored values of the fields the form changed.
    2. ``save_related``, after many-to-many fields and inlines are saved, writes one
       CREATE or CHANGE row: the fields changed, old and new values of flags, choices
       and foreign keys (``_value_is_logged``; never of secret fields), ids added and
       removed in many-to-many fields, and the inline rows added, changed and deleted.
    3. ``log_addition`` / ``log_change`` write the row for a view that saves without
       ``save_model`` (the user's password form), from the admin's own change message.
    4. ``delete_model`` / ``delete_queryset`` write one DELETE row per object in the
       transaction that deletes it.
    The admin's views already run in a transaction (the bulk delete action is wrapped
    here), so the audit row and the change commit or roll back together.
    """

    def audit_target(self, obj: models.Model) -> dict[str, str]:
        """Return how the audit row names ``obj`` (object type and id)."""
        return {"object_type": obj._meta.label_lower, "object_id": str(obj.pk)}

    def _audit(self, request: HttpRequest, obj: models.Model, action: str,
               details: dict[str, Any]) -> None:
        audit_event_record(actor=request.user, action=action, purpose=ADMIN_PURPOSE,
                           ip_address=client_ip(request), details={"via": "admin", **details},
                           **self.audit_target(obj))
        obj._admin_audited = True

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm,
                   change: bool) -> None:
        # A new object: every field the form set; a change: the fields it changed.
        names = form.changed_data if change else list(form.fields)
        fields = [field for name in names
                  if (field := _concrete_field(type(obj), name)) is not None
                  and not field.many_to_many]
        obj._admin_audit_before = _stored_values(obj, fields) if change else {}
        obj._admin_audit_fields = fields
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list[BaseFormSet],
                     change: bool) -> None:
        obj = form.instance
        many = [name for name in form.changed_data
                if name in {field.name for field in obj._meta.many_to_many}]
        before_m2m = _m2m_ids(obj, many)
        deleted = [[inline_form.instance.pk for inline_form in formset.deleted_forms
                    if inline_form.instance.pk is not None] for formset in formsets]
        super().save_related(request, form, formsets, change)
        details = self._field_changes(obj)
        after_m2m = _m2m_ids(obj, many)
        for name in many:
            details["fields"].append(name)
            details.setdefault("many_to_many", {})[name] = {
                "added": sorted(after_m2m[name] - before_m2m[name]),
                "removed": sorted(before_m2m[name] - after_m2m[name])}
        inlines = [row for formset, gone in zip(formsets, deleted, strict=True)
                   if (row := _inline_changes(formset, gone))]
        if inlines:
            details["inlines"] = inlines
        action = AuditEvent.Action.CHANGE if change else AuditEvent.Action.CREATE
        self._audit(request, obj, action, details)

    def _field_changes(self, obj: models.Model) -> dict[str, Any]:
        fields = getattr(obj, "_admin_audit_fields", [])
        before = getattr(obj, "_admin_audit_before", {})
        values = {field.name: {"from": before.get(field.name),
                               "to": getattr(obj, field.attname)}
                  for field in fields if _value_is_logged(field)}
        details: dict[str, Any] = {"fields": [field.name for field in fields]}
        if values:
            details["values"] = values
        return details

    def _from_message(self, request: HttpRequest, obj: models.Model, action: str,
                      message: Any) -> None:
        if getattr(obj, "_admin_audited", False):
            return
        fields = []
        for part in message if isinstance(message, list) else []:
            fields += part.get("changed", {}).get("fields", [])
        self._audit(request, obj, action, {"fields": fields})

    def log_addition(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        self._from_message(request, obj, AuditEvent.Action.CREATE, message)
        return entry

    def log_change(self, request: HttpRequest, obj: models.Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        self._from_message(request, obj, AuditEvent.Action.CHANGE, message)
        return entry

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        with transaction.atomic():
            self._audit(request, obj, AuditEvent.Action.DELETE, {})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, obj, AuditEvent.Action.DELETE, {"bulk": True})
            super().delete_queryset(request, queryset)


def _inline_changes(formset: BaseFormSet, deleted: list[Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if getattr(formset, "new_objects", None):
        row["added"] = [obj.pk for obj in formset.new_objects]
    if getattr(formset, "changed_objects", None):
        row["changed"] = {str(obj.pk): list(fields) for obj, fields in formset.changed_objects}
    if deleted:
        row["deleted"] = deleted
    if row:
        row["model"] = formset.model._meta.label_lower
    return row


class ReadOnlyModelAdmin(AuditedModelAdmin):
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
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "last_login")
    list_filter = ("is_active", "is_superuser", "groups")


@admin.register(State)
class StateAdmin(AuditedModelAdmin):
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
class AgencyAdmin(AuditedModelAdmin, GuardedModelAdmin):
    list_display = ("code", "name", "kind", "state", "contact_phone", "is_active")
    list_filter = ("kind", "state", "is_active")
    search_fields = ("code", "name")


@admin.register(Record)
class RecordAdmin(AuditedModelAdmin, SimpleHistoryAdmin):
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
class PersonAdmin(AuditedModelAdmin, SimpleHistoryAdmin):
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
class CaseAdmin(AuditedModelAdmin, SimpleHistoryAdmin, GuardedModelAdmin):
    list_display = ("folio", "agency", "status", "status_changed_at", "publication")
    list_filter = ("status", "agency", "publication")
    search_fields = ("folio",)
    raw_id_fields = ("missing_report",)
    filter_horizontal = ("prosecutors",)
    # ``person`` follows the report's person (matching's decisions), never typed in. Status
    # and publication change only through their services (history, second reviewer; who
    # in the family decided and why, a new public key on a withdrawal): staff pages.
    readonly_fields = ("status", "status_changed_at", "person", "publication",
                       "access_code_issued_at", "created_at", "updated_at")
    inlines = [CaseStatusChangeInline]


@admin.register(MatchCandidate)
class MatchCandidateAdmin(AuditedModelAdmin, SimpleHistoryAdmin):
    list_display = ("id", "record_left", "record_right", "probability", "decision",
                    "decided_by", "decided_at")
    list_filter = ("decision",)
    raw_id_fields = ("record_left", "record_right")
    readonly_fields = ("match_weight", "probability", "explanation", "model_version",
                       "created_at")


@admin.register(Alert)
class AlertAdmin(AuditedModelAdmin):
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



@admin.register(CasePublicationDecision)
class CasePublicationDecisionAdmin(ReadOnlyModelAdmin):
    """Read-only: the family's decisions are recorded on the case's publication page."""

    list_display = ("case", "previous_publication", "publication", "recorded_by",
                    "recorded_at", "key_rotated")
    list_filter = ("publication", "key_rotated")
    raw_id_fields = ("case",)


@admin.register(CaseStatusRequest)
class CaseStatusRequestAdmin(ReadOnlyModelAdmin):
    """Read-only: requests are made and decided in the case workspace (second reviewer)."""

    list_display = ("case", "to_status", "requested_by", "requested_at", "outcome",
                    "decided_by", "decided_at")
    list_filter = ("outcome", "to_status")
    raw_id_fields = ("case", "status_change")


# --- Admins registered by Django and DRF, registered again with the audit ----------------------

admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedModelAdmin, DjangoGroupAdmin):
    """Roles: their permissions changed here are also audited one by one (signals)."""


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(AuditedModelAdmin, DrfTokenAdmin):
    """Agency API tokens. The token itself is the primary key: never written to the log."""

    def audit_target(self, obj: models.Model) -> dict[str, str]:
        return {"object_type": "authtoken.token", "object_id": f"usuario:{obj.user_id}"}
