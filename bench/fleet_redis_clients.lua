-- bench/fleet_redis_clients.lua [path to lua-redis redis.lua]: SET round trips and
-- a pipeline through mxrecord.redis (hiredis), and through Debian's lua-redis when
-- given (it is packaged for 5.1-5.3 only and has no stream commands).
--   LUA_CPATH="./build-5.1/?.so;;" luajit bench/fleet_redis_clients.lua /usr/share/lua/5.1/redis.lua
package.path = "./lua/?.lua;" .. package.path
local rs = require("spec.helpers.redis_server").start{ tcp = true }
local socket = require "socket"
local N = 20000
local redis = require "mxrecord.redis"
local c = assert(redis.connect{ host = rs.host, port = rs.port })
local t = socket.gettime()
for i = 1, N do c:call("SET", "k" .. i, "v") end
local a = socket.gettime() - t
t = socket.gettime()
local cmds = {}
for i = 1, N do cmds[i] = { "SET", "k" .. i, "v" } end
c:pipeline(cmds)
local b = socket.gettime() - t
print(("hiredis binding: %d SET one by one %.0f/s, pipelined %.0f/s"):format(N, N / a, N / b))
local ok, lr = pcall(dofile, arg[1])
if ok then
  local cl = lr.connect(rs.host, rs.port)
  t = socket.gettime()
  for i = 1, N do cl:set("k" .. i, "v") end
  a = socket.gettime() - t
  t = socket.gettime()
  cl:pipeline(function(p) for i = 1, N do p:set("k" .. i, "v") end end)
  b = socket.gettime() - t
  print(("lua-redis %s: one by one %.0f/s, pipelined %.0f/s; xreadgroup: %s"):format(arg[1], N / a, N / b, tostring(cl.xreadgroup)))
else print("lua-redis:", lr) end
rs:stop()
