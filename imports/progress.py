"""Progress and liveness of a running import, written outside the data transaction.

The batch page reads progress from the cache (and, on PostgreSQL, from the batch row
written through a second connection); a PostgreSQL advisory lock held by the running
importer tells a live import from a killed one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from imports.models import ImportBatch, ImportStatus

logger = logging.getLogger(__name__)

# Namespace of the PostgreSQL advisory lock a running import holds on its batch id;
# if nobody holds it while the batch says "running", the importer died.
RUNNING_LOCK_NAMESPACE = 7_404_301
STALE_AFTER = timezone.timedelta(minutes=15)


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


def running_lock_hold(batch: ImportBatch) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUNNING_LOCK_NAMESPACE, batch.pk])
    return True


def running_lock_release(batch: ImportBatch) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)",
                           [RUNNING_LOCK_NAMESPACE, batch.pk])
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
                           [RUNNING_LOCK_NAMESPACE, batch.pk])
            (free,) = cursor.fetchone()
            if free:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)",
                               [RUNNING_LOCK_NAMESPACE, batch.pk])
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
