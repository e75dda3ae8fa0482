"""Linking a whole batch: the core's batch linker, outcomes written in bulk.

``batch_pairs``: the new records against the stored records that share a blocking key
with them (``matching.keyindex``, the index in the database) and against each other,
scored by the core's batch path (``Linker.link`` / ``Linker.dedupe`` with the trained
model; bounded blocks). ``BulkDecider`` then applies the pairs with exactly the policy
of ``adapter.PairDecider`` (its docstring), computed in memory, and writes the result
a chunk of independent components per transaction: people, record and case moves,
history rows, candidates, merge decisions (each automatic link its own, undoable like
a reviewer's), alerts and audit events.

Why the same result as one pair at a time: a pair's outcome depends only on the two
clusters it joins, and pairs of different connected components (records of the pairs
and every record of their people) never meet, so each component is decided alone,
its pairs strongest first, as ``PairDecider`` orders them.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching.adapter import (
    _CORE_COLUMNS,
    ALERT_KINDS,
    SYSTEM_LINK_REASON,
    LinkageCounts,
    ScoredPair,
    _core_from_row,
    _weight_of,
    core_records,
    load_model,
)
from matching.clustering import curps_conflict
from matching.decisions import CURP_CONFLICT, SEX_CONFLICT, Identity, hold_reason
from matching.incremental import IncrementalIndex
from matching.keyindex import CandidateReport, candidate_ids, keys_catch_up, keys_refresh
from matching.linker import HOLD, Linker, LinkResult, explain
from matching.models import LinkageModelVersion, MergeDecision
from matching.phrases import with_phrases
from mxnames.curp import clean_curp, validate_curp
from registry.audit import audit_events_record_many
from registry.history import history_snapshot_insert
from registry.models import (
    Alert,
    AuditEvent,
    Case,
    MatchCandidate,
    MatchDecision,
    Person,
    Record,
    RecordKind,
)

logger = logging.getLogger("matching")

NEW_CHUNK = 20_000  # new records looked up in the key index at a time
COMPONENTS_PER_TRANSACTION = 500

Progress = Callable[[str, int, int], None]


@dataclass
class BatchPairs:
    pairs: list[ScoredPair]
    candidates: CandidateReport
    capped_blocks: int = 0
    largest_block: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _scored(result: LinkResult, *, dedupe: bool) -> Iterable[ScoredPair]:
    scored, model = result.scored, result.model
    for row in range(len(scored.probability)):
        lrow, rrow = int(scored.left_rows[row]), int(scored.right_rows[row])
        first, second = int(result.left.record_ids[lrow]), int(result.right.record_ids[rrow])
        if first == second:
            continue
        # The hold of the pair alone, as the incremental index says it (the batch
        # clustering's own constraints are the decider's job here).
        hold = hold_reason(Identity.of_row(result.left, lrow),
                           Identity.of_row(result.right, rrow), model)
        yield ScoredPair.of(first, second, scored.probability[row], scored.total_weight[row],
                            explain(model, scored, row, hold=hold))


def batch_pairs(version: LinkageModelVersion, record_ids: Sequence[int], *,
                progress: Progress | None = None, refresh_keys: bool = True) -> BatchPairs:
    """Score the new records against the stored ones and each other (the batch path).

    ``refresh_keys=False`` (relink: the records are stored and keyed already) leaves
    the records' keys as they are.
    """
    model = load_model(version)
    rules = model.blocking_rules
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    new_ids = sorted({int(pk) for pk in record_ids})
    # Edits made elsewhere, but not the new records: they are keyed after the look-up.
    keys_catch_up(rules, skip=new_ids if refresh_keys else ())
    new_cores = list(core_records(Record.objects.filter(pk__in=new_ids)))
    stored: set[int] = set()
    report = CandidateReport()
    for start in range(0, len(new_cores), NEW_CHUNK):
        found, part = candidate_ids(new_cores[start:start + NEW_CHUNK], rules)
        stored |= found
        report.keys += part.keys
        report.capped_blocks += part.capped_blocks
        report.largest_block = max(report.largest_block, part.largest_block)
        if progress:
            progress("blocking", min(start + NEW_CHUNK, len(new_cores)), len(new_cores))
    stored.difference_update(new_ids)
    report.candidates = len(stored)
    # The new records' own keys go in after the look-up, so a window of an oversized
    # block shows stored neighbours, not the batch itself (it meets itself below).
    if refresh_keys:
        keys_refresh(new_ids, rules)
    timings["index"] = time.perf_counter() - clock
    clock = time.perf_counter()
    stored_cores: list[dict[str, Any]] = []
    ordered = sorted(stored)
    for start in range(0, len(ordered), 20_000):
        stored_cores.extend(core_records(Record.objects.filter(
            pk__in=ordered[start:start + 20_000])))
    timings["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    linker = Linker(model, retrain=False, cluster=False)  # the decider clusters
    best: dict[tuple[int, int], ScoredPair] = {}
    capped, largest = report.capped_blocks, report.largest_block
    runs = []
    if stored_cores and new_cores:
        runs.append((linker.link(new_cores, stored_cores), False))
    if len(new_cores) >= 2:
        runs.append((linker.dedupe(new_cores), True))
    for result, dedupe in runs:
        capped += result.blocking.capped_blocks
        largest = max(largest, *(result.blocking.largest_block_per_rule or [0]))
        for pair in _scored(result, dedupe=dedupe):
            key = (pair.left_id, pair.right_id)
            if key not in best or best[key].probability < pair.probability:
                best[key] = pair
    timings["score"] = time.perf_counter() - clock
    if progress:
        progress("scoring", len(new_cores), len(new_cores))
    return BatchPairs(list(best.values()), report, capped, largest, timings)


def indexed_pairs(version: LinkageModelVersion, record_ids: Sequence[int]) -> list[ScoredPair]:
    """Score each record against the stored ones that share a key with it (one by one).

    The one-by-one path: candidates from the key index in the database (no per-process
    index to build or rebuild), then the core's ``IncrementalIndex`` over just those.
    The records' own keys go in first, so records of one call find each other.
    """
    model = load_model(version)
    rules = model.blocking_rules
    keys_catch_up(rules)
    ids = sorted({int(pk) for pk in record_ids})
    keys_refresh(ids, rules)
    best: dict[tuple[int, int], ScoredPair] = {}
    for core in core_records(Record.objects.filter(pk__in=ids)):
        own_id = int(core["record_id"])
        found, _ = candidate_ids([core], rules)
        found.discard(own_id)
        if not found:
            continue
        index = IncrementalIndex(model)
        index.add_many(core_records(Record.objects.filter(pk__in=sorted(found))))
        for other_id, probability, explanation in index.match(core):
            pair = ScoredPair.of(own_id, int(other_id), probability,
                                 _weight_of(model, probability, explanation), explanation)
            key = (pair.left_id, pair.right_id)
            if key not in best or best[key].probability < pair.probability:
                best[key] = pair
    return list(best.values())


# --- Applying pairs in bulk ------------------------------------------------------------------

class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, item: Any) -> Any:
        parent = self.parent.setdefault(item, item)
        while parent != item:
            grand = self.parent.setdefault(parent, parent)
            self.parent[item] = grand
            item, parent = parent, grand
        return item

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


@dataclass
class _World:
    """What the policy reads, loaded once for the pairs' records and their people."""

    kinds: dict[int, str]
    record_person: dict[int, int | None]
    identity: dict[int, Identity]
    curp: dict[int, str]
    sex: dict[int, str]
    person_records: dict[int, set[int]]
    person_cases: dict[int, set[int]]  # cases on each person
    case_person: dict[int, int | None]
    report_cases: dict[int, list[int]]  # missing report -> cases it reports
    merged_into: dict[int, int | None]  # people pointing at involved people
    pointed_by: dict[int, set[int]]
    open_cases: dict[int, int]  # missing report -> open case
    candidates: dict[tuple[int, int], MatchCandidate]
    undone_candidates: set[int]
    rejected: set[tuple[int, int]]  # pairs rejected by a reviewer
    undone_links: set[tuple[int, int]]  # pairs whose link was undone
    splits: list[tuple[int, int, set[int]]]  # (kept person, new person, moved records)
    alerts: set[tuple[int, int]]
    # Record -> records a human separated it from (rejected pairs, undone links).
    separated_from: dict[int, set[int]] = field(default_factory=dict)


def _chunks(values: Sequence[Any], size: int = 5000) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _load_world(pairs: list[ScoredPair]) -> _World:
    ids = sorted({pk for p in pairs for pk in (p.left_id, p.right_id)})
    kinds, person_of = {}, {}
    for chunk in _chunks(ids):
        for pk, kind, person_id in Record.objects.filter(pk__in=chunk).values_list(
                "pk", "kind", "person_id"):
            kinds[pk], person_of[pk] = kind, person_id
    persons = sorted({p for p in person_of.values() if p})
    world = _World(kinds, {}, {}, {}, {}, defaultdict(set), defaultdict(set), {},
                   defaultdict(list), {}, defaultdict(set), {}, {}, set(), set(), set(), [],
                   set())
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(persons):
        rows.extend(Record.objects.filter(person_id__in=chunk).values(*_CORE_COLUMNS,
                                                                      "person_id", "kind"))
    loose = [pk for pk in ids if not person_of.get(pk)]
    for chunk in _chunks(loose):
        rows.extend(Record.objects.filter(pk__in=chunk).values(*_CORE_COLUMNS, "person_id",
                                                               "kind"))
    for row in rows:
        pk = row["pk"]
        world.kinds[pk] = row["kind"]
        world.record_person[pk] = row["person_id"]
        if row["person_id"]:
            world.person_records[row["person_id"]].add(pk)
        curp = clean_curp(row["curp"] or "")
        world.curp[pk] = curp if curp and validate_curp(curp) else ""
        world.sex[pk] = row["sex"] if row["sex"] in ("H", "M") else ""
        world.identity[pk] = Identity.of_record(_core_from_row(row))
    universe = sorted(world.record_person)
    for chunk in _chunks(persons):
        for pk, person_id in Case.objects.filter(person_id__in=chunk).values_list(
                "pk", "person_id"):
            world.person_cases[person_id].add(pk)
            world.case_person[pk] = person_id
    for chunk in _chunks(universe):
        for pk, person_id, report_id in Case.objects.filter(
                missing_report_id__in=chunk).values_list("pk", "person_id", "missing_report_id"):
            world.report_cases[report_id].append(pk)
            world.case_person[pk] = person_id
            if person_id:
                world.person_cases[person_id].add(pk)
        world.open_cases.update(Case.objects.open().filter(missing_report_id__in=chunk)
                                .values_list("missing_report_id", "pk"))
    for chunk in _chunks(persons):
        for pk, target in Person.objects.filter(merged_into_id__in=chunk).values_list(
                "pk", "merged_into_id"):
            world.merged_into[pk] = target
            world.pointed_by[target].add(pk)
    lefts = sorted({p.left_id for p in pairs})
    for chunk in _chunks(lefts, 500):
        for candidate in MatchCandidate.objects.filter(record_left_id__in=chunk):
            world.candidates[(candidate.record_left_id, candidate.record_right_id)] = candidate
    # Human separations anywhere inside the universe (clusters only grow within it).
    in_universe = set(universe)
    for chunk in _chunks(universe, 2000):
        across = Q(record_left_id__in=chunk) | Q(record_right_id__in=chunk)
        for left, right in MatchCandidate.objects.filter(
                across, decision=MatchDecision.REJECTED).values_list(
                "record_left_id", "record_right_id"):
            if left in in_universe and right in in_universe:
                world.rejected.add((left, right))
        for left, right, candidate_id in MergeDecision.objects.filter(
                Q(match_candidate__record_left_id__in=chunk)
                | Q(match_candidate__record_right_id__in=chunk),
                operation=MergeDecision.Operation.MERGE, undone_at__isnull=False,
        ).values_list("match_candidate__record_left_id", "match_candidate__record_right_id",
                      "match_candidate_id"):
            world.undone_candidates.add(candidate_id)
            if left in in_universe and right in in_universe:
                world.undone_links.add((left, right))
    for left, right in world.rejected | world.undone_links:
        world.separated_from.setdefault(left, set()).add(right)
        world.separated_from.setdefault(right, set()).add(left)
    related = sorted(set(persons) | set(world.merged_into))
    for chunk in _chunks(related):
        for kept, new, after in MergeDecision.objects.filter(
                Q(person__in=chunk) | Q(other_person__in=chunk),
                operation=MergeDecision.Operation.SPLIT, undone_at__isnull=True,
        ).values_list("person_id", "other_person_id", "after"):
            world.splits.append((kept, new, {int(pk) for pk in after.get("records", {})}))
    open_case_ids = sorted(world.open_cases.values())
    for chunk in _chunks(open_case_ids):
        world.alerts.update(Alert.objects.filter(case_id__in=chunk).values_list("case_id",
                                                                                "record_id"))
    return world


@dataclass
class _Outcome:
    """What one component's decisions write."""

    new_persons: list[int] = field(default_factory=list)  # placeholders (negative)
    record_moves: dict[int, int] = field(default_factory=dict)
    case_moves: dict[int, int] = field(default_factory=dict)
    person_points: dict[int, int] = field(default_factory=dict)
    candidates_new: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    candidates_changed: dict[int, dict[str, Any]] = field(default_factory=dict)
    merges: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[tuple[int, int, tuple[int, int], str]] = field(default_factory=list)


class BulkDecider:
    """``PairDecider``'s policy computed in memory, written in bulk (see the module)."""

    def __init__(self, version: LinkageModelVersion, *,
                 progress: Progress | None = None) -> None:
        self.version = version
        self.model = load_model(version)
        self.upper, self.lower = self.model.upper_threshold, self.model.lower_threshold
        self.counts = LinkageCounts()
        self.progress = progress
        self._placeholder = 0
        self._person_identities: dict[int, dict[Identity, None]] = {}

    def apply(self, pairs: Iterable[ScoredPair]) -> LinkageCounts:
        pairs = sorted((p for p in pairs if p.probability >= self.lower),
                       key=lambda p: (-p.match_weight, p.left_id, p.right_id))
        if not pairs:
            return self.counts
        world = _load_world(pairs)
        self.world = world
        components = self._components(pairs, world)
        done = 0
        for start in range(0, len(components), COMPONENTS_PER_TRANSACTION):
            group = components[start:start + COMPONENTS_PER_TRANSACTION]
            outcome = _Outcome()
            for component in group:
                for pair in component:
                    self._decide(pair, outcome)
            with transaction.atomic():
                self._write(outcome)
            done += sum(len(c) for c in group)
            if self.progress:
                self.progress("writing", done, len(pairs))
        return self.counts

    def _components(self, pairs: list[ScoredPair], world: _World) -> list[list[ScoredPair]]:
        union = _UnionFind()
        for person, records in world.person_records.items():
            for pk in records:
                union.union(("p", person), pk)
        for pair in pairs:
            union.union(pair.left_id, pair.right_id)
        groups: dict[Any, list[ScoredPair]] = defaultdict(list)
        for pair in pairs:  # already strongest first: each group keeps that order
            groups[union.find(pair.left_id)].append(pair)
        return list(groups.values())

    # --- the policy (PairDecider._apply_one, in memory) ---

    def _decide(self, pair: ScoredPair, out: _Outcome) -> None:
        world = self.world
        if pair.left_id not in world.kinds or pair.right_id not in world.kinds:
            return
        self.counts.pairs += 1
        key = (pair.left_id, pair.right_id)
        candidate = world.candidates.get(key)
        if candidate is not None and candidate.decision != MatchDecision.PENDING:
            self.counts.left_alone += 1
            return
        left_person = world.record_person.get(pair.left_id)
        if left_person is not None and left_person == world.record_person.get(pair.right_id):
            return
        values = {"match_weight": pair.match_weight, "probability": pair.probability,
                  "explanation": pair.explanation, "model_version": self.version.label}
        is_new = candidate is None and key not in out.candidates_new
        if candidate is None:
            state = out.candidates_new.setdefault(key, {**values,
                                                        "decision": MatchDecision.PENDING})
        else:
            state = out.candidates_changed.setdefault(candidate.pk, {
                "decision": candidate.decision, "explanation": candidate.explanation,
                "match_weight": candidate.match_weight, "probability": candidate.probability,
                "model_version": candidate.model_version})
            state.update(values)
        linked = False
        if pair.probability >= self.upper:
            refusal = self._refusal(pair)
            if refusal is not None and refusal != "separated":
                explanation = dict(state["explanation"] or {})
                if explanation.get(HOLD, {}).get("level") != refusal:
                    explanation[HOLD] = with_phrases({HOLD: {"level": refusal,
                                                             "weight": 0.0}})[HOLD]
                    state["explanation"] = explanation
            undone = candidate is not None and candidate.pk in world.undone_candidates
            if undone or refusal is not None:
                self.counts.held_for_review += 1
            else:
                self._link(pair, state, candidate, out)
                linked = True
        if linked:
            self.counts.links += 1
        elif is_new:
            self.counts.candidates += 1
        self._alert(pair, key, out)

    def _cluster(self, record_id: int) -> tuple[int | None, set[int]]:
        person = self.world.record_person.get(record_id)
        if person:
            return person, set(self.world.person_records[person])
        return None, {record_id}

    def _identities(self, person: int | None, records: set[int]) -> dict[Identity, None]:
        """Return the cluster's distinct identities (kept per person as records join)."""
        if person is None:
            return dict.fromkeys(self.world.identity[pk] for pk in sorted(records))
        found = self._person_identities.get(person)
        if found is None:
            found = self._person_identities[person] = dict.fromkeys(
                self.world.identity[pk] for pk in sorted(records))
        return found

    def _related(self, person: int | None) -> set[int]:
        if not person:
            return set()
        return {person, *self.world.pointed_by.get(person, ())}

    def _refusal(self, pair: ScoredPair) -> str | None:
        world = self.world
        first_person, first = self._cluster(pair.left_id)
        second_person, second = self._cluster(pair.right_id)
        sexes = {world.sex[pk] for pk in first | second if world.sex.get(pk)}
        if len(sexes) > 1:
            return SEX_CONFLICT
        curps_a = {world.curp[pk] for pk in first if world.curp.get(pk)}
        curps_b = {world.curp[pk] for pk in second if world.curp.get(pk)}
        if any(curps_conflict(x, y) for x in curps_a for y in curps_b):
            return CURP_CONFLICT
        # The rules read identities: a person's identical records are compared once (a
        # transfer log repeating one person a thousand times stays linear).
        identities_a = self._identities(first_person, first)
        identities_b = self._identities(second_person, second)
        for a in identities_a:
            for b in identities_b:
                reason = hold_reason(a, b, self.model)
                if reason is not None:
                    return reason
        if world.separated_from:
            for a in first:
                if world.separated_from.get(a, set()) & second:
                    return "separated"
        related_a, related_b = self._related(first_person), self._related(second_person)
        for kept, new, moved in world.splits:
            def kept_side(related: set[int], kept: int = kept) -> bool:
                return kept in related

            def moved_side(records: set[int], related: set[int], moved: set[int] = moved,
                           new: int = new) -> bool:
                return bool(records & moved) or new in related

            if (kept_side(related_a) and moved_side(second, related_b)) or \
                    (kept_side(related_b) and moved_side(first, related_a)):
                return "separated"
        return None

    def _new_person(self, out: _Outcome) -> int:
        self._placeholder -= 1
        out.new_persons.append(self._placeholder)
        return self._placeholder

    def _link(self, pair: ScoredPair, state: dict[str, Any], candidate: MatchCandidate | None,
              out: _Outcome) -> None:
        """``match_candidate_confirm`` in memory: move, snapshot, decide."""
        world = self.world
        now = timezone.now()
        before: dict[str, Any] = {"records": {}, "cases": {}, "persons": {}}
        after: dict[str, Any] = {"records": {}, "cases": {}, "persons": {}}
        created: list[int] = []

        def move_record(pk: int, person: int) -> None:
            old = world.record_person.get(pk)
            before["records"].setdefault(str(pk), old)
            after["records"][str(pk)] = person
            if old:
                world.person_records[old].discard(pk)
                self._person_identities.pop(old, None)  # only an absorbed person loses one
            world.record_person[pk] = person
            world.person_records[person].add(pk)
            known = self._person_identities.get(person)
            if known is not None:
                known.setdefault(world.identity[pk])
            out.record_moves[pk] = person
            for case in world.report_cases.get(pk, ()):
                if world.case_person.get(case) != person:
                    move_case(case, person)

        def move_case(case: int, person: int) -> None:
            old = world.case_person.get(case)
            before["cases"].setdefault(str(case), old)
            after["cases"][str(case)] = person
            if old:
                world.person_cases[old].discard(case)
            world.case_person[case] = person
            world.person_cases[person].add(case)
            out.case_moves[case] = person

        def point(person: int, target: int) -> None:
            old = world.merged_into.get(person)
            before["persons"].setdefault(str(person), old)
            after["persons"][str(person)] = target
            if old:
                world.pointed_by[old].discard(person)
            world.merged_into[person] = target
            world.pointed_by[target].add(person)
            out.person_points[person] = target

        left_person = world.record_person.get(pair.left_id)
        right_person = world.record_person.get(pair.right_id)
        absorbed = None
        if left_person is None and right_person is None:
            person = self._new_person(out)
            created.append(person)
            move_record(pair.left_id, person)
            move_record(pair.right_id, person)
        elif left_person is None or right_person is None:
            person = left_person or right_person
            move_record(pair.right_id if left_person else pair.left_id, person)
        else:
            left_cases, right_cases = world.person_cases[left_person], world.person_cases[
                right_person]
            if right_cases and not left_cases:
                person, absorbed = right_person, left_person
            elif left_cases and not right_cases:
                person, absorbed = left_person, right_person
            else:
                person, absorbed = _older(left_person, right_person)
            for pk in sorted(world.person_records[absorbed]):
                move_record(pk, person)
            for case in sorted(world.person_cases[absorbed]):
                move_case(case, person)
            for earlier in sorted(world.pointed_by.get(absorbed, ())):
                point(earlier, person)
            point(absorbed, person)
        candidate_before = {"decision": state["decision"], "decided_by": None,
                            "decided_at": None, "decision_reason": ""}
        if candidate is not None:
            candidate_before = {"decision": candidate.decision,
                                "decided_by": candidate.decided_by_id,
                                "decided_at": (candidate.decided_at.isoformat()
                                               if candidate.decided_at else None),
                                "decision_reason": candidate.decision_reason}
        state.update(decision=MatchDecision.CONFIRMED, decided_at=now,
                     decision_reason=SYSTEM_LINK_REASON)
        before["created_persons"] = created
        before["candidate"] = candidate_before
        after["candidate"] = {"decision": MatchDecision.CONFIRMED, "decided_by": None,
                              "decided_at": now.isoformat(),
                              "decision_reason": SYSTEM_LINK_REASON}
        out.merges.append({"pair": (pair.left_id, pair.right_id), "person": person,
                           "absorbed": absorbed, "before": before, "after": after,
                           "decided_at": now})

    def _alert(self, pair: ScoredPair, key: tuple[int, int], out: _Outcome) -> None:
        world = self.world
        for record_id, report_id in ((pair.left_id, pair.right_id),
                                     (pair.right_id, pair.left_id)):
            kind = world.kinds[record_id]
            if kind not in ALERT_KINDS or world.kinds[report_id] != RecordKind.MISSING_REPORT:
                continue
            case_id = world.open_cases.get(report_id)
            if case_id is None or (case_id, record_id) in world.alerts:
                continue
            world.alerts.add((case_id, record_id))
            out.alerts.append((case_id, record_id, key, kind))
            self.counts.alerts += 1

    # --- writing one transaction's worth ---

    def _write(self, out: _Outcome) -> None:
        now = timezone.now()
        real: dict[int, int] = {}
        if out.new_persons:
            people = [Person() for _ in out.new_persons]
            Person.objects.bulk_create(people)
            real = {placeholder: person.pk
                    for placeholder, person in zip(out.new_persons, people, strict=True)}
            history_snapshot_insert(Person.objects.filter(pk__in=[p.pk for p in people]),
                                    history_type="+", history_date=now,
                                    change_reason=SYSTEM_LINK_REASON)

        def resolve(value: Any) -> Any:
            return real.get(value, value) if isinstance(value, int) else value

        # Candidates: new ones created with their final state, changed ones updated.
        new_rows = [MatchCandidate(
            record_left_id=left, record_right_id=right, match_weight=s["match_weight"],
            probability=s["probability"], explanation=s["explanation"],
            model_version=s["model_version"], decision=s["decision"],
            decided_at=s.get("decided_at"), decision_reason=s.get("decision_reason", ""),
        ) for (left, right), s in out.candidates_new.items()]
        MatchCandidate.objects.bulk_create(new_rows, batch_size=2000)
        by_pair = {(c.record_left_id, c.record_right_id): c.pk for c in new_rows}
        changed = []
        for pk, s in out.candidates_changed.items():
            candidate = MatchCandidate(pk=pk, match_weight=s["match_weight"],
                                       probability=s["probability"],
                                       explanation=s["explanation"],
                                       model_version=s["model_version"], decision=s["decision"],
                                       decided_at=s.get("decided_at"),
                                       decision_reason=s.get("decision_reason", ""))
            changed.append(candidate)
        if changed:
            MatchCandidate.objects.bulk_update(changed, ["match_weight", "probability",
                                                         "explanation", "model_version",
                                                         "decision", "decided_at",
                                                         "decision_reason"], batch_size=1000)
        for pk, candidate in self.world.candidates.items():
            by_pair.setdefault(pk, candidate.pk)
        for history_type, rows in (("+", new_rows), ("~", changed)):
            for chunk in _chunks([c.pk for c in rows]):
                history_snapshot_insert(MatchCandidate.objects.filter(pk__in=chunk),
                                        history_type=history_type, history_date=now,
                                        change_reason=SYSTEM_LINK_REASON)
        # Moves: records, the cases that follow them, absorbed people.
        for model, moves, column in ((Record, out.record_moves, "person_id"),
                                     (Case, out.case_moves, "person_id"),
                                     (Person, out.person_points, "merged_into_id")):
            targets: dict[int, list[int]] = defaultdict(list)
            for pk, target in moves.items():
                targets[resolve(target)].append(pk)
            for target, pks in targets.items():
                for chunk in _chunks(sorted(pks)):
                    model.objects.filter(pk__in=chunk).update(**{column: target,
                                                                 "updated_at": now})
            for chunk in _chunks(sorted(moves)):
                history_snapshot_insert(model.objects.filter(pk__in=chunk), history_type="~",
                                        history_date=now, change_reason=SYSTEM_LINK_REASON)
        # One merge decision per automatic link: each undoable as a reviewer's.
        decisions = []
        for merge in out.merges:
            before, after = _resolved(merge["before"], real), _resolved(merge["after"], real)
            person, absorbed = resolve(merge["person"]), resolve(merge["absorbed"])
            decisions.append(MergeDecision(
                operation=MergeDecision.Operation.MERGE,
                match_candidate_id=by_pair[merge["pair"]], person_id=person,
                other_person_id=absorbed,
                person_ids=sorted({person, *([absorbed] if absorbed else [])}),
                before=before, after=after, decided_by=None, reason=SYSTEM_LINK_REASON,
                decided_at=merge["decided_at"]))
        MergeDecision.objects.bulk_create(decisions, batch_size=1000)
        audit_events_record_many([{
            "actor": None, "action": AuditEvent.Action.MERGE,
            "object_type": "registry.matchcandidate", "object_id": str(d.match_candidate_id),
            "purpose": SYSTEM_LINK_REASON,
            "details": {"merge_decision": d.pk, "person": d.person_id,
                        "absorbed": d.other_person_id,
                        "records": sorted(int(k) for k in d.after["records"])},
        } for d in decisions])
        Alert.objects.bulk_create([Alert(case_id=case_id, record_id=record_id,
                                         match_candidate_id=by_pair.get(pair),
                                         **Alert.kind_and_priority(kind))
                                   for case_id, record_id, pair, kind in out.alerts],
                                  batch_size=2000)


def _older(first: int, second: int) -> tuple[int, int]:
    return (first, second) if first < second else (second, first)


def _resolved(snapshot: dict[str, Any], real: dict[int, int]) -> dict[str, Any]:
    """Return a merge snapshot with placeholder people replaced by their real ids."""
    def person(value: Any) -> Any:
        return real.get(value, value) if isinstance(value, int) else value

    out: dict[str, Any] = {}
    for section, values in snapshot.items():
        if section in ("records", "cases"):
            out[section] = {key: person(value) for key, value in values.items()}
        elif section == "persons":
            out[section] = {str(person(int(key))): person(value)
                            for key, value in values.items()}
        elif section == "created_persons":
            out[section] = [person(value) for value in values]
        else:
            out[section] = values
    return out
