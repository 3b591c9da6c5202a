-- bench/fleet_bench.lua DIR N: the fleet's throughput with 1, 2 and 4 worker
-- processes over N MX inputs (DIR/names.txt, zone from bench/gen_zone.lua),
-- against one knotd and one redis-server on this machine, with the CPU each
-- server used (its share of the machine's cores); then the shared cache:
-- queries knotd receives for verify inputs from three workers at the same
-- time, with and without --shared-cache. Run through bench/fleet_bench.sh.
package.path = "./lua/?.lua;./lua/?/init.lua;./?.lua;" .. package.path
package.cpath = "./build-5.4/?.so;" .. package.cpath
local dns = require "spec.helpers.dns_server"
local redis_server = require "spec.helpers.redis_server"
local socket = require "socket"
local mxrecord = require "mxrecord"
local fleet = require "mxrecord.fleet"

local dir, N = assert(arg[1]), tonumber(arg[2]) or 50000
local WORKERS = { 1, 2, 4 }

local function cpu_seconds(pid) -- utime + stime of a process, in seconds (USER_HZ = 100)
  local f = io.open("/proc/" .. pid .. "/stat")
  if not f then return 0 end
  local s = f:read("*l")
  f:close()
  local fields = {}
  for x in s:match("%) (.*)$"):gmatch("%S+") do fields[#fields + 1] = x end
  return (tonumber(fields[12]) + tonumber(fields[13])) / 100
end

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end

local names = {}
for line in io.lines(dir .. "/names.txt") do
  names[#names + 1] = line
  if #names == N then break end
end

-- fleet.test: 300 domains over 30 mail hosts (as in spec/19_fleet_spec.lua)
local z = assert(io.open(dir .. "/fleet.test.zone", "w"))
z:write("$ORIGIN fleet.test.\n$TTL 3600\n@ SOA ns.fleet.test. h.fleet.test. 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n")
for j = 0, 29 do z:write(("mx%d A 192.0.2.%d\nmx%d AAAA 2001:db8::%d\n"):format(j, j + 1, j, j + 1)) end
for j = 0, 299 do z:write(("c%d MX 10 mx%d\nc%d MX 20 mx%d\n"):format(j, j % 30, j, (j + 7) % 30)) end
z:close()

local srv = dns.start { count = true, zones = { ["bench.test"] = dir .. "/bench.test.zone",
  ["fleet.test"] = dir .. "/fleet.test.zone" } }
local rs = redis_server.start()
local ok, err = pcall(function()
  local env = ("MXRECORD_REDIS=unix:%s "):format(rs.path)

  local function run(workers, inputs, kind, extra)
    rs:cli("FLUSHALL")
    local job = fleet.open { redis = rs:options(), name = "bench" }
    job:submit(inputs, { kind = kind })
    local q0, k0, r0 = srv:counts().total, cpu_seconds(srv.pid), cpu_seconds(rs.pid)
    local t0 = socket.gettime()
    local pids = {}
    for i = 1, workers do
      local pf = dir .. "/w" .. i .. ".pid"
      assert(sh(env .. "lua5.4 bin/mxrecord-fleet work --job bench --consumer w" .. i .. " --servers " .. srv.address ..
        " --block 0.1 " .. (extra or "") .. " >" .. dir .. "/w" .. i .. ".log 2>&1 & echo $! >" .. pf))
      pids[i] = io.open(pf):read("*l")
    end
    for _, pid in ipairs(pids) do
      while sh("kill -0 " .. pid .. " 2>/dev/null") do socket.sleep(0.02) end
    end
    local wall = socket.gettime() - t0
    local st = job:status()
    assert(st.done == #inputs, "not every input done")
    return { wall = wall, rate = #inputs / wall, knot = (cpu_seconds(srv.pid) - k0) / wall,
      redis = (cpu_seconds(rs.pid) - r0) / wall, queries = srv:counts().total - q0 }
  end

  -- one process, no fleet: the same names through lookup_many
  local r = mxrecord.resolver { servers = { srv.address } }
  local k0, t0 = cpu_seconds(srv.pid), socket.gettime()
  local n = 0
  for _ in r:lookup_many(names) do n = n + 1 end
  local wall = socket.gettime() - t0
  r:close()
  print(("%d MX inputs; 2 cores shared by everything below (and by other sessions: see the load average)"):format(N))
  print(("%-34s %9s %8s %12s %12s"):format("", "inputs/s", "wall s", "knotd cores", "redis cores"))
  print(("%-34s %9.0f %8.2f %12.2f %12s"):format("one process, lookup_many (no Redis)", n / wall, wall,
    (cpu_seconds(srv.pid) - k0) / wall, "-"))
  for _, w in ipairs(WORKERS) do
    local x = run(w, names, "mx", "--batch 500")
    print(("%-34s %9.0f %8.2f %12.2f %12.2f"):format(("fleet, %d worker process%s"):format(w, w > 1 and "es" or ""),
      x.rate, x.wall, x.knot, x.redis))
  end

  local addresses = {}
  for k = 0, 2999 do addresses[#addresses + 1] = ("user%d@c%d.fleet.test"):format(k, k % 300) end
  print(("\nshared cache: %d verify inputs over 300 domains and 30 mail hosts, queries knotd received"):format(#addresses))
  for _, w in ipairs { 1, 3 } do
    for _, shared in ipairs { false, true } do
      local x = run(w, addresses, "verify", "--batch 50" .. (shared and " --shared-cache" or ""))
      print(("  %d worker%s at the same time, %-22s %5d queries  (%.0f inputs/s)"):format(w, w > 1 and "s" or " ",
        shared and "with the shared level:" or "without:", x.queries, x.rate))
    end
  end
  print(("\nload average at the end: %s"):format(io.open("/proc/loadavg"):read("*l")))
end)
srv:stop()
rs:stop()
if not ok then error(err, 0) end
