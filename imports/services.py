"""Writes of the imports app: preview, commit and roll back a batch.

A batch commits whole or not at all: every row of the file is read, validated and
stored inside ONE transaction that first locks the agency row, so two imports of
the same agency queue instead of both inserting the same folio. The batch's own
status and progress are written outside that transaction (a separate connection
on PostgreSQL), so a crash leaves the data untouched and the batch visibly failed.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import uuid
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.mapping import HEADER_SEARCH_ROWS, ColumnPlan, build_plan, is_header_row
from imports.models import ColumnMapping, ImportBatch, ImportStatus, RejectedRow, RowIssue
from imports.readers import ImportFileError, TabularSource, open_source
from imports.seen import SeenKeys
from imports.validation import RowValidator, ValidatedRow, row_fingerprint
from imports.writers import (
    HistoricalRecord,
    HistoryStamp,
    OrmWriter,
    PostgresStage,
    StageTarget,
    record_defaults,
)
from matching.linkage import match_new_records
from mxnames.text import search_key
from registry.audit import audit_event_record
from registry.models import Agency, AuditEvent, Record

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
# PostgreSQL stages the rows and compares and writes them set-based (imports.writers);
# off, it takes the portable path (tests compare the two on the same files).
SET_BASED_ON_POSTGRES = True
PREVIEW_SAMPLE = 20
# Namespace of the PostgreSQL advisory lock a running import holds on its batch id;
# if nobody holds it while the batch says "running", the importer died.
_RUNNING_LOCK_NAMESPACE = 7_404_301
STALE_AFTER = timezone.timedelta(minutes=15)

# Fields an import may set, compared with the stored record to tell "changed" from
# "unchanged" (provenance such as the row number is not content).
CONTENT_FIELDS = (
    "kind", "given_names", "paternal_surname", "maternal_surname", "aliases", "sex",
    "birth_date", "age", "curp", "nationality", "event_date", "event_state_id",
    "event_municipality_id", "place", "authority", "facility", "reason", "description",
    "address", "reporter_name", "reporter_contact", "raw_values",
)
PROVENANCE_FIELDS = ("import_batch_id", "source_file", "source_sheet", "source_row")


# --- file intake ---------------------------------------------------------------------------

def import_file_store(*, upload: Any, file_name: str) -> tuple[str, str, int]:
    """Copy an uploaded file under MEDIA_ROOT/imports; return (relative path, sha256, size).

    The size limit is enforced while copying, so an oversized upload is never kept.
    """
    max_bytes = int(getattr(settings, "IMPORT_MAX_FILE_BYTES", 200 * 1024 * 1024))
    suffix = Path(file_name).suffix.lower()[:10]
    relative = f"imports/{uuid.uuid4().hex}{suffix}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else _file_chunks(upload):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                target.unlink(missing_ok=True)
                raise ImportFileError(
                    _("El archivo supera el tamaño máximo permitido (%(max)s bytes).")
                    % {"max": max_bytes})
            digest.update(chunk)
            out.write(chunk)
    return relative, digest.hexdigest(), size


def _file_chunks(handle: Any) -> Iterator[bytes]:
    while chunk := handle.read(1 << 20):
        yield chunk


def batch_file_path(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / batch.stored_file


def import_batch_create(*, agency: Agency, record_kind: str, upload: Any, file_name: str,
                        actor: Any, source: str = ImportBatch.Source.UPLOAD, sheet: str = "",
                        mapping: ColumnMapping | None = None,
                        resubmission_of: ImportBatch | None = None) -> ImportBatch:
    """Store the file, check that it can be read (header found) and create a pending batch.

    Raises ImportFileError (nothing created) when the file is refused.
    """
    relative, sha256, size = import_file_store(upload=upload, file_name=file_name)
    path = Path(settings.MEDIA_ROOT) / relative
    try:
        source_of = _file_source(path, file_name, sheet)
        _read_header(source_of(), mapping.columns if mapping else None)
    except ImportFileError:
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            agency=agency, record_kind=record_kind, source=source, file_name=file_name[:255],
            file_sha256=sha256, file_size=size, stored_file=relative, sheet_name=sheet,
            mapping=mapping, created_by=actor if getattr(actor, "pk", None) else None,
            resubmission_of=resubmission_of,
        )
        audit_event_record(actor=actor, action=AuditEvent.Action.CREATE, target=batch,
                           details={"file_name": batch.file_name, "sha256": sha256,
                                    "size": size})
    return batch


def _file_source(path: Path, file_name: str, sheet: str) -> Callable[[], TabularSource]:
    return lambda: open_source(path, file_name=file_name, sheet=sheet)


@dataclass
class HeaderFound:
    plan: ColumnPlan
    rows: Iterator[tuple[int, list[Any]]]
    header_row: int


def _read_header(source: TabularSource, saved: dict[str, str] | None) -> HeaderFound:
    """Skip title rows until a row of recognised headers; refuse the file if none."""
    rows = source.rows()
    for number, cells in rows:
        if is_header_row(cells, saved):
            return HeaderFound(plan=build_plan(cells, saved), rows=rows, header_row=number)
        if number >= HEADER_SEARCH_ROWS:
            break
    source.close()
    raise ImportFileError(_(
        "No se encontró la fila de encabezados en las primeras %(n)s filas: se esperan "
        "columnas como NOMBRE(S), APELLIDO PATERNO, FECHA DE NACIMIENTO, CURP, ENTIDAD.")
        % {"n": HEADER_SEARCH_ROWS})


# --- progress, outside the data transaction ------------------------------------------------

def progress_cache_key(batch: ImportBatch) -> str:
    # The creation time too: a rolled-back test transaction (or SQLite) may reuse an id.
    return f"imports:progress:{batch.pk}:{batch.created_at.timestamp()}"


class ProgressReporter:
    """Publish rows processed: in the cache, and on PostgreSQL on the batch row itself.

    The batch row is written through a second connection in autocommit, so the
    batch page sees progress while the data transaction is still open.
    """

    def __init__(self, batch: ImportBatch, *, every_rows: int = 20_000):
        self.batch_id = batch.pk
        self.cache_key = progress_cache_key(batch)
        self.every_rows = every_rows
        self.last_rows = 0
        self.side = None
        self.listeners: list[Callable[[int, int], None]] = []
        if connection.vendor == "postgresql":
            self.side = connections.create_connection("default")

    def set_status(self, **fields: Any) -> None:
        """Write status fields now, committed, whatever the data transaction does."""
        fields.setdefault("heartbeat_at", timezone.now())
        if self.side is None or not connection.in_atomic_block:
            ImportBatch.objects.filter(pk=self.batch_id).update(**fields)
            return
        self._side_update(fields)

    def rows_done(self, rows: int, total_hint: int = 0) -> None:
        cache.set(self.cache_key, rows, 3600)
        cache.set(self.cache_key + ":alive", True, int(STALE_AFTER.total_seconds()))
        for listener in self.listeners:
            listener(rows, total_hint)
        if rows - self.last_rows >= self.every_rows:
            self.last_rows = rows
            if self.side is not None:
                self._side_update({"progress_rows": rows, "heartbeat_at": timezone.now()})

    def _side_update(self, fields: dict[str, Any]) -> None:
        assignments = ", ".join(f"{name} = %s" for name in fields)
        try:
            with self.side.cursor() as cursor:
                # Never wait on a lock held by our own data transaction.
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute(
                    f"UPDATE imports_importbatch SET {assignments} WHERE id = %s",  # noqa: S608
                    [*fields.values(), self.batch_id])
        except DatabaseError:
            logger.warning("could not publish progress of batch %s", self.batch_id)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


# --- the importer --------------------------------------------------------------------------

@dataclass
class BatchCounts:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warned: int = 0
    preview: dict[str, list] = field(default_factory=lambda: {"created": [], "updated": [],
                                                              "rejected": []})
    # 8 bytes per id (a list of ints would cost ~36 bytes each on a million-row file).
    touched_ids: array = field(default_factory=lambda: array("q"))


class BatchImporter:
    """Read, validate, classify and (unless a dry run) store one batch.

    Steps of ``run``:
    1. Find the header row and plan the columns.
    2. In one transaction, lock the agency (concurrent imports of it queue here).
    3. For each chunk of rows: validate; give rows without a folio a fingerprint;
       reject duplicates inside the file; keep rejected rows; compare with the stored
       records and write creates and changes with history rows (commit only). On
       PostgreSQL the accepted rows are staged and compared and written set-based
       once the file is read (``imports.writers.PostgresStage``).
    4. Write the counts and status, audit, and hand new records to matching after
       the commit.
    """

    def __init__(self, *, batch: ImportBatch, source_of: Callable[[], TabularSource],
                 dry_run: bool, actor: Any = None, progress: ProgressReporter | None = None):
        self.batch = batch
        self.source_of = source_of
        self.dry_run = dry_run
        self.actor = actor
        self.progress = progress or ProgressReporter(batch)
        self.counts = BatchCounts()
        self.seen = SeenKeys()
        self.writer = OrmWriter()
        self.stage: PostgresStage | None = None
        now = timezone.now()
        self.defaults = {**record_defaults(), "kind": batch.record_kind,
                         "agency_id": batch.agency_id, "import_batch_id": batch.pk,
                         "source_file": batch.file_name[:255], "created_at": now,
                         "updated_at": now}
        self.stamp = HistoryStamp(
            when=timezone.now(), user_id=getattr(actor, "pk", None),
            reason=_("Importación, lote %(id)s") % {"id": batch.pk})

    def run(self) -> ImportBatch:
        source = self.source_of()
        self.batch.detected_encoding = source.encoding
        saved = self.batch.mapping.columns if self.batch.mapping_id else None
        try:
            header = _read_header(source, saved)
            with transaction.atomic():
                self._import_rows(source, header)
                self._finish(header)
        finally:
            source.close()
        return self.batch

    def _import_rows(self, source: TabularSource, header: HeaderFound) -> None:
        Agency.objects.select_for_update().get(pk=self.batch.agency_id)
        # Committers of one agency queue on that lock, so this read is up to date: a
        # task delivered twice must not run the batch again (its counts would be lost).
        if ImportBatch.objects.filter(pk=self.batch.pk, status=ImportStatus.COMMITTED).exists() \
                or Record.objects.filter(import_batch_id=self.batch.pk).exists():
            raise BatchAlreadyCommitted
        self._replace_previous_report()
        validator = RowValidator(plan=header.plan, record_kind=self.batch.record_kind,
                                 date_epoch=source.date_epoch)
        self._plan = header.plan
        self._sheet = source.sheet
        self.defaults["source_sheet"] = source.sheet[:100]
        if connection.vendor == "postgresql" and SET_BASED_ON_POSTGRES:
            mapped = set(header.plan.fields.values())
            target = None if self.dry_run else StageTarget(
                batch_id=self.batch.pk, source_file=self.defaults["source_file"],
                source_sheet=self.defaults["source_sheet"], now=self.defaults["created_at"],
                stamp=self.stamp)
            self.stage = PostgresStage(
                agency_id=self.batch.agency_id, record_kind=self.batch.record_kind,
                headers=header.plan.headers, mapped=self._mapped_fields(),
                state_derived="event_municipality" in mapped and "event_state" not in mapped,
                target=target, name_key=name_search_key, sample_size=PREVIEW_SAMPLE)
        try:
            with _young_collections_per_chunk():
                for chunk in _chunks(header.rows, CHUNK_ROWS):
                    self._process_chunk(validator.validate_chunk(chunk))
                    gc.collect(1)
                    self.progress.rows_done(self.counts.total)
            if self.counts.total == 0:
                raise ImportFileError(_("El archivo no tiene filas de datos (solo encabezados)."))
            if self.stage is not None:
                self._store_staged(self.stage)
        finally:
            # Nothing may still run on the connection when the transaction ends.
            if self.stage is not None:
                self.stage.close()

    def _store_staged(self, stage: PostgresStage) -> None:
        """PostgreSQL: wait for the staged chunks; take their counts, samples and ids."""
        counts = stage.finish()
        self.counts.created += counts["created"]
        self.counts.updated += counts["updated"]
        self.counts.unchanged += counts["unchanged"]
        self.counts.preview.update(stage.samples)
        if not self.dry_run:
            stage.touched_ids(self.counts.touched_ids)

    def _replace_previous_report(self) -> None:
        # A commit after a preview re-reads the file: its report replaces the preview's.
        RowIssue.objects.filter(batch=self.batch).delete()
        RejectedRow.objects.filter(batch=self.batch).delete()

    def _process_chunk(self, rows: list[ValidatedRow]) -> None:
        rows = [row for row in rows if not row.blank]  # a blank row is no row
        self.counts.total += len(rows)
        valid = [row for row in rows if not row.errors]
        kind = self.batch.record_kind
        external_ids = [row.values.get("external_id") or row_fingerprint(kind, row.values)
                        for row in valid]
        first_rows = self.seen.first_rows(list(map(hash, external_ids)),
                                          [row.row_number for row in valid])
        accepted: list[tuple[ValidatedRow, str]] = []
        for row, external_id, first in zip(valid, external_ids, first_rows, strict=True):
            if first != row.row_number:
                row.errors.append(self._duplicate_issue(external_id, first))
            else:
                accepted.append((row, external_id))
        rejected = [row for row in rows if row.errors]
        self._store_rejected(rejected)
        self._store_issues(rows)
        self._store_accepted(accepted)

    def _duplicate_issue(self, external_id: str, first_row: int):
        from imports.validation import RowIssueData

        column = self._plan.field_header("external_id")
        return RowIssueData(column, external_id, _(
            "Registro duplicado dentro del archivo: igual folio (o los mismos datos) que la "
            "fila %(row)s.") % {"row": first_row})

    def _connection_free(self) -> None:
        if self.stage is not None:
            self.stage.idle()  # the staging worker may be using the connection

    def _store_rejected(self, rows: list[ValidatedRow]) -> None:
        self.counts.rejected += len(rows)
        if rows:
            self._connection_free()
        for row in rows[: max(0, PREVIEW_SAMPLE - len(self.counts.preview["rejected"]))]:
            self.counts.preview["rejected"].append(
                {"row": row.row_number, "errors": [issue.message for issue in row.errors]})
        RejectedRow.objects.bulk_create([
            RejectedRow(batch=self.batch, row_number=row.row_number, sheet=self._sheet,
                        raw_values=row.raw,
                        errors=[{"column": i.column, "value": i.value, "message": i.message}
                                for i in row.errors])
            for row in rows
        ], batch_size=1000)

    def _store_issues(self, rows: list[ValidatedRow]) -> None:
        issues = []
        for row in rows:
            if not row.errors and not row.warnings:
                continue
            for severity, found in ((RowIssue.Severity.ERROR, row.errors),
                                    (RowIssue.Severity.WARNING, row.warnings)):
                issues.extend(
                    RowIssue(batch=self.batch, row_number=row.row_number, sheet=self._sheet,
                             column=issue.column[:200], value=issue.value[:1000],
                             message=issue.message[:500], severity=severity)
                    for issue in found)
            if row.is_valid and row.warnings:
                self.counts.warned += 1
        if issues:
            self._connection_free()
            RowIssue.objects.bulk_create(issues, batch_size=1000)

    def _store_accepted(self, accepted: list[tuple[ValidatedRow, str]]) -> None:
        if not accepted:
            return
        if self.stage is not None:
            get = dict.get
            self.stage.add([(row, external_id, name_search_key(
                get(row.values, "given_names", ""), get(row.values, "paternal_surname", ""),
                get(row.values, "maternal_surname", ""), get(row.values, "aliases", "")))
                for row, external_id in accepted])
            return
        existing = self._stored_content([external_id for _row, external_id in accepted])
        creates, changed = [], []
        for row, external_id in accepted:
            stored = existing.get(external_id)
            if stored is None:
                creates.append(self._new_record(row, external_id))
            elif self._differs(stored, row):
                changed.append((stored["id"], row))
            else:
                self.counts.unchanged += 1
        # Only changed rows become model instances (the common re-import is all unchanged).
        records = Record.objects.in_bulk([pk for pk, _row in changed]) if changed else {}
        updates = [record for pk, row in changed
                   if self._apply_changes(record := records[pk], row)]
        self.counts.unchanged += len(changed) - len(updates)
        self.counts.created += len(creates)
        self.counts.updated += len(updates)
        self._sample("created", creates)
        self._sample("updated", [_sample_values(record) for record in updates])
        if self.dry_run:
            return
        now = timezone.now()
        for record in updates:
            record.updated_at = now
        self.counts.touched_ids.extend(self.writer.insert(creates, self.stamp))
        update_fields = [*{name.removesuffix("_id") for name in self._mapped_fields()},
                         "kind", "raw_values", "name_search", "updated_at", "import_batch",
                         "source_file", "source_sheet", "source_row"]
        if updates:
            self.writer.update(updates, sorted(set(update_fields)), self.stamp)
        self.counts.touched_ids.extend(r.pk for r in updates)

    def _stored_content(self, external_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Return id and content of the agency's stored records with these ids, by id."""
        if connection.vendor != "postgresql":
            return {values["external_id"]: values for values in
                    Record.objects.filter(agency_id=self.batch.agency_id,
                                          external_id__in=external_ids)
                    .values("id", "external_id", *CONTENT_FIELDS)}
        # One array parameter instead of 5,000 (Django prepares each one in Python).
        columns = ["id", "external_id", *CONTENT_FIELDS]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM registry_record "  # noqa: S608 (fixed names)
                "WHERE agency_id = %s AND external_id = ANY(%s)",
                [self.batch.agency_id, external_ids])
            stored = {row[1]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
        for values in stored.values():
            # Django's PostgreSQL backend hands JSON over undecoded; its field decodes it.
            if isinstance(values["raw_values"], str):
                values["raw_values"] = json.loads(values["raw_values"])
        return stored

    def _differs(self, stored: dict[str, Any], row: ValidatedRow) -> bool:
        if stored["kind"] != self.batch.record_kind or stored["raw_values"] != row.raw:
            return True
        return any(stored[name] != value for name, value in row.values.items()
                   if name != "external_id")

    def _mapped_fields(self) -> list[str]:
        names = [name for name in self._plan.fields.values() if name != "external_id"]
        return [f"{n}_id" if n in ("event_state", "event_municipality") else n for n in names]

    def _new_record(self, row: ValidatedRow, external_id: str) -> dict[str, Any]:
        """Return the column values of a new record (every column, defaults included)."""
        values = {**self.defaults, **row.values}
        values.pop("external_id", None)
        values.update(
            external_id=external_id, raw_values=row.raw, source_row=row.row_number,
            name_search=name_search_key(values["given_names"], values["paternal_surname"],
                                        values["maternal_surname"], values["aliases"]),
        )
        return values

    def _apply_changes(self, record: Record, row: ValidatedRow) -> bool:
        """Set the row's content on ``record``; return True if anything differed."""
        incoming = {name: value for name, value in row.values.items() if name != "external_id"}
        incoming["kind"] = self.batch.record_kind
        incoming["raw_values"] = row.raw
        changed = False
        for name, value in incoming.items():
            if getattr(record, name) != value:
                setattr(record, name, value)
                changed = True
        if changed:
            self._stamp_provenance(record, row)
            record.name_search = name_search_key(record.given_names, record.paternal_surname,
                                                 record.maternal_surname, record.aliases)
        return changed

    def _stamp_provenance(self, record: Record, row: ValidatedRow) -> None:
        record.import_batch_id = self.batch.pk
        record.source_file = self.batch.file_name[:255]
        record.source_sheet = self._sheet[:100]
        record.source_row = row.row_number

    def _sample(self, key: str, records: list[dict[str, Any]]) -> None:
        room = PREVIEW_SAMPLE - len(self.counts.preview[key])
        for values in records[: max(0, room)]:
            name = " ".join(part for part in (values["given_names"], values["paternal_surname"],
                                              values["maternal_surname"]) if part)
            self.counts.preview[key].append({"row": values["source_row"],
                                             "external_id": values["external_id"],
                                             "name": name})

    # --- step 4 -----------------------------------------------------------------------------

    def _finish(self, header: HeaderFound) -> None:
        counts, batch = self.counts, self.batch
        batch.rows_total = counts.total
        batch.rows_created = counts.created
        batch.rows_updated = counts.updated
        batch.rows_unchanged = counts.unchanged
        batch.rows_rejected = counts.rejected
        batch.rows_warned = counts.warned
        batch.progress_rows = counts.total
        batch.sheet_name = self._sheet
        batch.preview = {**counts.preview, "header_row": header.header_row,
                         "unmapped": header.plan.unmapped,
                         "mapped": {header.plan.headers[i]: name
                                    for i, name in sorted(header.plan.fields.items())}}
        batch.status = ImportStatus.PREVIEWED if self.dry_run else ImportStatus.COMMITTED
        batch.finished_at = batch.heartbeat_at = timezone.now()
        batch.error_message = ""
        batch.save()
        if self.dry_run:
            return
        self._mark_resubmitted_rows()
        audit_event_record(actor=self.actor, action=AuditEvent.Action.IMPORT, target=batch,
                           details={"file_name": batch.file_name, "sha256": batch.file_sha256,
                                    "total": counts.total, "created": counts.created,
                                    "updated": counts.updated, "unchanged": counts.unchanged,
                                    "rejected": counts.rejected})
        touched = counts.touched_ids
        if touched:
            # robust: the batch is committed whatever matching does; a matching failure is
            # logged (``manage.py relink`` catches up) and never turns a good import into a 500.
            transaction.on_commit(lambda: match_new_records(record_ids=touched), robust=True)

    def _mark_resubmitted_rows(self) -> None:
        """Corrected rows of an earlier batch carry its row number in FILA_ORIGINAL."""
        original = self.batch.resubmission_of
        if original is None:
            return
        fixed_rows = set()
        for raw in Record.objects.filter(import_batch=self.batch).values_list("raw_values",
                                                                               flat=True):
            value = str(raw.get(REJECTED_ROW_COLUMN, "")).strip()
            if value.isdigit():
                fixed_rows.add(int(value))
        RejectedRow.objects.filter(batch=original, row_number__in=fixed_rows,
                                   resolved_by__isnull=True).update(resolved_by=self.batch)


REJECTED_ROW_COLUMN = "FILA_ORIGINAL"


class BatchAlreadyCommitted(Exception):
    """Another run committed this batch while this one waited for the agency lock."""


@lru_cache(maxsize=65536)
def _name_part_key(part: str) -> str:
    return search_key(part)


@lru_cache(maxsize=65536)
def name_search_key(*parts: str) -> str:
    """Return ``mxnames.text.search_key`` of the name parts.

    Cached for the whole name and for each part: whole names come back in a file
    (the same person detained again), single names and surnames far more often.
    """
    return " ".join(filter(None, map(_name_part_key, parts)))


def _sample_values(record: Record) -> dict[str, Any]:
    return {"given_names": record.given_names, "paternal_surname": record.paternal_surname,
            "maternal_surname": record.maternal_surname, "source_row": record.source_row,
            "external_id": record.external_id}


@contextmanager
def _young_collections_per_chunk() -> Iterator[None]:
    """Pause the cyclic garbage collector's own runs; the loop collects once per chunk.

    A chunk's rows live until the chunk is stored, so the collector, run every 700
    allocations, kept promoting them and scanning every live object of the process
    again (a fifth of an import's CPU). Rows are freed by reference counting; the
    loop's ``gc.collect(1)`` after each chunk still frees any cycle promptly.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


# --- entry points ------------------------------------------------------------------------------

def import_batch_run(*, batch: ImportBatch, dry_run: bool, actor: Any = None,
                     source_of: Callable[[], TabularSource] | None = None,
                     progress: ProgressReporter | None = None) -> ImportBatch:
    """Preview (``dry_run``) or commit a batch; on any failure, leave it "failed".

    A committed or rolled-back batch is never run again (a redelivered task is a no-op).
    """
    batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status in (ImportStatus.COMMITTED, ImportStatus.ROLLED_BACK):
        return batch
    if source_of is None:
        source_of = _file_source(batch_file_path(batch), batch.file_name, batch.sheet_name)
    progress = progress or ProgressReporter(batch)
    progress.set_status(status=ImportStatus.RUNNING, progress_rows=0, error_message="")
    lock_held = _hold_running_lock(batch)
    try:
        importer = BatchImporter(batch=batch, source_of=source_of, dry_run=dry_run,
                                 actor=actor or batch.created_by, progress=progress)
        return importer.run()
    except BatchAlreadyCommitted:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.COMMITTED)
        batch.refresh_from_db()
        return batch
    except ImportFileError as exc:
        _mark_failed(batch, exc.message)
        raise
    except Exception:
        _mark_failed(batch, _("Error interno durante la importación; no se guardó nada."))
        raise
    finally:
        if lock_held:
            _release_running_lock(batch)
        progress.close()


def import_batch_preview(*, batch: ImportBatch, actor: Any = None, **kwargs: Any) -> ImportBatch:
    """Dry run: count what would be created, updated, unchanged and rejected; store nothing."""
    return import_batch_run(batch=batch, dry_run=True, actor=actor, **kwargs)


def import_batch_commit(*, batch: ImportBatch, actor: Any = None, **kwargs: Any) -> ImportBatch:
    """Store the whole batch in one transaction, or nothing."""
    return import_batch_run(batch=batch, dry_run=False, actor=actor, **kwargs)


def _mark_failed(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED, error_message=message, finished_at=timezone.now())
    batch.refresh_from_db()


def _hold_running_lock(batch: ImportBatch) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [_RUNNING_LOCK_NAMESPACE, batch.pk])
    return True


def _release_running_lock(batch: ImportBatch) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)",
                           [_RUNNING_LOCK_NAMESPACE, batch.pk])
    except DatabaseError:  # the connection is gone: so is the lock
        pass


def import_batch_reap_if_dead(*, batch: ImportBatch) -> ImportBatch:
    """Mark a "running" batch failed when its importer is gone (killed worker, crash).

    On PostgreSQL the importer holds an advisory lock for as long as it lives: if we
    can take it, nobody holds it. Elsewhere, a batch silent for ``STALE_AFTER`` is dead.
    """
    if batch.status != ImportStatus.RUNNING:
        return batch
    if connection.vendor == "postgresql":
        if connection.in_atomic_block:
            return batch  # a session lock taken here could outlive a rollback; check later
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)",
                           [_RUNNING_LOCK_NAMESPACE, batch.pk])
            (free,) = cursor.fetchone()
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)",
                               [_RUNNING_LOCK_NAMESPACE, batch.pk])
        dead = free
    else:
        # SQLite: the running import cannot write outside its transaction; it says it is
        # alive in the cache (shared with the page in the embedded, single-process mode).
        last_sign = batch.heartbeat_at or batch.created_at
        silent = timezone.now() - last_sign > STALE_AFTER
        dead = silent and not cache.get(progress_cache_key(batch) + ":alive")
    if dead:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            error_message=_("La importación se interrumpió (proceso terminado); no se guardó "
                            "ningún registro. Puede volver a intentarla."))
        batch.refresh_from_db()
    return batch


# --- roll back --------------------------------------------------------------------------------

@transaction.atomic
def import_batch_rollback(*, batch: ImportBatch, actor: Any, reason: str = "",
                          ip_address: str | None = None) -> ImportBatch:
    """Undo a committed batch: remove the records it created, restore the ones it changed.

    1. Lock the agency (no import of it runs meanwhile) and the batch.
    2. Refuse if any record of the batch changed after it (a later batch or a
       correction): roll those back first.
    3. Delete created records (their history keeps a "-" row), restore each changed
       record to its version before the batch (a new "~" version), audit.
    """
    Agency.objects.select_for_update().get(pk=batch.agency_id)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportStatus.COMMITTED:
        raise ValidationError(_("Solo se puede revertir un lote aplicado."))
    own = dict(HistoricalRecord.objects.filter(import_batch_id=batch.pk,
                                               history_date__gte=batch.created_at)
               .exclude(history_type="-").values_list("id", "history_id"))
    latest = dict(HistoricalRecord.objects.filter(id__in=own).values("id")
                  .annotate(last=Max("history_id")).values_list("id", "last"))
    later = _changed_after(own, latest)
    if later:
        raise ValidationError(_(
            "%(n)s registros del lote cambiaron después (otro lote o una corrección); "
            "revierta primero esos cambios.") % {"n": len(later)})
    created_ids = list(HistoricalRecord.objects.filter(
        import_batch_id=batch.pk, history_type="+", history_id__in=own.values())
        .values_list("id", flat=True))
    updated = {pk: hid for pk, hid in own.items() if pk not in set(created_ids)}
    label = (_("Reversión del lote %(id)s") % {"id": batch.pk})[:100]
    _restore_previous_versions(updated, label)
    try:
        for record in Record.objects.filter(pk__in=created_ids).iterator(chunk_size=1000):
            record._change_reason = label
            record.delete()
    except ProtectedError as exc:
        raise ValidationError(_("No se puede revertir: un registro del lote ya tiene un caso "
                                "abierto a partir de él.")) from exc
    batch.status = ImportStatus.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.rolled_back_by = actor if getattr(actor, "pk", None) else None
    batch.save(update_fields=["status", "rolled_back_at", "rolled_back_by"])
    audit_event_record(actor=actor, action=AuditEvent.Action.ROLLBACK, target=batch,
                       purpose=reason, ip_address=ip_address,
                       details={"deleted": len(created_ids), "restored": len(updated)})
    return batch


def _changed_after(own: dict[int, int], latest: dict[int, int]) -> list[int]:
    """Return the records whose content changed after the batch.

    Matching links records to people (a new version with another ``person``); that is
    not a change of what the agency reported, so it does not block the rollback.
    """
    suspects = {pk: latest[pk] for pk, history_id in own.items() if latest.get(pk) != history_id}
    if not suspects:
        return []
    compared = [*CONTENT_FIELDS, *PROVENANCE_FIELDS, "external_id"]
    versions = {row["history_id"]: row for row in HistoricalRecord.objects.filter(
        history_id__in=[*suspects.values(), *(own[pk] for pk in suspects)]).values(
        "history_id", *compared)}
    return sorted(pk for pk, last in suspects.items()
                  if any(versions[last][name] != versions[own[pk]][name] for name in compared))


def _restore_previous_versions(updated: dict[int, int], label: str) -> None:
    for record_id, history_id in updated.items():
        previous = (HistoricalRecord.objects.filter(id=record_id, history_id__lt=history_id)
                    .order_by("-history_id").first())
        if previous is None:
            continue
        restored = previous.instance
        # Keep matching's later decision about the person; restore what the agency said.
        restored.person_id = Record.objects.filter(pk=record_id).values_list(
            "person_id", flat=True).first()
        restored._change_reason = label
        restored.save()


# --- saved mappings ----------------------------------------------------------------------------

@transaction.atomic
def column_mapping_save(*, agency: Agency, name: str, columns: dict[str, str],
                        actor: Any) -> ColumnMapping:
    """Create or replace an agency's named column mapping (header -> record field)."""
    from imports.mapping import FIELDS

    unknown = sorted(set(columns.values()) - set(FIELDS))
    if unknown:
        raise ValidationError(_("Campos desconocidos: %(fields)s") % {"fields": ", ".join(unknown)})
    mapping, _created = ColumnMapping.objects.update_or_create(
        agency=agency, name=name, defaults={"columns": columns})
    audit_event_record(actor=actor, action=AuditEvent.Action.CHANGE, target=mapping,
                       details={"columns": columns})
    return mapping


# --- API payloads ------------------------------------------------------------------------------

def json_source(records: list[dict[str, Any]]) -> TabularSource:
    """Rows of an API payload: row 0 is the union of keys, record ``n`` is row ``n``."""
    headers: list[str] = []
    for record in records:
        headers.extend(key for key in record if key not in headers)
    rows = [(0, list(headers))]
    rows.extend((n, [record.get(h) for h in headers]) for n, record in enumerate(records, 1))
    return TabularSource(kind="json", encoding="utf-8", _rows=iter(rows))


def import_batch_create_from_records(*, agency: Agency, record_kind: str,
                                     records: list[dict[str, Any]], actor: Any) -> ImportBatch:
    """Create a pending API batch; its checksum is over the canonical JSON of the records."""
    canonical = json.dumps(records, sort_keys=True, ensure_ascii=False, default=str)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            agency=agency, record_kind=record_kind, source=ImportBatch.Source.API,
            file_name="api.json", file_sha256=hashlib.sha256(canonical.encode()).hexdigest(),
            file_size=len(canonical.encode()), created_by=actor)
        audit_event_record(actor=actor, action=AuditEvent.Action.CREATE, target=batch,
                           details={"source": "api", "records": len(records)})
    return batch
