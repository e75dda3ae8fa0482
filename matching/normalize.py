"""Normalise addresses, sexes and dates into comparable forms (names: ``mxnames``).

Every function is pure and cheap.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from mxnames.sex import HM, read_sex
from mxnames.states import resolve_state
from mxnames.text import ACCENT_TABLE, fold

_ADDRESS_JUNK = re.compile(r"[^a-zñ0-9 ]+")


def normalize_address(text: str) -> str:
    """Return an address lower-cased, accent-free, with digits kept."""
    return " ".join(_ADDRESS_JUNK.sub(" ", fold(text)).split())


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ACCENT_CHARS = {chr(k): chr(v) for k, v in ACCENT_TABLE.items()}
_ADDRESS_JUNK_LINES = re.compile(r"[^a-zñ0-9 \n]+")


def _unaccent(match: re.Match) -> str:
    return _ACCENT_CHARS.get(match.group(), match.group())


def normalize_addresses(texts: list[str]) -> list[str]:
    """Return :func:`normalize_address` of every text, for a whole column at once.

    Addresses hardly repeat, so no cache helps; the column is folded and
    cleaned as one joined string instead, and only the rare value with a
    letter outside the accent table is folded on its own.
    """
    joined = "\n".join(texts)
    if not texts or joined.count("\n") != len(texts) - 1:  # a value holds a line break
        return [normalize_address(text) for text in texts]
    # Same as str.translate(ACCENT_TABLE), faster on long text that is mostly ASCII.
    lowered = _NON_ASCII.sub(_unaccent, joined).lower()
    if not lowered.isascii():
        lowered = "\n".join(
            line if line.isascii() or line.replace("ñ", "").isascii() else fold(text)
            for line, text in zip(lowered.split("\n"), texts, strict=True)
        )
    return [" ".join(line.split()) for line in _ADDRESS_JUNK_LINES.sub(" ", lowered).split("\n")]


def normalize_state(text: str) -> str:
    """Return a state's INEGI code ("JAL", "Jalisco", "14" -> "14"), else the folded text."""
    return resolve_state(text) or fold(text.strip()) if text else ""


def normalize_municipality(text: str) -> str:
    """Return a municipality folded, without the state a clerk added ("Zapopan, Jal.")."""
    return fold(text.split(",", 1)[0].strip()) if text else ""


def normalize_sex(text: str, convention: str = HM) -> str:
    """Return ``"H"``, ``"M"`` or ``""`` (unknown, non-binary or not a sex).

    The letter M reads as *mujer* (the registry's convention, as in the CURP)
    unless ``convention`` is ``"MF"``: a file's convention is detected before
    its values reach the core (``mxnames.sex``, the command line's per-file
    ``--sex-codes``).
    """
    code = read_sex(text, convention)
    return code if code in ("H", "M") else ""


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y")


def parse_date(text: str | datetime.date | None) -> datetime.date | None:
    """Return a date from ISO (also with a time), ``dd/mm/aaaa``, ``aaaammdd``, an Excel
    serial number and a few other forms."""
    if text is None:
        return None
    if isinstance(text, datetime.date):
        return text
    return _parse_date_text(text)


# Excel's day 0 (its 1900 date system, the default; day 60 is its fictitious 29 Feb 1900).
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_NOT_DIGIT = re.compile(r"\D")


@lru_cache(maxsize=100_000)
def _parse_date_text(text: str) -> datetime.date | None:
    # Cached: a registry holds a few tens of thousands of distinct dates.
    value = text.strip()
    if not value:
        return None
    if len(value) > 10 and value[10] in " T" and value[4] == "-":
        value = value[:10]  # a spreadsheet's timestamp: "1990-04-03 00:00:00"
    if _EXCEL_SERIAL.match(value):
        # A date column exported from Excel as numbers: five digits are days since
        # 1899-12-30 (1927 to 2173); no other date form has five digits.
        return _EXCEL_EPOCH + datetime.timedelta(days=int(float(value)))
    # Fast paths for the forms nearly every file uses; strptime is slow.
    try:
        if len(value) == 10 and value[4] == "-":
            return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        if len(value) == 10 and value[2] in "/-." and value[5] == value[2]:
            return datetime.date(int(value[6:]), int(value[3:5]), int(value[:2]))
        if len(value) == 8 and value.isdigit():
            return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        parts = _DAY_MONTH_YEAR.match(value)  # d/m/aaaa, dd-m-aaaa ...
        if parts:
            day, month, year = parts.groups()
            return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def date_to_int(date: datetime.date | None) -> int:
    """Return ``yyyymmdd`` as an int, or 0 for a missing date."""
    return 0 if date is None else date.year * 10000 + date.month * 100 + date.day


@lru_cache(maxsize=100_000)
def parse_date_int(text: str) -> int:
    """Return ``yyyymmdd`` as an int, also for impossible dates written as digits.

    Why: FEBRL-style data contains typos such as 19870231 that are still
    evidence; parsing them to None would throw the evidence away.
    """
    value = (text or "").strip()
    date = parse_date(value)
    if date is not None:
        return date_to_int(date)
    digits = _NOT_DIGIT.sub("", value)
    if len(digits) == 8 and digits.startswith(("19", "20", "18")):
        return int(digits)
    return 0
