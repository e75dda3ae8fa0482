"""The importer: read, validate, classify and store one batch in one transaction.

A batch commits whole or not at all: every row of the file is read, validated and
stored inside ONE transaction that first locks the agency row, so two imports of
the same agency queue instead of both inserting the same folio. The batch's own
status and progress are written outside that transaction (``imports.progress``),
so a crash leaves the data untouched and the batch visibly failed.
"""

from __future__ import annotations

import gc
import json
import logging
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.intake import HeaderFound, read_header
from imports.linking import linkage_enqueue
from imports.mapping import AGE_RANGE, CASE_FIELDS, REJECTED_ROW_COLUMN
from imports.models import ImportBatch, ImportStatus, RejectedRow, RowIssue
from imports.progress import ProgressReporter
from imports.readers import ImportFileError, TabularSource
from imports.seen import SeenKeys
from imports.validation import RowIssueData, RowValidator, ValidatedRow, row_fingerprint
from imports.writers import (
    HistoryStamp,
    OrmWriter,
    PostgresStage,
    StageTarget,
    record_defaults,
)
from mxnames.text import search_key
from registry.audit import audit_event_record
from registry.cases import ReportedCase, cases_open_from_reports
from registry.models import Agency, AuditEvent, Record, RecordKind

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5000
# PostgreSQL stages the rows and compares and writes them set-based (imports.writers);
# off, it takes the portable path (tests compare the two on the same files).
SET_BASED_ON_POSTGRES = True
PREVIEW_SAMPLE = 20

# Fields an import may set, compared with the stored record to tell "changed" from
# "unchanged" (provenance such as the row number is not content).
CONTENT_FIELDS = (
    "kind", "given_names", "paternal_surname", "maternal_surname", "aliases", "sex",
    "birth_date", "age", "curp", "nationality", "event_date", "event_state_id",
    "event_municipality_id", "place", "authority", "facility", "reason", "description",
    "age_min", "age_max", "clothing", "marks",
    "address", "reporter_name", "reporter_contact", "raw_values",
)
PROVENANCE_FIELDS = ("import_batch_id", "source_file", "source_sheet", "source_row")


# How many rows, values per column and characters per value the preview's examples take.
EXAMPLE_ROWS = 50
EXAMPLES_PER_COLUMN = 3
EXAMPLE_CHARS = 60


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
    # A few distinct values of each column, from the first rows: the preview shows them
    # beside the field each column was mapped to.
    examples: dict[str, list[str]] = field(default_factory=dict)


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
                 dry_run: bool, actor: Any = None, progress: ProgressReporter | None = None,
                 link: bool = True):
        self.batch = batch
        self.link = link
        self.source_of = source_of
        self.dry_run = dry_run
        self.actor = actor
        self.progress = progress or ProgressReporter(batch)
        self.counts = BatchCounts()
        self.reported_cases: dict[str, ReportedCase] = {}
        self._case_fields: list[str] = []
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
            header = read_header(source, saved, self.batch.record_kind)
            with transaction.atomic():
                self._import_rows(source, header)
                self._finish(header)
        finally:
            source.close()
        return self.batch

    def _sex_codes(self) -> str:
        # The batch's own choice, else its saved mapping's, else read from the file.
        if self.batch.sex_codes:
            return self.batch.sex_codes
        return self.batch.mapping.sex_codes if self.batch.mapping_id else ""

    def _import_rows(self, source: TabularSource, header: HeaderFound) -> None:
        Agency.objects.select_for_update().get(pk=self.batch.agency_id)
        # Committers of one agency queue on that lock, so this read is up to date: a
        # task delivered twice must not run the batch again (its counts would be lost).
        if ImportBatch.objects.filter(pk=self.batch.pk, status=ImportStatus.COMMITTED).exists() \
                or Record.objects.filter(import_batch_id=self.batch.pk).exists():
            raise BatchAlreadyCommitted
        self._replace_previous_report()
        validator = RowValidator(plan=header.plan, record_kind=self.batch.record_kind,
                                 date_epoch=source.date_epoch, sex_codes=self._sex_codes())
        self._plan = header.plan
        self._case_fields = [name for name in header.plan.fields.values() if name in CASE_FIELDS]
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

    def _collect_examples(self, rows: list[ValidatedRow]) -> None:
        examples = self.counts.examples
        for row in rows:
            for header, text in row.raw.items():
                values = examples.setdefault(header, [])
                text = " ".join(str(text or "").split())[:EXAMPLE_CHARS]
                if text and text not in values and len(values) < EXAMPLES_PER_COLUMN:
                    values.append(text)

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
        if self.counts.total < EXAMPLE_ROWS:
            self._collect_examples(rows[:EXAMPLE_ROWS])
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
        if self._case_fields:
            self._keep_what_the_file_says_of_cases(accepted)
        self._store_accepted(accepted)

    def _keep_what_the_file_says_of_cases(self, accepted: list[tuple[ValidatedRow, str]]) -> None:
        """Take the case's fields out of the rows (they are not record fields) and keep
        them by folio for ``registry.cases`` (8 bytes a row when the file is silent)."""
        for row, external_id in accepted:
            values = row.values
            said = ReportedCase(status=values.pop("case_status", ""),
                                consent=values.pop("publication_consent", None))
            if said.status or said.consent is not None:
                self.reported_cases[external_id] = said

    def _duplicate_issue(self, external_id: str, first_row: int):

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
        """Return the attnames of the record fields the file's columns fill."""
        names = []
        for name in self._plan.fields.values():
            if name == "external_id" or name in CASE_FIELDS:
                continue
            if name == AGE_RANGE:  # one column, two fields
                names += [n for n in ("age_min", "age_max") if n not in names]
            elif name not in names:
                names.append(name)
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

    def _open_cases(self) -> dict[str, int]:
        """Open the case of each report this batch stored (or apply what the file says
        anew to the case it has): in the batch's transaction, so a failed import opens
        nothing (``registry.cases``)."""
        opened = cases_open_from_reports(
            reports=Record.objects.filter(import_batch_id=self.batch.pk),
            reported=self.reported_cases, actor=self.actor, reason=self.stamp.reason,
            import_batch_id=self.batch.pk)
        return opened.as_dict()

    def _finish(self, header: HeaderFound) -> None:
        counts, batch = self.counts, self.batch
        cases = None
        if not self.dry_run and batch.record_kind == RecordKind.MISSING_REPORT:
            cases = self._open_cases()
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
                                    for i, name in sorted(header.plan.fields.items())},
                         "headers": header.plan.headers, "examples": counts.examples}
        if cases is not None:
            batch.preview["cases"] = cases
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
        if counts.touched_ids and self.link:
            # After the commit, in the background (imports.linking): the import answers at
            # once; robust: a failure to enqueue is logged and never undoes the batch (the
            # batch page offers to retry the linkage).
            transaction.on_commit(lambda: linkage_enqueue(batch), robust=True)

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
