"""Template filters of the staff pages: ``{% load registro %}``.

``fecha`` and ``fecha_hora`` write the registry's one date format (dd/mm/aaaa);
``valor`` writes any stored value as a person reads it (``registry.display``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from registry import display

register = template.Library()


@register.filter
def fecha(value: date | datetime | None) -> str:
    """``{{ record.event_date|fecha }}`` → 07/03/2026."""
    return display.date_text(value)


@register.filter
def fecha_hora(value: datetime | date | None) -> str:
    """``{{ alert.created_at|fecha_hora }}`` → 07/03/2026 14:05 (Ciudad de México)."""
    return display.datetime_text(value)


@register.filter
def tipo_de_cambio(code: str) -> str:
    """``{{ version.history_type|tipo_de_cambio }}`` → Alta / Modificación / Baja."""
    return display.history_type_text(code)


@register.filter
def valor(value: Any) -> str:
    """``{{ value|valor }}``: Sí/No, dates, dicts as "Encabezado: valor", "—" when empty."""
    return display.value_text(value)
