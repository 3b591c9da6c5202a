-- fault_server.lua PORT: a DNS server that misbehaves on request, for what
-- a real server will not do. The first label of the query name picks the
-- fault:
--   silent.*    no answer at all (timeout)
--   servfail.*  RCODE 2            refused.*  RCODE 5      formerr.*  RCODE 1
--   tc.*        UDP: TC=1 and no records; TCP: three MX records
--   short.*     a 5-octet packet   garbled.*  header says 1 answer, record cut short
--   badrdata.*  an MX record whose RDATA is 1 octet
--   wrongid.*   a good answer with another message ID
--   FAULT-mx.*, FAULT-txt.*  that fault for MX (or TXT) queries only; the other
--               type answers as a Google Workspace domain would (MX
--               aspmx.l.google.com, TXT "v=spf1 include:_spf.google.com ~all")
--   mxto-FAULT.*   MX 10 FAULT.host.example (so that the host's A/AAAA lookups
--               meet FAULT); other types: NODATA
--   anything else: NXDOMAIN
-- It serves UDP and TCP on 127.0.0.1:PORT until killed.
local socket = require "socket"

local port = assert(tonumber(arg[1]), "usage: fault_server.lua PORT")

local function u16(n) return string.char((n >> 8) & 0xff, n & 0xff) end
local function u32(n) return u16((n >> 16) & 0xffff) .. u16(n & 0xffff) end

local function encode_name(name)
  local out = {}
  for label in name:gmatch("[^.]+") do out[#out + 1] = string.char(#label) .. label end
  return table.concat(out) .. "\0"
end

-- Returns id, the question section (raw), the lower-cased query name, the type.
local function parse_query(msg)
  if #msg < 17 then return nil end
  local id = msg:byte(1) << 8 | msg:byte(2)
  local pos, labels = 13, {}
  while true do
    local l = msg:byte(pos)
    if not l then return nil end
    if l == 0 then break end
    labels[#labels + 1] = msg:sub(pos + 1, pos + l)
    pos = pos + 1 + l
  end
  local question = msg:sub(13, pos + 4)
  local qtype = (msg:byte(pos + 1) or 0) << 8 | (msg:byte(pos + 2) or 0)
  return id, question, table.concat(labels, "."):lower(), qtype
end

local function header(id, flags, qd, an)
  return u16(id) .. u16(flags) .. u16(qd) .. u16(an) .. u16(0) .. u16(0)
end

local QR_AA = 0x8400

local function mx_answer(id, question, name, count)
  local rrs = {}
  for i = 1, count do
    local rdata = u16(i * 10) .. encode_name("mx" .. i .. "." .. name)
    rrs[#rrs + 1] = "\192\12" .. u16(15) .. u16(1) .. u32(300) .. u16(#rdata) .. rdata
  end
  return header(id, QR_AA, 1, count) .. question .. table.concat(rrs)
end

local QTYPES = { mx = 15, txt = 16 }

-- The healthy answer for a FAULT-TYPE name queried with another type.
local function healthy(id, question, qtype)
  local rdata
  if qtype == 15 then
    rdata = u16(1) .. encode_name("aspmx.l.google.com")
  elseif qtype == 16 then
    local txt = "v=spf1 include:_spf.google.com ~all"
    rdata = string.char(#txt) .. txt
  else
    return header(id, QR_AA, 1, 0) .. question -- NODATA
  end
  return header(id, QR_AA, 1, 1) .. question .. "\192\12" .. u16(qtype) .. u16(1) .. u32(300) .. u16(#rdata) .. rdata
end

-- The reply for one query, or nil for silence.
local function respond(msg, over_tcp)
  local id, question, name, qtype = parse_query(msg)
  if not id then return nil end
  local fault = name:match("^([^.]+)")
  local target = fault:match("^mxto%-(.+)$")
  if target then
    if qtype ~= 15 then return header(id, QR_AA, 1, 0) .. question end
    local rdata = u16(10) .. encode_name(target .. ".host.example")
    return header(id, QR_AA, 1, 1) .. question .. "\192\12" .. u16(15) .. u16(1) .. u32(300) .. u16(#rdata) .. rdata
  end
  local only = fault:match("%-(%a+)$")
  if only and QTYPES[only] then
    if QTYPES[only] ~= qtype then return healthy(id, question, qtype) end
    fault = fault:sub(1, -#only - 2)
  end
  if fault == "silent" then
    return nil
  elseif fault == "servfail" then
    return header(id, QR_AA | 2, 1, 0) .. question
  elseif fault == "refused" then
    return header(id, 0x8000 | 5, 1, 0) .. question
  elseif fault == "formerr" then
    return header(id, 0x8000 | 1, 1, 0) .. question
  elseif fault == "tc" then
    if over_tcp then return mx_answer(id, question, name, 3) end
    return header(id, QR_AA | 0x0200, 1, 0) .. question
  elseif fault == "short" then
    return u16(id) .. "\132\0\0"
  elseif fault == "garbled" then
    return header(id, QR_AA, 1, 1) .. question .. "\192\12\0"
  elseif fault == "badrdata" then
    return header(id, QR_AA, 1, 1) .. question .. "\192\12" .. u16(15) .. u16(1) .. u32(300) .. u16(1) .. "\0"
  elseif fault == "wrongid" then
    return mx_answer((id + 1) & 0xffff, question, name, 1)
  end
  return header(id, QR_AA | 3, 1, 0) .. question
end

local udp = assert(socket.udp())
assert(udp:setsockname("127.0.0.1", port))
udp:settimeout(0)
local tcp = assert(socket.bind("127.0.0.1", port))
tcp:settimeout(0)

local function serve_tcp(client)
  client:settimeout(1)
  while true do
    local len = client:receive(2)
    if not len then break end
    local msg = client:receive(len:byte(1) << 8 | len:byte(2))
    if not msg then break end
    local reply = respond(msg, true)
    if reply then client:send(u16(#reply) .. reply) end
  end
  client:close()
end

while true do
  local ready = socket.select({ udp, tcp }, nil, 1)
  for _, s in ipairs(ready) do
    if s == udp then
      while true do
        local msg, ip, from_port = udp:receivefrom()
        if not msg then break end
        local reply = respond(msg, false)
        if reply then udp:sendto(reply, ip, from_port) end
      end
    elseif s == tcp then
      local client = tcp:accept()
      if client then serve_tcp(client) end
    end
  end
end
