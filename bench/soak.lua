-- bench/soak.lua WORKDIR: issue 15's soak, "flat under load for hours, in
-- minutes". Serves WORKDIR/bench.test.zone with knotd on loopback behind
-- build-bench/delay_proxy dropping SOAK_LOSS (1) % of the queries, lists a
-- dead server (a black hole: receives, never answers) with it, and streams
-- SOAK_NAMES (1,000,000) generated names through lookup_many{kind="mx"}
-- (bench/bulk_bench.lua gen:N: names past the zone answer NXDOMAIN) under
-- SOAK_LUA (lua5.4). Every SOAK_EVERY (3) seconds it samples the worker's
-- RSS (VmRSS) and open descriptors (/proc/PID/fd), then prints the samples
-- and whether they stayed flat after the first 20 % of the run:
--   RSS: max of the last third <= max of the first third + 10 % + 1 MB
--        + 32 bytes per name done in between (lookup_many's duplicate set)
--   descriptors: no growth (max of the last third <= max of the first third)
-- SOAK_DEAD = "second" (default: good server first, the dead one is met on
-- retries of lost queries) or "first" (the dead server listed first).
-- The resolver: timeout SOAK_TIMEOUT (0.2 s), tries SOAK_TRIES (4).
--
--   bash bench/soak.sh
local m = require "bench.measure"
local dns = require "spec.helpers.dns_server"
local black_hole = require "spec.helpers.black_hole"
local socket = require "socket"

local dir = assert(arg[1], "usage: soak.lua WORKDIR")
local N = tonumber(os.getenv("SOAK_NAMES")) or 1000000
local LOSS = tonumber(os.getenv("SOAK_LOSS")) or 1
local EVERY = tonumber(os.getenv("SOAK_EVERY")) or 3
local LUA = os.getenv("SOAK_LUA") or "lua5.4"
local DEAD = os.getenv("SOAK_DEAD") or "second"
local TIMEOUT, TRIES = os.getenv("SOAK_TIMEOUT") or "0.2", os.getenv("SOAK_TRIES") or "4"

local srv = dns.start { zones = { ["bench.test"] = dir .. "/bench.test.zone" } }
local proxy = m.proxy(srv.port, 0, LOSS)
local hole = black_hole.start()
local servers = DEAD == "first" and (hole.address .. "," .. proxy.address) or (proxy.address .. "," .. hole.address)
io.stderr:write(("soak: %d names, %s%% query loss at the proxy, servers %s (dead: %s), %s, timeout %s, tries %s\n")
  :format(N, LOSS, servers, hole.address, LUA, TIMEOUT, TRIES))

local out = os.tmpname()
local build = LUA == "luajit" and "build-5.1" or "build-5.4"
os.execute(("MXRECORD_SERVERS=%s BENCH_TIMEOUT=%s BENCH_TRIES=%s %s LUA_CPATH='./%s/?.so;;' %s bench/bulk_bench.lua mx gen:%d >%s 2>&1 & echo $! >%s.pid")
  :format(servers, TIMEOUT, TRIES, m.LUA_PATH, build, LUA, N, out, out))
local pid = io.open(out .. ".pid"):read("*l")

local function rss_kb()
  local f = io.open("/proc/" .. pid .. "/status")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)"))
end
local function fds() return tonumber(m.sh("ls /proc/" .. pid .. "/fd 2>/dev/null | wc -l")) end

local samples, t0 = {}, socket.gettime()
while true do
  socket.sleep(EVERY)
  local r, f = rss_kb(), fds()
  if not r then break end
  samples[#samples + 1] = { t = socket.gettime() - t0, rss = r, fds = f }
  io.stderr:write(("  %6.0f s  RSS %6.1f MB  fds %d\n"):format(samples[#samples].t, r / 1024, f))
end
local result = io.open(out):read("*a")
os.remove(out)
os.remove(out .. ".pid")
local hole_count = hole:count()
hole:stop()
local proxy_stats = proxy.stop()
srv:stop()

print(("soak: %d names, %s%% loss, dead server %s, %s: %s"):format(N, LOSS, DEAD, LUA, result:gsub("\n$", "")))
print(("proxy: %s; dead server received %d queries"):format(proxy_stats:gsub("\n$", ""), hole_count))
local n = #samples
local verdict = "too short to judge (fewer than 5 samples)"
if n >= 5 then
  local from = math.max(1, math.floor(n * 0.2))
  local len = n - from + 1
  local function max_of(a, b, k)
    local x = -math.huge
    for i = a, b do x = math.max(x, samples[i][k]) end
    return x
  end
  local first_end = from + len // 3 - 1
  local last_start = n - len // 3 + 1
  local r1, r3 = max_of(from, first_end, "rss"), max_of(last_start, n, "rss")
  local f1, f3 = max_of(from, first_end, "fds"), max_of(last_start, n, "fds")
  -- lookup_many's duplicate set grows by design ("16 to 32 bytes per
  -- distinct name", lua/mxrecord/bulk.lua): allowed for the names done
  -- between the two windows (at an even rate: by time)
  local seen_kb = 32 * N * (samples[n].t - samples[first_end].t) / samples[n].t / 1024
  local rss_flat = r3 <= r1 * 1.1 + 1024 + seen_kb
  local fds_flat = f3 <= f1
  verdict = ("RSS %s (first third max %.1f MB, last third max %.1f MB, allowed %.1f MB of it for the duplicate set); descriptors %s (%d then %d)"):format(
    rss_flat and "flat" or "GREW", r1 / 1024, r3 / 1024, seen_kb / 1024, fds_flat and "flat" or "GREW", f1, f3)
end
print(("samples: %d every %s s over %.0f s; %s"):format(n, EVERY, n > 0 and samples[n].t or 0, verdict))
if n >= 4 then
  local q = n - n // 4 + 1
  print(("last quarter (%.0f-%.0f s): RSS %.1f -> %.1f MB, descriptors %d -> %d"):format(samples[q].t, samples[n].t,
    samples[q].rss / 1024, samples[n].rss / 1024, samples[q].fds, samples[n].fds))
end
