"""The batch path (core batch linker + shared key index + bulk writer) decides exactly
as the one-by-one path: the same people, candidates and alerts on the same data; its
automatic links undo like a reviewer's; human decisions stand; blocks are bounded."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from demo.synthetic import generate_linkage_dataset
from imports.rollback import import_batch_rollback
from matching import keyindex
from matching.adapter import load_model
from matching.linkage import match_new_records
from matching.models import BlockingKey, MergeDecision
from matching.services import match_candidate_reject, merge_decision_undo
from registry.audit import audit_chain_breaks
from registry.models import Alert, Case, MatchCandidate, MatchDecision, Record, RecordKind
from tests import factories
from tests.imports.files import csv_bytes, detention_rows
from tests.matching_adapter.conftest import person_fields, record


class _Rollback(Exception):
    pass


def _store(agency, rows, kind: str, prefix: str) -> list[Record]:
    return Record.objects.bulk_create([Record(
        kind=kind, agency=agency, external_id=f"{prefix}-{r.record_id}",
        given_names=r.given_names, paternal_surname=r.paternal_surname,
        maternal_surname=r.maternal_surname, sex=r.sex, birth_date=r.birth_date, age=r.age,
        curp=r.curp, event_state_id=r.state_code, event_municipality_id=r.municipality_code or None,
        address=r.address, event_date=r.event_date) for r in rows])


def _snapshot() -> dict:
    """The registry's linkage outcome, named by external ids (pks differ between runs)."""
    ext = dict(Record.objects.values_list("pk", "external_id"))
    people: dict[int, set[str]] = {}
    for pk, person in Record.objects.exclude(person=None).values_list("pk", "person_id"):
        people.setdefault(person, set()).add(ext[pk])
    candidates = {(ext[a], ext[b], decision, round(probability, 6), bool(expl.get("hold")))
                  for a, b, decision, probability, expl in MatchCandidate.objects.values_list(
                      "record_left_id", "record_right_id", "decision", "probability",
                      "explanation")}
    alerts = {(ext[report], ext[rec], kind) for report, rec, kind in Alert.objects.values_list(
        "case__missing_report_id", "record_id", "kind")}
    cases = {ext[report]: frozenset(people.get(person, set()))
             for report, person in Case.objects.values_list("missing_report_id", "person_id")}
    return {"people": sorted(sorted(p) for p in people.values() if len(p) > 1),
            "candidates": candidates, "alerts": alerts, "cases": cases,
            "merges": MergeDecision.objects.filter(undone_at=None).count()}


def _run(batch: bool, new_ids: list[int]) -> dict:
    try:
        with transaction.atomic():
            match_new_records(record_ids=new_ids, batch=batch)
            snapshot = _snapshot()
            assert not list(audit_chain_breaks())
            raise _Rollback
    except _Rollback:
        pass
    return snapshot


@pytest.mark.postgres_only
def test_batch_and_one_by_one_paths_give_the_same_people_candidates_and_alerts(
        model_version, agency_a, agency_police):
    reports, detentions = generate_linkage_dataset(seed=21, n_left=260, n_right=320,
                                                   overlap=0.6)
    stored = _store(agency_a, reports, RecordKind.MISSING_REPORT, "R")
    for report in stored[:120]:
        factories.CaseFactory(agency=agency_a, missing_report=report)
    earlier = _store(agency_police, detentions[:120], RecordKind.DETENTION, "D")
    match_new_records(record_ids=[r.pk for r in earlier], batch=False)
    pending = MatchCandidate.objects.filter(decision=MatchDecision.PENDING).first()
    if pending is not None:  # a human decision the new batch must respect
        match_candidate_reject(candidate=pending, actor=None, reason="son hermanos")
    new = _store(agency_police, detentions[120:], RecordKind.DETENTION, "N")
    new_ids = [r.pk for r in new]

    one_by_one = _run(False, new_ids)
    batch = _run(True, new_ids)

    assert one_by_one["merges"] > 0 and one_by_one["alerts"]
    assert batch == one_by_one


@pytest.mark.postgres_only
def test_a_batch_link_is_undone_like_a_reviewers_and_the_case_goes_back(
        model_version, agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    case = factories.CaseFactory(agency=agency_a, missing_report=report)
    twin = record(RecordKind.DETENTION, agency_police,
                  **person_fields(event_date=datetime.date(2025, 3, 2)))

    counts = match_new_records(record_ids=[twin.pk], batch=True)

    assert counts.links == 1 and counts.alerts == 1
    case.refresh_from_db()
    report.refresh_from_db()
    assert case.person_id == report.person_id is not None
    assert Alert.objects.get().record_id == twin.pk
    merge = MergeDecision.objects.get()
    assert merge.decided_by is None and merge.after["cases"] == {str(case.pk): case.person_id}
    merge_decision_undo(decision=merge, actor=factories.UserFactory(), reason="no es ella")
    case.refresh_from_db()
    assert case.person_id is None
    assert not Record.objects.exclude(person=None).exists()
    assert MatchCandidate.objects.get().decision == MatchDecision.PENDING
    # The undone link is never made again by either path.
    match_new_records(record_ids=[twin.pk], batch=True)
    assert MatchCandidate.objects.get().decision == MatchDecision.PENDING
    assert report.history.count() >= 2  # history rows written in bulk


@pytest.mark.postgres_only
def test_the_key_index_updates_in_place(model_version, agency_a):
    rules = load_model(model_version).blocking_rules
    first = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    keyindex.keys_refresh([first.pk], rules)
    probe = {"record_id": "0", "given_names": "Rosa María", "paternal_surname": "Quintero",
             "maternal_surname": "Balderas", "birth_date": "1990-05-17", "sex": "M"}
    assert keyindex.candidate_ids([probe], rules)[0] == {first.pk}
    first.paternal_surname, first.maternal_surname = "Zúñiga", "Ñeco"
    first.given_names, first.birth_date = "Pedro", None
    first.save()
    keyindex.keys_catch_up(rules)  # a change made outside linkage, found by its stamp
    assert keyindex.candidate_ids([probe], rules)[0] == set()
    Record.objects.filter(pk=first.pk).delete()
    keyindex.keys_refresh([first.pk], rules)
    assert not BlockingKey.objects.filter(record_id=first.pk).exists()


@pytest.mark.postgres_only
def test_one_person_repeated_is_linked_in_linear_work(model_version, agency_police):
    same = person_fields(event_date=datetime.date(2025, 3, 2))
    copies = Record.objects.bulk_create([Record(
        kind=RecordKind.DETENTION, agency=agency_police, external_id=f"T-{i}",
        **{k: v for k, v in same.items() if k != "event_state"},
        event_state=same["event_state"]) for i in range(1200)])

    counts = match_new_records(record_ids=[r.pk for r in copies], batch=True)

    assert counts.capped_blocks >= 1
    assert counts.pairs <= 1200 * 8 + 100  # not 719,400
    assert Record.objects.values("person").distinct().count() == 1
    assert Record.objects.exclude(person=None).count() == 1200


def test_a_rolled_back_batch_leaves_no_keys_in_the_index(model_version, agency_a,
                                                         agency_police, import_detentions):
    record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    batch = import_detentions(agency_police, csv_bytes(detention_rows(3)))
    ids = list(Record.objects.filter(import_batch=batch).values_list("pk", flat=True))
    assert BlockingKey.objects.filter(record_id__in=ids).exists()

    import_batch_rollback(batch=batch, actor=factories.UserFactory(), reason="archivo erróneo")

    assert not BlockingKey.objects.filter(record_id__in=ids).exists()
