-- mxrecord.host: the "host" plug point: who waits. Resolvers driven by a
-- host's event loop (cqueues, libuv, Neovim, nginx) get blocking-looking
-- calls that yield inside the host's coroutines instead of blocking.
--
-- An adapter is attached to a resolver (host.attach(r, adapter)) and provides:
--   in_context()      true when the running coroutine may yield to the host
--   wait(is_done)     yields until is_done() is true (woken by wake())
--   wake()            called after the resolver ran callbacks
--   kick()            makes sure the host polls the resolver (after a query)
-- The host's driver calls r:poll() when the resolver's descriptor
-- (r:pollfd()) is readable or r:timeout() expires, then adapter.wake().
--
-- Attaching gives the resolver this module's method table (a resolver class
-- of its own): resolvers without a host keep the C methods as they are and
-- pay nothing for host support.
local core = require "mxrecord.core"

local M = {}

local base = core.resolver_methods
local pack = table.pack or function(...) return { n = select("#", ...), ... } end
local unpack = table.unpack or unpack

-- Methods of host-driven resolvers: anything not here is the base method.
M.methods = setmetatable({}, { __index = base })

local function adapter_of(r)
  return r:_state().host
end

-- Argument checks before a wrapped call, in the public function's name.
function M.check_name(name, fname, n)
  if type(name) ~= "string" then
    error(("bad argument #%d to '%s' (domain name (string) expected, got %s)"):format(n or 1, fname, type(name)), 3)
  end
end

-- Wraps method `name` whose async form is m(r, <nargs arguments>, callback).
local function wrap_query(name, nargs)
  M.methods[name] = function(r, ...)
    local a = adapter_of(r)
    local orig = base[name]
    local n = select("#", ...)
    if n > nargs and select(n, ...) ~= nil then
      local res = pack(orig(r, ...)) -- the async form (or a bad argument, which raises)
      a.kick()
      return unpack(res, 1, res.n)
    end
    if not a.in_context() then return orig(r, ...) end
    -- the blocking form inside the host's coroutine: async, then yield until answered
    local args = pack(...)
    if nargs >= 1 then M.check_name(args[1], name) end
    local out
    args[nargs + 1] = function(...) out = pack(...) end
    orig(r, unpack(args, 1, nargs + 1))
    a.kick()
    a.wait(function() return out ~= nil end)
    return unpack(out, 1, out.n)
  end
end

for _, name in ipairs { "mx", "txt", "a", "aaaa", "profile" } do wrap_query(name, 1) end
wrap_query("query", 2)

-- _step (the blocking loops of verify and lookup_many): yield instead
function M.methods._step(r)
  local a = adapter_of(r)
  if not a.in_context() then return base._step(r) end
  local st = r:_state()
  local tick = st.host_ticks or 0
  a.kick()
  a.wait(function() return (st.host_ticks or 0) ~= tick or not pcall(r.pending, r) end)
  return 0
end

-- _wait (the blocking form of r:profile and the Lua layers): yield until the
-- query has completed (or the resolver is closed).
function M.methods._wait(r, token)
  local a = adapter_of(r)
  if not a.in_context() then return base._wait(r, token) end
  a.kick()
  a.wait(function() return not r:_inflight(token) end)
  return base._wait(r, token)
end

function M.methods._post(r, fn)
  local token = base._post(r, fn)
  adapter_of(r).kick()
  return token
end

M.class = core.resolver_class(M.methods)

-- attach(r, adapter): called by the host modules (mxrecord.cqueues,
-- mxrecord.luv). Returns r.
function M.attach(r, adapter)
  r:_state().host = adapter
  r:_class(M.class)
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
