-- Layer 2: the resolver against a real authoritative server (knotd) on
-- loopback, serving spec/fixtures/mxrecord.test.zone.
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"

describe("resolver against knotd", function()
  local srv, r

  setup(function()
    srv = dns.start()
    r = mxrecord.resolver { servers = { srv.address }, timeout = 1, tries = 2 }
  end)

  teardown(function()
    if r then r:close() end
    if srv then srv:stop() end
  end)

  describe("mx", function()
    it("returns records sorted by preference, lower case, no trailing dot, with TTLs", function()
      local res, err = r:mx("ok.mxrecord.test")
      assert.is_nil(err)
      assert.equals("ok", res.status)
      assert.equals("ok.mxrecord.test", res.domain)
      assert.same({
        { preference = 10, exchange = "mx1.ok.mxrecord.test", ttl = 600 },
        { preference = 20, exchange = "mx2.ok.mxrecord.test", ttl = 600 },
        { preference = 30, exchange = "backup.example.net", ttl = 600 },
      }, res.records)
      assert.equals(600, res.ttl)
    end)

    it("accepts upper case and a trailing dot, and reports the normalised name", function()
      local res = assert(r:mx("OK.MXRecord.Test."))
      assert.equals("ok.mxrecord.test", res.domain)
      assert.equals(3, #res.records)
      res = assert(r:mx("Deep.A.B.C.D.mxrecord.test"))
      assert.equals("mail.deep.mxrecord.test", res.records[1].exchange)
    end)

    it("orders equal preferences by exchange name", function()
      local res = assert(r:mx("tie.mxrecord.test"))
      assert.equals("a.tie.mxrecord.test", res.records[1].exchange)
      assert.equals("b.tie.mxrecord.test", res.records[2].exchange)
    end)

    it("says nxdomain, with the SOA's negative TTL", function()
      local res = assert(r:mx("no-such-name.mxrecord.test"))
      assert.equals("nxdomain", res.status)
      assert.same({}, res.records)
      assert.equals(60, res.ttl) -- min(SOA TTL 3600, MINIMUM 60)
    end)

    it("says nodata for a name without MX", function()
      local res = assert(r:mx("nodata.mxrecord.test"))
      assert.equals("nodata", res.status)
      assert.same({}, res.records)
    end)

    it("says null_mx for RFC 7505's single '0 .'", function()
      local res = assert(r:mx("nullmx.mxrecord.test"))
      assert.equals("null_mx", res.status)
      assert.same({}, res.records)
      assert.equals(450, res.ttl)
    end)

    it("drops a root exchange that stands beside real ones", function()
      local res = assert(r:mx("mixednull.mxrecord.test"))
      assert.equals("ok", res.status)
      assert.same({ { preference = 10, exchange = "mx.mixednull.mxrecord.test", ttl = 300 } }, res.records)
    end)

    it("follows a CNAME and names the canonical name", function()
      local res = assert(r:mx("alias.mxrecord.test"))
      assert.equals("ok", res.status)
      assert.equals("alias.mxrecord.test", res.domain)
      assert.equals("ok.mxrecord.test", res.cname)
      assert.equals(3, #res.records)
    end)

    it("gets an MX set too large for UDP over TCP", function()
      local res, err = r:mx("big.mxrecord.test")
      assert.is_nil(err)
      assert.equals(120, #res.records)
      for i, rec in ipairs(res.records) do
        assert.equals(i, rec.preference)
        assert.equals(string.format("mailhost%03d-%s.cluster%03d.example.net", i, string.rep("x", 40), i), rec.exchange)
      end
    end)
  end)

  describe("txt", function()
    it("joins a record's character-strings and returns each record", function()
      local res = assert(r:txt("txt.mxrecord.test"))
      assert.equals("ok", res.status)
      local got = {}
      for _, s in ipairs(res.records) do got[s] = true end
      assert.same({
        ["v=spf1 include:_spf.google.com include:spf.protection.outlook.com ~all"] = true,
        ["second record"] = true,
      }, got)
    end)

    it("keeps NUL bytes and empty strings", function()
      assert.same({ "a\0b" }, assert(r:txt("binary.mxrecord.test")).records)
      assert.same({ "" }, assert(r:txt("emptytxt.mxrecord.test")).records)
    end)

    it("says nodata and nxdomain", function()
      assert.equals("nodata", assert(r:txt("ok.mxrecord.test")).status)
      assert.equals("nxdomain", assert(r:txt("none.mxrecord.test")).status)
    end)
  end)

  describe("a and aaaa", function()
    it("return addresses with TTLs", function()
      local res = assert(r:a("addr.mxrecord.test"))
      table.sort(res.records, function(x, y) return x.address < y.address end)
      assert.same({ { address = "192.0.2.1", ttl = 240 }, { address = "192.0.2.2", ttl = 240 } }, res.records)
      res = assert(r:aaaa("addr.mxrecord.test"))
      table.sort(res.records, function(x, y) return x.address < y.address end)
      assert.same({ { address = "2001:db8::1", ttl = 180 }, { address = "2001:db8::2", ttl = 180 } }, res.records)
    end)

    it("say nodata when only the other family exists", function()
      assert.equals("nodata", assert(r:aaaa("nodata.mxrecord.test")).status)
      assert.equals("ok", assert(r:a("nodata.mxrecord.test")).status)
    end)
  end)

  describe("query (other types)", function()
    it("PTR, TLSA and CNAME records, blocking and with a callback", function()
      local res = assert(r:query("7.2.0.192.in-addr.mxrecord.test", "ptr"))
      assert.same({ target = "mx1.ok.mxrecord.test", ttl = res.records[1].ttl }, res.records[1])
      res = assert(r:query("_25._tcp.mx1.ok.mxrecord.test", "tlsa"))
      assert.same({ 3, 1, 1, "deadbeef" },
        { res.records[1].usage, res.records[1].selector, res.records[1].mtype, res.records[1].data })
      local got
      r:query("autodiscover.ok.mxrecord.test", "cname", function(c) got = c end)
      r:run(5)
      assert.equals("autodiscover.outlook.com", got.records[1].target)
    end)

    it("several root MX records are a null MX", function()
      assert.equals("null_mx", assert(r:mx("tworoots.mxrecord.test")).status)
    end)

    it("an unknown type raises, naming the choices", function()
      assert.has_error(function() r:query("ok.mxrecord.test", "spf") end)
      assert.has_error(function() r:query("ok.mxrecord.test") end)
    end)
  end)

  describe("asynchronous form", function()
    it("returns at once and runs callbacks from poll()/run() only", function()
      local got = {}
      for _, name in ipairs { "ok", "nodata", "nullmx", "nope" } do
        assert.is_true(r:mx(name .. ".mxrecord.test", function(res, err, code)
          got[name] = res and res.status or code
        end))
      end
      assert.same({}, got) -- nothing ran inside the calls
      assert.equals(4, r:pending())
      assert.is_true(r:run(5))
      assert.same({ ok = "ok", nodata = "nodata", nullmx = "null_mx", nope = "nxdomain" }, got)
      assert.equals(0, r:pending())
    end)

    it("can be driven by poll() alone, which never blocks", function()
      local done = 0
      for i = 1, 50 do
        r:a("addr.mxrecord.test", function(res) if res and res.status == "ok" then done = done + 1 end end)
      end
      local polls = 0
      while r:pending() > 0 and polls < 100000 do
        r:poll()
        polls = polls + 1
      end
      assert.equals(50, done)
    end)

    it("exposes sockets and a deadline for a host's own loop", function()
      assert.is_nil(r:timeout()) -- nothing pending
      local fds = r:fds()
      assert.is_table(fds)
      local answered
      r:mx("ok.mxrecord.test", function(res) answered = res.status end)
      local t = r:timeout()
      assert.is_number(t)
      assert.is_true(t > 0 and t <= 2)
      local list, events = r:fds()
      assert.is_true(#list >= 1)
      assert.is_number(list[1])
      assert.matches("^r?w?$", events[1])
      r:run(5)
      assert.equals("ok", answered)
    end)

    it("gives the same results as the blocking form", function()
      local async
      r:mx("ok.mxrecord.test", function(res) async = res end)
      r:run(5)
      assert.same(assert(r:mx("ok.mxrecord.test")), async)
    end)
  end)
end)

describe("resolver with an unreachable server listed first", function()
  local srv
  setup(function() srv = dns.start() end)
  teardown(function() srv:stop() end)

  it("moves on to the next server", function()
    local silent = dns.free_port() -- nobody listens there
    local r = mxrecord.resolver { servers = { "127.0.0.1:" .. silent, srv.address }, timeout = 0.3, tries = 1 }
    local res, err = r:mx("ok.mxrecord.test")
    assert.is_nil(err)
    assert.equals("ok", res.status)
    r:close()
  end)
end)
