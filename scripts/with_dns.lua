-- with_dns.lua ZONE=FILE [ZONE=FILE...] -- COMMAND...
-- Starts knotd on 127.0.0.1 with a free port serving the zones, runs COMMAND
-- with MXRECORD_SERVERS pointing at it, stops the server, exits as COMMAND did.
package.path = "./?.lua;" .. package.path
local dns = require "spec.helpers.dns_server"

local zones, cmd = {}, nil
for i, a in ipairs(arg) do
  if a == "--" then
    cmd = table.concat(arg, " ", i + 1)
    break
  end
  local zone, file = a:match("^([^=]+)=(.+)$")
  assert(zone, "usage: with_dns.lua ZONE=FILE... -- COMMAND")
  zones[zone] = file
end
assert(cmd and #cmd > 0, "usage: with_dns.lua ZONE=FILE... -- COMMAND")

local srv = dns.start { zones = zones }
io.stderr:write("local DNS server (knotd) on ", srv.address, "\n")
local ok, _, status = os.execute("MXRECORD_SERVERS=" .. srv.address .. " " .. cmd)
srv:stop()
os.exit((ok == true or ok == 0) and 0 or (status or 1))
