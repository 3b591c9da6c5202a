-- delay_proxy.lua: put a UDP server on loopback "far away": starts
-- spec/helpers/delay_proxy_server.lua, which forwards to the server on
-- 127.0.0.1:upstream_port with rtt_ms added to every round trip.
--
--   local proxy = require("spec.helpers.delay_proxy").start{ upstream_port = srv.port, rtt_ms = 20 }
--   proxy.address  --> "127.0.0.1:40002"
--   proxy:stop()
local dns = require "spec.helpers.dns_server"

local M = {}

-- opts.upstream_port (required), opts.rtt_ms (default 20), opts.port, opts.lua (lua5.4),
-- opts.drop_first: lose the first query for each question (every lookup's first try)
function M.start(opts)
  local dir = dns.tmpdir("mxrecord-proxy")
  local port = opts.port or dns.free_port()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec/helpers"
  local proxy = dns.launch(("%s %s/delay_proxy_server.lua %d %d %s %s/ready %s"):format(opts.lua or "lua5.4", here, port,
    assert(opts.upstream_port), opts.rtt_ms or 20, dir, opts.drop_first and "drop_first" or ""), dir, port,
    function(srv) return dns.read_file(srv.dir .. "/ready") ~= nil end)
  proxy.rtt_ms = opts.rtt_ms or 20
  return proxy
end

return M
