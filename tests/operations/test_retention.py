"""The retention policy: what is deleted, anonymised or unpublished, when, and the audit of it.

Time is frozen with time-machine: each test travels to "now + period ± a day".
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from imports.intake import import_batch_create
from imports.models import ImportBatch, RejectedRow
from imports.services import import_batch_commit
from registry.audit import audit_chain_breaks
from registry.models import (
    AuditEvent,
    Case,
    CasePublication,
    CasePublicationDecision,
    CaseStatus,
    FamilySubscription,
    RecordKind,
)
from registry.published import published_entries_sync
from registry.retention import RULES, RetentionAction, retention_apply
from registry.services import case_publication_decide
from registry.tasks import retention_apply_task
from tests import factories
from tests.imports.files import csv_bytes, detention_row, detention_rows

START = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.get_default_timezone())


def _after(rule: str, days: int) -> datetime:
    return START + RULES[rule].period + timedelta(days=days)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def committed_batch(agency_a, owner, media_root):
    """A committed import with two good rows and one rejected row, stored at START."""
    rows = [*detention_rows(2), detention_row(3, **{"FECHA DE NACIMIENTO": "31/02/1990"})]
    with time_machine.travel(START, tick=False):
        batch = import_batch_create(
            agency=agency_a, record_kind=RecordKind.DETENTION, actor=owner,
            upload=SimpleUploadedFile("detenciones.csv", csv_bytes(rows)),
            file_name="detenciones.csv")
        batch = import_batch_commit(batch=batch, actor=owner)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.rows_rejected == 1
    return batch


def _retention_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(purpose__startswith="Retención").order_by("id"))


def test_the_policy_declares_every_kind_of_data_the_issue_names():
    assert {rule.data: rule.action for rule in RULES.values()} == {
        "source_files": RetentionAction.DELETE, "rejected_rows": RetentionAction.DELETE,
        "sessions": RetentionAction.DELETE, "exports": RetentionAction.DELETE,
        "family_subscriptions": RetentionAction.ANONYMISE,
        "closed_case_entries": RetentionAction.UNPUBLISH, "audit_events": RetentionAction.KEEP}


def test_a_dry_run_lists_what_would_change_and_changes_nothing(committed_batch, media_root):
    stored = media_root / committed_batch.stored_file
    before = AuditEvent.objects.count()
    out = io.StringIO()
    with time_machine.travel(_after("rejected_rows", 1), tick=False):
        call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Simulación" in text
    assert f"source_files: se borraría 1: lote {committed_batch.pk} (detenciones.csv)" in text
    assert (f"rejected_rows: se borraría 2: lote {committed_batch.pk} "
            "(1 filas, 1 observaciones)") in text
    assert stored.exists()
    assert RejectedRow.objects.filter(batch=committed_batch).count() == 1
    assert AuditEvent.objects.count() == before


def test_the_source_file_is_kept_until_its_period_ends_then_deleted_and_audited(
        committed_batch, media_root, django_capture_on_commit_callbacks):
    stored = media_root / committed_batch.stored_file
    with time_machine.travel(_after("source_files", -1), tick=False):
        retention_apply(dry_run=False)
    assert stored.exists()
    with (time_machine.travel(_after("source_files", 1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        retention_apply(dry_run=False)
    assert not stored.exists()
    committed_batch.refresh_from_db()
    assert committed_batch.stored_file == ""
    # The records keep their provenance; the rejected rows have a longer period.
    assert committed_batch.records.filter(source_file="detenciones.csv").count() == 2
    assert RejectedRow.objects.filter(batch=committed_batch).count() == 1
    [event] = _retention_events()
    assert event.action == AuditEvent.Action.DELETE
    assert event.object_id == str(committed_batch.pk)
    assert event.details["retention_rule"] == "source_files"
    assert event.details["period_days"] == 90


def test_a_pending_batch_keeps_its_file(agency_a, owner, media_root):
    with time_machine.travel(START, tick=False):
        batch = import_batch_create(
            agency=agency_a, record_kind=RecordKind.DETENTION, actor=owner,
            upload=SimpleUploadedFile("d.csv", csv_bytes(detention_rows(1))), file_name="d.csv")
    with time_machine.travel(_after("source_files", 400), tick=False):
        retention_apply(dry_run=False)
    assert (media_root / batch.stored_file).exists()


def test_rejected_rows_are_deleted_after_a_year_and_the_batch_keeps_its_counts(
        committed_batch):
    with time_machine.travel(_after("rejected_rows", 1), tick=False):
        retention_apply(dry_run=False)
    assert not RejectedRow.objects.filter(batch=committed_batch).exists()
    committed_batch.refresh_from_db()
    assert committed_batch.rows_rejected == 1
    event = next(e for e in _retention_events() if e.details["retention_rule"] == "rejected_rows")
    assert event.details["rejected_rows"] == 1


def test_expired_sessions_are_deleted_in_one_audited_act(db):
    with time_machine.travel(START, tick=False):
        expired = SessionStore()
        expired.set_expiry(60)
        expired.create()
    live = SessionStore()
    live.set_expiry(3600)
    live.create()
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        [outcome] = [o for o in retention_apply(dry_run=False) if o.rule.data == "sessions"]
    assert outcome.count == 1
    assert set(Session.objects.values_list("session_key", flat=True)) == {live.session_key}
    [event] = [e for e in _retention_events() if e.details["retention_rule"] == "sessions"]
    assert event.details["count"] == 1
    assert expired.session_key not in str(event.details)


def test_ended_family_subscriptions_lose_their_address_and_keep_the_consent(case_a):
    with time_machine.travel(START, tick=False):
        ended = FamilySubscription.objects.create(
            case=case_a, email="madre@example.org", consent_text_version="2026-11-v1",
            unsubscribed_at=timezone.now())
        active = FamilySubscription.objects.create(
            case=case_a, email="hermano@example.org", consent_text_version="2026-11-v1")
    with time_machine.travel(_after("family_subscriptions", -1), tick=False):
        retention_apply(dry_run=False)
    ended.refresh_from_db()
    assert ended.email == "madre@example.org"
    with time_machine.travel(_after("family_subscriptions", 1), tick=False):
        retention_apply(dry_run=False)
    ended.refresh_from_db()
    active.refresh_from_db()
    assert ended.email == ""
    assert ended.consent_text_version == "2026-11-v1"
    assert active.email == "hermano@example.org"  # the case is still open


def test_subscriptions_of_a_case_closed_long_ago_are_anonymised(case_a):
    FamilySubscription.objects.create(case=case_a, email="tia@example.org",
                                      consent_text_version="2026-11-v1")
    Case.objects.filter(pk=case_a.pk).update(status=CaseStatus.FOUND_DEAD,
                                             status_changed_at=START)
    with time_machine.travel(_after("family_subscriptions", 1), tick=False):
        retention_apply(dry_run=False)
    subscription = FamilySubscription.objects.get(case=case_a)
    assert subscription.email == ""
    assert subscription.unsubscribed_at is not None


def _closed_alive(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.FOUND_ALIVE,
                                           status_changed_at=START,
                                           publication=CasePublication.PUBLISH)
    # A bulk write past the services: it syncs the published entry itself, as the
    # registry's bulk writers do (registry.published).
    published_entries_sync([case.pk])
    case.refresh_from_db()
    return case


def test_a_case_found_alive_leaves_the_public_site_after_its_period(
        client, agency_a, django_capture_on_commit_callbacks):
    """Journey: a person is found alive; six months later the entry is no longer public."""
    case = _closed_alive(factories.CaseFactory(agency=agency_a))
    still_missing = factories.CaseFactory(agency=agency_a)
    found_dead = factories.CaseFactory(agency=agency_a, status=CaseStatus.FOUND_DEAD,
                                       status_changed_at=START)
    old_key = case.public_key
    entry = reverse("public_site:entry", args=[old_key])
    surname = case.missing_report.paternal_surname
    assert client.get(entry).status_code == 200
    assert old_key in client.get(reverse("public_site:search"), {"q": surname}).content.decode()
    with time_machine.travel(_after("closed_case_entries", -1), tick=False):
        retention_apply(dry_run=False)
    assert client.get(entry).status_code == 200
    with (time_machine.travel(_after("closed_case_entries", 1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        retention_apply(dry_run=False)
    case.refresh_from_db()
    assert case.publication == CasePublication.WITHHOLD
    assert client.get(entry).status_code == 404
    assert client.get(reverse("public_site:entry", args=[case.public_key])).status_code == 404
    results = client.get(reverse("public_site:search"), {"q": surname}).content.decode()
    assert old_key not in results and case.public_key not in results
    open_data = client.get(reverse("public_site:open_data_csv"))
    assert case.public_key not in b"".join(open_data.streaming_content).decode()
    for other in (still_missing, found_dead):
        assert client.get(reverse("public_site:entry", args=[other.public_key])).status_code == 200
    decision = CasePublicationDecision.objects.get(case=case)
    assert decision.decided_by == "Registro: política de conservación"
    assert "closed_case_entries" in decision.reason
    assert AuditEvent.objects.filter(object_type="registry.case", object_id=str(case.pk),
                                     action=AuditEvent.Action.CHANGE).exists()


def test_the_family_can_ask_to_keep_the_entry_published(client, agency_a, reviewer):
    case = _closed_alive(factories.CaseFactory(agency=agency_a))
    with time_machine.travel(START + timedelta(days=3), tick=False):
        case_publication_decide(case=case, publication=CasePublication.PUBLISH,
                                decided_by="madre", reason="Quiere mantener la ficha",
                                actor=reviewer)
    case.refresh_from_db()
    with time_machine.travel(_after("closed_case_entries", 30), tick=False):
        outcomes = retention_apply(dry_run=False)
    case.refresh_from_db()
    assert case.publication == CasePublication.PUBLISH
    assert client.get(reverse("public_site:entry", args=[case.public_key])).status_code == 200
    assert next(o for o in outcomes if o.rule.data == "closed_case_entries").count == 0


def test_audit_events_are_never_removed_and_the_chain_still_verifies(committed_batch):
    before = AuditEvent.objects.count()
    older = AuditEvent.objects.filter(occurred_at__lt=START + timedelta(days=1)).count()
    assert older >= 2  # the import's events, written at START
    with time_machine.travel(_after("audit_events", 1), tick=False):
        outcomes = retention_apply(dry_run=False)
    kept = next(o for o in outcomes if o.rule.data == "audit_events")
    assert kept.count == older  # reported as past their period, and kept
    assert AuditEvent.objects.count() >= before
    assert list(audit_chain_breaks()) == []


def test_running_it_twice_changes_nothing_the_second_time(committed_batch):
    with time_machine.travel(_after("rejected_rows", 1), tick=False):
        retention_apply(dry_run=False)
        events = AuditEvent.objects.count()
        outcomes = retention_apply(dry_run=False)
    assert AuditEvent.objects.count() == events
    assert all(o.count == 0 for o in outcomes if o.rule.action != RetentionAction.KEEP)


def test_the_beat_schedule_runs_the_retention_task_every_night(
        settings, committed_batch, media_root, django_capture_on_commit_callbacks):


    entry = settings.CELERY_BEAT_SCHEDULE["retention"]
    assert entry["task"] == retention_apply_task.name
    assert entry["schedule"].hour == {3}
    with (time_machine.travel(_after("source_files", 1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        counts = retention_apply_task.delay().get()
    assert counts["source_files"] == 1
    assert not Path(media_root / committed_batch.stored_file).exists()
