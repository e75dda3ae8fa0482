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
from operator import itemgetter
from typing import Any

from django.db import connection

from registry.models import Record

HistoricalRecord = Record.history.model
RECORD_FIELDS = [f for f in Record._meta.concrete_fields if f.name != "id"]


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


def record_defaults() -> dict[str, Any]:
    """Return every column of a new record with its model default."""
    return {f.attname: f.get_default() for f in RECORD_FIELDS}


class OrmWriter:
    """Portable path (SQLite and the reference): bulk_create / bulk_update."""

    def insert(self, rows: list[dict[str, Any]], stamp: HistoryStamp) -> list[int]:
        records = [Record(**row) for row in rows]
        Record.objects.bulk_create(records, batch_size=500)
        HistoricalRecord.objects.bulk_create(history_rows(records, stamp, "+"), batch_size=500)
        return [record.pk for record in records]

    def update(self, records: list[Record], fields: list[str], stamp: HistoryStamp) -> None:
        Record.objects.bulk_update(records, fields, batch_size=500)
        HistoricalRecord.objects.bulk_create(history_rows(records, stamp, "~"), batch_size=500)


_BATCH_CONSTANT_COLUMNS = ("kind", "agency_id", "import_batch_id", "source_file",
                           "source_sheet", "created_at", "updated_at", "person_id")
_VARYING = [f for f in RECORD_FIELDS if f.attname not in _BATCH_CONSTANT_COLUMNS]


class PostgresCopyWriter(OrmWriter):
    """PostgreSQL: ids from the sequence, COPY into the record table, history by INSERT…SELECT.

    The COPY is CSV with empty meaning NULL except in text columns (FORCE_NOT_NULL),
    so values go to the csv module as they are: no per-value conversion in Python.
    Columns equal for the whole batch (agency, batch, file, timestamps) are formatted
    once. The history rows are copied server-side from the rows just inserted.
    (Overlapping this with the next chunk's validation in a thread was measured: no
    gain on two busy cores, so it stays sequential and simple.)
    """

    _pick = staticmethod(itemgetter(*[f.attname for f in _VARYING]))
    _force_not_null = [f.column for f in RECORD_FIELDS
                       if f.get_internal_type() in ("CharField", "TextField", "SlugField")]
    _db_columns = ["id", *(f.column for f in _VARYING),
                   *(Record._meta.get_field(name.removesuffix("_id")).column
                     for name in _BATCH_CONSTANT_COLUMNS)]

    def insert(self, rows: list[dict[str, Any]], stamp: HistoryStamp) -> list[int]:
        if not rows:
            return []
        constants = tuple("" if rows[0][name] is None else str(rows[0][name])
                          for name in _BATCH_CONSTANT_COLUMNS)
        columns = ", ".join(self._db_columns)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('registry_record', 'id')) "
                "FROM generate_series(1, %s)", [len(rows)])
            ids = [pk for (pk,) in cursor.fetchall()]
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            pick, dumps = self._pick, json.dumps
            for pk, row in zip(ids, rows, strict=True):
                row["raw_values"] = dumps(row["raw_values"], ensure_ascii=False)
                writer.writerow((pk, *pick(row), *constants))
            buffer.seek(0)
            cursor.cursor.copy_expert(
                f"COPY registry_record ({columns}) FROM STDIN WITH (FORMAT csv, "
                f"FORCE_NOT_NULL ({', '.join(self._force_not_null)}))", buffer,
                size=1 << 20)
            cursor.execute(
                f"INSERT INTO registry_historicalrecord ({columns}, history_date, "  # noqa: S608
                f"history_change_reason, history_type, history_user_id) "
                f"SELECT {columns}, %s, %s, '+', %s FROM registry_record "
                f"WHERE id = ANY(%s)", [stamp.when, stamp.reason, stamp.user_id, ids])
        return ids


def writer_for_connection() -> OrmWriter:
    return PostgresCopyWriter() if connection.vendor == "postgresql" else OrmWriter()
