"""Server-side prepared statements for the public site's busiest queries (PostgreSQL).

Planning the name search's candidate query (the policy's visibility conditions make it
long) cost PostgreSQL more than running it; a statement prepared once per database
connection is planned once. Statements are named by a hash of their text, prepared on
first use on each connection, and survive rollbacks (PREPARE is not transactional).
Not for use behind a transaction-pooling proxy (PgBouncer in transaction mode), which
does not keep a session's prepared statements.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Sequence

from registry.replication import read_connection as connection  # primary or replica

# Prepared statement names per live DB-API connection (a new connection starts empty).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def prepared_statement(sql: str, types: Sequence[str]) -> str:
    """Prepare ``sql`` (parameters written $1, $2…, of these types) on this connection if
    needed; return the ``EXECUTE`` text that runs it, with one %s per parameter."""
    name = "public_" + hashlib.sha256(f"{types}{sql}".encode()).hexdigest()[:24]
    connection.ensure_connection()
    known = _prepared.get(connection.connection)
    if known is None:
        known = _prepared[connection.connection] = set()
        with connection.cursor() as cursor:
            # Otherwise PostgreSQL re-plans each execution with its parameter values
            # ("custom plans"), which is the cost this module exists to avoid. Only
            # statements prepared here are affected: Django prepares none. A generic
            # plan cannot see how rare the searched words are and would start parallel
            # workers, which cost more than these small index probes: none on this
            # session (a web worker's connection).
            cursor.execute("SET plan_cache_mode = force_generic_plan")
            cursor.execute("SET max_parallel_workers_per_gather = 0")
    if name not in known:
        with connection.cursor() as cursor:
            # No parameters: the text goes to the server as written (no % escaping).
            cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {sql}")
        known.add(name)
    return f"EXECUTE {name} ({', '.join(['%s'] * len(types))})"


def prepared_fetchall(sql: str, types: Sequence[str], params: Sequence) -> list[tuple]:
    """Run ``sql`` as a prepared statement and return its rows."""
    execute = prepared_statement(sql, types)
    with connection.cursor() as cursor:
        cursor.execute(execute, list(params))
        return cursor.fetchall()
