-- Layer 6: r:profile, MX and TXT looked up concurrently and classified,
-- against knotd (spec/fixtures/profile.test.zone) and the fault server.
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"
local socket = require "socket"

local function ids(list)
  local out = {}
  for i, p in ipairs(list) do out[i] = p.id end
  return out
end

describe("r:profile", function()
  local srv, fault, r

  setup(function()
    srv = dns.start { zones = { ["profile.test"] = "spec/fixtures/profile.test.zone" } }
    fault = dns.start_fault()
    r = mxrecord.resolver { servers = { srv.address }, timeout = 1, tries = 2 }
  end)

  teardown(function()
    if r then r:close() end
    if srv then srv:stop() end
    if fault then fault:stop() end
  end)

  it("gives MX, the SPF record (not other TXT) and the provider with its senders", function()
    local p = assert(r:profile("google.profile.test"))
    assert.equals("google.profile.test", p.domain)
    assert.equals("ok", p.mx.status)
    assert.equals("smtp.google.com", p.mx.records[1].exchange)
    assert.equals("v=spf1 include:_spf.google.com include:sendgrid.net include:servers.mcsv.net ~all", p.spf)
    assert.equals("google_workspace", p.provider.id)
    assert.equals("mailbox", p.provider.category)
    assert.same({ "google_workspace", "sendgrid", "mailchimp" }, ids(p.provider.senders))
    assert.is_nil(p.mx_error)
    assert.is_nil(p.spf_error)
  end)

  it("finds the mailbox behind a gateway through SPF split over character-strings", function()
    local p = assert(r:profile("Guarded.Profile.Test."))
    assert.equals("guarded.profile.test", p.domain)
    assert.equals("microsoft365", p.provider.id)
    assert.equals("proofpoint", p.provider.gateway.id)
    assert.same({ "microsoft365", "proofpoint" }, ids(p.provider.senders))
  end)

  it("selects the SPF record as RFC 7208 says: several records or a broken one name no sender", function()
    local p = assert(r:profile("twospf.profile.test"))
    assert.is_nil(p.spf)
    assert.equals("spf_multiple", p.spf_problem)
    assert.same({}, p.provider.senders)
    p = assert(r:profile("brokenspf.profile.test"))
    assert.is_nil(p.spf)
    assert.equals("spf_invalid", p.spf_problem)
    assert.same({}, p.provider.senders) -- not Microsoft 365
  end)

  it("knows the domain, so hosts under it are self-hosted; no TXT means no SPF", function()
    local p = assert(r:profile("selfhosted.profile.test"))
    assert.equals("self", p.provider.category)
    assert.is_nil(p.spf)
    assert.equals("nodata", select(1, r:txt("selfhosted.profile.test")).status)
  end)

  it("reports no mail for null MX, no MX and no domain", function()
    local p = assert(r:profile("parked.profile.test"))
    assert.equals("null_mx", p.mx.status)
    assert.equals("none", p.provider.category)
    assert.equals("v=spf1 -all", p.spf)
    p = assert(r:profile("nomx.profile.test"))
    assert.equals("nodata", p.mx.status)
    assert.equals("none", p.provider.category)
    assert.same({ "mailgun" }, ids(p.provider.senders))
    p = assert(r:profile("nosuch.profile.test"))
    assert.equals("nxdomain", p.mx.status)
    assert.equals("none", p.provider.category)
    assert.is_nil(p.spf)
  end)

  it("follows an alias", function()
    local p = assert(r:profile("alias.profile.test"))
    assert.equals("google.profile.test", p.mx.cname)
    assert.equals("google_workspace", p.provider.id)
  end)

  it("asynchronously: each round's lookups in flight at once, one callback with the same profile", function()
    local got, calls
    calls = 0
    r:cache_clear()
    local asked0 = r:cache_stats().asked
    assert.is_true(r:profile("guarded.profile.test", function(p, err)
      calls = calls + 1
      got = p or err
    end))
    assert.equals(3, r:pending()) -- MX, TXT, DMARC; a gateway with the mailbox from SPF then asks more
    assert.is_true(r:run(5))
    assert.equals(1, calls)
    assert.equals(asked0 + 6, r:cache_stats().asked) -- the second round: autodiscover and two DKIM selectors
    r:cache_clear()
    assert.is_true(r:profile("guarded.profile.test", { lookups = "full" }, function() calls = calls + 1 end))
    assert.equals(6, r:pending()) -- all six at once
    assert.is_true(r:run(5))
    r:cache_clear()
    assert.is_true(r:profile("google.profile.test", function() calls = calls + 1 end))
    assert.is_true(r:run(5))
    assert.equals(3, calls)
    assert.equals(asked0 + 6 + 6 + 3, r:cache_stats().asked) -- Google's MX decides: no second round
    assert.same(assert(r:profile("guarded.profile.test")), got)
  end)

  it("many asynchronous profiles at once each get their own answer", function()
    local names = { "google", "guarded", "selfhosted", "parked", "nomx", "nosuch", "alias" }
    local got = {}
    r:cache_clear()
    for _ = 1, 20 do
      for _, n in ipairs(names) do
        r:profile(n .. ".profile.test", function(p) got[#got + 1] = p.domain .. "=" .. p.provider.category end)
      end
    end
    assert.equals(3 * #names, r:pending()) -- the same questions are asked once
    assert.is_true(r:run(10))
    assert.equals(20 * #names, #got)
    local count = {}
    for _, g in ipairs(got) do count[g] = (count[g] or 0) + 1 end
    assert.equals(20, count["google.profile.test=mailbox"])
    assert.equals(20, count["alias.profile.test=mailbox"])
    assert.equals(20, count["parked.profile.test=none"])
  end)

  it("Microsoft 365 behind an unknown relay: SPF, autodiscover and DKIM agree; the stack from TXT and DMARC", function()
    local p = assert(r:profile("relayed.profile.test"))
    assert.equals("microsoft365", p.provider.id)
    assert.equals("high", p.provider.confidence)
    assert.same({ id = "unknown_relay", name = "Unknown relay", host = "mx1.filter.regional-isp.test" }, p.provider.gateway)
    local sources = {}
    for _, e in ipairs(p.provider.evidence) do sources[#sources + 1] = e.source .. ":" .. e.id end
    assert.same({ "spf:microsoft365", "spf:salesforce", "mx:unknown_relay", "autodiscover:microsoft365",
      "dkim:microsoft365", "txt:microsoft365" }, sources)
    assert.same({}, p.failed)
    assert.matches("^v=DMARC1", p.dmarc)
    local stack, by_id = {}, {}
    for _, s in ipairs(p.stack) do
      stack[#stack + 1] = s.id .. "/" .. s.category
      by_id[s.id] = s
    end
    table.sort(stack) -- TXT records come in any order
    assert.same({ "atlassian/collaboration", "docusign/esignature", "microsoft365/collaboration",
      "salesforce/crm", "valimail/dmarc_reporting" }, stack)
    assert.same({ { source = "dmarc", address = "dmarc_agg@vali.email", rule = "vali.email" } }, by_id.valimail.evidence)
    assert.same({ { source = "spf", provider = "salesforce" } }, by_id.salesforce.evidence)
    -- the basic profile asks MX, TXT and DMARC only: SPF alone gives medium
    p = assert(r:profile("relayed.profile.test", { lookups = "basic" }))
    assert.equals("microsoft365", p.provider.id)
    assert.equals("medium", p.provider.confidence)
  end)

  it("a self-hosted MX with Google's DKIM key: Google Workspace behind a self-hosted relay", function()
    local p = assert(r:profile("ownmx.profile.test"))
    assert.equals("google_workspace", p.provider.id)
    assert.equals("medium", p.provider.confidence)
    assert.same({ id = "self_hosted", name = "Self-hosted", host = "mx.ownmx.profile.test" }, p.provider.gateway)
    assert.equals("dkim", p.provider.evidence[#p.provider.evidence].source)
  end)

  it("an alias domain: hosts under the alias target are self-hosted", function()
    local p = assert(r:profile("aliased.profile.test"))
    assert.equals("target-org.profile.test", p.mx.cname)
    assert.equals("self", p.provider.category)
  end)

  it("raises for unknown options", function()
    assert.has_error(function() r:profile("google.profile.test", { lookup = "basic" }) end,
      "bad argument #2 to 'profile' (unknown option 'lookup')")
    assert.has_error(function() r:profile("google.profile.test", { lookups = "all" }) end,
      "bad argument #2 to 'profile' (opts.lookups must be \"auto\", \"full\" or \"basic\")")
  end)

  it("a bad name ends the profile with badname, in both forms", function()
    local p, err, code = r:profile("bad name.test")
    assert.is_nil(p)
    assert.equals("badname", code)
    assert.matches("badname", err)
    local got
    r:profile("", function(...) got = { ... } end)
    r:run(5)
    assert.is_nil(got[1])
    assert.equals("badname", got[3])
  end)

  it("raises for a domain that is not a string or a callback that is not a function", function()
    assert.has_error(function() r:profile(42) end)
    assert.has_error(function() r:profile("google.profile.test", 42) end)
  end)

  it("an error in the callback is reported by run()", function()
    r:profile("google.profile.test", function() error("boom") end)
    local done, errors = r:run(5)
    assert.is_true(done)
    assert.matches("boom", errors[1])
  end)

  describe("partial failures", function()
    local rf

    before_each(function()
      rf = mxrecord.resolver { servers = { fault.address }, timeout = 0.3, tries = 1 }
    end)

    after_each(function() rf:close() end)

    it("a failed MX lookup still gives a profile, with mx_error and what SPF says", function()
      local p = assert(rf:profile("servfail-mx.example"))
      assert.is_nil(p.mx)
      assert.same("servfail", p.mx_error.code)
      assert.matches("servfail", p.mx_error.message)
      assert.equals("v=spf1 include:_spf.google.com ~all", p.spf)
      assert.equals("unknown", p.provider.category)
      assert.equals("low", p.provider.confidence)
      assert.same({ "google_workspace" }, ids(p.provider.senders))
      assert.is_nil(p.spf_error)
      assert.same({ lookup = "mx", name = "servfail-mx.example", code = "servfail", message = p.mx_error.message },
        p.failed[1])
    end)

    it("a failed TXT lookup gives the provider from MX, with spf_error", function()
      local p = assert(rf:profile("refused-txt.example"))
      assert.equals("google_workspace", p.provider.id)
      assert.is_nil(p.spf)
      assert.equals("refused", p.spf_error.code)
      assert.is_nil(p.mx_error)
    end)

    it("both failing still gives a row, in both forms; the two lookups wait side by side", function()
      local t0 = socket.gettime()
      local p = assert(rf:profile("silent.example"))
      -- one timeout (0.3 s) for both, not one after the other (0.6 s)
      assert.is_true(socket.gettime() - t0 < 0.55)
      assert.equals("timeout", p.mx_error.code)
      assert.equals("timeout", p.spf_error.code)
      assert.equals("unknown", p.provider.category)
      local got
      rf:profile("servfail.example", function(q) got = q end)
      rf:run(5)
      assert.equals("servfail", got.mx_error.code)
      assert.equals("servfail", got.spf_error.code)
    end)

    it("closing the resolver cancels a pending profile: nil, message, cancelled", function()
      local got
      rf:profile("silent.example", function(...) got = { ... } end)
      rf:close()
      assert.is_nil(got[1])
      assert.equals("cancelled", got[3])
    end)
  end)
end)
