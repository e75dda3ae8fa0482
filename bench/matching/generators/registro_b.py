"""Generator B: prosecutors' missing-person reports against police detention logs.

    python -m bench.matching.generators.registro_b --out DIR --n-left 20000 --n-right 100000

LEFT: state prosecutors' missing-person reports (fiscalías), typed by staff from
what relatives say: names in upper and lower case with accents, nicknames and
apodos in the alias column, sex written as words, dates ``dd/mm/aaaa``, the
place and date of the disappearance.

RIGHT: police detention logs typed into web forms by the arresting officers:
upper case, accents often lost, names as heard (phonetic misspellings), second
given names and maternal surnames left out, sex ``M``/``F`` (masculino/femenino),
ISO dates, timestamps and Excel serials, birth dates missing in about half the
rows with the declared age instead, the place and date of the detention.

The population is national (surname and given-name frequencies by rank,
indigenous and migrant names by state), with relatives and namesakes planted
beside the reported people: siblings (some missing together), cousins, twins,
fathers and sons with the same name, very common full names. The error model
is the table in README.md; the rates below are its source.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from . import geo
from . import registro_b_names as names
from .curp import build_curp, build_voter_key
from .output import FIELDS, CsvOut, main, write_summary

# -- the plan: who is reported, who is detained, who is related to whom ------------

MATCHED_SHARE = 0.23  # reports of a person who has at least one detention record
RECORDS_PER_MATCHED = ((1, 0.89), (2, 0.085), (3, 0.02), (4, 0.005))
DUPLICATE_REPORTS = 0.01  # a second report of the same person (another relative)
CO_MISSING_SIBLINGS = 0.02  # reports of a sibling who disappeared the same day
# Relatives of reported people who appear in the detention logs (per report).
RELATIVES = (("sibling", 0.06), ("cousin", 0.03), ("twin", 0.003), ("father_son", 0.015))
NAMESAKES_LEFT, NAMESAKES_RIGHT = 0.008, 0.004
BACKGROUND_RECORDS = ((1, 0.85), (2, 0.11), (3, 0.04))  # repeat arrests of other people

# Very common full names (given, paternal, maternal or None = any).
COMMON_NAMES = (
    ("Juan", "Hernández", "García"), ("José Luis", "Hernández", "Hernández"),
    ("Jesús", "Martínez", "López"), ("José Antonio", "García", "Hernández"),
    ("Juan Carlos", "González", "Pérez"), ("Francisco Javier", "Ramírez", None),
    ("Miguel Ángel", "López", "Hernández"), ("Luis Ángel", "Hernández", "Martínez"),
    ("María Guadalupe", "López", None), ("María Guadalupe", "Hernández", "Hernández"),
    ("Juana", "García", "Martínez"), ("Guadalupe", "Martínez", None),
)
FEMALE_GIVEN = {"María Guadalupe", "Juana", "Guadalupe"}

GROUPS = ("mx", "maya", "nahua", "oax", "chis", "ca", "hai", "car")
MIGRANTS = {"ca", "hai", "car"}
# Share of each group by INEGI state code (the rest is "mx"): Censo 2020 speakers
# and self-identification of indigenous peoples, INM detentions along the routes.
GROUP_SHARES: dict[str, dict[str, float]] = {
    "31": {"maya": 0.45}, "23": {"maya": 0.25, "car": 0.01}, "04": {"maya": 0.25},
    "21": {"nahua": 0.15, "ca": 0.01}, "29": {"nahua": 0.15}, "13": {"nahua": 0.12},
    "30": {"nahua": 0.08, "ca": 0.03}, "12": {"nahua": 0.08, "oax": 0.08},
    "24": {"nahua": 0.06, "ca": 0.015}, "09": {"nahua": 0.02, "oax": 0.02, "ca": 0.01,
                                              "hai": 0.005, "car": 0.005},
    "15": {"nahua": 0.03, "oax": 0.02, "ca": 0.01}, "20": {"oax": 0.45, "ca": 0.03},
    "02": {"oax": 0.03, "ca": 0.02, "hai": 0.02, "car": 0.01},
    "07": {"chis": 0.3, "ca": 0.08, "hai": 0.03, "car": 0.01}, "27": {"chis": 0.03, "ca": 0.05},
    "28": {"ca": 0.03}, "19": {"ca": 0.02, "hai": 0.01, "car": 0.005}, "05": {"ca": 0.02},
    "26": {"ca": 0.02}, "08": {"ca": 0.02}, "11": {"ca": 0.01}, "22": {"ca": 0.01},
}
MIGRANTS_IN_REPORTS = 0.4  # migrants are reported missing less often than detained

# Age bins (years) and shares: RNPDNO for the disappeared (women younger),
# ENPOL / Registro Nacional de Detenciones for detained people.
AGES_MISSING_MEN = (((0, 12), 0.03), ((12, 18), 0.08), ((18, 30), 0.35), ((30, 45), 0.33),
                    ((45, 60), 0.14), ((60, 85), 0.07))
AGES_MISSING_WOMEN = (((0, 12), 0.06), ((12, 18), 0.30), ((18, 30), 0.32), ((30, 45), 0.20),
                      ((45, 60), 0.08), ((60, 85), 0.04))
AGES_DETAINED = (((15, 18), 0.03), ((18, 30), 0.42), ((30, 45), 0.38), ((45, 60), 0.14),
                 ((60, 80), 0.03))
WOMEN_MISSING, WOMEN_DETAINED = 0.25, 0.07
# Disappearances per year since 2006 (RNPDNO, relative), detentions flatter.
YEARS = tuple(range(2006, 2025))
MISSING_BY_YEAR = (1, 1.5, 2, 2.5, 4, 5, 5, 4.5, 5, 4.5, 5, 6, 7, 9, 8.5, 9.5, 9.5, 9.5, 8)
DETAINED_BY_YEAR = (3, 3, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 7, 7, 6, 7, 7, 7, 7)
LAST_DAY = date(2025, 6, 30).toordinal()

STREETS = (
    "Hidalgo", "Morelos", "Benito Juárez", "Juárez", "5 de Mayo", "16 de Septiembre",
    "Independencia", "Reforma", "Madero", "Allende", "Guerrero", "Zaragoza", "Aldama",
    "Matamoros", "Niños Héroes", "Emiliano Zapata", "Francisco Villa", "Venustiano Carranza",
    "Lázaro Cárdenas", "Revolución", "Constitución", "Insurgentes", "20 de Noviembre",
    "Álvaro Obregón", "Vicente Guerrero", "Galeana", "Abasolo", "Ocampo", "Iturbide",
    "Guadalupe Victoria", "Libertad", "Las Flores", "Las Rosas", "Pino Suárez", "Cuauhtémoc",
    "Nicolás Bravo", "Mina", "Los Pinos", "Jacarandas", "Del Trabajo", "Prolongación Hidalgo",
)
COLONIAS = (
    "Centro", "La Joya", "El Carmen", "San José", "Guadalupe", "La Esperanza", "Lomas del Valle",
    "Las Palmas", "Jardines", "Buenos Aires", "Obrera", "Independencia", "Revolución",
    "Emiliano Zapata", "Loma Bonita", "El Mirador", "San Miguel", "Santa Cruz", "La Cruz",
    "Valle Verde", "Infonavit", "Del Valle", "Las Américas", "Morelos", "Hidalgo",
    "20 de Noviembre", "Ampliación Guadalupe", "Solidaridad", "Tierra y Libertad", "El Paraíso",
)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


class Vocabulary:
    """Every name string once; people hold integer ids into it."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self._ids: dict[str, int] = {}

    def id(self, word: str) -> int:
        if word not in self._ids:
            self._ids[word] = len(self.words)
            self.words.append(word)
        return self._ids[word]

    def ids(self, words: list[str]) -> np.ndarray:
        return np.array([self.id(w) for w in words], dtype=np.int32)


def _zipf(n: int, s: float = 1.0) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** s
    return weights / weights.sum()


class NameTable:
    """A list of names with sampling weights, as vocabulary ids."""

    def __init__(self, vocab: Vocabulary, words: list[str], weights: np.ndarray) -> None:
        self.ids = vocab.ids(words)
        self.p = weights / weights.sum()

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.ids[rng.choice(len(self.ids), size=n, p=self.p)]


class GivenTable:
    """Given names (some compound, ``José Luis``) as first and rest ids."""

    def __init__(self, vocab: Vocabulary, entries: list[str], s: float = 1.0) -> None:
        entries = _unique(entries)
        firsts, rests = [], []
        for entry in entries:
            first, _, rest = entry.partition(" ")
            firsts.append(vocab.id(first))
            rests.append(vocab.id(rest) if rest else -1)
        self.first, self.rest = np.array(firsts), np.array(rests)
        self.p = _zipf(len(entries), s)

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        pick = rng.choice(len(self.first), size=n, p=self.p)
        return self.first[pick].copy(), self.rest[pick].copy()


POPULATION_THOUSANDS = 122_000  # the population Forebears' counts refer to


def national_surnames(vocab: Vocabulary) -> NameTable:
    """Return the national surname distribution (counts, power-law tail, generated rare tail)."""
    top = names.SURNAMES_TOP
    tail = [w for w in _unique(names.SURNAMES_TAIL) if w not in dict(top)]
    last, n_top = top[-1][1], len(top)
    counts = [c for _, c in top] + [last * (n_top / (n_top + 1 + i)) ** 1.3
                                    for i in range(len(tail))]
    rare = [h + t for h in names.BASQUE_HEADS for t in names.BASQUE_TAILS]
    rare += [h + t for h in names.TOPONYMIC_HEADS for t in names.TOPONYMIC_TAILS]
    rare = [w for w in _unique(rare) if w not in set(tail)]
    # Everyone the listed surnames leave over carries a rare one.
    left_over = max(POPULATION_THOUSANDS - sum(counts), 0.0)
    words = [w for w, _ in top] + tail + rare
    weights = np.concatenate([counts, np.full(len(rare), left_over / len(rare))])
    return NameTable(vocab, words, weights)


class Tables:
    """All of B's name tables as vocabulary ids."""

    def __init__(self) -> None:
        v = self.vocab = Vocabulary()
        self.national = national_surnames(v)
        self.regional = {
            "maya": (NameTable(v, names.MAYA, _zipf(len(names.MAYA), 0.7)), 0.6),
            "nahua": (NameTable(v, names.NAHUA, _zipf(len(names.NAHUA), 0.5)), 0.35),
            "oax": (NameTable(v, names.OAXACA, _zipf(len(names.OAXACA), 0.6)), 0.5),
            "chis": (NameTable(v, names.CHIAPAS, _zipf(len(names.CHIAPAS), 0.8)), 0.6),
        }
        self.foreign_surnames = {
            "ca": NameTable(v, names.CA_SURNAMES, _zipf(len(names.CA_SURNAMES), 0.8)),
            "hai": NameTable(v, names.HAITIAN_SURNAMES, _zipf(len(names.HAITIAN_SURNAMES), 0.6)),
            "car": NameTable(v, names.VENEZUELAN_SURNAMES,
                             _zipf(len(names.VENEZUELAN_SURNAMES), 0.7)),
        }
        self.given = {
            # s = 0.7: the most frequent name about one person in ten.
            ("old", 0): GivenTable(v, names.GIVEN_MALE_OLD, 0.7),
            ("young", 0): GivenTable(v, names.GIVEN_MALE_YOUNG, 0.7),
            ("old", 1): GivenTable(v, names.GIVEN_FEMALE_OLD, 0.7),
            ("young", 1): GivenTable(v, names.GIVEN_FEMALE_YOUNG, 0.7),
            ("ca", 0): GivenTable(v, names.CA_MALE, 0.6),
            ("ca", 1): GivenTable(v, names.CA_FEMALE, 0.6),
            ("hai", 0): GivenTable(v, names.HAITIAN_MALE, 0.6),
            ("hai", 1): GivenTable(v, names.HAITIAN_FEMALE, 0.6),
            ("car", 0): GivenTable(v, names.CARIBBEAN_MALE, 0.6),
            ("car", 1): GivenTable(v, names.CARIBBEAN_FEMALE, 0.6),
        }
        self.second = {0: NameTable(v, names.SECOND_MALE, _zipf(len(names.SECOND_MALE))),
                       1: NameTable(v, names.SECOND_FEMALE, _zipf(len(names.SECOND_FEMALE)))}
        self.maria, self.jose = v.id("María"), v.id("José")
        self.streets = list(STREETS)
        self.colonias = list(COLONIAS)


def _ordinal_years(years: np.ndarray) -> np.ndarray:
    return (years * 365.25).astype(np.int64)


class People:
    """Columnar people: every attribute an array, filled block by block."""

    COLUMNS = ("sex", "birth", "group", "g1", "g2", "pat", "mat", "state", "muni", "birth_state",
               "street", "number", "colonia", "homoclave", "serial", "junior", "missing_day")

    def __init__(self, capacity: int, tables: Tables, rng: np.random.Generator) -> None:
        self.t, self.rng, self.n = tables, rng, 0
        self.cols = {c: np.full(capacity, -1, dtype=np.int64) for c in self.COLUMNS}

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols", {})
        if name in cols:
            return cols[name][: self.__dict__["n"]]
        raise AttributeError(name)

    def _block(self, n: int) -> np.ndarray:
        idx = np.arange(self.n, self.n + n)
        self.n += n
        return idx

    def new(self, n: int, *, women: float, ages: tuple, state_weights: np.ndarray,
            ref_day: np.ndarray, migrants: float = 1.0) -> np.ndarray:
        """Add ``n`` unrelated people aged ``ages`` at ``ref_day``; return their indices."""
        rng, c = self.rng, self.cols
        idx = self._block(n)
        c["sex"][idx] = rng.random(n) < women
        c["birth"][idx] = ref_day - _age_days(rng, n, ages)
        state = rng.choice(len(state_weights), size=n, p=state_weights)
        c["state"][idx] = state
        c["muni"][idx] = geo.sample_municipalities(state, rng)
        c["group"][idx] = self._groups(state, migrants)
        c["birth_state"][idx] = np.where(rng.random(n) < 0.8, state,
                                         rng.choice(32, size=n, p=geo.population_weights()))
        self._address(idx)
        self._name(idx)
        c["homoclave"][idx] = rng.integers(0, 260, size=n)
        c["serial"][idx] = rng.integers(0, 1000, size=n)
        c["junior"][idx] = 0
        return idx

    def _groups(self, state: np.ndarray, migrants: float) -> np.ndarray:
        rng, out = self.rng, np.zeros(len(state), dtype=np.int64)
        u = rng.random(len(state))
        for i, s in enumerate(geo.states()):
            where = np.flatnonzero(state == i)
            floor = np.zeros(len(where))
            for group, share in GROUP_SHARES.get(s.code, {}).items():
                share *= migrants if group in MIGRANTS else 1.0
                hit = (u[where] >= floor) & (u[where] < floor + share)
                out[where[hit]] = GROUPS.index(group)
                floor = floor + share
        return out

    def _address(self, idx: np.ndarray) -> None:
        rng, c, n = self.rng, self.cols, len(idx)
        c["street"][idx] = rng.integers(0, len(self.t.streets), size=n)
        c["number"][idx] = np.minimum(rng.lognormal(4.5, 1.1, size=n).astype(np.int64) + 1, 4999)
        c["colonia"][idx] = rng.integers(0, len(self.t.colonias), size=n)

    def _name(self, idx: np.ndarray, surnames: bool = True) -> None:
        """Draw given names (and surnames) for people whose sex, birth and group are set."""
        c = self.cols
        group, sex = c["group"][idx], c["sex"][idx]
        young = c["birth"][idx] >= date(1988, 1, 1).toordinal()
        for g, name in enumerate(GROUPS):
            # Migrants' names follow no Mexican fashion: one table for every age.
            cohorts = ((name, None),) if name in MIGRANTS else (("old", False), ("young", True))
            for s in (0, 1):
                for table, is_young in cohorts:
                    mask = (group == g) & (sex == s)
                    if is_young is not None:
                        mask &= young == is_young
                    where = idx[mask]
                    if len(where):
                        self._given(where, (table, s), name)
                        if surnames:
                            self._surnames(where, name)

    def _given(self, where: np.ndarray, key: tuple[str, int], group: str) -> None:
        rng, c, t = self.rng, self.cols, self.t
        first, rest = t.given[key].sample(rng, len(where))
        # Single names get a second one often: half of Mexicans carry two.
        second_rate = {"ca": 0.5, "hai": 0.15, "car": 0.3}.get(group, 0.32)
        add = (rest < 0) & (rng.random(len(where)) < second_rate)
        if group not in ("hai", "car"):
            extra = t.second[key[1]].sample(rng, len(where))
            rest = np.where(add & (extra != first), extra, rest)
        c["g1"][where], c["g2"][where] = first, rest

    def _surnames(self, where: np.ndarray, group: str) -> None:
        rng, c, t, n = self.rng, self.cols, self.t, len(where)
        if group in t.foreign_surnames:
            table = t.foreign_surnames[group]
            c["pat"][where] = table.sample(rng, n)
            c["mat"][where] = table.sample(rng, n)
            if group == "hai":  # one surname, as in Haiti
                c["mat"][where] = -1
            return
        pat, mat = t.national.sample(rng, n), t.national.sample(rng, n)
        if group in t.regional:
            table, share = t.regional[group]
            pat = np.where(rng.random(n) < share, table.sample(rng, n), pat)
            mat = np.where(rng.random(n) < share, table.sample(rng, n), mat)
            if group == "chis":  # López López, Gómez Gómez: common in the Altos
                mat = np.where(rng.random(n) < 0.15, pat, mat)
        c["pat"][where], c["mat"][where] = pat, mat

    def relatives(self, kind: str, base: np.ndarray) -> np.ndarray:
        """Add one relative of ``kind`` for each base person; return their indices."""
        rng, c, n = self.rng, self.cols, len(base)
        idx = self._block(n)
        for col in ("group", "state", "muni", "birth_state", "pat", "mat", "street", "number",
                    "colonia"):
            c[col][idx] = c[col][base]
        c["homoclave"][idx] = (c["homoclave"][base] + rng.integers(1, 259, size=n)) % 260
        c["serial"][idx] = rng.integers(0, 1000, size=n)
        c["junior"][idx] = 0
        if kind == "father_son":
            self._father_son(idx, base)
            return idx
        detention_bias = 0.85 if kind != "co_missing" else 0.6
        c["sex"][idx] = rng.random(n) >= detention_bias
        gap = {"sibling": (1.0, 10.0), "co_missing": (1.0, 8.0), "cousin": (0.0, 12.0),
               "twin": (0.0, 0.0)}[kind]
        years = gap[0] + rng.random(n) * (gap[1] - gap[0])
        c["birth"][idx] = c["birth"][base] + np.where(rng.random(n) < 0.5, 1, -1) * (
            _ordinal_years(years) + (rng.integers(20, 200, size=n) if kind != "twin" else 0))
        if kind == "twin":
            c["sex"][idx] = np.where(rng.random(n) < 0.65, c["sex"][base], c["sex"][idx])
        if kind == "cousin":
            c["mat"][idx] = np.where(rng.random(n) < 0.15, c["mat"][base],
                                     self.t.national.sample(rng, n))
            moved = rng.random(n) < 0.3
            c["muni"][idx[moved]] = geo.sample_municipalities(c["state"][idx[moved]], rng)
            self._address(idx)
        else:  # siblings and twins: half still share the household
            self._address(idx[rng.random(n) < 0.5])
        self._name(idx, surnames=False)
        self._share_first_name(idx, base, 0.3 if kind != "cousin" else 0.1)
        return idx

    def _share_first_name(self, idx: np.ndarray, base: np.ndarray, rate: float) -> None:
        """José Luis and José Antonio: same-sex siblings often share the first name."""
        rng, c = self.rng, self.cols
        common = np.isin(c["g1"][base], [self.t.jose, self.t.maria, self.t.vocab.id("Juan"),
                                         self.t.vocab.id("Jesús"), self.t.vocab.id("Luis")])
        share = common & (c["sex"][idx] == c["sex"][base]) & (rng.random(len(idx)) < rate)
        c["g1"][idx[share]] = c["g1"][base[share]]
        second = self.t.second[0].sample(rng, len(idx))
        second_f = self.t.second[1].sample(rng, len(idx))
        second = np.where(c["sex"][idx] == 1, second_f, second)
        clash = share & (c["g2"][idx] == c["g2"][base])
        c["g2"][idx[clash]] = np.where(second[clash] == c["g2"][base[clash]], -1, second[clash])
        # Still the same given names (both had none after the first): make them differ.
        same = (c["g1"][idx] == c["g1"][base]) & (c["g2"][idx] == c["g2"][base])
        if same.any():
            self._name(idx[same], surnames=False)

    def _father_son(self, idx: np.ndarray, base: np.ndarray) -> None:
        """The relative has the base's given names and paternal surname, 20-35 years apart."""
        rng, c, n = self.rng, self.cols, len(base)
        c["sex"][idx] = 0
        c["g1"][idx], c["g2"][idx] = c["g1"][base], c["g2"][base]
        # The son's maternal surname is his mother's: the father's own only by chance
        # (a quarter here: small communities where a few surnames circulate).
        c["mat"][idx] = np.where(rng.random(n) < 0.25, c["mat"][base],
                                 self.t.national.sample(rng, n))
        gap = _ordinal_years(20 + rng.random(n) * 15)
        base_age = c["missing_day"][base] - c["birth"][base]
        is_father = base_age < _ordinal_years(np.full(n, 38.0))
        c["birth"][idx] = np.where(is_father, c["birth"][base] - gap, c["birth"][base] + gap)

    def rename(self, idx: np.ndarray, templates: list[tuple[str, str, str | None]]) -> None:
        """Give ``idx`` very common full names (namesakes of one another)."""
        rng, c, v = self.rng, self.cols, self.t.vocab
        pick = rng.integers(0, len(templates), size=len(idx))
        for i, (given, pat, mat) in enumerate(templates):
            where = idx[pick == i]
            first, _, rest = given.partition(" ")
            c["g1"][where], c["g2"][where] = v.id(first), v.id(rest) if rest else -1
            c["pat"][where] = v.id(pat)
            if mat:
                c["mat"][where] = v.id(mat)
            c["sex"][where] = 1 if given in FEMALE_GIVEN else 0
            c["group"][where] = 0


def _age_days(rng: np.random.Generator, n: int, bins: tuple) -> np.ndarray:
    spans, shares = zip(*bins, strict=True)
    pick = rng.choice(len(bins), size=n, p=np.array(shares) / sum(shares))
    lo = np.array([a for a, _ in spans])[pick]
    hi = np.array([b for _, b in spans])[pick]
    return _ordinal_years(lo + rng.random(n) * (hi - lo))


def _days_in_years(rng: np.random.Generator, n: int, weights: tuple) -> np.ndarray:
    p = np.array(weights, dtype=float)
    year = np.array(YEARS)[rng.choice(len(YEARS), size=n, p=p / p.sum())]
    start = np.array([date(int(y), 1, 1).toordinal() for y in YEARS])[year - YEARS[0]]
    return np.minimum(start + rng.integers(0, 365, size=n), LAST_DAY)


def _detention_days(rng: np.random.Generator, missing: np.ndarray, birth: np.ndarray
                    ) -> np.ndarray:
    """When a reported person was detained: mostly about the disappearance, or before."""
    n = len(missing)
    kind = rng.choice(4, size=n, p=[0.55, 0.15, 0.20, 0.10])
    offset = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.integers(-2, 3, size=n),  # arrested, then never seen again
         rng.integers(3, 61, size=n),  # arrested shortly after the report, elsewhere
         -rng.integers(365, 3650, size=n)],  # an earlier arrest
        rng.integers(60, 4 * 365, size=n),  # found in a prison later
    )
    day = np.minimum(missing + offset, LAST_DAY)
    too_young = day < birth + _ordinal_years(np.full(n, 14.0))
    return np.where(too_young, missing + rng.integers(0, 3, size=n), day)


def _counts(rng: np.random.Generator, n: int, table: tuple) -> np.ndarray:
    values, p = zip(*table, strict=True)
    return np.array(values)[rng.choice(len(values), size=n, p=np.array(p) / sum(p))]


class Plan:
    """Who appears where: people, left records, right records, truth, hard negatives."""

    def __init__(self, n_left: int, n_right: int, seed: int) -> None:
        self.rng = rng = np.random.default_rng([seed, 0xB])
        self.tables = Tables()
        self.people = p = People(n_left + n_right + 16, self.tables, rng)
        self.hard: list[tuple[np.ndarray, np.ndarray, str]] = []  # (left person, right person)
        # 1. Reported people, a few reported together with a sibling or twice.
        n_co = round(CO_MISSING_SIBLINGS * n_left)
        n_dup = round(DUPLICATE_REPORTS * n_left)
        missing_day = _days_in_years(rng, n_left - n_co - n_dup, MISSING_BY_YEAR)
        base = self._reported(missing_day)
        namesakes = rng.choice(base, size=round(NAMESAKES_LEFT * n_left), replace=False)
        p.rename(namesakes, COMMON_NAMES)
        co_base = rng.choice(base, size=n_co, replace=False)
        co = p.relatives("co_missing", co_base)
        p.cols["missing_day"][co] = p.cols["missing_day"][co_base]
        self.hard.append((co_base, co, "sibling_missing_together"))
        self.hard.append((co, co_base, "sibling_missing_together"))
        reported = np.concatenate([base, co])
        dup = rng.choice(reported, size=n_dup, replace=False)
        self.left_person = np.concatenate([reported, dup])
        self.left_day = p.missing_day[self.left_person].copy()
        self.left_day[len(reported):] += rng.integers(-3, 4, size=n_dup)  # recalled differently
        # 2. Their detention records, 3. their relatives', 4. namesakes', 5. everyone else's.
        right = [self._matched(reported, n_left)]
        right += self._relatives(reported, n_left)
        right.append(self._namesakes(namesakes, n_right))
        used = sum(len(r[0]) for r in right)
        if used > n_right:
            raise ValueError(f"--n-right {n_right} is too small for --n-left {n_left} "
                             f"(needs at least {used})")
        right.append(self._background(n_right - used))
        self.right_person = np.concatenate([r[0] for r in right])
        self.right_day = np.concatenate([r[1] for r in right])
        order = rng.permutation(len(self.right_person))
        self.right_person, self.right_day = self.right_person[order], self.right_day[order]
        order = rng.permutation(len(self.left_person))
        self.left_person, self.left_day = self.left_person[order], self.left_day[order]

    def _reported(self, missing_day: np.ndarray) -> np.ndarray:
        p, n = self.people, len(missing_day)
        women = self.rng.random(n) < WOMEN_MISSING
        idx = np.empty(n, dtype=np.int64)
        for is_woman, ages in ((False, AGES_MISSING_MEN), (True, AGES_MISSING_WOMEN)):
            where = np.flatnonzero(women == is_woman)
            idx[where] = p.new(len(where), women=float(is_woman), ages=ages,
                               state_weights=geo.missing_weights(), ref_day=missing_day[where],
                               migrants=MIGRANTS_IN_REPORTS)
        p.cols["missing_day"][idx] = missing_day
        return idx

    def _matched(self, reported: np.ndarray, n_left: int) -> tuple[np.ndarray, np.ndarray]:
        p, rng = self.people, self.rng
        age = p.missing_day[reported] - p.birth[reported]
        eligible = reported[age >= _ordinal_years(np.full(len(reported), 15.0))]
        weight = np.where(p.sex[eligible] == 1, 0.4, 1.0)
        n = min(round(MATCHED_SHARE * n_left), len(eligible))
        matched = rng.choice(eligible, size=n, replace=False, p=weight / weight.sum())
        person = np.repeat(matched, _counts(rng, n, RECORDS_PER_MATCHED))
        self.matched = matched
        return person, _detention_days(rng, p.missing_day[person], p.birth[person])

    def _relatives(self, reported: np.ndarray, n_left: int) -> list[tuple[np.ndarray, ...]]:
        p, rng, out = self.people, self.rng, []
        adult = reported[p.missing_day[reported] - p.birth[reported] >= 18 * 365]
        for kind, rate in RELATIVES:
            pool = adult if kind == "father_son" else reported
            if kind == "father_son":
                pool = pool[(p.sex[pool] == 0) & (p.group[pool] == 0)]
            base = rng.choice(pool, size=min(round(rate * n_left), len(pool)), replace=False)
            rel = p.relatives(kind, base)
            # Only relatives old enough to be arrested before the logs end.
            ok = p.birth[rel] + 16 * 365 < LAST_DAY - 365
            base, rel = base[ok], rel[ok]
            if kind == "father_son":
                p.cols["junior"][np.where(p.birth[rel] > p.birth[base], rel, base)] = 1
            self.hard.append((base, rel, kind))
            counts = _counts(rng, len(rel), ((1, 0.9), (2, 0.1)))
            person, src = np.repeat(rel, counts), np.repeat(base, counts)
            day = _days_in_years(rng, len(person), DETAINED_BY_YEAR)
            # Arrested together with the reported relative, on the day of the disappearance.
            together = rng.random(len(person)) < (0.25 if kind in ("sibling", "cousin") else 0)
            day = np.where(together, p.missing_day[src] + rng.integers(-1, 2, len(person)), day)
            day = np.maximum(day, p.birth[person] + 15 * 365)
            out.append((person, np.minimum(day, LAST_DAY)))
        return out

    def _namesakes(self, left_namesakes: np.ndarray, n_right: int
                   ) -> tuple[np.ndarray, np.ndarray]:
        p, rng = self.people, self.rng
        n = round(NAMESAKES_RIGHT * n_right)
        day = _days_in_years(rng, n, DETAINED_BY_YEAR)
        idx = p.new(n, women=0.0, ages=AGES_DETAINED, state_weights=geo.population_weights(),
                    ref_day=day)
        p.rename(idx, COMMON_NAMES)
        # Each right namesake stands beside up to three reported people of the same name.
        key_left = p.g1[left_namesakes] * 10**6 + p.pat[left_namesakes]
        key_right = p.g1[idx] * 10**6 + p.pat[idx]
        for k in np.unique(key_right):
            lefts = left_namesakes[key_left == k][:3]
            rights = idx[key_right == k]
            for left in lefts:
                self.hard.append((np.full(len(rights), left), rights, "common_name"))
        return idx, day

    def _background(self, n_records: int) -> tuple[np.ndarray, np.ndarray]:
        p, rng = self.people, self.rng
        if n_records == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        repeats = _counts(rng, n_records, BACKGROUND_RECORDS)
        n_people = int(np.searchsorted(np.cumsum(repeats), n_records)) + 1
        repeats = repeats[:n_people]
        repeats[-1] -= repeats.sum() - n_records
        first_day = _days_in_years(rng, n_people, DETAINED_BY_YEAR)
        idx = np.empty(n_people, dtype=np.int64)
        women = rng.random(n_people) < WOMEN_DETAINED
        for is_woman in (False, True):
            where = np.flatnonzero(women == is_woman)
            idx[where] = p.new(len(where), women=float(is_woman), ages=AGES_DETAINED,
                               state_weights=geo.population_weights(), ref_day=first_day[where])
        person = np.repeat(idx, repeats)
        day = np.repeat(first_day, repeats) + np.where(
            np.arange(len(person)) == np.repeat(np.cumsum(repeats) - repeats, repeats),
            0, rng.integers(30, 5 * 365, size=len(person)))
        return person, np.minimum(day, LAST_DAY)


# -- rendering: how each agency writes a person ------------------------------------

_ACCENTS = str.maketrans("ÁÉÍÓÚÜáéíóúü", "AEIOUUaeiouu")
_KEYS = "qwertyuiop asdfghjklñ zxcvbnm"
_NEIGHBOURS = {}
for _row in _KEYS.split():
    for _i, _c in enumerate(_row):
        _NEIGHBOURS[_c] = _row[max(_i - 1, 0)] + _row[_i + 1: _i + 2]


def keyboard_typo(text: str, r: random.Random) -> str:
    """One slip of the fingers: a neighbouring key, a dropped, doubled or swapped letter."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 3:
        return text
    i = r.choice(letters[1:])
    kind = r.random()
    if kind < 0.4:
        c = text[i]
        options = _NEIGHBOURS.get(c.lower(), "")
        if not options:
            return text
        new = r.choice(options)
        return text[:i] + (new.upper() if c.isupper() else new) + text[i + 1:]
    if kind < 0.65:
        return text[:i] + text[i + 1:]
    if kind < 0.75:
        return text[:i] + text[i] + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1:]


# Misspellings of a name heard, not read (Spanish sounds written several ways).
_HEARD = (
    ("v", "b"), ("b", "v"), ("z", "s"), ("s", "z"), ("ce", "se"), ("ci", "si"), ("ll", "y"),
    ("y", "ll"), ("ge", "je"), ("gi", "ji"), ("x", "j"), ("ez", "es"), ("ñ", "n"), ("rr", "r"),
    ("qu", "k"), ("hu", "gu"),
)


def heard(text: str, r: random.Random) -> str:
    """Write the name as the officer heard it: one Spanish sound spelt another way."""
    if text[:1] in "Hh" and r.random() < 0.3:
        return text[1:2].upper() + text[2:]  # the silent h dropped
    low = text.lower()
    options = [(a, b) for a, b in _HEARD if a in low]
    if not options:
        return text
    a, b = r.choice(options)
    i = low.find(a)
    out = low[:i] + b + low[i + len(a):]
    return "".join(o.upper() if t.isupper() else o for o, t in zip(out, text + " " * 9,
                                                                    strict=False))


def _curp_typo(code: str, r: random.Random) -> str:
    i = r.randrange(len(code))
    if r.random() < 0.5 and i < len(code) - 1:
        return code[:i] + code[i + 1] + code[i] + code[i + 2:]
    pool = "0123456789" if code[i].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return code[:i] + r.choice(pool) + code[i + 1:]


def _digit_typo(text: str, r: random.Random) -> str:
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    if not digits:
        return text
    i = r.choice(digits)
    d = int(text[i])
    return text[:i] + str((d + r.choice((1, -1, 3))) % 10) + text[i + 1:]


class Renderer:
    """Shared facts about a person (their names, CURP, voter key) for both agencies."""

    def __init__(self, plan: Plan, seed: int, side: str) -> None:
        self.plan, self.p, self.t = plan, plan.people, plan.tables
        self.words = self.t.vocab.words
        self.r = random.Random(f"registro_b/{seed}/{side}")
        self.states = geo.states()
        self._state_cdf = np.cumsum(geo.population_weights())
        self._muni_cdf = [np.cumsum(s.municipality_weights) for s in self.states]

    def given_units(self, g1: int, g2: int) -> list[str]:
        return [self.words[g1]] + ([self.words[g2]] if g2 >= 0 else [])

    def nickname(self, units: list[str]) -> str | None:
        options = [n for u in units for n in names.NICKNAMES.get(u, [])]
        return self.r.choice(options) if options else None

    def curp(self, row: dict[str, Any]) -> str:
        if row["group"] >= GROUPS.index("ca") or row["birth_state"] < 0:
            return ""
        state = self.states[row["birth_state"]].curp
        return build_curp(
            given_names=" ".join(self.given_units(row["g1"], row["g2"])),
            paternal=self.words[row["pat"]],
            maternal=self.words[row["mat"]] if row["mat"] >= 0 else "",
            birth=date.fromordinal(row["birth"]), sex="M" if row["sex"] else "H",
            state=state, homoclave=row["homoclave"])

    def voter_key(self, row: dict[str, Any]) -> str:
        if row["group"] >= GROUPS.index("ca"):
            return ""
        return build_voter_key(
            given_names=" ".join(self.given_units(row["g1"], row["g2"])),
            paternal=self.words[row["pat"]],
            maternal=self.words[row["mat"]] if row["mat"] >= 0 else "",
            birth=date.fromordinal(row["birth"]), sex="M" if row["sex"] else "H",
            state_code=self.states[row["state"]].code, serial=row["serial"])

    def variant(self, word: str, rate: float) -> str:
        """An indigenous or foreign name as a Spanish-speaking clerk spells it."""
        options = names.INDIGENOUS_VARIANTS.get(word) or names.FOREIGN_VARIANTS.get(word)
        return self.r.choice(options) if options and self.r.random() < rate else word

    def place(self, row: dict[str, Any], home: float, same_state: float) -> tuple[int, int]:
        u = self.r.random()
        if u < home:
            return row["state"], row["muni"]
        state = row["state"] if u < home + same_state else self._pick(self._state_cdf)
        return state, self._pick(self._muni_cdf[state])

    def _pick(self, cdf: np.ndarray) -> int:
        return min(int(np.searchsorted(cdf, self.r.random() * cdf[-1])), len(cdf) - 1)

    @staticmethod
    def age(birth: int, day: int) -> int:
        b, d = date.fromordinal(birth), date.fromordinal(day)
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


class ProsecutorReport(Renderer):
    """LEFT: a fiscalía's missing-person report, typed from what the family says."""

    def row(self, rid: str, person: dict[str, Any], day: int) -> list[str]:
        r = self.r
        style = r.choices(("title", "title_plain", "upper", "upper_plain"),
                          (0.65, 0.10, 0.15, 0.10))[0]
        units = self.given_units(person["g1"], person["g2"])
        aliases = self._aliases(units, person["sex"]) if person["birth"] < day - 4383 else ""
        given = self._given(units)
        pat = self.variant(self.words[person["pat"]], 0.15)
        mat = self.variant(self.words[person["mat"]], 0.15) if person["mat"] >= 0 else ""
        if mat and r.random() < 0.04:
            mat = ""
        if person["junior"] and r.random() < 0.2:
            mat = (mat or pat) + " Jr."
        if r.random() < 0.005:
            pat, mat = mat, pat
        given, pat, mat = (_styled(x, style) for x in (given, pat, mat))
        given, pat, mat = (keyboard_typo(x, r) if x and r.random() < 0.015 else x
                           for x in (given, pat, mat))
        if r.random() < 0.005:  # the whole name typed in the first box
            given, pat, mat = " ".join(x for x in (given, pat, mat) if x), "", ""
        birth, age = self._birth_and_age(person, day)
        state, muni = self.place(person, 0.85, 0.15)
        return [
            rid, given, pat, mat, self._sex(person["sex"]), birth, self._id(person),
            self._state(state, style), self._municipality(state, muni, style),
            self._address(person, style), _date_dmy(day) if r.random() < 0.95 else "",
            _styled(aliases, style), age,
        ]

    def _given(self, units: list[str]) -> str:
        r = self.r
        if r.random() < 0.03:
            nick = self.nickname(units)
            if nick:
                return nick
        if len(units) > 1 and r.random() < 0.05:
            units = units[:1]
        if len(units) > 1 and units[0] == "María":
            units = [r.choices(("María", "Ma.", "Ma", "M."), (0.62, 0.30, 0.05, 0.03))[0],
                     *units[1:]]
        elif len(units) > 1 and units[0] == "José" and r.random() < 0.15:
            units = ["J.", *units[1:]]
        return " ".join(self.variant(u, 0.15) for u in units)

    def _aliases(self, units: list[str], sex: int) -> str:
        r = self.r
        if r.random() >= 0.22:
            return ""
        nick = self.nickname(units)
        if nick and r.random() < 0.6:
            return nick if r.random() < 0.5 else ("La " if sex else "El ") + nick
        return r.choice(names.APODOS_FEMALE if sex else names.APODOS_MALE)

    def _sex(self, sex: int) -> str:
        r = self.r
        u = r.random()
        if u < 0.05:
            return ""
        words = (("Hombre", "Mujer"), ("Masculino", "Femenino"), ("HOMBRE", "MUJER"))
        return r.choices(words, (0.55, 0.35, 0.10))[0][sex]

    def _birth_and_age(self, person: dict[str, Any], day: int) -> tuple[str, str]:
        r = self.r
        true_age = self.age(person["birth"], day)
        if r.random() < 0.10:
            if r.random() >= 0.85:
                return "", ""
            age = true_age + (r.choice((-1, 1)) if r.random() < 0.2 else 0)
            return "", f"{age} años" if r.random() < 0.05 else str(age)
        b = date.fromordinal(person["birth"])
        u = r.random()
        if u < 0.02 and b.day <= 12 and b.day != b.month:  # typed month first
            b = date(b.year, b.day, b.month)
        elif u < 0.03:
            b = date.fromordinal(person["birth"] + r.choice((-1, 1)))
        elif u < 0.04:
            b = _shift_year(b, r.choice((-1, 1)))
        text = r.choices((f"{b:%d/%m/%Y}", f"{b.day}/{b.month}/{b.year}", f"{b:%d-%m-%Y}",
                          f"{b:%Y-%m-%d}"), (0.75, 0.10, 0.10, 0.05))[0]
        if r.random() < 0.015:
            text = _digit_typo(text, r)
        return text, str(true_age) if r.random() < 0.3 else ""

    def _id(self, person: dict[str, Any]) -> str:
        r = self.r
        u = r.random()
        if u < 0.35:
            code = self.curp(person)
            return _curp_typo(code, r) if code and r.random() < 0.04 else code
        if u < 0.39:
            return self.voter_key(person)
        return ""

    def _state(self, state: int, style: str) -> str:
        if self.r.random() < 0.05:
            return ""
        return _styled(self.states[state].name, style)

    def _municipality(self, state: int, muni: int, style: str) -> str:
        r, s = self.r, self.states[state]
        u = r.random()
        if u < 0.05:
            return ""
        text = _styled(s.municipalities[muni], style)
        if u < 0.10:
            return f"{text}, {s.abbreviations[0]}"
        return keyboard_typo(text, r) if u < 0.13 else text

    def _address(self, person: dict[str, Any], style: str) -> str:
        r = self.r
        if r.random() < 0.15:
            return ""
        street = self.t.streets[person["street"]]
        colonia = self.t.colonias[person["colonia"]]
        number = person["number"]
        text = r.choice((f"Calle {street} {number}, Col. {colonia}",
                         f"{street} #{number}, Col. {colonia}",
                         f"C. {street} No. {number} Colonia {colonia}"))
        return _styled(text, style)


class PoliceLog(Renderer):
    """RIGHT: a police detention log typed by the arresting officer."""

    def row(self, rid: str, person: dict[str, Any], day: int) -> list[str]:
        r = self.r
        accents = r.random() < 0.3
        units = self.given_units(person["g1"], person["g2"])
        aliases = self._aliases(units, person["sex"])
        given = self._given(units)
        pat = self.variant(self.words[person["pat"]], 0.5)
        mat = self.variant(self.words[person["mat"]], 0.5) if person["mat"] >= 0 else ""
        if mat and r.random() < 0.12:
            mat = ""
        if person["junior"] and r.random() < 0.3:
            mat = (mat + (" JR" if r.random() < 0.7 else " JUNIOR")).strip()
        pat, mat = (self._particles(x) for x in (pat, mat))
        pat, mat = (heard(x, r) if x and r.random() < 0.04 else x for x in (pat, mat))
        if mat and r.random() < 0.03:
            pat, mat = mat, pat
        given, pat, mat = (_upper(x, accents) for x in (given, pat, mat))
        given, pat, mat = (keyboard_typo(x, r) if x and r.random() < 0.025 else x
                           for x in (given, pat, mat))
        if r.random() < 0.01:
            given, pat, mat = " ".join(x for x in (given, pat, mat) if x), "", ""
        birth, age = self._birth_and_age(person, day)
        state, muni = self.place(person, 0.55, 0.30)
        return [
            rid, given, pat, mat, self._sex(person["sex"]), birth, self._id(person),
            self._state(state, accents), self._municipality(state, muni, accents),
            self._address(person, accents), _date_iso(day), _upper(aliases, accents), age,
        ]

    def _given(self, units: list[str]) -> str:
        r = self.r
        if r.random() < 0.02:
            nick = self.nickname(units)
            if nick:
                return nick
        if len(units) > 1 and r.random() < 0.25:
            units = units[:1]
        if len(units) > 1 and units[0] == "María" and r.random() < 0.2:
            units = ["MA.", *units[1:]]
        elif len(units) > 1 and units[0] == "José" and r.random() < 0.1:
            units = ["J.", *units[1:]]
        units = [self.variant(u, 0.5) for u in units]
        return " ".join(heard(u, r) if r.random() < 0.03 else u for u in units)

    def _particles(self, surname: str) -> str:
        if not surname.lower().startswith(("de la ", "del ")):
            return surname
        u = self.r.random()
        if u < 0.10:
            return surname.split()[-1]  # DE LA CRUZ -> CRUZ
        return surname.replace(" ", "") if u < 0.13 else surname

    def _aliases(self, units: list[str], sex: int) -> str:
        r = self.r
        if r.random() >= 0.35:
            return ""
        nick = self.nickname(units)
        if nick and r.random() < 0.3:
            return ("LA " if sex else "EL ") + nick
        return r.choice(names.APODOS_FEMALE if sex else names.APODOS_MALE)

    def _sex(self, sex: int) -> str:
        return "" if self.r.random() < 0.02 else "MF"[sex]  # masculino / femenino

    def _birth_and_age(self, person: dict[str, Any], day: int) -> tuple[str, str]:
        r = self.r
        age = self.age(person["birth"], day)
        u = r.random()
        if u < 0.12:
            age += r.choice((-1, 1))
        elif u < 0.17:
            age += r.choice((-4, -3, -2, 2, 3))
        if r.random() < 0.45:
            return "", str(age) if r.random() < 0.9 else ""
        b = date.fromordinal(person["birth"])
        u = r.random()
        if u < 0.04 and b.day <= 12 and b.day != b.month:
            b = date(b.year, b.day, b.month)
        elif u < 0.07:
            b = date(b.year, 1, 1)  # only the year was known
        elif u < 0.09:
            b = _shift_year(b, r.choice((-1, 1)))
        text = r.choices((f"{b:%Y-%m-%d}", f"{b:%Y-%m-%d} 00:00:00", f"{b:%d/%m/%Y}",
                          str(b.toordinal() - date(1899, 12, 30).toordinal())),
                         (0.45, 0.20, 0.25, 0.10))[0]
        if r.random() < 0.025:
            text = _digit_typo(text, r)
        return text, str(age) if r.random() < 0.4 else ""

    def _id(self, person: dict[str, Any]) -> str:
        r = self.r
        u = r.random()
        if u < 0.22:
            code = self.curp(person)
            return _curp_typo(code, r) if code and r.random() < 0.06 else code
        if u < 0.28:
            return self.voter_key(person)
        return ""

    def _state(self, state: int, accents: bool) -> str:
        s = self.states[state]
        if self.r.random() < 0.6:
            return _upper(self.r.choice(s.abbreviations), accents)
        return _upper(s.name, accents)

    def _municipality(self, state: int, muni: int, accents: bool) -> str:
        r = self.r
        u = r.random()
        if u < 0.08:
            return ""
        text = _upper(self.states[state].municipalities[muni], accents)
        return keyboard_typo(text, r) if u < 0.11 else text

    def _address(self, person: dict[str, Any], accents: bool) -> str:
        r = self.r
        u = r.random()
        if u < 0.35:
            return ""
        if u < 0.40:
            return r.choice(("SIN DATO", "CONOCIDO", "N/D", "SE DESCONOCE"))
        if u < 0.52:  # another address: moved, or a relative's
            street, colonia = r.choice(self.t.streets), r.choice(self.t.colonias)
            number = r.randint(1, 900)
        else:
            street = self.t.streets[person["street"]]
            colonia = self.t.colonias[person["colonia"]]
            number = person["number"]
        text = r.choice((f"C. {street} NO. {number}, COL. {colonia}",
                         f"{street} {number} {colonia}", f"CALLE {street} #{number} COL {colonia}"))
        return _upper(text, accents)


def _styled(text: str, style: str) -> str:
    if not text:
        return text
    if style == "title_plain":
        return text.translate(_ACCENTS)
    if style == "upper":
        return text.upper()
    if style == "upper_plain":
        return text.upper().translate(_ACCENTS)
    return text


def _upper(text: str, accents: bool) -> str:
    return text.upper() if accents else text.upper().translate(_ACCENTS)


def _shift_year(b: date, years: int) -> date:
    try:
        return b.replace(year=b.year + years)
    except ValueError:  # 29 February
        return b.replace(year=b.year + years, day=28)


def _date_dmy(day: int) -> str:
    return f"{date.fromordinal(day):%d/%m/%Y}"


def _date_iso(day: int) -> str:
    return f"{date.fromordinal(day):%Y-%m-%d}"


# -- writing ------------------------------------------------------------------------

CHUNK = 50_000
PERSON_COLUMNS = ("sex", "birth", "group", "g1", "g2", "pat", "mat", "state", "muni",
                  "birth_state", "street", "number", "colonia", "homoclave", "serial", "junior")


def _write_side(path: Path, renderer: Renderer, person: np.ndarray, day: np.ndarray,
                ids: list[str]) -> None:
    people = renderer.p
    with CsvOut(path, FIELDS) as out:
        for start in range(0, len(person), CHUNK):
            chunk = person[start: start + CHUNK]
            columns = {c: getattr(people, c)[chunk].tolist() for c in PERSON_COLUMNS}
            days = day[start: start + CHUNK].tolist()
            rows = (
                renderer.row(ids[start + i], {c: columns[c][i] for c in PERSON_COLUMNS}, days[i])
                for i in range(len(chunk))
            )
            out.rows(rows)


def _pairs_by_person(left_person: np.ndarray, right_person: np.ndarray, wanted: np.ndarray
                     ) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Return, for the wanted people only, their left and right record positions."""
    out: tuple[dict[int, list[int]], dict[int, list[int]]] = ({}, {})
    for side, person in enumerate((left_person, right_person)):
        for pos in np.flatnonzero(np.isin(person, wanted)).tolist():
            out[side].setdefault(int(person[pos]), []).append(pos)
    return out


def generate(out: Path, *, n_left: int = 20_000, n_right: int = 100_000, seed: int = 1
             ) -> dict[str, Any]:
    """Write left.csv, right.csv, truth.csv and hard_negatives.csv into ``out``; return counts.

    1. Plan the people and which records each has (numpy, all at once).
    2. Write both files chunk by chunk, each agency's conventions and errors applied.
    3. Write every true pair and every planted hard non-match.
    """
    out.mkdir(parents=True, exist_ok=True)
    plan = Plan(n_left, n_right, seed)
    left_ids = [f"CI-{seed % 100:02d}-{i:07d}" for i in range(1, len(plan.left_person) + 1)]
    right_ids = [f"RND{i:08d}" for i in range(1, len(plan.right_person) + 1)]
    _write_side(out / "left.csv", ProsecutorReport(plan, seed, "left"), plan.left_person,
                plan.left_day, left_ids)
    _write_side(out / "right.csv", PoliceLog(plan, seed, "right"), plan.right_person,
                plan.right_day, right_ids)
    hard_people = [a for a, _, _ in plan.hard] + [b for _, b, _ in plan.hard]
    wanted = np.unique(np.concatenate([plan.matched, *hard_people]))
    lefts, rights = _pairs_by_person(plan.left_person, plan.right_person, wanted)
    truth = [(left_ids[a], right_ids[b]) for person, ls in lefts.items()
             for a in ls for b in rights.get(person, [])]
    with CsvOut(out / "truth.csv", ("left_id", "right_id")) as handle:
        handle.rows(sorted(truth))
    hard: dict[tuple[str, str], str] = {}
    for base, rel, kind in plan.hard:
        for a_person, b_person in zip(base.tolist(), rel.tolist(), strict=True):
            for a in lefts.get(a_person, []):
                for b in rights.get(b_person, []):
                    hard.setdefault((left_ids[a], right_ids[b]), kind)
    with CsvOut(out / "hard_negatives.csv", ("left_id", "right_id", "relation")) as handle:
        handle.rows(sorted((a, b, kind) for (a, b), kind in hard.items()))
    kinds: dict[str, int] = {}
    for kind in hard.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = {"generator": "registro_b", "seed": seed, "left": len(left_ids),
               "right": len(right_ids), "true_pairs": len(truth),
               "reports_with_a_match": len({a for a, _ in truth}),
               "hard_negatives": dict(sorted(kinds.items()))}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    main(generate, "Generator B: prosecutors' reports vs police detention logs.", sys.argv[1:])
