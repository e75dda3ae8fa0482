"""PFIF 1.4 export of the public entries (People Finder Interchange Format).

One ``pfif:person`` per public entry whose name the policy publishes (PFIF requires
``full_name``; entries without a published name are left out), and one ``pfif:note``
carrying the case status. Every value comes from ``PublicEntry``: the same redaction
as the pages. Reference: https://zesty.ca/pfif/1.4/
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from public_site.entries import PublicEntry
from public_site.selectors import public_entries_iter

PFIF_NAMESPACE = "http://zesty.ca/pfif/1.4"
PFIF_SEX = {"H": "male", "M": "female", "X": "other"}
PFIF_STATUS = {
    "desaparecida": "believed_missing", "no_localizada": "believed_missing",
    "localizada_con_vida": "believed_alive", "localizada_sin_vida": "believed_dead",
}
SOURCE_NAME = "Registro de personas desaparecidas y detenidas"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _element(name: str, value: object) -> str:
    text = "" if value is None else str(value)
    return f"<pfif:{name}>{escape(text)}</pfif:{name}>" if text else ""


def _domain() -> str:
    base = getattr(settings, "PUBLIC_SITE_URL", "http://registro.example")
    return base.split("://", 1)[-1].split("/", 1)[0] or "registro.example"


def person_xml(entry: PublicEntry, *, base_url: str) -> str:
    """Return one ``pfif:person`` element (with its status note) for a public entry."""
    data = entry.as_data()
    record_id = f"{_domain()}/ficha.{entry.key}"
    entry_url = base_url + reverse("public_site:entry", args=[entry.key])
    updated = _utc(entry.case["updated_at"])
    family_name = " ".join(p for p in (data["primer_apellido"], data["segundo_apellido"]) if p)
    place = ", ".join(p for p in (data["municipio"], data["entidad"]) if p)
    summary = f"Desapareció el {data['fecha_desaparicion']} en {place}." if place else ""
    description = " ".join(p for p in (summary, data["descripcion"]) if p)
    parts = [
        _element("person_record_id", record_id), _element("entry_date", updated),
        _element("author_name", data["institucion"]), _element("source_name", SOURCE_NAME),
        _element("source_date", updated), _element("source_url", entry_url),
        _element("full_name", entry.name), _element("given_name", data["nombre"]),
        _element("family_name", family_name), _element("sex", PFIF_SEX.get(data["sexo"])),
        _element("age", data["rango_edad"]), _element("description", description),
        _element("profile_urls", entry_url),
        "<pfif:note>",
        _element("note_record_id", f"{record_id}.situacion"),
        _element("person_record_id", record_id), _element("entry_date", updated),
        _element("author_name", data["institucion"]),
        _element("source_date", _utc(entry.case["status_changed_at"])),
        _element("status", PFIF_STATUS[data["situacion"]]),
        _element("text", data["situacion"].replace("_", " ")),
        "</pfif:note>",
    ]
    return "<pfif:person>" + "".join(parts) + "</pfif:person>\n"


def pfif_document(base_url: str) -> Iterator[str]:
    """Yield the PFIF 1.4 document of every public entry with a published name."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<pfif:pfif xmlns:pfif="{PFIF_NAMESPACE}">\n'
    for entry in public_entries_iter():
        if entry.name:
            yield person_xml(entry, base_url=base_url)
    yield "</pfif:pfif>\n"


@require_GET
def open_data_pfif(request: HttpRequest) -> StreamingHttpResponse:
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(pfif_document(base_url),
                                     content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="fichas-pfif-1.4.xml"'
    return response
