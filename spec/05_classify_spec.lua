-- Layer 5: the provider classifier. Pure: no DNS.
local mxrecord = require "mxrecord"
local classify = mxrecord.classify

local function ids(list)
  local out = {}
  for i, p in ipairs(list) do out[i] = p.id end
  return out
end

-- The MX result shape r:mx() returns, for a domain and its hosts in order.
local function mx_result(domain, hosts)
  local records = {}
  for i, h in ipairs(hosts) do records[i] = { preference = i * 10, exchange = h, ttl = 300 } end
  return { domain = domain, status = "ok", ttl = 300, records = records }
end

describe("classify", function()
  describe("mailbox providers by MX", function()
    it("Google Workspace: aspmx.l.google.com and its alternates", function()
      local p = classify { "aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com" }
      assert.equals("google_workspace", p.id)
      assert.equals("Google Workspace", p.name)
      assert.equals("mailbox", p.category)
      assert.is_nil(p.gateway)
      assert.equals(3, #p.evidence)
      assert.same({ source = "mx", host = "alt1.aspmx.l.google.com", rule = "aspmx.l.google.com",
        id = "google_workspace" }, p.evidence[2])
    end)

    it("Google Workspace: the single smtp.google.com MX and the legacy googlemail.com hosts", function()
      assert.equals("google_workspace", classify({ "smtp.google.com" }).id)
      local p = classify { "aspmx2.googlemail.com", "aspmx3.googlemail.com" }
      assert.equals("google_workspace", p.id)
      assert.equals("googlemail.com", p.evidence[1].rule)
    end)

    it("tells consumer Gmail from Google Workspace", function()
      assert.equals("gmail", classify({ "gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com" }).id)
    end)

    it("Microsoft 365: mail.protection.outlook.com and the newer mx.microsoft", function()
      local p = classify { "contoso-com.mail.protection.outlook.com" }
      assert.equals("microsoft365", p.id)
      assert.equals("Microsoft 365", p.name)
      assert.equals("mailbox", p.category)
      p = classify { "contoso-com.o-v1.mx.microsoft" }
      assert.equals("microsoft365", p.id)
      assert.equals("mx.microsoft", p.evidence[1].rule)
    end)

    it("tells Outlook.com consumer mail from Microsoft 365", function()
      local p = classify { "outlook-com.olc.protection.outlook.com" }
      assert.equals("outlook_consumer", p.id)
      assert.equals("mailbox", p.category)
      assert.equals("outlook_consumer", classify({ "mx1.hotmail.com" }).id)
      assert.equals("microsoft365", classify({ "hotmail-com.mail.protection.outlook.com" }).id)
    end)

    it("knows Zoho's regional domains", function()
      for _, h in ipairs { "mx.zoho.com", "mx2.zoho.eu", "mx3.zoho.in", "mx.zoho.com.au", "mx.zoho.jp",
        "mx.zohomail.com" } do
        local p = classify { h }
        assert.equals("zoho", p.id, h)
      end
    end)

    it("the longest suffix wins: AOL under Yahoo's yahoodns.net", function()
      assert.equals("aol", classify({ "mx-aol.mail.gm0.yahoodns.net" }).id)
      assert.equals("yahoo", classify({ "mta5.am0.yahoodns.net" }).id)
    end)
  end)

  describe("every category", function()
    local cases = {
      { "mailbox", { "in1-smtp.messagingengine.com" }, "fastmail" },
      { "gateway", { "us-smtp-inbound-1.mimecast.com", "us-smtp-inbound-2.mimecast.com" }, "mimecast" },
      { "forwarding", { "route1.mx.cloudflare.net", "route2.mx.cloudflare.net" }, "cloudflare_email_routing" },
      { "transactional", { "mx.sendgrid.net" }, "sendgrid" },
      { "hosting", { "mailstore1.secureserver.net", "smtp.secureserver.net" }, "godaddy" },
      { "isp", { "mx1a1.comcast.net" }, "comcast" },
    }
    for _, c in ipairs(cases) do
      it(c[1] .. " (" .. c[3] .. ")", function()
        local p = classify(c[2])
        assert.equals(c[1], p.category)
        assert.equals(c[3], p.id)
      end)
    end

    it("self: MX hosts under the domain itself, when the domain is known", function()
      local p = classify(mx_result("acme.test", { "mail.acme.test", "mail2.acme.test" }))
      assert.equals("self", p.category)
      assert.equals("self_hosted", p.id)
      assert.same({ source = "mx", host = "mail.acme.test", rule = "acme.test", id = "self_hosted" }, p.evidence[1])
      assert.equals("self", classify(mx_result("acme.test", { "acme.test" })).category)
      -- a look-alike of the domain is not the domain
      assert.equals("unknown", classify(mx_result("acme.test", { "mail.notacme.test" })).category)
      -- a plain list does not say which domain it belongs to
      assert.equals("unknown", classify({ "mail.acme.test" }).category)
      -- unless the table says so
      assert.equals("self", classify({ "mail.acme.test", domain = "acme.test" }).category)
    end)

    it("unknown: MX hosts that match no rule", function()
      local p = classify { "mx.some-small-host.example" }
      assert.equals("unknown", p.category)
      assert.equals("unknown", p.id)
      assert.same({}, p.evidence)
    end)

    it("none: no MX hosts, or an MX result that is not ok", function()
      assert.equals("none", classify({}).category)
      for _, status in ipairs { "nxdomain", "nodata", "null_mx" } do
        local p = classify { domain = "parked.test", status = status, ttl = 60, records = {} }
        assert.equals("none", p.category)
        assert.equals("none", p.id)
      end
    end)
  end)

  describe("gateways and the mailbox behind them", function()
    it("a gateway with Microsoft 365 behind it, revealed by SPF", function()
      local p = classify({ "mxa-00123456.gslb.pphosted.com", "mxb-00123456.gslb.pphosted.com" },
        "v=spf1 include:spf.protection.outlook.com include:spf-00123456.pphosted.com -all")
      assert.equals("microsoft365", p.id)
      assert.equals("mailbox", p.category)
      assert.same({ id = "proofpoint", name = "Proofpoint" }, p.gateway)
      assert.same({ "microsoft365", "proofpoint" }, ids(p.senders))
    end)

    it("a gateway primary with Google as secondary MX", function()
      local p = classify { "eu-smtp-inbound-1.mimecast.com", "eu-smtp-inbound-2.mimecast.com", "aspmx.l.google.com" }
      assert.equals("google_workspace", p.id)
      assert.equals("mimecast", p.gateway.id)
    end)

    it("a secondary MX wins over SPF, and a mailbox include over a hosting one", function()
      local p = classify({ "a.iphmx.com", "acme-com.mail.protection.outlook.com" }, "v=spf1 include:_spf.google.com ~all")
      assert.equals("microsoft365", p.id)
      assert.equals("cisco_secure_email", p.gateway.id)
      p = classify({ "a.iphmx.com" }, "v=spf1 include:secureserver.net include:_spf.google.com ~all")
      assert.equals("google_workspace", p.id)
      p = classify({ "a.iphmx.com" }, "v=spf1 include:secureserver.net ~all")
      assert.equals("godaddy", p.id)
      assert.equals("hosting", p.category)
    end)

    it("MailChannels inbound filtering in front of a DreamHost mailbox, revealed by SPF", function()
      local p = classify({ "mx1.mailchannels.net", "mx2.mailchannels.net" },
        "v=spf1 include:netblocks.dreamhost.com include:relay.mailchannels.net -all")
      assert.equals("dreamhost", p.id)
      assert.equals("mailchannels", p.gateway.id)
    end)

    it("a self-hosted secondary behind a gateway", function()
      local p = classify(mx_result("acme.test", { "mx1.hes.trendmicro.com", "mail.acme.test" }))
      assert.equals("self", p.category)
      assert.equals("trend_micro", p.gateway.id)
    end)

    it("nothing behind it: the gateway is the answer", function()
      local p = classify({ "mx01.hornetsecurity.com", "mx02.hornetsecurity.com" }, "v=spf1 include:sendgrid.net -all")
      assert.equals("hornetsecurity", p.id)
      assert.equals("gateway", p.category)
      assert.equals("hornetsecurity", p.gateway.id)
    end)

    it("orders a record list by preference: the lowest decides first", function()
      local p = classify { { preference = 20, exchange = "aspmx.l.google.com" },
        { preference = 5, exchange = "mxa-1.gslb.pphosted.com" } }
      assert.equals("google_workspace", p.id)
      assert.equals("proofpoint", p.gateway.id)
      assert.equals("proofpoint", p.evidence[1].id)
    end)

    it("an unknown primary is a relay in front of the first known mailbox host", function()
      local p = classify { "filter.unknown-vendor.example", "acme-com.mail.protection.outlook.com" }
      assert.equals("microsoft365", p.id)
      assert.same({ id = "unknown_relay", name = "Unknown relay", host = "filter.unknown-vendor.example" }, p.gateway)
      assert.equals("high", p.confidence)
      assert.same({ source = "mx", host = "filter.unknown-vendor.example", id = "unknown_relay" }, p.evidence[2])
    end)

    it("an unknown relay with Microsoft's SPF include is Microsoft 365 behind a relay", function()
      local p = classify({ "mx1.relay.small-isp.example", "mx2.relay.small-isp.example" },
        "v=spf1 ip4:192.0.2.1 include:spf.protection.outlook.com -all")
      assert.equals("microsoft365", p.id)
      assert.equals("mailbox", p.category)
      assert.equals("medium", p.confidence)
      assert.same({ id = "unknown_relay", name = "Unknown relay", host = "mx1.relay.small-isp.example" }, p.gateway)
      -- a mailbox include wins over a hosting one; a hosting include alone says too little
      -- (a web host's include beside a relay of its own): still unknown
      p = classify({ "mx.relay.example" }, "v=spf1 include:secureserver.net include:_spf.google.com ~all")
      assert.equals("google_workspace", p.id)
      p = classify({ "mx.relay.example" }, "v=spf1 include:_spf-eu.ionos.com ~all")
      assert.equals("unknown", p.id)
      assert.equals("low", p.confidence)
      -- behind a known gateway a hosting include does name the host (low)
      p = classify({ "mx1-eu1.ppe-hosted.com" }, "v=spf1 include:spf.infomaniak.ch ~all")
      assert.equals("infomaniak", p.id)
      assert.equals("proofpoint_essentials", p.gateway.id)
      assert.equals("low", p.confidence)
      -- senders only: still unknown
      p = classify({ "mx.relay.example" }, "v=spf1 include:sendgrid.net ~all")
      assert.equals("unknown", p.id)
      assert.equals("low", p.confidence)
      assert.is_nil(p.gateway)
    end)

    it("a self-hosted relay with a mailbox provider's include, or a later MX host", function()
      local p = classify(mx_result("acme.test", { "mail.acme.test" }), "v=spf1 mx include:spf.protection.outlook.com -all")
      assert.equals("microsoft365", p.id)
      assert.same({ id = "self_hosted", name = "Self-hosted", host = "mail.acme.test" }, p.gateway)
      assert.equals("medium", p.confidence)
      -- a hosting provider's include beside a server of its own: still self-hosted
      p = classify(mx_result("acme.test", { "mail.acme.test" }), "v=spf1 include:websitewelcome.com ~all")
      assert.equals("self", p.category)
      assert.is_nil(p.gateway)
      -- a self-hosted primary with Microsoft 365 as a later MX host
      p = classify(mx_result("acme.test", { "mail.acme.test", "acme-test.mail.protection.outlook.com" }))
      assert.equals("microsoft365", p.id)
      assert.equals("self_hosted", p.gateway.id)
      assert.equals("self", classify(mx_result("acme.test", { "mail.acme.test" })).category)
    end)

    it("a hoster's or ISP's MX in front of a mailbox provider that SPF or a later MX host names", function()
      local p = classify({ "www208.your-server.de" }, "v=spf1 include:spf.protection.outlook.com -all")
      assert.equals("microsoft365", p.id)
      assert.equals("medium", p.confidence)
      assert.same({ id = "hetzner", name = "Hetzner" }, p.gateway)
      p = classify { "mx.mailprotect.be", "acme-be.mail.protection.outlook.com" }
      assert.equals("microsoft365", p.id)
      assert.equals("combell", p.gateway.id)
      assert.equals("high", p.confidence)
      -- its own include, or senders only: the hoster
      p = classify({ "www208.your-server.de" }, "v=spf1 include:spf.your-server.de include:sendgrid.net -all")
      assert.equals("hetzner", p.id)
      assert.is_nil(p.gateway)
      assert.equals("high", p.confidence)
    end)

    it("a domain that is an alias: hosts under the alias target count as self", function()
      local mx = mx_result("www.acme.test", { "mail.acme-hosting.test" })
      assert.equals("unknown", classify(mx).category)
      mx.cname = "acme-hosting.test"
      assert.equals("self", classify(mx).category)
    end)
  end)

  describe("evidence beyond MX and SPF (what r:profile gathers)", function()
    local relay = { "mx1.relay.example", "mx2.relay.example" }

    it("strong evidence names the mailbox behind an unknown relay, each piece in evidence", function()
      local p = classify(relay, nil, { autodiscover = "autodiscover.outlook.com" })
      assert.equals("microsoft365", p.id)
      assert.equals("medium", p.confidence)
      assert.same({ id = "unknown_relay", name = "Unknown relay", host = "mx1.relay.example" }, p.gateway)
      assert.same({ source = "autodiscover", target = "autodiscover.outlook.com", rule = "autodiscover.outlook.com",
        id = "microsoft365", weight = "strong" }, p.evidence[1])
      -- two strong pieces that agree: high
      p = classify(relay, nil, { autodiscover = { cname = "autodiscover.outlook.com" },
        dkim = { selector1 = { cname = "selector1-acme-com._domainkey.acme.onmicrosoft.com", records = {} } } })
      assert.equals("high", p.confidence)
      assert.equals("dkim", p.evidence[2].source)
      assert.equals("selector1", p.evidence[2].selector)
      -- Google's DKIM key published at google._domainkey
      p = classify(relay, nil, { dkim = { google = { records = { "v=DKIM1; k=rsa; p=MIIB" } } } })
      assert.equals("google_workspace", p.id)
    end)

    it("confirms what SPF said behind a gateway, or replaces it when stronger evidence disagrees", function()
      local mx = { "mxa-1.gslb.pphosted.com" }
      local spf = "v=spf1 include:spf.protection.outlook.com -all"
      assert.equals("medium", classify(mx, spf).confidence)
      local p = classify(mx, spf, { autodiscover = "autodiscover.outlook.com" })
      assert.equals("microsoft365", p.id)
      assert.equals("high", p.confidence)
      assert.equals("proofpoint", p.gateway.id)
      p = classify(mx, "v=spf1 include:_spf.google.com -all", { autodiscover = "autodiscover.outlook.com",
        dkim = { selector1 = "selector1-x._domainkey.x.onmicrosoft.com" } })
      assert.equals("microsoft365", p.id)
      assert.equals("medium", p.confidence)
      assert.equals("proofpoint", p.gateway.id)
    end)

    it("weak tokens decide only where nothing else did, and never over the MX", function()
      local p = classify(relay, nil, { txt = { "MS=ms1234" } })
      assert.equals("microsoft365", p.id)
      assert.equals("low", p.confidence)
      -- a Search Console token alone is no mail evidence
      assert.equals("unknown", classify(relay, nil, { txt = { "google-site-verification=x" } }).id)
      -- a self-hosted MX stays self-hosted on a weak token
      local own = { "mail.acme.test", domain = "acme.test" }
      assert.equals("self", classify(own, nil, { txt = { records = { "MS=ms1" } } }).category)
      -- the MX decides: other evidence is listed, not weighed
      p = classify({ "aspmx.l.google.com" }, nil, { autodiscover = "autodiscover.outlook.com", txt = { "MS=ms1" } })
      assert.equals("google_workspace", p.id)
      assert.equals("high", p.confidence)
      assert.equals(3, #p.evidence)
      -- no MX: nothing receives mail, whatever else is there
      assert.equals("none", classify({}, nil, { autodiscover = "autodiscover.outlook.com" }).id)
    end)

    it("the domain's own CNAME target, matched like an MX host", function()
      local p = classify(relay, nil, { cname = "acme.mail.protection.outlook.com" })
      assert.equals("microsoft365", p.id)
      assert.equals("cname", p.evidence[1].source)
      assert.equals("unknown", classify(relay, nil, { cname = "www.elsewhere.example" }).id)
    end)
  end)

  describe("matching", function()
    it("is on label boundaries: look-alikes are not the provider", function()
      for _, h in ipairs { "evilgoogle.com", "google.com.evil.test", "aspmx.l.google.com.evil.test",
        "xmail.protection.outlook.com", "notsecureserver.net", "mx.microsoft.evil", "fakemimecast.com" } do
        local p = classify { h }
        assert.equals("unknown", p.category, h)
        assert.same({}, p.evidence, h)
      end
    end)

    it("ignores case and a trailing dot; evidence keeps the host as given and the rule in lower case", function()
      local p = classify { "ASPMX.L.Google.COM." }
      assert.equals("google_workspace", p.id)
      assert.equals("ASPMX.L.Google.COM.", p.evidence[1].host)
      assert.equals("aspmx.l.google.com", p.evidence[1].rule)
      assert.equals("microsoft365", classify({ "X.MAIL.PROTECTION.OUTLOOK.COM" }).id)
    end)

    it("odd strings never match and never crash", function()
      local long = string.rep("a", 300) .. ".google.com"
      local p = classify { "", ".", "..", "\0", "aspmx.l.google.com\0", "\0aspmx.l.google.com", long,
        string.rep("a.", 127) .. "smtp.google.com", "\255\254.google.com" }
      assert.equals("unknown", p.category)
      assert.same({}, p.evidence)
      p = classify({ "x" }, "v=spf1 include: include:\0 include:" .. long .. " redirect=")
      assert.same({}, p.senders)
    end)

    it("raises for unknown options, naming them, with a near miss suggested", function()
      local ok, err = pcall(function()
        local p = classify({ "x.example" }, nil, { evidnce = false })
        return p
      end)
      assert.is_false(ok)
      assert.matches("bad argument #3 to 'classify' %(unknown option 'evidnce'; did you mean 'evidence'%?%)", err)
      assert.matches("05_classify_spec.lua:%d+:", err) -- at the caller's line
      ok, err = pcall(classify, { "x.example" }, nil, { colour = 1 })
      assert.matches("unknown option 'colour'%)", err)
      ok, err = pcall(classify, { "x.example" }, nil, { [1] = true })
      assert.matches("unknown option '1'", err)
      assert.has_error(function() classify({ "x.example" }, nil, "evidence") end)
      assert.equals("unknown", classify({ "x.example" }, nil, { evidence = false }).id)
    end)

    it("raises for a non-table or hosts that are not strings", function()
      assert.has_error(function() classify("aspmx.l.google.com") end)
      assert.has_error(function() classify(nil) end)
      assert.has_error(function() classify { 42 } end)
      assert.has_error(function() classify { {} } end)
      assert.has_error(function() classify({ "x" }, 42) end)
    end)

    it("looks at every host of a large set", function()
      local hosts = {}
      for i = 1, 150 do hosts[i] = ("mx%d.unknown.example"):format(i) end
      hosts[151] = "acme-com.mail.protection.outlook.com"
      local p = classify(hosts)
      assert.equals("microsoft365", p.id)
      assert.equals(2, #p.evidence) -- the relay and the Microsoft host
      assert.equals("mx1.unknown.example", p.gateway.host)
    end)

    it("sorts a large unsorted record list by preference, stably", function()
      local records = {}
      for i = 1, 200000 do
        records[i] = { preference = (i * 7919) % 1000 + 1, exchange = ("mx%d.unknown.example"):format(i) }
      end
      records[150000] = { preference = 0, exchange = "aspmx.l.google.com" }
      records[150001] = { preference = 0, exchange = "mx-second.unknown.example" }
      local p = classify(records)
      assert.equals("google_workspace", p.id)
      assert.is_nil(p.gateway)
      records[149000] = { preference = 0, exchange = "first.unknown.example" }
      p = classify(records)
      assert.equals("google_workspace", p.id)
      assert.equals("first.unknown.example", p.gateway.host)
      -- NaN preferences go last and do not break the order
      p = classify { { preference = 0 / 0, exchange = "mx.unknown.example" }, { preference = 5, exchange = "smtp.google.com" } }
      assert.equals("google_workspace", p.id)
      assert.is_nil(p.gateway)
    end)
  end)

  describe("SPF senders", function()
    it("lists every sender named by include:, in order, once each", function()
      local p = classify({ "aspmx.l.google.com" }, "v=spf1 include:_spf.google.com include:sendgrid.net "
        .. "include:servers.mcsv.net include:_spf.salesforce.com ~include:mail.zendesk.com "
        .. "include:u123.wl.sendgrid.net ip4:192.0.2.0/24 -all")
      assert.same({ "google_workspace", "sendgrid", "mailchimp", "salesforce", "zendesk" }, ids(p.senders))
      assert.same({ id = "sendgrid", name = "SendGrid", category = "transactional" }, p.senders[2])
      local spf = {}
      for _, e in ipairs(p.evidence) do
        if e.source == "spf" then spf[#spf + 1] = e.include .. "=" .. e.rule end
      end
      assert.same({ "_spf.google.com=google.com", "sendgrid.net=sendgrid.net", "servers.mcsv.net=servers.mcsv.net",
        "_spf.salesforce.com=_spf.salesforce.com", "mail.zendesk.com=mail.zendesk.com",
        "u123.wl.sendgrid.net=sendgrid.net" }, spf)
    end)

    it("follows redirect= (one level, no DNS)", function()
      local p = classify({ "mx.zoho.eu" }, "v=spf1 redirect=_spf.google.com")
      assert.equals("zoho", p.id)
      assert.same({ "google_workspace" }, ids(p.senders))
      assert.equals("_spf.google.com", p.evidence[2].redirect)
    end)

    it("is case-insensitive and accepts SPF as r:txt() gives it", function()
      local p = classify({ "x.example" }, "V=SPF1 INCLUDE:SPF.PROTECTION.OUTLOOK.COM -ALL")
      assert.same({ "microsoft365" }, ids(p.senders))
      p = classify({ "x.example" }, { records = { "google-site-verification=abc", "v=spf1 include:mailgun.org ~all" } })
      assert.same({ "mailgun" }, ids(p.senders))
      p = classify({ "x.example" }, { "v=spf1 include:spf.mailjet.com ~all" })
      assert.same({ "mailjet" }, ids(p.senders))
    end)

    it("ignores text that is not SPF", function()
      for _, t in ipairs { "include:sendgrid.net", "v=spf10 include:sendgrid.net", "spf1 include:sendgrid.net",
        "v=DMARC1; p=none", "" } do
        assert.same({}, classify({ "x.example" }, t).senders, t)
      end
    end)

    it("keeps every distinct sender, however many", function()
      local list, spf = mxrecord.providers(), { "v=spf1" }
      local want, seen = {}, {}
      for _, p in ipairs(list) do
        if p.spf[1] and not seen[p.id] then
          want[#want + 1] = p.id
          seen[p.id] = true
          spf[#spf + 1] = "include:" .. p.spf[1]
        end
      end
      assert.is_true(#want > 40)
      local p = classify({ "x.example" }, table.concat(spf, " ") .. " -all")
      assert.same(want, ids(p.senders))
      assert.is_nil(p.senders_truncated)
    end)
  end)

  describe("rules", function()
    it("has at least 100 providers in every category, with no suffix claimed twice", function()
      local list, per, seen = mxrecord.providers(), {}, { mx = {}, spf = {} }
      assert.is_true(#list >= 100)
      for _, p in ipairs(list) do
        per[p.category] = (per[p.category] or 0) + 1
        for _, kind in ipairs { "mx", "spf" } do
          for _, s in ipairs(p[kind]) do
            assert.is_nil(seen[kind][s], kind .. " " .. s .. " claimed by " .. tostring(seen[kind][s]) .. " and " .. p.id)
            seen[kind][s] = p.id
          end
        end
      end
      for _, c in ipairs { "mailbox", "gateway", "forwarding", "transactional", "hosting", "isp" } do
        assert.is_true((per[c] or 0) >= 5, c)
      end
      assert.matches("^%d%d%d%d%.%d%d%.%d%d", mxrecord.providers_version)
    end)

    it("every provider's listed suffixes classify to it", function()
      for _, p in ipairs(mxrecord.providers()) do
        for _, s in ipairs(p.mx) do
          assert.equals(p.id, classify({ "mx1." .. s }).id, s)
        end
        for _, s in ipairs(p.spf) do
          assert.equals(p.id, classify({}, "v=spf1 include:" .. s .. " -all").senders[1].id, s)
        end
      end
    end)
  end)
end)

describe("accuracy on real domains (spec/fixtures/accuracy.tsv)", function()
  -- The independent scans' classes, and how mxrecord's answers map onto them.
  local CLASS = { microsoft365 = "microsoft", google_workspace = "google", gmail = "google", amazon_ses = "aws",
    amazon_workmail_autodiscover = "aws", infomaniak = "infomaniak" }
  local GATEWAY = { abxsec = { abxsec = true }, proofpoint = { proofpoint = true, proofpoint_essentials = true },
    trendmicro = { trend_micro = true }, seppmail = { seppmail = true }, hornetsecurity = { hornetsecurity = true },
    cisco = { cisco_secure_email = true }, sophos = { sophos = true } }

  local function rows()
    local out = {}
    for line in io.lines("spec/fixtures/accuracy.tsv") do
      if line ~= "" and line:sub(1, 1) ~= "#" then
        local f = {}
        for field in (line .. "\t"):gmatch("([^\t]*)\t") do f[#f + 1] = field end
        local mx = {}
        for h in f[2]:gmatch("[^,]+") do mx[#mx + 1] = h end
        out[#out + 1] = { domain = f[1], mx = mx, spf = f[3] ~= "-" and f[3] or nil, expected = f[4],
          gateway = f[5] ~= "-" and f[5] or nil, basis = f[6], source = f[7] }
      end
    end
    return out
  end

  -- The German scan's classes: the hyperscalers, Strato, IONOS, own servers; every other hoster,
  -- municipal data centre or gateway is one class for this comparison.
  local CLASS_DE = { microsoft365 = "microsoft", google_workspace = "google", strato = "strato", ionos = "ionos" }
  local OTHER_DE = { ["managed-hosting"] = true, kommunal = true, sonstige = true }

  -- true when the answer agrees with the row's expected provider
  local function agrees(row, p)
    if row.source == "mxmap-ch" or row.source == "mxmap-at" then
      local class = CLASS[p.id] or "other"
      local want = (row.expected == "independent" or row.expected == "swiss-isp") and "other" or row.expected
      return class == want
    elseif row.source == "mxmap-de" then
      local class = CLASS_DE[p.id] or (p.category == "self" and "eigener-server") or "other"
      return class == (OTHER_DE[row.expected] and "other" or row.expected)
    end
    return p.id == row.expected
  end

  it("agrees with the independent sources where MX and SPF show the provider, and names their gateways", function()
    local n, ok, n_ms, ok_ms, gw_n, gw_ok, wrong = 0, 0, 0, 0, 0, 0, {}
    for _, row in ipairs(rows()) do
      local mx = { domain = row.domain, status = "ok", records = {} }
      for i, h in ipairs(row.mx) do mx.records[i] = { preference = i * 10, exchange = h } end
      local p = classify(mx, row.spf)
      local good = agrees(row, p)
      n, ok = n + 1, ok + (good and 1 or 0)
      if row.basis ~= "other" then
        n_ms, ok_ms = n_ms + 1, ok_ms + (good and 1 or 0)
        if not good then wrong[#wrong + 1] = row.domain .. "=" .. p.id end
      end
      if row.gateway then
        gw_n = gw_n + 1
        local want = GATEWAY[row.gateway] or { [row.gateway] = true }
        if p.gateway and want[p.gateway.id] then gw_ok = gw_ok + 1 end
      end
    end
    assert.is_true(n >= 87)
    -- where MX and SPF show the provider: every row
    assert.equals(n_ms, ok_ms, "disagreements: " .. table.concat(wrong, " "))
    -- overall (the rows the scan decided by autodiscover included): at least 90 %
    assert.is_true(ok / n >= 0.9, ("overall %d/%d"):format(ok, n))
    assert.equals(gw_n, gw_ok)
    if os.getenv("MXRECORD_ACCURACY") then -- MXRECORD_ACCURACY=1 busted ... prints the figures
      io.stderr:write(("\naccuracy: %d/%d where MX and SPF show the provider, %d/%d overall, gateways %d/%d\n")
        :format(ok_ms, n_ms, ok, n, gw_ok, gw_n))
    end
  end)
end)

describe("add_provider", function()
  -- runs last in this file: it changes the module's rule set for good
  local base = mxrecord.providers_version

  it("adds a provider that classify uses at once, and changes providers_version", function()
    assert.equals("unknown", classify({ "in1.filter.acme-sec.example" }).category)
    assert.is_true(mxrecord.add_provider { id = "acme_sec", name = "Acme Secure", category = "gateway",
      mx = { "filter.acme-sec.example" }, spf = { "spf.acme-sec.example" } })
    local p = classify({ "in1.filter.acme-sec.example", "aspmx.l.google.com" })
    assert.equals("google_workspace", p.id)
    assert.same({ id = "acme_sec", name = "Acme Secure" }, p.gateway)
    assert.same({ "acme_sec" }, ids(classify({}, "v=spf1 include:spf.acme-sec.example").senders))
    assert.not_equals(base, mxrecord.providers_version)
    assert.equals(base, mxrecord.providers_version:sub(1, #base))
  end)

  it("overrides an existing provider, and its suffixes win over others'", function()
    mxrecord.add_provider { id = "mimecast", name = "Mimecast (renamed)", category = "gateway",
      mx = { "mimecast.com", "pphosted.com" } }
    local p = classify { "x.pphosted.com" }
    assert.equals("mimecast", p.id)
    assert.equals("Mimecast (renamed)", p.name)
    -- the longest suffix still wins: Proofpoint keeps gslb.pphosted.com
    assert.equals("proofpoint", classify({ "mxa-1.gslb.pphosted.com" }).id)
  end)

  it("rejects bad specifications with a message that names the problem", function()
    local bad = {
      { nil, "table expected" },
      { { name = "x", category = "mailbox" }, "'id'" },
      { { id = "x y", category = "mailbox" }, "'id'" },
      { { id = "x", category = "webmail" }, "'category'" },
      { { id = "x", category = "self" }, "'category'" },
      { { id = "unknown", category = "mailbox" }, "reserved" },
      { { id = "x", category = "mailbox", mx = "a.example" }, "'mx'" },
      { { id = "x", category = "mailbox", mx = { "bad name.example" } }, "mx%[1%]" },
      { { id = "x", category = "mailbox", spf = { 1 } }, "spf%[1%]" },
      { { id = "x", category = "mailbox", mxs = {} }, "unknown field 'mxs'" },
    }
    for _, b in ipairs(bad) do
      local ok, err = pcall(mxrecord.add_provider, b[1])
      assert.is_false(ok)
      assert.matches(b[2], err)
    end
    assert.equals("unknown", classify({ "x.example" }).category)
  end)
end)
