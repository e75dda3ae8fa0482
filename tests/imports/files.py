"""Build test files in memory: CSV in any encoding/dialect, XLSX with openpyxl (and quirks)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import Workbook

DETENTION_HEADER = ["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "APELLIDO MATERNO", "SEXO",
                    "FECHA DE NACIMIENTO", "CURP", "ENTIDAD", "MUNICIPIO", "FECHA DE DETENCIÓN",
                    "AUTORIDAD", "LUGAR DE RECLUSIÓN"]


def detention_row(n: int, **overrides: str) -> list[str]:
    row = {
        "FOLIO": f"DET-{n:06d}", "NOMBRE(S)": "José Ángel", "APELLIDO PATERNO": "Muñoz",
        "APELLIDO MATERNO": f"Pérez{n}", "SEXO": "H", "FECHA DE NACIMIENTO": "03/04/1990",
        "CURP": "", "ENTIDAD": "Jalisco", "MUNICIPIO": "Guadalajara",
        "FECHA DE DETENCIÓN": "12/05/2024", "AUTORIDAD": "Policía Estatal",
        "LUGAR DE RECLUSIÓN": "Puente Grande",
    }
    row.update(overrides)
    return [row[h] for h in DETENTION_HEADER]


def detention_rows(count: int, start: int = 1) -> list[list[str]]:
    return [list(DETENTION_HEADER)] + [detention_row(n) for n in range(start, start + count)]


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], *, sheets: dict[str, list[list]] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Hoja1"
    for row in rows:
        sheet.append(row)
    for title, extra_rows in (sheets or {}).items():
        extra = workbook.create_sheet(title)
        for row in extra_rows:
            extra.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(xlsx: bytes, member: str, change) -> bytes:
    """Return the workbook with one zip member's text passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, data)
    return out.getvalue()


def rename_member(xlsx: bytes, old: str, new: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(new if info.filename == old else info.filename,
                            source.read(info.filename))
    return out.getvalue()


def declare_dimension(xlsx: bytes, ref: str) -> bytes:
    return rewrite_member(xlsx, "xl/worksheets/sheet1.xml",
                          lambda xml: re.sub(r'<dimension ref="[^"]*"/>',
                                             f'<dimension ref="{ref}"/>', xml))


def with_shared_strings(xlsx: bytes, strings: list[str], rows: int, columns: int) -> bytes:
    """Return the workbook with its sheet replaced by ``rows`` x ``columns`` cells that all
    point into a shared-strings table of ``strings`` (openpyxl writes inline strings)."""
    letters = [chr(65 + n) for n in range(columns)]
    cells = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>{r % len(strings)}</v></c>'
                                              for c in letters) + "</row>"
                    for r in range(1, rows + 1))
    table = "".join(f"<si><t>{text}</t></si>" for text in strings)
    out = rewrite_member(xlsx, "xl/worksheets/sheet1.xml",
                         lambda xml: re.sub(r"<sheetData>.*</sheetData>|<sheetData ?/>",
                                            f"<sheetData>{cells}</sheetData>", xml, flags=re.S))
    out = rewrite_member(out, "xl/_rels/workbook.xml.rels", lambda xml: xml.replace(
        "</Relationships>", '<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        "</Relationships>"))
    out = rewrite_member(out, "[Content_Types].xml", lambda xml: xml.replace(
        "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    buffer = io.BytesIO(out)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst '
                         'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         f"{table}</sst>")
    return buffer.getvalue()
