-- mxrecord.spf: r:spf_check{ ip =, sender =, helo = } over the sans-I/O
-- evaluator of the C core (src/core/mxr_spf.c, RFC 7208 check_host()).
-- This file only carries questions and answers: the evaluator asks for a
-- name and a type, the answer comes through mxrecord.cache (shared and
-- cached with every other lookup of the resolver), and is fed back.
local core = require "mxrecord.core"
local cache = require "mxrecord.cache"

local unpack = table.unpack or unpack

local M = {}

local FIELDS = { ip = true, sender = true, helo = true, receiver = true, domain = true, now = true }

local function check_args(args, fname, level)
  if type(args) ~= "table" then
    error("bad argument #1 to '" .. fname .. "' (table expected, got " .. type(args) .. ")", level)
  end
  for k, v in pairs(args) do
    if not FIELDS[k] then
      error("bad argument #1 to '" .. fname .. "' (unknown field '" .. tostring(k) .. "')", level)
    end
    if k == "now" then
      if type(v) ~= "number" then
        error("bad argument #1 to '" .. fname .. "' (field 'now' must be a number)", level)
      end
    elseif type(v) ~= "string" then
      error("bad argument #1 to '" .. fname .. "' (field '" .. k .. "' must be a string)", level)
    elseif v:find("\0", 1, true) then
      error("bad argument #1 to '" .. fname .. "' (field '" .. k .. "' holds a NUL)", level)
    end
  end
  if args.ip == nil then error("bad argument #1 to '" .. fname .. "' (field 'ip' is required)", level) end
  local ev, msg = core.spf_new(args.ip, args.sender or "", args.helo or "",
    { receiver = args.receiver, domain = args.domain, now = args.now })
  if not ev then error("bad argument #1 to '" .. fname .. "' (" .. msg .. ")", level) end
  return ev
end

-- The records of a resolver answer as the evaluator takes them.
local function feed(ev, name, qtype, res, code)
  if not res then
    -- a name the resolver refuses cannot exist; anything else is temporary
    ev:feed(name, qtype, code == "badname" and "nxdomain" or "tempfail")
    return
  end
  local status = res.status
  if status == "null_mx" then
    ev:feed(name, qtype, "ok", { "." })
  elseif status == "ok" then
    ev:feed(name, qtype, "ok", res.records or {})
  elseif status == "nxdomain" then
    ev:feed(name, qtype, "nxdomain")
  else
    ev:feed(name, qtype, "nodata")
  end
end

-- Drives ev to its end; done(result) from poll()/run()/_step().
-- lookup(qtype, name, cb) defaults to the resolver's cached lookups.
function M.drive(r, ev, done, lookup)
  lookup = lookup or function(qtype, name, cb)
    if type(r[qtype]) == "function" then return cache.lookup(r, qtype, name, cb) end
    -- types mxrecord.cache does not carry (PTR): asked directly
    if type(r.query) == "function" then return r:query(name, qtype, cb) end
    r:_post(function() cb(nil, "query type " .. qtype .. " not supported", "notimp") end)
  end
  local function advance()
    local st, a, b = ev:step()
    if st == "done" then
      ev:close()
      return done(a)
    end
    local name, qtype = a, b
    lookup(qtype, name, function(res, _, code)
      local ok, err = pcall(feed, ev, name, qtype, res, code)
      if not ok then
        ev:close()
        return done(nil, tostring(err))
      end
      advance()
    end)
  end
  advance()
end

-- r:spf_check{ ip =, sender =, helo = [, receiver =, domain =, now =] } [, callback]
-- -> { result =, domain =, record =, mechanism =, explanation =, lookups =,
--      void_lookups =, queries =, problems = {...} }
function M.spf_check(r, args, callback)
  if callback ~= nil and type(callback) ~= "function" then
    error("bad argument #2 to 'spf_check' (function expected, got " .. type(callback) .. ")", 2)
  end
  local ev = check_args(args, "spf_check", 3)
  r:pending() -- raises if the resolver is closed
  if callback then
    M.drive(r, ev, function(...)
      local n, res = select("#", ...), { ... }
      callback(unpack(res, 1, n))
    end)
    return true
  end
  local done, res, msg = false, nil, nil
  M.drive(r, ev, function(a, b) done, res, msg = true, a, b end)
  while not done do r:_step() end
  return res, msg
end

-- Evaluates with answers from a function answer(name, qtype) -> status, records
-- (no resolver: for tests, replays and other transports).
function M.evaluate(args, answer)
  local ev = check_args(args, "evaluate", 3)
  while true do
    local st, name, qtype = ev:step()
    if st == "done" then
      ev:close()
      return name
    end
    local status, records = answer(name, qtype)
    ev:feed(name, qtype, status, records)
  end
end

M.parse = core.spf_parse
M.expand = core.spf_expand
M.is_record = core.spf_is_record

return M
