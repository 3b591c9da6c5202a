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
    local ok, err = pcall(lookup, qtype, name, function(res, _, code)
      local fed, ferr = pcall(feed, ev, name, qtype, res, code)
      if not fed then
        ev:close()
        return done(nil, tostring(ferr))
      end
      advance()
    end)
    if not ok then -- the resolver closed under us
      ev:close()
      done(nil, tostring(err))
    end
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


-- The include tree, read statically (what an audit counts, as checkdmarc
-- does; evaluation proper is spf_check):
-- M.tree(r, domain, cb) -> cb(node) from poll()/run()/_step(), where node =
--   { domain =, records = {every v=spf1 string}, record = (the one), error =,
--     tempfail = {message, code}, terms = {...}, children = { node... } (via =
--     "include" | "redirect"), own_lookups =, void = (own void lookups) }
-- and the root also has lookups =, void_lookups = (over the tree), all =
-- (qualifier and "all" of the record deciding by default, following
-- redirects), senders = { {domain =, provider =, name =}... } (include
-- targets with valid records, at any depth; macro targets left out) and
-- problems = {...}.
local LOOKUP_KINDS = { include = true, a = true, mx = true, ptr = true, exists = true }
local MAX_TREE_NODES = 60

local classify_one -- lazily: mxrecord.classify loads the provider rules
local function provider_of(domain)
  classify_one = classify_one or require("mxrecord.classify").classify
  local c = classify_one({}, "v=spf1 include:" .. domain)
  local s = c and c.senders and c.senders[1]
  if s then return s.id, s.name end
end

function M.tree(r, domain, cb)
  local pending, nodes, seen = 0, 0, {}
  local root
  local lookup = function(qtype, name, k) cache.lookup(r, qtype, name, k) end
  local finish

  local function done_one()
    pending = pending - 1
    if pending == 0 then finish() end
  end

  local function fetch(node)
    nodes = nodes + 1
    pending = pending + 1
    lookup("txt", node.domain, function(res, msg, code)
      if not res then
        node.tempfail = { message = msg, code = code }
        return done_one()
      end
      node.records = {}
      for _, t in ipairs(res.records or {}) do
        if core.spf_is_record(t) then node.records[#node.records + 1] = t end
      end
      if #node.records == 0 then
        node.error = "no SPF record"
        return done_one()
      end
      if #node.records > 1 then
        node.error = #node.records .. " SPF records"
        return done_one()
      end
      node.record = node.records[1]
      local parsed, err = core.spf_parse(node.record)
      if not parsed then
        node.error = err
        return done_one()
      end
      node.terms = parsed.terms
      local has_all = false
      for _, t in ipairs(parsed.terms) do
        if t.kind == "all" then has_all = true end
      end
      for _, t in ipairs(parsed.terms) do
        if LOOKUP_KINDS[t.kind] or (t.kind == "redirect" and not has_all) then
          node.own_lookups = node.own_lookups + 1
        end
        local macro = t.value and t.value:find("%", 1, true)
        if (t.kind == "include" or (t.kind == "redirect" and not has_all)) and not macro then
          local target = core.normalize_name(t.value) or t.value:lower()
          local child = { domain = target, via = t.kind, children = {}, own_lookups = 0, void = 0 }
          node.children[#node.children + 1] = child
          if seen[target] then
            child.error = "loop"
          elseif nodes >= MAX_TREE_NODES then
            child.error = "not followed (tree too large)"
          else
            seen[target] = true
            fetch(child)
          end
        elseif (t.kind == "a" or t.kind == "mx" or t.kind == "exists") and not macro then
          -- a void lookup: the name does not exist (a, exists) or has no MX
          local target = t.value and (core.normalize_name(t.value) or t.value:lower()) or node.domain
          pending = pending + 1
          lookup(t.kind == "mx" and "mx" or "a", target, function(ares)
            if ares and (ares.status == "nxdomain" or (t.kind ~= "a" and ares.status == "nodata")) then
              node.void = node.void + 1
            end
            if ares and t.kind == "mx" and ares.records and #ares.records > 10 then
              node.mx_over_limit = target
            end
            done_one()
          end)
        end
      end
      done_one()
    end)
  end

  finish = function()
    local problems, senders, sender_seen = {}, {}, {}
    local function walk(node, top)
      local lookups, voids = node.own_lookups, node.void
      if not top and node.via and (node.error == "no SPF record") then voids = voids + 1 end
      if node.error and not top then
        problems[#problems + 1] = ("%s:%s: %s"):format(node.via, node.domain, node.error)
      end
      if node.mx_over_limit then
        problems[#problems + 1] = node.mx_over_limit .. " has more than 10 MX records"
      end
      for _, t in ipairs(node.terms or {}) do
        if t.kind == "ptr" then problems[#problems + 1] = node.domain .. " uses ptr (RFC 7208 5.5: do not)" end
      end
      for _, c in ipairs(node.children) do
        if c.via == "include" and c.record and not c.error and not sender_seen[c.domain] then
          sender_seen[c.domain] = true
          local id, name = provider_of(c.domain)
          senders[#senders + 1] = { domain = c.domain, provider = id, name = name }
        end
        local l, v = walk(c, false)
        lookups, voids = lookups + l, voids + v
      end
      return lookups, voids
    end
    root.lookups, root.void_lookups = walk(root, true)
    -- the default verdict: the all term, or the redirect target's
    local node = root
    while node do
      local all, redirect
      for _, t in ipairs(node.terms or {}) do
        if t.kind == "all" then all = t.qualifier .. "all" end
      end
      if all then root.all = all break end
      for _, c in ipairs(node.children) do
        if c.via == "redirect" then redirect = c end
      end
      node = redirect
    end
    root.senders, root.problems = senders, problems
    cb(root)
  end

  root = { domain = domain, children = {}, own_lookups = 0, void = 0 }
  seen[domain] = true
  fetch(root)
end

M.parse = core.spf_parse
M.expand = core.spf_expand
M.is_record = core.spf_is_record

return M
