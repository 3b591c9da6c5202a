-- mxrecord.smtp: the mail-server step of r:verify(address, { smtp = ... }).
--
-- After the DNS verdict, the MX hosts are asked (in preference order, at most
-- max_hosts; a host that refuses or times out passes the turn to the next)
-- whether they take the address at RCPT, with a random local part first to
-- tell a catch-all domain. The dialogue is the C engine's (mxrecord.core
-- smtp_session, never DATA); the transport is a core.smtp_pool per resolver
-- (non-blocking sockets, capped per MX address), or nginx cosockets inside
-- OpenResty. Addresses at the same domain that reach this step in the same
-- loop iteration (lookup_many) share one session, within the server's
-- recipient limit. A domain's catch-all answer is cached per resolver with
-- the DNS cache's size and max_ttl.
--
-- A temporary failure never yields "undeliverable"; a refusal of the prober
-- (5.7.x, 554 at the banner, a blocklist) says nothing about the mailbox.
local core = require "mxrecord.core"
local cache = require "mxrecord.cache"
local policy = require "mxrecord.smtp_policy"

local M = {}

M.BATCH_MAX = 50 -- addresses a session carries at most (RFC 5321 4.5.3.1.8 lets servers stop at 100)

M.DEFAULTS = {
  port = 25, from = "", connect_timeout = 10, command_timeout = 30, catch_all = true, max_hosts = 2,
  per_host = 1, per_provider = 4, allow_private = false,
}

local MESSAGES = {
  mailbox_unknown = "the mail server says this mailbox does not exist",
  mailbox_disabled = "the mail server says this mailbox is disabled",
  smtp_rejected = "the mail server refused the address for a reason that is not about the mailbox",
  catch_all = "the domain accepts any address (catch-all): this one cannot be told apart",
  mailbox_full = "the mailbox is full",
  greylisted = "the mail server asks to try again later (greylisting)",
  smtp_blocked = "the mail server refused the prober, not the address (policy, blocklist or reputation)",
  mx_inactive = "no MX host accepts connections",
  smtp_unreachable = "no MX host could be reached (this machine may not be allowed to connect to port 25)",
  smtp_timeout = "a mail server did not answer in time",
  smtp_protocol = "a mail server answered with something that is not SMTP",
  provider_unverifiable = "this provider's answers to RCPT say nothing about the mailbox, or it punishes probes: not asked",
  smtp_private = "every MX host has a loopback or private address: not contacted (allow_private is off)",
  smtp_cancelled = "the check was cancelled",
}

local function reason(code, extra)
  local r = { code = code, message = MESSAGES[code] }
  for k, val in pairs(extra or {}) do r[k] = val end
  return r
end

-- ---- options ------------------------------------------------------------------

local function bad(msg, level) error("bad argument #2 to 'verify' (opts.smtp." .. msg .. ")", level + 1) end

local function helo_ok(name)
  if name:match("^%[[%x:.IPvip]+%]$") then return true end -- an address literal, bracketed (RFC 5321 4.1.3)
  if name:match("^%d+%.%d+%.%d+%.%d+$") or name:find(":", 1, true) then
    return false, "an IP address must be written as a literal in brackets, e.g. [192.0.2.1]"
  end
  if #name > 253 or not name:find(".", 1, true) or name:match("%.%.") or name:match("^[.-]") or name:match("[.-]$")
    or not name:match("^[%w.-]+$") then
    return false, "a fully qualified host name the prober owns expected"
  end
  local lower = name:lower()
  for _, f in ipairs(policy.helo_forbidden) do
    if lower == f or lower:sub(-(#f + 1)) == "." .. f then
      return false, "'" .. name .. "' is not the prober's own name (" .. f .. ")"
    end
  end
  return true
end

-- Checks opts.smtp (true or a table); returns the options with defaults.
-- Raises at the caller of r:verify (level counts from the caller of this).
function M.check_opts(val, level)
  level = (level or 1) + 1
  if val == true then bad("helo is required: the name of the probing host, which should match its PTR record", level) end
  if type(val) ~= "table" then
    error("bad argument #2 to 'verify' (opts.smtp must be true or a table, got " .. type(val) .. ")", level)
  end
  local o = {}
  for k, d in pairs(M.DEFAULTS) do o[k] = d end
  for k, x in pairs(val) do
    if k == "helo" then
      if type(x) ~= "string" then bad("helo must be a string", level) end
      local ok, why = helo_ok(x)
      if not ok then bad("helo: " .. why, level) end
      o.helo = x
    elseif k == "from" then
      if type(x) ~= "string" then bad("from must be a string (\"\" for the null sender)", level) end
      if x ~= "" and not core.parse_address(x) then bad("from: not a valid address", level) end
      o.from = x
    elseif k == "port" or k == "max_hosts" or k == "per_host" or k == "per_provider" then
      if type(x) ~= "number" or x % 1 ~= 0 or x < 1 or (k == "port" and x > 65535) or (k ~= "port" and x > 100) then
        bad(k .. " must be a whole number" .. (k == "port" and " from 1 to 65535" or " from 1 to 100"), level)
      end
      o[k] = x
    elseif k == "connect_timeout" or k == "command_timeout" then
      if type(x) ~= "number" or not (x > 0 and x <= 3600) then bad(k .. " must be a number of seconds (0, 3600]", level) end
      o[k] = x
    elseif k == "catch_all" or k == "allow_private" then
      if type(x) ~= "boolean" then bad(k .. " must be a boolean", level) end
      o[k] = x
    else
      bad(tostring(k) .. ": unknown option", level)
    end
  end
  if not o.helo then bad("helo is required: the name of the probing host, which should match its PTR record", level) end
  return o
end

-- ---- per-resolver state: the pool, the catch-all cache, batches ---------------

local function state(r)
  local st = r:_state()
  local s = st.smtp
  if not s then
    local conf = cache.config(st.cache_option)
    s = { pools = {}, new = {}, old = {}, count = 0, conf = conf, batches = {}, active = {}, outbound = nil,
      prov_active = {} }
    st.smtp = s
  end
  return s
end

local attach -- (below)

local function pool_for(r, s, per_host)
  local p = s.pools[per_host]
  if not p then
    p = core.smtp_pool { per_host = per_host, max = 64 }
    s.pools[per_host] = p
    attach(r)
    -- r:pollfd() (what cqueues and libuv wait on) wakes for the pool's sockets too
    local ok, fd = pcall(p.pollfd, p)
    if ok and fd then pcall(r._watch, r, fd) end
  end
  return p
end

local function catch_all_get(s, domain)
  if not s.conf then return nil end
  local e = s.new[domain] or s.old[domain]
  if e and e.expires > core.monotonic() then return e.value end
  return nil
end

local function catch_all_put(s, domain, value)
  local conf = s.conf
  if not conf or conf.max_ttl <= 0 then return end
  if s.count >= conf.size / 2 then s.old, s.new, s.count = s.new, {}, 0 end
  if not s.new[domain] then s.count = s.count + 1 end
  s.new[domain] = { value = value, expires = core.monotonic() + conf.max_ttl }
end

-- ---- the verdict ---------------------------------------------------------------

local UNDELIVERABLE_DNS = {
  nxdomain = true, null_mx = true, no_mail_host = true, mx_unresolvable = true, spf_reject_all = true,
  bad_syntax = true, mx_bogus_target = true,
}

local function retry_after(text)
  text = (text or ""):lower()
  local n, unit = text:match("(%d+)%s*(%a+)")
  while n do
    if unit:match("^sec") then return tonumber(n) end
    if unit:match("^min") then return tonumber(n) * 60 end
    text = text:gsub("%d+%s*%a+", "", 1)
    n, unit = text:match("(%d+)%s*(%a+)")
  end
  return 300 -- postgrey's default delay (and a common one)
end

-- Applies outcome o (a table from the engine, or a summary) to verdict v.
local function apply(r, v, o, ctx)
  local sm = {
    host = ctx.host, address = ctx.ip, port = ctx.port, state = o.state, code = o.code,
    enhanced = o.enhanced, reply = o.reply, catch_all = ctx.catch_all, stage = o.stage,
  }
  v.smtp = sm
  v.checked = "smtp"
  local reasons = v.reasons
  local st, code, enh = o.state, o.code or 0, o.enhanced
  if st == "accepted" then
    v.verdict = "deliverable"
  elseif st == "catch_all" then
    v.verdict = "risky"
    reasons[#reasons + 1] = reason("catch_all")
  elseif st == "rejected" then
    local sub = enh and enh:match("^5%.(%d+)%.")
    if (code == 550 or code == 551 or code == 553) and (not enh or sub == "1") then
      v.verdict = "undeliverable"
      reasons[#reasons + 1] = reason("mailbox_unknown", { reply_code = code, enhanced = enh })
    elseif sub == "1" or (sub == "2" and enh ~= "5.2.2") then
      v.verdict = "undeliverable"
      reasons[#reasons + 1] = reason(sub == "1" and "mailbox_unknown" or "mailbox_disabled", { reply_code = code, enhanced = enh })
    else
      v.verdict = "unknown"
      reasons[#reasons + 1] = reason("smtp_rejected", { reply_code = code, enhanced = enh })
    end
  elseif st == "full" then
    v.verdict = "risky"
    reasons[#reasons + 1] = reason("mailbox_full", { reply_code = code, enhanced = enh })
  elseif st == "greylisted" then
    v.verdict = "unknown"
    reasons[#reasons + 1] = reason("greylisted", { reply_code = code, enhanced = enh, retry_after = retry_after(o.reply) })
  elseif st == "blocked" then
    v.verdict = "unknown"
    reasons[#reasons + 1] = reason("smtp_blocked", { reply_code = code, enhanced = enh, stage = o.stage })
  elseif st == "unreachable" then
    if state(r).outbound == true then
      v.verdict = "undeliverable"
      reasons[#reasons + 1] = reason("mx_inactive", { hosts = ctx.tried })
    else
      v.verdict = "unknown"
      reasons[#reasons + 1] = reason("smtp_unreachable", { hosts = ctx.tried })
    end
  elseif st == "timeout" then
    v.verdict = "unknown"
    reasons[#reasons + 1] = reason("smtp_timeout", { stage = o.stage })
  elseif st == "cancelled" then
    v.verdict = "unknown"
    reasons[#reasons + 1] = reason("smtp_cancelled")
  else -- protocol, or anything unexpected: never a permanent verdict
    sm.state = st == "protocol" and st or "protocol"
    v.verdict = "unknown"
    reasons[#reasons + 1] = reason("smtp_protocol", { stage = o.stage })
  end
end

-- ---- sessions -------------------------------------------------------------------

local random_seeded = false
local function random_local()
  if not random_seeded then
    math.randomseed(os.time() + math.floor((core.monotonic() % 1) * 1e6))
    random_seeded = true
  end
  local chars, out = "abcdefghijklmnopqrstuvwxyz0123456789", { "mxr" }
  for i = 2, 14 do
    local k = math.random(1, #chars)
    out[i] = chars:sub(k, k)
  end
  return table.concat(out)
end

-- The hosts to try, in preference order: { host =, ip = }.
local function targets(v, o)
  local out, private = {}, 0
  for _, h in ipairs(v.mail_hosts or {}) do
    if #out >= o.max_hosts then break end
    local pick
    for _, a in ipairs(h.addresses or {}) do
      if o.allow_private or not require("mxrecord.verify").bogus_address(a) then
        pick = pick or a
        if not a:find(":", 1, true) then
          pick = a -- IPv4 first: IPv6 port 25 is more often filtered
          break
        end
      else
        private = private + 1
      end
    end
    if pick then out[#out + 1] = { host = h.host, ip = pick } end
  end
  return out, private
end

-- The engine over nginx cosockets: the same session as the pool runs, its
-- bytes carried by ngx.socket.tcp in a light thread of the resolver.
-- done(results) as the pool gives them.
function M.ngx_transport(r, spec, done)
  local ngx = ngx -- luacheck: ignore
  local function now()
    ngx.update_time()
    return ngx.now()
  end
  r:_post(function()
    local s = core.smtp_session(spec)
    local sock = ngx.socket.tcp()
    s:start(now())
    sock:settimeout(math.floor(spec.connect_timeout * 1000))
    local ok, err = sock:connect(spec.address, spec.port)
    local sys_err
    if not ok then
      if err == "timeout" then s:tick(s:deadline() or now()) else s:connect_failed(now()) end
      sys_err = err
    else
      s:connected(now())
      while not s:done() do
        local out = s:output()
        if out then
          local sent, serr = sock:send(out)
          if not sent then
            sys_err = serr
            s:eof(now())
            break
          end
        end
        if s:done() then break end
        local deadline = s:deadline()
        local wait = deadline and math.max(1, math.floor((deadline - now()) * 1000)) or 1000
        sock:settimeout(wait)
        local data, rerr = sock:receiveany(4096)
        if data then
          s:feed(data, now())
        elseif rerr == "timeout" then
          s:tick(now())
        else -- closed (or half-closed), or a read error
          s:eof(now())
        end
      end
      sock:close()
    end
    local res = s:results()
    s:close()
    if sys_err and sys_err ~= "timeout" then res.error = sys_err end
    done(res)
  end)
end

-- Transport: runs one session; done(results) with results as the engine's.
-- Plain resolvers use the pool; nginx resolvers use cosockets.
local function run_session(r, s, o, target, addrs, probe, done0)
  -- sessions running per address: batches wait (and grow) while their host is busy
  s.active[target.ip] = (s.active[target.ip] or 0) + 1
  local function done(res)
    s.active[target.ip] = s.active[target.ip] - 1
    done0(res)
    M._kick(r, s)
  end
  local spec = {
    address = target.ip, port = o.port, helo = o.helo, from = o.from, probe = probe, addresses = addrs,
    connect_timeout = o.connect_timeout, command_timeout = o.command_timeout,
  }
  if M.transport then return M.transport(r, spec, done) end
  if r:_state().ngx then return M.ngx_transport(r, spec, done) end -- inside nginx: cosockets
  pool_for(r, s, o.per_host):start(spec, done)
end

-- A batch: addresses at one domain with the same options, verified in one
-- session (or a few, within the recipient limit), host after host.
local function run_batch(r, s, b)
  local o = b.opts
  local items = b.items
  local hosts = b.hosts
  -- the provider's sessions at once (per_provider): this batch holds one slot until its last answer
  local pid = b.provider
  if pid then
    local left = #items + (b.domain_only and 1 or 0)
    s.prov_active[pid] = (s.prov_active[pid] or 0) + 1
    local function one_done()
      left = left - 1
      if left == 0 then
        s.prov_active[pid] = s.prov_active[pid] - 1
        M._kick(r, s)
      end
    end
    for _, it in ipairs(items) do
      local f = it.finish
      it.finish = function(v) f(v) one_done() end
    end
    if b.domain_only then
      local f = b.domain_only.finish
      b.domain_only.finish = function(v) f(v) one_done() end
    end
    if left == 0 then one_done() end
  end
  local cached = o.catch_all and catch_all_get(s, b.domain) or nil
  if cached == true then -- known catch-all: nothing to ask
    for _, it in ipairs(items) do
      apply(r, it.v, { state = "catch_all" }, { host = nil, ip = nil, port = o.port, catch_all = true })
      it.v.smtp.cached = true
      it.finish(it.v)
    end
    return
  end
  local want_probe = o.catch_all and cached == nil
  local tried = {}
  local function attempt(i, pending)
    local target = hosts[i]
    local addrs = {}
    for k, it in ipairs(pending) do addrs[k] = it.address end
    local probe = want_probe and (random_local() .. "@" .. b.domain) or nil
    tried[#tried + 1] = target.host
    run_session(r, s, o, target, #addrs > 0 and addrs or nil, probe, function(res)
      local sess = res.session
      local cancelled = res.cancelled
      -- a host that refused, closed at once or timed out before speaking: the next one
      if not cancelled and sess and (sess.state == "unreachable" or (sess.state == "timeout" and
        (sess.stage == "connect" or sess.stage == "banner"))) and i < #hosts then
        return attempt(i + 1, pending)
      end
      local ca = nil
      if res.probe then
        if res.probe.state == "accepted" then ca = true elseif res.probe.state == "rejected" then ca = false end
        if ca ~= nil then catch_all_put(s, b.domain, ca) end
      elseif cached == false then
        ca = false
      end
      local again = {}
      local ctx = { host = target.host, ip = target.ip, port = o.port, catch_all = ca, tried = tried }
      for k, it in ipairs(pending) do
        local out = res[k] or sess or { state = "protocol" }
        if cancelled and (out.state == "pending" or not out.state) then out = { state = "cancelled" } end
        if out.state == "untried" then
          again[#again + 1] = it
        else
          apply(r, it.v, out, ctx)
          it.finish(it.v)
        end
      end
      if #pending == 0 and b.domain_only then -- a domain-level check: the probe's answer is the verdict
        local it = b.domain_only
        local out = res.probe or sess or { state = "protocol" }
        if out.state == "accepted" then out = { state = "catch_all", code = out.code, enhanced = out.enhanced,
          reply = out.reply } end
        if out.state == "rejected" then -- the server tells mailboxes apart: nothing to say about one
          it.v.smtp = { host = target.host, address = target.ip, port = o.port, state = "rejected", code = out.code,
            enhanced = out.enhanced, reply = out.reply, catch_all = false }
          it.v.checked = "smtp"
        else
          apply(r, it.v, out, ctx)
        end
        it.finish(it.v)
      end
      if #again > 0 then
        want_probe = false
        if ca ~= nil then cached = ca end
        attempt(i, again) -- a new session for those over the server's recipient limit
      end
    end)
  end
  local pending = {}
  for _, it in ipairs(items) do pending[#pending + 1] = it end
  attempt(1, pending)
end

-- Starts the batches whose first host has a free slot; the others stay open
-- (more addresses may join them) until a session at that host ends.
local function flush(r, s)
  s.flush_posted = false
  local ready, ready_prov = {}, {}
  for key, b in pairs(s.batches) do
    local ip, pid = b.hosts[1].ip, b.provider
    if (s.active[ip] or 0) + (ready[ip] or 0) < b.opts.per_host
      and (not pid or (s.prov_active[pid] or 0) + (ready_prov[pid] or 0) < b.opts.per_provider) then
      ready[ip] = (ready[ip] or 0) + 1
      if pid then ready_prov[pid] = (ready_prov[pid] or 0) + 1 end
      ready[#ready + 1] = key
    end
  end
  for _, key in ipairs(ready) do
    local b = s.batches[key]
    s.batches[key] = nil
    run_batch(r, s, b)
  end
  -- a batch answered from the catch-all cache took no slot: those behind it may go now
  for _, b in pairs(s.batches) do
    if (s.active[b.hosts[1].ip] or 0) < b.opts.per_host
      and (not b.provider or (s.prov_active[b.provider] or 0) < b.opts.per_provider) then return M._kick(r, s) end
  end
end

function M._kick(r, s)
  if s.flush_posted or next(s.batches) == nil or s.closed then return end
  s.flush_posted = true
  local ok = pcall(r._post, r, function() flush(r, s) end)
  if not ok then s.flush_posted = false end -- the resolver is closing
end

local function opts_key(o)
  return table.concat({ o.port, o.helo, o.from, o.connect_timeout, o.command_timeout, tostring(o.catch_all),
    o.max_hosts, o.per_host, o.per_provider, tostring(o.allow_private) }, "\0")
end

-- After the DNS verdict: finish(v) once, possibly later (from poll/run).
function M.after_dns(r, v, o, finish)
  -- with allow_private, private MX addresses are what the caller wants: not a DNS fault
  if o.allow_private and v.reasons then
    local keep, undeliverable = {}, false
    for _, rs in ipairs(v.reasons) do
      if rs.code ~= "mx_bogus_target" then
        keep[#keep + 1] = rs
        if UNDELIVERABLE_DNS[rs.code] then undeliverable = true end
      end
    end
    if #keep ~= #v.reasons then
      v.reasons = keep
      if v.verdict == "undeliverable" and not undeliverable then v.verdict = "deliverable" end
    end
  end
  if v.verdict ~= "deliverable" or not v.ascii_domain then -- DNS settled it, or could not say: no connection
    v.smtp = { state = "skipped" }
    return finish(v)
  end
  local prov = v.provider
  local pid = prov and prov.id
  local skip = pid and policy.skip[pid]
  if not skip and prov and prov.gateway then skip = policy.skip[prov.gateway] end
  if skip then
    v.smtp = { state = "skipped", provider = pid }
    v.reasons[#v.reasons + 1] = reason("provider_unverifiable", { provider = pid, why = skip.why })
    return finish(v)
  end
  local hosts, private = targets(v, o)
  if #hosts == 0 then
    v.smtp = { state = "skipped" }
    if private > 0 then v.reasons[#v.reasons + 1] = reason("smtp_private") end
    return finish(v)
  end
  local s = state(r)
  local key = v.ascii_domain .. "\0" .. opts_key(o)
  local b = s.batches[key]
  if not b or (v.local_part and #b.items >= M.BATCH_MAX) then
    if b then s.batches[key .. "\0" .. tostring(b)] = b end -- full: keep it under another key
    -- the provider whose servers these are (unknown and self-hosted ones are their own)
    local prov_id = pid and pid ~= "unknown" and pid ~= "self_hosted" and pid ~= "none" and pid or nil
    b = { domain = v.ascii_domain, opts = o, hosts = hosts, items = {}, provider = prov_id }
    s.batches[key] = b
  end
  if v.local_part then
    local address = v.local_part .. "@" .. v.ascii_domain
    b.items[#b.items + 1] = { v = v, address = address, finish = finish }
  else
    if b.domain_only then -- a second domain-level check of the same domain in the same batch
      local first = b.domain_only
      local prev = first.finish
      first.finish = function(fv)
        prev(fv)
        v.smtp, v.checked, v.verdict = fv.smtp, fv.checked, fv.verdict
        for i = #v.reasons + 1, #fv.reasons do v.reasons[i] = fv.reasons[i] end
        finish(v)
      end
    else
      b.domain_only = { v = v, finish = finish }
    end
  end
  M._kick(r, s)
end

-- ---- the prober's own outbound SMTP ---------------------------------------------

-- mxrecord.smtp_selfcheck(r, opts) -> { outbound = true|false, state =, host =, address = }
-- Connects to opts.hosts (host names or addresses, port opts.port or 25) and
-- reads the banner: a 220 (or any SMTP reply) from one of them says this
-- machine can reach port 25 outward. The outcome is remembered by r: with
-- outbound = true, MX hosts that all refuse make "mx_inactive"
-- (undeliverable); otherwise they make "smtp_unreachable" (unknown).
-- opts.assume = true|false records the answer without connecting.
function M.selfcheck(r, opts)
  if type(opts) ~= "table" then error("bad argument #2 to 'smtp_selfcheck' (options table expected)", 2) end
  for k in pairs(opts) do
    if k ~= "hosts" and k ~= "port" and k ~= "timeout" and k ~= "assume" and k ~= "helo" then
      error("bad argument #2 to 'smtp_selfcheck' (unknown option '" .. tostring(k) .. "')", 2)
    end
  end
  local s = state(r)
  if opts.assume ~= nil then
    if type(opts.assume) ~= "boolean" then error("bad argument #2 to 'smtp_selfcheck' (assume must be a boolean)", 2) end
    s.outbound = opts.assume
    return { outbound = opts.assume, state = "assumed" }
  end
  if type(opts.hosts) ~= "table" or #opts.hosts == 0 then
    error("bad argument #2 to 'smtp_selfcheck' (hosts: a list of mail hosts to try expected)", 2)
  end
  local port = opts.port or 25
  local timeout = opts.timeout or 10
  local last = { outbound = false, state = "unreachable" }
  for _, h in ipairs(opts.hosts) do
    local ips = {}
    if h:match("^[%d.]+$") or h:find(":", 1, true) then
      ips[1] = h
    else
      local res = r:a(h)
      for _, rec in ipairs(res and res.records or {}) do ips[#ips + 1] = rec.address end
    end
    for _, ip in ipairs(ips) do
      local p = core.smtp_pool { per_host = 1, max = 1 }
      local got
      p:start({ address = ip, port = port, helo = opts.helo or "selfcheck.invalid", connect_timeout = timeout,
        command_timeout = timeout }, function(res) got = res end)
      p:run(2 * timeout + 1)
      p:close()
      local sess = got and got.session
      -- no address given: the engine says QUIT after EHLO; a session state of
      -- unreachable/timeout at connect means no way out
      local st = sess and sess.state or "accepted"
      if st ~= "unreachable" and not (st == "timeout" and (sess.stage == "connect")) then
        s.outbound = true
        return { outbound = true, state = st, host = h, address = ip }
      end
      last = { outbound = false, state = st, host = h, address = ip }
    end
  end
  s.outbound = false
  return last
end

-- ---- driving the pools with the resolver's loop ----------------------------------
-- Until the pools join the resolver's C loop, the resolver's driving methods
-- are wrapped here so that poll()/run()/_step()/pending()/timeout()/fds()
-- /close() see the SMTP sessions too.

local function pools_of(r)
  local st = r:_state()
  return st.smtp and st.smtp.pools
end

local function busy(pools)
  if not pools then return false end
  for _, p in pairs(pools) do
    if p:pending() > 0 then return true end
  end
  return false
end

local function add_errors(into, errs)
  if not errs then return into end
  into = into or {}
  for _, e in ipairs(errs) do into[#into + 1] = e end
  return into
end

-- The resolver's methods with the pools driven too: a resolver class of its
-- own (on top of the resolver's current one: plain, or a host's), given to a
-- resolver when it first opens an SMTP pool, so resolvers that never probe
-- pay nothing.
local composed = setmetatable({}, { __mode = "k" })

function attach(r)
  local st = r:_state()
  if st.smtp_attached or st.ngx then return end -- inside nginx, cosockets carry the sessions
  st.smtp_attached = true
  local mt = getmetatable(r)
  local class = composed[mt]
  if not class then
    local methods = setmetatable({}, { __index = mt.__index })
    M.install(methods)
    class = core.resolver_class(methods)
    composed[mt] = class
  end
  r:_class(class)
end

M.attach = function(r) return attach(r) end

function M.install(methods)
  local raw = {}
  for _, name in ipairs { "_step", "poll", "run", "pending", "timeout", "fds", "close" } do raw[name] = methods[name] end

  -- One round: waits on the pools' sockets and the resolver's at once.
  -- max_wait (seconds, optional): run()'s time left, which a round must not outlast
  local function step(r, max_wait)
    local pools = pools_of(r)
    if not busy(pools) then return raw._step(r) end
    local t = raw.timeout(r)
    if t == 0 then return raw._step(r) end -- callbacks are due
    if max_wait and (not t or max_wait < t) then t = max_wait end
    local fds, evs = raw.fds(r)
    local n, errs = 0, nil
    for _, p in pairs(pools) do
      if p:pending() > 0 then
        local pt = p:timeout()
        local wait = t
        if pt and (not wait or pt < wait) then wait = pt end
        local k, ready, e = p:step(wait, fds, evs)
        n, errs = n + k, add_errors(errs, e)
        if ready or (raw.timeout(r) or 1) <= 0 then n = n + raw._step(r) end
        break -- one pool waits per round; the others are polled
      end
    end
    for _, p in pairs(pools) do
      if p:pending() > 0 then
        local k, e = p:poll()
        n, errs = n + k, add_errors(errs, e)
      end
    end
    if errs then error(errs[1], 0) end -- the pools' callbacks are this module's own
    return n
  end
  methods._step = step

  methods.poll = function(r)
    local n, errs = raw.poll(r)
    local pools = pools_of(r)
    if busy(pools) then
      for _, p in pairs(pools) do
        local k, e = p:poll()
        n, errs = n + k, add_errors(errs, e)
      end
      local k, e = raw.poll(r) -- what the sessions' ends posted
      n, errs = n + k, add_errors(errs, e)
    end
    return n, errs
  end

  methods.run = function(r, timeout)
    if timeout ~= nil and (type(timeout) ~= "number" or not (timeout >= 0)) then
      error("bad argument #1 to 'run' (timeout must be a number of seconds >= 0)", 2)
    end
    local deadline = timeout and core.monotonic() + timeout
    local errs
    while true do
      if not busy(pools_of(r)) then
        local ok, e = raw.run(r, deadline and math.max(0, deadline - core.monotonic()) or nil)
        errs = add_errors(errs, e)
        if not busy(pools_of(r)) or not ok then return ok, errs end
      else
        if deadline and core.monotonic() >= deadline then return false, errs end
        step(r, deadline and math.max(0, deadline - core.monotonic()))
      end
    end
  end

  methods.pending = function(r)
    local n = raw.pending(r)
    local pools = pools_of(r)
    if pools then
      for _, p in pairs(pools) do n = n + p:pending() end
    end
    return n
  end

  methods.timeout = function(r)
    local t = raw.timeout(r)
    local pools = pools_of(r)
    if pools then
      for _, p in pairs(pools) do
        local pt = p:pending() > 0 and p:timeout()
        if pt and (not t or pt < t) then t = pt end
      end
    end
    return t
  end

  methods.fds = function(r)
    local fds, evs = raw.fds(r)
    local pools = pools_of(r)
    if pools then
      for _, p in pairs(pools) do
        local f, e = p:fds()
        for i = 1, #f do fds[#fds + 1], evs[#evs + 1] = f[i], e[i] end
      end
    end
    return fds, evs
  end

  methods.close = function(r, ...)
    local ok, st = pcall(r._state, r)
    local s = ok and st.smtp
    if s then
      s.closed = true
      st.smtp = nil
      for _, p in pairs(s.pools) do p:close() end
    end
    return raw.close(r, ...)
  end
end

return M
