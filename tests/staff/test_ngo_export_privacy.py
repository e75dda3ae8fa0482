"""NGO exports cannot be joined back to people (issue 15, finding 5).

Their pseudonyms are keyed per export: joining an export with the public open data
(``fichas.json``'s ``clave``) or with another export gives nothing; k-anonymity is on by
default (k = 5), and the page says what it generalised and suppressed before the file
is downloaded.
"""

import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse

from registry import roles
from registry.models import AuditEvent
from staff import exports
from tests.factories import CaseFactory, PersonFactory, RecordFactory, UserFactory


@pytest.fixture
def analyst(db):
    return UserFactory(username="analista_ong", role=roles.NGO_ANALYST)


@pytest.fixture
def published_cases(db):
    """Named, published cases whose reports also have detention records (the join of the
    outside test: 359 people with their detention rows)."""
    cases = []
    for n in range(6):
        person = PersonFactory()
        case = CaseFactory(publication_consent=True, missing_report__given_names=f"Persona{n}",
                           missing_report__person=person)
        RecordFactory(kind="detention", person=person)
        cases.append(case)
    return cases


def _export(client, **params) -> list[dict[str, str]]:
    data = {"format": "csv", "purpose": "Estudio", "confirm": "1", **params}
    body = b"".join(client.post(reverse("export_form"), data).streaming_content)
    column_of = {header: column for column, (header, _meaning) in exports.HEADERS.items()}
    rows = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    return [{column_of[header]: value for header, value in row.items()} for row in rows]


def test_joining_an_export_with_the_open_data_matches_nothing(client, analyst,
                                                              published_cases):
    client.force_login(analyst)
    rows = _export(client, k_anonymity=1)
    public = json.loads(b"".join(
        client.get(reverse("public_site:open_data_json")).streaming_content))
    public_keys = {entry["clave"] for entry in public["fichas"]}
    assert len(public_keys) == 6 and len(rows) == 12
    exported = {row[column] for row in rows for column in ("id", "external_id", "person",
                                                           "case_id") if row[column]}
    assert exported and not exported & public_keys


def test_two_exports_cannot_be_joined_on_any_key(client, analyst, published_cases):
    client.force_login(analyst)
    first, second = _export(client, k_anonymity=1), _export(client, k_anonymity=1)
    for column in ("id", "external_id", "person", "case_id"):
        keys = {row[column] for row in first if row[column]}
        assert keys and not keys & {row[column] for row in second}
    # Within one export, a person's rows still share their pseudonym.
    assert len({row["person"] for row in first}) == 6


def test_the_registry_can_still_tell_which_record_a_row_is(client, analyst, published_cases):
    client.force_login(analyst)
    rows = _export(client, k_anonymity=1)
    token = AuditEvent.objects.get(action="export").details["pseudonym_token"]
    key = exports.ExportKey(token)
    record = published_cases[0].missing_report
    assert key.pseudonym("registry.record.id", record.pk) in {row["id"] for row in rows}


def test_k_anonymity_is_on_by_default_with_k_5(client, analyst):
    for n in range(5):
        RecordFactory(kind="detention", event_date=date(2024, 5, 2), sex="H", age=30,
                      birth_date=None, event_municipality_id="09007", external_id=f"G-{n}")
    RecordFactory(kind="detention", event_date=date(2024, 7, 9), sex="M", age=71,
                  birth_date=None, event_municipality_id="09002", external_id="SOLA")
    client.force_login(analyst)
    rows = _export(client)  # no k given
    assert len(rows) == 5  # the lone row is suppressed
    event = AuditEvent.objects.get(action="export")
    assert (event.details["k"], event.details["suppressed"]) == (5, 1)


def test_the_page_shows_what_is_generalised_and_suppressed_before_the_download(client,
                                                                              analyst):
    for n in range(5):
        RecordFactory(kind="detention", event_date=date(2024, 5, 2), sex="H", age=30,
                      birth_date=None, event_municipality_id="09007", external_id=f"G-{n}")
    RecordFactory(kind="detention", event_date=date(2024, 7, 9), sex="M", age=71,
                  birth_date=None, event_municipality_id="09002", external_id="SOLA")
    client.force_login(analyst)
    page = client.post(reverse("export_form"), {"format": "csv", "purpose": "Estudio"})
    assert page.status_code == 200 and not getattr(page, "streaming", False)
    text = page.content.decode()
    assert "Filas que tendrá el archivo: 5." in text
    assert "k = 5" in text
    assert "Filas suprimidas: 1" in text and "Filas generalizadas: 0" in text
    assert 'name="confirm"' in text
    assert not AuditEvent.objects.filter(action="export").exists()  # nothing exported yet
