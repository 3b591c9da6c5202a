-- black_hole.lua: start a UDP server on 127.0.0.1 that receives DNS queries
-- and never answers (spec/helpers/black_hole_server.lua), to stand for a
-- dead server in a resolver's list, and count what it received.
--
--   local bh = require("spec.helpers.black_hole").start()
--   bh.address   --> "127.0.0.1:40001"
--   bh:count()   --> packets received so far
--   bh:stop()
local dns = require "spec.helpers.dns_server"

local M = {}

local function count(self) return tonumber((dns.read_file(self.dir .. "/count") or ""):match("%d+")) or 0 end

-- opts.port: a fixed port (default: a free one); opts.lua: interpreter (lua5.4)
function M.start(opts)
  opts = opts or {}
  local dir = dns.tmpdir("mxrecord-hole")
  local port = opts.port or dns.free_port()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "spec/helpers"
  local hole = dns.launch(("%s %s/black_hole_server.lua %d %s/count"):format(opts.lua or "lua5.4", here, port, dir), dir,
    port, function(srv) return dns.read_file(srv.dir .. "/count") ~= nil end)
  hole.count = count
  return hole
end

return M
