-- Layer 20: the docs cannot drift. Every ```lua block of README.md and
-- docs/*.md runs, as a reader would paste it, in its own `lua5.4 -` with
-- MXRECORD_SERVERS pointing at knotd serving the bundled zones
-- (examples/data/companies.test.zone as `test`, examples/data/providers.zone
-- as the root) and LUA_PATH/LUA_CPATH set to the checkout. A block whose
-- previous non-blank line is `<!-- norun: why -->` is reported as pending
-- (busted counts it), never skipped silently. What a block's `--> text`
-- comments say it prints, it must print. The ```sh blocks are not run:
-- the files their commands name must exist.
--
-- The blocks always run under Lua 5.4 (they may use 5.4 syntax such as
-- <close>): under the Lua 5.4 runs (plain and ASAN) with the module the spec
-- itself loads, under LuaJIT with ./build-5.4 (pending if it is not built).
local dns = require "spec.helpers.dns_server"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function doc_files()
  local files = { "README.md" }
  local p = assert(io.popen("ls docs/*.md 2>/dev/null"))
  for line in p:lines() do files[#files + 1] = line end
  p:close()
  return files
end

-- Fenced blocks of a markdown file: { lang =, code =, line =, norun = why|nil }.
local function blocks(path)
  local out, cur, prev = {}, nil, nil
  local n = 0
  for line in (read(path) .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    if cur then
      if line:match("^```%s*$") then
        out[#out + 1] = cur
        cur = nil
      else
        cur.lines[#cur.lines + 1] = line
      end
    else
      local lang = line:match("^```(%w*)%s*$")
      if lang then
        cur = { lang = lang, line = n, lines = {}, norun = prev and prev:match("^<!%-%- norun: (.-) %-%->$") }
      elseif line:match("%S") then
        prev = line
      end
    end
  end
  for _, b in ipairs(out) do b.code = table.concat(b.lines, "\n") .. "\n" end
  return out
end

-- Pages that other branches add; the README's map links them already.
local OTHER_BRANCHES = { ["docs/posture.md"] = true, ["docs/smtp.md"] = true, ["docs/fleet.md"] = true }

local function sh_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local cwd = os.getenv("PWD") or io.popen("pwd"):read("*l")
local cpath
if _VERSION == "Lua 5.4" then
  cpath = package.cpath
elseif io.open("build-5.4/mxrecord/core.so") then
  cpath = cwd .. "/build-5.4/?.so;;"
end
local lpath = cwd .. "/lua/?.lua;" .. cwd .. "/lua/?/init.lua;;"

-- What a block says it prints: every `--> text` comment, in order. The
-- output must show each, in that order, with runs of white space (tabs
-- between print's values, line ends) counted as one space; "..." stands for
-- anything, " / " for a line end, and a last "(parenthesis)" is commentary.
local function expectations(code)
  local list = {}
  for line in code:gmatch("[^\n]+") do
    local e = line:match("%-%->%s*(.-)%s*$")
    if e then
      e = e:match("^(.-)%s+%b()$") or e
      list[#list + 1] = e:gsub(" / ", " ")
    end
  end
  return list
end

local function norm(s) return (s:gsub("%s+", " ")) end

local function shows(out, expected)
  local o, pos = norm(out), 1
  for _, e in ipairs(expected) do
    for part in (norm(e) .. "..."):gmatch("(.-)%.%.%.") do
      part = part:match("^%s*(.-)%s*$")
      if part ~= "" then
        local _, last = o:find(part, pos, true)
        if not last then return false, e end
        pos = last + 1
      end
    end
  end
  return true
end

local function run_block(srv, code)
  local tmp = os.tmpname()
  local f = assert(io.open(tmp, "wb"))
  f:write(code)
  f:close()
  local cmd = ("MXRECORD_SERVERS=%s LUA_PATH=%s LUA_CPATH=%s timeout 60 lua5.4 - < %s 2>&1; echo \"exit=$?\"")
    :format(srv.address, sh_quote(lpath), sh_quote(cpath), tmp)
  local p = assert(io.popen(cmd))
  local out = p:read("*a")
  p:close()
  os.remove(tmp)
  local body, status = out:match("^(.-)exit=(%d+)\n$")
  return status == "0", body or out
end

describe("the docs' code blocks", function()
  local srv

  setup(function()
    srv = dns.start { zones = { test = "examples/data/companies.test.zone", ["."] = "examples/data/providers.zone" } }
  end)

  teardown(function()
    if srv then srv:stop() end
  end)

  local nlua, nnorun = 0, 0
  for _, path in ipairs(doc_files()) do
    for _, b in ipairs(blocks(path)) do
      local where = ("%s:%d"):format(path, b.line)
      if b.lang == "lua" then
        nlua = nlua + 1
        if b.norun then
          nnorun = nnorun + 1
          pending(where .. " (norun: " .. b.norun .. ")")
        elseif not cpath then
          pending(where .. " (needs build-5.4: scripts/build.sh 5.4)")
        else
          it(where .. " runs", function()
            local ok, out = run_block(srv, b.code)
            assert(ok, where .. " failed:\n" .. out)
            local printed, missing = shows(out, expectations(b.code))
            assert(printed, ("%s does not print what its comment says: --> %s\nit printed:\n%s"):format(where,
              tostring(missing), out))
          end)
        end
      elseif b.lang == "sh" then
        it(where .. " names files that exist", function()
          for word in b.code:gmatch("[^%s'\"=;|&()]+") do
            local p = word:match("^(scripts/[%w_./-]+)$") or word:match("^(examples/[%w_./-]+%.%w+)$")
              or word:match("^(bench/[%w_./-]+)$") or word:match("^(docs/[%w_./-]+)$")
              or word:match("^(spec/[%w_./-]+%.lua)$") or word:match("^(mxrecord%-[%w.-]+%.rockspec)$")
            if p then
              local f = io.open(p)
              assert(f, where .. ": " .. p .. " does not exist")
              f:close()
            end
          end
        end)
      end
    end
  end

  it("found the blocks (" .. nlua .. " lua blocks, " .. nnorun .. " marked norun)", function()
    assert.is_true(nlua >= 20)
    assert.is_true(nnorun < nlua / 2)
  end)

  it("README's quickstart is examples/quickstart.lua", function()
    local first
    for _, b in ipairs(blocks("README.md")) do
      if b.lang == "lua" then first = first or b.code end
    end
    local file = read("examples/quickstart.lua"):gsub("^%-%-[^\n]*\n", ""):gsub("^%-%-[^\n]*\n", "")
    assert.equals(first, file)
  end)

  it("links only to pages and anchors that exist", function()
    for _, path in ipairs(doc_files()) do
      local dir = path:match("^(.*)/[^/]*$") or "."
      for target in read(path):gmatch("%]%(([^)%s]+)%)") do
        if not target:match("^https?:") and not target:match("^#") then
          local file = (dir .. "/" .. target:gsub("#.*$", "")):gsub("^%./", ""):gsub("^docs/%.%./", "")
          local f = io.open(file) or (OTHER_BRANCHES[file] and io.open("/dev/null"))
          assert(f, path .. " links to " .. target .. ", which does not exist")
          f:close()
        end
      end
    end
  end)
end)
