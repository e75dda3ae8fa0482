"""Mexican geography for the generators: states, codes, municipalities, weights.

Facts, not conventions: each generator decides how an agency writes a place.

* State names and INEGI codes, and all 2,475 municipalities: the INEGI Marco
  Geoestadístico as copied in ``registry/data/`` (see its README).
* Two-letter state codes of the CURP: RENAPO, *Instructivo normativo para la
  asignación de la CURP*, catálogo de entidades federativas (``NE`` = born abroad).
* Population (thousands): INEGI, Censo de Población y Vivienda 2020, rounded.
* Missing persons (thousands, disappeared and not located since 2006): RNPDNO
  public version as reported in the press for 2023, rounded; the order is
  reliable, the magnitudes are approximate.
* The largest municipalities of each state with their 2020 population
  (thousands, rounded): they take most of the weight; every other municipality
  of the state shares the rest equally (small towns are many and small).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

CATALOGUE = Path(__file__).resolve().parents[3] / "registry" / "data" / "inegi_municipios.csv"

# code: (CURP code, common abbreviations, population 2020, missing persons,
#        {largest municipality: population})
_STATES: dict[str, tuple[str, tuple[str, ...], int, float, dict[str, int]]] = {
    "01": ("AS", ("Ags.", "AGS"), 1426, 0.3,
           {"Aguascalientes": 948, "Jesús María": 130, "Calvillo": 60}),
    "02": ("BC", ("B.C.", "BC"), 3769, 2.8,
           {"Tijuana": 1922, "Mexicali": 1049, "Ensenada": 443, "Playas de Rosarito": 126,
            "Tecate": 108}),
    "03": ("BS", ("B.C.S.", "BCS"), 798, 0.3,
           {"Los Cabos": 351, "La Paz": 292, "Comondú": 73}),
    "04": ("CC", ("Camp.", "CAMP"), 928, 0.3,
           {"Campeche": 294, "Carmen": 248, "Champotón": 95, "Calkiní": 59}),
    "05": ("CL", ("Coah.", "COAH"), 3146, 3.5,
           {"Saltillo": 879, "Torreón": 720, "Monclova": 237, "Piedras Negras": 176,
            "Acuña": 147}),
    "06": ("CM", ("Col.", "COL"), 731, 1.9,
           {"Manzanillo": 191, "Colima": 157, "Villa de Álvarez": 150, "Tecomán": 116}),
    "07": ("CS", ("Chis.", "CHIS"), 5544, 0.9,
           {"Tuxtla Gutiérrez": 604, "Tapachula": 353, "Ocosingo": 234,
            "San Cristóbal de las Casas": 215, "Comitán de Domínguez": 166, "Palenque": 132}),
    "08": ("CH", ("Chih.", "CHIH"), 3742, 3.9,
           {"Juárez": 1512, "Chihuahua": 937, "Cuauhtémoc": 180, "Delicias": 150,
            "Hidalgo del Parral": 116}),
    "09": ("DF", ("CDMX", "D.F."), 9209, 4.4,
           {"Iztapalapa": 1835, "Gustavo A. Madero": 1173, "Álvaro Obregón": 759,
            "Tlalpan": 699, "Coyoacán": 614, "Cuauhtémoc": 545, "Venustiano Carranza": 443,
            "Xochimilco": 443, "Benito Juárez": 434, "Azcapotzalco": 432,
            "Miguel Hidalgo": 414, "Iztacalco": 404, "Tláhuac": 392}),
    "10": ("DG", ("Dgo.", "DGO"), 1833, 0.9,
           {"Durango": 688, "Gómez Palacio": 372, "Lerdo": 163}),
    "11": ("GT", ("Gto.", "GTO"), 6167, 3.3,
           {"León": 1721, "Irapuato": 592, "Celaya": 521, "Salamanca": 273,
            "Silao de la Victoria": 203, "Guanajuato": 194, "San Miguel de Allende": 174}),
    "12": ("GR", ("Gro.", "GRO"), 3541, 4.1,
           {"Acapulco de Juárez": 779, "Chilpancingo de los Bravo": 283,
            "Iguala de la Independencia": 154, "Chilapa de Álvarez": 130,
            "Zihuatanejo de Azueta": 126, "Taxco de Alarcón": 105,
            "Tlapa de Comonfort": 96}),
    "13": ("HG", ("Hgo.", "HGO"), 3083, 1.4,
           {"Pachuca de Soto": 314, "Mineral de la Reforma": 202, "Tulancingo de Bravo": 168,
            "Tizayuca": 168, "Huejutla de Reyes": 126, "Tula de Allende": 115}),
    "14": ("JC", ("Jal.", "JAL"), 8348, 15.0,
           {"Zapopan": 1476, "Guadalajara": 1385, "Tlajomulco de Zúñiga": 727,
            "San Pedro Tlaquepaque": 687, "Tonalá": 569, "Puerto Vallarta": 292,
            "El Salto": 232, "Lagos de Moreno": 172, "Tepatitlán de Morelos": 150}),
    "15": ("MC", ("Edo. Méx.", "EDOMEX", "MEX"), 16992, 12.0,
           {"Ecatepec de Morelos": 1645, "Nezahualcóyotl": 1077, "Toluca": 910,
            "Naucalpan de Juárez": 834, "Chimalhuacán": 705, "Tlalnepantla de Baz": 672,
            "Cuautitlán Izcalli": 555, "Tecámac": 547, "Ixtapaluca": 542,
            "Atizapán de Zaragoza": 523, "Tultitlán": 516, "Nicolás Romero": 430,
            "Chalco": 400, "Valle de Chalco Solidaridad": 391}),
    "16": ("MN", ("Mich.", "MICH"), 4748, 4.6,
           {"Morelia": 849, "Uruapan": 356, "Zamora": 204, "Lázaro Cárdenas": 184,
            "Zitácuaro": 157, "Apatzingán": 128}),
    "17": ("MS", ("Mor.", "MOR"), 1971, 1.8,
           {"Cuernavaca": 378, "Jiutepec": 215, "Cuautla": 187, "Temixco": 122,
            "Emiliano Zapata": 107, "Yautepec": 105}),
    "18": ("NT", ("Nay.", "NAY"), 1235, 1.0,
           {"Tepic": 425, "Bahía de Banderas": 187, "Santiago Ixcuintla": 93,
            "Compostela": 77}),
    "19": ("NL", ("N.L.", "NL"), 5784, 6.3,
           {"Monterrey": 1142, "Apodaca": 656, "Guadalupe": 643, "General Escobedo": 481,
            "Juárez": 471, "San Nicolás de los Garza": 412, "García": 397,
            "Santa Catarina": 306, "San Pedro Garza García": 132,
            "Cadereyta Jiménez": 122}),
    "20": ("OC", ("Oax.", "OAX"), 4132, 1.0,
           {"Oaxaca de Juárez": 270, "San Juan Bautista Tuxtepec": 159,
            "Juchitán de Zaragoza": 113, "Santa Cruz Xoxocotlán": 100,
            "Salina Cruz": 84, "Huajuapan de León": 78,
            "Santo Domingo Tehuantepec": 67}),
    "21": ("PL", ("Pue.", "PUE"), 6583, 2.9,
           {"Puebla": 1692, "Tehuacán": 327, "San Martín Texmelucan": 155,
            "San Andrés Cholula": 154, "Atlixco": 141, "San Pedro Cholula": 138,
            "Amozoc": 128}),
    "22": ("QT", ("Qro.", "QRO"), 2368, 0.8,
           {"Querétaro": 1049, "San Juan del Río": 297, "El Marqués": 231,
            "Corregidora": 212}),
    "23": ("QR", ("Q. Roo", "QROO"), 1858, 1.5,
           {"Benito Juárez": 911, "Solidaridad": 333, "Othón P. Blanco": 233,
            "Cozumel": 88, "Felipe Carrillo Puerto": 83}),
    "24": ("SP", ("S.L.P.", "SLP"), 2822, 0.9,
           {"San Luis Potosí": 911, "Soledad de Graciano Sánchez": 332,
            "Ciudad Valles": 179, "Matehuala": 102, "Rioverde": 97}),
    "25": ("SL", ("Sin.", "SIN"), 3027, 5.6,
           {"Culiacán": 1003, "Mazatlán": 502, "Ahome": 459, "Guasave": 289,
            "Navolato": 150}),
    "26": ("SR", ("Son.", "SON"), 2944, 5.4,
           {"Hermosillo": 936, "Cajeme": 436, "Nogales": 264, "San Luis Río Colorado": 199,
            "Navojoa": 164, "Guaymas": 156}),
    "27": ("TC", ("Tab.", "TAB"), 2402, 0.5,
           {"Centro": 683, "Cárdenas": 243, "Comalcalco": 214, "Huimanguillo": 190,
            "Macuspana": 165}),
    "28": ("TS", ("Tamps.", "TAMPS"), 3527, 12.5,
           {"Reynosa": 704, "Matamoros": 541, "Nuevo Laredo": 425, "Victoria": 349,
            "Tampico": 297, "Altamira": 269, "Ciudad Madero": 205, "Río Bravo": 132,
            "El Mante": 110}),
    "29": ("TL", ("Tlax.", "TLAX"), 1342, 0.3,
           {"Tlaxcala": 99, "Huamantla": 98, "San Pablo del Monte": 82, "Apizaco": 80,
            "Chiautempan": 73}),
    "30": ("VZ", ("Ver.", "VER"), 8062, 7.3,
           {"Veracruz": 607, "Xalapa": 488, "Coatzacoalcos": 310, "Córdoba": 218,
            "Poza Rica de Hidalgo": 189, "San Andrés Tuxtla": 167, "Papantla": 159,
            "Tuxpan": 154, "Minatitlán": 151, "Boca del Río": 144, "Orizaba": 123}),
    "31": ("YN", ("Yuc.", "YUC"), 2320, 0.1,
           {"Mérida": 995, "Kanasín": 141, "Valladolid": 85, "Tizimín": 80, "Umán": 69,
            "Progreso": 66}),
    "32": ("ZS", ("Zac.", "ZAC"), 1622, 3.5,
           {"Fresnillo": 240, "Guadalupe": 211, "Zacatecas": 149, "Río Grande": 64,
            "Sombrerete": 63, "Jerez": 59}),
}

# Share of a state's weight left to the municipalities not listed above.
SMALL_TOWN_SHARE = 0.3


@dataclass(frozen=True)
class State:
    code: str  # INEGI, two digits
    name: str  # INEGI spelling ("Estado de México", "Ciudad de México")
    curp: str  # RENAPO two-letter code
    abbreviations: tuple[str, ...]
    population: int  # thousands, 2020
    missing: float  # thousands of disappeared and not located persons (approximate)
    municipalities: tuple[str, ...]
    municipality_weights: np.ndarray  # sums to 1; the listed large ones first
    large: int  # how many of ``municipalities`` are the listed large ones


@cache
def states() -> tuple[State, ...]:
    """Return the 32 states in INEGI code order, municipalities from the catalogue."""
    names: dict[str, str] = {}
    towns: dict[str, list[str]] = {}
    with open(CATALOGUE, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names[row["cve_ent"]] = row["nombre_estado"]
            towns.setdefault(row["cve_ent"], []).append(row["nombre_municipio"])
    out = []
    for code, (curp, abbreviations, population, missing, large) in _STATES.items():
        unknown = set(large) - set(towns[code])
        if unknown:
            raise ValueError(f"not in the INEGI catalogue for state {code}: {sorted(unknown)}")
        small = sorted(set(towns[code]) - set(large))
        big = np.array(list(large.values()), dtype=float)
        weights = np.concatenate(
            [big / big.sum() * (1 - SMALL_TOWN_SHARE),
             np.full(len(small), SMALL_TOWN_SHARE / max(len(small), 1))]
        )
        out.append(State(code, names[code], curp, abbreviations, population, missing,
                         (*large, *small), weights / weights.sum(), len(large)))
    return tuple(out)


def population_weights() -> np.ndarray:
    """Return each state's share of the population (for detention logs, prisons)."""
    weights = np.array([s.population for s in states()], dtype=float)
    return weights / weights.sum()


def missing_weights() -> np.ndarray:
    """Return each state's share of the disappeared (for missing-person reports)."""
    weights = np.array([s.missing for s in states()], dtype=float)
    return weights / weights.sum()


def sample_municipalities(state_index: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return one municipality index (into its state's tuple) per state index."""
    out = np.zeros(len(state_index), dtype=np.int32)
    for i, state in enumerate(states()):
        where = np.flatnonzero(state_index == i)
        if len(where):
            out[where] = rng.choice(len(state.municipalities), size=len(where),
                                    p=state.municipality_weights)
    return out
