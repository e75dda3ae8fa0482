"""A Spanish phonetic key for names, tuned to Mexican spelling confusions.

Equal keys mean "sounds the same when read aloud in Mexican Spanish":
b/v, s/z/soft c, ll/y, silent h, x/j, qu/k, gu/g, ñ/n, doubled letters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mxnames.text import fold

# Order matters: digraphs before the single letters they contain.
_RULES: tuple[tuple[str, str], ...] = (
    (r"[^a-zñ ]", ""),
    (r"ch", "C"),  # protect "ch" from the silent-h rule
    (r"ll", "y"),
    (r"qu", "k"),
    (r"gu(?=[ei])", "G"),  # "gue", "gui": hard g, u silent
    (r"gü", "Gu"),
    (r"g(?=[ei])", "j"),  # soft g sounds like j
    (r"G", "g"),
    (r"c(?=[ei])", "s"),
    (r"c", "k"),
    (r"z", "s"),
    (r"v", "b"),
    (r"w", "u"),
    (r"h", ""),
    (r"x", "j"),  # México, Ximénez; Náhuatl "sh" is rarer in records
    (r"ñ", "n"),
    (r"y(?=[^aeiou]|$| )", "i"),  # final or pre-consonant y is a vowel
    (r"ü", "u"),
    (r"C", "ch"),
)
_COMPILED = tuple((re.compile(pattern), repl) for pattern, repl in _RULES)
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def phonetic_key(text: str) -> str:
    """Return the phonetic key of a name (any case, accents allowed).

    >>> phonetic_key("Hernández") == phonetic_key("ERNANDEZ")
    True
    >>> phonetic_key("Yáñez") == phonetic_key("Llanes")
    True
    """
    key = fold(text)
    for pattern, repl in _COMPILED:
        key = pattern.sub(repl, key)
    key = _DOUBLE.sub(r"\1", key)
    return " ".join(key.split())
