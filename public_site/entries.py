"""Public entries and the filters the public may use; all through the redaction policy.

The public sees *public entries*: cases whose ``missing_report`` is a missing-person
report. Each entry is shown as ``PublicEntry`` built from ``redact_record`` and
``redact_case`` for ``Audience.PUBLIC``; nothing else of a record reaches a template,
the API or a download.
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from public_site.expressions import adult_q, public_age, with_adulthood
from registry.models import Case, CaseStatus, PublishedEntry, Record, Sex
from registry.published import published_view
from registry.redaction import (
    PUBLIC_BROWSABLE_KINDS,
    SUBJECT_FIELDS,
    Audience,
    agency_contact,
    never_shown_fields,
    published_decisions,
    redact_case,
    redact_record,
)

AGE_BANDS = ("0-11", "12-17", "18-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
             "50-54", "55-59", "60-64", "65-69", "70+")
NAME_FIELDS = ("given_names", "paternal_surname", "maternal_surname")
_SEX_LABELS = dict(Sex.choices)
STATUS_LABELS = dict(CaseStatus.choices)


@functools.cache
def _label_text(labels: str, value: str, language: str | None) -> str:
    # Translated once per language, not once per entry: a results page shows 20.
    return str({"sex": _SEX_LABELS, "status": STATUS_LABELS}[labels][value])


# --- Public entries ---------------------------------------------------------------

@dataclass(frozen=True)
class PublicEntry:
    """What the public may see of one case and its missing-person report."""

    key: str
    record: dict[str, Any]
    case: dict[str, Any]
    # The agency's public contact, on the poster only (lists do not load it).
    contact: dict[str, Any] = field(default_factory=dict)

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
    record_view = redact_record(record, Audience.PUBLIC, publication=case.publication)
    municipality = record_view.get("event_municipality")
    if municipality:
        record_view["event_municipality"] = _municipality_name(municipality)
    return PublicEntry(key=case.public_key, record=record_view,
                       case=redact_case(case, Audience.PUBLIC))


def published_entry(key: str, shown: str) -> PublicEntry:
    """Return the public entry stored in the published table (``registry.published``):
    the views the policy gave when the case last changed, read back, not redacted again."""
    record_view, case_view = published_view(shown)
    municipality = record_view.get("event_municipality")
    if municipality:
        record_view["event_municipality"] = _municipality_name(municipality)
    return PublicEntry(key=key, record=record_view, case=case_view)


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


# The cases the public receives at all, as the policy says (``CASE_AUDIENCES``): every
# public query starts from one of the two querysets below, or from the statements of
# ``selectors.published_statement``, which read the same tuple.
PUBLISHED = published_decisions(Audience.PUBLIC)


def public_cases() -> QuerySet[Case]:
    """Return the cases that are public entries (the family's decision allows it)."""
    return Case.objects.filter(missing_report__kind__in=PUBLIC_BROWSABLE_KINDS,
                               publication__in=PUBLISHED,
                               public_key__isnull=False).select_related(
        "agency", "missing_report__agency", "missing_report__event_state",
        "missing_report__event_municipality").defer(*_never_public_columns())


def public_entry_get(*, key: str) -> PublicEntry | None:
    """Return the public entry with this key, or None (one index probe on public_key)."""
    case = next(iter(public_cases().filter(public_key=key)[:1]), None)
    if case is None:
        return None
    return replace(public_entry(case), contact=agency_contact(case.agency, Audience.PUBLIC))


def public_reports() -> QuerySet[Record]:
    """Return the missing-person reports that are public entries."""
    return Record.objects.filter(kind__in=PUBLIC_BROWSABLE_KINDS, case__isnull=False,
                                 case__publication__in=PUBLISHED)


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


def published_filtered(filters: PublicFilters) -> QuerySet[PublishedEntry]:
    """Return the published entries passing the filters (same meaning as
    ``apply_public_filters``: the table holds each key as the public sees it)."""
    entries = PublishedEntry.objects.all()
    if filters.state:
        entries = entries.filter(state_id=filters.state)
    if filters.municipality:  # stored for adults only
        entries = entries.filter(municipality_id=filters.municipality)
    if filters.month_from:
        entries = entries.filter(event_month__gte=filters.month_from)
    if filters.month_to:
        entries = entries.filter(event_month__lte=filters.month_to)
    if filters.sex:
        entries = entries.filter(sex=filters.sex)
    if filters.age_band:
        entries = entries.filter(age_band=filters.age_band)
    if filters.status:
        entries = entries.filter(status=filters.status)
    return entries


PUBLISHED_ORDERINGS = {
    # key → ordering of published entries (the table stores months only)
    "recientes": ("-event_month", "-report_id"),
    "antiguos": ("event_month", "report_id"),
    "actualizados": ("-case_updated_at", "-report_id"),
}

ORDERINGS = {
    # key → database ordering of public reports (whole months only: see the policy)
    "recientes": ("-_event_month", "-id"),
    "antiguos": ("_event_month", "id"),
    "actualizados": ("-case__updated_at", "-id"),
}
DEFAULT_ORDERING = "recientes"
