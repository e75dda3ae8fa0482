"""NGO exports: redacted, pseudonymised records as CSV, XLSX or JSON, streamed.

Every row goes through the redaction policy for the ``ngo`` audience; the file says
which policy, when and with which filters it was made. Cells are made safe for
spreadsheets, and reversibly so, by ``registry.cells`` (the one home of cell safety):

1. **Formula injection.** ``neutralise``: a leading apostrophe on anything a
   spreadsheet could run as a formula; removing exactly one gives the original back.
2. **XLSX only.** openpyxl writes a string starting with ``=`` as a live formula
   (we force the string type); control characters are OOXML-escaped (``_xHHHH_``) and
   text longer than Excel's cell limit is split: the cell keeps the first part and the
   sheet ``continuacion`` holds the rest, in order, with the cell it belongs to.
3. **k-anonymity (on by default, k = 5).** Rows whose quasi-identifiers (age band,
   sex, municipality, month) are shared by fewer than k rows are generalised
   (municipality → state, month → year); if still fewer than k, suppressed. The page
   shows how many rows were generalised and suppressed before the download, and the
   file states it too. k = 1 turns it off (an explicit, audited choice).
4. **Pseudonyms keyed per export.** Every pseudonymous column (record, agency id,
   person, case) is an HMAC with a key of this export alone, derived from
   ``PSEUDONYM_KEY`` and a random token kept in the export's audit row. So a row joins
   neither the public keys (``fichas.json``'s ``clave``) nor the rows of any other
   export: two exports with different filters or k cannot be intersected to undo a
   generalisation or a suppression. (Per recipient organisation would let an NGO join
   its own exports over time, and so difference them; a longitudinal study asks the
   registry for one export.) The registry, holding the key and the token, can still
   tell which record a row is, if an NGO reports an error.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import secrets
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from registry.cells import (
    neutralise,
    xlsx_decode_parts,
    xlsx_encode_parts,
)
from registry.keys import require_keys
from registry.models import Record
from registry.redaction import (
    POLICIES,
    PSEUDONYM,
    RECORD_POLICY,
    Audience,
    age_at,
    age_band,
    redact_record,
)

AUDIENCE = Audience.NGO
# The filters an export offers, each on a field the ngo audience sees unconditionally
# (checked by a test against ``filterable_fields``); the date is filtered by month.
FILTERED_RECORD_FIELDS = ("event_state", "kind")
CHUNK_SIZE = 2000

# Columns of the export: every record field the ngo audience may see, in policy order,
# then the status and pseudonymous key of the case a missing report opened.
RECORD_COLUMNS = tuple(
    "age_band" if name == "age" else name
    for name, rules in RECORD_POLICY.items()
    if rules[AUDIENCE].transform != "hide"
)
COLUMNS = (*RECORD_COLUMNS, "case_id", "case_status")
# What each column is called in the files (Spanish, one word, no accents: safe as a
# pandas attribute and an R name), and what it holds (the data dictionary of the notes).
HEADERS: dict[str, tuple[str, str]] = {
    "id": ("registro", "Clave seudónima del registro (propia de esta exportación)."),
    "kind": ("tipo", "Tipo de registro: missing_report (reporte de desaparición), detention "
                     "(detención), release_transfer (liberación o traslado), located "
                     "(localización), unidentified_remains (restos sin identificar)."),
    "agency": ("institucion", "Institución que envió el registro."),
    "external_id": ("folio", "Folio de la institución, como clave seudónima."),
    "sex": ("sexo", "H hombre, M mujer, X no binario u otro; vacío sin dato."),
    "age_band": ("rango_edad", "Rango de edad al hecho (0-11, 12-17, 18-19, 20-24 … 70+)."),
    "nationality": ("nacionalidad", "Nacionalidad declarada."),
    "event_date": ("mes_del_hecho", "Año y mes del hecho (AAAA-MM); solo el año si la fila "
                                    "fue generalizada."),
    "event_state": ("entidad", "Entidad federativa del hecho."),
    "event_municipality": ("municipio", "Municipio del hecho, «Nombre, clave de entidad»; la "
                                        "entidad si la fila fue generalizada."),
    "authority": ("autoridad", "Autoridad que detuvo o registró (detenciones y traslados)."),
    "facility": ("lugar_de_reclusion", "Lugar de reclusión o estancia (detenciones y "
                                       "traslados)."),
    "person": ("persona", "Clave seudónima de la persona a la que el registro fue vinculado."),
    "created_at": ("mes_de_recepcion", "Año y mes en que el registro llegó al sistema."),
    "updated_at": ("mes_de_actualizacion", "Año y mes de su última actualización."),
    "case_id": ("caso", "Clave seudónima del caso que abrió el reporte."),
    "case_status": ("situacion_del_caso", "Situación actual del caso (solo reportes)."),
}
HEADER_ROW = tuple(HEADERS[column][0] for column in COLUMNS)
# Excel opens a CSV as UTF-8 only when it starts with the byte-order mark; pandas'
# read_csv(encoding="utf-8") and Python's "utf-8-sig" read past it.
BOM = "\ufeff"
# The record fields the ngo audience sees only as pseudonyms: keyed per export.
PSEUDONYMOUS_FIELDS = tuple(name for name, rules in RECORD_POLICY.items()
                            if rules[AUDIENCE].transform == PSEUDONYM)
DEFAULT_K = 5


class ExportKey:
    """The pseudonym key of one export: HMAC of ``PSEUDONYM_KEY`` and the export's token."""

    def __init__(self, token: str | None = None):
        require_keys()
        self.token = token or secrets.token_hex(16)
        self._key = hmac.new(settings.PSEUDONYM_KEY.encode("utf-8"),
                             f"ngo-export:{self.token}".encode(), hashlib.sha256).digest()

    def pseudonym(self, namespace: str, value: Any) -> str:
        message = f"{namespace}:{value}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:20]


# --- Filters and rows -----------------------------------------------------------------------

@dataclass(frozen=True)
class ExportFilters:
    state: str | None = None
    kind: str | None = None
    status: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: (value.isoformat() if isinstance(value, date) else value)
                for name, value in self.__dict__.items() if value not in (None, "")}


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    return date(day.year, 12, 31) if day.month == 12 else \
        date(day.year, day.month + 1, 1) - timedelta(days=1)


def export_queryset(filters: ExportFilters) -> QuerySet[Record]:
    """Return the records an export covers, in a stable order.

    Filters only use what the ngo audience sees: state, kind and case status as
    stored, and the event date *by whole months*, because NGOs see only the month.
    A day-precise range would let a series of exports narrow a person's exact date.
    """
    records = Record.objects.all()
    if filters.state:
        records = records.filter(event_state_id=filters.state)
    if filters.kind:
        records = records.filter(kind=filters.kind)
    if filters.status:
        records = records.filter(case__status=filters.status)
    if filters.date_from:
        records = records.filter(event_date__gte=_month_start(filters.date_from))
    if filters.date_to:
        records = records.filter(event_date__lte=_month_end(filters.date_to))
    return records.order_by("pk")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def record_row(record: Record, key: ExportKey) -> dict[str, str]:
    """Return one export row: the record as the ngo audience sees it, as text, with the
    pseudonyms of this export's key (never the policy's global ones)."""
    shown = redact_record(record, AUDIENCE)
    for name in PSEUDONYMOUS_FIELDS:
        if shown.get(name) not in (None, ""):
            raw = getattr(record, Record._meta.get_field(name).attname)
            shown[name] = key.pseudonym(f"registry.record.{name}", raw)
    case = getattr(record, "case", None) if record.kind == "missing_report" else None
    shown["case_id"] = key.pseudonym("registry.case.id", case.pk) if case else ""
    shown["case_status"] = case.get_status_display() if case else ""
    return {column: _text(shown.get(column)) for column in COLUMNS}


# --- k-anonymity -------------------------------------------------------------------------------

QUASI_IDENTIFIERS = ("age_band", "sex", "event_municipality", "event_date")


def _quasi_key(age: int | None, birth: date | None, event: date | None, sex: str,
               municipality: str | None, state: str | None, *, general: bool) -> tuple:
    known_age = age if age is not None else age_at(birth, event)
    band = age_band(known_age)
    if general:
        return band, sex, ("state", state), event.year if event else None
    month = (event.year, event.month) if event else None
    return band, sex, ("municipality", municipality), month


@dataclass
class KAnonymityPlan:
    """Which rows to generalise or suppress so that every group has at least k rows."""

    k: int
    generalise: set[int] = field(default_factory=set)
    suppress: set[int] = field(default_factory=set)

    @classmethod
    def build(cls, records: QuerySet[Record], k: int) -> KAnonymityPlan:
        """1. Count exact groups. 2. Generalise rows of small groups and recount them.
        3. Suppress the rows still in groups smaller than k."""
        columns = ("pk", "age", "birth_date", "event_date", "sex", "event_municipality_id",
                   "event_state_id")
        rows = list(records.values_list(*columns).iterator(chunk_size=CHUNK_SIZE))
        exact = {row[0]: _quasi_key(*row[1:], general=False) for row in rows}
        exact_counts = Counter(exact.values())
        plan = cls(k=k)
        small = [row for row in rows if exact_counts[exact[row[0]]] < k]
        general = {row[0]: _quasi_key(*row[1:], general=True) for row in small}
        general_counts = Counter(general.values())
        for pk, key in general.items():
            (plan.generalise if general_counts[key] >= k else plan.suppress).add(pk)
        return plan

    def apply(self, record: Record, row: dict[str, str]) -> dict[str, str] | None:
        if record.pk in self.suppress:
            return None
        if record.pk in self.generalise:
            row["event_municipality"] = record.event_state.name if record.event_state_id else ""
            row["event_date"] = str(record.event_date.year) if record.event_date else ""
        return row


# --- The export --------------------------------------------------------------------------------

def policy_fingerprint() -> str:
    """Return a short hash of the policy tables, so a file says which policy made it."""
    canonical = json.dumps(
        {label: {name: {aud: rule.__dict__ for aud, rule in rules.items()}
                 for name, rules in policy.items()}
         for label, policy in POLICIES.items()}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


@dataclass
class Export:
    """One export run: what it covers, and the rows, streamed from the database."""

    filters: ExportFilters
    k: int | None = DEFAULT_K
    key: ExportKey = field(default_factory=ExportKey)
    created_at: datetime = field(default_factory=timezone.now)
    plan: KAnonymityPlan | None = None
    row_count: int = 0

    def prepare(self) -> Export:
        records = export_queryset(self.filters)
        if self.k and self.k > 1:
            self.plan = KAnonymityPlan.build(records, self.k)
        total = records.count()
        self.row_count = total - (len(self.plan.suppress) if self.plan else 0)
        return self

    def metadata(self) -> dict[str, Any]:
        return {
            "titulo": "Registro de personas desaparecidas y detenidas — exportación anonimizada",
            "fecha": self.created_at.isoformat(),
            "politica": (f"registry.redaction, audiencia «{AUDIENCE}», "
                         f"huella {policy_fingerprint()}"),
            "filtros": self.filters.as_dict(),
            "filas": self.row_count,
            "k_anonimato": self.k if self.k and self.k > 1 else None,
            "filas_generalizadas": len(self.plan.generalise) if self.plan else 0,
            "filas_suprimidas": len(self.plan.suppress) if self.plan else 0,
            "seudonimos": ("HMAC-SHA256 con una clave propia de esta exportación: no se "
                           "cruzan con las claves públicas ni con otras exportaciones"),
            "celdas": "Un apóstrofo inicial neutraliza fórmulas: quite uno para el valor original.",
        }

    def column_notes(self) -> list[tuple[str, str, str]]:
        """Return the data dictionary: column, what it holds, and the policy's treatment."""
        notes = []
        for column in COLUMNS:
            name = "age" if column == "age_band" else column
            if name in RECORD_POLICY:
                treatment = str(RECORD_POLICY[name][AUDIENCE].transform)
            else:
                treatment = "pseudonym" if column == "case_id" else "show"
            header, meaning = HEADERS[column]
            notes.append((header, meaning, treatment))
        return notes

    def notes(self) -> list[list[str]]:
        """Return the notes of the file as rows: the metadata, then the data dictionary."""
        rows: list[list[str]] = [["nota", "valor", ""]]
        rows += [[key, _meta_text(value), ""] for key, value in self.metadata().items()]
        rows += [["", "", ""], ["columna", "contenido", "tratamiento"]]
        rows += [list(note) for note in self.column_notes()]
        return rows

    def rows(self) -> Iterator[dict[str, str]]:
        records = (export_queryset(self.filters)
                   .select_related("agency", "event_state", "event_municipality", "case"))
        for record in records.iterator(chunk_size=CHUNK_SIZE):
            row = record_row(record, self.key)
            if self.plan is not None:
                row = self.plan.apply(record, row)
            if row is not None:
                yield row


class _LineBuffer:
    def write(self, text: str) -> str:
        return text


def csv_line(values: Iterable[str]) -> str:
    """Return one CSV line with every cell neutralised (``unneutralise`` reverses it)."""
    return csv.writer(_LineBuffer()).writerow([neutralise(value) for value in values])


def csv_stream(export: Export, *, progress: Any = None) -> Iterator[str]:
    """Yield the CSV as Excel and pandas open it: BOM, the Spanish header, one line per row.

    The notes (metadata and data dictionary) go in their own file (``notes_csv``): a
    comment line above the header is a row of data to Excel and an error to pandas.
    """
    yield BOM + csv_line(HEADER_ROW)
    for row in export.rows():
        if progress is not None:
            progress()
        yield csv_line(row[column] for column in COLUMNS)


def notes_csv(export: Export) -> str:
    """Return the export's notes as a CSV of their own (BOM, neutralised cells)."""
    return BOM + "".join(csv_line(row) for row in export.notes())


def _meta_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else _text(value)


def json_stream(export: Export, *, progress: Any = None) -> Iterator[str]:
    """Yield a JSON array of rows keyed by the Spanish headers, piece by piece.

    An array of flat objects is what ``pandas.read_json`` reads as a table without
    options; the notes go in their own file (``notes_json``). JSON needs no
    neutralising: no spreadsheet evaluates it.
    """
    yield "["
    separator = ""
    for row in export.rows():
        if progress is not None:
            progress()
        yield separator + json.dumps({HEADERS[column][0]: row[column] for column in COLUMNS},
                                     ensure_ascii=False)
        separator = ", "
    yield "]"


def notes_json(export: Export) -> str:
    """Return the export's notes as JSON: metadata, and the data dictionary."""
    return json.dumps({"metadata": export.metadata(), "columnas": [
        {"columna": header, "contenido": meaning, "tratamiento": treatment}
        for header, meaning, treatment in export.column_notes()]}, ensure_ascii=False)


def write_xlsx(header: Iterable[str], rows: Iterable[Iterable[str]],
               notes: Iterable[Iterable[str]]) -> tempfile.SpooledTemporaryFile:
    """Write sheets ``datos`` (header + rows), ``continuacion`` and ``notas`` (notes).

    openpyxl's write-only mode streams rows to disk, so memory stays flat; the result
    is a temporary file (in memory up to 8 MB, then on disk), rewound.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    data = workbook.create_sheet("datos")
    continuation = workbook.create_sheet("continuacion")
    policy = workbook.create_sheet("notas")

    def text_cell(sheet, value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    def cells(sheet, values: Iterable[str], row_number: int) -> list[WriteOnlyCell]:
        out = []
        for column_number, value in enumerate(values, start=1):
            parts = xlsx_encode_parts(value)
            out.append(text_cell(sheet, parts[0]))
            for part_number, part in enumerate(parts[1:], start=1):
                continuation.append([text_cell(continuation, f"{row_number}:{column_number}"),
                                     part_number, text_cell(continuation, part)])
        return out

    continuation.append([text_cell(continuation, "celda (fila:columna)"),
                         text_cell(continuation, "parte"), text_cell(continuation, "texto")])
    data.append(cells(data, header, 1))
    for row_number, row in enumerate(rows, start=2):
        data.append(cells(data, row, row_number))
    for note in notes:
        policy.append(cells(policy, note, 0))

    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def read_xlsx(file: Any) -> list[list[str]]:
    """Return the ``datos`` sheet as the original texts (for tests and for re-imports).

    Cells are decoded as Excel decodes them, continuation parts appended in order.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(file, read_only=True)
    extra: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for position, part_number, text in list(workbook["continuacion"].iter_rows(
            min_row=2, values_only=True)):
        row_number, column_number = (int(n) for n in position.split(":"))
        extra.setdefault((row_number, column_number), []).append((int(part_number), text))
    rows = []
    for row_number, row in enumerate(workbook["datos"].iter_rows(values_only=True), start=1):
        decoded = []
        for column_number, value in enumerate(row, start=1):
            tail = [text for _, text in sorted(extra.get((row_number, column_number), []))]
            decoded.append(xlsx_decode_parts([value or "", *tail]))
        rows.append(decoded)
    workbook.close()
    return rows


def xlsx_file(export: Export, *, progress: Any = None) -> tempfile.SpooledTemporaryFile:
    """Write the export as XLSX: the data, the continuation parts, and the notes sheet."""
    def rows() -> Iterator[list[str]]:
        for row in export.rows():
            if progress is not None:
                progress()
            yield [row[column] for column in COLUMNS]
    return write_xlsx(HEADER_ROW, rows(), export.notes())
