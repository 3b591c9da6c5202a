-- Layer 2: the answer parser on hand-made DNS messages (no network):
-- only records owned by the question's name (or its CNAME chain) count,
-- the question must be ours, root MX records mean null MX, duplicate hosts
-- are kept once, and the newer record types come out in their shapes.
local core = require "mxrecord.core"

local function u16(n) return string.char(math.floor(n / 256) % 256, n % 256) end
local function u32(n) return u16(math.floor(n / 65536) % 65536) .. u16(n % 65536) end

local function name(s)
  if s == "." or s == "" then return "\0" end
  local out = {}
  for label in s:gmatch("[^.]+") do out[#out + 1] = string.char(#label) .. label end
  return table.concat(out) .. "\0"
end

local TYPES = { A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, TLSA = 52 }

-- msg{ id =, qname =, qtype =, rcode =, ad =, qd = false (no question), answers = { {owner, type, rdata, ttl} } }
local function msg(m)
  local flags = 0x8180 + (m.rcode or 0) + (m.ad and 0x20 or 0)
  local q = m.qd == false and "" or (name(m.qname) .. u16(TYPES[m.qtype]) .. u16(1))
  local rrs = {}
  for _, a in ipairs(m.answers or {}) do
    local owner = a[1] == "@q" and "\192\12" or name(a[1])
    rrs[#rrs + 1] = owner .. u16(TYPES[a[2]]) .. u16(1) .. u32(a[4] or 300) .. u16(#a[3]) .. a[3]
  end
  return u16(m.id or 1) .. u16(flags) .. u16(m.qd == false and 0 or 1) .. u16(#rrs) .. u16(0) .. u16(0) .. q
    .. table.concat(rrs)
end

local function mx(pref, host) return u16(pref) .. name(host) end
local function a(ip)
  local o = {}
  for n in ip:gmatch("%d+") do o[#o + 1] = string.char(tonumber(n)) end
  return table.concat(o)
end

local function parse(m, qtype, qname)
  return core.parse_answer(msg(m), qtype, qname)
end

describe("answer parser", function()
  describe("names in RDATA", function()
    it("come out lower-cased with c-ares' presentation escapes", function()
      local odd = "\4a.b;" .. "\3x\0y" .. "\5MAIL$" .. "\4Test\0" -- labels "a.b;", "x<NUL>y", "MAIL$", "Test"
      local res = parse({ qname = "d.test", qtype = "MX", answers = { { "@q", "MX", u16(10) .. odd } } }, "mx", "d.test")
      assert.equals("ok", res.status)
      assert.equals("a\\.b\\;.x\\000y.mail\\$.test", res.records[1].exchange)
    end)

    it("a name of more than 255 octets makes the answer badresp", function()
      local long = ("a"):rep(60)
      local host = table.concat({ long, long, long, long, "test" }, ".") -- 4 x 61 + 5 + 1 = 250 octets: fits
      local ok = parse({ qname = "d.test", qtype = "MX", answers = { { "@q", "MX", mx(10, host) } } }, "mx", "d.test")
      assert.equals(host, ok.records[1].exchange)
      local res, _, code = parse({ qname = "d.test", qtype = "MX",
        answers = { { "@q", "MX", mx(10, long .. "." .. host) } } }, "mx", "d.test")
      assert.is_nil(res)
      assert.equals("badresp", code)
    end)
  end)

  describe("root MX records", function()
    it("two root exchanges ('0 .' and '10 .') are a null MX, not ok without records", function()
      local res = parse({ qname = "d.test", qtype = "MX", answers = {
        { "@q", "MX", mx(0, ".") }, { "@q", "MX", mx(10, ".") } } }, "mx", "d.test")
      assert.equals("null_mx", res.status)
      assert.same({}, res.records)
    end)

    it("'0 .' twice is a null MX", function()
      local res = parse({ qname = "d.test", qtype = "MX", answers = {
        { "@q", "MX", mx(0, ".") }, { "@q", "MX", mx(0, ".") } } }, "mx", "d.test")
      assert.equals("null_mx", res.status)
    end)

    it("a root exchange beside real ones is dropped", function()
      local res = parse({ qname = "d.test", qtype = "MX", answers = {
        { "@q", "MX", mx(0, ".") }, { "@q", "MX", mx(10, "mx.d.test") } } }, "mx", "d.test")
      assert.equals("ok", res.status)
      assert.equals(1, #res.records)
      assert.equals("mx.d.test", res.records[1].exchange)
    end)
  end)

  it("a host listed twice is kept once, with its lowest preference", function()
    local res = parse({ qname = "d.test", qtype = "MX", answers = {
      { "@q", "MX", mx(20, "a.d.test") }, { "@q", "MX", mx(10, "b.d.test") }, { "@q", "MX", mx(5, "A.d.test") } } },
      "mx", "d.test")
    assert.equals(2, #res.records)
    assert.same({ 5, "a.d.test" }, { res.records[1].preference, res.records[1].exchange })
    assert.same({ 10, "b.d.test" }, { res.records[2].preference, res.records[2].exchange })
  end)

  describe("owner names", function()
    it("records owned by another name are not the answer", function()
      local res = parse({ qname = "otherowner.evil.test", qtype = "MX", answers = {
        { "evil.example", "MX", mx(10, "mx.evil.example") } } }, "mx", "otherowner.evil.test")
      assert.equals("nodata", res.status)
      assert.same({}, res.records)
    end)

    it("owner names match without regard to case", function()
      local res = parse({ qname = "d.test", qtype = "A", answers = { { "D.TEST", "A", a("192.0.2.1") } } }, "a", "d.test")
      assert.equals("192.0.2.1", res.records[1].address)
    end)

    it("a CNAME chain is followed, and only its names' records count", function()
      local res = parse({ qname = "www.x.test", qtype = "A", answers = {
        { "www.x.test", "CNAME", name("a.x.test") },
        { "a.x.test", "CNAME", name("b.x.test") },
        { "c.x.test", "A", a("198.51.100.9") },
        { "b.x.test", "A", a("192.0.2.7") },
      } }, "a", "www.x.test")
      assert.equals("ok", res.status)
      assert.equals("b.x.test", res.cname)
      assert.equals(1, #res.records)
      assert.equals("192.0.2.7", res.records[1].address)
    end)

    it("a CNAME loop is a bad answer, not the queried name as its own alias", function()
      local res, err, code = parse({ qname = "l.test", qtype = "A", answers = {
        { "l.test", "CNAME", name("m.test") }, { "m.test", "CNAME", name("l.test") } } }, "a", "l.test")
      assert.is_nil(res)
      assert.equals("badresp", code)
      assert.matches("CNAME chain loops", err)
    end)

    it("an NXDOMAIN carries no records, whatever the answer section holds", function()
      local res = parse({ qname = "gone.test", qtype = "MX", rcode = 3, answers = {
        { "@q", "MX", mx(10, "mx.gone.test") } } }, "mx", "gone.test")
      assert.equals("nxdomain", res.status)
      assert.same({}, res.records)
    end)
  end)

  describe("the question", function()
    it("an answer to another name is refused", function()
      local res, err, code = parse({ qname = "other.test", qtype = "MX", answers = {
        { "@q", "MX", mx(10, "mx.other.test") } } }, "mx", "asked.test")
      assert.is_nil(res)
      assert.equals("badresp", code)
      assert.matches("not for the question asked", err)
    end)

    it("an answer to another type is refused", function()
      local _, _, code = parse({ qname = "d.test", qtype = "TXT", answers = {} }, "mx", "d.test")
      assert.equals("badresp", code)
    end)

    it("an answer without a question section is refused", function()
      local _, _, code = parse({ qd = false, answers = {} }, "mx", "d.test")
      assert.equals("badresp", code)
    end)
  end)

  describe("record types", function()
    it("PTR, NS and CNAME give targets", function()
      local res = parse({ qname = "1.2.0.192.in-addr.arpa", qtype = "PTR", answers = {
        { "@q", "PTR", name("Mail.Example.TEST") } } }, "ptr", "1.2.0.192.in-addr.arpa")
      assert.same({ target = "mail.example.test", ttl = 300 }, res.records[1])
      res = parse({ qname = "d.test", qtype = "NS", answers = { { "@q", "NS", name("ns1.d.test") } } }, "ns", "d.test")
      assert.equals("ns1.d.test", res.records[1].target)
      res = parse({ qname = "autodiscover.d.test", qtype = "CNAME", answers = {
        { "@q", "CNAME", name("autodiscover.outlook.com") } } }, "cname", "autodiscover.d.test")
      assert.equals("autodiscover.outlook.com", res.records[1].target)
    end)

    it("TLSA gives usage, selector, matching type and the data in hex", function()
      local res = parse({ qname = "_25._tcp.mx.d.test", qtype = "TLSA", answers = {
        { "@q", "TLSA", "\3\1\1\222\173\190\239" } } }, "tlsa", "_25._tcp.mx.d.test")
      assert.same({ usage = 3, selector = 1, mtype = 1, data = "deadbeef", ttl = 300 }, res.records[1])
    end)

    it("the AD bit says the answer was authenticated", function()
      local res = parse({ qname = "d.test", qtype = "A", ad = true, answers = { { "@q", "A", a("192.0.2.1") } } },
        "a", "d.test")
      assert.is_true(res.secure)
      res = parse({ qname = "d.test", qtype = "A", answers = { { "@q", "A", a("192.0.2.1") } } }, "a", "d.test")
      assert.is_nil(res.secure)
    end)

    it("an unknown type name raises", function()
      assert.has_error(function() core.parse_answer(msg { qname = "d.test", qtype = "A" }, "spf", "d.test") end)
    end)
  end)

  it("queries ask for authenticated data, with the ID given", function()
    local pkt = core.build_query("d.test", "tlsa", 0x1234)
    assert.equals(0x12, pkt:byte(1))
    assert.equals(0x34, pkt:byte(2))
    assert.equals(0x01, pkt:byte(3))    -- RD
    assert.equals(0x20, pkt:byte(4))    -- AD
    assert.equals(52, pkt:byte(12 + #name("d.test") + 2)) -- QTYPE TLSA
  end)
end)
