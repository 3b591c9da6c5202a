-- delay_proxy_server.lua PORT UPSTREAM_PORT RTT_MS [READYFILE [drop_first]]: a UDP proxy on
-- 127.0.0.1:PORT that forwards every datagram to 127.0.0.1:UPSTREAM_PORT and
-- the replies back, each way after RTT_MS / 2, so that a server on loopback
-- looks RTT_MS away. One upstream socket per client address (c-ares uses a
-- few). Order is kept (every packet waits the same time). UDP only; for
-- spec-sized loads (hundreds of packets a second); bench/delay_proxy.c is the
-- fast one. Writes READYFILE once listening. Runs until killed. With
-- "drop_first", the first query for each question (the message past its
-- 2-octet ID) is dropped: every lookup loses its first try.
local socket = require "socket"
local port, up_port, rtt = assert(tonumber(arg[1])), assert(tonumber(arg[2])), assert(tonumber(arg[3]))
local half = rtt / 2000
local drop_first, seen = arg[5] == "drop_first", {}

local listen = assert(socket.udp())
assert(listen:setsockname("127.0.0.1", port))
listen:settimeout(0)

local upstream_of, client_of, watch = {}, {}, { listen }
local q, head, tail = {}, 1, 0 -- FIFO of { due, send function }

local function push(fn)
  tail = tail + 1
  q[tail] = { socket.gettime() + half, fn }
end

if arg[4] then
  local f = assert(io.open(arg[4], "w"))
  f:write("ready\n")
  f:close()
end

while true do
  local wait = 1
  if head <= tail then wait = math.max(0, q[head][1] - socket.gettime()) end
  local ready = socket.select(watch, nil, wait)
  for _, s in ipairs(ready) do
    if s == listen then
      while true do
        local data, ip, from = listen:receivefrom()
        if not data then break end
        local key = ip .. ":" .. from
        local up = upstream_of[key]
        if not up then
          up = assert(socket.udp())
          assert(up:setpeername("127.0.0.1", up_port))
          up:settimeout(0)
          upstream_of[key], client_of[up] = up, { ip, from }
          watch[#watch + 1] = up
        end
        local question = data:sub(3)
        if drop_first and not seen[question] then
          seen[question] = true -- lost on the way
        else
          push(function() up:send(data) end)
        end
      end
    else
      local c = client_of[s]
      while true do
        local data = s:receive()
        if not data then break end
        push(function() listen:sendto(data, c[1], c[2]) end)
      end
    end
  end
  local now = socket.gettime()
  while head <= tail and q[head][1] <= now do
    q[head][2]()
    q[head] = nil
    head = head + 1
  end
end
