-- Layer 7: the examples, run as a user runs them, against knotd serving the
-- bundled example companies (examples/data/companies.test.zone).
local dns = require "spec.helpers.dns_server"

-- The interpreter running these specs, and its module paths, for the child.
local function interpreter()
  local i = -1
  while arg[i - 1] do i = i - 1 end
  return arg[i] or "lua5.4"
end

local function run(srv, cmd)
  local env = ("MXRECORD_SERVERS=%s LUA_PATH=%q LUA_CPATH=%q "):format(srv.address, package.path, package.cpath)
  -- the exit status travels in the output: Lua 5.1's close() does not give it
  local p = assert(io.popen(env .. interpreter() .. " " .. cmd .. " 2>/tmp/mxrecord-example-stderr; echo \"exit=$?\""))
  local out = p:read("*a")
  p:close()
  local status
  out, status = out:match("^(.-)exit=(%d+)\n$")
  local ok = status == "0"
  local f = io.open("/tmp/mxrecord-example-stderr")
  local err = f and f:read("*a") or ""
  if f then f:close() end
  return out, err, ok
end

local function parse_csv_line(line)
  local fields, pos = {}, 1
  while pos <= #line + 1 do
    if line:sub(pos, pos) == '"' then
      local s, e = pos + 1, nil
      local buf = {}
      while true do
        e = line:find('"', s, true)
        buf[#buf + 1] = line:sub(s, e - 1)
        if line:sub(e + 1, e + 1) == '"' then
          buf[#buf + 1] = '"'
          s = e + 2
        else
          break
        end
      end
      fields[#fields + 1] = table.concat(buf)
      pos = e + 2
    else
      local e = line:find(",", pos, true) or #line + 1
      fields[#fields + 1] = line:sub(pos, e - 1)
      pos = e + 1
    end
  end
  return fields
end

describe("examples/prospect.lua", function()
  local srv

  setup(function()
    srv = dns.start { zones = { test = "examples/data/companies.test.zone" } }
  end)

  teardown(function()
    if srv then srv:stop() end
  end)

  it("reports one CSV row per distinct domain, as answers come, with a summary on stderr", function()
    local out, err, ok = run(srv, "examples/prospect.lua --csv examples/data/companies.csv")
    assert.is_true(ok, err)
    local rows = {}
    for line in out:gmatch("[^\n]+") do rows[#rows + 1] = parse_csv_line(line) end
    assert.same({ "domain", "provider", "category", "gateway", "senders", "notes", "mx" }, rows[1])
    local by = {}
    for i = 2, #rows do by[rows[i][1]] = rows[i] end
    assert.equals(20, #rows) -- 19 companies: the duplicate www.globex.test is looked up once
    assert.equals("Google Workspace", by["acme-anvils.test"][2]) -- from https://www.acme-anvils.test/
    assert.equals("Microsoft 365", by["globex.test"][2]) -- from a quoted URL with a path
    assert.equals("Microsoft 365; SendGrid", by["globex.test"][5])
    assert.equals("Microsoft 365", by["hooli.test"][2]) -- from sales@hooli.test
    assert.same({ "initech.test", "Microsoft 365", "mailbox", "Proofpoint", "Microsoft 365; Proofpoint", "",
      "mx0a-00123456.pphosted.com mx0b-00123456.pphosted.com" }, by["initech.test"])
    assert.equals("Google Workspace", by["massive-dynamic.test"][2])
    assert.equals("Mimecast", by["massive-dynamic.test"][4])
    assert.equals("self", by["stark-industries.test"][3])
    assert.equals("none", by["soylent.test"][3])
    assert.equals("nxdomain", by["soylent.test"][6])
    assert.equals("null_mx", by["vandelay.test"][6])
    assert.matches("19 domains", err)
    assert.matches("Google Workspace%s+4%s+21%.1%%", err)
  end)

  it("prints an aligned table and reads stdin, with bare domains and e-mail addresses", function()
    local input = os.tmpname()
    local f = assert(io.open(input, "w"))
    f:write("domain\nwayne-enterprises.test\nBruce <bruce@Wayne-Enterprises.test>\n\n# a comment\noscorp.test\n")
    f:close()
    local out, err, ok = run(srv, "examples/prospect.lua < " .. input)
    os.remove(input)
    assert.is_true(ok, err)
    local lines = {}
    for line in out:gmatch("[^\n]*") do lines[#lines + 1] = line end
    assert.matches("^domain%s+provider%s+category", lines[1])
    assert.matches("^wayne%-enterprises%.test%s+Zoho Mail%s+mailbox", out:match("\n(wayne[^\n]*)"))
    assert.matches("Google Workspace%s+mailbox%s+Barracuda", out:match("\n(oscorp[^\n]*)"))
    assert.matches("2 domains", out)
  end)

  it("rejects an unknown option", function()
    local _, err, ok = run(srv, "examples/prospect.lua --bogus")
    assert.is_falsy(ok)
    assert.matches("unknown option", err)
  end)
end)

describe("examples/verify.lua", function()
  local srv

  setup(function()
    srv = dns.start { zones = { ["verify.test"] = "spec/fixtures/verify.test.zone" } }
  end)

  teardown(function()
    if srv then srv:stop() end
  end)

  it("prints CSV and a summary by verdict and reason, with a progress line", function()
    local input = os.tmpname()
    local f = assert(io.open(input, "w"))
    f:write("email\nalice@ok.verify.test\n\"carol smith\"@implicit.verify.test\nnot an address\n",
      "dave@nosuch.verify.test\nbob@single.verify.test\n")
    f:close()
    local out, err, ok = run(srv, "examples/verify.lua --progress " .. input)
    os.remove(input)
    assert.is_true(ok, err)
    local rows, by = {}, {}
    for line in out:gmatch("[^\n]+") do rows[#rows + 1] = parse_csv_line(line) end
    assert.same({ "address", "verdict", "reasons", "provider", "mx" }, rows[1])
    for k = 2, #rows do by[rows[k][1]] = rows[k] end
    assert.same({ "alice@ok.verify.test", "deliverable", "", "Self-hosted",
      "mx1.ok.verify.test mx2.ok.verify.test" }, by["alice@ok.verify.test"])
    local function first3(a) return { by[a][1], by[a][2], by[a][3] } end
    assert.same({ '"carol smith"@implicit.verify.test', "deliverable", "implicit_mx" },
      first3('"carol smith"@implicit.verify.test'))
    assert.same({ "not an address", "undeliverable", "bad_syntax" }, first3("not an address"))
    assert.same({ "dave@nosuch.verify.test", "undeliverable", "nxdomain" }, first3("dave@nosuch.verify.test"))
    assert.same({ "bob@single.verify.test", "deliverable", "single_mx" }, first3("bob@single.verify.test"))
    assert.equals(6, #rows)
    assert.matches("5/%d+ addresses", err)
    assert.matches("deliverable%s+3%s+60%.0%%", err)
    assert.matches("bad_syntax%s+1", err)
  end)
end)

describe("mxrecord.json", function()
  local mxrecord = require "mxrecord"
  local json = mxrecord.json

  it("writes lists as arrays even when empty, objects with sorted keys", function()
    assert.equals('{"mx":{"records":[],"status":"nxdomain"},"reasons":[],"x":{}}',
      json { mx = { status = "nxdomain", records = {} }, reasons = {}, x = {} })
    assert.equals('[1,2.5,"a",true]', json { 1, 2.5, "a", true })
    assert.equals("[]", json(setmetatable({}, json.array_mt)))
    assert.equals('{"1":"a","3":"b"}', json { [1] = "a", [3] = "b" })
    assert.equals("null", json(0 / 0))
  end)

  it("makes every string valid UTF-8 and escapes what JSON and JavaScript need", function()
    assert.equals('"ab\239\191\189\239\191\189\239\191\189c \195\169"', json("ab\255\192\128c \195\169"))
    assert.equals('"\239\191\189\239\191\189\239\191\189"', json("\237\160\128")) -- a surrogate
    assert.equals('"\\"\\\\\\n\\u0000\\u2028"', json('"\\\n\0\226\128\168'))
    assert.equals("\240\159\152\128", json.utf8("\240\159\152\128"))
  end)

  it("marks lists for another encoder, and refuses cycles", function()
    local v = json.mark { reasons = {}, records = { { exchange = "a" } }, x = {} }
    assert.equals(json.array_mt, getmetatable(v.reasons))
    assert.equals(json.array_mt, getmetatable(v.records))
    assert.is_nil(getmetatable(v.x))
    local t = {}
    t.t = t
    assert.has_error(function() json(t) end)
  end)
end)

describe("examples/openresty (JSON, statuses and headers)", function()
  local socket = require "socket"
  local json = require("mxrecord").json
  local srv, fault, port, pid, log

  local function get(path)
    local c = assert(socket.connect("127.0.0.1", port))
    c:settimeout(20)
    assert(c:send("GET " .. path .. " HTTP/1.0\r\nHost: localhost\r\n\r\n"))
    local status = tonumber(c:receive("*l"):match("^HTTP/%d%.%d (%d+)"))
    local headers = {}
    repeat
      local line = c:receive("*l")
      local k, v = (line or ""):match("^([^:]+):%s*(.*)$")
      if k then headers[k:lower()] = v end
    until not line or line == ""
    local body = c:receive("*a")
    c:close()
    return status, body, headers
  end

  local function valid_json(body)
    assert.equals(json.utf8(body), body) -- valid UTF-8
    local ok, cjson = pcall(require, "cjson")
    if ok then return cjson.decode(body) end
    return body
  end

  setup(function()
    srv = dns.start { zones = { test = "examples/data/companies.test.zone" } }
    fault = dns.start_fault()
    port = dns.free_port()
    log = os.tmpname()
    local cmd = ("env -u LD_PRELOAD -u LUA_PATH -u LUA_CPATH MXRECORD_SERVERS=%s,%s MXRECORD_TIMEOUT=0.3 "
      .. "bash examples/openresty/run.sh %d >%s 2>&1 & echo $!"):format(srv.address, fault.address, port, log)
    local p = assert(io.popen(cmd))
    pid = p:read("*l")
    p:close()
    for _ = 1, 100 do
      local c = socket.connect("127.0.0.1", port)
      if c then
        c:close()
        return
      end
      socket.sleep(0.05)
    end
    local f = io.open(log)
    error("nginx did not start: " .. (f and f:read("*a") or ""))
  end)

  teardown(function()
    if pid then os.execute("kill " .. pid .. " 2>/dev/null; sleep 0.3") end
    if log then os.remove(log) end
    if srv then srv:stop() end
    if fault then fault:stop() end
  end)

  it("answers JSON with arrays for empty lists and a max-age", function()
    local status, body, h = get("/mx?domain=soylent.test")
    assert.equals(200, status)
    assert.equals("application/json; charset=utf-8", h["content-type"])
    assert.matches("max%-age=%d+", h["cache-control"])
    assert.matches('"records":%[%]', body)
    assert.matches('"senders":%[%]', body)
    assert.equals("nxdomain", valid_json(body).mx.status)
    status, body, h = get("/verify?address=jane@stark-industries.test")
    assert.equals(200, status)
    assert.equals("application/json; charset=utf-8", h["content-type"])
    assert.equals("deliverable", valid_json(body).verdict)
  end)

  it("maps a DNS timeout to 504 with Retry-After, never cached", function()
    local status, body, h = get("/mx?domain=silent.example")
    assert.equals(504, status)
    assert.equals("application/json; charset=utf-8", h["content-type"])
    assert.matches("^%d+$", h["retry-after"])
    assert.equals("no-store", h["cache-control"])
    assert.equals("timeout", valid_json(body).mx_error.code)
    status, body, h = get("/verify?address=someone@silent.example")
    assert.equals(504, status)
    assert.equals("no-store", h["cache-control"])
    assert.equals("unknown", valid_json(body).verdict)
    status, _, h = get("/mx-timer?domain=silent.example")
    assert.equals(504, status)
    assert.truthy(h["retry-after"])
  end)

  it("keeps the JSON valid when the input is not UTF-8", function()
    local status, body, h = get("/mx?domain=%FF%FEbad.test")
    assert.equals(400, status)
    assert.equals("application/json; charset=utf-8", h["content-type"])
    assert.equals("badname", valid_json(body).code)
    status, body = get("/verify?address=%C0%80@globex.test") -- a verdict: bad_syntax
    assert.equals(200, status)
    local v = valid_json(body)
    assert.equals("undeliverable", v.verdict)
    assert.equals("\239\191\189\239\191\189@globex.test", v.address)
    status, body = get("/mx")
    assert.equals(400, status)
    valid_json(body)
  end)

  it("labels the plain-text route as text", function()
    local _, body, h = get("/in-set?domain=globex.test")
    assert.matches("^text/plain", h["content-type"])
    assert.matches("cosockets", body)
  end)
end)
