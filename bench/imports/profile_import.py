"""One import, with where its time went: Python's CPU, the server's CPU, each statement.

Usage (PostgreSQL; the arguments of ``manage.py import_records``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_imports_bench \\
        DJANGO_DEBUG=false SECRET_KEY=x \\
        .venv/bin/python bench/imports/profile_import.py FILE --agency CODE --kind detention

Prints the wall time, how long the reading thread waited for the database worker, the
CPU time of the PostgreSQL backend (``/proc/<pid>/stat``: the server must run on this
machine) and of this process, then the wall time of the staging worker's statements
by kind. ``CODE_DIR`` runs another checkout's code (e.g. a worktree at an older commit,
to compare before and after in one session); ``FOREIGN_KEY_TRIGGERS=1`` makes the
importer leave foreign-key checks to PostgreSQL's per-row triggers. The hand-off to
matching is replaced by a no-op, as in ``import_no_matching.py``.
"""

from __future__ import annotations

import collections
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("CODE_DIR", str(Path(__file__).resolve().parents[2])))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import psycopg2.extensions  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

import imports.batch  # noqa: E402
import imports.writers  # noqa: E402

statement_seconds: collections.Counter[str] = collections.Counter()
waited = [0.0]


class TimedCursor(psycopg2.extensions.cursor):
    def execute(self, sql, params=None):
        started = time.perf_counter()
        try:
            return super().execute(sql, params)
        finally:
            words = sql.split()
            statement_seconds[" ".join(words[:2])[:40]] += time.perf_counter() - started

    def copy_expert(self, sql, file, size=8192):
        started = time.perf_counter()
        try:
            return super().copy_expert(sql, file, size)
        finally:
            statement_seconds["COPY (stage)"] += time.perf_counter() - started


def _timed_load(original):
    def load(self, buffer):
        self._db.cursor_factory = TimedCursor
        return original(self, buffer)
    return load


def _timed_wait(original):
    def wait(self):
        started = time.perf_counter()
        try:
            return original(self)
        finally:
            waited[0] += time.perf_counter() - started
    return wait


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    stage = imports.writers.PostgresStage
    stage._load_chunk = _timed_load(stage._load_chunk)
    stage._wait = _timed_wait(stage._wait)
    if os.environ.get("FOREIGN_KEY_TRIGGERS") == "1":
        imports.writers.USE_SET_BASED_FOREIGN_KEYS = False
    imports.batch.match_new_records = lambda *, record_ids: None
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    server_before, started = backend_cpu(pid), time.perf_counter()
    call_command("import_records", *sys.argv[1:])
    print(f"wall {time.perf_counter() - started:.2f} s; reading thread waited "
          f"{waited[0]:.2f} s; server CPU {backend_cpu(pid) - server_before:.2f} s; "
          f"Python CPU {sum(os.times()[:2]):.2f} s")
    for statement, seconds in statement_seconds.most_common(10):
        print(f"{seconds:8.2f} s  {statement}")


if __name__ == "__main__":
    main()
