-- Layer 12: OpenResty. Starts examples/openresty/run.sh (Debian's nginx with
-- lua-nginx-module) on loopback against knotd (and the fault server for a
-- silent one) and talks HTTP to it.
local dns = require "spec.helpers.dns_server"
local socket = require "socket"
local ok_json, cjson = pcall(require, "cjson")

local function http_send(port, path)
  local c = assert(socket.connect("127.0.0.1", port))
  c:settimeout(20)
  assert(c:send("GET " .. path .. " HTTP/1.0\r\nHost: localhost\r\n\r\n"))
  return c
end

local function http_read(c)
  local status_line = c:receive("*l")
  local status = tonumber(status_line and status_line:match("^HTTP/%d%.%d (%d+)"))
  repeat
    local line = c:receive("*l")
  until not line or line == ""
  local body = c:receive("*a")
  c:close()
  return status, body
end

local function get(port, path) return http_read(http_send(port, path)) end

describe("OpenResty (examples/openresty/run.sh)", function()
  local srv, fault, port, example

  setup(function()
    assert(ok_json, "lua-cjson is needed")
    srv = dns.start { zones = { test = "examples/data/companies.test.zone" } }
    fault = dns.start_fault()
    -- knotd refuses names outside its zone, so silent.example moves on to the silent server
    example = require("spec.helpers.nginx").run_example { MXRECORD_SERVERS = srv.address .. "," .. fault.address,
      MXRECORD_TIMEOUT = 0.5 }
    port = example.port
  end)

  teardown(function()
    if example then example.stop() end
    if srv then srv:stop() end
    if fault then fault:stop() end
  end)

  it("answers /mx with the profile as JSON", function()
    local status, body = get(port, "/mx?domain=initech.test")
    assert.equals(200, status, body)
    local p = cjson.decode(body)
    assert.equals("initech.test", p.domain)
    assert.equals("microsoft365", p.provider.id)
    assert.equals("proofpoint", p.provider.gateway.id)
    assert.equals("ok", p.mx.status)
    assert.equals("mx0a-00123456.pphosted.com", p.mx.records[1].exchange)
  end)

  it("gives the same statuses and error codes as elsewhere", function()
    local _, body = get(port, "/mx?domain=soylent.test")
    assert.equals("nxdomain", cjson.decode(body).mx.status)
    _, body = get(port, "/mx?domain=vandelay.test")
    assert.equals("null_mx", cjson.decode(body).mx.status)
    local status
    status, body = get(port, "/mx?domain=bad%20name")
    assert.equals(400, status)
    assert.equals("badname", cjson.decode(body).code)
  end)

  it("looks up from an ngx.timer callback too", function()
    local status, body = get(port, "/mx-timer?domain=wayne-enterprises.test")
    assert.equals(200, status, body)
    assert.equals("zoho", cjson.decode(body).provider.id)
  end)

  it("asks again over TCP when the UDP answer is truncated", function()
    -- knotd refuses tc.example; the fault server answers it with TC=1 over UDP, three MX over TCP
    local status, body = get(port, "/mx?domain=tc.example")
    assert.equals(200, status, body)
    local p = cjson.decode(body)
    assert.equals(3, #p.mx.records)
    assert.equals("mx1.tc.example", p.mx.records[1].exchange)
  end)

  it("answers /verify", function()
    local status, body = get(port, "/verify?address=jane@stark-industries.test")
    assert.equals(200, status, body)
    local v = cjson.decode(body)
    assert.equals("deliverable", v.verdict)
    assert.equals("single_mx", v.reasons[1].code)
    _, body = get(port, "/verify?address=nobody@soylent.test")
    assert.equals("nxdomain", cjson.decode(body).reasons[1].code)
  end)

  it("answers /posture with the same findings as the plain resolver", function()
    local status, body = get(port, "/posture?domain=globex.test")
    assert.equals(200, status, body)
    local p = cjson.decode(body)
    assert.equals("globex.test", p.domain)
    local mxrecord = require "mxrecord"
    local r = mxrecord.resolver { servers = { srv.address, fault.address }, timeout = 0.5 }
    local plain = assert(r:posture("globex.test"))
    r:close()
    local codes, plain_codes = {}, {}
    for i, f in ipairs(p.findings) do codes[i] = f.code end
    for i, f in ipairs(plain.findings) do plain_codes[i] = f.code end
    assert.same(plain_codes, codes)
    assert.is_true(#codes > 0)
  end)

  it("answers 200 concurrent requests", function()
    local domains = { "globex.test", "initech.test", "acme-anvils.test", "wayne-enterprises.test", "soylent.test" }
    local want = { ["globex.test"] = "microsoft365", ["initech.test"] = "microsoft365",
      ["acme-anvils.test"] = "google_workspace", ["wayne-enterprises.test"] = "zoho", ["soylent.test"] = "none" }
    local conns = {}
    for i = 1, 200 do conns[i] = { domain = domains[i % #domains + 1] } end
    for _, c in ipairs(conns) do c.sock = http_send(port, "/mx?domain=" .. c.domain) end
    local good = 0
    for _, c in ipairs(conns) do
      local status, body = http_read(c.sock)
      if status == 200 and cjson.decode(body).provider.id == want[c.domain] then good = good + 1 end
    end
    assert.equals(200, good)
  end)

  it("a request stuck on a silent DNS server does not delay the others", function()
    local stuck = http_send(port, "/mx?domain=silent.example")
    socket.sleep(0.05) -- the stuck lookup is under way
    local t0 = socket.gettime()
    local status, body = get(port, "/mx?domain=globex.test")
    local quick = socket.gettime() - t0
    assert.equals(200, status)
    assert.equals("microsoft365", cjson.decode(body).provider.id)
    local status2, body2 = http_read(stuck)
    local slow = socket.gettime() - t0
    assert.equals(504, status2) -- a DNS timeout is not an answer (examples/openresty/mxrecord_app.lua)
    assert.equals("timeout", cjson.decode(body2).mx_error.code)
    -- the silent server holds its request for timeout x tries (0.5 s x 2); the other one did not wait
    assert.is_true(quick < 0.5 and slow > quick + 0.4, ("%.2f s beside %.2f s"):format(quick, slow))
  end)

  it("raises a clear error in a phase without cosockets", function()
    local _, body = get(port, "/in-set?domain=globex.test")
    assert.matches("cosockets", body)
    assert.matches("'set' phase", body)
  end)
end)
