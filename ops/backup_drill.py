"""Backup and restore drill: dump the database, restore it into a fresh one, check it.

    python -m ops.backup_drill                      # DATABASE_URL from the environment
    python -m ops.backup_drill --database-url postgres://… --keep-dump /backups/x.dump

1. Open a REPEATABLE READ transaction on the source, export its snapshot and count the
   rows of every table in it (the counts and the dump see the same instant, even while
   the registry keeps writing).
2. ``pg_dump -Fc --snapshot`` of that snapshot.
3. ``pg_restore`` into a new, empty database.
4. ``manage.py verify_audit_chain`` on the restored database must pass.
5. Every table's count in the restored database must equal the source's.
6. Drop the restored database (``--keep-restored`` keeps it) and the dump (unless
   ``--keep-dump`` names where to keep it). Exit 0 only if 4 and 5 hold.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                   "ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def table_counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg_env(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    env = {**os.environ, "PGHOST": parts.hostname or "127.0.0.1",
           "PGPORT": str(parts.port or 5432), "PGUSER": parts.username or "postgres",
           "PGDATABASE": parts.path.lstrip("/")}
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return env


def drill(database_url: str, *, keep_dump: Path | None = None,
          keep_restored: bool = False) -> dict:
    """Run the drill; return its report (``ok`` says whether it passed)."""
    started = time.monotonic()
    source_name = urlsplit(database_url).path.lstrip("/")
    restored_name = f"{source_name}_restore_{os.getpid()}"[:63]
    dump = keep_dump or Path(tempfile.mkstemp(suffix=".dump")[1])
    source = psycopg2.connect(database_url)
    try:
        source.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with source.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor)
        subprocess.run(["pg_dump", "-Fc", "--snapshot", snapshot, "-f", str(dump)],  # noqa: S603, S607
                       env=_pg_env(database_url), check=True)
    finally:
        source.rollback()
        source.close()
    dumped_at = time.monotonic()
    admin = psycopg2.connect(_with_database(database_url, "postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(restored_name)))
    restored_url = _with_database(database_url, restored_name)
    report: dict = {"source": source_name, "restored": restored_name, "tables": len(counts),
                    "rows": sum(counts.values()), "dump_bytes": dump.stat().st_size}
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored_name,  # noqa: S603, S607
                        str(dump)], env=_pg_env(restored_url), check=True)
        restored_at = time.monotonic()
        chain = subprocess.run(
            [sys.executable, "manage.py", "verify_audit_chain"], cwd=ROOT,
            env={**os.environ, "DATABASE_URL": restored_url}, capture_output=True, text=True)
        with psycopg2.connect(restored_url) as restored, restored.cursor() as cursor:
            restored_counts = table_counts(cursor)
        restored.close()
        differences = {table: (counts.get(table), restored_counts.get(table))
                       for table in set(counts) | set(restored_counts)
                       if counts.get(table) != restored_counts.get(table)}
        report.update({
            "audit_chain_ok": chain.returncode == 0,
            "audit_chain_output": (chain.stdout + chain.stderr).strip()[-500:],
            "counts_equal": not differences, "differences": differences,
            "dump_seconds": round(dumped_at - started, 2),
            "restore_seconds": round(restored_at - dumped_at, 2),
        })
        report["ok"] = report["audit_chain_ok"] and report["counts_equal"]
    finally:
        if not keep_restored:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                               .format(sql.Identifier(restored_name)))
        admin.close()
        if keep_dump is None:
            dump.unlink(missing_ok=True)
    report["seconds"] = round(time.monotonic() - started, 2)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep-dump", type=Path, default=None)
    parser.add_argument("--keep-restored", action="store_true")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("a PostgreSQL --database-url (or DATABASE_URL) is needed")
    report = drill(args.database_url, keep_dump=args.keep_dump,
                   keep_restored=args.keep_restored)
    print(json.dumps(report, indent=2, default=str))
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
