"""An import hands its new records to matching: links, review candidates and alerts."""

from __future__ import annotations

import logging

from matching.incremental import IncrementalIndex
from matching.linkage import match_new_records
from matching.model import LinkageModel
from matching.models import BlockingIndexState, LinkageModelVersion, MergeDecision
from registry.models import Alert, CaseStatus, MatchCandidate, MatchDecision, RecordKind
from tests import factories
from tests.imports.files import DETENTION_HEADER, csv_bytes, detention_row
from tests.matching_adapter.conftest import (
    LOWER,
    UPPER,
    cousin_of,
    person_fields,
    record,
    store_synthetic,
    trained_model_json,
    twin_of,
)


def _detention_csv(**overrides) -> bytes:
    row = detention_row(1, **{
        "NOMBRE(S)": "Rosa María", "APELLIDO PATERNO": "Quintero",
        "APELLIDO MATERNO": "Balderas", "SEXO": "Mujer", "FECHA DE NACIMIENTO": "17/05/1990",
        "ENTIDAD": "Ciudad de México", "MUNICIPIO": "Benito Juárez",
        "FECHA DE DETENCIÓN": "02/03/2025", **overrides})
    return csv_bytes([list(DETENTION_HEADER), row])


def _core(**fields) -> dict:
    fields = {**fields, "event_state_id": fields.pop("event_state").code}
    return {"record_id": "x", "given_names": fields["given_names"],
            "paternal_surname": fields["paternal_surname"],
            "maternal_surname": fields["maternal_surname"], "sex": fields["sex"],
            "birth_date": fields["birth_date"], "id_number": fields["curp"],
            "state": fields["event_state_id"], "municipality": fields["event_municipality_id"],
            "address": fields["address"], "event_date": fields["event_date"]}


def test_the_examples_fall_in_their_bands(db):
    index = IncrementalIndex(LinkageModel.from_json(trained_model_json()))
    index.add({**_core(**person_fields()), "record_id": "stored"})

    [(_, twin_probability, _)] = index.match(_core(**twin_of()), min_probability=0)
    [(_, cousin_probability, _)] = index.match(_core(**cousin_of()), min_probability=0)

    assert twin_probability >= UPPER, "the core no longer links identical people surely"
    assert LOWER <= cousin_probability < UPPER, "the review example left the review band"


def test_an_imported_detention_of_a_missing_person_is_linked_and_alerts_the_open_case(
        model_version, agency_a, agency_police, import_detentions):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    case = factories.CaseFactory(agency=agency_a, missing_report=report)

    import_detentions(agency_police, _detention_csv())

    detention = agency_police.records.get()
    report.refresh_from_db()
    assert detention.person_id is not None and detention.person_id == report.person_id
    candidate = MatchCandidate.objects.get()
    assert (candidate.record_left_id, candidate.record_right_id) == (report.pk, detention.pk)
    assert candidate.decision == MatchDecision.CONFIRMED
    assert candidate.decided_by is None
    assert candidate.decision_reason == "vinculación automática"
    assert candidate.model_version == model_version.label
    merge = MergeDecision.objects.get(match_candidate=candidate)
    assert merge.decided_by is None and not merge.is_undone
    case.refresh_from_db()
    assert case.person_id == report.person_id  # the link reached the case
    assert merge.after["cases"] == {str(case.pk): case.person_id}
    alert = Alert.objects.get()
    assert (alert.case, alert.record, alert.match_candidate) == (case, detention, candidate)


def test_a_similar_record_becomes_a_pending_candidate_with_the_cores_explanation(
        model_version, agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    factories.CaseFactory(agency=agency_a, missing_report=report)
    detention = record(RecordKind.DETENTION, agency_police, **cousin_of())

    match_new_records(record_ids=[detention.pk])

    candidate = MatchCandidate.objects.get()
    assert candidate.decision == MatchDecision.PENDING
    assert LOWER <= candidate.probability < UPPER
    assert {"given_names", "birth_date"} <= set(candidate.explanation)
    assert set(candidate.explanation["birth_date"]) == {"level", "weight", "phrase"}
    assert candidate.explanation["given_names"]["phrase"]  # the reviewer reads it in words
    assert candidate.model_version == model_version.label
    report.refresh_from_db()
    detention.refresh_from_db()
    assert report.person_id is None and detention.person_id is None
    # A pending candidate also alerts the case: the prosecutor should look now.
    assert Alert.objects.get().record == detention


def test_a_closed_case_is_not_alerted(model_version, agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    factories.CaseFactory(agency=agency_a, missing_report=report,
                          status=CaseStatus.FOUND_ALIVE)
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())

    match_new_records(record_ids=[detention.pk])

    assert MatchCandidate.objects.filter(decision=MatchDecision.CONFIRMED).count() == 1
    assert not Alert.objects.exists()


def test_two_missing_reports_of_one_person_link_without_an_alert(model_version, agency_a):
    first = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    factories.CaseFactory(agency=agency_a, missing_report=first)
    second = record(RecordKind.MISSING_REPORT, agency_a, **twin_of())

    match_new_records(record_ids=[second.pk])

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.person_id == second.person_id is not None
    assert not Alert.objects.exists()


def test_records_of_one_batch_are_matched_with_each_other(model_version, agency_police):
    one = record(RecordKind.DETENTION, agency_police, **person_fields())
    other = record(RecordKind.DETENTION, agency_police, **twin_of())

    match_new_records(record_ids=[one.pk, other.pk])

    assert MatchCandidate.objects.count() == 1
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.person_id == other.person_id is not None


def test_a_record_added_after_the_index_was_built_is_found(model_version, agency_a,
                                                             agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    match_new_records(record_ids=[report.pk])  # builds the key index, once
    built = BlockingIndexState.objects.get().built_at
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())

    match_new_records(record_ids=[detention.pk])

    assert BlockingIndexState.objects.get().built_at == built  # updated in place
    detention.refresh_from_db()
    assert detention.person_id is not None


def test_a_corrected_record_is_rekeyed_in_place_and_matches_with_its_new_values(
        model_version, agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    stranger = record(RecordKind.DETENTION, agency_police,
                      **person_fields(given_names="Brenda", paternal_surname="Ortega",
                                      maternal_surname="Salas"))
    match_new_records(record_ids=[stranger.pk])
    assert not MatchCandidate.objects.exists()
    built = BlockingIndexState.objects.get().built_at

    stranger.given_names, stranger.paternal_surname = "Rosa María", "Quintero"
    stranger.maternal_surname = "Balderas"
    stranger.save()
    match_new_records(record_ids=[stranger.pk])

    assert BlockingIndexState.objects.get().built_at == built  # no rebuild
    report.refresh_from_db()
    stranger.refresh_from_db()
    assert report.person_id == stranger.person_id is not None


def test_without_a_model_and_with_too_few_records_nothing_happens_and_the_log_says_so(
        db, agency_a, agency_police, caplog):
    record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())

    with caplog.at_level(logging.INFO, logger="matching"):
        match_new_records(record_ids=[detention.pk])

    assert not MatchCandidate.objects.exists()
    assert not LinkageModelVersion.objects.exists()
    assert "needed to train a model; not trained" in caplog.text


def test_a_fresh_registry_trains_its_first_model_once_it_has_enough_records(
        db, settings, agency_a, agency_police):
    settings.MATCHING_MIN_TRAINING_RECORDS = 500
    store_synthetic(agency_a, 600)
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())

    match_new_records(record_ids=[detention.pk])

    version = LinkageModelVersion.objects.get()
    assert version.source == LinkageModelVersion.Source.BOOTSTRAP
    assert version.records_count == 602
    candidate = MatchCandidate.objects.get(record_left=report, record_right=detention)
    assert candidate.model_version == version.label
