"""The public search with and without a streaming replica serving it, in the same run.

Builds a private primary (``ops.topology.primary_and_replica``: ``initdb``, migrations,
``load_data.py``), makes a streaming replica of it with ``pg_basebackup``, then runs the
search benchmark of ``run.py`` (wrk, 16 clients, the same queries) against gunicorn
alternately without ``DATABASE_REPLICA_URL`` (every read on the primary) and with it
(public reads on the replica), ``--rounds`` times each. Both servers are on this machine,
so the replica adds no CPU: this measures what the router and the replica cost or save
on one machine, not what a second machine would add. Everything is removed afterwards.

    .venv/bin/python bench/public_site/replica.py --records 200000 --duration 20 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ops.topology import free_port, primary_and_replica  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = ROOT / "bench" / "out"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def _env(primary_url: str) -> dict[str, str]:
    return os.environ | {"DJANGO_DEBUG": "true", "DATABASE_URL": primary_url}


def serve(port: int, env: dict[str, str], workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--backlog", "256",
         "--log-level", "warning"], cwd=ROOT, env=env)
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def wrk(port: int, duration: int, queries: Path) -> dict:
    output = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--timeout", "10s", "-s",
         str(HERE / "search.lua"), f"http://127.0.0.1:{port}"],
        env=os.environ | {"QUERIES_FILE": str(queries)}, capture_output=True, text=True,
        check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="registro-bench-replica-"))
    root.chmod(0o755)
    primary = replica = None
    started = time.monotonic()

    def load(primary_url: str) -> None:
        env = _env(primary_url)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                       check=True)
        subprocess.run([PYTHON, str(HERE / "load_data.py"), "--records", str(args.records)],
                       cwd=ROOT, env=env, check=True)
        subprocess.run(["psql", primary_url, "-qc", "VACUUM ANALYZE"], check=True)

    try:
        primary, replica = primary_and_replica(
            root, database="registry_bench", before_backup=load)
        loaded = time.monotonic() - started
        port = free_port()
        base_env = os.environ | {
            "DJANGO_DEBUG": "false", "SECRET_KEY": "bench-only-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": primary.url("registry_bench"),
            "REDIS_URL": "redis://127.0.0.1:6379/13", "LOG_LEVEL": "ERROR"}
        variants = {"primary only": base_env,
                    "replica serves public reads": base_env | {
                        "DATABASE_REPLICA_URL": replica.url("registry_bench")}}
        queries = OUT / "public_queries.txt"
        runs: dict[str, list[dict]] = {name: [] for name in variants}
        load_averages = [os.getloadavg()]
        for _round in range(args.rounds):
            for name, env in variants.items():
                server = serve(port, env, args.workers)
                try:
                    wrk(port, 5, queries)  # warm-up: connections, prepared statements
                    runs[name].append(wrk(port, args.duration, queries))
                finally:
                    server.terminate()
                    server.wait(timeout=30)
                load_averages.append(os.getloadavg())
        summary = {
            name: {"rps_median": round(statistics.median(r["rps"] for r in results), 1),
                   "p95_ms_median": round(statistics.median(r["p95_ms"] for r in results), 1),
                   "runs": [(r["rps"], r["p95_ms"], r["non_2xx"], r["errors"])
                            for r in results]}
            for name, results in runs.items()}
        with_replica = summary["replica serves public reads"]
        without = summary["primary only"]
        summary["ratio_rps_replica_over_primary"] = round(
            with_replica["rps_median"] / without["rps_median"], 3)
        summary["ratio_p95_replica_over_primary"] = round(
            with_replica["p95_ms_median"] / without["p95_ms_median"], 3)
        summary.update({"records": args.records, "clients": 16, "duration_s": args.duration,
                        "rounds": args.rounds, "gunicorn_workers": args.workers,
                        "load_seconds": round(loaded, 1),
                        "load_averages_1min": [round(a[0], 2) for a in load_averages]})
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "public_replica_results.json").write_text(json.dumps(summary, indent=1))
        json.dump(summary, sys.stdout, indent=1)
        print()
    finally:
        for cluster in (replica, primary):
            if cluster is not None:
                cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
