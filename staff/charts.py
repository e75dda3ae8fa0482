"""Column charts as server-rendered SVG geometry for the staff dashboards (no JavaScript).

The template draws each ``Column`` as a rectangle in a ``viewBox`` of ``WIDTH`` by
``HEIGHT`` units, with presentation attributes only (the Content-Security-Policy
allows no inline style); a table beside each chart gives the same numbers as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 160
LABEL_SPACE = 18  # units under the columns for their labels


@dataclass(frozen=True)
class Column:
    label: str
    display: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    empty: bool  # no value (no data that month): drawn as a baseline tick


@dataclass(frozen=True)
class ColumnChart:
    slug: str
    title: str
    columns: list[Column]
    line_y: float | None  # a reference line (e.g. the precision floor), in chart units
    line_label: str
    width: int = WIDTH
    height: int = HEIGHT + LABEL_SPACE


def column_chart(*, slug: str, title: str,
                 points: Sequence[tuple[str, float | None, str]],
                 maximum: float | None = None, line: float | None = None,
                 line_label: str = "") -> ColumnChart:
    """Return a chart of one column per (label, value, text shown); None is "no data"."""
    values = [value for _label, value, _text in points if value is not None]
    top = maximum if maximum is not None else max([*values, line or 0, 0]) or 1
    slot = WIDTH / max(1, len(points))
    columns = []
    for index, (label, value, text) in enumerate(points):
        height = 0.0 if value is None else round(HEIGHT * min(value, top) / top, 2)
        columns.append(Column(label=label, display=text, x=round(index * slot + slot * 0.15, 2),
                              y=round(HEIGHT - height, 2), width=round(slot * 0.7, 2),
                              height=height, label_x=round(index * slot + slot / 2, 2),
                              empty=value is None))
    line_y = None if line is None else round(HEIGHT - HEIGHT * min(line, top) / top, 2)
    return ColumnChart(slug=slug, title=title, columns=columns, line_y=line_y,
                       line_label=line_label)
