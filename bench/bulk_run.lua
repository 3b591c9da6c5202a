-- bench/bulk_run.lua WORKDIR: the bulk comparison of issue 5, in one run
-- (bench/bulk.sh prepares everything and calls this). Serves
-- WORKDIR/bench.test.zone (100,000 domains, from gen_zone.lua) with knotd on
-- loopback and measures, against that one server: dnsperf (the ceiling), a C
-- loop over c-ares, lua-cqueues' resolver, and mxrecord's lookup_many under
-- Lua 5.4 and LuaJIT for "mx" and "profile"; then a 1,000,000-name streaming
-- run for peak RSS. Every name must be answered: the answers are counted.
local dns = require "spec.helpers.dns_server"
local dir = assert(arg[1], "usage: bulk_run.lua WORKDIR")

local srv = dns.start { zones = { ["bench.test"] = dir .. "/bench.test.zone" } }
local env = ("MXRECORD_SERVERS=%s LUA_PATH='./?.lua;./lua/?.lua;./lua/?/init.lua;;' "):format(srv.address)

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("*a")
  p:close()
  return out
end

local function field(out, k) return tonumber(out:match(k .. "=([%d.]+)")) end

local rows, failures = {}, {}
local function row(label, rate, names, answered, extra)
  rows[#rows + 1] = { label = label, rate = rate, names = names, answered = answered, extra = extra }
  if not rate or not names or answered ~= names then
    failures[#failures + 1] = ("%s: %s of %s names answered"):format(label, tostring(answered), tostring(names))
  end
  io.stderr:write(("  %-48s %s\n"):format(label, rate and ("%.0f q/s"):format(rate) or "failed"))
  return rate
end

local function best(label, runs)
  local top
  for _, r in ipairs(runs) do
    if r.rate and r.answered == r.names and (not top or r.rate > top.rate) then top = r end
  end
  top = top or runs[1]
  return row(label .. " [" .. top.setting .. "]", top.rate, top.names, top.answered)
end

io.stderr:write("measuring (knotd on ", srv.address, "):\n")

-- dnsperf: the ceiling; the best of a few in-flight limits
local dp = {}
for _, q in ipairs { 20, 50, 200 } do
  local out = sh(("dnsperf -s 127.0.0.1 -p %d -d %s/dnsperf-mx.txt -n 1 -q %d"):format(srv.port, dir, q))
  local sent, completed = tonumber(out:match("Queries sent:%s+(%d+)")), tonumber(out:match("Queries completed:%s+(%d+)"))
  dp[#dp + 1] = { setting = "-q " .. q, rate = tonumber(out:match("Queries per second:%s+([%d.]+)")), names = sent,
    answered = completed }
end
local ceiling = best("dnsperf (the ceiling)", dp)

local cl = {}
for _, w in ipairs { 20, 50, 200 } do
  local out = sh(("%s build-bench/cares_loop %s %s/names.txt %d"):format(env, srv.address, dir, w))
  cl[#cl + 1] = { setting = "window " .. w, rate = field(out, "rate"), names = field(out, "names"),
    answered = field(out, "answered") }
end
best("C loop over c-ares (bench/cares_loop.c)", cl)

local cq = {}
for _, n in ipairs { 5, 10, 20 } do
  local out = sh(("%s timeout 120 lua5.4 bench/cqueues_bench.lua %s/names.txt %d"):format(env, dir, n))
  cq[#cq + 1] = { setting = n .. " coroutines", rate = field(out, "rate"), names = field(out, "names"),
    answered = field(out, "answered") }
end
local cqueues = best("lua-cqueues stub resolvers (Lua 5.4)", cq)

local function mxrecord(label, lua, build, kind, source)
  local out = sh(("%s LUA_CPATH='./%s/?.so;;' %s bench/bulk_bench.lua %s %s"):format(env, build, lua, kind, source))
  return out, row(label, field(out, "rate"), field(out, "names"), field(out, "answered"))
end
local _, mx54 = mxrecord("mxrecord lookup_many mx (Lua 5.4)", "lua5.4", "build-5.4", "mx", dir .. "/names.txt")
local _, mxjit = mxrecord("mxrecord lookup_many mx (LuaJIT)", "luajit", "build-5.1", "mx", dir .. "/names.txt")
local _, pr54 = mxrecord("mxrecord lookup_many profile (Lua 5.4)", "lua5.4", "build-5.4", "profile",
  dir .. "/names.txt")
local _, prjit = mxrecord("mxrecord lookup_many profile (LuaJIT)", "luajit", "build-5.1", "profile",
  dir .. "/names.txt")
local big = mxrecord("mxrecord 1,000,000 names streamed (mx, Lua 5.4)", "lua5.4", "build-5.4", "mx", "gen:1000000")
local rss_mb = (field(big, "peak_rss_kb") or 0) / 1024

srv:stop()

print(("%-58s %10s %9s %9s %9s"):format("queries/s, one knotd on 127.0.0.1 (2 cores)", "q/s", "dnsperf", "cqueues",
  "answered"))
for _, r in ipairs(rows) do
  print(("%-58s %10s %8.2fx %8.2fx %9s"):format(r.label, r.rate and ("%.0f"):format(r.rate) or "-",
    (r.rate or 0) / ceiling, (r.rate or 0) / cqueues, ("%s/%s"):format(tostring(r.answered), tostring(r.names))))
end
print(("profile counts two queries (MX and TXT) per name. Peak RSS of the 1,000,000-name run: %.1f MB"):format(rss_mb))
local function goal(ok) return ok and "met" or "MISSED" end
print(("goals: mx >= 0.85x dnsperf: %s (5.4) %s (LuaJIT); mx >= 3x cqueues: %s; profile >= 0.8x dnsperf: %s (5.4) %s (LuaJIT); RSS < 64 MB: %s")
  :format(goal(mx54 and mx54 >= 0.85 * ceiling), goal(mxjit and mxjit >= 0.85 * ceiling),
    goal(mx54 and mx54 >= 3 * cqueues), goal(pr54 and pr54 >= 0.8 * ceiling), goal(prjit and prjit >= 0.8 * ceiling),
    goal(rss_mb > 0 and rss_mb < 64)))
if #failures > 0 then
  print("NOT EVERY NAME ANSWERED: " .. table.concat(failures, "; "))
  os.exit(1)
end
