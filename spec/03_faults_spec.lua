-- Layer 3: what real servers will not do on request, from the fault server
-- (spec/helpers/fault_server.lua). Each fault maps to a status or code, and
-- nothing waits much beyond timeout * tries per server.
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"
local socket = require "socket"

local TIMEOUT, TRIES = 0.2, 3
-- c-ares 1.18 alone would wait 0.2 + 0.4 + 0.8 = 1.4 s (it doubles the
-- timeout per round); the contract is timeout * tries = 0.6 s per server.
local BOUND = TIMEOUT * TRIES + 0.35

describe("faults", function()
  local fault, knot, r

  setup(function()
    fault = dns.start_fault()
    knot = dns.start()
    r = mxrecord.resolver { servers = { fault.address }, timeout = TIMEOUT, tries = TRIES }
  end)

  teardown(function()
    r:close()
    fault:stop()
    knot:stop()
  end)

  local function timed(name, resolver)
    local t0 = socket.gettime()
    local res, msg, code = (resolver or r):mx(name)
    return res, msg, code, socket.gettime() - t0
  end

  local cases = {
    { "silent", "timeout" },
    { "servfail", "servfail" },
    { "refused", "refused" },
    { "formerr", "formerr" },
    { "short", "timeout" },   -- c-ares drops a packet shorter than a header
    { "wrongid", "timeout" }, -- c-ares drops an answer to a question it did not ask
    { "garbled", "badresp" },
    { "badrdata", "badresp" },
  }
  for _, case in ipairs(cases) do
    it(case[1] .. " -> nil, message, '" .. case[2] .. "' within timeout * tries", function()
      local res, msg, code, took = timed(case[1] .. ".fault.test")
      assert.is_nil(res)
      assert.equals(case[2], code)
      assert.matches("^" .. case[2] .. ": .*" .. case[1] .. "%.fault%.test MX", msg)
      assert.is_true(took < BOUND, string.format("took %.2fs, bound %.2fs", took, BOUND))
    end)
  end

  it("a truncated UDP answer is fetched again over TCP", function()
    local res, msg = timed("tc.fault.test")
    assert.is_nil(msg)
    assert.equals("ok", res.status)
    assert.same({ "mx1.tc.fault.test", "mx2.tc.fault.test", "mx3.tc.fault.test" },
      { res.records[1].exchange, res.records[2].exchange, res.records[3].exchange })
  end)

  it("never reports a timeout as 'no MX'", function()
    local res, _, code = timed("silent.fault.test")
    assert.is_nil(res)
    assert.equals("timeout", code)
  end)

  it("SERVFAIL and REFUSED move on to the next server, which answers", function()
    local both = mxrecord.resolver { servers = { fault.address, knot.address }, timeout = TIMEOUT, tries = TRIES }
    for _, name in ipairs { "servfail.mxrecord.test", "refused.mxrecord.test" } do
      local res, msg = both:mx(name)
      assert.is_nil(msg)
      assert.equals("ok", res.status)
      assert.equals(1, #res.records)
    end
    both:close()
  end)

  it("a silent first server costs one server's budget, then the next answers", function()
    local both = mxrecord.resolver { servers = { fault.address, knot.address }, timeout = TIMEOUT, tries = TRIES }
    -- the fault server is silent for names starting with "silent"; knotd has no such name
    local res, msg, _, took = timed("silent.mxrecord.test", both)
    assert.is_nil(msg)
    assert.equals("nxdomain", res.status)
    assert.is_true(took < BOUND, string.format("took %.2fs", took))
    both:close()
  end)

  it("reports the last server's failure when every server fails", function()
    local two = mxrecord.resolver { servers = { fault.address, fault.address }, timeout = TIMEOUT, tries = 1 }
    local res, _, code = two:mx("refused.fault.test")
    assert.is_nil(res)
    assert.equals("refused", code)
    two:close()
  end)

  it("asynchronous faults arrive through callbacks with the same codes", function()
    local got = {}
    for _, case in ipairs(cases) do
      r:mx(case[1] .. ".fault.test", function(res, _, code) got[case[1]] = res and res.status or code end)
    end
    local t0 = socket.gettime()
    assert.is_true(r:run(10))
    for _, case in ipairs(cases) do assert.equals(case[2], got[case[1]]) end
    -- all in parallel: one budget, not eight
    assert.is_true(socket.gettime() - t0 < BOUND)
  end)

  it("poll() returns at once while a server is silent", function()
    r:mx("silent.fault.test", function() end)
    for _ = 1, 20 do
      local t0 = socket.gettime()
      r:poll()
      assert.is_true(socket.gettime() - t0 < 0.05)
    end
    r:run(5)
  end)

  describe("a port where nothing listens", function()
    -- a UDP port just freed: the kernel answers every datagram with ICMP "port unreachable"
    local function closed_port()
      local u = assert(socket.udp())
      assert(u:setsockname("127.0.0.1", 0))
      local _, port = u:getsockname()
      u:close()
      return "127.0.0.1:" .. port
    end

    it("is connrefused, for one lookup and for every lookup of a burst, never a timeout", function()
      local rc = mxrecord.resolver { servers = { closed_port() }, timeout = 3, tries = 2 }
      local res, _, code = rc:mx("example.test")
      assert.is_nil(res)
      assert.equals("connrefused", code)
      local codes = {}
      for i = 1, 300 do
        rc:mx(("n%d.example.test"):format(i), function(_, _, c) codes[c] = (codes[c] or 0) + 1 end)
      end
      assert.is_true(rc:run(20))
      assert.same({ connrefused = 300 }, codes)
      codes = {}
      local names = {}
      for i = 1, 300 do names[i] = ("m%d.example.test"):format(i) end
      for _, _, c in rc:lookup_many(names, { concurrency = 100 }) do codes[c] = (codes[c] or 0) + 1 end
      assert.same({ connrefused = 300 }, codes)
      rc:close()
    end)
  end)
end)
