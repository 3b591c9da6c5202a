-- bench/rtt.lua WORKDIR [RTT_MS ...]: issue 15's "round trips that look
-- real". Serves WORKDIR/bench.test.zone (bench/gen_zone.lua) with knotd on
-- loopback and puts build-bench/delay_proxy in front of it, RTT_MS (default
-- 1 5 20 50) added to every round trip. For each RTT it measures, over the
-- first BENCH_NAMES (20,000) names: dnsperf through the proxy with many
-- queries in flight (the server-limited rate: what the chain carries), the
-- C loop over c-ares, lookup_many{kind="mx"} with its own adaptive window
-- (Lua 5.4), and lookup_many with concurrency = BENCH_CONCURRENCY (2000:
-- the queue kept deep, the resolver core's wire window doing the pacing)
-- under Lua 5.4 and LuaJIT. Then the realistic chain: unbound on loopback
-- recursing through a 20 ms proxy to knotd, cold cache (a fresh unbound per
-- run). The ratio is lookup_many / dnsperf; dnsperf counts up to q - 256 of
-- its last queries as lost by design, so a few losses of its own are not
-- seen (bench/measure.lua).
-- Arguments: the RTTs, or "-" for none; BENCH_UNBOUND=0 skips the chain.
-- Each figure is the median of BENCH_RUNS (3) runs with the spread; the
-- resolvers use timeout BENCH_TIMEOUT (1 s) and BENCH_TRIES (3).
--
--   bash bench/rtt.sh            (builds, makes the zone, calls this)
local m = require "bench.measure"
local dns = require "spec.helpers.dns_server"
local unbound = require "spec.helpers.unbound_chain"

local dir = assert(arg[1], "usage: rtt.lua WORKDIR [RTT_MS ...]")
local rtts = {}
for i = 2, #arg do rtts[#rtts + 1] = tonumber(arg[i]) end -- "-": none (the unbound chain only)
if #arg < 2 then rtts = { 1, 5, 20, 50 } end
local UNBOUND = os.getenv("BENCH_UNBOUND") ~= "0"
local RUNS = tonumber(os.getenv("BENCH_RUNS")) or 3
local N = tonumber(os.getenv("BENCH_NAMES")) or 20000
local TIMEOUT, TRIES = tonumber(os.getenv("BENCH_TIMEOUT")) or 1, tonumber(os.getenv("BENCH_TRIES")) or 3
local CONC = tonumber(os.getenv("BENCH_CONCURRENCY")) or 2000
local lenv = ("BENCH_TIMEOUT=%s BENCH_TRIES=%s"):format(TIMEOUT, TRIES)

local names, perf = dir .. "/rtt-names.txt", dir .. "/rtt-dnsperf.txt"
os.execute(("head -n %d %s/names.txt > %s && head -n %d %s/dnsperf-mx.txt > %s"):format(N, dir, names, N, dir, perf))
local deep = names .. " " .. CONC -- bench/bulk_bench.lua KIND FILE [CONCURRENCY]

local srv = dns.start { zones = { ["bench.test"] = dir .. "/bench.test.zone" } }
io.stderr:write(("knotd on %s; %d names; median of %d\n"):format(srv.address, N, RUNS))

local function tools_for(address, port)
  local t = {
    { label = "dnsperf (server-limited)", settings = {} },
    { label = "C loop over c-ares", settings = {} },
    { label = "lookup_many mx (Lua 5.4)", settings = { { "adaptive", m.lookup_many(address, names, "lua5.4", "mx", lenv) } } },
    { label = "lookup_many mx deep (Lua 5.4)", settings = { { "c " .. CONC, m.lookup_many(address, deep, "lua5.4", "mx", lenv) } } },
    { label = "lookup_many mx deep (LuaJIT)", settings = { { "c " .. CONC, m.lookup_many(address, deep, "luajit", "mx", lenv) } } },
  }
  for _, q in ipairs { 100, 200, 500, 1000 } do
    t[1].settings[#t[1].settings + 1] = { "-q " .. q, m.dnsperf(port, perf, q, TIMEOUT * TRIES) }
  end
  for _, w in ipairs { 50, 200, 1000 } do
    t[2].settings[#t[2].settings + 1] = { "window " .. w, m.cloop(address, names, w, TIMEOUT * 1000, TRIES) }
  end
  return t
end

local results = {}
for _, rtt in ipairs(rtts) do
  io.stderr:write(("RTT %s ms (delay_proxy):\n"):format(rtt))
  local proxy = m.proxy(srv.port, rtt)
  local tools = m.measure(tools_for(proxy.address, proxy.port), RUNS)
  io.stderr:write("  proxy: ", proxy.stop())
  results[#results + 1] = { label = rtt .. " ms", tools = tools }
end

-- unbound (cold cache, fresh per run) -> 20 ms proxy -> knotd
if UNBOUND then
  io.stderr:write("unbound -> 20 ms -> knotd (cold cache, a fresh unbound per run):\n")
  local proxy = m.proxy(srv.port, 20)
  local function fresh(fn_of_address)
    return function()
      local u = unbound.start { stubs = { ["bench.test"] = "127.0.0.1@" .. proxy.port } }
      local run = fn_of_address(u.address, u.port)()
      u:stop()
      return run
    end
  end
  local tools = {
    { label = "dnsperf (server-limited)", settings = {} },
    { label = "C loop over c-ares", settings = {} },
    { label = "lookup_many mx (Lua 5.4)", settings = { { "adaptive", fresh(function(a)
      return m.lookup_many(a, names, "lua5.4", "mx", lenv) end) } } },
    { label = "lookup_many mx deep (Lua 5.4)", settings = { { "c " .. CONC, fresh(function(a)
      return m.lookup_many(a, deep, "lua5.4", "mx", lenv) end) } } },
    { label = "lookup_many mx deep (LuaJIT)", settings = { { "c " .. CONC, fresh(function(a)
      return m.lookup_many(a, deep, "luajit", "mx", lenv) end) } } },
  }
  for _, q in ipairs { 100, 200, 500, 1000 } do
    tools[1].settings[#tools[1].settings + 1] = { "-q " .. q, fresh(function(_, p) return m.dnsperf(p, perf, q, TIMEOUT * TRIES) end) }
  end
  for _, w in ipairs { 50, 200, 1000 } do
    tools[2].settings[#tools[2].settings + 1] = { "window " .. w, fresh(function(a)
      return m.cloop(a, names, w, TIMEOUT * 1000, TRIES) end) }
  end
  m.measure(tools, RUNS)
  io.stderr:write("  proxy: ", proxy.stop())
  results[#results + 1] = { label = "unbound+20ms", tools = tools }
end
srv:stop()

print(("lookup_many mx behind a delay, %d names, q/s median (min-max) of %d; timeout %s s, tries %s; deep: concurrency %d")
  :format(N, RUNS, TIMEOUT, TRIES, CONC))
print(("%-13s %-34s %-34s %-26s %-26s %-26s %s"):format("RTT", "dnsperf (server-limited) [-q]", "C loop [window]",
  "lookup_many 5.4 adaptive", "lookup_many 5.4 deep", "lookup_many LuaJIT deep", "/ server-limited: adaptive, deep 5.4"))
for _, r in ipairs(results) do
  local t = r.tools
  print(("%-13s %-34s %-34s %-26s %-26s %-26s %.2f, %.2f%s"):format(r.label, m.fmt(t[1]) .. " [" .. t[1].setting .. "]",
    m.fmt(t[2]) .. " [" .. t[2].setting .. "]", m.fmt(t[3]), m.fmt(t[4]), m.fmt(t[5]), t[3].median / t[1].median,
    t[4].median / t[1].median, t[4].median >= 0.8 * t[1].median and " (deep >= 0.8: met)" or " (deep >= 0.8: MISSED)"))
end
