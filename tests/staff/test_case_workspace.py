"""The case workspace: case, history, the person's records across agencies; outsiders get 404."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import AuditEvent
from tests.factories import AgencyFactory, PersonFactory, RecordFactory, UserFactory


@pytest.fixture
def linked_case(case_a):
    person = PersonFactory()
    case_a.person = person
    case_a.investigation_notes = "Notas reservadas del ministerio público"
    case_a.save()
    case_a.missing_report.person = person
    case_a.missing_report.save()
    prison = AgencyFactory(code="penal-sur", name="Reclusorio Sur", kind="prison")
    RecordFactory(agency=prison, kind="detention", person=person, facility="Reclusorio Sur",
                  source_file="reclusorio_2025.xlsx")
    return case_a


def test_reviewer_sees_case_history_and_records_across_agencies(client, reviewer, linked_case):
    client.force_login(reviewer)
    response = client.get(reverse("case_workspace", args=[linked_case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert linked_case.folio in body
    assert "Notas reservadas del ministerio público" in body
    assert "reclusorio_2025.xlsx" in body  # provenance of the other agency's record
    assert len(response.context["ws"].records) == 2


def test_opening_the_workspace_is_audited(client, reviewer, linked_case):
    client.force_login(reviewer)
    client.get(reverse("case_workspace", args=[linked_case.pk]))
    event = AuditEvent.objects.get(action="view", object_type="registry.case")
    assert event.object_id == str(linked_case.pk)
    assert len(event.details["records"]) == 2


@pytest.mark.parametrize("who", ["outsider", "owner", "nobody"])
def test_others_get_the_same_404_as_for_a_missing_case(client, linked_case, outsider, owner,
                                                        who):
    user = {"outsider": outsider, "owner": owner,
            "nobody": UserFactory(username="sin_rol")}[who]
    client.force_login(user)
    forbidden = client.get(reverse("case_workspace", args=[linked_case.pk]))
    missing = client.get(reverse("case_workspace", args=[987654]))
    assert forbidden.status_code == missing.status_code == 404
    # Alike but for the per-response CSRF token of the page's language form.
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub(b"", forbidden.content) == token.sub(b"", missing.content)


def test_anonymous_is_sent_to_login(client, linked_case):
    response = client.get(reverse("case_workspace", args=[linked_case.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_inactive_superuser_sees_nothing(client, linked_case):
    ghost = UserFactory(username="ex_admin", is_superuser=True, is_active=False)
    client.force_login(ghost)
    response = client.get(reverse("case_workspace", args=[linked_case.pk]))
    assert response.status_code in (302, 404)


def test_the_workspace_query_count_does_not_grow_with_records(client, reviewer, linked_case):
    client.force_login(reviewer)
    url = reverse("case_workspace", args=[linked_case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        RecordFactory(kind="detention", person=linked_case.person)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["ws"].records) == 12
    assert len(many) == len(few)
    assert len(many) <= 22


def test_case_list_shows_only_the_users_cases(client, reviewer, linked_case, outsider):
    client.force_login(reviewer)
    assert linked_case.folio in client.get(reverse("case_list")).content.decode()
    client.force_login(outsider)
    assert linked_case.folio not in client.get(reverse("case_list")).content.decode()


def test_record_view_is_audited_and_forbidden_to_the_outsider(client, reviewer, outsider,
                                                                linked_case):
    record = linked_case.missing_report
    client.force_login(outsider)
    assert client.get(reverse("record_detail", args=[record.pk])).status_code == 404
    client.force_login(reviewer)
    assert client.get(reverse("record_detail", args=[record.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="view", object_type="registry.record",
                                     object_id=str(record.pk), actor=reviewer).exists()
    assert not AuditEvent.objects.filter(actor=outsider, action="view").exists()


def test_an_operator_reads_their_own_agency_record_as_agency(client, owner, case_a):
    record = case_a.missing_report
    client.force_login(owner)
    response = client.get(reverse("record_detail", args=[record.pk]))
    assert response.status_code == 200
    names = {row.name for row in response.context["rows"]}
    assert "address" in names  # the agency sees the full row it gave


def test_case_list_pages_through_every_case_and_finds_a_folio(client, reviewer, agency_a):
    from tests.factories import CaseFactory

    cases = [CaseFactory(agency=agency_a, folio=f"FGJ/PAG/{n:03d}") for n in range(60)]
    for case in cases:
        case.prosecutors.add(reviewer)
    client.force_login(reviewer)

    first = client.get(reverse("case_list")).content.decode()
    second = client.get(reverse("case_list"), {"pagina": 2}).content.decode()
    shown = {case.folio for case in cases if case.folio in first or case.folio in second}
    assert len(shown) == 60
    assert "Página 1 de 2" in first

    found = client.get(reverse("case_list"), {"folio": "pag/017"}).content.decode()
    assert "FGJ/PAG/017" in found and "FGJ/PAG/018" not in found


def test_case_list_folio_search_never_reaches_others_cases(client, outsider, linked_case):
    client.force_login(outsider)
    page = client.get(reverse("case_list"), {"folio": linked_case.folio}).content.decode()
    assert linked_case.folio not in page.replace(f'value="{linked_case.folio}"', "")


def test_records_are_grouped_by_kind_newest_first_with_their_agency(client, reviewer,
                                                                     linked_case):
    import datetime

    person = linked_case.person
    forensic = AgencyFactory(code="semefo-cdmx", name="Servicio Médico Forense", kind="forensic")
    migration = AgencyFactory(code="inm-sur", name="Estación Migratoria Sur", kind="migration")
    older = RecordFactory(agency=migration, kind="detention", person=person,
                          event_date=datetime.date(2024, 1, 5))
    newer = RecordFactory(agency=migration, kind="detention", person=person,
                          event_date=datetime.date(2025, 2, 1))
    RecordFactory(agency=forensic, kind="unidentified_remains", person=person)
    client.force_login(reviewer)

    response = client.get(reverse("case_workspace", args=[linked_case.pk]))

    ws = response.context["ws"]
    groups = {group.kind: [record for record, _rows in group.records] for group in ws.groups}
    detentions = groups["detention"]
    assert len(detentions) == 3  # with the prison's record
    assert detentions.index(newer) < detentions.index(older)
    dates = [record.event_date for record in detentions]
    assert dates == sorted(dates, reverse=True)
    assert len(groups["unidentified_remains"]) == 1
    assert groups["missing_report"] == []  # the case's own report heads the page instead
    assert ws.report[0] == linked_case.missing_report
    assert ws.other_agencies == 3
    body = response.content.decode()
    assert "Restos sin identificar (1)" in body and "Servicio Médico Forense" in body
