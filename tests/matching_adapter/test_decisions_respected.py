"""Human decisions are respected forever, by imports and by a full relink."""

from __future__ import annotations

from django.core.management import call_command

from matching.linkage import match_new_records
from matching.models import MergeDecision
from matching.services import (
    match_candidate_confirm,
    match_candidate_reject,
    merge_decision_undo,
    person_split,
)
from registry.models import MatchCandidate, MatchDecision, RecordKind
from tests.matching_adapter.conftest import cousin_of, person_fields, record, twin_of


def _relink() -> None:
    call_command("relink", "--no-train", "--poll", "0")


def test_a_rejected_pair_is_never_linked_by_relink(model_version, agency_a, agency_police,
                                                   reviewer):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())
    candidate = MatchCandidate.objects.create(
        record_left=report, record_right=detention, match_weight=1.0, probability=0.6)
    match_candidate_reject(candidate=candidate, actor=reviewer, reason="Otra persona: huellas")

    _relink()
    match_new_records(record_ids=[detention.pk])

    candidate.refresh_from_db()
    assert candidate.decision == MatchDecision.REJECTED
    assert candidate.decided_by == reviewer
    assert candidate.probability == 0.6  # not even re-scored
    report.refresh_from_db()
    detention.refresh_from_db()
    assert report.person_id is None and detention.person_id is None


def test_a_rejected_pair_is_not_chained_through_a_third_record(model_version, agency_a,
                                                               agency_police, reviewer):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())
    candidate = MatchCandidate.objects.create(
        record_left=report, record_right=detention, match_weight=1.0, probability=0.6)
    match_candidate_reject(candidate=candidate, actor=reviewer, reason="Otra persona")
    third = record(RecordKind.LOCATED, agency_police, **twin_of())

    match_new_records(record_ids=[third.pk])

    report.refresh_from_db()
    detention.refresh_from_db()
    assert report.person_id is None or report.person_id != detention.person_id
    # One of the two links was refused and waits for a reviewer instead.
    assert MatchCandidate.objects.filter(decision=MatchDecision.PENDING).count() == 1


def test_a_confirmed_pair_is_not_proposed_again(model_version, agency_a, agency_police,
                                                reviewer):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    detention = record(RecordKind.DETENTION, agency_police, **cousin_of())
    match_new_records(record_ids=[detention.pk])
    candidate = MatchCandidate.objects.get(decision=MatchDecision.PENDING)
    match_candidate_confirm(candidate=candidate, actor=reviewer, reason="Misma persona")

    _relink()
    match_new_records(record_ids=[detention.pk])

    candidate.refresh_from_db()
    assert MatchCandidate.objects.get() == candidate
    assert candidate.decision == MatchDecision.CONFIRMED and candidate.decided_by == reviewer
    assert MergeDecision.objects.count() == 1
    report.refresh_from_db()
    detention.refresh_from_db()
    assert report.person_id == detention.person_id is not None


def test_an_undone_automatic_link_is_not_linked_again(model_version, agency_a, agency_police,
                                                      reviewer):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())
    match_new_records(record_ids=[detention.pk])
    automatic = MergeDecision.objects.get()
    merge_decision_undo(decision=automatic, actor=reviewer, reason="No es la misma persona")

    _relink()
    match_new_records(record_ids=[detention.pk])

    report.refresh_from_db()
    detention.refresh_from_db()
    assert report.person_id is None and detention.person_id is None
    candidate = MatchCandidate.objects.get()
    assert candidate.decision == MatchDecision.PENDING  # back in the queue for a human
    assert MergeDecision.objects.count() == 1


def test_a_split_is_not_undone_by_relink(model_version, agency_a, agency_police, reviewer):
    report = record(RecordKind.MISSING_REPORT, agency_a, **person_fields())
    detention = record(RecordKind.DETENTION, agency_police, **twin_of())
    match_new_records(record_ids=[detention.pk])
    report.refresh_from_db()
    person_split(person=report.person, record_ids=[detention.pk], actor=reviewer,
                 reason="Homónimo: otra fecha de detención")

    _relink()
    late_twin = record(RecordKind.LOCATED, agency_police, **twin_of())
    match_new_records(record_ids=[late_twin.pk])

    report.refresh_from_db()
    detention.refresh_from_db()
    late_twin.refresh_from_db()
    assert report.person_id != detention.person_id
    assert late_twin.person_id in (report.person_id, detention.person_id)
