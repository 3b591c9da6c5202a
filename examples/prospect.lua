-- prospect.lua [options] FILE|-
--
-- Who runs each company's mail? Reads a CSV file (or a plain list, one value
-- a line) whose chosen column holds a domain, a URL or an e-mail address
-- (mxrecord.domain_of reduces each to its domain), looks each distinct domain
-- up once (r:profile through r:lookup_many) and writes every input row, in
-- input order, with the result columns appended (domain, provider, category,
-- gateway, senders, notes, mx, ...: the COLUMNS table below). Output: an aligned table (default), --csv, or
-- --json (JSON Lines); then a summary (provider share, categories, gateways,
-- duplicates), on stderr with --csv/--json so that stdout stays data.
-- --html FILE also writes a self-contained report page with charts.
--
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
do -- this directory's helpers; then, after anything installed, the checkout's module
  local here = arg[0]:match("^(.*)/[^/]*$") or "."
  local build = jit and "build-5.1" or ("build-" .. _VERSION:match("%d+%.%d+"))
  package.path = here .. "/?.lua;" .. package.path .. ";" .. here .. "/../lua/?.lua;" .. here .. "/../lua/?/init.lua"
  package.cpath = package.cpath .. ";" .. here .. "/../" .. build .. "/?.so"
end
local cli = require "example_cli"
local mxrecord = require "mxrecord"

local PROG = "prospect.lua"
local opts, path = cli.parse_args {
  prog = PROG,
  usage = "prospect.lua [options] FILE|-",
  about = "Who runs each company's mail: every input row, in order, with provider, category, gateway,\n"
    .. "senders, notes and MX hosts appended. FILE is a CSV (comma, semicolon or tab; a header or not)\n"
    .. "or a list; - (or no FILE) reads stdin. DNS servers: MXRECORD_SERVERS (ip:port,...).",
  options = {
    { "--column", "string", "NAME|N", "the column with the domain, URL or address (default: a column\n"
      .. string.rep(" ", 25) .. "named domain/website/url/email..., else the first)" },
    { "--csv", "flag", nil, "CSV out: the input columns, then the result columns" },
    { "--json", "flag", nil, "JSON Lines out: one object per input row" },
    { "--html", "string", "FILE", "also write a self-contained HTML report with charts" },
    { "--concurrency", "number", "N", "lookups in flight (default: adaptive)" },
    { "--progress", "flag", nil, "the progress line on stderr even when it is not a terminal" },
  },
}
if opts.csv and opts.json then cli.die(PROG, "--csv and --json: choose one") end

-- The result columns, one entry each: name, then the value for CSV and the
-- table (a string) and, optionally, for --json (any value). `p` is the
-- profile (nil when the lookup failed: `err` says why).
local function list(t) return setmetatable(t, require("mxrecord").json.array_mt) end
local function names(l)
  local out = {}
  for k, e in ipairs(l or {}) do out[k] = e.name end
  return list(out)
end
local function mx_hosts(p)
  local hosts = {}
  for _, rec in ipairs(p and p.mx and p.mx.records or {}) do hosts[#hosts + 1] = rec.exchange end
  return list(hosts)
end
local function notes(p, err)
  if not p then return list { err } end
  local out = {}
  if p.mx_error then out[#out + 1] = "MX: " .. p.mx_error.code end
  if p.spf_error then out[#out + 1] = "TXT: " .. p.spf_error.code end
  if p.mx and p.mx.status ~= "ok" then out[#out + 1] = p.mx.status end
  return list(out)
end
local COLUMNS = {
  { "domain", function(_, domain) return domain end },
  { "provider", function(p) return p and p.provider.name or "(invalid)" end },
  { "category", function(p) return p and p.provider.category or "error" end },
  { "gateway", function(p) return p and p.provider.gateway and p.provider.gateway.name or "" end,
    function(p) return p and p.provider.gateway and p.provider.gateway.name or nil end },
  { "senders", function(p) return table.concat(names(p and p.provider.senders), "; ") end,
    function(p) return names(p and p.provider.senders) end },
  { "notes", function(p, _, err) return table.concat(notes(p, err), ", ") end,
    function(p, _, err) return notes(p, err) end },
  { "mx", function(p) return table.concat(mx_hosts(p), " ") end, function(p) return mx_hosts(p) end },
  { "confidence", function(p) return p and p.provider.confidence or "" end,
    function(p) return p and p.provider.confidence or nil end },
  { "stack", function(p) return table.concat(names(p and p.stack), "; ") end,
    function(p) return names(p and p.stack) end },
}
local RESULT, COL = {}, {} -- names, and name -> position
for k, c in ipairs(COLUMNS) do
  RESULT[k] = c[1]
  COL[c[1]] = k
end
local NOTES = COL.notes
local COLUMN_NAMES = { "domain", "domains", "website", "web site", "url", "site", "homepage", "web", "email",
  "e-mail", "email address", "mail", "company domain" }

local input = cli.open(PROG, path)
local records = cli.records(input)
local first = records()
local header, col
if first then
  header, col = cli.choose_column(PROG, first, opts.column, COLUMN_NAMES,
    function(v) return v:find(".", 1, true) or v:find("@", 1, true) end)
end
local held = first and not header and first or nil -- the first record is data
local width = header and #header or (first and #first or 1)
local out_header = {}
if header then
  for k, h in ipairs(header) do out_header[k] = h end
elseif width == 1 then
  out_header[1] = "input"
else
  for k = 1, width do out_header[k] = "column" .. k end
end
local shown = header and header[col] or "input"

local r = cli.resolver(mxrecord, { timeout = 2, tries = 2 })
local progress = cli.progress(opts.progress or cli.stderr_is_tty(), "rows",
  path and (cli.count_records(PROG, path) - (header and 1 or 0)) or nil, cli.clock())

local shares, categories, gateways = {}, {}, {}
local ndomains, nblank = 0, 0
local table_rows, report_rows = {}, {}

-- The result of one domain: { cells = {...}, json = {...} }.
local function result_of(domain, p, err, code)
  local cells, json = {}, { domain = domain, error = err, code = code, profile = p, provider_id = p and p.provider.id }
  for k, c in ipairs(COLUMNS) do
    cells[k] = c[2](p, domain, err)
    if c[3] then json[c[1]] = c[3](p, domain, err) else json[c[1]] = cells[k] end
  end
  if not p then json.provider, json.category = nil, nil end
  return { cells = cells, json = json }
end

local function count(res)
  ndomains = ndomains + 1
  local c = res.cells
  local category, gateway = c[COL.category], c[COL.gateway]
  local key = category == "error" and "(invalid)" or c[COL.provider]
  shares[key] = (shares[key] or 0) + 1
  categories[category] = (categories[category] or 0) + 1
  if gateway ~= "" then gateways[gateway] = (gateways[gateway] or 0) + 1 end
end

if opts.csv then io.write(cli.csv_line(cli.joined_header(out_header, RESULT))) end

-- One input row, with its result (nil: no domain in the cell), in input order.
local function emit(row, res)
  local rec = row.record
  local cells = res and res.cells
  if not cells then
    cells = {}
    for k = 1, #COLUMNS do cells[k] = "" end
    cells[NOTES] = row.note or ""
  end
  if row.duplicate then
    local copy = {}
    for k, v in ipairs(cells) do copy[k] = v end
    cells = copy
    cells[NOTES] = cells[NOTES] == "" and "duplicate" or (cells[NOTES] .. ", duplicate")
  end
  if opts.csv then
    io.write(cli.csv_row(rec, width, cells))
  elseif opts.json then
    io.write(cli.json_row(mxrecord, rec, header, row, res))
  else
    local trow = { rec[col] or "" }
    for _, v in ipairs(cells) do trow[#trow + 1] = v end
    table_rows[#table_rows + 1] = trow
  end
  if opts.html and res and not row.duplicate then
    local named = {}
    for name, k in pairs(COL) do named[name] = cells[k] end
    report_rows[#report_rows + 1] = named
  end
end

local rows = cli.ordered(emit)

-- Keys for lookup_many: distinct domains, in input order; rows without one
-- and repeats are queued in order without a lookup.
local function next_domain()
  while true do
    local rec = held or records()
    held = nil
    if not rec then return nil end
    local value = rec[col] or ""
    local domain, why = nil, nil
    if value:find("%S") then
      domain, why = mxrecord.domain_of(value)
    else
      why = "no domain (blank)"
    end
    local key = domain and (mxrecord.normalize_name(domain) or domain)
    if not key then nblank = nblank + 1 end
    if rows.add(rec, key, why) then return key end
    rows.flush()
  end
end

for p, err, code, key in r:lookup_many(next_domain, { kind = "profile", concurrency = opts.concurrency,
  on_progress = function() progress.update(rows.resolved) end }) do
  local res = result_of(key, p or nil, err, code)
  count(res)
  rows.result(key, res)
end
rows.flush()
progress.finish(rows.resolved)
if input ~= io.stdin then input:close() end
r:close()

-- ---- output --------------------------------------------------------------

local out = (opts.csv or opts.json) and io.stderr or io.stdout
if not (opts.csv or opts.json) then
  local h = { shown }
  for _, v in ipairs(RESULT) do h[#h + 1] = v end
  cli.table(out, h, table_rows)
  out:write("\n")
end

local nrows = rows.resolved
out:write(("%d domains (rules %s)\n"):format(ndomains, mxrecord.providers_version))
out:write(("%d rows: %d distinct domains, duplicates: %d rows repeat a domain above (looked up once), "
  .. "%d rows without a domain\n"):format(nrows, rows.distinct, rows.duplicates, nblank))
cli.summary(out, "provider share:", shares, ndomains)
cli.summary(out, "category:", categories, ndomains)
if next(gateways) then cli.summary(out, "behind a security gateway:", gateways, ndomains) end

if opts.html then
  local report = require "prospect_report"
  local f, err = io.open(opts.html, "wb")
  if not f then cli.die(PROG, "cannot write the report: " .. tostring(err)) end
  f:write(report.html {
    title = "Who runs their mail: " .. (path and path:match("[^/]*$") or "stdin"),
    rules = mxrecord.providers_version, rows = report_rows, ndomains = ndomains, nrows = nrows,
    duplicates = rows.duplicates, blank = nblank, shares = shares, categories = categories, gateways = gateways,
  })
  f:close()
  io.stderr:write("report written to ", opts.html, "\n")
end
