-- nginx.lua: Debian's nginx with OpenResty's Lua module, started on
-- 127.0.0.1 with a free port for specs, with this checkout's mxrecord
-- (the LuaJIT build, build-5.1) and the spec tree on its Lua path.
--
--   local nginx = require "spec.helpers.nginx"
--   local srv = nginx.start{ locations = "location = /x { content_by_lua_block { ngx.say('hi') } }",
--                            env = { MXRECORD_SERVERS = "127.0.0.1:5353" } }
--   local status, body = srv:get("/x")
--   srv:stop()
local socket = require "socket"
local dns = require "spec.helpers.dns_server"
local sh = dns.sh

local M = {}

local Server = {}
Server.__index = Server

function Server:get(path, timeout)
  local c = assert(socket.connect("127.0.0.1", self.port))
  c:settimeout(timeout or 30)
  assert(c:send("GET " .. path .. " HTTP/1.0\r\nHost: localhost\r\n\r\n"))
  local line = c:receive("*l")
  local status = tonumber(line and line:match("^HTTP/%d%.%d (%d+)"))
  repeat line = c:receive("*l") until not line or line == ""
  local body = c:receive("*a")
  c:close()
  return status, body
end

function Server:stop()
  if self.pid then
    sh("kill " .. self.pid .. " 2>/dev/null")
    for _ = 1, 100 do
      if not sh("kill -0 " .. self.pid .. " 2>/dev/null") then break end
      socket.sleep(0.02)
    end
    self.pid = nil
  end
  if self.dir then
    sh("rm -rf '" .. self.dir .. "'")
    self.dir = nil
  end
end

function M.start(opts)
  local root = io.popen("pwd"):read("*l")
  if not io.open(root .. "/build-5.1/mxrecord/core.so") then
    assert(sh("bash scripts/build.sh 5.1 >/dev/null"), "cannot build for LuaJIT")
  end
  local dir = io.popen("mktemp -d /tmp/mxrecord-nginx.XXXXXX"):read("*l")
  sh("mkdir -p " .. dir .. "/logs " .. dir .. "/tmp")
  local port = dns.free_port()
  local envs, exports = {}, {}
  for k, v in pairs(opts.env or {}) do
    envs[#envs + 1] = "env " .. k .. ";"
    exports[#exports + 1] = k .. "='" .. v .. "'"
  end
  local conf = ([[
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
worker_processes 1;
error_log %s/error.log warn;
pid %s/nginx.pid;
%s
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %s/tmp/body;
  proxy_temp_path %s/tmp/proxy;
  fastcgi_temp_path %s/tmp/fastcgi;
  uwsgi_temp_path %s/tmp/uwsgi;
  scgi_temp_path %s/tmp/scgi;
  lua_package_path "%s/?.lua;%s/lua/?.lua;%s/lua/?/init.lua;/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua;;";
  lua_package_cpath "%s/build-5.1/?.so;/usr/lib/x86_64-linux-gnu/lua/5.1/?.so;;";
  server {
    listen 127.0.0.1:%d;
    %s
  }
}
]]):format(dir, dir, table.concat(envs, "\n"), dir, dir, dir, dir, dir, root, root, root, root, port,
    opts.locations or "")
  local f = assert(io.open(dir .. "/nginx.conf", "w"))
  f:write(conf)
  f:close()
  local cmd = ("env -u LD_PRELOAD -u LUA_PATH -u LUA_CPATH %s nginx -p %s -c %s/nginx.conf -g 'daemon off;' "
    .. ">%s/stdout.log 2>&1 & echo $!"):format(table.concat(exports, " "), dir, dir, dir)
  local p = assert(io.popen(cmd))
  local pid = p:read("*l")
  p:close()
  local srv = setmetatable({ pid = pid, dir = dir, port = port }, Server)
  for _ = 1, 200 do
    local c = socket.connect("127.0.0.1", port)
    if c then
      c:close()
      return srv
    end
    socket.sleep(0.05)
  end
  local log = io.open(dir .. "/error.log")
  local text = log and log:read("*a") or ""
  srv:stop()
  error("nginx did not start: " .. text)
end

-- The error log so far (for failure messages).
function Server:log()
  local f = io.open(self.dir .. "/error.log")
  local s = f and f:read("*a") or ""
  if f then f:close() end
  return s
end

-- examples/openresty/run.sh on a free port, with env (a table of
-- variables) in a clean environment; waits until it accepts connections.
-- Returns { port =, output = function (what it printed so far), stop =
-- function }; raises with its output when it does not start.
function M.run_example(env)
  local port, log = dns.free_port(), os.tmpname()
  local vars = {}
  for k, v in pairs(env) do vars[#vars + 1] = k .. "=" .. tostring(v) end
  table.sort(vars)
  local p = assert(io.popen(("env -u LD_PRELOAD -u LUA_PATH -u LUA_CPATH %s bash examples/openresty/run.sh %d >%s 2>&1 & echo $!")
    :format(table.concat(vars, " "), port, log)))
  local pid = p:read("*l")
  p:close()
  local ex = { port = port }
  function ex.output() return log and dns.read_file(log) or "" end
  function ex.stop()
    if pid then os.execute("kill " .. pid .. " 2>/dev/null; sleep 0.3") end
    if log then os.remove(log) end
    pid, log = nil, nil
  end
  for _ = 1, 100 do
    local c = socket.connect("127.0.0.1", port)
    if c then
      c:close()
      return ex
    end
    socket.sleep(0.05)
  end
  local out = dns.read_file(log) or ""
  ex.stop()
  error("nginx did not start: " .. out)
end

return M
