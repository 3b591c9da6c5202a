-- Layer 14: hardening (issue 10), one describe per item: hostile answers
-- from the fault server (spec/helpers/fault_server.lua), closes and
-- finalisers driven deterministically (collectgarbage() on an object whose
-- __gc closes the resolver).
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"
local verify = require "mxrecord.verify"

local function codes(v)
  local out = {}
  for i, r in ipairs(v.reasons) do out[i] = r.code end
  return out
end

-- An object whose finaliser runs f (tables have no __gc on Lua 5.1/LuaJIT).
local function on_gc(f)
  if newproxy then
    local p = newproxy(true)
    getmetatable(p).__gc = f
    return p
  end
  return setmetatable({}, { __gc = f })
end

describe("hardening", function()
  local fault, knot, rf

  setup(function()
    fault = dns.start_fault()
    knot = dns.start { zones = { ["verify.test"] = "spec/fixtures/verify.test.zone" } }
  end)

  teardown(function()
    if fault then fault:stop() end
    if knot then knot:stop() end
  end)

  before_each(function()
    rf = mxrecord.resolver { servers = { fault.address }, timeout = 0.3, tries = 1 }
  end)

  after_each(function() rf:close() end)

  describe("item 3: a temporary failure never becomes undeliverable", function()
    it("a mail host with a private or loopback A and an AAAA lookup that failed is unknown", function()
      for _, host in ipairs { "by-nodata-private-servfail", "by-nodata-loopback-refused", "by-nodata-private-silent",
        "by-nodata-servfail-loopback" } do
        local v = assert(rf:verify("user@mxto-" .. host .. ".example"))
        assert.equals("unknown", v.verdict, host)
        assert.same({ "temporary" }, codes(v), host)
        assert.equals(host .. ".host.example", v.reasons[1].host)
        assert.is_string(v.reasons[1].error.code)
      end
    end)

    it("with every lookup answered, private addresses are still undeliverable", function()
      local v = assert(rf:verify("user@mxto-by-nodata-private-loopback.example"))
      assert.equals("undeliverable", v.verdict)
      assert.same({ "mx_bogus_target" }, codes(v))
    end)

    it("the implicit MX path: a private A beside a failed AAAA is unknown", function()
      local v = assert(rf:verify("user@by-nodata-private-servfail-nodata.example"))
      assert.equals("unknown", v.verdict)
      assert.same({ "temporary" }, codes(v))
      v = assert(rf:verify("user@by-nodata-private-nodata-nodata.example"))
      assert.equals("undeliverable", v.verdict)
      assert.same({ "mx_bogus_target" }, codes(v))
    end)

    it("spf_reject_all needs the A/AAAA lookups answered", function()
      local v = assert(rf:verify("user@by-nodata-servfail-silent-spfall.example"))
      assert.equals("unknown", v.verdict)
      assert.same({ "temporary" }, codes(v))
      v = assert(rf:verify("user@by-nodata-public-nodata-spfall.example"))
      assert.equals("undeliverable", v.verdict)
      assert.same({ "spf_reject_all" }, codes(v))
    end)

    it("an address on the implicit path with the TXT lookup failed is unknown (its SPF might say -all)", function()
      local v = assert(rf:verify("user@by-nodata-public-nodata-servfail.example"))
      assert.equals("unknown", v.verdict)
      assert.same({ "temporary" }, codes(v))
      assert.equals("servfail", v.reasons[1].error.code)
    end)
  end)

  describe("item 4: an interrupted verification is cancelled, never undeliverable", function()
    it("close() while the MX hosts' addresses are in flight: nil, message, 'cancelled'", function()
      local r = mxrecord.resolver { servers = { fault.address }, timeout = 5, tries = 1 }
      local got, calls = nil, 0
      r:verify("user@mxto-by-nodata-silent-silent.example", function(...)
        calls = calls + 1
        got = { ... }
      end)
      while r:cache_stats().asked < 3 do r:poll() end -- the MX answered; A and AAAA asked
      r:close()
      assert.equals(1, calls)
      assert.is_nil(got[1])
      assert.equals("cancelled", got[3])
    end)

    it("the resolver collected by a finaliser in the middle: cancelled", function()
      local r = mxrecord.resolver { servers = { fault.address }, timeout = 5, tries = 1 }
      local got, calls = nil, 0
      r:verify("user@mxto-by-nodata-silent-silent.example", function(...)
        calls = calls + 1
        got = { ... }
      end)
      while r:cache_stats().asked < 3 do r:poll() end
      local hook = on_gc(function() r:close() end)
      hook = nil -- luacheck: ignore
      collectgarbage()
      collectgarbage()
      assert.equals(1, calls)
      assert.equals("cancelled", got[3])
    end)

    it("a host lookup that cannot be made (out of memory) ends the verify with 'nomem'", function()
      local r = mxrecord.resolver { servers = { knot.address }, timeout = 1, tries = 1 }
      local methods = getmetatable(r).__index
      local real_a = methods.a
      local got, calls = nil, 0
      r:verify("x@ok.verify.test", function(...)
        calls = calls + 1
        got = { ... }
      end)
      methods.a = function() error("not enough memory") end
      local ok, err = pcall(r.run, r, 2)
      methods.a = real_a
      assert(ok, err)
      r:close()
      assert.equals(1, calls)
      assert.is_nil(got[1])
      assert.equals("nomem", got[3])
    end)

    it("lookup_many closed inside the loop yields no false verdicts", function()
      local r = mxrecord.resolver { servers = { fault.address }, timeout = 5, tries = 1 }
      local names = {}
      for i = 1, 5 do names[i] = "bad syntax " .. i end
      for i = 6, 40 do names[i] = ("u@mxto-by-nodata-silent-silent.n%d.example"):format(i) end
      local seen, verdicts, cancelled = 0, {}, 0
      for res, _, code in r:lookup_many(names, { kind = "verify", concurrency = 20 }) do
        seen = seen + 1
        if seen == 5 then
          -- let the MX answers in, so that the hosts' lookups are in flight
          while r:cache_stats().asked < 17 do r:poll() end
          r:close()
        end
        if res then
          verdicts[res.verdict] = (verdicts[res.verdict] or 0) + 1
        elseif code == "cancelled" then
          cancelled = cancelled + 1
        end
      end
      assert.equals(5, verdicts.undeliverable) -- the five bad syntax
      assert.is_true(cancelled > 0)
      assert.equals(seen, 5 + cancelled)
    end)
  end)

  describe("item 5: callbacks are not lost", function()
    it("an MX answer not yet dispatched at close(): the verify callback runs once, cancelled", function()
      local r = mxrecord.resolver { servers = { knot.address }, timeout = 1, tries = 1 }
      local calls, got = 0, nil
      r:verify("x@ok.verify.test", function(...)
        calls = calls + 1
        got = { ... }
      end)
      -- blocking lookups take only their own answer: the MX one stays queued
      require("socket").sleep(0.05)
      assert(r:txt("ok.verify.test"))
      assert.equals(0, calls)
      local ok, errs = r:close()
      assert.is_true(ok)
      assert.is_nil(errs)
      assert.equals(1, calls)
      assert.is_nil(got[1])
      assert.equals("cancelled", got[3])
    end)

    it("the same, closed by a finaliser", function()
      local r = mxrecord.resolver { servers = { knot.address }, timeout = 1, tries = 1 }
      local calls, code = 0, nil
      r:verify("x@single.verify.test", function(_, _, c)
        calls = calls + 1
        code = c
      end)
      require("socket").sleep(0.05)
      assert(r:txt("single.verify.test"))
      local hook = on_gc(function() r:close() end)
      hook = nil -- luacheck: ignore
      collectgarbage()
      collectgarbage()
      assert.equals(1, calls)
      assert.equals("cancelled", code)
    end)

    it("one raising callback does not stop the others waiting on the same question", function()
      local r = mxrecord.resolver { servers = { fault.address }, timeout = 5, tries = 1 }
      local calls = { 0, 0, 0 }
      for i = 1, 3 do
        r:verify("user" .. i .. "@silent.example", function()
          calls[i] = calls[i] + 1
          if i == 1 then error("boom from the first") end
        end)
      end
      local ok, errs = r:close()
      assert.is_true(ok)
      assert.same({ 1, 1, 1 }, calls)
      assert.is_table(errs)
      assert.matches("boom from the first", errs[1])
    end)

    it("a callback raising from poll() is reported and the shared others still run", function()
      local r = mxrecord.resolver { servers = { knot.address }, timeout = 1, tries = 1, cache = false }
      local calls = { 0, 0, 0 }
      for i = 1, 3 do
        r:verify("user" .. i .. "@ok.verify.test", function(v)
          calls[i] = calls[i] + 1
          assert(v.verdict == "deliverable")
          if i == 2 then error("boom from the second") end
        end)
      end
      local done, errs = r:run(5)
      assert.is_true(done)
      assert.same({ 1, 1, 1 }, calls)
      assert.matches("boom from the second", errs[1])
      r:close()
    end)
  end)

  describe("item 2 (verify side): root MX records end every verification", function()
    for _, name in ipairs { "rootmx", "rootmx2" } do
      it(name .. ": undeliverable, not a wait for zero hosts", function()
        local v = assert(rf:verify("user@" .. name .. ".example"))
        assert.equals("undeliverable", v.verdict)
        assert.same({ "null_mx" }, codes(v))
        local got
        rf:verify("user@" .. name .. ".example", function(w) got = w end)
        assert.is_true(rf:run(2))
        assert.equals("undeliverable", got.verdict)
      end)
    end
  end)

  describe("item 6 (verify side): one host listed twice", function()
    it("is a single MX host", function()
      local v = assert(rf:verify("user@dupmx.example"))
      assert.equals("deliverable", v.verdict)
      assert.same({ "single_mx" }, codes(v))
    end)

    it("max_hosts does not make two hosts a single one", function()
      local r = mxrecord.resolver { servers = { knot.address }, timeout = 1, tries = 1 }
      local v = assert(r:verify("x@ok.verify.test", { max_hosts = 1 }))
      assert.equals("deliverable", v.verdict)
      assert.same({}, codes(v))
      r:close()
    end)
  end)

  describe("item 7: the cache is bounded in bytes", function()
    it("huge answers: the estimate stays under max_bytes, and so does the memory held", function()
      local max = 3 * 1024 * 1024
      local r = mxrecord.resolver { servers = { fault.address }, timeout = 2, tries = 1, cache = { max_bytes = max } }
      collectgarbage()
      collectgarbage()
      local base = collectgarbage("count") * 1024
      for i = 1, 30 do
        local v = assert(r:verify(("u@huge-1000.d%d.example"):format(i), { max_hosts = 1 }))
        assert.equals(1000, #v.mx.records)
      end
      local st = r:cache_stats()
      assert.is_true(st.bytes <= max, "estimate " .. tostring(st.bytes))
      assert.is_true(st.entries > 0 and st.entries < 30)
      collectgarbage()
      collectgarbage()
      local held = collectgarbage("count") * 1024 - base
      -- 30 answers of 1,000 records would hold ~6.5 MB
      assert.is_true(held < max * 1.25, ("held %.0f KB"):format(held / 1024))
      r:close()
    end)

    it("an answer larger than an eighth of max_bytes is not kept", function()
      local r = mxrecord.resolver { servers = { fault.address }, timeout = 2, tries = 1,
        cache = { max_bytes = 1024 * 1024 } }
      assert(r:verify("u@huge-1000.big.example", { max_hosts = 1 }))
      assert(r:verify("u@huge-1000.big.example", { max_hosts = 1 }))
      assert.equals(0, r:cache_stats().hits)
      r:close()
    end)

    it("rejects a bad max_bytes", function()
      assert.has_error(function() mxrecord.resolver { cache = { max_bytes = 10 } } end)
      assert.has_error(function() mxrecord.resolver { cache = { max_bytes = 1e6 + 0.5 } } end)
      assert.has_error(function() mxrecord.resolver { cache = { max_bytes = "big" } } end)
    end)
  end)

  describe("item 8: results are the caller's own", function()
    it("editing a verify result does not change later verdicts", function()
      local r = mxrecord.resolver { servers = { knot.address }, timeout = 1, tries = 1 }
      local v = assert(r:verify("x@ok.verify.test"))
      local first = #v.mx.records
      for i = #v.mx.records, 1, -1 do v.mx.records[i] = nil end
      v.mx.status = "nxdomain"
      local w = assert(r:verify("y@ok.verify.test"))
      assert.equals("deliverable", w.verdict)
      assert.equals("ok", w.mx.status)
      assert.equals(first, #w.mx.records)
      assert.are_not.equal(v.mx, w.mx)
      w.mail_hosts[1].addresses[1] = "127.0.0.1"
      assert.equals("192.0.2.10", assert(r:verify("z@ok.verify.test")).mail_hosts[1].addresses[1])
      r:close()
    end)
  end)

  describe("item 9: lower", function()
    it("a valid bare domain of 244-253 octets verifies", function()
      local long = ("a"):rep(63) .. "." .. ("b"):rep(63) .. "." .. ("c"):rep(63) .. "." .. ("d"):rep(53) .. ".example"
      assert.equals(253, #long)
      local v = assert(rf:verify(long))
      assert.same({ "nxdomain" }, codes(v)) -- the fault server's NXDOMAIN, not bad_syntax
      assert.equals(long, v.ascii_domain)
      v = assert(rf:verify(long:upper():sub(1, 245)))
      assert.are_not.same({ "bad_syntax" }, codes(v))
      v = assert(rf:verify(long .. "x"))
      assert.same({ "bad_syntax" }, codes(v))
      v = assert(rf:verify(("a_"):rep(100) .. ".example"))
      assert.same({ "bad_syntax" }, codes(v))
      v = assert(rf:verify(("-a"):rep(100) .. ".example"))
      assert.same({ "bad_syntax" }, codes(v))
    end)

    it("IPv6 literals are judged by the address, not the spelling", function()
      for _, lit in ipairs { "::1", "0::1", "0:0:0:0:0:0:0:1", "::", "::ffff:127.0.0.1", "FE80::1", "fd12:3456::9",
        "::ffff:10.0.0.1" } do
        local v = assert(rf:verify("user@[IPv6:" .. lit .. "]"))
        assert.equals("undeliverable", v.verdict, lit)
      end
      for _, lit in ipairs { "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "::ffff:192.0.2.1" } do
        assert.equals("unknown", assert(rf:verify("user@[IPv6:" .. lit .. "]")).verdict, lit)
      end
    end)

    it("parse_ipv6 follows inet_pton", function()
      assert.same({ 0, 0, 0, 0, 0, 0, 0, 1 }, verify.parse_ipv6("::1"))
      assert.same({ 1, 0, 0, 0, 0, 0, 0, 0 }, verify.parse_ipv6("1::"))
      assert.same({ 0x2001, 0xdb8, 0, 0, 0, 0, 0xc000, 0x0201 }, verify.parse_ipv6("2001:db8::192.0.2.1"))
      assert.same({ 1, 2, 3, 4, 5, 6, 7, 8 }, verify.parse_ipv6("1:2:3:4:5:6:7:8"))
      for _, bad in ipairs { "", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::1.2.3",
        "1.2.3.4::", "::01.2.3.4", "::256.1.1.1", "1:2:3:4:5:6:7::8", ":1::", "1::2:", "g::" } do
        assert.is_nil(verify.parse_ipv6(bad), bad)
      end
      -- differential: the C parser (inet_pton) accepts exactly what parse_ipv6 accepts
      local parts = { "0", "1", "ffff", "FFFF", "00000", "abcd", "::", ":", ".", "127", "0.0.0.1", "255", "256", "01",
        "g", "12345", "1.2.3.4" }
      local seed = 12345
      local function rand(n) -- a fixed sequence on every Lua
        seed = (seed * 1103515245 + 12345) % 2147483648
        return seed % n + 1
      end
      for _ = 1, 20000 do
        local t = {}
        for _ = 1, rand(9) do t[#t + 1] = parts[rand(#parts)] end
        local lit = table.concat(t)
        if #lit < 58 then
          local c = mxrecord.parse_address("a@[IPv6:" .. lit .. "]") ~= nil
          assert.equals(c, verify.parse_ipv6(lit) ~= nil, lit)
        end
      end
      assert.is_false(verify.bogus_address("not an address"))
      assert.is_true(verify.bogus_address("10.0.0.1"))
      assert.is_false(verify.bogus_address("192.0.2.1"))
    end)
  end)
end)
