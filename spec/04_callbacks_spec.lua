-- Layer 4: callback discipline. Errors in callbacks are caught and reported,
-- callbacks may query or close, close() and garbage collection with
-- queries in flight deliver "cancelled" exactly once.
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"

describe("callbacks", function()
  local srv, fault

  setup(function()
    srv = dns.start()
    fault = dns.start_fault()
  end)
  teardown(function()
    srv:stop()
    fault:stop()
  end)

  local function new(opts)
    opts = opts or {}
    opts.servers = opts.servers or { srv.address }
    opts.timeout = opts.timeout or 1
    opts.tries = opts.tries or 1
    return mxrecord.resolver(opts)
  end

  it("an error in one callback is returned by run() with a traceback; the others still run", function()
    local r = new()
    local ran = 0
    r:mx("ok.mxrecord.test", function() error("boom in callback") end)
    for _ = 1, 3 do r:mx("ok.mxrecord.test", function() ran = ran + 1 end) end
    local done, errs = r:run(5)
    assert.is_true(done)
    assert.equals(3, ran)
    assert.equals(1, #errs)
    assert.matches("boom in callback", errs[1])
    assert.matches("stack traceback", errs[1])
    -- still usable
    assert.equals("ok", assert(r:mx("ok.mxrecord.test")).status)
    r:close()
  end)

  it("poll() returns the count and the errors too", function()
    local r = new()
    r:mx("ok.mxrecord.test", function() error({ "a table" }) end)
    local n, errs
    repeat n, errs = r:poll() until n > 0
    assert.equals(1, n)
    assert.matches("error object is a table", errs[1])
    r:close()
  end)

  it("an on_error handler receives the errors instead", function()
    local seen = {}
    local r = new { on_error = function(msg) seen[#seen + 1] = msg end }
    r:mx("ok.mxrecord.test", function() error("first") end)
    r:mx("ok.mxrecord.test", function() error("second") end)
    local done, errs = r:run(5)
    assert.is_true(done)
    assert.is_nil(errs)
    assert.equals(2, #seen)
    r:close()
  end)

  it("an on_error handler that fails itself is reported, not lost", function()
    local r = new { on_error = function() error("handler broke") end }
    r:mx("ok.mxrecord.test", function() error("cb broke") end)
    local _, errs = r:run(5)
    assert.matches("handler broke", errs[1])
    r:close()
  end)

  it("a callback may issue new queries, blocking or not", function()
    local r = new()
    local chain = {}
    r:mx("ok.mxrecord.test", function(res)
      chain[#chain + 1] = res.status
      local a = assert(r:a("mx1.ok.mxrecord.test")) -- blocking, inside a callback
      chain[#chain + 1] = a.status
      r:txt("txt.mxrecord.test", function(t) chain[#chain + 1] = t.status end)
    end)
    assert.is_true(r:run(5))
    assert.same({ "ok", "ok", "ok" }, chain)
    r:close()
  end)

  it("a callback may close the resolver; the rest get 'cancelled' exactly once", function()
    local r = new { servers = { fault.address }, timeout = 2 }
    local calls = {}
    r:mx("nxd.fault.test", function()
      calls.first = (calls.first or 0) + 1
      r:close()
    end)
    for i = 1, 5 do
      r:mx("silent.q" .. i .. ".fault.test", function(res, msg, code)
        calls[i] = (calls[i] or 0) + 1
        assert.is_nil(res)
        assert.equals("cancelled", code)
        assert.matches("cancelled", msg)
      end)
    end
    r:run(5)
    assert.equals(1, calls.first)
    for i = 1, 5 do assert.equals(1, calls[i]) end
    assert.has_error(function() r:mx("ok.mxrecord.test") end, "resolver is closed")
  end)

  it("using a closed resolver raises 'resolver is closed'; close() is idempotent", function()
    local r = new()
    assert.is_true(r:close())
    assert.is_true(r:close())
    for _, m in ipairs { "mx", "txt", "a", "aaaa" } do
      assert.has_error(function() r[m](r, "ok.mxrecord.test") end, "resolver is closed")
    end
    for _, m in ipairs { "poll", "run", "pending", "fds", "timeout" } do
      assert.has_error(function() r[m](r) end, "resolver is closed")
    end
    assert.matches("closed", tostring(r))
  end)

  it("queries a callback starts while close() runs are cancelled, not raised, and their callbacks run too", function()
    local r = new { servers = { fault.address } }
    local blocking, async
    r:mx("silent.fault.test", function()
      blocking = { r:mx("ok.mxrecord.test") }
      r:a("ok.mxrecord.test", function(...) async = { ... } end)
    end)
    local _, errs = r:close()
    assert.is_nil(errs)
    assert.same({ nil, "cancelled: the resolver is closing (ok.mxrecord.test MX)", "cancelled" }, blocking)
    assert.equals("cancelled", async[3])
    assert.has_error(function() r:mx("ok.mxrecord.test") end, "resolver is closed")
  end)

  it("close() with 1,000 queries in flight cancels each exactly once, before it returns", function()
    local r = new { servers = { fault.address }, timeout = 5 }
    local counts, n = {}, 1000
    for i = 1, n do
      r:mx("silent.q" .. i .. ".fault.test", function(_, _, code)
        counts[i] = (counts[i] or 0) + 1
        assert.equals("cancelled", code)
      end)
    end
    assert.equals(n, r:pending())
    r:poll()
    r:close()
    for i = 1, n do assert.equals(1, counts[i]) end
  end)

  it("garbage collection with 1,000 queries in flight frees them and runs no callback", function()
    local calls, n = 0, 1000
    local weak = setmetatable({}, { __mode = "v" })
    do
      local r = new { servers = { fault.address }, timeout = 5 }
      weak[1] = r
      for i = 1, n do
        r:mx("silent.q" .. i .. ".fault.test", function() calls = calls + 1 end)
      end
      r:poll()
    end
    collectgarbage()
    collectgarbage()
    assert.is_nil(weak[1])
    assert.equals(0, calls)
  end)

  it("a resolver referenced only by its own callbacks is still collected, silently", function()
    local calls = 0
    local weak = setmetatable({}, { __mode = "v" })
    do
      local r = new { servers = { fault.address }, timeout = 5 }
      weak[1] = r
      for i = 1, 10 do
        r:mx("silent.q" .. i .. ".fault.test", function()
          calls = calls + 1
          local _ = r -- the callback holds the resolver
        end)
      end
    end
    collectgarbage()
    collectgarbage()
    assert.is_nil(weak[1])
    assert.equals(0, calls)
  end)

  it("a finaliser that closes the resolver while an answer is being converted is safe (issue 10, item 1)", function()
    -- Each converted answer allocates; a finaliser armed for every
    -- allocation cycle closes the resolver in the middle of conversions.
    for _ = 1, 20 do
      local r = new()
      local got = {}
      for i = 1, 30 do r:mx("ok.mxrecord.test", function(res, _, code) got[i] = res and res.status or code end) end
      local function arm()
        setmetatable({}, { __gc = function() pcall(r.close, r) end })
      end
      for _ = 1, 50 do arm() end
      -- blocking: converts 120 records while finalisers run (or finds the resolver closed by one already)
      local ok, res = pcall(r.mx, r, "big.mxrecord.test")
      assert.is_true((ok and (res == nil or #res.records == 120)) or (not ok and res:find("resolver is closed")) ~= nil)
      pcall(r.run, r, 5)
      r:close()
      for i = 1, 30 do assert.is_truthy(got[i]) end -- every callback ran once, answered or cancelled
    end
  end)

  it("a to-be-closed resolver (<close>) cancels and runs every callback, like close()", function()
    if _VERSION ~= "Lua 5.4" then return pending("<close> is Lua 5.4") end
    local chunk = assert(load([[
      local new, addr = ...
      local calls = 0
      do
        local r <close> = new { servers = { addr }, timeout = 5 }
        for i = 1, 5 do r:mx("silent.q" .. i .. ".fault.test", function(_, _, code)
          if code == "cancelled" then calls = calls + 1 end
        end) end
      end
      return calls
    ]]))
    assert.equals(5, chunk(new, fault.address))
  end)

  it("pending() counts answered queries until their callbacks ran", function()
    local r = new()
    local ran = false
    r:mx("ok.mxrecord.test", function() ran = true end)
    -- let the answer arrive without dispatching: a blocking query does that
    assert(r:a("addr.mxrecord.test"))
    assert.is_false(ran)
    assert.equals(1, r:pending())
    assert.equals(0, r:timeout()) -- a callback is ready: poll now
    r:poll()
    assert.is_true(ran)
    assert.equals(0, r:pending())
    r:close()
  end)

  it("run(timeout) returns false when queries are still pending", function()
    local r = new { servers = { fault.address }, timeout = 2 }
    r:mx("silent.fault.test", function() end)
    assert.is_false(r:run(0.1))
    assert.equals(1, r:pending())
    r:close()
  end)
end)
