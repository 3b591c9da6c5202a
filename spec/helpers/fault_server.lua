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
--   by-MX-A-AAAA-TXT.*  an answer per query type, each slot one of: nodata,
--               nx (NXDOMAIN), servfail, refused, silent, formerr, public
--               (MX 10 mx.public.example / 192.0.2.1 / 2001:db8::1 /
--               "v=spf1 ~all"), private (10.1.2.3 / fd00::1), loopback
--               (127.0.0.1 / ::1), spfall (TXT "v=spf1 -all"). E.g.
--               by-nodata-private-servfail-nodata.example is a domain with no
--               MX, a private A and an AAAA lookup that fails; as an MX target
--               (mxto-by-...) it is a mail host with those addresses.
--   foreign.*   MX: one record owned by evil.example (not the query name),
--               exchange mx.evil.example; A: 192.0.2.66 owned by evil.example
--   rootmx.*    MX 0 . and MX 10 .     rootmx2.*  MX 0 . twice
--   rootmixed.* MX 0 . and MX 10 mx.public.example
--   dupmx.*     MX 10 and MX 20 to one host with a public address
--   huge-N.*    N records of the asked type (A: 198.51.x.y, AAAA, MX, TXT of
--               100 octets); over UDP when it fits in 512 octets, else TC=1
--               and the whole answer over TCP (as many as fit in 65,535 octets)
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

local function rr(owner, qtype, rdata, ttl)
  return owner .. u16(qtype) .. u16(1) .. u32(ttl or 300) .. u16(#rdata) .. rdata
end

local function txt_rdata(s)
  local out = {}
  for i = 1, #s, 255 do
    local part = s:sub(i, i + 254)
    out[#out + 1] = string.char(#part) .. part
  end
  return table.concat(out)
end

local function a_rdata(a, b, c, d) return string.char(a, b, c, d) end

local AAAA = {
  public = "\32\1\13\184" .. ("\0"):rep(11) .. "\1", -- 2001:db8::1
  private = "\253" .. ("\0"):rep(14) .. "\1",           -- fd00::1
  loopback = ("\0"):rep(15) .. "\1",                     -- ::1
}
local A = { public = a_rdata(192, 0, 2, 1), private = a_rdata(10, 1, 2, 3), loopback = a_rdata(127, 0, 0, 1) }

-- by-MX-A-AAAA-TXT: the slot for qtype answered (nil for silence).
local SLOT = { [15] = 1, [1] = 2, [28] = 3, [16] = 4 }
local function by_type(id, question, qtype, slots)
  local word = slots[SLOT[qtype] or 0] or "nodata"
  local rcodes = { nx = QR_AA | 3, servfail = QR_AA | 2, refused = 0x8000 | 5, formerr = 0x8000 | 1 }
  if word == "silent" then return nil end
  if rcodes[word] then return header(id, rcodes[word], 1, 0) .. question end
  local rdata
  if qtype == 1 then
    rdata = A[word]
  elseif qtype == 28 then
    rdata = AAAA[word]
  elseif qtype == 15 and word == "public" then
    rdata = u16(10) .. encode_name("mx.public.example")
  elseif qtype == 16 and (word == "public" or word == "spfall") then
    rdata = txt_rdata(word == "spfall" and "v=spf1 -all" or "v=spf1 ~all")
  end
  if not rdata then return header(id, QR_AA, 1, 0) .. question end
  return header(id, QR_AA, 1, 1) .. question .. rr("\192\12", qtype, rdata)
end

-- huge-N: N records of the asked type.
local function huge(id, question, name, qtype, n, over_tcp)
  local rrs, size = {}, 12 + #question
  for i = 1, n do
    local rdata
    if qtype == 1 then
      rdata = a_rdata(198, 51, (i >> 8) & 0xff, i & 0xff)
    elseif qtype == 28 then
      rdata = "\32\1\13\184" .. ("\0"):rep(10) .. u16(i)
    elseif qtype == 15 then
      rdata = u16(i % 65536) .. encode_name("mx" .. i .. "." .. name)
    elseif qtype == 16 then
      rdata = txt_rdata(("%05d"):format(i) .. ("x"):rep(95))
    else
      break
    end
    local one = rr("\192\12", qtype, rdata)
    size = size + #one
    if size > 65535 then break end -- what one message holds
    rrs[#rrs + 1] = one
  end
  local msg = header(id, QR_AA, 1, #rrs) .. question .. table.concat(rrs)
  if #msg > 512 and not over_tcp then return header(id, QR_AA | 0x0200, 1, 0) .. question end
  return msg
end

-- Answers the hostile cases: records with a foreign owner, root MX records,
-- duplicates; nil when fault is none of them.
local function hostile(id, question, name, qtype, fault)
  local owner = "\192\12"
  if fault == "foreign" then
    local evil = encode_name("evil.example")
    if qtype == 15 then return header(id, QR_AA, 1, 1) .. question .. rr(evil, 15, u16(10) .. encode_name("mx.evil.example")) end
    if qtype == 1 then return header(id, QR_AA, 1, 1) .. question .. rr(evil, 1, a_rdata(192, 0, 2, 66)) end
    return header(id, QR_AA, 1, 0) .. question
  end
  local exchanges = ({
    rootmx = { { 0, "" }, { 10, "" } },
    rootmx2 = { { 0, "" }, { 0, "" } },
    rootmixed = { { 0, "" }, { 10, "mx.public.example" } },
    dupmx = { { 10, "by-nodata-public-nodata.dup.example" }, { 20, "by-nodata-public-nodata.dup.example" } },
  })[fault]
  if not exchanges then return nil end
  if qtype ~= 15 then return header(id, QR_AA, 1, 0) .. question end
  local rrs = {}
  for i, e in ipairs(exchanges) do rrs[i] = rr(owner, 15, u16(e[1]) .. encode_name(e[2])) end
  return header(id, QR_AA, 1, #rrs) .. question .. table.concat(rrs)
end

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
  local slots = fault:match("^by%-(.+)$")
  if slots then
    local words = {}
    for w in slots:gmatch("[^-]+") do words[#words + 1] = w end
    return by_type(id, question, qtype, words)
  end
  local count = fault:match("^huge%-(%d+)$")
  if count then return huge(id, question, name, qtype, tonumber(count), over_tcp) end
  local reply = hostile(id, question, name, qtype, fault)
  if reply then return reply end
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
