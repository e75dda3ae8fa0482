"""End-to-end linkage on in-memory records: block, compare, train, score, decide."""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching import comparisons
from matching.blocking import BlockingReport, BlockingRules, CandidateChunks, candidate_pairs
from matching.clustering import constrained_clusters
from matching.comparisons import PairContext, compute_levels
from matching.model import LinkageModel
from matching.records import STRING_FEATURES, RecordTable, Vocabularies
from matching.scoring import (
    PatternCounts,
    expectation_maximisation,
    expected_f1_threshold,
    level_frequencies,
    level_patterns,
    probability_from_weight,
    weight_from_probability,
)


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector for a batch run.

    A run creates millions of strings and tuples, none of them in cycles;
    every automatic collection would walk all of them again (a quarter of the
    preparation's time).  Whatever cycles do appear are collected afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
        return ScoredPairs(
            self.left_rows[mask],
            self.right_rows[mask],
            self.levels[mask],
            self.field_weights[mask],
            self.total_weight[mask],
            self.probability[mask],
        )


def score(
    model: LinkageModel,
    pairs: PairContext,
    levels: np.ndarray | None = None,
    *,
    min_probability: float = 0.0,
) -> ScoredPairs:
    """Return the scored pairs: each comparison's weight, summed with the prior.

    A level marked ``tf`` weighs ``log2(m / f)`` where ``f`` is how common the
    agreed value is, instead of the level's average ``log2(m / u)``.
    Pairs below ``min_probability`` are left out (memory: the per-field
    weights of millions of dropped pairs are never needed).
    """
    if levels is None:
        levels = compute_levels(model.comparisons, pairs)
    columns = [
        _field_weight(model, pairs, levels, k).astype(np.float32)
        for k in range(len(model.comparisons))
    ]
    total = np.full(len(levels), model.prior_weight())
    for column in columns:
        total += column
    keep = (
        np.nonzero(probability_from_weight(total) >= min_probability)[0]
        if min_probability > 0
        else np.arange(len(levels))
    )
    field_weights = (
        np.stack([c[keep] for c in columns], axis=1) if columns else np.zeros((keep.size, 0))
    )
    total = total[keep]
    return ScoredPairs(
        pairs.left_rows[keep],
        pairs.right_rows[keep],
        levels[keep],
        field_weights,
        total,
        probability_from_weight(total),
    )


def _field_weight(
    model: LinkageModel, pairs: PairContext, levels: np.ndarray, column: int
) -> np.ndarray:
    comparison = model.comparisons[column]
    base_weights = model.weights()[column]
    lv = levels[:, column].astype(np.intp)
    weights = base_weights[lv]
    for index, level in enumerate(comparison.levels):
        if not level.tf:
            continue
        at_level = np.nonzero(lv == index)[0]
        if at_level.size == 0:
            continue
        feature = level.features[0]
        tf = model.tf_by_id(feature, pairs.left.vocabularies[STRING_FEATURES[feature]])
        values = pairs.left.column(feature)[pairs.left_rows[at_level]]
        weights[at_level] = np.log2(max(model.m[column][index], 1e-12) / tf[values])
    return weights


def _concatenate(parts: list[ScoredPairs], comparisons) -> ScoredPairs:
    if not parts:
        empty = np.zeros(0)
        return ScoredPairs(empty.astype(np.int64), empty.astype(np.int64),
                           np.zeros((0, len(comparisons)), np.int8),
                           np.zeros((0, len(comparisons))), empty, empty)
    names = ("left_rows", "right_rows", "levels", "field_weights", "total_weight", "probability")
    return ScoredPairs(*(np.concatenate([getattr(p, name) for p in parts]) for name in names))


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
        return [
            (
                self.left.record_ids[self.scored.left_rows[k]],
                self.right.record_ids[self.scored.right_rows[k]],
                float(self.scored.probability[k]),
            )
            for k in keep
        ]


class Linker:
    """Train and apply a Fellegi-Sunter model on in-memory records.

    ``Linker().link(left, right)`` estimates everything from the data;
    ``Linker(LinkageModel.load(path)).link(...)`` reuses trained parameters.
    ``workers=2`` prepares records and compares chunks of pairs in forked
    processes (the same result as one worker; keep 1 inside a web server).
    """

    def __init__(
        self,
        model: LinkageModel | None = None,
        *,
        u_sample_size: int = 250_000,
        seed: int = 0,
        retrain: bool | None = None,
        auto_threshold: bool = True,
        em_pairs_per_session: int = 200_000, workers: int = 1,
        pairs_per_chunk: int = 1_000_000,
    ) -> None:
        self.pairs_per_chunk = pairs_per_chunk
        self.em_pairs_per_session = em_pairs_per_session
        self.workers = workers
        self.model = model or LinkageModel()
        self.u_sample_size = u_sample_size
        self.seed = seed
        self.retrain = (not self.model.trained) if retrain is None else retrain
        self.auto_threshold = auto_threshold and self.retrain

    def link(
        self, left: Iterable[Mapping[str, Any]], right: Iterable[Mapping[str, Any]]
    ) -> LinkResult:
        """Link two collections of records (input schema: ``matching.records.INPUT_FIELDS``)."""
        with collector_paused():
            timings: dict[str, float] = {}
            started = time.perf_counter()
            vocabularies = Vocabularies()
            left_table = RecordTable.from_records(left, vocabularies, workers=self.workers)
            right_table = RecordTable.from_records(right, vocabularies, workers=self.workers)
            timings["prepare"] = time.perf_counter() - started
            return self._run(left_table, right_table, dedupe=False, timings=timings)

    def dedupe(self, records: Iterable[Mapping[str, Any]]) -> LinkResult:
        """Find records of the same person within one collection."""
        with collector_paused():
            timings: dict[str, float] = {}
            started = time.perf_counter()
            table = RecordTable.from_records(records, Vocabularies(), workers=self.workers)
            timings["prepare"] = time.perf_counter() - started
            return self._run(table, table, dedupe=True, timings=timings)

    def _run(
        self, left: RecordTable, right: RecordTable, *, dedupe: bool, timings: dict
    ) -> LinkResult:
        """Run the pipeline.

        1. Train (unless the model is already trained): u from random pairs,
           m by EM sessions, term frequencies.
        2. Block, compare and score chunk by chunk of left records, keeping
           only pairs that could still reach 0.1% whatever the prior (memory
           stays bounded on millions of records); count level patterns.
        3. Estimate the prior by EM over those pattern counts (m, u fixed) and
           shift the kept pairs' weights to it.
        4. Pick the upper threshold by expected F1, decide, and cluster under
           constraints so one bad link cannot chain people.
        """
        model = self.model
        clock = time.perf_counter()
        if self.retrain:
            self._train(left, right, dedupe=dedupe)
        timings["train"] = time.perf_counter() - clock
        total_pairs = len(left) * (len(left) - 1) / 2 if dedupe else len(left) * len(right)
        # While training, score with the largest prior the data allows; the
        # estimated prior (capped there) only lowers weights, so nothing that
        # could pass is dropped.
        ceiling = min(0.5, 10 * min(len(left), len(right)) / max(total_pairs, 1))
        scoring_prior = ceiling if self.retrain else model.prior
        model.prior = scoring_prior
        keep_from = min(model.lower_threshold, 0.001)
        chunks = CandidateChunks(model.blocking_rules, left, None if dedupe else right,
                                 chunk_rows=self._chunk_rows(len(left), len(right)))
        patterns = PatternCounts(model.n_levels)
        kept_parts: list[ScoredPairs] = []
        timings.update(block=0.0, compare=0.0, score=0.0)

        def one_chunk(bounds: tuple[int, int]) -> tuple:
            spent = {"block": 0.0, "compare": 0.0, "score": 0.0}
            clock = time.perf_counter()
            left_rows, right_rows, counts = chunks.pairs(*bounds)
            spent["block"] = time.perf_counter() - clock
            clock = time.perf_counter()
            pairs = PairContext(left, right, left_rows, right_rows)
            levels = compute_levels(model.comparisons, pairs)
            found = level_patterns(levels, model.n_levels)
            spent["compare"] = time.perf_counter() - clock
            clock = time.perf_counter()
            kept = score(model, pairs, levels, min_probability=keep_from)
            spent["score"] = time.perf_counter() - clock
            return kept, found, counts, spent

        # Chunks are independent and come back in order: the result is the
        # same with one worker or several.
        for kept_part, found, counts, spent in self._map(one_chunk, chunks.bounds()):
            kept_parts.append(kept_part)
            patterns.add_patterns(*found)
            chunks.add_counts(counts)
            for key, seconds in spent.items():
                timings[key] += seconds
        clock = time.perf_counter()
        if self.retrain:
            model.prior = self._estimate_prior(patterns, chunks.total_pairs, total_pairs, ceiling)
        kept = _concatenate(kept_parts, model.comparisons)
        shift = model.prior_weight() - weight_from_probability(scoring_prior)
        kept.total_weight = kept.total_weight + shift
        kept.probability = probability_from_weight(kept.total_weight)
        kept = kept.subset(kept.probability >= keep_from)
        if self.auto_threshold:
            model.upper_threshold = max(expected_f1_threshold(kept.probability), 0.5)
            model.lower_threshold = min(model.lower_threshold, model.upper_threshold)
        kept = kept.subset(kept.probability >= model.lower_threshold)
        decision = np.where(kept.probability >= model.upper_threshold, "link", "review")
        decision = constrained_clusters(left, right, kept, decision.astype(object), dedupe=dedupe)
        timings["score"] += time.perf_counter() - clock
        return LinkResult(model, left, right, kept, decision, chunks.report(), chunks.total_pairs,
                          timings)

    def _chunk_rows(self, n_left: int, n_right: int) -> int:
        # About `pairs_per_chunk` candidates per chunk: the default passes give
        # each left record about 0.002 x n_right candidates on registry data.
        # A million: the chunk's temporaries then reuse freed memory instead of
        # mapping fresh pages (page faults cost a quarter of the CPU at 8M).
        rows = max(1000, int(self.pairs_per_chunk * 500 / max(n_right, 1)))
        if self.workers > 1:  # at least two chunks per worker, to share the work
            rows = min(rows, max(1000, -(-n_left // (2 * self.workers))))
        return rows

    def _estimate_prior(self, patterns: PatternCounts, n_candidates: int, total_pairs: float,
                        ceiling: float) -> float:
        model = self.model
        rows, counts = patterns.arrays()
        if rows.size == 0:
            return 1e-12
        m = [np.array(x) for x in model.m]
        u = [np.array(x) for x in model.u]
        em = expectation_maximisation(rows, model.n_levels, m_start=m, u_start=u, fixed_u=True,
                                      fixed_m=True, counts=counts)
        expected_matches = em.proportion_matched * n_candidates
        model.notes["expected_matches"] = expected_matches
        model.notes["candidate_pairs"] = n_candidates
        return float(min(max(expected_matches / max(total_pairs, 1), 1e-12), ceiling))

    def _train(self, left: RecordTable, right: RecordTable, *, dedupe: bool) -> None:
        """Estimate u, m and term frequencies from the data (the prior comes later).

        1. u: level shares among random pairs.
        2. m: one EM pass per session, over the pairs of the session's
           blocking rule, with u held fixed and the session's excluded
           comparisons left out; each comparison's m is the mean over the
           sessions that estimated it.
        """
        model = self.model
        rng = np.random.default_rng(self.seed)
        n_levels = model.n_levels
        # Draw every sample first (same random stream whatever runs in
        # parallel), then compare the samples, then run EM.
        u_pairs = self._u_sample(left, right, rng, dedupe=dedupe)
        sessions = []
        for session in model.em_sessions:
            rows_left, rows_right, _ = candidate_pairs(
                BlockingRules((session.rule,)), left, None if dedupe else right
            )
            if rows_left.size > self.em_pairs_per_session:
                pick = rng.choice(rows_left.size, self.em_pairs_per_session, replace=False)
                rows_left, rows_right = rows_left[pick], rows_right[pick]
            included = [
                k for k, c in enumerate(model.comparisons) if c.name not in session.exclude
            ]
            sessions.append((session, included, PairContext(left, right, rows_left, rows_right)))
        jobs = [(model.comparisons, u_pairs)] + [
            ([model.comparisons[k] for k in included], pairs)
            for _, included, pairs in sessions
            if pairs.size >= 50
        ]
        levels = iter(self._map(lambda job: compute_levels(*job), jobs))
        u = level_frequencies(next(levels), n_levels)
        estimates: list[list[np.ndarray]] = [[] for _ in n_levels]
        session_notes = []
        for session, included, pairs in sessions:
            if pairs.size < 50:
                session_notes.append(
                    {"rule": session.rule.name, "pairs": int(pairs.size), "skipped": True}
                )
                continue
            em = expectation_maximisation(
                next(levels),
                [n_levels[k] for k in included],
                u_start=[u[k] for k in included],
                fixed_u=True,
            )
            for position, k in enumerate(included):
                estimates[k].append(em.m[position])
            session_notes.append({
                "rule": session.rule.name,
                "pairs": int(pairs.size),
                "iterations": em.iterations,
                "converged": em.converged,
                "proportion_matched": em.proportion_matched,
            })
        m = [
            np.mean(found, axis=0) if found else start
            for found, start in zip(estimates, _fallback_m(n_levels), strict=True)
        ]
        model.m = [x.tolist() for x in m]
        model.u = [x.tolist() for x in u]
        model.fit_term_frequencies([left] if dedupe else [left, right])
        model.notes = {"em_sessions": session_notes, "u_sample_pairs": self.u_sample_size}

    def _u_sample(
        self, left: RecordTable, right: RecordTable, rng: np.random.Generator, *, dedupe: bool
    ) -> PairContext:
        # Random pairs: almost all are non-matches, so their levels estimate u.
        size = int(min(self.u_sample_size, max(len(left) * len(right) // (2 if dedupe else 1), 1)))
        sample_left = rng.integers(0, len(left), size)
        sample_right = rng.integers(0, len(right), size)
        if dedupe:
            distinct = sample_left != sample_right
            sample_left, sample_right = sample_left[distinct], sample_right[distinct]
        return PairContext(left, right, sample_left, sample_right)

    def _map(self, function, items: list) -> list:
        """Return ``[function(item) for item in items]``, over ``workers`` processes.

        Forked processes read the tables from memory shared at the fork and
        send back small results; results come back in order, so they are the
        same whatever the parallelism.  Without fork (or with one worker),
        threads or a plain loop.
        """
        if self.workers <= 1 or len(items) <= 1:
            return [function(item) for item in items]
        if "fork" not in multiprocessing.get_all_start_methods():
            with ThreadPoolExecutor(max_workers=self.workers) as executor:
                return list(executor.map(function, items))
        global _FORKED_JOB
        _FORKED_JOB = (function, items)  # inherited at the fork: only indices are sent
        gc.freeze()  # the children's collector then leaves the shared pages alone
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(min(self.workers, len(items)), initializer=_single_threaded) as pool:
                return pool.map(_call_forked, range(len(items)), chunksize=1)
        finally:
            gc.unfreeze()
            _FORKED_JOB = None


_FORKED_JOB: tuple | None = None  # (function, items) that forked workers run


def _call_forked(index: int):
    function, items = _FORKED_JOB
    return function(items[index])


def _single_threaded() -> None:
    # A thread pool inherited through fork would have no threads behind it.
    comparisons._WORKERS = 1


def _fallback_m(n_levels: list[int]) -> list[np.ndarray]:
    # Used only for a comparison no session could estimate (e.g. a field
    # absent from the data, where every pair is null and m never matters).
    return [np.full(count, 1.0 / max(count - 1, 1)) for count in n_levels]
