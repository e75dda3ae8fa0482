"""The linkage model: everything needed to reproduce a run, as JSON.

Blocking rules, comparisons and their levels, the estimated m and u
probabilities, the prior, term-frequency tables and the two thresholds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matching.blocking import (
    BlockingRule,
    BlockingRules,
    block_on,
    default_blocking_rules,
)
from matching.comparisons import Comparison, default_comparisons
from matching.records import STRING_FEATURES, RecordTable, Vocabulary
from matching.scoring import match_weights, weight_from_probability

FORMAT_VERSION = 1


@dataclass(frozen=True)
class EMSession:
    """An EM pass over the pairs of one blocking rule.

    Comparisons in ``exclude`` are left out of the pass: they involve the
    blocked fields (or fields that go with them, as sex goes with given names),
    so among this block's non-matches they agree far more often than u says.
    """

    rule: BlockingRule
    exclude: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"rule": self.rule.to_json(), "exclude": list(self.exclude)}

    @classmethod
    def from_json(cls, data: dict) -> EMSession:
        return cls(BlockingRule.from_json(data["rule"]), tuple(data["exclude"]))


def default_em_sessions() -> list[EMSession]:
    """Return two passes that never block on the fields they estimate."""
    return [
        EMSession(block_on("birth", name="EM: same birth date"), ("birth_date",)),
        EMSession(
            block_on(
                "paternal_ph", "given_sig_ph", name="EM: same paternal surname and given name"
            ),
            ("given_names", "paternal_surname", "maternal_surname", "sex", "curp_vs_fields"),
        ),
    ]


@dataclass
class LinkageModel:
    """Comparisons, blocking rules and (once trained) parameters and thresholds."""

    comparisons: list[Comparison] = field(default_factory=default_comparisons)
    blocking_rules: BlockingRules = field(default_factory=default_blocking_rules)
    # None: the default sessions, minus exclusions of comparisons this model lacks.
    em_sessions: list[EMSession] | None = None
    m: list[list[float]] | None = None
    u: list[list[float]] | None = None
    prior: float | None = None  # P(match) for a random pair of records
    upper_threshold: float = 0.5  # probability at or above which pairs link
    lower_threshold: float = 0.05  # below this pairs are dropped; between: review
    tf_tables: dict[str, dict[str, float]] = field(default_factory=dict)
    tf_floor: dict[str, float] = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    _tf_cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.blocking_rules, BlockingRules):
            raise TypeError("LinkageModel(blocking_rules=...) takes rule_a | rule_b, not a list")
        if not 0 <= self.lower_threshold <= self.upper_threshold <= 1:
            raise ValueError(
                f"thresholds must satisfy 0 <= lower ({self.lower_threshold}) <= upper "
                f"({self.upper_threshold}) <= 1"
            )
        names = [c.name for c in self.comparisons]
        if len(set(names)) != len(names):
            raise ValueError(f"comparison names must be unique, got {names}")
        if self.em_sessions is None:
            self.em_sessions = [
                EMSession(s.rule, tuple(n for n in s.exclude if n in names))
                for s in default_em_sessions()
            ]
        unknown = {n for s in self.em_sessions for n in s.exclude} - set(names)
        if unknown:
            raise ValueError(
                f"EMSession(exclude=...) names unknown comparisons {sorted(unknown)}; "
                f"comparisons are {names}"
            )
        never = [n for n in names if all(n in s.exclude for s in self.em_sessions)]
        if never:
            raise ValueError(
                f"comparisons {never} are excluded from every EM session, so their m "
                "could never be estimated; add an EMSession(block_on(...), exclude=...) "
                "that blocks on other fields"
            )

    @property
    def trained(self) -> bool:
        return self.m is not None and self.u is not None and self.prior is not None

    @property
    def n_levels(self) -> list[int]:
        return [len(c.levels) for c in self.comparisons]

    def weights(self) -> list[np.ndarray]:
        """Return log2(m/u) per comparison level (null = 0)."""
        self._require_trained()
        return match_weights([np.array(x) for x in self.m], [np.array(x) for x in self.u])

    def prior_weight(self) -> float:
        self._require_trained()
        return weight_from_probability(self.prior)

    def tf_by_id(self, feature: str, vocabulary: Vocabulary) -> np.ndarray:
        """Return the term frequency of every id of ``vocabulary`` for ``feature``."""
        cached = self._tf_cache.get((feature, id(vocabulary)))
        if cached is not None and len(cached) == len(vocabulary):
            return cached
        table = self.tf_tables.get(feature, {})
        floor = self.tf_floor.get(feature, 1e-6)
        start = 0 if cached is None else len(cached)
        # Vocabularies only grow, so extend the cached array with the new strings.
        extra = np.array([table.get(s, floor) for s in vocabulary.strings[start:]], dtype=float)
        array = extra if cached is None else np.concatenate([cached, extra])
        self._tf_cache[(feature, id(vocabulary))] = array
        return array

    def fit_term_frequencies(self, tables: list[RecordTable]) -> None:
        """Count value frequencies of every term-frequency-adjusted feature."""
        self._tf_cache.clear()
        features = {lvl.features[0] for c in self.comparisons for lvl in c.levels if lvl.tf}
        for feature in sorted(features):
            vocab = tables[0].vocabularies[STRING_FEATURES[feature]]
            counts = np.zeros(len(vocab), dtype=np.int64)
            for table in tables:
                counts += np.bincount(table.column(feature), minlength=len(vocab))
            counts[0] = 0
            total = max(int(counts.sum()), 1)
            # Keep values seen twice or more: a singleton's share is the floor.
            self.tf_tables[feature] = {
                vocab.strings[i]: float(counts[i]) / total for i in np.nonzero(counts >= 2)[0]
            }
            self.tf_floor[feature] = 1.0 / total

    def _require_trained(self) -> None:
        if not self.trained:
            raise ValueError(
                "this LinkageModel has no parameters yet; train it with "
                "Linker(model).link(left, right) or load one with LinkageModel.load(path)"
            )

    # --- JSON ------------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "comparisons": [c.to_json() for c in self.comparisons],
            "blocking_rules": [r.to_json() for r in self.blocking_rules],
            "em_sessions": [s.to_json() for s in self.em_sessions],
            "m": self.m,
            "u": self.u,
            "prior": self.prior,
            "upper_threshold": self.upper_threshold,
            "lower_threshold": self.lower_threshold,
            "tf_tables": self.tf_tables,
            "tf_floor": self.tf_floor,
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, data: dict) -> LinkageModel:
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"unsupported model format_version {data.get('format_version')!r}")
        rules = [BlockingRule.from_json(r) for r in data["blocking_rules"]]
        return cls(
            comparisons=[Comparison.from_json(c) for c in data["comparisons"]],
            blocking_rules=BlockingRules(tuple(rules)),
            em_sessions=[EMSession.from_json(s) for s in data["em_sessions"]],
            m=data["m"],
            u=data["u"],
            prior=data["prior"],
            upper_threshold=data["upper_threshold"],
            lower_threshold=data["lower_threshold"],
            tf_tables=data.get("tf_tables", {}),
            tf_floor=data.get("tf_floor", {}),
            notes=data.get("notes", {}),
        )

    def save(self, path: str | Path) -> None:
        """Write the model as JSON to ``path``."""
        Path(path).write_text(
            json.dumps(self.to_json(), ensure_ascii=False, indent=1), encoding="utf-8"
        )

    @classmethod
    def load(cls, path: str | Path) -> LinkageModel:
        """Read a model written by :meth:`save`."""
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
