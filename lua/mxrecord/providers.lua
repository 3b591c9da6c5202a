-- mxrecord.providers: the rule set of the provider classifier, as data.
--
-- Each entry: { id, display name, category, mx = {suffixes}, spf = {suffixes} }.
-- A suffix matches a host (or an SPF include:/redirect= domain) equal to it or
-- ending in "." .. suffix; the longest matching suffix wins, so
-- mx-aol.mail.gm0.yahoodns.net (AOL) beats yahoodns.net (Yahoo).
-- Categories: mailbox, gateway, forwarding, transactional, hosting, isp.
--
-- Source: ../shared/data/providers.tsv (facts with sources), checked by hand.
-- Dropped: mailguard (no known suffix), amazon_workmail (its MX hosts are the
-- SES inbound endpoints: indistinguishable), self_hosted (built in: hosts
-- under the domain itself). Entries marked "uncertain" come from rows whose
-- source was not confirmed; their suffixes are the provider's own domains,
-- so a match is still right, only the host list may be incomplete.
-- Add or override entries at run time with mxrecord.add_provider{...}.

local list = {}
local function P(t) list[#list + 1] = t end

P{ "google_workspace", "Google Workspace", "mailbox",
  mx = { "smtp.google.com", "aspmx.l.google.com", "googlemail.com" },
  spf = { "google.com", "googlemail.com" },
  note = "SPF: _spf.google.com, and the legacy include:google.com / include:aspmx.googlemail.com.", }
P{ "gmail", "Gmail", "mailbox",
  mx = { "gmail-smtp-in.l.google.com" },
  spf = {},
  note = "_spf.google.com is Google's one SPF include for every Google mail: reported as Google Workspace.", }
P{ "google_postini", "Google Postini (retired)", "gateway",
  mx = { "psmtp.com" },
  spf = {}, }
P{ "microsoft365", "Microsoft 365", "mailbox",
  mx = { "mail.protection.outlook.com", "mx.microsoft", "mail.eo.outlook.com", "mail.protection.office365.us", "mail.protection.partner.outlook.cn" },
  spf = { "spf.protection.outlook.com", "spf.protection.office365.us", "spf.protection.partner.outlook.cn" },
  note = "office365.us (GCC High) and partner.outlook.cn (21Vianet) added here (maintainer).", }
P{ "outlook_consumer", "Outlook.com (consumer)", "mailbox",
  mx = { "olc.protection.outlook.com", "hotmail.com" },
  spf = {}, }
P{ "zoho", "Zoho Mail", "mailbox",
  mx = { "zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp", "zohomail.com", "zohocloud.ca", "zoho.sa", "zoho.uk" },
  spf = { "zoho.com", "zoho.eu", "zoho.in", "zoho.com.au", "zoho.jp", "zohomail.com", "zohomail.eu" },
  note = "zohocloud.ca, zoho.sa, zoho.uk: Zoho data-centre domains added here (maintainer, not in the shared facts).", }
P{ "yahoo", "Yahoo Mail", "mailbox",
  mx = { "yahoodns.net", "mail.yahoo.com", "mail.yahoo.co.jp" },
  spf = {}, }
P{ "aol", "AOL Mail", "mailbox", -- uncertain
  mx = { "mx-aol.mail.gm0.yahoodns.net", "mx.aol.com" },
  spf = {},
  note = "uncertain source: current MX only in community tables; longest suffix wins over yahoodns.net.", }
P{ "icloud", "iCloud Mail", "mailbox",
  mx = { "mail.icloud.com" },
  spf = { "icloud.com" }, }
P{ "fastmail", "Fastmail", "mailbox",
  mx = { "messagingengine.com" },
  spf = { "spf.messagingengine.com" }, }
P{ "proton", "Proton Mail", "mailbox",
  mx = { "protonmail.ch" },
  spf = { "_spf.protonmail.ch" }, }
P{ "yandex", "Yandex 360", "mailbox",
  mx = { "mx.yandex.net", "mx.yandex.ru" },
  spf = { "_spf.yandex.net" }, }
P{ "mailru", "Mail.ru / VK WorkMail", "mailbox",
  mx = { "mxs.mail.ru", "emx.mail.ru" },
  source = "emx.mail.ru: VK WorkMail business MX with SPF redirect=_spf.mail.ru, seen in public DNS configs (e.g. itmo.ru MX 10 emx.mail.ru)",
  spf = { "_spf.mail.ru" }, }
P{ "gmx", "GMX", "mailbox", -- uncertain
  mx = { "gmx.net", "gmx.com" },
  spf = {}, }
P{ "webde", "WEB.DE", "mailbox", -- uncertain
  mx = { "web.de" },
  spf = {}, }
P{ "mailcom", "mail.com", "mailbox", -- uncertain
  mx = { "mail.com" },
  spf = {}, }
P{ "namecheap_privateemail", "Namecheap Private Email", "mailbox",
  mx = { "privateemail.com" },
  spf = { "spf.privateemail.com" }, }
P{ "rackspace", "Rackspace Email", "mailbox",
  mx = { "emailsrvr.com" },
  spf = { "emailsrvr.com" }, }
P{ "titan", "Titan Email", "mailbox",
  mx = { "titan.email" },
  spf = { "spf.titan.email" }, }
P{ "migadu", "Migadu", "mailbox",
  mx = { "migadu.com" },
  spf = { "spf.migadu.com" }, }
P{ "tuta", "Tuta", "mailbox",
  mx = { "tutanota.de" },
  spf = { "spf.tutanota.de" }, }
P{ "mailbox_org", "mailbox.org", "mailbox",
  mx = { "mailbox.org" },
  spf = { "mailbox.org" }, }
P{ "hey", "HEY for Domains", "mailbox", -- uncertain
  mx = { "app.hey.com" },
  spf = { "_spf.hey.com" }, }
P{ "runbox", "Runbox", "mailbox", -- uncertain
  mx = { "runbox.com" },
  spf = { "spf.runbox.com" }, }
P{ "posteo", "Posteo", "mailbox", -- uncertain
  mx = { "posteo.de" },
  spf = {}, }
P{ "purelymail", "Purelymail", "mailbox", -- uncertain
  mx = { "purelymail.com" },
  spf = {}, }
P{ "tencent_exmail", "Tencent Exmail", "mailbox",
  mx = { "mxbiz1.qq.com", "mxbiz2.qq.com" },
  spf = { "spf.mail.qq.com" }, }
P{ "qq_mail", "QQ Mail", "mailbox",
  mx = { "mx1.qq.com", "mx2.qq.com", "mx3.qq.com" },
  spf = {},
  note = "spf.mail.qq.com is shared with Tencent Exmail, where it is reported.", }
P{ "alibaba_mail", "Alibaba Mail", "mailbox",
  mx = { "qiye.aliyun.com", "mxhichina.com", "mail.aliyun.com" },
  spf = { "spf.qiye.aliyun.com", "spf.mxhichina.com" }, }
P{ "netease_qiye", "NetEase Qiye Mail", "mailbox", -- uncertain
  mx = { "qiye163mx01.mxmail.netease.com", "qiye163mx02.mxmail.netease.com", "mx.ym.163.com" },
  spf = { "spf.163.com" }, }
P{ "netease_consumer", "NetEase Mail (163/126/yeah.net)", "mailbox",
  mx = { "163mx00.mxmail.netease.com", "163mx01.mxmail.netease.com", "163mx02.mxmail.netease.com", "163mx03.mxmail.netease.com", "126mx00.mxmail.netease.com", "126mx01.mxmail.netease.com", "126mx02.mxmail.netease.com", "yeahmx00.mxmail.netease.com", "yeahmx01.mxmail.netease.com" },
  spf = {}, }
P{ "china_mobile_139", "China Mobile 139 Mail", "isp",
  mx = { "mail.139.com" },
  spf = {}, }
P{ "huawei_cloud_mail", "Huawei Cloud Mail", "mailbox",
  mx = { "sparkspace.huaweicloud.com" },
  spf = { "spf.sparkspace.huaweicloud.com" }, }
P{ "naver_works", "NAVER WORKS", "mailbox", -- uncertain
  mx = { "worksmobile.com" },
  spf = { "spf.worksmobile.com" }, }
P{ "rediffmail", "Rediffmail", "mailbox",
  mx = { "rediffmail.rediff.akadns.net", "rediffmailpro.com" },
  spf = {}, }
P{ "intermedia", "Intermedia", "mailbox",
  mx = { "intermedia.net", "serverdata.net" },
  spf = { "spf.intermedia.net", "spf.serverdata.net" }, }
P{ "sherweb", "Sherweb", "mailbox",
  mx = { "sherweb2010.com" },
  spf = {}, }
P{ "zimbra_cloudzimail", "Zimbra (cloudzimail)", "mailbox", -- uncertain
  mx = { "cloudzimail.com" },
  spf = {}, }
P{ "mxroute", "MXroute", "mailbox", -- uncertain
  mx = { "mxroute.com" },
  spf = {}, }
P{ "godaddy", "GoDaddy (secureserver.net)", "hosting",
  mx = { "secureserver.net" },
  spf = { "secureserver.net" }, }
P{ "ionos", "IONOS", "hosting",
  mx = { "ionos.com", "ionos.de", "ionos.co.uk", "ionos.fr", "ionos.es", "1and1.com", "1and1.co.uk", "1and1.fr", "kundenserver.de",
    "schlund.de", "perfora.net", "1and1.net", "ionos.it", "ionos.mx", "ionos.ca" },
  source = "schlund.de, perfora.net, 1and1.net: psifactory/mx-map-de and yohannes-git/mxmap-fr constants.py (IONOS keywords); ionos.it/.mx/.ca: IONOS country domains (uncertain)",
  spf = { "_spf-us.ionos.com", "_spf-eu.ionos.com" }, }
P{ "strato", "STRATO", "hosting", -- uncertain
  mx = { "rzone.de" },
  spf = { "spf.rzone.de" }, }
P{ "ovh", "OVHcloud", "hosting",
  mx = { "mail.ovh.net", "ovh.net", "mail.ovh.ca", "ovhcloud.com", "ovh.com" },
  source = "ovhcloud.com, ovh.com: yohannes-git/mxmap-fr constants.py (OVH keywords)",
  spf = { "mx.ovh.com" }, }
P{ "hostinger", "Hostinger", "hosting",
  mx = { "hostinger.com", "hostinger.in" },
  spf = { "_spf.mail.hostinger.com" }, }
P{ "gandi", "Gandi", "hosting",
  mx = { "mail.gandi.net", "gandi.net", "gandimail.net" },
  spf = { "_mailcust.gandi.net" }, }
P{ "hover", "Hover (Tucows)", "hosting",
  mx = { "hostedemail.com" },
  spf = {}, }
P{ "infomaniak", "Infomaniak", "hosting",
  mx = { "infomaniak.ch", "infomaniak.com", "ikmail.com" },
  source = "mta-gw.infomaniak.ch, mxpool.infomaniak.com, ikmail.com: davidhuser/mxmap src/mail_sovereignty/signatures.py (Swiss municipalities scan); yohannes-git/mxmap-fr constants.py",
  spf = { "spf.infomaniak.ch" }, }
P{ "dreamhost", "DreamHost", "hosting", -- uncertain
  mx = { "dreamhost.com", "mail.dreamhost.com" },
  spf = { "netblocks.dreamhost.com" }, }
P{ "siteground", "SiteGround", "hosting", -- uncertain
  mx = { "mailspamprotection.com" },
  spf = { "spf.auto.dnssmarthost.net" }, }
P{ "hostgator", "HostGator", "hosting", -- uncertain
  mx = { "websitewelcome.com" },
  spf = { "websitewelcome.com" }, }
P{ "bluehost", "Bluehost", "hosting", -- uncertain
  mx = { "bluehost.com" },
  spf = { "bluehost.com" }, }
P{ "hostmonster_justhost", "HostMonster / JustHost", "hosting", -- uncertain
  mx = { "hostmonster.com", "justhost.com" },
  spf = { "hostmonster.com" }, }
P{ "a2hosting", "A2 Hosting", "hosting", -- uncertain
  mx = {},
  spf = { "spf.a2hosting.com" }, }
P{ "network_solutions", "Network Solutions", "hosting",
  mx = { "netsolmail.net" },
  spf = {}, }
P{ "one_com", "one.com", "hosting",
  mx = { "one.com" },
  spf = {}, }
P{ "mailhostbox", "Mailhostbox", "hosting",
  mx = { "mailhostbox.com" },
  spf = {}, }
P{ "aruba_it", "Aruba.it", "hosting", -- uncertain
  mx = { "aruba.it" },
  spf = { "_spf.aruba.it" }, }
P{ "t_online", "Deutsche Telekom (T-Online)", "isp", -- uncertain
  mx = { "t-online.de", "telekom.de" },
  spf = {}, }
P{ "orange_fr", "Orange", "isp", -- uncertain
  mx = { "orange.fr", "orange-business.com", "orange.com", "wanadoo.fr", "francetelecom.com", "francetelecom.fr" },
  source = "yohannes-git/mxmap-fr constants.py (ORANGE_KEYWORDS)",
  spf = {}, }
P{ "free_fr", "Free", "isp", -- uncertain
  mx = { "free.fr", "proxad.net", "iliad.fr", "aliceadsl.fr" },
  source = "yohannes-git/mxmap-fr constants.py (FREE_KEYWORDS: proxad.net is Free's MX infrastructure)",
  spf = {}, }
P{ "laposte", "La Poste", "isp", -- uncertain
  mx = { "laposte.net" },
  spf = {}, }
P{ "telstra", "Telstra", "isp",
  mx = { "msng.telstra.com.au" },
  spf = {}, }
P{ "comcast", "Comcast Xfinity", "isp", -- uncertain
  mx = { "comcast.net" },
  spf = {}, }
P{ "proofpoint", "Proofpoint", "gateway",
  mx = { "pphosted.com", "gslb.pphosted.com", "proofpoint.com" },
  spf = { "pphosted.com" },
  note = "SPF includes are per customer (spf-<id>.pphosted.com, *.spf.has.pphosted.com): matched by suffix.", }
P{ "proofpoint_essentials", "Proofpoint Essentials", "gateway",
  mx = { "ppe-hosted.com" },
  spf = { "ppe-hosted.com" }, }
P{ "mimecast", "Mimecast", "gateway", -- uncertain
  mx = { "mimecast.com", "mimecast.co.za", "mimecast-offshore.com" },
  spf = { "mimecast.com", "mimecast-pscom-us.com" }, }
P{ "barracuda", "Barracuda", "gateway", -- uncertain
  mx = { "ess.barracudanetworks.com", "barracudanetworks.com", "cudasvc.com", "barracuda.com" },
  spf = { "spf.ess.barracudanetworks.com" }, }
P{ "cisco_secure_email", "Cisco Secure Email", "gateway", -- uncertain
  mx = { "iphmx.com", "ironport.com", "ciscoemail.com" },
  spf = { "iphmx.com" }, }
P{ "trend_micro", "Trend Micro Email Security", "gateway",
  mx = { "tmes.trendmicro.com", "tmes.trendmicro.eu", "hes.trendmicro.com", "emailsecurity.trendmicro.com", "trendmicro.eu" },
  spf = { "spf.tmes.trendmicro.com", "spf.hes.trendmicro.com" }, }
P{ "sophos", "Sophos Email", "gateway", -- uncertain
  mx = { "hydra.sophos.com", "sophos.com" },
  spf = { "hydra.sophos.com" }, }
P{ "symantec_messagelabs", "Symantec Email Security.cloud (MessageLabs)", "gateway",
  mx = { "messagelabs.com", "inboundmx.com" },
  spf = { "spf.messagelabs.com" }, }
P{ "forcepoint", "Forcepoint Email Security", "gateway",
  mx = { "mailcontrol.com" },
  spf = {}, }
P{ "hornetsecurity", "Hornetsecurity", "gateway", -- uncertain
  mx = { "hornetsecurity.com", "antispameurope.com", "hornetsecurity.ch" },
  spf = { "spf.hornetsecurity.com" }, }
P{ "spamexperts", "SpamExperts / N-able Mail Assure", "gateway", -- uncertain
  mx = { "spamexperts.com", "spamexperts.eu", "spamexperts.net", "antispamcloud.com", "mtaroutes.com" },
  spf = { "spf.antispamcloud.com" }, }
P{ "trustwave", "Trustwave MailMarshal", "gateway",
  mx = { "mailmarshal.cloud", "seg.trustwave.com" },
  spf = {}, }
P{ "fireeye_trellix", "Trellix Email Security (FireEye)", "gateway",
  mx = { "email.fireeyecloud.com", "fireeyecloud.com" },
  spf = {}, }
P{ "cloudflare_area1", "Cloudflare Email Security (Area 1)", "gateway",
  mx = { "mxrecord.io", "mxrecord.mx" },
  spf = {}, }
P{ "appriver_zix", "AppRiver / Zix", "gateway",
  mx = { "arsmtp.com" },
  spf = {}, }
P{ "mcafee_mxlogic", "McAfee MXLogic", "gateway",
  mx = { "mxlogic.net" },
  spf = {}, }
P{ "cyren", "Cyren", "gateway",
  mx = { "ctmail.com", "expurgate.net" },
  spf = {}, }
P{ "greenview_spamstopshere", "SpamStopsHere", "gateway",
  mx = { "spamh.com" },
  spf = {}, }
P{ "manage_protect", "Manage Protect", "gateway",
  mx = { "mpmailmx.com" },
  spf = { "spf.mpmailmx.com" }, }
P{ "mailroute", "MailRoute", "gateway",
  mx = { "mailroute.net" },
  spf = {}, }
P{ "spamtitan", "SpamTitan", "gateway", -- uncertain
  mx = { "spamtitan.com" },
  spf = {}, }
P{ "cloudflare_email_routing", "Cloudflare Email Routing", "forwarding",
  mx = { "mx.cloudflare.net" },
  spf = { "_spf.mx.cloudflare.net" }, }
P{ "improvmx", "ImprovMX", "forwarding",
  mx = { "improvmx.com" },
  spf = { "spf.improvmx.com" }, }
P{ "forwardemail", "Forward Email", "forwarding",
  mx = { "forwardemail.net" },
  spf = { "spf.forwardemail.net" }, }
P{ "namecheap_eforward", "Namecheap Email Forwarding", "forwarding", -- uncertain
  mx = { "registrar-servers.com" },
  spf = { "spf.efwd.registrar-servers.com" }, }
P{ "porkbun_forwarding", "Porkbun Email Forwarding", "forwarding",
  mx = { "porkbun.com" },
  spf = { "_spf.porkbun.com" }, }
P{ "pobox", "Pobox", "forwarding",
  mx = { "pobox.com" },
  spf = {}, }
P{ "simplelogin", "SimpleLogin", "forwarding", -- uncertain
  mx = { "simplelogin.co", "alias.proton.me" },
  spf = { "simplelogin.co" }, }
P{ "addy", "addy.io", "forwarding",
  mx = { "anonaddy.me" },
  spf = {}, }
P{ "amazon_ses", "Amazon SES", "transactional",
  mx = { "inbound-smtp.us-east-1.amazonaws.com", "inbound-smtp.us-west-2.amazonaws.com", "inbound-smtp.eu-west-1.amazonaws.com", "amazonses.com" },
  spf = { "amazonses.com" },
  note = "MX inbound-smtp.<region>.amazonaws.com is shared by SES receiving and WorkMail; reported as Amazon SES.", }
P{ "mailgun", "Mailgun", "transactional",
  mx = { "mailgun.org" },
  spf = { "mailgun.org", "_spf.mailgun.org", "_spf.eu.mailgun.org", "eu.mailgun.org" }, }
P{ "sendgrid", "SendGrid", "transactional",
  mx = { "mx.sendgrid.net" },
  spf = { "sendgrid.net" }, }
P{ "postmark", "Postmark", "transactional",
  mx = { "inbound.postmarkapp.com" },
  spf = { "spf.mtasv.net" }, }
P{ "sparkpost", "SparkPost", "transactional",
  mx = { "sparkpostmail.com" },
  spf = { "sparkpostmail.com" }, }
P{ "mandrill", "Mailchimp Transactional (Mandrill)", "transactional",
  mx = { "mandrillapp.com" },
  spf = { "spf.mandrillapp.com" }, }
P{ "mailchimp", "Mailchimp", "transactional",
  mx = {},
  spf = { "servers.mcsv.net" }, }
P{ "emailit", "Emailit", "transactional",
  mx = { "emailitmail.com" },
  spf = {}, }
P{ "brevo", "Brevo", "transactional",
  mx = {},
  spf = { "spf.brevo.com", "spf.sendinblue.com" }, }
P{ "mailjet", "Mailjet", "transactional",
  mx = {},
  spf = { "spf.mailjet.com" }, }
P{ "salesforce", "Salesforce", "transactional",
  mx = {},
  spf = { "_spf.salesforce.com" }, }
P{ "pardot", "Salesforce Pardot", "transactional", -- uncertain
  mx = {},
  spf = { "aspmx.pardot.com", "et._spf.pardot.com" }, }
P{ "marketo", "Marketo", "transactional",
  mx = {},
  spf = { "mktomail.com" }, }
P{ "zendesk", "Zendesk", "transactional",
  mx = {},
  spf = { "mail.zendesk.com" }, }
P{ "freshdesk", "Freshdesk", "transactional",
  mx = {},
  spf = { "email.freshdesk.com" }, }
P{ "hubspot", "HubSpot", "transactional",
  mx = {},
  spf = { "hubspotemail.net" }, }
P{ "elastic_email", "Elastic Email", "transactional",
  mx = {},
  spf = { "_spf.elasticemail.com" }, }
P{ "mailerlite", "MailerLite", "transactional", -- uncertain
  mx = {},
  spf = { "_spf.mlsend.com" }, }
P{ "zoho_campaigns", "Zoho Campaigns", "transactional",
  mx = {},
  spf = { "zcsend.net" }, }
P{ "knowbe4", "KnowBe4", "transactional", -- uncertain
  mx = {},
  spf = { "_spf.psm.knowbe4.com" }, }
P{ "mailchannels", "MailChannels", "gateway", -- uncertain
  mx = { "mailchannels.net" },
  spf = { "relay.mailchannels.net" },
  note = "MX: inbound filtering in front of the host (a gateway); SPF: the outbound relay (a sender).", }
P{ "netsuite", "Oracle NetSuite", "transactional", -- uncertain
  mx = {},
  spf = { "mailsenders.netsuite.com" }, }
P{ "constant_contact", "Constant Contact", "transactional",
  mx = {},
  spf = { "spf.constantcontact.com" },
  note = "added here (maintainer): include:spf.constantcontact.com", }
P{ "campaign_monitor", "Campaign Monitor", "transactional",
  mx = {},
  spf = { "_spf.createsend.com" },
  note = "added here (maintainer): include:_spf.createsend.com", }
P{ "shopify", "Shopify", "transactional",
  mx = {},
  spf = { "_spf.shopify.com" },
  note = "added here (maintainer): include:shops._spf.shopify.com", }
P{ "atlassian", "Atlassian", "transactional",
  mx = {},
  spf = { "_spf.atlassian.net" },
  note = "added here (maintainer): include:_spf.atlassian.net", }


-- ---- Regional coverage (issue 14) -------------------------------------------------
-- Sources, abbreviated below:
--   [mxmap-ch]  davidhuser/mxmap src/mail_sovereignty/signatures.py (Swiss municipalities)
--   [mxmap-at]  complexity-science-hub/mxmap-at src/mail_sovereignty/signatures.py (Austria)
--   [mxmap-de]  psifactory/mx-map-de src/mail_sovereignty/constants.py (Germany)
--   [mxmap-fr]  yohannes-git/mxmap-fr src/mail_sovereignty/constants.py (France)
--   [mxmap-it]  fpietrosanti/mxmap.it src/mail_sovereignty/constants.py (Italy, and the
--               pan-European gateway list it carries: Nordic, Baltic, Iberian, CZ/SK)
--   [mxsniff]   jace/mxsniff mxsniff/providers.py
--   [seppmail]  https://docs.seppmail.com/en/cloud/c07_cloud_onboarding_appendix_hostnames.html
--   [nl-map]    a public Dutch MX-provider switch (PowerShell, "*.transip.email" -> TransIP ...)
--               and a public Belgian e-mail check (Cloudflare Pages function, PROVIDERS list)
--   [observed]  the host seen as MX in public DNS records, zone files or configs
-- The mxmap scans match by substring; the suffixes here are the domains those
-- keywords name. Customer-specific host patterns are suffix rules on the
-- vendor's zone: <domain-tld>.gate.seppmail.cloud matches "seppmail.cloud".

-- Switzerland and Austria: gateways, hosters, ISPs
P{ "seppmail", "SEPPmail.cloud", "gateway",
  mx = { "seppmail.cloud", "seppmail.com" }, spf = {},
  source = "[seppmail] inline mode MX <domain-tld>.gate.seppmail.cloud, parallel mode <domain-tld>.mail.seppmail.cloud; [mxmap-ch] [mxmap-de]", }
P{ "cleanmail", "Cleanmail (Safecenter)", "gateway",
  mx = { "cleanmail.ch", "cleanmail.eu", "clean-mailbox.com" }, spf = {},
  source = "[mxmap-ch] cleanmail.ch, cleanmail.safecenter.ch; [mxmap-fr] clean-mailbox.com, cleanmail.eu", }
P{ "spamvor", "Spamvor", "gateway", mx = { "spamvor.com" }, spf = {}, source = "[mxmap-ch] [mxmap-at]", }
P{ "abxsec", "ABX Security", "gateway", mx = { "abxsec.com" }, spf = {}, source = "[mxmap-ch] [mxmap-at]", }
P{ "hostpoint", "Hostpoint", "hosting",
  mx = { "mail.hostpoint.ch", "hostpoint.ch" }, spf = { "spf.mail.hostpoint.ch" },
  source = "[observed] mxout0NN.mail.hostpoint.ch, SPF redirect=spf.mail.hostpoint.ch, autodiscover CNAME to autoconfig.mail.hostpoint.ch; [seppmail] names Hostpoint as a hoster requiring its own MX", }
P{ "a1_austria", "A1 Telekom Austria", "isp", mx = { "a1.net" }, spf = { "a1.net" }, source = "[mxmap-at]", }
P{ "gemdat", "Gemdat (Austrian municipal IT)", "hosting", mx = { "gemdatnoe.at", "gemserver.at" }, spf = {}, source = "[mxmap-at]", }
P{ "ris_at", "RIS (Austrian municipal IT)", "hosting", mx = { "ris.at" }, spf = {}, source = "[mxmap-at]", }
P{ "easyname", "easyname", "hosting", mx = { "easyname.eu" }, spf = {}, source = "[mxmap-at]", }
-- [mxmap-at-data] = complexity-science-hub/mxmap-at data/data.min.json, commit 15e7a36d0ea3110cb762f93123c892b1dde32478
P{ "mymailwall", "MyMailWall", "gateway", mx = { "mymailwall.com" }, spf = { "mymailwall.com" },
  source = "[mxmap-at-data] MX mx.mymailwall.com with include:mymailwall.com beside Microsoft's include (bad-radkersburg.gv.at, badvoeslau.at)", }
P{ "ipax", "IPAX", "hosting", mx = { "ipax.at" }, spf = { "customer._spf.ipax.at" },
  source = "[mxmap-at-data] MX mx1/mx2.ipax.at, include:customer._spf.ipax.at (badpirawarth.at)", }

-- Swiss regional hosters, ISPs and cantonal IT, and the senders Swiss municipalities' SPF names.
-- [mxmap-ch-data] = davidhuser/mxmap data.json, commit e234042ae7be312aa44abcc93f9fed61194dee1f:
-- the hosts and includes as published by the municipalities named.
P{ "ch_rzobt", "RZ OBT (OBT AG data centre)", "hosting", mx = { "rzobt.ch" }, spf = { "_spf.rzobt.ch" },
  source = "[mxmap-ch-data] MX mail1/mail2.rzobt.ch, include:_spf.rzobt.ch (kappel-am-albis.ch, maschwanden.ch, lengwil.ch ...)", }
P{ "ch_zii", "zii.ch", "hosting", mx = { "zii.ch" }, spf = { "spf.zii.ch" },
  source = "[mxmap-ch-data] MX mailgw01/mailgw02.zii.ch, include:spf.zii.ch (aeugst-albis.ch, ottenbach.ch)", }
P{ "ch_rizag", "RIZ AG", "hosting", mx = { "rizag.ch" }, spf = { "_spfmx.rizag.ch" },
  source = "[mxmap-ch-data] MX mail100.rizag.ch, include:_spfmx.rizag.ch (dachsen.ch, flurlingen.ch, marthalen.ch)", }
P{ "ch_ruf", "Ruf Informatik (swiss-egov.cloud)", "hosting", mx = { "rufcloud.ch" }, spf = { "spf.customer.swiss-egov.cloud" },
  source = "[mxmap-ch-data] MX mx1/mx2.rufcloud.ch, include:spf.customer.swiss-egov.cloud (berg-am-irchel.ch, ossingen.ch, volken.ch)", }
P{ "ch_tg", "Canton of Thurgau IT (tg.ch)", "hosting", mx = { "mta1.tg.ch", "mta2.tg.ch" }, spf = {},
  source = "[mxmap-ch-data] MX mta1/mta2.tg.ch for Thurgau municipalities (taegerwilen.ch, waeldi.ch, affeltrangen.ch ...)", }
P{ "ch_ti_informatique", "TI Informatique", "hosting", mx = { "ti-informatique.com" }, spf = {},
  source = "[mxmap-ch-data] MX mailgate/mailgate2.ti-informatique.com (orsieres.ch, heremence.ch)", }
P{ "ch_dlnet", "dlnet", "hosting", mx = { "dlnet.ch" }, spf = {}, source = "[mxmap-ch-data] MX mgwa01/mgwb01.dlnet.ch (vetroz.ch)", }
P{ "ch_rhone", "Rhône (rhone.ch)", "isp", mx = { "rhone.ch" }, spf = {}, source = "[mxmap-ch-data] MX mx.rhone.ch (bellwald.ch, obergoms.ch)", }
P{ "cyon", "cyon", "hosting", mx = { "cyon.ch", "cyon.net" }, spf = { "spf.protection.cyon.net" },
  source = "[mxmap-ch-data] include:spf.protection.cyon.net, autodiscover SRV maildiscovery.cyon.ch (binn.ch, eglisau.ch)", }
P{ "ch_sui_inter", "sui-inter.net (Hostfactory)", "hosting", mx = { "sui-inter.net" }, spf = { "_spf.sui-inter.net" },
  source = "[mxmap-ch-data] include:_spf.sui-inter.net, banner mandela3.sui-inter.net (binn.ch)", }
P{ "iway", "iWay", "isp", mx = { "iway.ch" }, spf = { "spf.iway.ch" }, source = "[mxmap-ch-data] include:spf.iway.ch (embrach.ch)", }
P{ "hin", "HIN (Health Info Net)", "gateway", mx = { "hin.ch" }, spf = {}, -- uncertain: seen as mx:hin.ch in SPF only
  source = "[mxmap-ch-data] mx:hin.ch / a:mx3.hin.ch in municipalities' SPF (kloten.ch, bassersdorf.ch)", }
P{ "abacus", "Abacus (ERP)", "transactional", mx = {}, spf = { "spf.abacuscity.ch" }, source = "[mxmap-ch-data] include:spf.abacuscity.ch", }
P{ "egeko", "eGeko (municipal software)", "transactional", mx = {}, spf = { "egeko.ch" }, source = "[mxmap-ch-data] include:spf1.egeko.ch / include:egeko.ch", }
P{ "i_web", "i-web (municipal websites)", "transactional", mx = {}, spf = { "_spf.i-web.ch" }, source = "[mxmap-ch-data] include:_spf.i-web.ch", }
P{ "signature365", "Signature 365", "transactional", mx = {}, spf = { "signature365.net" }, source = "[mxmap-ch-data] include:spf.eu.signature365.net", }
P{ "privasphere", "PrivaSphere secure mail", "transactional", mx = {}, spf = { "spf.privasphere.com" }, source = "[mxmap-ch-data] include:spf.privasphere.com (tg.ch)", }

-- Germany: gateways, hosters, municipal data centres
P{ "retarus", "Retarus Email Security", "gateway",
  mx = { "retarus.com", "retarus.de" }, spf = { "transactional-mail-a.com" },
  source = "[mxmap-de] [mxmap-it]; https://docs.retarus.com/seg/ (Munich/Frankfurt data centres; transactional SPF include:_spf.general.transactional-mail-a.com)", }
P{ "nospamproxy", "NoSpamProxy (Net at Work)", "gateway",
  mx = { "nospamproxy.de", "nospamproxy.com", "as-scan.de" }, spf = {}, source = "[mxmap-it] [mxmap-de]", }
P{ "secumail", "secumail", "gateway", mx = { "secumail.de" }, spf = {}, source = "[mxmap-it]", }
P{ "hetzner", "Hetzner", "hosting",
  mx = { "your-server.de" }, spf = { "spf.your-server.de" },
  source = "[mxmap-de] [mxmap-it]; [observed] MX wwwNNN.your-server.de with SRV/autoconfig at mail.your-server.de (peterablehmann/dnscontrol zones)", }
P{ "all_inkl", "ALL-INKL.COM", "hosting", mx = { "kasserver.com" }, spf = { "spf.kasserver.com" },
  source = "[observed] wNNNNNNN.kasserver.com / ddNNNNN.kasserver.com mail hosts of ALL-INKL accounts; [mxmap-de] hosting ASN 35366 'all-inkl'", }
P{ "domainfactory", "domainFACTORY", "hosting", mx = { "ispgateway.de" }, spf = { "ispgateway.de" },
  source = "[observed] smtprelayNN.ispgateway.de and mxlb.ispgateway.de (domainFACTORY)", }
P{ "netcup", "netcup", "hosting", mx = { "netcup.net" }, spf = {}, source = "[mxmap-de] hosting ASN 197540 'netcup'; MX host names under netcup.net (uncertain)", }
P{ "mittwald", "Mittwald", "hosting", mx = { "agenturserver.de" }, spf = { "agenturserver.de" },
  source = "[mxmap-de] hosting ASN 34788 'mittwald'; [mxmap-de-data] MX mx1-mx4.agenturserver.de, include:agenturserver.de, autodiscover SRV autodiscover.agenturserver.de (dunsum.de)", }
P{ "hosteurope", "Host Europe", "hosting", mx = { "hosteurope.de" }, spf = {}, source = "[mxmap-de] hosting ASN 8972 'host-europe' (suffix uncertain)", }
P{ "united_domains", "united-domains", "hosting", mx = { "udag.de" }, spf = {}, source = "mx00.udag.de / mx01.udag.de (uncertain)", }
P{ "open_xchange", "Open-Xchange hosted", "hosting", mx = { "open-xchange.com" }, spf = {}, source = "[mxmap-de] OPEN_XCHANGE_KEYWORDS", }
P{ "tuta_io", "Tuta (tuta.io)", "mailbox", mx = { "tuta.io", "tutamail.com" }, spf = {}, source = "[mxmap-de] TUTANOTA_KEYWORDS", }
P{ "de_kvnbw", "Komm.ONE / KVN BW (municipal IT)", "hosting", mx = { "kvnbw.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_rlp", "Rhineland-Palatinate state network", "hosting", mx = { "rlp.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_landsh", "Schleswig-Holstein state network", "hosting", mx = { "landsh.de" }, spf = { "spf.landsh.de" },
  source = "[mxmap-de] KOMMUNAL_KEYWORDS; [mxmap-de-data] MX mx1/mx2.landsh.de, include:spf.landsh.de (amt-vioel.de, amt-suedtondern.de)", }
P{ "de_bayern", "Bavarian state network", "hosting", mx = { "bayern.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_pzd_svn", "PZD / SVN (municipal IT)", "hosting", mx = { "pzd-svn.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_mvnet", "MVnet (municipal IT, Mecklenburg-Vorpommern)", "hosting", mx = { "mvnet.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_kdo", "KDO (municipal IT, Lower Saxony)", "hosting", mx = { "kdo.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_ekom21", "ekom21 (municipal IT, Hesse)", "hosting", mx = { "ekom21.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_itebo", "ITEBO (municipal IT)", "hosting", mx = { "itebo.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_regioit", "regio iT (municipal IT, Aachen)", "hosting", mx = { "regioit-aachen.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_sis_schwerin", "SIS Schwerin (municipal IT)", "hosting", mx = { "sis-schwerin.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_kommunale_it", "Kommunale IT", "hosting", mx = { "kommunale.it" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_kdvz_frechen", "KDVZ Frechen (municipal IT)", "hosting", mx = { "kdvz-frechen.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_civitec", "civitec (municipal IT)", "hosting", mx = { "civitec.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_nol_is", "nol-IS (municipal IT)", "hosting", mx = { "nol-is.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_krz", "KRZ Lemgo (municipal IT)", "hosting", mx = { "krz.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }
P{ "de_kgrz_kassel", "KGRZ Kassel (municipal IT)", "hosting", mx = { "kgrz-ks.de" }, spf = {}, source = "[mxmap-de] KOMMUNAL_KEYWORDS", }

-- [mxmap-de-data] = psifactory/mx-map-de data.json, commit 76a00e1f10f3d39ff92fd93483ba19fa0e0b7816
P{ "de_verwaltungsportal", "Verwaltungsportal (municipal web and mail platform)", "hosting", mx = { "verwaltungsportal.de" },
  spf = { "spf.verwaltungsportal.de" }, source = "[mxmap-de-data] MX sslmail.verwaltungsportal.de, include:spf.verwaltungsportal.de (aventoft.de, gemeinde-dagebuell.de); the scan calls it kommunal", }
P{ "de_kommunit", "KommunIT", "hosting", mx = { "kommunit.de" }, spf = {}, source = "[mxmap-de-data] a:mx.kommunit.de, autodiscover SRV autodiscover.kommunit.de (amt-suedtondern.de)", }
P{ "webhoster_de", "webhoster.de", "hosting", mx = { "webhoster.de", "webhoster.net", "webhoster.org", "webhoster.at" }, spf = { "spf.webhoster.de" },
  source = "[mxmap-de-data] MX mx2.webhoster.net, mx3.webhoster.org, mx4.webhoster.at, spamschutz.webhoster.de, include:spf.webhoster.de (ahrenvioelfeld.de)", }
P{ "omc", "OMC", "hosting", mx = { "omc.net", "omcnet.de" }, spf = { "spf.mailsec.omc.net" },
  source = "[mxmap-de-data] MX mx10.omc.net, mx11.omcnet.de, include:spf.mailsec.omc.net (alkersum.de)", }
P{ "dogado_mailgate", "dogado secure-mailgate", "gateway", mx = { "secure-mailgate.com" }, spf = { "secure-mailgate.com" },
  source = "[mxmap-de-data] MX mx03/mx04.secure-mailgate.com, include:secure-mailgate.com resolving to a:mailcloud.dogado.de (breklum.de)", }

-- Nordic and Baltic
P{ "cinia_secmail", "Cinia SecMail", "gateway", mx = { "secmail.com" }, spf = {}, source = "[mxmap-it] gateway list (Finland)", }
P{ "d_fence", "D-Fence", "gateway", mx = { "d-fence.eu" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "edelkey", "Edelkey", "gateway", mx = { "edelkey.net" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "ippnet", "IPP Net", "gateway", mx = { "ippnet.fi" }, spf = {}, source = "[mxmap-it] gateway list (Finland)", }
P{ "garmtech", "Garmtech", "gateway", mx = { "garmtech.com", "garmtech.net" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "staysecure", "StaySecure", "gateway", mx = { "staysecuregroup.com" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "mailanyone", "MailAnyone / Electric Mail", "gateway", mx = { "mailanyone.net", "electric.net" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "comendo", "Comendo", "gateway", mx = { "comendosystems.com" }, spf = {}, source = "[mxmap-it] gateway list (Denmark)", }
P{ "heimdal", "Heimdal Email Security", "gateway", mx = { "heimdalsecurity.com" }, spf = {}, source = "[mxmap-it] gateway list (Denmark)", }
P{ "psmanaged", "PS Managed", "gateway", mx = { "psmanaged.com" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "simnet_is", "Símnet (Vodafone Iceland) filtering", "gateway", mx = { "simnet.is" }, spf = {}, source = "[mxmap-it] gateway list (Iceland)", }
P{ "skyggnir", "Skyggnir", "gateway", mx = { "skyggnir.is" }, spf = {}, source = "[mxmap-it] gateway list (Iceland)", }
P{ "siminn", "Síminn spam filter", "gateway", mx = { "spamvorn.internet.is" }, spf = {}, source = "[mxmap-it] gateway list (Iceland)", }
P{ "domeneshop", "Domeneshop", "hosting", mx = { "domeneshop.no" }, spf = { "_spf.domeneshop.no" },
  source = "[observed] MX mx.domeneshop.no (+ mx01-mx04) with v=spf1 include:_spf.domeneshop.no on Norwegian domains", }
P{ "loopia", "Loopia", "hosting", mx = { "loopia.se" }, spf = { "spf.loopia.se" }, source = "mail1/mail2.loopia.se (uncertain)", }
P{ "binero", "Binero", "hosting", mx = { "binero.se" }, spf = {}, source = "uncertain", }
P{ "simply_com", "Simply.com (UnoEuro)", "hosting", mx = { "simply.com", "unoeuro.com" }, spf = {}, source = "uncertain", }
P{ "zone_eu", "Zone", "hosting", mx = { "zone.eu", "zone.ee", "zoneit.eu", "zonemx.eu" }, spf = {}, source = "[mxmap-it] ZONE_KEYWORDS (Estonia)", }
P{ "telia", "Telia", "isp", mx = { "telia.ee", "telia.lt", "telia.lv", "telia.com" }, spf = {}, source = "[mxmap-it] TELIA_KEYWORDS", }
P{ "tet_lv", "Tet", "isp", mx = { "tet.lv" }, spf = {}, source = "[mxmap-it] TET_KEYWORDS (Latvia)", }
P{ "elkdata", "ElkData", "hosting", mx = { "elkdata.ee" }, spf = {}, source = "[mxmap-it] ELKDATA_KEYWORDS (Estonia)", }

-- Benelux
P{ "transip", "TransIP", "hosting", mx = { "transip.email", "premiumantispam.nl", "transip.nl" }, spf = { "_spf.transip.email" },
  source = "[nl-map] *.transip.email and *.premiumantispam.nl -> TransIP; [observed] MX mx.transip.email", }
P{ "onlinespamfilter", "Onlinespamfilter.nl", "gateway", mx = { "onlinespamfilter.nl", "onlinespamfilter.com" }, spf = {}, source = "[nl-map]", }
P{ "basenet", "BaseNet", "hosting", mx = { "basenet.nl" }, spf = {}, source = "[nl-map]", }
P{ "combell", "Combell", "hosting", mx = { "mailprotect.be", "mailcluster.be" }, spf = { "spf.mailprotect.be" },
  source = "[nl-map] *.mailprotect.be -> Combell; [observed] MX mx.mailprotect.be, mx.backup.mailprotect.be; mailcluster (Easyhost/Combell): suffix uncertain", }
P{ "antagonist", "Antagonist", "hosting", mx = { "antagonist.nl" }, spf = {}, source = "[nl-map]", }
P{ "vimexx", "Vimexx", "hosting", mx = { "vimexx.nl" }, spf = {}, source = "[nl-map] (keyword 'vimexx'; suffix uncertain)", }
P{ "mijndomein", "Mijndomein", "hosting", mx = { "mijndomein.nl" }, spf = {}, source = "[nl-map] (keyword 'mijndomein'; suffix uncertain)", }
P{ "versio", "Versio", "hosting", mx = { "versio.nl" }, spf = {}, source = "[nl-map] (keyword 'versio'; suffix uncertain)", }
P{ "kpn", "KPN", "isp", mx = { "kpnmail.nl" }, spf = {}, source = "[nl-map] keyword 'kpnmail'", }
P{ "telenet", "Telenet", "isp", mx = { "telenet.be" }, spf = {}, source = "[nl-map] (keyword 'telenet'; suffix uncertain)", }
P{ "proximus", "Proximus / Skynet", "isp", mx = { "proximus.be", "skynet.be" }, spf = {}, source = "[nl-map]", }
P{ "easyhost", "Easyhost", "hosting", mx = { "easyhost.be" }, spf = {}, source = "[nl-map]", }

-- France
P{ "vade", "Vade (Hornetsecurity)", "gateway", mx = { "vadesecure.com", "vaderetro.com", "vade-retro.com", "vade.com" }, spf = {},
  source = "[mxmap-fr] VADESECURE_KEYWORDS and GATEWAY_KEYWORDS (e.g. mx01.cloud.vadesecure.com); [mxmap-it]", }
P{ "altospam", "Altospam", "gateway", mx = { "altospam.com", "altospam.net" }, spf = {}, source = "[mxmap-fr] GATEWAY_KEYWORDS", }
P{ "mailinblack", "Mailinblack", "gateway", mx = { "mailinblack.com" }, spf = {}, source = "[mxmap-fr] [mxmap-it] GATEWAY_KEYWORDS", }
P{ "layer_fr", "Layer", "gateway", mx = { "layer.fr" }, spf = {}, source = "[mxmap-fr] GATEWAY_KEYWORDS (relay/hoster)", }
P{ "security_mail", "Security-Mail (Email Filtering Service)", "gateway", mx = { "security-mail.net" }, spf = {},
  source = "[mxmap-it] gateway list; [mxmap-fr] regional list; support.security-mail.net filtering service documentation", }
P{ "sfr", "SFR", "isp", mx = { "sfr.fr", "sfr.net", "neuf.fr", "numericable.fr", "cegetel.net", "noos.fr" }, spf = {}, source = "[mxmap-fr] SFR_KEYWORDS", }
P{ "bouygues", "Bouygues Telecom", "isp", mx = { "bbox.fr", "bouyguestelecom.fr" }, spf = {}, source = "[mxmap-fr] BOUYGUES_KEYWORDS", }
P{ "bluemind_ags", "AGS Cloud (BlueMind)", "hosting", mx = { "ags-cloud.fr" }, spf = {}, source = "[mxmap-fr] BLUEMIND_KEYWORDS", }
P{ "alpi40", "ALPI (Zimbra for Landes municipalities)", "hosting", mx = { "alpi40.fr" }, spf = {}, source = "[mxmap-fr] ZIMBRA_KEYWORDS", }
P{ "o2switch", "o2switch", "hosting", mx = { "o2switch.net" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "alwaysdata", "alwaysdata", "hosting", mx = { "alwaysdata.com", "alwaysdata.net" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "alinto", "Alinto", "hosting", mx = { "alinto.net" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "mailo", "Mailo", "mailbox", mx = { "mailo.com" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "nordnet", "Nordnet", "isp", mx = { "nordnet.fr" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "netim", "Netim", "hosting", mx = { "netim.net" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "bookmyname", "BookMyName", "hosting", mx = { "bookmyname.com" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "xefi", "XEFI", "hosting", mx = { "xefi.fr" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "inforoutes", "Inforoutes (Ain)", "hosting", mx = { "inforoutes.fr" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "numerian", "Numerian (Ardèche)", "hosting", mx = { "numerian.fr" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "securemail_pro", "securemail.pro", "gateway", mx = { "securemail.pro" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS ('prestataire sécurité mail')", }
P{ "stelogy", "Stelogy", "hosting", mx = { "stelogy.net" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "carbonio_cloud", "Carbonio (Zextras) cloud", "hosting", mx = { "carboniocloud.fr", "carboniocloud.com", "carbonio.com" }, spf = {},
  source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS; [mxmap-it] carbonio gateway keywords", }
P{ "recia", "RECIA (Centre-Val de Loire)", "hosting", mx = { "recia.tech" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "vialis", "Vialis", "isp", mx = { "vialis.net" }, spf = {}, source = "[mxmap-fr] FRENCH_REGIONAL_HOSTERS", }
P{ "scaleway", "Scaleway", "hosting", mx = { "scaleway.com", "scw.cloud" }, spf = {}, source = "[mxmap-it] SCALEWAY_KEYWORDS", }

-- Italy
P{ "libraesva", "Libraesva ESG", "gateway", mx = { "libraesva.com", "esvacloud.com" }, spf = {},
  source = "[mxmap-it] GATEWAY_KEYWORDS 'libraesva' (observed hosts esvacloud.com, esva.<reseller>.it; only the vendor zones are rules here)", }
P{ "register_it", "Register.it", "hosting", mx = { "register.it" }, spf = {}, source = "[mxmap-it] REGISTER_IT_KEYWORDS", }
P{ "seeweb", "Seeweb", "hosting", mx = { "seeweb.it", "seeweb.com", "seeweb.cloud" }, spf = {}, source = "[mxmap-it] SEEWEB_KEYWORDS", }
P{ "infocert", "InfoCert", "hosting", mx = { "infocert.it", "infocert.eu" }, spf = {}, source = "[mxmap-it] INFOCERT_KEYWORDS", }
P{ "namirial", "Namirial", "hosting", mx = { "namirial.com", "namirial.it" }, spf = {}, source = "[mxmap-it] NAMIRIAL_KEYWORDS", }
P{ "aruba_cloud", "Aruba (PEC / cloud)", "hosting", mx = { "arubapec.it", "aruba.cloud", "arubacloud.com", "arubabusiness.it" }, spf = {},
  source = "[mxmap-it] ARUBA_KEYWORDS", }
P{ "it_lepida", "Lepida (Emilia-Romagna public IT)", "hosting", mx = { "lepida.it", "lepida.net", "lepida.network" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_aria", "ARIA (Lombardy public IT)", "hosting", mx = { "ariaspa.it" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_csi", "CSI Piemonte", "hosting", mx = { "csi.it", "csipiemonte.it" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_insiel", "Insiel (Friuli Venezia Giulia public IT)", "hosting", mx = { "insiel.it" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_liguria_digitale", "Liguria Digitale", "hosting", mx = { "liguriadigitale.it" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_sardegna_it", "Sardegna IT", "hosting", mx = { "sardegnait.it" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_trentino_digitale", "Trentino Digitale", "hosting", mx = { "trentinodigitale.it", "tix.it" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_siag", "SIAG (South Tyrol public IT)", "hosting", mx = { "siag.it", "provinz.bz.it" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_pasubio", "Pasubio Tecnologia", "hosting", mx = { "pasubiotecnologia.it" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_asmel", "ASMEL (Italian municipalities consortium)", "hosting", mx = { "asmel.it", "asmenet.it", "asmepec.it", "asmecal.it", "asmecam.it" }, spf = {},
  source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_gvcc", "Gemeindenverband (South Tyrol)", "hosting", mx = { "gvcc.net" }, spf = {}, source = "[mxmap-it] ITALIAN_REGIONAL_PUBLIC_KEYWORDS", }
P{ "it_engineering", "Engineering Ingegneria Informatica", "hosting", mx = { "eng.it", "engineering.it" }, spf = {}, source = "[mxmap-it] ITALIAN_PA_CONTRACTOR_PRIVATE_KEYWORDS", }
P{ "it_almaviva", "Almaviva", "hosting", mx = { "almaviva.it", "almavivaitalia.it" }, spf = {}, source = "[mxmap-it] ITALIAN_PA_CONTRACTOR_PRIVATE_KEYWORDS", }
P{ "halley", "Halley (PA software)", "gateway", mx = { "halley.it", "halleylombardia.it", "halleynt.it", "halleyveneto.it" }, spf = {}, source = "[mxmap-it] GATEWAY_KEYWORDS", }
P{ "gecomail", "Gecom / Gecomail", "gateway", mx = { "gecomail.net", "gecom.it" }, spf = {}, source = "[mxmap-it] GATEWAY_KEYWORDS (432 entities)", }
P{ "vianova", "Vianova / Welcome Italia", "gateway", mx = { "vianova.it", "vi-pa.cloud", "defender.welcomeitalia.it", "defender2.welcomeitalia.it" }, spf = {},
  source = "[mxmap-it] GATEWAY_KEYWORDS", }
P{ "leonet", "LeoNet", "gateway", mx = { "leonet.it" }, spf = {}, source = "[mxmap-it] GATEWAY_KEYWORDS (49 entities)", }
P{ "host_it", "Host.it", "gateway", mx = { "host.it" }, spf = {}, source = "[mxmap-it] GATEWAY_KEYWORDS (105 entities)", }
P{ "cbsolt", "CB Solutions", "gateway", mx = { "cbsolt.net" }, spf = {}, source = "[mxmap-it] GATEWAY_KEYWORDS (49 entities)", }
P{ "omitech", "Omitech", "gateway", mx = { "omitech.it" }, spf = {}, source = "[mxmap-it] GATEWAY_KEYWORDS", }
P{ "a2a_smartcity", "A2A Smart City", "gateway", mx = { "a2asmartcity.it" }, spf = {}, source = "[mxmap-it] GATEWAY_KEYWORDS", }
P{ "it_pa_gateways", "Italian PA mail relays (Ilger, Demos Data, ePublic, SI-TEK, InVallée, Cliocom, Datalab, Iconto, Interhost)", "gateway",
  mx = { "ilger.com", "demosdata.it", "epublic.it", "si-tek.net", "invallee.it", "cliocom.it", "datalab.it", "iconto.it", "interhost.it" }, spf = {},
  source = "[mxmap-it] GATEWAY_KEYWORDS (Italian PA software vendors / SaaS relays)", }
P{ "it_antispam_services", "Italian antispam services (myantispam, stop-spam, antispamsolution, safetycloud, safe-mail.cloud, cloudfabric, Astea cloudfilter, zimbraoffice)", "gateway",
  mx = { "myantispam.it", "stop-spam.it", "antispamsolution.it", "safetycloud.it", "safe-mail.cloud", "cloudfabric.it",
    "cloudfilter.gruppoastea.it", "antispam.zimbraoffice.it", "cdesign-group.com", "zimbraopen.it", "widestore.net" }, spf = {},
  source = "[mxmap-it] GATEWAY_KEYWORDS", }
P{ "naquadria", "Naquadria", "isp", mx = { "naquadria.it" }, spf = {}, source = "[mxmap-it] GATEWAY/AIIP keywords", }
P{ "it_aiip_isps", "Italian ISP (AIIP member)", "isp",
  mx = { "4all.it", "aconet.it", "air2bite.net", "airbeam.it", "ampersand.it", "apuacom.it", "avelia.it", "axera.it", "bbanda.it",
    "cedis.info", "clio.it", "connesi.it", "cheapnet.it", "deda.group", "dodonet.it", "ehiweb.it", "enegan.it", "fibraweb.it",
    "fibreconnect.it", "fontel.it", "geny.it", "halservice.it", "intercom.it", "interfibra.it", "itgate.it", "karsolink.com",
    "lenfiber.it", "linkwave.it", "messagenet.com", "metrolink.it", "mix-it.net", "mynet.it", "netikom.it", "netsons.com",
    "netsons.it", "nhm.it", "orakom.it", "panservice.it", "redder.it", "rocketway.it", "sinetsrl.it", "sistemihs.it",
    "techdigital.it", "tecnoadsl.it", "teknonet.it", "terrecablate.it", "timenet.it", "tnetservizi.it", "umbria.net",
    "warian.net", "wifiweb.it", "wispone.it", "wolnet.it", "x-stream.biz" }, spf = {},
  source = "[mxmap-it] ITALIAN_AIIP_ISP_KEYWORDS (member domains of the Associazione Italiana Internet Provider, https://www.aiip.it/associati/); one rule set for the group", }

-- Iberia, Central and Eastern Europe: gateways and hosters
P{ "telefonica_correolimpio", "Telefónica Correo Limpio", "gateway", mx = { "correolimpio.telefonica.es" }, spf = {}, source = "[mxmap-it] gateway list (Spain)", }
P{ "cdmon", "cdmon", "hosting", mx = { "cdmon.net", "cdmon.com" }, spf = {}, source = "[mxmap-it] gateway list (Spain)", }
P{ "topsec", "TopSec", "gateway", mx = { "topsec.com" }, spf = {}, source = "[mxmap-it] gateway list (Ireland)", }
P{ "tstechnology", "TS Technology", "gateway", mx = { "tstechnology.net" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "mpssec", "MPS Security", "gateway", mx = { "mpssec.net" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "spambusters", "Spambusters", "gateway", mx = { "spambusters.email" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "mxthunder", "MXThunder", "gateway", mx = { "mxthunder.net" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "mx_hub", "MX-HUB", "gateway", mx = { "mx-hub.cz", "mx-hub.sk", "mx-hub.net", "mx-hub.eu" }, spf = {}, source = "[mxmap-it] gateway list (Czechia/Slovakia)", }
P{ "dsidata", "DSI Data", "gateway", mx = { "dsidata.sk" }, spf = {}, source = "[mxmap-it] gateway list (Slovakia)", }
P{ "spamtador", "Spamtador", "gateway", mx = { "spamtador.com" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "jellyfish", "Jellyfish", "gateway", mx = { "jellyfish.systems" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "anti_spam_premium", "Anti-Spam Premium", "gateway", mx = { "anti-spam-premium.com" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "suantispam", "SU Antispam", "gateway", mx = { "suantispam.com" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "spamhero", "SpamHero", "gateway", mx = { "spamhero.net", "spamhero.com" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "mailguard", "MailGuard", "gateway", mx = { "mailguard.com.au" }, spf = {}, source = "[mxmap-it] gateway list (Australia)", }
P{ "smx", "SMX", "gateway", mx = { "smxemail.com" }, spf = { "spf.smxemail.com" }, source = "[mxmap-it] gateway list (New Zealand)", }
P{ "securemx", "SecureMX", "gateway", mx = { "securemx.biz" }, spf = {}, source = "[mxmap-it] gateway list", }
P{ "fortimail_cloud", "FortiMail Cloud", "gateway", mx = { "fortimailcloud.com" }, spf = { "_spf.fortimailcloud.com" },
  source = "[mxmap-it] [mxmap-fr] gateway keywords; [nl-map] *.fortimailcloud.com -> FortiMail; [observed] include _spf.fortimailcloud.com", }

-- Consumer and business mail outside the US/EU core
P{ "seznam", "Seznam Email", "mailbox", mx = { "seznam.cz" }, spf = { "_spf.seznam.cz" },
  source = "[observed] seznam.cz MX 10 mx1.seznam.cz, 20 mx2.seznam.cz; Email Profi set-up: MX mx1/mx2.seznam.cz, v=spf1 include:_spf.seznam.cz", }
P{ "naver", "Naver Mail", "mailbox", mx = { "naver.com" }, spf = { "_spf.naver.com" },
  source = "[observed] naver.com MX 10 mx1/mx2/mx3.naver.com; naver.co.kr v=spf1 include:_spf.naver.com", }
P{ "daum_kakao", "Daum / Kakao Mail", "mailbox", mx = { "hanmail.net", "daum.net", "kakao.com" }, spf = { "_spf.daum.net" }, -- uncertain
  source = "uncertain: hanmail.net/daum.net consumer domains; _spf.daum.net seen as a leftover (../shared/data/providers_notes.md)", }
P{ "ukr_net", "ukr.net", "mailbox", mx = { "ukr.net" }, spf = {}, source = "[observed] mx.ukr.net in public webmail maps", }
P{ "rambler", "Rambler Mail", "mailbox", mx = { "rambler.ru" }, spf = {}, source = "uncertain", }
P{ "sina", "Sina Mail", "mailbox", mx = { "sinamail.sina.com.cn", "sina.net" }, spf = {}, source = "uncertain", }
P{ "sohu", "Sohu Mail", "mailbox", mx = { "mx.sohu.com" }, spf = {}, source = "uncertain", }
P{ "mail263", "263 Enterprise Mail", "mailbox", mx = { "263.net" }, spf = { "spf.263.net" }, source = "uncertain", }
P{ "coremail_hosted", "Coremail hosted", "mailbox", mx = { "icoremail.net" }, spf = {}, source = "uncertain", }
P{ "interia", "Interia Poczta", "mailbox", mx = { "interia.pl" }, spf = {}, source = "uncertain", }
P{ "wp_pl", "WP Poczta", "mailbox", mx = { "wp.pl" }, spf = {}, source = "uncertain", }
P{ "onet", "Onet Poczta", "mailbox", mx = { "poczta.onet.pl" }, spf = {}, source = "uncertain", }
P{ "home_pl", "home.pl", "hosting", mx = { "home.pl" }, spf = { "_spf.home.pl" }, source = "[mxmap-it] LOCAL_ISP_ASNS names home.pl (AS12824/50840); suffix uncertain", }
P{ "nazwa_pl", "nazwa.pl", "hosting", mx = { "nazwa.pl" }, spf = {}, source = "[mxmap-it] LOCAL_ISP_ASNS names Nazwa.pl (AS29522); suffix uncertain", }
P{ "libero", "Libero / Italiaonline", "mailbox", mx = { "libero.it", "iol.it" }, spf = {}, source = "uncertain", }
P{ "tiscali", "Tiscali", "isp", mx = { "tiscali.it" }, spf = {}, source = "uncertain", }
P{ "virgilio", "Virgilio (TIM)", "mailbox", mx = { "virgilio.it", "tim.it", "alice.it" }, spf = {}, source = "uncertain", }
P{ "uol", "UOL", "mailbox", mx = { "uol.com.br" }, spf = {}, source = "uncertain", }
P{ "locaweb", "Locaweb", "hosting", mx = { "locaweb.com.br" }, spf = { "_spf.locaweb.com.br" }, source = "uncertain", }
P{ "kinghost", "KingHost", "hosting", mx = { "kinghost.net" }, spf = {}, source = "uncertain", }
P{ "sakura", "Sakura Internet", "hosting", mx = { "sakura.ne.jp" }, spf = {}, source = "uncertain", }
P{ "xserver", "Xserver", "hosting", mx = { "xserver.jp" }, spf = {}, source = "uncertain", }
P{ "nifty", "@nifty", "isp", mx = { "nifty.com" }, spf = {}, source = "uncertain", }
P{ "biglobe", "BIGLOBE", "isp", mx = { "biglobe.ne.jp" }, spf = {}, source = "uncertain", }
P{ "ocn", "OCN (NTT)", "isp", mx = { "ocn.ne.jp" }, spf = {}, source = "uncertain", }
P{ "gabia", "Gabia", "hosting", mx = { "gabia.com" }, spf = {}, source = "uncertain", }
P{ "cafe24", "Cafe24", "hosting", mx = { "cafe24.com" }, spf = {}, source = "uncertain", }
P{ "beget", "Beget", "hosting", mx = { "beget.com" }, spf = {}, source = "uncertain", }
P{ "timeweb", "Timeweb", "hosting", mx = { "timeweb.ru" }, spf = {}, source = "uncertain", }
P{ "reg_ru", "REG.RU hosting", "hosting", mx = { "hosting.reg.ru" }, spf = {}, source = "uncertain", }
P{ "optus", "Optus", "isp", mx = { "optusnet.com.au" }, spf = {}, source = "uncertain", }
P{ "iinet", "iiNet", "isp", mx = { "iinet.net.au" }, spf = {}, source = "uncertain", }
P{ "bigpond", "Telstra BigPond (consumer)", "isp", mx = { "bigpond.com" }, spf = {}, source = "uncertain", }

-- North America and global: from [mxsniff] unless marked
P{ "smtproutes", "Intermedia / i-3 (smtproutes.com)", "mailbox", mx = { "smtproutes.com" }, spf = {}, source = "[mxsniff] 'i-3.com': *.pri-mx.*.smtproutes.com", }
P{ "adista", "Adista", "hosting", mx = { "adista.fr" }, spf = {}, source = "[mxsniff]", }
P{ "anaxa", "Anaxa", "hosting", mx = { "anaxanet.com" }, spf = {}, source = "[mxsniff]", }
P{ "carrierzone", "CarrierZone", "hosting", mx = { "carrierzone.com" }, spf = {}, source = "[mxsniff]", }
P{ "cologlobal", "ColoGlobal", "hosting", mx = { "cologlobal.com" }, spf = {}, source = "[mxsniff]", }
P{ "cyso", "Cyso", "hosting", mx = { "cyso.net" }, spf = {}, source = "[mxsniff]", }
P{ "daemonmail", "DaemonMail", "hosting", mx = { "daemonmail.com" }, spf = {}, source = "[mxsniff]", }
P{ "easydns", "easyDNS / EasyMail", "hosting", mx = { "easymail.ca" }, spf = {}, source = "[mxsniff] mx.easymail.ca", }
P{ "eapps", "eApps", "hosting", mx = { "eapps.com" }, spf = {}, source = "[mxsniff]", }
P{ "everyone_net", "Everyone.net", "hosting", mx = { "everyone.net" }, spf = {}, source = "[mxsniff]", }
P{ "exclusivehosting", "Exclusive Hosting", "hosting", mx = { "exclusivehosting.net" }, spf = {}, source = "[mxsniff]", }
P{ "fatcow", "FatCow", "hosting", mx = { "mail.fatcow.com" }, spf = {}, source = "[mxsniff]", }
P{ "hostcentral", "Host Central", "hosting", mx = { "hostcentral.net" }, spf = {}, source = "[mxsniff]", }
P{ "hostignition", "Host Ignition", "hosting", mx = { "ignitionserver.net" }, spf = {}, source = "[mxsniff]", }
P{ "ifastnet", "iFastNet (ByetHost)", "hosting", mx = { "mx.byethost3.com" }, spf = {}, source = "[mxsniff]", }
P{ "inbox_com", "Inbox.com", "mailbox", mx = { "inbox.com" }, spf = {}, source = "[mxsniff]", }
P{ "ixwebhosting", "IX Web Hosting", "hosting", mx = { "ixwebhosting.com" }, spf = {}, source = "[mxsniff]", }
P{ "lfchosting", "LFC Hosting", "hosting", mx = { "loosefoot.com" }, spf = {}, source = "[mxsniff]", }
P{ "liquidnet", "Liquidnet (Supremebox)", "hosting", mx = { "supremebox.com" }, spf = {}, source = "[mxsniff]", }
P{ "logix", "Logix (India)", "hosting", mx = { "logix.in" }, spf = {}, source = "[mxsniff]", }
P{ "mailinator", "Mailinator", "mailbox", mx = { "mailinator.com", "mx.powered.name" }, spf = {}, source = "[mxsniff] (a disposable-mail service)", }
P{ "megamailservers", "Mega Mail Servers", "hosting", mx = { "megamailservers.com" }, spf = {}, source = "[mxsniff]", }
P{ "mochahost", "MochaHost", "hosting", mx = { "mochahost.com" }, spf = {}, source = "[mxsniff]", }
P{ "name_com", "Name.com", "hosting", mx = { "name.com" }, spf = {}, source = "[mxsniff]", }
P{ "namecheap_webhosting", "Namecheap shared hosting", "hosting", mx = { "web-hosting.com" }, spf = {}, source = "[mxsniff] 'namecheap-webhosting'", }
P{ "net4india", "Net4India", "hosting", mx = { "mail.net4india.com" }, spf = {}, source = "[mxsniff]", }
P{ "netcore", "Netcore (India)", "hosting", mx = { "netcore.co.in" }, spf = {}, source = "[mxsniff]", }
P{ "netmagic", "Netmagic", "hosting", mx = { "netmagicians.com" }, spf = {}, source = "[mxsniff]", }
P{ "pair", "pair Networks", "hosting", mx = { "pair.com" }, spf = {}, source = "[mxsniff]", }
P{ "pop_co", "POP (pop.co)", "hosting", mx = { "pop.co" }, spf = {}, source = "[mxsniff]", }
P{ "prodigy", "Prodigy (AT&T)", "isp", mx = { "prodigy.net" }, spf = {}, source = "[mxsniff]", }
P{ "register_com", "Register.com", "hosting", mx = { "register.com" }, spf = {}, source = "[mxsniff]", }
P{ "reliance_dc", "Reliance Data Center", "hosting", mx = { "rilinfo.net" }, spf = {}, source = "[mxsniff]", }
P{ "safentrix", "Safentrix", "gateway", mx = { "safentrix.com" }, spf = {}, source = "[mxsniff]", }
P{ "servage", "Servage", "hosting", mx = { "servage.net" }, spf = {}, source = "[mxsniff]", }
P{ "servergrid", "ServerGrid", "hosting", mx = { "securedc.com" }, spf = {}, source = "[mxsniff]", }
P{ "temp_mail", "Temp-Mail", "mailbox", mx = { "temp-mail.org", "temp-mail.ru" }, spf = {}, source = "[mxsniff] (a disposable-mail service)", }
P{ "webcreationuk", "Web Creation UK", "hosting", mx = { "webcreationuk.com" }, spf = {}, source = "[mxsniff]", }
P{ "webfaction", "WebFaction", "hosting", mx = { "webfaction.com" }, spf = {}, source = "[mxsniff]", }
P{ "webindia", "WebIndia", "hosting", mx = { "webindia.com" }, spf = {}, source = "[mxsniff]", }
P{ "yodns", "yoDNS", "hosting", mx = { "yodns.com" }, spf = {}, source = "[mxsniff]", }
P{ "amazon_workmail_autodiscover", "Amazon WorkMail", "mailbox", mx = { "awsapps.com" }, spf = {}, source = "[mxmap-ch] [mxmap-at] AWS mx_patterns 'awsapps.com'", }

return { version = "2026.11.28", list = list }
