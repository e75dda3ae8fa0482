"""Public reads on a PostgreSQL streaming replica; writes, staff and sessions on the primary.

Set ``DATABASE_REPLICA_URL`` to use a replica. The middleware below sends a request's
reads of the public models (``registry.replication.REPLICA_MODELS``) to the replica
when all of these hold, and to the primary otherwise:

1. it is a GET or HEAD of a public read page (search, entries, statistics, open data,
   the public API; never the family or detention lookups, which are audited and must
   see the latest state);
2. the replica answered its last health check (at most ``REPLICA_CHECK_SECONDS`` old)
   and was no more than ``REPLICA_MAX_LAG_SECONDS`` behind the primary;
3. the replica has replayed the last change of a case's publication (the fence,
   ``registry.replication``): a family's veto is never served stale.

What the site does while the replica lags or is down: it **falls back to the primary**,
logging one warning when the replica's state changes (not one per request); a request
whose replica connection breaks mid-way is answered again from the primary. Public
pages stay up; the primary carries their load until the replica is back. Readiness
(``/salud/lista/``) reports the replica as ``degradada`` and stays 200.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

from registry import replication
from registry.replication import REPLICA_ALIAS, lsn_to_int

log = logging.getLogger("registro.replica")

PUBLIC_READ_PREFIXES = ("/buscar/", "/ficha/", "/estadisticas/", "/datos/", "/api/v1/publico/")


class ReplicaRouter:
    """Route the public models' reads to the alias the request chose; all else to default."""

    def db_for_read(self, model, **hints) -> str | None:
        return replication.alias_for_model(model._meta.label_lower)

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


@dataclass
class _ReplicaState:
    usable: bool = False
    checked_at: float = float("-inf")
    replayed_lsn: int = -1   # the highest position seen replayed (it only grows)
    reason: str = "not checked yet"


_state = _ReplicaState()
_lock = threading.Lock()


def replica_configured() -> bool:
    return replication.replica_configured()


def _measure() -> tuple[bool, int, str]:
    """Return (usable, replayed position, reason) from one look at both servers."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        primary_lsn = lsn_to_int(cursor.fetchone()[0])
    with connections[REPLICA_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
            "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())")
        in_recovery, replayed, since_replay = cursor.fetchone()
    if not in_recovery or replayed is None:
        return False, -1, "the replica database is not replaying a primary"
    replayed_lsn = lsn_to_int(replayed)
    lag = 0.0 if replayed_lsn >= primary_lsn else float(since_replay or 0.0)
    max_lag = settings.REPLICA_MAX_LAG_SECONDS
    if lag > max_lag:
        return False, replayed_lsn, f"the replica is {lag:.0f} s behind (limit {max_lag} s)"
    return True, replayed_lsn, "ok"


def _close_replica() -> None:
    # A broken connection may fail to close; it is gone either way.
    with contextlib.suppress(Exception):
        connections[REPLICA_ALIAS].close()


def replica_check(*, force: bool = False) -> bool:
    """Look at the replica if the last look is older than REPLICA_CHECK_SECONDS; return usable."""
    now = time.monotonic()
    if not force and now - _state.checked_at < settings.REPLICA_CHECK_SECONDS:
        return _state.usable
    with _lock:
        try:
            usable, replayed, reason = _measure()
        except DatabaseError as error:
            _close_replica()
            usable, replayed, reason = False, _state.replayed_lsn, f"unreachable: {error}"
        if usable != _state.usable or (not usable and reason != _state.reason):
            level = logging.INFO if usable else logging.WARNING
            log.log(level, "read replica %s: %s", "in use" if usable else
                    "not used, public reads fall back to the primary", reason)
        _state.usable, _state.reason, _state.checked_at = usable, reason, now
        _state.replayed_lsn = max(_state.replayed_lsn, replayed)
    return usable


def replica_usable() -> bool:
    return replica_configured() and replica_check()


def replica_mark_down(reason: str) -> None:
    _close_replica()
    with _lock:
        if _state.usable:
            log.warning("read replica not used, public reads fall back to the primary: %s",
                        reason)
        _state.usable, _state.reason, _state.checked_at = False, reason, time.monotonic()


def replica_has_replayed(position: int) -> bool:
    """Say whether the replica has replayed ``position`` (asks it only when in doubt)."""
    if _state.replayed_lsn >= position:
        return True
    with connections[REPLICA_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
        replayed = cursor.fetchone()[0]
    if replayed is None:
        return False
    _state.replayed_lsn = max(_state.replayed_lsn, lsn_to_int(replayed))
    return _state.replayed_lsn >= position


def _is_public_read(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.path_info
    return path == "/" or path.startswith(PUBLIC_READ_PREFIXES)


def _replica_serves(request: HttpRequest) -> bool:
    if not replica_configured() or not _is_public_read(request):
        return False
    if not replica_check():
        return False
    try:
        fence = replication.publication_fence()
        if fence is not None and not replica_has_replayed(fence):
            log.info("read replica behind the last publication change; "
                     "this request reads the primary")
            return False
    except Exception as error:
        replica_mark_down(f"fence check failed: {error}")
        return False
    return True


class PublicReadsMiddleware:
    """Serve public read pages from the replica when it is safe (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _replica_serves(request):
            return self.get_response(request)
        request.reads_from_replica = True
        with replication.reads_from(REPLICA_ALIAS):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        """Answer a public read again from the primary when the replica broke under it."""
        if not getattr(request, "reads_from_replica", False):
            return None
        if not isinstance(exception, DatabaseError):
            return None
        replica_mark_down(f"a query failed: {exception}")
        match = request.resolver_match
        if match is None:
            return None
        request.reads_from_replica = False
        with replication.reads_from(DEFAULT_DB_ALIAS):
            response = match.func(request, *match.args, **match.kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        return response
