-- bench/measure.lua: shared pieces of the bench scripts (rtt.lua, soak.lua):
-- shell helpers, runs of the tools (the C loop, dnsperf, bulk_bench.lua), and
-- "median of N runs, interleaved" with the spread.
local M = {}

function M.sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("*a")
  p:close()
  return out
end

function M.field(out, k) return tonumber(out:match(k .. "=([%d.]+)")) end

-- CPU seconds (user + system) of the measured process, from /usr/bin/time
-- (and a run stops after 300 s: a server that died must not hang the bench)
local TIME = "/usr/bin/time -f 'cpu_user=%U cpu_sys=%S' timeout 300 "
local TIMEF = TIME:gsub("%%", "%%%%") -- inside a format string
local function cpu(out)
  local u, s = M.field(out, "cpu_user"), M.field(out, "cpu_sys")
  return u and s and u + s or nil
end

local function kv(out, per_name)
  return { rate = M.field(out, "rate"), names = M.field(out, "names"), answered = M.field(out, "answered"), out = out,
    cpu = cpu(out), queries = M.field(out, "queries") or (M.field(out, "names") or 0) * (per_name or 1) }
end

M.LUA_PATH = "LUA_PATH='./?.lua;./lua/?.lua;./lua/?/init.lua;;'"

-- a run of any command printing names= answered= rate=
function M.command(cmd, per_name)
  return function() return kv(M.sh(TIME .. cmd), per_name) end
end

-- one run of bench/cares_loop against address over file
function M.cloop(address, file, window, timeout_ms, tries)
  return function()
    return kv(M.sh((TIMEF .. "build-bench/cares_loop %s %s %d %d %d"):format(address, file, window, timeout_ms or 100, tries or 5)))
  end
end

-- one run of dnsperf (input "name MX" per line), q queries in flight
function M.dnsperf(port, file, q, timeout_s)
  return function()
    local out = M.sh((TIMEF .. "dnsperf -s 127.0.0.1 -p %d -d %s -n 1 -q %d -t %d"):format(port, file, q, timeout_s or 5))
    -- dnsperf -n 1 stops when its input ends and counts the queries then in
    -- flight beyond 256 as lost (q - 256 of them, also with no delay at all
    -- and no loss on the way): those are not counted as lost here
    local sent, completed = tonumber(out:match("Queries sent:%s+(%d+)")), tonumber(out:match("Queries completed:%s+(%d+)"))
    if sent and completed then completed = math.min(sent, completed + math.max(0, q - 256)) end
    return { rate = tonumber(out:match("Queries per second:%s+([%d.]+)")), names = sent, answered = completed,
      out = out, cpu = cpu(out), queries = sent }
  end
end

-- one run of bench/bulk_bench.lua (lookup_many) under lua ("lua5.4"/"luajit")
function M.lookup_many(address, file, lua, kind, env)
  local build = lua == "luajit" and "build-5.1" or "build-5.4"
  return function()
    return kv(M.sh(("MXRECORD_SERVERS=%s %s LUA_CPATH='./%s/?.so;;' %s %s%s bench/bulk_bench.lua %s %s"):format(address,
      M.LUA_PATH, build, env or "", TIME, lua, kind or "mx", file)))
  end
end

function M.ok(run) return run.rate and run.names and run.answered == run.names end

-- tools: { { label =, settings = { { name, run_fn }, ... } }, ... }. Round 1
-- runs every setting once and keeps the best; rounds 2..runs repeat the kept
-- setting, every tool in turn. Fills t.setting, t.runs, t.median, t.min,
-- t.max, t.lost (runs that lost answers).
function M.measure(tools, runs, log)
  log = log or io.stderr
  local function note(t, s, run)
    log:write(("  %-46s %-14s %s\n"):format(t.label, s, run.rate and ("%.0f q/s%s"):format(run.rate, M.ok(run) and "" or
      (" LOST %s of %s"):format(tostring((run.names or 0) - (run.answered or 0)), tostring(run.names))) or "failed"))
    log:flush()
  end
  for _, t in ipairs(tools) do
    t.runs = {}
    local best, best_fn
    for _, s in ipairs(t.settings) do
      local run = s[2]()
      note(t, s[1], run)
      if not best or (M.ok(run) and (not M.ok(best) or run.rate > best.rate)) then best, best_fn, t.setting = run, s[2], s[1] end
    end
    t.runs[1], t.fn = best, best_fn
  end
  for round = 2, runs do
    for _, t in ipairs(tools) do
      t.runs[round] = t.fn()
      note(t, t.setting, t.runs[round])
    end
  end
  for _, t in ipairs(tools) do
    local rates, cpus, lost = {}, {}, 0
    for _, r in ipairs(t.runs) do
      rates[#rates + 1] = r.rate or 0
      if r.cpu and r.queries and r.queries > 0 then cpus[#cpus + 1] = r.cpu * 1e6 / r.queries end
      if not M.ok(r) then lost = lost + 1 end
    end
    table.sort(rates)
    table.sort(cpus)
    t.median, t.min, t.max, t.lost = rates[(#rates + 1) // 2], rates[1], rates[#rates], lost
    -- CPU microseconds of the client process per query: less sensitive to a loaded machine than q/s
    t.cpu_us, t.cpu_min, t.cpu_max = cpus[(#cpus + 1) // 2], cpus[1], cpus[#cpus]
  end
  return tools
end

-- "median (min-max)"
function M.fmt(t) return ("%6.0f (%.0f-%.0f)%s"):format(t.median, t.min, t.max, t.lost > 0 and (" LOST in " .. t.lost) or "") end

-- starts build-bench/delay_proxy; returns { port =, address =, stop = fn -> stats line }
function M.proxy(upstream_port, rtt_ms, loss_pct)
  local dns = require "spec.helpers.dns_server"
  local port = dns.free_port()
  local base = os.tmpname()
  os.execute(("build-bench/delay_proxy %d %d %s %s >%s.out 2>%s.err & echo $! >%s.pid"):format(port, upstream_port,
    rtt_ms, loss_pct or 0, base, base, base))
  local pid
  for _ = 1, 100 do
    local f = io.open(base .. ".out")
    local s = f and f:read("*a") or ""
    if f then f:close() end
    if s:find("ready") then break end
    os.execute("sleep 0.05")
  end
  pid = io.open(base .. ".pid"):read("*l")
  return { port = port, address = "127.0.0.1:" .. port, pid = pid, stop = function()
    os.execute("kill " .. pid .. " 2>/dev/null; sleep 0.1")
    local f = io.open(base .. ".err")
    local s = f and f:read("*a") or ""
    if f then f:close() end
    os.execute(("rm -f %s %s.out %s.err %s.pid"):format(base, base, base, base))
    return s
  end }
end

return M
