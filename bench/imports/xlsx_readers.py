"""python-calamine against openpyxl on the same workbook: read time, import time, peak RSS.

    .venv/bin/python bench/imports/make_files.py /tmp/b/d-100000.xlsx 100000
    BENCH_DB=registry_calamine_bench .venv/bin/python bench/imports/xlsx_readers.py \\
        /tmp/b/d-100000.xlsx --imports 3 [--reads 3] [--rss-only]

The reader is chosen through ``IMPORT_XLSX_CALAMINE_MAX_BYTES``: 0 forces openpyxl, the
default lets the scan of ``imports/xlsx_scan.py`` decide, and ``--force-calamine`` (a
64 GB budget) shows what calamine alone would take on a sheet the scan refuses.
Runs alternate between the readers so that both see the same load. The database must
exist and be migrated (``run_bench.py`` makes one); each import gets a new agency.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_bench import PYTHON, ROOT, create_agency, env

BUDGETS = {"openpyxl": "0", "calamine": str(256 * 1024 * 1024),
           "forced-calamine": str(64 * 1024 ** 3)}
READ = (
    "import time; from pathlib import Path; from imports.readers import open_source; "
    "p = Path({path!r}); t = time.perf_counter(); "
    "s = open_source(p, file_name=p.name); n = sum(1 for _ in s.rows()); "
    "print(time.perf_counter() - t, n, s.reader)"
)


def reader_env(reader: str) -> dict[str, str]:
    return {**env(), "IMPORT_XLSX_CALAMINE_MAX_BYTES": BUDGETS[reader]}


def timed(command: list[str], reader: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run under /usr/bin/time -v; return the result, wall seconds and peak RSS in MB."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-v", *command], cwd=ROOT, env=reader_env(reader),
                            capture_output=True, text=True, check=True)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1])
    return result, time.perf_counter() - started, rss_kb / 1024


def read(path: Path, reader: str) -> dict[str, float | str]:
    result, _, rss = timed([PYTHON, "manage.py", "shell", "-c", READ.format(path=str(path))],
                           reader)
    seconds, rows, used = result.stdout.split()[-3:]
    return {"seconds": float(seconds), "rows": int(rows), "reader": used, "peak_rss_mb": rss,
            "load": os.getloadavg()[0]}


def import_once(path: Path, reader: str, agency: str) -> dict[str, float | str]:
    create_agency(agency)
    script = str(ROOT / "bench" / "imports" / "import_no_matching.py")
    result, seconds, rss = timed([PYTHON, script, str(path), "--agency", agency, "--kind",
                                  "detention"], reader)
    return {"seconds": seconds, "peak_rss_mb": rss, "load": os.getloadavg()[0],
            "summary": result.stdout.strip().splitlines()[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--reads", type=int, default=3)
    parser.add_argument("--imports", type=int, default=0)
    parser.add_argument("--readers", default="calamine,openpyxl")
    args = parser.parse_args()
    readers = args.readers.split(",")
    results: dict[str, dict] = {reader: {"reads": [], "imports": []} for reader in readers}
    stamp = int(time.time())
    for run in range(max(args.reads, args.imports)):
        for reader in readers:
            if run < args.reads:
                results[reader]["reads"].append(read(args.path, reader))
            if run < args.imports:
                agency = f"xr-{reader[:3]}-{stamp}-{run}"
                results[reader]["imports"].append(import_once(args.path, reader, agency))
            print(reader, json.dumps(results[reader]["reads"][-1:] +
                                     results[reader]["imports"][-1:]), flush=True)
    for runs in results.values():
        for kind in ("reads", "imports"):
            if runs[kind]:
                runs[f"{kind}_median_s"] = statistics.median(r["seconds"] for r in runs[kind])
                runs[f"{kind}_max_rss_mb"] = max(r["peak_rss_mb"] for r in runs[kind])
    print(json.dumps({"file": str(args.path), "uptime": os.getloadavg(), **results}, indent=1))


if __name__ == "__main__":
    main()
