-- mxrecord.signals: evidence of the mailbox provider beyond MX and SPF, as
-- data. Read by mxrecord.classify (the weighing) and asked for by r:profile.
--
-- weight: "strong" = configuration that only the mailbox provider's own
-- set-up creates (the client autodiscovery alias, the provider's DKIM keys);
-- "weak" = a domain-verification token, which stays after a move and is also
-- made for services other than mail. How the weights combine: docs/classify.md
-- ("Evidence beyond MX and SPF").
-- Entries marked uncertain rest on third-party guides, not the vendor's page.

local M = { version = "2026.11.28" }

-- autodiscover.<domain>: the last target of its CNAME chain, by suffix.
M.autodiscover = {
  { "autodiscover.outlook.com", "microsoft365", weight = "strong",
    source = "https://learn.microsoft.com/en-us/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider ; Domain-Connect/Templates microsoft.com.o365.json" },
  { "autodiscover.secureserver.net", "godaddy", weight = "strong", -- uncertain
    source = "GoDaddy help: Workspace Email autodiscover CNAME (third-party guides)" },
  { "autodiscover.emailsrvr.com", "rackspace", weight = "strong",
    source = "https://docs.rackspace.com/docs/set-up-autodiscover-for-hosted-exchange" },
}

-- DKIM selectors: <selector>._domainkey.<domain>, asked as TXT (the answer
-- carries the CNAME target when there is one). cname = suffixes of the
-- target; txt = a key published there at all.
M.dkim = {
  { selector = "selector1", cname = { "onmicrosoft.com", "dkim.mail.microsoft" }, id = "microsoft365",
    weight = "strong",
    source = "https://learn.microsoft.com/en-us/defender-office-365/email-authentication-dkim-configure "
      .. "(selector1-<domain>._domainkey.<tenant>.onmicrosoft.com; the newer <tenant>.<x>-v1.dkim.mail.microsoft: uncertain)" },
  { selector = "google", txt = true, id = "google_workspace", weight = "strong",
    source = "https://support.google.com/a/answer/174124 (default selector 'google')" },
}

-- TXT records of the domain itself, by prefix (case-insensitive).
M.txt = {
  { "MS=ms", "microsoft365", weight = "weak",
    source = "https://learn.microsoft.com/en-us/microsoft-365/admin/setup/add-domain (TXT MS=msXXXXXXXX)" },
  { "zoho-verification=", "zoho", weight = "weak",
    source = "https://www.zoho.com/mail/help/adminconsole/domain-verification.html (zb<digits>.zmverify.zoho.com)" },
  { "protonmail-verification=", "proton", weight = "weak",
    source = "https://proton.me/support/custom-domain" },
  { "apple-domain=", "icloud", weight = "weak", -- uncertain
    source = "iCloud+ Custom Email Domain set-up as described by third-party guides (suped.com, chamberlain.io)" },
  { "mailru-verification:", "mailru", weight = "weak", -- uncertain
    source = "VK WorkMail / Mail.ru for business domain confirmation (third-party guides)" },
  { "yandex-verification:", "yandex", weight = "weak", -- uncertain: also Yandex Webmaster
    tie_only = true,
    source = "https://yandex.com/support/business/domain/domain-verification.html" },
  { "google-site-verification=", "google_workspace", weight = "weak",
    tie_only = true, -- Search Console makes the same token: only a tie-breaker
    source = "https://support.google.com/a/answer/183895" },
}

return M
