"""The one redaction policy: who sees which field of a record, a case or a person, and how.

How to read the policy (no programming needed)
----------------------------------------------
Each table below has one line per field and one column per audience:

    public      anyone on the public site or the public API, no login
    family      a relative who opened their own case with folio and access code
    ngo         an authorised civil-society analyst (exports, statistics)
    agency      an operator of the agency that gave the record
    prosecutor  a prosecutor or investigator with rights over the case
    admin       registry administration

Each cell says what that audience gets:

    SHOW        the value as stored
    HIDE        nothing at all (the field is absent from the output)
    INITIALS    only initials: "María de los Ángeles" → "M. Á."
    YEAR        only the year of a date
    MONTH       only the year and month of a date ("2024-05")
    AGE_BAND    a five-year band instead of an age or birth date ("25-29")
    STATE_ONLY  a municipality is replaced by its state
    PSEUDONYM   a stable keyed code that cannot be turned back into the value

Before any field, the case itself: the family decides whether its case is published
(``Publication``: publish, publish without name, do not publish). ``CASE_AUDIENCES``
says which decisions each audience receives at all: a case the family withheld is
absent from everything the public gets (pages, search, downloads, the API, counts).

Two modifiers make the public column stricter:

    consent(...)  names of a missing person are public only if the family consented
                  (decision "publish"); otherwise the field is hidden.
    minor(...)    when the person is (or was, at the event) under 18, the stricter
                  treatment in the brackets applies instead.
    only_kinds    a field shown to the public only for those kinds of record (a
                  detained person's name is never shown: the public detention lookup
                  only answers whether a record exists, with authority, place and date).

A field that is not listed is hidden from everyone but administrators; a test checks
that every field of every model is listed, so a new field must be classified here.
Filtering and sorting are allowed only on fields an audience sees unconditionally
(``filterable_fields``): letting the public filter on a hidden field would leak it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from django.conf import settings

from registry.keys import require_keys


class Audience(StrEnum):
    PUBLIC = "public"
    FAMILY = "family"
    NGO = "ngo"
    AGENCY = "agency"
    PROSECUTOR = "prosecutor"
    ADMIN = "admin"


class Transform(StrEnum):
    SHOW = "show"
    HIDE = "hide"
    INITIALS = "initials"
    YEAR = "year"
    MONTH = "month"
    AGE_BAND = "age_band"
    STATE_ONLY = "state_only"
    PSEUDONYM = "pseudonym"


SHOW = Transform.SHOW
HIDE = Transform.HIDE
INITIALS = Transform.INITIALS
YEAR = Transform.YEAR
MONTH = Transform.MONTH
AGE_BAND = Transform.AGE_BAND
STATE_ONLY = Transform.STATE_ONLY
PSEUDONYM = Transform.PSEUDONYM

class Publication(StrEnum):
    """The family's decision about the public entry of its case (``Case.publication``)."""

    PUBLISH = "publicar"          # the entry with the name (minors: initials)
    WITHOUT_NAME = "sin_nombre"   # the entry without name or description
    WITHHOLD = "no_publicar"      # no entry: absent from every public output, counts too


# How much each decision publishes. A decision that publishes less than the one before
# withdraws publication, and the entry gets a new public key, so that what was
# downloaded before cannot be joined to what is published after
# (``registry.services.case_publication_decide``).
PUBLICATION_LEVEL = {Publication.WITHHOLD: 0, Publication.WITHOUT_NAME: 1,
                     Publication.PUBLISH: 2}
# The decisions under which the family consented to the name (the ``consent`` modifier).
CONSENTED_PUBLICATIONS = frozenset({Publication.PUBLISH})
# A case with no decision recorded is published without name (no consent, no veto).
DEFAULT_PUBLICATION = Publication.WITHOUT_NAME

MISSING = "missing_report"
DETENTION_LIKE = ("detention", "release_transfer")
ALL_KINDS = ("missing_report", "detention", "release_transfer", "located",
             "unidentified_remains")
ADULT_AGE = 18


@dataclass(frozen=True)
class Rule:
    """What one audience gets of one field, with the stricter cases spelled out."""

    transform: Transform
    without_consent: Transform | None = None
    if_minor: Transform | None = None
    only_kinds: tuple[str, ...] | None = None

    def is_unconditional_show(self) -> bool:
        return (self.transform == SHOW and self.without_consent in (None, SHOW)
                and self.if_minor in (None, SHOW) and self.only_kinds is None)


def consent(transform: Transform, *, minor: Transform | None = None,
            only_kinds: tuple[str, ...] | None = None) -> Rule:
    """Shown as ``transform`` only with publication consent; hidden without it."""
    return Rule(transform, without_consent=HIDE, if_minor=minor, only_kinds=only_kinds)


def minor(transform: Transform, *, stricter: Transform,
          only_kinds: tuple[str, ...] | None = None) -> Rule:
    """Shown as ``transform`` for adults and as ``stricter`` for minors."""
    return Rule(transform, if_minor=stricter, only_kinds=only_kinds)


def only(transform: Transform, kinds: tuple[str, ...]) -> Rule:
    """Shown as ``transform`` only for records of these kinds."""
    return Rule(transform, only_kinds=kinds)


def _row(public, family, ngo, agency, prosecutor, admin) -> dict[Audience, Rule]:
    cells = (public, family, ngo, agency, prosecutor, admin)
    rules = [cell if isinstance(cell, Rule) else Rule(cell) for cell in cells]
    return dict(zip(Audience, rules, strict=True))


# fmt: off
RECORD_POLICY: dict[str, dict[Audience, Rule]] = {
    #                     public                                            family     ngo         agency  prosecutor admin
    "id":                 _row(PSEUDONYM,                                   PSEUDONYM, PSEUDONYM,  SHOW,   SHOW,      SHOW),
    "kind":               _row(SHOW,                                        SHOW,      SHOW,       SHOW,   SHOW,      SHOW),
    "agency":             _row(SHOW,                                        HIDE,      SHOW,       SHOW,   SHOW,      SHOW),
    "external_id":        _row(HIDE,                                        HIDE,      PSEUDONYM,  SHOW,   SHOW,      SHOW),
    "given_names":        _row(consent(SHOW, minor=INITIALS, only_kinds=(MISSING,)), SHOW, HIDE, SHOW, SHOW,   SHOW),
    "paternal_surname":   _row(consent(SHOW, minor=INITIALS, only_kinds=(MISSING,)), SHOW, HIDE, SHOW, SHOW,   SHOW),
    "maternal_surname":   _row(consent(SHOW, minor=INITIALS, only_kinds=(MISSING,)), SHOW, HIDE, SHOW, SHOW,   SHOW),
    "aliases":            _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "name_search":        _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "sex":                _row(only(SHOW, (MISSING,)),                      SHOW,      SHOW,       SHOW,   SHOW,      SHOW),
    "birth_date":         _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "age":                _row(only(AGE_BAND, (MISSING,)),               HIDE,      AGE_BAND,   SHOW,   SHOW,      SHOW),
    "curp":               _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "nationality":        _row(only(SHOW, (MISSING,)),                      HIDE,      SHOW,       SHOW,   SHOW,      SHOW),
    "event_date":         _row(minor(SHOW, stricter=MONTH),                 SHOW,      MONTH,      SHOW,   SHOW,      SHOW),
    "event_state":        _row(SHOW,                                        SHOW,      SHOW,       SHOW,   SHOW,      SHOW),
    "event_municipality": _row(minor(SHOW, stricter=STATE_ONLY, only_kinds=(MISSING,)), HIDE, SHOW, SHOW, SHOW,  SHOW),
    "place":              _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "authority":          _row(only(SHOW, DETENTION_LIKE),                  HIDE,      SHOW,       SHOW,   SHOW,      SHOW),
    "facility":           _row(only(SHOW, DETENTION_LIKE),                  HIDE,      SHOW,       SHOW,   SHOW,      SHOW),
    "reason":             _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "description":        _row(consent(SHOW, minor=HIDE, only_kinds=(MISSING,)), HIDE, HIDE,     SHOW,   SHOW,      SHOW),
    # An estimated age range is as identifying as an exact age: NGOs get none (their
    # exports' k-anonymity groups by age band, which remains do not have).
    "age_min":            _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "age_max":            _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "clothing":           _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "marks":              _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "address":            _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "reporter_name":      _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "reporter_contact":   _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "import_batch":       _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "source_file":        _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "source_sheet":       _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "source_row":         _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "raw_values":         _row(HIDE,                                        HIDE,      HIDE,       SHOW,   SHOW,      SHOW),
    "person":             _row(HIDE,                                        HIDE,      PSEUDONYM,  SHOW,   SHOW,      SHOW),
    # The detention lookup says when the registry received a detention or release, so
    # that an old record is not read as where the person is today.
    "created_at":         _row(only(SHOW, DETENTION_LIKE),                  HIDE,      MONTH,      SHOW,   SHOW,      SHOW),
    "updated_at":         _row(SHOW,                                        SHOW,      MONTH,      SHOW,   SHOW,      SHOW),
}

CASE_POLICY: dict[str, dict[Audience, Rule]] = {
    #                        public     family  ngo        agency  prosecutor admin
    "id":                    _row(PSEUDONYM, HIDE,   PSEUDONYM, SHOW,   SHOW,      SHOW),
    "folio":                 _row(HIDE,      SHOW,   HIDE,      SHOW,   SHOW,      SHOW),
    "agency":                _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
    "missing_report":        _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
    "person":                _row(HIDE,      HIDE,   PSEUDONYM, SHOW,   SHOW,      SHOW),
    "status":                _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
    "status_changed_at":     _row(SHOW,      SHOW,   MONTH,     SHOW,   SHOW,      SHOW),
    "publication":           _row(HIDE,      SHOW,   HIDE,      SHOW,   SHOW,      SHOW),
    "public_key_version":    _row(HIDE,      HIDE,   HIDE,      HIDE,   SHOW,      SHOW),
    "access_code_hash":      _row(HIDE,      HIDE,   HIDE,      HIDE,   HIDE,      HIDE),
    "access_code_issued_at": _row(HIDE,      HIDE,   HIDE,      HIDE,   SHOW,      SHOW),
    "public_key":            _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),  # = the public pseudonym of id
    "prosecutors":           _row(HIDE,      HIDE,   HIDE,      HIDE,   SHOW,      SHOW),
    "investigation_notes":   _row(HIDE,      HIDE,   HIDE,      HIDE,   SHOW,      SHOW),
    "import_batch":          _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
    "status_reported":       _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
    "consent_reported":      _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
    "created_at":            _row(HIDE,      SHOW,   MONTH,     SHOW,   SHOW,      SHOW),
    "updated_at":            _row(SHOW,      SHOW,   MONTH,     SHOW,   SHOW,      SHOW),
}

# An agency's public contact is meant for everyone who may need to reach it; the
# code and bookkeeping fields stay with staff.
AGENCY_POLICY: dict[str, dict[Audience, Rule]] = {
    #                  public     family  ngo        agency  prosecutor admin
    "id":              _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
    "code":            _row(HIDE,      HIDE,   SHOW,      SHOW,   SHOW,      SHOW),
    "name":            _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
    "kind":            _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
    "state":           _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
    "is_active":       _row(HIDE,      HIDE,   SHOW,      SHOW,   SHOW,      SHOW),
    "created_at":      _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
    "contact_office":  _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
    "contact_phone":   _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
    "contact_hours":   _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
    "contact_address": _row(SHOW,      SHOW,   SHOW,      SHOW,   SHOW,      SHOW),
}

PERSON_POLICY: dict[str, dict[Audience, Rule]] = {
    #                public     family  ngo        agency  prosecutor admin
    "id":            _row(HIDE,      HIDE,   PSEUDONYM, SHOW,   SHOW,      SHOW),
    "merged_into":   _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
    "created_at":    _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
    "updated_at":    _row(HIDE,      HIDE,   HIDE,      SHOW,   SHOW,      SHOW),
}
# fmt: on

POLICIES: dict[str, dict[str, dict[Audience, Rule]]] = {
    "registry.record": RECORD_POLICY,
    "registry.case": CASE_POLICY,
    "registry.person": PERSON_POLICY,
    "registry.agency": AGENCY_POLICY,
}

# Which cases each audience receives at all, by the family's decision. Staff receive every
# case their access allows (``registry/access.py``); the public only published ones.
CASE_AUDIENCES: dict[Audience, frozenset[Publication]] = {
    audience: frozenset(Publication) for audience in Audience
} | {Audience.PUBLIC: frozenset({Publication.PUBLISH, Publication.WITHOUT_NAME})}


def case_published_to(audience: Audience, publication: str) -> bool:
    """Return True if ``audience`` may receive a case under this publication decision."""
    return publication in CASE_AUDIENCES[audience]


def published_decisions(audience: Audience) -> tuple[str, ...]:
    """Return the decisions whose cases ``audience`` receives (for filters and SQL)."""
    return tuple(sorted(str(decision) for decision in CASE_AUDIENCES[audience]))


# Kinds of record a prosecutor may read from *every* agency to cross-check a case
# (detention logs, releases and transfers, located people, unidentified remains). They
# read them as the ``prosecutor`` column says; missing reports of other cases are not
# among them. ``registry.access.crosscheck_records_visible_to`` applies this.
CROSSCHECK_KINDS = (*DETENTION_LIKE, "located", "unidentified_remains")

# Kinds of record the public may browse and search. Detainees are never listed: the
# public detention lookup answers one specific query at a time.
PUBLIC_BROWSABLE_KINDS = (MISSING,)

_HIDDEN_RULE = Rule(HIDE)


@dataclass(frozen=True)
class Subject:
    """What the policy needs to know about the person a row describes."""

    kind: str = MISSING
    publication: str = DEFAULT_PUBLICATION
    is_minor: bool = True  # unknown age is treated as a minor: the stricter default
    state_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def publication_consent(self) -> bool:
        """True when the family consented to publishing the name."""
        return self.publication in CONSENTED_PUBLICATIONS


def rule_for(model_label: str, field_name: str, audience: Audience) -> Rule:
    """Return the policy's rule; an unlisted field is hidden from all but administrators."""
    policy = POLICIES.get(model_label, {})
    if field_name not in policy:
        return Rule(SHOW) if audience == Audience.ADMIN else _HIDDEN_RULE
    return policy[field_name][audience]


def effective_transform(rule: Rule, subject: Subject) -> Transform:
    """Return the transform that applies to this subject, strictest case first."""
    if rule.only_kinds is not None and subject.kind not in rule.only_kinds:
        return HIDE
    if rule.without_consent is not None and not subject.publication_consent:
        return rule.without_consent
    if rule.if_minor is not None and subject.is_minor:
        return rule.if_minor
    return rule.transform


def filterable_fields(model_label: str, audience: Audience) -> frozenset[str]:
    """Return the fields this audience may filter and sort on: only those always shown."""
    policy = POLICIES[model_label]
    return frozenset(name for name, rules in policy.items()
                     if rules[audience].is_unconditional_show())


@dataclass(frozen=True)
class Visibility:
    """When an audience gets a field as a given transform: which kinds, consent, adults."""

    kinds: tuple[str, ...] | None
    needs_consent: bool
    needs_adult: bool


def visibility(model_label: str, field_name: str, audience: Audience,
               transform: Transform = SHOW) -> Visibility | None:
    """Return the conditions under which ``audience`` gets the field as ``transform``.

    None means never. Searching or filtering on a value (e.g. the public name search)
    is allowed only over the rows where the audience would see that value itself,
    otherwise a match would reveal what the page hides.
    """
    rule = rule_for(model_label, field_name, audience)
    if rule.transform != transform:
        return None
    return Visibility(
        kinds=rule.only_kinds,
        needs_consent=rule.without_consent not in (None, transform),
        needs_adult=rule.if_minor not in (None, transform),
    )


def pseudonym(namespace: str, value: Any) -> str:
    """Return a stable keyed code for ``value`` (HMAC-SHA256), not reversible without the key."""
    require_keys()  # an empty key would make every pseudonym guessable
    key = settings.PSEUDONYM_KEY.encode("utf-8")
    message = f"{namespace}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def initials(text: str) -> str:
    """Return the initials of the significant words: "María de los Ángeles" → "M. Á."."""
    particles = {"de", "del", "la", "las", "los", "y"}
    words = [word for word in text.split() if word.lower() not in particles]
    return " ".join(f"{word[0].upper()}." for word in words)


def age_band(age: int | None) -> str:
    """Return the band an age falls in: "0-11", "12-17", then five-year bands, "70+"."""
    if age is None:
        return ""
    if age < 12:
        return "0-11"
    if age < ADULT_AGE:
        return "12-17"
    if age >= 70:
        return "70+"
    low = 18 if age < 20 else age - age % 5
    high = 19 if low == 18 else low + 4
    return f"{low}-{high}"


def age_at(birth_date: date | None, on: date | None) -> int | None:
    """Return the age in whole years on a date, or None if either date is unknown."""
    if birth_date is None or on is None:
        return None
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years if years >= 0 else None


def _apply(transform: Transform, value: Any, *, namespace: str, subject: Subject) -> Any:
    if value is None or value == "":
        return value
    if transform == SHOW:
        return value
    if transform == INITIALS:
        return initials(str(value))
    if transform == YEAR:
        return value.year if hasattr(value, "year") else value
    if transform == MONTH:
        return f"{value.year:04d}-{value.month:02d}" if hasattr(value, "month") else value
    if transform == AGE_BAND:
        return age_band(value) if isinstance(value, int) else value
    if transform == STATE_ONLY:
        return subject.state_name
    if transform == PSEUDONYM:
        return pseudonym(namespace, value)
    raise ValueError(f"Unknown transform {transform!r}")  # pragma: no cover


def redact_values(model_label: str, values: Mapping[str, Any], audience: Audience,
                  subject: Subject) -> dict[str, Any]:
    """Return only what ``audience`` may see of ``values`` (field name → stored value).

    Hidden fields are absent from the result, not blanked, so that a template
    cannot show them by mistake.
    """
    if not case_published_to(audience, subject.publication):
        return {}  # the selectors never hand such a case over; if one did, it shows nothing
    shown: dict[str, Any] = {}
    for name, value in values.items():
        transform = effective_transform(rule_for(model_label, name, audience), subject)
        if transform == HIDE:
            continue
        shown[name] = _apply(transform, value, namespace=f"{model_label}.{name}",
                             subject=subject)
    return shown


def record_is_minor(record: Any) -> bool:
    """Return True if the person is under 18 now or was at the event; unknown counts as minor."""
    today = date.today()
    ages = [
        record.age,
        age_at(record.birth_date, record.event_date),
        age_at(record.birth_date, today),
    ]
    known = [age for age in ages if age is not None]
    if not known:
        return True
    return min(known) < ADULT_AGE


# What the policy reads to decide (``record_subject``, ages), shown or not.
SUBJECT_FIELDS = {
    "registry.record": frozenset({"kind", "age", "birth_date", "event_date", "event_state"}),
    "registry.case": frozenset({"publication"}),
}


def record_subject(record: Any, *, publication: str | None = None) -> Subject:
    """Return the policy subject of a record (the publication decision of its case
    unless given; a record that reports no case has none to take)."""
    if publication is None:
        case = getattr(record, "case", None) if record.kind == MISSING else None
        publication = case.publication if case is not None else DEFAULT_PUBLICATION
    state = record.event_state.name if record.event_state_id else ""
    return Subject(kind=record.kind, publication=publication,
                   is_minor=record_is_minor(record), state_name=state)


def never_shown_fields(model_label: str, audience: Audience) -> frozenset[str]:
    """Return the fields ``audience`` sees for no subject at all (safe to not even load)."""
    policy = POLICIES[model_label]
    return frozenset(
        name for name, rules in policy.items()
        if all(transform == HIDE for transform in (
            rules[audience].transform, rules[audience].if_minor or HIDE,
            rules[audience].without_consent or HIDE)))


def _shown_names(model_label: str, field_names: Iterable[str], audience: Audience,
                 subject: Subject) -> list[str]:
    # Decided before any value is read: a hidden field is never loaded or converted.
    return [name for name in field_names
            if effective_transform(rule_for(model_label, name, audience), subject) != HIDE]


def _model_values(instance: Any, field_names: Iterable[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in field_names:
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many:
            continue  # never rendered from here; prosecutors are listed by staff views
        if name in ("person", "missing_report", "import_batch", "merged_into"):
            # Shown by id only; reading the attname avoids one query per row.
            values[name] = getattr(instance, model_field.attname)
        elif model_field.is_relation:
            related = getattr(instance, name)
            values[name] = str(related) if related is not None else None
        else:
            values[name] = getattr(instance, name)
    return values


def redact_record(record: Any, audience: Audience, *,
                  publication: str | None = None) -> dict[str, Any]:
    """Return what ``audience`` may see of a record, plus its derived age band."""
    subject = record_subject(record, publication=publication)
    if not case_published_to(audience, subject.publication):
        return {}
    names = _shown_names("registry.record", RECORD_POLICY, audience, subject)
    shown = redact_values("registry.record", _model_values(record, names), audience, subject)
    if "age" in shown and isinstance(shown["age"], str):
        shown["age_band"] = shown.pop("age")
    elif "age" in shown or "birth_date" in shown:
        known_age = record.age if record.age is not None else age_at(record.birth_date,
                                                                     record.event_date)
        shown["age_band"] = age_band(known_age)
    return shown


def redact_case(case: Any, audience: Audience) -> dict[str, Any]:
    """Return what ``audience`` may see of a case (not of its record: use redact_record)."""
    subject = Subject(publication=case.publication)
    names = _shown_names("registry.case", (name for name in CASE_POLICY
                                           if name != "prosecutors"), audience, subject)
    return redact_values("registry.case", _model_values(case, names), audience, subject)




AGENCY_CONTACT_FIELDS = ("name", "contact_office", "contact_phone", "contact_hours",
                         "contact_address")
_PHONE_DIALABLE = re.compile(r"[^0-9+]")


def agency_contact(agency: Any, audience: Audience) -> dict[str, Any]:
    """Return the agency's contact as ``audience`` may see it, with ``tel`` to dial.

    Empty when the agency gave no way to reach it (a name alone is no contact).
    """
    if agency is None:
        return {}
    values = {name: getattr(agency, name, "") or "" for name in AGENCY_CONTACT_FIELDS}
    shown = redact_values("registry.agency", values, audience, Subject())
    if not any(shown.get(name) for name in AGENCY_CONTACT_FIELDS[1:]):
        return {}
    shown["tel"] = _PHONE_DIALABLE.sub("", shown.get("contact_phone", ""))
    return shown
