-- mxrecord.host: resolvers driven by a host's event loop (cqueues, libuv,
-- Neovim), with blocking-looking calls that yield inside the host's
-- coroutines.
--
-- An adapter is attached to a resolver (r:_state().host) and provides:
--   in_context()      true when the running coroutine may yield to the host
--   wait(is_done)     yields until is_done() is true (woken by wake())
--   wake()            called after the resolver ran callbacks
--   kick()            makes sure the host polls the resolver (after a query)
-- The host's driver calls r:poll() when the resolver's descriptor
-- (r:pollfd()) is readable or r:timeout() expires, then adapter.wake().
--
-- This module wraps the resolver methods once: without an adapter, or
-- outside the host's coroutines, every method behaves as before.
local M = {}

local pack = table.pack or function(...) return { n = select("#", ...), ... } end
local unpack = table.unpack or unpack

local function adapter_of(r)
  local ok, st = pcall(r._state, r)
  return ok and st.host or nil
end

-- Wraps a query method m whose async form is m(r, x, callback) (or with
-- opts before the callback: m(r, x, opts, callback) for nargs == 2).
local function wrap_query(methods, name, nargs)
  local orig = methods[name]
  methods[name] = function(r, ...)
    local a = adapter_of(r)
    if not a then return orig(r, ...) end
    local n = select("#", ...)
    if n > nargs and select(n, ...) ~= nil then
      local res = pack(orig(r, ...)) -- the async form (or a bad argument, which raises)
      a.kick()
      return unpack(res, 1, res.n)
    end
    if not a.in_context() then return orig(r, ...) end
    -- the blocking form inside the host's coroutine: async, then yield until answered
    local args = pack(...)
    local out
    args[nargs + 1] = function(...) out = pack(...) end
    orig(r, unpack(args, 1, nargs + 1))
    a.kick()
    a.wait(function() return out ~= nil end)
    return unpack(out, 1, out.n)
  end
end

function M.install(methods)
  if methods._host_installed then return end
  methods._host_installed = true
  for _, name in ipairs { "mx", "txt", "a", "aaaa", "profile" } do wrap_query(methods, name, 1) end
  local step, post = methods._step, methods._post
  -- _step (the blocking loops of verify and lookup_many): yield instead
  methods._step = function(r)
    local a = adapter_of(r)
    if not (a and a.in_context()) then return step(r) end
    local st = r:_state()
    local tick = st.host_ticks or 0
    a.kick()
    a.wait(function() return (st.host_ticks or 0) ~= tick or not pcall(r.pending, r) end)
    return 0
  end
  methods._post = function(r, fn)
    post(r, fn)
    local a = adapter_of(r)
    if a then a.kick() end
  end
end

-- attach(r, adapter): called by the host modules (mxrecord.cqueues,
-- mxrecord.luv). Returns r.
function M.attach(r, adapter)
  r:_state().host = adapter
  return r
end

-- One turn of a driver: runs due callbacks, counts a tick, wakes waiters.
-- Returns true while the resolver has work, false when it has none or is
-- closed, and the errors callbacks raised (when no on_error took them).
function M.drive(r, adapter)
  local ok, _, errors = pcall(r.poll, r)
  local st = r:_state()
  st.host_ticks = (st.host_ticks or 0) + 1
  adapter.wake()
  local open, pending = pcall(r.pending, r)
  return ok and open and pending > 0, errors
end

return M
