"""The linkage model: everything needed to reproduce a run, as JSON.

Blocking rules, comparisons and their levels, the estimated m and u
probabilities, the prior, term-frequency tables and the two thresholds.
"""

from __future__ import annotations

import json
import weakref
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

FORMAT_VERSION = 2
# Version 1 (before the relatives class) still loads: it scores as it always did.
READABLE_FORMAT_VERSIONS = (1, 2)


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


@dataclass(frozen=True)
class RelativesSession:
    """How the third class of pairs, relatives, is estimated (see ``Linker._train``).

    Relatives share surnames the way one person's records do, so the
    comparisons in ``like_matches`` take the matches' shares (m); they do not
    share identity numbers, so those in ``like_strangers`` take the strangers'
    (u). The rest (given names, birth date, sex, place, address, event date) are
    estimated by EM over the pairs of ``rule`` (both surnames sound alike),
    among which the comparisons of ``like_matches`` are left out because the
    rule blocks on them. EM starts the comparisons of ``households`` (relatives
    often live together) as agreeing like matches, the other free ones as
    strangers.
    """

    rule: BlockingRule = field(
        default_factory=lambda: block_on(
            "paternal_ph", "maternal_ph", name="relatives: both surnames sound alike"
        )
    )
    like_matches: tuple[str, ...] = ("paternal_surname", "maternal_surname")
    like_strangers: tuple[str, ...] = ("id_number", "curp_vs_fields")
    households: tuple[str, ...] = ("location", "address")

    def to_json(self) -> dict:
        return {
            "rule": self.rule.to_json(),
            "like_matches": list(self.like_matches),
            "like_strangers": list(self.like_strangers),
            "households": list(self.households),
        }

    @classmethod
    def from_json(cls, data: dict) -> RelativesSession:
        return cls(
            BlockingRule.from_json(data["rule"]),
            tuple(data["like_matches"]),
            tuple(data["like_strangers"]),
            tuple(data.get("households", ())),
        )


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
    # Relatives: a third class of pairs beside matches and strangers (None: two classes).
    relatives: RelativesSession | None = field(default_factory=RelativesSession)
    r: list[list[float]] | None = None  # relatives' level shares per comparison
    relatives_prior: float = 0.0  # P(relatives sharing surnames) for a random pair
    population: int = 0  # records the model was trained on (for namesake counts)
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
        if self.relatives is not None:
            self.relatives = RelativesSession(
                self.relatives.rule,
                tuple(n for n in self.relatives.like_matches if n in names),
                tuple(n for n in self.relatives.like_strangers if n in names),
                tuple(n for n in self.relatives.households if n in names),
            )
            if not self.relatives.like_matches:  # nothing says who is a relative
                self.relatives = None
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

    @property
    def has_relatives(self) -> bool:
        """True when the model scores against relatives as well as strangers."""
        return self.r is not None and self.relatives_prior > 0

    def relatives_weights(self) -> list[np.ndarray]:
        """Return log2(r/u) per comparison level: how much more likely among relatives."""
        self._require_trained()
        return match_weights([np.array(x) for x in self.r], [np.array(x) for x in self.u])

    def relatives_odds_weight(self) -> float:
        """Return log2(P(relatives) / P(strangers)) for a random pair."""
        strangers = max(1.0 - self.prior - self.relatives_prior, 1e-12)
        return float(np.log2(max(self.relatives_prior, 1e-300) / strangers))

    def expected_namesakes(self, given: str, paternal: str, maternal: str) -> float:
        """Return how many records of the training population would carry this full name.

        The product of the three names' shares times the population: "Juan
        Hernández García" is expected many times over, "Xicoténcatl Ocelotl" never.
        """
        share = 1.0
        for feature, value in (("given", given), ("paternal", paternal), ("maternal", maternal)):
            if not value:
                continue
            table = self.tf_tables.get(feature, {})
            share *= table.get(value, self.tf_floor.get(feature, 1e-6))
        return share * self.population

    def tf_by_id(self, feature: str, vocabulary: Vocabulary) -> np.ndarray:
        """Return the term frequency of every id of ``vocabulary`` for ``feature``."""
        # Keyed by the vocabulary's id, checked through a weak reference: a freed
        # vocabulary's id is reused by the next one, whose strings differ.
        entry = self._tf_cache.get((feature, id(vocabulary)))
        cached = entry[1] if entry is not None and entry[0]() is vocabulary else None
        if cached is not None and len(cached) == len(vocabulary):
            return cached
        table = self.tf_tables.get(feature, {})
        floor = self.tf_floor.get(feature, 1e-6)
        start = 0 if cached is None else len(cached)
        # Vocabularies only grow, so extend the cached array with the new strings.
        extra = np.array([table.get(s, floor) for s in vocabulary.strings[start:]], dtype=float)
        array = extra if cached is None else np.concatenate([cached, extra])
        self._tf_cache[(feature, id(vocabulary))] = (weakref.ref(vocabulary), array)
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
            "relatives": self.relatives.to_json() if self.relatives is not None else None,
            "r": self.r,
            "relatives_prior": self.relatives_prior,
            "population": self.population,
            "upper_threshold": self.upper_threshold,
            "lower_threshold": self.lower_threshold,
            "tf_tables": self.tf_tables,
            "tf_floor": self.tf_floor,
            "notes": self.notes,
        }

    @classmethod
    def from_json(cls, data: dict) -> LinkageModel:
        version = data.get("format_version")
        if version not in READABLE_FORMAT_VERSIONS:
            raise ValueError(
                f"this model file has format_version {version!r}; this version of the matching "
                f"core reads {', '.join(map(str, READABLE_FORMAT_VERSIONS))}. Retrain it with "
                "Linker().link(...) (python -m matching link ... --save-model PATH)"
            )
        rules = [BlockingRule.from_json(r) for r in data["blocking_rules"]]
        relatives = data.get("relatives") if version >= 2 else None
        return cls(
            relatives=RelativesSession.from_json(relatives) if relatives else None,
            r=data.get("r") if relatives else None,
            relatives_prior=float(data.get("relatives_prior") or 0.0),
            population=int(data.get("population") or 0),
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
