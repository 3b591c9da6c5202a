-- mxrecord.stack: the SaaS a domain has verified, from its TXT records
-- (domain-verification tokens), the reporting vendor named by its DMARC
-- record's rua=/ruf= addresses, and the senders its SPF record includes.
-- Data with sources, like mxrecord.providers. Pure: no DNS.
--
--   stack.detect(txt, dmarc, senders) -> { {id=, name=, category=, evidence=}, ... }
--
-- txt: a r:txt() result, a list of strings or nil; dmarc: the DMARC record
-- (string) or nil; senders: classify's `senders` list or nil. One entry per
-- service, in the order first seen; evidence names what showed it.
--
-- Sources: "observed" = the token appears in the published TXT records of
-- the domains named (public DNS, as captured in public scan fixtures);
-- otherwise the vendor's documentation. Entries marked uncertain rest on a
-- third-party catalogue only (elementalsouls/Claude-OSINT, email-security
-- skill: "TXT verification-token catalog").

local M = { version = "2026.11.28" }

M.CATEGORIES = {
  collaboration = "collaboration", crm = "CRM", marketing = "marketing", esignature = "e-signature",
  identity = "identity", support = "support", security = "security", dmarc_reporting = "DMARC reporting",
  developer = "developer", ai = "AI", mail = "mail", payments = "payments", hr = "HR",
  certificates = "certificates", web = "web", sending = "email sending",
}

-- Categories of SPF senders (classify's transactional providers) that are
-- more than an email service; the rest are "sending".
M.SENDER_CATEGORY = {
  salesforce = "crm", pardot = "crm", hubspot = "crm", netsuite = "crm", zendesk = "support",
  freshdesk = "support", atlassian = "collaboration", shopify = "web", knowbe4 = "security",
  marketo = "marketing", mailchimp = "marketing", constant_contact = "marketing", campaign_monitor = "marketing",
  mailerlite = "marketing", zoho_campaigns = "marketing", brevo = "marketing",
}

-- TXT tokens: { prefix (case-insensitive), id, name, category, source }
M.tokens = {
  { "MS=ms", "microsoft365", "Microsoft 365", "collaboration",
    "https://learn.microsoft.com/en-us/microsoft-365/admin/setup/add-domain ; observed: stackoverflow.com" },
  { "mscid=", "microsoft365", "Microsoft 365", "collaboration", "uncertain" },
  { "google-site-verification=", "google", "Google (Search Console / Workspace)", "web",
    "https://support.google.com/a/answer/183895 ; observed: bbc.com, stackoverflow.com" },
  { "atlassian-domain-verification=", "atlassian", "Atlassian Cloud", "collaboration",
    "https://support.atlassian.com/user-management/docs/verify-a-domain-to-manage-accounts/ ; observed: bbc.com, stackoverflow.com" },
  { "atlassian-sending-domain-verification=", "atlassian", "Atlassian Cloud", "collaboration", "observed: bbc.com" },
  { "slack-domain-verification=", "slack", "Slack", "collaboration", "observed: bbc.com" },
  { "dropbox-domain-verification=", "dropbox", "Dropbox", "collaboration", "observed: bbc.com" },
  { "zoom_verify_", "zoom", "Zoom", "collaboration", "observed: stackoverflow.com (ZOOM_verify_...)" },
  { "webexdomainverification.", "webex", "Cisco Webex", "collaboration", "uncertain" },
  { "cisco-ci-domain-verification=", "webex", "Cisco Webex", "collaboration", "uncertain" },
  { "miro-site-verification=", "miro", "Miro", "collaboration", "uncertain" },
  { "asana-domain-verification=", "asana", "Asana", "collaboration", "uncertain" },
  { "box-verification=", "box", "Box", "collaboration", "uncertain" },
  { "loom-site-verification=", "loom", "Loom", "collaboration", "uncertain" },
  { "airtable-verification=", "airtable", "Airtable", "collaboration", "observed: bbc.com" },
  { "docusign=", "docusign", "DocuSign", "esignature",
    "https://support.docusign.com/s/document-item?topicId=wyg1578456341738.html ; observed: bbc.com, stackoverflow.com" },
  { "adobe-sign-verification=", "adobe_sign", "Adobe Acrobat Sign", "esignature", "uncertain" },
  { "adobe-idp-site-verification=", "adobe", "Adobe (identity for Creative Cloud / Acrobat)", "identity",
    "https://helpx.adobe.com/enterprise/using/verify-domain-ownership.html ; observed: bbc.com, stackoverflow.com" },
  { "apple-domain-verification=", "apple", "Apple Business", "identity", "uncertain" },
  { "jamf-site-verification=", "jamf", "Jamf", "security", "observed: bbc.com" },
  { "onetrust-domain-verification=", "onetrust", "OneTrust", "security", "observed: stackoverflow.com" },
  { "knowbe4-site-verification=", "knowbe4", "KnowBe4", "security", "uncertain" },
  { "zscaler-verification-", "zscaler", "Zscaler", "security", "uncertain" },
  { "cloudflare-verify=", "cloudflare_zero_trust", "Cloudflare Zero Trust", "security", "uncertain" },
  { "validity-domain-verification=", "validity", "Validity (Everest)", "marketing", "observed: bbc.com" },
  { "facebook-domain-verification=", "meta_business", "Meta Business", "marketing",
    "https://www.facebook.com/business/help/321167023127050" },
  { "pinterest-site-verification=", "pinterest", "Pinterest Business", "marketing", "uncertain" },
  { "klaviyo-domain-verification=", "klaviyo", "Klaviyo", "marketing", "uncertain" },
  { "hubspot-domain-verification=", "hubspot", "HubSpot", "crm", "uncertain" },
  { "salesforce-domain-verification=", "salesforce", "Salesforce", "crm", "uncertain" },
  { "zendesk-verification=", "zendesk", "Zendesk", "support", "uncertain" },
  { "freshworks-verification=", "freshworks", "Freshworks", "support", "uncertain" },
  { "intercom-verification=", "intercom", "Intercom", "support", "uncertain" },
  { "workday-domain-verification=", "workday", "Workday", "hr", "uncertain" },
  { "stripe-verification=", "stripe", "Stripe", "payments", "uncertain" },
  { "shopify-domain-verification=", "shopify", "Shopify", "web", "uncertain" },
  { "wix-site-verification=", "wix", "Wix", "web", "uncertain" },
  { "docker-verification=", "docker", "Docker", "developer", "observed: bbc.com, stackoverflow.com" },
  { "mongodb-site-verification=", "mongodb", "MongoDB Atlas", "developer", "uncertain" },
  { "gitlab-domain-verification=", "gitlab", "GitLab", "developer", "uncertain" },
  { "make-domain-verification=", "make", "Make", "developer", "observed: stackoverflow.com" },
  { "ibmid=", "ibm", "IBM (IBMid)", "identity", "observed: stackoverflow.com" },
  { "work-os-domain-verification", "workos", "WorkOS", "identity", "observed: stackoverflow.com" },
  { "openai-domain-verification=", "openai", "OpenAI", "ai", "observed: stackoverflow.com" },
  { "anthropic-domain-verification", "anthropic", "Anthropic", "ai", "observed: stackoverflow.com" },
  { "cursor-domain-verification", "cursor", "Cursor", "ai", "observed: stackoverflow.com" },
  { "_globalsign-domain-verification=", "globalsign", "GlobalSign", "certificates", "observed: bbc.com" },
  { "globalsign-domain-verification=", "globalsign", "GlobalSign", "certificates", "uncertain" },
  { "zoho-verification=", "zoho", "Zoho", "mail", "https://www.zoho.com/mail/help/adminconsole/domain-verification.html" },
  { "protonmail-verification=", "proton", "Proton", "mail", "https://proton.me/support/custom-domain" },
  { "yandex-verification:", "yandex", "Yandex", "web", "uncertain" },
  { "mailru-verification:", "mailru", "Mail.ru / VK", "web", "uncertain" },
}

-- DMARC report receivers: { domain suffix of a rua=/ruf= mailto address, id, name, source }
M.dmarc = {
  { "vali.email", "valimail", "Valimail", "observed: bbc.com (rua=mailto:dmarc_agg@vali.email)" },
  { "dmarc-rua.com", "valimail", "Valimail", "uncertain" },
  { "dmarcian.com", "dmarcian", "dmarcian", "https://dmarcian.com/ (rua=mailto:...@ag.dmarcian.com)" },
  { "dmarcian.eu", "dmarcian", "dmarcian", "uncertain" },
  { "easydmarc.com", "easydmarc", "EasyDMARC", "uncertain" },
  { "easydmarc.us", "easydmarc", "EasyDMARC", "uncertain" },
  { "easydmarc.eu", "easydmarc", "EasyDMARC", "uncertain" },
  { "agari.com", "agari", "Agari (Fortra)", "uncertain" },
  { "dmarcanalyzer.com", "dmarc_analyzer", "DMARC Analyzer (Mimecast)", "uncertain" },
  { "ondmarc.com", "ondmarc", "Red Sift OnDMARC", "uncertain" },
  { "powerdmarc.com", "powerdmarc", "PowerDMARC", "uncertain" },
  { "postmarkapp.com", "postmark_dmarc", "Postmark DMARC", "uncertain" },
  { "uriports.com", "uriports", "URIports", "uncertain" },
  { "dmarc-reports.cloudflare.net", "cloudflare_dmarc", "Cloudflare DMARC Management", "uncertain" },
  { "emaildefense.proofpoint.com", "proofpoint_efd", "Proofpoint Email Fraud Defense", "uncertain" },
  { "kdmarc.com", "kdmarc", "Kratikal KDMARC", "uncertain" },
  { "sendmarc.com", "sendmarc", "Sendmarc", "uncertain" },
  { "fraudmarc.com", "fraudmarc", "Fraudmarc", "uncertain" },
  { "mxtoolbox.com", "mxtoolbox", "MxToolbox", "uncertain" },
  { "250ok.net", "validity", "Validity (250ok)", "uncertain" },
}

-- Indexes: tokens by their first letter (lower case) keep detect() short.
local by_first = {}
for _, t in ipairs(M.tokens) do
  local k = t[1]:sub(1, 1):lower()
  by_first[k] = by_first[k] or {}
  table.insert(by_first[k], { t[1]:lower(), t })
end

local function records(txt)
  if type(txt) == "string" then return { txt } end
  if type(txt) ~= "table" then return {} end
  return type(txt.records) == "table" and txt.records or txt
end

-- The domains of the mailto: addresses in a DMARC record's rua= and ruf=.
local function report_domains(dmarc)
  local out = {}
  for tag, value in dmarc:gmatch("([%a]+)%s*=%s*([^;]*)") do
    tag = tag:lower()
    if tag == "rua" or tag == "ruf" then
      for addr in value:gmatch("[Mm][Aa][Ii][Ll][Tt][Oo]:([^,!%s]+)") do
        local d = addr:match("@([^@]+)$")
        if d then out[#out + 1] = { d:lower():gsub("%.$", ""), addr } end
      end
    end
  end
  return out
end

local function ends_with(name, suffix)
  return name == suffix or (#name > #suffix and name:sub(-#suffix - 1) == "." .. suffix)
end

-- (no closure per call: LuaJIT does not compile their creation)
local function add(out, seen, id, name, category, ev)
  local e = seen[id]
  if e then
    e.evidence[#e.evidence + 1] = ev
    return
  end
  e = { id = id, name = name, category = category, evidence = { ev } }
  seen[id] = e
  out[#out + 1] = e
end

function M.detect(txt, dmarc, senders)
  local out, seen = {}, {}
  for _, s in ipairs(records(txt)) do
    local cands = type(s) == "string" and #s > 0 and by_first[s:sub(1, 1):lower()]
    if cands then -- most records (SPF, DMARC) start with no token's letter: nothing to lower
      local ls = s:lower()
      for _, cand in ipairs(cands) do
        if ls:sub(1, #cand[1]) == cand[1] then
          local t = cand[2]
          add(out, seen, t[2], t[3], t[4], { source = "txt", token = s, rule = t[1] })
          break
        end
      end
    end
  end
  if type(dmarc) == "string" then
    for _, d in ipairs(report_domains(dmarc)) do
      for _, v in ipairs(M.dmarc) do
        if ends_with(d[1], v[1]) then
          add(out, seen, v[2], v[3], "dmarc_reporting", { source = "dmarc", address = d[2], rule = v[1] })
          break
        end
      end
    end
  end
  for _, p in ipairs(senders or {}) do
    if p.category == "transactional" then
      add(out, seen, p.id, p.name, M.SENDER_CATEGORY[p.id] or "sending", { source = "spf", provider = p.id })
    end
  end
  return out
end

return M
