"""Spreadsheet cells: what may go out into a CSV or XLSX, and what may come in.

The one home of cell safety, used by every tabular output (open data, statistics,
NGO exports, import error reports, rejected rows) and by every way text comes in
(imports, staff corrections). Plain Python; the ground floor, so that every app can
import it.

Out (``neutralise`` / ``unneutralise``, reversible exactly):
  A value whose first non-blank character is ``=``, ``+``, ``-`` or ``@`` — or that
  starts with a tab, CR, LF or NUL — would run as a formula in Excel or LibreOffice
  (a CSV reader may trim the blanks first). It gets a leading apostrophe, and so does a
  value that already starts with one, so removing exactly one leading apostrophe
  always gives the original back.

Out, XLSX only (``xlsx_encode_parts`` / ``xlsx_decode_parts``):
  XML 1.0 cannot carry most control characters (openpyxl raises
  ``IllegalCharacterError``) and turns CR into LF; they are written with the OOXML
  escape ``_xHHHH_`` that Excel itself decodes, and a literal ``_x`` as ``_x005F_x``.
  Text longer than Excel's cell limit (32,767 UTF-16 units) is split in parts.

In (``formula_problem``, ``control_character``):
  The same rule for every format and every writer: a cell is judged *after* it is
  trimmed (the stored value is the trimmed one), so a leading tab, CR or space does
  not smuggle ``=HYPERLINK(…)`` in; a control character other than tab, LF and CR is
  refused wherever it comes from (CSV, an XLSX cell written ``_x0007_``, JSON).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@")
# What makes a written cell dangerous: a formula start, or a character a spreadsheet
# skips or splits on before looking for one.
FORMULA_TRIGGERS = (*FORMULA_STARTS, "\t", "\r", "\n", "\0")
NEUTRALISER = "'"
XLSX_CELL_LIMIT = 32_767

# A number such as -5 or +52 1234 is data, not a formula.
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# C0 controls but tab, LF and CR; and DEL. Never part of a name, a place or a note.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- Out ---------------------------------------------------------------------------------

def neutralise(text: str) -> str:
    """Return ``text`` safe from formula injection; ``unneutralise`` reverses it exactly."""
    if text.startswith((*FORMULA_TRIGGERS, NEUTRALISER)) or (
            text[:1].isspace() and text.lstrip().startswith(FORMULA_TRIGGERS)):
        return NEUTRALISER + text
    return text


def unneutralise(text: str) -> str:
    return text[1:] if text.startswith(NEUTRALISER) else text


def neutralise_row(values: Iterable[object]) -> list[str]:
    """Return a row of any values as neutralised text (``None`` as empty)."""
    return [neutralise("" if value is None else str(value)) for value in values]


# Characters XML 1.0 cannot carry, plus CR (XML parsers turn it into LF).
_XML_UNSAFE_CHARS = frozenset(
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n"] + ["\ufffe", "\uffff"])
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _token(source: str, index: int) -> str:
    char = source[index]
    if char in _XML_UNSAFE_CHARS:
        return f"_x{ord(char):04X}_"
    if char == "_" and source[index + 1:index + 2] == "x":
        return "_x005F_"  # a literal "_x" that Excel must not decode
    return char


def xlsx_encode_parts(text: str, limit: int = XLSX_CELL_LIMIT) -> list[str]:
    """Return the cell text(s) to write for ``text``: neutralised, OOXML-escaped, split.

    Parts never cut an escape in half and each stays within Excel's cell limit
    (counted in UTF-16 units, as Excel counts).
    """
    source = neutralise(text)
    if len(source) <= limit // 2 and not _NEEDS_ESCAPE.search(source):
        return [source]  # the common case, without a loop over characters
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for index, char in enumerate(source):
        token = _token(source, index)
        width = len(token) + (1 if ord(char) > 0xFFFF else 0)
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(token)
        size += width
    parts.append("".join(current))
    return parts


def xlsx_cell(value: object) -> str:
    """Return one cell's text for a report sheet: neutralised and escaped, never split
    (report cells come from imported cells, far below the cell limit)."""
    return "".join(xlsx_encode_parts("" if value is None else str(value)))


def xlsx_decode_parts(parts: Iterable[str]) -> str:
    """Return the original text from the stored cell parts, as Excel reads them."""
    decoded = "".join(_OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), part)
                      for part in parts)
    return unneutralise(decoded)


# --- In ----------------------------------------------------------------------------------

def formula_start(text: str) -> str | None:
    """Return the formula character a trimmed cell starts with (``None`` if it does not,
    or if the cell is a number such as ``-5``)."""
    trimmed = text.strip()
    if trimmed[:1] in FORMULA_STARTS and not _NUMBER.match(trimmed):
        return trimmed[0]
    return None


def control_character(text: str) -> str | None:
    """Return the first control character in ``text`` (tab, LF and CR are text), or None."""
    found = CONTROL_CHARACTERS.search(text)
    return found.group() if found else None
