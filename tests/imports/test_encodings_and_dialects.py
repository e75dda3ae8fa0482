"""CSV files as agencies export them: encodings, delimiters, quoted newlines, mojibake."""

from __future__ import annotations

import codecs

import pytest

from imports.readers import ImportFileError
from registry.models import Record
from tests.imports.files import csv_bytes, detention_row, detention_rows


def _names(agency):
    return sorted(Record.objects.filter(agency=agency).values_list("paternal_surname", flat=True))


@pytest.mark.parametrize(("encoding", "prefix", "detected"), [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
    ("cp1252", b"", "cp1252"),
])
def test_each_encoding_is_detected_and_names_survive(import_file, agency_a, encoding, prefix,
                                                       detected):
    rows = [*detention_rows(1), detention_row(2, **{"APELLIDO PATERNO": "Núñez"})]

    batch = import_file(agency_a, prefix + csv_bytes(rows, encoding=encoding))

    assert batch.detected_encoding == detected
    assert _names(agency_a) == ["Muñoz", "Núñez"]
    assert Record.objects.get(external_id="DET-000002").given_names == "José Ángel"


def test_bytes_valid_in_neither_utf8_nor_cp1252_are_refused(import_file, agency_a):
    # 0x81 and 0x8D are undefined in Windows-1252 and invalid alone in UTF-8.
    content = csv_bytes(detention_rows(1)) + b"DET-9,Jos\x81,P\x8dez,,H,,,,,,,\r\n"

    with pytest.raises(ImportFileError, match="codificación"):
        import_file(agency_a, content)
    assert not Record.objects.exists()


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_detected(import_file, agency_a, delimiter):
    batch = import_file(agency_a, csv_bytes(detention_rows(3), delimiter=delimiter))

    assert batch.rows_created == 3
    assert Record.objects.get(external_id="DET-000003").facility == "Puente Grande"


def test_quoted_fields_may_hold_newlines_and_delimiters(import_file, agency_a):
    rows = [*detention_rows(1), detention_row(2, **{"LUGAR DE RECLUSIÓN": "Módulo 3,\nala B"})]

    batch = import_file(agency_a, csv_bytes(rows))

    assert batch.rows_total == 2
    assert Record.objects.get(external_id="DET-000002").facility == "Módulo 3,\nala B"


def test_mojibake_is_flagged_but_the_row_is_kept(import_file, agency_a):
    rows = [*detention_rows(1), detention_row(2, **{"NOMBRE(S)": "JosÃ© Ã\x81ngel"})]

    batch = import_file(agency_a, csv_bytes(rows))

    assert batch.rows_created == 2 and batch.rows_warned == 1
    warning = batch.issues.get()
    assert warning.severity == "warning" and "mal codificado" in warning.message
    assert warning.row_number == 3


def test_title_rows_above_the_header_are_skipped(import_file, agency_a):
    rows = [["FISCALÍA GENERAL DEL ESTADO"], ["Reporte mensual de detenciones", ""],
            *detention_rows(2)]

    batch = import_file(agency_a, csv_bytes(rows))

    assert batch.rows_created == 2
    assert Record.objects.get(external_id="DET-000001").source_row == 4
