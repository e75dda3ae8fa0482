"""What matching produces is visible only through registry.access, and not to outsiders."""

from __future__ import annotations

from matching.linkage import match_new_records
from registry import access
from registry.models import RecordKind
from tests import factories
from tests.matching_adapter.conftest import cousin_of, person_fields, record, twin_of


def test_the_outsider_sees_none_of_the_candidates_people_or_alerts(
        model_version, agency_a, agency_police, owner, outsider):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    case = factories.CaseFactory(agency=agency_a, missing_report=report)
    reviewer = factories.prosecutor_for(case, username="fiscal_matching")
    linked = record(RecordKind.DETENTION, agency_police, **twin_of())
    pending = record(RecordKind.LOCATED, agency_police, **cousin_of(sex=""))

    match_new_records(record_ids=[linked.pk, pending.pk])

    assert access.match_candidates_reviewable_by(reviewer).count() >= 1
    assert access.alerts_visible_to(reviewer).filter(case=case).count() == 2
    assert access.persons_visible_to(reviewer).exists()
    assert not access.match_candidates_reviewable_by(outsider).exists()
    assert not access.alerts_visible_to(outsider).exists()
    assert not access.persons_visible_to(outsider).exists()
    assert not access.alerts_visible_to(owner).exists()
