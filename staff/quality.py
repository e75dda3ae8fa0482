"""The matching-quality dashboard's charts, drawn from ``matching.quality``'s figures."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from staff.charts import ColumnChart, column_chart


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def quality_charts(figures: dict[str, Any]) -> dict[str, Any]:
    """Return the dashboard's SVG charts and table rows, one entry per month of the window."""
    months = figures["months"]
    links = figures["links"].by_month
    delays = figures["alert_delay"].by_month
    backlog = figures["backlog"]
    link_precision = figures["link_precision"]
    broken_rate = {month: (broken / total if total else None)
                   for month, (total, broken) in links.items()}
    charts: list[ColumnChart] = [
        column_chart(slug="pendientes", title=_("Coincidencias pendientes, por mes de creación"),
                     points=[(m, backlog.created_by_month.get(m, 0),
                              str(backlog.created_by_month.get(m, 0))) for m in months]),
        column_chart(slug="antiguedad", title=_("Antigüedad de las pendientes"),
                     points=[(str(label), count, str(count))
                             for label, count in backlog.by_age]),
        column_chart(slug="deshechos", title=_("Vínculos automáticos deshechos o separados"),
                     points=[(m, broken_rate.get(m), _percent(broken_rate.get(m)))
                             for m in months], maximum=max([0.1, *filter(None,
                                                                         broken_rate.values())])),
        column_chart(slug="precision", title=_("Precisión observada por banda de probabilidad"),
                     points=[(band.label, band.precision, _percent(band.precision))
                             for band in figures["bands"]], maximum=1.0,
                     line=link_precision.floor, line_label=_("mínimo")),
        column_chart(slug="demora", title=_("Horas de la importación a la alerta (mediana)"),
                     points=[(m, delays[m][1] if m in delays else None,
                              f"{delays[m][1]:g} h" if m in delays else "—") for m in months]),
    ]
    monthly_rows = [{
        "month": m,
        "pending_created": backlog.created_by_month.get(m, 0),
        "links": links.get(m, (0, 0))[0],
        "broken": links.get(m, (0, 0))[1],
        "broken_rate": _percent(broken_rate.get(m)),
        "alerts": delays.get(m, (0, 0, 0))[0],
        "median_hours": delays[m][1] if m in delays else "—",
        "p90_hours": delays[m][2] if m in delays else "—",
    } for m in months]
    quality_rows = [{
        "name": q.agency_name, "records": q.records,
        "birth": _percent(q.share(q.with_birth_date)),
        "curp": _percent(q.share(q.with_valid_curp)),
        "municipality": _percent(q.share(q.with_municipality)),
        "months": [(m, *q.by_month[m]) for m in months if m in q.by_month],
    } for q in figures["quality"]]
    return {"charts": charts, "monthly_rows": monthly_rows, "quality_rows": quality_rows,
            "link_precision_text": _percent(link_precision.precision)}
