"""Incremental matching: one new record against everything already stored.

An :class:`IncrementalIndex` keeps, for every blocking pass, a hash map from
the pass's key to the stored rows that carry it, updated on each ``add``.
``match`` looks up the new record's keys, compares it with those rows only,
and scores them with a trained :class:`~matching.model.LinkageModel`: no
re-running of the whole linkage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from matching.comparisons import PairContext, compute_levels
from matching.decisions import Identity, hold_reason
from matching.linker import explain, score
from matching.model import LinkageModel
from matching.records import (
    RecordTable,
    Vocabularies,
    column_values,
    prepare,
    prepare_columns,
)

Match = tuple[str, float, dict[str, dict[str, Any]]]


class IncrementalIndex:
    """Stored records plus blocking indexes kept up to date.

    ``index.add(record)``; ``index.match(record)`` returns
    ``[(record_id, probability, explanation), ...]`` best first.
    """

    def __init__(self, model: LinkageModel) -> None:
        if not model.trained:
            raise ValueError(
                "IncrementalIndex needs a trained model: LinkageModel.load(path), or "
                "Linker().link(...).model after a batch linkage"
            )
        self.model = model
        self.table = RecordTable(Vocabularies())
        # One map per (pass, orientation): key -> row (int) or rows (list).
        self._orientations = []
        for rule in model.blocking_rules:
            self._orientations.append((rule.left_features, rule.right_features))
            if not rule.symmetric:
                self._orientations.append((rule.right_features, rule.left_features))
        self._maps: list[dict[tuple, int | list[int]]] = [{} for _ in self._orientations]

    def __len__(self) -> int:
        return len(self.table)

    def add(self, record: Mapping[str, Any]) -> None:
        """Store ``record`` and index it under every blocking pass."""
        self._index(prepare(record))

    def add_many(self, records: Iterable[Mapping[str, Any]], *, batch: int = 50_000) -> None:
        """Store many records: the same as ``add`` for each, column-wise for speed."""
        chunk: list[Mapping[str, Any]] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= batch:
                self._index_many(chunk)
                chunk = []
        if chunk:
            self._index_many(chunk)

    def _index(self, prepared: dict[str, Any]) -> None:
        row = self.table.append(prepared)
        for (_, stored_features), keys in zip(self._orientations, self._maps, strict=True):
            key = _key(prepared, stored_features)
            if key is not None:
                _insert(keys, key, row)

    def _index_many(self, records: list[Mapping[str, Any]]) -> None:
        # Prepared column by column (the same values as prepare(), a test holds).
        columns = prepare_columns(records)
        rows = self.table.extend_columns(columns)
        values = {}
        for (_, stored_features), keys in zip(self._orientations, self._maps, strict=True):
            for feature in stored_features:
                if feature not in values:
                    values[feature] = _as_list(column_values(columns[feature]))
            key_columns = [values[f] for f in stored_features]
            for row, key in zip(rows, zip(*key_columns, strict=True), strict=True):
                if all(key):  # "" and 0 mean missing
                    _insert(keys, key, row)

    def candidates(self, prepared: Mapping[str, Any]) -> np.ndarray:
        """Return the stored rows that share at least one blocking key with ``prepared``."""
        rows: list[int] = []
        for (query_features, _), keys in zip(self._orientations, self._maps, strict=True):
            key = _key(prepared, query_features)
            if key is None:
                continue
            found = keys.get(key)
            if found is None:
                continue
            if isinstance(found, list):
                rows.extend(found)
            else:
                rows.append(found)
        return np.unique(np.array(rows, dtype=np.int64))

    def match(
        self,
        record: Mapping[str, Any],
        *,
        min_probability: float | None = None,
        limit: int | None = None,
    ) -> list[Match]:
        """Return stored records that may be the same person, best first.

        1. Prepare the record and collect candidates from every pass's index.
        2. Compare and score the candidates with the model.
        3. Keep those at or above ``min_probability`` (default: the model's
           lower threshold), each with its field-by-field explanation; a pair a
           decision rule holds for review (possible relatives, namesakes) says
           so in the explanation's ``"hold"`` entry, as in the batch linker.
        """
        prepared = prepare(record)
        rows = self.candidates(prepared)
        if rows.size == 0:
            return []
        query = RecordTable(self.table.vocabularies, capacity=16)
        query.append(prepared)
        pairs = PairContext(query, self.table, np.zeros(rows.size, dtype=np.int64), rows)
        threshold = self.model.lower_threshold if min_probability is None else min_probability
        scored = score(
            self.model,
            pairs,
            compute_levels(self.model.comparisons, pairs),
            min_probability=threshold,
        )
        order = np.argsort(-scored.total_weight, kind="stable")[:limit]
        if order.size == 0:
            return []
        identity = Identity.of_prepared(prepared)
        return [
            (
                self.table.record_ids[scored.right_rows[k]],
                float(scored.probability[k]),
                explain(self.model, scored, int(k), hold=hold_reason(
                    identity, Identity.of_row(self.table, int(scored.right_rows[k])), self.model
                )),
            )
            for k in order
        ]


def _as_list(values) -> list:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def _insert(keys: dict, key: tuple, row: int) -> None:
    found = keys.get(key)
    if found is None:
        keys[key] = row  # most keys hold one row: no list for them
    elif found.__class__ is list:
        found.append(row)
    else:
        keys[key] = [found, row]


def _key(prepared: Mapping[str, Any], features: tuple[str, ...]) -> tuple | None:
    values = tuple(prepared[f] for f in features)
    return values if all(values) else None
