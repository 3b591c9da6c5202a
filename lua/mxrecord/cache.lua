-- mxrecord.cache: lookups asked once per resolver.
--
-- A question (type and name) already in flight is not asked again: the new
-- asker waits for the same answer. Answers are kept for their TTL (capped by
-- max_ttl), negative ones (nxdomain, nodata) for the RFC 2308 TTL the answer
-- carried, temporary failures for error_ttl seconds.
--
-- The bound: at most `size` answers and at most `max_bytes` bytes (default
-- 8 MiB), whichever comes first, kept in two generations of half of each;
-- the older generation is dropped whole when the newer fills (an
-- approximation of LRU that costs nothing per hit). An answer's bytes are
-- estimated from its strings plus a fixed overhead per record and per entry
-- (measured: a record table of an A answer takes about 210 bytes under Lua
-- 5.4 and LuaJIT); one answer larger than an eighth of max_bytes is not kept
-- at all. A hostile 64 KB answer of 4,000 records thus costs at most ~0.8 MB,
-- and a resolver's cache at most max_bytes whatever the answers.
--
-- Every asker gets its own copy of the answer: a caller that edits a result
-- cannot change what the cache gives later.
-- State lives in the resolver (r:_state()), so it goes when the resolver goes.
local core = require "mxrecord.core"

local M = {}

M.DEFAULTS = { size = 10000, max_bytes = 8 * 1024 * 1024, max_ttl = 3600, min_ttl = 0, error_ttl = 5 }

-- The estimate's constants (bytes), from collectgarbage("count") around
-- answers of 2,000 records (spec/helpers/fault_server.lua's huge-N).
M.ENTRY_BYTES, M.RECORD_TABLE_BYTES, M.RECORD_STRING_BYTES = 320, 200, 40

-- Codes that say nothing about the name and must not be cached.
local NOT_CACHED = { cancelled = true, closed = true, nomem = true, badname = true }

local WHOLE = { size = 2, max_bytes = 1024 } -- whole-number options and their minimum

-- Checks a resolver's `cache` option; returns the configuration (nil when
-- the cache is off). Raises on a bad option: it is a programming error.
function M.config(opt)
  if opt == false then return nil end
  local conf = {}
  for k, v in pairs(M.DEFAULTS) do conf[k] = v end
  if opt == nil or opt == true then return conf end
  if type(opt) ~= "table" then
    error("mxrecord.resolver: option 'cache' must be false, true or a table", 3)
  end
  if opt.l2 ~= nil then opt = M.l2_config(opt, conf) end -- a second level: see the end of this file
  for k, v in pairs(opt) do
    if M.DEFAULTS[k] == nil then
      error("mxrecord.resolver: unknown cache option '" .. tostring(k) .. "'", 3)
    end
    local min = WHOLE[k]
    if type(v) ~= "number" or v < 0 or v ~= v or (min and (v < min or v % 1 ~= 0 or v == math.huge)) then
      error(("mxrecord.resolver: cache option '%s' must be a %s"):format(k,
        min and ("whole number >= " .. min) or "number of seconds >= 0"), 3)
    end
    conf[k] = v
  end
  return conf
end

local function state(r)
  local st = r:_state()
  if not st.inflight then
    st.conf = M.config(st.cache_option)
    st.inflight = {}
    st.new, st.old, st.count, st.bytes, st.old_bytes = {}, {}, 0, 0, 0
    st.stats = { asked = 0, shared = 0, hits = 0 }
  end
  return st
end

-- The estimated bytes an entry for key holds.
local function entry_bytes(key, res, msg)
  local n = M.ENTRY_BYTES + #key + (msg and #msg or 0)
  if res then
    n = n + #(res.domain or "") + #(res.cname or "")
    for _, rec in ipairs(res.records or {}) do
      if type(rec) == "string" then
        n = n + M.RECORD_STRING_BYTES + #rec
      else
        n = n + M.RECORD_TABLE_BYTES + #(rec.exchange or rec.address or "")
      end
    end
  end
  return n
end

-- A result's own copy (results are trees of tables, strings and numbers).
local function copy(t)
  if type(t) ~= "table" then return t end
  local c = {}
  for k, v in pairs(t) do c[k] = copy(v) end
  return c
end
M.copy = copy

-- Makes room for an entry of `bytes` in the newer generation.
local function make_room(st, bytes)
  local conf = st.conf
  if st.count >= conf.size / 2 or st.bytes + bytes > conf.max_bytes / 2 then
    st.old, st.new, st.count, st.old_bytes, st.bytes = st.new, {}, 0, st.bytes, 0
  end
end

local function store(st, key, res, msg, code)
  local conf = st.conf
  local ttl
  if res then
    ttl = math.min(math.max(res.ttl or 0, conf.min_ttl), conf.max_ttl)
  else
    ttl = conf.error_ttl
  end
  if ttl <= 0 then return end
  local bytes = entry_bytes(key, res, msg)
  if bytes > conf.max_bytes / 8 then return end
  local old = st.new[key]
  if old then st.new[key], st.count, st.bytes = nil, st.count - 1, st.bytes - old.bytes end
  make_room(st, bytes)
  st.new[key] = { expires = core.monotonic() + ttl, bytes = bytes, res, msg, code }
  st.count, st.bytes = st.count + 1, st.bytes + bytes
end

-- Runs every waiter, each protected: one that raises does not keep the
-- others from their answer. The errors are raised again once all ran (the
-- first as it was; several joined in one message), so that the resolver's
-- error reporting (poll()/run()/close() results, on_error) sees them.
local function deliver(waiting, res, msg, code)
  local errors
  for i = 1, #waiting do
    local ok, err = pcall(waiting[i], copy(res), msg, code)
    if not ok then
      errors = errors or {}
      errors[#errors + 1] = err
    end
  end
  if errors then
    if #errors == 1 then error(errors[1], 0) end
    for i, e in ipairs(errors) do errors[i] = tostring(e) end
    error(#errors .. " callbacks raised:\n" .. table.concat(errors, "\n"), 0)
  end
end

local CLOSED_MSG = "cancelled: the resolver is closed"

-- lookup(r, qtype, name, cb): cb(res, msg, code) from poll()/run()/_step(),
-- never during this call, except on a closed (or closing) resolver, where
-- cb(nil, "cancelled: ...", "cancelled") runs at once: nothing can be asked
-- or posted any more, and the callback must not be lost. qtype is "mx",
-- "txt", "a" or "aaaa"; name is a normalised name. res is cb's own copy.
function M.lookup(r, qtype, name, cb)
  if not pcall(r.pending, r) then return cb(nil, CLOSED_MSG, "cancelled") end
  local st = state(r)
  local key = qtype .. " " .. name
  if st.conf then
    local e = st.new[key] or st.old[key]
    if e then
      if e.expires > core.monotonic() then
        if not st.new[key] then -- promote to the newer generation
          st.old[key], st.old_bytes = nil, st.old_bytes - e.bytes
          make_room(st, e.bytes)
          st.new[key] = e
          st.count, st.bytes = st.count + 1, st.bytes + e.bytes
        end
        st.stats.hits = st.stats.hits + 1
        r:_post(function() cb(copy(e[1]), e[2], e[3]) end)
        return
      end
      if st.new[key] then st.new[key], st.count, st.bytes = nil, st.count - 1, st.bytes - e.bytes end
      if st.old[key] then st.old[key], st.old_bytes = nil, st.old_bytes - e.bytes end
    end
  end
  local waiting = st.inflight[key]
  if waiting then
    waiting[#waiting + 1] = cb
    st.stats.shared = st.stats.shared + 1
    return
  end
  waiting = { cb }
  st.inflight[key] = waiting
  st.stats.asked = st.stats.asked + 1
  local ok, err = pcall(M.l2_ask, r, st.conf, qtype, name, function(res, msg, code)
    st.inflight[key] = nil
    if st.conf and not NOT_CACHED[code] then store(st, key, res, msg, code) end
    deliver(waiting, res, msg, code)
  end)
  if not ok then -- closed meanwhile, or out of memory: the question was not asked
    st.inflight[key] = nil
    if pcall(r.pending, r) then
      deliver(waiting, nil, "nomem: " .. tostring(err), "nomem")
    else
      deliver(waiting, nil, CLOSED_MSG, "cancelled")
    end
  end
end

-- stats(r) -> { asked =, shared =, hits =, entries =, bytes = } (bytes: the
-- estimate the bound applies to)
function M.stats(r)
  local st = state(r)
  local n = 0
  for _ in pairs(st.new) do n = n + 1 end
  for k in pairs(st.old) do
    if not st.new[k] then n = n + 1 end
  end
  return { asked = st.stats.asked, shared = st.stats.shared, hits = st.stats.hits, entries = n,
    bytes = st.bytes + st.old_bytes }
end

-- clear(r): forgets every cached answer (queries in flight are kept).
function M.clear(r)
  local st = state(r)
  st.new, st.old, st.count, st.bytes, st.old_bytes = {}, {}, 0, 0, 0
end

-- ---- A second level (mxrecord.cache_redis): asked after this one, before DNS ----
-- The option cache = { l2 = level }: any object with level:get(key, cb) and
-- level:set(key, { res, msg, code }, ttl). Its answers fill this level too.

-- Takes l2 out of the cache option (into conf); returns the rest.
function M.l2_config(opt, conf)
  local l2 = opt.l2
  if type(l2) ~= "table" or type(l2.get) ~= "function" or type(l2.set) ~= "function" then
    error("mxrecord.resolver: cache option 'l2' must be an object with get and set methods", 4)
  end
  conf.l2 = l2
  local rest = {}
  for k, v in pairs(opt) do
    if k ~= "l2" then rest[k] = v end
  end
  return rest
end

-- Asks the second level, then DNS (r:query); cb as r:query's callback.
function M.l2_ask(r, conf, qtype, name, cb)
  local l2 = conf and conf.l2
  if not l2 then return r:query(name, qtype, cb) end
  local key = qtype .. " " .. name
  l2:get(key, function(v)
    if v then return r:_post(function() cb(v[1], v[2], v[3]) end) end
    r:query(name, qtype, function(res, msg, code)
      if not NOT_CACHED[code] then
        local ttl = res and math.min(math.max(res.ttl or 0, conf.min_ttl), conf.max_ttl) or conf.error_ttl
        if ttl > 0 then pcall(l2.set, l2, key, { res or false, msg, code }, ttl) end
      end
      cb(res, msg, code)
    end)
  end)
end

return M
