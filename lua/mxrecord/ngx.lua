-- mxrecord.ngx: inside OpenResty / lua-nginx-module, the same resolver with
-- another transport and host.
--
-- `require "mxrecord"` inside nginx gives resolvers whose packets nginx
-- cosockets carry (ngx.socket.udp, and ngx.socket.tcp when an answer is
-- truncated). Everything else is the C resolver's: options and server
-- syntax, the packets (with unpredictable message IDs), which server is
-- asked and how often, deadlines, answers checked against the question,
-- error codes and texts, close() semantics, and exactly one callback per
-- query. This file only carries attempts (r:_outgoing / r:_feed) and decides
-- who waits:
--   - blocking-looking forms (r:mx(name), r:profile(name), r:verify(a),
--     r:lookup_many(...)) carry their own attempts in the calling coroutine
--     and so yield to nginx instead of blocking the worker;
--   - callback forms carry each query in a light thread (ngx.thread.spawn)
--     of the current request or timer, which then runs that query's
--     callback (never another request's) in the same context.
--
-- Cosockets exist in rewrite/access/content handlers, ngx.timer callbacks
-- and a few more phases; elsewhere (init_by_lua*, set_by_lua*, log_by_lua*,
-- header/body filters, balancer) a lookup raises an error that names the
-- phase and says what to do instead.
local core = require "mxrecord.core"
local ngx = ngx -- luacheck: ignore

local M = {}

local base = core.resolver_methods
local COSOCKET_PHASES = {
  rewrite = true, access = true, content = true, timer = true, ssl_cert = true, ssl_session_fetch = true,
  ssl_client_hello = true, preread = true,
}

local function check_phase(what, level)
  local phase = ngx.get_phase()
  if not COSOCKET_PHASES[phase] then
    error(("mxrecord: %s needs nginx cosockets, which the '%s' phase does not offer "
      .. "(init_by_lua*, set_by_lua*, log_by_lua*, header/body filters and balancers have none): "
      .. "look up in a rewrite, access or content handler, or in an ngx.timer.at callback started from here")
      :format(what, phase), level or 3)
  end
end

-- ---- the transport: one attempt, one exchange ---------------------------------

local function truncated(pkt)
  return #pkt >= 3 and pkt:byte(3) % 4 >= 2 -- TC is bit 1 of the third octet
end

local function id_of(pkt)
  return pkt:byte(1) * 256 + pkt:byte(2)
end

-- Over TCP (after a truncated UDP answer): the answer's bytes, or nil, code.
local function exchange_tcp(host, port, packet, timeout_ms)
  local tcp = ngx.socket.tcp()
  tcp:settimeout(timeout_ms)
  local ok, err = tcp:connect(host, port)
  if not ok then return nil, err == "timeout" and "timeout" or "connrefused" end
  local n = #packet
  ok, err = tcp:send(string.char(math.floor(n / 256), n % 256) .. packet)
  local len = ok and tcp:receive(2)
  local body
  if len then body, err = tcp:receive(len:byte(1) * 256 + len:byte(2)) end
  tcp:close()
  if not body then return nil, err == "timeout" and "timeout" or "badresp" end
  return body
end

-- One try at one server: the answer's bytes, or nil, code ("timeout",
-- "connrefused", "badresp"). Answers with another message ID (late answers,
-- forgeries) are not ours: keep listening until the deadline.
local function exchange(host, port, packet, id, timeout)
  local timeout_ms = math.max(1, math.floor(timeout * 1000 + 0.5))
  local udp = ngx.socket.udp()
  udp:settimeout(timeout_ms)
  local ok, err = udp:setpeername(host, port)
  if not ok then return nil, "connrefused" end
  ok, err = udp:send(packet)
  if not ok then
    udp:close()
    return nil, "connrefused"
  end
  local deadline = ngx.now() + timeout
  local data
  while true do
    data, err = udp:receive()
    if not data then
      udp:close()
      return nil, err == "timeout" and "timeout" or "connrefused"
    end
    if #data >= 12 and id_of(data) == id then break end
    local left = deadline - ngx.now()
    if left <= 0 then
      udp:close()
      return nil, "timeout"
    end
    udp:settimeout(math.max(1, math.floor(left * 1000)))
  end
  udp:close()
  if truncated(data) then return exchange_tcp(host, port, packet, timeout_ms) end
  return data
end

-- Carries every attempt of query `token` until it has completed (or the
-- resolver is closed). Returns whether any I/O happened (a yield).
local function carry(r, token)
  local yielded = false
  while true do
    local ok, attempt, host, port, packet, id, timeout = pcall(r._outgoing, r, token)
    if not ok or not attempt then return yielded end
    yielded = true
    local bytes, code = exchange(host, port, packet, id, timeout)
    r:_feed(attempt, bytes, code)
  end
end

-- ---- the host: who waits ---------------------------------------------------------

local methods = setmetatable({}, { __index = base })

local function state(r)
  return r:_state().ngx
end

-- After a thread ran a query's callback: wake the blocking loops (_step).
local function progress(r)
  local sema = state(r).sema
  local waiting = sema:count() -- negative: that many threads wait in _step
  sema:post(waiting < 0 and -waiting or 1)
end

-- Callbacks run from Lua here, not from C: they may spawn threads or use
-- cosockets, which yield, and LuaJIT cannot yield across a C call.
local function call(r, cb, ...)
  local ok, err = xpcall(cb, debug.traceback, ...)
  if not ok then r:_report(err) end
end

local function run_callback(r, cb, ...)
  if cb then call(r, cb, ...) end
end

local function closing(r)
  return state(r).closing
end

-- A light thread that carries query `token` and then runs its callback.
local function spawn_carrier(r, token)
  if closing(r) then return end -- close() runs what its callbacks start
  ngx.thread.spawn(function()
    if not carry(r, token) then ngx.sleep(0.001) end -- never during the call that made the query
    run_callback(r, r:_take(token))
    progress(r)
  end)
end

local function lookup(name, nargs)
  methods[name] = function(r, ...)
    check_phase("a DNS lookup")
    local n = select("#", ...)
    local cb = select(n, ...)
    if n > nargs and cb ~= nil then
      local ok, token = base[name](r, ...)
      spawn_carrier(r, token)
      return ok, token
    end
    local args = { ... }
    local qtype = name == "query" and args[2] or name
    if type(args[1]) ~= "string" then
      error(("bad argument #1 to '%s' (domain name (string) expected, got %s)"):format(name, type(args[1])), 2)
    end
    local token = base._start(r, qtype, args[1])
    carry(r, token)
    return base._wait(r, token)
  end
end
for _, name in ipairs { "mx", "txt", "a", "aaaa" } do lookup(name, 1) end
lookup("query", 2)

function methods._start(r, qtype, name)
  check_phase("a DNS lookup")
  local token = base._start(r, qtype, name)
  if not closing(r) then
    ngx.thread.spawn(function()
      carry(r, token)
      progress(r)
    end)
  end
  return token
end

function methods._wait(r, token)
  while r:_inflight(token) do
    if not carry(r, token) then state(r).sema:wait(1) end
  end
  return base._wait(r, token)
end

function methods._post(r, fn)
  local token = base._post(r, fn)
  spawn_carrier(r, token)
  return token
end

-- Waits until some thread of this resolver ran a callback (or a deadline).
-- It always yields: work may be under way that is no query of this
-- resolver (a second cache level's cosocket), and a loop around _step must
-- not spin the worker meanwhile.
function methods._step(r)
  base.pending(r) -- raises if closed
  state(r).sema:wait(state(r).max_wait)
  return 1
end

-- Callbacks run in their carrier threads: poll() has nothing left to run.
function methods.poll(r)
  base.pending(r) -- raises if closed
  return 0
end

function methods.run(r, timeout)
  if timeout ~= nil and (type(timeout) ~= "number" or not (timeout >= 0)) then
    error("bad argument #1 to 'run' (timeout must be a number of seconds >= 0)", 2)
  end
  local deadline = timeout and ngx.now() + timeout
  while r:pending() > 0 do
    if deadline and ngx.now() >= deadline then return false end
    state(r).sema:wait(deadline and math.max(0.001, deadline - ngx.now()) or state(r).max_wait)
  end
  return true
end

-- close(): the C resolver's close, with the callbacks run from Lua.
function methods.close(r)
  if not r:_begin_close() then return true end
  local st = state(r)
  st.closing = true
  local function step(token, cb, ...)
    if not token then return false end
    if cb then call(r, cb, ...) end
    return true
  end
  while step(r:_next()) do end
  st.closing = false
  local ok, errors = r:_end_close()
  progress(r)
  return ok, errors
end

function methods.timeout(r)
  base.pending(r)
  return nil
end

M.class = core.resolver_class(methods)
M.methods = methods

-- resolver(opts): opts as for the C resolver (already without the Lua
-- layers' options); the transport is always "external" here.
function M.resolver(opts)
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.transport = "external"
  if o.on_error == nil then
    o.on_error = function(msg) ngx.log(ngx.ERR, "mxrecord: error in a callback: ", msg) end
  end
  local r = core.resolver(o)
  local semaphore = require "ngx.semaphore"
  local servers = #r:servers()
  r:_state().ngx = {
    sema = semaphore.new(),
    max_wait = (o.timeout or 2) * (o.tries or 2) * servers + 1,
  }
  r:_class(M.class)
  return r
end

return M
