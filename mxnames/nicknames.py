"""Data tables: Mexican nicknames, given-name abbreviations and name particles.

The one nickname table of the registry: the matching engine, the public search and
the detention lookup all read it. Keys and values of the lookup tables are written
*folded* (lower case, no accents, ``ñ`` kept), the form :func:`mxnames.text.fold`
produces; the demo generator reads the display forms in ``NICKNAMES_DISPLAY``.
"""

from __future__ import annotations

from mxnames.text import fold

# Display form: canonical given name -> nicknames used for it in records.
# Why a separate display table: the generator needs accents and capitals,
# the normaliser needs the folded form.
NICKNAMES_DISPLAY: dict[str, tuple[str, ...]] = {
    "José": ("Pepe", "Chepe", "Pepito"),
    "Guadalupe": ("Lupe", "Lupita", "Pita"),
    "Jesús": ("Chuy", "Chucho", "Chuyito"),
    "Francisco": ("Paco", "Pancho", "Frank", "Quico"),
    "Ignacio": ("Nacho",),
    "Guillermo": ("Memo", "Meme"),
    "Eduardo": ("Lalo",),
    "Antonio": ("Toño", "Tono", "Tony"),  # "Tono": Toño typed without ñ
    "Concepción": ("Conchita", "Concha", "Chona"),
    "Alfonso": ("Poncho",),
    "Enrique": ("Quique", "Kike"),
    "Alberto": ("Beto",),
    "Roberto": ("Beto",),
    "Humberto": ("Beto",),
    "Gilberto": ("Beto",),
    "Rigoberto": ("Rigo",),
    "Manuel": ("Manolo", "Meño", "Meme"),
    "Refugio": ("Cuca", "Cuco"),
    "Rosario": ("Chayo", "Charo"),
    "Socorro": ("Coco",),
    "Dolores": ("Lola", "Lolita"),
    "Mercedes": ("Meche",),
    "Consuelo": ("Chelo",),
    "Graciela": ("Chela",),
    "Soledad": ("Chole",),
    "Asunción": ("Chona",),
    "Cecilia": ("Ceci", "Chila"),
    "Isabel": ("Chabela", "Isa"),
    "Teresa": ("Tere",),
    "Alejandro": ("Alex", "Jando"),
    "Alejandra": ("Ale",),
    "Fernando": ("Nando", "Fer"),
    "Fernanda": ("Fer",),
    "Gerardo": ("Lalo", "Jerry"),
    "Salvador": ("Chava",),
    "Santiago": ("Chago", "Santi"),
    "Rosa": ("Rosita", "Chata", "Rosy"),
    "Margarita": ("Mago", "Magos"),
    "Josefina": ("Chepina", "Pina"),
    "Ramón": ("Moncho",),
    "Luis": ("Güicho", "Wicho", "Luisito"),
    "Miguel": ("Mike", "Migue"),
    "Jorge": ("Coque",),
    "Javier": ("Javi",),
    "Daniel": ("Dani",),
    "Rafael": ("Rafa",),
    "Ricardo": ("Richi",),
    "Gustavo": ("Tavo",),
    "Octavio": ("Tavo",),
    "Carlos": ("Charly",),
    "Patricia": ("Paty", "Pati"),
    "Beatriz": ("Betty",),
    "Leticia": ("Lety",),
    "Verónica": ("Vero",),
    "Elizabeth": ("Liz", "Chabela"),
    "Natividad": ("Naty",),
    "Anastasio": ("Tacho",),
    "Eusebio": ("Chebo",),
    "Federico": ("Fede",),
    "Bartolomé": ("Bartolo",),
    "Cuauhtémoc": ("Temo",),
    "Gregorio": ("Goyo",),
    "Ezequiel": ("Chequel",),
    "Heriberto": ("Beto",),
    "Martha": ("Marta",),
    "Juan": ("Juanito",),
    "Victoria": ("Vicky",),
    "José María": ("Chema",),
}

# Aliases ("alias") a record may carry; unrelated to the given name.
ALIASES_DISPLAY: tuple[str, ...] = (
    "El Güero",
    "El Flaco",
    "El Chino",
    "El Negro",
    "El Gordo",
    "El Chaparro",
    "La Güera",
    "La Flaca",
    "El Mudo",
    "El Pelón",
    "El Tuerto",
    "El Compa",
    "El Cholo",
    "El Pollo",
    "El Gallo",
    "El Charro",
    "El Moreno",
    "La Chata",
)

# Abbreviations of given names as clerks write them (folded form).
ABBREVIATIONS: dict[str, str] = {
    "ma": "maria",
    "ma.": "maria",
    "mria": "maria",
    "j": "jose",
    "j.": "jose",
    "jo": "jose",
    "fco": "francisco",
    "fco.": "francisco",
    "gpe": "guadalupe",
    "gpe.": "guadalupe",
    "ant": "antonio",
    "jn": "juan",
    "jsus": "jesus",
    "ma.de": "maria de",
    "ml": "manuel",
    "mgl": "miguel",
    "jj": "juan jose",
}


def _build_nickname_map() -> dict[str, str]:
    """Return nickname (folded) -> canonical given name (folded).

    A nickname shared by several names (Beto: Alberto, Roberto …) maps to the
    first one listed; the comparison treats any nickname hit as a weaker level
    than an exact name, so the ambiguity costs little.
    """
    mapping: dict[str, str] = {}
    for canonical, nicknames in NICKNAMES_DISPLAY.items():
        for nickname in nicknames:
            mapping.setdefault(fold(nickname), fold(canonical))
    return mapping


NICKNAMES: dict[str, str] = _build_nickname_map()

# Every canonical name that a nickname may stand for, for the comparison.
NICKNAME_CANDIDATES: dict[str, frozenset[str]] = {}
for _canonical, _nicks in NICKNAMES_DISPLAY.items():
    for _nick in _nicks:
        _key = fold(_nick)
        NICKNAME_CANDIDATES[_key] = NICKNAME_CANDIDATES.get(_key, frozenset()) | {
            fold(_canonical)
        }



def names_sharing_a_nickname(name: str) -> frozenset[str]:
    """Return the canonical given names (folded) that share a nickname with ``name``.

    "alberto" -> {"alberto", "roberto", "humberto", ...}: all are "Beto", so a
    record that wrote "Beto" (read as the first of them) may mean any.
    """
    return _SHARING.get(name, frozenset({name}))


_SHARING: dict[str, frozenset[str]] = {}
for _names in NICKNAME_CANDIDATES.values():
    for _name in _names:
        _SHARING[_name] = _SHARING.get(_name, frozenset({_name})) | _names

# Particles that join compound names and surnames, and the "Jr." a son's record may
# carry after either; dropped from keys.
PARTICLES: frozenset[str] = frozenset(
    {"de", "del", "la", "las", "los", "y", "e", "da", "di", "van", "von", "mc", "mac",
     "jr", "junior"}
)
