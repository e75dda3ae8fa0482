"""Look at a workbook's XML as bytes before any parser does: layout, safety, size.

python-calamine reads a sheet about ten times faster than openpyxl, but it is not a
streaming reader: it builds the whole sheet in memory as a dense rectangle (rows x
columns x 32 bytes, whatever the cells hold) and copies a shared string into every
cell that uses it. A few kilobytes of crafted XML (one cell at ZZ200000, or 120,000
cells pointing at one 10,000-character string) then cost gigabytes. So the reader is
chosen here, from one streaming pass over the sheet's XML: calamine only when the
memory it will need is known to stay under ``IMPORT_XLSX_CALAMINE_MAX_BYTES`` and the
sheet holds nothing calamine reads differently from openpyxl; openpyxl (read-only,
constant memory) otherwise. The same pass refuses DTDs and entity declarations,
which calamine's parser would silently ignore.

Bytes are read through ``zipfile``, which never inflates a member past its declared
size (checked by ``readers.check_zip_container``) and verifies its CRC; calamine's zip
reader refuses a member larger than declared ("File is larger than its declared
uncompressed size", tried on 0.9.1), so both see at most what was scanned.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

CHUNK_BYTES = 1 << 20
# Memory calamine needs, measured on 0.9.1 (bench/imports/RESULTS.md): the dense range
# holds 32 bytes a cell; while it is built each present cell also costs ~40 bytes.
DENSE_CELL_BYTES = 32
PRESENT_CELL_BYTES = 48
DEFAULT_CALAMINE_MAX_BYTES = 256 * 1024 * 1024
_NEVER_FITS = 1 << 62

_DECLARATION = re.compile(rb"<!DOCTYPE|<!ENTITY")
# Cells as Excel, LibreOffice and openpyxl write them: the reference first.
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
_ROW_NUMBER = re.compile(rb'<row r="(\d{1,7})"')
# What calamine 0.9 reads differently from openpyxl: an error value (t="e": #DIV/0!
# becomes an empty cell), an integer beyond a double's precision (rounded; openpyxl
# keeps it exact) and an entity reference inside a value (calamine empties the cell,
# openpyxl's parser refuses the file). Two searches: one alternation is 30x slower.
_ERROR_TYPE = b't="e"'
_VALUE_DIFFERS = re.compile(rb"<v>(?:-?\d{16}|[^<]*&)")
_WORKBOOK_PR = re.compile(rb"<workbookPr\b[^>]*>")
_DATE1904 = re.compile(rb'\bdate1904="(?:1|true)"')


class XmlDeclarationFound(Exception):
    """A member declares a DTD or an entity: the workbook must be refused."""


@dataclass(frozen=True)
class WorkbookLayout:
    sheet_names: list[str]
    sheet_members: dict[str, str]  # sheet name -> zip member of its XML
    date1904: bool
    longest_shared_string: int  # bytes of the longest <si> element


@dataclass
class SheetScan:
    max_row: int = 0
    max_column: int = 0
    cells: int = 0
    cell_tags: int = 0
    shared_refs: int = 0
    has_inline_text: bool = False
    differs: bool = False
    unreadable: bool = False

    def calamine_bytes(self, *, xml_bytes: int, longest_shared_string: int) -> int:
        """Return an upper estimate of what calamine allocates for this sheet."""
        strings = (xml_bytes if self.has_inline_text else 0) \
            + self.shared_refs * longest_shared_string
        return (self.max_row * self.max_column * DENSE_CELL_BYTES
                + self.cells * PRESENT_CELL_BYTES + strings)


def read_layout(archive: zipfile.ZipFile) -> WorkbookLayout:
    """Refuse DTDs in every small XML part; return the sheets, the epoch, the strings.

    1. Every member but the worksheets is scanned for ``<!DOCTYPE`` / ``<!ENTITY``.
    2. ``xl/workbook.xml`` and its relationships give each sheet's member and the
       1904 flag; ``xl/sharedStrings.xml`` its longest string.
    """
    import defusedxml.ElementTree as SafeTree

    for info in archive.infolist():
        if not (_is_worksheet(info.filename) or info.is_dir()):
            _scan_part(archive, info.filename)
    workbook = archive.read("xl/workbook.xml")
    rels = _relationships(archive, "xl/_rels/workbook.xml.rels", SafeTree)
    # The table named by the relationships, and any at the usual name a reader may
    # open without asking them: the estimate must cover whichever is used.
    tables = {_member(target) for target, kind in rels.values()
              if kind.endswith("/sharedStrings")}
    tables |= {name for name in archive.namelist() if name.lower().endswith("sharedstrings.xml")}
    longest = max((_scan_part(archive, name, shared=True) for name in tables
                   if name in archive.NameToInfo), default=0)
    names, members = [], {}
    for sheet in SafeTree.fromstring(workbook).iter(_main("sheet")):
        name = sheet.get("name", "")
        target, _ = rels.get(sheet.get(_rel("id"), ""), ("", ""))
        names.append(name)
        members[name] = _member(target)
    flags = _WORKBOOK_PR.search(workbook)
    return WorkbookLayout(sheet_names=names, sheet_members=members,
                          date1904=bool(flags and _DATE1904.search(flags.group())),
                          longest_shared_string=longest)


def scan_sheet(archive: zipfile.ZipFile, member: str) -> SheetScan:
    """Measure a sheet in one streaming pass: extent, cells, shared strings, oddities."""
    scan = SheetScan()
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            buffer = tail + chunk
            cut = buffer.rfind(b"<")
            if cut <= 0 and len(buffer) > CHUNK_BYTES:
                scan.unreadable = True  # a megabyte without a tag: leave it to openpyxl
                return scan
            # Cut before the last tag so that no tag is split between two chunks.
            buffer, tail = buffer[:cut], buffer[cut:]
            _scan_chunk(buffer, scan)
    _scan_chunk(tail, scan)
    return scan


def _scan_chunk(buffer: bytes, scan: SheetScan) -> None:
    if _DECLARATION.search(buffer):
        raise XmlDeclarationFound
    refs = _CELL_REF.findall(buffer)
    if refs:
        scan.cells += len(refs)
        scan.max_row = max(scan.max_row, max(map(int, map(itemgetter(1), refs))))
        scan.max_column = max(scan.max_column,
                              max(map(column_number, set(map(itemgetter(0), refs)))))
    rows = _ROW_NUMBER.findall(buffer)
    if rows:
        scan.max_row = max(scan.max_row, max(map(int, rows)))
    scan.cell_tags += buffer.count(b"<c ") + buffer.count(b"<c>")
    scan.shared_refs += buffer.count(b't="s"')
    # Text held in the sheet itself (inline strings, formula strings, ISO dates).
    scan.has_inline_text = scan.has_inline_text or b't="inlineStr"' in buffer \
        or b't="str"' in buffer or b't="d"' in buffer
    scan.differs = scan.differs or _ERROR_TYPE in buffer \
        or bool(_VALUE_DIFFERS.search(buffer))


def column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _is_worksheet(name: str) -> bool:
    # The sheets are scanned one at a time (scan_sheet), and only the one to be read.
    return name.startswith("xl/worksheets/") and "/_rels/" not in name


def _member(target: str) -> str:
    """Return the zip member a workbook relationship's target names."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _scan_part(archive: zipfile.ZipFile, name: str, *, shared: bool = False) -> int:
    """Refuse a declaration in one member; if ``shared``, return its longest ``<si>``."""
    longest, tail = 0, b""
    with archive.open(name) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            buffer = tail + chunk
            if _DECLARATION.search(buffer):
                raise XmlDeclarationFound
            if not shared:
                tail = buffer[-16:]
                continue
            # The part after the last <si> may continue in the next chunk.
            *whole, tail = buffer.split(b"<si>")
            longest = max(longest, max(map(len, whole), default=0), len(tail))
            if len(tail) > 4 * CHUNK_BYTES:  # no <si> (a prefixed namespace?): never fits
                longest, shared, tail = _NEVER_FITS, False, tail[-16:]
    return longest


def _relationships(archive: zipfile.ZipFile, name: str, tree) -> dict[str, tuple[str, str]]:
    """Return each relationship's id -> (target, type)."""
    ns = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
    return {rel.get("Id", ""): (rel.get("Target", ""), rel.get("Type", ""))
            for rel in tree.fromstring(archive.read(name)).iter(ns)}


def _main(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}" + tag


def _rel(attribute: str) -> str:
    return "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}" + attribute


def calamine_fits(path: Path, member: str, layout: WorkbookLayout, *, budget: int) -> bool:
    """Return whether calamine may read ``member`` within ``budget`` bytes, reading it
    as openpyxl would. Raise XmlDeclarationFound for a DTD in the sheet."""
    with zipfile.ZipFile(path) as archive:
        try:
            xml_bytes = archive.getinfo(member).file_size
        except KeyError:
            return False
        if xml_bytes > budget:  # a sheet whose XML alone exceeds the budget never fits
            return False
        scan = scan_sheet(archive, member)
    if scan.unreadable or scan.differs or scan.cells != scan.cell_tags:
        return False
    return scan.calamine_bytes(xml_bytes=xml_bytes,
                               longest_shared_string=layout.longest_shared_string) <= budget

