import pytest
from django.db import DatabaseError, connection, transaction

from registry.audit import audit_chain_breaks, audit_event_record
from registry.models import AppendOnlyError, AuditEvent


def _events(user, count=3):
    return [audit_event_record(actor=user, action="view", object_type="registry.record",
                               object_id=str(n), ip_address="10.0.0.1") for n in range(count)]


def test_events_chain_and_verify(owner):
    events = _events(owner)
    assert events[1].previous_hash == events[0].event_hash
    assert list(audit_chain_breaks()) == []


def test_an_event_cannot_be_changed_through_the_orm(owner):
    event = _events(owner, 1)[0]
    event.purpose = "otra cosa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="otra cosa")


def test_an_event_cannot_be_deleted_through_the_orm(owner):
    event = _events(owner, 1)[0]
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres_only
def test_the_database_refuses_raw_updates_and_deletes(owner, postgres_only):
    event = _events(owner, 1)[0]
    for sql in ("UPDATE registry_auditevent SET purpose = 'x' WHERE id = %s",
                "DELETE FROM registry_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])


def test_tampering_breaks_the_chain(owner):
    events = _events(owner)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Simulate an attacker with table-owner rights (rolled back with the test).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE registry_auditevent "
                           "DISABLE TRIGGER registry_auditevent_no_update_delete")
        cursor.execute("UPDATE registry_auditevent SET purpose = 'borrado' WHERE id = %s",
                       [events[1].pk])
    breaks = list(audit_chain_breaks())
    assert [b.event_id for b in breaks] == [events[1].pk]
