-- prospect.lua [--csv] [--concurrency N] [FILE]
--
-- Who runs each company's mail? Reads domains from FILE (default: stdin), one
-- per line or as the first column of a CSV file; URLs and e-mail addresses are
-- reduced to their domain, "www." is dropped, duplicates are looked up once.
-- Prints one row per domain (domain, provider, category, gateway, senders,
-- notes, MX hosts, confidence, stack: the SaaS the domain has verified), as an aligned table in input order, or as CSV (--csv)
-- streamed as answers come, then a summary of provider shares (on stderr with
-- --csv, so the CSV stays clean). Lookups run through r:lookup_many; a
-- progress line goes to stderr when it is a terminal. --concurrency N fixes
-- the window of lookups in flight (default: adaptive).
--
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local cli = require "example_cli"
local mxrecord = require "mxrecord"

local opts, path = cli.parse_args("prospect.lua [--csv] [--concurrency N] [FILE]",
  { ["--csv"] = "flag", ["--concurrency"] = "number" })
local csv = opts.csv

-- A domain from a bare domain, a URL or an e-mail address; nil if blank.
local function reduce(s)
  s = s:match("^%s*(.-)%s*$")
  if s == "" or s:sub(1, 1) == "#" then return nil end
  s = s:match("<([^>]*)>") or s                         -- Name <user@domain>
  s = s:gsub("^mailto:", ""):gsub("^%a[%w+.-]*://", "") -- scheme
  s = s:match("@([^@]*)$") or s                         -- user@domain, user:pw@host
  s = s:match("^[^/?#]*")                               -- path, query, fragment
  s = s:gsub(":%d*$", "")                               -- port
  s = s:lower():gsub("%.$", "")
  return (s:gsub("^www%.", ""))
end

-- Domains stream from the input.
local input = path and assert(io.open(path)) or io.stdin
local lineno, order, count = 0, {}, 0
local function next_domain()
  for line in input:lines() do
    lineno = lineno + 1
    local d = reduce(cli.first_column(line) or "")
    -- a header line ("domain", "website", "email") names no domain
    if d and not (lineno == 1 and not d:find("%.")) then
      if not order[d] then
        count = count + 1
        order[d] = count
      end
      return d
    end
  end
  return nil
end

local progress = cli.stderr_is_tty()

local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 2, tries = 2 }
local rows, duplicates = {}, 0
local shares, categories, gateways = {}, {}, {}

local function names(list)
  local out = {}
  for k, p in ipairs(list) do out[k] = p.name end
  return table.concat(out, "; ")
end

local function row_of(domain, p, err)
  if not p then
    return { domain, "(invalid)", "error", "", "", err, "", "", "" }
  end
  local prov, hosts = p.provider, {}
  for _, rec in ipairs(p.mx and p.mx.records or {}) do hosts[#hosts + 1] = rec.exchange end
  local errs = {}
  if p.mx_error then errs[#errs + 1] = "MX: " .. p.mx_error.code end
  if p.spf_error then errs[#errs + 1] = "TXT: " .. p.spf_error.code end
  if p.mx and p.mx.status ~= "ok" then errs[#errs + 1] = p.mx.status end
  return { domain, prov.name, prov.category, prov.gateway and prov.gateway.name or "", names(prov.senders),
    table.concat(errs, ", "), table.concat(hosts, " "), prov.confidence or "", names(p.stack or {}) }
end

local HEADER = { "domain", "provider", "category", "gateway", "senders", "notes", "mx", "confidence", "stack" }

local function emit_csv(row) io.write(cli.csv_line(row)) end

if csv then emit_csv(HEADER) end

local ndone = 0
local function done(domain, row)
  ndone = ndone + 1
  local key = row[3] == "error" and "(invalid)" or row[2]
  shares[key] = (shares[key] or 0) + 1
  categories[row[3]] = (categories[row[3]] or 0) + 1
  if row[4] ~= "" then gateways[row[4]] = (gateways[row[4]] or 0) + 1 end
  if csv then
    emit_csv(row) -- streamed, in completion order
  else
    rows[order[domain]] = row -- the table keeps input order
  end
end

for p, err, code, domain in r:lookup_many(next_domain, { kind = "profile", concurrency = opts.concurrency,
  on_progress = progress and cli.progress("domains", cli.count_lines(path)) or nil }) do
  if code == "duplicate" then
    duplicates = duplicates + 1
  else
    done(domain, row_of(domain, p or nil, err))
  end
end
if progress then io.stderr:write("\n") end
if input ~= io.stdin then input:close() end
r:close()
local domains = { n = ndone }

-- ---- output --------------------------------------------------------------

local out = csv and io.stderr or io.stdout

if not csv then
  local width = {}
  for c = 1, #HEADER do width[c] = #HEADER[c] end
  local list = {}
  for k = 1, count do list[#list + 1] = rows[k] end -- duplicates left holes
  rows = list
  for _, row in ipairs(rows) do
    for c = 1, #HEADER do width[c] = math.max(width[c], #row[c]) end
  end
  local function line(row)
    local cells = {}
    for c = 1, #HEADER do cells[c] = row[c] .. string.rep(" ", width[c] - #row[c]) end
    out:write((table.concat(cells, "  "):gsub("%s+$", "")), "\n")
  end
  line(HEADER)
  local rule = {}
  for c = 1, #HEADER do rule[c] = string.rep("-", width[c]) end
  line(rule)
  for _, row in ipairs(rows) do line(row) end
  out:write("\n")
end

local function summary(title, counts) cli.summary(out, title, counts, domains.n) end

out:write(string.format("%d domains (rules %s)\n", domains.n, mxrecord.providers_version))
summary("provider share:", shares)
summary("category:", categories)
if next(gateways) then summary("behind a security gateway:", gateways) end
