"""A closed-loop HTTP load generator for run.py where ``wrk`` is not installed.

The same two workloads as ``search.lua`` and ``fixed.lua`` (varied name searches, or
one fixed request with method, cookie and body), N clients each sending its next
request when the last one was answered, and the same JSON line wrk's scripts print.
It is Python (threads, one connection per request, as gunicorn's sync workers close
each connection anyway): it costs the machine more CPU per request than wrk, about
0.2-0.3 ms, which the server then lacks. Prefer wrk where it can be installed.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Callable


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def run(*, host: str, port: int, duration: float, connections: int,
        next_request: Callable[[int, int], tuple[str, str, str | None, dict[str, str]]]) -> dict:
    """Run ``connections`` clients for ``duration`` seconds; return wrk's summary fields.

    ``next_request(client, n)`` returns (method, path, body, headers) of the client's
    n-th request.
    """
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections
    non_2xx = [0] * connections
    deadline = time.perf_counter() + duration

    def client(number: int) -> None:
        count = 0
        while time.perf_counter() < deadline:
            method, path, body, headers = next_request(number, count)
            count += 1
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, port, timeout=10)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
            except OSError:
                errors[number] += 1
                continue
            latencies[number].append((time.perf_counter() - started) * 1000)
            if not 200 <= response.status < 400:
                non_2xx[number] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    every = [value for values in latencies for value in values]
    return {"requests": len(every), "seconds": round(seconds, 3),
            "rps": round(len(every) / seconds, 1),
            "p50_ms": round(_percentile(every, 50), 2),
            "p95_ms": round(_percentile(every, 95), 2),
            "p99_ms": round(_percentile(every, 99), 2),
            "errors": sum(errors), "non_2xx": sum(non_2xx), "load_generator": "python"}


def search_requests(queries_file: str) -> Callable:
    """search.lua: the queries in turn, each client from its own offset (997 apart)."""
    with open(queries_file, encoding="utf-8") as handle:
        paths = ["/buscar/?" + urllib.parse.urlencode({"q": line.strip()})
                 for line in handle if line.strip()]

    def next_request(client: int, n: int):
        return "GET", paths[(n + 1 + client * 997) % len(paths)], None, {}
    return next_request


def fixed_request(*, method: str = "GET", path: str = "/", body: str | None = None,
                  cookie: str | None = None) -> Callable:
    """fixed.lua: one request, again and again."""
    headers = {}
    if cookie:
        headers["Cookie"] = cookie
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    def next_request(client: int, n: int):
        return method, path, body, headers
    return next_request


if __name__ == "__main__":  # a quick look: python loadgen.py PORT PATH SECONDS CLIENTS
    import sys

    print(json.dumps(run(host="127.0.0.1", port=int(sys.argv[1]), duration=float(sys.argv[3]),
                         connections=int(sys.argv[4]),
                         next_request=fixed_request(path=sys.argv[2]))))
