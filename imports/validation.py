"""Turn one row of cells into normalised record values, with its errors and warnings.

An error rejects the row (it is kept as a ``RejectedRow``); a warning keeps the
row and is reported. Nothing is guessed: an ambiguous date is reported and left
empty (the value as given stays in the raw values), never silently resolved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from imports.mapping import AGE_RANGE, ColumnPlan
from imports.readers import ImportFileError
from mxnames.curp import curp_problem
from mxnames.sex import HM, MF, SexCodes, detect_sex_codes, read_sex
from mxnames.text import search_key
from registry.catalogue import resolve_municipality, resolve_state
from registry.cells import (
    CONTROL_CHARACTERS,
    FORMULA_STARTS,
    control_character,
    formula_start,
)
from registry.models import CaseStatus, RecordKind

TEXT_LIMITS = {
    "external_id": 128, "given_names": 200, "paternal_surname": 120, "maternal_surname": 120,
    "aliases": 300, "nationality": 60, "place": 300, "authority": 200, "facility": 200,
    "reason": 300, "address": 5000, "description": 5000, "reporter_name": 200,
    "reporter_contact": 200, "clothing": 5000, "marks": 5000,
}
DATE_FIELDS = ("birth_date", "event_date")

# What agencies write in a status column (search keys; "(o)"/"(a)" endings dropped).
_CASE_STATUS_WORDS = {
    "desaparecida": CaseStatus.MISSING, "desaparecido": CaseStatus.MISSING,
    "persona desaparecida": CaseStatus.MISSING, "no localizada": CaseStatus.NOT_LOCATED,
    "no localizado": CaseStatus.NOT_LOCATED, "sin localizar": CaseStatus.NOT_LOCATED,
    "persona no localizada": CaseStatus.NOT_LOCATED,
    "localizada con vida": CaseStatus.FOUND_ALIVE, "localizado con vida": CaseStatus.FOUND_ALIVE,
    "con vida": CaseStatus.FOUND_ALIVE, "localizada viva": CaseStatus.FOUND_ALIVE,
    "localizado vivo": CaseStatus.FOUND_ALIVE,
    "localizada sin vida": CaseStatus.FOUND_DEAD, "localizado sin vida": CaseStatus.FOUND_DEAD,
    "sin vida": CaseStatus.FOUND_DEAD, "localizada fallecida": CaseStatus.FOUND_DEAD,
    "localizado fallecido": CaseStatus.FOUND_DEAD,
}
_CONSENT_WORDS = {
    "si": True, "s": True, "yes": True, "y": True, "1": True, "x": True, "verdadero": True,
    "true": True, "autoriza": True, "acepta": True, "con consentimiento": True,
    "no": False, "n": False, "0": False, "falso": False, "false": False,
    "no autoriza": False, "no acepta": False, "sin consentimiento": False,
}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_DMY_SHORT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2})$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.0+)?$")
_AGE_RANGE = re.compile(r"^(?:entre\s+)?(\d{1,3})(?:\s*(?:-|\u2013|a|y|al)\s*(\d{1,3}))?"
                        r"(?:\s*a[ñn]os?)?(?:\s*(?:aprox\.?|aproximadamente|aprox))?$",
                        re.IGNORECASE)
_AGE = re.compile(r"^(\d{1,3})(?:[.,]0+)?(?:\s*a[ñn]os?)?$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
# UTF-8 read as Windows-1252 leaves these pairs behind: "JosÃ©", "â€œ".
_MOJIBAKE = re.compile(r"Ã[\u0080-\u00bf\u0152-\u0192\u2018-\u203a]|â€|Â[\u00a0-\u00bf]")
# What a formula's cached value looks like when Excel could not compute it.
_EXCEL_ERROR = re.compile(r"^#(?:N/A|VALUE!|REF!|DIV/0!|NUM!|NAME\?|NULL!|SPILL!|CALC!)$")

EARLIEST_PLAUSIBLE = dt.date(1900, 1, 1)
EVENT_EARLIEST_TWO_DIGIT = 1950


@dataclass(slots=True)
class RowIssueData:
    column: str
    value: str
    message: str


@dataclass(slots=True)
class ValidatedRow:
    row_number: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowIssueData] = field(default_factory=list)
    warnings: list[RowIssueData] = field(default_factory=list)
    blank: bool = False  # every cell empty or spaces: no row at all

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
def _sex_code(text: str, convention: str | None = HM) -> str | None:
    """Return the registry's sex code (``registry.models.Sex``) of a value, None if no sex."""
    return read_sex(text, convention)


@lru_cache(maxsize=256)
def _case_status_code(text: str) -> str | None:
    words = [word for word in search_key(text).split() if word not in ("o", "a")]
    status = _CASE_STATUS_WORDS.get(" ".join(words))
    if status is None and "_".join(words) in CaseStatus.values:
        status = CaseStatus("_".join(words))
    return None if status is None else str(status.value)


@lru_cache(maxsize=4096)
def _state(text: str) -> str | None:
    return resolve_state(text)


@lru_cache(maxsize=16384)
def _municipality(state_code: str, text: str) -> str | None:
    return resolve_municipality(state_code, text)


# A cell a short row does not have (it has no raw value; its field reads it as empty).
_ABSENT: Any = object()
# The value of a field whose cell was refused: the field stays out of the row's values.
_REFUSED: Any = object()
# An issue before it is given to its row: (row index, is a warning, the issue).
Pending = tuple[int, bool, "RowIssueData"]
# What one cell comes to: its value (or _REFUSED) and at most one issue, given as
# (is a warning, value shown, message).
Outcome = tuple[Any, tuple[bool, str, str] | None]
# Distinct texts remembered per field; forgotten all at once beyond this (a column of
# unique CURPs would otherwise grow without end).
_CACHE_LIMIT = 50_000
# What a column (its cells joined by "\x1f") must contain for one of its cells to need
# ``_check_text``: a cell starting like a formula or an Excel error; mojibake; a cell
# starting with a blank (it is judged trimmed); a control character (a cell holding
# "\x1f", the joiner, is found by counting them). Separate searches: one regular
# expression of all of them costs four times as much (measured).
_SUSPECT_PARTS = ("\x1f=", "\x1f+", "\x1f-", "\x1f@", "\x1f#", "Ã", "â€", "Â")
_LEADING_BLANK = re.compile("\x1f[" + re.escape("".join(
    chr(c) for c in range(0x3001) if chr(c).isspace() and c != 0x1F)) + "]")
_CONTROL_BUT_JOINER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1e\x7f]")


class RowValidator:
    """Validate rows of one batch: the plan says which column feeds which field."""

    def __init__(self, *, plan: ColumnPlan, record_kind: str, date_epoch: dt.datetime | None,
                 today: dt.date | None = None, sex_codes: str = ""):
        self.plan = plan
        # What M means: chosen (HM/MF), or read from the column as it streams by.
        self.sex_codes = sex_codes
        self._sex_seen = detect_sex_codes(())
        self._sex_header = plan.field_header("sex")
        self.record_kind = record_kind
        self.date_epoch = date_epoch
        self.today = today or timezone.localdate()
        self.headers = plan.headers
        judges = {"sex": self._sex, "age": self._age, "curp": self._curp,
                  "event_state": self._event_state, "birth_date": self._birth_date,
                  "event_date": self._event_date, "case_status": self._case_status,
                  "publication_consent": self._publication_consent,
                  "age_range": self._age_range, "age_min": self._age, "age_max": self._age}
        # (column index, value key, header, judge of one cell, its cache); the
        # municipality is judged with the state, in the checks across fields.
        self.fields = [(index, "event_state_id" if name == "event_state" else name,
                        plan.headers[index], judges.get(name), _JudgedTexts())
                       for index, name in sorted(plan.fields.items())
                       if name != "event_municipality"]
        self.municipality_index = next((index for index, name in plan.fields.items()
                                        if name == "event_municipality"), None)
        self._municipality_cache: dict[tuple[str | None, str], tuple[str | None, str]] = {}
        self._names_header = plan.field_header("given_names")
        self._birth_header = plan.field_header("birth_date")

    def validate(self, row_number: int, cells: list[Any]) -> ValidatedRow:
        """Return one row's values, errors and warnings (see ``validate_chunk``)."""
        return self.validate_chunk([(row_number, cells)])[0]

    def validate_chunk(self, rows: list[tuple[int, list[Any]]]) -> list[ValidatedRow]:
        """Return the values, errors and warnings of each numbered row, in order.

        Agency files repeat the same states, sexes, dates and places thousands of
        times, so the rows are judged column by column and each distinct text once.
        A row's issues come in the order of these steps (the row-by-row order):
        1. checks on any cell (formulas, Excel errors, mojibake), column by column;
        2. each mapped field, column by column;
        3. across fields: the municipality within its state, a name, the dates' order.
        """
        if not rows:
            return []
        width = len(self.headers)
        lengths = [len(cells) for _number, cells in rows]
        regular = lengths.count(width) == len(rows)
        cell_rows = [cells if len(cells) == width else _padded(cells, width)
                     for _number, cells in rows]
        columns = list(zip(*cell_rows, strict=True))
        texts, joined = zip(*map(_column_texts, columns), strict=True)
        # Columns of text only (a CSV's always are) take the quick paths.
        text_only = [text_column is column for text_column, column in zip(texts, columns,
                                                                          strict=True)]
        long_rows = [] if regular else [i for i, n in enumerate(lengths) if n > width]
        raws = (self._raw_values(rows, texts) if not (regular and all(text_only)) else
                # Equal lengths: every row was checked to have one cell per header.
                [dict(zip(self.headers, cells, strict=False)) for cells in cell_rows])
        pending = self._check_columns(texts, joined, set(long_rows))
        for i in long_rows:
            pending.extend(self._check_cells(i, raws[i]))
        values = self._field_values(columns, text_only, pending)
        validated = list(map(ValidatedRow, [number for number, _cells in rows], raws, values))
        # Stable: each row keeps its issues in the order they were found.
        for i, is_warning, issue in sorted(pending, key=itemgetter(0)):
            row = validated[i]
            (row.warnings if is_warning else row.errors).append(issue)
        if self.municipality_index is not None:
            self._municipalities(validated, texts[self.municipality_index])
        self._cross_checks(validated)
        for i in _blank_rows(texts[0], raws):
            validated[i].blank = True
        return validated

    # --- raw values and checks on any cell ----------------------------------------------

    def _raw_values(self, rows: list[tuple[int, list[Any]]],
                    texts: list[Any]) -> list[dict[str, str]]:
        """Return each row's cells as text by header (a long row's extra cells numbered)."""
        headers, width = self.headers, len(self.headers)
        raws = []
        for (_number, cells), row_texts in zip(rows, zip(*texts, strict=True), strict=True):
            if len(cells) <= width:
                raws.append(dict(zip(headers, row_texts[:len(cells)], strict=False)))
            else:
                # Empty cells beyond the header say nothing: they are not kept.
                raws.append({headers[i] if i < width else f"columna_{i + 1}": cell_text(cell)
                             for i, cell in enumerate(cells)
                             if i < width or (cell is not None and cell != "")})
        return raws

    def _check_columns(self, texts: list[Any], joined: list[str],
                       long_rows: set[int]) -> list[Pending]:
        pending: list[Pending] = []
        for header, column, column_text in zip(self.headers, texts, joined, strict=True):
            # One look at the whole column; cell by cell only when something is there.
            column_text = "\x1f" + column_text
            if not (any(part in column_text for part in _SUSPECT_PARTS)
                    or _LEADING_BLANK.search(column_text)
                    or _CONTROL_BUT_JOINER.search(column_text)
                    or column_text.count("\x1f") != len(column) - column.count(_ABSENT)):
                continue
            for i, text in enumerate(column):
                if text is not _ABSENT and _suspect(text) and i not in long_rows:
                    issue = self._check_text(header, text)
                    if issue is not None:
                        pending.append((i, *issue))
        return pending

    def _check_cells(self, i: int, raw: dict[str, str]) -> list[Pending]:
        # A long row's extra cells are checked with the rest of the row, in order.
        issues = (self._check_text(column, text) for column, text in raw.items()
                  if _suspect(text))
        return [(i, *issue) for issue in issues if issue is not None]

    def _check_text(self, column: str, text: str) -> tuple[bool, RowIssueData] | None:
        """Return the issue of a cell that holds a control character, looks like a formula
        once trimmed (the value stored is the trimmed one), an Excel error or mojibake."""
        control = control_character(text)
        if control is not None:
            return False, RowIssueData(column, text, _(
                "La celda contiene un carácter de control (U+%(code)04X) que no es texto; "
                "corrija el valor.") % {"code": ord(control)})
        if _EXCEL_ERROR.match(text.strip()):
            return False, RowIssueData(column, text, _(
                "La celda contiene un error de Excel (%(error)s): la fórmula no tenía un "
                "valor calculado; corrija el archivo.") % {"error": text.strip()})
        start = formula_start(text)
        if start is not None:
            return False, RowIssueData(column, text, formula_message(start))
        if ("Ã" in text or "â€" in text or "Â" in text) and _MOJIBAKE.search(text):
            return True, RowIssueData(column, text, _(
                "El texto parece mal codificado (por ejemplo «Ã©» en lugar de «é»); revise "
                "la codificación del archivo."))
        return None

    # --- the fields, column by column ---------------------------------------------------

    def _field_values(self, columns: list[Any], text_only: list[bool],
                      pending: list[Pending]) -> list[dict[str, Any]]:
        """Return each row's field values; add the fields' issues to ``pending``."""
        keys, value_columns, refused = [], [], set()
        for index, key, header, judge, judged in self.fields:
            cells = columns[index]
            if key == "sex":
                self._settle_sex_codes(cells)
            if judge is None:
                values, issues = self._text_column(key, cells, text_only[index])
            else:
                values, issues = judged.column(judge, cells, text_only[index])
            for i, (is_warning, shown, message) in issues:
                pending.append((i, is_warning, RowIssueData(header, shown, message)))
                if values[i] is _REFUSED:
                    refused.add(i)
            keys.append(key)
            value_columns.append(values)
        if not keys:  # only a municipality is mapped: it is set with the checks across fields
            return [{} for _cells in columns[0]]
        # One value per key in every row (strict=False: checking it row by row is slow).
        rows = zip(*value_columns, strict=True)
        if not refused:
            return [dict(zip(keys, values, strict=False)) for values in rows]
        return [dict(zip(keys, values, strict=False)) if i not in refused else
                {k: v for k, v in zip(keys, values, strict=False) if v is not _REFUSED}
                for i, values in enumerate(rows)]

    def _text_column(self, name: str, cells: Any,
                     text_only: bool) -> tuple[list[Any], list[Any]]:
        limit = TEXT_LIMITS[name]
        if text_only:
            stripped = list(map(str.strip, cells))
            if max(map(len, stripped)) <= limit:
                return stripped, []
        return _JudgedTexts.each(partial(self._text, limit), cells)

    def _text(self, limit: int, cell: Any) -> Outcome:
        text = cell_text(cell).strip()
        if len(text) > limit:
            return _REFUSED, (False, text[:200], _(
                "El valor tiene %(len)s caracteres; el máximo es %(max)s.")
                % {"len": len(text), "max": limit})
        return text, None

    def _settle_sex_codes(self, cells: Any) -> None:
        """Read what this chunk's sex cells say about M; stop the batch if M stays unclear.

        A file is read in chunks, and nothing is guessed: M is read as the chosen
        convention, or as the one the column showed so far (H beside M: H/M; F
        beside M: M/F). An M that nothing explains (no H nor F yet, or both)
        stops the whole batch (nothing is stored) with a message asking the
        operator to choose; so does a choice the column contradicts (H/M chosen,
        F beside M), since a stale saved choice would turn every man into a woman.
        """
        texts = {cell if cell.__class__ is str else cell_text(cell) for cell in cells
                 if cell is not _ABSENT}  # API cells may be lists: their text is hashable
        seen = self._sex_seen.merge(texts)
        if seen.letters == self._sex_seen.letters:
            return
        self._sex_seen = seen
        if self.sex_codes:
            if seen.convention and seen.convention != self.sex_codes:
                raise ImportFileError(_sex_contradiction(self._sex_header, self.sex_codes, seen))
        elif seen.ambiguous:
            raise ImportFileError(_sex_ambiguity(self._sex_header, seen))

    def _sex_convention(self) -> str | None:
        return self.sex_codes or self._sex_seen.convention

    def _sex(self, cell: Any) -> Outcome:
        text = cell_text(cell).strip()
        if not text:
            return "", None
        code = _sex_code(text, self._sex_convention())
        if code is None:
            return _REFUSED, (False, text, _(
                "Sexo no reconocido; use H/Hombre/Masculino, M/F/Mujer/Femenino o X."))
        return code, None

    def _age(self, cell: Any) -> Outcome:
        text = cell_text(cell).strip()
        if not text:
            return None, None
        match = _AGE.match(text)
        if not match or int(match.group(1)) > 130:
            return _REFUSED, (False, text, _(
                "Edad no válida: escriba un número de años entre 0 y 130."))
        return int(match.group(1)), None

    def _curp(self, cell: Any) -> Outcome:
        text = cell_text(cell).strip()
        curp = text.upper().replace(" ", "")
        if not curp:
            return "", None
        # Kept as given (upper-cased) when it fits; always kept in the raw values.
        value = curp if len(curp) <= 18 else ""
        problem = curp_problem(curp)
        if problem == "format":
            return value, (True, text, _(
                "La CURP no tiene el formato oficial; se conserva el valor original."))
        if problem == "check_digit":
            return value, (True, text, _(
                "El dígito verificador de la CURP no corresponde; se conserva el valor."))
        return value, None

    def _age_range(self, cell: Any) -> Outcome:
        """An estimated age: "25-30", "25 a 30 años", "30 aprox.", "30" → (low, high)."""
        text = cell_text(cell).strip()
        if not text:
            return (None, None), None
        match = _AGE_RANGE.match(text)
        if match is None:
            return _REFUSED, (False, text, _(
                "Edad estimada no válida: escriba un rango de años (por ejemplo 25-30) o un "
                "número."))
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        if high > 130 or low > high:
            return _REFUSED, (False, text, _(
                "Edad estimada no válida: el rango debe ir de menor a mayor, hasta 130."))
        return (low, high), None

    def _case_status(self, cell: Any) -> Outcome:
        text = cell_text(cell).strip()
        if not text:
            return "", None
        status = _case_status_code(text)
        if status is None:
            return "", (True, text, _(
                "Situación no reconocida (use desaparecida, no localizada, localizada con "
                "vida o localizada sin vida); el caso queda como está o se abre como "
                "desaparecida."))
        return status, None

    def _publication_consent(self, cell: Any) -> Outcome:
        text = cell_text(cell).strip()
        if not text:
            return None, None
        consent = _CONSENT_WORDS.get(search_key(text))
        if consent is None:
            return None, (True, text, _(
                "Consentimiento de publicación no reconocido (use SÍ o NO); no se publica "
                "el nombre mientras no conste."))
        return consent, None

    def _event_state(self, cell: Any) -> Outcome:
        text = cell_text(cell).strip()
        if not text:
            return None, None
        code = _state(text)
        if code is None:
            return _REFUSED, (False, text, _(
                "Entidad no encontrada en el catálogo del INEGI (nombre, abreviatura o "
                "clave)."))
        return code, None

    def _birth_date(self, cell: Any) -> Outcome:
        return self._date("birth_date", cell)

    def _event_date(self, cell: Any) -> Outcome:
        return self._date("event_date", cell)

    # --- across fields ------------------------------------------------------------------

    def _municipalities(self, validated: list[ValidatedRow], texts: Any) -> None:
        """Resolve each municipality within the row's state (or its 5-digit code's)."""
        header = self.headers[self.municipality_index]
        cache = self._municipality_cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        for row, text in zip(validated, texts, strict=True):
            text = "" if text is _ABSENT else text.strip()
            values = row.values
            if not text:
                values["event_municipality_id"] = None
                continue
            state_code = values.get("event_state_id") or None
            key = (state_code, text)
            outcome = cache.get(key)
            if outcome is None:
                outcome = cache[key] = self._municipality_code(state_code, text)
            code, message = outcome
            if code is None:
                row.errors.append(RowIssueData(header, text, message))
                continue
            values["event_municipality_id"] = code
            if not state_code:
                values["event_state_id"] = code[:2]

    def _municipality_code(self, state_code: str | None, text: str) -> tuple[str | None, str]:
        """Return the municipality's code, or None and the reason."""
        if not state_code and text.isdigit() and len(text) == 5:
            state_code = text[:2]
        code = _municipality(state_code, text) if state_code else None
        if code is not None:
            return code, ""
        return None, (_("Municipio no encontrado en el catálogo del INEGI para esa entidad.")
                      if state_code else
                      _("Municipio sin entidad: indique la entidad o la clave de 5 dígitos."))

    def _cross_checks(self, validated: list[ValidatedRow]) -> None:
        # Unidentified remains have no name: that is why they are recorded.
        names_needed = self.record_kind != RecordKind.UNIDENTIFIED_REMAINS
        for row in validated:
            values = row.values
            get = values.get
            if AGE_RANGE in values:
                values["age_min"], values["age_max"] = values.pop(AGE_RANGE)
            low, high = get("age_min"), get("age_max")
            if low is not None and high is not None and low > high:
                row.errors.append(RowIssueData(
                    self.plan.field_header("age_max"), str(high),
                    _("La edad estimada máxima es menor que la mínima.")))
            if names_needed and not (get("given_names") or get("paternal_surname")
                                     or get("maternal_surname")):
                row.errors.append(RowIssueData(
                    self._names_header, "", _("La fila no tiene nombre ni apellidos.")))
            birth, event = get("birth_date"), get("event_date")
            if birth and event and birth > event:
                row.errors.append(RowIssueData(
                    self._birth_header, birth.isoformat(),
                    _("La fecha de nacimiento es posterior a la fecha del hecho.")))

    # --- dates --------------------------------------------------------------------------

    def _date(self, name: str, cell: Any) -> Outcome:
        value, problem, ambiguous = self._judge_date(name, cell)
        if not problem:
            return value, None
        # An ambiguous date is a warning and stays empty; any other problem refuses it.
        return (value if ambiguous else _REFUSED), (ambiguous, cell_text(cell), problem)

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


def _padded(cells: list[Any], width: int) -> list[Any]:
    """Return a short row filled up with _ABSENT, or a long row cut to the headers."""
    return [*cells[:width], *[_ABSENT] * (width - len(cells))]


def _column_texts(cells: Any) -> tuple[Any, str]:
    """Return a column's cells as text (the same object when they are all text already)
    and those texts joined by "\x1f"."""
    try:
        return cells, "\x1f".join(cells)  # also the quickest test that every cell is a str
    except TypeError:
        texts = [cell if cell.__class__ is str or cell is _ABSENT else cell_text(cell)
                 for cell in cells]
        return texts, "\x1f".join(text for text in texts if text is not _ABSENT)


def _blank_rows(first_texts: Any, raws: list[dict[str, str]]) -> list[int]:
    """Return the rows whose every cell is empty or spaces (the first cell tells most)."""
    return [i for i, text in enumerate(first_texts)
            if (text is _ABSENT or not text.strip()) and not "".join(raws[i].values()).strip()]


def _suspect(text: str) -> bool:
    """Return True when a cell may be a formula, an Excel error, mojibake or hold a control
    character (a cheap test)."""
    if not text:
        return False
    first = text[0] if not text[0].isspace() else text.lstrip()[:1]
    return (first in FORMULA_STARTS or first == "#" or "Ã" in text or "â€" in text
            or "Â" in text or CONTROL_CHARACTERS.search(text) is not None)


def formula_message(char: str) -> str:
    return _("La celda empieza con «%(char)s»: parece una fórmula (posible inyección); "
             "corrija el valor.") % {"char": char}


def _sex_ambiguity(header: str, seen: SexCodes) -> str:
    if seen.reason == "mixed":
        why = _("mezcla H, M y F (dos convenciones)")
    else:
        why = _("solo tiene M, sin H ni F")
    return _(
        "La columna «%(column)s» %(why)s, así que no se sabe si M es «mujer» o "
        "«masculino»; no se guardó nada. Indique qué significa M en la opción «Códigos de "
        "sexo» del lote (o en la correspondencia de columnas guardada): H/M (M = mujer, "
        "como en la CURP) o M/F (M = masculino).") % {"column": header, "why": why}


def _sex_contradiction(header: str, chosen: str, seen: SexCodes) -> str:
    return _(
        "Se indicó %(chosen)s para los códigos de sexo, pero la columna «%(column)s» usa "
        "%(letters)s; no se guardó nada. Revise la opción «Códigos de sexo» del lote o corrija "
        "el archivo.") % {"chosen": _convention_label(chosen), "column": header,
                          "letters": "/".join(sorted(seen.letters)).upper()}


def _convention_label(convention: str) -> str:
    return {HM: _("H/M (M = mujer)"), MF: _("M/F (M = masculino)")}.get(convention, convention)


class _JudgedTexts:
    """One field's outcome of each distinct text seen so far (a bounded cache)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.issues: dict[str, tuple[bool, str, str]] = {}

    def column(self, judge: Callable[[Any], Outcome], cells: Any,
               text_only: bool) -> tuple[list[Any], list[tuple[int, tuple[bool, str, str]]]]:
        """Return each cell's value and the issues as (row index, issue)."""
        if len(self.values) > _CACHE_LIMIT:
            self.values.clear()
            self.issues.clear()
        if not text_only:
            return self.each(judge, cells, self)
        distinct = set(cells)
        for text in distinct.difference(self.values):
            value, issue = judge(text)
            self.values[text] = value
            if issue is not None:
                self.issues[text] = issue
        values = list(map(self.values.__getitem__, cells))
        if self.issues.keys().isdisjoint(distinct):
            return values, []
        issues = self.issues
        return values, [(i, issues[text]) for i, text in enumerate(cells) if text in issues]

    @staticmethod
    def each(judge: Callable[[Any], Outcome], cells: Any,
             cache: _JudgedTexts | None = None) -> tuple[list[Any], list[Any]]:
        """Judge cell by cell (cells of any type; a short row's missing cell is empty)."""
        values, issues = [], []
        for i, cell in enumerate(cells):
            if cache is not None and cell.__class__ is str and cell in cache.values:
                value, issue = cache.values[cell], cache.issues.get(cell)
            else:
                value, issue = judge(None if cell is _ABSENT else cell)
            values.append(value)
            if issue is not None:
                issues.append((i, issue))
        return values, issues


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
