"""Rolling back a batch: created records disappear, changed ones return, all audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from imports.models import ImportBatch
from imports.rollback import import_batch_rollback
from registry.models import AuditEvent, Record
from registry.services import record_correct
from tests.factories import CaseFactory
from tests.imports.files import csv_bytes, detention_row, detention_rows


def test_rollback_removes_created_and_restores_updated_records(import_file, agency_a, owner):
    import_file(agency_a, csv_bytes(detention_rows(2)))
    rows = [*detention_rows(1), detention_row(2, **{"AUTORIDAD": "Guardia Nacional"}),
            detention_row(3)]
    second = import_file(agency_a, csv_bytes(rows), "segundo.csv")

    import_batch_rollback(batch=second, actor=owner, reason="Archivo equivocado")

    assert sorted(Record.objects.filter(agency=agency_a).values_list("external_id", flat=True)) \
        == ["DET-000001", "DET-000002"]
    restored = Record.objects.get(external_id="DET-000002")
    assert restored.authority == "Policía Estatal"
    assert restored.import_batch_id != second.pk
    assert [v.history_type for v in restored.history.order_by("history_id")] == ["+", "~", "~"]
    assert Record.history.filter(external_id="DET-000003", history_type="-").exists()
    second.refresh_from_db()
    assert second.status == ImportBatch.Status.ROLLED_BACK and second.rolled_back_by == owner
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ROLLBACK).get()
    assert event.object_id == str(second.pk) and event.purpose == "Archivo equivocado"
    assert event.details == {"deleted": 1, "restored": 1, "cases_deleted": 0}


def test_rollback_is_refused_when_a_record_changed_afterwards(import_file, agency_a, owner):
    batch = import_file(agency_a, csv_bytes(detention_rows(1)))
    record_correct(record=Record.objects.get(), changes={"given_names": "José"}, actor=owner,
                   reason="acta")

    with pytest.raises(ValidationError, match="cambiaron después"):
        import_batch_rollback(batch=batch, actor=owner)
    assert Record.objects.count() == 1


def test_rollback_is_refused_for_a_record_that_opened_a_case(import_file, agency_a, owner):
    batch = import_file(agency_a, csv_bytes(detention_rows(1)))
    CaseFactory(agency=agency_a, missing_report=Record.objects.get())

    with pytest.raises(ValidationError, match="caso"):
        import_batch_rollback(batch=batch, actor=owner)
    assert Record.objects.filter(agency=agency_a).count() == 1


def test_a_batch_can_be_rolled_back_only_once(import_file, agency_a, owner):
    batch = import_file(agency_a, csv_bytes(detention_rows(1)))
    import_batch_rollback(batch=batch, actor=owner)

    with pytest.raises(ValidationError):
        import_batch_rollback(batch=batch, actor=owner)


def test_after_rollback_the_same_file_can_be_imported_again(import_file, agency_a, owner):
    content = csv_bytes(detention_rows(2))
    import_batch_rollback(batch=import_file(agency_a, content), actor=owner)

    again = import_file(agency_a, content)

    assert again.rows_created == 2


def test_a_link_made_by_matching_does_not_block_the_rollback(import_file, agency_a, owner):
    from tests.factories import PersonFactory

    import_file(agency_a, csv_bytes(detention_rows(1)))
    second = import_file(agency_a, csv_bytes(
        [*detention_rows(1)[:1], detention_row(1, **{"AUTORIDAD": "Guardia Nacional"}),
         detention_row(2)]))
    person = PersonFactory()
    for record in Record.objects.filter(agency=agency_a):  # as matching links them
        record.person = person
        record.save(update_fields=["person", "updated_at"])

    import_batch_rollback(batch=second, actor=owner)

    kept = Record.objects.get(agency=agency_a)
    assert kept.external_id == "DET-000001" and kept.authority == "Policía Estatal"
    assert kept.person == person
