"""``manage.py verify_audit_chain`` passes an intact log and names each tampered event."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from registry.audit import audit_event_record
from registry.models import AppendOnlyError, AuditEvent


@pytest.fixture
def three_events(reviewer):
    return [audit_event_record(actor=reviewer, action="view", object_type="registry.case",
                               object_id=str(n)) for n in range(3)]


def test_an_intact_chain_verifies(three_events, capsys):
    call_command("verify_audit_chain")
    # The three above, and the grants that made the reviewer (role, case assignment).
    assert AuditEvent.objects.count() == 5
    assert "5 eventos verificados" in capsys.readouterr().out


def test_the_orm_refuses_to_edit_or_delete(three_events):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=three_events[0].pk).update(purpose="x")
    with pytest.raises(AppendOnlyError):
        three_events[0].delete()


def _tamper(event_id: int) -> None:
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only the table's owner can switch the trigger off (a replica session role no
            # longer does: ENABLE ALWAYS); an attacker with that much access is exactly who
            # the hash chain is for. Undone with the test's transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks in the way
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(f"UPDATE {table} SET purpose = %s WHERE id = %s",  # noqa: S608
                       ["borrado", event_id])


def test_a_tampered_event_is_reported(three_events, capsys):
    _tamper(three_events[1].pk)
    with pytest.raises(CommandError, match="1 ruptura"):
        call_command("verify_audit_chain")
    assert f"evento {three_events[1].pk}" in capsys.readouterr().err


@pytest.mark.postgres_only
def test_postgresql_refuses_raw_updates(three_events, postgres_only):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE registry_auditevent SET purpose = 'x'")
