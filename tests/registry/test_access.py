"""Who may see which records and cases: owner, reviewer, outsider, administrators."""

import pytest
from django.http import Http404

from registry.access import (
    agencies_operated_by,
    cases_visible_to,
    get_case_for_user,
    get_record_for_user,
    is_registry_admin,
    records_visible_to,
    user_can_view,
)
from registry.models import Record
from tests.factories import RecordFactory, UserFactory


@pytest.fixture
def records_a(agency_a):
    return RecordFactory.create_batch(3, agency=agency_a, kind="detention")


@pytest.fixture
def record_b(agency_b):
    return RecordFactory(agency=agency_b, kind="detention")


def test_operator_sees_only_their_agency(owner, records_a, record_b):
    visible = set(records_visible_to(owner))
    assert set(records_a) <= visible
    assert record_b not in visible
    assert list(agencies_operated_by(owner)) == [records_a[0].agency]


def test_outsider_sees_nothing_of_agency_a(outsider, records_a, case_a):
    assert not records_visible_to(outsider).filter(agency=records_a[0].agency).exists()
    assert not cases_visible_to(outsider).exists()
    for record in records_a:
        with pytest.raises(Http404):
            get_record_for_user(outsider, record.pk)
    with pytest.raises(Http404):
        get_case_for_user(outsider, case_a.pk)


def test_missing_and_forbidden_look_the_same(outsider, records_a):
    missing_pk = Record.objects.order_by("-pk").first().pk + 1000
    for pk in (records_a[0].pk, missing_pk, "not-a-number"):
        with pytest.raises(Http404):
            get_record_for_user(outsider, pk)


def test_prosecutor_sees_the_records_of_their_case(reviewer, case_a, record_b):
    assert get_case_for_user(reviewer, case_a.pk) == case_a
    assert user_can_view(reviewer, case_a.missing_report)
    assert not user_can_view(reviewer, record_b)


def test_a_model_wide_permission_does_not_open_every_agency(record_b):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_agency_records"))
    user.user_permissions.add(Permission.objects.get(codename="view_record"))
    assert not records_visible_to(user).exists()


def test_an_inactive_superuser_sees_nothing(record_b):
    user = UserFactory(is_superuser=True, is_active=False)
    assert not is_registry_admin(user)
    assert not records_visible_to(user).exists()


def test_administrators_see_everything(administrator, records_a, record_b):
    assert records_visible_to(administrator).count() == 4
