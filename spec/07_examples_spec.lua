-- Layer 7: the examples, run as a user runs them, against knotd serving the
-- bundled example companies (examples/data/companies.test.zone, and
-- examples/data/providers.zone for the providers' mail hosts), on tidy and
-- on messy files (BOM, CRLF, quoted commas, extra columns, duplicates, URLs);
-- JSON output is parsed back.
local dns = require "spec.helpers.dns_server"

-- The interpreter running these specs, and its module paths, for the child.
local function interpreter()
  local i = -1
  while arg[i - 1] do i = i - 1 end
  return arg[i] or "lua5.4"
end

local function run(srv, cmd, servers)
  local env = ("MXRECORD_SERVERS=%q LUA_PATH=%q LUA_CPATH=%q "):format(servers or srv.address, package.path, package.cpath)
  local errfile = os.tmpname() -- a file of its own: other runs of these specs may be going on
  -- the exit status travels in the output: Lua 5.1's close() does not give it
  local p = assert(io.popen(env .. interpreter() .. " " .. cmd .. " 2>" .. errfile .. "; echo \"exit=$?\""))
  local out = p:read("*a")
  p:close()
  local status
  out, status = out:match("^(.-)exit=(%d+)\n$")
  local ok = status == "0"
  local f = io.open(errfile)
  local err = f and f:read("*a") or ""
  if f then f:close() end
  os.remove(errfile)
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

local function write(content)
  local name = os.tmpname()
  local f = assert(io.open(name, "wb"))
  f:write(content)
  f:close()
  return name
end

local function csv_rows(out)
  local rows = {}
  for line in out:gmatch("[^\n]+") do rows[#rows + 1] = parse_csv_line(line) end
  return rows
end

local ok_cjson, cjson = pcall(require, "cjson")
local function json_lines(out)
  local list = {}
  for line in out:gmatch("[^\n]+") do
    assert.equals(require("mxrecord").json.utf8(line), line)
    list[#list + 1] = ok_cjson and cjson.decode(line) or line
  end
  return list
end

-- A list as people export it: an Excel UTF-8 BOM, CRLF, quoted fields with
-- commas, a multi-line note, extra columns, a blank cell, duplicates written
-- differently, URLs, addresses, a name with non-ASCII letters.
local MESSY = "\239\187\191Company,Company Website,Notes,Owner\r\n"
  .. "\"Globex, Inc.\",\"http://www.Globex.test/about?ref=1\",\"big, \"\"important\"\"\",ann\r\n"
  .. "Initech,initech.test,\"two\r\nlines\",bob\r\n"
  .. "Zoë Café,https://www.acme-anvils.test/,,cy\r\n"
  .. "Nobody,,no site,dee\r\n"
  .. "Globex again,GLOBEX.test.,dup,ed,extra field\r\n"
  .. "Soylent,sales@soylent.test,,fay\r\n"

describe("examples/prospect.lua", function()
  local srv

  setup(function()
    srv = dns.start { zones = { test = "examples/data/companies.test.zone", ["."] = "examples/data/providers.zone" } }
  end)

  teardown(function()
    if srv then srv:stop() end
  end)

  it("passes every row through in input order with the result columns appended (--csv)", function()
    local out, err, ok = run(srv, "examples/prospect.lua --csv examples/data/companies.csv")
    assert.is_true(ok, err)
    local rows = csv_rows(out)
    assert.same({ "website", "company", "notes", "domain", "provider", "category", "gateway", "senders",
      "mxrecord_notes", "mx" }, { (table.unpack or unpack)(rows[1], 1, 10) }) -- (more result columns may follow)
    assert.equals(21, #rows) -- 20 input rows, the duplicate www.globex.test included
    local input = {}
    for line in io.lines("examples/data/companies.csv") do input[#input + 1] = parse_csv_line(line) end
    for k = 2, #rows do
      assert.same(input[k], { rows[k][1], rows[k][2], rows[k][3] }) -- the input, untouched, in order
    end
    local by = {}
    for k = 2, #rows do by[rows[k][4]] = by[rows[k][4]] or rows[k] end
    assert.equals("Google Workspace", by["acme-anvils.test"][5]) -- from https://www.acme-anvils.test/
    assert.equals("Microsoft 365; SendGrid", by["globex.test"][8])
    assert.equals("Microsoft 365", by["hooli.test"][5]) -- from sales@hooli.test
    assert.same({ "initech.test", "Microsoft 365", "mailbox", "Proofpoint", "Microsoft 365; Proofpoint", "",
      "mx0a-00123456.pphosted.com mx0b-00123456.pphosted.com" }, { (table.unpack or unpack)(rows[6], 4, 10) })
    assert.equals("Mimecast", by["massive-dynamic.test"][7])
    assert.equals("self", by["stark-industries.test"][6])
    assert.equals("nxdomain", by["soylent.test"][9])
    assert.equals("null_mx", by["vandelay.test"][9])
    assert.equals("www.globex.test", rows[21][1])
    assert.equals("duplicate", rows[21][9])
    assert.matches("19 domains", err)
    assert.matches("duplicates: 1 rows", err)
    assert.matches("Google Workspace%s+4%s+21%.1%%", err)
  end)

  it("reads a messy export: BOM, CRLF, quoted commas, extra columns, duplicates, --column by name", function()
    local input = write(MESSY)
    local out, err, ok = run(srv, "examples/prospect.lua --csv --column 'company website' " .. input)
    assert.is_true(ok, err)
    -- a quoted field may hold a line break: parse the whole output as CSV records
    local rows, buf = {}, nil
    for line in out:gmatch("[^\n]+") do
      buf = buf and (buf .. "\n" .. line) or line
      local _, quotes = buf:gsub('"', "")
      if quotes % 2 == 0 then
        rows[#rows + 1] = parse_csv_line(buf)
        buf = nil
      end
    end
    assert.same({ "Company", "Company Website", "Notes", "Owner", "domain", "provider", "category", "gateway",
      "senders", "mxrecord_notes", "mx" }, { (table.unpack or unpack)(rows[1], 1, 11) })
    assert.equals(7, #rows)
    assert.same({ "Globex, Inc.", "http://www.Globex.test/about?ref=1", 'big, "important"', "ann", "globex.test",
      "Microsoft 365" }, { rows[2][1], rows[2][2], rows[2][3], rows[2][4], rows[2][5], rows[2][6] })
    assert.same({ "Initech", "two\nlines" }, { rows[3][1], rows[3][3] })
    assert.same({ "Zoë Café", "acme-anvils.test", "Google Workspace" }, { rows[4][1], rows[4][5], rows[4][6] })
    assert.same({ "Nobody", "", "" }, { rows[5][1], rows[5][5], rows[5][6] })
    assert.matches("no domain", rows[5][10])
    assert.same({ "Globex again", "globex.test", "Microsoft 365", "duplicate", "extra field" },
      { rows[6][1], rows[6][5], rows[6][6], rows[6][10], rows[6][#rows[6]] }) -- the extra field, after the results
    assert.same({ "Soylent", "soylent.test", "none", "nxdomain" }, { rows[7][1], rows[7][5], rows[7][7], rows[7][10] })
    assert.matches("6 rows: 4 distinct domains, duplicates: 1 rows", err)
    assert.matches("1 rows without a domain", err)
    os.remove(input)
  end)

  it("writes JSON Lines that parse back, one per row, lists as arrays", function()
    local input = write(MESSY)
    local out, err, ok = run(srv, "examples/prospect.lua --json " .. input)
    os.remove(input)
    assert.is_true(ok, err)
    assert.matches('"senders":%[%]', out) -- soylent.test: no senders, still a list
    local list = json_lines(out)
    assert.equals(6, #list)
    if ok_cjson then
      assert.same({ 2, 3, 5, 6, 7, 8 }, { list[1].line, list[2].line, list[3].line, list[4].line, list[5].line,
        list[6].line })
      assert.equals("Globex, Inc.", list[1].input.Company)
      assert.equals("Microsoft 365", list[1].provider)
      assert.equals("Zoë Café", list[3].input.Company)
      assert.is_true(list[5].duplicate)
      assert.equals("nxdomain", list[6].profile.mx.status)
    end
  end)

  it("reads stdin with -, --column N on a list without a header, and aligns the table by displayed width", function()
    local input = write("x,www.wayne-enterprises.test\ny,Bruce <bruce@Wayne-Enterprises.test>\nz,b\195\188cher-z\195\182e.test\nw,oscorp.test\n")
    local out, err, ok = run(srv, "examples/prospect.lua --column 2 - < " .. input)
    os.remove(input)
    assert.is_true(ok, err)
    local lines = {}
    for line in (out .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
    assert.matches("^input%s+domain%s+provider%s+category", lines[1])
    assert.matches("wayne%-enterprises%.test%s+Zoho Mail%s+mailbox", out)
    assert.matches("Google Workspace%s+mailbox%s+Barracuda", out)
    -- the provider column starts at the same displayed column on every line
    local width = dofile("examples/example_cli.lua").width
    local at = width(lines[1]:match("^(.-)provider"))
    for k = 3, 6 do
      local before = lines[k]:match("^(.-)Zoho Mail") or lines[k]:match("^(.-)No mail servers")
        or lines[k]:match("^(.-)Google Workspace")
      assert.equals(at, width(before), lines[k])
    end
    assert.matches("3 domains", out)
    assert.matches("duplicates: 1 rows", out)
  end)

  it("says what is wrong: --help, unknown options, a missing file, bad MXRECORD_SERVERS", function()
    local out, err, ok = run(srv, "examples/prospect.lua --help")
    assert.is_true(ok, err)
    assert.matches("%-%-column NAME|N", out)
    assert.matches("%-%-json", out)
    _, err, ok = run(srv, "examples/prospect.lua --bogus")
    assert.is_falsy(ok)
    assert.matches("unknown option %-%-bogus", err)
    _, err, ok = run(srv, "examples/prospect.lua /nonexistent/list.csv")
    assert.is_falsy(ok)
    assert.matches("cannot open /nonexistent/list.csv", err)
    assert.not_matches("traceback", err)
    _, err, ok = run(srv, "examples/prospect.lua examples/data/companies.csv", "")
    assert.is_falsy(ok)
    assert.matches("MXRECORD_SERVERS is set but empty", err)
    _, err, ok = run(srv, "examples/verify.lua examples/data/addresses.csv", "127.0.0.1, nonsense")
    assert.is_falsy(ok)
    assert.matches("MXRECORD_SERVERS='127.0.0.1, nonsense' cannot be used", err)
  end)

  it("writes a self-contained HTML report (--html)", function()
    local html = os.tmpname()
    local _, err, ok = run(srv, "examples/prospect.lua --csv --html " .. html .. " examples/data/companies.csv")
    assert.is_true(ok, err)
    local f = assert(io.open(html))
    local page = f:read("*a")
    f:close()
    os.remove(html)
    assert.matches("^<!DOCTYPE html>", page)
    assert.matches('<svg id="chart%-providers"', page)
    assert.matches('data%-label="Google Workspace" data%-value="4"', page)
    assert.not_matches("https?://[^\"]*%.[a-z]+/", page:gsub('xmlns="http://www.w3.org/2000/svg"', "")) -- nothing fetched
  end)
end)

describe("examples/verify.lua", function()
  local srv

  setup(function()
    srv = dns.start { zones = { ["verify.test"] = "spec/fixtures/verify.test.zone", test = "examples/data/companies.test.zone",
      ["."] = "examples/data/providers.zone" } }
  end)

  teardown(function()
    if srv then srv:stop() end
  end)

  it("prints every row in input order with the verdict, a summary and a progress line", function()
    local input = write("email\nalice@ok.verify.test\n\"carol smith\"@implicit.verify.test\nnot an address\n"
      .. "dave@nosuch.verify.test\nbob@single.verify.test\n")
    local out, err, ok = run(srv, "examples/verify.lua --progress " .. input)
    os.remove(input)
    assert.is_true(ok, err)
    local rows = csv_rows(out)
    assert.same({ "email", "verdict", "reasons", "provider", "mx" }, rows[1])
    assert.same({ "alice@ok.verify.test", "deliverable", "", "Self-hosted", "mx1.ok.verify.test mx2.ok.verify.test" },
      rows[2])
    assert.same({ '"carol smith"@implicit.verify.test', "deliverable", "implicit_mx" }, { rows[3][1], rows[3][2], rows[3][3] })
    assert.same({ "not an address", "undeliverable", "bad_syntax" }, { rows[4][1], rows[4][2], rows[4][3] })
    assert.same({ "dave@nosuch.verify.test", "undeliverable", "nxdomain" }, { rows[5][1], rows[5][2], rows[5][3] })
    assert.same({ "bob@single.verify.test", "deliverable", "single_mx" }, { rows[6][1], rows[6][2], rows[6][3] })
    assert.equals(6, #rows)
    -- the progress line: rewritten in place, ends with the total and no ETA, no blank line
    local last = err:match("([^\r\n]*)\n[^\r]*$")
    assert.matches("^5/5 rows", last)
    assert.not_matches("ETA", last)
    assert.not_matches("\n\n", err)
    assert.matches("deliverable%s+3%s+60%.0%%", err)
    assert.matches("bad_syntax%s+1", err)
  end)

  it("reads a messy export and writes JSON Lines that parse back", function()
    local input = write("\239\187\191Name;E-mail;Team\r\n\"Perkins; Ann\";Ann <ann@globex.test>;a\r\n"
      .. "Bob;mailto:bob@globex.test;b\r\nNobody;;c\r\nAnn again;ann@globex.test;d;extra\r\n")
    local out, err, ok = run(srv, "examples/verify.lua --json " .. input)
    os.remove(input)
    assert.is_true(ok, err)
    local list = json_lines(out)
    assert.equals(4, #list)
    assert.matches('"reasons":%["single_mx"%]', out)
    if ok_cjson then
      assert.equals("ann@globex.test", list[1].address)
      assert.equals("Perkins; Ann", list[1].input.Name)
      assert.equals("deliverable", list[1].verdict)
      assert.equals("bob@globex.test", list[2].address)
      assert.is_nil(list[3].verdict)
      assert.is_true(list[4].duplicate)
    end
    assert.matches("4 rows: 2 distinct addresses, duplicates: 1 rows", err)
  end)

  it("verifies the bundled addresses: the providers' mail hosts resolve", function()
    local out, err, ok = run(srv, "examples/verify.lua examples/data/addresses.csv")
    assert.is_true(ok, err)
    local rows = csv_rows(out)
    local unknown = 0
    for k = 2, #rows do
      if rows[k][4] == "unknown" then unknown = unknown + 1 end
    end
    assert.equals(0, unknown)
    assert.matches("deliverable%s+19", err)
  end)
end)

describe("scripts/with_dns.lua", function()
  local root = os.getenv("PWD")
  local function sh(cmd)
    local p = assert(io.popen("cd /tmp && env -u LD_PRELOAD " .. cmd .. " 2>&1; echo \"exit=$?\""))
    local out = p:read("*a")
    p:close()
    local body, status = out:match("^(.-)exit=(%d+)\n$")
    return body, tonumber(status)
  end

  it("exports MXRECORD_SERVERS to the whole command, argv intact, from any directory", function()
    local out, status = sh("env -u LUA_PATH -u LUA_CPATH lua5.4 " .. root .. "/scripts/with_dns.lua -- sh -c "
      .. [['echo "1=$MXRECORD_SERVERS"; echo "2=$MXRECORD_SERVERS"; printf "[%s]" "$0" "$1"; exit 7' 'a b' "it's"]])
    assert.equals(7, status)
    local first = out:match("1=(127%.0%.0%.1:%d+)")
    assert.truthy(first, out)
    assert.matches("2=" .. first:gsub("%.", "%%."), out)
    assert.matches("%[a b%]%[it's%]", out)
  end)

  it("runs an example against the bundled zones with the checkout's paths", function()
    local out, status = sh("env -u LUA_PATH -u LUA_CPATH lua5.4 " .. root .. "/scripts/with_dns.lua -- lua5.4 "
      .. root .. "/examples/quickstart.lua globex.test")
    assert.equals(0, status, out)
    assert.matches("globex%.test\tok", out)
    assert.matches("Microsoft 365\tProofpoint", out)
  end)

  it("keeps an inherited LUA_CPATH of another Lua away from its own LuaSocket", function()
    -- Lua 5.4's LuaSocket first on the path would break LuaJIT's require "socket"
    local out, status = sh("env LUA_CPATH='/usr/lib/x86_64-linux-gnu/lua/5.4/?.so;;' luajit " .. root
      .. [[/scripts/with_dns.lua -- sh -c 'echo "cpath=$LUA_CPATH"']])
    assert.equals(0, status, out)
    assert.matches("cpath=/usr/lib/x86_64%-linux%-gnu/lua/5%.4/%?%.so;;", out) -- the command gets it back
  end)

  it("says what is wrong with its arguments", function()
    local out, status = sh("lua5.4 " .. root .. "/scripts/with_dns.lua test=/nonexistent.zone -- true")
    assert.equals(2, status)
    assert.matches("cannot read zone file '/nonexistent.zone'", out)
    out, status = sh("lua5.4 " .. root .. "/scripts/with_dns.lua")
    assert.equals(2, status)
    assert.matches("no command after %-%-", out)
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
  local srv, fault, port, example

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
    example = require("spec.helpers.nginx").run_example { MXRECORD_SERVERS = srv.address .. "," .. fault.address,
      MXRECORD_TIMEOUT = 0.3 }
    port = example.port
  end)

  teardown(function()
    if example then example.stop() end
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
