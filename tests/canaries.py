"""Canary values in every restricted field, and a scanner for outward responses.

``seed_canary_world()`` stores one missing-person case (with publication consent, so
that everything the public *may* see is visible) and one detention record, each with
a unique canary string in every field the policy restricts for some audience. A test
then renders an outward page, export or API response for an audience and calls
``assert_no_canaries(body, audience)``: it fails if any canary that the policy hides
from that audience appears in the body. Every new outward path adds a test here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registry.models import Case, Record
from registry.redaction import (
    SHOW,
    Audience,
    Publication,
    Subject,
    effective_transform,
    record_subject,
    rule_for,
)
from tests.factories import AgencyFactory, CaseFactory, RecordFactory

# Restricted text fields of Record that can hold a canary string, with a unique value each.
RECORD_CANARY_FIELDS = {
    "external_id": "CANARYEXT{n}",
    "aliases": "CanaryAlias{n}",
    "curp": "CNRY{n}HDFXXX0",
    "place": "CanaryPlace{n}",
    "reason": "CanaryReason{n}",
    "address": "CanaryAddress{n}",
    "reporter_name": "CanaryReporter{n}",
    "reporter_contact": "canary{n}@example.org",
    "source_file": "canary_file_{n}.csv",
    "description": "CanaryDescription{n}",
    "given_names": "Canarygiven{n}",
    "paternal_surname": "Canarypaternal{n}",
    "maternal_surname": "Canarymaternal{n}",
    "authority": "CanaryAuthority{n}",
    "facility": "CanaryFacility{n}",
    "clothing": "CanaryClothing{n}",
    "marks": "CanaryMarks{n}",
}
CASE_CANARY_FIELDS = {
    "folio": "CANARYFOLIO{n}",
    "investigation_notes": "CanaryNotes{n}",
}


@dataclass
class CanaryWorld:
    missing_report: Record
    detention: Record
    case: Case
    # canary string → (model label, field name, subject) it was stored in
    canaries: dict[str, tuple[str, str, Subject]]
    # A forensic service's unidentified remains, with canaries in its restricted fields.
    remains: Record | None = None


def _fill(template: dict[str, str], n: int) -> dict[str, str]:
    values = {name: pattern.format(n=n) for name, pattern in template.items()}
    if "curp" in values:
        values["curp"] = values["curp"][:18]
    return values


def seed_canary_world(*, consent: bool = True,
                      publication: str | None = None) -> CanaryWorld:
    """Store a case, a detention record and remains full of canaries; return where each is.

    ``publication`` is the family's decision about the case (default: "publish" with
    ``consent``, "publish without name" without).
    """
    if publication is None:
        publication = Publication.PUBLISH if consent else Publication.WITHOUT_NAME
    agency = AgencyFactory(code="canary-agency", name="Fiscalía Canario")
    report_values = _fill(RECORD_CANARY_FIELDS, 1)
    detention_values = _fill(RECORD_CANARY_FIELDS, 2)
    missing_report = RecordFactory(
        agency=agency, kind="missing_report", birth_date=date(1985, 4, 2),
        event_date=date(2024, 7, 9), raw_values={"DOMICILIO": "CanaryRawValue1"},
        **report_values,
    )
    detention = RecordFactory(
        agency=agency, kind="detention", birth_date=date(1985, 4, 2),
        event_date=date(2024, 7, 11), raw_values={"DOMICILIO": "CanaryRawValue2"},
        **detention_values,
    )
    remains_values = _fill(RECORD_CANARY_FIELDS, 3)
    remains = RecordFactory(
        agency=agency, kind="unidentified_remains", birth_date=None, age_min=25, age_max=35,
        event_date=date(2024, 8, 2), raw_values={"VESTIMENTA": "CanaryRawValue3"},
        **remains_values,
    )
    case_values = _fill(CASE_CANARY_FIELDS, 1)
    case = CaseFactory(agency=agency, missing_report=missing_report,
                       publication=publication, **case_values)

    canaries: dict[str, tuple[str, str, Subject]] = {}
    for record, values in ((missing_report, report_values), (detention, detention_values),
                           (remains, remains_values)):
        # The family's decision is its case's: it is the missing report's subject only.
        subject = record_subject(record, publication=publication
                                 if record.kind == "missing_report" else None)
        for name, value in values.items():
            canaries[value] = ("registry.record", name, subject)
        raw_value = next(iter(record.raw_values.values()))
        canaries[raw_value] = ("registry.record", "raw_values", subject)
    case_subject = Subject(publication=publication)
    for name, value in case_values.items():
        canaries[value] = ("registry.case", name, case_subject)
    return CanaryWorld(missing_report, detention, case, canaries, remains)


def hidden_canaries(world: CanaryWorld, audience: Audience) -> list[str]:
    """Return the canaries the policy hides from ``audience``."""
    hidden = []
    for value, (model_label, field_name, subject) in world.canaries.items():
        transform = effective_transform(rule_for(model_label, field_name, audience), subject)
        # Anything but SHOW alters the value, so the stored string must not appear.
        if transform != SHOW:
            hidden.append(value)
    return hidden


def assert_no_canaries(body: str | bytes, world: CanaryWorld, audience: Audience) -> None:
    """Fail if any canary hidden from ``audience`` appears in ``body`` (case-insensitive)."""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    lowered = text.lower()
    leaked = [value for value in hidden_canaries(world, audience) if value.lower() in lowered]
    assert not leaked, f"{audience} response leaks restricted values: {leaked}"
