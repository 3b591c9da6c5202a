-- mxrecord.fleet: many workers, on many machines, over one Redis.
--
--   local job = fleet.open { redis = { host = "127.0.0.1", port = 6379 }, name = "list1" }
--   job:submit(list_or_iterator_or_file, { kind = "mx" })   -- producer
--   job:work { resolver = r }                                -- each worker
--   for rec in job:results { order = "input" } do ... end    -- collector
--   job:status()                                             -- progress
--
-- Inputs go to a Redis stream with an id each (1, 2, 3, ... in the order
-- submitted); workers in one consumer group read batches, run them through
-- r:lookup_many, and store each result under its input id with HSETNX, in
-- a server-side script that also acknowledges and deletes the entries: a
-- result is stored at most once, and an entry is acknowledged only with its
-- result stored. Entries a dead worker held are claimed by the others after
-- claim_idle seconds (XAUTOCLAIM), so every input gets exactly one result
-- whatever crashes. Every key of a job carries the hash tag {name}, so a job
-- lives on one Redis Cluster slot (and jobs spread over the cluster).
local core = require "mxrecord.core"
local cjson_ok, cjson = pcall(require, "cjson")

local M = {}

local json = cjson_ok and cjson.new() or nil
if json then json.encode_sparse_array(true) end

M.DEFAULTS = { batch = 200, claim_idle = 30, block = 2 }

local KINDS = { mx = true, profile = true, verify = true }

-- Numbers that came back from JSON as floats go back to integers (Lua 5.4:
-- an id or a TTL stays 300, not 300.0).
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
M.integers = integers


local function now_ms(c)
  local t = assert(c:call("TIME"))
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Fails loudly on a Redis error: the fleet cannot go on without its store.
local function must(v, msg, code)
  if v == nil then error("mxrecord.fleet: " .. tostring(msg) .. (code and (" (" .. code .. ")") or ""), 2) end
  return v
end

-- One command from a list of arguments (no unpack: batches can be long).
local function callv(c, args)
  local r, err, code = c:pipeline { args }
  if r then return r[1] end
  return nil, err, code
end

local Job = {}
Job.__index = Job

-- fleet.open{ redis = connection or options for mxrecord.redis.connect, name = job name }
function M.open(opts)
  if type(opts) ~= "table" then
    error("bad argument #1 to 'open' (options table expected, got " .. type(opts) .. ")", 2)
  end
  for k in pairs(opts) do
    if k ~= "redis" and k ~= "name" then error("bad argument #1 to 'open' (unknown option '" .. tostring(k) .. "')", 2) end
  end
  if type(opts.name) ~= "string" or not opts.name:find("^[%w_.:-]+$") then
    error("bad argument #1 to 'open' (name must be a string of letters, digits and _.:-)", 2)
  end
  local c = opts.redis
  if type(c) == "table" and type(c.call) ~= "function" then
    local err, code
    c, err, code = require("mxrecord.redis").connect(c)
    if not c then return nil, err, code end
  elseif type(c) ~= "userdata" and type(c) ~= "table" then
    error("bad argument #1 to 'open' (redis must be a connection or connection options)", 2)
  end
  local p = "mxr:{" .. opts.name .. "}:"
  return setmetatable({
    c = c, name = opts.name, group = "workers",
    k_in = p .. "in", k_res = p .. "res", k_out = p .. "out", k_meta = p .. "meta", k_workers = p .. "workers",
  }, Job)
end

-- ---- producer ----------------------------------------------------------------

local function reader(source)
  local t = type(source)
  if t == "table" then
    local i = 0
    return function()
      i = i + 1
      return source[i]
    end
  elseif t == "function" then
    return source
  elseif io.type(source) == "file" then
    local lines = source:lines()
    return function()
      for line in lines do
        line = line:gsub("\r$", "")
        if line:find("%S") then return (line:match("^%s*(.-)%s*$")) end
      end
      return nil
    end
  end
  error("bad argument #1 to 'submit' (list, iterator function or file expected, got " .. t .. ")", 3)
end

-- Appends a chunk of inputs with consecutive ids, atomically (a producer
-- that dies leaves whole chunks). KEYS: in, meta; ARGV: (field, value) pairs,
-- field "s" for a string input, "j" for a JSON-encoded table.
local APPEND = [[
local n = #ARGV / 2
local id = redis.call('HINCRBY', KEYS[2], 'seq', n) - n
for i = 1, #ARGV, 2 do
  id = id + 1
  redis.call('XADD', KEYS[1], '*', 'i', id, ARGV[i], ARGV[i + 1])
end
redis.call('HINCRBY', KEYS[2], 'total', n)
return n
]]

-- job:submit(source [, { kind = "mx", seal = true }]) -> number of inputs added
-- Ids continue from earlier submits. seal = false leaves the job open for
-- more submits (workers then wait instead of finishing; job:seal() closes it).
function Job:submit(source, opts)
  local next_input = reader(source)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "kind" and k ~= "seal" then error("bad argument #2 to 'submit' (unknown option '" .. tostring(k) .. "')", 2) end
  end
  local kind = opts.kind or "mx"
  if not KINDS[kind] then error("bad argument #2 to 'submit' (kind must be \"mx\", \"profile\" or \"verify\")", 2) end
  local c = self.c
  local res = must(c:pipeline {
    { "HSETNX", self.k_meta, "kind", kind },
    { "HGET", self.k_meta, "kind" },
    { "HSETNX", self.k_meta, "started_ms", now_ms(c) },
  })
  if res[2] ~= kind then error("mxrecord.fleet: job '" .. self.name .. "' is of kind " .. res[2] .. ", not " .. kind, 2) end
  local ok, err = c:call("XGROUP", "CREATE", self.k_in, self.group, "0", "MKSTREAM")
  if not ok and not tostring(err):find("BUSYGROUP") then must(nil, err) end
  local added, chunk, done = 0, {}, false
  local CHUNK = 1000
  while not done do
    for i = #chunk, 1, -1 do chunk[i] = nil end
    while #chunk < CHUNK do
      local input = next_input()
      if input == nil then
        done = true
        break
      end
      if type(input) == "table" then
        if not json then error("mxrecord.fleet: table inputs need lua-cjson", 2) end
        chunk[#chunk + 1] = { "j", json.encode(input) }
      else
        chunk[#chunk + 1] = { "s", tostring(input) }
      end
    end
    if #chunk > 0 then
      local args = { "EVAL", APPEND, 2, self.k_in, self.k_meta }
      for _, x in ipairs(chunk) do args[#args + 1], args[#args + 2] = x[1], x[2] end
      must(callv(c, args))
      added = added + #chunk
    end
  end
  if opts.seal ~= false then self:seal() end
  return added
end

-- job:seal(): no more inputs; workers with until_done stop when all are done.
function Job:seal()
  must(self.c:call("HSET", self.k_meta, "sealed", "1"))
  return true
end

-- ---- workers -------------------------------------------------------------------

-- Stores a batch's results, acknowledges and deletes its entries, counts
-- them, in one atomic step. KEYS: res, out, in, meta, workers.
-- ARGV: group, consumer, now_ms, then (entry id, input id, result) triples.
local STORE = [[
local new = 0
for i = 4, #ARGV, 3 do
  if redis.call('HSETNX', KEYS[1], ARGV[i + 1], ARGV[i + 2]) == 1 then
    new = new + 1
    redis.call('XADD', KEYS[2], '*', 'i', ARGV[i + 1])
  end
  redis.call('XACK', KEYS[3], ARGV[1], ARGV[i])
  redis.call('XDEL', KEYS[3], ARGV[i])
end
if new > 0 then redis.call('HINCRBY', KEYS[4], 'done', new) end
redis.call('HINCRBY', KEYS[5], ARGV[2] .. ':done', new)
redis.call('HSETNX', KEYS[5], ARGV[2] .. ':first_ms', ARGV[3])
redis.call('HSET', KEYS[5], ARGV[2] .. ':last_ms', ARGV[3])
return new
]]

local function fields_of(list)
  local f = {}
  for i = 1, #list - 1, 2 do f[list[i]] = list[i + 1] end
  return f
end

-- The JSON stored for one input.
local function encode_result(id, input, res, err, code)
  local rec = { id = id, input = input }
  if res then
    rec.res = res
  else
    rec.err, rec.code = err or "unknown error", code or "unknown"
  end
  local ok, s = pcall(json.encode, rec)
  if ok then return s end
  return json.encode { id = id, input = input, err = "cannot encode the result: " .. tostring(s), code = "encode" }
end

-- Runs one batch of stream entries; returns the number of new results.
local function run_batch(self, r, entries, opts)
  local kind = self.kind
  local names, ids_by_key, triples = {}, {}, {}
  local entry_ids, inputs = {}, {}
  for _, e in ipairs(entries) do
    if e and e[2] then -- (XAUTOCLAIM of Redis 6.2 gives nil for deleted entries)
      local f = fields_of(e[2])
      local id = tonumber(f.i)
      local input = f.s or (f.j and integers(json.decode(f.j)))
      entry_ids[#entry_ids + 1] = e[1]
      inputs[e[1]] = { id = id, input = input }
      -- one lookup per distinct name; every id with that name gets the result
      local key
      if type(input) == "string" then key = kind == "verify" and input or core.normalize_name(input) or input end
      if key == nil then
        triples[#triples + 1] = { e[1], id, encode_result(id, input, nil, "badinput: not a string", "badinput") }
      elseif ids_by_key[key] then
        local t = ids_by_key[key]
        t[#t + 1] = e[1]
      else
        ids_by_key[key] = { e[1] }
        names[#names + 1] = input
      end
    end
  end
  if #names > 0 then
    for res, err, code, name in r:lookup_many(names, { kind = kind, concurrency = opts.concurrency }) do
      local key = kind == "verify" and name or core.normalize_name(name) or name
      for _, eid in ipairs(ids_by_key[key]) do
        local x = inputs[eid]
        triples[#triples + 1] = { eid, x.id, encode_result(x.id, x.input, res, err, code) }
      end
    end
  end
  if opts.before_store then opts.before_store(#triples) end
  local args = { "EVAL", STORE, 5, self.k_res, self.k_out, self.k_in, self.k_meta, self.k_workers,
    self.group, opts.consumer, now_ms(self.c) }
  for _, t in ipairs(triples) do
    args[#args + 1], args[#args + 2], args[#args + 3] = t[1], t[2], t[3]
  end
  return must(callv(self.c, args))
end

-- New entries for this consumer (waiting up to block_ms when given).
local function read_new(self, consumer, count, block_ms)
  local args = { "XREADGROUP", "GROUP", self.group, consumer, "COUNT", count }
  if block_ms then args[#args + 1], args[#args + 2] = "BLOCK", block_ms end
  args[#args + 1], args[#args + 2], args[#args + 3] = "STREAMS", self.k_in, ">"
  local res = must(callv(self.c, args))
  return res and res[1] and res[1][2] or {}
end

local function check_work_opts(opts)
  if type(opts) ~= "table" then
    error("bad argument #1 to 'work' (options table expected, got " .. type(opts) .. ")", 3)
  end
  local o = {}
  for k, v in pairs(M.DEFAULTS) do o[k] = v end
  for k, v in pairs(opts) do
    if k == "resolver" or k == "on_batch" or k == "before_store" or k == "consumer" then
      o[k] = v
    elseif k == "batch" or k == "claim_idle" or k == "block" or k == "concurrency" or k == "max_batches" then
      if type(v) ~= "number" or v <= 0 then error("bad argument #1 to 'work' (" .. k .. " must be a number > 0)", 3) end
      o[k] = v
    elseif k == "until_done" then
      o[k] = v and true or false
    else
      error("bad argument #1 to 'work' (unknown option '" .. tostring(k) .. "')", 3)
    end
  end
  if not o.resolver then error("bad argument #1 to 'work' (resolver expected)", 3) end
  if o.until_done == nil then o.until_done = true end
  if not o.consumer then
    local h = io.open("/proc/sys/kernel/hostname")
    local host = h and h:read("*l") or "host"
    if h then h:close() end
    local st = io.open("/proc/self/stat")
    local pid = st and st:read("*l"):match("^%d+") or tostring(math.random(1e9))
    if st then st:close() end
    o.consumer = host .. ":" .. pid
  end
  return o
end

-- job:work{ resolver = r [, consumer =, batch = 200, claim_idle = 30, block = 2,
--   until_done = true, concurrency =, on_batch = function(n, consumer) end] }
-- -> number of results this worker stored
-- Reads batches of `batch` entries (first those idle for claim_idle seconds
-- on another consumer, then new ones), runs each through r:lookup_many and
-- stores the results. Returns when the job is sealed and every input has
-- its result (until_done), or when nothing came for `block` seconds
-- (until_done = false).
function Job:work(opts)
  opts = check_work_opts(opts)
  if not json then error("mxrecord.fleet: workers need lua-cjson", 2) end
  local c, r = self.c, opts.resolver
  self.kind = must(c:call("HGET", self.k_meta, "kind"))
  if not self.kind then error("mxrecord.fleet: job '" .. self.name .. "' has no inputs yet", 2) end
  if type(c) == "userdata" and c.set_timeout then c:set_timeout(opts.block + 10) end
  local claim_ms = math.floor(opts.claim_idle * 1000)
  local block_ms = math.floor(opts.block * 1000)
  local stored, batches, cursor = 0, 0, "0-0"
  local last_claim = -math.huge
  -- entries idle for claim_idle on another consumer (a dead or too slow worker)
  local function claim()
    local res = must(c:call("XAUTOCLAIM", self.k_in, self.group, opts.consumer, claim_ms, cursor, "COUNT", opts.batch))
    cursor = res[1]
    if cursor == "0-0" then last_claim = core.monotonic() end
    return res[2] or {}
  end
  local function finished()
    local m = must(c:call("HMGET", self.k_meta, "sealed", "total", "done"))
    return m[1] == "1" and (tonumber(m[3]) or 0) >= (tonumber(m[2]) or 0)
  end
  while true do
    local entries = core.monotonic() - last_claim >= opts.claim_idle / 4 and claim() or {}
    if #entries == 0 then entries = read_new(self, opts.consumer, opts.batch, nil) end
    if #entries == 0 then
      if finished() then return stored end
      entries = claim() -- nothing new: anything left behind?
      if #entries == 0 then
        entries = read_new(self, opts.consumer, opts.batch, block_ms)
        if #entries == 0 and not opts.until_done then return stored end
      end
    end
    if #entries > 0 then
      local n = run_batch(self, r, entries, opts)
      stored, batches = stored + n, batches + 1
      if opts.on_batch then opts.on_batch(n, opts.consumer) end
      if opts.max_batches and batches >= opts.max_batches then return stored end
    end
  end
end

-- ---- collector -------------------------------------------------------------------

local function sleep_on(self, ms)
  -- waits for a new result (or ms): XREAD BLOCK on the results' stream
  self.c:call("XREAD", "COUNT", 1, "BLOCK", ms, "STREAMS", self.k_out, "$")
end

-- job:results{ order = "input" | "arrival", follow = true, raw = false, wait = 1 }
-- -> iterator of records { id =, input =, res = } or { id =, input =, err =, code = }
-- (raw = true: the stored JSON strings). "input" gives ids 1, 2, 3, ...;
-- "arrival" gives results as workers stored them. With follow (the
-- default) the iterator waits for results still to come and ends when the
-- job is sealed and complete; without, it gives what is there now.
function Job:results(opts)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "order" and k ~= "follow" and k ~= "raw" and k ~= "wait" then
      error("bad argument #1 to 'results' (unknown option '" .. tostring(k) .. "')", 2)
    end
  end
  local order = opts.order or "input"
  if order ~= "input" and order ~= "arrival" then
    error("bad argument #1 to 'results' (order must be \"input\" or \"arrival\")", 2)
  end
  if not opts.raw and not json then error("mxrecord.fleet: decoding results needs lua-cjson", 2) end
  local follow = opts.follow ~= false
  local wait_ms = math.floor((opts.wait or 1) * 1000)
  local c = self.c
  local CHUNK = 500
  local buf, bi = {}, 1
  local next_id, last_stream_id, given = 1, "0-0", 0

  local function meta()
    local m = must(c:call("HMGET", self.k_meta, "sealed", "total"))
    return m[1] == "1", tonumber(m[2]) or 0
  end

  local function refill_input()
    while true do
      local sealed, total = meta()
      if next_id > total then
        if sealed or not follow then return false end
        sleep_on(self, wait_ms)
      else
        local args = { "HMGET", self.k_res }
        for id = next_id, math.min(total, next_id + CHUNK - 1) do args[#args + 1] = id end
        for _, v in ipairs(must(callv(c, args))) do
          if v then
            buf[#buf + 1] = v
          elseif follow then
            break -- input order: wait for this one
          end
          next_id = next_id + 1
        end
        if #buf > 0 then return true end
        if follow then sleep_on(self, wait_ms) end
      end
    end
  end

  local function refill_arrival()
    while true do
      local res = must(c:call("XREAD", "COUNT", CHUNK, "STREAMS", self.k_out, last_stream_id))
      local entries = res and res[1] and res[1][2] or {}
      if #entries > 0 then
        local args = { "HMGET", self.k_res }
        for _, e in ipairs(entries) do
          args[#args + 1] = fields_of(e[2]).i
          last_stream_id = e[1]
        end
        for _, v in ipairs(must(callv(c, args))) do
          if v then buf[#buf + 1] = v end
        end
        return true
      end
      local sealed, total = meta()
      if not follow or (sealed and given >= total) then return false end
      sleep_on(self, wait_ms)
    end
  end

  local refill = order == "input" and refill_input or refill_arrival
  return function()
    if bi > #buf then
      buf, bi = {}, 1
      if not refill() then return nil end
    end
    local v = buf[bi]
    bi = bi + 1
    given = given + 1
    if opts.raw then return v end
    return integers(json.decode(v))
  end
end

-- ---- progress ---------------------------------------------------------------------

-- job:status() -> { kind =, total =, done =, sealed =, pending =, waiting =,
--   elapsed =, rate =, workers = { [consumer] = { done =, pending =, rate =, idle = } } }
-- pending: read by a worker and not stored yet; waiting: not read by any
-- worker yet. Times in seconds, rates in results per second, from Redis' clock.
function Job:status()
  local c = self.c
  local now = now_ms(c)
  local m = fields_of(must(c:call("HGETALL", self.k_meta)))
  local w = fields_of(must(c:call("HGETALL", self.k_workers)))
  local st = {
    kind = m.kind, total = tonumber(m.total) or 0, done = tonumber(m.done) or 0, sealed = m.sealed == "1",
    pending = 0, workers = {},
  }
  local started = tonumber(m.started_ms)
  st.elapsed = started and (now - started) / 1000 or 0
  st.rate = st.elapsed > 0 and st.done / st.elapsed or 0
  for k, v in pairs(w) do
    local name, field = k:match("^(.*):([%w_]+)$")
    if name then
      local x = st.workers[name] or { done = 0, pending = 0 }
      st.workers[name] = x
      x[field] = tonumber(v)
    end
  end
  local pend = c:call("XPENDING", self.k_in, self.group)
  if pend then
    st.pending = tonumber(pend[1]) or 0
    for _, p in ipairs(pend[4] or {}) do
      local x = st.workers[p[1]] or { done = 0 }
      st.workers[p[1]] = x
      x.pending = tonumber(p[2])
    end
  end
  local len = tonumber(c:call("XLEN", self.k_in)) or 0
  st.waiting = math.max(0, len - st.pending)
  for _, x in pairs(st.workers) do
    x.pending = x.pending or 0
    if x.first_ms and x.last_ms then
      x.idle = (now - x.last_ms) / 1000
      local span = (x.last_ms - x.first_ms) / 1000
      x.rate = span > 0 and x.done / span or nil
    end
    x.first_ms, x.last_ms = nil, nil
  end
  return st
end

-- job:delete(): removes every key of the job.
function Job:delete()
  must(self.c:call("DEL", self.k_in, self.k_res, self.k_out, self.k_meta, self.k_workers))
  return true
end

M.Job = Job
return M
