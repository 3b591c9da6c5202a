-- black_hole.lua: start a UDP server on 127.0.0.1 that receives DNS queries
-- and never answers (spec/helpers/black_hole_server.lua), to stand for a
-- dead server in a resolver's list, and count what it received.
--
--   local bh = require("spec.helpers.black_hole").start()
--   bh.address   --> "127.0.0.1:40001"
--   bh:count()   --> packets received so far
--   bh:stop()
local dns = require "spec.helpers.dns_server"
local socket = require "socket"

local M = {}
local CLEAN_ENV = "env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LD_PRELOAD "

local Hole = {}
Hole.__index = Hole

local function read(path)
  local f = io.open(path)
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

function Hole:count() return tonumber((read(self.dir .. "/count") or ""):match("%d+")) or 0 end

function Hole:stop()
  if self.pid then
    os.execute("kill " .. self.pid .. " 2>/dev/null")
    self.pid = nil
  end
  if self.dir then
    os.execute("rm -rf '" .. self.dir .. "'")
    self.dir = nil
  end
end

-- opts.port: a fixed port (default: a free one); opts.lua: interpreter (lua5.4)
function M.start(opts)
  opts = opts or {}
  local dir = io.popen("mktemp -d /tmp/mxrecord-hole.XXXXXX"):read("*l")
  local port = opts.port or dns.free_port()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec/helpers"
  assert(os.execute(("%s%s %s/black_hole_server.lua %d %s/count >%s/log 2>&1 </dev/null & echo $! >%s/pid")
    :format(CLEAN_ENV, opts.lua or "lua5.4", here, port, dir, dir, dir)))
  local hole = setmetatable({ dir = dir, port = port, address = "127.0.0.1:" .. port,
    pid = (read(dir .. "/pid") or ""):match("%d+") }, Hole)
  local deadline = socket.gettime() + 10
  while not read(dir .. "/count") do
    if socket.gettime() > deadline then
      local log = read(dir .. "/log") or ""
      hole:stop()
      error("black hole did not start: " .. log)
    end
    socket.sleep(0.02)
  end
  return hole
end

return M
