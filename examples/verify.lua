-- verify.lua [--concurrency N] [--progress] [FILE]
--
-- Can these addresses receive mail? Reads addresses from FILE (default:
-- stdin), one per line or as the first CSV column (a header line without an
-- @ is skipped), and prints CSV (address, verdict, reasons, provider, MX
-- hosts) as verdicts come, through r:lookup_many (duplicates are checked
-- once). Then a summary by verdict and by reason on stderr. A progress line
-- goes to stderr when stderr is a terminal (or --progress).
--
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
-- Questions are asked once per domain and mail host (the resolver's cache),
-- so a list of many addresses at few domains costs few queries.
local mxrecord = require "mxrecord"

local function usage(msg)
  io.stderr:write(msg, "\nusage: verify.lua [--concurrency N] [--progress] [FILE]\n")
  os.exit(2)
end

local window, path, progress = nil, nil, nil
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

-- Addresses stream from the input; only a named file's lines are counted
-- first (the progress line's total).
local total
if path then
  total = 0
  for _ in io.lines(path) do total = total + 1 end
end
local input = path and assert(io.open(path)) or io.stdin
local lineno = 0
local function next_address()
  for line in input:lines() do
    lineno = lineno + 1
    local a = first_column(line):match("^%s*(.-)%s*$")
    if a ~= "" and a:sub(1, 1) ~= "#" and not (lineno == 1 and not a:find("@", 1, true)) then return a end
  end
  return nil
end

local function csv_field(s)
  if s:find('[",\n\r]') then return '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 2, tries = 2 }
local by_verdict, by_reason, naddresses, duplicates = {}, {}, 0, 0

io.write("address,verdict,reasons,provider,mx\n")

local function show_progress(p)
  local t = p.total or total -- lines of the file: an upper bound
  local eta = t and p.rate > 0 and ("  ETA %ds"):format(math.ceil(math.max(t - p.done, 0) / p.rate)) or ""
  io.stderr:write(("\r%d%s addresses  %.0f/s%s   "):format(p.done, t and ("/" .. t) or "", p.rate, eta))
end

local function emit(address, v, err)
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
  naddresses = naddresses + 1
  local out = {}
  for c, f in ipairs(row) do out[c] = csv_field(f) end
  io.write(table.concat(out, ","), "\n") -- streamed, in completion order
end

for v, err, code, address in r:lookup_many(next_address, { kind = "verify", concurrency = window,
  on_progress = progress and show_progress or nil }) do
  if code == "duplicate" then
    duplicates = duplicates + 1
  else
    emit(address, v or nil, err)
  end
end
if progress then io.stderr:write("\n") end
if input ~= io.stdin then input:close() end
local stats = r:cache_stats()
r:close()

local function summary(title, counts)
  local list = {}
  for k, n in pairs(counts) do list[#list + 1] = { k, n } end
  table.sort(list, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  io.stderr:write(title, "\n")
  for _, e in ipairs(list) do
    io.stderr:write(("  %-28s %7d  %5.1f%%\n"):format(e[1], e[2], 100 * e[2] / math.max(naddresses, 1)))
  end
end
io.stderr:write(("%d addresses (%d duplicates left out), %d DNS questions asked (%d shared while in flight, "
  .. "%d answered from the cache)\n"):format(naddresses, duplicates, stats.asked, stats.shared, stats.hits))
summary("by verdict:", by_verdict)
summary("by reason:", by_reason)
