"""Importing missing-person reports opens their cases: once, with the file's status and
consent, through the guarded status change on re-import; a rollback takes them back."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from guardian.shortcuts import assign_perm

from imports.models import ImportBatch, RowIssue
from imports.rollback import import_batch_rollback
from registry import roles
from registry.models import (
    AuditEvent,
    Case,
    CaseStatus,
    CaseStatusChange,
    CaseStatusRequest,
    Record,
    RecordKind,
)
from registry.services import case_access_code_issue, case_status_update
from tests.factories import CaseFactory, UserFactory, operator_of, prosecutor_for
from tests.imports.files import csv_bytes

REPORT_HEADER = ["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "APELLIDO MATERNO", "SEXO",
                 "FECHA DE NACIMIENTO", "ENTIDAD", "FECHA DE DESAPARICIÓN", "SITUACIÓN",
                 "AUTORIZA PUBLICACIÓN", "NOMBRE DEL FAMILIAR", "TELÉFONO DEL FAMILIAR",
                 "DESCRIPCIÓN"]


def report_row(n: int, **overrides: str) -> list[str]:
    row = {"FOLIO": f"FGE/DESAP/{n:04d}", "NOMBRE(S)": "María Guadalupe",
           "APELLIDO PATERNO": "Hernández", "APELLIDO MATERNO": f"López{n}", "SEXO": "Mujer",
           "FECHA DE NACIMIENTO": "04/04/1991", "ENTIDAD": "Ciudad de México",
           "FECHA DE DESAPARICIÓN": "09/03/2024", "SITUACIÓN": "Desaparecida",
           "AUTORIZA PUBLICACIÓN": "SÍ", "NOMBRE DEL FAMILIAR": "Rosa López (madre)",
           "TELÉFONO DEL FAMILIAR": "55 1234 5678", "DESCRIPCIÓN": "Lunar en la mejilla"}
    row.update(overrides)
    return [row[h] for h in REPORT_HEADER]


def reports_csv(*rows: list[str], header: list[str] = REPORT_HEADER) -> bytes:
    return csv_bytes([list(header), *rows])


@pytest.fixture
def import_reports(import_file, agency_a):
    def run(*rows, actor=None, **kwargs):
        return import_file(agency_a, reports_csv(*rows, **kwargs), "reportes.csv",
                           kind=RecordKind.MISSING_REPORT, actor=actor)
    return run


@pytest.fixture
def agency_prosecutor(agency_a):
    """A prosecutor of agency A: may review, and read the agency's records."""
    user = UserFactory(username="fiscal_de_a", role=roles.PROSECUTOR)
    assign_perm("registry.view_agency_records", user, agency_a)
    return user


def test_each_imported_report_opens_its_case(import_reports, agency_a, owner, agency_prosecutor):
    batch = import_reports(report_row(1), report_row(2, **{"SITUACIÓN": ""}))

    cases = list(Case.objects.order_by("folio"))
    assert [case.folio for case in cases] == ["FGE/DESAP/0001", "FGE/DESAP/0002"]
    for case in cases:
        assert case.agency == agency_a and case.import_batch == batch
        assert case.missing_report.external_id == case.folio
        assert case.status == CaseStatus.MISSING and case.public_key
        assert list(case.prosecutors.all()) == [agency_prosecutor]
        assert case.history.get().history_type == "+"
        opening = case.status_changes.get()
        assert (opening.from_status, opening.to_status) == ("", CaseStatus.MISSING)
        assert opening.changed_by == owner and f"lote {batch.pk}" in opening.reason
    assert cases[0].publication == "publicar" and cases[0].consent_reported is True
    report = cases[0].missing_report
    assert (report.reporter_name, report.reporter_contact) == ("Rosa López (madre)",
                                                               "55 1234 5678")
    assert batch.preview["cases"]["opened"] == 2
    event = AuditEvent.objects.get(action="create", object_type="registry.case")
    assert event.details["import_batch"] == batch.pk and event.details["opened"] == 2


def test_no_localizada_opens_as_such_and_a_found_status_waits_for_a_second_reviewer(
        import_reports, owner):
    import_reports(report_row(1, **{"SITUACIÓN": "NO LOCALIZADA(O)"}),
                   report_row(2, **{"SITUACIÓN": "Localizada con vida"}))

    not_located, found = Case.objects.order_by("folio")
    assert not_located.status == CaseStatus.NOT_LOCATED
    assert found.status == CaseStatus.MISSING
    request = found.status_requests.get()
    assert request.outcome == "pending" and request.to_status == CaseStatus.FOUND_ALIVE
    assert request.requested_by == owner and "Localizada con vida" in request.reason


def test_re_importing_never_opens_a_second_case_and_applies_only_what_is_new(
        import_reports):
    import_reports(report_row(1))
    case = Case.objects.get()

    import_reports(report_row(1))  # the same file: nothing new
    import_reports(report_row(1, **{"SITUACIÓN": "No localizada"}))

    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_LOCATED == case.status_reported
    assert [c.to_status for c in case.status_changes.all()] == ["desaparecida", "no_localizada"]
    assert AuditEvent.objects.filter(action="status_change", object_id=str(case.pk)).exists()

    # A prosecutor decides; a re-import that repeats what the file said does not undo it.
    prosecutor = prosecutor_for(case, username="fiscal_del_caso")
    case_status_update(case=case, to_status=CaseStatus.MISSING, actor=prosecutor,
                       reason="error")
    import_reports(report_row(1, **{"SITUACIÓN": "No localizada",
                                    "DESCRIPCIÓN": "Cicatriz en la ceja"}))
    case.refresh_from_db()
    assert case.status == CaseStatus.MISSING
    assert case.missing_report.description == "Cicatriz en la ceja"


def test_a_found_status_on_re_import_asks_once_and_never_applies(import_reports):
    import_reports(report_row(1))
    import_reports(report_row(1, **{"SITUACIÓN": "Localizada sin vida"}))
    import_reports(report_row(1, **{"SITUACIÓN": "Localizada sin vida", "SEXO": "Femenino"}))

    case = Case.objects.get()
    assert case.status == CaseStatus.MISSING
    assert case.status_requests.get().to_status == CaseStatus.FOUND_DEAD


def test_withdrawn_consent_in_the_file_is_applied(import_reports):
    import_reports(report_row(1))
    import_reports(report_row(1, **{"AUTORIZA PUBLICACIÓN": "NO"}))

    case = Case.objects.get()
    assert case.publication == "sin_nombre" and case.consent_reported is False
    assert AuditEvent.objects.filter(action="change", object_id=str(case.pk)).exists()


def test_an_unrecognised_status_is_a_warning_and_the_case_opens_missing(import_reports):
    batch = import_reports(report_row(1, **{"SITUACIÓN": "En investigación"}))

    assert Case.objects.get().status == CaseStatus.MISSING
    issue = RowIssue.objects.get(batch=batch)
    assert issue.severity == "warning" and issue.column == "SITUACIÓN"


def test_a_detention_file_with_a_situacion_column_opens_nothing(import_file, agency_b, outsider):
    header = ["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "SITUACIÓN JURÍDICA"]
    batch = import_file(agency_b, csv_bytes([header, ["D-1", "Juan", "Pérez", "Vinculado"]]),
                        actor=outsider)

    assert Case.objects.count() == 0
    assert "SITUACIÓN JURÍDICA" in batch.preview["unmapped"]
    assert not RowIssue.objects.filter(batch=batch).exists()


def test_a_preview_opens_nothing(import_file, agency_a):
    import_file(agency_a, reports_csv(report_row(1)), kind=RecordKind.MISSING_REPORT,
                dry_run=True)
    assert Case.objects.count() == 0


def test_a_failed_import_opens_no_case_and_stores_no_record(import_reports):
    with mock.patch("imports.batch.cases_open_from_reports", side_effect=RuntimeError("boom")), \
            pytest.raises(RuntimeError):
        import_reports(report_row(1))

    assert Case.objects.count() == Record.objects.count() == 0
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_a_case_opened_by_hand_with_the_same_folio_receives_the_report(import_reports,
                                                                         agency_a):
    by_hand = CaseFactory(agency=agency_a, folio="FGE/DESAP/0001", missing_report=None)

    import_reports(report_row(1))

    by_hand.refresh_from_db()
    assert Case.objects.count() == 1
    assert by_hand.missing_report.external_id == "FGE/DESAP/0001"


def test_a_folio_taken_by_another_agency_gets_a_generated_one(import_reports, agency_b):
    CaseFactory(agency=agency_b, folio="FGE/DESAP/0001")

    batch = import_reports(report_row(1))

    opened = Case.objects.get(import_batch=batch)
    assert opened.folio == f"fge-cdmx-R{opened.missing_report_id}"
    assert batch.preview["cases"]["generated_folios"] == 1


def test_rolling_back_the_batch_removes_the_cases_it_opened(import_reports, owner, client):
    batch = import_reports(report_row(1), report_row(2, **{"SITUACIÓN": "Localizada con vida"}))
    client.force_login(owner)

    response = client.post(reverse("imports:batch_rollback", args=[batch.pk]),
                           {"reason": "archivo equivocado"}, follow=True)

    assert Case.objects.count() == Record.objects.count() == 0
    assert CaseStatusChange.objects.count() == CaseStatusRequest.objects.count() == 0
    assert Case.history.filter(history_type="-").count() == 2
    assert "Se eliminaron los 2 casos que el lote había abierto" in response.content.decode()
    event = AuditEvent.objects.get(action="rollback")
    assert event.details["cases_deleted"] == 2


def test_a_rollback_is_refused_naming_the_cases_someone_worked_on(import_reports, owner):
    batch = import_reports(report_row(1), report_row(2))
    case_access_code_issue(case=Case.objects.get(folio="FGE/DESAP/0002"), actor=owner)

    with pytest.raises(ValidationError, match="FGE/DESAP/0002"):
        import_batch_rollback(batch=batch, actor=owner)
    assert Case.objects.count() == Record.objects.count() == 2


def test_the_api_and_the_command_open_cases_too(client, agency_a, tmp_path):
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    service = operator_of(agency_a, username="sistema_fge")
    token = Token.objects.create(user=service)
    payload = {"agency": agency_a.code, "kind": "missing_report", "records": [
        dict(zip(REPORT_HEADER, report_row(1), strict=True))]}
    response = client.post("/importaciones/api/lotes/", payload, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 201
    path = tmp_path / "reportes.csv"
    path.write_bytes(reports_csv(report_row(2)))
    call_command("import_records", str(path), agency=agency_a.code, kind="missing_report")

    assert sorted(Case.objects.values_list("folio", flat=True)) == ["FGE/DESAP/0001",
                                                                     "FGE/DESAP/0002"]


def test_the_batch_page_says_how_many_cases_it_opened(import_reports, owner, client):
    batch = import_reports(report_row(1), report_row(2, **{"SITUACIÓN": "Localizada sin vida"}))
    client.force_login(owner)

    body = client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()

    assert "Casos abiertos por el lote" in body
    assert "Localizaciones que esperan la aprobación de una persona revisora" in body


def test_a_found_status_from_a_command_line_file_is_approved_by_a_prosecutor(agency_a,
                                                                            tmp_path):
    from django.core.management import call_command

    from registry.services import case_status_request_approve

    path = tmp_path / "reportes.csv"
    path.write_bytes(reports_csv(report_row(1, **{"SITUACIÓN": "Localizada con vida"})))
    call_command("import_records", str(path), agency=agency_a.code, kind="missing_report")
    case = Case.objects.get()
    request = case.status_requests.get()
    assert request.requested_by is None  # the agency's file asked, nobody logged in

    change = case_status_request_approve(request=request,
                                         actor=prosecutor_for(case, username="fiscal_revisa"))

    case.refresh_from_db()
    assert case.status == CaseStatus.FOUND_ALIVE
    assert change.approved_by.username == "fiscal_revisa" and change.changed_by is None
