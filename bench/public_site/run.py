"""Benchmark the public search and the family lookup under gunicorn with wrk (16 clients).

Needs the database filled by ``load_data.py``, ``wrk`` (apt-get install wrk), gunicorn
and Redis (the rate limits' shared cache, database 2). Prints a JSON summary and writes
it to bench/out/public_results.json. Run from the repository root:

    .venv/bin/python bench/public_site/run.py --duration 30
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import loadgen  # noqa: E402

# The checkout whose server is measured: this one, or another (--root, e.g. a worktree
# of main as the same-run reference); the outputs stay in this checkout's bench/out.
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
DATABASE = "registry_bench_public"
PORT = 8099
BASE = f"http://127.0.0.1:{PORT}"
SERVER_ENV = {
    "DJANGO_DEBUG": "false", "SECRET_KEY": "bench-only-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "false",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "REDIS_URL": "redis://127.0.0.1:6379/2", "LOG_LEVEL": "ERROR",
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(method: str, path: str, *, data: dict | None = None, cookie: str = ""):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(BASE + path, data=body, method=method)
    if cookie:
        request.add_header("Cookie", cookie)
    try:
        response = OPENER.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    cookies = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie") or []]
    return response.status, response.read().decode("utf-8", "replace"), cookies


def start_server(workers: int, worker_class: str = "sync", threads: int = 1,
                 root: Path = ROOT) -> subprocess.Popen:
    env = os.environ | SERVER_ENV
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--chdir", str(root),
         "config.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", str(workers), "--worker-class", worker_class,
         "--threads", str(threads),
         "--backlog", "256", "--log-level", "warning"],
        cwd=root, env=env)
    for _ in range(100):
        try:
            if http("GET", "/")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from the kernel (seconds)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_pids() -> dict[str, list[int]]:
    """The gunicorn workers and the PostgreSQL backends of the benchmark's database."""
    workers = []
    if SERVER is not None:
        children = Path(f"/proc/{SERVER.pid}/task/{SERVER.pid}/children")
        workers = [int(pid) for pid in children.read_text().split()] if children.exists() \
            else []
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=DATABASE)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                       "AND pid <> pg_backend_pid()", [DATABASE])
        backends = [row[0] for row in cursor.fetchall()]
    connection.close()
    return {"python": workers, "postgres": backends}


SERVER: subprocess.Popen | None = None


def wrk(script: str, duration: int, connections: int = 16, **env: str) -> dict:
    """Run the load and add the server's CPU per request: gunicorn workers (Python) and
    the database's backends (PostgreSQL), from the kernel's accounting of each process."""
    before = {kind: {pid: _cpu_seconds(pid) for pid in pids}
              for kind, pids in _server_pids().items()}
    result = _load(script, duration, connections, **env)
    after = {kind: {pid: _cpu_seconds(pid) for pid in pids}
             for kind, pids in _server_pids().items()}
    for kind in ("python", "postgres"):
        spent = sum(after[kind][pid] - before[kind].get(pid, 0.0) for pid in after[kind])
        result[f"{kind}_cpu_ms_per_request"] = round(spent * 1000 / max(result["requests"], 1),
                                                     2)
    result["cpu_ms_per_request"] = round(result["python_cpu_ms_per_request"]
                                         + result["postgres_cpu_ms_per_request"], 2)
    return result


def _load(script: str, duration: int, connections: int = 16, **env: str) -> dict:
    if shutil.which("wrk") is None:  # the Python stand-in (loadgen.py), same workloads
        if script == "search.lua":
            requests = loadgen.search_requests(env["QUERIES_FILE"])
        else:
            requests = loadgen.fixed_request(method=env.get("METHOD", "GET"),
                                             path=env.get("REQUEST_PATH", "/"),
                                             body=env.get("BODY"), cookie=env.get("COOKIE"))
        return loadgen.run(host="127.0.0.1", port=PORT, duration=duration,
                           connections=connections, next_request=requests)
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s",
               "--timeout", "10s", "-s", str(HERE / script), BASE]
    output = subprocess.run(command, env=os.environ | env, capture_output=True, text=True,
                            check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def flush_rate_limits() -> None:
    subprocess.run(["redis-cli", "-n", "2", "FLUSHDB"], capture_output=True, check=False)


def family_session(folio: str, code: str) -> tuple[str, float]:
    """Open a case as a family would; return the session cookie and the POST latency."""
    _status, page, cookies = http("GET", "/familias/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = "; ".join(cookies)
    started = time.perf_counter()
    status, body, new_cookies = http("POST", "/familias/", cookie=cookie,
                                     data={"csrfmiddlewaretoken": token, "folio": folio,
                                           "access_code": code})
    elapsed = time.perf_counter() - started
    assert status == 200 and "Situación actual" in body, (status, body[:300])
    jar = dict(c.split("=", 1) for c in cookies + new_cookies)
    return "; ".join(f"{k}={v}" for k, v in jar.items()), elapsed


def reference_similarity_ms(queries: list[str]) -> float:
    """Median time of a plain pg_trgm similarity query over every record (the reference)."""
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=DATABASE)
    timings = []
    with connection, connection.cursor() as cursor:
        for query in queries:
            started = time.perf_counter()
            cursor.execute("SELECT id FROM registry_record ORDER BY similarity(name_search, %s) "
                           "DESC LIMIT 20", [query])
            cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="checkout whose code the server runs (default: this one)")
    parser.add_argument("--out", type=Path, default=OUT / "public_results.json")
    parser.add_argument("--skip-lookup-post", action="store_true",
                        help="leave out the PBKDF2 lookups and the refused-lookup run")
    args = parser.parse_args()
    queries_file = OUT / "public_queries.txt"
    queries = [q for q in queries_file.read_text(encoding="utf-8").splitlines() if q]
    family = json.loads((OUT / "public_family.json").read_text(encoding="utf-8"))
    results: dict = {"records": None, "duration_s": args.duration, "clients": 16,
                     "gunicorn_workers": args.workers, "worker_class": args.worker_class,
                     "threads": args.threads}
    connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=DATABASE)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registry_record")
        results["records"] = cursor.fetchone()[0]
    connection.close()

    results["reference_pg_trgm_similarity_ms"] = reference_similarity_ms(queries[:7])
    flush_rate_limits()
    global SERVER
    server = SERVER = start_server(args.workers, args.worker_class, args.threads,
                                   args.root.resolve())
    results["root"] = str(args.root.resolve())
    try:
        results["load_average_before"] = os.getloadavg()
        wrk("search.lua", 5, QUERIES_FILE=str(queries_file))  # warm-up
        results["search_1_client"] = wrk("search.lua", max(10, args.duration // 2),
                                         connections=1, QUERIES_FILE=str(queries_file))
        results["search"] = wrk("search.lua", args.duration, QUERIES_FILE=str(queries_file))
        results["home_page"] = wrk("fixed.lua", max(10, args.duration // 2), REQUEST_PATH="/")

        cookie, first_post = family_session(family[0]["folio"], family[0]["code"])
        posts = [] if args.skip_lookup_post else [
            family_session(f["folio"], f["code"])[1] for f in family[1:6]]
        results["family_lookup_single_post_ms"] = round(
            statistics.median([first_post, *posts]) * 1000, 1)
        results["family_status_page"] = wrk("fixed.lua", args.duration, REQUEST_PATH="/familias/",
                                            COOKIE=cookie)
        if not args.skip_lookup_post:
            # Attack: wrong codes from one address. After 10 attempts every POST is
            # refused before any hashing; this measures what the refusal costs under load.
            _status, page, cookies = http("GET", "/familias/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": token,
                                           "folio": family[0]["folio"],
                                           "access_code": "AAAA-BBBB-CCCC"})
            results["family_lookup_rate_limited"] = wrk(
                "fixed.lua", args.duration, METHOD="POST", REQUEST_PATH="/familias/",
                BODY=body, COOKIE="; ".join(cookies))
        results["load_average_after"] = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
        flush_rate_limits()
    search_p95 = results["search"]["p95_ms"]
    results["search_p95_vs_reference"] = round(
        search_p95 / results["reference_pg_trgm_similarity_ms"], 3)
    OUT.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    json.dump(results, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
