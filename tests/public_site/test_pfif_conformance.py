"""The PFIF export follows PFIF 1.4 (issue 15, finding 8).

Checked against the specification's rules as Person Finder's own parser
(``app/pfif.py`` of google/personfinder, read for reference, not vendored) states them:
each record's fields are PFIF 1.4 fields, in the 1.4 order; the mandatory fields are
there (person: person_record_id, source_date, full_name; note: note_record_id,
author_name, source_date); ages are ``N`` or ``N-M``; dates are UTC ``…Z``; record ids
are ``domain/unique`` with the domain of ``PUBLIC_SITE_URL``.
"""

import re
from datetime import date

from defusedxml import ElementTree
from django.urls import reverse

from tests.factories import CaseFactory

NS = "{http://zesty.ca/pfif/1.4}"
# PFIF 1.4's fields in order (the specification; Person Finder's PFIF_1_4 lists the same).
PERSON_1_4 = [
    "person_record_id", "entry_date", "expiry_date", "author_name", "author_email",
    "author_phone", "source_name", "source_date", "source_url", "full_name", "given_name",
    "family_name", "alternate_names", "description", "sex", "date_of_birth", "age",
    "home_street", "home_neighborhood", "home_city", "home_state", "home_postal_code",
    "home_country", "photo_url", "profile_urls", "note"]
NOTE_1_4 = [
    "note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
    "author_name", "author_email", "author_phone", "source_date", "author_made_contact",
    "status", "email_of_found_person", "phone_of_found_person", "last_known_location",
    "text", "photo_url"]
MANDATORY = {"person": {"person_record_id", "source_date", "full_name"},
             "note": {"note_record_id", "author_name", "source_date"}}
UTC_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
AGE = re.compile(r"^\d+(-\d+)?$")


def _in_order(names: list[str], order: list[str]) -> bool:
    positions = [order.index(name) for name in names]
    return positions == sorted(positions)


def test_the_export_follows_pfif_14_field_order_and_formats(client, db, settings):
    settings.PUBLIC_SITE_URL = "https://registro.example.org:8443/"
    CaseFactory(publication_consent=True, missing_report__description="Tatuaje",
                missing_report__birth_date=date(1940, 1, 1))  # "70+" as an age band
    CaseFactory(publication_consent=True, missing_report__birth_date=date(1990, 5, 5))
    body = b"".join(client.get(reverse("public_site:open_data_pfif")).streaming_content)
    root = ElementTree.fromstring(body)
    people = root.findall(f"{NS}person")
    assert len(people) == 2
    ages = set()
    for person in people:
        names = [child.tag.removeprefix(NS) for child in person]
        assert set(names) <= set(PERSON_1_4) and _in_order(names, PERSON_1_4), names
        assert MANDATORY["person"] <= set(names)
        assert names.index("description") < names.index("sex") < names.index("age")
        record_id = person.find(f"{NS}person_record_id").text
        assert re.fullmatch(r"registro\.example\.org/ficha\.[0-9a-z]+", record_id)
        for field in ("entry_date", "source_date"):
            assert UTC_DATE.match(person.find(f"{NS}{field}").text)
        ages.add(person.find(f"{NS}age").text)
        for note in person.findall(f"{NS}note"):
            note_names = [child.tag.removeprefix(NS) for child in note]
            assert _in_order(note_names, NOTE_1_4) and MANDATORY["note"] <= set(note_names)
            assert note.find(f"{NS}person_record_id").text == record_id
    assert all(AGE.match(age) for age in ages) and "70-120" in ages


def test_without_public_site_url_the_ids_name_the_requests_host(client, db, settings):
    settings.PUBLIC_SITE_URL = ""
    CaseFactory(publication_consent=True)
    body = b"".join(client.get(reverse("public_site:open_data_pfif")).streaming_content)
    record_id = ElementTree.fromstring(body).find(f"{NS}person/{NS}person_record_id").text
    assert record_id.startswith("testserver/ficha.")
