"""Store records and their history rows in bulk: set-based on PostgreSQL, bulk_create elsewhere.

Both paths do the same thing inside the caller's transaction: insert the new records
(ids assigned) and update the changed ones, each with one history row per record
(``history_type`` "+" for created, "~" for changed), so ``record.history`` reads
exactly as if each record had been saved one by one.

- ``OrmWriter`` (SQLite, the embedded default): the importer compares each chunk with
  the stored records in Python, then ``bulk_create`` / ``bulk_update``.
- ``PostgresStage``: the importer streams rows into a TEMP table with ``COPY`` and the
  comparison and the writes are a few statements over the whole batch.
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
    """Portable path (SQLite): bulk_create / bulk_update."""

    def insert(self, rows: list[dict[str, Any]], stamp: HistoryStamp) -> list[int]:
        records = [Record(**row) for row in rows]
        Record.objects.bulk_create(records, batch_size=500)
        HistoricalRecord.objects.bulk_create(history_rows(records, stamp, "+"), batch_size=500)
        return [record.pk for record in records]

    def update(self, records: list[Record], fields: list[str], stamp: HistoryStamp) -> None:
        Record.objects.bulk_update(records, fields, batch_size=500)
        HistoricalRecord.objects.bulk_create(history_rows(records, stamp, "~"), batch_size=500)


# --- PostgreSQL: stage the batch, then classify and write it set-based ------------------------

NAME_PARTS = ("given_names", "paternal_surname", "maternal_surname", "aliases")
_STAGE = "pg_temp.import_stage"
_MAX_RAW_COLUMNS = 1000  # wider files keep their raw values as JSON (PostgreSQL: 1,600 columns)


class PostgresStage:
    """Stream a batch's accepted rows into a TEMP table; compare and store them set-based.

    1. ``add``: each chunk goes by ``COPY`` into ``import_stage`` (no index, no WAL): the
       row number, the id, the mapped fields as validated, the name key, and the raw
       cells one column each (the server builds the JSON of the raw values).
    2. ``classify``: one join with the agency's stored records gives each staged row its
       record id and whether its content differs; the counts and preview samples are
       read from the stage. The preview stops here, so it counts exactly what the
       commit does.
    3. ``write`` (commit): one ``UPDATE`` of the changed records and one ``INSERT`` of
       the new ones, each feeding its history rows through ``RETURNING`` in the same
       statement; unchanged rows are never touched.

    A row is "changed" when the kind, the raw values or any mapped field differs, as
    the portable path decides in Python (``IS DISTINCT FROM`` for NULLs).
    """

    def __init__(self, *, agency_id: int, record_kind: str, headers: list[str],
                 mapped: list[str], state_derived: bool):
        self.agency_id = agency_id
        self.record_kind = record_kind
        self.headers = headers
        # Attnames of the mapped fields; the state may only be derived from a municipality.
        self.mapped = [name for name in mapped if name != "external_id"]
        self.state_derived = state_derived and "event_state_id" not in self.mapped
        self.staged_fields = [*self.mapped, *(["event_state_id"] if self.state_derived else [])]
        self.raw_width = len(headers) if len(headers) <= _MAX_RAW_COLUMNS else 0
        self._raw_pick = itemgetter(*headers) if self.raw_width > 1 else None
        self._header_set = set(headers)
        self.rows_staged = 0
        fields = {f.attname: f for f in RECORD_FIELDS}
        columns = [("source_row", "integer"), ("external_id", "text"), ("name_search", "text"),
                   ("n_cells", "integer"), ("raw_json", "jsonb")]
        columns += [(name, fields[name].db_type(connection)) for name in self.staged_fields]
        columns += [(f"raw_{i}", "text") for i in range(1, self.raw_width + 1)]
        columns += [("record_id", "bigint"), ("changed", "boolean")]
        self._copy_columns = [name for name, _type in columns[:-2]]
        text_columns = {"external_id", "name_search",
                        *(f"raw_{i}" for i in range(1, self.raw_width + 1)),
                        *(name for name in self.staged_fields
                          if fields[name].get_internal_type() in ("CharField", "TextField"))}
        self._force_not_null = [name for name in self._copy_columns if name in text_columns]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
            cursor.execute(
                f"CREATE TEMP TABLE import_stage ({', '.join(f'{n} {t}' for n, t in columns)}) "
                "ON COMMIT DROP")

    # --- 1. stage ----------------------------------------------------------------------------

    def add(self, rows: list[tuple[Any, str, str]]) -> None:
        """Stage (validated row, external id, name key) triples."""
        if not rows:
            return
        buffer = io.StringIO()
        writerow = csv.writer(buffer, lineterminator="\n").writerow
        fields = self.staged_fields
        pick = itemgetter(*fields) if len(fields) > 1 else None
        width, raw_pick, padding = self.raw_width, self._raw_pick, [""] * self.raw_width
        derived = self.state_derived
        for row, external_id, name_key in rows:
            values = row.values
            if derived and "event_state_id" not in values:
                values["event_state_id"] = None
            field_values = (pick(values) if pick else (values[fields[0]],)) if fields else ()
            raw = row.raw
            cells, count, as_json = self._raw_cells(raw, width, raw_pick, padding)
            writerow((row.row_number, external_id, name_key, count, as_json,
                      *field_values, *cells))
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {_STAGE} ({', '.join(self._copy_columns)}) FROM STDIN WITH "
                f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(self._force_not_null)}))", buffer,
                size=1 << 20)
        self.rows_staged += len(rows)

    def _raw_cells(self, raw: dict[str, str], width: int, raw_pick: Any,
                   padding: list[str]) -> tuple[Any, int, str | None]:
        """Return (cells in header order, how many, or the raw values as JSON instead)."""
        size = len(raw)
        if size == width and raw_pick is not None:
            try:
                return raw_pick(raw), size, None
            except KeyError:  # a key outside the headers: keep the raw values as JSON
                pass
        elif 0 < size < width and list(raw) == self.headers[:size]:
            return [*raw.values(), *padding[size:]], size, None
        elif size == width == 1 and self.headers[0] in raw:
            return [raw[self.headers[0]]], 1, None
        return padding, 0, json.dumps(raw, ensure_ascii=False)

    def _raw_sql(self, alias: str) -> str:
        if not self.raw_width:
            return f"{alias}.raw_json"
        cells = ", ".join(f"{alias}.raw_{i}" for i in range(1, self.raw_width + 1))
        count = f"{alias}.n_cells"
        return (f"COALESCE({alias}.raw_json, jsonb_object((%(headers)s::text[])[1:{count}], "
                f"(ARRAY[{cells}])[1:{count}]))")

    # --- 2. classify -------------------------------------------------------------------------

    def classify(self) -> dict[str, int]:
        """Join the stage with the stored records; return created/updated/unchanged counts."""
        differs = ["r.kind IS DISTINCT FROM %(kind)s",
                   f"r.raw_values IS DISTINCT FROM {self._raw_sql('s')}"]
        differs += [f"r.{name} IS DISTINCT FROM s.{name}" for name in self.mapped]
        if self.state_derived:  # compared only when the municipality gave a state
            differs.append("(s.event_state_id IS NOT NULL "
                           "AND r.event_state_id IS DISTINCT FROM s.event_state_id)")
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_STAGE}")
            cursor.execute(
                f"UPDATE {_STAGE} s SET record_id = r.id, changed = ({' OR '.join(differs)}) "  # noqa: S608
                "FROM registry_record r "
                "WHERE r.agency_id = %(agency)s AND r.external_id = s.external_id",
                self._params())
            cursor.execute(
                "SELECT count(*) FILTER (WHERE record_id IS NULL), "  # noqa: S608
                "count(*) FILTER (WHERE changed), count(*) FILTER (WHERE NOT changed) "
                f"FROM {_STAGE}")
            created, updated, unchanged = cursor.fetchone()
        return {"created": created, "updated": updated, "unchanged": unchanged}

    def samples(self, limit: int) -> dict[str, list[dict[str, Any]]]:
        """Return the first ``limit`` created and updated rows (row, id, name as stored)."""
        out: dict[str, list[dict[str, Any]]] = {}
        for key, where, source in (("created", "s.record_id IS NULL", "new"),
                                   ("updated", "s.changed", "merged")):
            parts = [self._name_part_sql(part, source) for part in NAME_PARTS[:3]]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT s.source_row, s.external_id, {', '.join(parts)} "  # noqa: S608
                    f"FROM {_STAGE} s LEFT JOIN registry_record r ON r.id = s.record_id "
                    f"WHERE {where} ORDER BY s.source_row LIMIT %(limit)s",
                    {"limit": limit})
                out[key] = [{"row": row, "external_id": external_id,
                             "name": " ".join(part for part in names if part)}
                            for row, external_id, *names in cursor.fetchall()]
        return out

    def _name_part_sql(self, part: str, source: str) -> str:
        if part in self.mapped:
            return f"s.{part}"
        return "''" if source == "new" else f"r.{part}"

    # --- 3. write ----------------------------------------------------------------------------

    def write(self, *, batch_id: int, source_file: str, source_sheet: str, now: dt.datetime,
              stamp: HistoryStamp, name_key: Any) -> None:
        """Update the changed records, insert the new ones, each with its history row."""
        params = {**self._params(), "batch": batch_id, "file": source_file,
                  "sheet": source_sheet, "now": now, "when": stamp.when,
                  "reason": stamp.reason, "user": stamp.user_id}
        history = ", ".join(f.column for f in RECORD_FIELDS)
        history_insert = (f"INSERT INTO registry_historicalrecord (id, {history}, history_date, "  # noqa: S608
                          "history_change_reason, history_type, history_user_id) "
                          f"SELECT id, {history}, %(when)s, %(reason)s, %(type)s, %(user)s FROM ")
        self._fill_merged_name_keys(name_key)
        sets = [f"{name} = s.{name}" for name in self.mapped]
        if self.state_derived:
            sets.append("event_state_id = COALESCE(s.event_state_id, r.event_state_id)")
        sets += ["kind = %(kind)s", f"raw_values = {self._raw_sql('s')}",
                 "name_search = s.name_search", "updated_at = %(now)s",
                 "import_batch_id = %(batch)s", "source_file = %(file)s",
                 "source_sheet = %(sheet)s", "source_row = s.source_row"]
        columns, selects = ["id"], ["nextval(pg_get_serial_sequence('registry_record', 'id'))"]
        defaults = record_defaults()
        for field in RECORD_FIELDS:
            name = field.attname
            columns.append(field.column)
            if name in self.staged_fields or name in ("external_id", "name_search",
                                                      "source_row"):
                selects.append(f"s.{name}")
            elif name == "raw_values":
                selects.append(self._raw_sql("s"))
            elif name in _WRITE_CONSTANTS:
                selects.append(_WRITE_CONSTANTS[name])
            else:
                params[f"d_{name}"] = defaults[name]
                selects.append(f"%(d_{name})s")
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH changed AS (UPDATE registry_record r SET {', '.join(sets)} "  # noqa: S608
                f"FROM {_STAGE} s WHERE s.changed AND r.id = s.record_id RETURNING r.*) "
                f"{history_insert} changed", {**params, "type": "~"})
            cursor.execute(
                f"WITH created AS (INSERT INTO registry_record ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(selects)} FROM {_STAGE} s WHERE s.record_id IS NULL "
                f"RETURNING *) {history_insert} created",
                {**params, "type": "+"})

    def touched_ids(self, batch_id: int, into: Any) -> None:
        """Append the ids of the records this batch created or changed (8 bytes each).

        Read in pages of text so a million ids never become a million Python tuples.
        """
        last = 0
        with connection.cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT max(id), string_agg(id::text, ',') FROM (SELECT id "
                    "FROM registry_record WHERE import_batch_id = %s AND id > %s "
                    "ORDER BY id LIMIT 100000) page", [batch_id, last])
                last, ids = cursor.fetchone()
                if last is None:
                    return
                into.extend(map(int, ids.split(",")))

    def _fill_merged_name_keys(self, name_key: Any) -> None:
        """Changed rows whose file lacks a name column keep the stored part: re-key them.

        The name key is Python's (``registry.text.search_key``), so it is computed here
        for those rows from the staged and the stored parts, never re-implemented in SQL.
        """
        missing = [part for part in NAME_PARTS if part not in self.mapped]
        if not missing:
            return
        parts = [self._name_part_sql(part, "merged") for part in NAME_PARTS]
        keys: list[tuple[int, str]] = []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.source_row, {', '.join(parts)} FROM {_STAGE} s "  # noqa: S608
                "JOIN registry_record r ON r.id = s.record_id WHERE s.changed")
            while page := cursor.fetchmany(5000):
                keys.extend((row, name_key(*names)) for row, *names in page)
        if not keys:
            return
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE import_stage_names (source_row integer, "
                           "name_search text) ON COMMIT DROP")
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(keys)
            buffer.seek(0)
            cursor.cursor.copy_expert("COPY pg_temp.import_stage_names FROM STDIN WITH "
                                      "(FORMAT csv, FORCE_NOT_NULL (name_search))", buffer)
            cursor.execute(f"UPDATE {_STAGE} s SET name_search = n.name_search "  # noqa: S608
                           "FROM pg_temp.import_stage_names n WHERE n.source_row = s.source_row")
            cursor.execute("DROP TABLE pg_temp.import_stage_names")

    def _params(self) -> dict[str, Any]:
        return {"kind": self.record_kind, "agency": self.agency_id, "headers": self.headers}

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")


_WRITE_CONSTANTS = {"kind": "%(kind)s", "agency_id": "%(agency)s",
                    "import_batch_id": "%(batch)s", "source_file": "%(file)s",
                    "source_sheet": "%(sheet)s", "created_at": "%(now)s",
                    "updated_at": "%(now)s"}
