"""Statistics as rows (CSV) and as server-rendered SVG bar charts (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from registry.models import CaseStatus, Sex

CHART_WIDTH = 100  # percent of the SVG viewBox used by the longest bar


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
        "entidad": [(row["code"], row["name"] or _("Sin dato"), row["n"])
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
        largest = max((count for _code, _label, count in rows), default=0) or 1
        bars = [Bar(label=label, count=count, width=round(CHART_WIDTH * count / largest, 2),
                    y=index * 22, text_y=index * 22 + 15)
                for index, (_code, label, count) in enumerate(rows)]
        charts.append(Chart(slug=slug, title=titles[slug], bars=bars,
                            height=max(22, len(bars) * 22)))
    return charts
