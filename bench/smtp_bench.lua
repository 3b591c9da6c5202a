-- smtp_bench.lua [N]: addresses per second through r:verify{smtp=...}
-- (lookup_many, kind "verify") against the local postfix of
-- spec/helpers/mail_servers.lua (loopback only), with the peak number of open
-- file descriptors and the peak RSS of this process.
--
-- Three runs over the same N addresses (default 2000; half at a domain with
-- real mailboxes, half at a catch-all domain):
--   cold       a new resolver: addresses at one domain that come together
--              share a session (up to 50 RCPTs); the first session at a
--              domain probes for catch-all
--   warm       the same resolver again: DNS answers and the catch-all answer
--              are cached (no probe; the catch-all domain needs no session)
--   one each   a new resolver, concurrency 1: one session per address (no
--              batching), the catch-all answer cached after the first
-- Run from the repository root:
--   LUA_PATH='./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./build-5.4/?.so;;' lua5.4 bench/smtp_bench.lua 2000
package.path = "./?.lua;" .. package.path
local mxrecord = require "mxrecord"
local mail = require "spec.helpers.mail_servers"
local socket = require "socket"

local N = tonumber(arg[1]) or 2000

local function self_pid() return io.open("/proc/self/stat"):read("*l"):match("^(%d+)") end
local PID = self_pid()
local function fds_now()
  local p = io.popen("ls /proc/" .. PID .. "/fd | wc -l")
  local n = tonumber(p:read("*l"))
  p:close()
  return (n or 0) - 1 -- the pipe of this very popen
end
local function rss_peak_kb()
  for line in io.lines("/proc/" .. PID .. "/status") do
    local kb = line:match("^VmHWM:%s+(%d+)")
    if kb then return tonumber(kb) end
  end
end

local env = mail.start()
local ok, err = pcall(function()
  local addresses = {}
  for i = 1, N do
    if i % 2 == 0 then
      addresses[i] = (i % 10 == 0 and "alice" or ("nobody" .. i)) .. "@known.smtp.test"
    else
      addresses[i] = "user" .. i .. "@catchall.smtp.test"
    end
  end
  -- lookup_many leaves duplicates out: make the repeated "alice" distinct
  local seen = {}
  for i, a in ipairs(addresses) do
    if seen[a] then addresses[i] = "x" .. i .. a end
    seen[addresses[i]] = true
  end
  local smtp = { helo = "probe.mxrecord.test", port = env.port, allow_private = true, connect_timeout = 5,
    command_timeout = 10 }

  local function run(label, r, concurrency)
    local before = env:settled_connections()
    local peak_fds = fds_now()
    local verdicts = {}
    local t0 = socket.gettime()
    local n = 0
    for v in r:lookup_many(addresses, { kind = "verify", verify = { smtp = smtp }, concurrency = concurrency,
      on_progress = function(pr)
        local f = fds_now()
        if f > peak_fds then peak_fds = f end
        if socket.gettime() - t0 > 120 then -- a watchdog: never leave the servers running
          error(("no progress: %d of %d done, %d in flight"):format(pr.done, N, pr.inflight))
        end
      end }) do
      n = n + 1
      if v then verdicts[v.verdict] = (verdicts[v.verdict] or 0) + 1 end
    end
    local dt = socket.gettime() - t0
    local after = env:settled_connections()
    local parts = {}
    for k, c in pairs(verdicts) do parts[#parts + 1] = k .. "=" .. c end
    table.sort(parts)
    print(("%-10s %6d addresses in %6.2f s: %8.1f addresses/s, %4d SMTP sessions, peak fds %d, peak RSS %d kB  [%s]")
      :format(label, n, dt, n / dt, after.known - before.known, peak_fds, rss_peak_kb(), table.concat(parts, " ")))
  end

  local r = mxrecord.resolver { servers = { env.dns.address }, timeout = 2 }
  run("cold", r)
  run("warm", r)
  r:close()
  r = mxrecord.resolver { servers = { env.dns.address }, timeout = 2 }
  run("one each", r, 1)
  r:close()
end)
env:stop()
if not ok then error(err, 0) end
