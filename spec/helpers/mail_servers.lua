-- mail_servers.lua: real mail servers on loopback for the SMTP specs,
-- examples and benchmark. One postfix instance (its own config, queue and
-- data directories under /tmp, never the system's service) with one smtpd
-- listener per behaviour, each on its own 127.0.0.x and the same free port;
-- postgrey for greylisting; small LuaSocket servers for the faults a real
-- MTA will not commit; knotd serving spec/fixtures/smtp.test.zone, whose
-- MX records point at those addresses.
--
--   local mail = require "spec.helpers.mail_servers"
--   local env = mail.start()          -- about 2 s (postfix's own start)
--   env.port, env.dns.address         -- the SMTP port (every host), "127.0.0.1:NNNN"
--   env:connections()                 -- { known = 3, grey = 1, tarpit = 1, ... } since start
--   env:stop()
--
-- Behaviours (host, domain in the zone, what it does):
--   known    127.0.0.2  known.smtp.test     alice, bob, full@ (452 4.2.2); others 550 5.1.1
--                       catchall.smtp.test  every local part accepted
--   grey     127.0.0.3  grey.smtp.test      postgrey: 450 4.7.1 Greylisted on first sight
--   banner   127.0.0.4  banner.smtp.test    554 5.7.1 instead of the greeting
--   policy   127.0.0.5  policy.smtp.test    554 5.7.1 Access denied at RCPT
--   limit    127.0.0.6  limit.smtp.test     at most 2 recipients a session (452 4.5.3)
--   closed   127.0.0.7  closed.smtp.test    nothing listens (connection refused)
--   tarpit   127.0.0.8  tarpit.smtp.test    accepts, never speaks
--   garbage  127.0.0.9  garbage.smtp.test   answers in HTTP
--   slam     127.0.0.10 slam.smtp.test      accepts and closes at once
--   half     127.0.0.11 half.smtp.test      greets, then closes its side (half-close)
--
-- Run as a script (`lua5.4 mail_servers.lua faults PORT COUNTFILE`), it is
-- the LuaSocket fault server itself.
local socket = require "socket"

local M = {}

M.hosts = {
  known = "127.0.0.2", grey = "127.0.0.3", banner = "127.0.0.4", policy = "127.0.0.5", limit = "127.0.0.6",
  closed = "127.0.0.7", tarpit = "127.0.0.8", garbage = "127.0.0.9", slam = "127.0.0.10", half = "127.0.0.11",
}
local FAULTS = { "tarpit", "garbage", "slam", "half" }
local POSTFIX = { "known", "grey", "banner", "policy", "limit" }

local CLEAN_ENV = "env -u LUA_PATH -u LUA_CPATH -u LUA_PATH_5_4 -u LUA_CPATH_5_4 -u LD_PRELOAD "

local function sh(cmd)
  -- the whole command line runs without the sanitizer's LD_PRELOAD or another Lua's paths
  local ok = os.execute(CLEAN_ENV .. "sh -c '" .. cmd:gsub("'", "'\\''") .. "'")
  return ok == true or ok == 0
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local function write_file(path, s)
  local f = assert(io.open(path, "wb"))
  f:write(s)
  f:close()
end

local function here()
  return debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec/helpers"
end

-- A TCP port free on every host above (and 127.0.0.1 for postgrey's sake).
local function free_port()
  for _ = 1, 100 do
    local t = assert(socket.tcp())
    assert(t:bind("127.0.0.1", 0))
    local _, port = t:getsockname()
    t:close()
    local ok = true
    for _, ip in pairs(M.hosts) do
      local s = socket.tcp()
      if not s:bind(ip, port) then ok = false end
      s:close()
      if not ok then break end
    end
    if ok then return tonumber(port) end
  end
  error("no port free on every loopback address")
end

local function wait_tcp(ip, port, what, log)
  local deadline = socket.gettime() + 15
  while socket.gettime() < deadline do
    local c = socket.tcp()
    c:settimeout(0.2)
    if c:connect(ip, port) then
      c:close()
      return true
    end
    c:close()
    socket.sleep(0.05)
  end
  error(what .. " did not listen on " .. ip .. ":" .. port .. "\n" .. (log and read_file(log) or ""))
end

local Env = {}
Env.__index = Env

local function main_cf(dir, pgport)
  return table.concat({
    "compatibility_level = 3.6",
    "queue_directory = " .. dir .. "/queue",
    "data_directory = " .. dir .. "/data",
    "maillog_file_prefixes = /tmp",
    "maillog_file = " .. dir .. "/maillog",
    "myhostname = mx.smtp.test",
    "mydomain = smtp.test",
    "mydestination =",
    "inet_interfaces = loopback-only",
    "inet_protocols = ipv4",
    -- no DNS from postfix: the machine's resolver is out of bounds
    "smtpd_peername_lookup = no",
    "smtp_dns_support_level = disabled",
    "smtpd_error_sleep_time = 0",
    "smtpd_soft_error_limit = 1000",
    "smtpd_hard_error_limit = 1000",
    "smtpd_client_connection_count_limit = 0",
    "smtpd_client_connection_rate_limit = 0",
    "virtual_mailbox_domains = known.smtp.test catchall.smtp.test grey.smtp.test policy.smtp.test limit.smtp.test" ..
      " fallback.smtp.test",
    "virtual_mailbox_maps = texthash:" .. dir .. "/etc/vmailbox",
    "virtual_transport = discard",
    "alias_maps =",
    "alias_database =",
    "biff = no",
    "smtpd_recipient_restrictions = check_recipient_access texthash:" .. dir .. "/etc/access, reject_unauth_destination",
    "grey_restrictions = reject_unlisted_recipient, check_policy_service inet:127.0.0.1:" .. pgport ..
      ", reject_unauth_destination",
    "", }, "\n")
end

local function master_cf(port)
  local lines = {}
  local function smtpd(name, opts)
    lines[#lines + 1] = M.hosts[name] .. ":" .. port .. " inet n - n - - smtpd -o syslog_name=postfix/" .. name ..
      (opts and (" " .. opts) or "")
  end
  smtpd("known")
  smtpd("grey", "-o smtpd_recipient_restrictions=$grey_restrictions")
  smtpd("banner", "-o smtpd_client_restrictions=reject -o smtpd_delay_reject=no")
  smtpd("policy", "-o smtpd_recipient_restrictions=reject")
  smtpd("limit", "-o smtpd_recipient_limit=2")
  for _, l in ipairs {
    "cleanup unix n - n - 0 cleanup",
    "qmgr unix n - n 300 1 qmgr",
    "rewrite unix - - n - - trivial-rewrite",
    "bounce unix - - n - 0 bounce",
    "defer unix - - n - 0 bounce",
    "trace unix - - n - 0 bounce",
    "verify unix - - n - 1 verify",
    "proxymap unix - - n - - proxymap",
    "error unix - - n - - error",
    "discard unix - - n - - discard",
    "anvil unix - - n - 1 anvil",
    "scache unix - - n - 1 scache",
    "postlog unix-dgram n - n - 1 postlogd",
  } do lines[#lines + 1] = l end
  return table.concat(lines, "\n") .. "\n"
end

-- opts.zone: the zone file (default spec/fixtures/smtp.test.zone);
-- opts.lua: interpreter for the fault server (default lua5.4).
function M.start(opts)
  opts = opts or {}
  local dns = require "spec.helpers.dns_server"
  local p = io.popen(CLEAN_ENV .. "mktemp -d /tmp/mxrecord-mail.XXXXXX")
  local dir = p:read("*l")
  p:close()
  assert(dir and #dir > 0)
  local env = setmetatable({ dir = dir }, Env)
  local ok, err = pcall(function()
    local port = free_port()
    local pgport = dns.free_port()
    env.port, env.pgport = port, pgport
    assert(sh("chmod 755 " .. dir .. " && mkdir -p " .. dir .. "/etc " .. dir .. "/queue " .. dir .. "/data " ..
      dir .. "/pg && chown postfix " .. dir .. "/data && chown postgrey " .. dir .. "/pg"))
    write_file(dir .. "/etc/main.cf", main_cf(dir, pgport))
    write_file(dir .. "/etc/master.cf", master_cf(port))
    write_file(dir .. "/etc/vmailbox", table.concat({
      "alice@known.smtp.test x", "bob@known.smtp.test x", "full@known.smtp.test x", "@catchall.smtp.test x",
      "alice@grey.smtp.test x", "alice@fallback.smtp.test x", "alice@policy.smtp.test x",
      "a@limit.smtp.test x", "b@limit.smtp.test x", "c@limit.smtp.test x", "d@limit.smtp.test x", "" }, "\n"))
    write_file(dir .. "/etc/access", "full@known.smtp.test 452 4.2.2 Mailbox full\n")
    -- postgrey: a fresh database, so every triplet is new (greylisted)
    assert(sh("postgrey --inet=127.0.0.1:" .. pgport .. " --dbdir=" .. dir .. "/pg --pidfile=" .. dir ..
      "/pg/pid --delay=300 --auto-whitelist-clients=0 --daemonize >" .. dir .. "/postgrey.log 2>&1"))
    -- the fault servers
    local lua = opts.lua or "lua5.4"
    assert(sh(lua .. " " .. here() .. "/mail_servers.lua faults " .. port .. " " .. dir ..
      "/faults.count >" .. dir .. "/faults.log 2>&1 </dev/null & echo $! >" .. dir .. "/faults.pid"))
    env.faults_pid = read_file(dir .. "/faults.pid"):match("%d+")
    -- postfix (its fatal errors go to a terminal only: hence script(1))
    local t0 = socket.gettime()
    assert(sh("script -qc 'postfix -c " .. dir .. "/etc start' /dev/null >" .. dir ..
      "/postfix.out 2>&1"), read_file(dir .. "/postfix.out"))
    env.started_postfix = true
    for _, name in ipairs(POSTFIX) do wait_tcp(M.hosts[name], port, "postfix/" .. name, dir .. "/maillog") end
    env.postfix_start_seconds = socket.gettime() - t0
    wait_tcp("127.0.0.1", pgport, "postgrey", dir .. "/postgrey.log")
    for _, name in ipairs(FAULTS) do wait_tcp(M.hosts[name], port, "fault server " .. name, dir .. "/faults.log") end
    env.dns = dns.start{ zones = {
      ["smtp.test"] = opts.zone or "spec/fixtures/smtp.test.zone",
      ["yahoodns.net"] = "spec/fixtures/smtp_yahoodns.zone",
      ["protection.outlook.com"] = "spec/fixtures/smtp_outlook.zone",
    } }
    -- the readiness probes above made one connection each: wait for postlogd to write them
    local deadline = socket.gettime() + 5
    repeat
      local c, all = env:connections(true), true
      for _, name in ipairs(POSTFIX) do all = all and c[name] >= 1 end
      if all then break end
      socket.sleep(0.05)
    until socket.gettime() > deadline
    env.baseline = env:connections(true)
  end)
  if not ok then
    env:stop()
    error(err, 2)
  end
  return env
end

-- Connections each behaviour received since start (the helper's own
-- readiness probes subtracted). Postfix's come from its log (postlogd
-- writes shortly after): wait a moment before counting.
function Env:connections(raw)
  local counts = {}
  for name in pairs(M.hosts) do counts[name] = 0 end
  for name in (read_file(self.dir .. "/maillog") or ""):gmatch(" postfix/(%w+)/smtpd%[%d+%]: connect from ") do
    counts[name] = (counts[name] or 0) + 1
  end
  for name in (read_file(self.dir .. "/faults.count") or ""):gmatch("(%w+)\n") do
    counts[name] = (counts[name] or 0) + 1
  end
  if not raw and self.baseline then
    for name, n in pairs(self.baseline) do counts[name] = counts[name] - n end
  end
  return counts
end

-- Waits until postfix's log has caught up (counts stop changing), then counts.
function Env:settled_connections()
  local last
  for _ = 1, 20 do
    socket.sleep(0.1)
    local c = self:connections()
    local same = last ~= nil
    if last then
      for k, v in pairs(c) do if last[k] ~= v then same = false end end
    end
    if same then return c end
    last = c
  end
  return last
end

function Env:stop()
  if self.dns then self.dns:stop(); self.dns = nil end
  if self.started_postfix then
    -- SIGTERM to master stops it and its children at once ("postfix stop" waits seconds)
    local pid = (read_file(self.dir .. "/queue/pid/master.pid") or ""):match("%d+")
    if pid then
      sh("kill " .. pid .. " 2>/dev/null")
      for _ = 1, 100 do
        if not sh("kill -0 " .. pid .. " 2>/dev/null") then break end
        socket.sleep(0.02)
      end
      sh("kill -9 " .. pid .. " 2>/dev/null")
    else
      sh("postfix -c " .. self.dir .. "/etc stop >/dev/null 2>&1")
    end
    self.started_postfix = nil
  end
  local pg = (read_file(self.dir .. "/pg/pid") or ""):match("%d+")
  if pg then sh("kill " .. pg .. " 2>/dev/null") end
  if self.faults_pid then
    sh("kill " .. self.faults_pid .. " 2>/dev/null")
    self.faults_pid = nil
  end
  if self.dir then
    sh("rm -rf '" .. self.dir .. "'")
    self.dir = nil
  end
end

-- ---- the LuaSocket fault servers (run as a script) ----

local function run_faults(port, countfile)
  local listeners, held = {}, {}
  for _, name in ipairs(FAULTS) do
    local s = assert(socket.bind(M.hosts[name], port))
    s:settimeout(0)
    listeners[#listeners + 1] = s
    listeners[s] = name
  end
  local function count(name)
    local f = io.open(countfile, "a")
    if f then
      f:write(name, "\n")
      f:close()
    end
  end
  while true do
    local ready = socket.select(listeners, nil, 1)
    for _, s in ipairs(ready or {}) do
      local c = s:accept()
      local name = listeners[s]
      if c then
        count(name)
        if name == "tarpit" then
          held[#held + 1] = c -- never a word; closed when the server stops
        elseif name == "garbage" then
          c:settimeout(1)
          c:send("HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<html>\0\255\254</html>\r\n")
          held[#held + 1] = c
        elseif name == "slam" then
          c:close()
        elseif name == "half" then
          c:settimeout(1)
          c:send("220 half.smtp.test ESMTP\r\n")
          c:shutdown("send")
          held[#held + 1] = c
        end
      end
    end
    if #held > 200 then
      for i = 1, 100 do held[i]:close() end
      for _ = 1, 100 do table.remove(held, 1) end
    end
  end
end

if select("#", ...) >= 3 and (...) == "faults" then
  local _, port, countfile = ...
  run_faults(assert(tonumber(port)), countfile)
end

return M
