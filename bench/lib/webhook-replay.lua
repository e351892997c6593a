-- wrk script of the webhook-ingest benchmark: replays pre-signed deliveries (wrk's Lua cannot
-- compute an HMAC). args: FILE OFFSET THREADS; FILE has one delivery a line, "<X-Hub-Signature-256>\t<body>".
-- Each thread starts at OFFSET + its index and steps by the thread count, so no two requests of a
-- run carry the same body until the file wraps (counted). done() prints one JSON line.
local bodies, sigs = {}, {}
local pos, step, wraps = 1, 1, 0
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
end

function init(args)
  local file = args[1]
  local offset = tonumber(args[2] or "0")
  for line in io.lines(file) do
    local tab = string.find(line, "\t", 1, true)
    table.insert(sigs, string.sub(line, 1, tab - 1))
    table.insert(bodies, string.sub(line, tab + 1))
  end
  step = tonumber(args[3] or "1")
  pos = ((offset + (index or 1) - 1) % #bodies) + 1
end

function request()
  local i = pos
  pos = pos + step
  if pos > #bodies then
    pos = ((pos - 1) % #bodies) + 1
    wraps = wraps + 1
  end
  return wrk.format("POST", "/webhooks/whatsapp", { ["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sigs[i] }, bodies[i])
end

function done(summary, latency, requests)
  local wrapped = 0
  for _, t in ipairs(threads) do wrapped = wrapped + (tonumber(t:get("wraps")) or 0) end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,"wraps":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, wrapped,
    latency:percentile(50), latency:percentile(99)))
end
