-- Layer 8: address syntax (RFC 5321 mailbox, RFC 6531 UTF-8, IDN). No DNS.
local mxrecord = require "mxrecord"
local parse = mxrecord.parse_address

describe("parse_address", function()
  local valid = {
    -- input, local_part, domain, ascii_domain, extra fields
    { "user@example.com", "user", "example.com", "example.com" },
    { "First.Last+tag@Example.COM", "First.Last+tag", "Example.COM", "example.com" },
    { "!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~", "example.com", "example.com" },
    { '"john doe"@example.com', '"john doe"', "example.com", "example.com", { quoted = true } },
    { '"a@b"@example.com', '"a@b"', "example.com", "example.com", { quoted = true } },
    { '"quote\\"inside"@example.com', '"quote\\"inside"', "example.com", "example.com", { quoted = true } },
    { '""@example.com', '""', "example.com", "example.com", { quoted = true } },
    { "user@localhost", "user", "localhost", "localhost" },
    { "user@xn--bcher-kva.example", "user", "xn--bcher-kva.example", "xn--bcher-kva.example" },
    { "user@B\u{fc}cher.example", "user", "B\u{fc}cher.example", "xn--bcher-kva.example", { idn = true } },
    { "user@fa\u{df}.de", "user", "fa\u{df}.de", "xn--fa-hia.de", { idn = true } }, -- non-transitional: no "ss"
    { "\u{7528}\u{6237}@\u{4f8b}\u{5b50}.\u{516c}\u{53f8}", "\u{7528}\u{6237}", "\u{4f8b}\u{5b50}.\u{516c}\u{53f8}",
      "xn--fsqu00a.xn--55qx5d", { smtputf8 = true, idn = true } },
    { "j\u{f6}rg@example.com", "j\u{f6}rg", "example.com", "example.com", { smtputf8 = true } },
    { string.rep("a", 64) .. "@example.com", string.rep("a", 64), "example.com", "example.com" },
    { "a@" .. string.rep("b", 63) .. ".com", "a", string.rep("b", 63) .. ".com", string.rep("b", 63) .. ".com" },
  }
  for _, c in ipairs(valid) do
    it("accepts " .. ("%q"):format(c[1]), function()
      local a, err = parse(c[1])
      assert.is_nil(err)
      assert.equals(c[2], a.local_part)
      assert.equals(c[3], a.domain)
      assert.equals(c[4], a.ascii_domain)
      for k, v in pairs(c[5] or {}) do assert.equals(v, a[k], k) end
      for _, k in ipairs { "quoted", "idn", "smtputf8" } do
        if not (c[5] or {})[k] then assert.is_nil(a[k], k) end
      end
    end)
  end

  it("recognises address literals and reports them", function()
    local a = assert(parse("user@[192.0.2.1]"))
    assert.same({ local_part = "user", domain = "[192.0.2.1]", literal = "192.0.2.1", literal_type = "ipv4" }, a)
    a = assert(parse("user@[IPv6:2001:db8::1]"))
    assert.equals("ipv6", a.literal_type)
    assert.equals("IPv6:2001:db8::1", a.literal)
    assert.is_nil(a.ascii_domain)
    assert.equals("general", parse("user@[x400:c=us;a=b]").literal_type)
  end)

  local invalid = {
    { "", "empty" },
    { "userexample.com", "no @" },
    { "a@b@example.com", "more than one @" },
    { "@example.com", "local part .* empty" },
    { "user@", "domain .* empty" },
    { "user\0@example.com", "NUL" },
    { "user@exa\0mple.com", "NUL" },
    { "us\ter@example.com", "control character" },
    { "user@example.com\n", "control character" },
    { "us\127er@example.com", "control character" },
    { "john doe@example.com", "space" },
    { ".user@example.com", "starts with a dot" },
    { "user.@example.com", "ends with a dot" },
    { "us..er@example.com", "two dots" },
    { "us(er@example.com", "must be quoted" },
    { 'us"er@example.com', "double quote" },
    { '"unclosed@example.com', "not closed" },
    { '"quoted"x@example.com', "followed by @" },
    { string.rep("a", 65) .. "@example.com", "64 octets" },
    { "a@" .. string.rep("b", 64) .. ".com", "63" },
    { "a@" .. string.rep("b.", 127) .. "com", "254 octets" }, -- a 257-character domain
    { "a@" .. string.rep("\u{e9}", 60) .. "." .. string.rep("\u{e8}", 60) .. ".example", "internationalized" }, -- labels over 63 as A-labels
    { string.rep("a", 64) .. "@" .. string.rep(string.rep("b", 60) .. ".", 3) .. "example.com", "254" },
    { "user@exa_mple.com", "letters, digits, hyphens" },
    { "user@-example.com", "hyphen" },
    { "user@example-.com", "hyphen" },
    { "user@example..com", "empty label" },
    { "user@.example.com", "empty label" },
    { "user@example.com.", "ends with a dot" },
    { "user@exa mple.com", "letters, digits, hyphens" },
    { "user@\u{2603}.example", "internationalized" },
    { "user@b\xfccher.example", "UTF%-8" },
    { "j\xf6rg@example.com", "UTF%-8" },
    { "user@[192.0.2.1", "not closed" },
    { "user@[300.1.2.3]", "literal" },
    { "user@[IPv6:2001:db8::zz]", "IPv6" },
    { "user@[]", "empty address literal" },
  }
  for _, c in ipairs(invalid) do
    it("refuses " .. ("%q"):format(c[1]) .. " saying why", function()
      local a, err, code = parse(c[1])
      assert.is_nil(a)
      assert.equals("bad_syntax", code)
      assert.matches("^bad_syntax: ", err)
      assert.matches(c[2], err)
    end)
  end

  it("raises for a non-string", function()
    assert.has_error(function() parse(nil) end)
    assert.has_error(function() parse(42) end)
  end)
end)

describe("build_query and parse_answer (the wire, for the cosocket path)", function()
  local core = require "mxrecord.core"

  it("builds a query for the normalised name, with the ID and EDNS0", function()
    local pkt, name = core.build_query("Globex.TEST.", "mx", 0x1234)
    assert.equals("globex.test", name)
    assert.equals(0x12, pkt:byte(1))
    assert.equals(0x34, pkt:byte(2))
    assert.equals(12 + 13 + 4 + 11, #pkt) -- header, 6globex4test0, type and class, OPT
    assert.equals("xn--bcher-kva.test", select(2, core.build_query("b\u{fc}cher.test", "a", 1)))
  end)

  it("refuses bad names as badname, and raises for bad types", function()
    for _, bad in ipairs { "", "a\0b.test", string.rep("a", 64) .. ".test", string.rep("a.", 130) .. "test",
      "b\xfccher.test", "spa ce.test" } do
      local pkt, err, code = core.build_query(bad, "mx", 1)
      assert.is_nil(pkt)
      assert.equals("badname", code)
      assert.is_string(err)
    end
    assert.has_error(function() core.build_query(42, "mx", 1) end)
    assert.has_error(function() core.build_query("a.test", "soa", 1) end)
  end)

  it("parses garbage as badresp, never crashing", function()
    for _, bytes in ipairs { "", "\0", "garbage", string.rep("\255", 600), ("\0"):rep(12) } do
      local res, err, code = core.parse_answer(bytes, "mx", "x.test")
      assert.is_nil(res)
      assert.equals("badresp", code, ("%q"):format(bytes))
      assert.is_string(err)
    end
  end)
end)
