-- wrk script: public name search with varied queries; prints latency percentiles as JSON.
local queries = {}
local function urlencode(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
for line in io.lines(os.getenv("QUERIES_FILE")) do
  if #line > 0 then table.insert(queries, "/buscar/?q=" .. urlencode(line)) end
end
local counter = 0
function setup(thread)
  thread:set("offset", counter * 997)
  counter = counter + 1
end
local index = 0
request = function()
  index = index + 1
  local path = queries[((index + (offset or 0)) % #queries) + 1]
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
