"""Guardian's unsafe defaults are off, and permissions of deleted objects do not linger."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from registry.access import cases_visible_to, records_visible_to
from registry.models import Case
from tests.factories import CaseFactory, UserFactory


def test_a_deleted_cases_grants_are_removed(outsider, agency_a):
    case = CaseFactory(agency=agency_a)
    assign_perm("registry.view_case", outsider, case)
    assert list(cases_visible_to(outsider)) == [case]
    case_id = case.pk
    Case.objects.filter(pk=case_id).delete()
    assert not UserObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(Case), object_pk=str(case_id)).exists()


def test_a_model_wide_permission_exposes_nothing(outsider, case_a):
    outsider.user_permissions.add(Permission.objects.get(codename="view_case"),
                                  Permission.objects.get(codename="view_record"))
    assert not cases_visible_to(outsider).exists()
    assert not records_visible_to(outsider).filter(pk=case_a.missing_report_id).exists()


def test_an_inactive_superuser_sees_nothing(case_a):
    ghost = UserFactory(username="inactivo", is_superuser=True, is_active=False)
    assert not cases_visible_to(ghost).exists()
    assert not records_visible_to(ghost).exists()


def test_the_outsider_sees_nothing_of_agency_a(outsider, case_a, owner, reviewer):
    assert not cases_visible_to(outsider).exists()
    assert not records_visible_to(outsider).filter(agency=case_a.agency).exists()
    assert records_visible_to(owner).filter(pk=case_a.missing_report_id).exists()
    assert list(cases_visible_to(reviewer)) == [case_a]
