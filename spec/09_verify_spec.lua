-- Layer 9: r:verify against knotd (spec/fixtures/verify.test.zone, with
-- query counting) and the fault server.
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"

local function codes(v)
  local out = {}
  for i, r in ipairs(v.reasons) do out[i] = r.code end
  return out
end

describe("r:verify", function()
  local srv, fault, r

  setup(function()
    srv = dns.start { zones = { ["verify.test"] = "spec/fixtures/verify.test.zone" }, count = true }
    fault = dns.start_fault()
  end)

  teardown(function()
    if srv then srv:stop() end
    if fault then fault:stop() end
  end)

  before_each(function()
    r = mxrecord.resolver { servers = { srv.address }, timeout = 1, tries = 2 }
  end)

  after_each(function() r:close() end)

  describe("one domain per reason", function()
    local cases = {
      { "ok", "deliverable", {} },
      { "single", "deliverable", { "single_mx" } },
      { "nosuch", "undeliverable", { "nxdomain" } },
      { "nullmx", "undeliverable", { "null_mx" } },
      { "implicit", "deliverable", { "implicit_mx" } },
      { "nohost", "undeliverable", { "no_mail_host" } },
      { "parked", "undeliverable", { "spf_reject_all" } },
      { "unresolvable", "undeliverable", { "mx_unresolvable" } },
      { "partial", "deliverable", { "mx_partially_unresolvable" } },
      { "bogus-localhost", "undeliverable", { "mx_bogus_target", "single_mx" } },
      { "bogus-ip", "undeliverable", { "mx_bogus_target" } },
      { "bogus-loop", "undeliverable", { "mx_bogus_target" } },
      { "bogus-private", "undeliverable", { "mx_bogus_target" } },
      { "bogus-mixed", "deliverable", { "mx_bogus_target" } },
      { "cname", "deliverable", { "mx_is_cname", "single_mx" } },
      { "cname-broken", "undeliverable", { "mx_unresolvable", "mx_is_cname" } },
    }
    for _, c in ipairs(cases) do
      it(c[1] .. ": " .. c[2] .. " " .. table.concat(c[3], ","), function()
        local v = assert(r:verify("someone@" .. c[1] .. ".verify.test"))
        assert.equals(c[2], v.verdict)
        local want = {}
        for _, code in ipairs(c[3]) do
          if not (code == "single_mx" and c[2] ~= "deliverable") then want[#want + 1] = code end
        end
        assert.same(want, codes(v))
        for _, reason in ipairs(v.reasons) do assert.is_string(reason.message) end
      end)
    end
  end)

  it("gives the whole result shape", function()
    local v = assert(r:verify("Someone@OK.verify.test"))
    assert.equals("Someone@OK.verify.test", v.address)
    assert.equals("Someone", v.local_part)
    assert.equals("OK.verify.test", v.domain)
    assert.equals("ok.verify.test", v.ascii_domain)
    assert.equals("ok", v.mx.status)
    assert.same({
      { host = "mx1.ok.verify.test", addresses = { "192.0.2.10" } },
      { host = "mx2.ok.verify.test", addresses = { "192.0.2.11", "2001:db8::11" } },
    }, v.mail_hosts)
    assert.equals("self", v.provider.category)
  end)

  it("names the hosts behind host-level reasons", function()
    local v = assert(r:verify("x@partial.verify.test"))
    assert.same({ "gone.verify.test" }, v.reasons[1].hosts)
    v = assert(r:verify("x@cname.verify.test"))
    assert.equals("alias.cname.verify.test", v.reasons[1].host)
    assert.equals("mail.cname.verify.test", v.reasons[1].cname)
    v = assert(r:verify("x@bogus-mixed.verify.test"))
    assert.same({ "localhost" }, v.reasons[1].hosts)
  end)

  it("verifies a bare domain the same way", function()
    local v = assert(r:verify("single.verify.test"))
    assert.is_nil(v.address)
    assert.equals("deliverable", v.verdict)
    assert.equals("single.verify.test", v.ascii_domain)
  end)

  it("bad syntax is undeliverable, with the parser's message, and asks no DNS", function()
    local before = srv:counts().total
    for _, a in ipairs { "user@", "two@@ats.verify.test", "nul\0@ok.verify.test", "a@under_score.verify.test",
      ".dot@ok.verify.test", "" } do
      local v = assert(r:verify(a))
      assert.equals("undeliverable", v.verdict, a)
      assert.same({ "bad_syntax" }, codes(v), a)
      assert.is_string(v.reasons[1].message)
    end
    assert.equals(before, srv:counts().total)
  end)

  it("address literals need no DNS: unknown, or undeliverable when private", function()
    local v = assert(r:verify("user@[192.0.2.1]"))
    assert.equals("unknown", v.verdict)
    assert.same({ "address_literal" }, codes(v))
    v = assert(r:verify("user@[10.0.0.1]"))
    assert.equals("undeliverable", v.verdict)
    assert.same({ "address_literal", "mx_bogus_target" }, codes(v))
    assert.equals("undeliverable", r:verify("user@[IPv6:::1]").verdict)
    -- judged by the address, not its spelling
    assert.equals("undeliverable", r:verify("user@[IPv6:0::1]").verdict)
    assert.equals("undeliverable", r:verify("user@[IPv6:0:0:0:0:0:0:0:1]").verdict)
  end)

  it("converts an IDN domain to A-labels before asking", function()
    local v = assert(r:verify("user@b\u{fc}cher.verify.test"))
    assert.equals("xn--bcher-kva.verify.test", v.ascii_domain)
    assert.equals("b\u{fc}cher.verify.test", v.domain)
    assert.same({ "nxdomain" }, codes(v))
  end)

  it("raises for bad arguments", function()
    assert.has_error(function() r:verify(42) end)
    assert.has_error(function() r:verify("a@b.test", 42) end)
    assert.has_error(function() r:verify("a@b.test", { bogus = 1 }) end)
    assert.has_error(function() r:verify("a@b.test", { max_hosts = 0 }) end)
    assert.has_error(function() r:verify("a@b.test", {}, 42) end)
  end)

  it("opts.max_hosts bounds the MX hosts looked at", function()
    local v = assert(r:verify("x@partial.verify.test", { max_hosts = 1 }))
    assert.equals("undeliverable", v.verdict) -- only gone.verify.test was looked at
    assert.equals(1, #v.mail_hosts)
  end)

  describe("asynchronously", function()
    it("calls back once, from run(), never during the call", function()
      local got = {}
      assert.is_true(r:verify("x@ok.verify.test", function(v) got[#got + 1] = v end))
      assert.is_true(r:verify("bad syntax", function(v) got[#got + 1] = v end))
      assert.equals(0, #got)
      assert.is_true(r:run(5))
      assert.equals(2, #got)
    end)

    it("asks each question once: 500 addresses at 5 domains", function()
      local domains = { "ok", "single", "partial", "implicit", "nullmx" }
      local before = srv:counts()
      local verdicts = {}
      for i = 1, 500 do
        local d = domains[i % 5 + 1]
        r:verify(("user%d@%s.verify.test"):format(i, d), function(v) verdicts[d] = (verdicts[d] or 0) + 1 end)
      end
      assert.is_true(r:run(10))
      local after = srv:counts()
      for _, d in ipairs(domains) do assert.equals(100, verdicts[d], d) end
      -- 5 MX; A and AAAA for the 5 distinct mail hosts (mx1.ok, mx2.ok,
      -- mail.single, gone, mail.partial) and for implicit.verify.test;
      -- one TXT for implicit.verify.test
      assert.equals(5, after.MX - (before.MX or 0))
      assert.equals(6, after.A - (before.A or 0))
      assert.equals(6, after.AAAA - (before.AAAA or 0))
      assert.equals(1, (after.TXT or 0) - (before.TXT or 0))
      assert.equals(18, after.total - before.total)
      -- and later questions come from the cache
      r:verify("again@ok.verify.test", function() end)
      r:run(5)
      assert.equals(after.total, srv:counts().total)
      local st = r:cache_stats()
      assert.equals(18, st.asked)
      assert.is_true(st.shared > 0 and st.hits > 0)
    end)

    it("with the cache off, shares only what is in flight", function()
      local rc = mxrecord.resolver { servers = { srv.address }, cache = false }
      local before = srv:counts().total
      for i = 1, 50 do rc:verify("u" .. i .. "@single.verify.test", function() end) end
      rc:run(5)
      assert.equals(3, srv:counts().total - before) -- MX, A, AAAA
      rc:verify("again@single.verify.test", function() end)
      rc:run(5)
      assert.equals(6, srv:counts().total - before)
      rc:close()
    end)

    it("closing the resolver cancels pending verifications", function()
      local got
      r:verify("x@ok.verify.test", function(...) got = { ... } end)
      r:close()
      assert.is_nil(got[1])
      assert.equals("cancelled", got[3])
    end)
  end)

  describe("the cache", function()
    it("expires answers after their TTL (capped by max_ttl)", function()
      local rc = mxrecord.resolver { servers = { srv.address }, cache = { max_ttl = 0.3 } }
      local before = srv:counts().total
      assert(rc:verify("x@single.verify.test"))
      assert(rc:verify("x@single.verify.test"))
      assert.equals(3, srv:counts().total - before)
      local t = require("socket").gettime()
      while require("socket").gettime() - t < 0.4 do require("socket").sleep(0.05) end
      assert(rc:verify("x@single.verify.test"))
      assert.equals(6, srv:counts().total - before)
      rc:close()
    end)

    it("holds at most `size` answers", function()
      local rc = mxrecord.resolver { servers = { srv.address }, cache = { size = 4 } }
      for i = 1, 20 do assert(rc:verify("x@nosuch" .. i .. ".verify.test")) end
      assert.is_true(rc:cache_stats().entries <= 4)
      rc:close()
    end)

    it("reports its size in bytes and stays within max_bytes", function()
      local rc = mxrecord.resolver { servers = { srv.address }, cache = { max_bytes = 4096 } }
      for i = 1, 20 do assert(rc:verify("x@nosuch" .. i .. ".verify.test")) end
      local st = rc:cache_stats()
      assert.is_true(st.bytes > 0 and st.bytes <= 4096, tostring(st.bytes))
      rc:close()
    end)

    it("rejects bad options where the resolver is made", function()
      assert.has_error(function() mxrecord.resolver { cache = { size = 1 } } end)
      assert.has_error(function() mxrecord.resolver { cache = { ttl = 5 } } end)
      assert.has_error(function() mxrecord.resolver { cache = "yes" } end)
      assert.has_error(function() mxrecord.resolver { cache = { error_ttl = -1 } } end)
    end)
  end)

  describe("temporary failures", function()
    local rf

    before_each(function()
      rf = mxrecord.resolver { servers = { fault.address }, timeout = 0.3, tries = 1 }
    end)

    after_each(function() rf:close() end)

    it("are unknown, never undeliverable: on the MX lookup", function()
      for _, name in ipairs { "servfail.example", "refused.example", "silent.example" } do
        local v = assert(rf:verify("user@" .. name))
        assert.equals("unknown", v.verdict, name)
        assert.same({ "temporary" }, codes(v), name)
        assert.is_string(v.reasons[1].error.code)
      end
    end)

    it("are unknown, never undeliverable: on the MX hosts' addresses", function()
      for _, name in ipairs { "mxto-servfail.example", "mxto-silent.example", "mxto-refused.example" } do
        local v = assert(rf:verify("user@" .. name))
        assert.equals("unknown", v.verdict, name)
        assert.same({ "temporary" }, codes(v), name)
        assert.matches("host%.example$", v.reasons[1].host)
      end
    end)

    it("are unknown, never undeliverable: a private A beside a failed AAAA", function()
      for _, name in ipairs { "mxto-by-nodata-private-servfail.example", "by-nodata-loopback-refused-nodata.example" } do
        local v = assert(rf:verify("user@" .. name))
        assert.equals("unknown", v.verdict, name)
        assert.same({ "temporary" }, codes(v), name)
      end
    end)

    it("are cached only briefly (error_ttl)", function()
      local rc = mxrecord.resolver { servers = { fault.address }, timeout = 0.3, tries = 1, cache = { error_ttl = 0 } }
      assert.equals("unknown", rc:verify("user@servfail.example").verdict)
      assert.equals(0, rc:cache_stats().entries)
      rc:close()
    end)
  end)
end)
