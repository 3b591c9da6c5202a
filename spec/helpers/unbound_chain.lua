-- unbound_chain.lua: a recursive resolver (unbound) on 127.0.0.1 with a free
-- port, in its own temp dir, that resolves given zones through a stub-zone
-- pointing at an authoritative server on loopback (knotd, possibly behind a
-- delay proxy): the realistic chain client -> recursive -> authoritative.
--
--   local unbound = require "spec.helpers.unbound_chain"
--   local u = unbound.start{ stubs = { ["bench.test"] = "127.0.0.1@41234" } }
--   u.address  --> "127.0.0.1:40003"
--   u:stop()
--
-- unbound listens on loopback only, queries only the stub addresses given
-- (do-not-query-localhost: no), validates nothing (module-config iterator).
local dns = require "spec.helpers.dns_server"

local M = {}

-- opts.stubs: { [zone] = "127.0.0.1@port" or { ... } }; opts.port; opts.threads (1);
-- opts.extra: more "server:" lines (strings)
function M.start(opts)
  local dir = dns.tmpdir("mxrecord-unbound")
  local port = opts.port or dns.free_port()
  local conf = {
    "server:",
    "  interface: 127.0.0.1",
    "  port: " .. port,
    "  do-ip6: no",
    "  do-tcp: yes",
    '  username: ""',
    '  chroot: ""',
    '  directory: "' .. dir .. '"',
    '  pidfile: "' .. dir .. '/unbound.pid"',
    "  use-syslog: no",
    '  logfile: ""',
    "  verbosity: 0",
    "  num-threads: " .. (opts.threads or 1),
    "  access-control: 127.0.0.0/8 allow",
    "  do-not-query-localhost: no",
    '  module-config: "iterator"',
    "  qname-minimisation: no",
    "  num-queries-per-thread: 4096",
    "  outgoing-range: 8192",
    "  so-rcvbuf: 4m",
    "  so-sndbuf: 4m",
    "  msg-cache-size: 64m",
    "  rrset-cache-size: 128m",
    "  harden-referral-path: no",
    "  target-fetch-policy: \"0 0 0 0 0\"",
  }
  for zone in pairs(opts.stubs) do -- unbound answers NXDOMAIN itself for test., invalid. ... (RFC 6761) unless told
    conf[#conf + 1] = '  local-zone: "' .. zone:match("([^.]+)%.?$") .. '." nodefault'
  end
  for _, l in ipairs(opts.extra or {}) do conf[#conf + 1] = "  " .. l end
  conf[#conf + 1] = "remote-control:"
  conf[#conf + 1] = "  control-enable: no"
  local first
  for zone, addrs in pairs(opts.stubs) do
    first = first or zone
    conf[#conf + 1] = "stub-zone:"
    conf[#conf + 1] = '  name: "' .. zone .. '"'
    for _, a in ipairs(type(addrs) == "table" and addrs or { addrs }) do conf[#conf + 1] = "  stub-addr: " .. a end
  end
  local f = assert(io.open(dir .. "/unbound.conf", "w"))
  f:write(table.concat(conf, "\n"), "\n")
  f:close()
  return dns.launch(("unbound -d -c %s/unbound.conf"):format(dir), dir, port, first) -- answers for its first stub zone
end

return M
