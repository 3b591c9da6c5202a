-- Layer 10: r:lookup_many against knotd (spec/fixtures/verify.test.zone and
-- mxrecord.test.zone).
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"

describe("r:lookup_many", function()
  local srv, r

  setup(function()
    srv = dns.start { zones = { ["verify.test"] = "spec/fixtures/verify.test.zone",
      ["mxrecord.test"] = "spec/fixtures/mxrecord.test.zone" } }
  end)

  teardown(function()
    if srv then srv:stop() end
  end)

  before_each(function()
    r = mxrecord.resolver { servers = { srv.address }, timeout = 1 }
  end)

  after_each(function() r:close() end)

  local function collect(source, opts)
    local out = {}
    for res, err, code, name in r:lookup_many(source, opts) do
      out[#out + 1] = { res = res, err = err, code = code, name = name }
    end
    return out
  end

  local function by_name(results)
    local t = {}
    for _, x in ipairs(results) do t[x.name] = x end
    return t
  end

  it("yields one result or one error per input, errors with res == false and the loop going on", function()
    local names = { "ok.verify.test", "nosuch.verify.test", "bad name", "nullmx.verify.test", "", "OK.Verify.Test." }
    local out = collect(names)
    assert.equals(#names, #out)
    local t = by_name(out)
    assert.equals("ok", t["ok.verify.test"].res.status)
    assert.equals("nxdomain", t["nosuch.verify.test"].res.status)
    assert.equals("null_mx", t["nullmx.verify.test"].res.status)
    assert.is_false(t["bad name"].res)
    assert.equals("badname", t["bad name"].code)
    assert.equals("badname", t[""].code)
    assert.is_false(t["OK.Verify.Test."].res)
    assert.equals("duplicate", t["OK.Verify.Test."].code) -- looked up once, by its normalised name
    assert.matches("ok%.verify%.test", t["OK.Verify.Test."].err)
  end)

  it("a name that is not a string yields badname and the run goes on", function()
    local t = by_name(collect { "ok.verify.test", 42, "single.verify.test" })
    assert.equals("badname", t[42].code)
    assert.is_false(t[42].res)
    assert.equals("ok", t["single.verify.test"].res.status)
  end)

  it("reads an iterator function and a file (blank lines skipped)", function()
    local i = 0
    local list = { "ok.verify.test", "single.verify.test" }
    local out = collect(function()
      i = i + 1
      return list[i]
    end)
    assert.equals(2, #out)
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write("ok.verify.test\n\n   \nsingle.verify.test\r\n  implicit.verify.test  \n")
    f:close()
    f = assert(io.open(path))
    out = collect(f)
    f:close()
    os.remove(path)
    local t = by_name(out)
    assert.equals(3, #out)
    assert.equals("ok", t["single.verify.test"].res.status)
    assert.equals("nodata", t["implicit.verify.test"].res.status)
  end)

  it("runs profile and verify as their single-item forms do", function()
    local t = by_name(collect({ "ok.verify.test", "nullmx.verify.test" }, { kind = "profile" }))
    assert.equals("self", t["ok.verify.test"].res.provider.category)
    assert.equals("none", t["nullmx.verify.test"].res.provider.category)
    t = by_name(collect({ "a@ok.verify.test", "b@ok.verify.test", "a@ok.verify.test", "not valid" }, { kind = "verify" }))
    assert.equals("deliverable", t["b@ok.verify.test"].res.verdict)
    assert.equals("undeliverable", t["not valid"].res.verdict)
    assert.equals(4, #collect({ "a@ok.verify.test", "b@ok.verify.test", "a@ok.verify.test", "x" }, { kind = "verify" }))
  end)

  it("keeps at most `concurrency` lookups in flight and reports progress", function()
    local names = {}
    for i = 1, 300 do names[i] = ("n%d.mxrecord.test"):format(i) end
    local most, reports = 0, {}
    for _ in r:lookup_many(names, { concurrency = 7, on_progress = function(p) reports[#reports + 1] = p end }) do
      most = math.max(most, r:pending())
    end
    assert.is_true(most <= 7, "pending reached " .. most)
    local last = reports[#reports]
    assert.equals(300, last.done)
    assert.equals(300, last.total)
    assert.is_number(last.rate)
  end)

  it("streams: memory stays flat over many names", function()
    local n, i = 20000, 0
    local function source()
      i = i + 1
      if i <= n then return ("s%d.mxrecord.test"):format(i) end
    end
    collectgarbage()
    local base, peak, count = collectgarbage("count"), 0, 0
    for res in r:lookup_many(source) do
      count = count + 1
      if count % 1000 == 0 then
        collectgarbage()
        peak = math.max(peak, collectgarbage("count") - base)
      end
      assert.is_table(res)
    end
    assert.equals(n, count)
    -- 20,000 results held would take several MB; the window holds a few hundred KB at most
    assert.is_true(peak < 2048, ("grew by %.0f KB"):format(peak))
  end)

  it("ends cleanly when the resolver is closed during the run", function()
    -- five bad names answer at once; the silent server holds the rest in flight
    local fault = dns.start_fault()
    local rf = mxrecord.resolver { servers = { fault.address }, timeout = 2, tries = 1 }
    local names = {}
    for i = 1, 5 do names[i] = "bad name " .. i end
    for i = 6, 100 do names[i] = ("silent.n%d.example"):format(i) end
    local seen, codes = 0, {}
    for res, _, code in rf:lookup_many(names, { concurrency = 20 }) do
      seen = seen + 1
      if seen == 5 then rf:close() end
      if not res then codes[code] = (codes[code] or 0) + 1 end
    end
    fault:stop()
    assert.equals(5, codes.badname)
    -- what was in flight (at most the window) ends as cancelled, and nothing more is read
    assert.is_true(codes.cancelled > 0 and codes.cancelled <= 20, tostring(codes.cancelled))
    assert.equals(5 + codes.cancelled, seen)
  end)

  it("gives each name back as the source gave it, and the same answers as r:mx one by one", function()
    -- case and a trailing dot, an IDN name, bad UTF-8 and an empty label
    local names = { "OK.Verify.Test.", "ok.verify.test", "nosuch.verify.test", "Single.VERIFY.test", "bad..name",
      "Bücher.verify.test", "\255\254.verify.test" }
    local out = collect(names, { duplicates = "repeat" })
    assert.equals(#names, #out)
    local t = by_name(out)
    for _, name in ipairs(names) do
      local x = assert(t[name], name)
      local one, err, code = r:mx(name)
      assert.equals(code, x.code)
      if one then
        assert.equals(one.domain, x.res.domain)
        assert.equals(one.status, x.res.status)
        assert.same(one.records, x.res.records)
      else
        assert.is_false(x.res)
        assert.equals(err, x.err)
      end
    end
    assert.equals("ok.verify.test", t["OK.Verify.Test."].res.domain)
    -- a file: the trimmed line is the name; a long line and one with a NUL byte are bad names
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write("  Single.VERIFY.test\t\r\n", ("a"):rep(5000), ".test\n", "nul\0.verify.test\n", "ok.verify.test")
    f:close()
    f = assert(io.open(path))
    t = by_name(collect(f))
    f:close()
    os.remove(path)
    assert.equals("ok", t["Single.VERIFY.test"].res.status)
    assert.equals("badname", t[("a"):rep(5000) .. ".test"].code)
    assert.equals("badname", t["nul\0.verify.test"].code)
    assert.equals("ok", t["ok.verify.test"].res.status) -- the last line, without a line feed
  end)

  it("kind = \"txt\", \"a\" and \"aaaa\" run the plain lookups", function()
    local t = by_name(collect({ "implicit.verify.test", "parked.verify.test" }, { kind = "txt" }))
    assert.equals("v=spf1 a ~all", t["implicit.verify.test"].res.records[1])
    t = by_name(collect({ "mx1.ok.verify.test", "mx2.ok.verify.test" }, { kind = "a" }))
    assert.equals("192.0.2.11", t["mx2.ok.verify.test"].res.records[1].address)
    t = by_name(collect({ "mx2.ok.verify.test", "mail.single.verify.test", "MX2.ok.verify.test" }, { kind = "aaaa" }))
    assert.equals("2001:db8::25", t["mail.single.verify.test"].res.records[1].address)
    assert.equals("duplicate", t["MX2.ok.verify.test"].code)
  end)

  it("duplicates = \"error\" (the default), \"skip\" or \"repeat\"", function()
    local names = { "ok.verify.test", "OK.verify.test.", "single.verify.test", "ok.verify.test" }
    local out = collect(names)
    assert.equals(4, #out)
    assert.equals(2, #collect(names, { duplicates = "error" }) - 2)
    local progress
    out = collect(names, { duplicates = "skip", on_progress = function(p) progress = p end })
    assert.equals(2, #out)
    assert.is_table(out[1].res)
    assert.equals(2, progress.duplicates)
    out = collect(names, { duplicates = "repeat" })
    assert.equals(4, #out)
    for _, x in ipairs(out) do assert.equals("ok", x.res.status) end
  end)

  describe("leaving the loop early", function()
    -- the first result is the bad name (no DNS); the four MX questions are
    -- then in flight and no MX host has been asked for
    local names = { "bad syntax", "x@ok.verify.test", "x@single.verify.test", "x@partial.verify.test",
      "x@cname.verify.test" }

    local function after_break(leave)
      local first = leave(names)
      assert.equals("undeliverable", first.verdict)
      local asked = r:cache_stats().asked
      assert.equals(4, asked)
      assert.is_true(r:run(5))
      -- the verifications stopped before asking for their hosts
      assert.equals(asked, r:cache_stats().asked)
      assert.equals(0, r:pending())
    end

    if _VERSION == "Lua 5.4" then
      it("break closes the to-be-closed fourth value (Lua 5.4)", function()
        after_break(function(list)
          local f = assert(load([[
            local r, list = ...
            for res in r:lookup_many(list, { kind = "verify", concurrency = 5 }) do return res end
          ]]))
          return f(r, list)
        end)
      end)
    end

    if _VERSION == "Lua 5.4" then
      it("a batch left without close() stops once collected (Lua 5.4)", function()
        after_break(function(list)
          local batch = r:lookup_many(list, { kind = "verify", concurrency = 5 })
          local first = batch()
          batch = nil -- luacheck: ignore
          collectgarbage()
          collectgarbage()
          return first
        end)
      end)
    end

    it("batch:close() does the same on every Lua", function()
      after_break(function(list)
        local batch = r:lookup_many(list, { kind = "verify", concurrency = 5 })
        local first
        for res in batch do
          first = res
          break
        end
        batch:close()
        batch:close() -- idempotent
        assert.is_nil(batch()) -- and the loop yields nothing more
        return first
      end)
    end)
  end)

  it("an error raised by the source: what was read is yielded, nothing keeps running, then the error", function()
    local i = 0
    local list = { "ok.verify.test", "single.verify.test", "partial.verify.test" }
    local function source()
      i = i + 1
      if i > #list then error("the source broke") end
      return list[i]
    end
    local got = {}
    local ok, err = pcall(function()
      for res, _, _, name in r:lookup_many(source, { concurrency = 10 }) do got[name] = res end
    end)
    assert.is_false(ok)
    assert.matches("the source broke", err)
    for _, name in ipairs(list) do assert.equals("ok", got[name].status, name) end
    assert.equals(0, r:pending())
  end)

  it("raises for bad arguments", function()
    assert.has_error(function() r:lookup_many(42) end)
    assert.has_error(function() r:lookup_many({}, { kind = "ptr" }) end)
    assert.has_error(function() r:lookup_many({}, { duplicates = "drop" }) end)
    assert.has_error(function() r:lookup_many({}, { concurrency = 0 }) end)
    assert.has_error(function() r:lookup_many({}, { bogus = true }) end)
    assert.has_error(function() r:lookup_many({}, { on_progress = 1 }) end)
  end)

  it("kind = 'posture' and kind = 'spf' ({ip=, sender=, helo=} items) run in bulk, duplicates checked", function()
    local got = {}
    for p, _, code, name in r:lookup_many({ "ok.verify.test", "nosuch.verify.test", "OK.verify.test" },
      { kind = "posture" }) do
      got[#got + 1] = { name = name, ok = p and p.domain or code }
    end
    table.sort(got, function(a, b) return a.name < b.name end)
    assert.same({ { name = "OK.verify.test", ok = "duplicate" }, { name = "nosuch.verify.test", ok = "nosuch.verify.test" },
      { name = "ok.verify.test", ok = "ok.verify.test" } }, got)
    local results = {}
    local item = { ip = "192.0.2.1", sender = "x@ok.verify.test", helo = "ok.verify.test" }
    for s, err, code, it in r:lookup_many({ item, { ip = "not an ip" }, item }, { kind = "spf" }) do
      results[#results + 1] = s and s.result or code
      if not s then assert.is_string(err) end
      assert.is_table(it)
    end
    table.sort(results)
    assert.same({ "badarg", "duplicate", "none" }, results) -- ok.verify.test publishes no SPF record
  end)
end)

-- kind = "profile" runs on the engine (src/binding/lua_bulk.c): the same
-- lookups, two rounds where profile.lua wants evidence, the same profiles.
describe("r:lookup_many kind = \"profile\"", function()
  local srv
  setup(function()
    srv = dns.start { zones = { test = "examples/data/companies.test.zone", ["."] = "examples/data/providers.zone",
      ["profile.test"] = "spec/fixtures/profile.test.zone" } }
  end)
  teardown(function()
    if srv then srv:stop() end
  end)

  it("gives every bundled company the profile r:profile gives, second rounds and failures included", function()
    local names = {}
    for line in io.lines("examples/data/companies.test.zone") do
      local owner = line:match("^([%w%-]+)%s")
      if owner and not owner:match("^_") then names[#names + 1] = owner .. ".test" end
    end
    -- evidence the second round finds (autodiscover, DKIM selectors: spec/fixtures/profile.test.zone)
    for _, n in ipairs { "relayed", "ownmx", "guarded", "selfhosted", "target-org", "alias", "brokenspf", "twospf",
      "nomx", "parked", "google" } do
      names[#names + 1] = n .. ".profile.test"
    end
    names[#names + 1] = "nosuch.test"
    -- 248 octets: its MX and TXT can be asked, its _dmarc. name cannot (failed as r:txt fails it)
    names[#names + 1] = table.concat({ ("a"):rep(60), ("b"):rep(60), ("c"):rep(60), ("d"):rep(60), "test" }, ".")
    names[#names + 1] = "bad name"
    names[#names + 1] = "Globex.TEST." -- a duplicate of globex.test by its normalised name
    local one = mxrecord.resolver { servers = { srv.address }, timeout = 2, cache = false }
    local bulk = mxrecord.resolver { servers = { srv.address }, timeout = 2 }
    local seen, second, out = {}, 0, {}
    for res, err, code, name in bulk:lookup_many(names, { kind = "profile", duplicates = "repeat" }) do
      out[#out + 1] = name
      seen[name] = true
      local p, perr, pcode = one:profile(name)
      assert.equals(pcode, code, name)
      if p then
        assert.same(p, res, name)
        if p.provider.confidence ~= "high" and p.provider.category ~= "none" then second = second + 1 end
      else
        assert.is_false(res)
        assert.equals(perr, err, name)
      end
    end
    for _, n in ipairs(names) do assert.is_true(seen[n], n) end
    assert.equals(#names, #out)
    assert.is_true(second > 0, "no name needed the second round") -- the test covers it
    one:close()
    bulk:close()
  end)

  it("the engine's later rounds take only a normalised name (the internal _engine API)", function()
    local r = mxrecord.resolver { servers = { srv.address }, timeout = 1 }
    local e = r:_engine({ { "mx", "" }, { "txt", "_dmarc." } }, "repeat")
    assert.has_error(function() e:add(("a"):rep(4000), 2, 1) end)
    assert.has_error(function() e:add(("a"):rep(254), 2, 1) end)
    assert.has_error(function() e:add("", 2, 1) end)
    assert.is_true(e:add(("a"):rep(60) .. ".test", 2, 1)) -- "_dmarc." + 65: fits
    e:close()
    r:close()
  end)
end)
