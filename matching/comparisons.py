"""Declarative field comparisons: each pair falls into one ordered level.

A :class:`Comparison` is a list of :class:`Level` values, ``null`` first and
``else`` last, stronger levels before weaker ones (as in Splink's comparison
library).  A pair takes the first level whose test it passes.  Levels are
computed column-wise over all candidate pairs at once, and each level only
looks at the pairs no earlier level claimed, so expensive fuzzy scores run on
the few pairs that need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, JaroWinkler, Levenshtein

from matching.records import INT_FEATURES, STRING_FEATURES, RecordTable, char_signatures

_WORKERS = 2  # the machine budget: two cores
# Below this many pairs a second thread costs more than it saves.
_PARALLEL_MIN_PAIRS = 20_000


def _workers(size: int) -> int:
    return _WORKERS if size >= _PARALLEL_MIN_PAIRS else 1


_KINDS = {
    "null",
    "else",
    "exact",
    "jaro_winkler",
    "token_set",
    "levenshtein",
    "indel",
    "cross_exact",
    "swapped",
    "within_imprecise",
    "date_swapped",
    "date_one_digit",
    "date_transposed",
    "date_year_off",
    "date_within_days",
    "ordinal_within_days",
    "within",
    "null_unless_one_curp",
    "curp_consistent",
}
# Kinds whose threshold must decrease (loosen) down the list, and how to say so.
_SIMILARITY_KINDS = {"jaro_winkler", "token_set", "levenshtein", "indel"}
_LOOSENING = {
    "jaro_winkler": -1,
    "token_set": -1,
    "indel": -1,
    "levenshtein": 1,
    "date_within_days": 1,
    "ordinal_within_days": 1,
    "within": 1,
    "within_imprecise": 1,
}


@dataclass(frozen=True)
class Level:
    """One level of a comparison: a label, a test kind, its features and threshold."""

    label: str
    kind: str
    features: tuple[str, ...] = ()
    threshold: float | None = None
    tf: bool = False  # adjust this level's weight by the frequency of the value
    gate: tuple[str, ...] = ()  # only pairs agreeing on one of these features can reach the level

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "kind": self.kind,
            "features": list(self.features),
            "threshold": self.threshold,
            "tf": self.tf,
            "gate": list(self.gate),
        }

    @classmethod
    def from_json(cls, data: dict) -> Level:
        return cls(
            data["label"],
            data["kind"],
            tuple(data["features"]),
            data["threshold"],
            data["tf"],
            tuple(data.get("gate") or ()),
        )


# --- level constructors (read like the levels they make) ---------------------


def null(*features: str) -> Level:
    """Either side lacks any of ``features``: no evidence either way."""
    return Level("null", "null", features)


def else_() -> Level:
    """Everything no earlier level claimed."""
    return Level("else", "else")


def exact(feature: str, *, tf: bool = False) -> Level:
    return Level(f"exact {feature}", "exact", (feature,), tf=tf)


def jaro_winkler(feature: str, threshold: float) -> Level:
    return Level(f"jaro-winkler {feature} >= {threshold}", "jaro_winkler", (feature,), threshold)


def token_set(feature: str, threshold: float) -> Level:
    """Token-set ratio (0-100): 100 when one name's words contain the other's."""
    return Level(f"token-set {feature} >= {threshold:g}", "token_set", (feature,), threshold)


def indel(feature: str, threshold: float, *, gate: tuple[str, ...] = ()) -> Level:
    """Normalised Indel similarity (0-1), tolerant of merged words.

    With ``gate``, only pairs that agree exactly on one of those features are
    scored (the others fail the level): a cheap way to keep a costly measure
    off millions of pairs that cannot reach it.
    """
    suffix = f" (same {' or '.join(gate)})" if gate else ""
    return Level(
        f"indel {feature} >= {threshold}{suffix}", "indel", (feature,), threshold, gate=tuple(gate)
    )


def levenshtein(feature: str, threshold: int) -> Level:
    return Level(f"levenshtein {feature} <= {threshold}", "levenshtein", (feature,), threshold)


def cross_exact(feature: str, other: str) -> Level:
    """One side's ``feature`` equals the other side's ``other`` (swapped fields)."""
    return Level(f"{feature} crossed with {other}", "cross_exact", (feature, other))


def swapped(feature: str, other: str) -> Level:
    """The two fields swapped: one side's ``feature`` is the other's ``other`` and back.

    A single crossing counts only where the displaced field is empty on that
    side ("Pérez" and "Lara Pérez"); "Pérez Lara" and "García Pérez" share one
    surname in different places, which is not a swap.
    """
    return Level(f"{feature} swapped with {other}", "swapped", (feature, other))


def date_swapped(feature: str = "birth") -> Level:
    return Level("day and month swapped", "date_swapped", (feature,))


def date_one_digit(feature: str = "birth") -> Level:
    return Level("one digit differs", "date_one_digit", (feature,))


def date_transposed(feature: str = "birth") -> Level:
    """Two neighbouring digits swapped (19170509 written 19175009)."""
    return Level("two neighbouring digits swapped", "date_transposed", (feature,))


def date_year_off(feature: str = "birth") -> Level:
    return Level("same day and month, year off by one", "date_year_off", (feature,))


def date_within_days(feature: str, days: int) -> Level:
    """Both ``yyyymmdd`` dates within ``days`` of each other."""
    return Level(f"{feature} within {days} days", "date_within_days", (feature,), days)


def ordinal_within_days(feature: str, days: int) -> Level:
    """Both day-ordinal dates within ``days`` of each other."""
    return Level(f"{feature} within {days} days", "ordinal_within_days", (feature,), days)


def within(feature: str, difference: int) -> Level:
    """Integer features differ by at most ``difference`` (birth years from ages)."""
    return Level(f"{feature} within {difference}", "within", (feature,), difference)


def within_imprecise(feature: str, difference: int) -> Level:
    """Birth years within ``difference`` where a side has no precise birth date.

    An age gives only a year, and a date written as 1 January is often a year
    alone; two precise dates that differ beyond a slip are two people's.
    """
    return Level(f"{feature} within {difference} (a date not precise)", "within_imprecise",
                 (feature,), difference)


def null_unless_one_curp() -> Level:
    """Null unless exactly one side has a CURP and the other has names and a birth date."""
    return Level("null", "null_unless_one_curp")


def curp_consistent() -> Level:
    """The one CURP's initials and birth date agree with the other side's fields."""
    return Level("CURP agrees with the other record's names and birth date", "curp_consistent")


@dataclass(frozen=True)
class Comparison:
    """A named comparison: ordered levels, null first and else last."""

    name: str
    levels: tuple[Level, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", tuple(self.levels))
        _validate(self)
        # The loosest threshold per measure: scores beyond it need not be exact,
        # which lets rapidfuzz stop early.
        cutoffs: dict[tuple[str, str], float] = {}
        for level in self.levels:
            if level.kind in _LOOSENING and level.kind in _SIMILARITY_KINDS:
                key = (level.kind, level.features[0])
                loosest = cutoffs.get(key, level.threshold)
                pick = min if _LOOSENING[level.kind] < 0 else max
                cutoffs[key] = pick(loosest, level.threshold)
        object.__setattr__(self, "_cutoffs", cutoffs)

    @property
    def labels(self) -> list[str]:
        return [level.label for level in self.levels]

    def to_json(self) -> dict:
        return {"name": self.name, "levels": [level.to_json() for level in self.levels]}

    @classmethod
    def from_json(cls, data: dict) -> Comparison:
        return cls(data["name"], tuple(Level.from_json(level) for level in data["levels"]))

    def compute(self, pairs: PairContext) -> np.ndarray:
        """Return the level index (int8) of every pair."""
        out = np.full(pairs.size, -1, dtype=np.int8)
        pairs.cutoffs = self._cutoffs
        todo = np.arange(pairs.size)  # pairs no level has claimed yet, in order
        for index, level in enumerate(self.levels):
            if todo.size == 0:
                break
            if level.kind == "else":
                out[todo] = index
                break
            if level.gate:
                tested = todo[_agree_on_any(pairs, level.gate, todo)]
                if tested.size:
                    out[tested[_TESTS[level.kind](pairs, level, tested)]] = index
                    todo = todo[out[todo] < 0]
                continue
            passed = _TESTS[level.kind](pairs, level, todo)
            out[todo[passed]] = index
            todo = todo[~passed]
        pairs.release()
        return out


def _validate(comparison: Comparison) -> None:
    levels = comparison.levels
    name = comparison.name
    if len(levels) < 2:
        raise ValueError(
            f"Comparison {name!r} needs at least a null level and else_(): "
            f"Comparison({name!r}, [null(...), ..., else_()])"
        )
    if levels[0].kind not in ("null", "null_unless_one_curp"):
        raise ValueError(
            f"Comparison {name!r}: the first level must be null(...); "
            f"got {levels[0].label!r}. Put null({', '.join(map(repr, levels[1].features))}) first."
        )
    if levels[-1].kind != "else":
        raise ValueError(
            f"Comparison {name!r}: the last level must be else_(); got {levels[-1].label!r}."
        )
    known = set(STRING_FEATURES) | set(INT_FEATURES)
    last_threshold: dict[tuple[str, tuple[str, ...]], float] = {}
    for level in levels:
        if level.kind not in _KINDS:
            raise ValueError(f"Comparison {name!r}: unknown level kind {level.kind!r}")
        unknown = [f for f in level.features if f not in known]
        if unknown:
            raise ValueError(
                f"Comparison {name!r}, level {level.label!r}: unknown feature(s) "
                f"{unknown}; use one of {sorted(known)}"
            )
        if level.kind in ("else",) and level is not levels[-1]:
            raise ValueError(f"Comparison {name!r}: else_() must be the last level")
        direction = _LOOSENING.get(level.kind)
        if direction is not None:
            key = (level.kind, level.features)
            previous = last_threshold.get(key)
            if previous is not None and (level.threshold - previous) * direction <= 0:
                raise ValueError(
                    f"Comparison {name!r}: {level.kind} levels must go from strict to loose; "
                    f"{level.threshold} after {previous} would never be reached. Reorder them."
                )
            last_threshold[key] = level.threshold
        if any(g not in known for g in level.gate):
            raise ValueError(
                f"Comparison {name!r}, level {level.label!r}: unknown gate feature in {level.gate}"
            )
        if level.tf and level.kind != "exact":
            raise ValueError(f"Comparison {name!r}: tf=True only applies to exact(...) levels")


class PairContext:
    """Candidate pairs (row ``left_rows[k]`` of ``left`` with ``right_rows[k]`` of ``right``)."""

    def __init__(
        self, left: RecordTable, right: RecordTable, left_rows: np.ndarray, right_rows: np.ndarray
    ):
        self.left = left
        self.right = right
        self.left_rows = np.asarray(left_rows, dtype=np.int64)
        self.right_rows = np.asarray(right_rows, dtype=np.int64)
        self.size = len(self.left_rows)
        self._cache: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}  # known, scores
        self._values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.cutoffs: dict[tuple[str, str], float] = {}

    def values(self, feature: str, todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the integer values (ids for strings) of ``feature`` on both sides."""
        found = self._values.get(feature)
        if found is None:
            # Gather once per comparison, then subset: random reads into the
            # record columns are the slow part.
            found = (
                self.left.column(feature)[self.left_rows],
                self.right.column(feature)[self.right_rows],
            )
            self._values[feature] = found
        return found[0][todo], found[1][todo]

    def release(self) -> None:
        """Drop the per-comparison caches (they cost memory per pair)."""
        self._values.clear()
        self._cache.clear()

    def texts(self, feature: str, todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (
            self.left.text(feature)[self.left_rows[todo]],
            self.right.text(feature)[self.right_rows[todo]],
        )

    def similarity(self, kind: str, scorer, feature: str, todo: np.ndarray) -> np.ndarray:
        """Return ``scorer`` on the pairs ``todo``, computed once per distinct pair of values.

        1. Reuse scores already computed for a superset of ``todo`` (a weaker
           threshold of the same measure only looks at pairs the stronger
           one rejected).
        2. Otherwise score each distinct (left value, right value) once:
           names repeat, so there are far fewer distinct pairs than pairs.
        """
        cached = self._cache.get((kind, feature))
        if cached is not None:
            known, all_scores = cached
            if known[todo].all():
                return all_scores[todo]
        a, b = self.values(feature, todo)
        vocabulary = self.left.vocabularies[STRING_FEATURES[feature]]
        cutoff = self.cutoffs.get((kind, feature))
        # Names repeat, addresses and identity numbers hardly ever do.
        repeats = len(vocabulary) * 3 < len(self.left) + len(self.right)
        if todo.size > 2000 and repeats:
            first, second, inverse = _distinct_pairs(a, b, len(vocabulary))
            strings = vocabulary.as_array()
            unique_scores = process.cpdist(
                strings[first],
                strings[second],
                scorer=scorer,
                workers=_workers(first.size),
                score_cutoff=cutoff,
            )
            scores = unique_scores[inverse]
        elif kind == "levenshtein" and cutoff is not None and todo.size > 2000:
            # Each edit changes the set of characters by at most two, so pairs
            # whose sets differ by more cannot be within the cutoff: rapidfuzz
            # would answer cutoff + 1 for them, as they get here.
            if len(vocabulary) <= 4 * todo.size:  # a batch: every string's, once
                signatures = vocabulary.signatures()
                first, second = signatures[a], signatures[b]
            else:  # a few pairs against a large index: only the strings involved
                unique, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
                local = char_signatures([vocabulary.strings[i] for i in unique.tolist()])
                first, second = local[inverse[: a.size]], local[inverse[a.size :]]
            differ = np.bitwise_count(first ^ second)
            possible = np.nonzero(differ <= 2 * cutoff)[0]
            left_text, right_text = self.texts(feature, todo[possible])
            scores = np.full(todo.size, int(cutoff) + 1, dtype=np.uint32)
            scores[possible] = process.cpdist(
                left_text,
                right_text,
                scorer=scorer,
                workers=_workers(possible.size),
                score_cutoff=cutoff,
                dtype=np.uint32,
            )
        else:
            left_text, right_text = self.texts(feature, todo)
            scores = process.cpdist(
                left_text,
                right_text,
                scorer=scorer,
                workers=_workers(todo.size),
                score_cutoff=cutoff,
            )
        # Kept by pair position: a weaker level's pairs are a subset of these.
        known = np.zeros(self.size, dtype=bool)
        known[todo] = True
        all_scores = np.zeros(self.size, dtype=scores.dtype)
        all_scores[todo] = scores
        self._cache[(kind, feature)] = (known, all_scores)
        return scores


def _distinct_pairs(
    a: np.ndarray, b: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the distinct (a, b) id pairs and each input pair's index among them.

    Many pairs: ids are renumbered among the values present, and when the
    grid of those is small the pairs are marked in a dense table (linear
    time); otherwise sorted.  Same pairs, same order, either way.
    """
    if a.size < 100_000:  # a sort is cheaper than tables the size of the vocabulary
        unique, inverse = np.unique(a.astype(np.int64) * size + b, return_inverse=True)
        return unique // size, unique % size, inverse.reshape(-1)
    present_a = np.zeros(size, dtype=bool)
    present_a[a] = True
    present_b = np.zeros(size, dtype=bool)
    present_b[b] = True
    values_a, values_b = np.nonzero(present_a)[0], np.nonzero(present_b)[0]
    rank = np.zeros(size, dtype=np.int64)
    rank[values_a] = np.arange(values_a.size)
    codes = rank[a] * values_b.size
    rank[values_b] = np.arange(values_b.size)
    codes += rank[b]
    cells = values_a.size * values_b.size
    if cells <= 8 * a.size:
        seen = np.zeros(cells, dtype=bool)
        seen[codes] = True
        unique = np.nonzero(seen)[0]
        position = np.zeros(cells, dtype=np.int64)
        position[unique] = np.arange(unique.size)
        inverse = position[codes]
    else:
        unique, inverse = np.unique(codes, return_inverse=True)
        inverse = inverse.reshape(-1)
    return values_a[unique // values_b.size], values_b[unique % values_b.size], inverse


def _agree_on_any(pairs: PairContext, features: tuple[str, ...], todo: np.ndarray) -> np.ndarray:
    agree = np.zeros(todo.size, dtype=bool)
    for feature in features:
        a, b = pairs.values(feature, todo)
        agree |= (a == b) & (a != 0)
    return agree


def _null(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    missing = np.zeros(todo.size, dtype=bool)
    for feature in level.features:
        a, b = pairs.values(feature, todo)
        missing |= (a == 0) | (b == 0)
    return missing


def _exact(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    a, b = pairs.values(level.features[0], todo)
    return (a == b) & (a != 0)


def _fuzzy(scorer, compare):
    def test(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
        if todo.size == 0:
            return np.zeros(0, dtype=bool)
        scores = pairs.similarity(level.kind, scorer, level.features[0], todo)
        return compare(scores, level.threshold)

    return test


def _cross_exact(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    first, other = level.features
    a1, b1 = pairs.values(first, todo)
    a2, b2 = pairs.values(other, todo)
    return ((a1 == b2) & (a1 != 0)) | ((a2 == b1) & (a2 != 0))


def _swapped(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    first, other = level.features
    a1, b1 = pairs.values(first, todo)
    a2, b2 = pairs.values(other, todo)
    one_way = (a1 == b2) & (a1 != 0) & ((a2 == b1) | (a2 == 0))
    other_way = (b1 == a2) & (b1 != 0) & ((b2 == a1) | (b2 == 0))
    return one_way | other_way


def _within_imprecise(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    a, b = pairs.values(level.features[0], todo)
    precise_a, precise_b = pairs.values("birth_precise", todo)
    return (np.abs(a - b) <= level.threshold) & ((precise_a == 0) | (precise_b == 0))


def _ymd(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return values // 10000, (values // 100) % 100, values % 100


def _date_swapped(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    a, b = pairs.values(level.features[0], todo)
    ya, ma, da = _ymd(a)
    yb, mb, db = _ymd(b)
    return (ya == yb) & (ma == db) & (da == mb) & (a != 0)


# Differences of two numbers that differ in one decimal digit: d x 10^k.
_ONE_DIGIT_STEPS = np.array(
    sorted(d * 10**k for d in range(1, 10) for k in range(9)), dtype=np.int64
)


def _date_one_digit(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    a, b = pairs.values(level.features[0], todo)
    # Only a difference of d x 10^k can come from one digit (a borrow can fake
    # one: 20 - 19): digits are counted only for those few pairs.
    step = np.abs(a.astype(np.int64) - b)
    positions = np.minimum(np.searchsorted(_ONE_DIGIT_STEPS, step), _ONE_DIGIT_STEPS.size - 1)
    # Both dates known: two records that only carry ages (date 0) are not "one digit apart".
    result = ((step == 0) | (_ONE_DIGIT_STEPS[positions] == step)) & (a != 0) & (b != 0)
    check = np.nonzero(result)[0]
    x, y = a[check], b[check]
    differing = np.zeros(check.size, dtype=np.int8)
    for _ in range(8):
        differing += (x % 10) != (y % 10)
        x, y = x // 10, y // 10
    result[check] = differing <= 1
    return result


def _date_transposed(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    a, b = pairs.values(level.features[0], todo)
    result = np.zeros(todo.size, dtype=bool)
    # Swapping neighbours k and k+1 changes the number by 9 x (d_k - d_k+1) x 10^k:
    # only differences divisible by 9 are looked at digit by digit.
    check = np.nonzero((a != 0) & (b != 0) & (a != b) & ((a - b) % 9 == 0))[0]
    x, y = a[check].astype(np.int64), b[check].astype(np.int64)
    digits_x = np.stack([(x // 10**k) % 10 for k in range(8)], axis=1)
    digits_y = np.stack([(y // 10**k) % 10 for k in range(8)], axis=1)
    differ = digits_x != digits_y
    found = np.zeros(check.size, dtype=bool)
    for k in range(7):
        swap = (digits_x[:, k] == digits_y[:, k + 1]) & (digits_x[:, k + 1] == digits_y[:, k])
        others = differ.sum(axis=1) - differ[:, k] - differ[:, k + 1]
        found |= differ[:, k] & swap & (others == 0)
    result[check] = found
    return result


def _date_year_off(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    a, b = pairs.values(level.features[0], todo)
    return (a % 10000 == b % 10000) & (np.abs(a // 10000 - b // 10000) == 1) & (a != 0)


def _days_from_civil(values: np.ndarray) -> np.ndarray:
    """Return day numbers for ``yyyymmdd`` ints (impossible dates still get a number)."""
    y, m, d = _ymd(values)
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + np.where(m > 2, -3, 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe


def _date_within_days(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    a, b = pairs.values(level.features[0], todo)
    result = np.zeros(todo.size, dtype=bool)
    # Only dates at most a year apart can be within a few weeks: skip the rest.
    near = np.nonzero(
        (np.abs(a // 10000 - b // 10000) <= 1 + int(level.threshold) // 365) & (a != 0) & (b != 0)
    )[0]
    days = np.abs(_days_from_civil(a[near]) - _days_from_civil(b[near]))
    result[near] = days <= level.threshold
    return result


def _int_within(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    a, b = pairs.values(level.features[0], todo)
    return np.abs(a - b) <= level.threshold


def _null_unless_one_curp(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    ca, cb = pairs.values("has_curp", todo)
    fa, fb = pairs.values("fields_sig10", todo)
    one_sided = ((ca == 1) & (cb == 0) & (fb != 0)) | ((cb == 1) & (ca == 0) & (fa != 0))
    return ~one_sided


def _curp_consistent(pairs: PairContext, level: Level, todo: np.ndarray) -> np.ndarray:
    ca, cb = pairs.values("curp_sig10", todo)
    fa, fb = pairs.values("fields_sig10", todo)
    return ((ca != 0) & (ca == fb)) | ((cb != 0) & (cb == fa))


_TESTS = {
    "null": _null,
    "exact": _exact,
    "jaro_winkler": _fuzzy(JaroWinkler.normalized_similarity, lambda s, t: s >= t),
    "token_set": _fuzzy(fuzz.token_set_ratio, lambda s, t: s >= t),
    "levenshtein": _fuzzy(Levenshtein.distance, lambda s, t: s <= t),
    "indel": _fuzzy(Indel.normalized_similarity, lambda s, t: s >= t),
    "cross_exact": _cross_exact,
    "swapped": _swapped,
    "within_imprecise": _within_imprecise,
    "date_swapped": _date_swapped,
    "date_one_digit": _date_one_digit,
    "date_transposed": _date_transposed,
    "date_year_off": _date_year_off,
    "date_within_days": _date_within_days,
    "ordinal_within_days": _int_within,
    "within": _int_within,
    "null_unless_one_curp": _null_unless_one_curp,
    "curp_consistent": _curp_consistent,
}


def name_comparison(
    name: str,
    feature: str,
    phonetic_feature: str,
    *,
    other: str | None = None,
    other_phonetic: str | None = None,
    compound: bool = False,
    misplaced: str | None = None,
) -> Comparison:
    """Return the standard name comparison.

    exact (term-frequency adjusted) → [swapped with ``other``] → [the same
    significant given name: one compound name contains the other] →
    Jaro-Winkler 0.92 → phonetic →
    [phonetic swapped] → Jaro-Winkler 0.80 → else.
    """
    levels: list[Level] = [null(feature), exact(feature, tf=True)]
    if other:
        levels.append(swapped(feature, other))
    if compound:
        # "José Luis" ~ "Luis", "María Guadalupe" ~ "Lupita": the name a CURP
        # would use agrees. An integer comparison, unlike a token-set ratio.
        levels.append(Level("same significant given name", "exact", ("given_sig",)))
        # "Juan Francisco" ~ "Juan": a second name dropped behind a leading one
        # (token-set ratio 100: one record's names are all in the other's).
        levels.append(token_set(feature, 100))
    levels += [jaro_winkler(feature, 0.92), exact(phonetic_feature)]
    if other_phonetic:
        levels.append(swapped(phonetic_feature, other_phonetic))
    levels.append(jaro_winkler(feature, 0.80))
    if misplaced:
        levels.append(cross_exact(feature, misplaced))
    levels.append(else_())
    return Comparison(name, levels)


_ADDRESS_GATE = ("address_number", "address_street")


def default_comparisons() -> list[Comparison]:
    """Return the comparisons used for the registry's schema (Mexican names)."""
    return [
        name_comparison("given_names", "given", "given_ph", compound=True, misplaced="paternal"),
        name_comparison(
            "paternal_surname",
            "paternal",
            "paternal_ph",
            other="maternal",
            other_phonetic="maternal_ph",
            misplaced="given",
        ),
        name_comparison(
            "maternal_surname",
            "maternal",
            "maternal_ph",
            other="paternal",
            other_phonetic="paternal_ph",
        ),
        Comparison(
            "birth_date",
            [
                null("birth_year"),
                exact("birth"),
                date_swapped(),
                date_one_digit(),
                date_transposed(),
                date_year_off(),
                date_within_days("birth", 31),
                # Ages are declared loosely, but not by decades: beyond five years
                # (father and son, same name) is strong evidence of two people.
                within_imprecise("birth_year", 1),
                within_imprecise("birth_year", 2),
                within_imprecise("birth_year", 5),
                else_(),
            ],
        ),
        Comparison("sex", [null("sex"), exact("sex"), else_()]),
        Comparison(
            "id_number",
            [
                null("id_number"),
                exact("id_number"),
                levenshtein("id_number", 1),
                levenshtein("id_number", 2),
                else_(),
            ],
        ),
        Comparison("curp_vs_fields", [null_unless_one_curp(), curp_consistent(), else_()]),
        Comparison("location", [null("state"), exact("municipality"), exact("state"), else_()]),
        Comparison(
            "address",
            [
                # Indel rather than token-set: as good on addresses, six times cheaper;
                # gated on house number or street so it runs on thousands of pairs, not millions.
                null("address"),
                exact("address"),
                exact("address_key"),
                indel("address", 0.9, gate=_ADDRESS_GATE),
                indel("address", 0.7, gate=_ADDRESS_GATE),
                else_(),
            ],
        ),
        Comparison(
            "event_date",
            [
                null("event"),
                ordinal_within_days("event", 31),
                ordinal_within_days("event", 400),
                else_(),
            ],
        ),
    ]


def compute_levels(comparisons: Sequence[Comparison], pairs: PairContext) -> np.ndarray:
    """Return an (n_pairs, n_comparisons) int8 matrix of levels."""
    matrix = np.empty((pairs.size, len(comparisons)), dtype=np.int8)
    for column, comparison in enumerate(comparisons):
        matrix[:, column] = comparison.compute(pairs)
    return matrix
