-- The handlers of examples/openresty/run.sh. One resolver per worker: its
-- cache is shared by the requests the worker serves.
local cjson = require "cjson.safe"
local mxrecord = require "mxrecord"

-- (Debian's lua-cjson writes empty tables as {}; OpenResty's can be told otherwise)

local M = {}
local r

function M.init()
  r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = tonumber(os.getenv("MXRECORD_TIMEOUT")) or 2 }
end

local function reply(status, body)
  ngx.status = status
  ngx.say(cjson.encode(body))
end

function M.mx()
  local domain = ngx.var.arg_domain
  if not domain or domain == "" then return reply(400, { error = "domain= is missing", code = "badname" }) end
  domain = ngx.unescape_uri(domain)
  local p, err, code = r:profile(domain) -- yields to nginx while DNS answers
  if not p then return reply(code == "badname" and 400 or 502, { error = err, code = code }) end
  return reply(200, p)
end

function M.verify()
  local address = ngx.var.arg_address
  if not address or address == "" then return reply(400, { error = "address= is missing", code = "bad_syntax" }) end
  local opts
  if ngx.var.arg_smtp == "1" then -- ask the mail server too (the prober's name and port from the environment)
    opts = { smtp = { helo = os.getenv("MXRECORD_HELO"), port = tonumber(os.getenv("MXRECORD_SMTP_PORT")) or 25,
      allow_private = os.getenv("MXRECORD_SMTP_PRIVATE") == "1", connect_timeout = 5, command_timeout = 5 } }
    if not opts.smtp.helo then return reply(500, { error = "smtp=1 needs MXRECORD_HELO (the prober's host name)" }) end
  end
  local v, err, code = r:verify(ngx.unescape_uri(address), opts)
  if not v then return reply(502, { error = err, code = code }) end
  return reply(200, v)
end

-- The same lookup from an ngx.timer callback (a phase with cosockets but no
-- request), handed back to the request through a semaphore.
function M.mx_timer()
  local domain = ngx.unescape_uri(ngx.var.arg_domain or "")
  local sema = require("ngx.semaphore").new()
  local out = {}
  local ok, err = ngx.timer.at(0, function(premature)
    if not premature then out.p, out.err, out.code = r:profile(domain) end
    sema:post(1)
  end)
  if not ok then return reply(500, { error = err }) end
  sema:wait(30)
  if not out.p then return reply(out.code == "badname" and 400 or 502, { error = out.err, code = out.code }) end
  return reply(200, out.p)
end

-- set_by_lua has no cosockets: the lookup raises an error that says so
function M.in_set()
  local ok, err = pcall(r.mx, r, ngx.var.arg_domain or "example.com")
  return ok and "no error?" or tostring(err)
end

return M
