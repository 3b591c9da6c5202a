-- bench/burst.lua [N ...] [timeout=S] [tries=K] [zone=DIR]: issue 15's
-- burst test. Starts a healthy knotd on loopback, makes one resolver, submits
-- N `r:mx(name, cb)` at once (one loop, no r:poll() in between), then
-- r:run() until every callback has come, and prints per N:
--
--   n=1000 timeout=1 tries=2 answered=693 timedout=307 other=0 seconds=2.003 runtime=Lua 5.4
--
-- Names are d000000.bench.test ...; with zone=DIR the zone of
-- bench/gen_zone.lua in DIR is served (every name answers with MX or
-- NXDOMAIN/NODATA), otherwise a generated zone of max(N) domains is written
-- to a temp dir. Every callback must come: the script exits 1 if a name got
-- no callback or anything but an answer.
--
--   LUA_PATH='./?.lua;./lua/?.lua;./lua/?/init.lua;;' LUA_CPATH='./build-5.4/?.so;;' \
--     lua5.4 bench/burst.lua 1000 100000 timeout=1 tries=2
local dns = require "spec.helpers.dns_server"
local mxrecord = require "mxrecord"
local clock = require("mxrecord.core").monotonic

local sizes, opts = {}, { timeout = 1, tries = 2 }
for _, a in ipairs(arg) do
  local k, v = a:match("^(%w+)=(.*)$")
  if k then
    opts[k] = tonumber(v) or v
  else
    sizes[#sizes + 1] = assert(tonumber(a), "usage: burst.lua [N ...] [timeout=S] [tries=K] [zone=DIR]")
  end
end
if #sizes == 0 then sizes = { 1000, 100000 } end
local biggest = math.max((table.unpack or unpack)(sizes))

local dir, own = opts.zone, false
opts.zone = nil
if not dir then
  dir, own = io.popen("mktemp -d /tmp/mxrecord-burst.XXXXXX"):read("*l"), true
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "bench"
  assert(os.execute(("lua5.4 %s/gen_zone.lua %s %d"):format(here, dir, biggest)))
end
local srv = dns.start { zones = { ["bench.test"] = dir .. "/bench.test.zone" } }
local ok_status = { ok = true, nxdomain = true, nodata = true, null_mx = true }
local failed = false

for _, n in ipairs(sizes) do
  local ropts = { servers = { srv.address } }
  for k, v in pairs(opts) do ropts[k] = v end
  local r = mxrecord.resolver(ropts)
  local answered, codes, calls = 0, {}, 0
  local t0 = clock()
  for i = 0, n - 1 do
    r:mx(("d%06d.bench.test"):format(i), function(res, _, code)
      calls = calls + 1
      if res and ok_status[res.status] then
        answered = answered + 1
      else
        codes[code or "?"] = (codes[code or "?"] or 0) + 1
      end
    end)
  end
  local submitted = clock() - t0
  r:run(opts.timeout * opts.tries * 4 + 30)
  local secs = clock() - t0
  local other = {}
  for c, k in pairs(codes) do
    if c ~= "timeout" then other[#other + 1] = c .. ":" .. k end
  end
  print(("n=%d timeout=%s tries=%s answered=%d timedout=%d other=%s callbacks=%d submit_s=%.3f seconds=%.3f runtime=%s")
    :format(n, tostring(opts.timeout), tostring(opts.tries), answered, codes.timeout or 0,
      #other > 0 and table.concat(other, ",") or "0", calls, submitted, secs, jit and jit.version or _VERSION))
  io.stdout:flush()
  if answered ~= n then failed = true end
  r:close()
end

srv:stop()
if own then os.execute("rm -rf '" .. dir .. "'") end
os.exit(failed and 1 or 0)
