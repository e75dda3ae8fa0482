"""Name keys: normalised, nickname-resolved and forgiving keys of Mexican names.

Pure and cheap; results are cached because names repeat a great deal (a few
surnames cover a third of Mexico).
"""

from __future__ import annotations

import re
from functools import lru_cache

from mxnames.nicknames import ABBREVIATIONS, NICKNAMES, PARTICLES
from mxnames.phonetic import phonetic_key
from mxnames.text import fold

_NON_LETTER = re.compile(r"[^a-zñ. ]+")
# First given names that a compound name often leads with, carrying little
# information on their own ("María" Guadalupe, "José" Luis).
LEADING_GIVEN = frozenset({"maria", "jose", "juan", "ma", "j"})


def _tokens(text: str) -> list[str]:
    # Keep dots only long enough to recognise abbreviations such as "Ma.".
    cleaned = _NON_LETTER.sub(" ", fold(text).replace("-", " ").replace(",", " "))
    return cleaned.replace(".", ". ").split()


@lru_cache(maxsize=200_000)
def normalize_name(text: str) -> str:
    """Return a name lower-cased, accent-free (ñ kept), without punctuation or particles.

    Abbreviations are expanded (``Ma.`` → ``maria``) but nicknames are kept:
    use :func:`canonical_given_names` for given names.

    >>> normalize_name("  MA. de los Ángeles ")
    'maria angeles'
    """
    words = []
    for token in _tokens(text):
        token = ABBREVIATIONS.get(token, token).rstrip(".")
        if token and token not in PARTICLES:
            words.append(token)
    return " ".join(words)


@lru_cache(maxsize=200_000)
def canonical_given_names(text: str) -> str:
    """Return given names normalised with nicknames replaced by the full name.

    >>> canonical_given_names("Pepe")
    'jose'
    >>> canonical_given_names("Ma. Lupita")
    'maria guadalupe'
    """
    return " ".join(NICKNAMES.get(word, word) for word in normalize_name(text).split())


@lru_cache(maxsize=200_000)
def significant_given_name(text: str) -> str:
    """Return the given name that identifies: the second of "María X" / "José X".

    This mirrors the CURP rule and is the key used for blocking on given names.

    >>> significant_given_name("María de los Ángeles")
    'angeles'
    """
    words = canonical_given_names(text).split()
    if len(words) > 1 and words[0] in LEADING_GIVEN:
        return words[1]
    return words[0] if words else ""


def name_key(text: str) -> str:
    """Return a forgiving search key for any name: nicknames expanded, then phonetic.

    "Pepe Ernandes" and "José Hernández" share a key, so a search box can
    match what a relative types against what a clerk wrote.

    >>> name_key("Pepe Ernandes") == name_key("José Hernández")
    True
    """
    return phonetic_key(canonical_given_names(text))
