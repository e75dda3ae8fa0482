"""The audit log cannot be wiped or shortened unnoticed (issue 15, finding 4).

PostgreSQL refuses TRUNCATE of the log and keeps its append-only triggers whatever
``session_replication_role``; signed checkpoints of the head, in a table the
application's role may only insert into, make ``verify_audit_chain`` fail when events
are cut off the end. SQLite has neither TRUNCATE nor roles: there the checkpoints alone
detect a shortened log (the last test runs on both).
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from registry.audit import audit_checkpoint_write, audit_event_record
from registry.models import AuditCheckpoint, AuditEvent


@pytest.fixture
def events(db):
    return [audit_event_record(actor=None, action="view", object_type="registry.case",
                               object_id=str(n)) for n in range(4)]


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _refused(statement: str) -> str:
    with pytest.raises(DatabaseError) as raised, transaction.atomic():
        _sql(statement)
    return str(raised.value)


def _no_test_escape_hatch() -> None:
    # The test database lets Django's flush truncate (tests/django_fixtures.py); a real
    # one never says so. (Deferred foreign-key checks of this test's own inserts would
    # otherwise stop TRUNCATE and ALTER TABLE before the trigger is asked.)
    _sql("SET CONSTRAINTS ALL IMMEDIATE")
    _sql("SET LOCAL registry.allow_audit_truncate = 'off'")


def _switch_triggers_off(table: str) -> None:
    if connection.vendor == "postgresql":
        _sql("SET CONSTRAINTS ALL IMMEDIATE")
        _sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")


@pytest.mark.postgres_only
def test_truncate_of_the_log_is_refused(events, postgres_only):
    _no_test_escape_hatch()
    assert "TRUNCATE refused" in _refused("TRUNCATE registry_auditevent")
    assert "TRUNCATE refused" in _refused("TRUNCATE registry_user CASCADE")
    assert "TRUNCATE refused" in _refused("TRUNCATE registry_auditcheckpoint")
    assert AuditEvent.objects.count() == 4


@pytest.mark.postgres_only
def test_a_replica_session_role_does_not_switch_the_triggers_off(events, postgres_only):
    _sql("SET LOCAL session_replication_role = replica")
    assert "refused" in _refused("UPDATE registry_auditevent SET purpose = 'x'")
    assert "refused" in _refused("DELETE FROM registry_auditevent")
    assert "refused" in _refused(f"DELETE FROM registry_auditevent WHERE id = {events[-1].pk}")  # noqa: S608
    audit_checkpoint_write()
    assert "refused" in _refused("DELETE FROM registry_auditcheckpoint")


def test_events_cut_off_the_end_are_detected(events, capsys):
    audit_checkpoint_write()
    call_command("verify_audit_chain")
    assert "1 puntos de control" in capsys.readouterr().out
    # Someone who may switch the triggers off (the table's owner) deletes the last event:
    # the shorter chain itself still verifies.
    table = AuditEvent._meta.db_table
    _switch_triggers_off(table)
    _sql(f"DELETE FROM {table} WHERE id = %s", events[-1].pk)  # noqa: S608
    with pytest.raises(CommandError, match="alterada"):
        call_command("verify_audit_chain")
    assert "cut off" in capsys.readouterr().err


def test_a_wiped_log_fails_verification(events, capsys):
    audit_checkpoint_write()
    table = AuditEvent._meta.db_table
    _switch_triggers_off(table)
    _sql(f"DELETE FROM {table}")  # noqa: S608
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


def test_a_forged_or_altered_checkpoint_is_reported(events, tmp_path, settings, capsys):
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")
    audit_checkpoint_write()
    line = json.loads((tmp_path / "checkpoints.jsonl").read_text())
    assert line["last_event_id"] == events[-1].pk and line["event_count"] == 4
    call_command("verify_audit_chain", checkpoints_file=settings.AUDIT_CHECKPOINT_FILE)
    line["event_count"] = 3  # a rewritten copy no longer carries a valid signature
    forged = tmp_path / "forged.jsonl"
    forged.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", checkpoints_file=str(forged))
    assert "bad signature" in capsys.readouterr().err


@pytest.mark.postgres_only
def test_the_application_role_may_only_add_checkpoints(events, postgres_only):
    """Run the documented operator SQL for a role of its own, then act as that role."""
    from io import StringIO

    app_role = f"registry_test_app_{uuid.uuid4().hex[:8]}"
    owner_role = f"registry_test_audit_{uuid.uuid4().hex[:8]}"
    printed = StringIO()
    call_command("audit_protect_sql", app_role=app_role, owner_role=owner_role, stdout=printed)
    _sql("SET CONSTRAINTS ALL IMMEDIATE")
    _sql(f"CREATE ROLE {app_role} NOLOGIN")  # undone with the test's transaction
    _sql(f"GRANT SELECT, INSERT ON registry_auditevent TO {app_role}")
    _sql(f"GRANT USAGE ON SEQUENCE registry_auditevent_id_seq TO {app_role}")
    _sql(printed.getvalue())
    _sql(f"SET LOCAL ROLE {app_role}")

    checkpoint = audit_checkpoint_write()
    assert AuditCheckpoint.objects.filter(pk=checkpoint.pk).exists()
    assert "permission denied" in _refused("DELETE FROM registry_auditcheckpoint")
    assert "permission denied" in _refused("UPDATE registry_auditcheckpoint SET event_count = 0")
    assert "permission denied" in _refused("TRUNCATE registry_auditcheckpoint")
    assert "owner" in _refused("ALTER TABLE registry_auditcheckpoint DISABLE TRIGGER USER")
    _sql("RESET ROLE")
