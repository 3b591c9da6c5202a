-- delay_proxy.lua: put a UDP server on loopback "far away": starts
-- spec/helpers/delay_proxy_server.lua, which forwards to the server on
-- 127.0.0.1:upstream_port with rtt_ms added to every round trip.
--
--   local proxy = require("spec.helpers.delay_proxy").start{ upstream_port = srv.port, rtt_ms = 20 }
--   proxy.address  --> "127.0.0.1:40002"
--   proxy:stop()
local dns = require "spec.helpers.dns_server"
local socket = require "socket"

local M = {}
local CLEAN_ENV = "env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LD_PRELOAD "

local Proxy = {}
Proxy.__index = Proxy

local function read(path)
  local f = io.open(path)
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

function Proxy:stop()
  if self.pid then
    os.execute("kill " .. self.pid .. " 2>/dev/null")
    self.pid = nil
  end
  if self.dir then
    os.execute("rm -rf '" .. self.dir .. "'")
    self.dir = nil
  end
end

-- opts.upstream_port (required), opts.rtt_ms (default 20), opts.port, opts.lua (lua5.4),
-- opts.drop_first: lose the first query for each question (every lookup's first try)
function M.start(opts)
  local dir = io.popen("mktemp -d /tmp/mxrecord-proxy.XXXXXX"):read("*l")
  local port = opts.port or dns.free_port()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec/helpers"
  assert(os.execute(("%s%s %s/delay_proxy_server.lua %d %d %s %s/ready %s >%s/log 2>&1 </dev/null & echo $! >%s/pid")
    :format(CLEAN_ENV, opts.lua or "lua5.4", here, port, assert(opts.upstream_port), opts.rtt_ms or 20, dir,
      opts.drop_first and "drop_first" or "", dir, dir)))
  local proxy = setmetatable({ dir = dir, port = port, address = "127.0.0.1:" .. port, rtt_ms = opts.rtt_ms or 20,
    pid = (read(dir .. "/pid") or ""):match("%d+") }, Proxy)
  local deadline = socket.gettime() + 10
  while not read(dir .. "/ready") do
    if socket.gettime() > deadline then
      local log = read(dir .. "/log") or ""
      proxy:stop()
      error("delay proxy did not start: " .. log)
    end
    socket.sleep(0.02)
  end
  return proxy
end

return M
