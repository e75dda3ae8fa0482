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


def loose_key(*parts: str) -> str:
    """Return ``search_key`` with ñ read as n: the key of what a keyboard without ñ types.

    Only for comparisons that forgive on purpose (the detention lookup): "Nuñez" and
    "Nunez" share a loose key, while ``search_key`` keeps them apart.

    >>> loose_key("José Ángel", "Núñez Peña")
    'jose angel nunez pena'
    """
    return search_key(*parts).replace("ñ", "n")


def one_edit_apart(left: str, right: str) -> bool:
    """Return True if one insertion, deletion, substitution or swap of neighbours turns
    ``left`` into ``right`` (equal words are not one edit apart).

    >>> one_edit_apart("fracisco", "francisco"), one_edit_apart("gomez", "gomes")
    (True, True)
    >>> one_edit_apart("ramos", "ramon"), one_edit_apart("uc", "ux"), one_edit_apart("ana", "ana")
    (True, True, False)
    """
    if left == right or abs(len(left) - len(right)) > 1:
        return False
    if len(left) == len(right):
        diffs = [i for i, (a, b) in enumerate(zip(left, right, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, *rest = diffs
        return (len(diffs) == 2 and rest[0] == first + 1
                and left[first] == right[first + 1] and left[first + 1] == right[first])
    shorter, longer = sorted((left, right), key=len)
    for index, (a, b) in enumerate(zip(shorter, longer, strict=False)):
        if a != b:
            return shorter[index:] == longer[index + 1:]
    return True
