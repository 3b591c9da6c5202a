-- mxrecord.cache: lookups asked once per resolver.
--
-- A question (type and name) already in flight is not asked again: the new
-- asker waits for the same answer. Answers are kept for their TTL (capped by
-- max_ttl), negative ones (nxdomain, nodata) for the RFC 2308 TTL the answer
-- carried, temporary failures for error_ttl seconds. The cache holds at most
-- `size` answers: two generations of size/2, the older dropped whole when the
-- newer fills (an approximation of LRU that costs nothing per hit).
-- State lives in the resolver (r:_state()), so it goes when the resolver goes.
local core = require "mxrecord.core"

local M = {}

M.DEFAULTS = { size = 10000, max_ttl = 3600, min_ttl = 0, error_ttl = 5 }

-- Codes that say nothing about the name and must not be cached.
local NOT_CACHED = { cancelled = true, closed = true, nomem = true, badname = true }

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
    if type(v) ~= "number" or v < 0 or v ~= v or (k == "size" and (v < 2 or v % 1 ~= 0)) then
      error(("mxrecord.resolver: cache option '%s' must be a %s"):format(k,
        k == "size" and "whole number >= 2" or "number of seconds >= 0"), 3)
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
    st.new, st.old, st.count = {}, {}, 0
    st.stats = { asked = 0, shared = 0, hits = 0 }
  end
  return st
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
  if st.count >= conf.size / 2 then
    st.old, st.new, st.count = st.new, {}, 0
  end
  if not st.new[key] then st.count = st.count + 1 end
  st.new[key] = { expires = core.monotonic() + ttl, res, msg, code }
end

-- lookup(r, qtype, name, cb): cb(res, msg, code) from poll()/run()/_step(),
-- never during this call. qtype is "mx", "txt", "a" or "aaaa"; name is a
-- normalised name.
function M.lookup(r, qtype, name, cb)
  local st = state(r)
  local key = qtype .. " " .. name
  if st.conf then
    local e = st.new[key] or st.old[key]
    if e then
      if e.expires > core.monotonic() then
        if not st.new[key] then -- promote to the newer generation
          st.old[key] = nil
          if st.count >= st.conf.size / 2 then st.old, st.new, st.count = st.new, {}, 0 end
          st.new[key] = e
          st.count = st.count + 1
        end
        st.stats.hits = st.stats.hits + 1
        r:_post(function() cb(e[1], e[2], e[3]) end)
        return
      end
      st.new[key], st.old[key] = nil, nil
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
  M.l2_ask(r, st.conf, qtype, name, function(res, msg, code)
    st.inflight[key] = nil
    if st.conf and not NOT_CACHED[code] then store(st, key, res, msg, code) end
    for i = 1, #waiting do waiting[i](res, msg, code) end
  end)
end

-- stats(r) -> { asked =, shared =, hits =, entries = }
function M.stats(r)
  local st = state(r)
  local n = 0
  for _ in pairs(st.new) do n = n + 1 end
  for k in pairs(st.old) do
    if not st.new[k] then n = n + 1 end
  end
  return { asked = st.stats.asked, shared = st.stats.shared, hits = st.stats.hits, entries = n }
end

-- clear(r): forgets every cached answer (queries in flight are kept).
function M.clear(r)
  local st = state(r)
  st.new, st.old, st.count = {}, {}, 0
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

-- Asks the second level, then DNS (r[qtype]); cb as r[qtype]'s callback.
function M.l2_ask(r, conf, qtype, name, cb)
  local l2 = conf and conf.l2
  if not l2 then return r[qtype](r, name, cb) end
  local key = qtype .. " " .. name
  local function answered(res, msg, code)
    if not NOT_CACHED[code] then
      local ttl = res and math.min(math.max(res.ttl or 0, conf.min_ttl), conf.max_ttl) or conf.error_ttl
      if ttl > 0 then pcall(l2.set, l2, key, { res or false, msg, code }, ttl) end
    end
    cb(res, msg, code)
  end
  local got = false
  local ok, err = pcall(l2.get, l2, key, function(v)
    got = true
    if v then return r:_post(function() cb(v[1], v[2], v[3]) end) end
    r[qtype](r, name, answered)
  end)
  if not ok then
    if got then error(err, 0) end -- raised after the level answered: not the level's
    r[qtype](r, name, answered) -- a level that fails is a miss
  end
end

return M
