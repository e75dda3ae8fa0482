"""Workbooks: read past wrong dimensions, sheets, date cells and serials, formulas.

Every test runs with each reader: python-calamine (chosen for small, plain sheets)
and openpyxl (forced by a zero memory budget for calamine); both must store the same.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from imports.readers import ImportFileError
from registry.models import Record
from tests.imports.files import (
    DETENTION_HEADER,
    declare_dimension,
    detention_row,
    detention_rows,
    rename_member,
    rewrite_member,
    with_shared_strings,
    xlsx_bytes,
)


@pytest.fixture(autouse=True, params=["calamine", "openpyxl"])
def reader(request, settings):
    if request.param == "openpyxl":
        settings.IMPORT_XLSX_CALAMINE_MAX_BYTES = 0
    return request.param


def test_rows_beyond_the_declared_dimension_are_read(import_file, agency_a):
    rows = [["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO"]]
    rows += [[f"F-{n}", "Ana", "Ruiz"] for n in range(1, 1002)]
    content = declare_dimension(xlsx_bytes(rows), "A1:A2")

    batch = import_file(agency_a, content, "detenciones.xlsx")

    assert batch.rows_total == 1001
    assert Record.objects.filter(agency=agency_a).count() == 1001
    assert Record.objects.get(external_id="F-1001").source_row == 1002


def test_the_first_sheet_is_read_unless_one_is_named(import_file, agency_a):
    other = [DETENTION_HEADER, detention_row(50)]
    content = xlsx_bytes(detention_rows(2), sheets={"Traslados": other})

    first = import_file(agency_a, content, "libro.xlsx")
    named = import_file(agency_a, content, "libro.xlsx", sheet="Traslados")

    assert first.rows_created == 2 and first.sheet_name == "Hoja1"
    assert named.rows_created == 1
    assert Record.objects.get(external_id="DET-000050").source_sheet == "Traslados"


def test_an_unknown_sheet_name_is_refused_with_the_sheets_listed(import_file, agency_a):
    with pytest.raises(ImportFileError, match="Hoja1"):
        import_file(agency_a, xlsx_bytes(detention_rows(1)), "libro.xlsx", sheet="Enero")


def test_date_cells_and_excel_serials_become_dates(import_file, agency_a):
    rows = [["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "FECHA DE NACIMIENTO", "FECHA DE DETENCIÓN"],
            ["A", "Ana", "Ruiz", dt.datetime(1990, 4, 3), 45424],  # serial of 2024-05-12
            ["B", "Luis", "Paz", "03/04/1991", 45424.0]]

    import_file(agency_a, xlsx_bytes(rows), "libro.xlsx")

    first, second = Record.objects.order_by("external_id")
    assert (first.birth_date, first.event_date) == (dt.date(1990, 4, 3), dt.date(2024, 5, 12))
    assert (second.birth_date, second.event_date) == (dt.date(1991, 4, 3), dt.date(2024, 5, 12))
    assert first.raw_values["FECHA DE NACIMIENTO"] == "1990-04-03"


def test_header_row_below_title_rows(import_file, agency_a):
    rows = [["Secretaría de Seguridad"], [], ["Corte al 31 de mayo"], *detention_rows(2)]

    batch = import_file(agency_a, xlsx_bytes(rows), "libro.xlsx")

    assert batch.rows_created == 2
    assert Record.objects.get(external_id="DET-000001").source_row == 5


def test_formulas_are_not_evaluated_their_cached_value_is_stored(import_file, agency_a):
    rows = [["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "EDAD"], ["A", "Ana", "Ruiz", 30]]
    # Replace the literal age by a formula whose cached result is 41.
    content = rewrite_member(
        xlsx_bytes(rows), "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace('<c r="D2" t="n"><v>30</v></c>',
                                '<c r="D2"><f>SUM(A1:A9)*0+41</f><v>41</v></c>'))

    import_file(agency_a, content, "libro.xlsx")

    record = Record.objects.get()
    assert record.age == 41
    assert record.raw_values["EDAD"] == "41"


def test_a_formula_whose_cached_value_is_an_excel_error_rejects_the_row(import_file, agency_a):
    rows = [["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "EDAD"], ["A", "Ana", "Ruiz", 30],
            ["B", "Luis", "Paz", 31]]
    content = rewrite_member(
        xlsx_bytes(rows), "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace('<c r="D3" t="n"><v>31</v></c>',
                                '<c r="D3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'))

    batch = import_file(agency_a, content, "libro.xlsx")

    assert (batch.rows_created, batch.rows_rejected) == (1, 1)
    messages = [issue.message for issue in batch.issues.all()]
    assert any("error de Excel (#DIV/0!)" in message for message in messages)


def test_a_1904_workbook_reads_date_cells_and_serials_from_its_own_epoch(import_file,
                                                                         agency_a):
    rows = [["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "FECHA DE NACIMIENTO", "FECHA DE DETENCIÓN"],
            ["A", "Ana", "Ruiz", dt.datetime(1990, 4, 3), 43000]]
    flag = '<workbookPr date1904="1"/>'
    content = rewrite_member(  # the same stored numbers, counted from 1904-01-01
        xlsx_bytes(rows), "xl/workbook.xml",
        lambda xml: re.sub(r"<workbookPr[^>]*/>", flag, xml) if "<workbookPr" in xml
        else xml.replace("<bookViews>", flag + "<bookViews>"))

    import_file(agency_a, content, "libro.xlsx")

    record = Record.objects.get()
    # openpyxl wrote 1990-04-03 as 32966 (1900 system); read as 1904: 32966 days after
    # 1904-01-01. The serial 43000 would be 2017-09-22 in the 1900 system.
    assert record.birth_date == dt.date(1994, 4, 4)
    assert record.event_date == dt.date(2021, 9, 23)


def test_leading_empty_rows_and_columns_keep_spreadsheet_numbering(import_file, agency_a):
    header = ["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO"]
    rows = [[], [], [None, *header], [None, "A-1", "Ana", "Ruiz", "nota"], [],
            [None, "A-2", "Luis", "Paz"]]

    batch = import_file(agency_a, xlsx_bytes(rows), "libro.xlsx")

    assert batch.rows_created == 2
    first, second = Record.objects.order_by("external_id")
    assert (first.source_row, second.source_row) == (4, 6)
    assert (first.given_names, second.paternal_surname) == ("Ana", "Paz")
    # An unnamed column is named by its position in the sheet: E is the fifth.
    assert first.raw_values["columna_5"] == "nota"


def test_a_longer_row_adds_no_empty_columns_to_the_other_rows(import_file, agency_a):
    rows = [["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO"], ["A", "Ana", "Ruiz"],
            ["B", "Luis", "Paz", None, "nota"]]

    import_file(agency_a, xlsx_bytes(rows), "libro.xlsx")

    short, long = Record.objects.order_by("external_id")
    assert short.raw_values == {"FOLIO": "A", "NOMBRE(S)": "Ana", "APELLIDO PATERNO": "Ruiz"}
    assert long.raw_values["columna_5"] == "nota"


def test_integer_and_decimal_numbers_read_as_the_sheet_shows_them(import_file, agency_a):
    rows = [["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "EDAD", "CURP"],
            [123, "Ana", "Ruiz", 30, 12.5], [12345678901234567, "Luis", "Paz", 31.0, 1e20]]
    content = rewrite_member(  # an exact 17-digit integer, as a script may write it
        xlsx_bytes(rows), "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'(<c r="A3" t="n"><v>)[^<]*', r"\g<1>12345678901234567", xml))

    import_file(agency_a, content, "libro.xlsx")

    values = [record.raw_values for record in Record.objects.order_by("source_row")]
    assert [(v["FOLIO"], v["EDAD"], v["CURP"]) for v in values] == [
        ("123", "30", "12.5"), ("12345678901234567", "31", "100000000000000000000")]
    assert Record.objects.get(external_id="123").age == 30


def test_an_undefined_entity_in_a_value_is_refused_as_damaged_xml(import_file, agency_a):
    content = rewrite_member(
        xlsx_bytes([["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "EDAD"], ["A", "Ana", "Ruiz", 30]]),
        "xl/worksheets/sheet1.xml", lambda xml: xml.replace("<v>30</v>", "<v>&edad;</v>"))

    with pytest.raises(ImportFileError, match="XML dañado"):
        import_file(agency_a, content, "libro.xlsx")


def test_an_iso_date_cell_reads_as_a_date(import_file, agency_a):
    rows = [["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "FECHA DE NACIMIENTO"],
            ["A", "Ana", "Ruiz", 1]]
    content = rewrite_member(  # t="d": a date written as ISO text (openpyxl can, Excel may)
        xlsx_bytes(rows), "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace('<c r="D2" t="n"><v>1</v></c>',
                                '<c r="D2" t="d"><v>1990-04-03T00:00:00</v></c>'))

    import_file(agency_a, content, "libro.xlsx")

    record = Record.objects.get()
    assert record.birth_date == dt.date(1990, 4, 3)
    assert record.raw_values["FECHA DE NACIMIENTO"] == "1990-04-03"


def test_shared_strings_under_another_name_are_read_as_openpyxl_reads_them(import_file,
                                                                          agency_a):
    # openpyxl finds the table through [Content_Types].xml; calamine 0.9 only at
    # xl/sharedStrings.xml and fails: the file must still be read (and here refused
    # for its content, two columns of names without headers), not called damaged.
    content = with_shared_strings(xlsx_bytes([["x"]]), ["Ana", "Ruiz"], rows=3, columns=2)
    content = rewrite_member(content, "xl/_rels/workbook.xml.rels",
                             lambda xml: xml.replace('"sharedStrings.xml"', '"strings.xml"'))
    content = rewrite_member(content, "[Content_Types].xml",
                             lambda xml: xml.replace("/xl/sharedStrings.xml", "/xl/strings.xml"))
    content = rename_member(content, "xl/sharedStrings.xml", "xl/strings.xml")

    with pytest.raises(ImportFileError, match="encabezados"):
        import_file(agency_a, content, "libro.xlsx")
