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

    Two classes, matches and non-matches: :func:`mixture_em` with those.
    ``counts`` given: ``levels`` already holds distinct patterns and these
    are their frequencies.
    """
    m = list(m_start or default_m(n_levels))
    u = list(u_start or _default_u(n_levels))
    k = len(n_levels)
    fit = mixture_em(
        levels,
        n_levels,
        [
            LatentClass("match", m, free=(not fixed_m,) * k),
            LatentClass("non-match", u, free=(not fixed_u,) * k),
        ],
        [proportion_start, 1 - proportion_start],
        counts=counts,
        max_iterations=max_iterations,
        tolerance=tolerance,
    )
    return EMResult(fit.shares[0], fit.shares[1], float(fit.proportions[0]), fit.iterations,
                    fit.converged)


@dataclass
class LatentClass:
    """One class of pairs in a mixture: its level shares per comparison.

    ``free[k]``: EM re-estimates comparison ``k``'s shares (else they stay as
    given). ``tied[k]``: the index of another class whose shares comparison
    ``k`` shares (estimated from both classes' pairs together).
    """

    name: str
    shares: Sequence[np.ndarray]
    free: Sequence[bool]
    tied: Sequence[int | None] | None = None


@dataclass
class MixtureResult:
    shares: list[list[np.ndarray]]  # per class, per comparison
    proportions: np.ndarray
    iterations: int
    converged: bool


def mixture_em(
    levels: np.ndarray,
    n_levels: Sequence[int],
    classes: Sequence[LatentClass],
    proportions: Sequence[float],
    *,
    counts: np.ndarray | None = None,
    fixed_proportions: bool = False,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
) -> MixtureResult:
    """Fit a mixture of classes of pairs (e.g. match / relatives / unrelated) by EM.

    Each class is a product of per-comparison level shares (the Fellegi-Sunter
    independence, within a class).

    1. Collapse the pairs into distinct level patterns with counts.
    2. E-step: each pattern's posterior share per class.
    3. M-step: the free shares as posterior-weighted level shares (null levels
       excluded; tied classes pool their weights); the proportions as the mean
       posteriors, unless fixed.
    4. Stop when nothing moves more than ``tolerance``.
    """
    if counts is None:
        patterns, counts = level_patterns(levels, n_levels)
    else:
        patterns, counts = levels, np.asarray(counts, dtype=float)
    k = len(n_levels)
    shares = [[np.array(x, dtype=float) for x in c.shares] for c in classes]
    ties = [list(c.tied) if c.tied is not None else [None] * k for c in classes]
    proportion = np.array(proportions, dtype=float)
    columns = [np.ascontiguousarray(patterns[:, column], dtype=np.intp) for column in range(k)]
    converged = False
    iteration = 0
    while iteration < max_iterations and len(patterns):
        iteration += 1
        log_like = np.empty((len(classes), len(patterns)))
        for c in range(len(classes)):
            log_like[c] = np.log(max(proportion[c], 1e-300))
            for column in range(k):  # the log of a few shares, then gathered per pattern
                log_like[c] += np.log(np.maximum(shares[c][column], _EPS))[columns[column]]
        log_like -= log_like.max(axis=0)
        posterior = np.exp(log_like)
        posterior /= posterior.sum(axis=0)
        weighted = posterior * counts
        new_proportion = (
            proportion
            if fixed_proportions
            else np.clip(weighted.sum(axis=1) / counts.sum(), 1e-12, 1.0)
        )
        new_shares = [list(x) for x in shares]
        for c, latent in enumerate(classes):
            for column in range(k):
                if not latent.free[column]:
                    continue
                weights = weighted[c]
                other = ties[c][column]
                if other is not None:
                    weights = weights + weighted[other]
                new_shares[c][column] = _shares(columns[column], weights, n_levels[column])
                if other is not None:
                    new_shares[other][column] = new_shares[c][column]
        change = float(np.max(np.abs(new_proportion - proportion)))
        for before, after in zip(shares, new_shares, strict=True):
            for a, b in zip(before, after, strict=True):
                change = max(change, float(np.max(np.abs(a - b))))
        shares, proportion = new_shares, new_proportion
        if change < tolerance:
            converged = True
            break
    return MixtureResult(shares, proportion, iteration, converged)


def _shares(column_levels: np.ndarray, weights: np.ndarray, n_levels: int) -> np.ndarray:
    totals = np.bincount(column_levels.astype(np.int64), weights=weights, minlength=n_levels)
    totals[1:] += 1e-6  # keep every level possible
    share = np.ones(n_levels)
    non_null = totals[1:].sum()
    if non_null > 0:
        share[1:] = totals[1:] / non_null
    return share


def default_m(n_levels: Sequence[int]) -> list[np.ndarray]:
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
