"""The published-entry table: each public entry stored already redacted, kept current.

A public search used to read cases and reports, decide in Python what the public sees
of each (the policy) and redact twenty entries per page: most of its CPU. Here the
policy runs once per change instead of once per page view: ``PublishedEntry`` holds,
for every case the public receives whose report it may browse,

- ``shown``: the record and case views exactly as ``redact_record`` / ``redact_case``
  give them to ``Audience.PUBLIC`` (JSON);
- the search and filter keys, each at the granularity the policy shows: the name's
  words only when the public sees the full name, the municipality only when it sees
  it (adults), the month of the event, sex, age band, status.

Who keeps it current: every service that changes a case or a missing-person report
calls ``published_entries_sync`` (case ids) or ``published_entries_sync_reports``
(record ids) **in its own transaction**, so a veto and the removal of the entry
commit together. Bulk writers call the same functions with many ids (one pass per
2,000). Deleting a case deletes its row (cascade). ``manage.py
published_entries_rebuild`` rebuilds the table (after a migration, a change of the
policy, or to catch up a writer that did not sync); ``--due`` recomputes the rows whose
person turned 18 (nightly on Celery beat): until then the stored view is the stricter.

The public pages check each row they show against its case (publication, key, status)
in the same statement that reads it (``public_site.selectors``): a row a writer forgot
to sync is left out, never shown stale.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, transaction

from mxnames.nicknames import PARTICLES
from mxnames.text import search_key
from registry.models import Case, PublishedEntry, Record
from registry.redaction import (
    ADULT_AGE,
    PUBLIC_BROWSABLE_KINDS,
    SHOW,
    Audience,
    effective_transform,
    published_decisions,
    record_subject,
    redact_case,
    redact_record,
    rule_for,
)

CHUNK = 2000
NAME_FIELDS = ("given_names", "paternal_surname", "maternal_surname")
# The dated values of the views, turned back into dates when a page reads them.
DATE_KEYS = {"record": ("event_date",), "case": ()}
DATETIME_KEYS = {"record": ("updated_at",), "case": ("status_changed_at", "updated_at")}


def published_cases():
    """Return the cases that have a public entry (the policy's decisions and kinds)."""
    return Case.objects.filter(missing_report__kind__in=PUBLIC_BROWSABLE_KINDS,
                               publication__in=published_decisions(Audience.PUBLIC),
                               public_key__isnull=False)


def name_words(given_names: str, paternal_surname: str, maternal_surname: str) -> str:
    """Return the searchable words of a name: folded, without particles, space-separated.

    The same words ``public_site.search.name_words`` compares (before joining pairs).
    """
    return " ".join(word for word in search_key(given_names, paternal_surname,
                                                maternal_surname).split()
                    if word not in PARTICLES)


def _eighteenth_birthday(birth_date: date | None) -> date | None:
    if birth_date is None:
        return None
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:  # 29 February
        return date(birth_date.year + ADULT_AGE, 3, 1)


def _review_on(record: Record, is_minor: bool) -> date | None:
    # A minor today because of the age now (not at the event, not declared) becomes an
    # adult on a known day; the policy then shows more (name, municipality, full date).
    if not is_minor or (record.age is not None and record.age < ADULT_AGE):
        return None
    birthday = _eighteenth_birthday(record.birth_date)
    if birthday is None or (record.event_date and birthday > record.event_date):
        return None  # a minor at the event stays shown as one
    return birthday if birthday > date.today() else None


def _json_value(value: Any) -> str:
    # Full precision (Django's encoder cuts datetimes to milliseconds); anything else
    # the policy returns (lazy labels, model names) as its text.
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def entry_row(case: Case) -> PublishedEntry | None:
    """Return the published row of a case (report, agency, state, municipality loaded),
    or None if the public receives no entry for it."""
    record = case.missing_report
    if (record is None or record.kind not in PUBLIC_BROWSABLE_KINDS or not case.public_key
            or case.publication not in published_decisions(Audience.PUBLIC)):
        return None
    subject = record_subject(record, publication=case.publication)
    record_view = redact_record(record, Audience.PUBLIC, publication=case.publication)
    case_view = redact_case(case, Audience.PUBLIC)
    if not record_view or not case_view:
        return None
    full_name = all(effective_transform(rule_for("registry.record", name, Audience.PUBLIC),
                                        subject) == SHOW for name in NAME_FIELDS)
    municipality_shown = effective_transform(
        rule_for("registry.record", "event_municipality", Audience.PUBLIC), subject) == SHOW
    words = name_words(*(record_view.get(name, "") for name in NAME_FIELDS)) \
        if full_name else ""
    event_date = record.event_date
    return PublishedEntry(
        case_id=case.pk, report_id=record.pk, public_key=case.public_key,
        search_words=words[:600],
        state_id=record.event_state_id or "",
        municipality_id=(record.event_municipality_id or "") if municipality_shown else "",
        event_month=event_date.replace(day=1) if event_date else None,
        sex=record_view.get("sex") or "",
        age_band=record_view.get("age_band") or "",
        status=case.status, case_updated_at=case.updated_at,
        shown=json.dumps({"record": record_view, "case": case_view}, default=_json_value,
                         ensure_ascii=False, separators=(",", ":")),
        review_on=_review_on(record, subject.is_minor),
    )


def _loaded(case_ids: list[int]) -> Iterator[Case]:
    yield from (Case.objects.filter(pk__in=case_ids)
                .select_related("agency", "missing_report__agency",
                                "missing_report__event_state",
                                "missing_report__event_municipality")
                .order_by("pk"))


_UPDATED = ["report_id", "public_key", "search_words", "state_id", "municipality_id",
            "event_month", "sex", "age_band", "status", "case_updated_at", "shown",
            "review_on"]


def _chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    chunk: list[int] = []
    for value in ids:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@transaction.atomic
def published_entries_sync(case_ids: Iterable[int]) -> int:
    """Bring the published rows of these cases up to date; return how many are published.

    The bulk entry point for every writer (imports, matching, staff services): call it
    in the transaction that changed the cases or their reports, with every case id it
    touched (any number; 2,000 per pass). Unknown ids are ignored.
    """
    published = 0
    for chunk in _chunks(dict.fromkeys(int(pk) for pk in case_ids if pk is not None)):
        rows = [row for row in (entry_row(case) for case in _loaded(chunk)) if row]
        keep = {row.case_id for row in rows}
        PublishedEntry.objects.filter(case_id__in=[pk for pk in chunk if pk not in keep]) \
            .delete()
        if rows:
            # A key that moved to another case (never in practice: keys are per case)
            # would fail the unique index; the case's own old key is replaced here.
            PublishedEntry.objects.bulk_create(rows, update_conflicts=True,
                                               unique_fields=["case"], update_fields=_UPDATED)
        published += len(rows)
    return published


def published_entries_sync_reports(record_ids: Iterable[int]) -> int:
    """``published_entries_sync`` for the cases of these records (missing reports)."""
    ids = list(dict.fromkeys(int(pk) for pk in record_ids if pk is not None))
    case_ids: list[int] = []
    for chunk in _chunks(ids):
        case_ids += Case.objects.filter(missing_report_id__in=chunk).values_list("pk", flat=True)
    return published_entries_sync(case_ids) if case_ids else 0


def published_entries_rebuild(*, due_only: bool = False) -> int:
    """Recompute every published row (or only those due for review); return the count.

    One transaction per 2,000 cases: the table stays readable meanwhile. Rows of cases
    that lost their entry are removed.
    """
    if due_only:
        ids = list(PublishedEntry.objects.filter(review_on__lte=date.today())
                   .values_list("case_id", flat=True))
        return published_entries_sync(ids) if ids else 0
    count = 0
    for chunk in _chunks(published_cases().order_by("pk").values_list("pk", flat=True)
                         .iterator(chunk_size=CHUNK)):
        count += published_entries_sync(chunk)
    stale = PublishedEntry.objects.exclude(case_id__in=published_cases().values("pk"))
    stale.delete()
    if connection.vendor == "postgresql":  # fresh statistics for the planner
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {PublishedEntry._meta.db_table}")
    return count


def published_view(shown: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the stored (record view, case view) with their dates as dates again."""
    views = json.loads(shown)
    record, case = views["record"], views["case"]
    for key in DATE_KEYS["record"]:
        value = record.get(key)
        if isinstance(value, str) and len(value) == 10:
            record[key] = date.fromisoformat(value)
    for part, view in (("record", record), ("case", case)):
        for key in DATETIME_KEYS[part]:
            value = view.get(key)
            if isinstance(value, str):
                view[key] = datetime.fromisoformat(value)
    return record, case


def published_entries_fill_if_empty(*, using: str = "default", **_kwargs: Any) -> None:
    """After ``migrate``: fill an empty table when published cases exist (post_migrate).

    Runs with the current models, after every migration, so it reads the schema it
    was written for (a data migration would not).
    """
    if using != DEFAULT_DB_ALIAS:
        return
    if PublishedEntry._meta.db_table not in connection.introspection.table_names():
        return  # migrated to before the table (a migration test), or flushed meanwhile
    if PublishedEntry.objects.exists():
        return
    if published_cases().exists():
        published_entries_rebuild()


# Fields whose change alone leaves the public view as it was: matching links records
# and cases to people many times a day and need not rewrite the entry each time.
_UNSEEN_BY_PUBLIC = frozenset({"person", "updated_at", "merged_into"})


def _public_view_may_change(update_fields: Iterable[str] | None) -> bool:
    return update_fields is None or not set(update_fields) <= _UNSEEN_BY_PUBLIC


def on_case_saved(sender: type, instance: Case, raw: bool = False,
                  update_fields: Iterable[str] | None = None, **_kwargs: Any) -> None:
    """Every case saved one by one (services, admin) syncs its entry in its transaction."""
    if not raw and _public_view_may_change(update_fields):
        published_entries_sync([instance.pk])


def on_record_saved(sender: type, instance: Record, raw: bool = False,
                    update_fields: Iterable[str] | None = None, **_kwargs: Any) -> None:
    """Every missing-person report saved one by one (corrections, restores, admin) too."""
    if (not raw and instance.kind in PUBLIC_BROWSABLE_KINDS
            and _public_view_may_change(update_fields)):
        published_entries_sync_reports([instance.pk])
