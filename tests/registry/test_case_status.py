import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.models import AuditEvent, Case, CaseStatus
from registry.services import (
    case_access_code_issue,
    case_access_code_revoke,
    case_status_change,
)
from tests.factories import UserFactory


def test_status_change_is_kept_in_the_history(case_a, reviewer):
    case_status_change(case=case_a, to_status=CaseStatus.NOT_LOCATED, actor=reviewer,
                       reason="Sin avances en 30 días")
    # A "found" status needs a second reviewer (see test_case_status_review.py).
    case_status_change(case=case_a, to_status=CaseStatus.FOUND_ALIVE, actor=reviewer,
                       reason="Localizada en albergue",
                       approved_by=UserFactory(username="segunda_revisora"))

    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.FOUND_ALIVE
    steps = list(case_a.status_changes.values_list("from_status", "to_status"))
    assert steps == [("desaparecida", "no_localizada"), ("no_localizada", "localizada_con_vida")]
    assert [h.status for h in case_a.history.order_by("history_date")] == [
        "desaparecida", "no_localizada", "localizada_con_vida"]
    assert AuditEvent.objects.filter(action="status_change", object_id=str(case_a.pk)).count() == 2


def test_only_legal_statuses_are_accepted(case_a, reviewer):
    with pytest.raises(ValidationError):
        case_status_change(case=case_a, to_status="archivada", actor=reviewer, reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case_a.pk).update(status="archivada")


def test_access_code_is_shown_once_and_stored_hashed(case_a, reviewer):
    code = case_access_code_issue(case=case_a, actor=reviewer)
    case_a.refresh_from_db()
    assert len(code.replace("-", "")) == 12
    assert code not in case_a.access_code_hash
    assert check_password(code, case_a.access_code_hash)

    rotated = case_access_code_issue(case=case_a, actor=reviewer)
    case_a.refresh_from_db()
    assert not check_password(code, case_a.access_code_hash)
    assert check_password(rotated, case_a.access_code_hash)

    case_access_code_revoke(case=case_a, actor=reviewer)
    case_a.refresh_from_db()
    assert case_a.access_code_hash == ""
