"""Which database serves a read now: the primary, or a streaming replica for public reads.

The ground floor holds the state so that every app can use it without importing
``config``: the database router (``config.db_router``) answers ``db_for_read`` from
``read_alias()``, and the public site runs its raw SQL on ``read_connection`` (the
connection of that alias) instead of ``django.db.connection`` (always the primary).

Reads go to the replica only where a request said so (``reads_from``), which the
public-reads middleware does for the public pages, and only for the models the public
reads (``REPLICA_MODELS``); everything else, every write, sessions and staff, stays on
the primary.

Read-your-writes for the publication of a case (a family's veto or consent, an entry
unpublished by the retention policy): a replica that has not yet replayed such a change must not
serve it. After the change commits, ``publication_fence_mark`` stores the primary's
WAL position in the shared cache; a public request reads from the replica only if the
replica has replayed at least that position (``config.db_router``), else from the
primary. So a vetoed entry disappears from every public page at once, for everyone.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

REPLICA_ALIAS = "replica"
PUBLICATION_FENCE_KEY = "replica:publication-lsn"
# The models of the public pages; a read of any other model goes to the primary.
REPLICA_MODELS = frozenset({
    "registry.record", "registry.case", "registry.agency", "registry.state",
    "registry.municipality", "registry.casestatuschange", "registry.publishedentry",
})

_read_alias: contextvars.ContextVar[str] = contextvars.ContextVar(
    "registry_read_alias", default=DEFAULT_DB_ALIAS)
log = logging.getLogger("registro.replica")


def replica_configured() -> bool:
    return REPLICA_ALIAS in settings.DATABASES


def read_alias() -> str:
    """Return the alias that serves reads of the public models in this context."""
    return _read_alias.get()


def alias_for_model(label_lower: str) -> str | None:
    alias = _read_alias.get()
    if alias != DEFAULT_DB_ALIAS and label_lower in REPLICA_MODELS:
        return alias
    return None


@contextlib.contextmanager
def reads_from(alias: str) -> Iterator[None]:
    """Serve the public models' reads from ``alias`` inside the block."""
    token = _read_alias.set(alias)
    try:
        yield
    finally:
        _read_alias.reset(token)


class _ReadConnection:
    """``django.db.connection``, but of the alias that serves reads in this context."""

    def __getattr__(self, name: str) -> Any:
        return getattr(connections[_read_alias.get()], name)


read_connection: Any = _ReadConnection()


def lsn_to_int(lsn: str) -> int:
    """Return a WAL position ``"16/B374D848"`` as a number (comparable)."""
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def _store_fence() -> None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            lsn = cursor.fetchone()[0]
        cache.set(PUBLICATION_FENCE_KEY, lsn, timeout=None)
    except Exception:
        log.exception("could not store the publication fence; public reads use the primary")
        with contextlib.suppress(Exception):
            cache.set(PUBLICATION_FENCE_KEY, "FFFFFFFF/FFFFFFFF", timeout=60)


def publication_fence_mark() -> None:
    """After this transaction commits, make public reads wait for the replica to have it.

    Call it from every service that changes whether (or what of) a case is public.
    Nothing happens without a replica or on SQLite.
    """
    if not replica_configured() or connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return
    transaction.on_commit(_store_fence)


def publication_fence() -> int | None:
    """Return the WAL position public reads must have replayed, or None (no fence)."""
    value = cache.get(PUBLICATION_FENCE_KEY)
    return lsn_to_int(value) if value else None
