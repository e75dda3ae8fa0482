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
from matching.blocking import BlockingReport, CandidateChunks, sample_block_pairs
from matching.clustering import decide_links
from matching.comparisons import PairContext, compute_levels
from matching.model import LinkageModel
from matching.phrases import with_phrases
from matching.records import STRING_FEATURES, RecordTable, Vocabularies
from matching.scoring import (
    LatentClass,
    PatternCounts,
    default_m,
    expected_f1_threshold,
    level_frequencies,
    level_patterns,
    mixture_em,
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
    total_weight: np.ndarray  # prior + sum of field weights + relatives weight
    probability: np.ndarray
    # <= 0: how much the chance that the two are relatives, not one person, takes off
    relatives_weight: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.relatives_weight is None:
            self.relatives_weight = np.zeros(len(self.total_weight))

    def subset(self, mask: np.ndarray) -> ScoredPairs:
        return ScoredPairs(
            self.left_rows[mask],
            self.right_rows[mask],
            self.levels[mask],
            self.field_weights[mask],
            self.total_weight[mask],
            self.probability[mask],
            self.relatives_weight[mask],
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

    With a relatives class the other explanation of the same evidence, "two
    relatives", is weighed too: the probability is P(match) against strangers
    *and* relatives, and the difference is the pair's ``relatives_weight``
    (never positive, so the filter on the two-class weight drops nothing that
    could pass).
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
    relatives = (
        _relatives_weight(model, levels[keep], field_weights)
        if model.has_relatives and keep.size
        else np.zeros(keep.size)
    )
    total = total + relatives
    return ScoredPairs(
        pairs.left_rows[keep],
        pairs.right_rows[keep],
        levels[keep],
        field_weights,
        total,
        probability_from_weight(total),
        relatives,
    )


def _relatives_weight(
    model: LinkageModel, levels: np.ndarray, field_weights: np.ndarray
) -> np.ndarray:
    """Return -log2(1 + P(relatives, x) / P(strangers, x)) per pair.

    Per field, relatives against strangers weigh log2(r / u). Where a level is
    term-frequency adjusted the strangers' share is the value's frequency f:
    * a comparison relatives share like one person (surnames) weighs log2(r / f):
      a family shares its surname however rare; that is the field's weight
      log2(m / f) plus log2(r / m), no second pass over the frequencies;
    * any other (given names) weighs its level's log2(r / u): a relative's
      given name agrees by chance, rare names seldom, as a stranger's does, so
      the frequency counts alike for both and cancels.
    """
    like_matches = set(model.relatives.like_matches) if model.relatives else set()
    base = model.weights()
    relatives_base = model.relatives_weights()
    log_odds = np.full(len(levels), model.relatives_odds_weight())
    for column, comparison in enumerate(model.comparisons):
        lv = levels[:, column].astype(np.intp)
        if comparison.name in like_matches or not any(lvl.tf for lvl in comparison.levels):
            shift = relatives_base[column] - base[column]  # log2(r / m), 0 at null
            log_odds += field_weights[:, column] + shift[lv]
        else:
            log_odds += relatives_base[column][lv]
    return -np.logaddexp2(0.0, log_odds)


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
    names = ("left_rows", "right_rows", "levels", "field_weights", "total_weight", "probability",
             "relatives_weight")
    return ScoredPairs(*(np.concatenate([getattr(p, name) for p in parts]) for name in names))


RELATIVES = "relatives"  # the explanation's entry for the relatives' weight
RELATIVES_LEVEL = "possible relatives"
HOLD = "hold"  # the explanation's entry for a decision rule that holds the pair for review


def explain(
    model: LinkageModel, scored: ScoredPairs, row: int, *, hold: str | None = None
) -> dict[str, dict[str, Any]]:
    """Return, for pair ``row``, each comparison's level label and weight.

    When the chance that the two are relatives took weight off, it is one more
    entry, ``"relatives"``: the weights and the prior still add up to the total.
    When a decision rule keeps the pair from being linked automatically, the
    entry ``"hold"`` says which (its level is the reason code, its weight 0).
    Each entry whose level has one carries its Spanish ``"phrase"``
    (``matching.phrases``), for the reviewer.
    """
    explanation = {
        comparison.name: {
            "level": comparison.levels[int(scored.levels[row, column])].label,
            "weight": round(float(scored.field_weights[row, column]), 3),
        }
        for column, comparison in enumerate(model.comparisons)
    }
    relatives = round(float(scored.relatives_weight[row]), 3)
    if relatives < 0:
        explanation[RELATIVES] = {"level": RELATIVES_LEVEL, "weight": relatives}
    if hold:
        explanation[HOLD] = {"level": hold, "weight": 0.0}
    return with_phrases(explanation)


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
    # Why a pair at or above the upper threshold went to review ("" otherwise):
    # a decision rule (``matching.decisions``) or a cluster constraint.
    reasons: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.reasons is None:
            self.reasons = np.full(len(self.decision), "", dtype=object)

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
        cluster: bool = True,
    ) -> None:
        # cluster=False: scored pairs only, no clustering of the links (a caller that
        # applies its own policy to the pairs, such as the registry's bulk writer).
        self.cluster = cluster
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
        total_pairs = _total_pairs(left, right, dedupe)
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
        reasons = None
        if self.cluster:
            decision, reasons = decide_links(left, right, kept, decision.astype(object),
                                             dedupe=dedupe, model=model)
        timings["score"] += time.perf_counter() - clock
        return LinkResult(model, left, right, kept, decision, chunks.report(), chunks.total_pairs,
                          timings, reasons)

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
        """Return P(match) for a random pair: EM over the candidates' level patterns.

        m, u (and r) stay fixed; only the classes' proportions move. With a
        relatives class, pairs that look like relatives are not counted as
        matches (they would inflate the prior).
        """
        model = self.model
        rows, counts = patterns.arrays()
        if rows.size == 0:
            return 1e-12
        classes = [
            LatentClass("match", [np.array(x) for x in model.m], (False,) * len(model.m)),
            LatentClass("strangers", [np.array(x) for x in model.u], (False,) * len(model.u)),
        ]
        start = [0.1, 0.9]
        if model.has_relatives:
            classes.append(
                LatentClass("relatives", [np.array(x) for x in model.r], (False,) * len(model.r))
            )
            start = [0.1, 0.8, 0.1]
        fit = mixture_em(rows, model.n_levels, classes, start, counts=counts)
        expected_matches = float(fit.proportions[0]) * n_candidates
        model.notes["expected_matches"] = expected_matches
        model.notes["candidate_pairs"] = n_candidates
        return float(min(max(expected_matches / max(total_pairs, 1), 1e-12), ceiling))

    def _train(self, left: RecordTable, right: RecordTable, *, dedupe: bool) -> None:
        """Estimate u, m, the relatives class and term frequencies (the prior comes later).

        1. u: level shares among random pairs.
        2. m: one EM pass per session, over a sample of the pairs of the
           session's blocking rule, with u held fixed and the session's excluded
           comparisons left out; each comparison's m is the mean over the
           sessions that estimated it. With a relatives class the pass fits
           three classes (matches, relatives, strangers), so that twins in "same
           birth date" or fathers and sons in "same surname and given name" are
           not taken for one person.
        3. Relatives: EM over a sample of the pairs whose two surnames sound
           alike, with m and u fixed: the relatives' shares of every other
           comparison, and how many such pairs are relatives (the prior of the
           class for a random pair).
        """
        model = self.model
        rng = np.random.default_rng(self.seed)
        n_levels = model.n_levels
        relatives = model.relatives
        # Draw every sample first (same random stream whatever runs in
        # parallel), then compare the samples, then run EM.
        u_pairs = self._u_sample(left, right, rng, dedupe=dedupe)
        other = None if dedupe else right
        sessions = []
        for session in model.em_sessions:
            rows_left, rows_right, _ = sample_block_pairs(
                session.rule, left, other, self.em_pairs_per_session, rng
            )
            included = [
                k for k, c in enumerate(model.comparisons) if c.name not in session.exclude
            ]
            sessions.append((session, included, PairContext(left, right, rows_left, rows_right)))
        family = None
        if relatives is not None:
            rows_left, rows_right, block_pairs = sample_block_pairs(
                relatives.rule, left, other, self.em_pairs_per_session, rng
            )
            included = [
                k for k, c in enumerate(model.comparisons) if c.name not in relatives.like_matches
            ]
            family = (included, PairContext(left, right, rows_left, rows_right), block_pairs)
        jobs = [(model.comparisons, u_pairs)] + [
            ([model.comparisons[k] for k in included], pairs)
            for _, included, pairs in sessions
            if pairs.size >= 50
        ]
        if family is not None and family[1].size >= 50:
            jobs.append(([model.comparisons[k] for k in family[0]], family[1]))
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
            fit = self._session_em(next(levels), included, u)
            for position, k in enumerate(included):
                estimates[k].append(fit.shares[0][position])
            session_notes.append({
                "rule": session.rule.name,
                "pairs": int(pairs.size),
                "iterations": fit.iterations,
                "converged": fit.converged,
                "proportions": [float(x) for x in fit.proportions],
            })
        m = [
            np.mean(found, axis=0) if found else start
            for found, start in zip(estimates, _fallback_m(n_levels), strict=True)
        ]
        model.m = [x.tolist() for x in m]
        model.u = [x.tolist() for x in u]
        model.r, model.relatives_prior = None, 0.0
        notes = {"em_sessions": session_notes, "u_sample_pairs": self.u_sample_size}
        if family is not None:
            included, pairs, block_pairs = family
            notes["relatives"] = {"rule": relatives.rule.name, "pairs": int(pairs.size),
                                  "block_pairs": block_pairs}
            if pairs.size >= 50:
                self._fit_relatives(next(levels), included, block_pairs, m, u, notes["relatives"],
                                    total_pairs=_total_pairs(left, right, dedupe))
        model.fit_term_frequencies([left] if dedupe else [left, right])
        model.population = len(left) if dedupe else len(left) + len(right)
        model.notes = notes

    def _session_em(self, levels: np.ndarray, included: list[int], u: list[np.ndarray]):
        """Return the mixture fitted to one EM session's pairs (class 0: matches)."""
        model = self.model
        n_levels = [model.n_levels[k] for k in included]
        names = [model.comparisons[k].name for k in included]
        free = (True,) * len(included)
        matches = LatentClass("match", default_m(n_levels), free)
        strangers = LatentClass("strangers", [u[k] for k in included], (False,) * len(included))
        relatives = model.relatives
        if relatives is None:
            return mixture_em(levels, n_levels, [matches, strangers], [0.1, 0.9])
        # Relatives here too, even where the session leaves the surnames out: the
        # fathers and sons of "same surname and given name" differ in birth date
        # and share a home, and would otherwise count as matches whose birth
        # dates disagree.
        family = LatentClass(
            "relatives",
            self._relatives_start(included, u, matches.shares),
            [n not in relatives.like_strangers for n in names],
            [0 if n in relatives.like_matches else None for n in names],
        )
        return mixture_em(levels, n_levels, [matches, family, strangers], [0.1, 0.05, 0.85])

    def _relatives_start(self, included: list[int], u: list[np.ndarray],
                         m: list[np.ndarray]) -> list[np.ndarray]:
        relatives = self.model.relatives
        start = []
        for position, k in enumerate(included):
            name = self.model.comparisons[k].name
            alike = name in relatives.like_matches or name in relatives.households
            start.append(np.array(m[position] if alike else u[k], dtype=float))
        return start

    def _fit_relatives(self, levels: np.ndarray, included: list[int], block_pairs: int,
                       m: list[np.ndarray], u: list[np.ndarray], notes: dict, *,
                       total_pairs: float) -> None:
        """Estimate the relatives' shares and prior from pairs whose surnames sound alike.

        Among those pairs the strangers' other fields are still u (a surname says
        nothing of a stranger's birth date), so three classes separate: matches
        (m fixed), relatives (free), strangers (u fixed).
        """
        model = self.model
        relatives = model.relatives
        n_levels = [model.n_levels[k] for k in included]
        names = [model.comparisons[k].name for k in included]
        fixed = (False,) * len(included)
        fit = mixture_em(
            levels,
            n_levels,
            [
                LatentClass("match", [m[k] for k in included], fixed),
                LatentClass(
                    "relatives",
                    self._relatives_start(included, u, [m[k] for k in included]),
                    [n not in relatives.like_strangers for n in names],
                ),
                LatentClass("strangers", [u[k] for k in included], fixed),
            ],
            [0.05, 0.2, 0.75],
        )
        r = [u[k].copy() for k in range(len(m))]
        for k, comparison in enumerate(model.comparisons):
            if comparison.name in relatives.like_matches:
                r[k] = m[k].copy()
        for position, k in enumerate(included):
            r[k] = fit.shares[1][position]
        model.r = [x.tolist() for x in r]
        model.relatives_prior = float(fit.proportions[1]) * block_pairs / max(total_pairs, 1)
        notes.update(iterations=fit.iterations, converged=fit.converged,
                     proportions=[float(x) for x in fit.proportions],
                     relatives_prior=model.relatives_prior)

    def _u_sample(
        self, left: RecordTable, right: RecordTable, rng: np.random.Generator, *, dedupe: bool
    ) -> PairContext:
        # Random pairs: almost all are non-matches, so their levels estimate u.
        size = int(min(self.u_sample_size, max(_total_pairs(left, right, dedupe), 1)))
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


def _total_pairs(left: RecordTable, right: RecordTable, dedupe: bool) -> int:
    return len(left) * (len(left) - 1) // 2 if dedupe else len(left) * len(right)


def _fallback_m(n_levels: list[int]) -> list[np.ndarray]:
    # Used only for a comparison no session could estimate (e.g. a field
    # absent from the data, where every pair is null and m never matters).
    return [np.full(count, 1.0 / max(count - 1, 1)) for count in n_levels]
