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
from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import psycopg2
from django.db import IntegrityError, connection

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


# --- PostgreSQL: stage each chunk, then classify and write it set-based ----------------------

NAME_PARTS = ("given_names", "paternal_surname", "maternal_surname", "aliases")
_STAGE = "pg_temp.import_stage"
# The staged rows that match a stored record (its id, and whether the content differs):
# a table of its own, so classifying a chunk never rewrites the staged rows.
_MATCH = "pg_temp.import_match"
_NEW = f"NOT EXISTS (SELECT FROM {_MATCH} m WHERE m.source_row = s.source_row)"
_CHANGED = f"JOIN {_MATCH} m ON m.source_row = s.source_row AND m.changed"
# Off only to compare both ways in tests: the result is the same, the triggers are slower.
USE_SET_BASED_FOREIGN_KEYS = True
_MAX_RAW_COLUMNS = 1000  # wider files keep their raw values as JSON (PostgreSQL: 1,600 columns)
_WRITE_CONSTANTS = {"kind": "%(kind)s", "agency_id": "%(agency)s",
                    "import_batch_id": "%(batch)s", "source_file": "%(file)s",
                    "source_sheet": "%(sheet)s", "created_at": "%(now)s",
                    "updated_at": "%(now)s"}


@dataclass
class StageTarget:
    """Where a committed batch's records go: its batch, file, sheet, time and history stamp."""

    batch_id: int
    source_file: str
    source_sheet: str
    now: dt.datetime
    stamp: HistoryStamp


class ForeignKeyCheck:
    """Keep the records' foreign keys with one check a chunk instead of a trigger a row.

    PostgreSQL checks a foreign key with a query per inserted row (about 40 µs a row
    for the record's and history's keys, a third of the write). Here the batch's
    writes run with ``session_replication_role = replica``, which skips those
    per-row triggers, and the same guarantee is given set-based, in the same
    transaction, before each chunk is written:

    - a key that is the same for the whole batch (agency, batch, history user): its
      row is looked up once and locked ``FOR KEY SHARE``, as the trigger would;
    - a key taken from the file (state, municipality): the distinct staged values
      are locked ``FOR KEY SHARE`` in one statement, and a value with no row fails
      the batch (``IntegrityError``), exactly as the trigger would;
    - a key written as NULL (the person of a new record) needs no check.

    Used only when all of this is known to hold (``plan`` returns None otherwise and
    the triggers do the work): every foreign key of the two tables is one of those
    above, every other trigger on them fires in replica mode too (``ENABLE ALWAYS``:
    registry migration 0009), and the role may set the parameter (a superuser, or
    PostgreSQL 15's ``GRANT SET ON PARAMETER session_replication_role``).
    """

    def __init__(self, *, staged: list[tuple[str, str, str]], previous_role: str):
        self.staged = staged  # (staged column, referenced table, referenced column)
        self.previous_role = previous_role
        self.locked: dict[str, set[Any]] = {}  # staged column -> values locked so far

    @classmethod
    def plan(cls, cursor: Any, *, staged_fields: list[str], constants: dict[str, Any],
             defaults: dict[str, Any]) -> ForeignKeyCheck | None:
        """Lock the batch's constant keys and return the check, or None to use triggers.

        ``constants``: attname -> the value every written row gets (agency, batch, user).
        """
        references = _foreign_keys()
        tables = sorted({table for table, *_rest in references})
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = ANY(%(tables)s::regclass[])), "
            "(SELECT count(*) FROM pg_trigger WHERE tgrelid = ANY(%(tables)s::regclass[]) "
            "AND NOT tgisinternal AND tgenabled <> 'A'), "
            "current_setting('session_replication_role')", {"tables": tables})
        declared, role_bound_triggers, previous_role = cursor.fetchone()
        if declared != len(references) or role_bound_triggers:
            return None
        staged = []
        for _table, column, target, target_column in references:
            if column in constants:
                if constants[column] is not None:
                    _lock_rows(cursor, target, target_column, [constants[column]])
            elif column in staged_fields:
                staged.append((column, target, target_column))
            elif column not in defaults or defaults[column] is not None:
                return None  # written with a value nobody checked here
        cursor.execute("SAVEPOINT import_role_probe")
        try:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL session_replication_role = %s", [previous_role])
        except psycopg2.Error:  # not permitted: the triggers check instead
            cursor.execute("ROLLBACK TO SAVEPOINT import_role_probe")
            return None
        finally:
            cursor.execute("RELEASE SAVEPOINT import_role_probe")
        return cls(staged=staged, previous_role=previous_role)

    def before_writes(self, cursor: Any) -> None:
        """Lock the staged chunk's referenced rows (or fail), then skip the row triggers."""
        for column, target, target_column in self.staged:
            cursor.execute(f"SELECT DISTINCT {column} FROM {_STAGE} "  # noqa: S608 (names)
                           f"WHERE {column} IS NOT NULL")
            locked = self.locked.setdefault(column, set())
            # A row stays locked until the transaction ends: lock each value once a batch.
            new = [value for (value,) in cursor.fetchall() if value not in locked]
            if new:
                _lock_rows(cursor, target, target_column, new)
                locked.update(new)
        cursor.execute("SET LOCAL session_replication_role = replica")

    def after_writes(self, cursor: Any) -> None:
        cursor.execute("SET LOCAL session_replication_role = %s", [self.previous_role])


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in COPY's text format: NULL is \\N; backslash, tab, CR and LF escaped."""
    if value is None:
        return "\\N"
    return (value if value.__class__ is str else str(value)).translate(_COPY_ESCAPES)


def _foreign_keys() -> list[tuple[str, str, str, str]]:
    """(table, column, referenced table, referenced column) of the two tables' constraints."""
    found = []
    for model in (Record, HistoricalRecord):
        for field in model._meta.concrete_fields:
            if field.many_to_one and field.db_constraint:
                target = field.target_field
                found.append((model._meta.db_table, field.column,
                              target.model._meta.db_table, target.column))
    return found


def _lock_rows(cursor: Any, table: str, column: str, values: list[Any]) -> None:
    """Lock rows ``FOR KEY SHARE`` (as a foreign-key trigger does); fail if one is missing."""
    cursor.execute(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s) "  # noqa: S608
                   "FOR KEY SHARE", [values])
    missing = set(values) - {value for (value,) in cursor.fetchall()}
    if missing:
        raise IntegrityError(f"{column} = {sorted(missing)[0]!r} is not present in table {table}")


class PostgresStage:
    """Compare and store a batch's accepted rows set-based, chunk by chunk, in SQL.

    For each chunk (``add``), Python formats the rows as CSV and a worker thread, on the
    same connection and so in the same transaction, does the database work while
    Python validates the next chunk:

    1. ``COPY`` (text format) into the TEMP table ``import_stage`` (no index, no WAL):
       row number, id, the mapped fields as validated, the name key, and the raw cells
       one column each (the server builds the JSON of the raw values).
    2. Classify: one index probe a staged row finds the agency's stored record; the
       matches go to ``import_match`` with whether their content differs: the kind,
       the raw values or any mapped field (``IS DISTINCT FROM``), as the portable path
       decides in Python. Counts and preview samples are read from these two tables; a
       preview stops here, so it counts exactly what a commit does.
    3. Commit only: one ``UPDATE`` of the changed records, feeding their history rows
       through ``RETURNING``, and one ``INSERT`` of the new ones (numbered as they were
       staged: ``new_id``) with another of their history rows from the same staged
       values; unchanged rows are never written (a staged row that turns out unchanged
       leaves a gap in the record ids: harmless, ids are only keys). Foreign keys are
       checked once a chunk (``ForeignKeyCheck``); where the role may not do that, the
       triggers check them at each statement instead of all at the commit, so that
       work overlaps Python's too.

    At most one chunk is in flight. The connection must never run two things at once
    (psycopg2 does not keep a COPY from being interleaved): the importer calls ``idle``
    before any query of its own while the file is read, and ``close`` before it leaves
    its transaction, so nothing runs on the connection after a commit or rollback.
    """

    def __init__(self, *, agency_id: int, record_kind: str, headers: list[str],
                 mapped: list[str], state_derived: bool, target: StageTarget | None,
                 name_key: Callable[..., str], sample_size: int):
        self.agency_id = agency_id
        self.record_kind = record_kind
        self.headers = headers
        self.target = target  # None: a preview, nothing is written
        self.name_key = name_key
        self.sample_size = sample_size
        # Attnames of the mapped fields; the state may only be derived from a municipality.
        self.mapped = [name for name in mapped if name != "external_id"]
        self.state_derived = state_derived and "event_state_id" not in self.mapped
        self.staged_fields = [*self.mapped, *(["event_state_id"] if self.state_derived else [])]
        self.raw_width = len(headers) if len(headers) <= _MAX_RAW_COLUMNS else 0
        self._raw_pick = itemgetter(*headers) if self.raw_width > 1 else None
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        self._touched = array("q")  # ids created or changed, collected chunk by chunk
        self.samples: dict[str, list[dict[str, Any]]] = {"created": [], "updated": []}
        fields = {f.attname: f for f in RECORD_FIELDS}
        columns = [("source_row", "integer"), ("external_id", "text"), ("name_search", "text"),
                   ("n_cells", "integer"), ("raw_json", "jsonb")]
        columns += [(name, fields[name].db_type(connection)) for name in self.staged_fields]
        columns += [(f"raw_{i}", "text") for i in range(1, self.raw_width + 1)]
        copy_columns = [name for name, _type in columns]
        if target:  # not copied: its default numbers the rows that become new records
            columns.append(("new_id", "bigint DEFAULT nextval(%(sequence)s::regclass)"))
        self._copy_sql = f"COPY {_STAGE} ({', '.join(copy_columns)}) FROM STDIN"
        self._tabs = len(copy_columns) - 1
        self._classify_sql = self._build_classify_sql()
        self._write_sql = self._build_write_sql() if target else ()
        connection.ensure_connection()
        self._db = connection.connection  # the raw connection: usable from the worker
        self._pending: Future | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-stage")
        self._checked_per_statement: list[str] = []
        self._foreign_keys: ForeignKeyCheck | None = None
        with self._db.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}")
            cursor.execute("SELECT pg_get_serial_sequence('registry_record', 'id')")
            cursor.execute(
                f"CREATE TEMP TABLE import_stage ({', '.join(f'{n} {t}' for n, t in columns)}) "
                "ON COMMIT DROP", {"sequence": cursor.fetchone()[0]})
            cursor.execute(f"DROP TABLE IF EXISTS {_MATCH}")
            cursor.execute("CREATE TEMP TABLE import_match (source_row integer, "
                           "record_id bigint, changed boolean) ON COMMIT DROP")
            if target and USE_SET_BASED_FOREIGN_KEYS:
                self._foreign_keys = ForeignKeyCheck.plan(
                    cursor, staged_fields=self.staged_fields, defaults=record_defaults(),
                    constants={"agency_id": agency_id, "import_batch_id": target.batch_id,
                               "history_user_id": target.stamp.user_id})
            if target and self._foreign_keys is None:
                cursor.execute(
                    "SELECT quote_ident(conname) FROM pg_constraint WHERE contype = 'f' AND "
                    "condeferrable AND conrelid IN ('registry_record'::regclass, "
                    "'registry_historicalrecord'::regclass)")
                self._checked_per_statement = [name for (name,) in cursor.fetchall()]
                if self._checked_per_statement:
                    cursor.execute(
                        f"SET CONSTRAINTS {', '.join(self._checked_per_statement)} IMMEDIATE")

    # --- Python side (the importer's thread) -----------------------------------------------

    def add(self, rows: list[tuple[Any, str, str]]) -> None:
        """Stage (validated row, external id, name key) triples; their database work runs
        in the worker while the caller goes on. Raises the previous chunk's error."""
        if not rows:
            return
        lines = []
        fields = self.staged_fields
        pick = itemgetter(*fields) if len(fields) > 1 else None
        width, raw_pick, padding = self.raw_width, self._raw_pick, [""] * self.raw_width
        derived, tabs = self.state_derived, self._tabs
        for row, external_id, name_key in rows:
            values = row.values
            if derived and "event_state_id" not in values:
                values["event_state_id"] = None
            field_values = (pick(values) if pick else (values[fields[0]],)) if fields else ()
            cells, count, as_json = self._raw_cells(row.raw, width, raw_pick, padding)
            staged = (row.row_number, external_id, name_key, count, as_json, *field_values,
                      *cells)
            # COPY's text format, joined in one go; escaped cell by cell only when a cell
            # holds a backslash, tab or line break (each NULL is the one backslash of \N).
            line = "\t".join([value if value.__class__ is str else
                              ("\\N" if value is None else str(value)) for value in staged])
            if line.count("\\") != staged.count(None) or line.count("\t") != tabs \
                    or "\n" in line or "\r" in line:
                line = "\t".join(map(_copy_text, staged))
            lines.append(line)
        lines.append("")
        buffer = io.StringIO("\n".join(lines))
        self._wait()
        self._pending = self._worker.submit(self._load_chunk, buffer)

    def finish(self) -> dict[str, int]:
        """Wait for the last chunk; return the created / updated / unchanged counts."""
        self._wait()
        with self._db.cursor() as cursor:
            if self._checked_per_statement:
                cursor.execute(
                    f"SET CONSTRAINTS {', '.join(self._checked_per_statement)} DEFERRED")
            cursor.execute(f"DROP TABLE IF EXISTS {_STAGE}, {_MATCH}")
        return self.counts

    def idle(self) -> None:
        """Wait until the worker is done with the connection (raises its error, if any)."""
        self._wait()

    def close(self) -> None:
        """Wait for any chunk in flight (ignoring its error) and stop the worker."""
        if self._pending is not None:
            wait([self._pending])
            self._pending = None
        self._worker.shutdown(wait=True)

    def touched_ids(self, into: Any) -> None:
        """Append the ids of the records this batch created or changed (8 bytes each)."""
        into.extend(self._touched)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

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

    # --- database side (the worker) --------------------------------------------------------

    def _load_chunk(self, buffer: io.StringIO) -> None:
        params = self._params()
        with self._db.cursor() as cursor:
            cursor.execute(f"TRUNCATE {_STAGE}, {_MATCH}")
            cursor.copy_expert(self._copy_sql, buffer, size=1 << 20)
            cursor.execute(self._classify_sql, params)
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {_STAGE}) - count(*), "  # noqa: S608
                f"count(*) FILTER (WHERE changed), count(*) FILTER (WHERE NOT changed) "
                f"FROM {_MATCH}")
            created, updated, unchanged = cursor.fetchone()
            self.counts["created"] += created
            self.counts["updated"] += updated
            self.counts["unchanged"] += unchanged
            self._take_samples(cursor, params, {"created": created, "updated": updated})
            if self.target is None:
                return
            if updated:
                self._fill_merged_name_keys(cursor)
            if not (updated or created):
                return
            if self._foreign_keys is not None:
                self._foreign_keys.before_writes(cursor)
            for sql, history_type, needed in zip(self._write_sql, "~+", (updated, created),
                                                 strict=True):
                if needed:
                    cursor.execute(sql, {**params, "type": history_type})
            if self._foreign_keys is not None:
                # Not reached after an error: the transaction is then rolled back, and
                # the role with it (it is SET LOCAL).
                self._foreign_keys.after_writes(cursor)
            # As text: 5,000 ids never become 5,000 Python tuples.
            cursor.execute(
                "SELECT string_agg(id::text, ',' ORDER BY id) FROM ("  # noqa: S608
                f"SELECT s.new_id AS id FROM {_STAGE} s WHERE {_NEW} "
                f"UNION ALL SELECT record_id FROM {_MATCH} WHERE changed) touched")
            self._touched.extend(map(int, cursor.fetchone()[0].split(",")))

    def _build_classify_sql(self) -> str:
        differs = ["r.kind IS DISTINCT FROM %(kind)s",
                   f"r.raw_values IS DISTINCT FROM {self._raw_sql('s')}"]
        differs += [f"r.{name} IS DISTINCT FROM s.{name}" for name in self.mapped]
        if self.state_derived:  # compared only when the municipality gave a state
            differs.append("(s.event_state_id IS NOT NULL "
                           "AND r.event_state_id IS DISTINCT FROM s.event_state_id)")
        # A lateral sub-select kept apart (OFFSET 0): one probe of the unique (agency,
        # external_id) index a staged row, whatever the (often stale, after a big import)
        # statistics say; no row for a new one.
        return (f"INSERT INTO {_MATCH} SELECT s.source_row, r.id, r.changed "  # noqa: S608
                f"FROM {_STAGE} s CROSS JOIN LATERAL (SELECT r.id, {' OR '.join(differs)} "
                "AS changed FROM registry_record r WHERE r.agency_id = %(agency)s "
                "AND r.external_id = s.external_id OFFSET 0) r")

    def _take_samples(self, cursor: Any, params: dict[str, Any],
                      in_chunk: dict[str, int]) -> None:
        """Keep the first created and updated rows (row, id, name as it will be stored)."""
        for key, rows, source in (
                ("created", f"{_STAGE} s WHERE {_NEW}", "new"),
                ("updated", f"{_STAGE} s {_CHANGED} JOIN registry_record r ON r.id = m.record_id",
                 "merged")):
            room = self.sample_size - len(self.samples[key])
            if room <= 0 or not in_chunk[key]:  # full, or nothing of the kind here
                continue
            parts = [self._name_part_sql(part, source) for part in NAME_PARTS[:3]]
            cursor.execute(
                f"SELECT s.source_row, s.external_id, {', '.join(parts)} "  # noqa: S608
                f"FROM {rows} ORDER BY s.source_row LIMIT %(room)s", {**params, "room": room})
            self.samples[key].extend(
                {"row": row, "external_id": external_id,
                 "name": " ".join(part for part in names if part)}
                for row, external_id, *names in cursor.fetchall())

    def _name_part_sql(self, part: str, source: str) -> str:
        if part in self.mapped:
            return f"s.{part}"
        return "''" if source == "new" else f"r.{part}"

    def _build_write_sql(self) -> tuple[str, str]:
        """Return the UPDATE of changed and the INSERT of new records, with their history."""
        history = ", ".join(f.column for f in RECORD_FIELDS)
        history_insert = (f"INSERT INTO registry_historicalrecord (id, {history}, "  # noqa: S608
                          "history_date, history_change_reason, history_type, "
                          f"history_user_id) SELECT id, {history}, %(when)s, %(reason)s, "
                          "%(type)s, %(user)s FROM ")
        sets = [f"{name} = s.{name}" for name in self.mapped]
        if self.state_derived:
            sets.append("event_state_id = COALESCE(s.event_state_id, r.event_state_id)")
        sets += ["kind = %(kind)s", f"raw_values = {self._raw_sql('s')}",
                 "name_search = s.name_search", "updated_at = %(now)s",
                 "import_batch_id = %(batch)s", "source_file = %(file)s",
                 "source_sheet = %(sheet)s", "source_row = s.source_row"]
        columns, selects = ["id"], ["s.new_id"]
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
                selects.append(f"%(d_{name})s")
        update = (f"WITH changed AS (UPDATE registry_record r SET {', '.join(sets)} "  # noqa: S608
                  f"FROM {_STAGE} s {_CHANGED} WHERE r.id = m.record_id RETURNING r.*) "
                  f"{history_insert} changed")
        # New records and their history rows: the same values from the stage, in two
        # statements (cheaper than passing every new row through RETURNING).
        values, new_rows = ", ".join(selects), f"FROM {_STAGE} s WHERE {_NEW}"
        insert = (f"INSERT INTO registry_record ({', '.join(columns)}) "
                  f"SELECT {values} {new_rows}; "
                  f"INSERT INTO registry_historicalrecord ({', '.join(columns)}, history_date, "
                  "history_change_reason, history_type, history_user_id) "
                  f"SELECT {values}, %(when)s, %(reason)s, %(type)s, %(user)s {new_rows}")
        return update, insert

    def _fill_merged_name_keys(self, cursor: Any) -> None:
        """Changed rows whose file lacks a name column keep the stored part: re-key them.

        The name key is Python's (``mxnames.text.search_key``), so it is computed here
        for those rows from the staged and the stored parts, never re-implemented in SQL.
        """
        if all(part in self.mapped for part in NAME_PARTS):
            return
        parts = [self._name_part_sql(part, "merged") for part in NAME_PARTS]
        cursor.execute(
            f"SELECT s.source_row, {', '.join(parts)} FROM {_STAGE} s "  # noqa: S608
            f"{_CHANGED} JOIN registry_record r ON r.id = m.record_id")
        keys = [(row, self.name_key(*names)) for row, *names in cursor.fetchall()]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(keys)
        buffer.seek(0)
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS import_stage_names "
                       "(source_row integer, name_search text) ON COMMIT DROP")
        cursor.execute("TRUNCATE pg_temp.import_stage_names")
        cursor.copy_expert("COPY pg_temp.import_stage_names FROM STDIN WITH "
                           "(FORMAT csv, FORCE_NOT_NULL (name_search))", buffer)
        cursor.execute(f"UPDATE {_STAGE} s SET name_search = n.name_search "  # noqa: S608
                       "FROM pg_temp.import_stage_names n WHERE n.source_row = s.source_row")

    def _params(self) -> dict[str, Any]:
        params = {"kind": self.record_kind, "agency": self.agency_id, "headers": self.headers}
        if self.target is not None:
            target = self.target
            params.update(batch=target.batch_id, file=target.source_file,
                          sheet=target.source_sheet, now=target.now, when=target.stamp.when,
                          reason=target.stamp.reason, user=target.stamp.user_id)
            params.update({f"d_{name}": value for name, value in record_defaults().items()})
        return params

    def _raw_sql(self, alias: str) -> str:
        if not self.raw_width:
            return f"{alias}.raw_json"
        cells = ", ".join(f"{alias}.raw_{i}" for i in range(1, self.raw_width + 1))
        count = f"{alias}.n_cells"
        return (f"COALESCE({alias}.raw_json, jsonb_object((%(headers)s::text[])[1:{count}], "
                f"(ARRAY[{cells}])[1:{count}]))")
