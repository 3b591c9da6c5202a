-- The handlers of examples/openresty/run.sh. One resolver per worker: its
-- cache is shared by the requests the worker serves.
--
-- Replies are JSON (Content-Type: application/json; charset=utf-8) written
-- by mxrecord.json: lists stay arrays when empty (Debian's lua-cjson would
-- write "reasons":{}), and every string, including input echoed back, is
-- valid UTF-8. HTTP statuses:
--   200  an answer (Cache-Control: max-age = the answer's TTL, at most 300 s)
--   400  a bad domain or address in the request
--   504  a DNS timeout; 503 another temporary DNS failure (SERVFAIL, REFUSED,
--        ...): with Retry-After and Cache-Control: no-store, since the next
--        try may well work. A profile whose MX lookup failed, or a verdict
--        that is `unknown` for a temporary reason, is such a failure too.
local mxrecord = require "mxrecord"

local M = {}
local r

local RETRY_AFTER = 5 -- seconds

function M.init()
  r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = tonumber(os.getenv("MXRECORD_TIMEOUT")) or 2 }
end

local function reply(status, body, headers)
  ngx.status = status
  ngx.header["Content-Type"] = "application/json; charset=utf-8"
  for k, v in pairs(headers or {}) do ngx.header[k] = v end
  ngx.say(mxrecord.json(body))
end

-- A temporary DNS failure: 504 for a timeout, 503 otherwise; never cached.
local function unavailable(code, body)
  return reply(code == "timeout" and 504 or 503, body,
    { ["Retry-After"] = tostring(RETRY_AFTER), ["Cache-Control"] = "no-store" })
end

local function answer(body, ttl)
  return reply(200, body, { ["Cache-Control"] = ("max-age=%d"):format(math.min(math.max(ttl or 0, 0), 300)) })
end

local function failed(err, code, bad_input_code)
  if code == bad_input_code or code == "badname" then return reply(400, { error = err, code = code }) end
  return unavailable(code, { error = err, code = code })
end

-- A profile: 200 when the MX lookup answered (the SPF half may be missing:
-- spf_error says so), else a temporary failure.
local function profile_reply(p, err, code)
  if not p then return failed(err, code) end
  if p.mx_error then return unavailable(p.mx_error.code, p) end
  return answer(p, p.mx and p.mx.ttl)
end

local function arg(name)
  local v = ngx.var["arg_" .. name]
  if not v or v == "" then return nil end
  return ngx.unescape_uri(v)
end

function M.mx()
  local domain = arg("domain")
  if not domain then return reply(400, { error = "domain= is missing", code = "badname" }) end
  return profile_reply(r:profile(domain)) -- yields to nginx while DNS answers
end

-- GET /posture?domain=D: the domain's mail posture from DNS (SPF, DMARC,
-- MTA-STS, TLS-RPT, BIMI, DNSSEC, TLSA). A part whose lookup failed is
-- marked unchecked inside the result, never missing.
function M.posture()
  local domain = arg("domain")
  if not domain then return reply(400, { error = "domain= is missing", code = "badname" }) end
  local p, err, code = r:posture(domain)
  if not p then return failed(err, code) end
  return answer(p, 60)
end

function M.verify()
  local address = arg("address")
  if not address then return reply(400, { error = "address= is missing", code = "bad_syntax" }) end
  local opts
  if ngx.var.arg_smtp == "1" then -- ask the mail server too (the prober's name and port from the environment)
    opts = { smtp = { helo = os.getenv("MXRECORD_HELO"), port = tonumber(os.getenv("MXRECORD_SMTP_PORT")) or 25,
      allow_private = os.getenv("MXRECORD_SMTP_PRIVATE") == "1", connect_timeout = 5, command_timeout = 5 } }
    if not opts.smtp.helo then return reply(500, { error = "smtp=1 needs MXRECORD_HELO (the prober's host name)" }) end
  end
  local v, err, code = r:verify(address, opts)
  if not v then return failed(err, code, "bad_syntax") end
  if v.verdict == "unknown" then
    for _, reason in ipairs(v.reasons) do
      if reason.code == "temporary" then return unavailable(reason.error and reason.error.code, v) end
    end
  end
  return answer(v, v.mx and v.mx.ttl)
end

-- The same lookup from an ngx.timer callback (a phase with cosockets but no
-- request), handed back to the request through a semaphore.
function M.mx_timer()
  local domain = arg("domain") or ""
  local sema = require("ngx.semaphore").new()
  local out = {}
  local ok, err = ngx.timer.at(0, function(premature)
    if not premature then out.p, out.err, out.code = r:profile(domain) end
    sema:post(1)
  end)
  if not ok then return reply(500, { error = err }) end
  sema:wait(30)
  return profile_reply(out.p, out.err, out.code)
end

-- set_by_lua has no cosockets: the lookup raises an error that says so
-- (plain text: run.sh's /in-set location has default_type text/plain)
function M.in_set()
  local ok, err = pcall(r.mx, r, ngx.var.arg_domain or "example.com")
  return ok and "no error?" or mxrecord.json.utf8(tostring(err))
end

return M
