"""Per-request cost without HTTP or concurrency: one process, Django's test client.

Complements run.py when the machine is shared: wall time includes the database, CPU
time is this Python process only (PostgreSQL's own CPU is not in it). Run from the
repository root after load_data.py:

    .venv/bin/python bench/public_site/inprocess.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.update({
    "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 40, "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "false", "REDIS_URL": "redis://127.0.0.1:6379/2",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/registry_bench_public",
})

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402

OUT = ROOT / "bench" / "out"


def measure(call, repeats: int) -> dict:
    walls, cpus = [], []
    for index in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        call(index)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    return {"n": repeats, "wall_p50_ms": round(statistics.median(walls), 2),
            "wall_p95_ms": round(walls[int(len(walls) * 0.95) - 1], 2),
            "cpu_p50_ms": round(statistics.median(cpus), 2)}


def main() -> None:
    queries = [q for q in (OUT / "public_queries.txt").read_text().splitlines() if q][:300]
    family = json.loads((OUT / "public_family.json").read_text())
    client = Client()
    client.get("/buscar/", {"q": queries[0]})
    results = {"load_average": os.getloadavg()}
    results["search"] = measure(lambda i: client.get("/buscar/", {"q": queries[i]}),
                                len(queries))
    results["home"] = measure(lambda i: client.get("/"), 100)
    cache.clear()
    response = client.post("/familias/", {"folio": family[-1]["folio"],
                                          "access_code": family[-1]["code"]})
    assert "Situación actual" in response.content.decode()
    results["family_status_page"] = measure(lambda i: client.get("/familias/"), 100)
    attacker = Client()
    results["family_lookup_refused"] = measure(
        lambda i: attacker.post("/familias/", {"folio": family[0]["folio"],
                                               "access_code": "AAAA-BBBB-CCCC"}), 100)
    cache.clear()
    print(json.dumps(results, indent=1))
    (OUT / "public_inprocess.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
