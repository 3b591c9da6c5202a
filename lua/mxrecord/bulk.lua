-- mxrecord.bulk: r:lookup_many(source [, opts]), lists of millions of names
-- through a bounded window of lookups in flight.
--
--   for res, err, code, name in r:lookup_many(source, opts) do ... end
--
-- A failed lookup gives res = false (not nil, which would end the loop).
--
-- Leaving the loop early: lookup_many returns a batch object as the
-- iterator and again as the generic for's fourth value, a to-be-closed value
-- on Lua 5.4, so `break` (or an error in the loop body) closes it. On Lua
-- 5.1/LuaJIT keep it and call batch:close() yourself:
--
--   local batch = r:lookup_many(source)
--   for res in batch do ... break end
--   batch:close()
--
-- Closing reads no more names, drops the results not yet taken and ends
-- the verifications of kind "verify" before their next lookup. Queries
-- already sent cannot be withdrawn one by one (c-ares has no per-query
-- cancel): they end in the background, their results dropped, and
-- r:pending() counts them until then (at most one window).
--
-- An error raised by the source (an iterator function, a file) stops the
-- reading: the results of the names already read are still yielded, then
-- the loop raises that error. Nothing read is dropped and nothing keeps
-- running after the loop.
--
-- Memory stays flat: at most `concurrency` lookups in flight and as many
-- finished results waiting to be taken, plus 16 to 32 bytes per distinct
-- name for the duplicate check (64-bit hashes in a table kept between a
-- quarter and a half full: measured 16.0-32.0, 16.8 at a million names;
-- 48 for a moment while the table doubles). duplicates = "repeat" needs
-- no such memory.
local core = require "mxrecord.core"
local verify = require "mxrecord.verify"

local M = {}

-- Without opts.concurrency the window adapts: it starts at START_WINDOW and
-- every period (ADAPT_SECONDS) moves by ADAPT_STEP in the direction that
-- raised the rate last time, reversing when the rate fell. On loopback
-- (bench/bulk.sh) the best window is small (20-100: c-ares 1.18 spends time
-- proportional to the queries in flight on every answer); against a far
-- server the rate is window / round-trip time, so it climbs.
M.START_WINDOW, M.MIN_WINDOW, M.MAX_WINDOW = 50, 10, 4000
M.ADAPT_SECONDS, M.ADAPT_STEP = 0.2, 1.5

local KINDS = { mx = true, txt = true, a = true, aaaa = true, profile = true, verify = true }
local DUPLICATES = { skip = true, error = true, ["repeat"] = true }

-- A function returning the next name, or nil at the end, for each kind of source.
local function reader(source)
  local t = type(source)
  if t == "table" then
    local i = 0
    return function()
      i = i + 1
      return source[i]
    end, #source
  elseif t == "function" then
    return source, nil
  elseif io.type(source) == "file" then
    local lines = source:lines()
    return function()
      for line in lines do
        line = line:gsub("\r$", "")
        if line:find("%S") then return (line:match("^%s*(.-)%s*$")) end
      end
      return nil
    end, nil
  end
  error("bad argument #1 to 'lookup_many' (list, iterator function or file expected, got " .. t .. ")", 3)
end

-- The options, checked in one place; returns them with defaults filled in.
local function check_opts(opts)
  local o = { kind = "mx", duplicates = "error" }
  if opts == nil then return o end
  if type(opts) ~= "table" then
    error("bad argument #2 to 'lookup_many' (options table expected, got " .. type(opts) .. ")", 3)
  end
  for k, v in pairs(opts) do
    if k == "kind" then
      if not KINDS[v] then
        error("bad argument #2 to 'lookup_many' (kind must be \"mx\", \"txt\", \"a\", \"aaaa\", \"profile\" or "
          .. "\"verify\")", 3)
      end
      o.kind = v
    elseif k == "duplicates" then
      if not DUPLICATES[v] then
        error("bad argument #2 to 'lookup_many' (duplicates must be \"error\", \"skip\" or \"repeat\")", 3)
      end
      o.duplicates = v
    elseif k == "concurrency" then
      if type(v) ~= "number" or v < 1 or v % 1 ~= 0 then
        error("bad argument #2 to 'lookup_many' (concurrency must be a whole number >= 1)", 3)
      end
      o.concurrency = v
    elseif k == "on_progress" then
      if type(v) ~= "function" then
        error("bad argument #2 to 'lookup_many' (on_progress must be a function)", 3)
      end
      o.on_progress = v
    else
      error("bad argument #2 to 'lookup_many' (unknown option '" .. tostring(k) .. "')", 3)
    end
  end
  return o
end

local Batch = {}
Batch.__index = Batch

function M.lookup_many(r, source, opts)
  local next_name, total = reader(source)
  opts = check_opts(opts)
  r:pending() -- raises if the resolver is closed
  local kind, window, on_progress = opts.kind, opts.concurrency or M.START_WINDOW, opts.on_progress
  local adaptive = opts.concurrency == nil
  local seen = opts.duplicates ~= "repeat" and core.seen_set() or nil
  local skip_duplicates = opts.duplicates == "skip"
  local clock = core.monotonic
  -- finished results: a FIFO of (res, err, code, name) in four parallel rings
  local q_res, q_err, q_code, q_name = {}, {}, {}, {}
  local head, tail = 1, 0 -- items are head..tail
  local inflight, exhausted, done, finished, closed = 0, false, 0, false, false
  local duplicates, source_error = 0, nil
  local started, last_report = clock(), clock()
  local period_start, period_done, last_rate, direction = started, 0, nil, 1

  -- hill climbing on the rate, for the default window
  local function adapt()
    local now = clock()
    if now - period_start < M.ADAPT_SECONDS then return end
    local rate = (done - period_done) / (now - period_start)
    local prev = last_rate
    last_rate, period_start, period_done = rate, now, done
    if prev and rate < prev * 0.95 then
      direction = -direction -- worse: turn back
    elseif prev and rate < prev * 1.05 then
      return -- within the noise: stay
    end
    local w = direction > 0 and window * M.ADAPT_STEP or window / M.ADAPT_STEP
    window = math.floor(math.min(M.MAX_WINDOW, math.max(M.MIN_WINDOW, w)))
  end

  local function push(res, err, code, name)
    tail = tail + 1
    q_res[tail], q_err[tail], q_code[tail], q_name[tail] = res, err, code, name
  end

  local function report(final)
    if not on_progress then return end
    local now = clock()
    if final or now - last_report >= 0.25 then
      last_report = now
      local elapsed = now - started
      on_progress { done = done, total = total, elapsed = elapsed, rate = done / math.max(elapsed, 1e-9),
        inflight = inflight, window = window, duplicates = duplicates }
    end
  end

  local function stopped() return closed end

  local function submit(name)
    inflight = inflight + 1
    local function got(res, err, code)
      inflight = inflight - 1
      if not closed then push(res or false, err, code, name) end
    end
    if kind == "verify" then
      verify.start(r, name, got, stopped)
    else
      r[kind](r, name, got)
    end
  end

  local function fill()
    while not exhausted and inflight < window and tail - head + 1 < window do
      local ok, name = pcall(next_name)
      if not ok then -- the source failed: what was read still finishes, then the loop raises
        exhausted, source_error = true, { name }
      elseif name == nil then
        exhausted = true
      elseif type(name) ~= "string" then
        push(false, "badname: not a string (" .. type(name) .. ")", "badname", name)
      else
        -- duplicates by the name as it will be asked (addresses as given)
        local key = kind == "verify" and name or core.normalize_name(name) or name
        if not seen or seen:add(key) then
          submit(name)
        elseif skip_duplicates then
          duplicates = duplicates + 1
        else
          duplicates = duplicates + 1
          push(false, "duplicate: " .. key .. " was looked up already", "duplicate", name)
        end
      end
    end
  end

  local function finish()
    finished = true
    report(true)
    if source_error then
      local e = source_error[1]
      source_error = nil
      error(e, 0)
    end
    return nil
  end

  local function take()
    while true do
      if closed then return nil end
      if head <= tail then
        local res, err, code, name = q_res[head], q_err[head], q_code[head], q_name[head]
        q_res[head], q_err[head], q_code[head], q_name[head] = nil, nil, nil, nil
        head = head + 1
        if head > tail then head, tail = 1, 0 end
        done = done + 1
        report(false)
        if adaptive and done % 256 == 0 then adapt() end
        return res, err, code, name
      end
      if finished then return nil end
      local open = pcall(r.pending, r)
      if open then fill() end
      if head > tail then
        if not open or (exhausted and inflight == 0) then return finish() end
        if not pcall(r._step, r) then open = false end -- closed meanwhile: the next round ends
      end
    end
  end

  local batch = setmetatable({}, Batch)
  -- close(): see the header. Idempotent; also the __close of Lua 5.4.
  function batch.close()
    if closed then return end
    closed, exhausted = true, true
    q_res, q_err, q_code, q_name, head, tail = {}, {}, {}, {}, 1, 0
    seen = nil
  end
  batch.take = take
  return batch, nil, nil, batch
end

Batch.__call = function(self) return self.take() end
Batch.__close = function(self) self.close() end
-- A batch left without close() stops the same way once collected (Lua 5.4;
-- 5.1 runs no __gc for tables): close() only sets flags, safe from a
-- finaliser.
Batch.__gc = Batch.__close

return M
