"""Audit every grant and revocation of a permission, wherever it is made.

Who may see what is decided by four kinds of rows (``registry/access.py``): group
membership (roles), a user's or a group's model permissions, django-guardian object
permissions, and the prosecutors assigned to a case. Each change of them writes one
``AuditAction.PERMISSION`` row through ``registry.audit``, with the acting user and
address of the current request (the Django admin, guardian's object-permission pages,
a staff page) or none for a command or task.

Signals rather than code in each admin or service: a grant made anywhere (admin,
``assign_perm`` in a command, a relation manager's ``add``) is recorded the same way,
and no path can forget it. Writes that bypass signals (``bulk_create`` of through
rows, raw SQL) are not seen: only bulk loaders of demo and benchmark data use them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from guardian.models import GroupObjectPermission, UserObjectPermission

from registry.audit import audit_event_record, current_actor
from registry.models import AuditEvent, Case, User

GRANT = "grant"
REVOKE = "revoke"

# The many-to-many relations that grant access, by their through model.
PERMISSION_RELATIONS = {
    User.groups.through: User._meta.get_field("groups"),
    User.user_permissions.through: User._meta.get_field("user_permissions"),
    Group.permissions.through: Group._meta.get_field("permissions"),
    Case.prosecutors.through: Case._meta.get_field("prosecutors"),
}


def _permission_name(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def _names(model: type[Model], ids: list[Any]) -> list[str]:
    """Return readable names of groups and permissions (never of people: ids say who)."""
    if model is Group:
        return sorted(Group.objects.filter(pk__in=ids).values_list("name", flat=True))
    if model is Permission:
        return sorted(_permission_name(permission) for permission in
                      Permission.objects.filter(pk__in=ids).select_related("content_type"))
    return []


def _record(*, target: Any = None, object_type: str = "", object_id: str = "",
            details: dict[str, Any]) -> None:
    actor, ip_address = current_actor()
    audit_event_record(actor=actor, action=AuditEvent.Action.PERMISSION, target=target,
                       object_type=object_type, object_id=object_id, ip_address=ip_address,
                       details=details)


def _related_ids(instance: Model, field: Any, reverse: bool) -> list[Any]:
    accessor = field.remote_field.get_accessor_name() if reverse else field.name
    return list(getattr(instance, accessor).values_list("pk", flat=True))


def on_relation_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Record roles, model permissions and case assignments added or removed.

    ``clear()`` is recorded before it runs (``pre_clear``), when the ids are still there.
    """
    field = PERMISSION_RELATIONS.get(sender)
    if field is None or action not in ("post_add", "post_remove", "pre_clear"):
        return
    ids = sorted(_related_ids(instance, field, reverse) if action == "pre_clear"
                 else (pk_set or ()))
    if not ids:
        return
    details = {"operation": GRANT if action == "post_add" else REVOKE,
               "relation": f"{field.model._meta.label_lower}.{field.name}",
               "related": model._meta.label_lower, "ids": ids}
    names = _names(model, ids)
    if names:
        details["names"] = names
    _record(target=instance, details=details)


def _object_permission_details(row: Any, operation: str) -> dict[str, Any]:
    details: dict[str, Any] = {"operation": operation,
                               "permission": _permission_name(row.permission)}
    if isinstance(row, UserObjectPermission):
        details["user"] = row.user_id
    else:
        details["group"] = row.group.name
    return details


def on_object_permission_saved(sender, instance, created, **kwargs) -> None:
    """Record a django-guardian object permission granted to a user or a group."""
    if not created:
        return
    _record(object_type=instance.content_type.model_class()._meta.label_lower,
            object_id=str(instance.object_pk),
            details=_object_permission_details(instance, GRANT))


def on_object_permission_deleted(sender, instance, **kwargs) -> None:
    """Record a django-guardian object permission revoked (or dropped with its object)."""
    _record(object_type=instance.content_type.model_class()._meta.label_lower,
            object_id=str(instance.object_pk),
            details=_object_permission_details(instance, REVOKE))


def permission_audit_connect() -> None:
    """Connect the handlers (``RegistryConfig.ready``)."""
    for through in PERMISSION_RELATIONS:
        m2m_changed.connect(on_relation_changed, sender=through,
                            dispatch_uid=f"registry_audit_m2m_{through._meta.label_lower}")
    for model in (UserObjectPermission, GroupObjectPermission):
        post_save.connect(on_object_permission_saved, sender=model,
                          dispatch_uid=f"registry_audit_grant_{model.__name__}")
        post_delete.connect(on_object_permission_deleted, sender=model,
                            dispatch_uid=f"registry_audit_revoke_{model.__name__}")
