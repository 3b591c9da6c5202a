-- The resolver contract, one set of cases for every transport. Each case is
-- a function(mxrecord, env) that raises on a broken promise; spec/
-- 13_contract_spec.lua runs them against the plain resolver (c-ares) and,
-- through a test location, against the resolver inside nginx (cosockets),
-- the way c-ares runs its mock-server suite once per event system.
--
-- env: knot (a knotd serving examples/data/companies.test.zone, zone "test"),
-- fault (the fault server), silent (a UDP port that never answers).
local M = {}

local function check(cond, fmt, ...)
  if not cond then error((fmt or "check failed"):format(...), 2) end
end

-- The message of the error fn raises, or nil when it does not raise.
local function raises(fn)
  local ok, err = pcall(fn)
  if ok then return nil end
  return tostring(err)
end

local function expect_raise(fn, pattern)
  local err = raises(fn)
  check(err ~= nil, "expected an error matching %q, got none", pattern)
  check(err:find(pattern), "expected an error matching %q, got %q", pattern, err)
end

local clock = function() return require("mxrecord.core").monotonic() end

M.cases = {}
local function case(name, fn) M.cases[#M.cases + 1] = { name = name, run = fn } end

case("bad server strings raise, naming the problem", function(mx)
  expect_raise(function() mx.resolver { servers = "bogus" } end, "server 'bogus' is not an IPv4 or IPv6 address")
  expect_raise(function() mx.resolver { servers = "192.0.2.1:99999" } end, "port that is not a number from 1 to 65535")
  expect_raise(function() mx.resolver { servers = "[::1" } end, "'%[' without '%]'")
  expect_raise(function() mx.resolver { servers = {} } end, "'servers' is empty")
  expect_raise(function() mx.resolver { servers = { 53 } } end, "servers%[1%] must be a string")
end)

case("server lists: spaces after commas and { host, port } pairs are accepted", function(mx, env)
  local host, port = env.knot:match("^(.*):(%d+)$")
  local r = mx.resolver { servers = env.knot .. ", " .. env.knot, timeout = 1 }
  check(#r:servers() == 2 and r:servers()[2].port == tonumber(port), "two servers expected")
  r:close()
  r = mx.resolver { servers = { { host, tonumber(port) } }, timeout = 1 }
  local res = assert(r:mx("globex.test"))
  check(res.status == "ok", "status %s", res.status)
  r:close()
end)

case("bad option values raise, naming the option", function(mx)
  expect_raise(function() mx.resolver { timeout = "2" } end, "option 'timeout'")
  expect_raise(function() mx.resolver { timeout = 2000 } end, "looks like milliseconds")
  expect_raise(function() mx.resolver { tries = 0 } end, "option 'tries'")
  expect_raise(function() mx.resolver { tries = 1.5 } end, "option 'tries'")
  expect_raise(function() mx.resolver { on_error = 42 } end, "option 'on_error'")
  expect_raise(function() mx.resolver { max_inflight = 0 } end, "option 'max_inflight'")
  expect_raise(function() mx.resolver { rotate = "yes" } end, "option 'rotate'")
  expect_raise(function() mx.resolver { cache = 5 } end, "option 'cache'")
end)

case("unknown options raise, with a hint", function(mx)
  expect_raise(function() mx.resolver { timout = 2 } end, "unknown option 'timout' %(did you mean 'timeout'%?%)")
  expect_raise(function() mx.resolver { nameservers = { "127.0.0.1" } } end,
    "unknown option 'nameservers' %(mxrecord calls it 'servers'%)")
  expect_raise(function() mx.resolver { retrans = 3 } end, "mxrecord calls it 'tries'")
  expect_raise(function() mx.resolver { zzzzzz = 1 } end, "unknown option 'zzzzzz'")
  expect_raise(function() mx:resolver {} end, "a dot, not a colon")
end)

case("the library never reads MXRECORD_SERVERS", function(mx, env)
  -- the test host sets MXRECORD_SERVERS to the knot server; no servers option
  -- means the system's configuration (no query is sent here)
  local r = mx.resolver { timeout = 1 }
  for _, s in ipairs(r:servers()) do
    check(s.address .. ":" .. s.port ~= env.knot, "MXRECORD_SERVERS was read")
  end
  r:close()
end)

case("lookups leave the global math.random alone", function(mx, env)
  math.randomseed(4242)
  local want = { math.random(1, 1e6), math.random(1, 1e6), math.random(1, 1e6) }
  math.randomseed(4242)
  local r = mx.resolver { servers = env.knot, timeout = 1, tries = 1 }
  assert(r:mx("globex.test"))
  r:mx("initech.test", function() end)
  r:run(5)
  r:close()
  local got = { math.random(1, 1e6), math.random(1, 1e6), math.random(1, 1e6) }
  check(got[1] == want[1] and got[2] == want[2] and got[3] == want[3], "math.random's sequence changed")
end)

case("statuses and records", function(mx, env)
  local r = mx.resolver { servers = env.knot, timeout = 1, tries = 1 }
  local res = assert(r:mx("initech.test"))
  check(res.status == "ok" and res.domain == "initech.test", "ok expected")
  check(res.records[1].exchange == "mx0a-00123456.pphosted.com" and res.records[1].preference == 10, "records")
  check(assert(r:mx("soylent.test")).status == "nxdomain", "nxdomain")
  check(assert(r:mx("vandelay.test")).status == "null_mx", "null_mx")
  local t = assert(r:txt("globex.test"))
  check(type(t.records[1]) == "string", "txt records are strings")
  r:close()
end)

case("error codes and texts", function(mx, env)
  local r = mx.resolver { servers = env.knot, timeout = 1, tries = 1 }
  local res, msg, code = r:mx("bad name")
  check(res == nil and code == "badname", "badname expected, got %s", tostring(code))
  check(msg:find("^badname: .*%(bad name MX%)$"), "badname text: %s", msg)
  res, msg, code = r:mx("outside.example") -- knotd refuses names outside its zones
  check(res == nil and code == "refused", "refused expected, got %s", tostring(code))
  check(msg == "refused: the DNS server refused the query (REFUSED) (outside.example MX)", "refused text: %s", msg)
  r:close()
  r = mx.resolver { servers = env.silent, timeout = 0.3, tries = 1 }
  res, msg, code = r:mx("globex.test")
  check(res == nil and code == "timeout", "timeout expected, got %s", tostring(code))
  check(msg == "timeout: no DNS server answered in time (globex.test MX)", "timeout text: %s", msg)
  r:close()
end)

case("failover: a server that fails for the server's sake hands the query on", function(mx, env)
  -- knotd refuses silent.example (not its zone); the fault server is silent for it
  local r = mx.resolver { servers = { env.knot, env.fault }, timeout = 0.3, tries = 1 }
  local _, _, code = r:mx("silent.example")
  check(code == "timeout", "the last server's outcome (timeout) expected, got %s", tostring(code))
  _, _, code = r:mx("servfail.example")
  check(code == "servfail", "servfail expected, got %s", tostring(code))
  r:close()
  -- an answer about the name (nxdomain) ends the query at the first server
  r = mx.resolver { servers = { env.knot, env.fault }, timeout = 0.3, tries = 1 }
  check(assert(r:mx("soylent.test")).status == "nxdomain", "nxdomain from the first server")
  r:close()
end)

case("a dead first server is skipped once it has failed", function(mx, env)
  local r = mx.resolver { servers = { env.silent, env.knot }, timeout = 1, tries = 1 }
  check(assert(r:mx("globex.test")).status == "ok", "first query: answered by the second server")
  check(r:servers()[1].down == true, "the silent server is remembered as down")
  local t0 = clock()
  for _, d in ipairs { "initech.test", "acme-anvils.test", "soylent.test" } do assert(r:mx(d)) end
  check(clock() - t0 < 0.5, "later queries waited for the dead server (%.2f s)", clock() - t0)
  r:close()
end)

case("every query gets exactly one callback", function(mx, env)
  local r = mx.resolver { servers = { env.knot, env.fault }, timeout = 0.3, tries = 1 }
  local calls, names = {}, { "globex.test", "soylent.test", "bad name", "silent.example", "vandelay.test" }
  for i, d in ipairs(names) do
    r:mx(d, function() calls[i] = (calls[i] or 0) + 1 end)
  end
  check(r:run(5) == true, "run() did not finish")
  for i = 1, #names do check(calls[i] == 1, "%s: %s callbacks", names[i], tostring(calls[i])) end
  r:close()
end)

case("close() cancels: each pending callback gets 'cancelled' once, before close() returns", function(mx, env)
  local r = mx.resolver { servers = env.silent, timeout = 5, tries = 1 }
  local calls, codes = {}, {}
  for i = 1, 20 do
    r:mx("q" .. i .. ".example", function(_, _, code)
      calls[i] = (calls[i] or 0) + 1
      codes[i] = code
    end)
  end
  check(r:pending() == 20, "20 pending, got %d", r:pending())
  r:close()
  for i = 1, 20 do
    check(calls[i] == 1 and codes[i] == "cancelled", "query %d: %s calls, %s", i, tostring(calls[i]), tostring(codes[i]))
  end
  check(r:close() == true, "close() is idempotent")
  expect_raise(function() r:mx("globex.test") end, "resolver is closed")
  expect_raise(function() r:pending() end, "resolver is closed")
end)

case("queries a callback starts during close() are cancelled too", function(mx, env)
  local r = mx.resolver { servers = env.silent, timeout = 5, tries = 1 }
  local inner
  r:mx("a.example", function() r:mx("b.example", function(_, _, code) inner = code end) end)
  r:close()
  check(inner == "cancelled", "the inner query: %s", tostring(inner))
end)

case("callback errors go to on_error, the others still run", function(mx, env)
  local seen, ran = {}, 0
  local r = mx.resolver { servers = env.knot, timeout = 1, tries = 1, on_error = function(m) seen[#seen + 1] = m end }
  r:mx("globex.test", function() error("boom in callback") end)
  r:mx("initech.test", function() ran = ran + 1 end)
  r:run(5)
  check(ran == 1, "the other callback ran %d times", ran)
  check(#seen == 1 and seen[1]:find("boom in callback"), "on_error got %d errors", #seen)
  r:close()
end)

case("other record types and the secure flag", function(mx, env)
  local r = mx.resolver { servers = env.knot, timeout = 1, tries = 1 }
  local res = assert(r:query("globex.test", "txt"))
  check(res.status == "ok" and res.secure == nil, "txt through query(), not authenticated by knotd")
  expect_raise(function() r:query("globex.test", "spf") end, "invalid option 'spf'")
  r:close()
end)

-- Whether a and b are equal tables (or values), key by key.
local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  for k, v in pairs(a) do
    if not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

case("lookup_many gives what the single lookups give (mx and profile, through its engine)", function(mx, env)
  local r = mx.resolver { servers = env.knot, timeout = 1, tries = 2, cache = false }
  local names = { "globex.test", "Initech.TEST.", "soylent.test", "vandelay.test", "bad name", "hooli.test",
    "pied-piper.test", "umbrella-corp.test" }
  for _, kind in ipairs { "mx", "profile" } do
    local n = 0
    for res, err, code, name in r:lookup_many(names, { kind = kind }) do
      n = n + 1
      local one, oerr, ocode = r[kind](r, name)
      check(code == ocode, "%s %s: code %s, single %s", kind, name, tostring(code), tostring(ocode))
      if one then
        check(same(res, one), "%s %s: the results differ", kind, name)
      else
        check(res == false and err == oerr, "%s %s: %s, single %s", kind, name, tostring(err), tostring(oerr))
      end
    end
    check(n == #names, "%s: %d results for %d names", kind, n, #names)
  end
  r:close()
end)

-- Runs case i; returns true, or false and the message.
function M.run(i, mx, env)
  local c = M.cases[i]
  if not c then return false, "no case " .. tostring(i) end
  local ok, err = pcall(c.run, mx, env)
  return ok, ok and nil or tostring(err)
end

return M
