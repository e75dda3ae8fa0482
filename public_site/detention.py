"""The public detention consultation: one specific name at a time, never a list.

Forgiving but specific. Every word of the name asked must be in the record, in the same
part of the name (given names, first surname, second surname when asked), read as:

1. the same loose key (``mxnames.text.loose_key``: case, accents and ñ/n folded), or
2. the same sound (``mxnames.phonetic``: Gómez/Gómes, Yáñez/Yanes), or
3. for one word of five letters or more in the whole name, one typing slip away
   (``mxnames.text.one_edit_apart``: Fracisco/Francisco).

A name of a different length ("Juan" for "Juan Carlos") is not the same name, and
vague queries (initials, wildcards) are refused by the forms before they reach here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import BooleanField as BooleanOutput
from django.db.models import ExpressionWrapper, Q, QuerySet
from django.db.models.expressions import RawSQL

from mxnames.phonetic import phonetic_key
from mxnames.text import loose_key, one_edit_apart
from registry.models import Record, RecordKind
from registry.redaction import DETENTION_LIKE, Audience, age_at, agency_contact, redact_record

DETENTION_LOOKUP_MAX_RESULTS = 5
# Candidates read before the name comparison (newest first): enough for every spelling
# of one specific name, far fewer than a list of detainees.
CANDIDATES_READ = 200
# A slip of one letter is forgiven only in words this long, and in one word of the name.
SLIP_MIN_LETTERS = 5
# Candidates share the first letters of every word (the index can serve a prefix);
# spelling differences further in are left to the comparison.
PREFIX_LETTERS = 2


@dataclass(frozen=True)
class DetentionQuery:
    """A specific query: given names and first surname required, second optional."""

    given_names: str
    paternal_surname: str
    maternal_surname: str = ""
    age: int | None = None

    @property
    def words(self) -> list[str]:
        return loose_key(self.given_names, self.paternal_surname,
                         self.maternal_surname).split()

    @property
    def asked(self) -> str:
        """The name as it was typed, words trimmed (echoed on the answer)."""
        parts = (self.given_names, self.paternal_surname, self.maternal_surname)
        return " ".join(" ".join(part.split()) for part in parts if part.strip())


def _slips(asked: str, recorded: str) -> int | None:
    """Return how many words of ``asked`` match ``recorded`` only by a slip (None: no match)."""
    asked_words, recorded_words = loose_key(asked).split(), loose_key(recorded).split()
    if len(asked_words) != len(recorded_words):
        return None
    slips = 0
    for word, other in zip(asked_words, recorded_words, strict=True):
        if word == other or phonetic_key(word) == phonetic_key(other):
            continue
        if min(len(word), len(other)) >= SLIP_MIN_LETTERS and one_edit_apart(word, other):
            slips += 1
            continue
        return None
    return slips


def detention_name_matches(record: Record, query: DetentionQuery) -> bool:
    """Return True if the record is a detention of the person asked (see the module)."""
    parts = [(query.given_names, record.given_names),
             (query.paternal_surname, record.paternal_surname)]
    if query.maternal_surname.strip():
        parts.append((query.maternal_surname, record.maternal_surname))
    slips = 0
    for asked, recorded in parts:
        part_slips = _slips(asked, recorded)
        if part_slips is None:
            return False
        slips += part_slips
    if slips > 1:
        return False
    if query.age is not None:
        known = record.age if record.age is not None else age_at(record.birth_date,
                                                                 date.today())
        if known is not None and abs(known - query.age) > 1:
            return False
    return True


def _prefixes(word: str) -> list[str]:
    # Stored keys keep ñ; the loose word has n where the record may have ñ.
    start = word[:PREFIX_LETTERS]
    options = [("n", "ñ") if letter == "n" else (letter,) for letter in start]
    return ["".join(letters) for letters in itertools.product(*options)]


def _candidates(words: list[str]) -> QuerySet[Record]:
    candidates = Record.objects.filter(kind__in=DETENTION_LIKE)
    if connection.vendor == "postgresql":
        # Prefix terms over the partial GIN index on the words of name_search; the
        # words are [0-9a-zñ] only (search_key), and the query is a parameter.
        terms = " & ".join("(" + " | ".join(f"{p}:*" for p in _prefixes(w)) + ")"
                           for w in words)
        return candidates.filter(ExpressionWrapper(
            RawSQL("to_tsvector('simple'::regconfig, registry_record.name_search) "
                   "@@ to_tsquery('simple'::regconfig, %s)", (terms,)),
            output_field=BooleanOutput()))
    for word in words:
        starts = Q()
        for prefix in _prefixes(word):
            starts |= Q(name_search__startswith=prefix) | Q(name_search__contains=f" {prefix}")
        candidates = candidates.filter(starts)
    return candidates


def _release_on_file(detention: Record, releases: list[Record]) -> Record | None:
    """Return the newest release or transfer of this detention on file, if any.

    Either of the same person (linked by matching) or of the same name at the same
    agency, dated on or after the detention (or undated).
    """
    linked = []
    if detention.person_id is not None:
        linked = list(Record.objects.filter(kind=RecordKind.RELEASE_TRANSFER,
                                            person_id=detention.person_id)
                      .select_related("event_state", "agency"))
    same_agency = [r for r in releases if r.agency_id == detention.agency_id]
    after = [r for r in {r.pk: r for r in linked + same_agency}.values()
             if r.event_date is None or detention.event_date is None
             or r.event_date >= detention.event_date]
    return max(after, key=lambda r: (r.event_date or date.min, r.pk), default=None)


def _public_view(record: Record) -> dict[str, Any]:
    shown = redact_record(record, Audience.PUBLIC)
    return {
        "kind": shown["kind"],
        "kind_label": str(RecordKind(shown["kind"]).label),
        "agency": shown.get("agency") or "",
        "authority": shown.get("authority", ""),
        "facility": shown.get("facility", ""),
        "event_date": shown.get("event_date"),
        "state": shown.get("event_state") or "",
        "recorded_on": shown.get("created_at"),
        "contact": agency_contact(record.agency, Audience.PUBLIC),
    }


def detention_lookup(query: DetentionQuery) -> list[dict[str, Any]]:
    """Return the public view of detentions, releases and transfers of this person.

    1. Candidates: detention and release records with a word starting as each word of
       the name (PostgreSQL: the word index; SQLite: a prefix filter).
    2. Keep those whose name matches as the module says and whose age, if known and
       asked, is within a year.
    3. Redact for the public; return at most ``DETENTION_LOOKUP_MAX_RESULTS``, newest
       first, each detention with the release or transfer on file after it (or None).
    """
    if not query.words:
        return []  # nothing left of the name once folded: no specific person asked
    candidates = (_candidates(query.words).select_related("event_state", "agency")
                  .order_by("-event_date", "-id")[:CANDIDATES_READ])
    matched = [record for record in candidates if detention_name_matches(record, query)]
    releases = [r for r in matched if r.kind == RecordKind.RELEASE_TRANSFER]
    results = []
    for record in matched[:DETENTION_LOOKUP_MAX_RESULTS]:
        view = _public_view(record)
        if record.kind == RecordKind.DETENTION:
            release = _release_on_file(record, releases)
            view["release"] = _public_view(release) if release is not None else None
        results.append(view)
    return results
