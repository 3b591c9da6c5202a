-- mxrecord.ngx: the resolver inside OpenResty / lua-nginx-module.
--
-- `require "mxrecord"` inside nginx gives resolvers of this kind: the same
-- methods and results as elsewhere, but every query travels over nginx
-- cosockets (ngx.socket.udp, and ngx.socket.tcp when an answer is
-- truncated), built and parsed by the module's C code (build_query,
-- parse_answer). The blocking-looking forms (r:mx(name), r:profile(name),
-- r:verify(a), r:lookup_many(...)) yield to nginx instead of blocking the
-- worker. The callback forms run their queries in light threads
-- (ngx.thread.spawn) of the current request or timer.
--
-- Cosockets exist in rewrite/access/content handlers, ngx.timer callbacks
-- and a few more phases; elsewhere (init_by_lua*, set_by_lua*, log_by_lua*,
-- header/body filters, balancer) a lookup raises an error that names the
-- phase and says what to do instead.
local core = require "mxrecord.core"
local ngx = ngx -- luacheck: ignore

local M = {}

math.randomseed(math.floor(ngx.now() * 1000) + ngx.worker.pid() * 7919) -- message IDs

local COSOCKET_PHASES = {
  rewrite = true, access = true, content = true, timer = true, ssl_cert = true, ssl_session_fetch = true,
  ssl_client_hello = true, preread = true,
}

local function check_phase(what)
  local phase = ngx.get_phase()
  if not COSOCKET_PHASES[phase] then
    error(("mxrecord: %s needs nginx cosockets, which the '%s' phase does not offer "
      .. "(init_by_lua*, set_by_lua*, log_by_lua*, header/body filters and balancers have none): "
      .. "look up in a rewrite, access or content handler, or in an ngx.timer.at callback started from here")
      :format(what, phase), 3)
  end
end

-- "ip:port,[v6]:port,ip" or a list -> { {host=, port=}, ... }
local function parse_servers(spec)
  local list = {}
  local items = {}
  if type(spec) == "table" then
    items = spec
  elseif type(spec) == "string" then
    for item in spec:gmatch("[^,%s]+") do items[#items + 1] = item end
  end
  for _, item in ipairs(items) do
    local host, port = item:match("^%[([^%]]+)%]:(%d+)$")
    if not host then host = item:match("^%[([^%]]+)%]$") end
    if not host then host, port = item:match("^([^:]+):(%d+)$") end
    if not host then host = item end
    list[#list + 1] = { host = host, port = tonumber(port) or 53 }
  end
  if #list == 0 then -- the system's
    local f = io.open("/etc/resolv.conf")
    if f then
      for line in f:lines() do
        local ns = line:match("^%s*nameserver%s+(%S+)")
        if ns then list[#list + 1] = { host = ns, port = 53 } end
      end
      f:close()
    end
  end
  return list
end

local NEXT_SERVER = {
  timeout = true, servfail = true, refused = true, connrefused = true, formerr = true, notimp = true,
  badresp = true,
}

local Resolver = {}
Resolver.__index = Resolver

local function truncated(pkt)
  return #pkt >= 3 and pkt:byte(3) % 4 >= 2 -- TC is bit 1 of the third octet
end

-- One exchange with one server: the answer's bytes, or nil, code.
local function exchange(srv, pkt, id, timeout_ms)
  local udp = ngx.socket.udp()
  udp:settimeout(timeout_ms)
  local ok, err = udp:setpeername(srv.host, srv.port)
  if not ok then return nil, err and err:find("refused") and "connrefused" or "connrefused" end
  ok = udp:send(pkt)
  if not ok then
    udp:close()
    return nil, "connrefused"
  end
  local deadline = ngx.now() + timeout_ms / 1000
  local data
  while true do
    data, err = udp:receive()
    if not data then
      udp:close()
      return nil, err == "timeout" and "timeout" or "connrefused"
    end
    if #data >= 12 and data:byte(1) * 256 + data:byte(2) == id then break end
    if ngx.now() >= deadline then
      udp:close()
      return nil, "timeout"
    end -- another ID: a late answer to an earlier try; keep listening
  end
  udp:close()
  if truncated(data) then -- again over TCP
    local tcp = ngx.socket.tcp()
    tcp:settimeout(timeout_ms)
    ok = tcp:connect(srv.host, srv.port)
    if not ok then return nil, "connrefused" end
    local n = #pkt
    ok = tcp:send(string.char(math.floor(n / 256), n % 256) .. pkt)
    local len = ok and tcp:receive(2)
    local body = len and tcp:receive(len:byte(1) * 256 + len:byte(2))
    tcp:close()
    if not body then return nil, "timeout" end
    data = body
  end
  return data
end

-- The whole query: each server in turn (timeout x tries each), as the
-- c-ares path does. Returns what r:mx() returns.
function Resolver:_query(qtype, name)
  check_phase("a DNS lookup")
  local id = math.random(0, 65535)
  local pkt, norm = core.build_query(name, qtype, id)
  if not pkt then return nil, norm, "badname" end -- norm is the message here
  local last_msg, last_code
  for _, srv in ipairs(self.servers) do
    for _ = 1, self.tries do
      local data, code = exchange(srv, pkt, id, self.timeout_ms)
      if data then
        local res, msg, rcode = core.parse_answer(data, qtype, norm)
        if res or not NEXT_SERVER[rcode] then return res, msg, rcode end
        last_msg, last_code = msg, rcode
        break -- the server answered badly: the next server
      end
      last_code = code
      last_msg = ("%s: %s (%s %s)"):format(code, code == "timeout" and "no DNS server answered in time"
        or "the DNS server could not be reached", norm, qtype:upper())
      if code ~= "timeout" then break end
    end
  end
  if not last_code then return nil, "noserver: no DNS servers configured (" .. norm .. ")", "noserver" end
  return nil, last_msg, last_code
end

-- ---- the resolver interface (see the C resolver) ---------------------------

-- Runs fn(defer) in a light thread; fn calls defer() before anything that
-- must not happen during the call that spawned the thread (a callback).
local function spawn(self, fn)
  check_phase("a DNS lookup")
  self.inflight = self.inflight + 1
  local returned = false
  local function defer()
    -- the thread has not yielded yet (no I/O happened): let the spawner return first
    if not returned then ngx.sleep(0.001) end
  end
  local th = ngx.thread.spawn(function()
    local ok, err = pcall(fn, defer)
    self.inflight = self.inflight - 1
    local waiting = self.sema:count() -- negative: that many threads wait in _step
    self.sema:post(waiting < 0 and -waiting or 1)
    if not ok then
      if self.on_error then
        self.on_error(err)
      else
        ngx.log(ngx.ERR, "mxrecord: error in a callback: ", err)
      end
    end
  end)
  returned = true
  return th
end

for _, qtype in ipairs { "mx", "txt", "a", "aaaa" } do
  Resolver[qtype] = function(self, name, callback)
    if self.closed then error("resolver is closed", 2) end
    if type(name) ~= "string" then
      error("bad argument #1 to '" .. qtype .. "' (domain name (string) expected, got " .. type(name) .. ")", 2)
    end
    if callback == nil then return self:_query(qtype, name) end
    if type(callback) ~= "function" then error("bad argument #2 to '" .. qtype .. "' (function expected)", 2) end
    spawn(self, function(defer)
      local res, msg, code = self:_query(qtype, name)
      defer()
      callback(res, msg, code)
    end)
    return true
  end
end

function Resolver:_start(qtype, name)
  local out = {}
  local th = spawn(self, function()
    out.n, out[1], out[2], out[3] = 3, self:_query(qtype, name)
  end)
  return { thread = th, out = out }
end

function Resolver:_wait(token)
  ngx.thread.wait(token.thread)
  return token.out[1], token.out[2], token.out[3]
end

function Resolver:_post(fn)
  spawn(self, function(defer)
    defer()
    fn()
  end)
end

-- Waits until some light thread of this resolver finished.
function Resolver:_step()
  if self.inflight == 0 then return 0 end
  self.sema:wait(self.timeout_ms / 1000 * self.tries * #self.servers + 1)
  return 1
end

function Resolver:pending()
  if self.closed then error("resolver is closed", 2) end
  return self.inflight
end

function Resolver:_state() return self.state end

function Resolver:poll() return 0 end

function Resolver:run()
  while self.inflight > 0 do self:_step() end
  return true
end

function Resolver:close()
  self.closed = true
  return true
end

function Resolver:timeout() return nil end

M.Resolver = Resolver

-- resolver{ servers =, timeout =, tries =, cache =, on_error = }
function M.resolver(opts)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "servers" and k ~= "timeout" and k ~= "tries" and k ~= "cache" and k ~= "on_error" then
      error("mxrecord.resolver: unknown option '" .. tostring(k) .. "'", 2)
    end
  end
  local semaphore = require "ngx.semaphore"
  local self = setmetatable({
    servers = parse_servers(opts.servers or os.getenv("MXRECORD_SERVERS")),
    timeout_ms = math.floor((opts.timeout or 2) * 1000),
    tries = opts.tries or 2,
    on_error = opts.on_error,
    inflight = 0,
    sema = semaphore.new(),
    state = { cache_option = opts.cache },
  }, Resolver)
  return self
end

-- True inside nginx's Lua module.
function M.available()
  return type(ngx) == "table" and type(ngx.socket) == "table" and type(ngx.get_phase) == "function"
end

return M
