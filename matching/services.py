"""Review decisions on people: confirm (merge), reject, not sure; split; undo.

Writes only; the linkage that proposes pairs is ``matching.linkage``. Automatic links
(``matching.adapter.PairDecider``) go through the same ``match_candidate_confirm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import MergeDecision
from registry.audit import audit_event_record
from registry.models import AuditEvent, Case, MatchCandidate, MatchDecision, Person, Record

# --- Review decisions: confirm (merge), reject, not sure; split; undo ---------------------
#
# Merge policy (like YNR's PersonMerger, but reversible):
# 1. A confirmed pair ends up on one Person. If neither record has a person, a new
#    one is created; if one has, the other record joins it; if both have different
#    people, the one with a case (else the older one) survives and absorbs the other:
#    every record and case moves, and the absorbed person points ``merged_into`` at
#    the survivor (as do people it had absorbed earlier, so chains stay one step).
# 2. A case follows its missing report: whenever a record moves (merge, split, undo,
#    automatic link), the cases it reports move to the same person in the same step
#    (``_Snapshot.move_record``), so ``case.person`` is always its report's person.
# 3. Every row touched is written through ``save()`` so that its own history keeps
#    the previous version, and the whole move is snapshotted in a MergeDecision.
# 4. An undo restores exactly the snapshot (cases included), and refuses if a later
#    decision moved any of the same rows (undo that one first), so it can never
#    clobber newer work.


class _Snapshot:
    """Collect before/after values of the rows an operation touches, then write them."""

    def __init__(self) -> None:
        self.before: dict[str, dict[str, Any]] = {"records": {}, "cases": {}, "persons": {}}
        self.after: dict[str, dict[str, Any]] = {"records": {}, "cases": {}, "persons": {}}
        self.created_persons: list[int] = []

    def move_record(self, record: Record, person_id: int | None, reason: str) -> None:
        """Move a record to a person, and the cases it reports with it."""
        key = str(record.pk)
        self.before["records"].setdefault(key, record.person_id)
        self.after["records"][key] = person_id
        record.person_id = person_id
        record._change_reason = reason
        record.save(update_fields=["person", "updated_at"])
        reported = Case.objects.select_for_update().filter(missing_report_id=record.pk)
        for case in reported:
            if case.person_id != person_id:
                self.move_case(case, person_id, reason)

    def move_case(self, case: Case, person_id: int | None, reason: str) -> None:
        key = str(case.pk)
        self.before["cases"].setdefault(key, case.person_id)
        self.after["cases"][key] = person_id
        case.person_id = person_id
        case._change_reason = reason
        case.save(update_fields=["person", "updated_at"])

    def point_person(self, person: Person, merged_into_id: int | None, reason: str) -> None:
        key = str(person.pk)
        self.before["persons"].setdefault(key, person.merged_into_id)
        self.after["persons"][key] = merged_into_id
        person.merged_into_id = merged_into_id
        person._change_reason = reason
        person.save(update_fields=["merged_into", "updated_at"])

    def create_person(self, reason: str) -> Person:
        person = Person()
        person._change_reason = reason
        person.save()
        self.created_persons.append(person.pk)
        return person

    def payload(self) -> tuple[dict[str, Any], dict[str, Any]]:
        before = {**self.before, "created_persons": self.created_persons}
        return before, self.after


def _survivor(left: Person, right: Person) -> tuple[Person, Person]:
    """Return (survivor, absorbed): the person with a case survives, else the older one."""
    left_has_case, right_has_case = left.cases.exists(), right.cases.exists()
    if right_has_case and not left_has_case:
        return right, left
    if left_has_case and not right_has_case:
        return left, right
    return (left, right) if left.pk < right.pk else (right, left)


def _merge_records(snapshot: _Snapshot, left: Record, right: Record,
                   reason: str) -> tuple[Person, Person | None]:
    """Put both records on one person; return (resulting person, absorbed person or None)."""
    if left.person_id is None and right.person_id is None:
        person = snapshot.create_person(reason)
        snapshot.move_record(left, person.pk, reason)
        snapshot.move_record(right, person.pk, reason)
        return person, None
    if left.person_id is None or right.person_id is None:
        person = left.person if left.person_id else right.person
        loose = right if left.person_id else left
        snapshot.move_record(loose, person.pk, reason)
        return person, None
    if left.person_id == right.person_id:
        return left.person, None
    survivor, absorbed = _survivor(left.person, right.person)
    for record in Record.objects.select_for_update().filter(person=absorbed).order_by("pk"):
        snapshot.move_record(record, survivor.pk, reason)
    for case in Case.objects.select_for_update().filter(person=absorbed).order_by("pk"):
        snapshot.move_case(case, survivor.pk, reason)
    for earlier in Person.objects.select_for_update().filter(merged_into=absorbed):
        snapshot.point_person(earlier, survivor.pk, reason)
    snapshot.point_person(absorbed, survivor.pk, reason)
    return survivor, absorbed


def _candidate_state(candidate: MatchCandidate) -> dict[str, Any]:
    return {
        "decision": candidate.decision,
        "decided_by": candidate.decided_by_id,
        "decided_at": candidate.decided_at.isoformat() if candidate.decided_at else None,
        "decision_reason": candidate.decision_reason,
    }


def _decide(candidate: MatchCandidate, *, decision: str, actor: Any, reason: str) -> None:
    candidate.decision = decision
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.decision_reason = reason
    candidate._change_reason = reason
    candidate.save(update_fields=["decision", "decided_by", "decided_at", "decision_reason"])


def _lock_pending(candidate: MatchCandidate) -> MatchCandidate:
    candidate = (MatchCandidate.objects.select_for_update()
                 .select_related("record_left", "record_right").get(pk=candidate.pk))
    if candidate.decision not in (MatchDecision.PENDING, MatchDecision.UNSURE):
        raise ValidationError(_("Esta coincidencia ya fue decidida."))
    return candidate


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indique el motivo de la decisión."))
    return reason


@transaction.atomic
def match_candidate_confirm(*, candidate: MatchCandidate, actor: Any, reason: str,
                            ip_address: str | None = None) -> MergeDecision:
    """Confirm that both records are the same human: merge them into one Person.

    1. Lock the candidate (it must still be pending or "not sure") and both records.
    2. Merge (see the merge policy above), snapshotting every row it moves.
    3. Mark the candidate confirmed and store the MergeDecision; audit it.
    """
    reason = _require_reason(reason)
    candidate = _lock_pending(candidate)
    left, right = (Record.objects.select_for_update(of=("self",)).select_related("person")
                   .filter(pk__in=[candidate.record_left_id, candidate.record_right_id])
                   .order_by("pk"))
    snapshot = _Snapshot()
    candidate_before = _candidate_state(candidate)
    person, absorbed = _merge_records(snapshot, left, right, reason)
    _decide(candidate, decision=MatchDecision.CONFIRMED, actor=actor, reason=reason)
    before, after = snapshot.payload()
    before["candidate"] = candidate_before
    after["candidate"] = _candidate_state(candidate)
    decision = MergeDecision.objects.create(
        operation=MergeDecision.Operation.MERGE, match_candidate=candidate, person=person,
        other_person=absorbed,
        person_ids=sorted({person.pk, *([absorbed.pk] if absorbed else [])}),
        before=before, after=after, decided_by=actor, reason=reason,
    )
    audit_event_record(actor=actor, action=AuditEvent.Action.MERGE, target=candidate,
                       purpose=reason, ip_address=ip_address,
                       details={"merge_decision": decision.pk, "person": person.pk,
                                "absorbed": absorbed.pk if absorbed else None,
                                "records": sorted(int(k) for k in after["records"])})
    return decision


@transaction.atomic
def match_candidate_reject(*, candidate: MatchCandidate, actor: Any, reason: str,
                           ip_address: str | None = None) -> MatchCandidate:
    """Record that the two records are different people; the pair leaves the queue for good.

    The candidate row stays (unique per pair), so a later matching run cannot propose
    the same pair again.
    """
    reason = _require_reason(reason)
    candidate = _lock_pending(candidate)
    _decide(candidate, decision=MatchDecision.REJECTED, actor=actor, reason=reason)
    audit_event_record(actor=actor, action=AuditEvent.Action.DECISION, target=candidate,
                       purpose=reason, ip_address=ip_address, details={"decision": "rejected"})
    return candidate


@transaction.atomic
def match_candidate_mark_unsure(*, candidate: MatchCandidate, actor: Any, reason: str,
                                ip_address: str | None = None) -> MatchCandidate:
    """Record "not sure" with a reason; the pair stays in the queue for another reviewer."""
    reason = _require_reason(reason)
    candidate = _lock_pending(candidate)
    _decide(candidate, decision=MatchDecision.UNSURE, actor=actor, reason=reason)
    audit_event_record(actor=actor, action=AuditEvent.Action.DECISION, target=candidate,
                       purpose=reason, ip_address=ip_address, details={"decision": "unsure"})
    return candidate


@transaction.atomic
def person_split(*, person: Person, record_ids: Sequence[int], actor: Any, reason: str,
                 ip_address: str | None = None) -> MergeDecision:
    """Move some of a person's records (and the cases they report) onto a new person.

    At least one record must stay behind: splitting everything off is not a split.
    A case without a report stays with the person it was on.
    """
    reason = _require_reason(reason)
    person = Person.objects.select_for_update().get(pk=person.pk)
    records = list(Record.objects.select_for_update().filter(person=person).order_by("pk"))
    moving = [record for record in records if record.pk in set(record_ids)]
    if not moving or len(moving) != len(set(record_ids)):
        raise ValidationError(_("Elija registros que pertenezcan a esta persona."))
    if len(moving) == len(records):
        raise ValidationError(_("Al menos un registro debe quedarse con la persona."))
    snapshot = _Snapshot()
    new_person = snapshot.create_person(reason)
    for record in moving:
        snapshot.move_record(record, new_person.pk, reason)  # its cases follow
    before, after = snapshot.payload()
    decision = MergeDecision.objects.create(
        operation=MergeDecision.Operation.SPLIT, person=person, other_person=new_person,
        person_ids=sorted([person.pk, new_person.pk]), before=before, after=after,
        decided_by=actor, reason=reason,
    )
    audit_event_record(actor=actor, action=AuditEvent.Action.SPLIT, target=person,
                       purpose=reason, ip_address=ip_address,
                       details={"merge_decision": decision.pk, "new_person": new_person.pk,
                                "records": [record.pk for record in moving]})
    return decision


def _current_state(after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    def current(model, field_name: str, keys) -> dict[str, Any]:
        rows = model.objects.select_for_update().filter(pk__in=[int(k) for k in keys])
        return {str(pk): value for pk, value in rows.values_list("pk", field_name)}

    return {
        "records": current(Record, "person_id", after.get("records", {})),
        "cases": current(Case, "person_id", after.get("cases", {})),
        "persons": current(Person, "merged_into_id", after.get("persons", {})),
    }


def _assert_undoable(decision: MergeDecision) -> None:
    if decision.is_undone:
        raise ValidationError(_("Esta decisión ya fue deshecha."))
    current = _current_state(decision.after)
    for section in ("records", "cases", "persons"):
        expected = decision.after.get(section, {})
        if any(current[section].get(key, "missing") != value
               for key, value in expected.items()):
            raise ValidationError(_(
                "Una decisión posterior cambió a las mismas personas o registros; "
                "deshaga primero esa decisión."))
    candidate = decision.match_candidate
    if (candidate is not None and "candidate" in decision.after
            and candidate.decision != decision.after["candidate"]["decision"]):
        raise ValidationError(_("La coincidencia cambió después de esta decisión."))


def _restore_candidate(candidate: MatchCandidate, state: dict[str, Any], reason: str) -> None:
    candidate.decision = state["decision"]
    candidate.decided_by_id = state["decided_by"]
    candidate.decided_at = (datetime.fromisoformat(state["decided_at"])
                            if state["decided_at"] else None)
    candidate.decision_reason = state["decision_reason"]
    candidate._change_reason = reason
    candidate.save(update_fields=["decision", "decided_by", "decided_at", "decision_reason"])


@transaction.atomic
def merge_decision_undo(*, decision: MergeDecision, actor: Any, reason: str,
                        ip_address: str | None = None) -> MergeDecision:
    """Undo a merge or split, restoring exactly the state before it.

    1. Lock the decision and check that nothing later moved the same rows.
    2. Write back every record's and case's person and every person's ``merged_into``.
    3. Restore the candidate's decision (a confirmed pair goes back to the queue).
    4. Delete the people the operation created, now empty; mark the decision undone.
    """
    reason = _require_reason(reason)
    decision = MergeDecision.objects.select_for_update().get(pk=decision.pk)
    _assert_undoable(decision)
    before = decision.before
    for record in Record.objects.filter(pk__in=[int(k) for k in before["records"]]):
        record.person_id = before["records"][str(record.pk)]
        record._change_reason = reason
        record.save(update_fields=["person", "updated_at"])
    for case in Case.objects.filter(pk__in=[int(k) for k in before["cases"]]):
        case.person_id = before["cases"][str(case.pk)]
        case._change_reason = reason
        case.save(update_fields=["person", "updated_at"])
    for person in Person.objects.filter(pk__in=[int(k) for k in before["persons"]]):
        person.merged_into_id = before["persons"][str(person.pk)]
        person._change_reason = reason
        person.save(update_fields=["merged_into", "updated_at"])
    if decision.match_candidate is not None and "candidate" in before:
        _restore_candidate(decision.match_candidate, before["candidate"], reason)
    created = before.get("created_persons", [])
    if Record.objects.filter(person_id__in=created).exists() or \
            Case.objects.filter(person_id__in=created).exists():
        raise ValidationError(_("Una persona creada por esta decisión todavía tiene registros."))
    for person in Person.objects.filter(pk__in=created):
        person._change_reason = reason
        person.delete()
    decision.undone_by = actor
    decision.undone_at = timezone.now()
    decision.undo_reason = reason
    decision.save(update_fields=["undone_by", "undone_at", "undo_reason"])
    action = (AuditEvent.Action.SPLIT if decision.operation == MergeDecision.Operation.MERGE
              else AuditEvent.Action.MERGE)
    audit_event_record(actor=actor, action=action, object_type="matching.mergedecision",
                       object_id=str(decision.pk), purpose=reason, ip_address=ip_address,
                       details={"undo_of": decision.operation, "persons": decision.person_ids})
    return decision


# --- Automatic linkage: training, full re-linkage ------------------------------------------
