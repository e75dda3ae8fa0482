"""Turn one row of cells into normalised record values, with its errors and warnings.

An error rejects the row (it is kept as a ``RejectedRow``); a warning keeps the
row and is reported. Nothing is guessed: an ambiguous date is reported and left
empty (the value as given stays in the raw values), never silently resolved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from imports.curp import curp_problem
from imports.mapping import ColumnPlan
from registry.catalogue import resolve_municipality, resolve_state
from registry.models import Sex
from registry.text import search_key

TEXT_LIMITS = {
    "external_id": 128, "given_names": 200, "paternal_surname": 120, "maternal_surname": 120,
    "aliases": 300, "nationality": 60, "place": 300, "authority": 200, "facility": 200,
    "reason": 300, "address": 5000, "description": 5000, "reporter_name": 200,
    "reporter_contact": 200,
}
DATE_FIELDS = ("birth_date", "event_date")

_SEX_CODES = {
    # RENAPO's convention (CURP): H = hombre, M = mujer.
    "h": Sex.MALE, "hombre": Sex.MALE, "masculino": Sex.MALE, "masc": Sex.MALE,
    "varon": Sex.MALE, "male": Sex.MALE, "man": Sex.MALE,
    "m": Sex.FEMALE, "f": Sex.FEMALE, "mujer": Sex.FEMALE, "femenino": Sex.FEMALE,
    "fem": Sex.FEMALE, "female": Sex.FEMALE, "woman": Sex.FEMALE,
    "x": Sex.OTHER, "no binario": Sex.OTHER, "otro": Sex.OTHER, "other": Sex.OTHER,
    "no especificado": Sex.UNKNOWN, "se ignora": Sex.UNKNOWN, "sin dato": Sex.UNKNOWN,
    "desconocido": Sex.UNKNOWN, "na": Sex.UNKNOWN, "n a": Sex.UNKNOWN, "nd": Sex.UNKNOWN,
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY_SHORT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.0+)?$")
_AGE = re.compile(r"^(\d{1,3})(?:[.,]0+)?(?:\s*a[ñn]os?)?$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# UTF-8 read as Windows-1252 leaves these pairs behind: "JosÃ©", "â€œ".
_MOJIBAKE = re.compile(r"Ã[\u0080-\u00bf\u0152-\u0192\u2018-\u203a]|â€|Â[\u00a0-\u00bf]")
_FORMULA_START = ("=", "+", "-", "@")
_SUSPECT = re.compile(r"(?:^|\x1f)[=+\-@#]|Ã|â€|Â")
# What a formula's cached value looks like when Excel could not compute it.
_EXCEL_ERROR = re.compile(r"^#(?:N/A|VALUE!|REF!|DIV/0!|NUM!|NAME\?|NULL!|SPILL!|CALC!)$")

EARLIEST_PLAUSIBLE = dt.date(1900, 1, 1)
EVENT_EARLIEST_TWO_DIGIT = 1950


@dataclass
class RowIssueData:
    column: str
    value: str
    message: str


@dataclass
class ValidatedRow:
    row_number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowIssueData] = field(default_factory=list)
    warnings: list[RowIssueData] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def cell_text(value: Any) -> str:
    """Return a cell as text, the way a person reads it in the sheet."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "VERDADERO" if value else "FALSO"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


@lru_cache(maxsize=4096)
def _sex_code(text: str) -> str | None:
    code = _SEX_CODES.get(search_key(text))
    return None if code is None else str(code.value)


@lru_cache(maxsize=4096)
def _state(text: str) -> str | None:
    return resolve_state(text)


@lru_cache(maxsize=16384)
def _municipality(state_code: str, text: str) -> str | None:
    return resolve_municipality(state_code, text)


class RowValidator:
    """Validate rows of one batch: the plan says which column feeds which field."""

    def __init__(self, *, plan: ColumnPlan, record_kind: str, date_epoch: dt.datetime | None,
                 today: dt.date | None = None):
        self.plan = plan
        self.record_kind = record_kind
        self.date_epoch = date_epoch
        self.today = today or timezone.localdate()
        self.headers = plan.headers
        self._date_cache: dict[tuple[str, str], Any] = {}
        special = {"sex": self._sex, "age": self._age, "curp": self._curp,
                   "event_state": self._event_state, "event_municipality": self._municipality,
                   "birth_date": self._date, "event_date": self._date}
        self.handlers = [(index, name, plan.headers[index], special.get(name, self._text))
                         for index, name in sorted(plan.fields.items())]

    def validate(self, row_number: int, cells: list[Any]) -> ValidatedRow:
        """Return the row's values, errors and warnings (steps: raw, text checks, fields)."""
        headers = self.headers
        if len(cells) <= len(headers):
            raw = {header: cell if cell.__class__ is str else cell_text(cell)
                   for header, cell in zip(headers, cells)}  # noqa: B905 (short rows)
        else:
            raw = {headers[i] if i < len(headers) else f"columna_{i + 1}": cell_text(cell)
                   for i, cell in enumerate(cells)}
        row = ValidatedRow(row_number=row_number, raw=raw)
        # One scan of the whole row; the cell-by-cell look only when something is there.
        if _SUSPECT.search("\x1f".join(raw.values())):
            for column, text in raw.items():
                if text and (text[0] in _FORMULA_START or text[0] == "#" or "Ã" in text
                             or "â€" in text or "Â" in text):
                    self._check_text(row, column, text)
        width = len(cells)
        for index, name, column, handler in self.handlers:
            handler(row, name, column, cells[index] if index < width else None)
        self._cross_checks(row)
        return row

    # --- checks on any cell -------------------------------------------------------------

    def _check_text(self, row: ValidatedRow, column: str, text: str) -> None:
        if _EXCEL_ERROR.match(text.strip()):
            row.errors.append(RowIssueData(column, text, _(
                "La celda contiene un error de Excel (%(error)s): la fórmula no tenía un "
                "valor calculado; corrija el archivo.") % {"error": text.strip()}))
        elif text[0] in _FORMULA_START and not _NUMBER.match(text):
            row.errors.append(RowIssueData(column, text, _(
                "La celda empieza con «%(char)s»: parece una fórmula (posible inyección); "
                "corrija el valor.") % {"char": text[0]}))
        elif ("Ã" in text or "â€" in text or "Â" in text) and _MOJIBAKE.search(text):
            row.warnings.append(RowIssueData(column, text, _(
                "El texto parece mal codificado (por ejemplo «Ã©» en lugar de «é»); revise "
                "la codificación del archivo.")))

    # --- one field ----------------------------------------------------------------------

    def _text(self, row: ValidatedRow, name: str, column: str, cell: Any) -> None:
        text = (cell if cell.__class__ is str else cell_text(cell)).strip()
        limit = TEXT_LIMITS[name]
        if len(text) > limit:
            row.errors.append(RowIssueData(column, text[:200], _(
                "El valor tiene %(len)s caracteres; el máximo es %(max)s.")
                % {"len": len(text), "max": limit}))
        else:
            row.values[name] = text

    def _municipality(self, row: ValidatedRow, name: str, column: str, cell: Any) -> None:
        row.values["_municipality_text"] = (column, cell_text(cell).strip())

    def _sex(self, row: ValidatedRow, name: str, column: str, cell: Any) -> None:
        text = cell_text(cell).strip()
        if not text:
            row.values["sex"] = ""
            return
        code = _sex_code(text)
        if code is None:
            row.errors.append(RowIssueData(column, text, _(
                "Sexo no reconocido; use H/Hombre/Masculino, M/F/Mujer/Femenino o X.")))
        else:
            row.values["sex"] = code

    def _age(self, row: ValidatedRow, name: str, column: str, cell: Any) -> None:
        text = cell_text(cell).strip()
        if not text:
            row.values["age"] = None
            return
        match = _AGE.match(text)
        if not match or int(match.group(1)) > 130:
            row.errors.append(RowIssueData(column, text, _(
                "Edad no válida: escriba un número de años entre 0 y 130.")))
        else:
            row.values["age"] = int(match.group(1))

    def _curp(self, row: ValidatedRow, name: str, column: str, cell: Any) -> None:
        text = cell_text(cell).strip()
        curp = text.upper().replace(" ", "")
        if not curp:
            row.values["curp"] = ""
            return
        problem = curp_problem(curp)
        if problem == "format":
            row.warnings.append(RowIssueData(column, text, _(
                "La CURP no tiene el formato oficial; se conserva el valor original.")))
        elif problem == "check_digit":
            row.warnings.append(RowIssueData(column, text, _(
                "El dígito verificador de la CURP no corresponde; se conserva el valor.")))
        # Kept as given (upper-cased) when it fits; always kept in the raw values.
        row.values["curp"] = curp if len(curp) <= 18 else ""

    def _event_state(self, row: ValidatedRow, name: str, column: str, cell: Any) -> None:
        text = cell_text(cell).strip()
        if not text:
            row.values["event_state_id"] = None
            return
        code = _state(text)
        if code is None:
            row.errors.append(RowIssueData(column, text, _(
                "Entidad no encontrada en el catálogo del INEGI (nombre, abreviatura o "
                "clave).")))
        else:
            row.values["event_state_id"] = code

    def _municipality_value(self, row: ValidatedRow) -> None:
        column, text = row.values.pop("_municipality_text", ("", ""))
        if not text:
            if column:
                row.values["event_municipality_id"] = None
            return
        state_code = row.values.get("event_state_id")
        if not state_code and text.isdigit() and len(text) == 5:
            state_code = text[:2]
        code = _municipality(state_code, text) if state_code else None
        if code is None:
            message = (_("Municipio no encontrado en el catálogo del INEGI para esa entidad.")
                       if state_code else
                       _("Municipio sin entidad: indique la entidad o la clave de 5 dígitos."))
            row.errors.append(RowIssueData(column, text, message))
            return
        row.values["event_municipality_id"] = code
        if not row.values.get("event_state_id"):
            row.values["event_state_id"] = code[:2]

    # --- dates --------------------------------------------------------------------------

    def _date(self, row: ValidatedRow, name: str, column: str, cell: Any) -> None:
        # Agency files repeat the same dates many times: judge each text once.
        key = (name, cell) if cell.__class__ is str else None
        outcome = self._date_cache.get(key) if key else None
        if outcome is None:
            outcome = self._judge_date(name, cell)
            if key and len(self._date_cache) < 200_000:
                self._date_cache[key] = outcome
        value, problem, ambiguous = outcome
        if problem:
            target = row.warnings if ambiguous else row.errors
            target.append(RowIssueData(column, cell_text(cell), problem))
            if not ambiguous:
                return
        row.values[name] = value

    def _judge_date(self, name: str, cell: Any) -> tuple[dt.date | None, str, bool]:
        try:
            value = self._parse_date(cell, name)
        except DateProblem as problem:
            return None, problem.message, problem.ambiguous
        if value is not None and value > self.today:
            return None, _("La fecha está en el futuro."), False
        if value is not None and value < EARLIEST_PLAUSIBLE:
            return None, _("Fecha anterior a 1900: no es plausible."), False
        return value, "", False

    def _parse_date(self, cell: Any, name: str) -> dt.date | None:
        if cell is None:
            return None
        if isinstance(cell, dt.datetime):
            return cell.date()
        if isinstance(cell, dt.date):
            return cell
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            return self._serial(cell)
        text = str(cell).strip()
        if not text:
            return None
        if match := _ISO.match(text) or _YMD_SLASH.match(text):
            year, month, day = (int(part) for part in match.groups())
            return _checked_date(year, month, day, text)
        if match := _DMY.match(text):
            day, month, year = (int(part) for part in match.groups())
            return _checked_date(year, month, day, text)
        if match := _DMY_SHORT.match(text):
            day, month, short_year = (int(part) for part in match.groups())
            return self._two_digit_year(day, month, short_year, name, text)
        if _SERIAL_TEXT.match(text):
            raise DateProblem(_("Número en lugar de fecha (¿número de serie de Excel?): "
                                "escriba la fecha como dd/mm/aaaa."), ambiguous=True)
        raise DateProblem(_("Formato de fecha no reconocido; use dd/mm/aaaa."))

    def _serial(self, number: float) -> dt.date:
        from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

        if not 1 <= number < 2958466:
            raise DateProblem(_("Número de serie de fecha de Excel fuera de rango."))
        value = from_excel(number, self.date_epoch or CALENDAR_WINDOWS_1900)
        return value.date() if isinstance(value, dt.datetime) else value

    def _two_digit_year(self, day: int, month: int, short_year: int, name: str,
                        text: str) -> dt.date:
        """Choose the century only when one of the two is plausible; else report it."""
        plausible = []
        for century in (1900, 2000):
            year = century + short_year
            try:
                candidate = dt.date(year, month, day)
            except ValueError as exc:
                raise DateProblem(_("Fecha imposible: «%(text)s».") % {"text": text}) from exc
            earliest = EARLIEST_PLAUSIBLE if name == "birth_date" else dt.date(
                EVENT_EARLIEST_TWO_DIGIT, 1, 1)
            if earliest <= candidate <= self.today:
                plausible.append(candidate)
        if len(plausible) == 1:
            return plausible[0]
        if not plausible:
            raise DateProblem(_("Fecha imposible: «%(text)s».") % {"text": text})
        raise DateProblem(_("Año de dos dígitos ambiguo («%(text)s»: ¿19%(yy)02d o 20%(yy)02d?); "
                            "escriba el año completo.") % {"text": text, "yy": short_year},
                          ambiguous=True)

    # --- across fields ------------------------------------------------------------------

    def _cross_checks(self, row: ValidatedRow) -> None:
        if "_municipality_text" in row.values:
            self._municipality_value(row)
        values = row.values
        if not (values.get("given_names") or values.get("paternal_surname")
                or values.get("maternal_surname")):
            row.errors.append(RowIssueData(
                self.plan.field_header("given_names"), "",
                _("La fila no tiene nombre ni apellidos.")))
        birth, event = values.get("birth_date"), values.get("event_date")
        if birth and event and birth > event:
            row.errors.append(RowIssueData(
                self.plan.field_header("birth_date"), birth.isoformat(),
                _("La fecha de nacimiento es posterior a la fecha del hecho.")))


class DateProblem(Exception):
    def __init__(self, message: str, *, ambiguous: bool = False):
        super().__init__(message)
        self.message = message
        self.ambiguous = ambiguous


def _checked_date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateProblem(_("Fecha imposible: «%(text)s».") % {"text": text}) from exc


FINGERPRINT_FIELDS = ("given_names", "paternal_surname", "maternal_surname", "aliases", "sex",
                      "birth_date", "age", "curp", "event_date", "event_state_id",
                      "event_municipality_id", "place", "authority", "facility")


def row_fingerprint(record_kind: str, values: dict[str, Any]) -> str:
    """Return a stable id for a row without a folio: a hash of its normalised identity.

    Names are folded (case, accents, spacing), so the same person re-exported with
    different capitalisation is still the same row.
    """
    parts = [record_kind]
    for name in FINGERPRINT_FIELDS:
        value = values.get(name)
        if name in ("given_names", "paternal_surname", "maternal_surname", "aliases", "place",
                    "authority", "facility"):
            parts.append(search_key(value or ""))
        else:
            parts.append("" if value is None else str(value))
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()
    return f"huella-{digest}"
