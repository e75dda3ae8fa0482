"""Remember which ids a file has already used, in about 16 bytes per row.

A dict of a million Python ints costs ~100 MB and grows with the file; here each
chunk's keys (64-bit hashes of the id) and first row numbers are kept as sorted numpy
arrays, looked up with binary search and merged now and then (a small LSM tree).
A 64-bit hash may collide: with a million ids the chance is about 3 in 10^8 per file,
and the cost is a row wrongly reported as a duplicate (kept, with its error).
"""

from __future__ import annotations

import numpy as np

MAX_RUNS = 24


class SeenKeys:
    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted keys, row numbers)

    def first_rows(self, keys: list[int], rows: list[int]) -> list[int]:
        """Return, for each key, the first row that used it (its own row if new); remember."""
        first = list(rows)
        fresh: dict[int, int] = {}
        earlier = self._lookup(np.asarray(keys, dtype=np.int64))
        for index, key in enumerate(keys):
            if earlier[index] >= 0:
                first[index] = int(earlier[index])
            elif key in fresh:
                first[index] = fresh[key]
            else:
                fresh[key] = rows[index]
        if fresh:
            new_keys = np.fromiter(fresh.keys(), dtype=np.int64, count=len(fresh))
            new_rows = np.fromiter(fresh.values(), dtype=np.int64, count=len(fresh))
            order = np.argsort(new_keys, kind="stable")
            self._runs.append((new_keys[order], new_rows[order]))
            if len(self._runs) > MAX_RUNS:
                self._merge()
        return first

    def _lookup(self, keys: np.ndarray) -> np.ndarray:
        found = np.full(len(keys), -1, dtype=np.int64)
        for run_keys, run_rows in self._runs:
            positions = np.searchsorted(run_keys, keys)
            positions[positions == len(run_keys)] = 0
            hit = (run_keys[positions] == keys) & (found < 0)
            found[hit] = run_rows[positions[hit]]
        return found

    def _merge(self) -> None:
        keys = np.concatenate([k for k, _ in self._runs])
        rows = np.concatenate([r for _, r in self._runs])
        order = np.argsort(keys, kind="stable")
        self._runs = [(keys[order], rows[order])]
