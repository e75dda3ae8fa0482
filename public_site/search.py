"""Query-side handling of the public name search: terms, variants and ranking.

Pure Python (no ORM): ``public_site.selectors`` narrows the candidates in the database
and this module decides which of them match and in what order. The names compared
are the *published* names (given names and surnames, never aliases: aliases are
hidden from the public, so a match on one would reveal it).

A searched name is forgiven:

- accents and case (``mxnames.text.search_key``; ñ is kept);
- spelling (each word is compared with rapidfuzz's ratio, ≥ ``WORD_THRESHOLD``);
- word order (words are matched as a set);
- compound names written together or apart ("Mariajosé" ~ "María José");
- particles ("de", "de la", "del") and common abbreviations and nicknames
  ("Ma." → María, "Pepe" → José, "Lupe" → Guadalupe);
- a missing surname: with three words or more, one of them may be unmatched.

The particle, abbreviation and nickname tables are the registry's one set
(``mxnames.nicknames``), the same the matching engine reads.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.fuzz import ratio
from rapidfuzz.process import extractOne

from mxnames.nicknames import ABBREVIATIONS, NICKNAME_CANDIDATES, PARTICLES
from mxnames.text import search_key

WORD_THRESHOLD = 0.8  # rapidfuzz ratio / 100: "gonzales"~"gonzalez" 0.88, "ana"~"ema" 0.67
PREFIX_MIN_LENGTH = 4  # "guada" finds "guadalupe"
MAX_TERMS = 6


@dataclass(frozen=True)
class Term:
    """One searched word and the spellings it stands for."""

    word: str
    variants: tuple[str, ...]


def query_terms(text: str) -> list[Term]:
    """Return the terms of a searched name: folded, without particles, expanded.

    1. Fold accents and punctuation (``search_key``), keeping ñ.
    2. Drop particles; expand abbreviations ("ma" → "maria").
    3. Attach nickname expansions as variants of the word.
    """
    terms: list[Term] = []
    for raw in search_key(text).split():
        if raw in PARTICLES:
            continue
        for word in ABBREVIATIONS.get(raw, raw).split():
            variants = (word, *sorted(NICKNAME_CANDIDATES.get(word, ())))
            terms.append(Term(word, tuple(dict.fromkeys(variants))))
    return terms[:MAX_TERMS]


def _word_score(variant: str, word: str) -> float:
    if variant == word:
        return 1.0
    if len(variant) >= PREFIX_MIN_LENGTH and word.startswith(variant):
        return 0.9
    if len(variant) >= PREFIX_MIN_LENGTH and len(word) > len(variant) + 2 \
            and word.endswith(variant):
        return 0.85  # the second half of a compound written together: "mariajose"
    return ratio(variant, word) / 100.0


def name_words(given_names: str, paternal_surname: str, maternal_surname: str) -> list[str]:
    """Return the comparable words of a published name, with adjacent pairs joined."""
    words = [w for w in search_key(given_names, paternal_surname, maternal_surname).split()
             if w not in PARTICLES]
    joined = [a + b for a, b in itertools.pairwise(words)]
    return words + joined


def term_score(term: Term, words: Sequence[str]) -> float:
    """Return how well the best of ``words`` matches the term (0 to 1)."""
    best = 0.0
    for variant in term.variants:
        for part in variant.split():  # "jose maria" as a nickname matches either word
            if part in words:
                return 1.0
            found = extractOne(part, words, scorer=ratio)
            if found is not None:
                best = max(best, found[1] / 100.0)
            if len(part) >= PREFIX_MIN_LENGTH and best < 0.9:
                best = max([best, *(_word_score(part, word) for word in words)])
    return best


def name_match_score(terms: Sequence[Term], words: Sequence[str]) -> float | None:
    """Return the score of a name against the searched terms, or None if it does not match.

    Every term must match (≥ ``WORD_THRESHOLD``), except one when three or more were
    searched (a surname the record lacks, or a badly misspelled word). The score is
    the mean of the term scores, so exact names rank first.
    """
    if not terms:
        return None
    scores = [term_score(term, words) for term in terms]
    misses = sum(score < WORD_THRESHOLD for score in scores)
    allowed_misses = 1 if len(terms) >= 3 else 0
    if misses > allowed_misses:
        return None
    return sum(scores) / len(scores)


def rank_names(terms: Sequence[Term],
               candidates: Iterable[tuple[int, str, str, str]]) -> list[tuple[int, float]]:
    """Return (id, score) of the matching candidates, best first (ties: lower id first)."""
    matched = []
    for candidate_id, given, paternal, maternal in candidates:
        score = name_match_score(terms, name_words(given, paternal, maternal))
        if score is not None:
            matched.append((candidate_id, score))
    matched.sort(key=lambda pair: (-pair[1], pair[0]))
    return matched


def rank_words(terms: Sequence[Term],
               candidates: Iterable[tuple[int, str]]) -> list[tuple[int, float]]:
    """``rank_names`` for names stored as their words (``registry.published.name_words``):
    the folding was done when the entry was published, not on every search."""
    matched = []
    for candidate_id, stored in candidates:
        words = stored.split()
        words += [a + b for a, b in itertools.pairwise(words)]
        score = name_match_score(terms, words)
        if score is not None:
            matched.append((candidate_id, score))
    matched.sort(key=lambda pair: (-pair[1], pair[0]))
    return matched
