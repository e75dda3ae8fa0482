"""Hostile cells: formulas behind blanks, control characters, NUL bytes, endless columns.

One rule for every format (CSV, XLSX, the JSON API) and every writer (imports, staff
corrections): a cell is judged after it is trimmed; a control character rejects its
row; a NUL refuses the file; a row wider than ``IMPORT_MAX_COLUMNS`` refuses the file.
And every report written back (error report, rejected rows) is formula-safe and opens.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from imports.models import ImportBatch
from imports.readers import ImportFileError
from registry import services
from registry.models import Record
from tests.imports.files import csv_bytes, detention_row, detention_rows, rewrite_member, xlsx_bytes

HYPERLINK = '=HYPERLINK("http://example.invalid/foto","Ver foto")'


@pytest.mark.parametrize("blank", ["\t", "\r", " ", "  \t", "\n", "\u00a0"])
def test_a_formula_behind_leading_blanks_is_rejected(import_file, agency_a, blank):
    rows = [*detention_rows(1), detention_row(2, **{"APELLIDO MATERNO": blank + HYPERLINK})]

    batch = import_file(agency_a, csv_bytes(rows), "datos.csv")

    assert (batch.rows_created, batch.rows_rejected) == (1, 1)
    assert not Record.objects.filter(maternal_surname__contains="HYPERLINK").exists()
    assert "fórmula" in batch.issues.get().message


def test_negative_numbers_behind_blanks_are_still_data(import_file, agency_a):
    rows = [*detention_rows(1), detention_row(2, **{"APELLIDO MATERNO": " -5"})]

    batch = import_file(agency_a, csv_bytes(rows), "datos.csv")

    assert batch.rows_rejected == 0


def test_a_staff_correction_is_judged_as_an_import_is(owner, agency_a):
    record = Record.objects.create(agency=agency_a, kind="detention", given_names="Ana",
                                   external_id="X-1")
    for value in ("\t" + HYPERLINK, " @SUM(1+1)", "Ana\x07"):
        with pytest.raises(ValidationError):
            services.record_correct(record=record, changes={"given_names": value},
                                    actor=owner, reason="prueba")
    record.refresh_from_db()
    assert record.given_names == "Ana"


def test_the_correction_page_refuses_a_formula(client, owner, agency_a):
    record = Record.objects.create(agency=agency_a, kind="detention", given_names="Ana",
                                   external_id="X-2")
    client.force_login(owner)
    response = client.post(f"/trabajo/registros/{record.pk}/corregir/", {
        "given_names": "Ana", "facility": "\t" + HYPERLINK, "correction_reason": "x",
        "sex": "", "event_state": "", "event_municipality": ""})
    assert response.status_code == 200
    assert "fórmula" in response.content.decode()
    record.refresh_from_db()
    assert "HYPERLINK" not in record.facility


# --- control characters: the same outcome in every format ---------------------------------

def _xlsx_with(text_in_cell: str) -> bytes:
    """A workbook whose second data row's maternal surname is written (XML) as given."""
    rows = [*detention_rows(1), detention_row(2, **{"APELLIDO MATERNO": "MARCADOR"})]
    return rewrite_member(xlsx_bytes(rows), "xl/worksheets/sheet1.xml",
                          lambda xml: xml.replace("MARCADOR", text_in_cell))


def _outcome(batch: ImportBatch) -> tuple:
    issue = batch.issues.get()
    return batch.rows_created, batch.rows_rejected, issue.column, issue.message


def test_a_control_character_rejects_its_row_in_csv_xlsx_and_json(import_file, owner,
                                                                   agency_a):
    rows = [*detention_rows(1), detention_row(2, **{"APELLIDO MATERNO": "Pérez\x07"})]
    from_csv = import_file(agency_a, csv_bytes(rows), "datos.csv", dry_run=True)
    from_xlsx = import_file(agency_a, _xlsx_with("Pérez_x0007_"), "datos.xlsx", dry_run=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    response = client.post("/importaciones/api/lotes/", {
        "agency": agency_a.code, "kind": "detention", "dry_run": True, "records": records},
        format="json")
    from_json = ImportBatch.objects.get(pk=response.json()["batch"])

    assert _outcome(from_csv) == _outcome(from_xlsx) == _outcome(from_json)
    assert _outcome(from_csv)[:2] == (1, 1)
    assert "U+0007" in _outcome(from_csv)[3]


def test_a_nul_refuses_the_file_in_csv_and_xlsx(import_file, agency_a):
    rows = [*detention_rows(1), detention_row(2, **{"APELLIDO MATERNO": "Pérez\x00"})]
    with pytest.raises(ImportFileError, match="nulo"):
        import_file(agency_a, csv_bytes(rows), "datos.csv")
    with pytest.raises(ImportFileError, match="nulo"):
        import_file(agency_a, _xlsx_with("Pérez_x0000_"), "datos.xlsx")
    assert not Record.objects.exists()


def test_the_api_refuses_a_nul_with_400(owner, agency_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    response = client.post("/importaciones/api/lotes/", {
        "agency": agency_a.code, "kind": "detention",
        "records": [{"FOLIO": "N-1", "NOMBRE(S)": "Ana\x00"}]}, format="json")
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


# --- reports of rejected rows open, and run nothing ----------------------------------------

def test_rejected_rows_with_control_characters_download_as_xlsx_and_csv(client, owner,
                                                                        import_file, agency_a):
    rows = [*detention_rows(1),
            detention_row(2, **{"APELLIDO MATERNO": "Pérez_x0001_"}),
            detention_row(3, **{"APELLIDO MATERNO": "\t" + HYPERLINK})]
    batch = import_file(agency_a, _xlsx_with("Pérez_x0001_"), "datos.xlsx")
    batch = import_file(agency_a, csv_bytes([rows[0], rows[1], rows[3]]), "datos.csv")
    assert batch.rows_rejected == 1
    batch_xlsx = ImportBatch.objects.exclude(pk=batch.pk).get()
    client.force_login(owner)

    for target, written in ((batch_xlsx, "Pérez\x01"), (batch, "'\t" + HYPERLINK)):
        workbook = client.get(f"/importaciones/lote/{target.pk}/rechazadas.xlsx")
        assert workbook.status_code == 200
        sheet = load_workbook(io.BytesIO(workbook.content)).active
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
        assert not any(str(v).lstrip().startswith(("=", "+", "-", "@")) for v in values if v)
        table = client.get(f"/importaciones/lote/{target.pk}/rechazadas.csv")
        assert table.status_code == 200
        cells = [c for row in csv.reader(io.StringIO(table.content.decode("utf-8-sig")))
                 for c in row]
        assert written in cells
        errors = client.get(f"/importaciones/lote/{target.pk}/errores.xlsx")
        assert errors.status_code == 200


# --- bounds ---------------------------------------------------------------------------------

def test_a_csv_with_100000_columns_is_refused_with_a_clear_error(import_file, agency_a):
    header = [*detention_rows(1)[0], *(f"extra{i}" for i in range(100_000))]
    content = csv_bytes([header, detention_row(1)])
    with pytest.raises(ImportFileError, match="columnas con datos; el máximo es 500"):
        import_file(agency_a, content, "ancho.csv")
    assert not ImportBatch.objects.exists() and not Record.objects.exists()


def test_a_wide_row_below_a_normal_header_is_refused(import_file, agency_a, settings):
    settings.IMPORT_MAX_COLUMNS = 20
    rows = [*detention_rows(2), [*detention_row(3), *(["x"] * 30)]]
    with pytest.raises(ImportFileError, match="Fila 4: tiene 41 columnas con datos"):
        import_file(agency_a, csv_bytes(rows), "ancho.csv")
    with pytest.raises(ImportFileError, match="Fila 4: tiene 41 columnas con datos"):
        import_file(agency_a, xlsx_bytes(rows), "ancho.xlsx")
    assert not Record.objects.exists()


def test_empty_cells_beyond_the_header_are_not_kept(import_file, agency_a, settings):
    settings.IMPORT_MAX_COLUMNS = 20
    rows = [*detention_rows(1), [*detention_row(2), *([""] * 5000), "al final"]]

    batch = import_file(agency_a, csv_bytes(rows), "datos.csv")

    assert batch.rows_created == 2
    record = Record.objects.get(external_id="DET-000002")
    assert len(record.raw_values) == len(rows[0]) + 1
    assert record.raw_values["columna_5013"] == "al final"


def test_the_api_refuses_too_many_fields(owner, agency_a, settings):
    settings.IMPORT_MAX_COLUMNS = 3
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    response = client.post("/importaciones/api/lotes/", {
        "agency": agency_a.code, "kind": "detention",
        "records": [{f"C{i}": "x" for i in range(4)}]}, format="json")
    assert response.status_code == 400 and "máximo es 3" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_failed_api_requests_leave_no_batch(owner, agency_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    url = "/importaciones/api/lotes/"
    unknown_columns = client.post(url, {"agency": agency_a.code, "kind": "detention",
                                        "records": [{"zzz": "1"}, {"qqq": "2"}]},
                                  format="json")
    not_json = client.post(url, b"\x00garbage", content_type="application/json")
    wrong_types = client.post(url, {"agency": agency_a.code, "kind": "detention",
                                    "dry_run": "yes", "records": [{"FOLIO": ["x"]}]},
                              format="json")
    assert [r.status_code for r in (unknown_columns, not_json, wrong_types)] == [400] * 3
    assert "encabezados" in unknown_columns.json()["detail"]
    assert not ImportBatch.objects.exists()
