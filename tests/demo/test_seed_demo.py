"""The demo registry comes from the import path: files imported, cases opened by their
reports, links reaching the cases; the same seed gives the same registry."""

import datetime
import hashlib

import pytest
from django.core.management import call_command

from imports.models import ImportBatch
from matching.models import LinkageModelVersion, MergeDecision
from registry.models import (
    Alert,
    Case,
    CaseStatusChange,
    CaseStatusRequest,
    MatchCandidate,
    Person,
    Record,
    RecordKind,
    User,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _fingerprint() -> str:
    rows = Record.objects.order_by("agency__code", "external_id").values_list(
        "agency__code", "external_id", "kind", "given_names", "paternal_surname",
        "maternal_surname", "sex", "birth_date", "curp", "event_date", "event_municipality",
        "authority", "age_min", "age_max", "clothing", "raw_values")
    cases = [(folio, status, consent, report, person is None) for folio, status, consent,
             report, person in Case.objects.order_by("folio").values_list(
                 "folio", "status", "publication", "missing_report__external_id",
                 "person_id")]
    return hashlib.sha256(repr((list(rows), list(cases))).encode()).hexdigest()


def _reset() -> None:
    for model in (Alert, MergeDecision, MatchCandidate, LinkageModelVersion, CaseStatusRequest,
                  CaseStatusChange):
        model.objects.all().delete()
    Case.history.all().delete()
    Case.objects.all().delete()
    Record.history.all().delete()
    Record.objects.all().delete()
    Person.objects.all().delete()
    ImportBatch.objects.all().delete()


def test_seed_demo_is_deterministic_for_a_seed(db, capsys):
    call_command("seed_demo", records=300, seed=7, family_codes=1)
    first = _fingerprint()
    _reset()
    call_command("seed_demo", records=300, seed=7, family_codes=1)
    assert _fingerprint() == first
    _reset()
    call_command("seed_demo", records=300, seed=8, family_codes=1)
    assert _fingerprint() != first


def test_seed_demo_creates_the_registry_it_promises(db, capsys):
    call_command("seed_demo", records=400, seed=3, family_codes=2)
    output = capsys.readouterr().out

    assert Record.objects.count() == 400
    # Every record came through the importer, in the batch of its agency's file.
    assert not Record.objects.filter(import_batch__isnull=True).exists()
    assert set(ImportBatch.objects.values_list("status", flat=True)) == {"committed"}
    assert set(ImportBatch.objects.values_list("record_kind", flat=True)) == {
        "missing_report", "detention", "release_transfer", "unidentified_remains"}
    # Each report opened its case, assigned to its office's prosecutor where there is one.
    assert Record.objects.filter(kind="missing_report").count() == Case.objects.count() == 140
    assert not Case.objects.filter(import_batch__isnull=True).exists()
    cdmx = User.objects.get(username="fiscal.cdmx")
    assert Case.objects.filter(agency__code="fgj-cdmx").count() == cdmx.assigned_cases.count()
    # "Found" statuses in the files were requests; half of the office's were approved.
    assert CaseStatusRequest.objects.filter(outcome="approved").exists()
    assert CaseStatusRequest.objects.filter(outcome="pending").exists()
    # Links reach the cases: some cases are on a person with another agency's record.
    linked = Case.objects.filter(person__isnull=False)
    assert linked.exists()
    assert all(case.person_id == case.missing_report.person_id for case in linked)
    assert Record.objects.filter(person__in=linked.values("person")).exclude(
        kind="missing_report").exists()
    assert Alert.objects.filter(kind="detention").exists()
    # Every demo record has its creation in the history table.
    assert Record.history.filter(history_type="+").count() == 400
    # Accented Mexican names, compound given names.
    assert Record.objects.filter(paternal_surname__regex=r"[áéíóúñÁÉÍÓÚÑ]").exists()
    assert Record.objects.filter(given_names__contains=" ").exists()
    # Some missing people reappear in detention logs, and among the forensic remains.
    report_curps = set(Record.objects.filter(kind="missing_report").exclude(curp="")
                       .values_list("curp", flat=True))
    detention_curps = set(Record.objects.filter(kind="detention").exclude(curp="")
                          .values_list("curp", flat=True))
    assert report_curps & detention_curps
    assert Record.objects.filter(kind="unidentified_remains", age_min__isnull=False,
                                 clothing__gt="").count() == 4
    assert "fiscal.cdmx" in output and "demo-registro-2026" in output
    assert "imported through the importer" in output
    assert Case.objects.exclude(access_code_hash="").count() == 2
    # The family codes go first to cases where another agency's record was linked.
    coded = Case.objects.exclude(access_code_hash="").first()
    assert coded.person_id and coded.person.records.exclude(agency=coded.agency).exists()
    # Every case can be published.
    assert not Case.objects.filter(public_key__isnull=True).exists()


def test_if_empty_leaves_an_existing_registry_alone(db, capsys):
    call_command("seed_demo", records=50, seed=1, family_codes=0)
    call_command("seed_demo", if_empty=True)
    assert Record.objects.count() == 50
    assert "already has records" in capsys.readouterr().out


def test_the_demo_tells_the_truth(db, client, capsys):
    """Posters publish the report's names; history follows the disappearance; each state's
    two prosecutors approve each other's "found" requests (issue 16, item 7)."""
    from django.urls import reverse
    from django.utils import timezone

    from demo.seed import DEMO_PASSWORD
    from demo.synthetic import _FEMALE_NAMES, _MALE_NAMES, _SURNAMES

    call_command("seed_demo", records=400, seed=3, family_codes=0)
    # 1. The reports carry the names as the families gave them (no clerk's misspellings).
    given = {name for name, _weight in _MALE_NAMES + _FEMALE_NAMES}
    surnames = {name for name, _weight in _SURNAMES}
    reports = Record.objects.filter(kind="missing_report")
    for report in reports:
        assert report.given_names in given, report.given_names
        assert {report.paternal_surname, report.maternal_surname} <= surnames, report
    # 2. Every status date falls after the disappearance, and none after today.
    now = timezone.now()
    for case in Case.objects.select_related("missing_report"):
        disappeared = case.missing_report.event_date
        assert disappeared <= timezone.localdate(case.status_changed_at), case.folio
        assert case.status_changed_at <= now and case.created_at <= case.status_changed_at
        for change in case.status_changes.all():
            assert disappeared <= timezone.localdate(change.changed_at), case.folio
    # 3. Each office's second prosecutor approves a request the first one made.
    pending = CaseStatusRequest.objects.filter(
        outcome="pending", requested_by__username="fiscal.cdmx").first()
    assert pending is not None, "the first prosecutor asked for a found status"
    other = client
    assert other.login(username="fiscal2.cdmx", password=DEMO_PASSWORD)
    response = other.post(reverse("case_status_request_review", args=[pending.pk]),
                          {"approve": "yes", "note": "Revisé el dictamen."})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.outcome == "approved" and pending.decided_by.username == "fiscal2.cdmx"
    assert CaseStatusRequest.objects.filter(
        outcome="pending", requested_by__username="fiscal2.cdmx").exists()


def test_no_demo_file_holds_a_date_after_the_day_it_is_made(db, capsys, time_machine):
    # Seed 5 draws a forensic find in December 2026, after a detention 400 days on.
    time_machine.move_to(datetime.datetime(2026, 12, 8, 12, tzinfo=datetime.UTC))
    call_command("seed_demo", records=400, seed=5, family_codes=0)
    assert not Record.objects.filter(event_date__gt=datetime.date(2026, 12, 8)).exists()
    assert Record.objects.filter(kind=RecordKind.UNIDENTIFIED_REMAINS).exists()
