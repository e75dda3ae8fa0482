"""The one place that answers "may this user see this object".

Views never build their own permission queries: they call ``records_visible_to``,
``cases_visible_to`` or a ``get_<thing>_for_user`` helper, which answers
"not found" in the same way for a missing object and for a forbidden one, so that
a response never reveals whether a record exists.

django-guardian's defaults are unsafe for us and are switched off on every call:
``with_superuser=False`` (it would hand everything to an *inactive* superuser) and
``accept_global_perms=False`` (a model-wide "view_record" would expose every
agency's records).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from registry.models import Agency, Case, Person, Record
from registry.roles import ADMINISTRATOR

OPERATE_AGENCY = "registry.operate_agency"
VIEW_AGENCY_RECORDS = "registry.view_agency_records"
VIEW_CASE = "registry.view_case"


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_registry_admin(user: Any) -> bool:
    """Return True for an active superuser or an active member of the administrator group."""
    if not _is_active_user(user):
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()


def _agencies_with(user: Any, perms: list[str]) -> QuerySet[Agency]:
    return get_objects_for_user(
        user, perms, klass=Agency, any_perm=True, with_superuser=False,
        accept_global_perms=False,
    )


def agencies_operated_by(user: Any) -> QuerySet[Agency]:
    """Return the agencies whose records this user may import and correct."""
    if not _is_active_user(user):
        return Agency.objects.none()
    if is_registry_admin(user):
        return Agency.objects.all()
    return _agencies_with(user, [OPERATE_AGENCY])


def agencies_readable_by(user: Any) -> QuerySet[Agency]:
    """Return the agencies whose full records this user may read."""
    if not _is_active_user(user):
        return Agency.objects.none()
    if is_registry_admin(user):
        return Agency.objects.all()
    return _agencies_with(user, [OPERATE_AGENCY, VIEW_AGENCY_RECORDS])


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Return the cases this user may open: assigned, or granted per case."""
    if not _is_active_user(user):
        return Case.objects.none()
    if is_registry_admin(user):
        return Case.objects.all()
    granted = get_objects_for_user(user, VIEW_CASE, klass=Case, with_superuser=False,
                                   accept_global_perms=False)
    return Case.objects.filter(Q(prosecutors=user) | Q(pk__in=granted.values("pk"))).distinct()


def records_visible_to(user: Any) -> QuerySet[Record]:
    """Return the full records this user may read.

    1. Everything for an active registry administrator.
    2. Records of agencies the user operates or was granted.
    3. Every record of the people linked to the cases the user may open (a
       prosecutor follows the person across agencies).
    """
    if not _is_active_user(user):
        return Record.objects.none()
    if is_registry_admin(user):
        return Record.objects.all()
    cases = cases_visible_to(user)
    case_people = Person.objects.filter(cases__in=cases)
    return Record.objects.filter(
        Q(agency__in=agencies_readable_by(user))
        | Q(person__in=case_people)
        | Q(case__in=cases)
    ).distinct()


def _get_or_404(queryset: QuerySet, pk: Any) -> Model:
    # The same 404 for "does not exist", "not yours" and "not even a number".
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_record_for_user(user: Any, pk: Any) -> Record:
    """Return the record if the user may read it, else raise Http404."""
    return _get_or_404(records_visible_to(user), pk)


def get_case_for_user(user: Any, pk: Any) -> Case:
    """Return the case if the user may open it, else raise Http404."""
    return _get_or_404(cases_visible_to(user), pk)


def user_can_view(user: Any, obj: Model) -> bool:
    """Return True if the user may see the full version of ``obj``."""
    if isinstance(obj, Record):
        return records_visible_to(user).filter(pk=obj.pk).exists()
    if isinstance(obj, Case):
        return cases_visible_to(user).filter(pk=obj.pk).exists()
    if isinstance(obj, Agency):
        return agencies_readable_by(user).filter(pk=obj.pk).exists()
    if isinstance(obj, Person):
        return records_visible_to(user).filter(person=obj).exists()
    return is_registry_admin(user)


def user_can_operate(user: Any, agency: Agency) -> bool:
    """Return True if the user may import into and correct records of ``agency``."""
    return agencies_operated_by(user).filter(pk=agency.pk).exists()
