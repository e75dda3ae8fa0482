"""Generator C: families' search forms against prison and migration entry books.

    python -m bench.matching.generators.registro_c --out DIR --n-left 20000 --n-right 100000

LEFT: forms filled in by families, search collectives and state search
commissions, typed by volunteers: names as the family says them (diminutives,
the whole name in one box), sex ``H``/``M`` (the CURP's hombre/mujer), dates in
every form people write them (``15 de marzo de 1988``, ``15/03/88``), the age
at the disappearance, the place and date the person was last seen.

RIGHT: entry books of state prisons (CERESO) and migration stations,
handwritten and transcribed by OCR: capitals without accents, characters
misread page by page, names read surnames-first into the wrong columns, sex
``1``/``2`` (INEGI's hombre/mujer codes), ages instead of birth dates in most
rows, two-digit years and month abbreviations, the date of entry; transfers
between prisons repeat a person.

Unlike generator B, people live in households and clans built first (parents,
children, twins born on the same day, sons named after their fathers, brothers'
households sharing the paternal surname in one municipality); reports and
detentions are then drawn from that population, and detentions concentrate in
the families of the reported. The error model is the table in README.md.
"""

from __future__ import annotations

import itertools
import random
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from . import geo
from . import registro_c_names as names
from .curp import build_curp
from .output import FIELDS, CsvOut, main, write_summary

GROUPS = ("mx", "maya", "nahua", "zapmix", "tzotzil", "ca", "haiti", "sam", "africa", "asia")
FIRST_FOREIGN = GROUPS.index("ca")
# One regional group per state and its share of the state's families.
REGIONAL = {"31": ("maya", 0.5), "23": ("maya", 0.3), "04": ("maya", 0.3),
            "20": ("zapmix", 0.5), "12": ("zapmix", 0.15), "07": ("tzotzil", 0.35),
            "21": ("nahua", 0.2), "29": ("nahua", 0.2), "13": ("nahua", 0.15),
            "30": ("nahua", 0.1), "24": ("nahua", 0.1), "15": ("nahua", 0.04)}
REGIONAL_POOLS = {"maya": (names.MAYA, 0.6), "nahua": (names.NAHUA, 0.3),
                  "zapmix": (names.ZAPOTEC_MIXTEC, 0.5), "tzotzil": (names.TZOTZIL_TZELTAL, 0.7)}
# Migrants: INM detentions by nationality, and the states of the routes they travel.
FOREIGN_GROUPS = {"ca": (names.CENTRAL_AMERICA, 0.62), "haiti": (names.HAITI, 0.14),
                  "sam": (names.SOUTH_AMERICA, 0.17), "africa": (names.AFRICA, 0.04),
                  "asia": (names.SOUTH_ASIA, 0.03)}
COUNTRIES = {"ca": (("HONDURAS", 0.45), ("GUATEMALA", 0.35), ("EL SALVADOR", 0.2)),
             "haiti": (("HAITI", 1.0),),
             "sam": (("VENEZUELA", 0.6), ("CUBA", 0.2), ("COLOMBIA", 0.1), ("ECUADOR", 0.1)),
             "africa": (("CAMERUN", 0.4), ("SENEGAL", 0.3), ("GUINEA", 0.3)),
             "asia": (("INDIA", 1.0),)}
ROUTE_STATES = {"07": 0.35, "27": 0.1, "30": 0.1, "20": 0.08, "09": 0.08, "28": 0.08,
                "19": 0.05, "05": 0.04, "08": 0.04, "02": 0.05, "26": 0.03}
MIGRANT_SHARE = 0.07  # of the population pool (people who can be detained or reported)

MATCHED_SHARE = 0.21
ENTRIES_PER_MATCHED = ((1, 0.80), (2, 0.15), (3, 0.04), (4, 0.01))  # transfers repeat a person
ENTRIES_PER_OTHER = ((1, 0.82), (2, 0.14), (3, 0.04))
FAMILY_REPORTS = 0.015  # a household member reported missing with the same date
RELATIVES_DETAINED = 0.11  # per report: a relative (household or clan) in the entry books
NAMESAKE_POOL, NAMESAKES_LEFT, NAMESAKES_RIGHT = 0.002, 0.008, 0.004
COMMON_NAMES = (  # very common full names: (given, paternal, maternal or "" = any, sex)
    ("José", "Hernández", "Hernández", 0), ("Juan", "García", "López", 0),
    ("Pedro", "López", "Pérez", 0), ("Juan", "Pérez", "Pérez", 0),
    ("José Luis", "García", "García", 0), ("Jesús", "Gómez", "Gómez", 0),
    ("Francisco", "Hernández", "Cruz", 0), ("Antonio", "Santiago", "López", 0),
    ("María Guadalupe", "Hernández", "", 1), ("María de Jesús", "Martínez", "", 1),
    ("Juana", "López", "López", 1),
)

# Age bins (years) with shares: RNPDNO for reports, ENPOL 2021 for prisons.
AGES_MISSING = {0: (((0, 12), 0.03), ((12, 18), 0.09), ((18, 30), 0.36), ((30, 45), 0.32),
                    ((45, 60), 0.13), ((60, 85), 0.07)),
                1: (((0, 12), 0.07), ((12, 18), 0.31), ((18, 30), 0.31), ((30, 45), 0.19),
                    ((45, 60), 0.08), ((60, 85), 0.04))}
AGES_PRISON = (((18, 25), 0.22), ((25, 35), 0.36), ((35, 45), 0.24), ((45, 60), 0.15),
               ((60, 80), 0.03))
WOMEN_REPORTED, WOMEN_IN_PRISON = 0.26, 0.06
FIRST_DAY, LAST_DAY = date(2006, 1, 1).toordinal(), date(2025, 3, 31).toordinal()
YEAR = 365.25

STREETS = ("Benito Juárez", "Hidalgo", "Morelos", "Reforma", "Independencia", "5 de Febrero",
           "Aquiles Serdán", "Francisco I. Madero", "Ignacio Zaragoza", "Josefa Ortiz",
           "Leona Vicario", "Mariano Escobedo", "Manuel Ávila Camacho", "Miguel Alemán",
           "Adolfo López Mateos", "Cuauhtémoc", "Moctezuma", "Primavera", "Del Sol", "Nogal",
           "Fresno", "Encino", "Cedro", "Sauce", "Olivo", "Girasoles", "Tulipanes", "Azucenas")
COLONIAS = ("Centro", "Barrio de San Juan", "Barrio de Guadalupe", "La Loma", "El Calvario",
            "San Antonio", "Santa María", "La Providencia", "Las Granjas", "Ejidal",
            "Fraccionamiento Los Álamos", "Unidad Habitacional Infonavit", "Colinas del Sur",
            "Lomas de San Pedro", "Nueva Esperanza", "Primero de Mayo", "Plan de Ayala",
            "Ampliación Juárez", "Villas del Río", "Campestre")


def _weights_by_rank(n: int, s: float) -> np.ndarray:
    return 1.0 / np.arange(1, n + 1) ** s


class Names:
    """C's vocabulary and samplers (every name an integer id)."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self._ids: dict[str, int] = {}
        top = names.TOP_SURNAMES
        share_61 = top[-1][1]
        listed = [w for w, _ in top]
        tail = [w for w in dict.fromkeys(names.MORE_SURNAMES + names.RARER_SURNAMES)
                if w not in listed]
        more = [share_61 * (len(top) / (len(top) + 1 + i)) ** 1.1 for i in range(len(tail))]
        rare = names.COMPOUND_SURNAMES + names.RARE_SURNAMES
        known = [s for _, s in top] + more + [1.0 / len(names.COMPOUND_SURNAMES)] * len(
            names.COMPOUND_SURNAMES) + [2.0 / len(names.RARE_SURNAMES)] * len(names.RARE_SURNAMES)
        # The percentage the lists leave over goes, evenly, to the rarer surnames.
        rarer = len(top) + len(names.MORE_SURNAMES)
        spread = np.zeros(len(known))
        spread[rarer:] = max(100.0 - sum(known), 0.0) / (len(known) - rarer)
        self.national = self.table(listed + tail + rare, np.array(known) + spread)
        self.regional = {g: (self.table(pool, _weights_by_rank(len(pool), 0.6)), share)
                         for g, (pool, share) in REGIONAL_POOLS.items()}
        # s = 0.6: the most frequent first name about one person in eleven.
        self.first = {0: self.table(names.MALE, _weights_by_rank(len(names.MALE), 0.6)),
                      1: self.table(names.FEMALE, _weights_by_rank(len(names.FEMALE), 0.6))}
        self.indigenous_first = {
            0: self.table(names.INDIGENOUS_MALE, _weights_by_rank(len(names.INDIGENOUS_MALE), 0.8)),
            1: self.table(names.INDIGENOUS_FEMALE,
                          _weights_by_rank(len(names.INDIGENOUS_FEMALE), 0.8))}
        self.second = {0: self.ranked(names.SECOND_MALE, 0.8),
                       1: self.ranked(names.SECOND_FEMALE, 0.8)}
        self.after = {0: self.ranked(names.AFTER_JOSE, 1.0), 1: self.ranked(names.AFTER_MARIA, 1.0)}
        self.maria, self.jose = self.id("María"), self.id("José")
        self.foreign = {}
        for g, ((male, female, surnames, _), _) in FOREIGN_GROUPS.items():
            self.foreign[g] = (self.table(male, _weights_by_rank(len(male), 0.5)),
                               self.table(female, _weights_by_rank(len(female), 0.5)),
                               self.table(surnames, _weights_by_rank(len(surnames), 0.6)))

    def id(self, word: str) -> int:
        if word not in self._ids:
            self._ids[word] = len(self.words)
            self.words.append(word)
        return self._ids[word]

    def ranked(self, words: list[str], s: float) -> tuple[np.ndarray, np.ndarray]:
        return self.table(words, _weights_by_rank(len(words), s))

    def table(self, words: list[str], weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        merged: dict[int, float] = {}
        for w, p in zip(words, weights, strict=True):
            merged[self.id(w)] = merged.get(self.id(w), 0.0) + float(p)
        ids = np.array(list(merged), dtype=np.int64)
        p = np.array(list(merged.values()))
        return ids, p / p.sum()

    @staticmethod
    def draw(table: tuple[np.ndarray, np.ndarray], rng: np.random.Generator, n: int
             ) -> np.ndarray:
        ids, p = table
        return ids[rng.choice(len(ids), size=n, p=p)]


COLUMNS = ("sex", "birth", "group", "g1", "g2", "pat", "mat", "state", "muni", "house", "clan",
           "role", "junior", "street", "number", "colonia", "homoclave", "country", "template",
           "part")
REPORTED_FAMILIES, OTHER_FAMILIES = 0, 1
FATHER, MOTHER, CHILD = 0, 1, 2


class Population:
    """Households and clans, built column by column with numpy.

    Two parts: the families the reported come from (their relatives are drawn
    from the same clans), and other families, where everyone else in the books
    comes from. One pool for both would put a relative of nearly every
    reported person in the books, because the books hold a large share of any
    pool small enough to build.
    """

    def __init__(self, reported_size: int, others_size: int, rng: np.random.Generator) -> None:
        self.rng, self.names = rng, Names()
        blocks = []
        for part, size, migrants in ((REPORTED_FAMILIES, reported_size, MIGRANT_SHARE / 2),
                                     (OTHER_FAMILIES, others_size, MIGRANT_SHARE)):
            for foreign, share in ((False, 1 - migrants), (True, migrants)):
                block = self._families(int(size * share), foreign=foreign)
                block["part"] = np.full(len(block["sex"]), part)
                blocks.append(block)
        for before, block in itertools.pairwise(blocks):
            block["house"] += before["house"].max() + 1
            block["clan"] += before["clan"].max() + 1
        # int32 halves the memory of a few million people; ordinals fit.
        self.cols = {c: np.concatenate([b[c] for b in blocks]).astype(np.int32) for c in COLUMNS}
        self.n = len(self.cols["sex"])

    def __getattr__(self, name: str) -> np.ndarray:
        cols = self.__dict__.get("cols", {})
        if name in cols:
            return cols[name]
        raise AttributeError(name)

    def _families(self, target: int, *, foreign: bool) -> dict[str, np.ndarray]:
        """Return about ``target`` people: clans of 1-3 brothers' households."""
        rng = self.rng
        n_clans = max(target // 11, 1)
        houses_per_clan = rng.choice([1, 2, 3], size=n_clans, p=[0.45, 0.35, 0.2])
        if foreign:
            houses_per_clan[:] = 1
        clan_of_house = np.repeat(np.arange(n_clans), houses_per_clan)
        n_houses = len(clan_of_house)
        clan = self._clans(n_clans, foreign)
        # Parents: fathers born 1925-1992; mothers 0-8 years younger (a few older).
        father_birth = date(1925, 1, 1).toordinal() + rng.integers(0, int(67 * YEAR), n_houses)
        if foreign:
            father_birth = date(1955, 1, 1).toordinal() + rng.integers(0, int(40 * YEAR), n_houses)
        mother_birth = father_birth + (rng.uniform(-2, 8, n_houses) * YEAR).astype(np.int64)
        born = [date(y, 1, 1).toordinal() for y in (1950, 1965, 1980)]
        decade_mean = np.select([mother_birth < b for b in born], [5.5, 4.0, 3.0], 2.2)
        n_children = np.minimum(rng.poisson(decade_mean - 1) + 1, 9)
        # Children: first at 18-30, then every 1-4 years; 1.5 % of births are twins.
        child_house = np.repeat(np.arange(n_houses), n_children)
        first = np.r_[0, np.cumsum(n_children)[:-1]]
        is_first = np.zeros(len(child_house), dtype=bool)
        is_first[first] = True
        gap = np.where(is_first, 18 + rng.uniform(0, 12, len(child_house)),
                       rng.uniform(1, 4, len(child_house)))
        gap[~is_first & (rng.random(len(child_house)) < 0.015)] = 0.0  # twin of the previous
        offset = np.cumsum(gap)
        offset -= np.repeat(offset[first] - gap[first], n_children)
        child_birth = mother_birth[child_house] + (offset * YEAR).astype(np.int64)
        keep = child_birth < LAST_DAY - 365
        return self._assemble(clan, clan_of_house, father_birth, mother_birth,
                              child_house[keep], child_birth[keep], foreign)

    def _clans(self, n: int, foreign: bool) -> dict[str, np.ndarray]:
        rng = self.rng
        if foreign:
            groups = list(FOREIGN_GROUPS)
            share = np.array([s for _, s in FOREIGN_GROUPS.values()])
            group = rng.choice(len(groups), size=n, p=share / share.sum()) + FIRST_FOREIGN
            codes = [s.code for s in geo.states()]
            route = np.array([ROUTE_STATES.get(c, 0.0) for c in codes])
            state = rng.choice(32, size=n, p=route / route.sum())
        else:
            state = rng.choice(32, size=n, p=geo.population_weights())
            group = np.zeros(n, dtype=np.int64)
            for i, s in enumerate(geo.states()):
                if s.code in REGIONAL:
                    g, share = REGIONAL[s.code]
                    hit = (state == i) & (rng.random(n) < share)
                    group[hit] = GROUPS.index(g)
        pat = np.zeros(n, dtype=np.int64)
        for g in np.unique(group):
            where = np.flatnonzero(group == g)
            pat[where] = self._surnames(int(g), len(where))
        return {"state": state, "muni": geo.sample_municipalities(state, rng), "group": group,
                "pat": pat}

    def _surnames(self, group: int, n: int) -> np.ndarray:
        rng, nm = self.rng, self.names
        name = GROUPS[group]
        if name in nm.foreign:
            return nm.draw(nm.foreign[name][2], rng, n)
        out = nm.draw(nm.national, rng, n)
        if name in nm.regional:
            table, share = nm.regional[name]
            local = rng.random(n) < share
            out[local] = nm.draw(table, rng, int(local.sum()))
        return out

    def _given(self, sex: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return first and second given-name ids (second -1 when there is none)."""
        rng, nm = self.rng, self.names
        n = len(sex)
        g1, g2 = np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64)
        for g in np.unique(group):
            for s in (0, 1):
                where = np.flatnonzero((group == g) & (sex == s))
                if not len(where):
                    continue
                name = GROUPS[int(g)]
                if name in nm.foreign:
                    g1[where] = nm.draw(nm.foreign[name][s], rng, len(where))
                    continue
                indigenous = name in ("tzotzil", "zapmix")
                table = nm.indigenous_first[s] if indigenous else nm.first[s]
                g1[where] = nm.draw(table, rng, len(where))
                # María (a quarter of women) and José (a tenth of men) lead compound names.
                lead = rng.random(len(where)) < (0.25 if s else 0.10)
                g2[where[lead]] = g1[where[lead]]
                g1[where[lead]] = nm.maria if s else nm.jose
                after = nm.draw(nm.after[s], rng, len(where))
                g2[where[lead]] = np.where(rng.random(int(lead.sum())) < 0.7, after[lead],
                                           g2[where[lead]])
                second = (~lead) & (rng.random(len(where)) < 0.35)
                g2[where[second]] = nm.draw(nm.second[s], rng, int(second.sum()))
        g2[g2 == g1] = -1
        return g1, g2

    def _assemble(self, clan: dict[str, np.ndarray], clan_of_house: np.ndarray,
                  father_birth: np.ndarray, mother_birth: np.ndarray, child_house: np.ndarray,
                  child_birth: np.ndarray, foreign: bool) -> dict[str, np.ndarray]:
        rng = self.rng
        n_houses, n_child = len(clan_of_house), len(child_house)
        house = np.r_[np.arange(n_houses), np.arange(n_houses), child_house]
        role = np.r_[np.full(n_houses, FATHER), np.full(n_houses, MOTHER), np.full(n_child, CHILD)]
        sex = np.r_[np.zeros(n_houses), np.ones(n_houses), rng.random(n_child) >= 0.51]
        sex = sex.astype(np.int64)
        birth = np.r_[father_birth, mother_birth, child_birth]
        clan_id = clan_of_house[house]
        group = clan["group"][clan_id]
        n = len(house)
        # Surnames: the father's paternal one is the clan's; the mother's are her own
        # (in one household in ten of a clan, sister of another household's mother).
        mother_pat = self._surnames_by_group(group[:n_houses])
        mother_mat = self._surnames_by_group(group[:n_houses])
        first_house = np.r_[0, np.cumsum(np.bincount(clan_of_house))[:-1]][clan_of_house]
        sisters = (first_house != np.arange(n_houses)) & (rng.random(n_houses) < 0.1)
        mother_pat[sisters] = mother_pat[first_house[sisters]]
        mother_mat[sisters] = mother_mat[first_house[sisters]]
        pat = np.r_[clan["pat"][clan_of_house], mother_pat, clan["pat"][clan_id[2 * n_houses:]]]
        mat = np.r_[self._surnames_by_group(group[:n_houses]), mother_mat,
                    mother_pat[child_house]]
        one_surname = np.isin(group, [GROUPS.index(g) for g, ((*_, only), _)
                                      in FOREIGN_GROUPS.items() if only])
        mat[one_surname] = -1
        g1, g2 = self._given(sex, group)
        # A son in ten carries his father's names; a daughter in twenty-five, her mother's.
        junior = np.zeros(n, dtype=np.int64)
        kids = np.arange(2 * n_houses, n)
        namesake = rng.random(n_child) < np.where(sex[kids] == 0, 0.10, 0.04)
        namesake &= role[kids] == CHILD
        parent = np.where(sex[kids] == 0, child_house, n_houses + child_house)
        g1[kids[namesake]], g2[kids[namesake]] = g1[parent[namesake]], g2[parent[namesake]]
        junior[kids[namesake]] = 1
        # Grown children often live elsewhere: another street, sometimes another town.
        street = rng.integers(0, len(STREETS), n_houses)[house]
        number = np.minimum(rng.lognormal(4.3, 1.0, n_houses).astype(np.int64) + 1, 3999)[house]
        colonia = rng.integers(0, len(COLONIAS), n_houses)[house]
        state, muni = clan["state"][clan_id].copy(), clan["muni"][clan_id].copy()
        moved = (role == CHILD) & (birth < date(1995, 1, 1).toordinal()) & (rng.random(n) < 0.5)
        street[moved] = rng.integers(0, len(STREETS), int(moved.sum()))
        number[moved] = rng.integers(1, 800, int(moved.sum()))
        colonia[moved] = rng.integers(0, len(COLONIAS), int(moved.sum()))
        far = moved & (rng.random(n) < 0.3) & (group < FIRST_FOREIGN)
        muni[far] = geo.sample_municipalities(state[far], rng)
        country = np.full(n, -1, dtype=np.int64)
        for g, options in COUNTRIES.items():
            where = np.flatnonzero(group == GROUPS.index(g))
            p = np.array([s for _, s in options])
            country[where] = rng.choice(len(options), size=len(where), p=p / p.sum())
        return {"sex": sex, "birth": birth, "group": group, "g1": g1, "g2": g2, "pat": pat,
                "mat": mat, "state": state, "muni": muni, "house": house, "clan": clan_id,
                "role": role, "junior": junior, "street": street, "number": number,
                "colonia": colonia, "homoclave": rng.integers(0, 260, n), "country": country,
                "template": np.full(n, -1, dtype=np.int64)}

    def _surnames_by_group(self, group: np.ndarray) -> np.ndarray:
        out = np.zeros(len(group), dtype=np.int64)
        for g in np.unique(group):
            where = np.flatnonzero(group == g)
            out[where] = self._surnames(int(g), len(where))
        return out

    def rename(self, idx: np.ndarray) -> None:
        """Give ``idx`` very common full names (and mark which, for the hard negatives).

        They leave their families (house and clan of their own): a namesake is
        nobody's sibling, so no sibling of theirs carries other surnames.
        """
        nm, c = self.names, self.cols
        template_sex = np.array([s for *_, s in COMMON_NAMES])
        pick_of = np.full(len(idx), -1)
        for s in (0, 1):
            options = np.flatnonzero(template_sex == s)
            mine = np.flatnonzero(c["sex"][idx] == s)
            pick_of[mine] = options[self.rng.integers(0, len(options), len(mine))]
        c["house"][idx] = c["clan"][idx] = -1 - idx
        for t, (given, pat, mat, _) in enumerate(COMMON_NAMES):
            pick = idx[pick_of == t]
            first, _, rest = given.partition(" ")
            c["g1"][pick], c["g2"][pick] = nm.id(first), nm.id(rest) if rest else -1
            c["pat"][pick] = nm.id(pat)
            if mat:
                c["mat"][pick] = nm.id(mat)
            c["group"][pick] = 0
            c["template"][pick] = t


def _weighted_sample(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """Draw ``n`` indices without replacement, proportional to ``weights`` (Efraimidis-Spirakis)."""
    positive = np.flatnonzero(weights > 0)
    n = min(n, len(positive))
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.log(rng.random(len(positive))) / weights[positive]
    return np.sort(positive[np.argpartition(-keys, n - 1)[:n]])


def _age_density(age_years: np.ndarray, bins: tuple) -> np.ndarray:
    out = np.zeros(len(age_years))
    for (lo, hi), share in bins:
        out += np.where((age_years >= lo) & (age_years < hi), share / (hi - lo), 0.0)
    return out


def _counts(rng: np.random.Generator, n: int, table: tuple) -> np.ndarray:
    values, p = zip(*table, strict=True)
    return np.array(values)[rng.choice(len(values), size=n, p=np.array(p) / sum(p))]


class Plan:
    """Reports and entries drawn from the population; truth and hard negatives follow."""

    def __init__(self, n_left: int, n_right: int, seed: int) -> None:
        self.rng = rng = np.random.default_rng([seed, 0xC])
        # Reported families: about 11 people per clan, one or two reported per clan.
        self.pop = pop = Population(12 * n_left + 100, 3 * n_right + 100, rng)
        taken = np.zeros(pop.n, dtype=bool)
        # 1. The reported: weighted by age and sex at a possible date of disappearance.
        missing_day = FIRST_DAY + (rng.random(pop.n) * (LAST_DAY - 180 - FIRST_DAY)).astype(
            np.int64)
        missing_day = np.maximum(missing_day, pop.birth + 365)
        age = (missing_day - pop.birth) / YEAR
        weight = np.where(pop.sex == 1, WOMEN_REPORTED, 1 - WOMEN_REPORTED) * np.where(
            pop.sex == 1, _age_density(age, AGES_MISSING[1]), _age_density(age, AGES_MISSING[0]))
        weight *= np.where(pop.group >= FIRST_FOREIGN, 0.5, 1.0) * (missing_day < LAST_DAY - 180)
        weight *= pop.part == REPORTED_FAMILIES
        n_family = round(FAMILY_REPORTS * n_left)
        namesakes_left = round(NAMESAKES_LEFT * n_left)
        reported = _weighted_sample(rng, weight, n_left - n_family)
        taken[reported] = True
        family = self._same_household(reported, taken, n_family, adult_only=False)
        missing_day[family] = missing_day[self._house_partner(family, reported)]
        taken[family] = True
        reported = np.concatenate([reported, family])
        pop.rename(rng.choice(reported, size=min(namesakes_left, len(reported)), replace=False))
        self.missing_day = missing_day
        self.left_person = rng.permutation(reported)
        self.left_day = missing_day[self.left_person]
        # 2. Entries of the reported, 3. of their relatives, 4. namesakes, 5. everyone else.
        right = [self._matched(reported, n_left)]
        right.append(self._relatives(reported, taken, n_left))
        right.append(self._namesakes(taken, n_right))
        used = sum(len(p) for p, _ in right)
        if used > n_right:
            raise ValueError(f"--n-right {n_right} is too small for --n-left {n_left}")
        right.append(self._others(taken, n_right - used))
        person = np.concatenate([p for p, _ in right])
        day = np.concatenate([d for _, d in right])
        order = rng.permutation(len(person))
        self.right_person, self.right_day = person[order], day[order]

    def _house_partner(self, family: np.ndarray, reported: np.ndarray) -> np.ndarray:
        """For each family report, the reported member of the same household."""
        pop = self.pop
        by_house = dict(zip(pop.house[reported].tolist(), reported.tolist(), strict=False))
        return np.array([by_house[h] for h in pop.house[family].tolist()], dtype=np.int64)

    def _same_household(self, reported: np.ndarray, taken: np.ndarray, n: int, *,
                        adult_only: bool) -> np.ndarray:
        pop = self.pop
        houses = np.isin(pop.house, pop.house[reported])
        weight = (houses & ~taken).astype(float)
        if adult_only:
            weight *= pop.birth < LAST_DAY - int(20 * YEAR)
        return _weighted_sample(self.rng, weight, n)

    def _matched(self, reported: np.ndarray, n_left: int) -> tuple[np.ndarray, np.ndarray]:
        pop, rng = self.pop, self.rng
        age = (self.missing_day[reported] - pop.birth[reported]) / YEAR
        weight = (age >= 18) * np.where(pop.sex[reported] == 1, 0.3, 1.0)
        matched = reported[_weighted_sample(rng, weight, round(MATCHED_SHARE * n_left))]
        person = np.repeat(matched, _counts(rng, len(matched), ENTRIES_PER_MATCHED))
        n = len(person)
        d = self.missing_day[person]
        kind = rng.choice(4, size=n, p=[0.5, 0.2, 0.2, 0.1])
        day = np.select(
            [kind == 0, kind == 1, kind == 2],
            [d + rng.integers(1, 16, n),  # detained, then entered prison days later
             d + rng.integers(16, 730, n),  # found in prison later
             d - rng.integers(365, 12 * 365, n)],  # an earlier sentence
            d + rng.integers(-3, 1, n))  # entered before the report was written
        first_day = np.maximum(pop.birth[person] + int(18 * YEAR), FIRST_DAY - 6 * 365)
        day = np.where(day < first_day, d + rng.integers(1, 16, n), day)
        self.matched = matched
        return person, np.minimum(day, LAST_DAY)

    def _relatives(self, reported: np.ndarray, taken: np.ndarray, n_left: int
                   ) -> tuple[np.ndarray, np.ndarray]:
        """Relatives of the reported in the books: arrests concentrate in families."""
        pop, rng = self.pop, self.rng
        clans = np.isin(pop.clan, pop.clan[reported])
        adult_by_end = pop.birth < LAST_DAY - int(19 * YEAR)
        weight = (clans & ~taken & adult_by_end) * np.where(pop.sex == 1, 0.12, 1.0)
        weight *= np.where(np.isin(pop.house, pop.house[reported]), 2.0, 1.0)  # closer family
        relatives = _weighted_sample(rng, weight, round(RELATIVES_DETAINED * n_left))
        taken[relatives] = True
        person = np.repeat(relatives, _counts(rng, len(relatives), ENTRIES_PER_OTHER))
        day = self._entry_days(person)
        # A fifth were arrested together with the reported relative.
        partner = dict(zip(pop.clan[reported].tolist(), reported.tolist(), strict=True))
        src = np.array([partner[c] for c in pop.clan[person].tolist()], dtype=np.int64)
        together = (rng.random(len(person)) < 0.2) & (
            self.missing_day[src] > pop.birth[person] + int(18 * YEAR))
        day[together] = self.missing_day[src[together]] + rng.integers(1, 16, int(together.sum()))
        return person, np.minimum(day, LAST_DAY)

    def _namesakes(self, taken: np.ndarray, n_right: int) -> tuple[np.ndarray, np.ndarray]:
        pop, rng = self.pop, self.rng
        adult = pop.birth < LAST_DAY - int(19 * YEAR)
        weight = (~taken & adult & (pop.group < FIRST_FOREIGN)
                  & (pop.part == OTHER_FAMILIES)).astype(float)
        pool = _weighted_sample(rng, weight, int(NAMESAKE_POOL * pop.n))
        pop.rename(pool)
        # In the books mostly men, as everyone else there.
        person = pool[_weighted_sample(rng, np.where(pop.sex[pool] == 1, 0.1, 1.0),
                                       round(NAMESAKES_RIGHT * n_right))]
        taken[person] = True
        return person, self._entry_days(person)

    def _others(self, taken: np.ndarray, n_records: int) -> tuple[np.ndarray, np.ndarray]:
        pop, rng = self.pop, self.rng
        if n_records <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        repeats = _counts(rng, n_records, ENTRIES_PER_OTHER)
        n_people = int(np.searchsorted(np.cumsum(repeats), n_records)) + 1
        day = self._entry_days(np.arange(pop.n))
        age = (day - pop.birth) / YEAR
        weight = _age_density(age, AGES_PRISON) * np.where(
            pop.sex == 1, WOMEN_IN_PRISON, 1 - WOMEN_IN_PRISON) * ~taken
        weight *= pop.part == OTHER_FAMILIES
        weight *= np.where(pop.group >= FIRST_FOREIGN, 1.3, 1.0)  # migration stations
        people = _weighted_sample(rng, weight, n_people)
        repeats = repeats[: len(people)]
        repeats[-1] -= max(repeats.sum() - n_records, 0)
        person = np.repeat(people, repeats)
        first = np.repeat(day[people], repeats)
        later = np.arange(len(person)) != np.repeat(np.cumsum(repeats) - repeats, repeats)
        first[later] += rng.integers(20, 4 * 365, int(later.sum()))  # transfers, new sentences
        return person, np.minimum(first, LAST_DAY)

    def _entry_days(self, person: np.ndarray) -> np.ndarray:
        pop, rng = self.pop, self.rng
        start = np.maximum(pop.birth[person] + int(18 * YEAR), FIRST_DAY)
        span = np.maximum(LAST_DAY - start, 1)
        return start + (rng.random(len(person)) * span).astype(np.int64)


# -- rendering -----------------------------------------------------------------------

MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")
_ACCENTED = "ÁÉÍÓÚÜÀÈÌÒÙÂÊÎÔÛËÏáéíóúüàèìòùâêîôûëï"
_PLAIN = str.maketrans(_ACCENTED, "".join(
    unicodedata.normalize("NFD", c)[0] for c in _ACCENTED))
# Characters OCR and hurried hands confuse (capital letters and digits).
OCR_LETTERS = {"O": "0DQ", "I": "1L", "L": "I", "S": "5", "B": "8R", "G": "6C", "Z": "2",
               "E": "FC", "U": "VO", "V": "U", "N": "HM", "M": "NH", "A": "4O", "R": "KB",
               "C": "GE", "D": "O", "Q": "O", "H": "N", "T": "I", "J": "I", "Ñ": "N"}
OCR_PAIRS = (("RN", "M"), ("M", "RN"), ("CL", "D"), ("VV", "W"), ("LI", "U"), ("NI", "M"))
OCR_DIGITS = {"0": "86", "1": "7", "3": "8", "5": "6", "6": "5", "7": "1", "8": "03", "9": "4",
              "4": "9", "2": "7"}
# How clerks spell foreign and indigenous sounds (rules, not a list of names).
TRANSLITERATION = (
    ("JEAN", "YAN"), ("EAU", "O"), ("OU", "U"), ("PH", "F"), ("TH", "T"), ("W", "GU"),
    ("SH", "CH"), ("EE", "I"), ("CK", "K"), ("TZ", "TS"), ("DZ", "TZ"), ("X", "SH"), ("K", "C"),
    ("Y", "I"), ("SS", "S"), ("FF", "F"), ("LL", "L"), ("GH", "G"), ("J", "Y"), ("OO", "O"),
    ("-", " "), ("'", ""),
)


def _plain(text: str) -> str:
    return text.translate(_PLAIN)


def _cap(text: str) -> str:
    return _plain(text.upper())


def transliterate(text: str, r: random.Random, rules: int = 2) -> str:
    """Apply up to ``rules`` spelling rules to an upper-case foreign or indigenous name."""
    for _ in range(rules):
        options = [(a, b) for a, b in TRANSLITERATION if a in text]
        if not options:
            break
        a, b = r.choice(options)
        text = text.replace(a, b, 1)
    return text


class Page:
    """One page of an entry book as OCR read it: its quality sets every error rate."""

    QUALITIES = ((0.002, 0.03), (0.012, 0.15), (0.035, 0.5))  # (letter rate, column errors)

    def __init__(self, r: random.Random) -> None:
        self.r = r
        # Good, fair and bad pages; a bad page also loses the table's columns.
        self.letter_rate, self.column_rate = r.choices(self.QUALITIES, (0.7, 0.2, 0.1))[0]

    def letters(self, text: str) -> str:
        """Misread characters at this page's rate (one draw per field, not per character)."""
        return self._misread(text, self.letter_rate, OCR_LETTERS, OCR_PAIRS)

    def digits(self, text: str) -> str:
        return self._misread(text, self.letter_rate * 1.5, OCR_DIGITS, ())

    def _misread(self, text: str, rate: float, table: dict[str, str],
                 pairs: tuple[tuple[str, str], ...]) -> str:
        r = self.r
        while text and r.random() < rate * len(text):
            rate /= 3  # a second error in the same field is rarer
            pair = [(a, b) for a, b in pairs if a in text]
            if pair and r.random() < 0.2:
                a, b = r.choice(pair)
                text = text.replace(a, b, 1)
                continue
            spots = [i for i, c in enumerate(text) if c in table]
            if not spots:
                break
            i = r.choice(spots)
            text = text[:i] + r.choice(table[text[i]]) + text[i + 1:]
        return text


class Renderer:
    def __init__(self, plan: Plan, seed: int, side: str) -> None:
        self.plan, self.pop = plan, plan.pop
        self.words = plan.pop.names.words
        self.r = random.Random(f"registro_c/{seed}/{side}")
        self.states = geo.states()
        self._muni_cdf = [np.cumsum(s.municipality_weights) for s in self.states]

    def units(self, person: dict[str, Any]) -> list[str]:
        units = [self.words[person["g1"]]]
        return [*units, self.words[person["g2"]]] if person["g2"] >= 0 else units

    def surnames(self, person: dict[str, Any]) -> tuple[str, str]:
        mat = self.words[person["mat"]] if person["mat"] >= 0 else ""
        return self.words[person["pat"]], mat

    def hypocoristic(self, units: list[str]) -> str | None:
        r = self.r
        options = [n for u in units for n in names.HIPOCORISTICOS.get(u, ())]
        options += [_diminutive(u) for u in units if u in names.DIMINUTIVE_OK]
        return r.choice(options) if options else None

    def other_municipality(self, state: int) -> int:
        cdf = self._muni_cdf[state]
        return min(int(np.searchsorted(cdf, self.r.random() * cdf[-1])), len(cdf) - 1)

    def curp(self, person: dict[str, Any]) -> str:
        if person["group"] >= FIRST_FOREIGN:
            return ""
        pat, mat = self.surnames(person)
        # Born in another state: one in seven, fixed per person (the CURP never changes).
        moved = person["homoclave"] % 7 == 0
        born_in = (person["state"] + person["homoclave"]) % 32 if moved else person["state"]
        return build_curp(given_names=" ".join(self.units(person)), paternal=pat, maternal=mat,
                          birth=date.fromordinal(person["birth"]),
                          sex="M" if person["sex"] else "H", state=self.states[born_in].curp,
                          homoclave=person["homoclave"])

    @staticmethod
    def age(birth: int, day: int) -> int:
        b, d = date.fromordinal(birth), date.fromordinal(day)
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def _diminutive(name: str) -> str:
    if name.endswith(("o", "a")):
        return name[:-1] + ("ito" if name.endswith("o") else "ita")
    if name.endswith("s"):
        return name[:-1] + "sito"
    return name + "ito"


class FamilyForm(Renderer):
    """LEFT: a search form the family filled in with a collective or commission."""

    def row(self, rid: str, person: dict[str, Any], day: int) -> list[str]:
        r = self.r
        plain = r.random() < 0.2
        units = self.units(person)
        given = self._given(units)
        pat, mat = self.surnames(person)
        if person["group"] >= FIRST_FOREIGN and r.random() < 0.15:
            pat = transliterate(pat.upper(), r).title()
        if mat and r.random() < 0.03:
            mat = ""
        if r.random() < 0.02:
            pat, mat = mat, pat
        fields = [given, pat, mat]
        fields = [_typo(f, r) if f and r.random() < 0.02 else f for f in fields]
        if plain:
            fields = [_plain(f) for f in fields]
        if r.random() < 0.15:  # one box for the whole name
            fields = [" ".join(f for f in fields if f), "", ""]
        birth, age = self._birth_and_age(person, day)
        state, municipality = self._place(person)
        return [rid, *fields, self._sex(person["sex"]), birth, self._id(person), state,
                municipality, self._address(person), self._event(day),
                self._aliases(units, person, day), age]

    def _given(self, units: list[str]) -> str:
        r = self.r
        if r.random() < 0.06:
            nick = self.hypocoristic(units)
            if nick:
                return nick
        if len(units) > 1 and r.random() < 0.04:
            units = units[:1]
        if units[0] == "María" and len(units) > 1 and r.random() < 0.1:
            units = ["Ma.", *units[1:]]
        return " ".join(units)

    def _aliases(self, units: list[str], person: dict[str, Any], day: int) -> str:
        r = self.r
        if r.random() >= 0.3 or self.age(person["birth"], day) < 12:
            return ""
        nick = self.hypocoristic(units)
        alias = nick if nick and r.random() < 0.5 else r.choice(
            names.APODOS_FEMALE if person["sex"] else names.APODOS)
        return f"le dicen {alias}" if r.random() < 0.1 else alias

    def _sex(self, sex: int) -> str:
        return "" if self.r.random() < 0.04 else "HM"[sex]  # hombre / mujer

    def _birth_and_age(self, person: dict[str, Any], day: int) -> tuple[str, str]:
        r = self.r
        age = self.age(person["birth"], day)
        age_text = str(age)
        u = r.random()
        if u < 0.15:
            age_text = f"{age} años"
        elif u < 0.20 and age > 20:
            age_text = f"{5 * round(age / 5)} aprox."
        if r.random() < 0.30:
            return "", age_text if r.random() < 0.95 else ""
        b = date.fromordinal(person["birth"])
        u = r.random()
        if u < 0.015 and b.day <= 12 and b.day != b.month:
            b = date(b.year, b.day, b.month)
        text = _long_or_short(b, r)
        if r.random() < 0.02:
            text = _digit_slip(text, r)
        return text, age_text if r.random() < 0.6 else ""

    def _id(self, person: dict[str, Any]) -> str:
        r = self.r
        if r.random() >= 0.2:
            return ""
        code = self.curp(person)
        return _typo(code, r) if code and r.random() < 0.03 else code

    def _place(self, person: dict[str, Any]) -> tuple[str, str]:
        r = self.r
        s = self.states[person["state"]]
        muni = person["muni"] if r.random() < 0.8 else self.other_municipality(person["state"])
        if r.random() < 0.05:
            return "", ""
        state = r.choices((s.name, s.abbreviations[0], _long_state(s.name)), (0.7, 0.15, 0.15))[0]
        return state, s.municipalities[muni] if r.random() < 0.92 else ""

    def _address(self, person: dict[str, Any]) -> str:
        r = self.r
        if r.random() < 0.3:
            return ""
        if person["group"] >= FIRST_FOREIGN:
            return COUNTRIES[GROUPS[person["group"]]][person["country"]][0].title()
        s = self.states[person["state"]]
        if person["muni"] >= s.large and r.random() < 0.35:  # rural: everyone knows the house
            return r.choice(("Domicilio conocido", "Domicilio conocido s/n", "Conocido"))
        street, colonia = STREETS[person["street"]], COLONIAS[person["colonia"]]
        return r.choice((f"{street} {person['number']}, {colonia}",
                         f"Calle {street} núm. {person['number']}, col. {colonia}",
                         f"{street} s/n, {colonia}"))

    def _event(self, day: int) -> str:
        r = self.r
        d = date.fromordinal(day)
        u = r.random()
        if u < 0.03:
            return ""
        if u < 0.08:
            return f"{MONTHS[d.month - 1]} de {d.year}"  # only the month is remembered
        if u < 0.13:
            d = date(d.year, d.month, 1)
        return _long_or_short(d, r)


class EntryBook(Renderer):
    """RIGHT: a prison or migration-station entry book, handwritten, read by OCR."""

    def row(self, rid: str, person: dict[str, Any], day: int) -> list[str]:
        r = self.r
        page = Page(r)
        foreign = person["group"] >= FIRST_FOREIGN
        units = self.units(person)
        if len(units) > 1 and r.random() < 0.2:
            units = units[:1]
        if r.random() < 0.01:
            nick = self.hypocoristic(units)
            units = [nick] if nick else units
        pat, mat = self.surnames(person)
        if mat and r.random() < 0.08:
            mat = ""
        if person["junior"] and r.random() < 0.25:
            mat = (mat + " JR.").strip()
        given, pat, mat = _cap(" ".join(units)), _cap(pat), _cap(mat)
        if r.random() < 0.6:
            given, pat, mat = (x.replace("Ñ", "N") for x in (given, pat, mat))
        if foreign or person["group"] in (1, 2):  # Maya, Nahua: spelt as heard
            rate = 0.5 if foreign else 0.3
            given, pat, mat = (transliterate(x, r) if x and r.random() < rate else x
                               for x in (given, pat, mat))
        fields = [given, pat, mat]
        fields = [_heard(f, r) if f and r.random() < 0.05 else f for f in fields]
        fields = self._layout(*fields, page)
        fields = [page.letters(f) for f in fields]
        birth, age = self._birth_and_age(person, day, page, foreign)
        state, municipality = self._place(person, foreign)
        return [rid, *fields, self._sex(person["sex"]), birth, self._curp(person, page), state,
                municipality, self._address(person), self._entry(day, page),
                self._aliases(units, person["sex"]), age]

    def _layout(self, given: str, pat: str, mat: str, page: Page) -> list[str]:
        """Columns as the transcriber filled them from a 'surnames, names' book."""
        r = self.r
        if r.random() < page.column_rate:
            u = r.random()
            if u < 0.6:
                return [" ".join(x for x in (pat, mat, given) if x), "", ""]
            if u < 0.85:
                return [pat, mat, given]  # read surnames-first into name-first columns
            return [f"{given} {pat}", mat, ""]
        if " " in pat and r.random() < 0.5:  # PONCE DE LEON split at the first space
            head, tail = pat.split(" ", 1)
            return [given, head, f"{tail} {mat}".strip()]
        return [given, pat, mat]

    def _aliases(self, units: list[str], sex: int) -> str:
        r = self.r
        if r.random() >= 0.4:
            return ""
        nick = self.hypocoristic(units)
        alias = nick if nick and r.random() < 0.3 else r.choice(
            names.APODOS_FEMALE if sex else names.APODOS)
        alias = _cap(alias)
        if not alias.startswith(("EL ", "LA ")):
            alias = ("LA " if sex else "EL ") + alias
        return r.choices((alias, f"ALIAS {alias}", f"(A) {alias}", f"A. {alias}"),
                         (0.4, 0.3, 0.2, 0.1))[0]

    def _sex(self, sex: int) -> str:
        return "" if self.r.random() < 0.03 else "12"[sex]  # INEGI: 1 hombre, 2 mujer

    def _birth_and_age(self, person: dict[str, Any], day: int, page: Page, foreign: bool
                       ) -> tuple[str, str]:
        r = self.r
        age = self.age(person["birth"], day)
        if r.random() < 0.15:
            age += r.choice((-1, 1))
        age_text = r.choices((str(age), f"{age} AÑOS", f"{age} ANOS", f"{age}A"),
                             (0.8, 0.1, 0.07, 0.03))[0]
        if r.random() >= (0.6 if foreign else 0.25):
            return "", page.digits(age_text) if r.random() < 0.88 else ""
        b = date.fromordinal(person["birth"])
        text = r.choices((f"{b:%d/%m/%y}", _day_mon_year(b), f"{b:%d.%m.%Y}", f"{b:%d/%m/%Y}"),
                         (0.35, 0.3, 0.15, 0.2))[0]
        return page.digits(text), page.digits(age_text) if r.random() < 0.7 else ""

    def _curp(self, person: dict[str, Any], page: Page) -> str:
        if self.r.random() >= 0.08:
            return ""
        return page.letters(page.digits(self.curp(person)))

    def _place(self, person: dict[str, Any], foreign: bool) -> tuple[str, str]:
        r = self.r
        u = r.random()
        if foreign and u < 0.6:
            country = COUNTRIES[GROUPS[person["group"]]][person["country"]][0]
            return country, ""
        if u < 0.2:
            return "", ""
        s = self.states[person["state"]]
        state = s.code if r.random() < 0.4 else _cap(s.name)
        if u < 0.45:  # the prison's own town written in the origin column
            return state, _cap(s.municipalities[self.other_municipality(person["state"])])
        return state, _cap(s.municipalities[person["muni"]]) if r.random() < 0.6 else ""

    def _address(self, person: dict[str, Any]) -> str:
        r = self.r
        u = r.random()
        if u < 0.55:
            return ""
        if u < 0.70:
            return "DOMICILIO CONOCIDO"
        if u < 0.75:
            return "CONOCIDO"
        colonia = _cap(COLONIAS[person["colonia"]])
        if r.random() < 0.6:
            return f"COL. {colonia}"
        return f"{_cap(STREETS[person['street']])} {colonia}"

    def _entry(self, day: int, page: Page) -> str:
        d = date.fromordinal(day)
        text = f"{d:%d/%m/%Y}" if self.r.random() < 0.7 else _day_mon_year(d)
        return page.digits(text)


def _long_state(name: str) -> str:
    return {"Coahuila": "Coahuila de Zaragoza", "Michoacán": "Michoacán de Ocampo",
            "Veracruz": "Veracruz de Ignacio de la Llave", "Estado de México": "Edo. de México",
            "Querétaro": "Querétaro de Arteaga", "Ciudad de México": "CDMX"}.get(name, name)


def _long_or_short(d: date, r: random.Random) -> str:
    """A date as people write it on a form: in words, with two or four year digits."""
    month = MONTHS[d.month - 1]
    return r.choices((f"{d.day} de {month} de {d.year}", f"{d:%d/%m/%Y}", f"{d:%d/%m/%y}",
                      f"{d:%Y-%m-%d}", f"{d.day}-{month[:3]}-{d.year}"),
                     (0.25, 0.40, 0.15, 0.10, 0.10))[0]


def _day_mon_year(d: date) -> str:
    return f"{d.day:02d}-{MONTHS[d.month - 1][:3].upper()}-{d.year}"  # 05-ENE-1985


def _typo(text: str, r: random.Random) -> str:
    """A volunteer's typing slip: a letter dropped, doubled, swapped or replaced."""
    if len(text) < 4:
        return text
    i = r.randrange(1, len(text) - 1)
    kind = r.random()
    if kind < 0.3:
        return text[:i] + text[i + 1:]
    if kind < 0.45:
        return text[:i] + text[i] + text[i:]
    if kind < 0.75:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + r.choice("aeiounrslt") + text[i + 1:]


# Spellings of a name written down as heard (C's clerks: capitals, no accents).
_SOUNDS = (("V", "B"), ("B", "V"), ("Z", "S"), ("S", "Z"), ("CE", "SE"), ("CI", "SI"),
           ("LL", "Y"), ("Y", "LL"), ("GE", "JE"), ("GI", "JI"), ("X", "J"), ("EZ", "ES"),
           ("HU", "GU"), ("I", "Y"), ("QU", "K"))


def _heard(text: str, r: random.Random) -> str:
    if text.startswith("H") and r.random() < 0.3:
        return text[1:]
    options = [(a, b) for a, b in _SOUNDS if a in text]
    if not options:
        return text
    a, b = r.choice(options)
    return text.replace(a, b, 1)


def _digit_slip(text: str, r: random.Random) -> str:
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    if not digits:
        return text
    i = r.choice(digits)
    return text[:i] + str((int(text[i]) + r.choice((1, 9))) % 10) + text[i + 1:]


# -- writing ----------------------------------------------------------------------

CHUNK = 50_000
PERSON = ("sex", "birth", "group", "g1", "g2", "pat", "mat", "state", "muni", "junior",
          "street", "number", "colonia", "homoclave", "country")


def _write_side(path: Path, renderer: Renderer, person: np.ndarray, day: np.ndarray,
                ids: list[str]) -> None:
    cols = renderer.pop.cols
    with CsvOut(path, FIELDS) as out:
        for start in range(0, len(person), CHUNK):
            chunk = person[start: start + CHUNK]
            values = {c: cols[c][chunk].tolist() for c in PERSON}
            days = day[start: start + CHUNK].tolist()
            out.rows(renderer.row(ids[start + i], {c: values[c][i] for c in PERSON}, days[i])
                     for i in range(len(chunk)))


def _relation(pop: Population, a: int, b: int) -> str | None:
    """Name how two different people are related, or None."""
    if pop.house[a] == pop.house[b]:
        ra, rb = pop.role[a], pop.role[b]
        if ra == CHILD and rb == CHILD:
            return "twin" if pop.birth[a] == pop.birth[b] else "sibling"
        if CHILD in (ra, rb) and ra != rb:
            same = pop.g1[a] == pop.g1[b] and pop.g2[a] == pop.g2[b]
            return "father_son" if same and pop.sex[a] == pop.sex[b] == 0 else "parent_child"
        return None
    if pop.clan[a] == pop.clan[b]:
        ra, rb = pop.role[a], pop.role[b]
        if ra == CHILD and rb == CHILD:
            return "cousin"
        if FATHER in (ra, rb) and CHILD in (ra, rb):
            return "uncle_nephew"
    return None


def _hard_negatives(plan: Plan, left_ids: list[str], right_ids: list[str]
                    ) -> dict[tuple[str, str], str]:
    pop, out = plan.pop, {}
    left_person, right_person = plan.left_person, plan.right_person
    right_by_clan: dict[int, list[int]] = {}
    wanted = np.isin(pop.clan[right_person], pop.clan[left_person])
    for pos in np.flatnonzero(wanted).tolist():
        right_by_clan.setdefault(int(pop.clan[right_person[pos]]), []).append(pos)
    for i, a in enumerate(left_person.tolist()):
        for pos in right_by_clan.get(int(pop.clan[a]), []):
            b = int(right_person[pos])
            kind = _relation(pop, a, b) if a != b else None
            if kind:
                out[(left_ids[i], right_ids[pos])] = kind
    # Namesakes: each right one beside up to three reported people of the same name.
    left_template = pop.template[left_person]
    for pos in np.flatnonzero(pop.template[right_person] >= 0).tolist():
        t = pop.template[right_person[pos]]
        for i in np.flatnonzero(left_template == t)[:3].tolist():
            if left_person[i] != right_person[pos]:
                out.setdefault((left_ids[i], right_ids[pos]), "common_name")
    return out


def generate(out: Path, *, n_left: int = 20_000, n_right: int = 100_000, seed: int = 1
             ) -> dict[str, Any]:
    """Write left.csv, right.csv, truth.csv and hard_negatives.csv into ``out``; return counts.

    1. Build the population (households, clans) and draw reports and entries from it.
    2. Write both files chunk by chunk, each source's conventions and errors applied.
    3. Write every true pair (same person) and every related or namesake pair.
    """
    out.mkdir(parents=True, exist_ok=True)
    plan = Plan(n_left, n_right, seed)
    left_ids = [f"FB{seed % 100:02d}-{i:06d}" for i in range(1, len(plan.left_person) + 1)]
    right_ids = [f"CE-{i:07d}" for i in range(1, len(plan.right_person) + 1)]
    _write_side(out / "left.csv", FamilyForm(plan, seed, "left"), plan.left_person,
                plan.left_day, left_ids)
    _write_side(out / "right.csv", EntryBook(plan, seed, "right"), plan.right_person,
                plan.right_day, right_ids)
    right_of: dict[int, list[int]] = {}
    for pos in np.flatnonzero(np.isin(plan.right_person, plan.left_person)).tolist():
        right_of.setdefault(int(plan.right_person[pos]), []).append(pos)
    truth = sorted((left_ids[i], right_ids[pos]) for i, a in enumerate(plan.left_person.tolist())
                   for pos in right_of.get(a, []))
    with CsvOut(out / "truth.csv", ("left_id", "right_id")) as handle:
        handle.rows(truth)
    hard = _hard_negatives(plan, left_ids, right_ids)
    with CsvOut(out / "hard_negatives.csv", ("left_id", "right_id", "relation")) as handle:
        handle.rows(sorted((a, b, kind) for (a, b), kind in hard.items()))
    kinds: dict[str, int] = {}
    for kind in hard.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = {"generator": "registro_c", "seed": seed, "left": len(left_ids),
               "right": len(right_ids), "true_pairs": len(truth),
               "reports_with_a_match": len({a for a, _ in truth}),
               "hard_negatives": dict(sorted(kinds.items()))}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    main(generate, "Generator C: families' forms vs prison and migration entry books.",
         sys.argv[1:])
