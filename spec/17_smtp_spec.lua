-- 17_smtp_spec.lua: the SMTP probe. First the sans-I/O engine fed with
-- bytes (core.smtp_session), then the transport and r:verify{smtp=...}
-- against real postfix instances and faulty servers on loopback.
local core = require "mxrecord.core"
local unpack = table.unpack or unpack

-- Runs one session: chunks are what the server sends, one after the
-- other; between them the engine's output is collected. Returns the
-- results, the commands sent (one string per line) and the session.
local function converse(opts, chunks, close)
  opts.helo = opts.helo or "probe.example.test"
  local s = core.smtp_session(opts)
  local now = 100
  s:start(now)
  s:connected(now)
  local sent = {}
  local function collect()
    local out = s:output()
    if out then
      for line in out:gmatch("(.-)\r\n") do sent[#sent + 1] = line end
    end
  end
  for _, c in ipairs(chunks) do
    if type(c) == "number" then
      now = now + c
      s:tick(now)
    else
      s:feed(c, now)
    end
    collect()
  end
  if close ~= false then s:eof(now) end
  collect()
  return s:results(), sent, s
end

describe("smtp engine (bytes in, bytes out)", function()
  it("walks banner, EHLO, MAIL, the probe and each address, then QUIT; never DATA", function()
    local res, sent = converse({ probe = "zz9@x.test", addresses = { "a@x.test", "b@x.test" } }, {
      "220 mx.x.test ESMTP\r\n",
      "250-mx.x.test\r\n250-SIZE 1000\r\n250 ENHANCEDSTATUSCODES\r\n",
      "250 2.1.0 Ok\r\n",
      "550 5.1.1 <zz9@x.test>: Recipient address rejected: User unknown\r\n",
      "250 2.1.5 Ok\r\n",
      "550 5.1.1 <b@x.test>: Recipient address rejected: User unknown\r\n",
      "221 2.0.0 Bye\r\n",
    })
    assert.same({ "EHLO probe.example.test", "MAIL FROM:<>", "RCPT TO:<zz9@x.test>", "RCPT TO:<a@x.test>",
      "RCPT TO:<b@x.test>", "QUIT" }, sent)
    assert.equal("rejected", res.probe.state)
    assert.equal("accepted", res[1].state)
    assert.equal(250, res[1].code)
    assert.equal("2.1.5", res[1].enhanced)
    assert.equal("rejected", res[2].state)
    assert.equal("5.1.1", res[2].enhanced)
    assert.matches("User unknown", res[2].reply)
    assert.is_true(res.features.enhancedstatuscodes)
    assert.is_false(res.features.pipelining)
  end)

  it("pipelines MAIL and the RCPTs when PIPELINING is offered", function()
    local res, sent = converse({ from = "bounce@p.test", probe = "zz9@x.test", addresses = { "a@x.test" } }, {
      "220 mx ESMTP\r\n",
      "250-mx\r\n250 PIPELINING\r\n",
      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n",
      "221 Bye\r\n",
    })
    assert.same({ "EHLO probe.example.test", "MAIL FROM:<bounce@p.test>", "RCPT TO:<zz9@x.test>",
      "RCPT TO:<a@x.test>", "QUIT" }, sent)
    assert.equal("catch_all", res[1].state)
    assert.equal("accepted", res.probe.state)
    assert.is_true(res.features.pipelining)
  end)

  it("with nothing to ask, leaves after EHLO (the self-check's session)", function()
    local res, sent = converse({}, { "220 mx\r\n", "250 mx\r\n", "221 bye\r\n" })
    assert.same({ "EHLO probe.example.test", "QUIT" }, sent)
    assert.is_nil(res.session)
  end)

  it("falls back to HELO when EHLO gets a 5xx", function()
    local res, sent = converse({ addresses = { "a@x.test" } }, {
      "220 old\r\n", "502 5.5.2 Error: command not recognized\r\n", "250 old\r\n", "250 ok\r\n", "250 ok\r\n",
      "221 bye\r\n",
    })
    assert.same({ "EHLO probe.example.test", "HELO probe.example.test", "MAIL FROM:<>", "RCPT TO:<a@x.test>",
      "QUIT" }, sent)
    assert.equal("accepted", res[1].state)
    assert.is_true(res.features.helo)
  end)

  it("names each RCPT reply: full, greylisted, blocked, rejected without an enhanced code", function()
    local res = converse({ addresses = { "full@x.test", "grey@x.test", "pol@x.test", "old@x.test", "f2@x.test" } }, {
      "220 mx\r\n", "250 mx\r\n", "250 ok\r\n",
      "452 4.2.2 <full@x.test>: Recipient address rejected: Mailbox full\r\n",
      "450 4.2.0 <grey@x.test>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/x.test.html\r\n",
      "554 5.7.1 <pol@x.test>: Recipient address rejected: Access denied\r\n",
      "550 No such user here\r\n",
      "552 Mailbox over quota\r\n",
      "221 bye\r\n",
    })
    assert.equal("full", res[1].state)
    assert.equal("greylisted", res[2].state)
    assert.equal(450, res[2].code)
    assert.equal("blocked", res[3].state)
    assert.equal("rejected", res[4].state)
    assert.equal(550, res[4].code)
    assert.is_nil(res[4].enhanced)
    assert.equal("full", res[5].state)
  end)

  it("a 4xx is never rejected, whatever its text", function()
    local res = converse({ addresses = { "a@x.test", "b@x.test" } }, {
      "220 mx\r\n", "250 mx\r\n", "250 ok\r\n",
      "450 4.1.1 <a@x.test>: Recipient address rejected: unverified address: User unknown\r\n",
      "451 4.7.1 Client blocked using zen.spamhaus.org\r\n", "221 bye\r\n",
    })
    assert.equal("greylisted", res[1].state)
    assert.equal("blocked", res[2].state)
    assert.equal(451, res[2].code)
  end)

  it("stops at the server's recipient limit and leaves the rest untried", function()
    local res, sent = converse({ addresses = { "a@x.test", "b@x.test", "c@x.test" } }, {
      "220 mx\r\n", "250 mx\r\n", "250 ok\r\n", "250 ok\r\n",
      "452 4.5.3 Error: too many recipients\r\n", "221 bye\r\n",
    })
    assert.equal("accepted", res[1].state)
    assert.equal("untried", res[2].state)
    assert.equal("untried", res[3].state)
    assert.equal("QUIT", sent[#sent])
    assert.equal(5, #sent) -- c@ is never sent
  end)

  it("554 at the banner: every address blocked, QUIT, nothing else", function()
    local res, sent = converse({ probe = "zz@x.test", addresses = { "a@x.test" } }, {
      "554 5.7.1 mx.x.test: no SMTP service for you\r\n", "221 bye\r\n",
    })
    assert.same({ "QUIT" }, sent)
    assert.equal("blocked", res[1].state)
    assert.equal("banner", res[1].stage)
    assert.equal(554, res[1].code)
    assert.equal("blocked", res.session.state)
  end)

  it("a refusal of MAIL FROM blocks every address", function()
    local res, sent = converse({ addresses = { "a@x.test" } }, {
      "220 mx\r\n", "250 mx\r\n", "553 5.7.1 <>: Sender address rejected: Access denied\r\n", "221 bye\r\n",
    })
    assert.equal("blocked", res[1].state)
    assert.equal("mail", res[1].stage)
    assert.same({ "EHLO probe.example.test", "MAIL FROM:<>", "QUIT" }, sent)
  end)

  it("garbage, long lines and mismatched multi-line codes are protocol errors", function()
    local res, sent = converse({ addresses = { "a@x.test" } }, { "HTTP/1.1 400 Bad Request\r\n" })
    assert.equal("protocol", res[1].state)
    assert.same({}, sent)
    res = converse({ addresses = { "a@x.test" } }, { "220 " .. string.rep("x", 600) .. "\r\n" })
    assert.equal("protocol", res[1].state)
    res = converse({ addresses = { "a@x.test" } }, { "220 mx\r\n", "250-mx\r\n251 mx\r\n" })
    assert.equal("protocol", res[1].state)
    -- a line of exactly 512 octets with its CRLF is allowed
    res = converse({ addresses = { "a@x.test" } }, { "220 " .. string.rep("x", 506) .. "\r\n", "250 mx\r\n",
      "250 ok\r\n", "250 ok\r\n", "221 bye\r\n" })
    assert.equal("accepted", res[1].state)
  end)

  it("a reply to a command not sent yet is a protocol error (no desynchronised dialogue)", function()
    local res = converse({ addresses = { "a@x.test" } }, { "220 mx\r\n250 mx\r\n250 ok\r\n250 ok\r\n" })
    assert.equal("protocol", res[1].state)
  end)

  it("closed at once is unreachable; closed in mid-dialogue is protocol; silence is timeout", function()
    local res = converse({ addresses = { "a@x.test" } }, {})
    assert.equal("unreachable", res[1].state)
    res = converse({ addresses = { "a@x.test" } }, { "220 mx\r\n", "250 mx\r\n" })
    assert.equal("protocol", res[1].state)
    res = converse({ addresses = { "a@x.test" }, command_timeout = 5 }, { "220 mx\r\n", 4, 2 }, false)
    assert.equal("timeout", res[1].state)
    assert.equal("helo", res[1].stage)
  end)

  it("has its own deadlines: connect, then each reply", function()
    local s = core.smtp_session{ helo = "p.test", addresses = { "a@x.test" }, connect_timeout = 3, command_timeout = 7 }
    s:start(10)
    assert.equal(13, s:deadline())
    assert.is_true(s:tick(13))
    assert.equal("timeout", s:results()[1].state)
    assert.equal("connect", s:results()[1].stage)
    assert.is_nil(s:deadline())
    s = core.smtp_session{ helo = "p.test", addresses = { "a@x.test" }, command_timeout = 7 }
    s:start(10)
    s:connected(11)
    assert.equal(18, s:deadline())
    s:connect_failed(12)
    assert.equal("unreachable", s:results()[1].state)
  end)

  it("keeps reply text bounded and printable, joined over lines", function()
    local res = converse({ addresses = { "a@x.test" } }, {
      "220 mx\r\n", "250 mx\r\n", "250 ok\r\n",
      string.rep("550-5.1.1 " .. string.rep("y", 400) .. "\r\n", 5) .. "550 5.1.1 end\0\1\r\n", "221 bye\r\n",
    })
    assert.equal("rejected", res[1].state)
    assert.is_true(#res[1].reply <= 512)
    assert.not_matches("[%c\128-\255]", res[1].reply)
  end)

  it("refuses addresses and names that could smuggle commands", function()
    assert.has_error(function() core.smtp_session{ helo = "a b" } end)
    assert.has_error(function() core.smtp_session{ helo = "p.test", from = "a@b\r\nDATA" } end)
    assert.has_error(function() core.smtp_session{ helo = "p.test", addresses = { "a@b>\r\nDATA" } } end)
    assert.has_error(function() core.smtp_session{ helo = "p.test", addresses = { "a@b\0c" } } end)
    assert.has_error(function() core.smtp_session{ helo = "p.test", nonsense = 1 } end, nil)
  end)
end)

describe("against postfix and faulty servers on loopback", function()
  local mail = require "spec.helpers.mail_servers"
  local env

  setup(function() env = mail.start() end)
  teardown(function() if env then env:stop() end end)

describe("smtp pool (non-blocking sockets)", function()

  local function session(pool, ip, addrs, probe, into, key)
    pool:start({ address = ip, port = env.port, helo = "probe.mxrecord.test", probe = probe, addresses = addrs,
      connect_timeout = 2, command_timeout = 1.5 }, function(r) into[key] = r end)
  end

  it("gives every state, one session per server behaviour, with per-host caps", function()
    local before = env:settled_connections()
    local pool = core.smtp_pool{ per_host = 1 }
    local H, got = mail.hosts, {}
    session(pool, H.known, { "alice@known.smtp.test", "nobody@known.smtp.test", "full@known.smtp.test" },
      "zzq1@known.smtp.test", got, "known")
    session(pool, H.known, { "x@catchall.smtp.test" }, "zzq2@catchall.smtp.test", got, "catchall")
    session(pool, H.grey, { "alice@grey.smtp.test" }, nil, got, "grey")
    session(pool, H.banner, { "a@banner.smtp.test" }, nil, got, "banner")
    session(pool, H.policy, { "alice@policy.smtp.test" }, nil, got, "policy")
    session(pool, H.limit, { "a@limit.smtp.test", "b@limit.smtp.test", "c@limit.smtp.test" }, nil, got, "limit")
    session(pool, H.closed, { "a@closed.smtp.test" }, nil, got, "closed")
    session(pool, H.tarpit, { "a@tarpit.smtp.test" }, nil, got, "tarpit")
    session(pool, H.garbage, { "a@garbage.smtp.test" }, nil, got, "garbage")
    session(pool, H.slam, { "a@slam.smtp.test" }, nil, got, "slam")
    session(pool, H.half, { "a@half.smtp.test" }, nil, got, "half")
    assert.is_true(pool:pending() == 11)
    assert.is_true(pool:run(20))
    assert.equal(0, pool:pending())
    assert.equal("rejected", got.known.probe.state)
    assert.equal("accepted", got.known[1].state)
    assert.equal("rejected", got.known[2].state)
    assert.equal("5.1.1", got.known[2].enhanced)
    assert.equal("full", got.known[3].state)
    assert.equal("4.2.2", got.known[3].enhanced)
    assert.equal("catch_all", got.catchall[1].state)
    assert.equal("greylisted", got.grey[1].state)
    assert.equal(450, got.grey[1].code)
    assert.equal("blocked", got.banner[1].state)
    assert.equal(554, got.banner[1].code)
    assert.equal("banner", got.banner[1].stage)
    assert.equal("blocked", got.policy[1].state)
    assert.equal("5.7.1", got.policy[1].enhanced)
    assert.same({ "accepted", "accepted", "untried" },
      { got.limit[1].state, got.limit[2].state, got.limit[3].state })
    assert.equal("unreachable", got.closed[1].state)
    assert.equal("timeout", got.tarpit[1].state)
    assert.equal("protocol", got.garbage[1].state)
    assert.equal("unreachable", got.slam[1].state)
    assert.equal("protocol", got.half[1].state)
    local after = env:settled_connections()
    for name, n in pairs { known = 2, grey = 1, banner = 1, policy = 1, limit = 1, tarpit = 1, garbage = 1,
      slam = 1, half = 1, closed = 0 } do
      assert.equal(n, after[name] - before[name], name)
    end
    pool:close()
  end)

  it("close() cancels what runs; the callbacks hear of it", function()
    local pool = core.smtp_pool()
    local got = {}
    session(pool, mail.hosts.tarpit, { "a@tarpit.smtp.test" }, nil, got, "t")
    pool:poll()
    pool:close()
    assert.is_true(got.t.cancelled)
    assert.has_error(function() pool:poll() end, "smtp pool is closed")
    pool:close()
  end)

  it("exposes descriptors and a deadline for a host's own loop", function()
    local pool = core.smtp_pool()
    local got = {}
    session(pool, mail.hosts.known, { "alice@known.smtp.test" }, nil, got, "k")
    pool:poll()
    local fds, ev = pool:fds()
    assert.equal(1, #fds)
    assert.matches("^[rw]+$", ev[1])
    assert.is_number(pool:timeout())
    assert.is_number(pool:pollfd())
    while pool:pending() > 0 do pool:poll(); require("socket").sleep(0.01) end
    assert.equal("accepted", got.k[1].state)
    pool:close()
  end)
end)

describe("r:verify{ smtp = ... }", function()
  local mxrecord = require "mxrecord"
  local r

  local function so(extra)
    local o = { helo = "probe.mxrecord.test", port = env.port, allow_private = true, connect_timeout = 2,
      command_timeout = 1.5 }
    for k, v in pairs(extra or {}) do o[k] = v end
    return o
  end
  local function codes(v)
    local out = {}
    for _, x in ipairs(v.reasons) do out[#out + 1] = x.code end
    return out
  end
  local function has(v, code)
    for _, x in ipairs(v.reasons) do if x.code == code then return x end end
    return nil
  end

  before_each(function() r = mxrecord.resolver { servers = { env.dns.address }, timeout = 1, tries = 2 } end)
  after_each(function() r:close() end)

  -- address, verdict, reason (nil: none from SMTP), smtp.state
  local CASES = {
    { "alice@known.smtp.test", "deliverable", nil, "accepted" },
    { "nobody@known.smtp.test", "undeliverable", "mailbox_unknown", "rejected" },
    { "full@known.smtp.test", "risky", "mailbox_full", "full" },
    { "whoever@catchall.smtp.test", "risky", "catch_all", "catch_all" },
    { "alice@grey.smtp.test", "unknown", "greylisted", "greylisted" },
    { "a@banner.smtp.test", "unknown", "smtp_blocked", "blocked" },
    { "alice@policy.smtp.test", "unknown", "smtp_blocked", "blocked" },
    { "a@closed.smtp.test", "unknown", "smtp_unreachable", "unreachable" },
    { "a@tarpit.smtp.test", "unknown", "smtp_timeout", "timeout" },
    { "a@garbage.smtp.test", "unknown", "smtp_protocol", "protocol" },
    { "a@slam.smtp.test", "unknown", "smtp_unreachable", "unreachable" },
    { "a@half.smtp.test", "unknown", "smtp_protocol", "protocol" },
    { "alice@fallback.smtp.test", "deliverable", nil, "accepted" },
    { "a@inactive.smtp.test", "unknown", "smtp_unreachable", "unreachable" },
    { "someone@yahoo.smtp.test", "deliverable", "provider_unverifiable", "skipped" },
    { "someone@m365.smtp.test", "deliverable", "provider_unverifiable", "skipped" },
  }

  it("gives each server's verdict, reason and smtp.state; checked = smtp", function()
    for _, c in ipairs(CASES) do
      local v = assert(r:verify(c[1], { smtp = so() }))
      assert.equal(c[2], v.verdict, c[1])
      assert.equal(c[4], v.smtp.state, c[1])
      if c[3] then assert.truthy(has(v, c[3]), c[1] .. ": " .. table.concat(codes(v), " ")) end
      assert.equal(c[4] == "skipped" and "dns" or "smtp", v.checked, c[1])
      if c[4] ~= "skipped" then
        assert.equal(env.port, v.smtp.port)
        assert.matches("^127%.0%.0%.%d+$", v.smtp.address)
        assert.matches("%.smtp%.test$", v.smtp.host)
      end
    end
  end)

  it("never calls a temporary failure undeliverable; 4xx never reads as 5xx", function()
    for _, a in ipairs { "alice@grey.smtp.test", "a@tarpit.smtp.test", "a@closed.smtp.test", "a@garbage.smtp.test",
      "a@half.smtp.test", "a@banner.smtp.test", "a@slam.smtp.test", "full@known.smtp.test" } do
      local v = assert(r:verify(a, { smtp = so() }))
      assert.not_equal("undeliverable", v.verdict, a)
      if v.smtp.code then assert.is_true(v.smtp.state ~= "rejected" or v.smtp.code >= 500, a) end
    end
  end)

  it("keeps the reply: code, enhanced code, text; greylisting says when to retry", function()
    local v = r:verify("nobody@known.smtp.test", { smtp = so() })
    assert.equal(550, v.smtp.code)
    assert.equal("5.1.1", v.smtp.enhanced)
    assert.matches("User unknown", v.smtp.reply)
    assert.is_false(v.smtp.catch_all)
    v = r:verify("alice@grey.smtp.test", { smtp = so() })
    assert.equal(300, has(v, "greylisted").retry_after)
    assert.equal(450, v.smtp.code)
  end)

  it("calls refused hosts mx_inactive (undeliverable) only once outbound SMTP is known to work", function()
    local res = mxrecord.smtp_selfcheck(r, { hosts = { "mx.known.smtp.test" }, port = env.port,
      helo = "probe.mxrecord.test", timeout = 2 })
    assert.is_true(res.outbound)
    local v = r:verify("a@inactive.smtp.test", { smtp = so() })
    assert.equal("undeliverable", v.verdict)
    assert.truthy(has(v, "mx_inactive"))
    -- a timeout still is not a refusal
    assert.equal("unknown", r:verify("a@tarpit.smtp.test", { smtp = so() }).verdict)
    res = mxrecord.smtp_selfcheck(r, { hosts = { "mx.closed.smtp.test" }, port = env.port, timeout = 1 })
    assert.is_false(res.outbound)
    assert.equal("unknown", r:verify("a@inactive.smtp.test", { smtp = so() }).verdict)
  end)

  it("remembers a domain's catch-all answer: one probe per domain", function()
    local before = env:settled_connections()
    for _, a in ipairs { "one@catchall.smtp.test", "two@catchall.smtp.test", "three@catchall.smtp.test" } do
      local v = r:verify(a, { smtp = so() })
      assert.equal("risky", v.verdict)
      assert.equal("catch_all", v.smtp.state)
    end
    local after = env:settled_connections()
    assert.equal(1, after.known - before.known) -- the later two come from the cache
  end)

  it("checks addresses at one domain that come together in one session, within the recipient limit", function()
    local before = env:settled_connections()
    local got = {}
    for _, a in ipairs { "a@limit.smtp.test", "b@limit.smtp.test", "c@limit.smtp.test", "nobody@limit.smtp.test" } do
      r:verify(a, { smtp = so { catch_all = false } }, function(v) got[a] = v end)
    end
    assert.is_true(r:run(20))
    assert.equal("accepted", got["a@limit.smtp.test"].smtp.state)
    assert.equal("accepted", got["c@limit.smtp.test"].smtp.state)
    assert.equal("undeliverable", got["nobody@limit.smtp.test"].verdict)
    local after = env:settled_connections()
    assert.equal(2, after.limit - before.limit) -- 2 recipients a session: 4 addresses, 2 sessions
  end)

  it("a batch answered from the catch-all cache does not hold up another domain at the same host", function()
    assert.equal("catch_all", r:verify("first@catchall.smtp.test", { smtp = so() }).smtp.state)
    local got = {}
    -- both domains' MX is 127.0.0.2, one session at a time; the catch-all one needs none
    r:verify("second@catchall.smtp.test", { smtp = so() }, function(v) got[1] = v end)
    r:verify("nobody@known.smtp.test", { smtp = so() }, function(v) got[2] = v end)
    assert.is_true(r:run(10))
    assert.equal("catch_all", got[1].smtp.state)
    assert.is_true(got[1].smtp.cached)
    assert.equal("rejected", got[2].smtp.state)
  end)

  it("never contacts private MX addresses unless allow_private", function()
    local before = env:settled_connections()
    local v = r:verify("alice@known.smtp.test", { smtp = so { allow_private = false } })
    assert.equal("skipped", v.smtp.state)
    assert.equal("dns", v.checked)
    assert.equal("undeliverable", v.verdict) -- the DNS verdict: MX at loopback (mx_bogus_target)
    local after = env:settled_connections()
    assert.equal(0, after.known - before.known)
  end)

  it("skips providers that accept every RCPT or punish probes, without a connection", function()
    local before = env:settled_connections()
    local v = r:verify("someone@yahoo.smtp.test", { smtp = so() })
    assert.equal("skipped", v.smtp.state)
    assert.equal("yahoo", has(v, "provider_unverifiable").provider)
    local after = env:settled_connections()
    assert.equal(0, after.known - before.known)
  end)

  it("without smtp nothing connects; a bare domain needs opts.domain", function()
    local before = env:settled_connections()
    local v = r:verify("nobody@known.smtp.test")
    assert.equal("dns", v.checked)
    assert.is_nil(v.smtp)
    v = r:verify("known.smtp.test")
    assert.equal("undeliverable", v.verdict)
    assert.equal("syntax", v.checked)
    assert.matches("opts.domain", v.reasons[1].message)
    v = r:verify("catchall.smtp.test", { domain = true, smtp = so() })
    assert.equal("risky", v.verdict)
    assert.equal("catch_all", v.smtp.state)
    local after = env:settled_connections()
    assert.equal(1, after.known - before.known)
  end)

  it("validates its options like every other option", function()
    local function err(o) return select(2, pcall(function()
      local v = r:verify("a@known.smtp.test", { smtp = o })
      return v -- (not a tail call: the error names this line)
    end)) end
    assert.matches("helo is required", err(true))
    assert.matches("helo is required", err {})
    assert.matches("helo", err { helo = "localhost" })
    assert.matches("helo", err { helo = "mx.gmail.com" })
    assert.matches("helo", err { helo = "192.0.2.1" })
    assert.matches("unknown option", err { helo = "probe.mxrecord.test", bogus = 1 })
    assert.matches("port", err { helo = "probe.mxrecord.test", port = 0 })
    assert.matches("from", err { helo = "probe.mxrecord.test", from = "not an address" })
    assert.matches("connect_timeout", err { helo = "probe.mxrecord.test", connect_timeout = -1 })
    assert.matches("17_smtp_spec.lua:%d+: bad argument #2 to 'verify'", err {})
    assert.has_no_error(function() r:verify("a@known.smtp.test", { smtp = false }) end)
    assert.has_no_error(function() r:verify("a@known.smtp.test", { smtp = so { helo = "[192.0.2.1]", catch_all = false } }) end)
    assert.matches("per_provider", err { helo = "probe.mxrecord.test", per_provider = 0 })
  end)

  -- (last in this block: it adds a provider rule for two of the test hosts)
  it("caps the sessions at once per provider (per_provider), not only per host", function()
    mxrecord.add_provider { id = "cap_test_hosting", name = "Cap test", category = "hosting",
      mx = { "mx.tarpit.smtp.test", "mx.known.smtp.test" } }
    local function order(per_provider)
      local rr = mxrecord.resolver { servers = { env.dns.address }, timeout = 1, tries = 2 }
      local done = {}
      local o = so { catch_all = false, per_provider = per_provider }
      rr:verify("a@tarpit.smtp.test", { smtp = o }, function() done[#done + 1] = "tarpit" end)
      rr:run(0.5) -- its DNS is in and its session at the tarpit has begun (it lasts command_timeout)
      rr:verify("alice@known.smtp.test", { smtp = o }, function() done[#done + 1] = "known" end)
      assert.is_true(rr:run(20))
      rr:close()
      return done
    end
    -- the tarpit holds its session until command_timeout: with one slot for the provider the
    -- other domain waits for it; with two they run side by side and the quick one ends first
    assert.same({ "tarpit", "known" }, order(1))
    assert.same({ "known", "tarpit" }, order(2))
  end)
end)

describe("OpenResty: /verify?smtp=1 over cosockets", function()
  local socket = require "socket"
  local ok_json, cjson = pcall(require, "cjson")
  local port, example

  local function get(path)
    local c, err = socket.connect("127.0.0.1", port)
    if not c then
      error("nginx: " .. tostring(err) .. "\n" .. example.output())
    end
    c:settimeout(30)
    assert(c:send("GET " .. path .. " HTTP/1.0\r\nHost: localhost\r\n\r\n"))
    local status = tonumber((c:receive("*l") or ""):match("^HTTP/%d%.%d (%d+)"))
    repeat local line = c:receive("*l") until not line or line == ""
    local body = c:receive("*a")
    c:close()
    return status, body
  end

  setup(function()
    assert(ok_json, "lua-cjson is needed")
    if not io.open("build-5.1/mxrecord/core.so") then os.execute("bash scripts/build.sh 5.1") end
    example = require("spec.helpers.nginx").run_example { MXRECORD_SERVERS = env.dns.address, MXRECORD_TIMEOUT = 1,
      MXRECORD_HELO = "probe.mxrecord.test", MXRECORD_SMTP_PORT = env.port, MXRECORD_SMTP_PRIVATE = 1 }
    port = example.port
  end)

  teardown(function()
    if example then example.stop() end
  end)

  it("gives the same verdicts, reasons and states as the plain resolver", function()
    local mxrecord = require "mxrecord"
    local r = mxrecord.resolver { servers = { env.dns.address }, timeout = 1 }
    local so = { helo = "probe.mxrecord.test", port = env.port, allow_private = true, connect_timeout = 5,
      command_timeout = 5 }
    for _, a in ipairs { "alice@known.smtp.test", "nobody@known.smtp.test", "full@known.smtp.test",
      "x@catchall.smtp.test", "alice@grey.smtp.test", "a@banner.smtp.test", "alice@policy.smtp.test",
      "a@closed.smtp.test", "a@garbage.smtp.test", "a@slam.smtp.test", "a@half.smtp.test",
      "alice@fallback.smtp.test", "someone@yahoo.smtp.test" } do
      local want = assert(r:verify(a, { smtp = so }))
      local status, body = get("/verify?smtp=1&address=" .. a)
      assert.equal(200, status, body)
      local got = cjson.decode(body)
      assert.equal(want.verdict, got.verdict, a)
      assert.equal(want.checked, got.checked, a)
      assert.equal(want.smtp.state, got.smtp.state, a)
      assert.equal(want.smtp.code, got.smtp.code, a)
      local wc, gc = {}, {}
      for _, x in ipairs(want.reasons) do wc[#wc + 1] = x.code end
      for _, x in ipairs(got.reasons) do gc[#gc + 1] = x.code end
      assert.same(wc, gc, a)
    end
    r:close()
  end)
end)

describe("examples/verify.lua --smtp", function()
  it("adds the checked and smtp columns, one session per domain batch", function()
    local input = os.tmpname()
    local f = assert(io.open(input, "w"))
    f:write("email\nalice@known.smtp.test\nnobody@known.smtp.test\nx@catchall.smtp.test\n",
      "a@limit.smtp.test\nb@limit.smtp.test\nc@limit.smtp.test\nnot an address\n")
    f:close()
    local before = env:settled_connections()
    local lua = jit and "luajit" or "lua5.4"
    local p = assert(io.popen(("MXRECORD_SERVERS=%s LUA_PATH=%q LUA_CPATH=%q %s examples/verify.lua "
      .. "--smtp --helo probe.mxrecord.test --from bounce@mxrecord.test --smtp-port %d --allow-private %s 2>/dev/null")
      :format(env.dns.address, package.path, package.cpath, lua, env.port, input)))
    local out = p:read("*a")
    p:close()
    os.remove(input)
    local rows = {}
    for line in out:gmatch("[^\n]+") do
      local cols = {}
      for c in (line .. ","):gmatch("([^,]*),") do cols[#cols + 1] = c end
      rows[cols[1]] = cols
    end
    assert.same({ "email", "verdict", "reasons", "provider", "mx", "checked", "smtp" }, rows.email)
    assert.same({ "deliverable", "smtp", "accepted" },
      { rows["alice@known.smtp.test"][2], rows["alice@known.smtp.test"][6], rows["alice@known.smtp.test"][7] })
    assert.equal("rejected", rows["nobody@known.smtp.test"][7])
    assert.equal("catch_all", rows["x@catchall.smtp.test"][7])
    assert.equal("syntax", rows["not an address"][6])
    local after = env:settled_connections()
    assert.equal(2, after.limit - before.limit) -- three addresses, a limit of two a session
  end)
end)
end)
