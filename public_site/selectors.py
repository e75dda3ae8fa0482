"""Reads of the public site. Everything returned here went through the redaction policy.

The public sees *public entries*: cases whose ``missing_report`` is a missing-person
report. Each entry is shown as ``PublicEntry`` built from ``redact_record`` and
``redact_case`` for ``Audience.PUBLIC``; nothing else of a record reaches a template,
the API or a download.
"""

from __future__ import annotations

import calendar
import functools
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField as BooleanOutput
from django.db.models import Count, ExpressionWrapper, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils.translation import get_language
from rapidfuzz.fuzz import ratio

from mxnames.text import search_key
from public_site.expressions import adult_q, public_age, with_adulthood
from public_site.prepared import prepared_fetchall, prepared_statement
from public_site.search import (
    PREFIX_MIN_LENGTH,
    WORD_THRESHOLD,
    Term,
    query_terms,
    rank_names,
)
from registry.models import (
    Agency,
    Case,
    CaseStatus,
    CaseStatusChange,
    MatchCandidate,
    MatchDecision,
    Municipality,
    Record,
    RecordKind,
    Sex,
    State,
)
from registry.redaction import (
    DETENTION_LIKE,
    PUBLIC_BROWSABLE_KINDS,
    SUBJECT_FIELDS,
    Audience,
    age_at,
    age_band,
    never_shown_fields,
    redact_case,
    redact_record,
    visibility,
)

AGE_BANDS = ("0-11", "12-17", "18-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
             "50-54", "55-59", "60-64", "65-69", "70+")
# The most candidates the name search ranks in Python; more means "refine the search".
MAX_NAME_CANDIDATES = 300
DETENTION_LOOKUP_MAX_RESULTS = 5
STATISTICS_CACHE_SECONDS = 300
NAME_FIELDS = ("given_names", "paternal_surname", "maternal_surname")
_SEX_LABELS = dict(Sex.choices)
_STATUS_LABELS = dict(CaseStatus.choices)


@functools.cache
def _label_text(labels: str, value: str, language: str | None) -> str:
    # Translated once per language, not once per entry: a results page shows 20.
    return str({"sex": _SEX_LABELS, "status": _STATUS_LABELS}[labels][value])


# --- Public entries ---------------------------------------------------------------

@dataclass(frozen=True)
class PublicEntry:
    """What the public may see of one case and its missing-person report."""

    key: str
    record: dict[str, Any]
    case: dict[str, Any]

    @property
    def name(self) -> str:
        return " ".join(str(self.record[n]) for n in NAME_FIELDS if self.record.get(n))

    @property
    def sex_label(self) -> str:
        value = self.record.get("sex")
        return _label_text("sex", value, get_language()) if value else ""

    @property
    def status_label(self) -> str:
        return _label_text("status", self.case["status"], get_language())

    @property
    def event_date(self) -> date | str | None:
        """A date for adults, "YYYY-MM" where the policy gives only the month."""
        return self.record.get("event_date")

    def as_data(self) -> dict[str, Any]:
        """Return the entry as plain values for the API and open-data downloads."""
        event_date = self.record.get("event_date")
        return {
            "clave": self.key,
            "nombre": self.record.get("given_names", ""),
            "primer_apellido": self.record.get("paternal_surname", ""),
            "segundo_apellido": self.record.get("maternal_surname", ""),
            "sexo": self.record.get("sex", ""),
            "rango_edad": self.record.get("age_band", ""),
            "nacionalidad": self.record.get("nationality", ""),
            "fecha_desaparicion": event_date.isoformat() if isinstance(event_date, date)
            else (event_date or ""),
            "entidad": self.record.get("event_state") or "",
            "municipio": _municipality_name(self.record.get("event_municipality")),
            "descripcion": self.record.get("description", ""),
            "institucion": self.case.get("agency") or "",
            "situacion": self.case["status"],
            "fecha_cambio_situacion": self.case["status_changed_at"].isoformat(),
            "actualizado": self.case["updated_at"].isoformat(),
        }


def _municipality_name(value: Any) -> str:
    # A municipality renders as "Name, 09"; for minors the policy gives the state name.
    if not value:
        return ""
    return str(value).rsplit(", ", 1)[0]


def public_entry(case: Case) -> PublicEntry:
    """Return the public view of a case (its report must be loaded with it)."""
    record = case.missing_report
    record_view = redact_record(record, Audience.PUBLIC,
                                publication_consent=case.publication_consent)
    municipality = record_view.get("event_municipality")
    if municipality:
        record_view["event_municipality"] = _municipality_name(municipality)
    return PublicEntry(key=case.public_key, record=record_view,
                       case=redact_case(case, Audience.PUBLIC))


@functools.cache
def _never_public_columns() -> tuple[str, ...]:
    # What the policy never shows the public is not even fetched (raw import values,
    # addresses, contacts, notes): less to transfer and decode on every results page.
    # Foreign keys stay: select_related needs them.
    case_fields = (never_shown_fields("registry.case", Audience.PUBLIC)
                   - SUBJECT_FIELDS["registry.case"])
    record_fields = (never_shown_fields("registry.record", Audience.PUBLIC)
                     - SUBJECT_FIELDS["registry.record"])
    columns = [name for name in sorted(case_fields)
               if not Case._meta.get_field(name).is_relation]
    columns += [f"missing_report__{name}" for name in sorted(record_fields)
                if not Record._meta.get_field(name).is_relation]
    return tuple(columns)


def _public_cases() -> QuerySet[Case]:
    return Case.objects.filter(missing_report__kind__in=PUBLIC_BROWSABLE_KINDS,
                               public_key__isnull=False).select_related(
        "agency", "missing_report__agency", "missing_report__event_state",
        "missing_report__event_municipality").defer(*_never_public_columns())


def public_entry_get(*, key: str) -> PublicEntry | None:
    """Return the public entry with this key, or None (one index probe on public_key)."""
    case = next(iter(_public_cases().filter(public_key=key)[:1]), None)
    return public_entry(case) if case else None


def public_reports() -> QuerySet[Record]:
    """Return the missing-person reports that are public entries."""
    return Record.objects.filter(kind__in=PUBLIC_BROWSABLE_KINDS, case__isnull=False)


# --- Filters the public may use ----------------------------------------------------------

@dataclass(frozen=True)
class PublicFilters:
    """Filters on what the public sees (see ``public_site.filters`` for the form)."""

    state: str | None = None
    municipality: str | None = None
    month_from: date | None = None   # first day of a month
    month_to: date | None = None     # first day of a month (inclusive)
    sex: str | None = None
    age_band: str | None = None
    status: str | None = None


def _age_band_q(band: str) -> Q:
    if band == "70+":
        return Q(_public_age__gte=70)
    low, high = (int(part) for part in band.split("-"))
    return Q(_public_age__gte=low, _public_age__lte=high)


def apply_public_filters(records: QuerySet[Record], filters: PublicFilters) -> QuerySet[Record]:
    """Filter public reports on the policy's public view of each field.

    - municipality: only adults (minors are shown by state only);
    - dates: whole months (minors are shown by month only);
    - age: the band the public sees, from the declared age or the age at the event.
    """
    if filters.state:
        records = records.filter(event_state_id=filters.state)
    if filters.municipality:
        records = with_adulthood(records).filter(adult_q(),
                                                 event_municipality_id=filters.municipality)
    if filters.month_from:
        records = records.filter(event_date__gte=filters.month_from)
    if filters.month_to:
        last_day = calendar.monthrange(filters.month_to.year, filters.month_to.month)[1]
        records = records.filter(event_date__lte=filters.month_to.replace(day=last_day))
    if filters.sex:
        records = records.filter(sex=filters.sex)
    if filters.age_band:
        records = records.annotate(_public_age=public_age()).filter(
            _age_band_q(filters.age_band))
    if filters.status:
        records = records.filter(case__status=filters.status)
    return records


ORDERINGS = {
    # key → database ordering of public reports (whole months only: see the policy)
    "recientes": ("-_event_month", "-id"),
    "antiguos": ("_event_month", "id"),
    "actualizados": ("-case__updated_at", "-id"),
}
DEFAULT_ORDERING = "recientes"


# --- Name search -------------------------------------------------------------------------

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
        q &= Q(case__publication_consent=True)
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


def _name_search(filters: PublicFilters, text: str) -> tuple[list[int], bool]:
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


@dataclass
class SearchResult:
    """One page of the public search, already redacted."""

    entries: list[PublicEntry]
    total: int
    page: int
    pages: int
    capped: bool = False
    per_page: int = 20
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _public_report_columns() -> list[str]:
    # The report's columns a results page may need: what the public may ever see and
    # what the policy reads to decide (ages, kind, state). The rest stays deferred.
    hidden = (never_shown_fields("registry.record", Audience.PUBLIC)
              - SUBJECT_FIELDS["registry.record"])
    return [field.column for field in Record._meta.concrete_fields
            if field.name not in hidden]


@functools.cache
def _entries_statements() -> tuple[str, str]:
    tables = {model: model._meta.db_table for model in (Case, Record, Agency, State,
                                                         Municipality)}
    kinds = ", ".join(f"'{kind}'" for kind in PUBLIC_BROWSABLE_KINDS)  # constants
    columns = ", ".join(f"r.{column}" for column in _public_report_columns())
    # Columns listed, never "*": a prepared "SELECT *" fails ("cached plan must not
    # change result type") once a migration adds a column under a running server.
    case_columns = ", ".join(f"c.{field.column}" for field in Case._meta.concrete_fields)
    cases = (
        f"SELECT {case_columns}, a.name AS agency_name_ FROM {tables[Case]} c "  # noqa: S608
        f"JOIN {tables[Agency]} a ON a.id = c.agency_id "
        "WHERE c.public_key IS NOT NULL AND c.missing_report_id = ANY($1)")
    reports = (
        f"SELECT {columns}, a.name AS agency_name_, s.name AS state_name_, "  # noqa: S608
        f"m.name AS municipality_name_ FROM {tables[Record]} r "
        f"JOIN {tables[Agency]} a ON a.id = r.agency_id "
        f"LEFT JOIN {tables[State]} s ON s.code = r.event_state_id "
        f"LEFT JOIN {tables[Municipality]} m ON m.code = r.event_municipality_id "
        f"WHERE r.kind IN ({kinds}) AND r.id = ANY($1)")
    return cases, reports


def _entries_for_reports(report_ids: Sequence[int]) -> list[PublicEntry]:
    """Return the public entries of these reports, in this order (one results page).

    Plain SQL rather than the ORM's five-way select_related: for 20 rows, compiling
    and planning that join cost more than the rows. The related agency, state and
    municipality are attached as unsaved instances holding what their names need.
    """
    if not report_ids:
        return []
    ids = list(dict.fromkeys(report_ids))
    case_sql, report_sql = _entries_statements()
    if connection.vendor == "postgresql":  # prepared once per connection, ids as an array
        cases_query = (prepared_statement(case_sql, ["bigint[]"]), [ids])
        reports_query = (prepared_statement(report_sql, ["bigint[]"]), [ids])
    else:
        placeholders = ", ".join(["%s"] * len(ids))
        cases_query = (case_sql.replace("= ANY($1)", f"IN ({placeholders})"), ids)
        reports_query = (report_sql.replace("= ANY($1)", f"IN ({placeholders})"), ids)
    cases = {case.missing_report_id: case for case in Case.objects.raw(*cases_query)}
    complete: dict[int, Case] = {}  # cases whose report is public too
    for report in Record.objects.raw(*reports_query):
        case = cases.get(report.pk)
        if case is None:
            continue
        case.agency = Agency(pk=case.agency_id, name=case.agency_name_)
        report.agency = Agency(pk=report.agency_id, name=report.agency_name_)
        if report.event_state_id:
            report.event_state = State(code=report.event_state_id, name=report.state_name_)
        if report.event_municipality_id:
            report.event_municipality = Municipality(
                code=report.event_municipality_id, state_id=report.event_state_id,
                name=report.municipality_name_)
        case.missing_report = report
        complete[report.pk] = case
    return [public_entry(complete[rid]) for rid in ids if rid in complete]


def public_search(*, text: str = "", filters: PublicFilters | None = None,
                  ordering: str = DEFAULT_ORDERING, page: int = 1,
                  per_page: int = 20) -> SearchResult:
    """Search the public entries by name and filters; return one redacted page.

    1. Filter the public reports on what the public sees (``apply_public_filters``).
    2. With a name: narrow in the database (PostgreSQL word index), rank in Python.
    3. Without one: order in the database on an allowed ordering and count.
    """
    filters = filters or PublicFilters()
    page = max(page, 1)
    capped = False
    if search_key(text):
        ranked_ids, capped = _name_search(filters, text)
        total = len(ranked_ids)
        page_ids = ranked_ids[(page - 1) * per_page: page * per_page]
    else:
        records = apply_public_filters(public_reports(), filters)
        order = ORDERINGS.get(ordering, ORDERINGS[DEFAULT_ORDERING])
        ordered = records.annotate(_event_month=TruncMonth("event_date")).order_by(*order)
        total = ordered.count()
        page_ids = list(ordered.values_list("id", flat=True)[(page - 1) * per_page:
                                                             page * per_page])
    pages = max(1, -(-total // per_page))
    return SearchResult(entries=_entries_for_reports(page_ids), total=total, page=page,
                        pages=pages, capped=capped, per_page=per_page)


def public_entries_iter(*, chunk_size: int = 2000) -> Iterator[PublicEntry]:
    """Yield every public entry, oldest case first (open-data downloads)."""
    cases = _public_cases().order_by("id")
    for case in cases.iterator(chunk_size=chunk_size):
        yield public_entry(case)


# --- Statistics ---------------------------------------------------------------------------

def _age_band_counts(records: QuerySet[Record]) -> dict[str, int]:
    counts = dict.fromkeys(AGE_BANDS, 0)
    counts[""] = 0
    ages = records.annotate(_public_age=public_age()).values("_public_age").annotate(
        n=Count("id"))
    for row in ages:
        counts[age_band(row["_public_age"])] += row["n"]
    return counts


def public_statistics() -> dict[str, Any]:
    """Return counts of public entries by state, month, sex, age band and status (cached).

    Counts only: no entry is identifiable from them. Months are whole months, as the
    policy shows them for everyone.
    """
    cached = cache.get("public_site:statistics:v1")
    if cached is not None:
        return cached
    records = public_reports()
    by_state = list(records.values("event_state_id", "event_state__name")
                    .annotate(n=Count("id")).order_by("event_state_id"))
    by_month = [
        {"month": row["month"].strftime("%Y-%m") if row["month"] else "", "n": row["n"]}
        for row in records.annotate(month=TruncMonth("event_date")).values("month")
        .annotate(n=Count("id")).order_by("month")
    ]
    by_sex = {row["sex"]: row["n"] for row in records.values("sex").annotate(n=Count("id"))}
    by_status = {row["case__status"]: row["n"]
                 for row in records.values("case__status").annotate(n=Count("id"))}
    statistics = {
        "total": sum(row["n"] for row in by_state),
        "by_state": [{"code": row["event_state_id"] or "", "name": row["event_state__name"]
                      or "", "n": row["n"]} for row in by_state],
        "by_month": by_month,
        "by_sex": [{"code": value, "n": by_sex.get(value, 0)} for value in Sex.values],
        "by_age_band": [{"band": band, "n": n}
                        for band, n in _age_band_counts(records).items()],
        "by_status": [{"code": value, "n": by_status.get(value, 0)}
                      for value in CaseStatus.values],
    }
    cache.set("public_site:statistics:v1", statistics, STATISTICS_CACHE_SECONDS)
    return statistics


# --- Detention lookup ------------------------------------------------------------------

@dataclass(frozen=True)
class DetentionQuery:
    """A specific query: given names and first surname required, second optional."""

    given_names: str
    paternal_surname: str
    maternal_surname: str = ""
    age: int | None = None

    @property
    def words(self) -> list[str]:
        return search_key(self.given_names, self.paternal_surname,
                          self.maternal_surname).split()


def _detention_matches(record: Record, query: DetentionQuery) -> bool:
    if search_key(record.given_names) != search_key(query.given_names):
        return False
    if search_key(record.paternal_surname) != search_key(query.paternal_surname):
        return False
    if query.maternal_surname and (search_key(record.maternal_surname)
                                   != search_key(query.maternal_surname)):
        return False
    if query.age is not None:
        known = record.age if record.age is not None else age_at(record.birth_date,
                                                                 date.today())
        if known is not None and abs(known - query.age) > 1:
            return False
    return True


def detention_lookup(query: DetentionQuery) -> list[dict[str, Any]]:
    """Return the public view (authority, facility, date) of detentions of exactly this name.

    1. Candidates: detention and release records containing every word of the name
       (PostgreSQL: word index; SQLite: substring filter).
    2. Keep those whose given names and surnames equal the query (accents and case
       folded), and whose age, if known and asked, is within a year.
    3. Redact for the public; return at most ``DETENTION_LOOKUP_MAX_RESULTS``, newest first.
    """
    words = query.words
    candidates = Record.objects.filter(kind__in=DETENTION_LIKE).select_related("event_state")
    if connection.vendor == "postgresql":
        candidates = candidates.filter(ExpressionWrapper(
            RawSQL("to_tsvector('simple'::regconfig, registry_record.name_search) "
                   "@@ to_tsquery('simple'::regconfig, %s)", (" & ".join(words),)),
            output_field=BooleanOutput()))
    else:
        for word in words:
            candidates = candidates.filter(name_search__contains=word)
    matched = [record for record in candidates.order_by("-event_date", "-id")[:200]
               if _detention_matches(record, query)]
    results = []
    for record in matched[:DETENTION_LOOKUP_MAX_RESULTS]:
        shown = redact_record(record, Audience.PUBLIC)
        results.append({
            "kind": shown["kind"],
            "kind_label": str(RecordKind(shown["kind"]).label),
            "authority": shown.get("authority", ""),
            "facility": shown.get("facility", ""),
            "event_date": shown.get("event_date"),
            "state": shown.get("event_state") or "",
        })
    return results


# --- Family view -----------------------------------------------------------------------------

def case_has_linked_record(case: Case) -> bool:
    """Return True if a record of another agency is linked to the case (no details).

    Linked means: in the same person cluster as the case, or a confirmed match with
    the case's missing-person report. One statement (the family's page is busy); each
    test follows an index (person, match pair).
    """
    report_id, person_id, agency_id = case.missing_report_id, case.person_id, case.agency_id
    if person_id is None and report_id is None:
        return False
    # Table names come from the models, values are parameters.
    records, matches = Record._meta.db_table, MatchCandidate._meta.db_table
    pair_linked = (
        f"EXISTS (SELECT 1 FROM {matches} m JOIN {records} r "  # noqa: S608
        "ON r.id = m.{other}_id WHERE m.decision = %s AND m.{this}_id = %s "
        "AND r.agency_id <> %s)")
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {records} WHERE person_id = %s "  # noqa: S608
        "AND agency_id <> %s AND (%s IS NULL OR id <> %s)) "
        f"OR {pair_linked.format(this='record_left', other='record_right')} "
        f"OR {pair_linked.format(this='record_right', other='record_left')}"
    )
    confirmed = MatchDecision.CONFIRMED.value
    params = [person_id, agency_id, report_id, report_id,
              confirmed, report_id, agency_id, confirmed, report_id, agency_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])


def _raw_one(model, sql: str, types: list[str], params: list[Any]):
    """Return the one instance ``sql`` selects ($1, $2… parameters), or None.

    Prepared on PostgreSQL (planned once per connection); plain on SQLite.
    """
    if connection.vendor == "postgresql":
        return next(iter(model.objects.raw(prepared_statement(sql, types), params)), None)
    plain = sql
    for index in range(len(types), 0, -1):
        plain = plain.replace(f"${index}", "%s")
    return next(iter(model.objects.raw(plain, params)), None)


@functools.cache
def _family_statements() -> tuple[str, str]:
    # Columns listed, never "*" (see _entries_statements).
    case_columns = ", ".join(f"c.{field.column}" for field in Case._meta.concrete_fields)
    record_columns = ", ".join(f"r.{field.column}" for field in Record._meta.concrete_fields)
    case_sql = (
        f"SELECT {case_columns}, a.name AS agency_name_ "  # noqa: S608
        f"FROM {Case._meta.db_table} c JOIN {Agency._meta.db_table} a "
        "ON a.id = c.agency_id WHERE c.id = $1")
    report_sql = (
        f"SELECT {record_columns}, s.name AS event_state_name_ "  # noqa: S608
        f"FROM {Record._meta.db_table} r LEFT JOIN {State._meta.db_table} s "
        "ON s.code = r.event_state_id WHERE r.id = $1")
    return case_sql, report_sql


def family_case_get(case_id: int) -> Case | None:
    """Return the case a family opened, with its report, state and agency names.

    Two plain statements instead of the ORM's four-way join: on the family's status
    page, compiling and planning that join cost more than running it. The related
    state and agency are attached as unsaved instances holding only their names.
    """
    case_sql, report_sql = _family_statements()
    case = _raw_one(Case, case_sql, ["bigint"], [case_id])
    if case is None:
        return None
    case.agency = Agency(pk=case.agency_id, name=case.agency_name_)
    if case.missing_report_id is not None:
        report = _raw_one(Record, report_sql, ["bigint"], [case.missing_report_id])
        if report.event_state_id:
            report.event_state = State(code=report.event_state_id,
                                       name=report.event_state_name_)
        case.missing_report = report
    return case


def _status_changes(case_id: int) -> list[tuple[str, Any]]:
    if connection.vendor == "postgresql":  # the family page's hottest query, prepared
        return prepared_fetchall(
            f"SELECT to_status, changed_at FROM {CaseStatusChange._meta.db_table} "  # noqa: S608
            "WHERE case_id = $1 ORDER BY changed_at, id", ["bigint"], [case_id])
    changes = CaseStatusChange.objects.filter(case_id=case_id).order_by("changed_at", "id")
    return list(changes.values_list("to_status", "changed_at"))


def family_case_view(case: Case) -> dict[str, Any]:
    """Return what the family sees of its case: status, last update, history, link."""
    shown = redact_case(case, Audience.FAMILY)
    history = [
        {"to_status": to_status, "to_label": str(_STATUS_LABELS[to_status]),
         "changed_at": changed_at}
        for to_status, changed_at in _status_changes(case.pk)
    ]
    record = redact_record(case.missing_report, Audience.FAMILY) if case.missing_report else {}
    return {
        "case": shown,
        "status_label": str(CaseStatus(shown["status"]).label),
        "last_update": max(shown["updated_at"], shown["status_changed_at"]),
        "history": history,
        "has_linked_record": case_has_linked_record(case),
        "name": " ".join(str(record[n]) for n in NAME_FIELDS if record.get(n)),
    }
