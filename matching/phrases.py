"""The reviewer's explanation in plain Spanish: a pair's levels as short phrases.

The core's explanation says, per comparison, which level the pair fell in and
what it weighed ("birth_date": "day and month swapped", +10.2 bits). A reviewer
reads instead "fecha de nacimiento con día y mes invertidos". The phrases are
Spanish source strings marked with :func:`gettext_noop` (the core imports no
Django): they are stored with the candidate as data and translated where they
are shown (``translate=gettext``), so an English page reads English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def gettext_noop(message: str) -> str:
    """Return ``message``: marks a Spanish source string for ``makemessages``."""
    return message


# Comparison -> Spanish label of the field (for the table's first column).
FIELD_LABELS: dict[str, str] = {
    "given_names": gettext_noop("Nombre(s)"),
    "paternal_surname": gettext_noop("Primer apellido"),
    "maternal_surname": gettext_noop("Segundo apellido"),
    "birth_date": gettext_noop("Fecha de nacimiento"),
    "sex": gettext_noop("Sexo"),
    "id_number": gettext_noop("CURP"),
    "curp_vs_fields": gettext_noop("CURP y datos"),
    "location": gettext_noop("Lugar del hecho"),
    "address": gettext_noop("Domicilio"),
    "event_date": gettext_noop("Fecha del hecho"),
    "relatives": gettext_noop("Parentesco"),
    "hold": gettext_noop("Retenida para revisión"),
}

_SURNAME = {
    "paternal": (gettext_noop("mismo primer apellido"),
                 gettext_noop("primer apellido casi igual (una errata)"),
                 gettext_noop("primer apellido que suena igual"),
                 gettext_noop("primer apellido parecido"),
                 gettext_noop("primer apellido distinto")),
    "maternal": (gettext_noop("mismo segundo apellido"),
                 gettext_noop("segundo apellido casi igual (una errata)"),
                 gettext_noop("segundo apellido que suena igual"),
                 gettext_noop("segundo apellido parecido"),
                 gettext_noop("segundo apellido distinto")),
}


def _surname_phrases(side: str, other: str) -> dict[str, str]:
    same, typo, sound, similar, different = _SURNAME[side]
    return {
        f"exact {side}": same,
        f"{side} swapped with {other}": gettext_noop("apellidos invertidos"),
        f"jaro-winkler {side} >= 0.92": typo,
        f"exact {side}_ph": sound,
        f"{side}_ph swapped with {other}_ph": gettext_noop(
            "apellidos invertidos y escritos de otra forma"),
        f"jaro-winkler {side} >= 0.8": similar,
        f"{side} crossed with given": gettext_noop("apellido escrito en el campo del nombre"),
        "else": different,
    }


# (comparison, level label) -> phrase. Level labels are the core's (comparisons.py).
LEVEL_PHRASES: dict[str, dict[str, str]] = {
    "given_names": {
        "exact given": gettext_noop("mismo nombre"),
        "same significant given name": gettext_noop(
            "mismo nombre principal (uno de los dos está incompleto)"),
        "token-set given >= 100": gettext_noop(
            "los nombres de uno están todos en el otro (falta un nombre)"),
        "jaro-winkler given >= 0.92": gettext_noop("nombre casi igual (una errata)"),
        "exact given_ph": gettext_noop("nombre que suena igual"),
        "jaro-winkler given >= 0.8": gettext_noop("nombre parecido"),
        "given crossed with paternal": gettext_noop("nombre escrito en el campo del apellido"),
        "else": gettext_noop("nombres distintos"),
    },
    "paternal_surname": _surname_phrases("paternal", "maternal"),
    "maternal_surname": _surname_phrases("maternal", "paternal"),
    "birth_date": {
        "exact birth": gettext_noop("misma fecha de nacimiento"),
        "day and month swapped": gettext_noop("fecha de nacimiento con día y mes invertidos"),
        "one digit differs": gettext_noop("fecha de nacimiento con un dígito distinto"),
        "two neighbouring digits swapped": gettext_noop(
            "fecha de nacimiento con dos dígitos contiguos invertidos"),
        "same day and month, year off by one": gettext_noop(
            "fecha de nacimiento con el año cambiado por uno"),
        "birth within 31 days": gettext_noop("fechas de nacimiento a menos de un mes"),
        "birth_year within 1 (a date not precise)": gettext_noop(
            "años de nacimiento a uno o menos (de la edad)"),
        "birth_year within 2 (a date not precise)": gettext_noop(
            "años de nacimiento a dos o menos"),
        "birth_year within 5 (a date not precise)": gettext_noop(
            "años de nacimiento a cinco o menos"),
        "else": gettext_noop("fechas de nacimiento distintas"),
    },
    "sex": {
        "exact sex": gettext_noop("mismo sexo"),
        "else": gettext_noop("sexo distinto"),
    },
    "id_number": {
        "exact id_number": gettext_noop("CURP idéntica"),
        "levenshtein id_number <= 1": gettext_noop("CURP con un carácter distinto"),
        "levenshtein id_number <= 2": gettext_noop("CURP con dos caracteres distintos"),
        "else": gettext_noop("CURP distintas"),
    },
    "curp_vs_fields": {
        "CURP agrees with the other record's names and birth date": gettext_noop(
            "la CURP de uno concuerda con el nombre y la fecha de nacimiento del otro"),
        "else": gettext_noop("la CURP de uno no concuerda con los datos del otro"),
    },
    "location": {
        "exact municipality": gettext_noop("mismo municipio"),
        "exact state": gettext_noop("misma entidad, otro municipio"),
        "else": gettext_noop("entidades distintas"),
    },
    "address": {
        "exact address": gettext_noop("mismo domicilio"),
        "exact address_key": gettext_noop("mismo número y calle"),
        "indel address >= 0.9 (same address_number or address_street)": gettext_noop(
            "domicilio casi igual"),
        "indel address >= 0.7 (same address_number or address_street)": gettext_noop(
            "domicilio parecido"),
        "else": gettext_noop("domicilios distintos"),
    },
    "event_date": {
        "event within 31 days": gettext_noop("hechos a menos de un mes"),
        "event within 400 days": gettext_noop("hechos a menos de 400 días"),
        "else": gettext_noop("hechos a más de 400 días"),
    },
    "relatives": {
        "possible relatives": gettext_noop(
            "podrían ser parientes: lo que comparten también lo comparte una familia"),
    },
    "hold": {
        "possible_relatives": gettext_noop(
            "posibles parientes: mismos apellidos, nombres distintos"),
        "namesakes_different_birth_dates": gettext_noop(
            "posibles homónimos: nombre común, fechas de nacimiento distintas"),
        "curp_conflict": gettext_noop("las dos personas tienen CURP válidas distintas"),
        "sex_conflict": gettext_noop("las dos personas tienen sexos distintos"),
    },
}

PROBABILITY = gettext_noop("probabilidad de que sean la misma persona: %(percent)s")


def phrase_for(comparison: str, level: str) -> str | None:
    """Return the Spanish phrase of a comparison's level, or None (a null level, or unknown)."""
    return LEVEL_PHRASES.get(comparison, {}).get(level)


def with_phrases(explanation: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return ``explanation`` with each entry's Spanish ``"phrase"`` where its level has one."""
    for name, detail in explanation.items():
        phrase = phrase_for(name, str(detail.get("level", "")))
        if phrase:
            detail["phrase"] = phrase
    return explanation


def percent(probability: float) -> str:
    """Return a probability as a percentage a reader can trust: "93 %", "> 99 %".

    Whole percents, never "100 %" nor "0 %": the model is never certain.
    """
    if probability >= 0.995:
        return "> 99 %"
    if probability < 0.005:
        return "< 1 %"
    return f"{round(probability * 100)} %"


def describe_pair(
    explanation: Mapping[str, Any],
    probability: float | None = None,
    *,
    translate: Callable[[str], str] = gettext_noop,
) -> list[str]:
    """Return a pair's explanation as phrases, most telling first.

    1. The probability as a percentage (when given).
    2. Why the pair is held for review, if it is.
    3. The fields' phrases by the size of their weight (strongest evidence
       first, for or against); levels without a phrase (no data) are left out.
    """
    phrases = []
    if probability is not None:
        phrases.append(translate(PROBABILITY) % {"percent": percent(probability)})
    hold = explanation.get("hold")
    if isinstance(hold, Mapping) and phrase_for("hold", str(hold.get("level"))):
        phrases.append(translate(phrase_for("hold", str(hold.get("level")))))
    weighed = []
    for name, detail in explanation.items():
        if name == "hold" or not isinstance(detail, Mapping):
            continue
        phrase = phrase_for(name, str(detail.get("level", "")))
        weight = detail.get("weight")
        if phrase:
            size = abs(weight) if isinstance(weight, int | float) else 0.0
            weighed.append((-size, phrase))
    phrases.extend(translate(phrase) for _size, phrase in sorted(weighed))
    return phrases
