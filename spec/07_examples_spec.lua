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
    assert.same({ "domain", "provider", "category", "gateway", "senders", "notes", "mx", "confidence", "stack" }, rows[1])
    local by = {}
    for i = 2, #rows do by[rows[i][1]] = rows[i] end
    assert.equals(20, #rows) -- 19 companies: the duplicate www.globex.test is looked up once
    assert.equals("Google Workspace", by["acme-anvils.test"][2]) -- from https://www.acme-anvils.test/
    assert.equals("Microsoft 365", by["globex.test"][2]) -- from a quoted URL with a path
    assert.equals("Microsoft 365; SendGrid", by["globex.test"][5])
    assert.equals("Microsoft 365", by["hooli.test"][2]) -- from sales@hooli.test
    assert.same({ "initech.test", "Microsoft 365", "mailbox", "Proofpoint", "Microsoft 365; Proofpoint", "",
      "mx0a-00123456.pphosted.com mx0b-00123456.pphosted.com", "medium", "" }, by["initech.test"])
    assert.equals("SendGrid", by["globex.test"][9]) -- the stack: services the domain uses
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
