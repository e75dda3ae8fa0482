"""Statistics as rows (CSV) and as server-rendered SVG bar charts (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from public_site.entries import AGE_BANDS, public_reports
from public_site.expressions import public_age
from public_site.filters import state_label
from registry.models import CaseStatus, Record, Sex
from registry.publication import public_outputs_generation
from registry.redaction import age_band

CHART_WIDTH = 100  # percent of the SVG viewBox used by the longest bar
STATISTICS_CACHE_SECONDS = 300


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: float  # 0-100
    y: int
    text_y: int


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    bars: list[Bar]
    height: int


def _labels(figures: dict[str, Any]) -> dict[str, list[tuple[str, str, int]]]:
    """Return, per dimension, (code, label, count) rows in display order."""
    sex_labels = dict(Sex.choices)
    status_labels = dict(CaseStatus.choices)
    return {
        "entidad": [(row["code"], state_label(row["code"], row["name"]) or _("Sin dato"), row["n"])
                    for row in figures["by_state"]],
        "mes": [(row["month"], row["month"] or _("Sin dato"), row["n"])
                for row in figures["by_month"]],
        "sexo": [(row["code"], str(sex_labels[row["code"]]), row["n"])
                 for row in figures["by_sex"]],
        "edad": [(row["band"], row["band"] or _("Sin dato"), row["n"])
                 for row in figures["by_age_band"]],
        "situacion": [(row["code"], str(status_labels[row["code"]]), row["n"])
                      for row in figures["by_status"]],
    }


def statistics_rows(figures: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    """Return the CSV rows: dimension, code, label, count."""
    return [(dimension, code, label, count)
            for dimension, rows in _labels(figures).items() for code, label, count in rows]


def statistics_charts(figures: dict[str, Any]) -> list[Chart]:
    """Return one horizontal bar chart per dimension, bars scaled to the largest count."""
    titles = {
        "entidad": _("Por entidad federativa"), "mes": _("Por mes de desaparición"),
        "sexo": _("Por sexo"), "edad": _("Por edad"), "situacion": _("Por situación"),
    }
    charts = []
    for slug, rows in _labels(figures).items():
        if slug == "mes":  # drawn by month_chart()
            continue
        largest = max((count for _code, _label, count in rows), default=0) or 1
        bars = [Bar(label=label, count=count, width=round(CHART_WIDTH * count / largest, 2),
                    y=index * 22, text_y=index * 22 + 15)
                for index, (_code, label, count) in enumerate(rows)]
        charts.append(Chart(slug=slug, title=titles[slug], bars=bars,
                            height=max(22, len(bars) * 22)))
    return charts


# --- Month chart ------------------------------------------------------------------------------
# 240 months as a 240-row table made the page 10,716 px tall: a column chart (one column
# per month, drawn on the server, a <title> on each column) plus a table by year, with
# the monthly table folded in a <details> for whoever needs the exact month.
MONTH_CHART_WIDTH = 720  # the SVG's own units; it scales to the column's width
MONTH_CHART_HEIGHT = 160
MONTH_CHART_AXIS = 24  # room for the year labels under the columns


@dataclass(frozen=True)
class MonthColumn:
    label: str  # "07/2010"
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class YearTick:
    year: str
    x: float


@dataclass(frozen=True)
class MonthChart:
    columns: list[MonthColumn]
    ticks: list[YearTick]
    by_year: list[tuple[str, int]]  # ("2010", 12), …, ("Sin dato", 3)
    months: list[tuple[str, int]]  # ("07/2010", 5), …
    largest: int
    width: int
    height: int
    plot_height: int


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{number}/{year}"


def month_chart(figures: dict[str, Any]) -> MonthChart:
    """Return the months as SVG columns (scaled to the busiest month), years as ticks,
    and the counts by year and by month for the tables that carry the exact numbers."""
    dated = [(row["month"], row["n"]) for row in figures["by_month"] if row["month"]]
    undated = sum(row["n"] for row in figures["by_month"] if not row["month"])
    largest = max((n for _month, n in dated), default=0)
    step = MONTH_CHART_WIDTH / max(1, len(dated))
    columns, ticks, years = [], [], {}
    for index, (month, n) in enumerate(dated):
        height = round(MONTH_CHART_HEIGHT * n / (largest or 1), 2)
        columns.append(MonthColumn(label=_month_label(month), count=n, x=round(index * step, 2),
                                   y=round(MONTH_CHART_HEIGHT - height, 2),
                                   width=round(max(step * 0.85, 0.5), 2), height=height))
        year = month[:4]
        if year not in years:
            ticks.append(YearTick(year=year, x=round(index * step, 2)))
        years[year] = years.get(year, 0) + n
    # At most about twelve year labels, evenly spaced, so they never overlap.
    every = max(1, -(-len(ticks) // 12))
    by_year = list(years.items()) + ([(str(_("Sin dato")), undated)] if undated else [])
    return MonthChart(columns=columns, ticks=ticks[::every], by_year=by_year,
                      months=[(column.label, column.count) for column in columns]
                      + ([(str(_("Sin dato")), undated)] if undated else []),
                      largest=largest, width=MONTH_CHART_WIDTH,
                      height=MONTH_CHART_HEIGHT + MONTH_CHART_AXIS,
                      plot_height=MONTH_CHART_HEIGHT)


# A tile-grid map: one square per state, placed roughly where the state lies
# (column west→east, row north→south). Schematic on purpose: it needs no map data.
STATE_TILES = {
    "02": (0, 0, "BC"), "26": (1, 0, "SON"), "08": (2, 0, "CHIH"), "05": (3, 0, "COAH"),
    "19": (4, 0, "NL"), "28": (5, 0, "TAMS"),
    "03": (0, 1, "BCS"), "25": (1, 1, "SIN"), "10": (2, 1, "DGO"), "32": (3, 1, "ZAC"),
    "24": (4, 1, "SLP"),
    "18": (1, 2, "NAY"), "14": (2, 2, "JAL"), "01": (3, 2, "AGS"), "11": (4, 2, "GTO"),
    "22": (5, 2, "QRO"), "30": (6, 2, "VER"),
    "06": (1, 3, "COL"), "16": (2, 3, "MICH"), "15": (3, 3, "MEX"), "13": (4, 3, "HGO"),
    "29": (5, 3, "TLAX"), "21": (6, 3, "PUE"),
    "12": (2, 4, "GRO"), "17": (3, 4, "MOR"), "09": (4, 4, "CDMX"), "20": (5, 4, "OAX"),
    "27": (6, 4, "TAB"), "04": (7, 4, "CAMP"), "31": (8, 4, "YUC"),
    "07": (6, 5, "CHIS"), "23": (8, 5, "QROO"),
}
TILE = 56  # px per tile in the SVG's own units


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    short: str
    count: int
    x: int
    y: int
    opacity: float
    dark: bool  # light text on a dark tile


def state_tile_map(figures: dict[str, Any]) -> list[Tile]:
    """Return one tile per state, shaded by its count (five classes of the largest)."""
    counts = {row["code"]: row["n"] for row in figures["by_state"]}
    names = {row["code"]: row["name"] for row in figures["by_state"]}
    largest = max(counts.values(), default=0) or 1
    tiles = []
    for code, (column, row, short) in STATE_TILES.items():
        count = counts.get(code, 0)
        shade = 0 if count == 0 else 1 + min(4, int(5 * count / (largest + 1)))
        tiles.append(Tile(code=code, name=names.get(code, short), short=short, count=count,
                          x=column * TILE, y=row * TILE, opacity=round(0.08 + 0.18 * shade, 2),
                          dark=shade >= 3))
    return tiles


# --- Counts ---------------------------------------------------------------------------------

def _age_band_counts(records: QuerySet[Record]) -> dict[str, int]:
    counts = dict.fromkeys(AGE_BANDS, 0)
    counts[""] = 0
    ages = records.annotate(_public_age=public_age()).values("_public_age").annotate(
        n=Count("id"))
    for row in ages:
        counts[age_band(row["_public_age"])] += row["n"]
    return counts


def public_statistics() -> dict[str, Any]:
    """Return counts of public entries by state, month, sex, age band and status (cached).

    Counts only: no entry is identifiable from them. Months are whole months, as the
    policy shows them for everyone. Only published cases are counted (a family's veto
    takes its case out of every count): the cache is keyed on the generation of the
    public outputs, which each publication decision renews.
    """
    cache_key = f"public_site:statistics:v1:{public_outputs_generation()}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    records = public_reports()
    by_state = list(records.values("event_state_id", "event_state__name")
                    .annotate(n=Count("id")).order_by("event_state_id"))
    by_month = [
        {"month": row["month"].strftime("%Y-%m") if row["month"] else "", "n": row["n"]}
        for row in records.annotate(month=TruncMonth("event_date")).values("month")
        .annotate(n=Count("id")).order_by("month")
    ]
    by_sex = {row["sex"]: row["n"] for row in records.values("sex").annotate(n=Count("id"))}
    by_status = {row["case__status"]: row["n"]
                 for row in records.values("case__status").annotate(n=Count("id"))}
    statistics = {
        "total": sum(row["n"] for row in by_state),
        "by_state": [{"code": row["event_state_id"] or "", "name": row["event_state__name"]
                      or "", "n": row["n"]} for row in by_state],
        "by_month": by_month,
        "by_sex": [{"code": value, "n": by_sex.get(value, 0)} for value in Sex.values],
        "by_age_band": [{"band": band, "n": n}
                        for band, n in _age_band_counts(records).items()],
        "by_status": [{"code": value, "n": by_status.get(value, 0)}
                      for value in CaseStatus.values],
    }
    cache.set(cache_key, statistics, STATISTICS_CACHE_SECONDS)
    return statistics
