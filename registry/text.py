"""Small text helpers shared by the registry's apps (accent folding for keys)."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-zñ]+")


def fold_accents(text: str) -> str:
    """Return ``text`` lower-cased without accents, keeping ñ (it is a different letter)."""
    lowered = text.lower().replace("ñ", "\x00")
    decomposed = unicodedata.normalize("NFKD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("\x00", "ñ")


def search_key(*parts: str) -> str:
    """Return a space-separated key of the words in ``parts``: folded, no punctuation."""
    words = _NON_ALNUM.sub(" ", fold_accents(" ".join(p for p in parts if p)))
    return " ".join(words.split())
