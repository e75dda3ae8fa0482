"""The public name search in the database: one prepared statement over the published table.

The candidates come from ``registry.PublishedEntry`` (each public entry stored already
redacted, with the words of its name only when the public sees the full name, and its
filter keys at the policy's granularity): one narrow table, one statement whatever the
filters, prepared once per connection. ``public_site.search`` decides in Python which
candidates match and in what order, from the stored words.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence

from django.db.models import QuerySet
from rapidfuzz.fuzz import ratio

from public_site.entries import PublicFilters, published_filtered
from public_site.prepared import prepared_fetchall
from public_site.search import PREFIX_MIN_LENGTH, WORD_THRESHOLD, Term, query_terms, rank_words
from registry.models import PublishedEntry
from registry.replication import read_connection as connection  # primary or replica

# The most candidates the name search ranks in Python; more means "refine the search".
MAX_NAME_CANDIDATES = 300


def _tsquery(alternatives: Sequence[Sequence[str]]) -> str:
    """Return a to_tsquery() text: every term present, each as one of its spellings."""
    groups = []
    for spellings in alternatives:
        options = []
        for spelling in spellings:
            words = spelling.split()
            options.append("(" + " & ".join(words) + ")" if len(words) > 1 else words[0])
        groups.append("(" + " | ".join(dict.fromkeys(options)) + ")")
    return " & ".join(groups)


def _postgres_spellings(terms: Sequence[Term]) -> tuple[list[list[str]], bool]:
    """Return, per term, its variants and the vocabulary words close enough to match it,
    and whether every term is itself a word of the vocabulary.

    Only spellings that ``public_site.search`` would accept (ratio ≥ WORD_THRESHOLD) are
    kept: a looser one ("ana" for "adriana") only makes the index probe slower. A word
    that is not in the vocabulary is also searched as a prefix ("guada" → "guadalupe").
    """
    similar = _similar_words([term.word for term in terms])
    compounds = _compound_splits([t.word for t in terms if t.word not in similar[t.word]])
    spellings = []
    for term in terms:
        close = [word for word in similar[term.word]
                 if ratio(word, term.word) >= WORD_THRESHOLD * 100]
        options = list(dict.fromkeys([*term.variants, *close, *compounds.get(term.word, [])]))
        if term.word not in close and len(term.word) >= PREFIX_MIN_LENGTH:
            options.append(f"{term.word}:*")
        spellings.append(options)
    all_known = all(term.word in similar[term.word] for term in terms)
    return spellings, all_known


# Searched word → (when the entry expires, its close vocabulary words). Names are few
# and skewed (a handful of given names and surnames make most searches), so most
# words were looked up moments ago; the trigram probe of the vocabulary was the
# largest part of a search's PostgreSQL time. The vocabulary only grows: an entry
# older than the TTL is looked up again, so a new spelling is offered within minutes
# (only the spellings tried depend on it, never what the public may see).
_SIMILAR_TTL_SECONDS = 600.0
_SIMILAR_MAX = 20_000
_similar_cache: dict[str, tuple[float, tuple[str, ...]]] = {}


def _similar_words(words: Sequence[str]) -> dict[str, list[str]]:
    """Return, per word, up to 8 vocabulary words most similar to it (trigrams)."""
    now = time.monotonic()
    similar: dict[str, list[str]] = {}
    missing = []
    for word in dict.fromkeys(words):
        cached = _similar_cache.get(word)
        if cached is not None and cached[0] > now:
            similar[word] = list(cached[1])
        else:
            missing.append(word)
            similar[word] = []
    if missing:
        rows = prepared_fetchall(
            "SELECT q.term, w.word FROM unnest($1::text[]) AS q(term) "
            "CROSS JOIN LATERAL (SELECT word FROM public_name_word "
            "WHERE word % q.term ORDER BY similarity(word, q.term) DESC LIMIT 8) AS w",
            ["text[]"], [missing])
        for term_word, similar_word in rows:
            similar[term_word].append(similar_word)
        if len(_similar_cache) + len(missing) > _SIMILAR_MAX:
            _similar_cache.clear()
        for word in missing:
            _similar_cache[word] = (now + _SIMILAR_TTL_SECONDS, tuple(similar[word]))
    return similar


def similar_words_forget() -> None:
    """Forget the cached vocabulary lookups (tests; after loading names in bulk)."""
    _similar_cache.clear()


def _compound_splits(words: Sequence[str]) -> dict[str, list[str]]:
    """Return unknown words that are two vocabulary words written together, split.

    "mariaguadalupe" → ["maria guadalupe"] (searched as both words).
    """
    halves = {word: [(word[:i], word[i:]) for i in range(2, len(word) - 1)]
              for word in words if len(word) >= 6}
    parts = sorted({part for pairs in halves.values() for pair in pairs for part in pair})
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM public_name_word WHERE word = ANY(%s::text[])",
                       [parts])
        known = {row[0] for row in cursor.fetchall()}
    return {word: [f"{a} {b}" for a, b in pairs if a in known and b in known]
            for word, pairs in halves.items()}


# The filters as statement parameters, after the tsqueries: (column, type, test).
_FILTER_PARAMETERS = (
    ("state_id", "text", "="), ("municipality_id", "text", "="),
    ("event_month", "date", ">="), ("event_month", "date", "<="),
    ("sex", "text", "="), ("age_band", "text", "="), ("status", "text", "="),
)


@functools.cache
def _candidate_sql(count: int) -> str:
    """Return the candidate statement ORing ``count`` tsqueries ($1…), filters after.

    Several tsqueries: one word may be missing from the name. Each leave-one-out
    combination is its own index condition (PostgreSQL ORs the bitmaps): a single
    OR-of-ANDs tsquery would make the index evaluate it against every posting of
    every word. A filter left empty is NULL and always true.
    """
    table = PublishedEntry._meta.db_table
    words = " OR ".join(
        f"to_tsvector('simple'::regconfig, search_words) @@ "
        f"to_tsquery('simple'::regconfig, ${index})" for index in range(1, count + 1))
    filters = " ".join(
        f"AND (${index}::{kind} IS NULL OR {column} {test} ${index}::{kind})"
        for index, (column, kind, test) in enumerate(_FILTER_PARAMETERS, start=count + 1))
    return (f"SELECT case_id, search_words FROM {table} "  # noqa: S608 (names from the model)
            f"WHERE search_words <> '' AND ({words}) {filters} "
            f"LIMIT {MAX_NAME_CANDIDATES + 1}")


def _filter_values(filters: PublicFilters) -> list:
    return [filters.state, filters.municipality, filters.month_from, filters.month_to,
            filters.sex, filters.age_band, filters.status]


def _candidates(filters: PublicFilters, tsqueries: Sequence[str]) -> list[tuple[int, str]]:
    types = ["text"] * len(tsqueries) + [kind for _column, kind, _test in _FILTER_PARAMETERS]
    return prepared_fetchall(_candidate_sql(len(tsqueries)), types,
                             [*tsqueries, *_filter_values(filters)])


def _name_searchable(filters: PublicFilters) -> QuerySet[PublishedEntry]:
    """Return the filtered published entries whose full name the public sees."""
    return published_filtered(filters).exclude(search_words="")


def _rank(rows: list[tuple[int, str]], terms: Sequence[Term]) -> tuple[list[int], bool]:
    capped = len(rows) > MAX_NAME_CANDIDATES
    ranked = rank_words(terms, rows[:MAX_NAME_CANDIDATES])
    return [case_id for case_id, _score in ranked], capped


def name_search(filters: PublicFilters, text: str) -> tuple[list[int], bool]:
    """Return the ids of the cases matching ``text``, best first, and whether it was capped.

    PostgreSQL: if every searched word is in the vocabulary, the entries that contain
    them all as written; unless those alone fill the candidates, the entries that
    contain every word in one of its spellings; only if there are none, and three words
    or more were searched, the entries that lack one of them. SQLite: every searchable
    entry is ranked in Python.
    """
    terms = [term for term in query_terms(text) if len(term.word) >= 2]
    if not terms:
        return [], False
    if connection.vendor != "postgresql":
        visible = _name_searchable(filters).values_list("case_id", "search_words")
        ranked = rank_words(terms, visible.iterator())
        return [case_id for case_id, _score in ranked], False
    spellings, all_known = _postgres_spellings(terms)
    exact = [[term.word] for term in terms]
    found: list[int] = []
    capped = False
    if all_known:
        # A common name written exactly fills the candidates by itself: then the
        # spelling variants could only add worse matches, and are not searched. (A word
        # outside the vocabulary cannot match as written: that pass is skipped.)
        found, capped = _rank(_candidates(filters, [_tsquery(exact)]), terms)
        if capped:
            return found, capped
    if spellings != exact:  # (equal and not all known: nothing can match)
        found, capped = _rank(_candidates(filters, [_tsquery(spellings)]), terms)
    if not found and len(terms) >= 3:
        leave_one_out = [_tsquery(spellings[:skipped] + spellings[skipped + 1:])
                         for skipped in range(len(spellings))]
        found, capped = _rank(_candidates(filters, leave_one_out), terms)
    return found, capped
