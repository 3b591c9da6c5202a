-- mxrecord.verify: r:verify(address_or_domain [, opts] [, callback]), a
-- verdict on whether an address can receive mail, from DNS alone.
--
-- The work is asynchronous throughout (lookups through mxrecord.cache, so
-- questions are asked once per resolver); the blocking form drives the
-- resolver with r:_step() until its own verdict is in.
local core = require "mxrecord.core"
local cache = require "mxrecord.cache"
local classify = require("mxrecord.classify").classify
local flags = require("mxrecord.flags").flags

local M = {}

local unpack = table.unpack or unpack

local TEMPORARY = {
  timeout = true, servfail = true, refused = true, connrefused = true, formerr = true,
  notimp = true, badresp = true,
}

local DEFAULT_OPTS = { max_hosts = 16 }

local MESSAGES = {
  bad_syntax = "the address is not valid",
  nxdomain = "the domain does not exist",
  null_mx = "the domain says it accepts no mail (null MX, RFC 7505)",
  no_mail_host = "the domain has no MX records and no address records",
  implicit_mx = "no MX records: mail goes to the domain's own address (RFC 5321 5.1)",
  mx_unresolvable = "no MX host has an address",
  mx_partially_unresolvable = "some MX hosts have no address",
  mx_bogus_target = "an MX host is localhost, an IP address, or has only loopback, private or link-local addresses",
  mx_is_cname = "an MX host name is an alias (CNAME), which RFC 2181 10.3 forbids",
  single_mx = "only one MX host: no redundancy",
  spf_reject_all = "no MX records and an SPF record that allows no sender (v=spf1 -all): a parked domain",
  temporary = "a DNS lookup failed temporarily: try again later",
  address_literal = "an address literal: nothing to look up in DNS, and most mail servers refuse such addresses",
}

local function reason(code, extra)
  local r = { code = code, message = MESSAGES[code] }
  for k, v in pairs(extra or {}) do r[k] = v end
  return r
end

-- ---- addresses that cannot be a mail server's --------------------------------

-- inet_pton(AF_INET) semantics: four decimal octets, no leading zeros.
-- Returns the four numbers, or nil.
local function parse_ipv4(s)
  local p = { s:match("^(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)%.(%d%d?%d?)$") }
  if not p[4] then return nil end
  for i = 1, 4 do
    if #p[i] > 1 and p[i]:sub(1, 1) == "0" then return nil end
    p[i] = tonumber(p[i])
    if p[i] > 255 then return nil end
  end
  return p
end

-- The 16-bit groups of part (hex groups separated by ':'; the last may be a
-- dotted IPv4 address when v4_last), appended to out; false when malformed.
local function ipv6_groups(part, v4_last, out)
  if part == "" then return true end
  local items = {}
  for g in (part .. ":"):gmatch("([^:]*):") do items[#items + 1] = g end
  for k, g in ipairs(items) do
    if k == #items and v4_last and g:find(".", 1, true) then
      local o = parse_ipv4(g)
      if not o then return false end
      out[#out + 1] = o[1] * 256 + o[2]
      out[#out + 1] = o[3] * 256 + o[4]
    elseif g:match("^%x%x?%x?%x?$") then
      out[#out + 1] = tonumber(g, 16)
    else
      return false
    end
  end
  return true
end

-- inet_pton(AF_INET6) semantics: returns the eight 16-bit groups, or nil.
-- "::" stands for one or more zero groups and appears at most once; a
-- dotted IPv4 address may end the address.
function M.parse_ipv6(s)
  local head, tail = s, nil
  local at = s:find("::", 1, true)
  if at then
    head, tail = s:sub(1, at - 1), s:sub(at + 2)
    if tail:find("::", 1, true) then return nil end
  end
  local h, t = {}, {}
  if not ipv6_groups(head, tail == nil, h) then return nil end
  if tail and not ipv6_groups(tail, true, t) then return nil end
  if tail == nil then return #h == 8 and h or nil end
  if #h + #t > 7 then return nil end
  for _ = 1, 8 - #h - #t do h[#h + 1] = 0 end
  for _, g in ipairs(t) do h[#h + 1] = g end
  return h
end

local function ipv4_bogus(o1, o2)
  return o1 == 0 or o1 == 127 or o1 == 10 or (o1 == 172 and o2 >= 16 and o2 <= 31) or (o1 == 192 and o2 == 168)
    or (o1 == 169 and o2 == 254) or (o1 == 100 and o2 >= 64 and o2 <= 127)
end

-- True for an address no public mail server has: loopback, unspecified,
-- private (RFC 1918, RFC 6598, fc00::/7), link-local, or an IPv6 address
-- whose first 96 bits are zero (::, ::1, IPv4-compatible). Addresses are
-- compared parsed, so every spelling of one address gives one answer
-- (::1, 0::1, 0:0:0:0:0:0:0:1). An unparsable string is not bogus.
local function bogus(a)
  if a:find(":", 1, true) then
    local g = M.parse_ipv6(a)
    if not g then return false end
    if g[1] == 0 and g[2] == 0 and g[3] == 0 and g[4] == 0 and g[5] == 0 then
      if g[6] == 0 then return true end
      if g[6] == 0xffff then return ipv4_bogus(math.floor(g[7] / 256), g[7] % 256) end
    end
    return (g[1] >= 0xfc00 and g[1] <= 0xfdff) or (g[1] >= 0xfe80 and g[1] <= 0xfebf)
  end
  local o = parse_ipv4(a)
  return o ~= nil and ipv4_bogus(o[1], o[2])
end

-- Memoised: verifications look at the same few addresses again and again.
-- At most MEMO_MAX strings are kept (the table starts over when full).
local MEMO_MAX, memo, memo_n = 1024, {}, 0
function M.bogus_address(a)
  local b = memo[a]
  if b == nil then
    b = bogus(a)
    if memo_n >= MEMO_MAX then memo, memo_n = {}, 0 end
    memo[a], memo_n = b, memo_n + 1
  end
  return b
end

local function is_ip_name(h)
  return h:match("^%d+%.%d+%.%d+%.%d+$") ~= nil
end

-- ---- the steps -------------------------------------------------------------------

-- Outcomes of a lookup that say nothing about the name: the verification
-- was interrupted (resolver closed or collected, lookup_many's loop left, no
-- memory). The verify ends with nil, message, code: never a verdict.
local INTERRUPTED = { cancelled = true, closed = true, nomem = true }

-- ctx (per verification): ctx.stopped() is true once the caller gave up
-- (lookup_many's handle closed); every step asks it before asking DNS.
local function lookup(r, ctx, qtype, name, cb)
  if ctx.stopped and ctx.stopped() then
    return cb(nil, "cancelled: the verification was stopped", "cancelled")
  end
  return cache.lookup(r, qtype, name, cb)
end

-- Looks up A and AAAA of host; done(info) with info = { host =, addresses =,
-- state = "ok" | "bogus" | "unresolvable" | "temporary" | "interrupted",
-- cname =, error = }. "bogus" needs every lookup answered: a private A
-- beside an AAAA lookup that failed temporarily is "temporary".
local function resolve_host(r, ctx, host, done)
  local info = { host = host, addresses = {} }
  if host == "localhost" or host:match("%.localhost$") or is_ip_name(host) then
    info.state = "bogus"
    return done(info)
  end
  local left, temp, stop, err = 2, nil, nil, nil
  local function got(res, msg, code)
    if res then
      for _, rec in ipairs(res.records) do info.addresses[#info.addresses + 1] = rec.address end
      if res.cname then info.cname = res.cname end
    elseif INTERRUPTED[code] then
      stop = stop or { message = msg, code = code }
    elseif TEMPORARY[code] then
      temp = temp or { message = msg, code = code }
    elseif code then
      err = err or { message = msg, code = code }
    end
    left = left - 1
    if left > 0 then return end
    local public = false
    for _, a in ipairs(info.addresses) do
      if not M.bogus_address(a) then public = true end
    end
    if stop then
      info.state, info.error = "interrupted", stop
    elseif public then
      info.state = "ok"
    elseif temp then
      info.state, info.error = "temporary", temp
    elseif #info.addresses > 0 then
      info.state = "bogus"
    else
      info.state, info.error = "unresolvable", err
    end
    done(info)
  end
  lookup(r, ctx, "a", host, got)
  lookup(r, ctx, "aaaa", host, got)
end

local function is_reject_all(spf)
  if not spf then return false end
  local terms = {}
  for t in spf:lower():gmatch("%S+") do terms[#terms + 1] = t end
  return #terms == 2 and terms[1] == "v=spf1" and terms[2] == "-all"
end

local first_spf = require("mxrecord.profile").first_spf

local function mail_host_list(infos)
  local out = {}
  for i, info in ipairs(infos) do out[i] = { host = info.host, addresses = info.addresses } end
  return out
end

local function add(v, code, extra)
  v.reasons[#v.reasons + 1] = reason(code, extra)
end

-- No MX records (NODATA): the domain's own A/AAAA records stand in
-- (RFC 5321 5.1), unless its SPF record says it sends nothing at all. Every
-- verdict here needs the lookups it rests on: with the TXT lookup failed
-- temporarily no address makes the domain deliverable (its SPF might have
-- been "-all"), and with the A/AAAA lookups failed temporarily neither
-- "-all" nor private addresses make it undeliverable.
local function implicit(r, ctx, v, finish)
  local left, spf, txt_err, txt_stop = 2, nil, nil, nil
  local info
  local function decide()
    left = left - 1
    if left > 0 then return end
    v.spf = spf
    if txt_stop or info.state == "interrupted" then
      local e = txt_stop or info.error
      return finish(nil, e.message, e.code)
    end
    if info.state == "temporary" or (txt_err and info.state == "ok") then
      v.verdict = "unknown"
      add(v, "temporary", { error = info.state == "temporary" and info.error or txt_err })
    elseif is_reject_all(spf) then
      v.verdict = "undeliverable"
      add(v, "spf_reject_all")
    elseif info.state == "ok" then
      v.verdict = "deliverable"
      add(v, "implicit_mx")
      v.mail_hosts = mail_host_list { info }
    elseif info.state == "bogus" then
      v.verdict = "undeliverable"
      add(v, "mx_bogus_target", { host = info.host })
      v.mail_hosts = mail_host_list { info }
    else
      v.verdict = "undeliverable"
      add(v, "no_mail_host")
    end
    finish(v)
  end
  lookup(r, ctx, "txt", v.ascii_domain, function(res, msg, code)
    spf = first_spf(res)
    if INTERRUPTED[code] then
      txt_stop = { message = msg, code = code }
    elseif TEMPORARY[code] then
      txt_err = { message = msg, code = code }
    end
    decide()
  end)
  resolve_host(r, ctx, v.ascii_domain, function(i)
    info = i
    decide()
  end)
end

local function with_mx(r, ctx, v, opts, finish)
  local hosts, seen, distinct = {}, {}, 0
  for _, rec in ipairs(v.mx.records) do
    local x = rec.exchange
    if x ~= "" and x ~= "." and not seen[x] then
      seen[x], distinct = true, distinct + 1
      if #hosts < opts.max_hosts then hosts[#hosts + 1] = x end
    end
  end
  if #hosts == 0 then -- only root exchanges ("MX 0 ."): no host accepts mail
    v.verdict = "undeliverable"
    add(v, "null_mx")
    return finish(v)
  end
  local infos, left = {}, #hosts
  local function decide()
    local usable, unresolvable, bogus, temporary = 0, {}, {}, nil
    for _, inf in ipairs(infos) do
      if inf.state == "interrupted" then return finish(nil, inf.error.message, inf.error.code) end
      if inf.state == "ok" then
        usable = usable + 1
      elseif inf.state == "bogus" then
        bogus[#bogus + 1] = inf.host
      elseif inf.state == "temporary" then
        temporary = temporary or inf
      else
        unresolvable[#unresolvable + 1] = inf.host
      end
    end
    if usable > 0 then
      v.verdict = "deliverable"
      if #unresolvable > 0 then add(v, "mx_partially_unresolvable", { hosts = unresolvable }) end
      if #bogus > 0 then add(v, "mx_bogus_target", { hosts = bogus }) end
    elseif temporary then
      v.verdict = "unknown" -- a temporary failure never says undeliverable
      add(v, "temporary", { host = temporary.host, error = temporary.error })
    elseif #bogus > 0 then
      v.verdict = "undeliverable"
      add(v, "mx_bogus_target", { hosts = bogus })
    else
      v.verdict = "undeliverable"
      add(v, "mx_unresolvable", { hosts = unresolvable })
    end
    for _, inf in ipairs(infos) do
      if inf.cname then add(v, "mx_is_cname", { host = inf.host, cname = inf.cname }) end
    end
    if distinct == 1 and v.verdict == "deliverable" then add(v, "single_mx") end
    v.mail_hosts = mail_host_list(infos)
    finish(v)
  end
  for i, host in ipairs(hosts) do
    resolve_host(r, ctx, host, function(info)
      infos[i] = info
      left = left - 1
      if left == 0 then decide() end
    end)
  end
end

-- A bare domain: checked as the domain of an address is (hostname rules,
-- IDN to A-labels), without an address's 254-octet limit, so that a valid
-- domain of up to 253 octets verifies. Returns the parsed table, or nil and
-- the parser's message.
local function parse_domain(input)
  local parsed, msg = core.parse_address("postmaster@" .. input)
  if parsed then
    parsed.local_part = nil
    return parsed
  end
  if not msg:find("longer than 254 octets", 1, true) then return nil, msg end
  -- too long only with the "postmaster@" before it: check the domain alone
  if input:sub(-1) == "." then return nil, "bad_syntax: the domain ends with a dot" end
  local ascii, why = core.normalize_name(input)
  if not ascii then return nil, "bad_syntax: the domain is not valid (" .. why:gsub("^badname: ", "") .. ")" end
  for label in ascii:gmatch("[^.]+") do
    if label:find("[^%w-]") then
      return nil, "bad_syntax: the domain has a character other than letters, digits, hyphens and dots"
    elseif label:sub(1, 1) == "-" or label:sub(-1) == "-" then
      return nil, "bad_syntax: a label of the domain starts or ends with a hyphen"
    end
  end
  return { domain = input, ascii_domain = ascii, idn = input:find("[\128-\255]") ~= nil or nil }
end

-- Verifies `input`; finish(v) or finish(nil, message, code) exactly once,
-- possibly during this call. v is the caller's own: no table in it is
-- shared with the cache or another verification.
local function run(r, input, opts, finish, ctx)
  local finished = false
  local function finish_once(...)
    if finished then return end
    finished = true
    return finish(...)
  end
  local v = { verdict = "unknown", reasons = {}, mail_hosts = {} }
  local parsed, msg
  if input:find("@", 1, true) then
    v.address = input
    parsed, msg = core.parse_address(input)
  elseif opts.domain then
    parsed, msg = parse_domain(input)
  else
    msg = "no @: not an address (pass opts.domain = true for a domain-level verdict)"
  end
  if not parsed then
    v.domain = input:match("@([^@]*)$") or input
    v.verdict = "undeliverable"
    v.reasons[1] = reason("bad_syntax", { message = msg:gsub("^bad_syntax: ", "") })
    return finish_once(v)
  end
  v.local_part, v.domain, v.ascii_domain, v.smtputf8 = parsed.local_part, parsed.domain, parsed.ascii_domain,
    parsed.smtputf8
  if parsed.literal then
    v.reasons[1] = reason("address_literal", { literal = parsed.literal })
    if parsed.literal_type ~= "general" then
      local a = parsed.literal:gsub("^[Ii][Pp][Vv]6:", "")
      v.mail_hosts = { { host = parsed.domain, addresses = { a } } }
      if M.bogus_address(a) then
        v.verdict = "undeliverable"
        v.reasons[2] = reason("mx_bogus_target", { host = parsed.domain })
      end
    end
    return finish_once(v)
  end
  lookup(r, ctx, "mx", v.ascii_domain, function(mx, emsg, code)
    if not mx then
      if not TEMPORARY[code] then return finish_once(nil, emsg, code) end
      v.reasons[1] = reason("temporary", { error = { message = emsg, code = code } })
      return finish_once(v)
    end
    mx = cache.copy(mx) -- the cache's table is shared: the caller gets its own
    v.mx = mx
    v.provider = classify(mx)
    if mx.status == "nxdomain" then
      v.verdict = "undeliverable"
      v.reasons[1] = reason("nxdomain")
      return finish_once(v)
    elseif mx.status == "null_mx" then
      v.verdict = "undeliverable"
      v.reasons[1] = reason("null_mx")
      return finish_once(v)
    elseif mx.status == "nodata" then
      return implicit(r, ctx, v, finish_once)
    end
    return with_mx(r, ctx, v, opts, finish_once)
  end)
end

-- The options of r:verify, checked in one place: returns the complete
-- options table (defaults filled in). Raises naming the bad option.
local function check_opts(opts)
  local o = {}
  for k, val in pairs(DEFAULT_OPTS) do o[k] = val end
  if opts == nil then return o end
  for k, val in pairs(opts) do
    if k == "max_hosts" then
      if type(val) ~= "number" or val < 1 or val % 1 ~= 0 then
        error("bad argument to 'verify' (opts.max_hosts must be a whole number >= 1)", 3)
      end
      o.max_hosts = val
    elseif k == "smtp" then -- checked by mxrecord.smtp (opt-in: nothing connects to port 25 without it)
      if val then o.smtp = require("mxrecord.smtp").check_opts(val, 3) end
    elseif k == "domain" then
      if type(val) ~= "boolean" then error("bad argument to 'verify' (opts.domain must be a boolean)", 3) end
      o.domain = val
    else
      error("bad argument to 'verify' (unknown option '" .. tostring(k) .. "')", 3)
    end
  end
  return o
end

-- The DNS verdict, then (opts.smtp) the mail server's: v.checked says how
-- far it went; the list flags (disposable, free, role) beside the verdict.
local function run_checked(r, input, opts, finish, ctx)
  -- the resolver's loop drives SMTP sessions from now on (before any run()
  -- that would otherwise end when the DNS part is done)
  if opts.smtp then require("mxrecord.smtp").attach(r) end
  run(r, input, opts, function(v, msg, code)
    if not v then return finish(v, msg, code) end
    v.checked = (v.reasons[1] and v.reasons[1].code == "bad_syntax") and "syntax" or "dns"
    local f = flags(v.address or v.ascii_domain or v.domain or "")
    if f then v.flags = { disposable = f.disposable, free = f.free, role = f.role } end
    if not opts.smtp then return finish(v) end
    require("mxrecord.smtp").after_dns(r, v, opts.smtp, finish)
  end, ctx)
end

-- For lookup_many: starts a verification (with verify options opts, or
-- none) whose callback runs from poll()/run() (or at once on a closed
-- resolver); stopped() true makes it end with "cancelled" before its next
-- lookup.
function M.start(r, input, callback, stopped, opts)
  local ctx = { stopped = stopped }
  run_checked(r, input, check_opts(opts), function(...)
    local n, args = select("#", ...), { ... }
    local ok = pcall(r._post, r, function() callback(unpack(args, 1, n)) end)
    if not ok then callback(unpack(args, 1, n)) end -- the resolver is closing
  end, ctx)
  return true
end

-- r:verify(address_or_domain [, opts] [, callback])
function M.verify(r, input, opts, callback)
  if type(input) ~= "string" then
    error("bad argument #1 to 'verify' (address or domain (string) expected, got " .. type(input) .. ")", 2)
  end
  if type(opts) == "function" and callback == nil then opts, callback = nil, opts end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'verify' (options table expected, got " .. type(opts) .. ")", 2)
  end
  if callback ~= nil and type(callback) ~= "function" then
    error("bad argument #3 to 'verify' (function expected, got " .. type(callback) .. ")", 2)
  end
  opts = check_opts(opts)
  r:pending() -- raises if the resolver is closed
  if callback then
    run_checked(r, input, opts, function(...)
      local n, args = select("#", ...), { ... }
      -- always from poll()/run(), in a callback slot of its own
      local ok = pcall(r._post, r, function() callback(unpack(args, 1, n)) end)
      if not ok then callback(unpack(args, 1, n)) end -- the resolver is closing
    end, {})
    return true
  end
  local done, res, msg, code = false, nil, nil, nil
  run_checked(r, input, opts, function(a, b, c)
    done, res, msg, code = true, a, b, c
  end, {})
  local host_driven = r:_state().ngx or r:_state().host -- their waits may outlast the queries
  while not done do
    -- closed from a finaliser or a callback meanwhile: close() ran what was
    -- owed, which ends this verification too; if not, it cannot go on
    if not pcall(r._step, r) and not done then return nil, "cancelled: the resolver is closed", "cancelled" end
    -- nothing left in flight and no verdict: a callback of its chain raised
    -- (the error is returned by the next poll()/run()); never wait forever
    if not done and not host_driven and r:pending() == 0 then
      return nil, "internal: the verification stopped: an error was raised in its chain (poll() or run() returns it)",
        "internal"
    end
  end
  return res, msg, code
end

return M
