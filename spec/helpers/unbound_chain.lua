-- unbound_chain.lua: a recursive resolver (unbound) on 127.0.0.1 with a free
-- port, in its own temp dir, that resolves given zones through a stub-zone
-- pointing at an authoritative server on loopback (knotd, possibly behind a
-- delay proxy): the realistic chain client -> recursive -> authoritative.
--
--   local unbound = require "spec.helpers.unbound_chain"
--   local u = unbound.start{ stubs = { ["bench.test"] = "127.0.0.1@41234" } }
--   u.address  --> "127.0.0.1:40003"
--   u:stop()
--
-- unbound listens on loopback only, queries only the stub addresses given
-- (do-not-query-localhost: no), validates nothing (module-config iterator).
local dns = require "spec.helpers.dns_server"
local socket = require "socket"

local M = {}
local CLEAN_ENV = "env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LD_PRELOAD "

local Chain = {}
Chain.__index = Chain

local function read(path)
  local f = io.open(path)
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

function Chain:stop()
  if self.pid then
    os.execute("kill " .. self.pid .. " 2>/dev/null")
    for _ = 1, 100 do
      if not os.execute("kill -0 " .. self.pid .. " 2>/dev/null") then break end
      socket.sleep(0.02)
    end
    os.execute("kill -9 " .. self.pid .. " 2>/dev/null")
    self.pid = nil
  end
  if self.dir then
    os.execute("rm -rf '" .. self.dir .. "'")
    self.dir = nil
  end
end

local function answers(port, zone)
  local u = socket.udp()
  u:settimeout(0.3)
  u:setpeername("127.0.0.1", port)
  local q = { "\0\1\1\0\0\1\0\0\0\0\0\0" } -- RD set: a recursive query
  for label in zone:gmatch("[^.]+") do q[#q + 1] = string.char(#label) .. label end
  q[#q + 1] = "\0\0\6\0\1"
  u:send(table.concat(q))
  local r = u:receive()
  u:close()
  return r ~= nil
end

-- opts.stubs: { [zone] = "127.0.0.1@port" or { ... } }; opts.port; opts.threads (1);
-- opts.extra: more "server:" lines (strings)
function M.start(opts)
  local dir = io.popen("mktemp -d /tmp/mxrecord-unbound.XXXXXX"):read("*l")
  local port = opts.port or dns.free_port()
  local conf = {
    "server:",
    "  interface: 127.0.0.1",
    "  port: " .. port,
    "  do-ip6: no",
    "  do-tcp: yes",
    '  username: ""',
    '  chroot: ""',
    '  directory: "' .. dir .. '"',
    '  pidfile: "' .. dir .. '/unbound.pid"',
    "  use-syslog: no",
    '  logfile: ""',
    "  verbosity: 0",
    "  num-threads: " .. (opts.threads or 1),
    "  access-control: 127.0.0.0/8 allow",
    "  do-not-query-localhost: no",
    '  module-config: "iterator"',
    "  qname-minimisation: no",
    "  num-queries-per-thread: 4096",
    "  outgoing-range: 8192",
    "  so-rcvbuf: 4m",
    "  so-sndbuf: 4m",
    "  msg-cache-size: 64m",
    "  rrset-cache-size: 128m",
    "  harden-referral-path: no",
    "  target-fetch-policy: \"0 0 0 0 0\"",
  }
  for zone in pairs(opts.stubs) do -- unbound answers NXDOMAIN itself for test., invalid. ... (RFC 6761) unless told
    conf[#conf + 1] = '  local-zone: "' .. zone:match("([^.]+)%.?$") .. '." nodefault'
  end
  for _, l in ipairs(opts.extra or {}) do conf[#conf + 1] = "  " .. l end
  conf[#conf + 1] = "remote-control:"
  conf[#conf + 1] = "  control-enable: no"
  local first
  for zone, addrs in pairs(opts.stubs) do
    first = first or zone
    conf[#conf + 1] = "stub-zone:"
    conf[#conf + 1] = '  name: "' .. zone .. '"'
    for _, a in ipairs(type(addrs) == "table" and addrs or { addrs }) do conf[#conf + 1] = "  stub-addr: " .. a end
  end
  local f = assert(io.open(dir .. "/unbound.conf", "w"))
  f:write(table.concat(conf, "\n"), "\n")
  f:close()
  assert(os.execute(("%sunbound -d -c %s/unbound.conf >%s/log 2>&1 </dev/null & echo $! >%s/pid"):format(CLEAN_ENV, dir,
    dir, dir)))
  local chain = setmetatable({ dir = dir, port = port, address = "127.0.0.1:" .. port,
    pid = (read(dir .. "/pid") or ""):match("%d+") }, Chain)
  local deadline = socket.gettime() + 10
  while not answers(port, first) do
    if socket.gettime() > deadline then
      local log = read(dir .. "/log") or ""
      chain:stop()
      error("unbound did not answer on port " .. port .. ": " .. log)
    end
    socket.sleep(0.05)
  end
  return chain
end

return M
