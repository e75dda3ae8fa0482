"""Read a PFIF file (People Finder Interchange Format 1.1 to 1.4) as rows of an import.

Persons and notes from another PFIF repository become records of the importing agency
through the normal importer: each ``pfif:person`` (with its notes, nested or not) is one
row under the Spanish headers the mapping already knows, so it is validated, previewed,
committed and rejected row by row exactly like a CSV row, with the same errors.

1. The file is parsed by defusedxml (no DTD, no entities), in two streaming passes:
   notes outside their person first (kept by person), then the persons.
2. A person's row: its record id as the folio, given and family names (1.1-1.3's
   first/last), alternate names, sex, date of birth, age, description (1.3's
   ``other``), the home address; from its latest note with a status, the case status
   (``believed_missing`` → desaparecida…) and the last known location. The full name,
   the source and the notes' texts stay in the raw values, as any unmapped column.
Nothing is guessed: a family name is not split into two surnames.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

PFIF_NAMESPACE = re.compile(r"^\{http://zesty\.ca/pfif/1\.[1-4]\}(.+)$")
COLUMNS = ("FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "ALIAS", "SEXO", "FECHA DE NACIMIENTO",
           "EDAD", "DESCRIPCION", "DOMICILIO", "LUGAR", "SITUACION", "PFIF NOMBRE COMPLETO",
           "PFIF FUENTE", "PFIF NOTAS", "PFIF EDAD")
STATUS = {"believed_missing": "desaparecida", "believed_alive": "localizada con vida",
          "believed_dead": "localizada sin vida"}
HOME_FIELDS = ("home_street", "home_neighborhood", "home_city", "home_state",
               "home_postal_code", "home_country")


class PfifError(Exception):
    """The file is not a PFIF document; ``message`` says why, in Spanish."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _local(tag: str) -> str | None:
    match = PFIF_NAMESPACE.match(tag)
    return match.group(1) if match else None


def _fields(element: Any) -> dict[str, str]:
    """Return an element's PFIF children as field name -> text (stripped)."""
    fields = {}
    for child in element:
        name = _local(child.tag)
        if name is not None and name not in ("note", "person"):
            fields[name] = (child.text or "").strip()
    return fields


def _iterparse(path: Path) -> Iterator[tuple[str, Any]]:
    from defusedxml.ElementTree import iterparse

    try:
        yield from iterparse(str(path), events=("start", "end"))
    except Exception as exc:  # ParseError, defusedxml's refusals
        raise PfifError(_("El archivo XML no es un documento PFIF legible (XML dañado, o "
                          "con DTD o entidades, que no se aceptan).")) from exc


def _loose_notes(path: Path) -> dict[str, list[dict[str, str]]]:
    """Return the notes that stand outside a person, by the person they are about."""
    notes: dict[str, list[dict[str, str]]] = {}
    depth_in_person = 0
    root_seen = False
    for event, element in _iterparse(path):
        name = _local(element.tag)
        if event == "start":
            if not root_seen:
                root_seen = True
                if name != "pfif":
                    raise PfifError(_("El archivo XML no es un documento PFIF (se espera "
                                      "<pfif:pfif> de http://zesty.ca/pfif/1.x)."))
            if name == "person":
                depth_in_person += 1
            continue
        if name == "person":
            depth_in_person -= 1
            element.clear()
        elif name == "note" and depth_in_person == 0:
            note = _fields(element)
            notes.setdefault(note.get("person_record_id", ""), []).append(note)
            element.clear()
    return notes


def _row(person: dict[str, str], notes: list[dict[str, str]]) -> list[str]:
    dated = sorted(notes, key=lambda note: note.get("source_date") or note.get("entry_date")
                   or "")
    with_status = [note for note in dated if note.get("status") in STATUS]
    with_place = [note for note in dated if note.get("last_known_location")]
    age = person.get("age", "")
    return [
        person.get("person_record_id", ""),
        person.get("given_name") or person.get("first_name", ""),
        person.get("family_name") or person.get("last_name", ""),
        person.get("alternate_names", ""),
        person.get("sex", ""),
        person.get("date_of_birth", ""),
        age if age.isdigit() else "",
        person.get("description") or person.get("other", ""),
        ", ".join(person[name] for name in HOME_FIELDS if person.get(name)),
        with_place[-1]["last_known_location"] if with_place else "",
        STATUS[with_status[-1]["status"]] if with_status else "",
        person.get("full_name", ""),
        " ".join(part for part in (person.get("source_name"), person.get("source_url"))
                 if part),
        " | ".join(note["text"] for note in dated if note.get("text")),
        age,  # as given: a range "N-M" is not one age, so only the raw values keep it
    ]


def pfif_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """Yield the header (row 0) and one numbered row per person, in document order."""
    loose = _loose_notes(path)
    yield 0, list(COLUMNS)
    number = 0
    nested: list[dict[str, str]] = []
    in_person = False
    for event, element in _iterparse(path):
        name = _local(element.tag)
        if event == "start":
            if name == "person":
                in_person, nested = True, []
            continue
        if name == "note" and in_person:
            nested.append(_fields(element))
            element.clear()
        elif name == "person":
            person = _fields(element)
            number += 1
            notes = nested + loose.get(person.get("person_record_id", ""), [])
            yield number, _row(person, notes)
            in_person = False
            element.clear()
