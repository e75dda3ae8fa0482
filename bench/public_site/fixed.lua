-- wrk script: one fixed request (method, path, headers, body from the environment).
wrk.method = os.getenv("METHOD") or "GET"
wrk.path = os.getenv("REQUEST_PATH") or "/"
wrk.body = os.getenv("BODY")
if os.getenv("COOKIE") then wrk.headers["Cookie"] = os.getenv("COOKIE") end
if wrk.body then wrk.headers["Content-Type"] = "application/x-www-form-urlencoded" end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
