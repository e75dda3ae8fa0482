"""Constrained clustering: links join records unless that would join conflicts.

Plain connected components let one bad link chain two different people
(A-B good, B-C bad ⇒ A, B, C one person).  Here links are applied strongest
first; a link is refused (sent to review) when it would put in one cluster
two valid CURPs that are not one typo
apart, or both sexes.
"""

from __future__ import annotations

import numpy as np

from matching.records import RecordTable


def curps_conflict(first: str, second: str) -> bool:
    """Return True if two check-digit-valid CURPs belong to different people.

    Why not plain inequality: RENAPO's check digit misses some one-character
    typos (a value difference of 10 at most positions), so two "valid" CURPs
    one character apart are more likely one person's CURP and a typo.
    Homonyms differ in the homoclave *and* the check digit: two characters.
    """
    return sum(a != b for a, b in zip(first, second, strict=False)) >= 2


class _Clusters:
    """Union-find that carries each cluster's CURPs and sexes."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.curps: dict[int, frozenset[str]] = {}
        self.sexes: dict[int, frozenset[int]] = {}

    def add(self, node: int, curp: str, sex: int) -> None:
        if node not in self.parent:
            self.parent[node] = node
            self.curps[node] = frozenset({curp}) if curp else frozenset()
            self.sexes[node] = frozenset({sex}) if sex else frozenset()

    def find(self, node: int) -> int:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def try_union(self, a: int, b: int) -> bool:
        """Join the clusters of ``a`` and ``b`` unless they conflict; return success."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        sexes = self.sexes[ra] | self.sexes[rb]
        if len(sexes) > 1:
            return False
        if any(curps_conflict(a, b) for a in self.curps[ra] for b in self.curps[rb]):
            return False
        curps = self.curps[ra] | self.curps[rb]
        self.parent[rb] = ra
        self.curps[ra], self.sexes[ra] = curps, sexes
        return True


def constrained_clusters(
    left: RecordTable, right: RecordTable, scored, decision: np.ndarray, *, dedupe: bool
) -> np.ndarray:
    """Return ``decision`` with links that would merge conflicting clusters set to review.

    1. Take the pairs decided "link", strongest first.
    2. Join their clusters unless the union holds two valid CURPs or two sexes.
    """
    decision = decision.copy()
    links = np.nonzero(decision == "link")[0]
    order = links[np.argsort(-scored.total_weight[links], kind="stable")]
    offset = 0 if dedupe else len(left)
    clusters = _Clusters()
    left_curp = np.where(left.column("curp_valid") == 1, left.text("id_number"), "")
    right_curp = np.where(right.column("curp_valid") == 1, right.text("id_number"), "")
    left_sex, right_sex = left.column("sex"), right.column("sex")
    for k in order:
        i, j = int(scored.left_rows[k]), int(scored.right_rows[k])
        clusters.add(i, left_curp[i], int(left_sex[i]))
        clusters.add(j + offset, right_curp[j], int(right_sex[j]))
        if not clusters.try_union(i, j + offset):
            decision[k] = "review"
    return decision


def cluster_ids(n_records: int, left_rows: np.ndarray, right_rows: np.ndarray) -> np.ndarray:
    """Return a cluster number per record from accepted within-file links."""
    parent = np.arange(n_records)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(left_rows.tolist(), right_rows.tolist(), strict=False):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(x) for x in range(n_records)])
