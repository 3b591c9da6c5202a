-- unbound.lua: DNSSEC with real servers, for specs. A knotd that signs its
-- zones itself (automatic keys, ECDSA P-256) and an unbound that validates
-- them with trust anchors taken from that knotd, both on 127.0.0.1 with free
-- ports, in temp directories, stopped by the caller.
--
--   local ub = require "spec.helpers.unbound"
--   local knot = ub.start_knot { zones = { ["secure.test"] = { text = "...", sign = true } } }
--   local anchor = knot:dnskey_anchor("secure.test")        -- "secure.test. DNSKEY 257 3 13 ..."
--   local res = ub.start_unbound { upstream = knot.port, stubs = { "secure.test" }, anchors = { anchor } }
--   res.address  --> "127.0.0.1:PORT"; then res:stop(), knot:stop()
local socket = require "socket"
local dns = require "spec.helpers.dns_server"
local sh = dns.sh
local function tmpdir() return dns.tmpdir("mxrecord-dnssec") end

local M = {}

local CLEAN_ENV = "env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LD_PRELOAD "

local function write(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

local function read(path)
  local f = io.open(path)
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

-- A raw query for name/qtype (numbers) over UDP; the answer or nil.
local function ask(port, name, qtype)
  local u = socket.udp()
  u:settimeout(0.3)
  u:setpeername("127.0.0.1", port)
  local q = { "\0\1\1\0\0\1\0\0\0\0\0\0" }
  for label in name:gmatch("[^.]+") do q[#q + 1] = string.char(#label) .. label end
  q[#q + 1] = "\0" .. string.char(math.floor(qtype / 256), qtype % 256) .. "\0\1"
  u:send(table.concat(q))
  local r = u:receive()
  u:close()
  return r
end

local Proc = {}
Proc.__index = Proc

function Proc:stop()
  if self.pid then
    sh("kill " .. self.pid .. " 2>/dev/null")
    for _ = 1, 150 do
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

local function launch(cmd, dir, port, probe)
  local pidfile, logfile = dir .. "/pid", dir .. "/log"
  assert(sh(CLEAN_ENV .. cmd .. " >" .. logfile .. " 2>&1 </dev/null & echo $! >" .. pidfile))
  local proc = setmetatable({ pid = (read(pidfile) or ""):match("%d+"), dir = dir, port = port,
    address = "127.0.0.1:" .. port }, Proc)
  local deadline = socket.gettime() + 15
  while socket.gettime() < deadline do
    if ask(port, probe, 6) then return proc end
    socket.sleep(0.05)
  end
  local log = read(logfile) or ""
  proc:stop()
  error("server did not answer on port " .. port .. ": " .. log)
end

-- start_knot{ zones = { [name] = { text = zone file text, sign = bool } } }
function M.start_knot(opts)
  local dir = tmpdir()
  assert(sh("mkdir -p '" .. dir .. "/db' '" .. dir .. "/keys'"))
  local port = dns.free_port()
  local conf = {
    "server:", '    rundir: "' .. dir .. '"', "    listen: 127.0.0.1@" .. port,
    "    udp-workers: 1", "    tcp-workers: 1", "    background-workers: 1",
    "log:", "  - target: stderr", "    any: warning",
    "database:", '    storage: "' .. dir .. '/db"', '    kasp-db: "' .. dir .. '/keys"',
    "policy:", "  - id: fast", "    algorithm: ecdsap256sha256", "    nsec3: off",
    "template:", "  - id: default", "    zonefile-sync: -1", "    zonefile-load: whole",
    "zone:",
  }
  local first
  for name, z in pairs(opts.zones) do
    first = first or name
    write(dir .. "/" .. name .. ".zone", z.text)
    conf[#conf + 1] = "  - domain: " .. name
    conf[#conf + 1] = '    file: "' .. dir .. "/" .. name .. '.zone"'
    if z.sign then
      conf[#conf + 1] = "    dnssec-signing: on"
      conf[#conf + 1] = "    dnssec-policy: fast"
    end
  end
  write(dir .. "/knot.conf", table.concat(conf, "\n") .. "\n")
  local knotd = sh("test -x /usr/sbin/knotd") and "/usr/sbin/knotd" or "knotd"
  local proc = launch(knotd .. " -c " .. dir .. "/knot.conf", dir, port, first)
  proc.dnskey_anchor = M.dnskey_anchor
  return proc
end

-- The zone's key-signing DNSKEY (flags 257) as a trust anchor line, once
-- knotd has signed the zone.
function M.dnskey_anchor(proc, zone)
  for _ = 1, 100 do
    local p = assert(io.popen(CLEAN_ENV .. "kdig +short +time=1 +retry=0 -p " .. proc.port .. " @127.0.0.1 DNSKEY " .. zone .. " 2>/dev/null"))
    local out = p:read("*a")
    p:close()
    for line in out:gmatch("[^\n]+") do
      if line:match("^257 ") then return zone .. ". IN DNSKEY " .. line end
    end
    socket.sleep(0.1)
  end
  error("knotd did not sign " .. zone)
end

-- start_unbound{ upstream = knotd port, stubs = { zone... }, anchors = { line... } }
function M.start_unbound(opts)
  local dir = tmpdir()
  local port = dns.free_port()
  write(dir .. "/anchors", table.concat(opts.anchors or {}, "\n") .. "\n")
  local conf = {
    "server:",
    "  interface: 127.0.0.1", "  port: " .. port, "  do-ip6: no",
    "  do-not-query-localhost: no", '  username: ""', '  chroot: ""',
    '  directory: "' .. dir .. '"', '  pidfile: "' .. dir .. '/unbound.pid"',
    "  use-syslog: no", '  logfile: ""', "  verbosity: 0",
    '  module-config: "validator iterator"',
    '  trust-anchor-file: "' .. dir .. '/anchors"',
    "  qname-minimisation: no", "  harden-referral-path: no", "  val-log-level: 0",
    '  local-zone: "test." nodefault', "  num-threads: 1", "  so-reuseport: no",
    "  infra-host-ttl: 5", "  cache-max-ttl: 5",
    "remote-control:", "  control-enable: no",
  }
  for _, z in ipairs(opts.stubs) do
    conf[#conf + 1] = "stub-zone:"
    conf[#conf + 1] = '  name: "' .. z .. '"'
    conf[#conf + 1] = "  stub-addr: 127.0.0.1@" .. opts.upstream
  end
  write(dir .. "/unbound.conf", table.concat(conf, "\n") .. "\n")
  return launch("unbound -d -c " .. dir .. "/unbound.conf", dir, port, opts.stubs[1])
end

return M
