"""Agency operators: their own agency's records, corrections that keep history, nothing else."""

from django.urls import reverse

from registry.models import AuditEvent
from tests.factories import RecordFactory


def _form(record, **changes):
    data = {name: getattr(record, name) or "" for name in (
        "given_names", "paternal_surname", "maternal_surname", "aliases", "sex", "curp",
        "nationality", "place", "authority", "facility", "reason", "description", "address",
        "reporter_name", "reporter_contact")}
    data["birth_date"] = record.birth_date.isoformat() if record.birth_date else ""
    data["event_date"] = record.event_date.isoformat() if record.event_date else ""
    data["age"] = record.age or ""
    data["event_state"] = record.event_state_id or ""
    data["event_municipality"] = record.event_municipality_id or ""
    data.update(changes)
    return data


def test_operator_lists_only_their_agency(client, owner, agency_a, agency_b):
    own = RecordFactory(agency=agency_a, kind="detention")
    foreign = RecordFactory(agency=agency_b, kind="detention")
    client.force_login(owner)
    listed = [record.pk for record, _ in
              client.get(reverse("agency_records")).context["rows"]]
    assert own.pk in listed and foreign.pk not in listed
    assert AuditEvent.objects.get(action="view", actor=owner).details == {"records": [own.pk]}


def test_correction_keeps_the_previous_version_and_is_audited(client, owner, agency_a):
    record = RecordFactory(agency=agency_a, kind="detention", paternal_surname="Peres")
    client.force_login(owner)
    response = client.post(reverse("record_correct", args=[record.pk]),
                           _form(record, paternal_surname="Pérez",
                                 correction_reason="Error de captura"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.paternal_surname == "Pérez"
    assert record.history.count() == 2
    assert record.history.earliest().paternal_surname == "Peres"
    assert AuditEvent.objects.get(action="change").details == {"fields": ["paternal_surname"]}
    page = client.get(reverse("record_detail", args=[record.pk])).content.decode()
    assert "Error de captura" in page


def test_the_outsider_cannot_correct_or_list(client, outsider, agency_a):
    record = RecordFactory(agency=agency_a, kind="detention", paternal_surname="Peres")
    client.force_login(outsider)
    assert client.post(reverse("record_correct", args=[record.pk]),
                       _form(record, paternal_surname="X", correction_reason="x")
                       ).status_code == 404
    record.refresh_from_db()
    assert record.paternal_surname == "Peres"
    assert record.pk not in [r.pk for r, _ in
                             client.get(reverse("agency_records")).context["rows"]]


def test_a_prosecutor_reads_but_cannot_correct(client, reviewer, case_a):
    client.force_login(reviewer)
    record = case_a.missing_report
    assert client.get(reverse("record_detail", args=[record.pk])).status_code == 200
    assert client.get(reverse("record_correct", args=[record.pk])).status_code == 404
    assert client.get(reverse("agency_records")).status_code == 404
