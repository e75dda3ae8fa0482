"""The reviewer's view of a pair: both records field by field, and the score's reasons.

A reviewer deciding "same person or not" reads down the fields and wants to see at a
glance where the two records agree, nearly agree and disagree, and why the engine scored
the pair as it did, in words. This module turns the redacted rows of both records
(``selectors.record_rows``) and the engine's explanation (``selectors.explanation_rows``,
phrased by ``matching.phrases``) into exactly that; it reads nothing from the database.

The verdicts are the reader's aid, not the engine's comparison: they fold accents and
case and allow a near spelling (Jaro-Winkler ≥ 0.88 on the folded words, the engine's
"similar" band), and say so in words beside the colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rapidfuzz.distance import JaroWinkler

from mxnames.text import search_key

# The fields compared: who the person is and where and when the event was. The record's
# kind and agency differ by design (a report against a detention) and head the columns.
COMPARED_FIELDS = ("given_names", "paternal_surname", "maternal_surname", "aliases", "sex",
                   "birth_date", "age_band", "age_min", "age_max", "curp", "event_date",
                   "event_state", "event_municipality", "authority", "facility")
NEAR_SPELLING = 0.88
EVENT_DAYS_CLOSE = 31

VERDICTS = {
    "agree": _("Igual"),
    "partial": _("Casi igual"),
    "differ": _("Distinto"),
    "missing": _("Falta en uno"),
}


@dataclass(frozen=True)
class ComparisonRow:
    name: str
    label: str
    left: str  # as a person reads it
    right: str
    verdict: str  # a key of VERDICTS: the row's class in table.compare
    note: str = ""  # why "casi igual" ("acentos", "día y mes invertidos")

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS[self.verdict])


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _compare_dates(left: date, right: date) -> tuple[str, str]:
    if left == right:
        return "agree", ""
    if (left.year, left.month, left.day) == (right.year, right.day, right.month):
        return "partial", str(_("día y mes invertidos"))
    if (left.month, left.day) == (right.month, right.day) and abs(left.year - right.year) == 1:
        return "partial", str(_("el año difiere en uno"))
    return "differ", ""


def _compare_texts(left: str, right: str) -> tuple[str, str]:
    if left.strip().casefold() == right.strip().casefold():
        return "agree", ""
    left_key, right_key = search_key(left), search_key(right)
    if left_key == right_key:
        return "partial", str(_("solo acentos o signos"))
    if JaroWinkler.normalized_similarity(left_key, right_key) >= NEAR_SPELLING:
        return "partial", str(_("escritura parecida"))
    return "differ", ""


def _compare_event_dates(left: date, right: date) -> tuple[str, str]:
    # A disappearance and a later detention are not the same day by nature: what tells is
    # how close they are (the engine's "within 31 days" band).
    days = abs((left - right).days)
    if days == 0:
        return "agree", ""
    if days <= EVENT_DAYS_CLOSE:
        return "partial", str(ngettext("a %(days)s día", "a %(days)s días", days)
                              % {"days": days})
    return "differ", str(_("a más de un mes"))


def compare_values(left: Any, right: Any, name: str = "") -> tuple[str, str]:
    """Return the verdict key for two redacted values of one field, and its note."""
    if _empty(left) or _empty(right):
        return "missing", ""
    if name == "event_date" and isinstance(left, date) and isinstance(right, date):
        return _compare_event_dates(left, right)
    if isinstance(left, date) and isinstance(right, date):
        return _compare_dates(left, right)
    if isinstance(left, str) and isinstance(right, str):
        return _compare_texts(left, right)
    return ("agree", "") if left == right else ("differ", "")


def pair_comparison(left_rows: list[Any], right_rows: list[Any]) -> list[ComparisonRow]:
    """Return one row per compared field that either record shows, in the fields' order.

    A field the policy hides from the reader on either side is not in the rows, so it is
    not compared here either (the engine's explanation still counts it).
    """
    left = {row.name: row for row in left_rows}
    right = {row.name: row for row in right_rows}
    rows = []
    for name in COMPARED_FIELDS:
        if name not in left and name not in right:
            continue
        left_row, right_row = left.get(name), right.get(name)
        if (left_row is None or _empty(left_row.value)) and (
                right_row is None or _empty(right_row.value)):
            continue  # nothing on either side: a row of dashes says nothing
        verdict, note = compare_values(left_row.value if left_row else None,
                                       right_row.value if right_row else None, name)
        label = (left_row or right_row).label
        rows.append(ComparisonRow(name=name, label=label,
                                  left=left_row.text if left_row else "—",
                                  right=right_row.text if right_row else "—",
                                  verdict=verdict, note=note))
    return rows


@dataclass(frozen=True)
class Reasons:
    """The score's reasons in words: what speaks for the same person, what against."""

    for_same: list[str]
    against: list[str]
    hold: list[str]  # why the engine held the pair for a person to decide


def score_reasons(explanation: list[Any]) -> Reasons:
    """Split the explanation's phrases by the sign of their weight, strongest first.

    Levels without a phrase (no data on one side) and without a weight are left out: they
    moved the score by nothing a reviewer needs to weigh.
    """
    weighed = [(row.weight, row.phrase) for row in explanation
               if row.field != "hold" and row.phrase
               and isinstance(row.weight, int | float) and row.weight != 0]
    weighed.sort(key=lambda item: -abs(item[0]))
    return Reasons(for_same=[phrase for weight, phrase in weighed if weight > 0],
                   against=[phrase for weight, phrase in weighed if weight < 0],
                   hold=[row.phrase for row in explanation
                         if row.field == "hold" and row.phrase])
