"""Public downloads are formula-safe: open data CSV and statistics CSV (issue 15, finding 1).

Values stored before the import judged trimmed cells (or written by any other path)
must not run when the file is opened: every cell whose first non-blank character is a
formula start gets the same apostrophe the NGO export puts (``registry.cells``).
``bench/hardening/open_with_libreoffice.py`` opens the real files with LibreOffice and
pandas; this test checks the bytes.
"""

import csv
import io
import json

import pytest
from django.urls import reverse

from public_site import views
from tests.factories import CaseFactory

HYPERLINK = '=HYPERLINK("http://example.invalid/foto","Ver foto")'


def _cells(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


@pytest.mark.parametrize("stored", [HYPERLINK, "\t" + HYPERLINK, " @SUM(1+1)", "+1+1"])
def test_open_data_csv_neutralises_formulas_and_json_keeps_the_value(client, db, stored):
    CaseFactory(publication_consent=True, missing_report__description=stored,
                missing_report__given_names="Rosa")
    body = b"".join(client.get(reverse("public_site:open_data_csv")).streaming_content)
    assert "'" + stored in _cells(body)
    assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in _cells(body))
    document = json.loads(b"".join(
        client.get(reverse("public_site:open_data_json")).streaming_content))
    assert document["fichas"][0]["descripcion"] == stored  # JSON: nothing evaluates it


def test_statistics_csv_neutralises_formulas(client, db, monkeypatch):
    monkeypatch.setattr(views, "statistics_rows",
                        lambda figures: [["estado", "09", HYPERLINK, 3]])
    body = client.get(reverse("public_site:statistics_csv")).content
    assert "'" + HYPERLINK in _cells(body)
