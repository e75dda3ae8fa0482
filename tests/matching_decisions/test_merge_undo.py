"""Confirming a pair merges people; rejecting is remembered; any merge or split undoes exactly."""

import pytest
from django.core.exceptions import ValidationError

from matching.models import MergeDecision
from matching.services import (
    match_candidate_confirm,
    match_candidate_mark_unsure,
    match_candidate_reject,
    merge_decision_undo,
    person_split,
)
from registry.models import AuditEvent, Case, MatchCandidate, Person, Record
from tests.factories import (
    CaseFactory,
    MatchCandidateFactory,
    PersonFactory,
    RecordFactory,
)


def _state():
    """Everything a merge may touch, as plain values."""
    return (
        sorted(Record.objects.values_list("pk", "person_id")),
        sorted(Case.objects.values_list("pk", "person_id")),
        sorted(Person.objects.values_list("pk", "merged_into_id")),
        sorted(MatchCandidate.objects.values_list("pk", "decision", "decided_by_id",
                                                  "decided_at", "decision_reason")),
    )


def test_confirming_two_loose_records_creates_one_person(reviewer):
    candidate = MatchCandidateFactory()
    decision = match_candidate_confirm(candidate=candidate, actor=reviewer, reason="misma CURP")
    candidate.refresh_from_db()
    left, right = candidate.record_left, candidate.record_right
    left.refresh_from_db()
    right.refresh_from_db()
    assert left.person_id == right.person_id == decision.person_id
    assert candidate.decision == "confirmed"
    assert candidate.decided_by == reviewer
    assert AuditEvent.objects.filter(action="merge", object_id=str(candidate.pk)).exists()


def test_confirming_merges_two_people_and_moves_records_and_cases(reviewer):
    report_person, detention_person = PersonFactory(), PersonFactory()
    case = CaseFactory(person=report_person, missing_report__person=report_person)
    sibling_record = RecordFactory(person=detention_person, kind="detention")
    detention = RecordFactory(person=detention_person, kind="detention")
    candidate = MatchCandidateFactory(record_left=case.missing_report, record_right=detention)

    decision = match_candidate_confirm(candidate=candidate, actor=reviewer, reason="huellas")

    # The person with the case survives and absorbs the other one.
    assert decision.person == report_person
    assert decision.other_person == detention_person
    assert set(report_person.records.all()) == {case.missing_report, sibling_record, detention}
    detention_person.refresh_from_db()
    assert detention_person.merged_into == report_person


def test_undoing_a_merge_restores_exactly_the_previous_state(reviewer):
    first, second = PersonFactory(), PersonFactory()
    absorbed_earlier = PersonFactory(merged_into=second)
    case = CaseFactory(person=first, missing_report__person=first)
    detention = RecordFactory(person=second, kind="detention")
    RecordFactory(person=second, kind="release_transfer")
    CaseFactory(person=second)
    candidate = MatchCandidateFactory(record_left=case.missing_report, record_right=detention)
    before = _state()

    decision = match_candidate_confirm(candidate=candidate, actor=reviewer, reason="foto")
    assert _state() != before
    absorbed_earlier.refresh_from_db()
    assert absorbed_earlier.merged_into == decision.person  # chains stay one step long

    merge_decision_undo(decision=decision, actor=reviewer, reason="era su hermano")
    assert _state() == before
    decision.refresh_from_db()
    assert decision.is_undone and decision.undone_by == reviewer


def test_undoing_a_merge_of_loose_records_deletes_the_person_it_created(reviewer):
    candidate = MatchCandidateFactory()
    before = _state()
    decision = match_candidate_confirm(candidate=candidate, actor=reviewer, reason="misma CURP")
    created = decision.person_id
    merge_decision_undo(decision=decision, actor=reviewer, reason="error")
    assert _state() == before
    assert not Person.objects.filter(pk=created).exists()


def test_an_undo_is_refused_when_a_later_decision_moved_the_same_records(reviewer):
    candidate = MatchCandidateFactory()
    first = match_candidate_confirm(candidate=candidate, actor=reviewer, reason="misma CURP")
    third = RecordFactory(kind="detention")
    later_candidate = MatchCandidateFactory(record_left=candidate.record_left, record_right=third)
    later = match_candidate_confirm(candidate=later_candidate, actor=reviewer, reason="alias")
    split = person_split(person=first.person, record_ids=[third.pk], actor=reviewer,
                         reason="otra persona")

    with pytest.raises(ValidationError):
        merge_decision_undo(decision=later, actor=reviewer, reason="error")
    merge_decision_undo(decision=split, actor=reviewer, reason="sí era")
    merge_decision_undo(decision=later, actor=reviewer, reason="error")
    merge_decision_undo(decision=first, actor=reviewer, reason="error")
    assert Record.objects.filter(person__isnull=False).count() == 0


def test_a_decision_cannot_be_undone_twice(reviewer):
    decision = match_candidate_confirm(candidate=MatchCandidateFactory(), actor=reviewer,
                                       reason="misma CURP")
    merge_decision_undo(decision=decision, actor=reviewer, reason="error")
    with pytest.raises(ValidationError):
        merge_decision_undo(decision=decision, actor=reviewer, reason="otra vez")


def test_splitting_moves_records_and_their_case_and_undo_restores(reviewer):
    person = PersonFactory()
    case = CaseFactory(person=person, missing_report__person=person)
    detention = RecordFactory(person=person, kind="detention")
    before = _state()

    decision = person_split(person=person, record_ids=[case.missing_report_id], actor=reviewer,
                            reason="no coincide la edad")
    case.refresh_from_db()
    assert case.person == decision.other_person
    assert list(person.records.all()) == [detention]
    assert AuditEvent.objects.filter(action="split", object_id=str(person.pk)).exists()

    merge_decision_undo(decision=decision, actor=reviewer, reason="sí coincide")
    assert _state() == before


def test_splitting_off_every_record_is_refused(reviewer):
    person = PersonFactory()
    record = RecordFactory(person=person)
    with pytest.raises(ValidationError):
        person_split(person=person, record_ids=[record.pk], actor=reviewer, reason="x")
    assert MergeDecision.objects.count() == 0


def test_a_rejection_is_remembered_and_cannot_be_confirmed_later(reviewer):
    candidate = MatchCandidateFactory()
    match_candidate_reject(candidate=candidate, actor=reviewer, reason="sexo distinto")
    candidate.refresh_from_db()
    assert candidate.decision == "rejected"
    assert candidate.decision_reason == "sexo distinto"
    with pytest.raises(ValidationError):
        match_candidate_confirm(candidate=candidate, actor=reviewer, reason="cambio de idea")
    assert Record.objects.filter(person__isnull=False).count() == 0


def test_not_sure_keeps_the_pair_open_for_another_reviewer(reviewer, administrator):
    candidate = MatchCandidateFactory()
    match_candidate_mark_unsure(candidate=candidate, actor=reviewer, reason="foto borrosa")
    candidate.refresh_from_db()
    assert candidate.decision == "unsure"
    match_candidate_confirm(candidate=candidate, actor=administrator, reason="tatuaje")
    candidate.refresh_from_db()
    assert candidate.decision == "confirmed"


def test_undoing_a_confirmation_after_not_sure_restores_not_sure(reviewer, administrator):
    candidate = MatchCandidateFactory()
    match_candidate_mark_unsure(candidate=candidate, actor=reviewer, reason="foto borrosa")
    before = _state()
    decision = match_candidate_confirm(candidate=candidate, actor=administrator, reason="tatuaje")
    merge_decision_undo(decision=decision, actor=administrator, reason="error")
    assert _state() == before


@pytest.mark.parametrize("service", [match_candidate_confirm, match_candidate_reject,
                                     match_candidate_mark_unsure])
def test_every_decision_needs_a_reason(reviewer, service):
    with pytest.raises(ValidationError):
        service(candidate=MatchCandidateFactory(), actor=reviewer, reason="  ")
