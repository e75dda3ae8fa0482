"""Sex as Mexican files write it, and which convention a file's column follows.

Agencies write sex as H/M (hombre/mujer, the CURP's convention), as M/F
(masculino/femenino), as words (hombre, mujer, masculino, femenino, male,
female...) or as numbers (1 hombre, 2 mujer, INEGI's convention). Only the
letter M means two things: *mujer* under H/M, *masculino* under M/F. A column
says which it follows when it also holds H (then H/M) or F (then M/F); when it
holds M and neither, or both, nothing in it says what M means, and a reader
must be told instead of guessing (in an M/F file read as H/M every person
becomes a woman).

Codes returned: ``"H"`` (hombre), ``"M"`` (mujer), ``"X"`` (no binario, in the
CURP since 2024), ``""`` (written as unknown), ``None`` (not a sex at all).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mxnames.text import search_key

HOMBRE, MUJER, NO_BINARIO, UNKNOWN = "H", "M", "X", ""

# The two conventions for the letter M (CLI ``--sex-codes``, imports' batch option).
HM = "HM"  # H hombre, M mujer (CURP, RENAPO)
MF = "MF"  # M masculino, F femenino
CONVENTIONS = (HM, MF)

# Words and codes whose meaning does not depend on the convention (search-key form).
_UNAMBIGUOUS: dict[str, str] = {
    "h": HOMBRE, "hombre": HOMBRE, "masculino": HOMBRE, "masc": HOMBRE, "varon": HOMBRE,
    "male": HOMBRE, "man": HOMBRE, "1": HOMBRE,
    "f": MUJER, "mujer": MUJER, "femenino": MUJER, "fem": MUJER, "female": MUJER,
    "woman": MUJER, "2": MUJER,
    "x": NO_BINARIO, "no binario": NO_BINARIO, "otro": NO_BINARIO, "other": NO_BINARIO,
    "no especificado": UNKNOWN, "se ignora": UNKNOWN, "sin dato": UNKNOWN,
    "desconocido": UNKNOWN, "na": UNKNOWN, "n a": UNKNOWN, "nd": UNKNOWN,
}
_LETTER_M = {HM: MUJER, MF: HOMBRE}


def read_sex(text: str | None, convention: str | None = HM) -> str | None:
    """Return the sex code of one written value under ``convention``.

    ``convention`` None: the letter M is ambiguous and returns None, like a
    value that is no sex at all.

    >>> read_sex("M"), read_sex("M", MF), read_sex("Femenino", MF), read_sex("2")
    ('M', 'H', 'M', 'M')
    """
    if not (text or "").strip():
        return UNKNOWN
    key = search_key(text)
    if key == "m":
        return _LETTER_M.get(convention) if convention else None
    return _UNAMBIGUOUS.get(key)


@dataclass(frozen=True)
class SexCodes:
    """What a column's values say about the letter M.

    ``convention``: HM or MF when the letters settle it, else None (also when
    no M needs one). ``ambiguous``: an M that nothing settles; ``reason`` says
    why: "only_m" (no H nor F beside it) or "mixed" (both H and F).
    ``letters``: the single letters seen (``h``, ``m``, ``f``).
    """

    convention: str | None
    ambiguous: bool = False
    reason: str = ""
    letters: frozenset[str] = frozenset()

    def merge(self, values: Iterable[str | None]) -> SexCodes:
        """Return what the column says once ``values`` are read too (a file read in chunks)."""
        return sex_codes_of_letters(self.letters | _letters(values))


def detect_sex_codes(values: Iterable[str | None]) -> SexCodes:
    """Return the convention a column's values follow (see :class:`SexCodes`).

    >>> detect_sex_codes(["H", "M", "M"]).convention, detect_sex_codes(["m", "F"]).convention
    ('HM', 'MF')
    >>> detect_sex_codes(["M", "M", ""]).reason
    'only_m'
    """
    return sex_codes_of_letters(_letters(values))


def _letters(values: Iterable[str | None]) -> frozenset[str]:
    return frozenset(
        key for key in map(search_key, (v or "" for v in values)) if key in ("h", "m", "f")
    )


def sex_codes_of_letters(letters: frozenset[str]) -> SexCodes:
    """Return the convention the single letters ``h``, ``m``, ``f`` of a column imply."""
    has_h, has_m, has_f = "h" in letters, "m" in letters, "f" in letters
    if has_m and has_h and has_f:
        return SexCodes(None, True, "mixed", letters)
    if has_m and not (has_h or has_f):
        return SexCodes(None, True, "only_m", letters)
    if has_m:
        return SexCodes(HM if has_h else MF, letters=letters)
    return SexCodes(None, letters=letters)  # no M: nothing depends on a convention
