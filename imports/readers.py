"""Open an agency's file safely and stream its rows: sniff the bytes, detect the encoding.

The file is judged by its bytes, never by its name alone: an XLSX must be a zip
holding a workbook (and no macros), a CSV must decode strictly as UTF-8 (with or
without BOM), UTF-16 with BOM or Windows-1252. Anything else is refused with a
message in Spanish (``ImportFileError``) before a single row is read.

Decoding never uses a fallback that cannot fail (``latin-1``, ``errors="replace"``):
that would silently corrupt names.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils.translation import gettext as _

from imports import xlsx_scan
from imports.pfif import PfifError, pfif_rows
from imports.xlsx_scan import XmlDeclarationFound, calamine_fits

CHUNK_BYTES = 1 << 20
SNIFF_CHARS = 64 * 1024
CSV_DELIMITERS = (",", ";", "\t")
# No text holds a NUL (and PostgreSQL cannot store one): a file with one is refused
# whole, whatever its format. Other control characters are judged cell by cell, the
# same for CSV, XLSX and JSON: the row is rejected (imports/validation.py).
_NUL = "\x00"
DEFAULT_MAX_COLUMNS = 500

_MAGIC_REFUSED = {
    b"\xd0\xcf\x11\xe0": "ole",  # .xls (BIFF) or an encrypted workbook
    b"%PDF": "pdf",
    b"\x1f\x8b": "gzip",
    b"\x89PNG": "image",
    b"\xff\xd8\xff": "image",
    b"\x7fELF": "binary",
    b"MZ": "binary",
    b"Rar!": "binary",
    b"7z\xbc\xaf": "binary",
}


class ImportFileError(Exception):
    """The file as a whole cannot be imported; ``message`` says why, in Spanish."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_columns() -> int:
    """Return the most filled cells a row may have (its header row included: so also
    the most columns a file may have). Empty cells beyond the header are not stored."""
    return limit("IMPORT_MAX_COLUMNS", DEFAULT_MAX_COLUMNS)


def _check_width(number: int, cells: list[Any], widest: int) -> None:
    filled = sum(1 for cell in cells if cell is not None and cell != "")
    if filled > widest:
        raise too_many_columns(number, filled, widest)


def too_many_columns(row: int, count: int, maximum: int) -> ImportFileError:
    return ImportFileError(_(
        "Fila %(row)s: tiene %(count)s columnas con datos; el máximo es %(max)s. Quite las "
        "columnas que sobran o divida el archivo.") % {"row": row, "count": count, "max": maximum})


def nul_in_cell(row: int) -> ImportFileError:
    return ImportFileError(_("Fila %(row)s: una celda contiene el carácter nulo (NUL), que "
                             "ningún texto lleva; corrija el archivo.") % {"row": row})


@dataclass
class TabularSource:
    """Rows of one sheet (or CSV), numbered as a spreadsheet shows them (from 1)."""

    kind: str  # "csv" or "xlsx"
    reader: str = ""  # which library read a workbook: "calamine" or "openpyxl"
    encoding: str = ""
    sheet: str = ""
    delimiter: str = ""
    date_epoch: dt.datetime | None = None
    _rows: Iterator[tuple[int, list[Any]]] | None = field(default=None, repr=False)
    _close: Any = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        assert self._rows is not None
        return self._rows

    def close(self) -> None:
        if self._close is not None:
            self._close()


def open_source(path: Path, *, file_name: str, sheet: str = "") -> TabularSource:
    """Check ``path`` and return a streaming source of its rows, or raise ImportFileError.

    1. Size: not empty, not over ``IMPORT_MAX_FILE_BYTES``.
    2. Extension: .csv, .txt, .tsv or .xlsx (.xls and .xlsm are refused).
    3. Bytes: the magic number must agree with the extension.
    4. CSV: encoding and delimiter detection; XLSX: zip-bomb checks, then streaming.
    """
    size = path.stat().st_size
    if size == 0:
        raise ImportFileError(_("El archivo está vacío."))
    max_bytes = limit("IMPORT_MAX_FILE_BYTES", 200 * 1024 * 1024)
    if size > max_bytes:
        raise ImportFileError(
            _("El archivo pesa %(size)s bytes; el máximo permitido es %(max)s bytes.")
            % {"size": size, "max": max_bytes})
    extension = Path(file_name).suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(8)
    is_zip = head.startswith(b"PK\x03\x04")
    if extension == ".xlsm":
        raise ImportFileError(_("Los libros con macros (.xlsm) no se aceptan; guarde el "
                                "archivo como .xlsx."))
    if extension == ".xls":
        raise ImportFileError(_("El formato .xls antiguo no se acepta; guarde el archivo "
                                "como .xlsx o .csv."))
    for magic, what in _MAGIC_REFUSED.items():
        if head.startswith(magic):
            if what == "ole":
                raise ImportFileError(_("El archivo es un libro de Excel antiguo (.xls) o "
                                        "cifrado; guárdelo como .xlsx sin contraseña."))
            raise ImportFileError(_("El contenido del archivo no es una hoja de cálculo ni "
                                    "un texto CSV."))
    if extension == ".xlsx":
        if not is_zip:
            raise ImportFileError(_("El archivo se llama .xlsx pero su contenido no es un "
                                    "libro de Excel."))
        return _open_xlsx(path, sheet=sheet)
    if extension == ".xml":
        if is_zip:
            raise ImportFileError(_("El archivo se llama .xml pero su contenido es un "
                                    "archivo comprimido."))
        return _open_pfif(path)
    if extension in (".csv", ".txt", ".tsv"):
        if is_zip:
            raise ImportFileError(_("El archivo se llama %(ext)s pero su contenido es un "
                                    "archivo comprimido (¿un .xlsx renombrado?).")
                                  % {"ext": extension})
        return _open_csv(path)
    raise ImportFileError(_("Extensión «%(ext)s» no admitida: use .csv, .xlsx o .xml (PFIF).")
                          % {"ext": extension or "—"})


# --- CSV ---------------------------------------------------------------------------------

def detect_encoding(path: Path) -> str:
    """Return the Python codec of a text file: BOM, then strict UTF-8, then strict cp1252.

    The whole file is decoded (streaming) so that a bad byte near the end is found
    before any row is stored. Control characters mean binary data and are refused.
    """
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        if b"\x00" in head:
            raise ImportFileError(_("El archivo contiene datos binarios: no es un texto CSV."))
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        if _decodes_strictly(path, encoding):
            return encoding
    raise ImportFileError(_("No se reconoce la codificación del archivo: guárdelo como "
                            "UTF-8 (o Windows-1252)."))


def _decodes_strictly(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(CHUNK_BYTES):
                text = decoder.decode(chunk)
                if _NUL in text:
                    raise ImportFileError(_("El archivo contiene datos binarios (el carácter "
                                            "nulo): no es un texto CSV."))
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def detect_delimiter(sample: str) -> str:
    """Return the delimiter (``,`` ``;`` or tab) that splits the sample most consistently."""
    best, best_score = ",", -1
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line in half
    text = "".join(lines)
    for delimiter in CSV_DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(text.splitlines(), delimiter=delimiter)
                      if any(cell.strip() for cell in row)]
        except csv.Error:
            continue
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = widths.count(common) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _open_csv(path: Path) -> TabularSource:
    encoding = detect_encoding(path)
    max_cell = limit("IMPORT_MAX_CELL_CHARS", 10_000)
    with path.open(encoding=encoding, newline="") as handle:
        sample = handle.read(SNIFF_CHARS)
    if not sample.strip():
        raise ImportFileError(_("El archivo está vacío."))
    delimiter = detect_delimiter(sample)
    handle = path.open(encoding=encoding, newline="")
    # The csv module refuses (csv.Error) any field longer than this: the caller turns
    # that into a clear message instead of reading a 100,000-character "name".
    csv.field_size_limit(max_cell)

    widest = max_columns()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(handle, delimiter=delimiter)
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                if len(row) > widest:
                    _check_width(number, row, widest)
                yield number, row
        except csv.Error as exc:
            raise ImportFileError(
                _("Fila %(row)s: una celda supera el máximo de %(max)s caracteres o el "
                  "texto entre comillas no está cerrado.") % {"row": number + 1, "max": max_cell}
            ) from exc
        finally:
            handle.close()

    return TabularSource(kind="csv", encoding=encoding, delimiter=delimiter, _rows=rows(),
                         _close=handle.close)


# --- PFIF (XML) --------------------------------------------------------------------------

def _open_pfif(path: Path) -> TabularSource:
    """Persons and notes of a PFIF document as rows (``imports.pfif``), checked like
    any sheet's (cell length, columns)."""
    max_cell = limit("IMPORT_MAX_CELL_CHARS", 10_000)
    widest = max_columns()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in pfif_rows(path):
                _check_cells(number, cells, max_cell, widest)
                yield number, cells
        except PfifError as exc:
            raise ImportFileError(exc.message) from exc

    return TabularSource(kind="pfif", encoding="utf-8", _rows=rows())


# --- XLSX --------------------------------------------------------------------------------

def check_zip_container(path: Path) -> None:
    """Refuse zip bombs and non-workbooks before any XML reader (none has a cap) sees them.

    Declared uncompressed sizes bound what ``zipfile`` will ever inflate, so checking
    them (total, per-member ratio, member count) bounds the work of parsing.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(_("El archivo .xlsx está dañado o no es un libro de Excel.")) \
            from exc
    if len(members) > limit("IMPORT_XLSX_MAX_MEMBERS", 500):
        raise ImportFileError(_("El libro contiene demasiados componentes internos."))
    total = sum(member.file_size for member in members)
    if total > limit("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024 * 1024):
        raise ImportFileError(_("El libro se expande a un tamaño excesivo al descomprimirse "
                                "(posible bomba zip)."))
    max_ratio = limit("IMPORT_XLSX_MAX_RATIO", 200)
    for member in members:
        big = member.file_size > 1024 * 1024
        if big and (member.compress_size == 0
                    or member.file_size / member.compress_size > max_ratio):
            raise ImportFileError(_("Un componente del libro tiene una tasa de compresión "
                                    "anómala (posible bomba zip)."))
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("El archivo es un .zip pero no contiene un libro de Excel."))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ImportFileError(_("Los libros con macros (.xlsm) no se aceptan; guarde el "
                                "archivo como .xlsx."))


def _caused_by(exc: BaseException | None, kind: type) -> bool:
    while exc is not None:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _xml_refused(exc: Exception) -> ImportFileError:
    return ImportFileError(_("El libro contiene XML no permitido (entidades o DTD); no se "
                             "procesó. Vuelva a guardarlo desde Excel como .xlsx."))


def _open_xlsx(path: Path, *, sheet: str) -> TabularSource:
    """Check the container and the XML declarations, then open the sheet with the
    faster reader that is safe for it (``xlsx_scan`` says which and why)."""
    check_zip_container(path)
    layout = _read_layout(path)
    names = layout.sheet_names
    if not names:  # a layout this scan does not know (Strict OOXML?): openpyxl judges
        return _open_with_openpyxl(path, sheet)
    _check_sheet_name(sheet, names)
    name = sheet or names[0]
    budget = limit("IMPORT_XLSX_CALAMINE_MAX_BYTES", xlsx_scan.DEFAULT_CALAMINE_MAX_BYTES)
    try:
        fits = calamine_fits(path, layout.sheet_members.get(name, ""), layout, budget=budget)
    except XmlDeclarationFound as exc:
        raise _xml_refused(exc) from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # CRC or inflate error
        raise ImportFileError(_("El archivo .xlsx está dañado o no es un libro de Excel.")) \
            from exc
    if fits:
        with contextlib.suppress(CalamineUnreadable):
            return _open_with_calamine(path, name, date1904=layout.date1904)
    return _open_with_openpyxl(path, sheet)


def _read_layout(path: Path) -> xlsx_scan.WorkbookLayout:
    from defusedxml.common import DefusedXmlException

    try:
        with zipfile.ZipFile(path) as archive:
            return xlsx_scan.read_layout(archive)
    except (XmlDeclarationFound, DefusedXmlException) as exc:
        raise _xml_refused(exc) from exc
    except (ParseError, KeyError) as exc:
        raise ImportFileError(_("El libro tiene XML dañado; no se procesó.")) from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileError(_("El archivo .xlsx está dañado o no es un libro de Excel.")) \
            from exc


class CalamineUnreadable(Exception):
    """python-calamine could not read the workbook; openpyxl will say why."""


def _check_sheet_name(sheet: str, names: list[str]) -> None:
    if sheet and sheet not in names:
        raise ImportFileError(_("El libro no tiene la hoja «%(sheet)s»; hojas: %(names)s.")
                              % {"sheet": sheet, "names": ", ".join(names)})


def _cell_too_long(number: int, value: str, max_cell: int) -> ImportFileError:
    return ImportFileError(_("Fila %(row)s: una celda tiene %(len)s caracteres; el máximo es "
                             "%(max)s.") % {"row": number, "len": len(value), "max": max_cell})


def _check_cells(number: int, cells: list[Any], max_cell: int, widest: int) -> None:
    """Refuse the workbook for a row wider than the limit, a cell longer than the limit,
    or a NUL (the same rules as a CSV's)."""
    if len(cells) > widest:
        _check_width(number, cells, widest)
    for value in cells:
        if isinstance(value, str) and (len(value) > max_cell or _NUL in value):
            if _NUL in value:
                raise nul_in_cell(number)
            raise _cell_too_long(number, value, max_cell)


def _without_trailing_blanks(cells: list[Any]) -> list[Any]:
    # Both readers give a row up to its last non-empty cell: openpyxl would also give
    # formatted empty cells, calamine pads every row to the sheet's width; either
    # would add unnamed empty columns to the stored raw values.
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return cells if end == len(cells) else cells[:end]


def _open_with_calamine(path: Path, name: str, *, date1904: bool) -> TabularSource:
    import python_calamine
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        # The whole sheet is parsed here, within the budget xlsx_scan checked.
        worksheet = workbook.get_sheet_by_name(name)
    except python_calamine.CalamineError as exc:
        # openpyxl, the reference, judges the file (it may read what calamine cannot,
        # e.g. shared strings found through [Content_Types].xml, not at their usual name).
        raise CalamineUnreadable from exc
    # iter_rows() starts at row 1 but at the first used column: put the others back.
    start = worksheet.start
    leading = [None] * (start[1] if start else 0)
    max_cell = limit("IMPORT_MAX_CELL_CHARS", 10_000)
    widest = max_columns()

    def close() -> None:
        with contextlib.suppress(python_calamine.WorkbookClosed):
            workbook.close()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(worksheet.iter_rows(), start=1):
                # calamine gives "" for an empty cell, openpyxl None.
                cells = _without_trailing_blanks(leading + [None if value == "" else value
                                                            for value in values])
                _check_cells(number, cells, max_cell, widest)
                yield number, cells
        finally:
            close()

    return TabularSource(kind="xlsx", reader="calamine", sheet=name,
                         date_epoch=CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900,
                         _rows=rows(), _close=close)


def _open_with_openpyxl(path: Path, sheet: str) -> TabularSource:
    import openpyxl
    from defusedxml.common import DefusedXmlException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True,
                                          keep_links=False)
    except DefusedXmlException as exc:
        raise _xml_refused(exc) from exc
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        if _caused_by(exc, DefusedXmlException):  # openpyxl wraps it in a ValueError
            raise _xml_refused(exc) from exc
        raise ImportFileError(_("No se pudo abrir el libro: %(error)s")
                              % {"error": type(exc).__name__}) from exc
    try:
        _check_sheet_name(sheet, workbook.sheetnames)
    except ImportFileError:
        workbook.close()
        raise
    worksheet = workbook[sheet or workbook.sheetnames[0]]
    # Read-only mode trusts the declared <dimension>, which exporters often get wrong:
    # without this, rows beyond it are silently dropped.
    worksheet.reset_dimensions()
    max_cell = limit("IMPORT_MAX_CELL_CHARS", 10_000)
    widest = max_columns()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                cells = _without_trailing_blanks(list(values))
                _check_cells(number, cells, max_cell, widest)
                yield number, cells
        except DefusedXmlException as exc:
            raise _xml_refused(exc) from exc
        except (ParseError, ValueError, KeyError) as exc:
            if _caused_by(exc, DefusedXmlException):
                raise _xml_refused(exc) from exc
            raise ImportFileError(_("El libro tiene XML dañado; no se procesó.")) from exc
        finally:
            workbook.close()

    return TabularSource(kind="xlsx", reader="openpyxl", sheet=worksheet.title,
                         date_epoch=workbook.epoch,
                         _rows=rows(), _close=workbook.close)
