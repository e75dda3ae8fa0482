"""Constrained clustering: links join records unless that would join conflicts.

Plain connected components let one bad link chain two different people
(A-B good, B-C bad ⇒ A, B, C one person).  Here links are applied strongest
first; a link is refused (sent to review) when the pair itself is held by a
decision rule (possible relatives, namesakes: ``matching.decisions``) or when
it would put in one cluster two valid CURPs that are not one typo apart, both
sexes, or two records the decision rules hold apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matching.decisions import CURP_CONFLICT, SEX_CONFLICT, Identity, hold_reason
from matching.records import RecordTable

if TYPE_CHECKING:
    from matching.model import LinkageModel


def curps_conflict(first: str, second: str) -> bool:
    """Return True if two check-digit-valid CURPs belong to different people.

    Why not plain inequality: RENAPO's check digit misses some one-character
    typos (a value difference of 10 at most positions), so two "valid" CURPs
    one character apart are more likely one person's CURP and a typo.
    Homonyms differ in the homoclave *and* the check digit: two characters.
    """
    return sum(a != b for a, b in zip(first, second, strict=False)) >= 2


class _Clusters:
    """Union-find that carries each cluster's CURPs, sexes and members."""

    def __init__(self, identity=None, model: LinkageModel | None = None) -> None:
        self.parent: dict[int, int] = {}
        self.curps: dict[int, frozenset[str]] = {}
        self.sexes: dict[int, frozenset[int]] = {}
        self.members: dict[int, list[int]] = {}
        self.identity = identity  # node -> Identity (None: no rule across members)
        self.model = model
        self.reason: str | None = None  # why the last refused union was refused

    def add(self, node: int, curp: str, sex: int) -> None:
        if node not in self.parent:
            self.parent[node] = node
            self.curps[node] = frozenset({curp}) if curp else frozenset()
            self.sexes[node] = frozenset({sex}) if sex else frozenset()
            self.members[node] = [node]

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
        self.reason = self._conflict(ra, rb)
        if self.reason is not None:
            return False
        self.parent[rb] = ra
        self.curps[ra] = self.curps[ra] | self.curps[rb]
        self.sexes[ra] = self.sexes[ra] | self.sexes[rb]
        self.members[ra] = self.members[ra] + self.members.pop(rb)
        return True

    def _conflict(self, ra: int, rb: int) -> str | None:
        if len(self.sexes[ra] | self.sexes[rb]) > 1:
            return SEX_CONFLICT
        if any(curps_conflict(a, b) for a in self.curps[ra] for b in self.curps[rb]):
            return CURP_CONFLICT
        if self.identity is None or (len(self.members[ra]) == 1 == len(self.members[rb])):
            return None  # a pair alone was judged before the union was tried
        for x in self.members[ra]:
            for y in self.members[rb]:
                reason = hold_reason(self.identity(x), self.identity(y), self.model)
                if reason is not None:
                    return reason
        return None


def constrained_clusters(
    left: RecordTable, right: RecordTable, scored, decision: np.ndarray, *, dedupe: bool
) -> np.ndarray:
    """Return ``decision`` with links that would merge conflicting clusters set to review."""
    return decide_links(left, right, scored, decision, dedupe=dedupe, rules=False)[0]


def decide_links(
    left: RecordTable,
    right: RecordTable,
    scored,
    decision: np.ndarray,
    *,
    dedupe: bool,
    model: LinkageModel | None = None,
    rules: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the decisions after the rules and the clusters' constraints, and each reason.

    1. Take the pairs decided "link", strongest first.
    2. With ``rules``, a pair the decision rules hold (possible relatives,
       namesakes) goes to review with its reason.
    3. Join the clusters of the others unless the union would hold two valid
       CURPs, two sexes, or (with ``rules``) two records the rules hold apart;
       a refused link goes to review with the reason.
    """
    decision = decision.copy()
    reasons = np.full(len(decision), "", dtype=object)
    links = np.nonzero(decision == "link")[0]
    order = links[np.argsort(-scored.total_weight[links], kind="stable")]
    offset = 0 if dedupe else len(left)
    identities: dict[int, Identity] = {}
    left_columns = Identity.columns(left) if rules else []
    right_columns = left_columns if dedupe or not rules else Identity.columns(right)

    def identity(node: int) -> Identity:
        found = identities.get(node)
        if found is None:
            if node < offset or dedupe:
                found = Identity.of_columns(left_columns, node)
            else:
                found = Identity.of_columns(right_columns, node - offset)
            identities[node] = found
        return found

    clusters = _Clusters(identity if rules else None, model)
    left_curp = np.where(left.column("curp_valid") == 1, left.text("id_number"), "")
    right_curp = np.where(right.column("curp_valid") == 1, right.text("id_number"), "")
    left_sex, right_sex = left.column("sex"), right.column("sex")
    for k in order:
        i, j = int(scored.left_rows[k]), int(scored.right_rows[k])
        if rules:
            reason = hold_reason(identity(i), identity(j + offset), model)
            if reason is not None:
                decision[k], reasons[k] = "review", reason
                continue
        clusters.add(i, left_curp[i], int(left_sex[i]))
        clusters.add(j + offset, right_curp[j], int(right_sex[j]))
        if not clusters.try_union(i, j + offset):
            decision[k], reasons[k] = "review", clusters.reason
    return decision, reasons


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
