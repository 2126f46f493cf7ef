-- wrk script for benchmarks/bench_http.py.
-- Arguments after "--": METHOD BODY_FILE|- PATH [PATH ...]; the paths are used in turn.
-- Prints one line "WRKJSON {...}" with the totals and latency percentiles.
local method, body, paths, counter = "GET", nil, {}, 0

init = function(args)
  method = args[1]
  if args[2] ~= "-" then
    local f = assert(io.open(args[2], "rb")); body = f:read("*a"); f:close()
  end
  for i = 3, #args do paths[#paths + 1] = args[i] end
end

request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  local headers = {}
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "socket_errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
