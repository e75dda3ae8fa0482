"""Blank files an agency can fill and upload: the headers the importer reads, per kind of
record, and a data dictionary saying what each column holds (CSV or XLSX).

Every header here is one the importer recognises (``imports.mapping.SYNONYMS``; a test
checks it), so a file made from the template maps itself with no saved mapping.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.mapping import FIELD_LABELS
from imports.reports import as_csv
from registry.models import RecordKind

_PERSON = ("given_names", "paternal_surname", "maternal_surname", "aliases", "sex",
           "birth_date", "age", "curp", "nationality")
_EVENT = ("event_date", "event_state", "event_municipality", "place")
# The columns of each kind's template, in order.
TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    RecordKind.MISSING_REPORT: ("external_id", *_PERSON, *_EVENT, "description", "address",
                                "reporter_name", "reporter_contact", "case_status",
                                "publication_consent"),
    RecordKind.DETENTION: ("external_id", *_PERSON, *_EVENT, "authority", "facility",
                           "reason"),
    RecordKind.RELEASE_TRANSFER: ("external_id", *_PERSON, *_EVENT, "authority", "facility"),
    RecordKind.LOCATED: ("external_id", *_PERSON, *_EVENT, "description", "clothing", "marks"),
    RecordKind.UNIDENTIFIED_REMAINS: ("external_id", "given_names", "paternal_surname",
                                      "maternal_surname", "sex", "age_range", *_EVENT,
                                      "clothing", "marks", "description"),
}
# The header each field takes in a template (the event's date and place say which event).
HEADERS: dict[str, str] = {
    "external_id": "FOLIO", "given_names": "NOMBRE(S)", "paternal_surname": "PRIMER APELLIDO",
    "maternal_surname": "SEGUNDO APELLIDO", "aliases": "ALIAS", "sex": "SEXO",
    "birth_date": "FECHA DE NACIMIENTO", "age": "EDAD", "curp": "CURP",
    "nationality": "NACIONALIDAD", "event_state": "ENTIDAD", "event_municipality": "MUNICIPIO",
    "authority": "AUTORIDAD", "facility": "LUGAR DE RECLUSIÓN", "reason": "MOTIVO",
    "description": "DESCRIPCIÓN", "address": "DOMICILIO",
    "reporter_name": "NOMBRE DE QUIEN REPORTA", "reporter_contact": "CONTACTO DE QUIEN REPORTA",
    "case_status": "SITUACIÓN", "publication_consent": "AUTORIZA PUBLICACIÓN",
    "age_range": "EDAD ESTIMADA", "clothing": "VESTIMENTA", "marks": "SEÑAS PARTICULARES",
}
EVENT_HEADERS: dict[str, tuple[str, str]] = {
    RecordKind.MISSING_REPORT: ("FECHA DE DESAPARICIÓN", "LUGAR DE DESAPARICIÓN"),
    RecordKind.DETENTION: ("FECHA DE DETENCIÓN", "LUGAR DEL HECHO"),
    RecordKind.RELEASE_TRANSFER: ("FECHA DE TRASLADO", "LUGAR DE DESTINO"),
    RecordKind.LOCATED: ("FECHA DE LOCALIZACIÓN", "LUGAR DE LOCALIZACIÓN"),
    RecordKind.UNIDENTIFIED_REMAINS: ("FECHA DE HALLAZGO", "LUGAR DEL HALLAZGO"),
}
# What a column holds and how to write it, with an example (Mexican, invented).
MEANINGS: dict[str, tuple[Any, str]] = {
    "external_id": (gettext_lazy("El folio de su institución; si falta, el registro se "
                                 "identifica por sus datos (volver a cargarlo lo actualiza)."),
                    "FGJ/CDMX/2025/000123"),
    "given_names": (gettext_lazy("Nombre o nombres, como en la identificación."), "José Ángel"),
    "paternal_surname": (gettext_lazy("Primer apellido."), "Núñez"),
    "maternal_surname": (gettext_lazy("Segundo apellido, si lo tiene."), "Peña"),
    "aliases": (gettext_lazy("Apodos o alias, separados por coma."), "El Güero"),
    "sex": (gettext_lazy("H (hombre), M (mujer) o X; también «Hombre» o «Mujer»."), "H"),
    "birth_date": (gettext_lazy("DD/MM/AAAA."), "03/05/1990"),
    "age": (gettext_lazy("Edad en años al momento del hecho, si no hay fecha de nacimiento."),
            "34"),
    "curp": (gettext_lazy("18 caracteres; se verifica el dígito."), "NUPJ900503HDFXXX09"),
    "nationality": (gettext_lazy("Nacionalidad."), "Mexicana"),
    "event_date": (gettext_lazy("DD/MM/AAAA: la fecha del hecho que registra el archivo."),
                   "04/07/2024"),
    "event_state": (gettext_lazy("Nombre, abreviatura o clave INEGI de la entidad."),
                    "Ciudad de México"),
    "event_municipality": (gettext_lazy("Nombre o clave INEGI del municipio o alcaldía."),
                           "Coyoacán"),
    "place": (gettext_lazy("Calle, colonia o sitio del hecho (nunca se publica)."),
              "Av. Universidad y Copilco"),
    "authority": (gettext_lazy("Autoridad que detuvo, trasladó o liberó."),
                  "Policía Preventiva"),
    "facility": (gettext_lazy("Lugar de reclusión o estancia: a dónde fue llevada la persona "
                              "(se muestra en la consulta pública de detenciones)."),
                 "Juzgado Cívico Coyoacán 1"),
    "reason": (gettext_lazy("Motivo o delito (nunca se publica)."), "Falta administrativa"),
    "description": (gettext_lazy("Señas, media filiación u observaciones."),
                    "Complexión delgada, cicatriz en la ceja izquierda"),
    "address": (gettext_lazy("Domicilio de la persona (nunca se publica)."),
                "Calle Pino 12, Col. Centro"),
    "reporter_name": (gettext_lazy("Quien reporta (nunca se publica)."), "Rosa Peña (madre)"),
    "reporter_contact": (gettext_lazy("Teléfono o correo de quien reporta (nunca se publica)."),
                         "55 1234 5678"),
    "case_status": (gettext_lazy("Desaparecida, No localizada, Localizada con vida o "
                                 "Localizada sin vida (las dos últimas esperan revisión)."),
                    "Desaparecida"),
    "publication_consent": (gettext_lazy("SÍ si la familia autoriza publicar la ficha con "
                                         "el nombre; NO en otro caso."), "SÍ"),
    "age_range": (gettext_lazy("Edad estimada, un número o un rango."), "25-30"),
    "clothing": (gettext_lazy("Vestimenta y accesorios."), "Pantalón de mezclilla, playera negra"),
    "marks": (gettext_lazy("Tatuajes, cicatrices, lunares, prótesis."),
              "Tatuaje de una golondrina en el hombro izquierdo"),
}
REQUIRED = {"given_names", "paternal_surname"}


def template_headers(kind: str) -> list[tuple[str, str]]:
    """Return (header, field) of the template of this kind of record."""
    date_header, place_header = EVENT_HEADERS[kind]
    special = {"event_date": date_header, "place": place_header}
    return [(special.get(name, HEADERS.get(name, "")), name) for name in TEMPLATE_FIELDS[kind]]


def dictionary_rows(kind: str) -> list[list[str]]:
    """Return the data dictionary: column, field, required, what it holds, example."""
    required = REQUIRED if kind != RecordKind.UNIDENTIFIED_REMAINS else set()
    rows = [[_("Columna"), _("Campo del registro"), _("Obligatoria"), _("Qué contiene"),
             _("Ejemplo")]]
    for header, name in template_headers(kind):
        meaning, example = MEANINGS[name]
        rows.append([header, str(FIELD_LABELS[name]), _("sí") if name in required else _("no"),
                     str(meaning), example])
    return rows


def template_file(kind: str, *, part: str, extension: str) -> tuple[bytes, str]:
    """Return (body, content type): the blank template, or its dictionary (``part``)."""
    header = [h for h, _name in template_headers(kind)]
    if extension == "csv":
        table = dictionary_rows(kind) if part == "dictionary" else [header]
        return as_csv(table), "text/csv; charset=utf-8"
    return _xlsx(header, dictionary_rows(kind)), \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(header: list[str], dictionary: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    data = workbook.active
    data.title = "datos"
    data.append(header)
    for cell in data[1]:
        cell.font = Font(bold=True)
    for column_cells in data.columns:
        data.column_dimensions[column_cells[0].column_letter].width = max(
            12, len(str(column_cells[0].value)) + 2)
    data.freeze_panes = "A2"
    notes = workbook.create_sheet("diccionario")
    for row in dictionary:
        notes.append(row)
    for cell in notes[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
