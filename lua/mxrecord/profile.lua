-- mxrecord.profile: r:profile(domain [, callback]), a domain's MX and SPF
-- looked up concurrently and classified.
local core = require "mxrecord.core"
local classify = require("mxrecord.classify").classify

local M = {}

-- Outcomes that say nothing about the domain: the profile is still returned,
-- with the failed part recorded. Anything else (a bad name, a closed
-- resolver, no memory) ends the profile with nil, message, code.
local PARTIAL = {
  timeout = true, servfail = true, refused = true, connrefused = true, formerr = true,
  notimp = true, badresp = true, noserver = true,
}

-- The first SPF record ("v=spf1" then a space or the end, any case) of a
-- r:txt() result, or nil.
function M.first_spf(txt)
  for _, s in ipairs(txt and txt.records or {}) do
    if core.is_spf(s) then return s end
  end
  return nil
end
local first_spf = M.first_spf

-- Builds the profile from the two lookups' outcomes (res, message, code).
local function build(domain, mx, mx_msg, mx_code, txt, txt_msg, txt_code)
  if not mx and not PARTIAL[mx_code] then return nil, mx_msg, mx_code end
  if not txt and not PARTIAL[txt_code] then return nil, txt_msg, txt_code end
  local p = { domain = mx and mx.domain or txt and txt.domain or domain, mx = mx, spf = first_spf(txt) }
  if mx then
    p.provider = classify(mx, p.spf)
  else
    p.mx_error = { message = mx_msg, code = mx_code }
    -- Without MX hosts nothing is known about who receives the mail; the
    -- SPF record still tells who sends it.
    local prov = classify({}, p.spf)
    prov.id, prov.name, prov.category = "unknown", "Unknown", "unknown"
    p.provider = prov
  end
  if not txt then p.spf_error = { message = txt_msg, code = txt_code } end
  return p
end

function M.profile(r, domain, callback)
  if type(domain) ~= "string" then
    error("bad argument #1 to 'profile' (domain name (string) expected, got " .. type(domain) .. ")", 2)
  end
  if callback == nil then
    local tmx = r:_start("mx", domain)
    local ttxt = r:_start("txt", domain)
    local mx, mx_msg, mx_code = r:_wait(tmx)
    local txt, txt_msg, txt_code = r:_wait(ttxt)
    return build(domain, mx, mx_msg, mx_code, txt, txt_msg, txt_code)
  end
  if type(callback) ~= "function" then
    error("bad argument #2 to 'profile' (function expected, got " .. type(callback) .. ")", 2)
  end
  local left = 2
  local mx, mx_msg, mx_code, txt, txt_msg, txt_code
  local function finish()
    left = left - 1
    if left == 0 then return callback(build(domain, mx, mx_msg, mx_code, txt, txt_msg, txt_code)) end
  end
  r:mx(domain, function(res, msg, code)
    mx, mx_msg, mx_code = res, msg, code
    return finish()
  end)
  r:txt(domain, function(res, msg, code)
    txt, txt_msg, txt_code = res, msg, code
    return finish()
  end)
  return true
end

return M
