"""PFIF 1.4 export of the public entries (People Finder Interchange Format).

One ``pfif:person`` per public entry whose name the policy publishes (PFIF requires
``full_name``; entries without a published name are left out), and one ``pfif:note``
carrying the case status. Every value comes from ``PublicEntry``: the same redaction
as the pages. Reference: https://zesty.ca/pfif/1.4/

Fields are written in the order PFIF 1.4 lists them (``PERSON_FIELDS``,
``NOTE_FIELDS``); ages as ``N`` or ``N-M`` (the open band "70+" as "70-120"); record
ids as ``domain/ficha.<clave>`` with the domain of ``PUBLIC_SITE_URL`` (README), or
the request's host when it is not set.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit
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
# PFIF 1.4's fields, in the specification's order (a reader may rely on it).
PERSON_FIELDS = (
    "person_record_id", "entry_date", "expiry_date", "author_name", "author_email",
    "author_phone", "source_name", "source_date", "source_url", "full_name", "given_name",
    "family_name", "alternate_names", "description", "sex", "date_of_birth", "age",
    "home_street", "home_neighborhood", "home_city", "home_state", "home_postal_code",
    "home_country", "photo_url", "profile_urls")
NOTE_FIELDS = (
    "note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
    "author_name", "author_email", "author_phone", "source_date", "author_made_contact",
    "status", "email_of_found_person", "phone_of_found_person", "last_known_location",
    "text", "photo_url")
OLDEST_AGE = 120


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _element(name: str, value: object) -> str:
    text = "" if value is None else str(value)
    return f"<pfif:{name}>{escape(text)}</pfif:{name}>" if text else ""


def pfif_domain(request_host: str = "") -> str:
    """Return the domain of the record ids: ``PUBLIC_SITE_URL``'s host name (no port)."""
    configured = getattr(settings, "PUBLIC_SITE_URL", "") or ""
    host = urlsplit(configured).hostname if configured else None
    return host or request_host.split(":", 1)[0] or "registro.example"


def pfif_age(band: str) -> str:
    """Return an age band as PFIF wants an age: "N" or "N-M" ("70+" → "70-120")."""
    if band.endswith("+"):
        return f"{band[:-1]}-{OLDEST_AGE}"
    return band


def _fields(names: tuple[str, ...], values: dict[str, object]) -> str:
    unknown = set(values) - set(names)
    assert not unknown, unknown  # only PFIF 1.4 fields, in its order
    return "".join(_element(name, values.get(name)) for name in names)


def person_xml(entry: PublicEntry, *, base_url: str, domain: str) -> str:
    """Return one ``pfif:person`` element (with its status note) for a public entry."""
    data = entry.as_data()
    record_id = f"{domain}/ficha.{entry.key}"
    entry_url = base_url + reverse("public_site:entry", args=[entry.key])
    updated = _utc(entry.case["updated_at"])
    family_name = " ".join(p for p in (data["primer_apellido"], data["segundo_apellido"]) if p)
    place = ", ".join(p for p in (data["municipio"], data["entidad"]) if p)
    summary = f"Desapareció el {data['fecha_desaparicion']} en {place}." if place else ""
    description = " ".join(p for p in (summary, data["descripcion"]) if p)
    person = _fields(PERSON_FIELDS, {
        "person_record_id": record_id, "entry_date": updated,
        "author_name": data["institucion"], "source_name": SOURCE_NAME,
        "source_date": updated, "source_url": entry_url, "full_name": entry.name,
        "given_name": data["nombre"], "family_name": family_name,
        "description": description, "sex": PFIF_SEX.get(data["sexo"]),
        "age": pfif_age(data["rango_edad"]), "profile_urls": entry_url,
    })
    note = _fields(NOTE_FIELDS, {
        "note_record_id": f"{record_id}.situacion", "person_record_id": record_id,
        "entry_date": updated, "author_name": data["institucion"],
        "source_date": _utc(entry.case["status_changed_at"]),
        "status": PFIF_STATUS[data["situacion"]],
        "text": data["situacion"].replace("_", " "),
    })
    return f"<pfif:person>{person}<pfif:note>{note}</pfif:note></pfif:person>\n"


def pfif_document(base_url: str, request_host: str = "") -> Iterator[str]:
    """Yield the PFIF 1.4 document of every public entry with a published name."""
    domain = pfif_domain(request_host)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<pfif:pfif xmlns:pfif="{PFIF_NAMESPACE}">\n'
    for entry in public_entries_iter():
        if entry.name:
            yield person_xml(entry, base_url=base_url, domain=domain)
    yield "</pfif:pfif>\n"


@require_GET
def open_data_pfif(request: HttpRequest) -> StreamingHttpResponse:
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = StreamingHttpResponse(pfif_document(base_url, request.get_host()),
                                     content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="fichas-pfif-1.4.xml"'
    return response
