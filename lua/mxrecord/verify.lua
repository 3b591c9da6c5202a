-- mxrecord.verify: r:verify(address_or_domain [, opts] [, callback]), a
-- verdict on whether an address can receive mail, from DNS alone.
--
-- The work is asynchronous throughout (lookups through mxrecord.cache, so
-- questions are asked once per resolver); the blocking form drives the
-- resolver with r:_step() until its own verdict is in.
local core = require "mxrecord.core"
local cache = require "mxrecord.cache"
local classify = require("mxrecord.classify").classify

local M = {}

local unpack = table.unpack or unpack

local TEMPORARY = {
  timeout = true, servfail = true, refused = true, connrefused = true, formerr = true,
  notimp = true, badresp = true, noserver = true,
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

local function ipv4_bogus(a)
  local o1, o2 = a:match("^(%d+)%.(%d+)%.%d+%.%d+$")
  o1, o2 = tonumber(o1), tonumber(o2)
  if not o1 then return false end
  return o1 == 0 or o1 == 127 or o1 == 10 or (o1 == 172 and o2 >= 16 and o2 <= 31) or (o1 == 192 and o2 == 168)
    or (o1 == 169 and o2 == 254) or (o1 == 100 and o2 >= 64 and o2 <= 127)
end

local function ipv6_bogus(a)
  a = a:lower()
  if a == "::" or a == "::1" then return true end
  local v4 = a:match("^::ffff:(%d+%.%d+%.%d+%.%d+)$")
  if v4 then return ipv4_bogus(v4) end
  local first = tonumber(a:match("^(%x+):") or "", 16)
  if not first then return false end
  return (first >= 0xfc00 and first <= 0xfdff) or (first >= 0xfe80 and first <= 0xfebf)
end

-- True for an address no public mail server has: loopback, unspecified,
-- private (RFC 1918, RFC 6598, fc00::/7) or link-local.
function M.bogus_address(a)
  if a:find(":", 1, true) then return ipv6_bogus(a) end
  return ipv4_bogus(a)
end

local function is_ip_name(h)
  return h:match("^%d+%.%d+%.%d+%.%d+$") ~= nil
end

-- ---- the steps -------------------------------------------------------------------

-- Looks up A and AAAA of host; done(info) with info = { host =, addresses =,
-- state = "ok" | "bogus" | "unresolvable" | "temporary", cname =, error = }.
local function resolve_host(r, host, done)
  local info = { host = host, addresses = {} }
  if host == "localhost" or host:match("%.localhost$") or is_ip_name(host) then
    info.state = "bogus"
    return r:_post(function() done(info) end)
  end
  local left, temp, err = 2, false, nil
  local function got(res, msg, code)
    if res then
      for _, rec in ipairs(res.records) do info.addresses[#info.addresses + 1] = rec.address end
      if res.cname then info.cname = res.cname end
    elseif TEMPORARY[code] then
      temp, err = true, { message = msg, code = code }
    elseif code then
      err = err or { message = msg, code = code }
    end
    left = left - 1
    if left > 0 then return end
    if #info.addresses > 0 then
      local public = false
      for _, a in ipairs(info.addresses) do
        if not M.bogus_address(a) then public = true end
      end
      info.state = public and "ok" or "bogus"
    else
      info.state = temp and "temporary" or "unresolvable"
    end
    info.error = err
    done(info)
  end
  cache.lookup(r, "a", host, got)
  cache.lookup(r, "aaaa", host, got)
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

-- No MX records (NODATA): the domain's own A/AAAA records stand in
-- (RFC 5321 5.1), unless its SPF record says it sends nothing at all.
local function implicit(r, v, finish)
  local left, spf = 2, nil
  local info
  local function decide()
    left = left - 1
    if left > 0 then return end
    if is_reject_all(spf) then
      v.verdict = "undeliverable"
      v.reasons[#v.reasons + 1] = reason("spf_reject_all")
    elseif info.state == "ok" then
      v.verdict = "deliverable"
      v.reasons[#v.reasons + 1] = reason("implicit_mx")
      v.mail_hosts = mail_host_list { info }
    elseif info.state == "bogus" then
      v.verdict = "undeliverable"
      v.reasons[#v.reasons + 1] = reason("mx_bogus_target", { host = info.host })
      v.mail_hosts = mail_host_list { info }
    elseif info.state == "temporary" then
      v.verdict = "unknown"
      v.reasons[#v.reasons + 1] = reason("temporary", { error = info.error })
    else
      v.verdict = "undeliverable"
      v.reasons[#v.reasons + 1] = reason("no_mail_host")
    end
    v.spf = spf
    finish(v)
  end
  cache.lookup(r, "txt", v.ascii_domain, function(res)
    spf = first_spf(res)
    decide()
  end)
  resolve_host(r, v.ascii_domain, function(i)
    info = i
    decide()
  end)
end

local function with_mx(r, v, opts, finish)
  local hosts, seen = {}, {}
  for _, rec in ipairs(v.mx.records) do
    if not seen[rec.exchange] and #hosts < opts.max_hosts then
      seen[rec.exchange] = true
      hosts[#hosts + 1] = rec.exchange
    end
  end
  local infos, left = {}, #hosts
  for i, host in ipairs(hosts) do
    resolve_host(r, host, function(info)
      infos[i] = info
      left = left - 1
      if left > 0 then return end
      local usable, unresolvable, bogus, temporary = 0, {}, {}, nil
      for _, inf in ipairs(infos) do
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
      local reasons = v.reasons
      if usable > 0 then
        v.verdict = "deliverable"
        if #unresolvable > 0 then
          reasons[#reasons + 1] = reason("mx_partially_unresolvable", { hosts = unresolvable })
        end
        if #bogus > 0 then reasons[#reasons + 1] = reason("mx_bogus_target", { hosts = bogus }) end
      elseif temporary then
        v.verdict = "unknown" -- a temporary failure never says undeliverable
        reasons[#reasons + 1] = reason("temporary", { host = temporary.host, error = temporary.error })
      elseif #bogus > 0 then
        v.verdict = "undeliverable"
        reasons[#reasons + 1] = reason("mx_bogus_target", { hosts = bogus })
      else
        v.verdict = "undeliverable"
        reasons[#reasons + 1] = reason("mx_unresolvable", { hosts = unresolvable })
      end
      for _, inf in ipairs(infos) do
        if inf.cname then
          reasons[#reasons + 1] = reason("mx_is_cname", { host = inf.host, cname = inf.cname })
        end
      end
      if #v.mx.records == 1 and v.verdict == "deliverable" then reasons[#reasons + 1] = reason("single_mx") end
      v.mail_hosts = mail_host_list(infos)
      finish(v)
    end)
  end
end

-- Verifies `input`; finish(v) or finish(nil, message, code) exactly once,
-- possibly during this call.
local function run(r, input, opts, finish)
  local v = { verdict = "unknown", reasons = {}, mail_hosts = {} }
  local parsed, msg
  if input:find("@", 1, true) then
    v.address = input
    parsed, msg = core.parse_address(input)
  elseif opts.domain then
    parsed, msg = core.parse_address("postmaster@" .. input)
    if parsed then parsed.local_part = nil end
  else
    msg = "no @: not an address (pass opts.domain = true for a domain-level verdict)"
  end
  if not parsed then
    v.domain = input:match("@([^@]*)$") or input
    v.verdict = "undeliverable"
    v.reasons[1] = reason("bad_syntax", { message = msg:gsub("^bad_syntax: ", "") })
    return finish(v)
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
    return finish(v)
  end
  cache.lookup(r, "mx", v.ascii_domain, function(mx, emsg, code)
    if not mx then
      if not TEMPORARY[code] then return finish(nil, emsg, code) end
      v.reasons[1] = reason("temporary", { error = { message = emsg, code = code } })
      return finish(v)
    end
    v.mx = mx
    v.provider = classify(mx)
    if mx.status == "nxdomain" then
      v.verdict = "undeliverable"
      v.reasons[1] = reason("nxdomain")
      return finish(v)
    elseif mx.status == "null_mx" then
      v.verdict = "undeliverable"
      v.reasons[1] = reason("null_mx")
      return finish(v)
    elseif mx.status == "nodata" then
      return implicit(r, v, finish)
    end
    return with_mx(r, v, opts, finish)
  end)
end

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

-- The DNS verdict, then (opts.smtp) the mail server's: v.checked says how far it went.
local function run_checked(r, input, opts, finish)
  run(r, input, opts, function(v, msg, code)
    if not v then return finish(v, msg, code) end
    v.checked = (v.reasons[1] and v.reasons[1].code == "bad_syntax") and "syntax" or "dns"
    if not opts.smtp then return finish(v) end
    require("mxrecord.smtp").after_dns(r, v, opts.smtp, finish)
  end)
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
    end)
    return true
  end
  local done, res, msg, code = false, nil, nil, nil
  run_checked(r, input, opts, function(a, b, c)
    done, res, msg, code = true, a, b, c
  end)
  while not done do r:_step() end
  return res, msg, code
end

return M
