-- mxrecord.cache_redis: a second level for the resolver's answer cache, in
-- Redis, shared by every process (and machine) that uses the same Redis:
--
--   local level = require("mxrecord.cache_redis").new { redis = { host = "127.0.0.1", port = 6379 } }
--   local r = mxrecord.resolver { cache = { l2 = level } }
--
-- The first level stays in the process (mxrecord.cache); on a miss there
-- the question goes to this level, and only on a miss here to DNS; answers
-- come back into both levels for the TTL mxrecord.cache gives them (the
-- answer's, the RFC 2308 TTL for nxdomain and nodata, error_ttl for a
-- temporary failure). An answer from this level carries the TTL left
-- (res.ttl); its records keep the TTLs they were answered with.
--
-- The interface the cache uses (any object with these two methods can be a level):
--   level:get(key, cb)          cb(value) with value = { res, msg, code } or nil (a miss)
--   level:set(key, value, ttl)  ttl in seconds (> 0)
-- A Redis that fails (down, timeout) is a miss: the lookup goes to DNS.
--
-- Clients: mxrecord.redis (hiredis, plain Lua and LuaJIT), or inside nginx
-- lua-resty-redis through `connect`/`release` functions (cosockets cannot
-- outlive a request: connect per use, keepalive on release).
local cjson = require "cjson"

local M = {}

local json = cjson.new()

local Level = {}
Level.__index = Level

-- new{ redis = connection or options for mxrecord.redis.connect,
--      prefix = "mxr:cache:" }
-- new{ connect = function() -> client | nil, err end, release = function(client) end, prefix = }
--   (lua-resty-redis: client:get, client:pttl, client:set, init_pipeline/commit_pipeline)
function M.new(opts)
  if type(opts) ~= "table" then
    error("bad argument #1 to 'new' (options table expected, got " .. type(opts) .. ")", 2)
  end
  for k in pairs(opts) do
    if k ~= "redis" and k ~= "prefix" and k ~= "connect" and k ~= "release" then
      error("bad argument #1 to 'new' (unknown option '" .. tostring(k) .. "')", 2)
    end
  end
  local self = setmetatable({ prefix = opts.prefix or "mxr:cache:", stats = { hits = 0, misses = 0, sets = 0, errors = 0 } },
    Level)
  if opts.connect then
    self.connect, self.release, self.resty = opts.connect, opts.release or function() end, true
  else
    local c = opts.redis
    if type(c) == "table" and type(c.call) ~= "function" then
      self.options = c -- to connect again after a failure
      local err, code
      c, err, code = require("mxrecord.redis").connect(c)
      if not c then return nil, err, code end
    end
    if c == nil then error("bad argument #1 to 'new' (redis or connect expected)", 2) end
    self.c = c
  end
  return self
end

-- Numbers that came back from JSON as floats go back to integers (Lua 5.4:
-- a TTL or a preference stays 300, not 300.0).
local tointeger = math.tointeger or function(x) return x end
local function integers(t)
  for k, v in pairs(t) do
    if type(v) == "table" then
      integers(v)
    elseif type(v) == "number" and v % 1 == 0 then
      t[k] = tointeger(v) or v
    end
  end
  return t
end

local function decode(s, pttl)
  local ok, v = pcall(json.decode, s)
  if not ok or type(v) ~= "table" then return nil end
  integers(v)
  local res = v.r
  if type(res) == "table" and pttl and pttl > 0 then res.ttl = math.floor(pttl / 1000) end
  return { res, v.m, v.c }
end

-- Runs commands on the plain client; nil on any failure (counted). A
-- connection made from options is made again, at most once a second.
function Level:_run(cmds)
  if not self.c then
    if not self.options or os.time() - (self.failed_at or 0) < 1 then return nil end
    self.c = require("mxrecord.redis").connect(self.options)
    if not self.c then
      self.failed_at = os.time()
      return nil
    end
  end
  local ok, res = pcall(self.c.pipeline, self.c, cmds)
  if ok and res then return res end
  self.stats.errors = self.stats.errors + 1
  if not ok or not pcall(self.c.call, self.c, "PING") then -- the connection is gone
    self.c, self.failed_at = nil, os.time()
  end
  return nil
end

function Level:get(key, cb)
  key = self.prefix .. key
  local val, pttl
  if self.resty then
    local c = self.connect()
    if c then
      c:init_pipeline()
      c:get(key)
      c:pttl(key)
      local res = c:commit_pipeline()
      self.release(c)
      if res then val, pttl = res[1], tonumber(res[2]) end
    end
    if val == nil then self.stats.errors = self.stats.errors + 1 end
  else
    local res = self:_run { { "GET", key }, { "PTTL", key } }
    if res then val, pttl = res[1], tonumber(res[2]) end
  end
  local v = type(val) == "string" and decode(val, pttl) or nil
  if v then
    self.stats.hits = self.stats.hits + 1
  else
    self.stats.misses = self.stats.misses + 1
  end
  return cb(v)
end

function Level:set(key, value, ttl)
  local ok, s = pcall(json.encode, { r = value[1] or nil, m = value[2], c = value[3] })
  if not ok then return end
  local ms = math.max(1, math.floor(ttl * 1000))
  key = self.prefix .. key
  if self.resty then
    local c = self.connect()
    if not c then
      self.stats.errors = self.stats.errors + 1
      return
    end
    c:set(key, s, "PX", ms)
    self.release(c)
  elseif not self:_run { { "SET", key, s, "PX", ms } } then
    return
  end
  self.stats.sets = self.stats.sets + 1
end

M.Level = Level
return M
