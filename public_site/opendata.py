"""Open data: the redacted public entries as CSV and JSON, versioned, with a schema page.

Each row is ``PublicEntry.as_data()``: exactly what the entry page shows, through the
same redaction. A new column means a new version (``OPEN_DATA_VERSION``); old
columns keep their meaning within a version.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from public_site.selectors import public_entries_iter
from registry.cells import neutralise_row

OPEN_DATA_VERSION = "1"
# column → (type, description); the order is the CSV's column order.
OPEN_DATA_FIELDS = {
    "clave": ("texto", _("Clave de la ficha (la misma de su dirección web). Cambia si la "
                         "familia retira la publicación; una ficha que la familia decidió "
                         "no publicar no aparece.")),
    "nombre": ("texto", _("Nombre(s), sólo con consentimiento de la familia; iniciales si es "
                          "menor de edad; vacío si no se publica.")),
    "primer_apellido": ("texto", _("Primer apellido, con las mismas reglas que el nombre.")),
    "segundo_apellido": ("texto", _("Segundo apellido, con las mismas reglas que el nombre.")),
    "sexo": ("H | M | X | vacío", _("H: hombre, M: mujer, X: no binario u otro.")),
    "rango_edad": ("texto", _("Rango de edad al desaparecer, por ejemplo 25-29; nunca la "
                              "fecha de nacimiento.")),
    "nacionalidad": ("texto", _("Nacionalidad declarada.")),
    "fecha_desaparicion": ("AAAA-MM-DD | AAAA-MM", _("Fecha de desaparición; sólo el mes si "
                                                     "es menor de edad.")),
    "entidad": ("texto", _("Entidad federativa donde desapareció.")),
    "municipio": ("texto", _("Municipio donde desapareció; la entidad si es menor de edad.")),
    "descripcion": ("texto", _("Señas particulares publicadas con consentimiento; nunca de "
                               "menores de edad.")),
    "institucion": ("texto", _("Fiscalía a cargo del caso.")),
    "situacion": ("desaparecida | no_localizada | localizada_con_vida | localizada_sin_vida",
                  _("Situación jurídica del caso.")),
    "fecha_cambio_situacion": ("fecha y hora ISO 8601", _("Último cambio de situación.")),
    "actualizado": ("fecha y hora ISO 8601", _("Última actualización de la ficha.")),
}


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines() -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # spreadsheets open UTF-8 with accents correctly
    yield writer.writerow(list(OPEN_DATA_FIELDS))
    for entry in public_entries_iter():
        data = entry.as_data()
        # Formula-safe (registry.cells): a leading apostrophe on any cell a spreadsheet
        # could run; the JSON needs none (nothing evaluates it).
        yield writer.writerow(neutralise_row(data[name] for name in OPEN_DATA_FIELDS))


def _json_chunks(schema_url: str) -> Iterator[str]:
    header = {"version": OPEN_DATA_VERSION, "esquema": schema_url,
              "generado": timezone.now().isoformat()}
    yield json.dumps(header, ensure_ascii=False)[:-1] + ', "fichas": ['
    for index, entry in enumerate(public_entries_iter()):
        data = entry.as_data()
        yield ("," if index else "") + json.dumps({n: data[n] for n in OPEN_DATA_FIELDS},
                                                  ensure_ascii=False)
    yield "]}"


@require_GET
def open_data(request: HttpRequest) -> HttpResponse:
    """Describe the downloads and their columns (the schema page)."""
    return render(request, "public_site/open_data.html",
                  {"fields": OPEN_DATA_FIELDS, "version": OPEN_DATA_VERSION})


@require_GET
def open_data_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="fichas-v{OPEN_DATA_VERSION}.csv"')
    return response


@require_GET
def open_data_json(request: HttpRequest) -> StreamingHttpResponse:
    schema_url = request.build_absolute_uri("/datos/")
    response = StreamingHttpResponse(_json_chunks(schema_url),
                                     content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="fichas-v{OPEN_DATA_VERSION}.json"')
    return response
