-- mxrecord.profile: r:profile(domain [, opts] [, callback]), who runs a
-- domain's mail and what else it has verified. It asks what it needs: MX
-- and TXT of the domain and its DMARC record together; then, only when they
-- leave the answer short of high confidence (a gateway or relay with the
-- mailbox inferred, self-hosting, unknown), the autodiscover alias and the
-- big providers' DKIM selectors together (opts.lookups: "auto", the default;
-- "full" asks all six at once; "basic" never the second three). Lookups go
-- through mxrecord.cache (asked once per resolver, kept for their TTL); the
-- blocking form drives the resolver with r:_step().
local core = require "mxrecord.core"
local cache = require "mxrecord.cache"
local classify = require("mxrecord.classify").classify
local stack = require "mxrecord.stack"

local M = {}

local unpack = table.unpack or unpack

-- Outcomes that say nothing about the domain: the profile is still returned,
-- with the failed part recorded (and never read as absence). Anything else
-- (a bad name, a closed resolver, no memory) ends the profile with nil,
-- message, code.
local PARTIAL = {
  timeout = true, servfail = true, refused = true, connrefused = true, formerr = true,
  notimp = true, badresp = true,
}

-- The domain's SPF record from a r:txt() result, selected as RFC 7208 4.5
-- says: the one record starting "v=spf1" (then a space or the end, any
-- case), if it is alone and parses. Otherwise nil and the problem:
-- "spf_multiple" (several records: permerror, not "the first") or
-- "spf_invalid" (a syntax error, such as a line feed inside: it names no
-- sender). The same selection serves profile, verify and classify's senders.
function M.first_spf(txt)
  local found
  for _, s in ipairs(txt and txt.records or {}) do
    if core.is_spf(s) then
      if found then return nil, "spf_multiple" end
      found = s
    end
  end
  if found and not core.spf_valid(found) then return nil, "spf_invalid" end
  return found
end
local first_spf = M.first_spf

-- The first DMARC record of a r:txt() result, or nil.
local function first_dmarc(txt)
  for _, s in ipairs(txt and txt.records or {}) do
    if s:sub(1, 8):lower() == "v=dmarc1" then return s end
  end
  return nil
end

-- What a profile asks: { key, qtype, name prefix }. The first two decide
-- whether there is a profile at all; the others add evidence.
local BASIC = {
  { "mx", "mx", "" },
  { "txt", "txt", "" },
  { "dmarc", "txt", "_dmarc." },
}
local EXTRA = {
  { "autodiscover", "a", "autodiscover." },
  { "dkim_selector1", "txt", "selector1._domainkey." },
  { "dkim_google", "txt", "google._domainkey." },
}
local FULL = {}
for _, q in ipairs(BASIC) do FULL[#FULL + 1] = q end
for _, q in ipairs(EXTRA) do FULL[#FULL + 1] = q end

-- Whether a profile built from the first round needs the second: the MX
-- answered and left the provider short of high confidence.
local function needs_more(p)
  return p ~= nil and p.mx ~= nil and p.provider.category ~= "none" and p.provider.confidence ~= "high"
end

-- Builds the profile from the outcomes: got[key] = { res, message, code, name }.
local function build(domain, got, plan)
  local mx, txt = got.mx, got.txt
  if not mx[1] and not PARTIAL[mx[3]] then return nil, mx[2], mx[3] end
  if not txt[1] and not PARTIAL[txt[3]] then return nil, txt[2], txt[3] end
  local p = {
    domain = mx[1] and mx[1].domain or txt[1] and txt[1].domain or domain,
    mx = mx[1], failed = {},
  }
  p.spf, p.spf_problem = first_spf(txt[1])
  for _, q in ipairs(plan) do
    local g = got[q[1]]
    if not g[1] and g[3] then
      p.failed[#p.failed + 1] = { lookup = q[1], name = g[4], code = g[3], message = g[2] }
    end
  end
  p.dmarc = first_dmarc(got.dmarc[1])
  -- evidence beyond MX and SPF for the classifier; the domain's own CNAME
  -- target (the MX answer's cname) is matched like an MX host
  local opts = { txt = txt[1] or nil, cname = mx[1] and mx[1].cname or nil }
  if got.autodiscover then
    opts.autodiscover = got.autodiscover[1] and got.autodiscover[1].cname or nil
    opts.dkim = { selector1 = got.dkim_selector1[1], google = got.dkim_google[1] }
  end
  if mx[1] then
    p.provider = classify(mx[1], p.spf, opts)
  else
    p.mx_error = { message = mx[2], code = mx[3] }
    -- Without MX hosts nothing is known about who receives the mail; the
    -- SPF record still tells who sends it.
    local prov = classify({}, p.spf)
    prov.id, prov.name, prov.category, prov.confidence = "unknown", "Unknown", "unknown", "low"
    p.provider = prov
  end
  if not txt[1] then p.spf_error = { message = txt[2], code = txt[3] } end
  p.stack = stack.detect(txt[1], p.dmarc, p.provider.senders)
  return p
end

-- For lookup_many's engine (bulk.lua), which asks the same lookups itself.
M._build, M._needs_more, M._BASIC, M._EXTRA, M._FULL = build, needs_more, BASIC, EXTRA, FULL

-- Asks the lookups of `plan` together, filling got; done() after the last.
local function ask(r, name, plan, got, done)
  local left = #plan
  for _, q in ipairs(plan) do
    local qname = q[3] .. name
    local key = q[1]
    cache.lookup(r, q[2], qname, function(res, msg, code)
      got[key] = { res, msg, code, qname }
      left = left - 1
      if left == 0 then return done() end
    end)
  end
end

-- Runs the profile's rounds; finish(profile) or finish(nil, msg, code)
-- exactly once, always from a resolver callback.
local function run(r, domain, mode, finish)
  local name = core.normalize_name(domain)
  if not name then -- the resolver says why, from a callback as for any lookup
    return r:mx(domain, function(_, msg, code) return finish(nil, msg, code) end)
  end
  local got = {}
  local first = mode == "full" and FULL or BASIC
  ask(r, name, first, got, function()
    local p, msg, code = build(domain, got, first)
    if mode ~= "auto" or not needs_more(p) then return finish(p, msg, code) end
    -- the second round: what the first left open
    local ok = pcall(ask, r, name, EXTRA, got, function() return finish(build(domain, got, FULL)) end)
    if not ok then return finish(p) end -- the resolver is closing: the first round's profile stands
  end)
end

local MODES = { auto = true, full = true, basic = true }

local function check_opts(opts)
  if opts == nil then return "auto" end
  local plan = "auto"
  for k, v in pairs(opts) do
    if k == "lookups" then
      if not MODES[v] then
        error("bad argument #2 to 'profile' (opts.lookups must be \"auto\", \"full\" or \"basic\")", 3)
      end
      plan = v
    else
      error("bad argument #2 to 'profile' (unknown option '" .. tostring(k) .. "')", 3)
    end
  end
  return plan
end

-- r:profile(domain [, opts] [, callback])
function M.profile(r, domain, opts, callback)
  if type(domain) ~= "string" then
    error("bad argument #1 to 'profile' (domain name (string) expected, got " .. type(domain) .. ")", 2)
  end
  if type(opts) == "function" and callback == nil then opts, callback = nil, opts end
  if opts ~= nil and type(opts) ~= "table" then
    if callback == nil then
      error("bad argument #2 to 'profile' (function expected, got " .. type(opts) .. ")", 2)
    end
    error("bad argument #2 to 'profile' (options table expected, got " .. type(opts) .. ")", 2)
  end
  if callback ~= nil and type(callback) ~= "function" then
    error("bad argument #3 to 'profile' (function expected, got " .. type(callback) .. ")", 2)
  end
  local plan = check_opts(opts)
  r:pending() -- raises if the resolver is closed
  if callback then
    run(r, domain, plan, function(...)
      local n, args = select("#", ...), { ... }
      -- always from poll()/run(), in a callback slot of its own
      local ok = pcall(r._post, r, function() callback(unpack(args, 1, n)) end)
      if not ok then callback(unpack(args, 1, n)) end -- the resolver is closing
    end)
    return true
  end
  local done, res, msg, code = false, nil, nil, nil
  run(r, domain, plan, function(a, b, c)
    done, res, msg, code = true, a, b, c
  end)
  while not done do r:_step() end
  return res, msg, code
end

return M
