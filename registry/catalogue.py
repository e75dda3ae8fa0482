"""The INEGI catalogue of states and municipalities, resolved by name, abbreviation or code.

Pure Python (no Django): the data files in ``registry/data/`` are read once, on first use.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mxnames.text import search_key

DATA_DIR = Path(__file__).resolve().parent / "data"

# Official long names and common abbreviations seen in agency files, by INEGI code.
STATE_ALIASES: dict[str, tuple[str, ...]] = {
    "01": ("AGS", "Ags."),
    "02": ("BC", "B.C.", "BCN"),
    "03": ("BCS", "B.C.S."),
    "04": ("CAMP", "Camp."),
    "05": ("Coahuila de Zaragoza", "COAH", "Coah."),
    "06": ("COL", "Col."),
    "07": ("CHIS", "Chis."),
    "08": ("CHIH", "Chih."),
    "09": ("CDMX", "Distrito Federal", "DF", "D.F.", "Ciudad de Mexico"),
    "10": ("DGO", "Dgo."),
    "11": ("GTO", "Gto."),
    "12": ("GRO", "Gro."),
    "13": ("HGO", "Hgo."),
    "14": ("JAL", "Jal."),
    "15": ("México", "Estado de México", "Edomex", "Edo. Méx.", "MEX", "Méx."),
    "16": ("Michoacán de Ocampo", "MICH", "Mich."),
    "17": ("MOR", "Mor."),
    "18": ("NAY", "Nay."),
    "19": ("NL", "N.L.", "NLE"),
    "20": ("OAX", "Oax."),
    "21": ("PUE", "Pue."),
    "22": ("QRO", "Qro.", "Querétaro de Arteaga"),
    "23": ("Q. Roo", "QROO", "Q.R."),
    "24": ("SLP", "S.L.P."),
    "25": ("SIN", "Sin."),
    "26": ("SON", "Son."),
    "27": ("TAB", "Tab."),
    "28": ("TAMPS", "Tamps."),
    "29": ("TLAX", "Tlax."),
    "30": ("Veracruz de Ignacio de la Llave", "VER", "Ver."),
    "31": ("YUC", "Yuc."),
    "32": ("ZAC", "Zac."),
}


@dataclass(frozen=True)
class StateEntry:
    code: str
    name: str


@dataclass(frozen=True)
class MunicipalityEntry:
    code: str  # five-digit cve_geo
    state_code: str
    name: str


@cache
def states() -> tuple[StateEntry, ...]:
    """Return the 32 states in INEGI order."""
    with (DATA_DIR / "inegi_estados.csv").open(encoding="utf-8", newline="") as handle:
        rows = [StateEntry(code=row["cve_ent"].zfill(2), name=row["nombre_estado"])
                for row in csv.DictReader(handle)]
    return tuple(sorted(rows, key=lambda entry: entry.code))


@cache
def municipalities() -> tuple[MunicipalityEntry, ...]:
    """Return every municipality, ordered by code."""
    with (DATA_DIR / "inegi_municipios.csv").open(encoding="utf-8", newline="") as handle:
        rows = [
            MunicipalityEntry(code=row["cve_geo"].zfill(5), state_code=row["cve_ent"].zfill(2),
                              name=row["nombre_municipio"])
            for row in csv.DictReader(handle)
        ]
    return tuple(sorted(rows, key=lambda entry: entry.code))


@cache
def _state_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for entry in states():
        index[search_key(entry.name)] = entry.code
        index[entry.code] = entry.code
        index[str(int(entry.code))] = entry.code
        for alias in STATE_ALIASES.get(entry.code, ()):
            index[search_key(alias)] = entry.code
    return index


@cache
def _municipality_index() -> dict[tuple[str, str], str]:
    return {(entry.state_code, search_key(entry.name)): entry.code for entry in municipalities()}


@cache
def _municipality_codes() -> frozenset[str]:
    return frozenset(entry.code for entry in municipalities())


def resolve_state(text: str) -> str | None:
    """Return the two-digit INEGI code for a state name, abbreviation or code, else None."""
    key = search_key(text)
    return _state_index().get(key) or _state_index().get(text.strip())


def resolve_municipality(state_code: str, text: str) -> str | None:
    """Return the five-digit code of a municipality of ``state_code`` by name or code."""
    raw = text.strip()
    if raw.isdigit():
        if len(raw) == 5 and raw[:2] == state_code:
            return raw
        if len(raw) <= 3:
            candidate = state_code + raw.zfill(3)
            return candidate if candidate in _municipality_codes() else None
        return None
    return _municipality_index().get((state_code, search_key(raw)))
