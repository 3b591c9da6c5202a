-- mxrecord.posture: r:posture(domain) — what a mail-security audit reads
-- from DNS, asked together: SPF (the include tree, counted), DMARC (RFC 7489,
-- with the organizational-domain walk and external report-address
-- authorization), MTA-STS, TLS-RPT, BIMI, DNSSEC (the AD bit of a validating
-- resolver) and DANE (TLSA at _25._tcp.<mx host>), and findings
-- { code =, message =, severity = } in the form of verify's reasons.
-- What needs HTTPS or SMTP (the MTA-STS policy file, the BIMI logo and
-- certificate) is marked "not checked", never guessed.
local core = require "mxrecord.core"
local cache = require "mxrecord.cache"
local spf = require "mxrecord.spf"

local unpack = table.unpack or unpack

local M = {}

-- Public Suffix List --------------------------------------------------------
-- The organizational domain (RFC 7489 3.2) is one label below the longest
-- public suffix. The list is Debian's publicsuffix package; without it the
-- rule is "the last two labels" (documented in docs/posture.md).
M.psl_path = "/usr/share/publicsuffix/public_suffix_list.dat"
local psl -- { rules = {[suffix] = true}, wild = {[suffix] = true}, except = {[name] = true} } | false

local function load_psl()
  if psl ~= nil then return psl end
  local f = io.open(M.psl_path, "r")
  if not f then
    psl = false
    return psl
  end
  psl = { rules = {}, wild = {}, except = {} }
  for line in f:lines() do
    local rule = line:match("^(%S+)")
    if rule and not rule:find("^//") then
      rule = rule:lower()
      if rule:sub(1, 1) == "!" then
        psl.except[rule:sub(2)] = true
      elseif rule:sub(1, 2) == "*." then
        psl.wild[rule:sub(3)] = true
      else
        psl.rules[rule] = true
      end
    end
  end
  f:close()
  return psl
end

-- organizational_domain("mail.example.co.uk") -> "example.co.uk"
function M.organizational_domain(domain)
  domain = domain:lower():gsub("%.$", "")
  local labels = {}
  for l in domain:gmatch("[^.]+") do labels[#labels + 1] = l end
  local n = #labels
  if n < 2 then return domain end
  local list = load_psl()
  local suffix_len = 1 -- the implicit "*" rule
  if list then
    for i = 1, n do
      local cand = table.concat(labels, ".", i)
      local len = n - i + 1
      if list.except[cand] then
        suffix_len = len - 1
        break
      end
      if list.rules[cand] and len > suffix_len then suffix_len = len end
      local parent = table.concat(labels, ".", i + 1)
      if i < n and list.wild[parent] and len > suffix_len then suffix_len = len end
    end
  end
  if suffix_len >= n then return domain end
  return table.concat(labels, ".", n - suffix_len)
end

-- Tag-value records (DMARC, TLS-RPT, BIMI, MTA-STS) -------------------------

-- parse_tags("v=DMARC1; p=reject") -> { v = "DMARC1", p = "reject" }, order | nil, message
local function parse_tags(text)
  local tags, order = {}, {}
  for part in (text .. ";"):gmatch("([^;]*);") do
    local k, v = part:match("^%s*([%w_%-]+)%s*=%s*(.-)%s*$")
    if k then
      if tags[k] then return nil, "tag '" .. k .. "' given twice" end
      tags[k] = v
      order[#order + 1] = k
    elseif part:match("%S") then
      return nil, "not a tag=value pair: '" .. part .. "'"
    end
  end
  return tags, order
end

local function split_uris(v)
  local out = {}
  for u in (v or ""):gmatch("[^,]+") do
    u = u:match("^%s*(.-)%s*$")
    if u ~= "" then out[#out + 1] = u end
  end
  return out
end

local POLICIES = { none = true, quarantine = true, reject = true }

-- parse_dmarc(text) -> record table | nil, message (RFC 7489 6.3, 6.4)
function M.parse_dmarc(text)
  if not text:match("^v%s*=%s*DMARC1%s*;") and not text:match("^v%s*=%s*DMARC1%s*$") then
    return nil, "does not start with v=DMARC1"
  end
  local tags, err = parse_tags(text)
  if not tags then return nil, err end
  local d = { v = tags.v, p = tags.p, sp = tags.sp, adkim = tags.adkim or "r", aspf = tags.aspf or "r",
    fo = tags.fo or "0", rf = tags.rf or "afrf", ri = tonumber(tags.ri or "86400"), problems = {} }
  if d.p and not POLICIES[d.p] then return nil, "p=" .. d.p .. " is not none, quarantine or reject" end
  if d.sp and not POLICIES[d.sp] then return nil, "sp=" .. d.sp .. " is not none, quarantine or reject" end
  if d.adkim ~= "r" and d.adkim ~= "s" then return nil, "adkim must be r or s" end
  if d.aspf ~= "r" and d.aspf ~= "s" then return nil, "aspf must be r or s" end
  if tags.pct then
    local pct = tonumber(tags.pct)
    if not pct or pct % 1 ~= 0 or pct < 0 or pct > 100 then return nil, "pct must be a whole number 0..100" end
    d.pct = pct
  else
    d.pct = 100
  end
  if not d.p then
    -- 6.6.3 step 6: a record without p but with a valid rua is p=none
    if tags.rua then
      d.p = "none"
      d.problems[#d.problems + 1] = "no p= tag (read as p=none, RFC 7489 6.6.3)"
    else
      return nil, "no p= tag"
    end
  end
  d.sp = d.sp or d.p
  d.rua, d.ruf = {}, {}
  for _, field in ipairs { "rua", "ruf" } do
    for _, u in ipairs(split_uris(tags[field])) do
      local addr, size = u:match("^[Mm][Aa][Ii][Ll][Tt][Oo]:([^!]+)!?(.*)$")
      local entry = { uri = u, address = addr, size = size ~= "" and size or nil }
      if addr then
        entry.domain = (addr:match("@(.+)$") or ""):lower()
      else
        d.problems[#d.problems + 1] = field .. " URI '" .. u .. "' is not mailto: (not used by most receivers)"
      end
      d[field][#d[field] + 1] = entry
    end
  end
  return d
end

-- parse_tlsrpt(text) (RFC 8460 3)
function M.parse_tlsrpt(text)
  if not text:match("^v%s*=%s*TLSRPTv1%s*;") then return nil, "does not start with v=TLSRPTv1;" end
  local tags, err = parse_tags(text)
  if not tags then return nil, err end
  local rua = split_uris(tags.rua)
  if #rua == 0 then return nil, "no rua= tag" end
  for _, u in ipairs(rua) do
    if not (u:match("^mailto:.+@.+") or u:match("^https://.+")) then
      return nil, "rua URI '" .. u .. "' is neither mailto: nor https:"
    end
  end
  return { v = tags.v, rua = rua }
end

-- parse_mta_sts(text) (RFC 8461 3.1)
function M.parse_mta_sts(text)
  if not text:match("^v%s*=%s*STSv1%s*;") then return nil, "does not start with v=STSv1;" end
  local tags, err = parse_tags(text)
  if not tags then return nil, err end
  if not tags.id or not tags.id:match("^%w+$") or #tags.id > 32 then
    return nil, "id= must be 1 to 32 letters and digits"
  end
  return { v = tags.v, id = tags.id, policy = "not checked (needs HTTPS: https://mta-sts.<domain>/.well-known/mta-sts.txt)" }
end

-- parse_bimi(text) (draft-brand-indicators-for-message-identification)
function M.parse_bimi(text)
  if not text:match("^v%s*=%s*BIMI1%s*;") and not text:match("^v%s*=%s*BIMI1%s*$") then
    return nil, "does not start with v=BIMI1"
  end
  local tags, err = parse_tags(text)
  if not tags then return nil, err end
  if tags.l and tags.l ~= "" and not tags.l:match("^https://") then return nil, "l= must be an https: URL" end
  if tags.a and tags.a ~= "" and not tags.a:match("^https://") then return nil, "a= must be an https: URL" end
  return { v = tags.v, l = tags.l, a = tags.a,
    logo = "not checked (needs HTTPS: the SVG logo and its mark certificate)" }
end

-- The flow -------------------------------------------------------------------

local SEVERITY_ORDER = { high = 1, medium = 2, low = 3, info = 4 }

local function txt_records(res, prefix_pattern)
  local out = {}
  for _, t in ipairs(res and res.records or {}) do
    if t:match(prefix_pattern) then out[#out + 1] = t end
  end
  return out
end

-- One TXT record of a kind at name: cb(record_or_nil, err_table_or_nil, all_matching, secure)
local function one_txt(r, name, pattern, cb)
  cache.lookup(r, "txt", name, function(res, msg, code)
    if not res then return cb(nil, { message = msg, code = code }) end
    local recs = txt_records(res, pattern)
    cb(recs[1], nil, recs, res.secure == true)
  end)
end

local function run(r, domain, opts, done)
  local p = { domain = domain, findings = {}, dnssec = {} }
  local pending = 0
  local function find(code, severity, message)
    p.findings[#p.findings + 1] = { code = code, severity = severity, message = message }
  end
  local finish
  local function start() pending = pending + 1 end
  local function stop()
    pending = pending - 1
    if pending == 0 then finish() end
  end

  -- MX, then TLSA per host (DANE, RFC 7672)
  start()
  cache.lookup(r, "mx", domain, function(res, msg, code)
    if not res then
      p.mx = { error = { message = msg, code = code } }
      find("mx_unchecked", "info", "MX lookup failed: " .. tostring(msg))
      return stop()
    end
    p.mx = { status = res.status, hosts = {} }
    p.dnssec.mx = res.secure == true
    for _, rec in ipairs(res.records or {}) do p.mx.hosts[#p.mx.hosts + 1] = rec.exchange end
    if res.status == "null_mx" then find("null_mx", "info", domain .. " accepts no mail (null MX, RFC 7505)") end
    if res.status == "nxdomain" then find("nxdomain", "high", domain .. " does not exist") end
    p.tlsa = {}
    if type(r.query) == "function" then
      for i, host in ipairs(p.mx.hosts) do
        if i > (opts.max_hosts or 10) then break end
        start()
        local qname = "_25._tcp." .. host
        r:query(qname, "tlsa", function(tres, tmsg, tcode)
          if tres then
            p.tlsa[host] = { status = tres.status, records = tres.records or {}, secure = tres.secure == true }
          else
            p.tlsa[host] = { error = { message = tmsg, code = tcode } }
          end
          stop()
        end)
      end
    end
    stop()
  end)

  -- SPF: the include tree
  start()
  spf.tree(r, domain, function(tree)
    local s = { records = tree.records or {}, record = tree.record, lookups = tree.lookups,
      void_lookups = tree.void_lookups, all = tree.all, senders = tree.senders, problems = tree.problems,
      includes = tree.children, valid = false }
    p.spf = s
    if tree.tempfail then
      s.error = tree.tempfail
      find("spf_unchecked", "info", "SPF lookup failed: " .. tostring(tree.tempfail.message))
      return stop()
    end
    if #s.records == 0 then
      find("spf_missing", "high", domain .. " publishes no SPF record")
    elseif #s.records > 1 then
      s.error = { message = tree.error, code = "permerror" }
      find("spf_multiple", "high", domain .. " publishes " .. #s.records .. " SPF records (RFC 7208 4.5: permerror)")
    elseif tree.error then
      s.error = { message = tree.error, code = "permerror" }
      find("spf_syntax", "high", "SPF record does not parse: " .. tree.error)
    else
      s.valid = true
    end
    for _, rec in ipairs(s.records) do
      if #rec > 450 then
        find("spf_too_long", "low", ("SPF record of %d octets (over 450, RFC 7208 3.4)"):format(#rec))
      end
    end
    if s.valid then
      if s.lookups > 10 then
        s.valid = false
        find("spf_too_many_lookups", "high", ("%d DNS-querying terms over the include tree (limit 10, RFC 7208 " ..
          "4.6.4): receivers return permerror"):format(s.lookups))
      end
      if s.void_lookups > 2 then
        find("spf_void_lookups", "medium", ("%d void lookups (limit 2, RFC 7208 4.6.4)"):format(s.void_lookups))
      end
      if s.all == "+all" then
        find("spf_pass_all", "high", "SPF ends in +all: anyone may send as " .. domain)
      elseif s.all == "?all" then
        find("spf_neutral_all", "medium", "SPF ends in ?all: no verdict on strangers")
      elseif not s.all then
        find("spf_no_all", "low", "SPF has no all term: strangers get neutral")
      end
    end
    for _, prob in ipairs(s.problems) do
      if prob:find("uses ptr", 1, true) then
        find("spf_ptr", "low", prob)
      elseif prob:find("no SPF record", 1, true) or prob:find("SPF records", 1, true) or prob:find(": ", 1, true) then
        find("spf_include_broken", "high", prob)
      end
    end
    stop()
  end)

  -- DMARC, with the organizational-domain walk (RFC 7489 6.6.3)
  start()
  local function authorize(d, policy_domain)
    -- 7.1: a report address outside the organizational domain must agree
    local org = M.organizational_domain(policy_domain)
    for _, field in ipairs { "rua", "ruf" } do
      for _, u in ipairs(d[field]) do
        if u.domain and u.domain ~= "" and M.organizational_domain(u.domain) ~= org then
          u.external = true
          start()
          one_txt(r, policy_domain .. "._report._dmarc." .. u.domain, "^v=DMARC1", function(rec, err)
            if err then
              u.authorized = nil
              u.error = err
            else
              u.authorized = rec ~= nil
              if not rec then
                find("dmarc_report_unauthorized", "medium", ("%s=%s: %s has not authorized reports for %s " ..
                  "(RFC 7489 7.1)"):format(field, u.address, u.domain, policy_domain))
              end
            end
            stop()
          end)
        end
      end
    end
  end
  local function use_dmarc(recs, at, inherited)
    local dm = { records = recs, domain = at, inherited = inherited,
      organizational_domain = M.organizational_domain(domain) }
    p.dmarc = dm
    if #recs > 1 then
      dm.error = { message = #recs .. " DMARC records", code = "multiple" }
      find("dmarc_multiple", "high", "_dmarc." .. at .. " has " .. #recs .. " DMARC records (RFC 7489 6.6.3: none applies)")
      return
    end
    dm.record = recs[1]
    local d, err = M.parse_dmarc(recs[1])
    if not d then
      dm.error = { message = err, code = "syntax" }
      find("dmarc_syntax", "high", "DMARC record does not parse: " .. err)
      return
    end
    for k, v in pairs(d) do dm[k] = v end
    dm.policy = inherited and d.sp or d.p -- what applies to this domain
    if dm.policy == "none" then
      find("dmarc_p_none", "medium", "DMARC policy is none: failing mail is delivered anyway")
    end
    if d.pct < 100 then find("dmarc_pct", "low", ("DMARC applies to %d%% of failing mail"):format(d.pct)) end
    if #d.rua == 0 then find("dmarc_no_rua", "low", "DMARC asks for no aggregate reports (rua)") end
    if inherited then find("dmarc_inherited", "info", "DMARC policy comes from the organizational domain " .. at) end
    for _, prob in ipairs(d.problems) do find("dmarc_note", "low", prob) end
    authorize(dm, at)
  end
  one_txt(r, "_dmarc." .. domain, "^v=DMARC1", function(rec, err, recs, secure)
    p.dnssec.dmarc = secure
    if err then
      p.dmarc = { error = err }
      find("dmarc_unchecked", "info", "DMARC lookup failed: " .. tostring(err.message))
      return stop()
    end
    if rec then
      use_dmarc(recs, domain, false)
      return stop()
    end
    local org = M.organizational_domain(domain)
    if org == domain then
      p.dmarc = { records = {}, organizational_domain = org }
      find("dmarc_missing", "high", domain .. " publishes no DMARC record")
      return stop()
    end
    one_txt(r, "_dmarc." .. org, "^v=DMARC1", function(orec, oerr, orecs)
      if oerr then
        p.dmarc = { error = oerr }
        find("dmarc_unchecked", "info", "DMARC lookup failed: " .. tostring(oerr.message))
      elseif orec then
        use_dmarc(orecs, org, true)
      else
        p.dmarc = { records = {}, organizational_domain = org }
        find("dmarc_missing", "high", "neither " .. domain .. " nor " .. org .. " publishes a DMARC record")
      end
      stop()
    end)
  end)

  -- MTA-STS, TLS-RPT, BIMI: one TXT record each
  local function simple(key, name, pattern, parser, missing_sev, label)
    start()
    one_txt(r, name, pattern, function(rec, err, recs)
      if err then
        p[key] = { error = err }
        find(key .. "_unchecked", "info", label .. " lookup failed: " .. tostring(err.message))
        return stop()
      end
      if not rec then
        p[key] = { records = {} }
        find(key .. "_missing", missing_sev, label .. ": no record at " .. name)
        return stop()
      end
      if #recs > 1 then
        p[key] = { records = recs, error = { message = #recs .. " records", code = "multiple" } }
        find(key .. "_multiple", "medium", label .. ": " .. #recs .. " records at " .. name)
        return stop()
      end
      local parsed, perr = parser(rec)
      if not parsed then
        p[key] = { records = recs, record = rec, error = { message = perr, code = "syntax" } }
        find(key .. "_syntax", "medium", label .. " record does not parse: " .. perr)
      else
        parsed.records, parsed.record = recs, rec
        p[key] = parsed
      end
      stop()
    end)
  end
  simple("mta_sts", "_mta-sts." .. domain, "^v=STSv1", M.parse_mta_sts, "low", "MTA-STS")
  simple("tls_rpt", "_smtp._tls." .. domain, "^v=TLSRPTv1", M.parse_tlsrpt, "low", "TLS-RPT")
  simple("bimi", "default._bimi." .. domain, "^v=BIMI1", M.parse_bimi, "info", "BIMI")

  finish = function()
    -- DNSSEC and DANE (RFC 7672: TLSA counts only behind DNSSEC)
    p.dnssec.secure = p.dnssec.mx == true
    if p.mx and p.mx.hosts and #p.mx.hosts > 0 and not p.dnssec.secure then
      find("dnssec_unsigned", "low", "the MX answer was not authenticated (no DNSSEC, or no validating resolver)")
    end
    local any_tlsa = false
    for host, t in pairs(p.tlsa or {}) do
      if t.records and #t.records > 0 then
        any_tlsa = true
        if not t.secure then
          find("dane_insecure", "medium", "TLSA records for " .. host .. " without DNSSEC are ignored (RFC 7672)")
        end
      end
    end
    p.dane = any_tlsa and p.dnssec.secure or false
    table.sort(p.findings, function(a, b)
      local x, y = SEVERITY_ORDER[a.severity], SEVERITY_ORDER[b.severity]
      if x ~= y then return x < y end
      return a.code < b.code
    end)
    done(p)
  end
end

local OPTIONS = { max_hosts = true }

-- r:posture(domain [, opts] [, callback])
function M.posture(r, domain, opts, callback)
  if type(domain) ~= "string" then
    error("bad argument #1 to 'posture' (domain (string) expected, got " .. type(domain) .. ")", 2)
  end
  if type(opts) == "function" and callback == nil then opts, callback = nil, opts end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'posture' (options table expected, got " .. type(opts) .. ")", 2)
  end
  for k, v in pairs(opts or {}) do
    if not OPTIONS[k] then error("bad argument #2 to 'posture' (unknown option '" .. tostring(k) .. "')", 2) end
    if k == "max_hosts" and (type(v) ~= "number" or v < 0 or v % 1 ~= 0) then
      error("bad argument #2 to 'posture' (max_hosts must be a whole number >= 0)", 2)
    end
  end
  if callback ~= nil and type(callback) ~= "function" then
    error("bad argument #3 to 'posture' (function expected, got " .. type(callback) .. ")", 2)
  end
  local name, err = core.normalize_name(domain)
  r:pending() -- raises if the resolver is closed
  if not name then
    if callback then
      r:_post(function() callback(nil, err, "badname") end)
      return true
    end
    return nil, err, "badname"
  end
  opts = opts or {}
  if callback then
    run(r, name, opts, function(...)
      local n, res = select("#", ...), { ... }
      callback(unpack(res, 1, n))
    end)
    return true
  end
  local done, res = false, nil
  run(r, name, opts, function(a) done, res = true, a end)
  while not done do r:_step() end
  return res
end

return M
