"""Deterministic synthetic Mexican population for demos and benchmarks.

Only ``random.Random(seed)`` is used, so a seed always gives the same people.
Names are drawn with realistic frequency weights (Hernández is far more common
than Xicoténcatl), which is what makes term-frequency adjustment matter.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import accumulate

from mxnames.curp import build_curp
from mxnames.nicknames import ALIASES_DISPLAY, NICKNAMES_DISPLAY


@dataclass(frozen=True)
class SyntheticRecord:
    record_id: str
    person_id: str  # ground-truth identity (the same human shares it)
    given_names: str
    paternal_surname: str
    maternal_surname: str  # may be "" (missing)
    aliases: str
    sex: str  # "H", "M" or "" (unknown)
    birth_date: datetime.date | None
    age: int | None  # age at event when birth date unknown, else may be None
    curp: str
    state_code: str  # INEGI "01".."32"
    municipality_code: str  # INEGI 5-digit cve_geo or ""
    address: str
    event_date: datetime.date | None

    def as_row(self) -> dict[str, str]:
        """Return the record in the command line's CSV schema (ISO dates, age as text)."""
        return {
            "record_id": self.record_id,
            "given_names": self.given_names,
            "paternal_surname": self.paternal_surname,
            "maternal_surname": self.maternal_surname,
            "sex": self.sex,
            "birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "age": "" if self.age is None else str(self.age),
            "id_number": self.curp,
            "state": self.state_code,
            "municipality": self.municipality_code,
            "address": self.address,
            "event_date": self.event_date.isoformat() if self.event_date else "",
        }


# --- name tables (display form, weight) ------------------------------------
# Weights are rough relative frequencies; compound names carry their own weight.
_MALE_NAMES: list[tuple[str, float]] = [
    ("José Luis", 30), ("Juan", 28), ("José", 25), ("Jesús", 18), ("Juan Carlos", 16),
    ("Miguel Ángel", 16), ("Francisco", 15), ("Luis", 14), ("Carlos", 14),
    ("Alejandro", 13), ("Jorge", 12), ("Antonio", 12), ("José Antonio", 11),
    ("Pedro", 10), ("Manuel", 10), ("Ricardo", 10), ("Roberto", 10), ("Fernando", 9),
    ("Eduardo", 9), ("Javier", 9), ("Daniel", 9), ("Juan Manuel", 9), ("Rafael", 8),
    ("Sergio", 8), ("Arturo", 8), ("Raúl", 8), ("Alberto", 7), ("Mario", 7),
    ("Enrique", 7), ("Martín", 7), ("Guillermo", 6), ("Ignacio", 6), ("Héctor", 6),
    ("Víctor Manuel", 6), ("Óscar", 6), ("Gerardo", 6), ("Ramón", 5), ("Salvador", 5),
    ("Francisco Javier", 8), ("José de Jesús", 6), ("Juan José", 6), ("José Manuel", 6),
    ("Luis Fernando", 5), ("Carlos Alberto", 4), ("José Guadalupe", 5), ("Juan Pablo", 4),
    ("José Alfredo", 3), ("Jorge Luis", 4), ("Marco Antonio", 5), ("Luis Ángel", 4),
    ("Jesús Alberto", 3), ("José Ramón", 3), ("Andrés", 5), ("Ángel", 5), ("Gabriel", 5),
    ("Rubén", 5), ("Hugo", 4), ("Alfredo", 4), ("Gustavo", 4), ("Armando", 4),
    ("Julio César", 4), ("Joaquín", 3), ("Gilberto", 3), ("Emiliano", 3), ("Santiago", 4),
    ("Diego", 4), ("Iván", 4), ("Adrián", 4), ("Israel", 3), ("Abraham", 3), ("Efraín", 2),
    ("Rodolfo", 3), ("Ernesto", 3), ("Federico", 2), ("Agustín", 2), ("Felipe", 3),
    ("Ulises", 2), ("Baltazar", 1), ("Gonzalo", 2), ("Isidro", 1), ("Ezequiel", 1),
    ("Brayan", 3), ("Kevin", 3), ("Jonathan", 3), ("Erick", 3), ("Uriel", 2), ("Axel", 2),
    ("Édgar", 3), ("Saúl", 2), ("Noé", 2), ("Moisés", 2), ("Jaime", 3), ("Leonardo", 3),
    ("Cuauhtémoc", 1), ("Alfonso", 3), ("Humberto", 2), ("Rigoberto", 2), ("Heriberto", 1),
    ("Octavio", 2), ("Gregorio", 1), ("Anastasio", 1), ("Eusebio", 1), ("Bartolomé", 0.5),
    ("Tonatiuh", 0.5), ("Xicoténcatl", 0.3), ("Nezahualcóyotl", 0.2), ("Itzcóatl", 0.2),
]
_FEMALE_NAMES: list[tuple[str, float]] = [
    ("María Guadalupe", 30), ("Guadalupe", 20), ("María", 18), ("Juana", 12),
    ("Margarita", 12), ("Verónica", 11), ("Rosa María", 10), ("Leticia", 10),
    ("Patricia", 10), ("Elizabeth", 9), ("Alejandra", 9), ("Gabriela", 9), ("Adriana", 9),
    ("Laura", 8), ("Silvia", 8), ("Araceli", 7), ("Claudia", 7), ("Teresa", 6),
    ("Martha", 7), ("Ana María", 7), ("María de los Ángeles", 7), ("María Elena", 7),
    ("María del Carmen", 8), ("María Isabel", 6), ("María Fernanda", 6), ("María José", 5),
    ("María de Jesús", 5), ("María Teresa", 5), ("María de la Luz", 5),
    ("María del Rosario", 4), ("María Concepción", 3), ("María Dolores", 3),
    ("María del Socorro", 3), ("María Luisa", 4), ("Martha Patricia", 3), ("Ana Laura", 3),
    ("Diana Laura", 3), ("Perla Guadalupe", 2), ("Juana María", 2), ("Sandra", 6),
    ("Yolanda", 6), ("Rocío", 6), ("Lucía", 5), ("Concepción", 4), ("Josefina", 5),
    ("Dolores", 4), ("Mónica", 5), ("Norma", 5), ("Carmen", 5), ("Beatriz", 5),
    ("Alicia", 5), ("Lorena", 5), ("Karla", 5), ("Fernanda", 5), ("Daniela", 6),
    ("Valeria", 5), ("Ximena", 4), ("Itzel", 4), ("Citlali", 3), ("Xóchitl", 2),
    ("Yesenia", 4), ("Brenda", 4), ("Diana", 5), ("Berenice", 3), ("Esmeralda", 4),
    ("Mariana", 5), ("Andrea", 5), ("Paola", 4), ("Estela", 3), ("Socorro", 3),
    ("Refugio", 2), ("Consuelo", 3), ("Soledad", 2), ("Esperanza", 3), ("Irma", 3),
    ("Isabel", 4), ("Sofía", 4), ("Natalia", 3), ("Jazmín", 3), ("Nayeli", 3), ("Rubí", 2),
    ("Graciela", 3), ("Cecilia", 3), ("Mercedes", 2), ("Rosario", 3), ("Natividad", 1),
    ("Asunción", 1), ("Ángeles", 2), ("Iztel", 0.5), ("Nicté", 0.3), ("Yatzil", 0.3),
]
_SURNAMES: list[tuple[str, float]] = [
    ("Hernández", 60), ("García", 42), ("Martínez", 40), ("López", 38), ("González", 34),
    ("Pérez", 30), ("Rodríguez", 30), ("Sánchez", 28), ("Ramírez", 27), ("Cruz", 20),
    ("Flores", 19), ("Gómez", 18), ("Morales", 15), ("Vázquez", 15), ("Reyes", 15),
    ("Jiménez", 14), ("Torres", 14), ("Díaz", 13), ("Gutiérrez", 12), ("Ruiz", 12),
    ("Mendoza", 12), ("Aguilar", 12), ("Ortiz", 11), ("Moreno", 11), ("Castillo", 10),
    ("Romero", 10), ("Álvarez", 10), ("Méndez", 10), ("Chávez", 10), ("Rivera", 9),
    ("Juárez", 9), ("Ramos", 9), ("Domínguez", 9), ("Herrera", 9), ("Medina", 8),
    ("Castro", 8), ("Vargas", 8), ("Guzmán", 8), ("Velázquez", 7), ("Muñoz", 7),
    ("Rojas", 7), ("Contreras", 7), ("Salazar", 7), ("Luna", 7), ("Ortega", 7),
    ("Santiago", 6), ("Guerrero", 6), ("Estrada", 6), ("Bautista", 6), ("Cortés", 6),
    ("Soto", 5), ("Alvarado", 5), ("Espinoza", 5), ("Lara", 5), ("Ávila", 5), ("Ríos", 5),
    ("Cervantes", 5), ("Silva", 5), ("Delgado", 5), ("Vega", 5), ("Márquez", 5),
    ("Sandoval", 5), ("Fernández", 5), ("León", 4), ("Carrillo", 4), ("Mejía", 4),
    ("Solís", 4), ("Núñez", 4), ("Rosas", 4), ("Valdez", 4), ("Ibarra", 4), ("Campos", 4),
    ("Santos", 4), ("Camacho", 4), ("Navarro", 4), ("Peña", 4), ("Maldonado", 4),
    ("Rosales", 4), ("Acosta", 4), ("Miranda", 3), ("Trejo", 3), ("Valencia", 3),
    ("Nava", 3), ("Pacheco", 3), ("Robles", 3), ("Molina", 3), ("Rangel", 3), ("Huerta", 3),
    ("Fuentes", 3), ("Ibáñez", 2), ("Villa", 3), ("Zúñiga", 2), ("Quiroz", 2),
    ("Escobar", 2), ("Cabrera", 3), ("Gallegos", 2), ("Meza", 2), ("Ochoa", 2),
    ("Cisneros", 2), ("Galván", 2), ("Sosa", 2), ("Velasco", 2), ("de la Cruz", 4),
    ("de León", 2), ("del Ángel", 1), ("de los Santos", 1), ("Villanueva", 2),
    ("Barrera", 2), ("Benítez", 2), ("Salinas", 2), ("Ayala", 2), ("Yáñez", 1.5),
    ("Zapata", 1.5), ("Villaseñor", 1), ("Montaño", 1), ("Treviño", 1), ("Saldaña", 1),
    ("Carreño", 1), ("Magaña", 1), ("Ordóñez", 1), ("Briseño", 1), ("Echeverría", 1),
    ("Arriaga", 1), ("Quintanilla", 1), ("Urquidi", 0.5), ("Cháirez", 0.5),
    ("Xicoténcatl", 0.3), ("Cuautle", 0.4), ("Tzompantzi", 0.3), ("Tecuapetla", 0.3),
    ("Xolalpa", 0.3), ("Moctezuma", 0.5), ("Tlatelpa", 0.2), ("Tlaseca", 0.2),
    ("Huitrón", 0.4), ("Cuatecontzi", 0.2), ("Ixtlahuac", 0.2), ("Cuahutle", 0.2),
    ("Chi", 0.5), ("Canul", 0.5), ("Pech", 0.5), ("Uc", 0.4), ("May", 0.5), ("Ek", 0.3),
    ("Poot", 0.3), ("Tun", 0.3), ("Dzul", 0.3), ("Cauich", 0.3), ("Balam", 0.3),
    ("Chan", 0.5), ("Itzá", 0.2), ("Ku", 0.3), ("Cocom", 0.2), ("Xool", 0.2), ("Yam", 0.3),
    ("Tepox", 0.2), ("Cuevas", 2), ("Hurtado", 2), ("Lozano", 2), ("Bravo", 2),
    ("Vera", 2), ("Hidalgo", 1.5), ("Beltrán", 1.5), ("Zamora", 1.5), ("Olvera", 1.5),
    ("Becerra", 1.5), ("Vallejo", 1), ("Tapia", 1.5), ("Arellano", 1.5), ("Pineda", 1.5),
]
_STREETS = (
    "Hidalgo", "Morelos", "Juárez", "Zaragoza", "Allende", "Madero", "Independencia",
    "Reforma", "5 de Mayo", "Insurgentes", "Guerrero", "Revolución", "Benito Juárez",
    "Emiliano Zapata", "Vicente Guerrero", "Niños Héroes", "Aldama", "Constitución",
    "Lázaro Cárdenas", "Francisco Villa", "Las Flores", "Del Río", "Pino Suárez",
)
_COLONIAS = (
    "Centro", "Santa María", "San José", "El Carmen", "La Loma", "Las Palmas",
    "Guadalupe", "San Miguel", "Lomas del Valle", "Del Valle", "Jardines", "Obrera",
    "Ejidal", "La Joya", "San Antonio", "Buenavista", "Progreso", "Industrial",
)
# A small built-in list of INEGI cve_geo municipality codes (state+municipality).
DEFAULT_MUNICIPALITIES: tuple[str, ...] = (
    "01001", "02002", "02004", "03003", "04002", "05030", "05035", "06002", "07101",
    "07089", "08019", "08037", "09007", "09005", "09015", "10005", "11020", "11007",
    "12001", "12029", "13048", "14039", "14120", "14097", "15033", "15058", "15104",
    "15106", "16053", "16102", "17007", "18017", "19039", "19026", "20067", "21114",
    "22014", "23005", "24028", "25006", "25012", "26030", "27004", "28032", "28022",
    "29033", "30193", "30087", "31050", "32056",
)


class _Weighted:
    """A weighted choice with precomputed cumulative weights (fast for 200k)."""

    def __init__(self, table: Sequence[tuple[str, float]]):
        self.values = [value for value, _ in table]
        self.cum_weights = list(accumulate(weight for _, weight in table))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


_MALE = _Weighted(_MALE_NAMES)
_FEMALE = _Weighted(_FEMALE_NAMES)
_SURNAME = _Weighted(_SURNAMES)
_EPOCH_BIRTH = datetime.date(1950, 1, 1).toordinal()
_SPAN_BIRTH = datetime.date(2007, 12, 31).toordinal() - _EPOCH_BIRTH
_EPOCH_EVENT = datetime.date(2006, 1, 1).toordinal()
_SPAN_EVENT = datetime.date(2025, 12, 31).toordinal() - _EPOCH_EVENT


def _age_at(birth: datetime.date, when: datetime.date) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


def _make_person(
    rng: random.Random,
    *,
    index: int,
    seed: int,
    municipalities: Sequence[str],
    sex: str | None = None,
    given: str | None = None,
    paternal: str | None = None,
    maternal: str | None = None,
    municipality: str | None = None,
    birth: datetime.date | None = None,
) -> SyntheticRecord:
    sex = sex or ("H" if rng.random() < 0.62 else "M")  # most reports concern men
    given = given or (_MALE if sex == "H" else _FEMALE).pick(rng)
    paternal = paternal or _SURNAME.pick(rng)
    maternal = maternal if maternal is not None else _SURNAME.pick(rng)
    municipality = municipality or rng.choice(municipalities)
    state = municipality[:2]
    event = datetime.date.fromordinal(_EPOCH_EVENT + rng.randrange(_SPAN_EVENT))
    if birth is None:
        birth = datetime.date.fromordinal(_EPOCH_BIRTH + rng.randrange(_SPAN_BIRTH))
        if birth >= event:  # a person cannot go missing before birth
            birth = birth.replace(year=event.year - 14 - rng.randrange(40), day=min(birth.day, 28))
    # Born in the state where the event happened most of the time.
    birth_state = state if rng.random() < 0.75 else f"{rng.randint(1, 32):02d}"
    curp = build_curp(
        given_names=given, paternal_surname=paternal, maternal_surname=maternal,
        birth_date=birth, sex=sex, state_code=birth_state, homoclave_seed=rng.randrange(36),
    )
    return SyntheticRecord(
        record_id=f"T{index}",
        person_id=f"P{seed}-{index}",
        given_names=given,
        paternal_surname=paternal,
        maternal_surname=maternal,
        aliases=rng.choice(ALIASES_DISPLAY) if rng.random() < 0.08 else "",
        sex=sex,
        birth_date=birth,
        age=_age_at(birth, event),
        curp=curp,
        state_code=state,
        municipality_code=municipality,
        address=f"{rng.choice(_STREETS)} {rng.randint(1, 999)}, Col. {rng.choice(_COLONIAS)}",
        event_date=event,
    )


def generate_people(
    *, seed: int, count: int, municipalities: Sequence[str] | None = None
) -> list[SyntheticRecord]:
    """Return ``count`` clean records, one per distinct person (true values)."""
    rng = random.Random(seed)
    munis = _check_municipalities(municipalities)
    return [
        _make_person(rng, index=i, seed=seed, municipalities=munis) for i in range(count)
    ]


def _check_municipalities(municipalities: Sequence[str] | None) -> Sequence[str]:
    if municipalities is None:
        return DEFAULT_MUNICIPALITIES
    munis = list(municipalities)
    bad = [m for m in munis if len(m) != 5 or not m.isdigit() or not 1 <= int(m[:2]) <= 32]
    if not munis or bad:
        raise ValueError(
            "municipalities must be a non-empty list of 5-digit INEGI cve_geo codes "
            f"such as '09007'; bad values: {bad[:5]}"
        )
    return munis


# --- corruption --------------------------------------------------------------

def _strip_accents(text: str) -> str:
    # Clerks writing in capitals drop accents but usually keep Ñ.
    out = []
    for ch in text:
        if ch in "ñÑ":
            out.append(ch)
        else:
            decomposed = unicodedata.normalize("NFD", ch)
            out.append("".join(c for c in decomposed if unicodedata.category(c) != "Mn"))
    return "".join(out)


_PHONETIC_SWAPS = (
    ("v", "b"), ("b", "v"), ("z", "s"), ("s", "z"), ("ce", "se"), ("ci", "si"),
    ("ll", "y"), ("y", "ll"), ("h", ""), ("x", "j"), ("j", "x"), ("gu", "g"),
    ("qu", "k"), ("ñ", "n"), ("rr", "r"),
)
_LETTERS = "abcdefghijlmnoprstuvz"


def _typo(text: str, rng: random.Random) -> str:
    """Return ``text`` with one keyboard or phonetic spelling error."""
    if len(text) < 3:
        return text
    lower = text.lower()
    if rng.random() < 0.45:
        options = [(a, b) for a, b in _PHONETIC_SWAPS if a in lower[1:]]
        if options:
            a, b = rng.choice(options)
            pos = lower.index(a, 1)
            return text[:pos] + b + text[pos + len(a):]
    pos = rng.randrange(1, len(text))
    kind = rng.randrange(4)
    if kind == 0:  # substitution
        return text[:pos] + rng.choice(_LETTERS) + text[pos + 1:]
    if kind == 1:  # deletion
        return text[:pos] + text[pos + 1:]
    if kind == 2:  # insertion
        return text[:pos] + rng.choice(_LETTERS) + text[pos:]
    if pos < len(text) - 1:  # transposition
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]
    return text[:pos]


def _typo_in_words(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 3]
    if not long_words:
        return text
    i = rng.choice(long_words)
    words[i] = _typo(words[i], rng)
    return " ".join(words)


def _given_variant(given: str, rng: random.Random) -> str:
    """Return a nickname, abbreviation or shortened compound name."""
    words = given.split()
    roll = rng.random()
    if len(words) > 1 and roll < 0.45:
        # "José Luis" -> "Luis" or "José"; "María de los Ángeles" -> "Ángeles".
        if words[0] in ("María", "José") and rng.random() < 0.7:
            rest = " ".join(words[1:])
            for particle in ("de los ", "de la ", "del ", "de "):
                rest = rest.removeprefix(particle)
            return rest
        return words[0]
    if words[0] in ("María", "José") and len(words) > 1 and roll < 0.75:
        abbr = rng.choice(("Ma.", "Ma", "MA.")) if words[0] == "María" else rng.choice(("J.", "J"))
        return " ".join([abbr, *words[1:]])
    for i, word in enumerate(words):
        if word in NICKNAMES_DISPLAY and (i > 0 or len(words) == 1 or rng.random() < 0.5):
            nick = rng.choice(NICKNAMES_DISPLAY[word])
            if len(words) == 1 or word in ("José", "Guadalupe"):
                return nick
            return " ".join([*words[:i], nick, *words[i + 1:]])
    return _typo_in_words(given, rng)


def _date_typo(date: datetime.date, rng: random.Random) -> datetime.date:
    """Return ``date`` with a clerical error: swapped day/month, one digit, year ±1."""
    for _ in range(5):
        kind = rng.randrange(4)
        try:
            if kind == 0 and date.day <= 12 and date.day != date.month:
                return date.replace(month=date.day, day=date.month)
            if kind == 1:
                return date.replace(year=date.year + rng.choice((-1, 1)))
            if kind == 2:
                text = f"{date:%Y%m%d}"
                pos = rng.choice((3, 5, 7, 6))  # last year digit, month or day digits
                digit = str((int(text[pos]) + rng.randint(1, 9)) % 10)
                text = text[:pos] + digit + text[pos + 1:]
                return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            if kind == 3:
                return date + datetime.timedelta(days=rng.choice((-1, 1)))
        except ValueError:
            continue
    return date


def _curp_typo(curp: str, rng: random.Random) -> str:
    pos = rng.randrange(18)
    alphabet = "0123456789" if curp[pos].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return curp[:pos] + rng.choice(alphabet.replace(curp[pos], "")) + curp[pos + 1:]


def corrupt(record: SyntheticRecord, *, rng: random.Random, record_id: str) -> SyntheticRecord:
    """Return a noisy variant of ``record`` (same ``person_id``).

    1. Apply one to three of: spelling typos, nicknames/abbreviations, swapped
       surnames, missing maternal surname, a birth-date typo, age instead of a
       birth date, CURP one character off, lost sex or municipality.
    2. Independently, write the names in capitals without accents (common in
       agency exports) and drop the CURP (most agencies rarely capture it).
    """
    fields = {
        "given_names": record.given_names,
        "paternal_surname": record.paternal_surname,
        "maternal_surname": record.maternal_surname,
        "aliases": record.aliases,
        "sex": record.sex,
        "birth_date": record.birth_date,
        "age": record.age,
        "curp": record.curp,
        "municipality_code": record.municipality_code,
        "address": record.address,
    }
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        _apply_one_corruption(fields, rng)
    if rng.random() < 0.35:
        for key in ("given_names", "paternal_surname", "maternal_surname", "aliases"):
            fields[key] = _strip_accents(fields[key]).upper()
    if rng.random() < 0.4:
        fields["curp"] = ""
    if rng.random() < 0.15:
        fields["address"] = ""
    if fields["birth_date"] is not None and rng.random() < 0.5:
        fields["age"] = None
    return replace(record, record_id=record_id, **fields)


def _apply_one_corruption(fields: dict, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.22:
        key = rng.choice(
            ("given_names", "paternal_surname", "paternal_surname", "maternal_surname")
        )
        if fields[key]:
            fields[key] = _typo_in_words(fields[key], rng)
    elif roll < 0.40:
        fields["given_names"] = _given_variant(fields["given_names"], rng)
    elif roll < 0.48:
        if fields["maternal_surname"]:
            fields["paternal_surname"], fields["maternal_surname"] = (
                fields["maternal_surname"], fields["paternal_surname"],
            )
    elif roll < 0.58:
        fields["maternal_surname"] = ""
    elif roll < 0.70:
        if fields["birth_date"] is not None:
            fields["birth_date"] = _date_typo(fields["birth_date"], rng)
    elif roll < 0.80:
        if fields["birth_date"] is not None and fields["age"] is not None:
            fields["birth_date"] = None
            fields["age"] = max(0, fields["age"] + rng.choice((0, 0, 0, -1, 1)))
    elif roll < 0.87:
        if fields["curp"]:
            fields["curp"] = _curp_typo(fields["curp"], rng)
    elif roll < 0.92:
        fields["sex"] = ""
    elif roll < 0.96:
        fields["municipality_code"] = ""
    else:
        fields["aliases"] = rng.choice(ALIASES_DISPLAY)


# --- linkage dataset ---------------------------------------------------------

def generate_linkage_dataset(
    *,
    seed: int,
    n_left: int,
    n_right: int,
    overlap: float,
    municipalities: Sequence[str] | None = None,
    reports_spelt_right: bool = False,
) -> tuple[list[SyntheticRecord], list[SyntheticRecord]]:
    """Return (missing-person reports, detention records) with known overlap.

    ``reports_spelt_right``: the reports keep the person's names as the family gave them
    (their other fields may still be noisy); the demo publishes those names on posters.
    The default keeps the benchmark's noise on both sides (and its random stream).

    1. Draw ``n_left`` people; ``overlap`` of them also appear on the right,
       detained some days later, usually in the same state, as a corrupted copy.
    2. Fill the rest of the right side with other people, of whom some are
       hard non-matches: siblings of a left person (same two surnames, same
       state, different given name and birth date) and namesakes ("Juan
       Hernández García" many times over, with different birth dates).
    3. Shuffle each side; ``person_id`` holds the truth.
    """
    if not 0.0 <= overlap <= 1.0:
        raise ValueError(f"overlap must be a fraction between 0 and 1, got {overlap}")
    n_shared = round(n_left * overlap)
    if n_shared > n_right:
        raise ValueError(f"n_right={n_right} is smaller than the {n_shared} shared people")
    rng = random.Random(seed)
    munis = _check_municipalities(municipalities)
    people: list[SyntheticRecord] = []

    def new_person(**kwargs) -> SyntheticRecord:
        person = _make_person(rng, index=len(people), seed=seed, municipalities=munis, **kwargs)
        people.append(person)
        return person

    left_people = [_namesake_or_new(new_person, rng) for _ in range(n_left)]
    left = [_left_copy(p, rng, f"L{i}", keep_names=reports_spelt_right)
            for i, p in enumerate(left_people)]
    right: list[SyntheticRecord] = []
    for person in rng.sample(left_people, n_shared):
        right.append(corrupt(_relocate(person, rng, munis), rng=rng, record_id=""))
    while len(right) < n_right:
        roll = rng.random()
        if roll < 0.06 and left_people:
            sibling = _sibling(rng.choice(left_people), new_person, rng, munis)
            other = sibling
        else:
            other = _namesake_or_new(new_person, rng)
        right.append(_right_only_copy(other, rng))
    rng.shuffle(left)
    rng.shuffle(right)
    left = [replace(r, record_id=f"L{i}") for i, r in enumerate(left)]
    right = [replace(r, record_id=f"R{i}") for i, r in enumerate(right)]
    return left, right


def _namesake_or_new(new_person, rng: random.Random) -> SyntheticRecord:
    # ~0.4% of everyone is literally "Juan Hernández García": the classic trap.
    if rng.random() < 0.004:
        return new_person(sex="H", given="Juan", paternal="Hernández", maternal="García")
    return new_person()


def _sibling(
    person: SyntheticRecord, new_person, rng: random.Random, munis: Sequence[str]
) -> SyntheticRecord:
    same_state = [m for m in munis if m[:2] == person.state_code] or [person.municipality_code]
    sibling = new_person(
        paternal=person.paternal_surname,
        maternal=person.maternal_surname,
        municipality=rng.choice(same_state),
    )
    if sibling.given_names == person.given_names:  # parents do not repeat a name
        sibling = replace(sibling, given_names=_typo(sibling.given_names + "o", rng))
    return sibling


def _relocate(person: SyntheticRecord, rng: random.Random, munis: Sequence[str]) -> SyntheticRecord:
    """Move the event to the detention: later date, usually the same state."""
    event = person.event_date or datetime.date(2020, 1, 1)
    event += datetime.timedelta(days=rng.randint(0, 400))
    roll = rng.random()
    municipality = person.municipality_code
    if roll < 0.25:
        same_state = [m for m in munis if m[:2] == person.state_code] or [municipality]
        municipality = rng.choice(same_state)
    elif roll < 0.35:
        municipality = rng.choice(munis)
    age = _age_at(person.birth_date, event) if person.birth_date else person.age
    return replace(person, event_date=event, municipality_code=municipality,
                   state_code=municipality[:2], age=age)


def _left_copy(person: SyntheticRecord, rng: random.Random, record_id: str, *,
               keep_names: bool = False) -> SyntheticRecord:
    # Families usually know the names well but rarely the CURP.
    record = corrupt(person, rng=rng, record_id=record_id) if rng.random() < 0.35 else person
    if rng.random() < 0.5:
        record = replace(record, curp="")
    if keep_names:
        record = replace(record, given_names=person.given_names,
                         paternal_surname=person.paternal_surname,
                         maternal_surname=person.maternal_surname)
    return replace(record, record_id=record_id)


def _right_only_copy(person: SyntheticRecord, rng: random.Random) -> SyntheticRecord:
    return corrupt(person, rng=rng, record_id="") if rng.random() < 0.5 else person
