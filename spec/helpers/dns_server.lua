-- dns_server.lua: start a real authoritative DNS server (knotd) on
-- 127.0.0.1 with a free port, serving zone files, for specs and examples.
--
--   local dns = require "spec.helpers.dns_server"
--   local srv = dns.start{ zones = { ["mxrecord.test"] = "spec/fixtures/mxrecord.test.zone" } }
--   srv.address  --> "127.0.0.1:41234"
--   srv:stop()
--
-- Also: dns.start_fault() runs spec/helpers/fault_server.lua, which answers
-- badly on purpose (silence, SERVFAIL, truncation, garbage, wrong IDs).
local socket = require "socket"

local M = {}

-- Servers run in a clean environment: Lua paths set for another Lua version
-- and the sanitizer build's LD_PRELOAD must not leak into them.
local CLEAN_ENV = "env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LD_PRELOAD "

local function sh(cmd)
  local ok = os.execute(cmd)
  return ok == true or ok == 0
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function abspath(p)
  if p:sub(1, 1) == "/" then return p end
  local pwd = os.getenv("PWD") or io.popen("pwd"):read("*l")
  return pwd .. "/" .. p
end

-- A new directory /tmp/PREFIX.XXXXXX (default prefix mxrecord-dns); mktemp
-- runs without the sanitizer build's LD_PRELOAD.
local function tmpdir(prefix)
  local p = io.popen("env -u LD_PRELOAD mktemp -d /tmp/" .. (prefix or "mxrecord-dns") .. ".XXXXXX")
  local dir = p:read("*l")
  p:close()
  assert(dir and #dir > 0, "mktemp failed")
  return dir
end

-- For the other server helpers: one copy of these.
M.sh, M.read_file, M.tmpdir = sh, read_file, tmpdir

-- A port that is free for both UDP and TCP on 127.0.0.1 right now.
function M.free_port()
  for _ = 1, 50 do
    local u = assert(socket.udp())
    assert(u:setsockname("127.0.0.1", 0))
    local _, port = u:getsockname()
    local t = socket.tcp()
    local ok = t:bind("127.0.0.1", port)
    t:close()
    u:close()
    if ok then return tonumber(port) end
  end
  error("no free port found")
end

-- Sends a SOA query for zone over UDP and reports whether anything answered.
local function answers(port, zone)
  local u = socket.udp()
  u:settimeout(0.2)
  u:setpeername("127.0.0.1", port)
  local q = { "\0\1\1\0\0\1\0\0\0\0\0\0" }
  for label in zone:gmatch("[^.]+") do q[#q + 1] = string.char(#label) .. label end
  q[#q + 1] = "\0\0\6\0\1"
  u:send(table.concat(q))
  local r = u:receive()
  u:close()
  return r ~= nil
end

-- Waits up to 10 s for ready() to be true.
local function wait_ready(ready, port, logfile)
  local deadline = socket.gettime() + 10
  while socket.gettime() < deadline do
    if ready() then return true end
    socket.sleep(0.02)
  end
  return nil, "server did not start on port " .. port .. ": " .. (read_file(logfile) or "")
end

local Server = {}
Server.__index = Server

function Server:stop()
  if self.pid then
    sh("kill " .. self.pid .. " 2>/dev/null")
    -- wait for it to go, so the next server can take the port
    for _ = 1, 100 do
      if not sh("kill -0 " .. self.pid .. " 2>/dev/null") then break end
      socket.sleep(0.02)
    end
    sh("kill -9 " .. self.pid .. " 2>/dev/null")
    self.pid = nil
  end
  if self.dir then
    sh("rm -rf '" .. self.dir .. "'")
    self.dir = nil
  end
end

-- Queries received so far, by type: { MX = 5, A = 10, ..., total = 15 }
-- (knotd started with opts.count). The probe query the helper sent while
-- waiting for the server is counted too: subtract srv.baseline.
function Server:counts()
  assert(self.conf, "counts() needs a knotd started by dns.start{ count = true }")
  local p = assert(io.popen(CLEAN_ENV .. "knotc -c " .. self.conf .. " stats mod-stats.query-type 2>&1"))
  local out = p:read("*a")
  p:close()
  local counts = { total = 0 }
  for qtype, n in out:gmatch("query%-type%[([%w]+)%] = (%d+)") do
    counts[qtype] = (counts[qtype] or 0) + tonumber(n)
    counts.total = counts.total + tonumber(n)
  end
  return counts
end


-- Runs cmd in the background (in a clean environment, its log in dir/log)
-- and waits until it answers DNS on port for probe_zone, or until
-- probe_zone(srv) is true when it is a function; returns the server object
-- (srv:stop() ends it and removes dir), or raises with the server's log.
-- Every server helper starts its server this way.
local function launch(cmd, dir, port, probe_zone)
  local pidfile, logfile = dir .. "/pid", dir .. "/log"
  assert(sh(CLEAN_ENV .. cmd .. " >" .. logfile .. " 2>&1 </dev/null & echo $! >" .. pidfile))
  local pid = (read_file(pidfile) or ""):match("%d+")
  local srv = setmetatable({ pid = pid, dir = dir, port = port, address = "127.0.0.1:" .. port }, Server)
  local ready = type(probe_zone) == "function" and function() return probe_zone(srv) end
    or function() return answers(port, probe_zone) end
  local ok, err = pid and wait_ready(ready, port, logfile)
  if not ok then
    srv:stop()
    error(err or ("could not start: " .. cmd))
  end
  return srv
end

local function knotd_path()
  for _, p in ipairs { "/usr/sbin/knotd", "/usr/local/sbin/knotd" } do
    if read_file(p) then return p end
  end
  return "knotd"
end

M.launch = launch

-- opts.zones: { [zone name] = zone file path }; opts.port: fixed port (optional);
-- opts.count: count queries by type (srv:counts() reads them, through knotc).
function M.start(opts)
  opts = opts or {}
  local zones = opts.zones or { ["mxrecord.test"] = "spec/fixtures/mxrecord.test.zone" }
  local dir = tmpdir()
  local port = opts.port or M.free_port()
  local conf = {
    "server:",
    '    rundir: "' .. dir .. '"',
    "    listen: 127.0.0.1@" .. port,
    "    udp-workers: 1",
    "    tcp-workers: 1",
    "    background-workers: 1",
    "log:",
    "  - target: stderr",
    "    any: warning",
    "mod-stats:",
    "  - id: counts",
    "    query-type: on",
    "database:",
    '    storage: "' .. dir .. '/db"',
    "template:",
    "  - id: default",
    "    zonefile-sync: -1",
    "    zonefile-load: whole",
    "    journal-content: none",
  }
  if opts.count then conf[#conf + 1] = "    global-module: mod-stats/counts" end
  conf[#conf + 1] = "zone:"
  local first
  for name, file in pairs(zones) do
    first = first or name
    conf[#conf + 1] = "  - domain: " .. name
    conf[#conf + 1] = '    file: "' .. abspath(file) .. '"'
  end
  local f = assert(io.open(dir .. "/knot.conf", "w"))
  f:write(table.concat(conf, "\n"), "\n")
  f:close()
  local srv = launch(knotd_path() .. " -c " .. dir .. "/knot.conf", dir, port, first)
  srv.conf = dir .. "/knot.conf"
  return srv
end

-- The fault server (spec/helpers/fault_server.lua) under the running Lua's
-- interpreter name, or lua5.4.
function M.start_fault(opts)
  opts = opts or {}
  local dir = tmpdir()
  local port = opts.port or M.free_port()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec/helpers"
  local lua = opts.lua or "lua5.4"
  return launch(lua .. " " .. here .. "/fault_server.lua " .. port, dir, port, "ready.fault.test")
end

return M
