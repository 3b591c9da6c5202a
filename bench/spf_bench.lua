-- bench/spf_bench.lua [N] [WINDOW]: r:spf_check evaluations per second, cold
-- (every question new to the resolver's cache) and warm (the same domains
-- again), the queries one evaluation asks, the evaluator alone (answers from
-- a table, no DNS), r:posture domains per second, and the raw TXT query
-- rate of the same server for scale.
-- Starts its own knotd on loopback over a generated zone of N domains
-- (default 2000); WINDOW evaluations in flight (default 100). Run from the
-- repository root:
--   LUA_PATH='./?.lua;./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./build-5.4/?.so;;' lua5.4 bench/spf_bench.lua
-- Each domain: TXT "v=spf1 include:_spf.<d> mx -all", _spf.<d> "v=spf1
-- ip4:198.51.100.0/24 a:out.<d> ~all", MX mx.<d>, A records; the client
-- 203.0.113.5 matches nothing, so every term is evaluated: 5 questions.
local mxrecord = require "mxrecord"
local spf = require "mxrecord.spf"
local dns = require "spec.helpers.dns_server"
local clock = require("mxrecord.core").monotonic

local n, window = tonumber(arg[1]) or 2000, tonumber(arg[2]) or 100

local zonefile = os.tmpname()
local f = assert(io.open(zonefile, "w"))
f:write("$ORIGIN spf.bench.\n$TTL 3600\n@ SOA ns hostmaster 1 3600 600 86400 3600\n@ NS ns\nns A 127.0.0.1\n")
for i = 0, n - 1 do
  local d = ("d%05d"):format(i)
  f:write(d, ' TXT "v=spf1 include:_spf.', d, '.spf.bench mx -all"\n')
  f:write("_spf.", d, ' TXT "v=spf1 ip4:198.51.100.0/24 a:out.', d, '.spf.bench ~all"\n')
  f:write(d, " MX 10 mx.", d, "\n")
  f:write("mx.", d, " A 192.0.2.", i % 250 + 1, "\n")
  f:write("out.", d, " A 192.0.2.", (i + 7) % 250 + 1, "\n")
end
f:close()
local srv = dns.start { zones = { ["spf.bench"] = zonefile } }

-- big enough that the warm pass finds every answer (the default bound is 8 MB)
local CACHE = { size = 100000, max_bytes = 256 * 1024 * 1024 }

local function domain(i) return ("d%05d.spf.bench"):format(i) end

-- Runs n evaluations with at most `window` in flight; returns seconds.
local function run(r, label)
  local next_i, done, results = 0, 0, {}
  local t0 = clock()
  local function launch()
    if next_i >= n then return end
    local i = next_i
    next_i = next_i + 1
    r:spf_check({ ip = "203.0.113.5", sender = "bench@" .. domain(i), helo = "client.example" }, function(res)
      results[res and res.result or "error"] = (results[res and res.result or "error"] or 0) + 1
      done = done + 1
      launch()
    end)
  end
  for _ = 1, window do launch() end
  while done < n do r:run(1) end
  local secs = clock() - t0
  local parts = {}
  for k, v in pairs(results) do parts[#parts + 1] = k .. "=" .. v end
  table.sort(parts)
  return secs, table.concat(parts, " ")
end

local r = mxrecord.resolver { servers = { srv.address }, timeout = 0.5, tries = 4, cache = CACHE }
local cold, cold_res = run(r, "cold")
local asked = r:cache_stats().asked
local warm, warm_res = run(r, "warm")
local asked_warm = r:cache_stats().asked - asked
r:close()

-- the evaluator alone: the same answers from a table
local zone = {}
for i = 0, n - 1 do
  local d = domain(i)
  zone["txt " .. d] = { "v=spf1 include:_spf." .. d .. " mx -all" }
  zone["txt _spf." .. d] = { "v=spf1 ip4:198.51.100.0/24 a:out." .. d .. " ~all" }
  zone["mx mx." .. d] = nil
  zone["mx " .. d] = { "mx." .. d }
  zone["a mx." .. d] = { "192.0.2.1" }
  zone["a out." .. d] = { "192.0.2.2" }
end
local function answer(name, qtype)
  local recs = zone[qtype .. " " .. name]
  if recs then return "ok", recs end
  return "nxdomain"
end
local t0 = clock()
local evals = 0
while clock() - t0 < 2 do
  for i = 0, math.min(n, 1000) - 1 do
    spf.evaluate({ ip = "203.0.113.5", sender = "bench@" .. domain(i), helo = "client.example" }, answer)
    evals = evals + 1
  end
end
local pure = evals / (clock() - t0)

-- raw TXT queries, same server, same window, no cache
local raw = mxrecord.resolver { servers = { srv.address }, timeout = 0.5, tries = 4 }
local next_i, done = 0, 0
t0 = clock()
local function launch()
  if next_i >= n then return end
  local i = next_i
  next_i = next_i + 1
  raw:txt(domain(i), function()
    done = done + 1
    launch()
  end)
end
for _ = 1, window do launch() end
while done < n do raw:run(1) end
local raw_rate = n / (clock() - t0)
raw:close()

-- r:posture over the same domains (MX, SPF tree, DMARC and its walk, MTA-STS,
-- TLS-RPT, BIMI, TLSA per MX host), window as above
local pr = mxrecord.resolver { servers = { srv.address }, timeout = 0.5, tries = 4, cache = CACHE }
next_i, done = 0, 0
t0 = clock()
local function launch_posture()
  if next_i >= n then return end
  local i = next_i
  next_i = next_i + 1
  pr:posture(domain(i), function()
    done = done + 1
    launch_posture()
  end)
end
for _ = 1, window do launch_posture() end
while done < n do pr:run(1) end
local posture_secs = clock() - t0
local posture_asked = pr:cache_stats().asked
pr:close()
srv:stop()
os.remove(zonefile)

print(("spf_check cold: %d evaluations in %.2f s = %.0f/s, %.2f queries per evaluation (%s)"):format(n, cold,
  n / cold, asked / n, cold_res))
print(("spf_check warm: %d evaluations in %.2f s = %.0f/s, %.2f queries per evaluation (%s)"):format(n, warm,
  n / warm, asked_warm / n, warm_res))
print(("evaluator alone (answers from a table): %.0f evaluations/s"):format(pure))
print(("raw TXT queries, same server and window: %.0f/s (cold spf_check = %.2f queries x %.0f/s = %.0f queries/s)")
  :format(raw_rate, asked / n, n / cold, asked / cold))
print(("posture: %d domains in %.2f s = %.0f/s, %.2f cached-path queries per domain (+1 TLSA per MX host)")
  :format(n, posture_secs, n / posture_secs, posture_asked / n))
