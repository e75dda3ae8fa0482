"""The Django side of matching: records in and out of the pure-Python core.

What lives here (the core in ``matching/*.py`` imports no Django):

* ``record_to_core``: a ``Record`` as the core's input schema.
* The trained model: ``latest_model_version`` and ``linkage_model_fit`` (EM on the
  stored records, no labels) saved as a ``LinkageModelVersion``.
* A per-process ``IncrementalIndex`` of every stored record, built on first use and
  refreshed by watermark (see ``IndexCache``).
* ``PairDecider``: turns scored pairs into links, review candidates and alerts,
  never against a human decision (see its docstring for the policy).
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from matching.clustering import curps_conflict
from matching.decisions import CURP_CONFLICT, SEX_CONFLICT, Identity, hold_reason
from matching.incremental import IncrementalIndex
from matching.linker import HOLD, Linker, LinkResult, explain
from matching.model import LinkageModel
from matching.models import LinkageModelVersion, MergeDecision
from matching.phrases import with_phrases
from matching.services import match_candidate_confirm
from mxnames.curp import clean_curp, validate_curp
from mxnames.phonetic import phonetic_key
from registry.models import (
    Alert,
    Case,
    MatchCandidate,
    MatchDecision,
    Person,
    Record,
    RecordKind,
)

logger = logging.getLogger("matching")

# Stored in MatchCandidate.decision_reason / MergeDecision.reason as data, so it is
# the same for every reader and not translated at write time.
SYSTEM_LINK_REASON = "vinculación automática"

# A match of one of these to a missing report of an open case raises an Alert.
ALERT_KINDS = frozenset({RecordKind.DETENTION, RecordKind.RELEASE_TRANSFER,
                         RecordKind.LOCATED, RecordKind.UNIDENTIFIED_REMAINS})

_CORE_COLUMNS = ("pk", "given_names", "paternal_surname", "maternal_surname", "aliases", "sex",
                 "birth_date", "age", "curp", "event_state_id", "event_municipality_id",
                 "address", "event_date")


# --- Records in the core's schema ----------------------------------------------------------

def _core_from_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "record_id": str(row["pk"]),
        "given_names": row["given_names"],
        "paternal_surname": row["paternal_surname"],
        "maternal_surname": row["maternal_surname"],
        "aliases": row["aliases"],
        "sex": row["sex"],
        "birth_date": row["birth_date"],
        "age": row["age"],
        "id_number": row["curp"],
        "state": row["event_state_id"] or "",
        "municipality": row["event_municipality_id"] or "",
        "address": row["address"],
        "event_date": row["event_date"],
    }


def record_to_core(record: Record) -> dict[str, Any]:
    """Return ``record`` in the core's input schema (CURP as ``id_number``, INEGI codes)."""
    return _core_from_row({column: getattr(record, column) for column in _CORE_COLUMNS})


def core_records(queryset=None) -> Iterator[dict[str, Any]]:
    """Yield the records of ``queryset`` (default: all) in the core's schema, streamed."""
    queryset = Record.objects.order_by() if queryset is None else queryset
    for row in queryset.values(*_CORE_COLUMNS).iterator(chunk_size=5000):
        yield _core_from_row(row)


def _fingerprint(core: dict[str, Any]) -> int:
    """Return a hash of what matching reads of a record (not its person, not provenance)."""
    return hash(tuple(core.values()))


def partition_key(paternal_surname: str) -> str:
    """Return the relink partition of a record: first letter of its phonetic paternal surname."""
    key = phonetic_key(paternal_surname or "")
    return key[:1] or "_"


# --- The trained model ---------------------------------------------------------------------

def latest_model_version() -> LinkageModelVersion | None:
    """Return the newest trained model, or None on a registry that never trained one."""
    return LinkageModelVersion.objects.order_by("-created_at", "-id").first()


def _version_key(version: LinkageModelVersion) -> tuple[int, datetime]:
    # The creation time too: a test database (or SQLite after a delete) may reuse an id.
    return (version.pk, version.created_at)


_loaded_models: dict[tuple[int, datetime], LinkageModel] = {}


def load_model(version: LinkageModelVersion) -> LinkageModel:
    """Return the core model of ``version`` (parsed once per process)."""
    key = _version_key(version)
    model = _loaded_models.get(key)
    if model is None:
        model = _loaded_models[key] = LinkageModel.from_json(version.model_json)
    return model


def forget_loaded_models() -> None:
    _loaded_models.clear()


@dataclass
class FitOutcome:
    version: LinkageModelVersion
    result: LinkResult


def linkage_model_fit(*, source: str, actor: Any = None,
                      min_records: int | None = None) -> FitOutcome | None:
    """Train a model on every stored record (EM, no labels) and save it as a new version.

    Return None (and log why) when there are fewer than ``min_records`` records
    (default: ``settings.MATCHING_MIN_TRAINING_RECORDS``): EM needs enough pairs.
    At most ``MATCHING_TRAINING_MAX_RECORDS`` records (a fixed random sample) are used.
    The returned ``result`` holds every scored pair of the training run.
    """
    if min_records is None:
        min_records = settings.MATCHING_MIN_TRAINING_RECORDS
    # In the order they were stored: EM's seeded samples are drawn by position, so the
    # same records must give the same model whatever order the database returns them in.
    records = list(core_records(Record.objects.order_by("pk")))
    if len(records) > settings.MATCHING_TRAINING_MAX_RECORDS:
        # EM needs a representative sample, not everything; keeps memory and time bounded.
        records = random.Random(0).sample(  # noqa: S311 (a sample, not a secret)
            records, settings.MATCHING_TRAINING_MAX_RECORDS)
    if len(records) < max(min_records, 2):
        logger.info("matching: %s records stored, %s needed to train a model; not trained",
                    len(records), min_records)
        return None
    started = time.perf_counter()
    result = Linker().dedupe(records)
    model = result.model
    version = LinkageModelVersion.objects.create(
        model_json=model.to_json(), source=source, trained_by=actor,
        records_count=len(records), candidate_pairs=result.n_candidates,
        upper_threshold=model.upper_threshold, lower_threshold=model.lower_threshold,
        training_seconds=time.perf_counter() - started,
    )
    _loaded_models[_version_key(version)] = model
    logger.info("matching: trained %s on %s records (upper %.3f, lower %.3f) in %.1f s",
                version.label, len(records), model.upper_threshold, model.lower_threshold,
                version.training_seconds)
    return FitOutcome(version, result)


# --- Scored pairs --------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoredPair:
    """Two stored records (canonical order), their score and the core's explanation."""

    left_id: int
    right_id: int
    probability: float
    match_weight: float
    explanation: dict[str, Any]

    @classmethod
    def of(cls, first_id: int, second_id: int, probability: float, match_weight: float,
           explanation: dict[str, Any]) -> ScoredPair:
        low, high = sorted((int(first_id), int(second_id)))
        return cls(low, high, float(probability), float(match_weight), explanation)


def pairs_from_result(result: LinkResult) -> list[ScoredPair]:
    """Return the scored pairs (at or above the lower threshold) of a dedupe run."""
    scored = result.scored
    ids = result.left.record_ids
    pairs = []
    for row in range(len(scored.probability)):
        first, second = int(ids[scored.left_rows[row]]), int(ids[scored.right_rows[row]])
        if first == second:
            continue
        explanation = explain(result.model, scored, row, hold=result.reasons[row] or None)
        pairs.append(ScoredPair.of(first, second, scored.probability[row],
                                   scored.total_weight[row], explanation))
    return pairs


def _weight_of(model: LinkageModel, probability: float, explanation: dict[str, Any]) -> float:
    # The match weight is the prior plus one weight per field (the explanation's).
    total = model.prior_weight() + sum(part["weight"] for part in explanation.values())
    return total if math.isfinite(total) else 0.0


# --- The per-process incremental index -----------------------------------------------------

class IndexCache:
    """An ``IncrementalIndex`` of every stored record, kept fresh by watermark.

    1. Built from the database on first use, for the latest model version; rebuilt
       when a newer version appears.
    2. Each use first reads the records whose ``updated_at`` is at or after the
       watermark (indexed query). A record not yet indexed is added. A record whose
       matching fields changed (fingerprint differs) makes the index stale and it is
       REBUILT: the core's index has no removal, and a re-added record would leave its
       old values findable under the same id. Changes that do not touch matching
       fields (a merge moving the record to another person) are ignored.
    3. The watermark trails the refresh time by ``MATCHING_INDEX_WATERMARK_LAG_SECONDS``
       so that rows of a transaction that committed late (their ``updated_at`` is when
       they were written, not when they became visible) are still seen; the records a
       caller names explicitly are always made present.
    Deleted records (a rolled-back batch) stay in the index; callers drop matches to
    records that no longer exist.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.version_key: tuple[int, datetime] | None = None
        self.index: IncrementalIndex | None = None
        self.fingerprints: dict[int, int] = {}
        self.watermark: datetime | None = None
        self.seen: dict[int, datetime] = {}  # updated_at of the rows in the watermark window
        self.builds = 0

    def get(self, version: LinkageModelVersion, *,
            ensure_ids: Sequence[int] = ()) -> IncrementalIndex:
        """Return the index for ``version`` holding every record stored so far."""
        with self._lock:
            if (self.index is None or self.version_key != _version_key(version)
                    or not self._refresh(ensure_ids)):
                self._build(version)
            return self.index

    def clear(self) -> None:
        with self._lock:
            self.index, self.version_key, self.fingerprints, self.watermark = None, None, {}, None
            self.seen = {}

    def _lag(self) -> timedelta:
        return timedelta(seconds=settings.MATCHING_INDEX_WATERMARK_LAG_SECONDS)

    def _build(self, version: LinkageModelVersion) -> None:
        started = time.perf_counter()
        read_from = timezone.now() - self._lag()
        index = IncrementalIndex(load_model(version))
        fingerprints: dict[int, int] = {}
        for core in core_records():
            fingerprints[int(core["record_id"])] = _fingerprint(core)
            index.add(core)
        self.index, self.version_key, self.fingerprints = index, _version_key(version), fingerprints
        self.watermark, self.seen = read_from, {}
        self.builds += 1
        logger.info("matching: index of %s records built for %s in %.1f s", len(fingerprints),
                    version.label, time.perf_counter() - started)

    def _refresh(self, ensure_ids: Sequence[int]) -> bool:
        """Add new records; return False if an indexed record changed (rebuild needed).

        1. Read only (id, updated_at) of the rows in the watermark window: cheap, and the
           window re-reads the same recent rows on every call.
        2. Read the full rows of those not seen with that ``updated_at`` (and of the
           records the caller names that are not indexed yet).
        """
        read_from = timezone.now() - self._lag()
        stamps = dict(Record.objects.filter(updated_at__gte=self.watermark)
                      .order_by().values_list("pk", "updated_at"))
        wanted = {pk for pk, stamp in stamps.items() if self.seen.get(pk) != stamp}
        wanted.update(pk for pk in ensure_ids if pk not in self.fingerprints)
        for start in range(0, len(wanted), 5000):
            chunk = sorted(wanted)[start:start + 5000]
            rows = Record.objects.filter(pk__in=chunk).order_by().values(*_CORE_COLUMNS,
                                                                        "updated_at")
            for row in rows:
                stamps[row["pk"]] = row.pop("updated_at")
                core = _core_from_row(row)
                pk, fingerprint = row["pk"], _fingerprint(core)
                known = self.fingerprints.get(pk)
                if known == fingerprint:
                    continue
                if known is not None:
                    return False
                self.fingerprints[pk] = fingerprint
                self.index.add(core)
        self.seen = stamps
        self.watermark = read_from
        return True


index_cache = IndexCache()


def incremental_pairs(version: LinkageModelVersion, record_ids: Sequence[int]) -> list[ScoredPair]:
    """Return the scored pairs of each record in ``record_ids`` against everything stored."""
    index = index_cache.get(version, ensure_ids=record_ids)
    model = index.model
    pairs: dict[tuple[int, int], ScoredPair] = {}
    records = Record.objects.filter(pk__in=record_ids)
    for core in core_records(records):
        own_id = int(core["record_id"])
        for other_id, probability, explanation in index.match(core):
            if int(other_id) == own_id:
                continue
            pair = ScoredPair.of(own_id, int(other_id), probability,
                                 _weight_of(model, probability, explanation), explanation)
            key = (pair.left_id, pair.right_id)
            if key not in pairs or pairs[key].probability < pair.probability:
                pairs[key] = pair
    return list(pairs.values())


# --- Deciding what scored pairs mean --------------------------------------------------------

@dataclass
class LinkageCounts:
    pairs: int = 0
    links: int = 0
    candidates: int = 0  # new pending candidates (existing ones are only re-scored)
    alerts: int = 0  # new alerts
    left_alone: int = 0  # pairs with a human decision, never touched
    held_for_review: int = 0  # above the upper threshold but refused as an automatic link
    capped_blocks: int = 0  # oversized blocks linked by sort-and-window (batch path)

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Cluster:
    """The records that would move together: a record's person, or the record alone."""

    person_id: int | None
    record_ids: set[int]
    curps: set[str]
    sexes: set[str]
    related_person_ids: set[int] = field(default_factory=set)
    identities: list[Identity] = field(default_factory=list)  # what the decision rules read


class PairDecider:
    """Apply scored pairs to the registry: link, propose for review, alert.

    Policy (pairs strongest first):
    1. A pair that already has a decision (confirmed by a person or by the system,
       rejected, not sure) is left exactly as it is: a rejected pair is never linked
       again, a confirmed one is never proposed again. Pairs whose records already
       belong to the same person are skipped.
    2. At or above the model's upper threshold the pair is linked automatically,
       through the reviewers' own reversible merge (``match_candidate_confirm`` with
       no user and the reason "vinculación automática"), so every automatic link has
       a MergeDecision and can be undone. The link is refused, and the pair goes to
       review instead, when
       a. the two clusters would hold two valid CURPs more than one typo apart, or
          both sexes (one bad link must not chain different people);
       b. the core's decision rules hold two of their records apart: possible
          relatives (the same surnames, different given names, no identity
          number in agreement) or namesakes (a common full name, different
          birth dates); the reason is kept in the candidate's explanation
          (``"hold"``) for the reviewer;
       c. a human separated the two clusters: a rejected pair between them, an
          automatic or confirmed link between them that was undone, or a split.
    3. Between the thresholds the pair becomes (or stays) a pending candidate; a
       pending candidate's score is updated when a newer model scores it.
    4. A detention, release/transfer, located or remains record matched (review band
       or above) to the missing report of an open case raises one Alert per case and
       record.
    """

    CHUNK = 200

    def __init__(self, version: LinkageModelVersion) -> None:
        self.version = version
        self.model = load_model(version)
        self.upper, self.lower = self.model.upper_threshold, self.model.lower_threshold
        self.counts = LinkageCounts()

    def apply(self, pairs: Iterable[ScoredPair]) -> LinkageCounts:
        pairs = sorted((p for p in pairs if p.probability >= self.lower),
                       key=lambda p: (-p.match_weight, p.left_id, p.right_id))
        if not pairs:
            return self.counts
        ids = {pk for pair in pairs for pk in (pair.left_id, pair.right_id)}
        self._kinds = dict(Record.objects.filter(pk__in=ids).values_list("pk", "kind"))
        self._open_cases = dict(Case.objects.open().filter(missing_report_id__in=ids)
                                .values_list("missing_report_id", "pk"))
        existing = self._existing_candidates(pairs)
        self._undone = set(MergeDecision.objects.filter(
            match_candidate__in=[c.pk for c in existing.values()], undone_at__isnull=False,
        ).values_list("match_candidate_id", flat=True))
        # Commit every CHUNK pairs: one commit per pair costs an fsync each, and one
        # transaction for everything would hold the audit log's lock for the whole run.
        for start in range(0, len(pairs), self.CHUNK):
            with transaction.atomic():
                for pair in pairs[start:start + self.CHUNK]:
                    self._apply_in_savepoint(pair, existing.get((pair.left_id, pair.right_id)))
        return self.counts

    def _apply_in_savepoint(self, pair: ScoredPair, candidate: MatchCandidate | None) -> None:
        if pair.left_id not in self._kinds or pair.right_id not in self._kinds:
            return  # one record was deleted (a rolled-back batch) since it was indexed
        self.counts.pairs += 1
        try:
            with transaction.atomic():
                self._apply_one(pair, candidate)
        except ValidationError as error:  # a reviewer decided the pair meanwhile
            logger.info("matching: pair %s~%s left alone: %s", pair.left_id, pair.right_id,
                        error)

    def _existing_candidates(self, pairs: list[ScoredPair]) -> dict[tuple[int, int],
                                                                      MatchCandidate]:
        found: dict[tuple[int, int], MatchCandidate] = {}
        lefts = sorted({p.left_id for p in pairs})
        for start in range(0, len(lefts), 500):
            chunk = lefts[start:start + 500]
            for candidate in MatchCandidate.objects.filter(record_left_id__in=chunk):
                found[(candidate.record_left_id, candidate.record_right_id)] = candidate
        return found

    def _apply_one(self, pair: ScoredPair, candidate: MatchCandidate | None) -> None:
        if candidate is not None and candidate.decision != MatchDecision.PENDING:
            self.counts.left_alone += 1
            return
        persons = dict(Record.objects.filter(pk__in=[pair.left_id, pair.right_id])
                       .values_list("pk", "person_id"))
        if persons[pair.left_id] is not None and persons[pair.left_id] == persons[pair.right_id]:
            return
        is_new = candidate is None
        candidate = self._candidate(pair, candidate)
        linked = False
        if pair.probability >= self.upper:
            refusal = self._link_refusal(pair, persons)
            if refusal is not None and refusal != "separated":
                self._note_hold(candidate, refusal)
            if candidate.pk in self._undone or refusal is not None:
                self.counts.held_for_review += 1
            else:
                match_candidate_confirm(candidate=candidate, actor=None,
                                        reason=SYSTEM_LINK_REASON)
                linked = True
        if linked:
            self.counts.links += 1
        elif is_new and candidate.created_now:
            self.counts.candidates += 1
        self._alert(pair, candidate)

    def _candidate(self, pair: ScoredPair, candidate: MatchCandidate | None) -> MatchCandidate:
        values = {"match_weight": pair.match_weight, "probability": pair.probability,
                  "explanation": pair.explanation, "model_version": self.version.label}
        if candidate is None:
            candidate, created = MatchCandidate.objects.get_or_create(
                record_left_id=pair.left_id, record_right_id=pair.right_id, defaults=values)
            candidate.created_now = created
            if created:
                return candidate
            if candidate.decision != MatchDecision.PENDING:
                raise ValidationError("the pair was decided meanwhile")
        if any(getattr(candidate, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(candidate, name, value)
            candidate.save(update_fields=list(values))
        return candidate

    # --- may two clusters be linked automatically? ---

    def _link_refusal(self, pair: ScoredPair, persons: dict[int, int | None]) -> str | None:
        """Return why the two clusters must not be linked automatically, or None.

        A reason code of ``matching.decisions``, or "separated" when a human
        decision stands between them.
        """
        first = self._cluster(pair.left_id, persons[pair.left_id])
        second = self._cluster(pair.right_id, persons[pair.right_id])
        refusal = _conflict(first, second) or self._rules_refusal(first, second)
        if refusal is None and self._separated(first, second):
            refusal = "separated"
        return refusal

    def _rules_refusal(self, first: _Cluster, second: _Cluster) -> str | None:
        # The same rules as the batch linker and the index, across every record of
        # both clusters: a person's records must not hold two relatives.
        for x in first.identities:
            for y in second.identities:
                reason = hold_reason(x, y, self.model)
                if reason is not None:
                    return reason
        return None

    def _note_hold(self, candidate: MatchCandidate, reason: str) -> None:
        explanation = dict(candidate.explanation or {})
        if explanation.get(HOLD, {}).get("level") == reason:
            return
        explanation[HOLD] = with_phrases({HOLD: {"level": reason, "weight": 0.0}})[HOLD]
        candidate.explanation = explanation
        candidate.save(update_fields=["explanation"])

    def _cluster(self, record_id: int, person_id: int | None) -> _Cluster:
        rows = (Record.objects.filter(person_id=person_id) if person_id
                else Record.objects.filter(pk=record_id)).values(*_CORE_COLUMNS)
        cluster = _Cluster(person_id, set(), set(), set())
        for row in rows:
            cluster.record_ids.add(row["pk"])
            curp = clean_curp(row["curp"] or "")
            if curp and validate_curp(curp):
                cluster.curps.add(curp)
            if row["sex"] in ("H", "M"):
                cluster.sexes.add(row["sex"])
            cluster.identities.append(Identity.of_record(_core_from_row(row)))
        if person_id:
            cluster.related_person_ids = {person_id, *Person.objects.filter(
                merged_into_id=person_id).values_list("pk", flat=True)}
        return cluster

    def _separated(self, first: _Cluster, second: _Cluster) -> bool:
        a, b = first.record_ids, second.record_ids
        across = (Q(record_left__in=a, record_right__in=b)
                  | Q(record_left__in=b, record_right__in=a))
        if MatchCandidate.objects.filter(across, decision=MatchDecision.REJECTED).exists():
            return True
        undone_links = MergeDecision.objects.filter(
            operation=MergeDecision.Operation.MERGE, undone_at__isnull=False,
            match_candidate__in=MatchCandidate.objects.filter(across))
        if undone_links.exists():
            return True
        return self._split_between(first, second)

    def _split_between(self, first: _Cluster, second: _Cluster) -> bool:
        """Return True if a standing split put records of one cluster apart from the other."""
        persons = first.related_person_ids | second.related_person_ids
        if not persons:
            return False
        splits = MergeDecision.objects.filter(
            Q(person__in=persons) | Q(other_person__in=persons),
            operation=MergeDecision.Operation.SPLIT, undone_at__isnull=True,
        ).values_list("person_id", "other_person_id", "after")
        for kept_person, new_person, after in splits:
            moved = {int(pk) for pk in after.get("records", {})}

            def on_kept_side(cluster: _Cluster, kept_person=kept_person) -> bool:
                return kept_person in cluster.related_person_ids

            def on_moved_side(cluster: _Cluster, moved=moved, new_person=new_person) -> bool:
                return bool(cluster.record_ids & moved) or new_person in cluster.related_person_ids

            if (on_kept_side(first) and on_moved_side(second)) or \
                    (on_kept_side(second) and on_moved_side(first)):
                return True
        return False

    # --- alerts ---

    def _alert(self, pair: ScoredPair, candidate: MatchCandidate) -> None:
        for record_id, report_id in ((pair.left_id, pair.right_id),
                                     (pair.right_id, pair.left_id)):
            if self._kinds[record_id] not in ALERT_KINDS:
                continue
            if self._kinds[report_id] != RecordKind.MISSING_REPORT:
                continue
            case_id = self._open_cases.get(report_id)
            if case_id is None:
                continue
            # An alert of the record's own kind: remains first in every inbox.
            _, created = Alert.objects.get_or_create(
                case_id=case_id, record_id=record_id,
                defaults={"match_candidate": candidate,
                          **Alert.kind_and_priority(self._kinds[record_id])})
            if created:
                self.counts.alerts += 1


def _conflict(first: _Cluster, second: _Cluster) -> str | None:
    """Return the reason if one cluster would hold two people's CURPs, or both sexes."""
    if len(first.sexes | second.sexes) > 1:
        return SEX_CONFLICT
    if any(curps_conflict(x, y) for x in first.curps for y in second.curps):
        return CURP_CONFLICT
    return None
