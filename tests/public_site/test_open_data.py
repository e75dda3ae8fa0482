"""Open-data downloads: versioned CSV and JSON of the redacted entries, schema page."""

import csv
import io
import json

from django.urls import reverse

from public_site.opendata import OPEN_DATA_FIELDS
from registry.redaction import Audience
from tests.canaries import assert_no_canaries
from tests.factories import CaseFactory, RecordFactory


def _content(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_csv_download_has_the_documented_columns_and_leaks_nothing(client, world):
    CaseFactory(publication_consent=False, missing_report__given_names="Oculta")
    RecordFactory(kind="detention", given_names="Detenido")
    body = _content(client.get(reverse("public_site:open_data_csv")))
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0] == list(OPEN_DATA_FIELDS)
    assert len(rows) == 3
    assert "Oculta" not in body and "Detenido" not in body
    assert_no_canaries(body, world, Audience.PUBLIC)


def test_json_download_is_versioned_and_leaks_nothing(client, world):
    body = _content(client.get(reverse("public_site:open_data_json")))
    data = json.loads(body)
    assert data["version"] == "1" and data["esquema"].endswith("/datos/")
    assert data["fichas"][0]["clave"] == world.case.public_key
    assert set(data["fichas"][0]) == set(OPEN_DATA_FIELDS)
    assert_no_canaries(body, world, Audience.PUBLIC)


def test_schema_page_describes_every_column(client, db):
    body = client.get(reverse("public_site:open_data")).content.decode()
    for name in OPEN_DATA_FIELDS:
        assert f"<code>{name}</code>" in body
    assert reverse("api_schema") in body


def test_pfif_export_is_valid_pfif_14_and_leaks_nothing(client, world):
    from datetime import date

    from defusedxml import ElementTree

    CaseFactory(publication_consent=False, missing_report__given_names="Oculta")
    minor = CaseFactory(publication_consent=True, missing_report__given_names="Ximena",
                        missing_report__paternal_surname="Cabrera",
                        missing_report__birth_date=date(2014, 2, 2))
    body = _content(client.get(reverse("public_site:open_data_pfif")))
    root = ElementTree.fromstring(body.encode())
    ns = {"pfif": "http://zesty.ca/pfif/1.4"}
    people = root.findall("pfif:person", ns)
    assert len(people) == 2  # the entry without a published name is left out
    by_id = {p.find("pfif:person_record_id", ns).text: p for p in people}
    canary = next(p for key, p in by_id.items() if key.endswith(world.case.public_key))
    assert canary.find("pfif:full_name", ns).text == "Canarygiven1 Canarypaternal1 Canarymaternal1"
    assert canary.find("pfif:note/pfif:status", ns).text == "believed_missing"
    young = next(p for key, p in by_id.items() if key.endswith(minor.public_key))
    assert young.find("pfif:full_name", ns).text.startswith("X. C.")
    assert "Oculta" not in body and "Ximena" not in body
    assert_no_canaries(body, world, Audience.PUBLIC)
