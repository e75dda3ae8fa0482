"""Rules that keep a pair out of automatic linking whatever its score.

A score weighs evidence; some mistakes are too costly to leave to a weight.
Two records of relatives (the same two surnames, different given names) or of
namesakes (a common full name, different birth dates) may score high on
shared surnames, place and address; linking them would merge two people. So
such pairs are never linked automatically: at most they go to review, with
the reason. The same rules hold wherever a link is decided: the batch linker,
its clustering, the incremental index and the registry's adapter.

Everything here reads an :class:`Identity`, the few prepared fields the
rules need, built from an input record or from a prepared table's row.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import JaroWinkler, Levenshtein

from matching.records import RecordTable, prepare
from mxnames.names import LEADING_GIVEN
from mxnames.nicknames import names_sharing_a_nickname
from mxnames.phonetic import phonetic_key

if TYPE_CHECKING:
    from matching.model import LinkageModel

# Reason codes (stored with candidates as data, so the same for every reader).
POSSIBLE_RELATIVES = "possible_relatives"
NAMESAKES = "namesakes_different_birth_dates"
CURP_CONFLICT = "curp_conflict"
SEX_CONFLICT = "sex_conflict"

# A full name carried by at least this many records of the population (by the
# model's name frequencies) is common: a different birth date then means
# another person, not a typo.
COMMON_NAME_NAMESAKES = 1.0
# Birth years this far apart are a generation (a father and his son of the same
# name), whatever the name's frequency; no clerical slip moves an age so far.
GENERATION_YEARS = 15
# Similar enough to be one name misspelt (on the significant given names).
_SAME_NAME_JARO_WINKLER = 0.85
_SAME_NAME_EDITS = 2  # for names of five letters or more; one for shorter ones


@dataclass(frozen=True)
class Identity:
    """The fields the decision rules read, as prepared by ``matching.records``."""

    given: str  # canonical given names (nicknames and abbreviations expanded)
    given_sig: str  # the significant given name ("José Luis" -> "luis")
    given_ph: str
    paternal: str
    maternal: str
    paternal_ph: str
    maternal_ph: str
    id_number: str
    birth: int  # yyyymmdd, 0 when not known (an age is not a birth date)
    birth_year: int = 0  # from the birth date, else from the age at the event; 0 unknown

    @classmethod
    def of_record(cls, record: Mapping[str, Any]) -> Identity:
        """Return the identity of one input record (the core's input schema)."""
        return cls.of_prepared(prepare(record))

    @classmethod
    def of_prepared(cls, prepared: Mapping[str, Any]) -> Identity:
        return cls(*(prepared[name] for name in _FIELDS))

    @classmethod
    def of_row(cls, table: RecordTable, row: int) -> Identity:
        """Return the identity of row ``row`` of a prepared table."""
        return cls.of_columns(cls.columns(table), row)

    @staticmethod
    def columns(table: RecordTable) -> list:
        """Return the table's columns the rules read (fetch once, then ``of_columns``)."""
        return [table.column(name) if name in _INT_FIELDS else table.text(name)
                for name in _FIELDS]

    @classmethod
    def of_columns(cls, columns: list, row: int) -> Identity:
        (given, sig, given_ph, paternal, maternal, paternal_ph, maternal_ph, number, birth,
         birth_year) = (column[row] for column in columns)
        return cls(given, sig, given_ph, paternal, maternal, paternal_ph, maternal_ph, number,
                   int(birth), int(birth_year))


_FIELDS = ("given", "given_sig", "given_ph", "paternal", "maternal", "paternal_ph",
           "maternal_ph", "id_number", "birth", "birth_year")
_INT_FIELDS = ("birth", "birth_year")


def given_names_differ(
    a: Identity, b: Identity, model: LinkageModel | None = None
) -> bool:
    """Return True if both records name someone and the given names are two people's.

    Not different: the same canonical names (nicknames resolved), the same
    significant name ("José Luis" and "Luis"), one set of names inside the
    other ("Ana Laura" and "Laura", a dropped second name), or a name of one
    that may be a name of the other: the same word misspelt ("Jan Carlos",
    "Juan Carlos"), cut short ("Fer", "Fernando"), the same sound, or one
    nickname for both ("Beto": Alberto
    or Roberto). The leading names brothers and sisters share (María, José,
    Juan) only count when a record has no other. With a ``model``, a name its
    population never saw twice is taken for a misspelling, not for another
    person's name.
    """
    if not a.given or not b.given:
        return False
    if a.given == b.given or a.given_sig == b.given_sig or a.given_ph == b.given_ph:
        return False
    words_a, words_b = a.given.split(), b.given.split()
    if set(words_a) <= set(words_b) or set(words_b) <= set(words_a):
        return False
    core_a, core_b = _core_words(words_a, words_b), _core_words(words_b, words_a)
    if any(_may_be_one_name(x, y) for x in core_a for y in core_b):
        return False
    return model is None or (_established(model, a.given) and _established(model, b.given))


def _core_words(words: list[str], other: list[str]) -> list[str]:
    if len(other) == 1:  # "Jan" may be the "Juan" of "Juan Pablo": compare with every word
        return words
    return [w for w in words if w not in LEADING_GIVEN] or words


def _may_be_one_name(x: str, y: str) -> bool:
    if x == y or phonetic_key(x) == phonetic_key(y) or y in names_sharing_a_nickname(x):
        return True
    if min(len(x), len(y)) >= 2 and (x.startswith(y) or y.startswith(x)):  # "Fer", "Fernando"
        return True
    edits = _SAME_NAME_EDITS if min(len(x), len(y)) >= 5 else 1
    if Levenshtein.distance(x, y, score_cutoff=edits) <= edits:
        return True
    return JaroWinkler.normalized_similarity(x, y) >= _SAME_NAME_JARO_WINKLER


def _established(model: LinkageModel, given: str) -> bool:
    """Return True if every word of ``given`` is a word the population wrote twice or more."""
    words = _known_words(model)
    return not words or all(word in words for word in given.split())


def _known_words(model: LinkageModel) -> frozenset[str]:
    # The term-frequency table keeps the given names seen at least twice; their
    # words, once per model (models are not changed once trained).
    table = model.tf_tables.get("given") or {}
    key = ("given words", len(table))
    found = model._tf_cache.get(key)
    if found is None:
        found = model._tf_cache[key] = frozenset(w for name in table for w in name.split())
    return found


def _surname_agrees(x: str, x_ph: str, y: str, y_ph: str) -> bool:
    return x == y or x_ph == y_ph or JaroWinkler.normalized_similarity(x, y) >= 0.92


def surnames_agree(a: Identity, b: Identity) -> bool:
    """Return True if both surnames agree wherever both records give them (in either order).

    The paternal surnames must both be there, and a maternal surname on at
    least one side (one shared surname alone does not make a family); a
    maternal surname missing on one side does not count against (clerks often
    leave it out).
    """
    if not a.paternal or not b.paternal or not (a.maternal or b.maternal):
        return False

    def agree(first: tuple[str, str], second: tuple[str, str]) -> bool:
        return _surname_agrees(*first, *second)

    a_p, a_m = (a.paternal, a.paternal_ph), (a.maternal, a.maternal_ph)
    b_p, b_m = (b.paternal, b.paternal_ph), (b.maternal, b.maternal_ph)
    if agree(a_p, b_p) and (not a.maternal or not b.maternal or agree(a_m, b_m)):
        return True
    return bool(a.maternal and b.maternal and agree(a_p, b_m) and agree(a_m, b_p))


def ids_agree(a: Identity, b: Identity) -> bool:
    """Return True if both identity numbers are given and at most one typo apart."""
    if not a.id_number or not b.id_number:
        return False
    return Levenshtein.distance(a.id_number, b.id_number, score_cutoff=1) <= 1


def birth_dates_differ(a: Identity, b: Identity) -> bool:
    """Return True if both birth dates are known and no clerical slip explains the difference.

    Slips: day and month swapped, one digit, the year off by one, up to a year
    apart (two slips at once, such as a year and a day).
    """
    if not a.birth or not b.birth or a.birth == b.birth:
        return False
    year_a, month_a, day_a = a.birth // 10000, a.birth // 100 % 100, a.birth % 100
    year_b, month_b, day_b = b.birth // 10000, b.birth // 100 % 100, b.birth % 100
    if year_a == year_b and month_a == day_b and day_a == month_b:
        return False
    if sum(x != y for x, y in zip(f"{a.birth:08d}", f"{b.birth:08d}", strict=True)) <= 1:
        return False
    if (month_a, day_a) == (month_b, day_b) and abs(year_a - year_b) == 1:
        return False
    return not _within_days(a.birth, b.birth, 366)


def _within_days(first: int, second: int, days: int) -> bool:
    try:
        one = datetime.date(first // 10000, first // 100 % 100, first % 100)
        other = datetime.date(second // 10000, second // 100 % 100, second % 100)
    except ValueError:  # an impossible date written as digits
        return False
    return abs((one - other).days) <= days


def hold_reason(a: Identity, b: Identity, model: LinkageModel | None = None) -> str | None:
    """Return why the pair must not be linked automatically, or None.

    1. Possible relatives: the same surnames, different given names, and no
       identity number in agreement.
    2. Namesakes: the same full name, common in the population (by ``model``'s
       name frequencies; any name when no model is given), with two birth
       dates that differ beyond a clerical slip, and no identity number in
       agreement; or any full name, with birth years (from dates or ages) a
       generation apart and no single slip of a date explaining it.
    """
    if ids_agree(a, b) or not surnames_agree(a, b):
        return None
    if given_names_differ(a, b, model):
        return POSSIBLE_RELATIVES
    if a.given and b.given and birth_dates_differ(a, b) and _common_name(a, b, model):
        return NAMESAKES
    if a.given and b.given and generation_apart(a, b):
        return NAMESAKES
    return None


def generation_apart(a: Identity, b: Identity) -> bool:
    """Return True if the birth years are a generation apart and no slip of a date explains it.

    "1978" and "1958" are one digit apart (a typo); "1977" and "2004", or an
    age of 48 against a birth date in 2004, are a father and his son.
    """
    if not a.birth_year or not b.birth_year:
        return False
    if abs(a.birth_year - b.birth_year) < GENERATION_YEARS:
        return False
    if a.birth and b.birth:
        return birth_dates_differ(a, b)
    year_a, year_b = f"{a.birth_year:04d}", f"{b.birth_year:04d}"
    return sum(x != y for x, y in zip(year_a, year_b, strict=True)) > 1


def _common_name(a: Identity, b: Identity, model: LinkageModel | None) -> bool:
    if model is None or not model.population:
        return True
    namesakes = min(
        model.expected_namesakes(x.given, x.paternal, x.maternal) for x in (a, b)
    )
    return namesakes >= COMMON_NAME_NAMESAKES
