"""Mexico's 32 states: INEGI codes, names, and the abbreviations agency files write.

"JAL", "Jal.", "Jalisco" and "14" are one state; a police log writing "EDO. MÉX."
and a prosecutor writing "Estado de México" agree. The registry's catalogue
(``registry.catalogue``, which also holds the municipalities) resolves states
through this table; the matching core reads raw files with it.
"""

from __future__ import annotations

from functools import cache

from mxnames.text import search_key

# INEGI code -> (name as INEGI writes it, official long names and abbreviations).
STATES: dict[str, tuple[str, ...]] = {
    "01": ("Aguascalientes", "AGS", "Ags."),
    "02": ("Baja California", "BC", "B.C.", "BCN"),
    "03": ("Baja California Sur", "BCS", "B.C.S."),
    "04": ("Campeche", "CAMP", "Camp."),
    "05": ("Coahuila", "Coahuila de Zaragoza", "COAH", "Coah."),
    "06": ("Colima", "COL", "Col."),
    "07": ("Chiapas", "CHIS", "Chis."),
    "08": ("Chihuahua", "CHIH", "Chih."),
    "09": ("Ciudad de México", "CDMX", "Distrito Federal", "DF", "D.F."),
    "10": ("Durango", "DGO", "Dgo."),
    "11": ("Guanajuato", "GTO", "Gto."),
    "12": ("Guerrero", "GRO", "Gro."),
    "13": ("Hidalgo", "HGO", "Hgo."),
    "14": ("Jalisco", "JAL", "Jal."),
    "15": ("Estado de México", "México", "Edomex", "Edo. Méx.", "MEX", "Méx."),
    "16": ("Michoacán", "Michoacán de Ocampo", "MICH", "Mich."),
    "17": ("Morelos", "MOR", "Mor."),
    "18": ("Nayarit", "NAY", "Nay."),
    "19": ("Nuevo León", "NL", "N.L.", "NLE"),
    "20": ("Oaxaca", "OAX", "Oax."),
    "21": ("Puebla", "PUE", "Pue."),
    "22": ("Querétaro", "Querétaro de Arteaga", "QRO", "Qro."),
    "23": ("Quintana Roo", "Q. Roo", "QROO", "Q.R."),
    "24": ("San Luis Potosí", "SLP", "S.L.P."),
    "25": ("Sinaloa", "SIN", "Sin."),
    "26": ("Sonora", "SON", "Son."),
    "27": ("Tabasco", "TAB", "Tab."),
    "28": ("Tamaulipas", "TAMPS", "Tamps."),
    "29": ("Tlaxcala", "TLAX", "Tlax."),
    "30": ("Veracruz", "Veracruz de Ignacio de la Llave", "VER", "Ver."),
    "31": ("Yucatán", "YUC", "Yuc."),
    "32": ("Zacatecas", "ZAC", "Zac."),
}


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, names in STATES.items():
        index[code] = code
        index[str(int(code))] = code
        for name in names:
            index[search_key(name)] = code
    return index


def resolve_state(text: str) -> str | None:
    """Return the two-digit INEGI code of a state's name, abbreviation or number, else None.

    >>> resolve_state("EDO. MÉX."), resolve_state("Nuevo León"), resolve_state("9")
    ('15', '19', '09')
    """
    index = _index()
    return index.get(search_key(text)) or index.get(text.strip())
