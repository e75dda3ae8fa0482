"""CURP and voter-key construction, written from the published rules.

Written here, not imported from the project's ``mxnames.curp``, so that the
evaluation data does not share a single line with the linker it evaluates.

CURP (RENAPO, *Instructivo normativo para la asignación de la Clave Única de
Registro de Población*, 18 characters):

1. first letter and first inner vowel of the paternal surname;
2. first letter of the maternal surname (``X`` if there is none);
3. first letter of the given name, the second given name when the first is
   María or José (or their abbreviations) and there is a second;
4. if these four letters spell one of the listed rude words, the second becomes ``X``;
5. birth date ``YYMMDD``; sex ``H`` (hombre) or ``M`` (mujer); the two-letter
   state of birth (``NE`` born abroad);
6. first inner consonant of the paternal surname, the maternal surname and the
   given name (``X`` if none);
7. a homoclave assigned by RENAPO: a digit for people born before 2000, a letter after;
8. a check digit: 10 minus the weighted sum (weights 18 … 2 over the alphabet
   ``0-9 A-N Ñ O-Z``) modulo 10, modulo 10.

Particles of compound names (DE, DEL, LA, LOS, MC, VAN, Y …) are skipped, accents
dropped, and Ñ written X in the letters taken from names.
"""

from __future__ import annotations

import unicodedata
from datetime import date

_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_VOWELS = set("AEIOU")
_PARTICLES = {"DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LOS", "LAS",
              "LE", "LES", "MAC", "MC", "VAN", "VON", "Y"}
_MARIA_JOSE = {"MARIA", "MA.", "MA", "M.", "M", "JOSE", "J.", "J"}
# The instructivo's list of inconvenient words (Anexo 2), as usually reproduced.
_RUDE = frozenset({
    "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE",
    "COGI", "COJA", "COJE", "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI",
    "GUEY", "JETA", "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI",
    "KOJA", "KOJE", "KOJI", "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO",
    "MAME", "MAMO", "MEAR", "MEAS", "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO",
    "NACA", "NACO", "PEDA", "PEDO", "PENE", "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO",
    "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO", "TETA", "VACA", "VAGA", "VAGO", "VAKA",
    "VUEI", "VUEY", "WUEI", "WUEY"
})


def _fold(text: str) -> str:
    upper = text.upper().replace("Ñ", "\x00")
    plain = "".join(c for c in unicodedata.normalize("NFD", upper) if not unicodedata.combining(c))
    return plain.replace("\x00", "X")  # Ñ is written X in the letters taken from names


def _words(text: str) -> list[str]:
    words = [w for w in _fold(text).replace("-", " ").split() if w]
    kept = [w for w in words if w not in _PARTICLES]
    return kept or words


def _main_word(text: str) -> str:
    words = _words(text)
    return "".join(c if "A" <= c <= "Z" else "X" for c in words[0]) if words else ""


def _given_word(given_names: str) -> str:
    words = _fold(given_names).split()
    if len(words) > 1 and words[0] in _MARIA_JOSE:
        words = words[1:]
    return _main_word(" ".join(words))


def _inner(word: str, vowels: bool) -> str:
    for c in word[1:]:
        if (c in _VOWELS) == vowels:
            return c
    return "X"


def check_digit(first17: str) -> str:
    """Return the CURP's 18th character for its first 17."""
    total = sum(_VALUE[c] * (18 - i) for i, c in enumerate(first17))
    return str((10 - total % 10) % 10)


def build_curp(
    *, given_names: str, paternal: str, maternal: str, birth: date, sex: str, state: str,
    homoclave: int,
) -> str:
    """Return the CURP of a person (``sex`` is ``H`` or ``M``, ``state`` its two letters)."""
    pat, mat, giv = _main_word(paternal), _main_word(maternal), _given_word(given_names)
    head = (pat[:1] or "X") + (_inner(pat, True) if pat else "X") + (mat[:1] or "X") + (
        giv[:1] or "X")
    if head in _RUDE:
        head = head[0] + "X" + head[2:]
    consonants = "".join(_inner(w, False) if w else "X" for w in (pat, mat, giv))
    century = str(homoclave % 10) if birth.year < 2000 else _ALPHABET[10 + homoclave % 26]
    first17 = f"{head}{birth:%y%m%d}{sex}{state}{consonants}{century}"
    return first17 + check_digit(first17)


def build_voter_key(
    *, given_names: str, paternal: str, maternal: str, birth: date, sex: str, state_code: str,
    serial: int,
) -> str:
    """Return an INE voter key (clave de elector) in its published layout.

    Six letters (the first consonant and vowel-led pair of each name, as the
    INE describes it, approximated here as first letter + first inner
    consonant), birth date YYMMDD, the two-digit INEGI state code, H/M and a
    three-digit serial: 18 characters, as printed on the credential.
    """
    letters = ""
    for word in (_main_word(paternal), _main_word(maternal), _given_word(given_names)):
        letters += (word[:1] or "X") + (_inner(word, False) if word else "X")
    return f"{letters}{birth:%y%m%d}{state_code}{sex}{serial % 1000:03d}"
