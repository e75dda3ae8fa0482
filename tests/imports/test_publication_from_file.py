"""A file's consent column records the family's decision through the veto's service:
withdrawn consent gives the entry a new key; a file never lifts a family's veto."""

from __future__ import annotations

import pytest

from registry.models import Case, CasePublication, CasePublicationDecision, RecordKind
from registry.services import case_publication_decide
from tests.imports.test_cases_from_reports import report_row, reports_csv


@pytest.fixture
def import_reports(import_file, agency_a):
    def run(*rows):
        return import_file(agency_a, reports_csv(*rows), "reportes.csv",
                           kind=RecordKind.MISSING_REPORT)
    return run


def test_consent_withdrawn_in_the_file_is_a_decision_with_a_new_key(import_reports, owner):
    import_reports(report_row(1))
    case = Case.objects.get()
    key = case.public_key
    import_reports(report_row(1, **{"AUTORIZA PUBLICACIÓN": "NO"}))
    case.refresh_from_db()
    assert case.publication == CasePublication.WITHOUT_NAME and case.public_key != key
    decision = CasePublicationDecision.objects.get(case=case)
    assert decision.key_rotated and decision.recorded_by == owner  # who imported the file
    assert "archivo de la institución" in decision.decided_by


def test_a_file_never_lifts_the_familys_veto(import_reports, reviewer):
    import_reports(report_row(1, **{"AUTORIZA PUBLICACIÓN": "NO"}))
    case = Case.objects.get(folio="FGE/DESAP/0001")
    case_publication_decide(case=case, publication=CasePublication.WITHHOLD, actor=reviewer,
                            decided_by="Rosa López (madre)", reason="Pidió no publicar")
    import_reports(report_row(1, **{"AUTORIZA PUBLICACIÓN": "SÍ"}))
    case.refresh_from_db()
    assert case.publication == CasePublication.WITHHOLD
    assert case.consent_reported is True  # what the file said is kept, not applied
    assert CasePublicationDecision.objects.filter(case=case).count() == 1
