"""The registry never links relatives automatically, even when a model scores them as one.

The model here is the conftest's, without its relatives class (a format-1 model,
as stored before it existed): twins with the same surnames, birth date and place
then score far above the link threshold, so only the decision rule stands
between them and a merge.
"""

from __future__ import annotations

import pytest

from matching.adapter import incremental_pairs
from matching.decisions import POSSIBLE_RELATIVES
from matching.linkage import match_new_records
from matching.models import LinkageModelVersion
from registry.models import MatchCandidate, MatchDecision, RecordKind
from tests.matching_adapter.conftest import LOWER, UPPER, person_fields, record, trained_model_json


@pytest.fixture
def two_class_version(db) -> LinkageModelVersion:
    model_json = dict(trained_model_json())
    model_json.update(format_version=1)
    for key in ("relatives", "r", "relatives_prior", "population"):
        model_json.pop(key, None)
    return LinkageModelVersion.objects.create(
        model_json=model_json, source=LinkageModelVersion.Source.RELINK, records_count=2400,
        upper_threshold=UPPER, lower_threshold=LOWER)


def test_twins_scored_above_the_threshold_go_to_review_with_the_reason(
        two_class_version, agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    sister = record(RecordKind.DETENTION, agency_police,
                    **person_fields(given_names="Ana Sofía"))
    [pair] = incremental_pairs(two_class_version, [sister.pk])
    assert pair.probability >= UPPER  # the score alone would link them

    match_new_records(record_ids=[sister.pk])

    report.refresh_from_db()
    sister.refresh_from_db()
    assert report.person_id is None or report.person_id != sister.person_id
    candidate = MatchCandidate.objects.get()
    assert candidate.decision == MatchDecision.PENDING
    assert candidate.explanation["hold"]["level"] == POSSIBLE_RELATIVES
    assert candidate.explanation["hold"]["phrase"] == (
        "posibles parientes: mismos apellidos, nombres distintos")


def test_the_same_person_is_still_linked(two_class_version, agency_a, agency_police):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    again = record(RecordKind.DETENTION, agency_police, **person_fields(given_names="Rosa Ma."))
    match_new_records(record_ids=[again.pk])
    report.refresh_from_db()
    again.refresh_from_db()
    assert report.person_id is not None and report.person_id == again.person_id
    assert "hold" not in MatchCandidate.objects.get().explanation
