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

from registry.models import (
    Agency,
    Alert,
    Case,
    CaseStatusRequest,
    MatchCandidate,
    Person,
    Record,
    User,
)
from registry.redaction import CROSSCHECK_KINDS, Audience
from registry.roles import ADMINISTRATOR, PROSECUTOR

OPERATE_AGENCY = "registry.operate_agency"
VIEW_AGENCY_RECORDS = "registry.view_agency_records"
VIEW_CASE = "registry.view_case"


def _is_active_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_registry_admin(user: Any) -> bool:
    """Return True for an active superuser or an active member of the administrator group."""
    if not _is_active_user(user):
        return False
    # Memoised on the user object, which lives for one request: pages ask often.
    cached = getattr(user, "_registry_admin_cache", None)
    if cached is None:
        cached = user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()
        user._registry_admin_cache = cached
    return cached


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


def _visible_case_ids(user: Any) -> list[int]:
    # Materialised once per call: a caseload is hundreds or thousands of ids, and a
    # literal id list lets PostgreSQL use the primary-key index where an OR over a
    # join would scan the whole table (see bench/registry_pages).
    assigned = Case.prosecutors.through.objects.filter(user_id=user.pk).values_list(
        "case_id", flat=True)
    return sorted({*assigned, *_granted_object_ids(user, VIEW_CASE, Case)})


def _granted_object_ids(user: Any, perm: str, model: type[Model]) -> set[int]:
    """Return the ids of ``model`` objects on which ``user`` (or a group of theirs) holds
    ``perm`` as a django-guardian object permission.

    Read from guardian's tables directly: ``get_objects_for_user`` compares
    ``id::varchar`` over the whole model table, a sequential scan of every case.
    Only object grants count, never model-wide ones or superuser status (the two
    guardian defaults this module refuses).
    """
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    codename = perm.split(".")[1]
    content_type = ContentType.objects.get_for_model(model)
    grant = {"permission__codename": codename, "permission__content_type": content_type,
             "content_type": content_type}
    by_user = UserObjectPermission.objects.filter(user_id=user.pk, **grant)
    by_group = GroupObjectPermission.objects.filter(group__user=user.pk, **grant)
    ids = {*by_user.values_list("object_pk", flat=True),
           *by_group.values_list("object_pk", flat=True)}
    return {int(pk) for pk in ids if str(pk).isdigit()}


def agency_prosecutor_ids(agency_ids: Any) -> dict[int, list[int]]:
    """Return, per agency, the active prosecutors who may read its records.

    They are the agency's own prosecutors: a case opened from one of its reports is
    assigned to them (``registry.cases``). A prosecutor is a member of the prosecutor
    role holding ``view_agency_records`` on the agency, granted to them or to a group
    of theirs (object permissions only, as everywhere in this module).
    """
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    content_type = ContentType.objects.get_for_model(Agency)
    grant = {"permission__codename": VIEW_AGENCY_RECORDS.split(".")[1],
             "permission__content_type": content_type, "content_type": content_type,
             "object_pk__in": [str(pk) for pk in agency_ids]}
    pairs = {(int(agency), user) for agency, user in UserObjectPermission.objects.filter(
        **grant).values_list("object_pk", "user_id")}
    pairs |= {(int(agency), user) for agency, user in GroupObjectPermission.objects.filter(
        **grant).values_list("object_pk", "group__user")}
    prosecutors = set(User.objects.filter(
        pk__in={user for _agency, user in pairs if user is not None}, is_active=True,
        groups__name=PROSECUTOR).values_list("pk", flat=True))
    found: dict[int, list[int]] = {}
    for agency, user in sorted(pairs):
        if user in prosecutors:
            found.setdefault(agency, []).append(user)
    return found


def agencies_opening_cases_by(user: Any) -> QuerySet[Agency]:
    """Return the prosecutors' offices in which this user may open a case by hand.

    A reviewer (prosecutor) opens cases in the offices whose records they may read;
    a registry administrator in any.
    """
    if not can_review_matches(user):
        return Agency.objects.none()
    agencies = Agency.objects.filter(kind=Agency.Kind.PROSECUTOR, is_active=True)
    if is_registry_admin(user):
        return agencies
    return agencies.filter(pk__in=agencies_readable_by(user).values("pk"))


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Return the cases this user may open: assigned, or granted per case."""
    if not _is_active_user(user):
        return Case.objects.none()
    if is_registry_admin(user):
        return Case.objects.all()
    return Case.objects.filter(pk__in=_visible_case_ids(user))


def records_visible_to(user: Any) -> QuerySet[Record]:
    """Return the full records this user may read.

    1. Everything for an active registry administrator.
    2. Records of agencies the user operates or was granted.
    3. Every record of the people linked to the cases the user may open (a
       prosecutor follows the person across agencies), and the cases' own reports.

    One table, one OR of three indexed columns against literal id lists: no join,
    no DISTINCT, so it stays fast as a subquery over millions of records.
    """
    if not _is_active_user(user):
        return Record.objects.none()
    if is_registry_admin(user):
        return Record.objects.all()
    return Record.objects.filter(_own_records_q(user))


def _own_records_q(user: Any) -> Q:
    case_rows = list(Case.objects.filter(pk__in=_visible_case_ids(user))
                     .values_list("person_id", "missing_report_id"))
    people = sorted({person for person, _ in case_rows if person is not None})
    reports = sorted({report for _, report in case_rows if report is not None})
    agencies = list(agencies_readable_by(user).values_list("pk", flat=True))
    return Q(agency_id__in=agencies) | Q(person_id__in=people) | Q(pk__in=reports)


def get_or_404(queryset: QuerySet, pk: Any) -> Model:
    """Return ``queryset.get(pk=pk)``, else raise Http404.

    The same 404 for "does not exist", "not yours" and "not even a number".
    """
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_record_for_user(user: Any, pk: Any) -> Record:
    """Return the record if the user may read it, else raise Http404."""
    return get_or_404(records_visible_to(user), pk)


def get_case_for_user(user: Any, pk: Any) -> Case:
    """Return the case if the user may open it, else raise Http404."""
    return get_or_404(cases_visible_to(user), pk)


def get_status_request_for_user(user: Any, pk: Any) -> CaseStatusRequest:
    """Return a "found" request of a case the user may open, else raise Http404."""
    return get_or_404(CaseStatusRequest.objects.filter(case__in=cases_visible_to(user)
                                                       .values("pk")), pk)


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


# --- Review, cross-check and alerts ---------------------------------------------------------

REVIEW_MATCHES = "registry.review_matches"


def can_review_matches(user: Any) -> bool:
    """Return True if the user's role may decide match candidates (prosecutors, admins).

    A model permission from the role's group; which candidates is decided below.
    """
    if not _is_active_user(user):
        return False
    return is_registry_admin(user) or user.has_perm(REVIEW_MATCHES)


def crosscheck_records_visible_to(user: Any) -> QuerySet[Record]:
    """Return the records a prosecutor may read to cross-check a case.

    A prosecutor with the review role may read every agency's detention-like,
    location and remains records (``CROSSCHECK_KINDS`` in the redaction policy):
    that is the point of the cross-check. Missing reports of other cases stay
    out of reach. Everyone else gets nothing from here.
    """
    if not can_review_matches(user):
        return Record.objects.none()
    return Record.objects.filter(kind__in=CROSSCHECK_KINDS)


def full_records_visible_to(user: Any) -> QuerySet[Record]:
    """Return every record the user may open in full: their own scope plus the cross-check."""
    if not _is_active_user(user):
        return Record.objects.none()
    if is_registry_admin(user):
        return Record.objects.all()
    own = _own_records_q(user)
    if can_review_matches(user):
        own |= Q(kind__in=CROSSCHECK_KINDS)
    return Record.objects.filter(own)


def get_full_record_for_user(user: Any, pk: Any) -> Record:
    """Return a record the user may open in full (own scope or cross-check), else 404."""
    return get_or_404(full_records_visible_to(user), pk)


def match_candidates_reviewable_by(user: Any) -> QuerySet[MatchCandidate]:
    """Return the candidates the user may decide.

    A reviewer decides pairs in which at least one record is within their own scope
    (``records_visible_to``: their cases' reports and people, their agencies) and
    the other one is readable to them too (own scope or cross-check kinds): a pair
    never shows a record the reviewer could not open on its own.
    """
    if not can_review_matches(user):
        return MatchCandidate.objects.none()
    if is_registry_admin(user):
        return MatchCandidate.objects.all()
    # A reviewer's own scope is their caseload's records (hundreds): as a literal list
    # the candidate index on each side answers it. "Readable" is a join condition on
    # each side, not an IN over the hundreds of thousands of cross-check records.
    own = list(records_visible_to(user).values_list("pk", flat=True))
    left_readable = Q(record_left__kind__in=CROSSCHECK_KINDS) | Q(record_left_id__in=own)
    right_readable = Q(record_right__kind__in=CROSSCHECK_KINDS) | Q(record_right_id__in=own)
    return MatchCandidate.objects.filter(
        Q(record_left_id__in=own) | Q(record_right_id__in=own), left_readable, right_readable)


def get_match_candidate_for_user(user: Any, pk: Any) -> MatchCandidate:
    """Return the candidate if the user may decide it, else raise Http404."""
    return get_or_404(match_candidates_reviewable_by(user), pk)


def persons_visible_to(user: Any) -> QuerySet[Person]:
    """Return the people the user may open: those with a record in the user's own scope."""
    if not _is_active_user(user):
        return Person.objects.none()
    if is_registry_admin(user):
        return Person.objects.all()
    return Person.objects.filter(
        pk__in=records_visible_to(user).filter(person__isnull=False).values("person"))


def get_person_for_user(user: Any, pk: Any) -> Person:
    """Return the person if the user may open it, else raise Http404."""
    return get_or_404(persons_visible_to(user), pk)


def alerts_visible_to(user: Any) -> QuerySet[Alert]:
    """Return the alerts of the cases the user may open."""
    if not can_review_matches(user):
        return Alert.objects.none()
    return Alert.objects.filter(case__in=cases_visible_to(user).values("pk"))


def get_alert_for_user(user: Any, pk: Any) -> Alert:
    """Return the alert if it belongs to a case the user may open, else raise Http404."""
    return get_or_404(alerts_visible_to(user), pk)


def staff_audience(user: Any, record: Record | None = None) -> Audience:
    """Return the redaction audience a staff user reads as (for ``record`` if given).

    Administrators read as ADMIN, reviewers (prosecutors) as PROSECUTOR, operators of
    the record's agency as AGENCY; anyone else as PUBLIC (the safe default).
    """
    if is_registry_admin(user):
        return Audience.ADMIN
    if can_review_matches(user):
        return Audience.PROSECUTOR
    if record is not None and agencies_readable_by(user).filter(pk=record.agency_id).exists():
        return Audience.AGENCY
    if record is None and _is_active_user(user) and agencies_readable_by(user).exists():
        return Audience.AGENCY
    return Audience.PUBLIC


def can_export_redacted(user: Any) -> bool:
    """Return True if the user's role may export redacted data (NGO analysts, admins)."""
    if not _is_active_user(user):
        return False
    return is_registry_admin(user) or user.has_perm("registry.export_redacted")


def object_permissions_remove(obj: Model) -> int:
    """Delete every django-guardian permission row that points at ``obj``; return how many.

    Guardian stores the object's id as text with no foreign key, so a deleted object's
    grants would otherwise outlive it, and on a database that reuses ids (SQLite) open
    the next object given the same id. Connected to ``post_delete`` of Agency and Case.
    """
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    content_type = ContentType.objects.get_for_model(obj)
    removed = 0
    for model in (UserObjectPermission, GroupObjectPermission):
        count, _ = model.objects.filter(content_type=content_type,
                                        object_pk=str(obj.pk)).delete()
        removed += count
    return removed


def on_protected_object_deleted(sender, instance, **kwargs) -> None:
    object_permissions_remove(instance)
