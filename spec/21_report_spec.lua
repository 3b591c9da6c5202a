-- Layer 21: the HTML report of `examples/prospect.lua --html FILE`, rendered
-- by headless Chromium (Debian's `chromium`): the page loads from a file with
-- nothing fetched, the DOM Chromium builds has the three charts, their bars
-- carry the same numbers as the text summary, and input is shown as text.
--
-- Runs once per `scripts/test.sh`: under Lua 5.4 without the sanitizers.
-- The page is made by Lua code that the other runtimes run in spec 07
-- already; Chromium takes about ten seconds and its own LD_PRELOADed ASAN
-- would not help it. Elsewhere (LuaJIT, the ASAN run, no chromium) the test
-- shows as pending.
local dns = require "spec.helpers.dns_server"

local CHROMIUM = "/usr/bin/chromium"
local asan = (os.getenv("LD_PRELOAD") or ""):find("asan") ~= nil
local have_chromium = io.open(CHROMIUM) ~= nil
local skip = (_VERSION ~= "Lua 5.4" and "runs under Lua 5.4 only") or (asan and "not under ASAN")
  or (not have_chromium and "needs /usr/bin/chromium")

local function interpreter()
  local i = -1
  while arg[i - 1] do i = i - 1 end
  return arg[i] or "lua5.4"
end

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1; echo \"exit=$?\""))
  local out = p:read("*a")
  p:close()
  local body, status = out:match("^(.-)exit=(%d+)\n$")
  return status == "0", body
end

local function read(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

-- Runs chromium; returns ok, its stdout (the DOM for --dump-dom), its log.
local function chromium(args, url)
  local profile, out, log = os.tmpname(), os.tmpname(), os.tmpname()
  os.remove(profile)
  local cmd = ("timeout 90 %s --headless --no-sandbox --disable-gpu --disable-background-networking "
    .. "--disable-component-update --disable-sync --no-first-run --user-data-dir=%s %s %s >%s 2>%s")
    :format(CHROMIUM, profile, args, url, out, log)
  local status = os.execute(cmd)
  local ok = status == true or status == 0
  os.execute("rm -rf '" .. profile .. "'")
  local stdout, stderr = read(out) or "", read(log) or ""
  os.remove(out)
  os.remove(log)
  return ok, stdout, stderr
end

-- The bars of one chart in the DOM: label -> value.
local function bars(dom, id)
  local svg = dom:match('<svg id="' .. id:gsub("%-", "%%-") .. '".-</svg>')
  if not svg then return nil end
  local out = {}
  for label, value in svg:gmatch('<g class="bar" data%-label="([^"]*)" data%-value="(%d+)"') do
    out[label] = tonumber(value)
  end
  return out
end

if skip then
  describe("the HTML report (spec 21)", function()
    pending(skip)
  end)
  return
end

describe("the HTML report in headless Chromium", function()
  local srv, html, dom, png, input

  setup(function()
    srv = dns.start { zones = { test = "examples/data/companies.test.zone", ["."] = "examples/data/providers.zone" } }
    html = os.tmpname() .. ".html"
    png = os.tmpname() .. ".png"
    -- the bundled list, plus a row whose domain is markup: its error message must show as text
    input = os.tmpname()
    local f = assert(io.open(input, "wb"))
    f:write(read("examples/data/companies.csv"), "1<2&3.test,Markup Inc.,\n")
    f:close()
    local ok, out = sh(("MXRECORD_SERVERS=%s LUA_PATH=%q LUA_CPATH=%q %s examples/prospect.lua --csv --html %s %s >/dev/null")
      :format(srv.address, package.path, package.cpath, interpreter(), html, input))
    assert(ok, out)
    local log
    ok, dom, log = chromium("--dump-dom", "file://" .. html)
    assert(ok and dom:find("</html>"), log)
    ok, _, log = chromium("--window-size=1200,1800 --screenshot=" .. png, "file://" .. html)
    assert(ok, log)
  end)

  teardown(function()
    if srv then srv:stop() end
    for _, p in ipairs { html, png, input } do
      if p then os.remove(p) end
    end
  end)

  it("Chromium builds the page with three charts and the figures", function()
    assert.matches("<svg id=\"chart%-providers\"", dom)
    assert.matches("<svg id=\"chart%-categories\"", dom)
    assert.matches("<svg id=\"chart%-gateways\"", dom)
    assert.equals("21", dom:match('<dd id="n%-rows">(%d+)</dd>'))
    assert.equals("20", dom:match('<dd id="n%-domains">(%d+)</dd>')) -- 19 companies and the markup row
    assert.equals("1", dom:match('<dd id="n%-duplicates">(%d+)</dd>'))
  end)

  it("the bars carry the summary's numbers", function()
    local providers = bars(dom, "chart-providers")
    assert.equals(4, providers["Google Workspace"])
    assert.equals(3, providers["Microsoft 365"])
    assert.equals(2, providers["Zoho Mail"])
    local categories = bars(dom, "chart-categories")
    assert.equals(11, categories.mailbox)
    assert.equals(1, categories.self)
    assert.equals(1, categories.error) -- 1<2&3.test
    assert.same({ Mimecast = 2, Barracuda = 1, Proofpoint = 1 }, bars(dom, "chart-gateways"))
    local sum = 0
    for _, n in pairs(categories) do sum = sum + n end
    assert.equals(20, sum)
  end)

  it("shows input as text, never as markup", function()
    assert.matches("1&lt;2&amp;3%.test", dom)
    assert.not_matches("1<2", dom)
    assert.not_matches("<script", dom)
  end)

  it("renders to a screenshot", function()
    local image = read(png)
    assert.truthy(image, "no screenshot")
    assert.equals("\137PNG", image:sub(1, 4))
    assert.is_true(#image > 20000, "a nearly empty screenshot: " .. #image .. " bytes")
  end)
end)
