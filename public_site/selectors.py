"""Reads of the public site: search results and the stream of every public entry.

Everything returned here went through the redaction policy (``public_site.entries``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from mxnames.text import search_key
from public_site.entries import (
    DEFAULT_ORDERING,
    PUBLISHED,
    PUBLISHED_ORDERINGS,
    PublicEntry,
    PublicFilters,
    public_cases,
    public_entry,
    published_entry,
    published_filtered,
)
from public_site.prepared import prepared_fetchall
from public_site.search_sql import name_search
from registry.models import Case, PublishedEntry
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


@functools.cache
def published_statement() -> str:
    """The results page's one statement: the stored entries, each checked against its case.

    A row is shown only while its case is still published under the same key and in
    the same status: a family's veto, a new key or a status change applies at once
    even if a writer did not sync the row (it is then left out, never shown stale).
    """
    entries, cases = PublishedEntry._meta.db_table, Case._meta.db_table
    published = ", ".join(f"'{decision}'" for decision in PUBLISHED)  # constants
    return (f"SELECT e.case_id, e.public_key, e.shown FROM {entries} e "  # noqa: S608
            f"JOIN {cases} c ON c.id = e.case_id WHERE e.case_id = ANY($1) "
            f"AND c.publication IN ({published}) AND c.public_key = e.public_key "
            "AND c.status = e.status")


def _published_entries(case_ids: Sequence[int]) -> list[PublicEntry]:
    """Return the public entries of these cases, in this order (one results page)."""
    if not case_ids:
        return []
    ids = list(dict.fromkeys(case_ids))
    sql = published_statement()
    if connection.vendor == "postgresql":  # prepared once per connection, ids as an array
        rows = prepared_fetchall(sql, ["bigint[]"], [ids])
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("= ANY($1)", f"IN ({', '.join(['%s'] * len(ids))})"),
                           ids)
            rows = cursor.fetchall()
    found = {case_id: (key, shown) for case_id, key, shown in rows}
    return [published_entry(*found[case_id]) for case_id in ids if case_id in found]


def public_search(*, text: str = "", filters: PublicFilters | None = None,
                  ordering: str = DEFAULT_ORDERING, page: int = 1,
                  per_page: int = 20) -> SearchResult:
    """Search the public entries by name and filters; return one redacted page.

    Reads the published table (``registry.published``: entries stored redacted, with
    their search and filter keys as the public sees them):

    1. With a name: narrow in the database (PostgreSQL word index), rank in Python.
    2. Without one: order in the database on an allowed ordering and count.
    3. The page's entries in one statement that checks each against its case.
    """
    filters = filters or PublicFilters()
    page = max(page, 1)
    capped = False
    if search_key(text):
        ranked_ids, capped = name_search(filters, text)
        total = len(ranked_ids)
        page_ids = ranked_ids[(page - 1) * per_page: page * per_page]
    else:
        entries = published_filtered(filters).order_by(
            *PUBLISHED_ORDERINGS.get(ordering, PUBLISHED_ORDERINGS[DEFAULT_ORDERING]))
        total = entries.count()
        page_ids = list(entries.values_list("case_id", flat=True)[(page - 1) * per_page:
                                                                  page * per_page])
    pages = max(1, -(-total // per_page))
    return SearchResult(entries=_published_entries(page_ids), total=total, page=page,
                        pages=pages, capped=capped, per_page=per_page)


def public_entries_iter(*, chunk_size: int = 2000) -> Iterator[PublicEntry]:
    """Yield every public entry, oldest case first (open-data downloads)."""
    cases = public_cases().order_by("id")
    for case in cases.iterator(chunk_size=chunk_size):
        yield public_entry(case)
