"""Set-based history snapshots for bulk writes.

django-simple-history writes one historical row per ``save()``; bulk paths (imports,
demo data) instead copy the current rows into the history table with one
``INSERT … SELECT`` per statement, which costs the database a table scan instead of
costing Python an object per row. The result is identical to what ``save()`` would
have written: ``record.history`` shows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

HISTORY_FIELDS = ("history_id", "history_date", "history_change_reason", "history_type",
                  "history_user")


def history_snapshot_insert(queryset: QuerySet, *, history_type: str, history_date: datetime,
                            change_reason: str = "", user_id: int | None = None) -> int:
    """Copy the rows of ``queryset`` into its model's history table; return rows written.

    ``history_type`` is simple-history's ``+`` (created), ``~`` (changed) or ``-`` (deleted).
    """
    if history_type not in ("+", "~", "-"):
        raise ValueError("history_type must be '+', '~' or '-'")
    model: type[models.Model] = queryset.model
    historical = model.history.model
    quote = connection.ops.quote_name
    columns, selects = [], []
    params: list[Any] = []
    for field in historical._meta.concrete_fields:
        if field.name == "history_id":
            continue  # the database numbers history rows
        columns.append(quote(field.column))
        if field.name == "history_date":
            selects.append("%s")
            params.append(history_date)
        elif field.name == "history_change_reason":
            selects.append("%s")
            params.append(change_reason or None)
        elif field.name == "history_type":
            selects.append("%s")
            params.append(history_type)
        elif field.name == "history_user":
            selects.append("%s")
            params.append(user_id)
        else:
            selects.append(f"source.{quote(field.column)}")
    pk_sql, pk_params = queryset.values("pk").query.sql_with_params()
    # Identifiers come from model metadata and values are parameters.
    sql = (
        f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(selects)} FROM {quote(model._meta.db_table)} AS source "
        f"WHERE source.{quote(model._meta.pk.column)} IN ({pk_sql})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *pk_params])
        return cursor.rowcount
