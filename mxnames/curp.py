"""CURP (Clave Única de Registro de Población): build, validate and parse.

Layout of the 18 characters::

    AAAA      initials: paternal surname letter + its first inner vowel,
              maternal surname letter, given-name letter
    YYMMDD    birth date
    S         sex: H (hombre), M (mujer), X (non-binary, since 2024)
    EE        state of birth (RENAPO code, NE = born abroad)
    CCC       first inner consonant of paternal, maternal, given name
    D         homoclave: digit if born before 2000, letter from 2000 on
    V         check digit over the first 17 characters
"""

from __future__ import annotations

import datetime
import itertools
import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# Why this alphabet: RENAPO's check-digit table includes Ñ between N and O.
_CHECK_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_CHECK_VALUE = {ch: i for i, ch in enumerate(_CHECK_ALPHABET)}
_WEIGHTS = tuple(range(18, 1, -1))

# INEGI state code ("01".."32") -> RENAPO two-letter code used in CURP.
STATE_TO_RENAPO: dict[str, str] = {
    "01": "AS", "02": "BC", "03": "BS", "04": "CC", "05": "CL", "06": "CM",
    "07": "CS", "08": "CH", "09": "DF", "10": "DG", "11": "GT", "12": "GR",
    "13": "HG", "14": "JC", "15": "MC", "16": "MN", "17": "MS", "18": "NT",
    "19": "NL", "20": "OC", "21": "PL", "22": "QT", "23": "QR", "24": "SP",
    "25": "SL", "26": "SR", "27": "TC", "28": "TS", "29": "TL", "30": "VZ",
    "31": "YN", "32": "ZS",
}
RENAPO_TO_STATE: dict[str, str] = {v: k for k, v in STATE_TO_RENAPO.items()}

CURP_PATTERN = re.compile(
    r"^[A-Z][AEIOUX][A-Z]{2}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[HMX]"
    r"(AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE)"
    r"[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$"
)

# RENAPO replaces the second letter of these initials with X.
_INCONVENIENT = frozenset(
    [
        "BACA", "BAKA", "BUEI", "BUEY", "CACA", "CACO", "CAGA", "CAGO", "CAKA", "CAKO", "COGE",
        "COGI", "COJA", "COJE", "COJI", "COJO", "COLA", "CULO", "FALO", "FETO", "GETA", "GUEI",
        "GUEY", "JETA", "JOTO", "KACA", "KACO", "KAGA", "KAGO", "KAKA", "KAKO", "KOGE", "KOGI",
        "KOJA", "KOJE", "KOJI", "KOJO", "KOLA", "KULO", "LILO", "LOCA", "LOCO", "LOKA", "LOKO",
        "MAME", "MAMO", "MEAR", "MEAS", "MEON", "MIAR", "MION", "MOCO", "MOKO", "MULA", "MULO",
        "NACA", "NACO", "PEDA", "PEDO", "PENE", "PIPI", "PITO", "POPO", "PUTA", "PUTO", "QULO",
        "RATA", "ROBA", "ROBE", "ROBO", "RUIN", "SENO", "TETA", "VACA", "VAGA", "VAGO", "VAKA",
        "VUEI", "VUEY", "WUEI", "WUEY",
    ]
)
_SURNAME_PARTICLES = frozenset(
    [
        "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LOS", "LAS", "LE",
        "LES", "MAC", "MC", "VAN", "VON", "Y",
    ]
)
_SKIPPED_FIRST_GIVEN = frozenset({"MARIA", "MA", "MA.", "M", "M.", "JOSE", "J", "J."})
_VOWELS = frozenset("AEIOU")


@dataclass(frozen=True)
class CurpInfo:
    """What a CURP says about its holder."""

    curp: str
    initials: str                     # 4 letters
    birth_date: datetime.date | None  # None if the date part is impossible
    sex: str                          # "H", "M" or "X"
    state_code: str                   # INEGI "01".."32", or "" (abroad)
    consonants: str                   # 3 letters
    homoclave: str
    check_digit_ok: bool


def check_digit(first17: str) -> str:
    """Return the RENAPO check digit for the first 17 characters of a CURP.

    Worked example: each character's value in ``0-9A-NÑO-Z`` times its weight
    (18 down to 2), summed; the digit is ``(10 - sum % 10) % 10``.
    """
    if len(first17) != 17:
        raise ValueError(f"check_digit() needs exactly 17 characters, got {len(first17)}")
    try:
        total = sum(map(operator.mul, map(_CHECK_VALUE.__getitem__, first17.upper()), _WEIGHTS))
    except KeyError as error:
        raise ValueError(f"character {error.args[0]!r} cannot appear in a CURP") from None
    return str((10 - total % 10) % 10)


def clean_curp(text: str) -> str:
    """Return ``text`` upper-cased with spaces, dashes and dots removed."""
    return re.sub(r"[\s.\-]", "", (text or "").upper())


def validate_curp(text: str) -> bool:
    """Return True if ``text`` is a well-formed CURP with the right check digit."""
    curp = clean_curp(text)
    if not CURP_PATTERN.match(curp):
        return False
    if _birth_date(curp) is None:
        return False
    return check_digit(curp[:17]) == curp[17]


def curp_problem(curp: str) -> str | None:
    """Return ``None`` for a valid CURP, else ``"format"`` or ``"check_digit"``.

    An impossible birth date (``…0231…``) is a ``"format"`` problem: the shape is wrong.
    """
    cleaned = clean_curp(curp)
    if not CURP_PATTERN.match(cleaned) or _birth_date(cleaned) is None:
        return "format"
    if check_digit(cleaned[:17]) != cleaned[17]:
        return "check_digit"
    return None


def parse_curp(text: str) -> CurpInfo | None:
    """Return what a CURP says, or None if it does not have the CURP shape.

    A CURP with a wrong check digit still parses (``check_digit_ok`` False):
    a one-character typo should still be usable as evidence.
    """
    curp = clean_curp(text)
    if not CURP_PATTERN.match(curp):
        return None
    state = curp[11:13]
    return CurpInfo(
        curp=curp,
        initials=curp[:4],
        birth_date=_birth_date(curp),
        sex=curp[10],
        state_code=RENAPO_TO_STATE.get(state, ""),
        consonants=curp[13:16],
        homoclave=curp[16],
        check_digit_ok=check_digit(curp[:17]) == curp[17],
    )


# Character -> check-digit value, for the vectorised check below (ASCII only:
# the CURP pattern admits no Ñ).
_CHECK_LOOKUP = np.zeros(256, dtype=np.int64)
for _ch, _value in _CHECK_VALUE.items():
    if _ch.isascii():
        _CHECK_LOOKUP[ord(_ch)] = _value
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def curp_flags(cleaned: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return, per cleaned identity number, (has the CURP shape, check digit and date hold).

    The same answers as ``parse_curp(x) is not None`` and ``check_digit_ok and
    birth_date is not None``, for a whole column at once: parsing each CURP
    costs microseconds, and a registry holds millions.
    """
    n = len(cleaned)
    shaped = np.fromiter(
        (len(x) == 18 and CURP_PATTERN.match(x) is not None for x in cleaned), dtype=bool, count=n
    )
    valid = np.zeros(n, dtype=bool)
    rows = np.nonzero(shaped)[0]
    if rows.size:
        text = "".join([cleaned[i] for i in rows.tolist()]).encode("ascii")
        chars = np.frombuffer(text, dtype=np.uint8).reshape(-1, 18).astype(np.int64)
        total = _CHECK_LOOKUP[chars[:, :17]] @ np.arange(18, 1, -1, dtype=np.int64)
        digits = chars - ord("0")
        check_ok = (10 - total % 10) % 10 == digits[:, 17]
        year = np.where(digits[:, 16] <= 9, 1900, 2000) + digits[:, 4] * 10 + digits[:, 5]
        month = digits[:, 6] * 10 + digits[:, 7]
        day = digits[:, 8] * 10 + digits[:, 9]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        days = _DAYS_IN_MONTH[month] + (leap & (month == 2))
        valid[rows] = check_ok & (day <= days)
    return shaped, valid


def _birth_date(curp: str) -> datetime.date | None:
    # The homoclave's kind tells the century: digit 1900s, letter 2000s.
    century = 1900 if curp[16].isdigit() else 2000
    try:
        return datetime.date(century + int(curp[4:6]), int(curp[6:8]), int(curp[8:10]))
    except ValueError:
        return None


def _curp_letters(text: str) -> str:
    upper = (text or "").upper().replace("Ñ", "X")
    decomposed = unicodedata.normalize("NFD", upper)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return re.sub(r"[^A-Z ]", " ", stripped)


@lru_cache(maxsize=65536)
def _surname_word(surname: str) -> str:
    words = [w for w in _curp_letters(surname).split() if w not in _SURNAME_PARTICLES]
    return words[0] if words else ""


@lru_cache(maxsize=65536)
def _given_word(given_names: str) -> str:
    words = _curp_letters(given_names.replace(".", ". ")).split()
    raw = (given_names or "").upper().split()
    leading = {words[0], raw[0]} if words and raw else set()
    skipped = bool(leading & _SKIPPED_FIRST_GIVEN)
    if len(words) > 1 and skipped:
        words = words[1:]
    words = [w for w in words if w not in _SURNAME_PARTICLES] or words
    return words[0] if words else ""


def _inner(word: str, vowel: bool) -> str:
    for ch in word[1:]:
        if (ch in _VOWELS) == vowel:
            return ch
    return "X"


def curp_surname_word(surname: str) -> str:
    """Return the word of a surname a CURP uses (particles skipped, Ñ as X)."""
    return _surname_word(surname)


def curp_given_word(given_names: str) -> str:
    """Return the given name a CURP uses (the second of "María X" / "José X")."""
    return _given_word(given_names)


def curp_initials_from_words(paternal: str, maternal: str, given: str) -> str:
    """Return the four CURP initials from the words ``curp_*_word`` returned."""
    if not paternal:
        paternal, maternal = maternal, ""
    initials = (
        (paternal[:1] or "X")
        + (_inner(paternal, True) if paternal else "X")
        + (maternal[:1] or "X")
        + (given[:1] or "X")
    )
    if initials in _INCONVENIENT:
        initials = initials[0] + "X" + initials[2:]
    return initials


def curp_initials_column(
    surname_words: list[str],
    paternal: np.ndarray,
    maternal: np.ndarray,
    given_words: list[str],
    given: np.ndarray,
) -> np.ndarray:
    """Return :func:`curp_initials_from_words` for a whole column of records.

    ``paternal``, ``maternal`` and ``given`` are each record's index into the
    distinct ``surname_words`` / ``given_words``; the letters are taken once
    per distinct word and joined per record (no call per record).
    """
    letter = np.array([(w[:1] or "X") for w in surname_words] or [""], dtype=object)
    head = np.array(
        [(w[:1] or "X") + (_inner(w, True) if w else "X") for w in surname_words] or [""],
        dtype=object,
    )
    given_letter = np.array([(w[:1] or "X") for w in given_words] or [""], dtype=object)
    has_paternal = np.array([bool(w) for w in surname_words] or [False])[paternal]
    initials = np.where(has_paternal, head[paternal] + letter[maternal], head[maternal] + "X")
    initials = initials + given_letter[given]
    distinct: dict[str, int] = {}
    codes = np.fromiter(
        map(distinct.setdefault, initials.tolist(), itertools.count()), dtype=np.int64
    )
    fixed = np.array(
        [x[0] + "X" + x[2:] if x in _INCONVENIENT else x for x in distinct], dtype=object
    )
    position = np.zeros(len(initials), dtype=np.int64)  # first sightings -> dense codes
    position[list(distinct.values())] = np.arange(len(distinct))
    return fixed[position[codes]]


def curp_stem(
    *, given_names: str, paternal_surname: str, maternal_surname: str
) -> tuple[str, str]:
    """Return the (4 initials, 3 consonants) a CURP would carry for these names."""
    paternal = _surname_word(paternal_surname)
    maternal = _surname_word(maternal_surname)
    given = _given_word(given_names)
    if not paternal:
        paternal, maternal = maternal, ""
    initials = curp_initials_from_words(paternal, maternal, given)
    consonants = "".join(
        _inner(word, False) if word else "X" for word in (paternal, maternal, given)
    )
    return initials, consonants


def build_curp(
    *,
    given_names: str,
    paternal_surname: str,
    maternal_surname: str,
    birth_date: datetime.date,
    sex: str,
    state_code: str,
    homoclave_seed: int = 0,
) -> str:
    """Return a CURP, with a correct check digit, for the given identity.

    ``homoclave_seed`` picks the homoclave (RENAPO assigns it to tell apart
    homonyms); it is a digit before 2000 and a letter from 2000 on.
    """
    if sex not in ("H", "M", "X"):
        raise ValueError(f"build_curp(sex=...) must be 'H', 'M' or 'X', got {sex!r}")
    initials, consonants = curp_stem(
        given_names=given_names,
        paternal_surname=paternal_surname,
        maternal_surname=maternal_surname,
    )
    state = STATE_TO_RENAPO.get(state_code, "NE")
    if birth_date.year < 2000:
        homoclave = str(homoclave_seed % 10)
    else:
        homoclave = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[homoclave_seed % 26]
    first17 = f"{initials}{birth_date:%y%m%d}{sex}{state}{consonants}{homoclave}"
    return first17 + check_digit(first17)


# The INE voter key (clave de elector) printed on the voting credential: six
# letters from the names, the birth date as YYMMDD, the state's number, H/M
# and three digits.  Registries write it in the same box as a CURP.
VOTER_KEY_PATTERN = re.compile(
    r"^[A-Z]{6}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(0[1-9]|[1-2]\d|3[0-3])[HM]\d{3}$"
)


def voter_key_birth_and_sex(cleaned: str, reference_year: int) -> tuple[int, str] | None:
    """Return (birth date as yyyymmdd, 'H'/'M') read from a voter key, or None.

    The key holds two digits of the year: the 2000s unless that would be
    after ``reference_year`` (the record's event year, else this year).

    >>> voter_key_birth_and_sex("GOMRJS85031214H500", 2020)
    (19850312, 'H')
    """
    if len(cleaned) != 18 or VOTER_KEY_PATTERN.match(cleaned) is None:
        return None
    two = int(cleaned[6:8])
    year = 2000 + two if 2000 + two <= reference_year else 1900 + two
    month, day = int(cleaned[8:10]), int(cleaned[10:12])
    try:
        datetime.date(year, month, day)
    except ValueError:
        return None
    return year * 10000 + month * 100 + day, cleaned[14]
