"""The public name search in the database: candidate SQL compiled once, prepared per connection.

``public_site.search`` decides in Python which candidates match and in what order.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField as BooleanOutput
from django.db.models import ExpressionWrapper, Q, QuerySet
from django.db.models.expressions import RawSQL
from rapidfuzz.fuzz import ratio

from public_site.entries import NAME_FIELDS, PublicFilters, apply_public_filters, public_reports
from public_site.expressions import adult_q, with_adulthood
from public_site.prepared import prepared_fetchall
from public_site.search import PREFIX_MIN_LENGTH, WORD_THRESHOLD, Term, query_terms, rank_names
from registry.models import Record
from registry.redaction import CONSENTED_PUBLICATIONS, Audience, visibility
from registry.replication import read_connection as connection  # primary or replica

# The most candidates the name search ranks in Python; more means "refine the search".
MAX_NAME_CANDIDATES = 300


def name_visible_q() -> Q:
    """Reports whose full name the public sees: searching the others would reveal it.

    Needs ``with_adulthood`` on the queryset when the policy shows names to adults only.
    """
    kinds: set[str] | None = None
    needs_consent = needs_adult = False
    for name in NAME_FIELDS:
        shown = visibility("registry.record", name, Audience.PUBLIC)
        if shown is None:
            return Q(pk__in=[])
        if shown.kinds is not None:
            kinds = set(shown.kinds) if kinds is None else kinds & set(shown.kinds)
        needs_consent |= shown.needs_consent
        needs_adult |= shown.needs_adult
    q = Q()
    if kinds is not None:
        q &= Q(kind__in=sorted(kinds))
    if needs_consent:
        q &= Q(case__publication__in=sorted(CONSENTED_PUBLICATIONS))
    if needs_adult:
        q &= adult_q()
    return q



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
    words = [term.word for term in terms]
    similar: dict[str, list[str]] = {word: [] for word in words}
    rows = prepared_fetchall(
        "SELECT q.term, w.word FROM unnest($1::text[]) AS q(term) "
        "CROSS JOIN LATERAL (SELECT word FROM public_name_word "
        "WHERE word % q.term ORDER BY similarity(word, q.term) DESC LIMIT 8) AS w",
        ["text[]"], [words])
    for term_word, similar_word in rows:
        similar[term_word].append(similar_word)
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


def _word_match(query: str) -> ExpressionWrapper:
    return ExpressionWrapper(
        RawSQL("to_tsvector('simple'::regconfig, registry_record.name_search) "
               "@@ to_tsquery('simple'::regconfig, %s)", (query,)),
        output_field=BooleanOutput(),
    )


def _word_matches(records: QuerySet[Record], tsqueries: Sequence[str]) -> QuerySet[Record]:
    # Several tsqueries: one word may be missing from the record. Each leave-one-out
    # combination is its own index condition (PostgreSQL ORs the bitmaps): a single
    # OR-of-ANDs tsquery would make the index evaluate it against every posting of
    # every word.
    if len(tsqueries) == 1:
        return records.filter(_word_match(tsqueries[0]))
    any_combination = Q()
    for tsquery in tsqueries:
        any_combination |= Q(_word_match(tsquery))
    return records.filter(any_combination)


@dataclass(frozen=True)
class _CandidateStatement:
    """A candidate query compiled once: SQL with the tsqueries as $1, $2… (prepared)."""

    sql: str
    count: int

    def fetch(self, tsqueries: Sequence[str]) -> list[tuple[int, str, str, str]]:
        return prepared_fetchall(self.sql, ["text"] * self.count, tsqueries)


_MARKER = "public-search-tsquery-{}-" + secrets.token_hex(8)


def _compile_candidates(records: QuerySet[Record], count: int) -> _CandidateStatement:
    markers = [_MARKER.format(index) for index in range(count)]
    query = _word_matches(records, markers).values_list("id", *NAME_FIELDS)
    sql, params = query[:MAX_NAME_CANDIDATES + 1].query.sql_with_params()
    with connection.cursor() as cursor:
        # Every value but the tsqueries is fixed for this statement: let the driver
        # quote them, then turn each quoted marker into a statement parameter.
        text = cursor.mogrify(sql, params).decode()
    for index, marker in enumerate(markers, start=1):
        quoted = f"'{marker}'"
        if text.count(quoted) != 1:
            raise RuntimeError("candidate query: tsquery marker not found exactly once")
        text = text.replace(quoted, f"${index}")
    return _CandidateStatement(text, count)


# Compiling the ORM query costs more CPU than PostgreSQL spends running it; the SQL
# depends only on the filters, the day (ages) and how many tsqueries it ORs.
_compiled_candidates: dict[tuple[PublicFilters, date, int], _CandidateStatement] = {}
_COMPILED_CANDIDATES_MAX = 512


def _name_searchable(filters: PublicFilters) -> QuerySet[Record]:
    """Return the filtered public reports whose full name the public sees."""
    records = apply_public_filters(public_reports(), filters)
    return with_adulthood(records).filter(name_visible_q())


def _candidate_statement(filters: PublicFilters, count: int) -> _CandidateStatement:
    key = (filters, date.today(), count)
    statement = _compiled_candidates.get(key)
    if statement is None:  # the queryset is built only to be compiled
        if len(_compiled_candidates) >= _COMPILED_CANDIDATES_MAX:
            _compiled_candidates.clear()
        statement = _compiled_candidates[key] = _compile_candidates(
            _name_searchable(filters), count)
    return statement


def _rank(rows: list[tuple[int, str, str, str]], terms: Sequence[Term]) -> tuple[list[int], bool]:
    capped = len(rows) > MAX_NAME_CANDIDATES
    ranked = rank_names(terms, rows[:MAX_NAME_CANDIDATES])
    return [record_id for record_id, _score in ranked], capped


def name_search(filters: PublicFilters, text: str) -> tuple[list[int], bool]:
    """Return the ids of reports matching ``text``, best first, and whether it was capped.

    PostgreSQL: if every searched word is in the vocabulary, the reports that contain
    them all as written; unless those alone fill the candidates, the reports that
    contain every word in one of its spellings; only if there are none, and three words
    or more were searched, the reports that lack one of them. SQLite: every visible
    report is ranked in Python.
    """
    terms = [term for term in query_terms(text) if len(term.word) >= 2]
    if not terms:
        return [], False
    if connection.vendor != "postgresql":
        visible = _name_searchable(filters).values_list("id", *NAME_FIELDS)
        ranked = rank_names(terms, visible.iterator())
        return [record_id for record_id, _score in ranked], False
    single = _candidate_statement(filters, 1)
    spellings, all_known = _postgres_spellings(terms)
    exact = [[term.word] for term in terms]
    found: list[int] = []
    capped = False
    if all_known:
        # A common name written exactly fills the candidates by itself: then the
        # spelling variants could only add worse matches, and are not searched. (A word
        # outside the vocabulary cannot match as written: that pass is skipped.)
        found, capped = _rank(single.fetch([_tsquery(exact)]), terms)
        if capped:
            return found, capped
    if spellings != exact:  # (equal and not all known: nothing can match)
        found, capped = _rank(single.fetch([_tsquery(spellings)]), terms)
    if not found and len(terms) >= 3:
        leave_one_out = [_tsquery(spellings[:skipped] + spellings[skipped + 1:])
                         for skipped in range(len(spellings))]
        statement = _candidate_statement(filters, len(leave_one_out))
        found, capped = _rank(statement.fetch(leave_one_out), terms)
    return found, capped
