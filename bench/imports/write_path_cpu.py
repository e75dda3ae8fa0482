"""Where the server's time goes when a batch is stored: CPU of the backend per row.

Usage (a benchmark database that already holds an imported batch, e.g. after
``run_bench.py``):

    BENCH_DB=registry_imports_bench .venv/bin/python bench/imports/write_path_cpu.py

The rows of one stored batch are copied into a TEMP table, then inserted again (new
external ids) into ``registry_record`` and ``registry_historicalrecord`` in several ways,
each inside a savepoint rolled back afterwards, so the database is left as it was. The
figure is the backend's own CPU time (``/proc/<pid>/stat``) per row, median of 3: on a
shared machine it moves much less than wall time. Variants:

- the write as the importer does it (no per-row foreign-key triggers) and with the
  foreign-key triggers;
- records and history through one ``INSERT … RETURNING`` versus two inserts;
- the record insert alone, with all indexes, without the name-words GIN index, and with
  only the primary key and the unique (agency, external id) key.
"""

from __future__ import annotations

import os
import statistics
import time

import psycopg2

DB = os.environ.get("BENCH_DB", "registry_imports_bench")
SECONDARY = ["record_detention_name_words_idx", "record_missing_name_words_idx",
             "record_curp_idx", "record_kind_state_idx", "record_municipality_idx",
             "record_name_search_idx", "record_updated_at_idx",
             "registry_record_import_batch_id_2382c0f8", "registry_record_person_id_2e305cf4"]


def main() -> None:
    conn = psycopg2.connect(f"host=127.0.0.1 user=postgres dbname={DB}")
    cursor = conn.cursor()
    cursor.execute("SELECT pg_backend_pid()")
    stat_path = f"/proc/{cursor.fetchone()[0]}/stat"
    ticks = os.sysconf("SC_CLK_TCK")

    def backend_cpu() -> float:
        fields = open(stat_path).read().rsplit(")", 1)[1].split()  # noqa: SIM115
        return (int(fields[11]) + int(fields[12])) / ticks

    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = "
                   "'registry_record' AND column_name <> 'id' ORDER BY ordinal_position")
    columns = ", ".join(name for (name,) in cursor.fetchall())
    values = columns.replace("external_id", "'X' || external_id AS external_id", 1)
    cursor.execute(
        "CREATE TEMP TABLE source AS SELECT *, nextval('registry_record_id_seq') AS new_id "
        "FROM registry_record WHERE import_batch_id = (SELECT min(import_batch_id) "
        "FROM registry_record)")
    cursor.execute("SELECT count(*) FROM source")
    rows = cursor.fetchone()[0]
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    record = (f"INSERT INTO registry_record (id, {columns}) "  # noqa: S608
              f"SELECT new_id, {values} FROM source")
    history = (f"INSERT INTO registry_historicalrecord (id, {columns}, history_date, "  # noqa: S608
               f"history_type) SELECT new_id, {values}, now(), '+' FROM source")
    returning = (f"WITH created AS (INSERT INTO registry_record (id, {columns}) SELECT "  # noqa: S608
                 f"nextval('registry_record_id_seq'), {values} FROM source RETURNING *) "
                 f"INSERT INTO registry_historicalrecord (id, {columns}, history_date, "
                 f"history_type) SELECT id, {columns}, now(), '+' FROM created")
    replica = "SET LOCAL session_replication_role = replica"
    variants = {
        "record + history, as imported (no per-row FK triggers)": ([replica], [record, history]),
        "record + history, with the FK triggers": ([], [record, history]),
        "record + history through one INSERT ... RETURNING": ([replica], [returning]),
        "record alone, all indexes": ([replica], [record]),
        "record alone, without the name-words GIN index": (
            [replica, f"DROP INDEX {SECONDARY[0]}"], [record]),
        "record alone, primary key and unique key only": (
            [replica, *(f"DROP INDEX {name}" for name in SECONDARY)], [record]),
        "history alone": ([replica], [history]),
    }
    results: dict[str, list[tuple[float, float]]] = {}
    for _repeat in range(3):
        for label, (setup, statements) in variants.items():
            cursor.execute("SAVEPOINT variant")
            for statement in setup:
                cursor.execute(statement)
            cpu, started = backend_cpu(), time.perf_counter()
            for statement in statements:
                cursor.execute(statement)
            results.setdefault(label, []).append(
                ((backend_cpu() - cpu) * 1e6 / rows, (time.perf_counter() - started) * 1e6 / rows))
            cursor.execute("ROLLBACK TO SAVEPOINT variant")
    conn.rollback()
    print(f"{rows} rows; load average {os.getloadavg()[0]:.2f}")
    print("| variant | server CPU µs/row (median of 3) | runs | wall µs/row |")
    print("|---|---:|---|---:|")
    for label, runs in results.items():
        print(f"| {label} | {statistics.median(c for c, _ in runs):.1f} | "
              f"{', '.join(f'{c:.0f}' for c, _ in runs)} | "
              f"{statistics.median(w for _, w in runs):.1f} |")


if __name__ == "__main__":
    main()
