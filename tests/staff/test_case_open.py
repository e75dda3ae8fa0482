"""Opening a case by hand: the report is stored and matched, the case opened by the same
rules as an import; only prosecutors of the office (and administrators) may."""

import datetime

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from registry import roles
from registry.models import AuditEvent, Case, CaseStatus, Record
from tests.factories import UserFactory, state

URL = reverse("case_open")


@pytest.fixture
def office_prosecutor(agency_a):
    user = UserFactory(username="fiscal_ventanilla", role=roles.PROSECUTOR)
    assign_perm("registry.view_agency_records", user, agency_a)
    return user


def _form(agency, **overrides):
    data = {"agency": agency.pk, "folio": "FGE/CDMX/VENT/0001", "given_names": "Lucía",
            "paternal_surname": "Ramírez", "maternal_surname": "Soto", "sex": "M",
            "birth_date": "1994-02-11", "event_date": "2025-06-01", "event_state": "09",
            "description": "Vestía chamarra roja", "reporter_contact": "55 8765 4321",
            "status": CaseStatus.NOT_LOCATED, "publication_consent": "on",
            "reason": "Denuncia presencial"}
    data.update(overrides)
    return data


def test_a_prosecutor_opens_a_case_by_hand(client, office_prosecutor, agency_a,
                                           django_capture_on_commit_callbacks):
    client.force_login(office_prosecutor)
    assert client.get(URL).status_code == 200

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, _form(agency_a))

    case = Case.objects.get(folio="FGE/CDMX/VENT/0001")
    assert response.status_code == 302 and response["Location"] == reverse(
        "case_workspace", args=[case.pk])
    assert case.status == CaseStatus.NOT_LOCATED and case.publication == "publicar"
    assert case.agency == agency_a and case.import_batch is None
    assert list(case.prosecutors.all()) == [office_prosecutor]
    report = case.missing_report
    assert (report.kind, report.external_id, report.given_names) == (
        "missing_report", "FGE/CDMX/VENT/0001", "Lucía")
    assert report.birth_date == datetime.date(1994, 2, 11) and report.event_state == state("09")
    assert report.reporter_contact == "55 8765 4321" and report.name_search
    assert len(callbacks) == 1  # matching of the new report, after the commit
    assert AuditEvent.objects.filter(action="create", object_type="registry.record").exists()
    assert client.get(response["Location"]).status_code == 200


def test_the_same_folio_is_refused(client, office_prosecutor, agency_a):
    client.force_login(office_prosecutor)
    client.post(URL, _form(agency_a))
    response = client.post(URL, _form(agency_a, given_names="Otra"))
    assert response.status_code == 400
    assert "Ya existe un reporte o un caso con ese folio" in response.content.decode()
    assert Record.objects.count() == Case.objects.count() == 1


def test_a_found_status_cannot_be_typed(client, office_prosecutor, agency_a):
    client.force_login(office_prosecutor)
    response = client.post(URL, _form(agency_a, status=CaseStatus.FOUND_ALIVE))
    assert response.status_code == 400 and not Case.objects.exists()


@pytest.mark.parametrize("who", ["owner", "outsider", "reviewer"])
def test_others_cannot_open_cases(client, who, owner, outsider, reviewer, agency_a):
    # The reviewer is assigned to a case of agency A but may not read the office's records.
    client.force_login({"owner": owner, "outsider": outsider, "reviewer": reviewer}[who])
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form(agency_a)).status_code == 404
    assert not Case.objects.filter(folio="FGE/CDMX/VENT/0001").exists()


def test_a_prosecutor_cannot_open_in_another_office(client, office_prosecutor, agency_b):
    client.force_login(office_prosecutor)
    response = client.post(URL, _form(agency_b))
    assert response.status_code == 400 and not Case.objects.exists()
