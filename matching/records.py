"""Prepared records: the normalised, columnar form every later step reads.

A :class:`RecordTable` stores one numpy column per feature.  String features
are stored twice: as an object array of normalised strings (for rapidfuzz)
and as integer ids into a :class:`Vocabulary` shared by every table of a
linkage run, so exact equality and blocking keys are integer comparisons.
Id 0 always means "missing".
"""

from __future__ import annotations

import datetime
import itertools
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from matching.normalize import (
    date_to_int,
    normalize_address,
    normalize_addresses,
    normalize_municipality,
    normalize_sex,
    normalize_state,
    parse_date,
    parse_date_int,
)
from mxnames.curp import (
    VOTER_KEY_PATTERN,
    clean_curp,
    curp_flags,
    curp_given_word,
    curp_initials_column,
    curp_initials_from_words,
    curp_surname_word,
    parse_curp,
    voter_key_birth_and_sex,
)
from mxnames.names import canonical_given_names, normalize_name, significant_given_name
from mxnames.nicknames import PARTICLES
from mxnames.phonetic import phonetic_key
from mxnames.text import fold

# The CSV / input schema.  Any field may be empty or absent.
INPUT_FIELDS: tuple[str, ...] = (
    "record_id",
    "given_names",
    "paternal_surname",
    "maternal_surname",
    "sex",
    "birth_date",
    "id_number",
    "state",
    "municipality",
    "address",
    "event_date",
)
OPTIONAL_INPUT_FIELDS: tuple[str, ...] = ("aliases", "age")

# Prepared string feature -> vocabulary it shares ids with.  Paternal and
# maternal surnames share one so "swapped surnames" is an id comparison.
STRING_FEATURES: dict[str, str] = {
    # Given names and surnames share one vocabulary so that a name written in
    # the wrong field ("given crossed with paternal") is an id comparison.
    "given": "name",
    "given_sig": "name",
    "given_ph": "name_ph",
    "given_sig_ph": "name_ph",
    "paternal": "name",
    "maternal": "name",
    "paternal_ph": "name_ph",
    "maternal_ph": "name_ph",
    "id_number": "id_number",
    "id_head": "id_part",
    "id_tail": "id_part",
    "sig10": "sig10",
    "curp_sig10": "sig10",
    "fields_sig10": "sig10",
    "state": "state",
    "municipality": "municipality",
    "address": "address",
    "address_key": "address_key",
    "address_street": "address_key",
    "initials": "initials",
    "initials2": "initials",
}
INT_FEATURES: tuple[str, ...] = (
    "sex",
    "birth",
    "birth_year",
    "birth_md",
    "birth_precise",  # a full birth date, not 1 January (often a year alone)
    "event",
    "has_curp",
    "curp_valid",
    "address_number",
)
SEX_CODE = {"": 0, "H": 1, "M": 2}
ID_KIND = {"": 0, "curp": 1, "voter_key": 2, "other": 3}


def char_signatures(strings: list[str]) -> np.ndarray:
    """Return one uint64 per string with bit ``ord(c) % 64`` set for each character ``c``."""
    lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
    signatures = np.zeros(len(strings), dtype=np.uint64)
    nonempty = np.nonzero(lengths)[0]
    if nonempty.size:
        text = "".join(strings).encode("utf-32-le", "surrogatepass")
        codes = np.frombuffer(text, dtype=np.uint32).astype(np.uint64)
        bits = np.left_shift(np.uint64(1), codes & np.uint64(63))
        starts = (np.cumsum(lengths) - lengths)[nonempty]
        signatures[nonempty] = np.bitwise_or.reduceat(bits, starts)
    return signatures


class Vocabulary:
    """Map strings to dense integer ids; ``""`` is always id 0."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {"": 0}
        self.strings: list[str] = [""]
        self._array: np.ndarray | None = None
        self._signatures: np.ndarray | None = None

    def as_array(self) -> np.ndarray:
        """Return the strings as an object array (cached until the vocabulary grows)."""
        if self._array is None or len(self._array) != len(self.strings):
            self._array = np.array(self.strings, dtype=object)
        return self._array

    def signatures(self) -> np.ndarray:
        """Return, per id, a 64-bit set of the string's characters (code point mod 64).

        Two strings whose sets differ in more than 2k bits are more than k
        edits apart: a cheap test before an edit distance.
        """
        done = 0 if self._signatures is None else len(self._signatures)
        if done < len(self.strings):
            extra = char_signatures(self.strings[done:])
            self._signatures = (
                extra if self._signatures is None else np.concatenate([self._signatures, extra])
            )
        return self._signatures

    def id(self, value: str) -> int:
        """Return the id of ``value``, adding it if new."""
        found = self._ids.get(value)
        if found is None:
            found = len(self.strings)
            self._ids[value] = found
            self.strings.append(value)
        return found

    def ids(self, values: list[str]) -> list[int]:
        """Return the ids of ``values``, adding new ones (a fast loop for whole columns)."""
        known, strings = self._ids, self.strings
        # New values get ids in order of first appearance; every pass is C-level.
        new = [value for value in dict.fromkeys(values) if value not in known]
        for value in new:
            known[value] = len(strings)
            strings.append(value)
        return list(map(known.__getitem__, values))

    def lookup(self, value: str) -> int:
        """Return the id of ``value`` or -1 if unseen (never adds)."""
        return self._ids.get(value, -1)

    def __len__(self) -> int:
        return len(self.strings)

    def to_json(self) -> list[str]:
        return list(self.strings)

    @classmethod
    def from_json(cls, strings: list[str]) -> Vocabulary:
        vocab = cls()
        for value in strings[1:]:
            vocab.id(value)
        return vocab


class Vocabularies(dict):
    """One :class:`Vocabulary` per vocabulary name, created on first use."""

    def __missing__(self, key: str) -> Vocabulary:
        vocab = self[key] = Vocabulary()
        return vocab


def _text(record: Mapping[str, Any], field: str) -> str:
    return _as_text(record.get(field))


def _as_text(value: Any) -> str:
    if value.__class__ is str:  # the common case, checked first for speed
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _address(text: str) -> tuple[str, dict[str, Any]]:
    """Return the normalised address and its blocking/gating parts in one pass."""
    address = normalize_address(text)
    key, number, street = _address_parts(address)
    return address, {"address_key": key, "address_number": number, "address_street": street}


def _address_parts(address: str) -> tuple[str, int, str]:
    """Return (house number and street key, house number, street key) of a normalised address."""
    number, word = "", ""
    for token in address.split():
        if not number and token.isdigit():
            number = token
        elif not word and len(token) >= 3 and token.isalpha():
            word = token
        if number and word:
            break
    return (
        f"{number} {word[:3]}" if number and word else "",
        int(number[:9]) if number else 0,
        f"s {word[:4]}" if word else "",
    )


def prepare(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the normalised features of one input record.

    1. Names: canonical given names (nicknames and abbreviations expanded),
       the significant given name, surnames without particles, phonetic keys.
       A record with only a maternal surname gets it as paternal.
    2. Dates: birth date as ``yyyymmdd``; a birth year estimated from the age
       at the event when the birth date is missing.
    3. Identity number: cleaned; if it is a CURP, its first ten characters.
       The same ten characters are derived from the names and birth date, so
       a CURP on one side can be checked against the other side's fields.
    """
    get = record.get
    text = {
        field: (value.strip() if (value := get(field)).__class__ is str else _text(record, field))
        for field in _READ_FIELDS
    }
    features = dict(
        _name_features(
            *split_whole_name(text["given_names"], text["paternal_surname"],
                              text["maternal_surname"])
        )
    )
    paternal, _maternal, _given = features["paternal"], features["maternal"], features["given"]
    birth = parse_date_int(text["birth_date"])
    event_date = parse_date(text["event_date"])
    birth_year = birth // 10000 if birth else 0
    age = parse_age(text["age"])
    if not birth_year and age >= 0 and event_date is not None:
        birth_year = event_date.year - age
    id_number = clean_curp(text["id_number"])
    curp = parse_curp(id_number) if len(id_number) == 18 else None
    address, address_words = _address(text["address"])
    # Not from a 1 January date: often a year alone, it would contradict any CURP.
    precise = birth % 10000 not in (0, 101)
    fields_sig10 = (
        f"{features['curp_initials']}{birth % 1000000:06d}" if paternal and precise else ""
    )
    curp_sig10 = id_number[:10] if curp is not None else ""
    curp_valid = curp is not None and curp.check_digit_ok and curp.birth_date is not None
    sex = SEX_CODE[normalize_sex(text["sex"])]
    if curp_valid and not birth:  # the CURP holds the birth date (and sex) the fields lack
        birth = date_to_int(curp.birth_date)
        birth_year = birth // 10000
    if curp_valid and not sex:
        sex = SEX_CODE.get(curp.sex, 0)
    kind = _id_kind(id_number, curp is not None)
    if kind == ID_KIND["voter_key"] and not birth:  # so does a voter key
        read = voter_key_birth_and_sex(id_number, _reference_year(event_date))
        if read is not None:
            birth, birth_year = read[0], read[0] // 10000
            sex = sex or SEX_CODE[read[1]]
    features.update(
        {
            "record_id": text["record_id"],
            "id_number": id_number,
            # Halves of the number: a one-character typo leaves one half intact.
            "id_head": f"h{id_number[: len(id_number) // 2]}" if len(id_number) >= 6 else "",
            "id_tail": f"t{id_number[len(id_number) // 2 :]}" if len(id_number) >= 6 else "",
            "curp_sig10": curp_sig10,
            "fields_sig10": fields_sig10,
            # One blocking key for "CURP prefix": the CURP's if known, else derived.
            "sig10": curp_sig10 or fields_sig10,
            "state": normalize_state(text["state"]),
            "municipality": normalize_municipality(text["municipality"]),
            "address": address,
            **address_words,
            "sex": sex,
            "birth": birth,
            "birth_year": birth_year,
            "birth_md": birth % 10000,
            "birth_precise": int(birth % 10000 not in (0, 101)),
            "event": event_date.toordinal() if event_date else 0,
            "has_curp": int(curp is not None),
            # A CURP whose check digit and date hold; two such that differ are
            # two different people (a typo usually breaks the check digit).
            "curp_valid": int(curp_valid),
        }
    )
    return features


_READ_FIELDS = (*INPUT_FIELDS, "age")


# "54", "54 años", "54 a.": forms add the unit (ASCII digits only: "²" is a digit int() refuses).
_AGE = re.compile(r"([0-9]{1,3})\s*(?:años|anos|año|ano|a)?\.?", re.IGNORECASE)


def parse_age(text: str) -> int:
    """Return an age in years written as "54" or "54 años", else -1."""
    match = _AGE.fullmatch(text)
    if match is None:
        return -1
    age = int(match.group(1))
    return age if age <= 120 else -1


def _id_kind(cleaned: str, curp_shaped: bool) -> int:
    if not cleaned:
        return 0
    if curp_shaped:
        return ID_KIND["curp"]
    if len(cleaned) == 18 and VOTER_KEY_PATTERN.match(cleaned):
        return ID_KIND["voter_key"]
    return ID_KIND["other"]


def _reference_year(event_date: datetime.date | None) -> int:
    return event_date.year if event_date is not None else datetime.date.today().year


# Words that belong to the surname after them ("de la Cruz").
_GLUE = PARTICLES | {"y"}


def split_whole_name(given: str, paternal: str, maternal: str) -> tuple[str, str, str]:
    """Split a whole name written in the given-name box when both surname boxes are empty.

    "JUAN CARLOS SANCHEZ AGUILAR" → ("JUAN CARLOS", "SANCHEZ", "AGUILAR"): the
    last two words (with their particles) are the surnames. Two words or
    fewer are left alone: "José Luis" is a compound given name as often as
    "Israel Castro" is a name and a surname.
    """
    if paternal or maternal or given.count(" ") < 2:
        return given, paternal, maternal
    groups: list[str] = []
    pending: list[str] = []
    for word in given.split():
        if fold(word) in _GLUE:
            pending.append(word)
            continue
        groups.append(" ".join([*pending, word]))
        pending = []
    if pending or len(groups) < 3:
        return given, paternal, maternal
    return " ".join(groups[:-2]), groups[-2], groups[-1]


def _name_features(given_names: str, paternal_surname: str, maternal_surname: str) -> tuple:
    """Return the name features of one (given, paternal, maternal) triple.

    Whole names are mostly unique, their parts are not: each part is cached.
    """
    given, given_sig, given_ph, given_sig_ph, given_word = _given_parts(given_names)
    paternal, paternal_ph, paternal_word = _surname_parts(paternal_surname)
    maternal, maternal_ph, maternal_word = _surname_parts(maternal_surname)
    if not paternal and maternal:
        paternal, paternal_ph, paternal_word = maternal, maternal_ph, maternal_word
        maternal, maternal_ph, maternal_word = "", "", ""
    named = bool(given_sig and paternal)
    return (
        ("given", given),
        ("given_sig", given_sig),
        ("given_ph", given_ph),
        ("given_sig_ph", given_sig_ph),
        ("paternal", paternal),
        ("maternal", maternal),
        ("paternal_ph", paternal_ph),
        ("maternal_ph", maternal_ph),
        # First letters of given name and both surnames: typos rarely hit them.
        ("initials", f"{given_sig[:1]}{paternal[:1]}{maternal[:1]}" if named else ""),
        ("initials2", f"{given_sig[:1]}{paternal[:1]}" if named else ""),
        (
            "curp_initials",
            _curp_initials(paternal_word, maternal_word, given_word) if paternal else "",
        ),
    )


@lru_cache(maxsize=200_000)
def _given_parts(text: str) -> tuple[str, str, str, str, str]:
    given = canonical_given_names(text)
    given_sig = significant_given_name(text)
    return given, given_sig, phonetic_key(given), phonetic_key(given_sig), curp_given_word(given)


@lru_cache(maxsize=200_000)
def _surname_parts(text: str) -> tuple[str, str, str]:
    surname = normalize_name(text)
    return surname, phonetic_key(surname), curp_surname_word(surname)


@lru_cache(maxsize=200_000)
def _curp_initials(paternal_word: str, maternal_word: str, given_word: str) -> str:
    return curp_initials_from_words(paternal_word, maternal_word, given_word)


_COLUMNS = ("record_id", *STRING_FEATURES, *INT_FEATURES)


def _factorize(values: list, seed: tuple = ()) -> tuple[list, np.ndarray]:
    """Return the distinct ``values`` (first-seen order, ``seed`` first) and each value's code.

    Names, dates and places repeat a great deal: every feature is computed
    once per distinct value and spread to the records by indexing.
    """
    first: dict = dict.fromkeys(seed)
    for position, value in enumerate(seed):
        first[value] = position
    offset = len(first)
    positions = np.fromiter(
        map(first.setdefault, values, itertools.count(offset)), dtype=np.int64, count=len(values)
    )
    # Positions of first sightings are increasing: turn them into dense codes.
    dense = np.zeros(offset + len(values), dtype=np.int64)
    dense[np.fromiter(first.values(), dtype=np.int64, count=len(first))] = np.arange(len(first))
    return list(first), dense[positions]


class Coded(NamedTuple):
    """A string column given as its distinct values and each record's code into them."""

    distinct: np.ndarray  # object array
    codes: np.ndarray

    def values(self) -> np.ndarray:
        return self.distinct[self.codes]


def column_values(column: Any) -> np.ndarray | list:
    """Return a prepared column as plain values (``Coded`` columns spread out)."""
    return column.values() if isinstance(column, Coded) else column


def _objects(values: Iterable) -> np.ndarray:
    array = np.empty(len(values), dtype=object)  # never a 2-D array of characters
    array[:] = values
    return array


def _texts(values: list) -> list[str]:
    return [value.strip() if value.__class__ is str else _as_text(value) for value in values]


class ColumnarRecords(Sequence):
    """Records held column by column, as a CSV file is read: no dict per record.

    Reads as a sequence of dicts (built on demand); the preparation takes
    the columns as they are.
    """

    def __init__(self, columns: Mapping[str, Sequence], length: int) -> None:
        if any(len(values) != length for values in columns.values()):
            raise ValueError("ColumnarRecords: every column needs one value per record")
        self.columns = dict(columns)
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self.length)
            return ColumnarRecords(
                {name: values[index] for name, values in self.columns.items()},
                len(range(start, stop, step)),
            )
        return {name: values[index] for name, values in self.columns.items()}

    def column(self, field: str) -> list:
        values = self.columns.get(field)
        return [None] * self.length if values is None else list(values)


def _column(records: list[Mapping[str, Any]], field: str) -> list:
    if isinstance(records, ColumnarRecords):
        return records.column(field)
    try:  # a file's rows all carry its header's fields: C-level
        return list(map(operator.itemgetter(field), records))
    except (KeyError, TypeError):
        return [record.get(field) for record in records]


def _concatenate_columns(parts: list) -> Any:
    if isinstance(parts[0], list):
        return [value for part in parts for value in part]
    return np.concatenate([column_values(part) for part in parts])


def prepare_columns(records: list[Mapping[str, Any]], *, workers: int = 1) -> dict[str, Any]:
    """Return the prepared features of ``records`` column by column.

    The same values as :func:`prepare` record by record (a test holds them
    equal), computed once per distinct input value: string columns come back
    as object arrays or :class:`Coded`, integer columns as int64 arrays.
    ``workers`` > 1 prepares parts in parallel (see :func:`prepare_parts`).
    """
    if workers > 1:
        parts = prepare_parts(records, workers=workers)
        if len(parts) > 1:
            return {
                name: _concatenate_columns([part[name] for part in parts]) for name in _COLUMNS
            }
    n = len(records)
    if n == 0:
        return {
            name: np.zeros(0, dtype=object if name in STRING_FEATURES else np.int64)
            for name in _COLUMNS
        }
    out: dict[str, Any] = {"record_id": _texts(_column(records, "record_id"))}

    # Names: surnames share one table of distinct values so a swap is a code swap.
    given_column, paternal_column, maternal_column = _split_whole_names(
        _column(records, "given_names"),
        _column(records, "paternal_surname"),
        _column(records, "maternal_surname"),
    )
    given_raw, given_code = _factorize(given_column)
    given_parts = [_given_parts(text) for text in _texts(given_raw)]
    surname_raw, surname_code = _factorize(paternal_column + maternal_column, ("",))
    surname_parts = [_surname_parts(text) for text in _texts(surname_raw)]
    paternal_code, maternal_code = surname_code[:n], surname_code[n:]
    surname, surname_ph, surname_word = (_objects(p) for p in zip(*surname_parts, strict=True))
    present = surname != ""
    swap = ~present[paternal_code] & present[maternal_code]
    paternal_code = np.where(swap, maternal_code, paternal_code)
    maternal_code = np.where(swap, 0, maternal_code)  # code 0 is the empty surname
    given, given_sig, given_ph, given_sig_ph = (
        Coded(_objects(part), given_code) for part in list(zip(*given_parts, strict=True))[:4]
    )
    out.update(
        given=given,
        given_sig=given_sig,
        given_ph=given_ph,
        given_sig_ph=given_sig_ph,
        paternal=Coded(surname, paternal_code),
        maternal=Coded(surname, maternal_code),
        paternal_ph=Coded(surname_ph, paternal_code),
        maternal_ph=Coded(surname_ph, maternal_code),
    )
    has_paternal = present[paternal_code]
    named = (given_sig.distinct != "")[given_code] & has_paternal
    first_letter = np.frompyfunc(lambda text: text[:1], 1, 1)
    given_initial = first_letter(given_sig.distinct)[given_code]
    paternal_initial = first_letter(surname)[paternal_code]
    initials2 = given_initial + paternal_initial
    out["initials"] = np.where(named, initials2 + first_letter(surname)[maternal_code], "")
    out["initials2"] = np.where(named, initials2, "")
    # CURP initials of the (swapped) surname and given words, once per distinct triple.
    curp_initials = curp_initials_column(
        surname_word.tolist(),
        paternal_code,
        maternal_code,
        [parts[4] for parts in given_parts],
        given_code,
    )

    # Dates and age.
    birth_raw, birth_code = _factorize(_column(records, "birth_date"))
    birth_distinct = [parse_date_int(text) for text in _texts(birth_raw)]
    birth = np.array(birth_distinct, dtype=np.int64)[birth_code]
    birth_digits = _objects([f"{b % 1000000:06d}" for b in birth_distinct])[birth_code]
    event_raw, event_code = _factorize(_column(records, "event_date"))
    event_dates = [parse_date(text) for text in _texts(event_raw)]
    event = np.array([d.toordinal() if d else 0 for d in event_dates], dtype=np.int64)[event_code]
    event_year = np.array([d.year if d else 0 for d in event_dates], dtype=np.int64)[event_code]
    age_raw, age_code = _factorize(_column(records, "age"))
    age = np.array([parse_age(text) for text in _texts(age_raw)], dtype=np.int64)[age_code]
    birth_year = birth // 10000
    from_age = (birth_year == 0) & (age >= 0) & (event != 0)
    birth_year = np.where(from_age, event_year - age, birth_year)

    # Identity number and CURP.
    id_raw, id_code = _factorize(_column(records, "id_number"))
    id_distinct = [clean_curp(text) for text in _texts(id_raw)]
    shaped, valid = curp_flags(id_distinct)
    halves = [
        (f"h{x[: len(x) // 2]}", f"t{x[len(x) // 2 :]}") if len(x) >= 6 else ("", "")
        for x in id_distinct
    ]
    id_number = Coded(_objects(id_distinct), id_code)
    has_curp = shaped[id_code]
    id_head, id_tail = (Coded(_objects(part), id_code) for part in zip(*halves, strict=True))
    curp_sig10 = np.where(has_curp, _objects([x[:10] for x in id_distinct])[id_code], "")
    # Not from a 1 January date: often a year alone, it would contradict any CURP.
    precise_birth = (birth % 10000 != 0) & (birth % 10000 != 101)
    fields_sig10 = np.where(has_paternal & precise_birth, curp_initials + birth_digits, "")
    out.update(
        id_number=id_number,
        id_head=id_head,
        id_tail=id_tail,
        curp_sig10=curp_sig10,
        fields_sig10=fields_sig10,
        sig10=np.where(curp_sig10 != "", curp_sig10, fields_sig10),
    )

    # Places, address, sex.
    for field, normalize in (("state", normalize_state),
                             ("municipality", normalize_municipality)):
        raw, code = _factorize(_column(records, field))
        out[field] = Coded(_objects([normalize(text) for text in _texts(raw)]), code)
    address_raw, address_code = _factorize(_column(records, "address"))
    addresses = normalize_addresses(_texts(address_raw))
    parts = [_address_parts(address) for address in addresses]
    out["address"] = Coded(_objects(addresses), address_code)
    for position, name in enumerate(("address_key", "address_number", "address_street")):
        values = [part[position] for part in parts]
        if name == "address_number":
            out[name] = np.array(values, dtype=np.int64)[address_code]
        else:
            out[name] = Coded(_objects(values), address_code)
    sex_raw, sex_code = _factorize(_column(records, "sex"))
    sex = np.array(
        [SEX_CODE[normalize_sex(text)] for text in _texts(sex_raw)], dtype=np.int64
    )[sex_code]
    # A valid CURP holds the birth date and sex the fields may lack.
    curp_valid = valid[id_code]
    curp_birth, curp_sex = _curp_birth_and_sex(id_distinct, valid)
    from_curp = curp_valid & (birth == 0)
    birth = np.where(from_curp, curp_birth[id_code], birth)
    birth_year = np.where(from_curp, birth // 10000, birth_year)
    sex = np.where(curp_valid & (sex == 0), curp_sex[id_code], sex)
    kinds = np.array(
        [_id_kind(x, bool(s)) for x, s in zip(id_distinct, shaped.tolist(), strict=True)],
        dtype=np.int64,
    )
    id_kind = kinds[id_code]
    # A voter key holds them too (its century read against the event's year).
    for row in np.nonzero((id_kind == ID_KIND["voter_key"]) & (birth == 0))[0].tolist():
        event_ordinal = int(event[row])
        when = datetime.date.fromordinal(event_ordinal) if event_ordinal else None
        read = voter_key_birth_and_sex(id_distinct[id_code[row]], _reference_year(when))
        if read is not None:
            birth[row], birth_year[row] = read[0], read[0] // 10000
            if not sex[row]:
                sex[row] = SEX_CODE[read[1]]
    out["sex"] = sex
    out.update(
        birth=birth,
        birth_year=birth_year,
        birth_md=birth % 10000,
        birth_precise=((birth % 10000 != 0) & (birth % 10000 != 101)).astype(np.int64),
        event=event,
        has_curp=has_curp.astype(np.int64),
        curp_valid=curp_valid.astype(np.int64),
    )
    return out


def _split_whole_names(given: list, paternal: list, maternal: list) -> tuple[list, list, list]:
    """Apply :func:`split_whole_name` to the rows whose surname boxes are both empty."""
    rows = [
        row
        for row, (first, second, third) in enumerate(zip(given, paternal, maternal, strict=True))
        if first.__class__ is str and first.count(" ") >= 2
        and not (second.__class__ is str and second.strip())
        and not (third.__class__ is str and third.strip())
        and not (second and second.__class__ is not str)
        and not (third and third.__class__ is not str)
    ]
    if not rows:
        return given, paternal, maternal
    given, paternal, maternal = list(given), list(paternal), list(maternal)
    for row in rows:
        given[row], paternal[row], maternal[row] = split_whole_name(given[row].strip(), "", "")
    return given, paternal, maternal


def _curp_birth_and_sex(ids: list[str], valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, per distinct identity number, its valid CURP's birth date (yyyymmdd) and sex.

    Read straight from the characters (``curp_flags`` checked the date already): the
    homoclave's kind gives the century, a digit the 1900s, a letter the 2000s.
    """
    birth = np.zeros(len(ids), dtype=np.int64)
    sex = np.zeros(len(ids), dtype=np.int64)
    for position in np.nonzero(valid)[0].tolist():
        curp = ids[position]
        century = 19000000 if curp[16].isdigit() else 20000000
        birth[position] = century + int(curp[4:10])
        sex[position] = SEX_CODE.get(curp[10], 0)
    return birth, sex


# Below this many records one process prepares them all: forking costs more.
PARALLEL_MIN_RECORDS = 20_000
_FORKED_RECORDS: list = []  # what forked workers read (never pickled to them)


def _prepare_slice(bounds: tuple[int, int]) -> dict[str, Any]:
    return prepare_columns(_FORKED_RECORDS[bounds[0] : bounds[1]])


def prepare_parts(records: list[Mapping[str, Any]], *, workers: int = 1) -> list[dict[str, Any]]:
    """Return the prepared columns of consecutive parts of ``records``, in order.

    With ``workers`` > 1 the parts are prepared at once: the first here, the
    others in forked processes that read the records from memory shared at
    the fork and send back compact columns (distinct values and codes).
    """
    import multiprocessing

    if (
        workers <= 1
        or len(records) < PARALLEL_MIN_RECORDS
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [prepare_columns(records)]
    # Names repeat across the parts: prepare them once here, and the forked
    # processes inherit the filled caches.
    for text in _texts(list(dict.fromkeys(_column(records, "given_names")))):
        _given_parts(text)
    surnames = _column(records, "paternal_surname") + _column(records, "maternal_surname")
    for text in _texts(list(dict.fromkeys(surnames))):
        _surname_parts(text)
    size = -(-len(records) // workers)
    bounds = [(start, min(start + size, len(records))) for start in range(0, len(records), size)]
    global _FORKED_RECORDS
    _FORKED_RECORDS = records
    try:
        with multiprocessing.get_context("fork").Pool(len(bounds) - 1) as pool:
            others = pool.map_async(_prepare_slice, bounds[1:])
            first = prepare_columns(records[bounds[0][0] : bounds[0][1]])
            return [first, *others.get()]
    finally:
        _FORKED_RECORDS = []


class RecordTable:
    """A growable columnar table of prepared records."""

    def __init__(self, vocabularies: Vocabularies | None = None, capacity: int = 1024) -> None:
        self.vocabularies = vocabularies if vocabularies is not None else Vocabularies()
        self.record_ids: list[str] = []
        self._capacity = max(16, capacity)
        self.ids: dict[str, np.ndarray] = {
            name: np.zeros(self._capacity, dtype=np.int32) for name in STRING_FEATURES
        }
        self.strings: dict[str, np.ndarray] = {
            name: np.full(self._capacity, "", dtype=object) for name in STRING_FEATURES
        }
        self.ints: dict[str, np.ndarray] = {
            name: np.zeros(self._capacity, dtype=np.int32) for name in INT_FEATURES
        }

    def __len__(self) -> int:
        return len(self.record_ids)

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        vocabularies: Vocabularies | None = None,
        *,
        workers: int = 1,
    ) -> RecordTable:
        """Return a table of the prepared ``records``.

        ``workers=2`` prepares the two halves in two processes (forked; worth
        it from some tens of thousands of records; leave 1 inside a web server).
        """
        records = records if isinstance(records, (list, ColumnarRecords)) else list(records)
        table = cls(vocabularies, capacity=len(records) + 16)
        for part in prepare_parts(records, workers=workers):
            table.extend_columns(part)
        return table

    def extend(self, prepared: list[Mapping[str, Any]]) -> range:
        """Append many prepared records; return their row range."""
        columns = {
            name: [p[name] for p in prepared]
            for name in ("record_id", *STRING_FEATURES, *INT_FEATURES)
        }
        return self.extend_columns(columns)

    def extend_columns(self, columns: Mapping[str, list]) -> range:
        """Append prepared records given column-wise; return their row range.

        Columns are converted once: assigning numpy elements one by one costs
        more than preparing the record.
        """
        start, n = len(self), len(columns["record_id"])
        while self._capacity < start + n:
            self._grow()
        end = start + n
        self.record_ids.extend(columns["record_id"])
        for name, vocab_name in STRING_FEATURES.items():
            values = columns[name]
            vocabulary = self.vocabularies[vocab_name]
            if isinstance(values, Coded):  # ids of the distinct values only
                self.strings[name][start:end] = values.values()
                ids = np.asarray(vocabulary.ids(values.distinct.tolist()), dtype=np.int32)
                self.ids[name][start:end] = ids[values.codes]
                continue
            self.strings[name][start:end] = values
            if isinstance(values, np.ndarray):
                values = values.tolist()
            self.ids[name][start:end] = vocabulary.ids(values)
        for name in INT_FEATURES:
            self.ints[name][start:end] = columns[name]
        return range(start, end)

    def append(self, prepared: Mapping[str, Any]) -> int:
        """Append one prepared record and return its row index."""
        row = len(self.record_ids)
        if row >= self._capacity:
            self._grow()
        self.record_ids.append(prepared["record_id"])
        for name, vocab_name in STRING_FEATURES.items():
            value = prepared[name]
            self.strings[name][row] = value
            self.ids[name][row] = self.vocabularies[vocab_name].id(value)
        for name in INT_FEATURES:
            self.ints[name][row] = prepared[name]
        return row

    def _grow(self) -> None:
        # Doubling keeps appends amortised O(1) for the incremental index.
        self._capacity *= 2
        for columns in (self.ids, self.strings, self.ints):
            for name, column in columns.items():
                grown = (
                    np.zeros(self._capacity, dtype=column.dtype)
                    if column.dtype != object
                    else np.full(self._capacity, "", dtype=object)
                )
                grown[: len(column)] = column
                columns[name] = grown

    def column(self, name: str) -> np.ndarray:
        """Return the integer column ``name`` (ids for strings), trimmed to length."""
        n = len(self)
        if name in self.ints:
            return self.ints[name][:n]
        return self.ids[name][:n]

    def text(self, name: str) -> np.ndarray:
        """Return the normalised strings of feature ``name``."""
        return self.strings[name][: len(self)]
