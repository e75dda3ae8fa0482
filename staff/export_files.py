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

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage

from registry.audit import audit_event_record
from registry.models import AuditEvent
from staff import exports
from staff.services import export_start

FILE_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|json|xlsx)$")
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


def export_file_write(*, actor: Any, export_format: str, filters: exports.ExportFilters,
                      k: int | None, purpose: str, ip_address: str | None = None) -> str:
    """Build one export (audited as any export) into the file storage; return its name."""
    export = export_start(actor=actor, export_format=export_format, filters=filters, k=k,
                          purpose=purpose, ip_address=ip_address)
    name = f"{_folder(actor.pk)}/{uuid.uuid4().hex}.{export_format}"
    if export_format == "xlsx":
        with exports.xlsx_file(export) as workbook:
            return default_storage.save(name, File(workbook))
    stream = exports.json_stream(export) if export_format == "json" else exports.csv_stream(export)
    # Joined in memory per export: the NGO columns are short (about 200 bytes a row).
    return default_storage.save(name, ContentFile("".join(stream).encode("utf-8")))


@dataclass(frozen=True)
class ExportFile:
    name: str
    size: int
    created_at: datetime

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
    files = [ExportFile(name, default_storage.size(f"{folder}/{name}"),
                        default_storage.get_modified_time(f"{folder}/{name}"))
             for name in names if FILE_NAME.match(name)]
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
