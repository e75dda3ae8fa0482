"""Per-request CPU without HTTP or concurrency: one process, Django's test client.

For each page it reports wall time and the CPU one request costs, split in two:

- ``cpu_ms``: this Python process (``time.process_time``);
- ``pg_cpu_ms``: the PostgreSQL backend serving this process's connection, read from the
  server's own accounting of that process (``/proc/<backend pid>/schedstat``, nanoseconds
  on CPU; the server runs on this machine). ``pg_stat_statements`` would need a server
  restart to load; the backend's CPU also counts parsing, planning and protocol work,
  which pg_stat_statements leaves out.

Redis (sessions, rate limits, caches) is not counted in either. Run from the
repository root after load_data.py; ``--root`` measures another checkout of the code
with this same harness (``compare.py`` does both, interleaved):

    .venv/bin/python bench/public_site/inprocess.py [--root /path/to/other/checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE_ROOT = Path(__file__).resolve().parents[2]
OUT = HERE_ROOT / "bench" / "out"


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=HERE_ROOT,
                        help="checkout whose code is measured (default: this one)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--out", type=Path, default=OUT / "public_inprocess.json")
    return parser.parse_args()


ARGS = _parse()
ROOT = ARGS.root.resolve()
ARGS.out = ARGS.out.resolve()  # before the chdir below
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)  # templates, static manifest (collectstatic) of that checkout
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 40, "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "false", "REDIS_URL": "redis://127.0.0.1:6379/2",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/registry_bench_public",
    "LOG_LEVEL": "ERROR",
})

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def _backend_cpu_ns() -> int:
    """CPU time of this process's PostgreSQL backend so far (ns), from the kernel."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def measure(call, repeats: int) -> dict:
    walls, cpus = [], []
    pg_before = _backend_cpu_ns()
    for index in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        response = call(index)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code in (200, 429), response.status_code
    # The pid query itself costs the backend a few microseconds: negligible.
    pg_ms = (_backend_cpu_ns() - pg_before) / 1e6
    walls.sort()
    return {"n": repeats, "wall_p50_ms": round(statistics.median(walls), 2),
            "wall_p95_ms": round(walls[int(len(walls) * 0.95) - 1], 2),
            "cpu_p50_ms": round(statistics.median(cpus), 2),
            "cpu_mean_ms": round(statistics.fmean(cpus), 2),
            "pg_cpu_mean_ms": round(pg_ms / repeats, 2),
            "total_cpu_mean_ms": round(statistics.fmean(cpus) + pg_ms / repeats, 2)}


def main() -> None:
    queries = [q for q in (OUT / "public_queries.txt").read_text().splitlines() if q]
    measured, warm_up = queries[:ARGS.queries], queries[-40:]
    family = json.loads((OUT / "public_family.json").read_text())
    client = Client()
    cache.clear()
    for query in warm_up:  # statements prepared on this connection, caches of the code
        client.get("/buscar/", {"q": query})
    results = {"root": str(ROOT), "load_average": os.getloadavg()}
    # Each query once: nothing of it can come from a cache of earlier results.
    results["search"] = measure(lambda i: client.get("/buscar/", {"q": measured[i]}),
                                len(measured))
    # The same queries again (a popular name asked again, with the results cache).
    results["search_repeated"] = measure(
        lambda i: client.get("/buscar/", {"q": measured[i]}), len(measured))
    results["search_by_state"] = measure(
        lambda i: client.get("/buscar/", {"estado": f"{i % 32 + 1:02d}"}), 64)
    results["home"] = measure(lambda i: client.get("/"), 100)
    cache.clear()
    response = client.post("/familias/", {"folio": family[-1]["folio"],
                                          "access_code": family[-1]["code"]})
    assert "Situación actual" in response.content.decode()
    for _ in range(10):
        client.get("/familias/")
    results["family_status_page"] = measure(lambda i: client.get("/familias/"), 200)
    attacker = Client()
    results["family_lookup_refused"] = measure(
        lambda i: attacker.post("/familias/", {"folio": family[0]["folio"],
                                               "access_code": "AAAA-BBBB-CCCC"}), 100)
    cache.clear()
    print(json.dumps(results, indent=1))
    ARGS.out.parent.mkdir(parents=True, exist_ok=True)
    ARGS.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
