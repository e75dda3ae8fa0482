"""The backup and restore drill (ops/backup_drill.py) on the test database."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection

from imports.models import ImportBatch
from ops.backup_drill import drill
from registry.audit import audit_event_record
from registry.models import AuditEvent, Record
from tests import factories
from tests.celery_worker import ROOT

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _database_url() -> str:
    settings = connection.settings_dict
    return (f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}")


@pytest.fixture
def registry_data(postgres_only, agency_a, owner):
    batch = factories.ImportBatchFactory(agency=agency_a)
    for _ in range(5):
        record = factories.RecordFactory(agency=agency_a, import_batch=batch)
        audit_event_record(actor=owner, action=AuditEvent.Action.VIEW, target=record)
    factories.CaseFactory(agency=agency_a)
    return batch


def test_the_drill_restores_everything_and_the_audit_chain_verifies(registry_data):
    report = drill(_database_url())
    assert report["ok"], report
    assert report["counts_equal"] and report["differences"] == {}
    assert report["audit_chain_ok"]
    assert report["rows"] >= Record.objects.count() + AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s",
                       [report["restored"]])
        assert cursor.fetchone()[0] == 0  # the restored copy is dropped afterwards
    assert ImportBatch.objects.filter(pk=registry_data.pk).exists()


def test_the_drill_fails_when_the_audit_chain_does_not_verify(registry_data):
    with connection.cursor() as cursor:
        # Tamper as an attacker owning the table would: the trigger switched off (a replica
        # session role no longer skips it: ENABLE ALWAYS, registry migration 0017).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE registry_auditevent DISABLE TRIGGER "
                       "registry_auditevent_no_update_delete")
        cursor.execute("UPDATE registry_auditevent SET purpose = 'cambiado' WHERE id = "
                       "(SELECT min(id) FROM registry_auditevent)")
        cursor.execute("ALTER TABLE registry_auditevent ENABLE ALWAYS TRIGGER "
                       "registry_auditevent_no_update_delete")
    report = drill(_database_url())
    assert not report["ok"]
    assert report["counts_equal"]
    assert not report["audit_chain_ok"]


def test_the_command_line_prints_the_report_and_exits_nonzero_only_on_failure(registry_data):
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "ops.backup_drill", "--database-url", _database_url()],
        cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"ok": true' in result.stdout
