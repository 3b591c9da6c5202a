-- mxrecord.flags: disposable, free and role flags from the committed lists,
-- by registrable domain under the Public Suffix List. Pure: no DNS, no
-- download (the lists are the snapshot in lua/mxrecord/lists_*.lua).
local mxrecord = require "mxrecord"
local flags = mxrecord.flags

describe("mxrecord.flags", function()
  it("flags a disposable domain, a free mailbox domain and a role local part", function()
    assert.same({ disposable = true, free = true, role = true, domain = "mailinator.com" }, flags("info@mailinator.com"))
    assert.same({ disposable = false, free = true, role = false, domain = "gmail.com" }, flags("john.smith@gmail.com"))
    assert.same({ disposable = false, free = false, role = true, domain = "acme.co.uk" }, flags("noreply@acme.co.uk"))
    assert.same({ disposable = false, free = false, role = false, domain = "example.com" }, flags("jane@example.com"))
  end)

  it("takes a bare domain as well as an address", function()
    local f = flags("gmail.com")
    assert.is_true(f.free)
    assert.is_false(f.role)
    assert.is_true(flags("guerrillamail.com").disposable)
  end)

  it("matches by registrable domain: subdomains of a listed domain count, parents do not", function()
    local f = flags("x@a.b.mailinator.com")
    assert.is_true(f.disposable)
    assert.equals("mailinator.com", f.domain)
    -- multi-label public suffixes: the registrable domain is one label more
    assert.equals("example.co.uk", flags("a@b.c.example.co.uk").domain)
    assert.equals("yahoo.co.jp", flags("a@yahoo.co.jp").domain)
    assert.is_true(flags("a@yahoo.co.jp").free)
    -- wildcard and exception rules (*.kawasaki.jp, !city.kawasaki.jp)
    assert.equals("city.kawasaki.jp", flags("a@www.city.kawasaki.jp").domain)
    assert.equals("foo.bar.kawasaki.jp", flags("a@x.foo.bar.kawasaki.jp").domain)
    -- a name that is itself a public suffix has no registrable domain: only itself is looked at
    assert.equals("co.uk", flags("co.uk").domain)
    assert.is_false(flags("co.uk").free)
  end)

  it("folds case, drops a trailing dot and a +tag of the local part", function()
    assert.same({ disposable = false, free = true, role = true, domain = "gmail.com" }, flags("Info@GMAIL.COM."))
    assert.is_true(flags("sales+leads@acme.example").role)
    assert.is_false(flags("john+sales@acme.example").role)
  end)

  it("gives nil, message, badname when there is no domain to look at", function()
    for _, s in ipairs { "", "user@", "x@[192.0.2.1]", "a@b..c", "a@b.com..", ".com", "a@\0x.com", "@", ".", "x@" .. ("a"):rep(254) } do
      local f, err, code = flags(s)
      assert.is_nil(f, s)
      assert.matches("badname", err)
      assert.equals("badname", code)
    end
  end)

  it("raises for a non-string, naming the function", function()
    local ok, err = pcall(function()
      local f = flags(42)
      return f
    end)
    assert.is_false(ok)
    assert.matches("18_flags_spec.lua:%d+: bad argument #1 to 'flags' %(address or domain %(string%) expected, got number%)", err)
  end)

  it("says which snapshot of the lists it uses", function()
    assert.matches("^%d%d%d%d%.%d%d%.%d%d$", mxrecord.lists_version)
    local mod = require "mxrecord.flags"
    for _, k in ipairs { "disposable-email-domains-js", "mailchecker", "free-email-domains", "role-based-email-addresses",
      "publicsuffix" } do
      assert.is_string(mod.sources[k], k)
    end
    assert.is_true(mod.lists:count("disposable") > 10000)
    assert.is_true(mod.lists:count("free") > 5000)
    assert.is_true(mod.lists:count("role") > 100)
    assert.is_true(mod.lists:count("psl") > 5000)
  end)
end)
