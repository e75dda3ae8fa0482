"""How staff pages write stored values: one date format, Spanish labels for codes.

The database keeps codes (``detention``, ``F``, ``pending``) and ISO dates; people read
"Detención", "Mujer" and ``07/03/2026``. Every staff page (``staff/``, ``imports/``)
writes values through these helpers, directly or through the template filters of
``registry/templatetags/registro.py``, so that a code never reaches a page raw and a date
has one shape everywhere.

One date format, dd/mm/aaaa: it is the format agencies write in their files (the
importer reads it first), it fits a table column on a 360 px phone, and it reads the same
in the English interface of a Mexican registry. Times are in the registry's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

DATE_FORMAT = "%d/%m/%Y"
DATETIME_FORMAT = "%d/%m/%Y %H:%M"
EMPTY = "—"


def date_text(value: date | datetime | None) -> str:
    """Return ``value`` as dd/mm/aaaa (a datetime in local time), or "" when missing."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(DATE_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    return str(value)  # already partial text ("2024-03": the policy shows only the month)


def datetime_text(value: datetime | date | None) -> str:
    """Return ``value`` as dd/mm/aaaa hh:mm in the registry's time zone."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(DATETIME_FORMAT)
    return date_text(value)


# django-simple-history's change kinds; its own labels are English ("Changed").
HISTORY_TYPES = {"+": _("Alta"), "~": _("Modificación"), "-": _("Baja")}


def history_type_text(code: str) -> str:
    """Return a version's kind of change ("+", "~", "-") in words."""
    return str(HISTORY_TYPES.get(code, code))


def _choice_label(model_field: models.Field | None, value: Any) -> str | None:
    if model_field is None or not getattr(model_field, "choices", None):
        return None
    labels = dict(model_field.flatchoices)
    return str(labels[value]) if value in labels else None


def value_text(value: Any, model_field: models.Field | None = None) -> str:
    """Return a stored value as a person reads it.

    1. A code of a field with choices becomes its (translated) label.
    2. Dates and datetimes take the one format above; booleans read "Sí" / "No".
    3. The original row as received (a dict) becomes "Encabezado: valor" pairs (in the
       stored order: PostgreSQL's jsonb keeps its own), a list its items; nothing "—".
    """
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    label = _choice_label(model_field, value)
    if label is not None:
        return label
    if isinstance(value, bool):
        return _("Sí") if value else _("No")
    if isinstance(value, datetime):
        return datetime_text(value)
    if isinstance(value, date):
        return date_text(value)
    if isinstance(value, dict):
        return " · ".join(f"{key}: {value_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value)
    return str(value)


def field_value_text(model: type[models.Model], name: str, value: Any) -> str:
    """Return ``value`` of ``model``'s field ``name`` as a person reads it."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:  # derived values (the age band) have no model field
        model_field = None
    return value_text(value, model_field if isinstance(model_field, models.Field) else None)
