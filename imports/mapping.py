"""Recognise column headers: built-in Spanish/English synonyms plus an agency's saved mapping.

Headers are compared by their search key (case, accents, punctuation and spacing
ignored), so ``NOMBRE(S)``, ``Nombre (s)`` and ``nombres`` are the same column.
Columns that map to no field are not dropped: every cell stays in the raw values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from mxnames.text import search_key
from registry.models import RecordKind

# Record fields an import may fill, with the headers that name them.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "external_id": ("FOLIO", "ID", "IDENTIFICADOR", "CLAVE", "NUMERO DE FOLIO", "NO. FOLIO",
                    "FOLIO INTERNO", "NUMERO DE EXPEDIENTE", "EXPEDIENTE",
                    "CARPETA DE INVESTIGACION",
                    "NUMERO DE REGISTRO", "REGISTRO", "RECORD ID", "EXTERNAL ID",
                    "FOLIO FORENSE", "FOLIO DEL SERVICIO FORENSE", "NUMERO DE REGISTRO FORENSE",
                    "FOLIO DE LOCALIZACION", "FOLIO DE LIBERACION", "FOLIO DE TRASLADO"),
    "given_names": ("NOMBRE(S)", "NOMBRE", "NOMBRES", "NOMBRE DE PILA", "GIVEN NAMES",
                    "FIRST NAME", "NAME"),
    "paternal_surname": ("APELLIDO PATERNO", "PRIMER APELLIDO", "AP PATERNO", "PATERNO",
                         "PATERNAL SURNAME", "LAST NAME", "SURNAME", "FIRST SURNAME"),
    "maternal_surname": ("APELLIDO MATERNO", "SEGUNDO APELLIDO", "AP MATERNO", "MATERNO",
                         "MATERNAL SURNAME", "SECOND SURNAME"),
    "aliases": ("ALIAS", "APODO", "APODOS", "SOBRENOMBRE", "AKA"),
    "sex": ("SEXO", "GENERO", "SEX", "GENDER"),
    "birth_date": ("FECHA DE NACIMIENTO", "FECHA NACIMIENTO", "F NACIMIENTO", "NACIMIENTO",
                   "BIRTH DATE", "DATE OF BIRTH", "DOB"),
    "age": ("EDAD", "AGE", "EDAD AL HECHO"),
    "curp": ("CURP",),
    "nationality": ("NACIONALIDAD", "NATIONALITY", "PAIS DE ORIGEN"),
    "event_date": ("FECHA DE DETENCION", "FECHA DETENCION", "FECHA DE DESAPARICION",
                   "FECHA DESAPARICION", "FECHA DEL HECHO", "FECHA DE LOS HECHOS", "FECHA",
                   "FECHA DE INGRESO", "DETENTION DATE", "DATE MISSING", "EVENT DATE",
                   "FECHA DE HALLAZGO", "FECHA DEL HALLAZGO", "FECHA DE LOCALIZACION",
                   "FECHA DE LIBERACION", "FECHA DE TRASLADO", "FECHA DE EGRESO",
                   "DATE FOUND"),
    "event_state": ("ENTIDAD", "ESTADO", "ENTIDAD FEDERATIVA", "ENTIDAD DEL HECHO",
                    "ESTADO DEL HECHO", "CVE ENT", "STATE"),
    "event_municipality": ("MUNICIPIO", "ALCALDIA", "MUNICIPIO O ALCALDIA",
                           "MUNICIPIO DEL HECHO", "CVE MUN", "MUNICIPALITY"),
    "place": ("LUGAR", "LUGAR DEL HECHO", "LUGAR DE LOS HECHOS", "LUGAR DE DETENCION",
              "LUGAR DE DESAPARICION", "LOCALIDAD", "COLONIA", "PLACE",
              "LUGAR DE HALLAZGO", "LUGAR DEL HALLAZGO", "SITIO DEL HALLAZGO",
              "LUGAR DE LOCALIZACION", "LUGAR DE DESTINO", "PLACE FOUND"),
    "authority": ("AUTORIDAD", "AUTORIDAD QUE DETUVO", "AUTORIDAD APREHENSORA", "CORPORACION",
                  "AUTHORITY"),
    "facility": ("LUGAR DE RECLUSION", "CENTRO DE RECLUSION", "CENTRO PENITENCIARIO",
                 "ESTACION MIGRATORIA", "LUGAR DE ESTANCIA", "FACILITY"),
    "reason": ("MOTIVO", "MOTIVO DE DETENCION", "DELITO", "FALTA", "REASON"),
    "description": ("DESCRIPCION", "OBSERVACIONES", "MEDIA FILIACION", "DESCRIPTION",
                    "NOTES"),
    # What forensic services record of remains (and anyone located); no genetic data.
    "age_range": ("EDAD ESTIMADA", "EDAD APROXIMADA", "RANGO DE EDAD", "RANGO DE EDAD ESTIMADA",
                  "EDAD ESTIMADA (AÑOS)", "ESTIMATED AGE"),
    "age_min": ("EDAD MINIMA", "EDAD MINIMA ESTIMADA", "EDAD ESTIMADA MINIMA"),
    "age_max": ("EDAD MAXIMA", "EDAD MAXIMA ESTIMADA", "EDAD ESTIMADA MAXIMA"),
    "clothing": ("VESTIMENTA", "ROPA", "PRENDAS", "PRENDAS DE VESTIR", "DESCRIPCION DE VESTIMENTA",
                 "DESCRIPCION DE LA VESTIMENTA", "VESTIMENTA Y ACCESORIOS", "CLOTHING"),
    # "Ñ" is kept by the search key, so both spellings are listed.
    "marks": ("SEÑAS PARTICULARES", "SENAS PARTICULARES", "SEÑAS", "SENAS", "TATUAJES",
              "CICATRICES", "TATUAJES Y CICATRICES", "TATUAJES, CICATRICES Y LUNARES",
              "MARCAS", "DISTINGUISHING MARKS"),
    "address": ("DOMICILIO", "DIRECCION", "ADDRESS"),
    # The reporting family (restricted: only the agency, prosecutors and administrators).
    "reporter_name": ("NOMBRE DE QUIEN REPORTA", "REPORTANTE", "DENUNCIANTE",
                      "NOMBRE DEL DENUNCIANTE", "PERSONA QUE REPORTA", "FAMILIAR QUE REPORTA",
                      "NOMBRE DEL FAMILIAR", "NOMBRE DE LA FAMILIA", "FAMILIAR"),
    "reporter_contact": ("CONTACTO", "TELEFONO", "TELEFONO DE CONTACTO",
                         "CONTACTO DE QUIEN REPORTA", "CONTACTO DE LA FAMILIA",
                         "CONTACTO DEL FAMILIAR", "TELEFONO DE LA FAMILIA",
                         "TELEFONO DEL FAMILIAR", "CORREO DE LA FAMILIA",
                         "CORREO DEL FAMILIAR", "DATOS DE CONTACTO DE LA FAMILIA"),
    # Of the case a missing-person report opens (``registry.cases``), not of the record:
    # read only from reports' files, and never stored as record fields.
    "case_status": ("SITUACION", "SITUACION JURIDICA", "SITUACION ACTUAL", "ESTATUS",
                    "ESTATUS DE LA PERSONA", "ESTATUS DEL CASO", "ESTADO DEL CASO",
                    "SITUACION DE LA PERSONA", "CASE STATUS"),
    "publication_consent": ("CONSENTIMIENTO DE PUBLICACION", "CONSENTIMIENTO",
                            "AUTORIZA PUBLICACION", "AUTORIZA PUBLICAR",
                            "AUTORIZACION DE PUBLICACION", "AUTORIZA DIFUSION",
                            "CONSENTIMIENTO PARA PUBLICAR", "PUBLICATION CONSENT"),
}

FIELD_LABELS: dict[str, Any] = {
    "external_id": _("Folio"),
    "given_names": _("Nombre(s)"),
    "paternal_surname": _("Primer apellido"),
    "maternal_surname": _("Segundo apellido"),
    "aliases": _("Alias"),
    "sex": _("Sexo"),
    "birth_date": _("Fecha de nacimiento"),
    "age": _("Edad"),
    "curp": _("CURP"),
    "nationality": _("Nacionalidad"),
    "event_date": _("Fecha del hecho"),
    "event_state": _("Entidad"),
    "event_municipality": _("Municipio"),
    "place": _("Lugar"),
    "authority": _("Autoridad"),
    "facility": _("Lugar de reclusión"),
    "reason": _("Motivo"),
    "description": _("Descripción"),
    "address": _("Domicilio"),
    "reporter_name": _("Nombre de quien reporta"),
    "reporter_contact": _("Contacto de quien reporta"),
    "age_range": _("Edad estimada (rango)"),
    "age_min": _("Edad estimada mínima"),
    "age_max": _("Edad estimada máxima"),
    "clothing": _("Vestimenta"),
    "marks": _("Señas particulares"),
    "case_status": _("Situación del caso"),
    "publication_consent": _("Consentimiento de publicación"),
}
FIELDS = tuple(SYNONYMS)
# A saved mapping's value for "this column feeds no field" (kept in the raw values only).
IGNORED = ""
# Fields of the case a report opens, mapped only in files of missing-person reports.
CASE_FIELDS = ("case_status", "publication_consent")
# A column that fills two record fields: "25-30" → age_min 25, age_max 30.
AGE_RANGE = "age_range"
# Words of a header that announce genetic data: the registry holds metadata only, so a
# file with such a column is refused before anything is stored.
GENETIC_WORDS = frozenset({"adn", "dna", "genetico", "genetica", "geneticos", "geneticas",
                           "genotipo", "genoma", "codis", "haplotipo", "str", "snp"})

_BUILT_IN: dict[str, str] = {search_key(header): name for name, headers in SYNONYMS.items()
                             for header in headers}
# How many rows from the top may be titles before the header row.
HEADER_SEARCH_ROWS = 30
# The column a corrected rejected row carries back: its row number in the first file, so
# the resubmission marks that rejected row resolved (and the error report writes it).
REJECTED_ROW_COLUMN = "FILA_ORIGINAL"


def header_key(header: Any) -> str:
    return search_key(str(header)) if header is not None else ""


@dataclass
class ColumnPlan:
    """Which column feeds which field, and the header as written (for raw values)."""

    headers: list[str]
    fields: dict[int, str] = field(default_factory=dict)  # column index -> field name

    @property
    def unmapped(self) -> list[str]:
        return [h for i, h in enumerate(self.headers) if i not in self.fields and h]

    def field_header(self, name: str) -> str:
        for index, field_name in self.fields.items():
            if field_name == name:
                return self.headers[index]
        return ""


def build_plan(headers: Sequence[Any], saved: dict[str, str] | None = None,
               record_kind: str | None = None) -> ColumnPlan:
    """Map each header to a field: the agency's saved mapping first, then the synonyms.

    A field is fed by one column only (the first one that names it); a later
    column naming the same field stays unmapped (kept in the raw values). The case's
    fields (``CASE_FIELDS``) are mapped only for missing-person reports: a prison's
    "SITUACIÓN JURÍDICA" is not a case's legal status.
    """
    saved_keys = {header_key(h): f for h, f in (saved or {}).items()
                  if f in SYNONYMS or f == IGNORED}
    texts = [str(h).strip() if h is not None else "" for h in headers]
    plan = ColumnPlan(headers=_unique_headers(texts))
    taken: set[str] = set()
    with_case = record_kind in (None, RecordKind.MISSING_REPORT)
    # The operator's own choices first (a saved mapping, or one edited on the preview),
    # then the synonyms for the columns and fields left: a synonym never takes a field
    # the operator gave to another column.
    for from_saved in (True, False):
        for index, text in enumerate(texts):
            key = header_key(text)
            if index in plan.fields or (not from_saved and key in saved_keys):
                continue
            name = saved_keys.get(key) if from_saved else _BUILT_IN.get(key)
            if not name or name == IGNORED:
                continue
            if name in CASE_FIELDS and not with_case:
                continue
            if name == "age" and record_kind == RecordKind.UNIDENTIFIED_REMAINS:
                name = AGE_RANGE  # a forensic "EDAD" is an estimate, often "25-30"
            if name not in taken:
                plan.fields[index] = name
                taken.add(name)
    return plan


def genetic_headers(headers: Iterable[Any]) -> list[str]:
    """Return the headers that announce genetic data (DNA profiles, markers, samples)."""
    found = []
    for header in headers:
        words = header_key(header).split()
        if any(word in GENETIC_WORDS for word in words) or "perfil genetico" in " ".join(words):
            found.append(str(header).strip())
    return found


def _unique_headers(texts: list[str]) -> list[str]:
    # Two columns titled alike must not overwrite each other in the raw values.
    seen: dict[str, int] = {}
    unique = []
    for position, text in enumerate(texts, start=1):
        label = text or f"columna_{position}"
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        unique.append(label)
    return unique


def recognised_count(cells: Iterable[Any], saved: dict[str, str] | None = None) -> int:
    saved_keys = {header_key(h) for h in (saved or {})}
    return sum(1 for cell in cells
               if cell is not None and (header_key(cell) in _BUILT_IN
                                        or header_key(cell) in saved_keys))


def is_header_row(cells: Sequence[Any], saved: dict[str, str] | None = None) -> bool:
    """Return True when at least two cells are known headers (title rows have at most one)."""
    return recognised_count(cells, saved) >= 2


def field_by_name(text: str) -> str | None:
    """Return the field a person named, by its code or its Spanish label (any case or
    accents): "Lugar de reclusión", "lugar de reclusion" and "facility" are the same."""
    key = header_key(text)
    if text.strip() in SYNONYMS:
        return text.strip()
    by_label = {header_key(str(label)): name for name, label in FIELD_LABELS.items()}
    return by_label.get(key)


def field_choices(record_kind: str | None = None) -> list[tuple[str, str]]:
    """Return (field, Spanish label) for the fields a file of this kind may fill."""
    with_case = record_kind in (None, RecordKind.MISSING_REPORT)
    return [(name, str(FIELD_LABELS[name])) for name in FIELDS
            if with_case or name not in CASE_FIELDS]


def field_label(name: str) -> str:
    """Return the Spanish label of a field ("—" for a column that feeds none)."""
    return str(FIELD_LABELS[name]) if name in FIELD_LABELS else "—"
