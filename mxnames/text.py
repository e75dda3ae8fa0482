"""Accent folding and search keys: the one place where text is made comparable.

Every app folds through here (imports' header and catalogue keys, the registry's
stored search keys, the matching core, the public search and the detention lookup),
so that "Núñez" typed in a search box and "NUÑEZ" written by a clerk fold alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# The accented letters Mexican records hold, translated without Unicode tables
# (the fast path); anything else goes through NFKD below.
ACCENT_TABLE = str.maketrans(
    "áéíóúüàèìòùâêîôûäëïöÁÉÍÓÚÜÀÈÌÒÙÂÊÎÔÛÄËÏÖÑ",
    "aeiouuaeiouaeiouaeioaeiouuaeiouaeiouaeioñ",
)
_NON_ALNUM = re.compile(r"[^0-9a-zñ]+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Return ``text`` lower-cased without accents, keeping ``ñ`` distinct.

    Why keep ñ: "Peña" and "Pena" are different surnames; the phonetic key and
    the fuzzy comparisons, not this function, are where they are allowed to meet.
    Compatibility forms (full-width letters, ligatures) fold to their plain letters.

    >>> fold("MARÍA Núñez")
    'maria nuñez'
    """
    if not text:
        return ""
    lowered = text.translate(ACCENT_TABLE).lower()
    if lowered.isascii() or lowered.replace("ñ", "").isascii():
        return lowered
    # Files written on macOS spell "ñ" as n + combining tilde: compose first.
    lowered = unicodedata.normalize("NFC", lowered).translate(ACCENT_TABLE)
    out = []
    for ch in lowered:
        if ch == "ñ" or ch.isascii():
            out.append(ch)
        else:
            decomposed = unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in decomposed if not unicodedata.combining(c)).lower())
    return "".join(out)


def search_key(*parts: str) -> str:
    """Return a space-separated key of the words in ``parts``: folded, no punctuation.

    >>> search_key("José  Ángel", "Núñez-Peña")
    'jose angel nuñez peña'
    """
    words = _NON_ALNUM.sub(" ", fold(" ".join(p for p in parts if p)))
    return " ".join(words.split())
