-- Layer 15: SPF (RFC 7208 check_host) — the record parser and macros, the
-- openspf conformance suites fed from a table through the sans-I/O
-- evaluator, then the RFC 7208 suite served by knotd (one root zone per
-- scenario; TIMEOUT entries through scripts/spf_timeout_proxy.lua) and asked
-- with r:spf_check.
local mxrecord = require "mxrecord"
local spf = require "mxrecord.spf"
local dns = require "spec.helpers.dns_server"
local socket = require "socket"
local suite = dofile("spec/fixtures/spf/suite.lua")

-- ok, why: whether res meets test t (one of its results; its explanation,
-- "DEFAULT" meaning none of the domain's own).
local function meets(t, res)
  local ok = false
  for _, r in ipairs(t.result) do
    if r == res.result then ok = true end
  end
  if not ok then
    return false, ("want %s, got %s (%s)"):format(table.concat(t.result, "|"), res.result,
      table.concat(res.problems or {}, "; "))
  end
  if t.explanation and res.result == "fail" then
    if t.explanation == "DEFAULT" then
      if res.explanation ~= nil then return false, "want the default explanation, got " .. res.explanation end
    elseif (res.explanation or ""):lower() ~= t.explanation:lower() then
      -- compared without case: the suite writes %{ir} nibbles in upper case, RFC 7208 7.4 in lower
      return false, ("want explanation %q, got %q"):format(t.explanation, tostring(res.explanation))
    end
  end
  return true
end

describe("SPF records", function()
  it("parses every mechanism and modifier", function()
    local rec = assert(spf.parse("v=spf1 +all -include:_spf.example.com ~a a:x.example.com/24//64 mx/30 ?ptr " ..
      "ptr:example.org ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{i}.bl.example.net redirect=_spf.example.com " ..
      "exp=why.%{d} foo=bar"))
    local kinds, q = {}, {}
    for i, t in ipairs(rec.terms) do kinds[i], q[i] = t.kind, t.qualifier end
    assert.same({ "all", "include", "a", "a", "mx", "ptr", "ptr", "ip4", "ip6", "exists", "redirect", "exp",
      "modifier" }, kinds)
    assert.same({ "+", "-", "~", "+", "+", "?", "+", "+", "+", "+" }, { table.unpack(q, 1, 10) })
    assert.equal("x.example.com", rec.terms[4].value)
    assert.equal(24, rec.terms[4].cidr4)
    assert.equal(64, rec.terms[4].cidr6)
    assert.equal(30, rec.terms[5].cidr4)
    assert.equal("192.0.2.0", rec.terms[8].value)
    assert.equal(32, rec.terms[9].cidr6)
    assert.equal("foo", rec.terms[13].name)
  end)

  it("rejects what RFC 7208 section 4.6 and 12 call syntax errors", function()
    for _, bad in ipairs {
      "v=spf1 ip4:1.2.3.4 -all moo", "v=spf1 -all.", "v=spf1 all:foo", "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4/33",
      "v=spf1 ip4:1.2.3.4/032", "v=spf1 ip6:::1/129", "v=spf1 a:foo-bar", "v=spf1 a:museum.", "v=spf1 a:foo.1",
      "v=spf1 include:", "v=spf1 exp= -all", "v=spf1 redirect=a.example.com redirect=b.example.com",
      "v=spf1 exists:%(ir).sbl.example.com", "v=spf1 a:%{r}.example.com", "v=spf1 -all foo=%abc",
      "v=spf1 a:ctrl.example.com\rptr", "v=spf1 \128a:example.net", "v=spf1 1up=foo", "v=spf1 redirect:x.example.com",
    } do
      local rec, err = spf.parse(bad)
      assert.is_nil(rec, bad)
      assert.is_string(err)
    end
  end)

  it("tells SPF records from other TXT records", function()
    assert.is_true(spf.is_record("v=spf1"))
    assert.is_true(spf.is_record("V=SpF1 -all"))
    assert.is_false(spf.is_record("v=spf10"))
    assert.is_false(spf.is_record("v=spf1-all"))
  end)
end)

describe("SPF macros (RFC 7208 section 7.4 examples)", function()
  local who = { ip = "192.0.2.3", sender = "strong-bad@email.example.com", helo = "mx.example.org",
    domain = "email.example.com" }
  for _, case in ipairs {
    { "%{s}", "strong-bad@email.example.com" }, { "%{o}", "email.example.com" }, { "%{d}", "email.example.com" },
    { "%{d4}", "email.example.com" }, { "%{d3}", "email.example.com" }, { "%{d2}", "example.com" },
    { "%{d1}", "com" }, { "%{dr}", "com.example.email" }, { "%{d2r}", "example.email" }, { "%{l}", "strong-bad" },
    { "%{l-}", "strong.bad" }, { "%{lr}", "strong-bad" }, { "%{lr-}", "bad.strong" }, { "%{l1r-}", "strong" },
    { "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
    { "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
    { "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
    { "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com" },
    { "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net" },
    { "%%%_%-", "% %20" }, { "%{L}", "strong-bad" }, { "%{S}", "strong-bad%40email.example.com" },
  } do
    it(case[1], function() assert.equal(case[2], spf.expand(case[1], who)) end)
  end

  it("IPv6 addresses become nibbles", function()
    local six = { ip = "2001:db8::cb01", sender = "a@email.example.com", domain = "email.example.com" }
    assert.equal("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com",
      spf.expand("%{ir}.%{v}._spf.%{d2}", six))
  end)

  it("c, r and t only in explanations; bad macros are errors", function()
    assert.is_nil(spf.expand("%{c}", who))
    assert.equal("192.0.2.3 unknown", spf.expand("%{c} %{r}", { ip = "192.0.2.3", explanation = true }))
    assert.is_nil(spf.expand("%{x}", who))
    assert.is_nil(spf.expand("%{d0}", who))
    assert.is_nil(spf.expand("50%", who))
  end)

  it("an expansion never grows past its bound", function()
    local long = ("%{s}"):rep(200)
    local out, err = spf.expand(long, who)
    assert.is_nil(out)
    assert.equal("expansion too long", err)
  end)
end)

for _, which in ipairs { "rfc7208", "rfc4408" } do
  describe("the " .. which .. " test suite, answers from a table", function()
    for _, sc in ipairs(suite.load(which)) do
      local answer = suite.table_dns(sc)
      for _, t in ipairs(sc.tests) do
        it(sc.description .. ": " .. t.name, function()
          local res = spf.evaluate({ ip = t.host, sender = t.mailfrom, helo = t.helo }, answer)
          local ok, why = meets(t, res)
          assert(ok, why)
        end)
      end
    end
  end)
end

-- Tests the knotd run cannot make, and why (each shows as pending; all of
-- them pass above, with answers from a table).
local KNOTD_SKIP = {}
if not require("mxrecord.core").resolver_methods.query then
  for _, name in ipairs { "ptr-match-target", "ptr-match-implicit", "ptr-match-ip6", "ptr-case-change",
    "p-macro-ip4-valid", "p-macro-ip6-valid", "p-macro-multiple", "bytes-bug" } do
    KNOTD_SKIP[name] = "needs PTR queries, which this resolver cannot ask yet"
  end
end
-- e4.example.com has 11 MX records naming 2 hosts; the resolver keeps a host
-- listed twice once (its answer parser, since main a7fbfea), so the evaluator
-- sees 2 and the 10-MX limit (4.6.4) cannot trip over DNS.
KNOTD_SKIP["mx-limit"] = "the resolver merges MX records naming the same host, leaving 2 of 11"
if not mxrecord.normalize_name("foo:bar/baz.example.com") then
  for _, name in ipairs { "a-colon-domain", "a-colon-domain-ip4mapped", "mx-colon-domain",
    "mx-colon-domain-ip4mapped", "macro-mania-in-domain" } do
    KNOTD_SKIP[name] = "the resolver refuses names with ':', '/', '%' or spaces (mxrecord.normalize_name); " ..
      "knotd serves them"
  end
end

local function start_proxy(upstream_port, timeouts)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. dir))
  local f = assert(io.open(dir .. "/timeouts", "w"))
  for name, served in pairs(timeouts) do
    local types = {}
    for t in pairs(served) do types[#types + 1] = t end
    f:write(name, " ", table.concat(types, " "), "\n")
  end
  f:close()
  local port = dns.free_port()
  assert(os.execute("env -u LUA_PATH -u LUA_CPATH -u LD_PRELOAD lua5.4 scripts/spf_timeout_proxy.lua " .. port .. " " ..
    upstream_port .. " " .. dir .. "/timeouts >" .. dir .. "/log 2>&1 </dev/null & echo $! >" .. dir .. "/pid"))
  local pid = assert(io.open(dir .. "/pid")):read("*l")
  -- wait until it relays (a root SOA query)
  local u = socket.udp()
  u:settimeout(0.2)
  u:setpeername("127.0.0.1", port)
  for _ = 1, 100 do
    u:send("\0\1\1\0\0\1\0\0\0\0\0\0\0\0\6\0\1")
    if u:receive() then break end
    socket.sleep(0.05) -- not listening yet: the refusal comes back at once
  end
  u:close()
  return {
    address = "127.0.0.1:" .. port,
    stop = function()
      os.execute("kill " .. pid .. " 2>/dev/null")
      os.execute("rm -rf '" .. dir .. "'")
    end,
  }
end

describe("the rfc7208 test suite served by knotd, through r:spf_check", function()
  -- knotd takes a second or two to exit: each scenario's server is told to
  -- stop when it is done, and all are waited for at the end.
  local stopping = {}
  teardown(function()
    for _, srv in ipairs(stopping) do srv:stop() end
  end)
  for i, sc in ipairs(suite.load("rfc7208")) do
    describe(sc.description, function()
      local srv, proxy, zonefile, r
      setup(function()
        local text, timeouts = suite.zone(sc)
        zonefile = os.tmpname()
        local f = assert(io.open(zonefile, "w"))
        f:write(text)
        f:close()
        srv = dns.start { zones = { ["."] = zonefile } }
        local address = srv.address
        if next(timeouts) then
          proxy = start_proxy(srv.port, timeouts)
          address = proxy.address
        end
        r = mxrecord.resolver { servers = { address }, timeout = 0.3, tries = 1 }
      end)
      teardown(function()
        if r then r:close() end
        if proxy then proxy.stop() end
        if srv then
          if srv.pid then os.execute("kill " .. srv.pid .. " 2>/dev/null") end
          stopping[#stopping + 1] = srv
        end
        if zonefile then os.remove(zonefile) end
      end)
      for _, t in ipairs(sc.tests) do
        local why = KNOTD_SKIP[t.name]
        if why then
          pending(sc.description .. ": " .. t.name .. " (" .. why .. ")")
        else
          it(t.name, function()
            local res = assert(r:spf_check { ip = t.host, sender = t.mailfrom, helo = t.helo })
            local ok, whynot = meets(t, res)
            assert(ok, whynot)
          end)
        end
      end
    end)
    local _ = i
  end
end)

describe("r:spf_check", function()
  local r
  before_each(function() r = mxrecord.resolver { servers = { "127.0.0.1:9" }, timeout = 0.2, tries = 1 } end)
  after_each(function() r:close() end)

  it("raises on bad arguments, naming the function", function()
    assert.has_error(function() r:spf_check("x") end,
      "bad argument #1 to 'spf_check' (table expected, got string)")
    assert.has_error(function() r:spf_check { ip = "192.0.2.1", sendr = "a@b.example" } end,
      "bad argument #1 to 'spf_check' (unknown field 'sendr')")
    assert.has_error(function() r:spf_check { ip = "300.1.1.1" } end,
      "bad argument #1 to 'spf_check' (not an IP address: '300.1.1.1')")
    assert.has_error(function() r:spf_check { sender = "a@b.example" } end,
      "bad argument #1 to 'spf_check' (field 'ip' is required)")
    assert.has_error(function() r:spf_check({ ip = "192.0.2.1" }, 5) end,
      "bad argument #2 to 'spf_check' (function expected, got number)")
  end)

  it("a temporary failure is temperror, never a verdict", function()
    local res = r:spf_check { ip = "192.0.2.1", sender = "a@nowhere.example" }
    assert.equal("temperror", res.result)
    assert.truthy(res.problems[1]:find("temporary DNS failure", 1, true))
  end)

  it("a name that is no FQDN is none without a query", function()
    local res = r:spf_check { ip = "192.0.2.1", sender = "", helo = "localhost" }
    assert.equal("none", res.result)
    assert.equal(0, res.queries)
  end)

  it("takes a callback", function()
    local got
    assert.is_true(r:spf_check({ ip = "192.0.2.1", sender = "a@nowhere.example" }, function(res) got = res end))
    r:run(5)
    assert.equal("temperror", got.result)
  end)
end)
