-- with_dns.lua [ZONE=FILE ...] -- COMMAND [ARG ...]
--
-- Runs COMMAND under a private DNS server: starts knotd on 127.0.0.1 with a
-- free port serving the zones (default: the bundled example zones,
-- examples/data/companies.test.zone as `test` and examples/data/providers.zone
-- as the root), runs COMMAND with its arguments exactly as given and with
--   MXRECORD_SERVERS  the server's address, for the whole command (so
--                     `-- sh -c 'a; b'` works: both see it)
--   LUA_PATH          this checkout's lua/ first, then yours (or the defaults)
--   LUA_CPATH         yours if set, else this checkout's build for the
--                     command's interpreter (build-5.1 for luajit, ...)
-- then stops the server and exits as COMMAND did. Works from any directory
-- (ZONE=FILE paths are relative to where you are; the script finds the
-- checkout from its own path).
local function die(msg)
  io.stderr:write("with_dns.lua: ", msg, "\n",
    "usage: lua5.4 scripts/with_dns.lua [ZONE=FILE ...] -- COMMAND [ARG ...]\n")
  os.exit(2)
end

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local LUA_VARS = { "LUA_PATH", "LUA_CPATH", "LUA_PATH_5_1", "LUA_CPATH_5_1", "LUA_PATH_5_2", "LUA_CPATH_5_2",
  "LUA_PATH_5_3", "LUA_CPATH_5_3", "LUA_PATH_5_4", "LUA_CPATH_5_4" }

-- The interpreter running this script, as it was invoked.
local function interpreter()
  local i = 0
  while arg[i - 1] do i = i - 1 end
  return arg[i]
end

-- An inherited LUA_PATH/LUA_CPATH may point at modules of another Lua (the
-- 5.4 build under LuaJIT breaks LuaSocket, which this script needs): run
-- again without them, keeping the user's values for COMMAND.
if os.getenv("MXRECORD_WITH_DNS_CLEAN") ~= "1" then
  local inherited = {}
  for _, v in ipairs(LUA_VARS) do
    local val = os.getenv(v)
    if val then inherited[#inherited + 1] = v end
  end
  if #inherited > 0 then
    local env = { "MXRECORD_WITH_DNS_CLEAN=1" }
    for _, v in ipairs(inherited) do env[#env + 1] = "MXRECORD_WITH_DNS_" .. v .. "=" .. q(os.getenv(v)) end
    local cmd = { "env" }
    for _, v in ipairs(LUA_VARS) do cmd[#cmd + 1] = "-u " .. v end
    cmd[#cmd + 1] = table.concat(env, " ")
    cmd[#cmd + 1] = q(interpreter())
    for i = 0, #arg do cmd[#cmd + 1] = q(arg[i]) end
    local ok, how, code = os.execute(table.concat(cmd, " "))
    if type(ok) == "number" then os.exit(ok % 256 == 0 and math.floor(ok / 256) or 1) end
    os.exit(ok and 0 or (how == "exit" and code or 128 + (code or 0)))
  end
end
local function user_env(v)
  if os.getenv("MXRECORD_WITH_DNS_CLEAN") == "1" then return os.getenv("MXRECORD_WITH_DNS_" .. v) end
  return os.getenv(v)
end

-- The checkout: two levels above this script.
local function dirname(p) return p:match("^(.*)/[^/]*$") or "." end
local script = arg[0]
if script:sub(1, 1) ~= "/" then script = (os.getenv("PWD") or ".") .. "/" .. script end
local root = dirname(dirname(script))
package.path = root .. "/?.lua;" .. package.path
local dns = require "spec.helpers.dns_server"

local zones, cmd = {}, nil
for i = 1, #arg do
  local a = arg[i]
  if a == "--" then
    cmd = { (table.unpack or unpack)(arg, i + 1, #arg) }
    break
  end
  local zone, file = a:match("^([^=]+)=(.+)$")
  if not zone then die("expected ZONE=FILE or --, got '" .. a .. "'") end
  local f = io.open(file)
  if not f then die("cannot read zone file '" .. file .. "'") end
  f:close()
  zones[zone] = file
end
if not cmd or #cmd == 0 then die("no command after --") end
if not next(zones) then
  zones = { test = root .. "/examples/data/companies.test.zone", ["."] = root .. "/examples/data/providers.zone" }
end

-- The build that fits the command's interpreter.
local function build_for(exe)
  local base = exe:match("[^/]*$")
  if base:match("^luajit") or base:match("^lua5%.1") or base == "nvim" then return "build-5.1" end
  if base:match("^lua5%.3") then return "build-5.3" end
  return "build-5.4"
end

local lua_path = root .. "/lua/?.lua;" .. root .. "/lua/?/init.lua;" .. (user_env("LUA_PATH") or ";")
local lua_cpath = user_env("LUA_CPATH") or (root .. "/" .. build_for(cmd[1]) .. "/?.so;;")

local srv = dns.start { zones = zones }
io.stderr:write("local DNS server (knotd) on ", srv.address, "\n")
local line = { "MXRECORD_SERVERS=" .. q(srv.address), "LUA_PATH=" .. q(lua_path), "LUA_CPATH=" .. q(lua_cpath) }
-- the user's version-specific variables, if any, go back as they were
for _, v in ipairs(LUA_VARS) do
  if v ~= "LUA_PATH" and v ~= "LUA_CPATH" and user_env(v) then line[#line + 1] = v .. "=" .. q(user_env(v)) end
end
line[#line + 1] = "MXRECORD_WITH_DNS_CLEAN="
-- the shell stops the server however the command ends (Ctrl-C, a signal to the group)
table.insert(line, 1, ("trap 'kill %s 2>/dev/null' EXIT HUP INT TERM;"):format(srv.pid))
for _, a in ipairs(cmd) do line[#line + 1] = q(a) end
local ok, how, code = os.execute(table.concat(line, " "))
srv:stop()
if type(ok) == "number" then -- LuaJIT without 5.2 compatibility: a wait status
  os.exit(ok % 256 == 0 and math.floor(ok / 256) or 128 + ok % 128)
end
os.exit(ok and 0 or (how == "exit" and code or 128 + (code or 0)))
