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
-- The backlog of the plain kinds and profiles, in names, when it follows the
-- resolver's wire window (see plain_many)
M.CORE_MIN, M.CORE_MAX = 256, 8192

local KINDS = { mx = true, txt = true, a = true, aaaa = true, profile = true, verify = true, posture = true,
  spf = true }
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
    local lines, byte = source:lines(), string.byte
    return function()
      for line in lines do
        -- the common case, nothing to trim, without patterns (they cost more than
        -- the lookup itself: bench/PROFILE.md)
        local first, last = byte(line, 1), byte(line, -1)
        if first and first > 32 and last > 32 then return line end
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
        error("bad argument #2 to 'lookup_many' (kind must be \"mx\", \"txt\", \"a\", \"aaaa\", \"profile\", "
          .. "\"verify\", \"posture\" or \"spf\")", 3)
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
    elseif k == "verify" then -- options for r:verify (kind = "verify")
      if type(v) ~= "table" then error("bad argument #2 to 'lookup_many' (verify must be an options table)", 3) end
      o.verify = v
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

-- opts.on_progress's caller for both loops below: report(final) calls it at
-- most every 0.25 s and at the end, with what stats() returns now (done,
-- inflight, window, duplicates); nothing without on_progress.
local function reporter(on_progress, total, stats)
  if not on_progress then return function() end end
  local clock = core.monotonic
  local started, last = clock(), clock()
  return function(final)
    local now = clock()
    if final or now - last >= 0.25 then
      last = now
      local elapsed = now - started
      local done, inflight, window, duplicates = stats()
      on_progress { done = done, total = total, elapsed = elapsed, rate = done / math.max(elapsed, 1e-9),
        inflight = inflight, window = window, duplicates = duplicates }
    end
  end
end

local PLAIN = { mx = true, txt = true, a = true, aaaa = true }
local plain_many

-- Whether the resolver's cache has a second level (cache = { l2 = ... }):
-- then profiles go through the cache (shared with other workers), not the engine.
local function has_l2(r)
  local opt = r:_state().cache_option
  return type(opt) == "table" and opt.l2 ~= nil
end

function M.lookup_many(r, source, opts)
  local next_name, total = reader(source)
  opts = check_opts(opts)
  -- The engine needs the resolver's own transport: where the host carries
  -- each query's packets (nginx: a carrier thread per query, started by the
  -- host's methods), queries go through those methods, one by one.
  local own_transport = r:_window() ~= nil
  if own_transport and (PLAIN[opts.kind] or (opts.kind == "profile" and not has_l2(r))) then
    return plain_many(r, source, next_name, total, opts)
  end
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
  local period_start, period_done, last_rate, direction = clock(), 0, nil, 1

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

  local report = reporter(on_progress, total, function() return done, inflight, window, duplicates end)

  local function stopped() return closed end

  local function submit(name)
    inflight = inflight + 1
    local function got(res, err, code)
      inflight = inflight - 1
      if not closed then push(res or false, err, code, name) end
    end
    if kind == "verify" then
      verify.start(r, name, got, stopped, opts.verify)
    elseif kind == "spf" then
      local ok, err = pcall(r.spf_check, r, name, got) -- a bad item is its own error, not the loop's
      if not ok then got(nil, "badarg: " .. tostring(err):gsub("^[^\n]-%.lua:%d+: ", ""), "badarg") end
    elseif kind == "posture" then
      r:posture(name, nil, got)
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
      elseif kind == "spf" and type(name) == "table" then -- { ip =, sender =, helo = }
        local key = tostring(name.ip) .. "|" .. tostring(name.sender) .. "|" .. tostring(name.helo)
        if not seen or seen:add(key) then
          submit(name)
        else
          duplicates = duplicates + 1
          if not skip_duplicates then push(false, "duplicate: " .. key .. " was checked already", "duplicate", name) end
        end
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

-- The plain kinds (mx, txt, a, aaaa): the per-name work is the resolver's
-- engine (src/binding/lua_bulk.c: reading a file or list, normalising,
-- the duplicate check, submitting, the answers), not a Lua callback per
-- query. Same loop, options and batch object as above.
-- kind = "profile": the engine asks each name's first round of lookups
-- (profile.lua's BASIC: MX, TXT, DMARC) and, when profile.lua says the
-- answer needs more, the second (EXTRA) for the same name; profile.lua builds
-- the profile from them, as r:profile does (without the resolver's cache).
local function plans_of(list)
  local t = {}
  for _, q in ipairs(list) do
    t[#t + 1] = q[2]
    t[#t + 1] = q[3]
  end
  return t
end

plain_many = function(r, source, next_name, total, opts)
  r:pending() -- raises if the resolver is closed
  local e_take, e_load
  local e, next_result
  if opts.kind == "profile" then
    local P = require "mxrecord.profile"
    local build, needs_more, BASIC, EXTRA, FULL = P._build, P._needs_more, P._BASIC, P._EXTRA, P._FULL
    local k1, k2, k3, x1, x2, x3 = BASIC[1][1], BASIC[2][1], BASIC[3][1], EXTRA[1][1], EXTRA[2][1], EXTRA[3][1]
    e = r:_engine({ plans_of(BASIC), plans_of(EXTRA) }, opts.duplicates)
    e_take, e_load = e.take, e.load
    local second = {} -- [id] = { got, name }: names waiting for their second round
    next_result = function(e)
      while true do
        local id, plan, name, r1, m1, c1, q1, r2, m2, c2, q2, r3, m3, c3, q3 = e_take(e)
        if id == nil then return nil end
        if id == 0 then return false, m1, c1, name end
        if plan == 1 then
          local got = { [k1] = { r1, m1, c1, q1 }, [k2] = { r2, m2, c2, q2 }, [k3] = { r3, m3, c3, q3 } }
          local p, msg, code = build(name, got, BASIC)
          if not needs_more(p) or not pcall(r.pending, r) or not e:add(q1, 2, id) then
            return p or false, msg, code, name
          end
          second[id] = { got, name }
        else
          local s = second[id]
          second[id] = nil
          local got = s[1]
          got[x1], got[x2], got[x3] = { r1, m1, c1, q1 }, { r2, m2, c2, q2 }, { r3, m3, c3, q3 }
          local p, msg, code = build(s[2], got, FULL)
          return p or false, msg, code, s[2]
        end
      end
    end
  else
    e = r:_engine(opts.kind, opts.duplicates)
    e_take, e_load = e.take, e.load
    next_result = e_take
  end
  local window, on_progress = opts.concurrency or M.START_WINDOW, opts.on_progress
  -- Without opts.concurrency the resolver's own wire window (it adapts to
  -- the round trip and to loss) sets the backlog: about twice as many
  -- queries submitted as it lets on the wire, within CORE_MIN..CORE_MAX
  -- names (a profile asks about 3.7 queries per name).
  local per_name = opts.kind == "profile" and 3 or 1
  local follow = opts.concurrency == nil
  local function follow_window()
    local w = math.floor(2 * r:_window() / per_name)
    window = w < M.CORE_MIN and M.CORE_MIN or w > M.CORE_MAX and M.CORE_MAX or w
  end
  if follow then follow_window() end
  local src = io.type(source) == "file" and "file" or type(source)
  local li = 1 -- the next index of a list source
  -- items that are not names (a list or iterator gave a number, a table...): reported in order of reading
  local odd_res, odd_name, odd_head, odd_tail = {}, {}, 1, 0
  local exhausted, done, finished, closed, source_error = false, 0, false, false, nil
  local report = reporter(on_progress, total, function() return done, e_load(e), window, e:duplicates() end)

  local function odd(v)
    odd_tail = odd_tail + 1
    odd_res[odd_tail], odd_name[odd_tail] = "badname: not a string (" .. type(v) .. ")", v
  end

  -- adds up to `room` names from the source
  local function fill(room)
    if src == "file" then
      local ok, n, eof = pcall(e.add_file, e, source, room)
      if not ok then exhausted, source_error = true, { n } elseif eof then exhausted = true end
    elseif src == "table" then
      local ok, nxt, eof = pcall(e.add_list, e, source, li, room)
      if not ok then
        exhausted, source_error = true, { nxt }
      else
        li = nxt
        if eof then
          exhausted = true
        elseif source[li] ~= nil and type(source[li]) ~= "string" then
          odd(source[li]) -- add_list stopped at it
          li = li + 1
        end
      end
    else
      for _ = 1, room do
        local ok, name = pcall(next_name)
        if not ok then
          exhausted, source_error = true, { name }
          return
        elseif name == nil then
          exhausted = true
          return
        elseif type(name) == "string" then
          e:add(name)
        else
          odd(name)
        end
      end
    end
  end

  local function finish()
    finished = true
    report(true)
    e:close()
    if source_error then
      local err = source_error[1]
      source_error = nil
      error(err, 0)
    end
    return nil
  end

  local filled = false
  local function take()
    while true do
      if closed then return nil end
      local res, err, code, name
      if odd_head <= odd_tail then
        res, err, code, name = false, odd_res[odd_head], "badname", odd_name[odd_head]
        odd_res[odd_head], odd_name[odd_head] = nil, nil
        odd_head = odd_head + 1
      else
        res, err, code, name = next_result(e)
      end
      if res ~= nil then
        done = done + 1
        if on_progress then report(false) end
        return res, err, code, name
      end
      if finished then return nil end
      local open = pcall(r.pending, r)
      local load = e_load(e)
      if follow and open then follow_window() end
      if open and not exhausted and not filled and load < window then
        fill(window - load)
        filled = true -- take what it queued (bad names, duplicates) before waiting
      else
        filled = false
        if load == 0 and (exhausted or not open) then return finish() end
        if not open or not pcall(r._step, r) then
          -- closed meanwhile: what it left comes out, then the loop ends
          if e_load(e) == 0 then return finish() end
        end
      end
    end
  end

  local batch = setmetatable({}, Batch)
  function batch.close()
    if closed then return end
    closed, exhausted = true, true
    e:close()
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
