-- Layer 1: what is checked before any packet leaves: names, options, types.
local mxrecord = require "mxrecord"

describe("mxrecord module", function()
  it("reports its version and the c-ares it runs on", function()
    assert.matches("^%d+%.%d+%.%d+$", mxrecord._VERSION)
    assert.matches("^1%.%d+%.%d+$", mxrecord.cares_version)
  end)
end)

describe("normalize_name", function()
  local norm = mxrecord.normalize_name

  it("lower-cases and drops one trailing dot", function()
    assert.equals("example.com", norm("Example.COM."))
    assert.equals("a-b_c.d", norm("A-B_C.D"))
  end)

  it("accepts the longest legal label and name", function()
    local label63 = string.rep("a", 63)
    assert.equals(label63 .. ".test", norm(label63 .. ".test"))
    local name253 = string.rep(string.rep("b", 49) .. ".", 5) .. "abc" -- 5*50 + 3 = 253
    assert.equals(253, #name253)
    assert.equals(name253, norm(name253))
  end)

  local bad = {
    { "", "empty" },
    { ".", "root" },
    { "evil.com\0.good.com", "NUL" },
    { string.rep("a", 64) .. ".test", "63" },
    { string.rep(string.rep("b", 49) .. ".", 5) .. "abcd", "253" },
    { "a..b", "empty label" },
    { ".a", "empty label" },
    { "a..", "empty label" },
    { "spa ce.test", "character" },
    { "semi;colon.test", "character" },
    { "b\xfccher.test", "UTF%-8" },      -- Latin-1, not UTF-8
    { "\u{2603}.test", "internationalized" }, -- a snowman: not allowed by IDNA2008
    { "tab\t.test", "character" },
  }
  for _, case in ipairs(bad) do
    it("refuses " .. string.format("%q", case[1]) .. " with a message saying why", function()
      local res, msg, code = norm(case[1])
      assert.is_nil(res)
      assert.equals("badname", code)
      assert.matches(case[2], msg)
    end)
  end

  it("converts Unicode names to A-labels (UTS #46, non-transitional)", function()
    assert.equals("xn--bcher-kva.test", norm("B\u{fc}cher.TEST."))
    assert.equals("xn--fa-hia.test", norm("fa\u{df}.test"))
    assert.equals("xn--bcher-kva.test", norm("xn--bcher-kva.test"))
  end)

  it("raises for a non-string", function()
    assert.has_error(function() norm(42) end)
    assert.has_error(function() norm(nil) end)
    assert.has_error(function() norm({}) end)
  end)
end)

describe("mxrecord.resolver options", function()
  local function err_of(opts)
    local ok, err = pcall(mxrecord.resolver, opts)
    assert.is_false(ok)
    return err
  end

  it("names an unknown option", function()
    assert.matches("unknown option 'timout'", err_of { timout = 1 })
  end)

  it("names a bad timeout or tries value", function()
    assert.matches("'timeout'", err_of { timeout = 0 })
    assert.matches("'timeout'", err_of { timeout = -1 })
    assert.matches("'timeout'", err_of { timeout = "2" })
    assert.matches("'timeout'", err_of { timeout = 0 / 0 })
    assert.matches("'tries'", err_of { tries = 0 })
    assert.matches("'tries'", err_of { tries = 1.5 })
    assert.matches("'tries'", err_of { tries = 1000 })
  end)

  it("names a bad server", function()
    assert.matches("server 'example.com'", err_of { servers = { "example.com" } })
    assert.matches("server '127.0.0.1:0'", err_of { servers = { "127.0.0.1:0" } })
    assert.matches("server '127.0.0.1:70000'", err_of { servers = { "127.0.0.1:70000" } })
    assert.matches("server '%[::1'", err_of { servers = { "[::1" } })
    assert.matches("server '1.2.3.4:'", err_of { servers = { "1.2.3.4:" } })
    assert.matches("NUL", err_of { servers = { "127.0.0.1\0:53" } })
    assert.matches("servers%[2%] must be a string", err_of { servers = { "127.0.0.1", 53 } })
    assert.matches("'servers' is empty", err_of { servers = {} })
    assert.matches("'servers' must be a list", err_of { servers = 53 })
    assert.matches("not an IPv4 or IPv6 address", err_of { servers = { "127.0.0.1" .. string.rep("1", 300) } })
    assert.matches("not an IPv4 or IPv6 address", err_of { servers = { "bücher:53" } })
    assert.matches("not an IPv4 or IPv6 address", err_of { servers = { "" .. "[]:53" } })
    assert.matches("option names must be strings", err_of { "127.0.0.1" })
  end)

  it("raises for a non-table argument", function()
    assert.has_error(function() mxrecord.resolver("127.0.0.1") end)
  end)

  it("accepts every server form", function()
    local r = mxrecord.resolver {
      servers = { "127.0.0.1", "127.0.0.1:5353", "[::1]:53", "[::1]", "::1" },
      timeout = 0.5, tries = 1,
    }
    assert.equals(0, r:pending())
    r:close()
    r = mxrecord.resolver { servers = "127.0.0.1:5353,127.0.0.2" }
    r:close()
  end)

  it("uses the system configuration when no servers are given", function()
    local ok, r = pcall(mxrecord.resolver)
    -- a machine without /etc/resolv.conf may legitimately refuse
    if ok then r:close() else assert.matches("DNS servers", r) end
  end)
end)

describe("queries with bad input", function()
  local r
  before_each(function() r = mxrecord.resolver { servers = { "127.0.0.1:9" }, timeout = 0.2, tries = 1 } end)
  after_each(function() r:close() end)

  it("run() raises for a negative or non-number timeout", function()
    assert.has_error(function() r:run(-1) end)
    assert.has_error(function() r:run("soon") end)
    assert.has_error(function() r:run(0 / 0) end)
    assert.is_true(r:run(0)) -- nothing pending: done at once
  end)

  it("raise for a non-string name or a non-function callback", function()
    assert.has_error(function() r:mx(nil) end)
    assert.has_error(function() r:mx(123) end)
    assert.has_error(function() r:txt({}) end)
    assert.has_error(function() r:mx("example.test", "not a function") end)
  end)

  it("return nil, message, 'badname' without touching the network", function()
    for _, method in ipairs { "mx", "txt", "a", "aaaa" } do
      local res, msg, code = r[method](r, "evil.com\0.good.com")
      assert.is_nil(res)
      assert.equals("badname", code)
      assert.matches("NUL", msg)
    end
    assert.equals(0, r:pending())
  end)

  it("reach an async callback with badname, from poll(), never during the call", function()
    local got
    assert.is_true(r:mx("bad name", function(...) got = { ... } end))
    assert.is_nil(got)
    assert.equals(1, r:pending())
    r:poll()
    assert.is_nil(got[1])
    assert.equals("badname", got[3])
    assert.equals(0, r:pending())
  end)
end)
