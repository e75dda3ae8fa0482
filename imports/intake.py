"""Intake: store an uploaded file or an API payload as a pending batch; find its header.

Nothing here reads beyond the header: a file that cannot be read is refused before
a batch exists (``ImportFileError``, nothing stored).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from imports.mapping import (
    HEADER_SEARCH_ROWS,
    ColumnPlan,
    build_plan,
    genetic_headers,
    is_header_row,
)
from imports.models import ColumnMapping, ImportBatch
from imports.readers import ImportFileError, TabularSource, open_source
from registry.audit import audit_event_record
from registry.models import Agency, AuditEvent


def _receive(upload: Any, file_name: str) -> tuple[Path, str, int]:
    """Copy an upload to a local temporary file; return (path, sha256, size).

    The size limit is enforced while copying, so an oversized upload is never kept.
    """
    max_bytes = int(getattr(settings, "IMPORT_MAX_FILE_BYTES", 200 * 1024 * 1024))
    handle, name = tempfile.mkstemp(suffix=Path(file_name).suffix.lower()[:10],
                                    dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None))
    target = Path(name)
    digest, size = hashlib.sha256(), 0
    with os.fdopen(handle, "wb") as out:
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
    return target, digest.hexdigest(), size


def _store(local: Path, file_name: str) -> str:
    """Put a received file in the file storage (local disk or S3); return its name there."""
    suffix = Path(file_name).suffix.lower()[:10]
    with local.open("rb") as handle:
        return default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", File(handle))


def import_file_store(*, upload: Any, file_name: str) -> tuple[str, str, int]:
    """Store an uploaded file under imports/ in the file storage; return (name, sha256, size)."""
    local, sha256, size = _receive(upload, file_name)
    try:
        return _store(local, file_name), sha256, size
    finally:
        local.unlink(missing_ok=True)


def _file_chunks(handle: Any) -> Iterator[bytes]:
    while chunk := handle.read(1 << 20):
        yield chunk


@contextmanager
def batch_file_local(batch: ImportBatch) -> Iterator[Path]:
    """Yield a local path of the batch's stored file for the readers (which seek and scan).

    On the local file storage it is the file itself; on object storage (S3) a temporary
    copy, removed afterwards, so that any worker on any machine can run any batch.
    """
    try:
        local = default_storage.path(batch.stored_file)
    except NotImplementedError:
        local = None
    if local is not None:
        yield Path(local)
        return
    suffix = Path(batch.stored_file).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix,
                                     dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)) as copy:
        with default_storage.open(batch.stored_file, "rb") as stored:
            shutil.copyfileobj(stored, copy, 1 << 20)
        copy.flush()
        yield Path(copy.name)


def batch_file_delete(name: str) -> None:
    """Remove a stored upload from the file storage (nothing if it is already gone)."""
    if name:
        default_storage.delete(name)


def import_batch_create(*, agency: Agency, record_kind: str, upload: Any, file_name: str,
                        actor: Any, source: str = ImportBatch.Source.UPLOAD, sheet: str = "",
                        mapping: ColumnMapping | None = None,
                        resubmission_of: ImportBatch | None = None,
                        sex_codes: str = "") -> ImportBatch:
    """Store the file, check that it can be read (header found) and create a pending batch.

    Raises ImportFileError (nothing created) when the file is refused.
    """
    local, sha256, size = _receive(upload, file_name)
    try:
        source_of = file_source(local, file_name, sheet)
        read_header(source_of(), mapping.columns if mapping else None, record_kind)
        relative = _store(local, file_name)
    finally:
        local.unlink(missing_ok=True)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            agency=agency, record_kind=record_kind, source=source, file_name=file_name[:255],
            file_sha256=sha256, file_size=size, stored_file=relative, sheet_name=sheet,
            mapping=mapping, created_by=actor if getattr(actor, "pk", None) else None,
            resubmission_of=resubmission_of, sex_codes=sex_codes,
        )
        audit_event_record(actor=actor, action=AuditEvent.Action.CREATE, target=batch,
                           details={"file_name": batch.file_name, "sha256": sha256,
                                    "size": size})
    return batch


def file_source(path: Path, file_name: str, sheet: str) -> Callable[[], TabularSource]:
    return lambda: open_source(path, file_name=file_name, sheet=sheet)


@dataclass
class HeaderFound:
    plan: ColumnPlan
    rows: Iterator[tuple[int, list[Any]]]
    header_row: int


def read_header(source: TabularSource, saved: dict[str, str] | None,
                record_kind: str | None = None) -> HeaderFound:
    """Skip title rows until a row of recognised headers; refuse the file if none."""
    rows = source.rows()
    for number, cells in rows:
        if is_header_row(cells, saved):
            refuse_genetic_data(cells, source)
            return HeaderFound(plan=build_plan(cells, saved, record_kind), rows=rows,
                               header_row=number)
        if number >= HEADER_SEARCH_ROWS:
            break
    source.close()
    raise ImportFileError(_(
        "No se encontró la fila de encabezados en las primeras %(n)s filas: se esperan "
        "columnas como NOMBRE(S), APELLIDO PATERNO, FECHA DE NACIMIENTO, CURP, ENTIDAD.")
        % {"n": HEADER_SEARCH_ROWS})


def refuse_genetic_data(headers: list[Any], source: TabularSource) -> None:
    """Refuse a file with genetic columns: the registry holds metadata, never DNA data."""
    genetic = genetic_headers(headers)
    if genetic:
        source.close()
        raise ImportFileError(_(
            "El registro no admite datos genéticos (perfiles de ADN, marcadores, muestras): "
            "quite la columna «%(columns)s» y vuelva a cargar el archivo; no se guardó nada.")
            % {"columns": "», «".join(genetic)})


def json_source(records: list[dict[str, Any]]) -> TabularSource:
    """Rows of an API payload: row 0 is the union of keys, record ``n`` is row ``n``."""
    headers: list[str] = []
    for record in records:
        headers.extend(key for key in record if key not in headers)
    rows = [(0, list(headers))]
    rows.extend((n, [record.get(h) for h in headers]) for n, record in enumerate(records, 1))
    return TabularSource(kind="json", encoding="utf-8", _rows=iter(rows))


def import_batch_create_from_records(*, agency: Agency, record_kind: str,
                                     records: list[dict[str, Any]], actor: Any,
                                     sex_codes: str = "") -> ImportBatch:
    """Create a pending API batch; its checksum is over the canonical JSON of the records."""
    canonical = json.dumps(records, sort_keys=True, ensure_ascii=False, default=str)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            agency=agency, record_kind=record_kind, source=ImportBatch.Source.API,
            file_name="api.json", file_sha256=hashlib.sha256(canonical.encode()).hexdigest(),
            file_size=len(canonical.encode()), created_by=actor, sex_codes=sex_codes)
        audit_event_record(actor=actor, action=AuditEvent.Action.CREATE, target=batch,
                           details={"source": "api", "records": len(records)})
    return batch
