"""Reads of the public site: search results and the stream of every public entry.

Everything returned here went through the redaction policy (``public_site.entries``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import TruncMonth

from mxnames.text import search_key
from public_site.entries import (
    DEFAULT_ORDERING,
    ORDERINGS,
    PUBLISHED,
    PublicEntry,
    PublicFilters,
    apply_public_filters,
    public_cases,
    public_entry,
    public_reports,
)
from public_site.prepared import prepared_statement
from public_site.search_sql import name_search
from registry.models import Agency, Case, Municipality, Record, State
from registry.redaction import PUBLIC_BROWSABLE_KINDS, SUBJECT_FIELDS, Audience, never_shown_fields
from registry.replication import read_connection as connection  # primary or replica


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
def entries_statements() -> tuple[str, str]:
    tables = {model: model._meta.db_table for model in (Case, Record, Agency, State,
                                                         Municipality)}
    kinds = ", ".join(f"'{kind}'" for kind in PUBLIC_BROWSABLE_KINDS)  # constants
    published = ", ".join(f"'{decision}'" for decision in PUBLISHED)  # constants
    columns = ", ".join(f"r.{column}" for column in _public_report_columns())
    # Columns listed, never "*": a prepared "SELECT *" fails ("cached plan must not
    # change result type") once a migration adds a column under a running server.
    case_columns = ", ".join(f"c.{field.column}" for field in Case._meta.concrete_fields)
    cases = (
        f"SELECT {case_columns}, a.name AS agency_name_ FROM {tables[Case]} c "  # noqa: S608
        f"JOIN {tables[Agency]} a ON a.id = c.agency_id "
        f"WHERE c.public_key IS NOT NULL AND c.publication IN ({published}) "
        "AND c.missing_report_id = ANY($1)")
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
    case_sql, report_sql = entries_statements()
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
        ranked_ids, capped = name_search(filters, text)
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
    cases = public_cases().order_by("id")
    for case in cases.iterator(chunk_size=chunk_size):
        yield public_entry(case)
