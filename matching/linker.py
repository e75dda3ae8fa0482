"""End-to-end linkage on in-memory records: block, compare, train, score, decide."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.blocking import BlockingReport, candidate_pairs
from matching.clustering import constrained_clusters
from matching.comparisons import PairContext, compute_levels
from matching.model import LinkageModel
from matching.records import STRING_FEATURES, RecordTable, Vocabularies
from matching.scoring import (
    expectation_maximisation,
    expected_f1_threshold,
    level_frequencies,
    probability_from_weight,
)


@dataclass
class ScoredPairs:
    """Candidate pairs with levels, per-field weights and probabilities."""

    left_rows: np.ndarray
    right_rows: np.ndarray
    levels: np.ndarray  # (n, k) int8
    field_weights: np.ndarray  # (n, k) float
    total_weight: np.ndarray  # prior + sum of field weights
    probability: np.ndarray

    def subset(self, mask: np.ndarray) -> ScoredPairs:
        return ScoredPairs(self.left_rows[mask], self.right_rows[mask], self.levels[mask],
                           self.field_weights[mask], self.total_weight[mask], self.probability[mask])


def score(model: LinkageModel, pairs: PairContext, levels: np.ndarray | None = None) -> ScoredPairs:
    """Return the scored pairs: each comparison's weight, summed with the prior.

    A level marked ``tf`` weighs ``log2(m / f)`` where ``f`` is how common the
    agreed value is, instead of the level's average ``log2(m / u)``.
    """
    if levels is None:
        levels = compute_levels(model.comparisons, pairs)
    base = model.weights()
    field_weights = np.empty(levels.shape, dtype=float)
    for column, comparison in enumerate(model.comparisons):
        lv = levels[:, column].astype(np.int64)
        field_weights[:, column] = base[column][lv]
        for index, level in enumerate(comparison.levels):
            if not level.tf:
                continue
            at_level = np.nonzero(lv == index)[0]
            if at_level.size == 0:
                continue
            feature = level.features[0]
            tf = model.tf_by_id(feature, pairs.left.vocabularies[STRING_FEATURES[feature]])
            values = pairs.left.column(feature)[pairs.left_rows[at_level]]
            m_level = model.m[column][index]
            field_weights[at_level, column] = np.log2(max(m_level, 1e-12) / tf[values])
    total = model.prior_weight() + field_weights.sum(axis=1)
    return ScoredPairs(pairs.left_rows, pairs.right_rows, levels, field_weights, total,
                       probability_from_weight(total))


def explain(model: LinkageModel, scored: ScoredPairs, row: int) -> dict[str, dict[str, Any]]:
    """Return, for pair ``row``, each comparison's level label and weight."""
    return {
        comparison.name: {
            "level": comparison.levels[int(scored.levels[row, column])].label,
            "weight": round(float(scored.field_weights[row, column]), 3),
        }
        for column, comparison in enumerate(model.comparisons)
    }


@dataclass
class LinkResult:
    """The outcome of a linkage run."""

    model: LinkageModel
    left: RecordTable
    right: RecordTable
    scored: ScoredPairs  # pairs at or above the lower threshold
    decision: np.ndarray  # "link" or "review" per scored pair
    blocking: BlockingReport
    n_candidates: int
    timings: dict[str, float] = field(default_factory=dict)

    def links(self) -> list[tuple[str, str, float]]:
        """Return (left id, right id, probability) of the auto-linked pairs."""
        keep = np.nonzero(self.decision == "link")[0]
        return [(self.left.record_ids[self.scored.left_rows[k]], self.right.record_ids[self.scored.right_rows[k]],
                 float(self.scored.probability[k])) for k in keep]


class Linker:
    """Train and apply a Fellegi–Sunter model on in-memory records.

    ``Linker().link(left, right)`` estimates everything from the data;
    ``Linker(LinkageModel.load(path)).link(...)`` reuses trained parameters.
    """

    def __init__(self, model: LinkageModel | None = None, *, u_sample_size: int = 600_000,
                 seed: int = 0, retrain: bool | None = None, auto_threshold: bool = True) -> None:
        self.model = model or LinkageModel()
        self.u_sample_size = u_sample_size
        self.seed = seed
        self.retrain = (not self.model.trained) if retrain is None else retrain
        self.auto_threshold = auto_threshold and self.retrain

    def link(self, left: Iterable[Mapping[str, Any]], right: Iterable[Mapping[str, Any]]) -> LinkResult:
        """Link two collections of records (input schema: ``matching.records.INPUT_FIELDS``)."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        vocabularies = Vocabularies()
        left_table = RecordTable.from_records(left, vocabularies)
        right_table = RecordTable.from_records(right, vocabularies)
        timings["prepare"] = time.perf_counter() - started
        return self._run(left_table, right_table, dedupe=False, timings=timings)

    def dedupe(self, records: Iterable[Mapping[str, Any]]) -> LinkResult:
        """Find records of the same person within one collection."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        table = RecordTable.from_records(records, Vocabularies())
        timings["prepare"] = time.perf_counter() - started
        return self._run(table, table, dedupe=True, timings=timings)

    def _run(self, left: RecordTable, right: RecordTable, *, dedupe: bool, timings: dict) -> LinkResult:
        """Run the pipeline.

        1. Block: candidate pairs from every pass.
        2. Compare: one level per comparison per pair.
        3. Train (unless the model is already trained): u from random pairs,
           m by EM on the candidates, term frequencies, the prior.
        4. Score, pick the upper threshold by expected F1, and decide.
        5. Cluster under constraints so one bad link cannot chain people.
        """
        model = self.model
        clock = time.perf_counter()
        left_rows, right_rows, report = candidate_pairs(model.blocking_rules, left, None if dedupe else right)
        timings["block"] = time.perf_counter() - clock
        clock = time.perf_counter()
        pairs = PairContext(left, right, left_rows, right_rows)
        levels = compute_levels(model.comparisons, pairs)
        timings["compare"] = time.perf_counter() - clock
        clock = time.perf_counter()
        if self.retrain:
            self._train(left, right, levels, dedupe=dedupe)
        timings["train"] = time.perf_counter() - clock
        clock = time.perf_counter()
        scored = score(model, pairs, levels)
        if self.auto_threshold:
            model.upper_threshold = max(expected_f1_threshold(scored.probability), 0.5)
            model.lower_threshold = min(model.lower_threshold, model.upper_threshold)
        kept = scored.subset(scored.probability >= model.lower_threshold)
        decision = np.where(kept.probability >= model.upper_threshold, "link", "review").astype(object)
        decision = constrained_clusters(left, right, kept, decision, dedupe=dedupe)
        timings["score"] = time.perf_counter() - clock
        return LinkResult(model, left, right, kept, decision, report, int(left_rows.size), timings)

    def _train(self, left: RecordTable, right: RecordTable, levels: np.ndarray, *, dedupe: bool) -> None:
        model = self.model
        rng = np.random.default_rng(self.seed)
        size = int(min(self.u_sample_size, max(len(left) * len(right) // (2 if dedupe else 1), 1)))
        sample_left = rng.integers(0, len(left), size)
        sample_right = rng.integers(0, len(right), size)
        if dedupe:
            distinct = sample_left != sample_right
            sample_left, sample_right = sample_left[distinct], sample_right[distinct]
        random_levels = compute_levels(model.comparisons, PairContext(left, right, sample_left, sample_right))
        u = level_frequencies(random_levels, model.n_levels)
        em = expectation_maximisation(levels, model.n_levels, u_start=None)
        model.m = [x.tolist() for x in em.m]
        model.u = [x.tolist() for x in u]
        total_pairs = len(left) * (len(left) - 1) / 2 if dedupe else len(left) * len(right)
        expected_matches = em.proportion_matched * len(levels)
        model.prior = float(min(max(expected_matches / max(total_pairs, 1), 1e-12), 0.5))
        model.fit_term_frequencies([left] if dedupe else [left, right])
        model.notes = {
            "em_iterations": em.iterations,
            "em_converged": em.converged,
            "em_proportion_matched_among_candidates": em.proportion_matched,
            "expected_matches": expected_matches,
            "u_sample_pairs": len(random_levels),
            "candidate_pairs": len(levels),
        }
