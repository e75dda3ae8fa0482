"""Bad files get a clear Spanish error and change nothing, within a small memory budget."""

from __future__ import annotations

import io
import os
import re
import resource
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.intake import import_batch_create
from imports.models import ImportBatch
from imports.readers import ImportFileError
from registry.models import Record
from tests.imports.files import (
    DETENTION_HEADER,
    csv_bytes,
    detention_row,
    detention_rows,
    rewrite_member,
    with_shared_strings,
    xlsx_bytes,
)

ENTITY_BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i else "")) * 10}">'
                         for i in range(1, 10))
               + "]>")


def _refused(import_file, agency, content, name, match):
    with pytest.raises(ImportFileError, match=match):
        import_file(agency, content, name)
    assert not Record.objects.exists()
    assert not ImportBatch.objects.filter(status=ImportBatch.Status.COMMITTED).exists()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_an_xlsx_named_csv_is_refused(import_file, agency_a):
    _refused(import_file, agency_a, xlsx_bytes(detention_rows(1)), "datos.csv", "comprimido")


def test_a_csv_named_xlsx_is_refused(import_file, agency_a):
    _refused(import_file, agency_a, csv_bytes(detention_rows(1)), "datos.xlsx",
             "no es un libro")


def test_an_empty_file_is_refused(import_file, agency_a):
    _refused(import_file, agency_a, b"", "datos.csv", "vacío")


def test_a_header_only_file_is_refused_and_the_batch_is_failed(import_file, agency_a):
    _refused(import_file, agency_a, csv_bytes([DETENTION_HEADER]), "datos.csv",
             "solo encabezados")
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_a_file_without_recognisable_headers_is_refused(import_file, agency_a):
    _refused(import_file, agency_a, b"a,b,c\n1,2,3\n", "datos.csv", "encabezados")


def test_binary_garbage_is_refused(import_file, agency_a):
    garbage = os.urandom(4096)
    _refused(import_file, agency_a, b"FOLIO,NOMBRE\n" + garbage, "datos.csv",
             "binarios|control|codificación")
    _refused(import_file, agency_a, b"\x00\x01\x02" + garbage, "datos.csv", "binarios")


@pytest.mark.parametrize(("content", "name"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "viejo.xls"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "viejo.xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "viejo.csv"),
])
def test_a_renamed_xls_is_refused(import_file, agency_a, content, name):
    _refused(import_file, agency_a, content, name, r"\.xls|Excel")


def test_an_xlsm_is_refused_by_name_and_by_content(import_file, agency_a):
    workbook = xlsx_bytes(detention_rows(1))
    _refused(import_file, agency_a, workbook, "macros.xlsm", "macros")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 64)
    _refused(import_file, agency_a, out.getvalue(), "renombrado.xlsx", "macros")


def test_a_file_over_the_size_limit_is_refused(import_file, agency_a, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1000
    _refused(import_file, agency_a, csv_bytes(detention_rows(40)), "grande.csv", "máximo")


def test_an_xml_entity_bomb_is_refused_without_expanding(import_file, agency_a):
    bomb = rewrite_member(
        xlsx_bytes(detention_rows(1)), "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', "")
        .replace("<worksheet", ENTITY_BOMB + "<worksheet", 1)
        .replace("<v>DET-000001</v>", "<v>&lol9;</v>"))
    assert b"ENTITY" in zipfile.ZipFile(io.BytesIO(bomb)).read("xl/worksheets/sheet1.xml")
    before = _peak_rss_mb()

    _refused(import_file, agency_a, bomb, "bomba.xlsx", "XML no permitido")

    assert _peak_rss_mb() - before < 50


@pytest.mark.parametrize("member", ["xl/styles.xml", "xl/workbook.xml", "docProps/core.xml"])
def test_an_entity_declared_in_any_part_of_the_workbook_is_refused(import_file, agency_a,
                                                                    member):
    bomb = rewrite_member(xlsx_bytes(detention_rows(1)), member,
                          lambda xml: re.sub(r"^(<\?xml[^>]*\?>)?", r"\g<0>" + ENTITY_BOMB, xml))

    _refused(import_file, agency_a, bomb, "bomba.xlsx", "XML no permitido")


def test_a_doctype_in_the_sheet_is_refused_even_without_entities(import_file, agency_a):
    content = rewrite_member(xlsx_bytes(detention_rows(1)), "xl/worksheets/sheet1.xml",
                             lambda xml: xml.replace("<worksheet", "<!DOCTYPE w><worksheet", 1))

    _refused(import_file, agency_a, content, "libro.xlsx", "XML no permitido")


def _peak_rss_mb_since_reset() -> float:
    """Reset the process's peak RSS (Linux ``clear_refs``), so an earlier test's peak
    cannot hide this one's; return a function giving the peak since then, in MB."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pytest.skip("needs Linux /proc/self/clear_refs to measure one test's peak memory")

    def peak() -> float:
        with open("/proc/self/status") as handle:
            return int(re.search(r"VmHWM:\s+(\d+)", handle.read())[1]) / 1024

    return peak


def test_a_cell_far_away_does_not_make_the_reader_hold_the_empty_rectangle(import_file,
                                                                          agency_a):
    # A dense reader would hold 702 columns x 60,000 rows x 32 bytes = 1.3 GB.
    content = rewrite_member(xlsx_bytes(detention_rows(1)), "xl/worksheets/sheet1.xml",
                             lambda xml: xml.replace("</sheetData>", '<row r="60000"><c '
                                                     'r="ZZ60000" t="n"><v>1</v></c></row>'
                                                     "</sheetData>"))
    peak = _peak_rss_mb_since_reset()
    before = peak()

    batch = import_file(agency_a, content, "libro.xlsx")

    assert batch.rows_created == 1
    assert peak() - before < 100


def test_a_long_shared_string_used_in_every_cell_is_not_copied_into_memory(import_file,
                                                                          agency_a):
    # 10,000 rows x 12 cells, each pointing at a 9,000-character string: a reader that
    # copies the string into every cell holds 1 GB; the file is under 400 KB.
    content = with_shared_strings(xlsx_bytes(detention_rows(1)), ["A" * 9000, "B" * 9000],
                                  rows=10_000, columns=12)
    assert len(content) < 400_000
    peak = _peak_rss_mb_since_reset()
    before = peak()

    with pytest.raises(ImportFileError, match="encabezados"):
        import_file(agency_a, content, "libro.xlsx")

    assert peak() - before < 100


@pytest.mark.slow
def test_a_zip_bomb_is_refused_before_parsing(import_file, agency_a, tmp_path):
    path = tmp_path / "bomba.xlsx"
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes(detention_rows(1)))) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(300):  # 300 MB of blanks, about 300 KB compressed
                member.write(b" " * (1 << 20))
    before = _peak_rss_mb()

    _refused(import_file, agency_a, path.read_bytes(), "bomba.xlsx", "bomba zip")

    assert _peak_rss_mb() - before < 50


def test_a_zip_with_too_many_members_is_refused(import_file, agency_a, settings):
    settings.IMPORT_XLSX_MAX_MEMBERS = 5
    _refused(import_file, agency_a, xlsx_bytes(detention_rows(1)), "libro.xlsx",
             "demasiados")


def test_a_100000_character_cell_is_refused(import_file, agency_a):
    rows = [*detention_rows(2), detention_row(3, **{"NOMBRE(S)": "A" * 100_000})]

    _refused(import_file, agency_a, csv_bytes(rows), "datos.csv", "máximo de 10000")


def test_a_100000_character_cell_in_a_workbook_is_refused(import_file, agency_a):
    rows = [*detention_rows(2), detention_row(3, **{"NOMBRE(S)": "A" * 100_000})]

    _refused(import_file, agency_a, xlsx_bytes(rows), "datos.xlsx", "el máximo es 10000")


@pytest.mark.parametrize("payload", [
    "=HYPERLINK(\"http://example.invalid\",\"clic\")", "=cmd|' /C calc'!A0", "@SUM(1+1)",
    "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
])
def test_formula_injection_payloads_are_rejected_with_a_clear_error(import_file, agency_a,
                                                                     payload):
    rows = [*detention_rows(1), detention_row(2, **{"APELLIDO MATERNO": payload})]

    batch = import_file(agency_a, csv_bytes(rows), "datos.csv")

    assert (batch.rows_created, batch.rows_rejected) == (1, 1)
    assert not Record.objects.filter(maternal_surname=payload).exists()
    issue = batch.issues.get()
    assert issue.value == payload and "fórmula" in issue.message


def test_a_refused_upload_creates_no_batch_and_keeps_no_file(owner, agency_a, media_root):
    with pytest.raises(ImportFileError):
        import_batch_create(agency=agency_a, record_kind="detention", actor=owner,
                            upload=SimpleUploadedFile("x.csv", b"\x00\x01garbage"),
                            file_name="x.csv")

    assert not ImportBatch.objects.exists()
    # A refused file is never put in the file storage (it is judged in a temporary file).
    assert not (media_root / "imports").exists() or not any((media_root / "imports").iterdir())


def test_start_up_refuses_to_run_without_defusedxml(monkeypatch):
    import openpyxl
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)

    with pytest.raises(ImproperlyConfigured, match="defusedxml"):
        apps.get_app_config("imports").ready()
