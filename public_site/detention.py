"""The public detention consultation: one specific name at a time, never a list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField as BooleanOutput
from django.db.models import ExpressionWrapper
from django.db.models.expressions import RawSQL

from mxnames.text import search_key
from registry.models import Record, RecordKind
from registry.redaction import DETENTION_LIKE, Audience, age_at, redact_record

DETENTION_LOOKUP_MAX_RESULTS = 5


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
