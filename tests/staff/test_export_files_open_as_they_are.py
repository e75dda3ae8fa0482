"""NGO files open in Excel and pandas as they are: BOM, Spanish headers, notes apart,
and a long export shows its progress while a worker prepares it (issue 16, item 6).

Journey: an analyst reviews an export, downloads the CSV and reads it with
``pandas.read_csv`` (no skiprows, no encoding tricks), the JSON with ``pandas.read_json``
and the XLSX with ``pandas.read_excel`` and openpyxl; then asks for a large one in the
background, watches its progress, and downloads it with its notes.
"""

from __future__ import annotations

import io
from datetime import date

import pandas
import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from registry import roles
from staff import export_files, exports
from tests.factories import RecordFactory, UserFactory


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()


@pytest.fixture
def analyst(db):
    return UserFactory(username="analista.fundar", role=roles.NGO_ANALYST)


def _records():
    RecordFactory(kind="detention", authority="Policía Preventiva",
                  facility="Juzgado Cívico Coyoacán", event_date=date(2024, 5, 2))
    RecordFactory(kind="detention", authority="Guardia Nacional",
                  facility="Estación Migratoria Siglo XXI, Tapachula",
                  event_date=date(2024, 6, 9))


def _download(client, export_format: str, **extra) -> bytes:
    response = client.post(reverse("export_form"), {
        "format": export_format, "purpose": "Informe de detenciones", "k_anonymity": "1",
        "confirm": "1", **extra})
    assert response.status_code == 200
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    return content


def test_an_analyst_reads_each_format_with_pandas_as_it_is(client, analyst):
    _records()
    client.force_login(analyst)

    table = pandas.read_csv(io.BytesIO(_download(client, "csv")))
    assert list(table.columns) == list(exports.HEADER_ROW)
    assert len(table) == 2 and "rango_edad" in table.columns and "tipo" in table.columns
    assert set(table["lugar_de_reclusion"]) == {"Juzgado Cívico Coyoacán",
                                                 "Estación Migratoria Siglo XXI, Tapachula"}

    table = pandas.read_json(io.BytesIO(_download(client, "json")))
    assert list(table.columns) == list(exports.HEADER_ROW) and len(table) == 2
    assert "Policía Preventiva" in set(table["autoridad"])

    workbook_bytes = _download(client, "xlsx")
    table = pandas.read_excel(io.BytesIO(workbook_bytes), sheet_name="datos")
    assert list(table.columns) == list(exports.HEADER_ROW) and len(table) == 2
    workbook = load_workbook(io.BytesIO(workbook_bytes), read_only=True)
    assert workbook.sheetnames == ["datos", "continuacion", "notas"]
    notes = list(workbook["notas"].iter_rows(values_only=True))
    assert ("columna", "contenido", "tratamiento") in notes
    assert any(row[0] == "lugar_de_reclusion" for row in notes)

    notes_csv = pandas.read_csv(io.BytesIO(_download(client, "csv", notes="1")),
                                keep_default_na=False)
    assert "politica" in set(notes_csv["nota"])


def test_a_background_export_reports_progress_and_keeps_its_notes(client, analyst, settings,
                                                                    monkeypatch):
    _records()
    client.force_login(analyst)
    seen: list[list[dict]] = []
    monkeypatch.setattr(export_files, "PROGRESS_EVERY", 1)
    original = export_files._job_set

    def spy(user_id, job, values):
        original(user_id, job, values)
        seen.append(export_files.export_jobs_for(analyst))
    monkeypatch.setattr(export_files, "_job_set", spy)

    response = client.post(reverse("export_form"), {
        "format": "csv", "purpose": "Informe anual", "background": "on", "confirm": "1",
        "k_anonymity": "1"})
    assert response.status_code == 302  # no broker in tests: the task ran at once
    running = [jobs[0] for jobs in seen if jobs and jobs[0]["state"] == "running"]
    assert running and running[-1]["total"] == 2 and running[-1]["percent"] == 100
    assert any(job["percent"] == 50 for job in running)
    # Done: no longer "in preparation"; the file and its notes are listed.
    assert client.get(reverse("export_progress")).json() == {"jobs": []}
    [prepared] = export_files.export_files_for(analyst)
    assert prepared.notes == prepared.name.replace(".csv", "-notas.csv")
    page = client.get(reverse("export_form")).content.decode()
    assert reverse("export_file_download", args=[prepared.notes]) in page
    body = b"".join(client.get(reverse("export_file_download",
                                       args=[prepared.name])).streaming_content)
    assert len(pandas.read_csv(io.BytesIO(body))) == 2


def test_a_queued_export_shows_on_the_page_while_the_worker_has_not_started(client, analyst):
    client.force_login(analyst)
    job = export_files.export_job_start(user_id=analyst.pk, export_format="xlsx")
    page = client.get(reverse("export_form")).content.decode()
    assert f'data-job="{job}"' in page and "en cola" in page
    assert client.get(reverse("export_progress")).json()["jobs"][0]["id"] == job
    other = UserFactory(username="otra.ong", role=roles.NGO_ANALYST)
    client.force_login(other)
    assert client.get(reverse("export_progress")).json() == {"jobs": []}
