-- verify.lua [options] FILE|-
--
-- Can these addresses receive mail? Reads a CSV file (or a plain list, one
-- address a line) whose chosen column holds an address ("Name <addr>" and
-- "mailto:" are reduced to the address), verifies each distinct address once
-- (r:verify through r:lookup_many) and writes every input row, in input
-- order, with the result columns appended: verdict, reasons, provider, mx.
-- Output: CSV (default) or --json (JSON Lines); then a summary by verdict
-- and by reason, and the duplicates, on stderr.
--
-- --smtp also asks each MX host at RCPT (opt-in; see docs/smtp.md): columns
-- checked (syntax, dns, smtp) and smtp (the server's answer as a state).
--
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
-- Questions are asked once per domain and mail host (the resolver's cache),
-- so a list of many addresses at few domains costs few queries.
do -- this directory's helpers; then, after anything installed, the checkout's module
  local here = arg[0]:match("^(.*)/[^/]*$") or "."
  local build = jit and "build-5.1" or ("build-" .. _VERSION:match("%d+%.%d+"))
  package.path = here .. "/?.lua;" .. package.path .. ";" .. here .. "/../lua/?.lua;" .. here .. "/../lua/?/init.lua"
  package.cpath = package.cpath .. ";" .. here .. "/../" .. build .. "/?.so"
end
local cli = require "example_cli"
local mxrecord = require "mxrecord"

local PROG = "verify.lua"
local opts, path = cli.parse_args {
  prog = PROG,
  usage = "verify.lua [options] FILE|-",
  about = "Can these addresses receive mail (from DNS alone): every input row, in order, with verdict,\n"
    .. "reasons, provider and MX hosts appended. FILE is a CSV (comma, semicolon or tab; a header or not)\n"
    .. "or a list; - (or no FILE) reads stdin. DNS servers: MXRECORD_SERVERS (ip:port,...).",
  options = {
    { "--column", "string", "NAME|N", "the column with the address (default: a column named\n"
      .. string.rep(" ", 25) .. "email/e-mail/address..., else the first)" },
    { "--json", "flag", nil, "JSON Lines out: one object per input row" },
    { "--concurrency", "number", "N", "verifications in flight (default: adaptive)" },
    { "--progress", "flag", nil, "the progress line on stderr even when it is not a terminal" },
    { "--smtp", "flag", nil, "ask each MX host at RCPT too (opt-in: port 25; see docs/smtp.md)" },
    { "--helo", "string", "NAME", "with --smtp: this machine's host name (matching its PTR record)" },
    { "--from", "string", "ADDR", "with --smtp: the MAIL FROM address (default: the null sender)" },
    { "--smtp-port", "number", "N", "with --smtp: the port (default 25)" },
    { "--allow-private", "flag", nil, "with --smtp: contact MX hosts with private or loopback addresses" },
  },
}
-- --smtp asks each domain's mail server too (opt-in: port 25, a HELO name this machine owns)
if opts.smtp and not opts.helo then
  io.stderr:write(PROG, ": --smtp needs --helo NAME (this machine's host name, matching its PTR record)\n")
  os.exit(2)
end
local verify_opts = opts.smtp and { smtp = { helo = opts.helo, from = opts.from, port = opts.smtp_port,
  allow_private = opts.allow_private or nil } } or nil

-- The result columns, one entry each: name, the value for CSV (a string)
-- and, optionally, for --json. `v` is the verdict (nil when verification
-- failed: `err` says why).
local function list(t) return setmetatable(t, mxrecord.json.array_mt) end
local function reason_codes(v)
  local out = {}
  for k, reason in ipairs(v and v.reasons or {}) do out[k] = reason.code end
  return list(out)
end
local function mx_hosts(v)
  local out = {}
  for _, h in ipairs(v and v.mx and v.mx.records or {}) do out[#out + 1] = h.exchange end
  return list(out)
end
local COLUMNS = {
  { "verdict", function(v) return v and v.verdict or "error" end },
  { "reasons", function(v, err) return v and table.concat(reason_codes(v), " ") or err or "" end,
    function(v) return reason_codes(v) end },
  { "provider", function(v) return v and v.provider and v.provider.name or "" end,
    function(v) return v and v.provider and v.provider.name or nil end },
  { "mx", function(v) return table.concat(mx_hosts(v), " ") end, function(v) return mx_hosts(v) end },
}
if opts.smtp then
  COLUMNS[#COLUMNS + 1] = { "checked", function(v) return v and v.checked or "" end }
  COLUMNS[#COLUMNS + 1] = { "smtp", function(v) return v and v.smtp and v.smtp.state or "" end,
    function(v) return v and v.smtp or nil end }
end
local RESULT, COL = {}, {}
for k, c in ipairs(COLUMNS) do
  RESULT[k] = c[1]
  COL[c[1]] = k
end
local COLUMN_NAMES = { "email", "e-mail", "email address", "e-mail address", "address", "mail", "emails" }

local input = cli.open(PROG, path)
local records = cli.records(input)
local first = records()
local header, col
if first then
  header, col = cli.choose_column(PROG, first, opts.column, COLUMN_NAMES,
    function(v) return v:find("@", 1, true) end)
end
local held = first and not header and first or nil
local width = header and #header or (first and #first or 1)
local out_header = {}
if header then
  for k, h in ipairs(header) do out_header[k] = h end
elseif width == 1 then
  out_header[1] = "input"
else
  for k = 1, width do out_header[k] = "column" .. k end
end

local r = cli.resolver(mxrecord, { timeout = 2, tries = 2 })
local progress = cli.progress(opts.progress or cli.stderr_is_tty(), "rows",
  path and (cli.count_records(PROG, path) - (header and 1 or 0)) or nil, cli.clock())

local by_verdict, by_reason, naddresses, nblank = {}, {}, 0, 0

local function result_of(address, v, err, code)
  naddresses = naddresses + 1
  local verdict = v and v.verdict or "error"
  by_verdict[verdict] = (by_verdict[verdict] or 0) + 1
  for _, reason in ipairs(v and v.reasons or {}) do by_reason[reason.code] = (by_reason[reason.code] or 0) + 1 end
  local cells, json = {}, { address = address, error = err, code = code, result = v }
  for k, c in ipairs(COLUMNS) do
    cells[k] = c[2](v, err)
    if c[3] then json[c[1]] = c[3](v, err) else json[c[1]] = cells[k] end
  end
  if not v then json.verdict = nil end
  return { cells = cells, json = json }
end

if not opts.json then io.write(cli.csv_line(cli.joined_header(out_header, RESULT))) end

local function emit(row, res)
  local rec = row.record
  local cells = res and res.cells
  if not cells then
    cells = {}
    for k = 1, #COLUMNS do cells[k] = "" end
    cells[COL.reasons] = row.note or ""
  end
  if opts.json then
    io.write(cli.json_row(mxrecord, rec, header, row, res))
  else
    io.write(cli.csv_row(rec, width, cells))
  end
end

local rows = cli.ordered(emit)

-- "Jane <jane@example.com>" and "mailto:jane@example.com" are the address.
local function address_of(value)
  local a = value:match("^%s*(.-)%s*$")
  a = a:match("<([^<>]*@[^<>]*)>") or a
  a = a:gsub("^[Mm][Aa][Ii][Ll][Tt][Oo]:", "")
  return a
end

local function next_address()
  while true do
    local rec = held or records()
    held = nil
    if not rec then return nil end
    local value = rec[col] or ""
    local key = value:find("%S") and address_of(value) or nil
    if not key then nblank = nblank + 1 end
    if rows.add(rec, key, "no address (blank)") then return key end
    rows.flush()
  end
end

for v, err, code, address in r:lookup_many(next_address, { kind = "verify", verify = verify_opts, concurrency = opts.concurrency,
  on_progress = function() progress.update(rows.resolved) end }) do
  rows.result(address, result_of(address, v or nil, err, code))
end
rows.flush()
progress.finish(rows.resolved)
if input ~= io.stdin then input:close() end
local stats = r:cache_stats()
r:close()

io.stderr:write(("%d rows: %d distinct addresses, duplicates: %d rows repeat an address above (verified once), "
  .. "%d rows without an address\n"):format(rows.resolved, rows.distinct, rows.duplicates, nblank))
io.stderr:write(("%d DNS questions asked (%d shared while in flight, %d answered from the cache)\n")
  :format(stats.asked, stats.shared, stats.hits))
cli.summary(io.stderr, "by verdict:", by_verdict, naddresses)
cli.summary(io.stderr, "by reason:", by_reason, naddresses)
