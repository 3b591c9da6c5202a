-- mxrecord.bulk: r:lookup_many(source [, opts]), lists of millions of names
-- through a bounded window of lookups in flight.
--
--   for res, err, code, name in r:lookup_many(source, opts) do ... end
--
-- A failed lookup gives res = false (not nil, which would end the loop).
--
-- Memory stays flat: at most `concurrency` lookups in flight and as many
-- finished results waiting to be taken, plus 8 bytes per distinct name for
-- the duplicate check.
local core = require "mxrecord.core"

local M = {}

-- Without opts.concurrency the window adapts: it starts at START_WINDOW and
-- every period (ADAPT_SECONDS) moves by ADAPT_STEP in the direction that
-- raised the rate last time, reversing when the rate fell. On loopback
-- (bench/bulk.sh) the best window is small (20-100: c-ares 1.18 spends time
-- proportional to the queries in flight on every answer); against a far
-- server the rate is window / round-trip time, so it climbs.
M.START_WINDOW, M.MIN_WINDOW, M.MAX_WINDOW = 50, 10, 4000
M.ADAPT_SECONDS, M.ADAPT_STEP = 0.2, 1.5

local KINDS = { mx = "mx", profile = "profile", verify = "verify" }

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

local function check_opts(opts)
  local o = { kind = "mx" }
  if opts == nil then return o end
  if type(opts) ~= "table" then
    error("bad argument #2 to 'lookup_many' (options table expected, got " .. type(opts) .. ")", 3)
  end
  for k, v in pairs(opts) do
    if k == "kind" then
      if not KINDS[v] then
        error("bad argument #2 to 'lookup_many' (kind must be \"mx\", \"profile\" or \"verify\")", 3)
      end
      o.kind = v
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

function M.lookup_many(r, source, opts)
  local next_name, total = reader(source)
  opts = check_opts(opts)
  r:pending() -- raises if the resolver is closed
  local kind, window, on_progress = opts.kind, opts.concurrency or M.START_WINDOW, opts.on_progress
  local adaptive = opts.concurrency == nil
  local seen = core.seen_set()
  local clock = core.monotonic
  -- finished results: a FIFO of (res, err, code, name) in four parallel rings
  local q_res, q_err, q_code, q_name = {}, {}, {}, {}
  local head, tail = 1, 0 -- items are head..tail
  local inflight, exhausted, done, finished = 0, false, 0, false
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
        inflight = inflight, window = window }
    end
  end

  local function submit(name)
    inflight = inflight + 1
    local call = opts.verify and kind == "verify" and function(n, cb) return r:verify(n, opts.verify, cb) end
      or function(n, cb) return r[kind](r, n, cb) end
    call(name, function(res, err, code)
      inflight = inflight - 1
      push(res or false, err, code, name)
    end)
  end

  local function fill()
    while not exhausted and inflight < window and tail - head + 1 < window do
      local name = next_name()
      if name == nil then
        exhausted = true
      elseif type(name) ~= "string" then
        push(false, "badname: not a string (" .. type(name) .. ")", "badname", name)
      else
        -- duplicates by the name as it will be asked (addresses as given)
        local key = kind == "verify" and name or core.normalize_name(name) or name
        if seen:add(key) then
          submit(name)
        else
          push(false, "duplicate: " .. key .. " was looked up already", "duplicate", name)
        end
      end
    end
  end

  return function()
    while true do
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
        if not open or (exhausted and inflight == 0) then
          finished = true
          report(true)
          return nil
        end
        r:_step()
      end
    end
  end
end

return M
