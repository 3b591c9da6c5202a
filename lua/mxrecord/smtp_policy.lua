-- mxrecord.smtp_policy: data for the SMTP probe, beside the provider rules
-- (mxrecord.providers, whose ids it uses).
--
-- skip: providers whose answer to RCPT says nothing about the mailbox, or
-- that punish probing; r:verify{smtp=...} does not connect to them (the DNS
-- verdict stands, reason provider_unverifiable, smtp.state "skipped").
-- Each entry says why and where the behaviour is documented or reported.
-- helo_forbidden: names a prober must not claim (RFC 5321 4.1.1.1: the
-- HELO name is the client's own); a HELO of a big provider's name is what
-- blocklists look for.
local M = {}

M.version = "2026-11-28"

local yahoo = {
  why = "accepts RCPT for addresses that do not exist and bounces later; answers probers with 421/554 deferrals",
  sources = {
    "https://github.com/AfterShip/email-verifier/issues/57",
    "https://github.com/trumail/trumail/issues/13",
    "https://github.com/hbattat/verifyEmail/issues/30",
    "https://senders.yahooinc.com/smtp-error-codes/",
  },
}
local microsoft = {
  why = "Exchange Online answers 250 Recipient OK for unknown users unless the tenant turned on Directory-Based " ..
    "Edge Blocking; connections from addresses without sending reputation are refused (5.7.x, S3150)",
  sources = {
    "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/use-directory-based-edge-blocking",
    "https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online",
  },
}
local google = {
  why = "rate-limits and blocks addresses that open sessions without sending (421 4.7.28, 550 5.7.1); " ..
    "a prober's address loses its reputation for real mail",
  sources = {
    "https://support.google.com/a/answer/3726730",
    "https://support.google.com/mail/answer/81126",
  },
}
local gateway = {
  why = "a security gateway: recipient validation is optional (many accept every RCPT and filter later) and " ..
    "directory-harvest protection blocklists probers",
  sources = {
    "https://learn.microsoft.com/exchange/antispam-and-antimalware/antispam-protection/recipient-filtering",
    "https://help.proofpoint.com/", "https://community.mimecast.com/",
    "https://campus.barracuda.com/product/emailsecurityservice/",
  },
}

M.skip = {
  yahoo = yahoo, aol = yahoo,
  microsoft365 = microsoft, outlook_consumer = microsoft,
  google_workspace = google, gmail = google,
  proofpoint = gateway, proofpoint_essentials = gateway, mimecast = gateway, barracuda = gateway,
  cisco_secure_email = gateway, symantec_messagelabs = gateway, trend_micro = gateway, sophos = gateway,
  forcepoint = gateway, hornetsecurity = gateway, trustwave = gateway, fireeye_trellix = gateway,
  cloudflare_area1 = gateway, appriver_zix = gateway, mcafee_mxlogic = gateway,
}

-- A HELO name equal to one of these, or under one, is refused.
M.helo_forbidden = {
  "localhost", "localdomain", "local", "invalid", "example.com", "example.net", "example.org",
  "gmail.com", "google.com", "googlemail.com", "yahoo.com", "yahoodns.net", "aol.com", "outlook.com",
  "hotmail.com", "live.com", "msn.com", "microsoft.com", "office365.com", "icloud.com", "me.com", "apple.com",
  "protonmail.com", "proton.me", "yandex.ru", "yandex.com", "mail.ru", "gmx.net", "gmx.com", "web.de",
  "zoho.com", "qq.com", "163.com", "amazon.com", "amazonaws.com", "facebook.com", "comcast.net",
}

return M
