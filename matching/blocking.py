"""Blocking: cheap passes that decide which pairs are compared at all.

A :class:`BlockingRule` names the features whose values must all be equal
(and present) for a pair to be a candidate.  Rules combine: ``rule_a & rule_b``
requires both rules' features, ``rule_a | rule_b`` makes a set of passes whose
candidate pairs are united.  A rule may compare different features on each
side, which is how "surnames swapped" is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from matching.records import INT_FEATURES, STRING_FEATURES, RecordTable


@dataclass(frozen=True)
class BlockingRule:
    """Pairs whose ``left_features`` equal the other side's ``right_features``."""

    left_features: tuple[str, ...]
    right_features: tuple[str, ...]
    name: str = ""

    def __post_init__(self) -> None:
        known = set(STRING_FEATURES) | set(INT_FEATURES)
        unknown = [f for f in (*self.left_features, *self.right_features) if f not in known]
        if unknown:
            raise ValueError(
                f"BlockingRule: unknown feature(s) {unknown}; use block_on() with "
                f"features from {sorted(known)}"
            )
        if len(self.left_features) != len(self.right_features) or not self.left_features:
            raise ValueError(
                "BlockingRule needs the same non-zero number of features on each side: "
                "block_on('paternal_ph', 'birth_year') or swapped(('a', 'b'), ('b', 'a'))"
            )
        if not self.name:
            object.__setattr__(self, "name", self._default_name())

    def _default_name(self) -> str:
        if self.left_features == self.right_features:
            return "+".join(self.left_features)
        return "+".join(self.left_features) + " ~ " + "+".join(self.right_features)

    @property
    def symmetric(self) -> bool:
        return self.left_features == self.right_features

    def __and__(self, other: BlockingRule) -> BlockingRule:
        return BlockingRule(
            self.left_features + other.left_features, self.right_features + other.right_features
        )

    def __or__(self, other: BlockingRule | BlockingRules) -> BlockingRules:
        return BlockingRules((self,)) | other

    def to_json(self) -> dict:
        return {
            "left": list(self.left_features),
            "right": list(self.right_features),
            "name": self.name,
        }

    @classmethod
    def from_json(cls, data: dict) -> BlockingRule:
        return cls(tuple(data["left"]), tuple(data["right"]), data.get("name", ""))


@dataclass(frozen=True)
class BlockingRules:
    """An ordered set of passes; candidate pairs are the union of all passes."""

    rules: tuple[BlockingRule, ...]

    def __or__(self, other: BlockingRule | BlockingRules) -> BlockingRules:
        extra = other.rules if isinstance(other, BlockingRules) else (other,)
        return BlockingRules(self.rules + extra)

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


def block_on(*features: str, name: str = "") -> BlockingRule:
    """Return a rule: the pair agrees exactly on every one of ``features``."""
    return BlockingRule(tuple(features), tuple(features), name)


def swapped(
    left_features: Iterable[str], right_features: Iterable[str], name: str = ""
) -> BlockingRule:
    """Return a rule comparing different features on each side (e.g. swapped surnames)."""
    return BlockingRule(tuple(left_features), tuple(right_features), name)


def default_blocking_rules() -> BlockingRules:
    """Return the default passes for the registry's schema.

    Each pass is cheap on its own; together they let a true pair meet even when
    one of its fields is wrong or missing.  (No "phonetic paternal surname +
    birth year": a sixth of all candidates, and on the benchmarks not one true
    pair the other passes missed; the initials + birth year passes cover it.)
    """
    return (
        block_on("id_number", name="identity number")
        | block_on("sig10", name="CURP prefix (initials + birth date)")
        | block_on("given_sig", "birth", name="given name + birth date")
        | block_on("paternal_ph", "maternal_ph", name="both phonetic surnames")
        | swapped(
            ("paternal_ph", "maternal_ph"), ("maternal_ph", "paternal_ph"), name="surnames swapped"
        )
        | block_on("paternal_ph", "given_sig_ph", name="phonetic paternal surname + given name")
        | block_on("maternal_ph", "given_sig_ph", name="phonetic maternal surname + given name")
        | block_on("birth", name="birth date")
        | block_on("given_sig", "birth_md", name="given name + birth day and month")
        | block_on("initials", "birth_year", name="three initials + birth year")
        | block_on(
            "initials2", "birth_year", "sex", name="given and paternal initials + birth year + sex"
        )
        | block_on("id_head", name="first half of the identity number")
        | block_on("id_tail", name="second half of the identity number")
        | block_on("municipality", "address_key", name="municipality + house number and street")
        | block_on("municipality", "paternal_ph", name="municipality + phonetic paternal surname")
    )


def _keys(table: RecordTable, features: tuple[str, ...]) -> np.ndarray:
    columns = [table.column(f).astype(np.int64) for f in features]
    return np.stack(columns, axis=1) if columns else np.zeros((len(table), 0), dtype=np.int64)


def _combined_keys(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return one int64 key per row for both sides; -1 where any part is missing."""
    stacked = np.concatenate([left, right])
    missing = (stacked == 0).any(axis=1)
    spans = stacked.max(axis=0) + 1 if len(stacked) else np.ones(stacked.shape[1], np.int64)
    if float(np.prod(spans.astype(float))) < 2.0**62:
        # Mixed-radix encoding: exact and much faster than a row-wise unique.
        key = np.zeros(len(stacked), dtype=np.int64)
        for column, span in zip(stacked.T, spans, strict=False):
            key = key * int(span) + column
    else:
        _, key = np.unique(stacked, axis=0, return_inverse=True)
        key = key.reshape(-1).astype(np.int64)
    key[missing] = -1
    return key[: len(left)], key[len(left) :]


def _right_index(right_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (rows sorted by key, distinct keys, their first position, their counts)."""
    right_valid = np.nonzero(right_keys >= 0)[0]
    order = right_valid[np.argsort(right_keys[right_valid], kind="stable")]
    unique, starts, counts = np.unique(right_keys[order], return_index=True, return_counts=True)
    return order, unique, starts, counts


def _join_index(left_keys: np.ndarray, index) -> tuple[np.ndarray, np.ndarray]:
    """Return all (left row, right row) with equal non-negative keys (vectorised hash join)."""
    order, unique, starts, counts = index
    if unique.size == 0 or left_keys.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    positions = np.minimum(np.searchsorted(unique, left_keys), unique.size - 1)
    found = (left_keys >= 0) & (unique[positions] == left_keys)
    left_rows = np.nonzero(found)[0]
    block_counts = counts[positions[left_rows]]
    block_starts = starts[positions[left_rows]]
    total = int(block_counts.sum())
    left_out = np.repeat(left_rows, block_counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(block_counts) - block_counts, block_counts)
    right_out = order[np.repeat(block_starts, block_counts) + offsets]
    return left_out.astype(np.int64), right_out.astype(np.int64)


# Bounded blocks: a key shared by more than MAX_BLOCK rows of the other side (or of
# the one side, deduplicating) is not joined all-to-all; its rows are sorted by what
# they say (SORT_FEATURES, then the row) and each is compared with its WINDOW nearest
# neighbours on each side. Cost then grows linearly with the records whatever the
# data (one person repeated 10,000 times, 10,000 "Juan Hernández" without a birth
# date), and near-identical records, adjacent in that order, still meet.
MAX_BLOCK = 500
WINDOW = 8
SORT_FEATURES = ("paternal", "maternal", "given", "birth", "id_number", "municipality",
                 "address", "event")


@dataclass
class BlockingReport:
    """How many pairs each pass produced, how many were new, and the blocks it capped."""

    rule_names: list[str]
    pairs_per_rule: list[int]
    new_pairs_per_rule: list[int]
    total_pairs: int
    capped_blocks_per_rule: list[int] = field(default_factory=list)
    largest_block_per_rule: list[int] = field(default_factory=list)
    max_block: int = MAX_BLOCK
    window: int = WINDOW

    def as_rows(self) -> list[dict]:
        capped = self.capped_blocks_per_rule or [0] * len(self.rule_names)
        largest = self.largest_block_per_rule or [0] * len(self.rule_names)
        return [
            {"rule": n, "pairs": p, "new_pairs": q, "capped_blocks": c, "largest_block": b}
            for n, p, q, c, b in zip(
                self.rule_names, self.pairs_per_rule, self.new_pairs_per_rule, capped, largest,
                strict=True,
            )
        ]

    @property
    def capped_blocks(self) -> int:
        """Blocks linked by sort-and-window instead of all pairs (all passes)."""
        return sum(self.capped_blocks_per_rule)


def _value_ranks(left: RecordTable, right: RecordTable | None) -> np.ndarray:
    """Return one distinct rank per row (left rows, then right rows) ordered by value.

    Ranks follow the rows' SORT_FEATURES as text, so the order is the same whatever
    the tables' vocabularies (the same records give the same order in any run).
    """
    tables = [left] if right is None else [left, right]
    keys = []
    for feature in reversed(SORT_FEATURES):  # np.lexsort: last key is the primary one
        if feature in INT_FEATURES:
            keys.append(np.concatenate([t.column(feature).astype(np.int64) for t in tables]))
            continue
        texts = np.concatenate([t.text(feature) for t in tables])
        _, codes = np.unique(texts.astype(str), return_inverse=True)
        keys.append(codes.reshape(-1).astype(np.int64))
    n = sum(len(t) for t in tables)
    order = np.lexsort([np.arange(n), *keys]) if keys else np.arange(n)
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    return ranks


def _windowed_pairs(left_keys: np.ndarray, right_keys: np.ndarray, oversized: np.ndarray,
                    left_ranks: np.ndarray, right_ranks: np.ndarray, window: int, dedupe: bool
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Return (left row, right row) pairs of the oversized blocks, by sort-and-window.

    Deduplicating, each row meets the ``window`` rows after it in its block's order
    (so ``window`` before it too). Linking, each left row meets the ``window`` right
    rows on each side of where it would sort among the block's right rows.
    """
    right_rows = np.nonzero(np.isin(right_keys, oversized))[0]
    left_rows = right_rows if dedupe else np.nonzero(np.isin(left_keys, oversized))[0]
    if right_rows.size == 0 or left_rows.size == 0:
        return _EMPTY, _EMPTY
    # One composite per row: (block, rank), so sorting groups blocks in value order.
    span = int(max(left_ranks.max(), right_ranks.max())) + 1
    block_of_right = np.searchsorted(oversized, right_keys[right_rows])
    right_code = block_of_right * span + right_ranks[right_rows]
    order = np.argsort(right_code, kind="stable")
    right_sorted, right_code = right_rows[order], right_code[order]
    if dedupe:
        firsts, seconds = [], []
        for step in range(1, window + 1):
            same = block_of_right[order][step:] == block_of_right[order][:-step]
            firsts.append(right_sorted[:-step][same])
            seconds.append(right_sorted[step:][same])
        a, b = np.concatenate(firsts), np.concatenate(seconds)
        return np.minimum(a, b), np.maximum(a, b)
    block_of_left = np.searchsorted(oversized, left_keys[left_rows])
    left_code = block_of_left * span + left_ranks[left_rows]
    position = np.searchsorted(right_code, left_code)
    block_start = np.searchsorted(right_code, block_of_left * span)
    block_end = np.searchsorted(right_code, (block_of_left + 1) * span)
    lefts, rights = [], []
    for offset in range(-window, window):
        at = position + offset
        valid = (at >= block_start) & (at < block_end)
        lefts.append(left_rows[valid])
        rights.append(right_sorted[at[valid]])
    return np.concatenate(lefts), np.concatenate(rights)


class CandidateChunks:
    """Candidate pairs, produced for a chunk of left rows at a time.

    Memory stays bounded however large the inputs: the right side's index is
    built once per pass, and each chunk of left rows is joined against it.
    With ``right`` None this deduplicates ``left``: only pairs ``i < j``.

    1. For each pass, build one integer key per row and index the right side.
    2. Per chunk: hash-join every pass, encode each pair as one int64, keep
       the first pass that found it (for the report).
    """

    def __init__(self, rules: BlockingRules, left: RecordTable, right: RecordTable | None = None,
                 *, chunk_rows: int | None = None, max_block: int | None = MAX_BLOCK,
                 window: int = WINDOW) -> None:
        self.rules = rules
        self.dedupe = right is None
        other = left if self.dedupe else right
        self.n_left, self.n_right = len(left), len(other)
        self.chunk_rows = chunk_rows or max(self.n_left, 1)
        self.max_block, self.window = max_block, window
        self._passes: list[tuple[int, np.ndarray, tuple]] = []
        # Pairs of oversized blocks (sort-and-window), sorted by left row, per pass.
        self._windowed: list[tuple[int, np.ndarray, np.ndarray]] = []
        self.capped_blocks_per_rule = [0] * len(rules)
        self.largest_block_per_rule = [0] * len(rules)
        ranks = None
        for index, rule in enumerate(rules):
            variants = [(rule.left_features, rule.right_features)]
            if self.dedupe and not rule.symmetric:
                variants.append((rule.right_features, rule.left_features))
            for left_features, right_features in variants:
                lk, rk = _combined_keys(_keys(left, left_features), _keys(other, right_features))
                right_index = _right_index(rk)
                counts = right_index[3]
                if counts.size:
                    self.largest_block_per_rule[index] = max(
                        self.largest_block_per_rule[index], int(counts.max()))
                if max_block is not None and counts.size and counts.max() > max_block:
                    oversized = right_index[1][counts > max_block]
                    self.capped_blocks_per_rule[index] += int(oversized.size)
                    if ranks is None:
                        ranks = _value_ranks(left, None if self.dedupe else right)
                    left_ranks = ranks[:self.n_left]
                    right_ranks = ranks if self.dedupe else ranks[self.n_left:]
                    within = self.dedupe and left_features == right_features
                    li, ri = _windowed_pairs(lk, rk, oversized, left_ranks, right_ranks,
                                             window, within)
                    order = np.lexsort((ri, li))
                    self._windowed.append((index, li[order], ri[order]))
                    # The all-pairs join skips those blocks on both sides.
                    lk = np.where(np.isin(lk, oversized), -1, lk)
                    right_index = _right_index(np.where(np.isin(rk, oversized), -1, rk))
                self._passes.append((index, lk, right_index))
        self.pairs_per_rule = [0] * len(rules)
        self.new_pairs_per_rule = [0] * len(rules)
        self.total_pairs = 0

    def __iter__(self):
        for start, end in self.bounds():
            left_rows, right_rows, counts = self.pairs(start, end)
            self.add_counts(counts)
            yield left_rows, right_rows

    def bounds(self) -> list[tuple[int, int]]:
        """Return the (start, end) left rows of every chunk."""
        return [
            (start, min(start + self.chunk_rows, self.n_left))
            for start in range(0, self.n_left, self.chunk_rows)
        ]

    def add_counts(self, counts: tuple[list[int], list[int], int]) -> None:
        """Add one chunk's pair counts (from :meth:`pairs`) to the report."""
        pairs, new_pairs, total = counts
        self.pairs_per_rule = [a + b for a, b in zip(self.pairs_per_rule, pairs, strict=True)]
        self.new_pairs_per_rule = [
            a + b for a, b in zip(self.new_pairs_per_rule, new_pairs, strict=True)
        ]
        self.total_pairs += total

    def pairs(self, start: int, end: int) -> tuple[np.ndarray, np.ndarray, tuple]:
        """Return the candidate pairs of left rows ``start:end`` and their counts.

        Reads only, so chunks may be produced in parallel; pairs come sorted by
        (left row, right row).
        """
        found: dict[int, list[np.ndarray]] = {}
        for index, left_keys, right_index in self._passes:
            li, ri = _join_index(left_keys[start:end], right_index)
            li += start
            if self.dedupe:
                keep = li < ri
                li, ri = li[keep], ri[keep]
            found.setdefault(index, []).append(li * self.n_right + ri)
        for index, li, ri in self._windowed:
            lo, hi = np.searchsorted(li, start), np.searchsorted(li, end)
            found.setdefault(index, []).append(li[lo:hi] * self.n_right + ri[lo:hi])
        codes = []
        pairs_per_rule = []
        for index in range(len(self.rules)):
            parts = found.get(index, [])
            # A single hash join already yields distinct pairs; only unions need unique.
            if len(parts) == 1:
                rule_codes = parts[0]
            else:
                rule_codes = np.unique(np.concatenate(parts or [_EMPTY]))
            pairs_per_rule.append(int(rule_codes.size))
            codes.append(rule_codes)
        rule_index = np.repeat(np.arange(len(codes)), [c.size for c in codes])
        unique, first = np.unique(np.concatenate(codes), return_index=True)
        new_pairs = np.bincount(rule_index[first], minlength=len(codes)).tolist()
        counts = (pairs_per_rule, new_pairs, int(unique.size))
        return unique // self.n_right, unique % self.n_right, counts

    def report(self) -> BlockingReport:
        return BlockingReport([r.name for r in self.rules], list(self.pairs_per_rule),
                              list(self.new_pairs_per_rule), self.total_pairs,
                              list(self.capped_blocks_per_rule),
                              list(self.largest_block_per_rule),
                              self.max_block or 0, self.window)


_EMPTY = np.zeros(0, dtype=np.int64)


def candidate_pairs(
    rules: BlockingRules, left: RecordTable, right: RecordTable | None = None
) -> tuple[np.ndarray, np.ndarray, BlockingReport]:
    """Return all candidate (left rows, right rows) at once and a per-pass report.

    With ``right`` None this deduplicates ``left``: only pairs ``i < j``.
    """
    chunks = CandidateChunks(rules, left, right)
    parts = list(chunks)
    left_rows = np.concatenate([p[0] for p in parts]) if parts else _EMPTY
    right_rows = np.concatenate([p[1] for p in parts]) if parts else _EMPTY
    return left_rows, right_rows, chunks.report()


def sample_block_pairs(
    rule: BlockingRule,
    left: RecordTable,
    right: RecordTable | None,
    size: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Return up to ``size`` pairs drawn uniformly from one rule's pairs, and how many there are.

    The pairs are never all listed (a rule such as "both surnames" has tens of
    millions of pairs at a million records): each block's pair count comes from
    the key counts, a left row is drawn in proportion to its block and a
    partner uniformly within it (with replacement: repeats are negligible for
    estimation). With ``right`` None the pairs are ``i < j`` of ``left``.
    """
    dedupe = right is None
    other = left if dedupe else right
    if dedupe and not rule.symmetric:  # rare: list them
        rows_left, rows_right, report = candidate_pairs(BlockingRules((rule,)), left)
        total = report.total_pairs
        if total > size:
            pick = rng.choice(total, size, replace=False)
            rows_left, rows_right = rows_left[pick], rows_right[pick]
        return rows_left, rows_right, int(total)
    left_keys, right_keys = _combined_keys(
        _keys(left, rule.left_features), _keys(other, rule.right_features)
    )
    order, unique, starts, counts = _right_index(right_keys)
    if unique.size == 0:
        return _EMPTY, _EMPTY, 0
    positions = np.minimum(np.searchsorted(unique, left_keys), unique.size - 1)
    found = (left_keys >= 0) & (unique[positions] == left_keys)
    partners = np.where(found, counts[positions], 0).astype(np.int64)
    if dedupe:
        partners = np.maximum(partners - 1, 0)  # not itself
    total = int(partners.sum()) // (2 if dedupe else 1)
    if total <= size:
        rows_left, rows_right = _join_index(left_keys, (order, unique, starts, counts))
        if dedupe:
            keep = rows_left < rows_right
            rows_left, rows_right = rows_left[keep], rows_right[keep]
        return rows_left, rows_right, total
    cumulative = np.cumsum(partners)
    rows_left = np.searchsorted(cumulative, rng.integers(0, cumulative[-1], size), side="right")
    block = positions[rows_left]
    offset = rng.integers(0, partners[rows_left])
    if dedupe:  # the row itself drawn: take the block's last member instead
        members = order[starts[block] + offset]
        members = np.where(members == rows_left, order[starts[block] + partners[rows_left]],
                           members)
        first, second = np.minimum(rows_left, members), np.maximum(rows_left, members)
        return first.astype(np.int64), second.astype(np.int64), total
    return rows_left.astype(np.int64), order[starts[block] + offset].astype(np.int64), total
