-- black_hole_server.lua PORT COUNTFILE: a UDP "DNS server" on 127.0.0.1:PORT
-- that swallows every packet and never answers (a dead resolver as a client
-- sees it: a timeout, not a refusal). Writes the number of packets received
-- so far to COUNTFILE ("0" once it is listening, then after every batch).
-- Runs until killed. Started by spec/helpers/black_hole.lua.
local socket = require "socket"
local port, countfile = assert(tonumber(arg[1])), assert(arg[2])

local udp = assert(socket.udp())
assert(udp:setsockname("127.0.0.1", port))
udp:settimeout(0)

local count = 0
local function save()
  local f = io.open(countfile .. ".tmp", "w")
  if f then
    f:write(count, "\n")
    f:close()
    os.rename(countfile .. ".tmp", countfile)
  end
end
save()

while true do
  socket.select({ udp }, nil, 1)
  local got = 0
  while udp:receive() do got = got + 1 end
  if got > 0 then
    count = count + got
    save()
  end
end
