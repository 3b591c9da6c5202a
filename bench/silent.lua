-- bench/silent.lua WORKDIR: issue 15's "one dead server slows everything".
-- Serves WORKDIR/bench.test.zone with knotd on loopback and starts a black
-- hole (spec/helpers/black_hole.lua: receives, never answers); runs
-- lookup_many{kind="mx"} (bench/bulk_bench.lua) over BENCH_NAMES (1,000,000)
-- generated names (d000000.bench.test ...; past the zone's end NXDOMAIN),
-- for BENCH_SECONDS (10) s, with timeout 0.5 s and tries 1, under Lua 5.4,
-- with the servers:
--   good only;  silent first, then good;  good first, then silent
-- and prints the rate over the whole run and after the first second (the
-- issue's goal: silent-first within 10 % of good-only after the first
-- second), the client's CPU per query, the answers, and the queries the
-- black hole received. Median of BENCH_RUNS (3), interleaved.
-- BENCH_CONCURRENCY=N passes concurrency = N to lookup_many (default: its
-- own window). Runs of 10 s: a run of 100,000 names on loopback lasts about
-- a second, too short to compare the rates after the first second.
local m = require "bench.measure"
local dns = require "spec.helpers.dns_server"
local black_hole = require "spec.helpers.black_hole"

local dir = assert(arg[1], "usage: silent.lua WORKDIR")
local RUNS = tonumber(os.getenv("BENCH_RUNS")) or 3
local N = tonumber(os.getenv("BENCH_NAMES")) or 1000000
local SECONDS = tonumber(os.getenv("BENCH_SECONDS")) or 10
local CONC = tonumber(os.getenv("BENCH_CONCURRENCY"))
local names = "gen:" .. N .. (CONC and (" " .. CONC) or "") -- bench/bulk_bench.lua KIND FILE [CONCURRENCY]

local srv = dns.start { zones = { ["bench.test"] = dir .. "/bench.test.zone" } }
local hole = black_hole.start()
local env = ("BENCH_TIMEOUT=0.5 BENCH_TRIES=1 BENCH_AFTER=1 BENCH_SECONDS=%s"):format(SECONDS)
local setups = {
  { "good only", srv.address },
  { "silent first, then good", hole.address .. "," .. srv.address },
  { "good first, then silent", srv.address .. "," .. hole.address },
}
local rows = {}
for _, s in ipairs(setups) do rows[#rows + 1] = { label = s[1], servers = s[2], runs = {} } end
for round = 1, RUNS do
  for _, row in ipairs(rows) do
    local before = hole:count()
    local r = m.lookup_many(row.servers, names, "lua5.4", "mx", env)()
    r.after = m.field(r.out, "rate_after")
    r.hole = hole:count() - before
    row.runs[round] = r
    r.cpu_us = r.cpu and r.queries > 0 and r.cpu * 1e6 / r.queries or 0
    io.stderr:write(("  %-26s rate %6s  after 1 s %6s  cpu %.1f us/q  answered %s/%s  black hole got %d\n"):format(
      row.label, tostring(r.rate), tostring(r.after), r.cpu_us, tostring(r.answered), tostring(r.names), r.hole))
  end
end
hole:stop()
srv:stop()

local function med(t, k)
  local v = {}
  for _, r in ipairs(t) do v[#v + 1] = r[k] or 0 end
  table.sort(v)
  return v[(#v + 1) // 2], v[1], v[#v]
end
print(("silent server: lookup_many mx%s, timeout 0.5 s, tries 1, up to %d names in %s s, median (min-max) of %d"):format(
  CONC and (" (concurrency " .. CONC .. ")") or "", N, SECONDS, RUNS))
print(("%-26s %22s %22s %9s %16s %14s"):format("servers", "q/s whole run", "q/s after 1 s", "CPU us/q", "answered",
  "to black hole"))
local good_after = med(rows[1].runs, "after")
for _, row in ipairs(rows) do
  local a, a1, a2 = med(row.runs, "rate")
  local b, b1, b2 = med(row.runs, "after")
  local ans, names_n, h = med(row.runs, "answered"), med(row.runs, "names"), med(row.runs, "hole")
  print(("%-26s %7.0f (%5.0f-%5.0f) %7.0f (%5.0f-%5.0f) %9.1f %7d/%-8d %14d  %.2fx good-only after 1 s"):format(
    row.label, a, a1, a2, b, b1, b2, med(row.runs, "cpu_us"), ans, names_n, h, b / good_after))
end
local sf = med(rows[2].runs, "after")
print(("goal (issue 15): silent first within 10 %% of good only after the first second: %s (%.2f)"):format(
  sf >= 0.9 * good_after and "met" or "MISSED", sf / good_after))
