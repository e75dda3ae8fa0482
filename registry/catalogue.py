"""The INEGI catalogue of states and municipalities, resolved by name, abbreviation or code.

Pure Python (no Django): the data files in ``registry/data/`` are read once, on first use.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mxnames.states import STATES
from mxnames.text import search_key

DATA_DIR = Path(__file__).resolve().parent / "data"

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
        # The abbreviations agency files write: one table, mxnames.states.
        for alias in STATES.get(entry.code, ()):
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
