"""Benchmark: CSV/XLSX import end to end against PostgreSQL COPY of the same file.

Usage (from the repository root, PostgreSQL on 127.0.0.1):

    .venv/bin/python bench/imports/run_bench.py --rows 1000000 [--xlsx-rows 100000]

1. Generate the files (bench/imports/make_files.py) in --workdir unless present.
2. Recreate the database ``registry_imports_bench`` and migrate it.
3. References: COPY the CSV into three kinds of equivalent table (``COPY_REFERENCES``),
   median of 3 runs each.
4. Import the CSV end to end with ``manage.py import_records`` in a subprocess (new agency
   each run, so every row is created with provenance and history), measuring wall time
   and peak RSS (``/usr/bin/time -v``). The hand-off of the new records to matching
   after the commit is replaced by a no-op (``import_no_matching.py``): linking is the
   matching engine's work and has its own benchmarks. Then a dry run (everything but the
   writes) and a re-import of the same file (all rows unchanged).
5. Memory flatness: peak RSS for a tenth of the rows and for all of them.
6. XLSX: rows/s of the import against reading the same file with the same reader.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
DB = os.environ.get("BENCH_DB", "registry_imports_bench")
DSN = "host=127.0.0.1 user=postgres"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def env() -> dict[str, str]:
    return {**os.environ, "DJANGO_DEBUG": "false", "SECRET_KEY": "bench-only",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}"}


def recreate_database() -> None:
    admin = psycopg2.connect(f"{DSN} dbname=postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB}")
        cursor.execute(f"CREATE DATABASE {DB}")
    admin.close()
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)


# What "an equivalent table" is changes the reference tenfold, so three are measured:
# the file's 12 columns as text with nothing else (the strictest); the same columns
# typed (dates parsed as the importer does, day first) with a generated key and the
# unique folio; and that plus the secondary indexes the registry keeps on those columns
# (CURP, state, municipality, the name key and the name words).
_TYPED = ("id bigserial PRIMARY KEY, folio varchar(128) NOT NULL UNIQUE, "
          "nombre varchar(200), paterno varchar(120), materno varchar(120), sexo varchar(10), "
          "nacimiento date, curp varchar(18), entidad varchar(80), municipio varchar(80), "
          "detencion date, autoridad varchar(200), reclusion varchar(200)")
_NAME = "(nombre || ' ' || paterno || ' ' || materno)"
COPY_REFERENCES = {
    "bare": ("folio text, nombre text, paterno text, materno text, sexo text, "
             "nacimiento text, curp text, entidad text, municipio text, detencion text, "
             "autoridad text, reclusion text", []),
    "typed": (_TYPED, []),
    "indexed": (_TYPED, ["(curp) WHERE curp <> ''", "(entidad)", "(municipio)", f"({_NAME})",
                         f"USING gin (to_tsvector('simple', {_NAME}))"]),
}
_FILE_COLUMNS = ("folio, nombre, paterno, materno, sexo, nacimiento, curp, entidad, municipio, "
                 "detencion, autoridad, reclusion")


def copy_reference(path: Path, variant: str = "bare") -> float:
    """Seconds for COPY of the CSV into a fresh reference table (see COPY_REFERENCES)."""
    columns, indexes = COPY_REFERENCES[variant]
    conn = psycopg2.connect(f"{DSN} dbname={DB}")
    with conn.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_reference")
        cursor.execute(f"CREATE TABLE bench_copy_reference ({columns})")
        for index in indexes:
            cursor.execute(f"CREATE INDEX ON bench_copy_reference {index}")
        cursor.execute("SET DateStyle = 'ISO, DMY'")
        conn.commit()
        started = time.perf_counter()
        with path.open(encoding="utf-8") as handle:
            cursor.copy_expert(f"COPY bench_copy_reference ({_FILE_COLUMNS}) FROM STDIN "
                               "WITH (FORMAT csv, HEADER true)", handle)
        conn.commit()
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_reference")
        conn.commit()
    conn.close()
    return elapsed


def create_agency(code: str) -> None:
    code_py = ("from registry.models import Agency; "
               f"Agency.objects.get_or_create(code='{code}', defaults=dict(name='{code}', "
               "kind='prison'))")
    subprocess.run([PYTHON, "manage.py", "shell", "-c", code_py], cwd=ROOT, env=env(),
                   check=True, capture_output=True)


def run_import(path: Path, agency: str, *, dry_run: bool = False) -> dict[str, float | str]:
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-v", PYTHON, str(ROOT / "bench" / "imports" / "import_no_matching.py"),
         str(path),
         "--agency", agency, "--kind", "detention", *(["--dry-run"] if dry_run else [])],
        cwd=ROOT, env=env(), capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1])
    cpu = sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", result.stderr)[1])
              for kind in ("User", "System"))
    return {"seconds": elapsed, "python_cpu_seconds": cpu, "peak_rss_mb": rss_kb / 1024,
            "load_average": os.getloadavg()[0], "summary": result.stdout.strip()}


def read_only(path: Path) -> float:
    """Seconds to stream every row of the file with the importer's reader, doing nothing."""
    code = (
        "import time, sys; from pathlib import Path; from imports.readers import open_source; "
        f"p = Path({str(path)!r}); t = time.perf_counter(); "
        "s = open_source(p, file_name=p.name); n = sum(1 for _ in s.rows()); "
        "print(time.perf_counter() - t, n)"
    )
    result = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env(),
                            capture_output=True, text=True, check=True)
    return float(result.stdout.split()[-2])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "registry-bench")
    parser.add_argument("--skip-xlsx", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    big = args.workdir / f"detenciones-{args.rows}.csv"
    small_rows = max(args.rows // 10, 1)
    small = args.workdir / f"detenciones-{small_rows}.csv"
    xlsx = args.workdir / f"detenciones-{args.xlsx_rows}.xlsx"
    maker = str(ROOT / "bench" / "imports" / "make_files.py")
    for path, count in ((big, args.rows), (small, small_rows)) + (
            () if args.skip_xlsx else ((xlsx, args.xlsx_rows),)):
        if not path.exists():
            subprocess.run([PYTHON, maker, str(path), str(count)], check=True)

    recreate_database()
    results: dict[str, object] = {"rows": args.rows}
    copies = {variant: [copy_reference(big, variant) for _ in range(3)]
              for variant in COPY_REFERENCES}
    results["copy_seconds"] = copies
    print(json.dumps(copies), flush=True)

    runs = []
    for n in range(args.repeat):
        agency = f"bench-{n}"
        create_agency(agency)
        runs.append(run_import(big, agency))
        print(json.dumps(runs[-1]), flush=True)
    results["import_runs"] = runs
    # The same work without the writes (read, validate, look up, count): the rest of the
    # end-to-end time is storing records and history in PostgreSQL.
    create_agency("bench-dry")
    results["dry_run"] = run_import(big, "bench-dry", dry_run=True)
    results["reimport"] = run_import(big, "bench-0")
    create_agency("bench-small")
    results["small"] = {"rows": small_rows, **run_import(small, "bench-small")}

    import_median = statistics.median(r["seconds"] for r in runs)
    results["import_rows_per_s"] = args.rows / import_median
    for variant, seconds in copies.items():
        copy_median = statistics.median(seconds)
        results[f"copy_{variant}_rows_per_s"] = args.rows / copy_median
        results[f"ratio_import_to_copy_{variant}"] = copy_median / import_median
    if not args.skip_xlsx:
        create_agency("bench-xlsx")
        reads = [read_only(xlsx) for _ in range(max(args.repeat, 3))]
        xlsx_run = run_import(xlsx, "bench-xlsx")
        results["xlsx"] = {
            "rows": args.xlsx_rows, "read_seconds": reads, "import": xlsx_run,
            "read_rows_per_s": args.xlsx_rows / statistics.median(reads),
            "import_rows_per_s": args.xlsx_rows / xlsx_run["seconds"],
        }
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
