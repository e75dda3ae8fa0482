from registry.services import record_correct, record_restore_version
from tests.factories import RecordFactory


def test_correction_keeps_the_previous_version(owner, agency_a):
    record = RecordFactory(agency=agency_a, given_names="Jose Luis", paternal_surname="Peres")

    record_correct(record=record, changes={"given_names": "José Luis", "paternal_surname": "Pérez"},
                   actor=owner, reason="Ortografía según acta de nacimiento")

    versions = list(record.history.order_by("history_date"))
    assert [v.given_names for v in versions] == ["Jose Luis", "José Luis"]
    assert versions[-1].history_change_reason == "Ortografía según acta de nacimiento"
    record.refresh_from_db()
    assert record.name_search.startswith("jose luis perez")


def test_a_correction_that_changes_nothing_adds_no_version(owner, agency_a):
    record = RecordFactory(agency=agency_a, given_names="Guadalupe")
    record_correct(record=record, changes={"given_names": "Guadalupe"}, actor=owner, reason="")
    assert record.history.count() == 1


def test_an_earlier_version_can_be_restored(owner, agency_a):
    record = RecordFactory(agency=agency_a, given_names="María de los Ángeles")
    original = record.history.get()
    record_correct(record=record, changes={"given_names": "Ma. Angeles"}, actor=owner,
                   reason="captura")

    restored = record_restore_version(record=record, history_id=original.history_id,
                                      actor=owner, reason="La corrección fue un error")

    restored.refresh_from_db()
    assert restored.given_names == "María de los Ángeles"
    assert record.history.count() == 3  # restoring is itself a new version
