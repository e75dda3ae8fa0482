"""Automatic links never chain records whose clusters conflict (CURPs, sexes)."""

from __future__ import annotations

import datetime

from matching.linkage import match_new_records
from mxnames.curp import build_curp, validate_curp
from registry.models import MatchCandidate, MatchDecision, RecordKind
from tests.matching_adapter.conftest import person_fields, record, twin_of

BIRTH = datetime.date(1990, 5, 17)


def _curp(homoclave_seed: int) -> str:
    curp = build_curp(given_names="Rosa María", paternal_surname="Quintero",
                      maternal_surname="Balderas", birth_date=BIRTH, sex="M", state_code="09",
                      homoclave_seed=homoclave_seed)
    assert validate_curp(curp)
    return curp


def test_two_valid_curps_of_different_people_are_not_chained(model_version, agency_a,
                                                             agency_police):
    first_curp, second_curp = _curp(1), _curp(2)
    assert sum(a != b for a, b in zip(first_curp, second_curp, strict=True)) >= 2
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields(curp=first_curp))
    no_curp = record(RecordKind.DETENTION, agency_police, **twin_of())
    match_new_records(record_ids=[no_curp.pk])
    report.refresh_from_db()
    assert report.person_id is not None  # same CURP-less twin: linked

    other_curp = record(RecordKind.LOCATED, agency_police, **twin_of(curp=second_curp))
    match_new_records(record_ids=[other_curp.pk])

    other_curp.refresh_from_db()
    assert other_curp.person_id is None
    held = MatchCandidate.objects.filter(decision=MatchDecision.PENDING)
    assert held.exists()
    assert all(other_curp.pk in (c.record_left_id, c.record_right_id) for c in held)


def test_a_cluster_never_holds_both_sexes(model_version, agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields(sex="M"))
    unknown_sex = record(RecordKind.DETENTION, agency_police, **twin_of(sex=""))
    match_new_records(record_ids=[unknown_sex.pk])
    report.refresh_from_db()
    unknown_sex.refresh_from_db()
    assert report.person_id == unknown_sex.person_id is not None

    man = record(RecordKind.LOCATED, agency_police, **twin_of(sex="H"))
    match_new_records(record_ids=[man.pk])

    man.refresh_from_db()
    assert man.person_id is None
    assert MatchCandidate.objects.filter(decision=MatchDecision.PENDING).exists()
