-- wrk script of scripts/bench-load.sh: varied realistic requests of one kind.
--   wrk ... -s requests.lua URL -- KIND BASINS_FILE [THINK_MS]
-- KIND: list (GET /api/v1/establishments, basin + sometimes a sector, page 0-4),
--       fn (POST /api/fn/list_establishments, the server function of the UI's list),
--       basins (GET /api/v1/basins), compare (GET /api/v1/basins/compare, 2-4 basins).
-- BASINS_FILE: one basin code a line. THINK_MS: pause of each client between two
-- requests (0: back to back). done() prints one JSON line of figures.
local kind, basins, think = "list", {}, 0
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

local sections = { "C", "F", "G", "H", "I", "M", "N", "P", "Q", "S" }
function init(args)
  kind = args[1] or "list"
  for line in io.lines(args[2]) do
    if #line > 0 then table.insert(basins, line) end
  end
  think = tonumber(args[3] or "0")
  math.randomseed(os.time() * 100 + (id or 0))
end

local function pick() return basins[math.random(#basins)] end

function request()
  if kind == "list" then
    local q = "bassin=" .. pick() .. "&page=" .. math.random(0, 4)
    if math.random() < 0.5 then q = q .. "&section=" .. sections[math.random(#sections)] end
    return wrk.format("GET", "/api/v1/establishments?" .. q)
  elseif kind == "fn" then
    local body = "filter[basin]=" .. pick() .. "&filter[page]=" .. math.random(0, 4)
    if math.random() < 0.5 then body = body .. "&filter[section]=" .. sections[math.random(#sections)] end
    return wrk.format("POST", "/api/fn/list_establishments",
      -- A headers table replaces wrk's -H headers: ask for gzip as a browser does.
      { ["Content-Type"] = "application/x-www-form-urlencoded", ["Accept-Encoding"] = "gzip" }, body)
  elseif kind == "basins" then
    return wrk.format("GET", "/api/v1/basins")
  else
    local n, picked = math.random(2, 4), {}
    local seen = {}
    while #picked < n do
      local b = pick()
      if not seen[b] then seen[b] = true; table.insert(picked, b) end
    end
    return wrk.format("GET", "/api/v1/basins/compare?bassins=" .. table.concat(picked, ","))
  end
end

function delay()
  return think
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.1f,"rps":%.0f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,' ..
    '"errors":%d,"http_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, e.status + e.connect + e.read + e.write + e.timeout, e.status,
    e.connect + e.read + e.write + e.timeout))
end
