"""NGO exports prepared in the background and kept in the file storage for a while.

A large export need not hold a web process: ``staff.tasks.export_to_storage`` (any
Celery worker) writes it to ``exports/<user id>/<random>.<format>`` in the file storage
(the local disk or S3, ``STORAGES["default"]``); the export page lists the user's files
and serves them to that user only. The retention policy's ``exports`` line deletes them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage

from registry.audit import audit_event_record
from registry.models import AuditEvent
from staff import exports
from staff.services import export_start

# A data file, and for CSV and JSON its notes beside it (XLSX keeps them in a sheet).
FILE_NAME = re.compile(r"^[0-9a-f]{32}(?:-notas)?\.(csv|json|xlsx)$")
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
# How often a running export reports progress (rows), and how long a job is shown.
PROGRESS_EVERY = 500
JOB_SECONDS = 24 * 3600
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _folder(user_id: int) -> str:
    return f"exports/{int(user_id)}"


def filters_from_dict(values: dict[str, Any]) -> exports.ExportFilters:
    """Rebuild the filters a task received as plain values (``ExportFilters.as_dict``)."""
    dates = {name: date.fromisoformat(values[name]) for name in ("date_from", "date_to")
             if values.get(name)}
    return exports.ExportFilters(state=values.get("state"), kind=values.get("kind"),
                                 status=values.get("status"), **dates)


# --- Progress of background exports (in the shared cache; lost progress is only cosmetic) ---

def _jobs_key(user_id: int) -> str:
    return f"export-jobs:{int(user_id)}"


def _job_key(user_id: int, job: str) -> str:
    return f"export-job:{int(user_id)}:{job}"


def export_job_start(*, user_id: int, export_format: str) -> str:
    """Register a background export about to be queued; return its id (its file's name)."""
    job = uuid.uuid4().hex
    jobs = [j for j in cache.get(_jobs_key(user_id), []) if cache.get(_job_key(user_id, j))]
    cache.set(_jobs_key(user_id), [*jobs, job][-20:], JOB_SECONDS)
    _job_set(user_id, job, {"format": export_format, "state": "queued", "done": 0,
                            "total": None})
    return job


def _job_set(user_id: int, job: str, values: dict[str, Any]) -> None:
    current = cache.get(_job_key(user_id, job), {})
    cache.set(_job_key(user_id, job), {**current, **values}, JOB_SECONDS)


def export_jobs_for(user: Any) -> list[dict[str, Any]]:
    """Return the user's background exports still queued or running, with their progress."""
    jobs = []
    for job in cache.get(_jobs_key(user.pk), []):
        values = cache.get(_job_key(user.pk, job))
        if values and values.get("state") in ("queued", "running", "failed"):
            total, done = values.get("total"), values.get("done", 0)
            percent = round(100 * done / total) if total else 0
            jobs.append({"id": job, **values, "percent": min(percent, 100)})
    return jobs


class _Progress:
    """Count rows written and report them every ``PROGRESS_EVERY`` rows."""

    def __init__(self, user_id: int, job: str, total: int) -> None:
        self.user_id, self.job, self.total, self.done = user_id, job, total, 0
        _job_set(user_id, job, {"state": "running", "total": total, "done": 0})

    def __call__(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            _job_set(self.user_id, self.job, {"done": self.done})


def export_file_write(*, actor: Any, export_format: str, filters: exports.ExportFilters,
                      k: int | None, purpose: str, ip_address: str | None = None,
                      job: str | None = None) -> str:
    """Build one export (audited as any export) into the file storage; return its name.

    1. Prepare and audit the export. 2. Write the data file, reporting progress under
    ``job`` (its name, too). 3. For CSV and JSON, write the notes beside it
    (``<name>-notas.<format>``); XLSX keeps them in its ``notas`` sheet.
    """
    job = job if job and JOB_ID.match(job) else uuid.uuid4().hex
    try:
        export = export_start(actor=actor, export_format=export_format, filters=filters,
                              k=k, purpose=purpose, ip_address=ip_address)
        progress = _Progress(actor.pk, job, export.row_count)
        name = f"{_folder(actor.pk)}/{job}.{export_format}"
        if export_format == "xlsx":
            with exports.xlsx_file(export, progress=progress) as workbook:
                saved = default_storage.save(name, File(workbook))
        else:
            if export_format == "json":
                stream, notes = exports.json_stream(export, progress=progress), \
                    exports.notes_json(export)
            else:
                stream, notes = exports.csv_stream(export, progress=progress), \
                    exports.notes_csv(export)
            # Joined in memory per export: the NGO columns are short (~200 bytes a row).
            saved = default_storage.save(name, ContentFile("".join(stream).encode("utf-8")))
            default_storage.save(f"{_folder(actor.pk)}/{job}-notas.{export_format}",
                                 ContentFile(notes.encode("utf-8")))
    except Exception:
        _job_set(actor.pk, job, {"state": "failed"})
        raise
    _job_set(actor.pk, job, {"state": "done", "done": progress.done})
    return saved


@dataclass(frozen=True)
class ExportFile:
    name: str
    size: int
    created_at: datetime
    notes: str = ""  # the name of its notes file (CSV and JSON), if any

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[1]


def export_files_for(user: Any) -> list[ExportFile]:
    """Return the user's prepared exports, newest first."""
    folder = _folder(user.pk)
    try:
        _dirs, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    present = set(names)

    def notes_of(name: str) -> str:
        stem, extension = name.rsplit(".", 1)
        notes = f"{stem}-notas.{extension}"
        return notes if notes in present else ""

    files = [ExportFile(name, default_storage.size(f"{folder}/{name}"),
                        default_storage.get_modified_time(f"{folder}/{name}"), notes_of(name))
             for name in names if FILE_NAME.match(name) and "-notas." not in name]
    return sorted(files, key=lambda f: f.created_at, reverse=True)


def export_file_open(*, user: Any, name: str, ip_address: str | None = None) -> IO[bytes] | None:
    """Open one of the user's own prepared exports (None if it is not theirs or gone); audited."""
    if not FILE_NAME.match(name):
        return None
    path = f"{_folder(user.pk)}/{name}"
    if not default_storage.exists(path):
        return None
    audit_event_record(actor=user, action=AuditEvent.Action.EXPORT,
                       object_type="staff.export_file", object_id=name,
                       purpose="descarga de una exportación preparada", ip_address=ip_address)
    return default_storage.open(path, "rb")


def export_files_older_than(cutoff: datetime) -> list[str]:
    """Return every prepared export (all users) last written before ``cutoff``."""
    try:
        folders, _files = default_storage.listdir("exports")
    except FileNotFoundError:
        return []
    old = []
    for folder in folders:
        _dirs, names = default_storage.listdir(f"exports/{folder}")
        old += [f"exports/{folder}/{name}" for name in names
                if default_storage.get_modified_time(f"exports/{folder}/{name}") < cutoff]
    return sorted(old)
