-- bench/bulk_run.lua WORKDIR: the bulk comparison of issues 5 and 15, in one
-- run (bench/bulk.sh prepares everything and calls this). Serves
-- WORKDIR/bench.test.zone (100,000 domains, from gen_zone.lua) with one knotd
-- on loopback and measures, against that one server: a C loop over c-ares
-- (bench/cares_loop.c, the reference: same library, no Lua), dnsperf,
-- lua-cqueues' resolver, and mxrecord's lookup_many under Lua 5.4 and LuaJIT
-- for "mx" and "profile"; then a 1,000,000-name streaming run for peak RSS.
--
-- Every figure is the median of RUNS (default 3) runs, with the spread
-- (min-max). A tool with settings (window, -q, coroutines) first runs each
-- setting once and keeps the best; its other runs use that setting. The
-- runs are interleaved (round 1 of every tool, then round 2, ...) so that a
-- load change on a shared machine hits every tool alike. Every name must be
-- answered: the answers are counted, and a run that lost some is flagged.
--
-- Environment: BENCH_RUNS (3), BENCH_STREAM (1000000; 0 skips the streaming run).
local dns = require "spec.helpers.dns_server"
local dir = assert(arg[1], "usage: bulk_run.lua WORKDIR")
local RUNS = tonumber(os.getenv("BENCH_RUNS")) or 3
local STREAM = tonumber(os.getenv("BENCH_STREAM")) or 1000000

local m = require "bench.measure"
local srv = dns.start { zones = { ["bench.test"] = dir .. "/bench.test.zone" } }
local env = ("MXRECORD_SERVERS=%s %s "):format(srv.address, m.LUA_PATH)
local sh, field = m.sh, m.field

local tools, by = {}, {}
local function tool(key, label, settings)
  tools[#tools + 1] = { key = key, label = label, settings = settings }
  by[key] = tools[#tools]
end
local names = dir .. "/names.txt"
local cl, dp, cq = {}, {}, {}
for _, w in ipairs { 20, 50, 200 } do cl[#cl + 1] = { "window " .. w, m.cloop(srv.address, names, w) } end
for _, q in ipairs { 20, 50, 200 } do dp[#dp + 1] = { "-q " .. q, m.dnsperf(srv.port, dir .. "/dnsperf-mx.txt", q) } end
for _, n in ipairs { 5, 10, 20 } do
  cq[#cq + 1] = { n .. " coroutines", m.command(("env %s timeout 120 lua5.4 bench/cqueues_bench.lua %s %d"):format(env, names, n)) }
end
tool("cloop", "C loop over c-ares (bench/cares_loop.c)", cl)
tool("dnsperf", "dnsperf", dp)
tool("mx54", "mxrecord lookup_many mx (Lua 5.4)", { { "adaptive", m.lookup_many(srv.address, names, "lua5.4", "mx") } })
tool("mxjit", "mxrecord lookup_many mx (LuaJIT)", { { "adaptive", m.lookup_many(srv.address, names, "luajit", "mx") } })
tool("pr54", "mxrecord lookup_many profile (Lua 5.4)", { { "adaptive", m.lookup_many(srv.address, names, "lua5.4", "profile") } })
tool("prjit", "mxrecord lookup_many profile (LuaJIT)", { { "adaptive", m.lookup_many(srv.address, names, "luajit", "profile") } })
tool("cqueues", "lua-cqueues stub resolvers (Lua 5.4)", cq)

io.stderr:write(("measuring (knotd on %s, %d runs each, interleaved):\n"):format(srv.address, RUNS))
m.measure(tools, RUNS)

local stream
if STREAM > 0 then
  stream = sh(("%s LUA_CPATH='./build-5.4/?.so;;' lua5.4 bench/bulk_bench.lua mx gen:%d"):format(env, STREAM))
  io.stderr:write("  stream: ", stream)
end
srv:stop()

local failures = {}
for _, t in ipairs(tools) do
  if t.lost > 0 then failures[#failures + 1] = ("%s: %d of %d runs lost answers"):format(t.label, t.lost, #t.runs) end
end
local ref, ref_cpu = by.cloop.median, by.cloop.cpu_us

print(("%-40s %-13s %8s %17s %8s %20s %8s %7s"):format(("one knotd on 127.0.0.1, median of %d"):format(RUNS), "setting",
  "q/s", "spread (min-max)", "x C loop", "CPU us/q (min-max)", "x C loop", "all ok"))
for _, t in ipairs(tools) do
  print(("%-40s %-13s %8.0f %8.0f-%-8.0f %7.2fx %6.1f (%5.1f-%5.1f) %7.2fx %7s"):format(t.label, t.setting, t.median,
    t.min, t.max, t.median / ref, t.cpu_us or 0, t.cpu_min or 0, t.cpu_max or 0, (t.cpu_us or 0) / ref_cpu,
    t.lost == 0 and "yes" or ("LOST " .. t.lost)))
end
print("q/s: DNS queries per second (profile: every query it makes, 3 to 6 per name). CPU us/q: user+system CPU of the client process\n"
  .. "per query, median (min-max): steadier than q/s on a shared machine.")
if stream then
  print(("stream of %d names (mx, Lua 5.4): %s q/s, %s failed, peak RSS %.1f MB"):format(STREAM,
    tostring(field(stream, "rate")), tostring(field(stream, "failed")), (field(stream, "peak_rss_kb") or 0) / 1024))
  if field(stream, "failed") ~= 0 then failures[#failures + 1] = "stream: " .. (stream:match("failures=%S+") or "?") end
end
local function goal(cond) return cond and "met" or "MISSED" end
local function ratio(k) return by[k].median / ref end
print(("goals (issue 15): mx >= 0.9x C loop: %s (5.4 %.2f) %s (LuaJIT %.2f); profile >= 0.8x C loop: %s (5.4 %.2f) %s (LuaJIT %.2f)")
  :format(goal(ratio "mx54" >= 0.9), ratio "mx54", goal(ratio "mxjit" >= 0.9), ratio "mxjit",
    goal(ratio "pr54" >= 0.8), ratio "pr54", goal(ratio "prjit" >= 0.8), ratio "prjit"))
if stream then
  print(("goal (issue 5): peak RSS of the stream < 64 MB: %s"):format(goal((field(stream, "peak_rss_kb") or 1e9) < 65536)))
end
if #failures > 0 then
  print("NOT EVERY NAME ANSWERED: " .. table.concat(failures, "; "))
  os.exit(1)
end
