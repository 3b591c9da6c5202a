-- bench/bulk_bench.lua KIND FILE [CONCURRENCY]: r:lookup_many over the
-- names in FILE (kind "mx" or "profile"), against MXRECORD_SERVERS. Prints
-- one line: "kind=... names=... answered=... failed=... seconds=... rate=..."
-- where rate counts DNS queries per second (two per name for profile).
-- With FILE "gen:N", streams N generated names d000000.bench.test ... (names
-- past the zone's end are answered NXDOMAIN) and also prints the peak RSS.
local mxrecord = require "mxrecord"
local kind, file, conc = arg[1], arg[2], tonumber(arg[3])

-- loopback answers in well under a millisecond: a lost packet costs a 0.1 s retry, not 2 s
-- (BENCH_TIMEOUT and BENCH_TRIES change them, for a far server)
local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = tonumber(os.getenv("BENCH_TIMEOUT")) or 0.1,
  tries = tonumber(os.getenv("BENCH_TRIES")) or 5 }
local source
if file:match("^gen:") then
  local n, i = tonumber(file:match("^gen:(%d+)")), -1
  source = function()
    i = i + 1
    if i < n then return ("d%06d.bench.test"):format(i) end
  end
else
  source = assert(io.open(file))
end

local clock = require("mxrecord.core").monotonic
local t0 = clock()
local names, answered, failed, codes = 0, 0, 0, {}
-- BENCH_AFTER=S: also report the rate after the first S seconds (rate_after=);
-- BENCH_SECONDS=S: stop after S seconds (the names not reached are not counted)
local after, stop_at = tonumber(os.getenv("BENCH_AFTER")), tonumber(os.getenv("BENCH_SECONDS"))
local n_after, t_after
for res, err, code in r:lookup_many(source, { kind = kind, concurrency = conc }) do
  if after and not t_after and clock() - t0 >= after then n_after, t_after = names, clock() end
  if stop_at and clock() - t0 >= stop_at then break end
  names = names + 1
  if res and not (kind == "profile" and (res.mx_error or res.spf_error)) then
    answered = answered + 1
  else
    failed = failed + 1
    local c = code or (res.mx_error or res.spf_error).code
    codes[c] = (codes[c] or 0) + 1
  end
end
local secs = clock() - t0
-- DNS queries: one per name for mx; for profile what it asked (MX, TXT,
-- DMARC, and the second round's three where it wanted evidence)
local queries = r:_submitted()
local rss = ""
local f = io.open("/proc/self/status")
if f then
  local s = f:read("*a")
  f:close()
  rss = " peak_rss_kb=" .. (s:match("VmHWM:%s*(%d+)") or "?") .. " rss_kb=" .. (s:match("VmRSS:%s*(%d+)") or "?")
    .. (" lua_heap_kb=%.0f"):format(collectgarbage("count"))
end
local fails = {}
for c, n in pairs(codes) do fails[#fails + 1] = c .. ":" .. n end
if t_after then
  rss = rss .. (" rate_after=%.0f"):format((names - n_after) * queries / math.max(names, 1) / (clock() - t_after))
end
print(("kind=%s names=%d queries=%d answered=%d failed=%d seconds=%.3f rate=%.0f%s%s"):format(kind, names, queries,
  answered, failed, secs, queries / secs, rss, #fails > 0 and (" failures=" .. table.concat(fails, ",")) or ""))
