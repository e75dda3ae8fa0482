"""Fellegi-Sunter scoring with parameters estimated from unlabelled data.

* u (chance agreement) comes from comparing random pairs: almost all random
  pairs are non-matches, so level frequencies among them estimate u directly.
* m (agreement among true matches) comes from expectation-maximisation over
  the candidate pairs, with the candidates' own non-match distribution
  estimated alongside and then discarded (blocking makes it unlike u).
* Term frequency: an exact agreement on a value held by a share ``f`` of
  records has weight ``log2(m / f)`` instead of ``log2(m / u)``, so agreeing
  on "Hernández" counts less than agreeing on "Xicoténcatl".

Weights are base-2 logarithms of Bayes factors, so they add up per field and
every score explains itself as a sum of field weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_EPS = 1e-9


@dataclass
class EMResult:
    m: list[np.ndarray]
    u_candidates: list[np.ndarray]
    proportion_matched: float
    iterations: int
    converged: bool


def level_frequencies(
    levels: np.ndarray, n_levels: Sequence[int], *, smoothing: float = 0.5
) -> list[np.ndarray]:
    """Return, per comparison, each non-null level's share among pairs (null gets 1).

    ``smoothing`` is added to every count so a level never seen in the sample
    keeps a small probability instead of an infinite weight.
    """
    shares = []
    for column, count in enumerate(n_levels):
        counts = np.bincount(levels[:, column].astype(np.int64), minlength=count).astype(float)
        counts[1:] += smoothing
        total = counts[1:].sum()
        share = np.ones(count)
        if total > 0:
            share[1:] = counts[1:] / total
        shares.append(share)
    return shares


class PatternCounts:
    """Distinct level patterns and their counts, accumulated chunk by chunk."""

    def __init__(self, n_levels: Sequence[int]) -> None:
        self.n_levels = list(n_levels)
        self._rows: dict[int, np.ndarray] = {}
        self._counts: dict[int, float] = {}

    def add(self, levels: np.ndarray) -> None:
        self.add_patterns(*level_patterns(levels, self.n_levels))

    def add_patterns(self, patterns: np.ndarray, counts: np.ndarray) -> None:
        """Add distinct patterns and their counts (as :func:`level_patterns` returns them)."""
        keys = _pattern_code(patterns, self.n_levels).tolist()
        for key, row, count in zip(keys, patterns, counts.tolist(), strict=True):
            if key not in self._rows:
                self._rows[key] = row
            self._counts[key] = self._counts.get(key, 0.0) + count

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (patterns, counts), in pattern order whatever order chunks came in."""
        if not self._rows:
            return np.zeros((0, len(self.n_levels)), dtype=np.int8), np.zeros(0)
        keys = sorted(self._rows)
        return np.stack([self._rows[k] for k in keys]), np.array([self._counts[k] for k in keys])


def _pattern_code(levels: np.ndarray, n_levels: Sequence[int]) -> np.ndarray:
    code = np.zeros(len(levels), dtype=np.int64)
    for column, count in enumerate(n_levels):
        code = code * count + levels[:, column]
    return code


def level_patterns(levels: np.ndarray, n_levels: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct rows of ``levels`` and how often each occurs."""
    code = _pattern_code(levels, n_levels)
    _unique_codes, first, counts = np.unique(code, return_index=True, return_counts=True)
    return levels[first], counts.astype(float)


def expectation_maximisation(
    levels: np.ndarray,
    n_levels: Sequence[int],
    *,
    m_start: Sequence[np.ndarray] | None = None,
    u_start: Sequence[np.ndarray] | None = None,
    proportion_start: float = 0.1,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
    fixed_u: bool = False,
    fixed_m: bool = False,
    counts: np.ndarray | None = None,
) -> EMResult:
    """Estimate m (and the candidates' u) by EM over comparison patterns.

    1. Collapse the pairs into distinct level patterns with counts (fast: a
       few thousand patterns whatever the number of pairs).
    2. E-step: posterior match probability of each pattern.
    3. M-step: m and u as posterior-weighted level shares, null levels
       excluded; the matched proportion as the mean posterior.
    4. Stop when no parameter moves more than ``tolerance``.
    """
    if counts is None:
        patterns, counts = level_patterns(levels, n_levels)
    else:  # ``levels`` already holds distinct patterns, ``counts`` their frequencies
        patterns, counts = levels, np.asarray(counts, dtype=float)
    k = len(n_levels)
    m = [np.array(x, dtype=float) for x in (m_start or _default_m(n_levels))]
    u = [np.array(x, dtype=float) for x in (u_start or _default_u(n_levels))]
    proportion = proportion_start
    converged = False
    iteration = 0
    while iteration < max_iterations:
        iteration += 1
        log_m = np.zeros(len(patterns))
        log_u = np.zeros(len(patterns))
        for column in range(k):
            lv = patterns[:, column]
            log_m += np.log(np.maximum(m[column][lv], _EPS))
            log_u += np.log(np.maximum(u[column][lv], _EPS))
        log_odds = np.log(proportion / (1 - proportion)) + log_m - log_u
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
        matched = counts * posterior
        unmatched = counts * (1 - posterior)
        new_proportion = float(np.clip(matched.sum() / counts.sum(), 1e-9, 1 - 1e-9))
        new_m, new_u = [], []
        for column in range(k):
            new_m.append(
                m[column] if fixed_m else _shares(patterns[:, column], matched, n_levels[column])
            )
            new_u.append(
                u[column] if fixed_u else _shares(patterns[:, column], unmatched, n_levels[column])
            )
        change = max(
            abs(new_proportion - proportion),
            max(float(np.max(np.abs(a - b))) for a, b in zip(new_m, m, strict=False)),
            max(float(np.max(np.abs(a - b))) for a, b in zip(new_u, u, strict=False)),
        )
        m, u, proportion = new_m, new_u, new_proportion
        if change < tolerance:
            converged = True
            break
    return EMResult(m, u, proportion, iteration, converged)


def _shares(column_levels: np.ndarray, weights: np.ndarray, n_levels: int) -> np.ndarray:
    totals = np.bincount(column_levels.astype(np.int64), weights=weights, minlength=n_levels)
    totals[1:] += 1e-6  # keep every level possible
    share = np.ones(n_levels)
    non_null = totals[1:].sum()
    if non_null > 0:
        share[1:] = totals[1:] / non_null
    return share


def _default_m(n_levels: Sequence[int]) -> list[np.ndarray]:
    # Start believing matches mostly land on strong levels (listed first).
    starts = []
    for count in n_levels:
        share = np.ones(count)
        if count > 1:
            raw = 0.5 ** np.arange(count - 1)
            share[1:] = raw / raw.sum()
        starts.append(share)
    return starts


def _default_u(n_levels: Sequence[int]) -> list[np.ndarray]:
    starts = []
    for count in n_levels:
        share = np.ones(count)
        if count > 1:
            raw = 0.5 ** np.arange(count - 1)[::-1]
            share[1:] = raw / raw.sum()
        starts.append(share)
    return starts


def match_weights(m: Sequence[np.ndarray], u: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Return log2(m/u) per level; the null level (index 0) weighs 0."""
    weights = []
    for m_col, u_col in zip(m, u, strict=False):
        w = np.log2(np.maximum(m_col, _EPS) / np.maximum(u_col, _EPS))
        w[0] = 0.0
        weights.append(w)
    return weights


def probability_from_weight(weight: np.ndarray | float) -> np.ndarray | float:
    """Return the match probability for a total base-2 log-odds ``weight``."""
    return 1.0 / (1.0 + np.power(2.0, -np.clip(weight, -1000, 1000)))


def weight_from_probability(probability: float) -> float:
    probability = min(max(probability, 1e-15), 1 - 1e-15)
    return float(np.log2(probability / (1 - probability)))


def expected_f1_threshold(probabilities: np.ndarray) -> float:
    """Return the probability threshold that maximises the *expected* F1.

    With calibrated probabilities p, the pairs above a threshold hold Σp true
    matches out of their count, and all candidates hold Σp_all; expected F1 is
    2·Σp_above / (count_above + Σp_all).  No labels needed.
    """
    if probabilities.size == 0:
        return 0.5
    order = np.sort(probabilities)[::-1]
    cumulative = np.cumsum(order)
    expected_matches = cumulative[-1]
    counts = np.arange(1, order.size + 1)
    f1 = 2 * cumulative / (counts + expected_matches)
    best = int(np.argmax(f1))
    return float(order[best])
