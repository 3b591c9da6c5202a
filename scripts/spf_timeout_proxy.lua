-- spf_timeout_proxy.lua PORT UPSTREAM_PORT TIMEOUTS_FILE: a UDP DNS relay on
-- 127.0.0.1:PORT in front of the knotd on 127.0.0.1:UPSTREAM_PORT that stays
-- silent for the SPF test suite's TIMEOUT entries, which knotd cannot do:
-- TIMEOUTS_FILE holds lines "name TYPE TYPE ...": a query for that name of a
-- type not listed gets no answer at all; every other query is relayed.
-- Used by spec/15_spf_spec.lua; runs until killed.
local socket = require "socket"

local port = assert(tonumber(arg[1]), "usage: spf_timeout_proxy.lua PORT UPSTREAM_PORT TIMEOUTS_FILE")
local upstream = assert(tonumber(arg[2]), "upstream port expected")
local silent = {}
for line in io.lines((assert(arg[3], "timeouts file expected"))) do
  local name, types = line:match("^(%S+)%s*(.*)$")
  if name then
    local served = {}
    for t in types:gmatch("%S+") do served[t] = true end
    silent[name] = served
  end
end

local TYPES = { [1] = "A", [5] = "CNAME", [6] = "SOA", [12] = "PTR", [15] = "MX", [16] = "TXT", [28] = "AAAA",
  [99] = "SPF" }

-- The lower-cased query name (labels joined by dots, octets as they are) and type.
local function question(msg)
  local pos, labels = 13, {}
  while true do
    local l = msg:byte(pos)
    if not l then return nil end
    if l == 0 then break end
    labels[#labels + 1] = msg:sub(pos + 1, pos + l)
    pos = pos + 1 + l
  end
  local qtype = ((msg:byte(pos + 1) or 0) << 8) | (msg:byte(pos + 2) or 0)
  return table.concat(labels, "."):lower(), TYPES[qtype] or tostring(qtype)
end

local udp = assert(socket.udp())
assert(udp:setsockname("127.0.0.1", port))
local up = assert(socket.udp())
assert(up:setpeername("127.0.0.1", upstream))
up:settimeout(2)
while true do
  local msg, ip, cport = udp:receivefrom()
  if msg and #msg > 12 then
    local name, qtype = question(msg)
    local served = name and silent[name]
    if not (served and not served[qtype]) then
      up:send(msg)
      local id = msg:sub(1, 2)
      repeat
        local answer = up:receive()
        if answer and answer:sub(1, 2) == id then
          udp:sendto(answer, ip, cport)
          break
        end
      until not answer
    end
  end
end
