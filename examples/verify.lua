-- verify.lua [--concurrency N] [--progress] [FILE]
--
-- Can these addresses receive mail? Reads addresses from FILE (default:
-- stdin), one per line or as the first CSV column (a header line without an
-- @ is skipped), and prints CSV: address, verdict, reasons, provider, MX
-- hosts, in input order. Then a summary by verdict and by reason on stderr.
-- A progress line goes to stderr when stderr is a terminal (or --progress).
--
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
-- Questions are asked once per domain and mail host (the resolver's cache),
-- so a list of many addresses at few domains costs few queries.
local mxrecord = require "mxrecord"

local function usage(msg)
  io.stderr:write(msg, "\nusage: verify.lua [--concurrency N] [--progress] [FILE]\n")
  os.exit(2)
end

local window, path, progress = 500, nil, nil
local i = 1
while arg[i] do
  local a = arg[i]
  if a == "--concurrency" then
    i = i + 1
    window = tonumber(arg[i]) or usage("--concurrency needs a number")
  elseif a == "--progress" then
    progress = true
  elseif a:sub(1, 2) == "--" then
    usage("unknown option " .. a)
  else
    path = a
  end
  i = i + 1
end
if progress == nil then
  local tty = os.execute("test -t 2") -- Lua 5.1 returns the status, 5.2+ true or nil
  progress = tty == true or tty == 0
end

-- The first CSV column; a line without a separator is taken whole (so a
-- quoted local part such as "john doe"@example.com stays as it is).
local function first_column(line)
  line = line:gsub("\r$", "")
  if not line:find("[,;\t]") then return line end
  if line:sub(1, 1) == '"' then
    local field = line:match('^"(.-)"[,;\t]') or line:match('^"(.-)"%s*$') or line:sub(2)
    return (field:gsub('""', '"'))
  end
  return line:match("^([^,;\t]*)")
end

local input = path and assert(io.open(path)) or io.stdin
local addresses, lineno = {}, 0
for line in input:lines() do
  lineno = lineno + 1
  local a = first_column(line):match("^%s*(.-)%s*$")
  if a ~= "" and a:sub(1, 1) ~= "#" and not (lineno == 1 and not a:find("@", 1, true)) then
    addresses[#addresses + 1] = a
  end
end
if input ~= io.stdin then input:close() end

local function csv_field(s)
  if s:find('[",\n\r]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 2, tries = 2 }
local rows, next_out, inflight, submitted, done = {}, 1, 0, 0, 0
local by_verdict, by_reason = {}, {}
local clock = require("mxrecord.core").monotonic
local started = clock()
local last_progress = 0

io.write("address,verdict,reasons,provider,mx\n")

local function show_progress(final)
  local now = clock()
  if not progress or (not final and now - last_progress < 0.2) then return end
  last_progress = now
  local rate = done / math.max(now - started, 1e-3)
  local eta = rate > 0 and (#addresses - done) / rate or 0
  io.stderr:write(("\r%d/%d addresses  %.0f/s  ETA %ds   "):format(done, #addresses, rate, math.ceil(eta)))
  if final then io.stderr:write("\n") end
end

local function finished(k, address, v, err)
  local row
  if v then
    local codes = {}
    for _, reason in ipairs(v.reasons) do
      codes[#codes + 1] = reason.code
      by_reason[reason.code] = (by_reason[reason.code] or 0) + 1
    end
    local hosts = {}
    for _, h in ipairs(v.mx and v.mx.records or {}) do hosts[#hosts + 1] = h.exchange end
    row = { address, v.verdict, table.concat(codes, " "), v.provider and v.provider.name or "", table.concat(hosts, " ") }
    by_verdict[v.verdict] = (by_verdict[v.verdict] or 0) + 1
  else
    row = { address, "error", err or "", "", "" }
    by_verdict.error = (by_verdict.error or 0) + 1
  end
  rows[k] = row
  done = done + 1
  while rows[next_out] do -- CSV in input order, streamed
    local out = {}
    for c, f in ipairs(rows[next_out]) do out[c] = csv_field(f) end
    io.write(table.concat(out, ","), "\n")
    rows[next_out] = nil
    next_out = next_out + 1
  end
  show_progress(false)
end

while submitted < #addresses or inflight > 0 do
  while inflight < window and submitted < #addresses do
    submitted = submitted + 1
    local k, address = submitted, addresses[submitted]
    inflight = inflight + 1
    r:verify(address, function(v, err)
      inflight = inflight - 1
      finished(k, address, v, err)
    end)
  end
  r:run(0.01)
end
show_progress(true)
local stats = r:cache_stats()
r:close()

local function summary(title, counts)
  local list = {}
  for k, n in pairs(counts) do list[#list + 1] = { k, n } end
  table.sort(list, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  io.stderr:write(title, "\n")
  for _, e in ipairs(list) do
    io.stderr:write(("  %-28s %7d  %5.1f%%\n"):format(e[1], e[2], 100 * e[2] / math.max(#addresses, 1)))
  end
end
io.stderr:write(("%d addresses, %d DNS questions asked (%d shared while in flight, %d answered from the cache)\n")
  :format(#addresses, stats.asked, stats.shared, stats.hits))
summary("by verdict:", by_verdict)
summary("by reason:", by_reason)
