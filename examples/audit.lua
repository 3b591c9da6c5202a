-- audit.lua [--json] DOMAIN|FILE...
--
-- A domain's mail posture from DNS (r:posture): SPF evaluated over its
-- include tree, DMARC, MTA-STS, TLS-RPT, BIMI, DNSSEC and DANE, with the
-- findings by severity. Arguments are domains, or files of domains (one per
-- line, # comments). All domains are asked together; reports print in the
-- order given. --json prints one JSON object per line instead.
--
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
-- Exit status: 0, or 1 when a domain has a finding of high severity.
local mxrecord = require "mxrecord"

local json_out, domains = false, {}
for _, a in ipairs(arg) do
  if a == "--json" then
    json_out = true
  elseif a:sub(1, 2) == "--" then
    io.stderr:write("unknown option ", a, "\nusage: audit.lua [--json] DOMAIN|FILE...\n")
    os.exit(2)
  else
    local f = io.open(a, "r") -- a readable file is a list of domains
    if f then
      for line in f:lines() do
        local d = line:match("^%s*([^#%s,]+)")
        if d then domains[#domains + 1] = d end
      end
      f:close()
    else
      domains[#domains + 1] = a
    end
  end
end
if #domains == 0 then
  io.stderr:write("usage: audit.lua [--json] DOMAIN|FILE...\n")
  os.exit(2)
end

local encode
if json_out then
  local ok, cjson = pcall(require, "cjson")
  encode = ok and cjson.encode or require("dkjson").encode
end

local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 2, tries = 2 }
local results = {}
for i, d in ipairs(domains) do
  r:posture(d, function(p, err, code) results[i] = p or { domain = d, error = err, code = code } end)
end
r:run()
r:close()

local function line(fmt, ...) io.write(string.format(fmt, ...), "\n") end

local function yesno(v) return v and "yes" or "no" end

local function report(p)
  line("== %s", p.domain)
  if p.error then
    line("   error: %s", p.error)
    return
  end
  local s = p.spf or {}
  if s.record then
    line("SPF      %s", s.record)
    line("         %d lookups, %d void, default %s, valid: %s", s.lookups or 0, s.void_lookups or 0, s.all or "neutral",
      yesno(s.valid))
    local names = {}
    for _, x in ipairs(s.senders or {}) do names[#names + 1] = x.name or x.domain end
    if #names > 0 then line("         senders: %s", table.concat(names, ", ")) end
  else
    line("SPF      %s", s.error and s.error.message or "none")
  end
  local dm = p.dmarc or {}
  if dm.record then
    line("DMARC    %s%s", dm.record, dm.inherited and ("  (from " .. dm.domain .. ")") or "")
    if dm.policy then line("         policy %s, pct %s, adkim %s, aspf %s", dm.policy, dm.pct, dm.adkim, dm.aspf) end
  else
    line("DMARC    %s", dm.error and dm.error.message or "none")
  end
  line("MTA-STS  %s", p.mta_sts and (p.mta_sts.record or (p.mta_sts.error and p.mta_sts.error.message)) or "none")
  line("TLS-RPT  %s", p.tls_rpt and (p.tls_rpt.record or (p.tls_rpt.error and p.tls_rpt.error.message)) or "none")
  line("BIMI     %s", p.bimi and (p.bimi.record or (p.bimi.error and p.bimi.error.message)) or "none")
  local hosts = p.mx and p.mx.hosts or {}
  line("MX       %s", #hosts > 0 and table.concat(hosts, " ") or (p.mx and p.mx.status or "?"))
  line("DNSSEC   %s; DANE: %s", p.dnssec and p.dnssec.secure and "authenticated" or "not authenticated", yesno(p.dane))
  for _, f in ipairs(p.findings) do line("  [%-6s] %s: %s", f.severity, f.code, f.message) end
end

local status = 0
for i = 1, #domains do
  local p = results[i]
  for _, f in ipairs(p.findings or {}) do
    if f.severity == "high" then status = 1 end
  end
  if json_out then
    io.write(encode(p), "\n")
  else
    report(p)
    if i < #domains then io.write("\n") end
  end
end
os.exit(status)
