-- redis_server.lua: start a real redis-server for specs and benchmarks, on a
-- unix socket in its own temp directory (and, with opts.tcp, on 127.0.0.1
-- at a free port), without persistence.
--
--   local redis_server = require "spec.helpers.redis_server"
--   local rs = redis_server.start()           -- or start{ tcp = true }
--   rs.path     --> "/tmp/mxrecord-redis.XXXXXX/redis.sock"
--   rs.port     --> 41235 (with tcp = true), rs.host = "127.0.0.1"
--   rs.url      --> "unix:/tmp/.../redis.sock" (or "redis://127.0.0.1:41235")
--   rs:cli("DBSIZE")  --> output of redis-cli, trimmed
--   rs:stop()
local socket = require "socket"
local dns = require "spec.helpers.dns_server"
local sh, read_file = dns.sh, dns.read_file

local M = {}

local CLEAN_ENV = "env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LD_PRELOAD "

local Server = {}
Server.__index = Server

function Server:cli(...)
  local args = {}
  for i = 1, select("#", ...) do args[i] = "'" .. tostring(select(i, ...)):gsub("'", "'\\''") .. "'" end
  local p = assert(io.popen(CLEAN_ENV .. "redis-cli -s " .. self.path .. " " .. table.concat(args, " ") .. " 2>&1"))
  local out = p:read("*a")
  p:close()
  return (out:gsub("%s+$", ""))
end

-- Options for mxrecord.redis.connect / the fleet's `redis` option.
function Server:options()
  return { path = self.path }
end

function Server:stop()
  if self.pid then
    sh("kill " .. self.pid .. " 2>/dev/null")
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

-- opts.tcp: also listen on 127.0.0.1 at a free port (for nginx, redis-cli -p)
function M.start(opts)
  opts = opts or {}
  local p = io.popen(CLEAN_ENV .. "mktemp -d /tmp/mxrecord-redis.XXXXXX")
  local dir = p:read("*l")
  p:close()
  assert(dir and #dir > 0, "mktemp failed")
  local port = opts.tcp and dns.free_port() or 0
  local path = dir .. "/redis.sock"
  local conf = {
    "port " .. port,
    "bind 127.0.0.1",
    "unixsocket " .. path,
    "unixsocketperm 700",
    "dir " .. dir,
    'save ""',
    "appendonly no",
    "daemonize no",
    "logfile " .. dir .. "/log",
    "databases 1",
  }
  local f = assert(io.open(dir .. "/redis.conf", "w"))
  f:write(table.concat(conf, "\n"), "\n")
  f:close()
  assert(sh(CLEAN_ENV .. "redis-server " .. dir .. "/redis.conf >/dev/null 2>&1 </dev/null & echo $! >" .. dir .. "/pid"))
  local pid = (read_file(dir .. "/pid") or ""):match("%d+")
  local srv = setmetatable({ pid = pid, dir = dir, path = path, url = "unix:" .. path }, Server)
  if opts.tcp then
    srv.host, srv.port, srv.url = "127.0.0.1", port, "redis://127.0.0.1:" .. port
  end
  local deadline = socket.gettime() + 10
  while socket.gettime() < deadline do
    if srv:cli("PING") == "PONG" then return srv end
    socket.sleep(0.05)
  end
  local log = read_file(dir .. "/log") or ""
  srv:stop()
  error("redis-server did not start: " .. log)
end

return M
