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
  mx = { "mxs.mail.ru" },
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
  mx = { "ionos.com", "ionos.de", "ionos.co.uk", "ionos.fr", "ionos.es", "1and1.com", "1and1.co.uk", "1and1.fr", "kundenserver.de" },
  spf = { "_spf-us.ionos.com", "_spf-eu.ionos.com" }, }
P{ "strato", "STRATO", "hosting", -- uncertain
  mx = { "rzone.de" },
  spf = { "spf.rzone.de" }, }
P{ "ovh", "OVHcloud", "hosting",
  mx = { "mail.ovh.net", "ovh.net", "mail.ovh.ca" },
  spf = { "mx.ovh.com" }, }
P{ "hostinger", "Hostinger", "hosting",
  mx = { "hostinger.com", "hostinger.in" },
  spf = { "_spf.mail.hostinger.com" }, }
P{ "gandi", "Gandi", "hosting",
  mx = { "mail.gandi.net", "gandi.net" },
  spf = { "_mailcust.gandi.net" }, }
P{ "hover", "Hover (Tucows)", "hosting",
  mx = { "hostedemail.com" },
  spf = {}, }
P{ "infomaniak", "Infomaniak", "hosting", -- uncertain
  mx = { "infomaniak.ch" },
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
P{ "t_online", "T-Online", "isp", -- uncertain
  mx = { "t-online.de" },
  spf = {}, }
P{ "orange_fr", "Orange", "isp", -- uncertain
  mx = { "orange.fr", "orange-business.com" },
  spf = {}, }
P{ "free_fr", "Free", "isp", -- uncertain
  mx = { "free.fr" },
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
  mx = { "pphosted.com", "gslb.pphosted.com" },
  spf = { "pphosted.com" },
  note = "SPF includes are per customer (spf-<id>.pphosted.com, *.spf.has.pphosted.com): matched by suffix.", }
P{ "proofpoint_essentials", "Proofpoint Essentials", "gateway",
  mx = { "ppe-hosted.com" },
  spf = { "ppe-hosted.com" }, }
P{ "mimecast", "Mimecast", "gateway", -- uncertain
  mx = { "mimecast.com", "mimecast.co.za", "mimecast-offshore.com" },
  spf = { "mimecast.com", "mimecast-pscom-us.com" }, }
P{ "barracuda", "Barracuda", "gateway", -- uncertain
  mx = { "ess.barracudanetworks.com", "barracudanetworks.com", "cudasvc.com" },
  spf = { "spf.ess.barracudanetworks.com" }, }
P{ "cisco_secure_email", "Cisco Secure Email", "gateway", -- uncertain
  mx = { "iphmx.com" },
  spf = { "iphmx.com" }, }
P{ "trend_micro", "Trend Micro Email Security", "gateway",
  mx = { "tmes.trendmicro.com", "tmes.trendmicro.eu", "hes.trendmicro.com", "emailsecurity.trendmicro.com" },
  spf = { "spf.tmes.trendmicro.com", "spf.hes.trendmicro.com" }, }
P{ "sophos", "Sophos Email", "gateway", -- uncertain
  mx = { "hydra.sophos.com" },
  spf = { "hydra.sophos.com" }, }
P{ "symantec_messagelabs", "Symantec Email Security.cloud (MessageLabs)", "gateway",
  mx = { "messagelabs.com", "inboundmx.com" },
  spf = { "spf.messagelabs.com" }, }
P{ "forcepoint", "Forcepoint Email Security", "gateway",
  mx = { "mailcontrol.com" },
  spf = {}, }
P{ "hornetsecurity", "Hornetsecurity", "gateway", -- uncertain
  mx = { "hornetsecurity.com", "antispameurope.com" },
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

return { version = "2026.11.27", list = list }
