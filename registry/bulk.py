"""Lean bulk inserts for large generated or imported data sets.

``QuerySet.bulk_create`` builds a model instance and compiles every value through
the ORM; for hundreds of thousands of rows that costs more than the database work.
This inserts plain tuples with the fastest batch path of each database (``COPY`` on
PostgreSQL, ``executemany`` on SQLite). Each column gets one converter, chosen once
from its field type, so values are stored exactly as the ORM would store them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from psycopg2.extras import execute_values

Converter = Callable[[Any], Any]

# PostgreSQL COPY text format: tab-separated, \N for NULL, backslash escapes.
_COPY_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _json_text(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _sqlite_converter(field: models.Field) -> Converter | None:
    if isinstance(field, models.JSONField):
        return _json_text
    if isinstance(field, models.DateTimeField):
        return lambda value: connection.ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return lambda value: value.isoformat()
    return None  # strings, numbers, booleans and ids go to the driver as they are


def _copy_converter(field: models.Field) -> Converter:
    if isinstance(field, models.JSONField):
        return lambda value: _json_text(value).translate(_COPY_ESCAPES)
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.DateField):  # also DateTimeField (aware: keeps its offset)
        return lambda value: value.isoformat()
    if isinstance(field, (models.CharField, models.TextField)):
        return lambda value: value.translate(_COPY_ESCAPES)
    return str


def bulk_insert_rows(model: type[models.Model], field_names: Sequence[str],
                     rows: Iterable[Sequence[Any]], *, page_size: int = 5000) -> int:
    """Insert ``rows`` (tuples in the order of ``field_names``) into ``model``'s table.

    Field names may be attnames (``agency_id``). Return the number of rows inserted.
    """
    # get_field() also answers to attnames such as "agency_id".
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    inserted = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            converters = [_copy_converter(field) for field in fields]
            while page := list(islice(iterator, page_size)):
                buffer = io.StringIO()
                for row in page:
                    buffer.write("\t".join([
                        _COPY_NULL if value is None else convert(value)
                        for convert, value in zip(converters, row, strict=True)
                    ]))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
                inserted += len(page)
        else:
            sqlite_converters = [_sqlite_converter(field) for field in fields]
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            while page := list(islice(iterator, page_size)):
                cursor.executemany(sql, [
                    tuple(value if convert is None or value is None else convert(value)
                          for convert, value in zip(sqlite_converters, row, strict=True))
                    for row in page
                ])
                inserted += len(page)
    return inserted


def bulk_update_column(model: type[models.Model], field_name: str,
                       values: Iterable[tuple[Any, Any]], *, page_size: int = 5000) -> int:
    """Set one column of many rows: ``values`` are (primary key, new value) pairs.

    ``QuerySet.bulk_update`` builds a ``CASE WHEN`` expression per row and compiles it
    through the ORM (seconds per thousand rows); this sends plain pairs: one prepared
    ``UPDATE`` run by the driver for each pair on SQLite, one ``UPDATE … FROM (VALUES …)``
    a page on PostgreSQL. Text, number and boolean values only. Return rows given.
    """
    field = model._meta.get_field(field_name)
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(field.column)
    pk = quote(model._meta.pk.column)
    given = 0
    iterator = iter(values)
    with connection.cursor() as cursor:
        while page := list(islice(iterator, page_size)):
            if connection.vendor == "postgresql":
                execute_values(
                    cursor.cursor,
                    f"UPDATE {table} SET {column} = v.value FROM (VALUES %s) AS v(pk, value) "  # noqa: S608
                    f"WHERE {table}.{pk} = v.pk",
                    page, template=f"(%s, %s::{field.db_type(connection)})",
                    page_size=page_size)
            else:
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                    [(value, key) for key, value in page])
            given += len(page)
    return given
