"""The redaction policy itself: classification of every field, consent, minors, canaries."""

from datetime import date

import pytest

from registry.models import Agency, Case, Person, Record
from registry.redaction import (
    POLICIES,
    Audience,
    age_band,
    filterable_fields,
    initials,
    pseudonym,
    redact_case,
    redact_record,
)
from tests.factories import CaseFactory, RecordFactory

CANARIES = {
    "address": "CANARY-ADDRESS-7f3a",
    "reporter_name": "CANARY-REPORTER-91bc",
    "reporter_contact": "CANARY-CONTACT-55d0",
    "curp": "CANARY000000000000",
    "aliases": "CANARY-ALIAS-e2e2",
    "place": "CANARY-PLACE-a1a1",
    "reason": "CANARY-REASON-b2b2",
}


@pytest.mark.parametrize("model", [Record, Case, Person, Agency])
def test_every_field_of_every_model_is_classified(model):
    policy = POLICIES[model._meta.label_lower]
    names = {f.name for f in model._meta.get_fields() if f.concrete}
    assert names - set(policy) == set(), "classify these fields in registry/redaction.py"


def test_restricted_fields_never_reach_the_public(db):
    case = CaseFactory(publication_consent=True,
                       missing_report__birth_date=date(1980, 5, 1),
                       missing_report__raw_values={"DOMICILIO": CANARIES["address"]},
                       missing_report__external_id="CANARY-EXTID-0001",
                       investigation_notes="CANARY-NOTES-3c3c")
    Record.objects.filter(pk=case.missing_report_id).update(**CANARIES)
    record = Record.objects.get(pk=case.missing_report_id)

    for audience in (Audience.PUBLIC, Audience.FAMILY, Audience.NGO):
        rendered = repr(redact_record(record, audience)) + repr(redact_case(case, audience))
        for canary in [*CANARIES.values(), "CANARY-EXTID-0001", "CANARY-NOTES-3c3c"]:
            assert canary not in rendered, (audience, canary)


def test_names_are_public_only_with_consent(db):
    record = RecordFactory(given_names="María Guadalupe", paternal_surname="Hernández",
                           birth_date=date(1990, 1, 1), event_date=date(2024, 3, 1))
    without = redact_record(record, Audience.PUBLIC, publication="sin_nombre")
    with_consent = redact_record(record, Audience.PUBLIC, publication="publicar")

    assert "given_names" not in without and "paternal_surname" not in without
    assert with_consent["given_names"] == "María Guadalupe"
    assert with_consent["age_band"] == "30-34"
    assert "birth_date" not in with_consent


def test_minors_get_initials_and_an_age_band(db):
    record = RecordFactory(given_names="José Ángel", paternal_surname="de la Cruz",
                           birth_date=date(2010, 6, 1), event_date=date(2024, 3, 15))
    shown = redact_record(record, Audience.PUBLIC, publication="publicar")
    assert shown["given_names"] == "J. Á."
    assert shown["paternal_surname"] == "C."
    assert shown["age_band"] == "12-17"
    assert shown["event_date"] == "2024-03"


def test_unknown_age_is_treated_as_a_minor(db):
    record = RecordFactory(given_names="Rosa", birth_date=None, age=None)
    assert redact_record(record, Audience.PUBLIC, publication="publicar")["given_names"] == "R."


def test_detainee_names_are_never_public(db):
    record = RecordFactory(kind="detention", given_names="Juan", paternal_surname="Pérez",
                           authority="Policía Municipal", facility="Separos Iztapalapa",
                           birth_date=date(1980, 1, 1))
    shown = redact_record(record, Audience.PUBLIC, publication="publicar")
    assert "given_names" not in shown and "paternal_surname" not in shown
    assert shown["authority"] == "Policía Municipal"
    assert shown["facility"] == "Separos Iztapalapa"


def test_staff_see_the_full_record(db):
    record = RecordFactory(address="Calle Falsa 123")
    assert redact_record(record, Audience.PROSECUTOR)["address"] == "Calle Falsa 123"


def test_the_public_cannot_filter_on_what_it_cannot_always_see():
    public = filterable_fields("registry.record", Audience.PUBLIC)
    assert "event_state" in public
    assert {"given_names", "birth_date", "curp", "address", "age"}.isdisjoint(public)


def test_pseudonyms_are_stable_and_keyed(settings):
    first = pseudonym("registry.record.id", 42)
    assert first == pseudonym("registry.record.id", 42)
    assert first != pseudonym("registry.record.id", 43)
    settings.PSEUDONYM_KEY = "another deployment"
    assert pseudonym("registry.record.id", 42) != first


@pytest.mark.parametrize(("age", "band"), [(3, "0-11"), (17, "12-17"), (18, "18-19"),
                                           (22, "20-24"), (69, "65-69"), (85, "70+")])
def test_age_bands(age, band):
    assert age_band(age) == band


def test_initials_skip_particles():
    assert initials("María de los Ángeles") == "M. Á."
