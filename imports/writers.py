"""Store records and their history rows in bulk: COPY on PostgreSQL, bulk_create elsewhere.

Both writers do the same thing inside the caller's transaction: insert the new
records (ids assigned), then one history row per record (``history_type`` "+" for
created, "~" for changed), so ``record.history`` reads exactly as if each record
had been saved one by one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection

from registry.models import Record

HistoricalRecord = Record.history.model
RECORD_FIELDS = [f for f in Record._meta.concrete_fields if f.name != "id"]
HISTORY_EXTRA = ("history_date", "history_change_reason", "history_type", "history_user_id")
_NULL = r"\N"


class HistoryStamp:
    """Who, when and why, shared by every history row of one batch."""

    def __init__(self, *, when: dt.datetime, reason: str, user_id: int | None):
        self.when = when
        self.reason = reason[:100]
        self.user_id = user_id


def history_rows(records: Sequence[Record], stamp: HistoryStamp, history_type: str) -> list:
    rows = []
    for record in records:
        values = {f.attname: getattr(record, f.attname) for f in Record._meta.concrete_fields}
        rows.append(HistoricalRecord(
            **values, history_date=stamp.when, history_change_reason=stamp.reason,
            history_type=history_type, history_user_id=stamp.user_id,
        ))
    return rows


class OrmWriter:
    """Portable path (SQLite and the reference): bulk_create / bulk_update."""

    def insert(self, records: list[Record], stamp: HistoryStamp) -> None:
        Record.objects.bulk_create(records, batch_size=500)
        HistoricalRecord.objects.bulk_create(history_rows(records, stamp, "+"), batch_size=500)

    def update(self, records: list[Record], fields: list[str], stamp: HistoryStamp) -> None:
        Record.objects.bulk_update(records, fields, batch_size=500)
        HistoricalRecord.objects.bulk_create(history_rows(records, stamp, "~"), batch_size=500)


class PostgresCopyWriter(OrmWriter):
    """PostgreSQL: ids from the sequence, then COPY into the record and history tables."""

    def insert(self, records: list[Record], stamp: HistoryStamp) -> None:
        if not records:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('registry_record', 'id')) "
                "FROM generate_series(1, %s)", [len(records)])
            for record, (pk,) in zip(records, cursor.fetchall(), strict=True):
                record.pk = pk
            columns = ["id", *(f.column for f in RECORD_FIELDS)]
            self._copy(cursor, "registry_record", columns,
                       ([r.pk, *(self._value(f, r) for f in RECORD_FIELDS)] for r in records))
            history_columns = [*columns, "history_date", "history_change_reason",
                               "history_type", "history_user_id"]
            self._copy(cursor, "registry_historicalrecord", history_columns, (
                [r.pk, *(self._value(f, r) for f in RECORD_FIELDS), stamp.when.isoformat(),
                 stamp.reason, "+", _NULL if stamp.user_id is None else stamp.user_id]
                for r in records))
        for record in records:
            record._state.adding = False

    @staticmethod
    def _value(model_field: Any, record: Record) -> Any:
        value = getattr(record, model_field.attname)
        if value is None:
            return _NULL
        if model_field.attname == "raw_values":
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        return value

    @staticmethod
    def _copy(cursor: Any, table: str, columns: list[str], rows: Any) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(rows)
        buffer.seek(0)
        text_columns = [c for c in columns if c in _TEXT_COLUMNS]
        force = f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else ""
        sql = (f"COPY {table} ({', '.join(columns)}) FROM STDIN "  # noqa: S608 (fixed names)
               f"WITH (FORMAT csv, NULL '{_NULL}'{force})")
        cursor.cursor.copy_expert(sql, buffer)


_TEXT_COLUMNS = frozenset(
    f.column for f in RECORD_FIELDS
    if f.get_internal_type() in ("CharField", "TextField", "SlugField")
) | {"history_change_reason"}


def writer_for_connection() -> OrmWriter:
    return PostgresCopyWriter() if connection.vendor == "postgresql" else OrmWriter()
