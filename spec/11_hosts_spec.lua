-- Layer 11: hosts. Frame loops (poll() never blocks), cqueues (a resolver
-- polled by a controller, blocking-looking calls that yield), libuv through
-- lua-luv, and Neovim (headless, :MxLookup from examples/nvim).
local mxrecord = require "mxrecord"
local dns = require "spec.helpers.dns_server"
local clock = require("mxrecord.core").monotonic

local COMPANIES = { test = "examples/data/companies.test.zone" }

describe("hosts", function()
  local srv, fault

  setup(function()
    srv = dns.start { zones = COMPANIES }
    fault = dns.start_fault()
  end)

  teardown(function()
    if srv then srv:stop() end
    if fault then fault:stop() end
  end)

  describe("frame loop", function()
    it("poll() returns within a millisecond-scale bound while a server is silent", function()
      -- knotd refuses silent.example (not its zone), so that query moves on to the silent server
      local r = mxrecord.resolver { servers = { srv.address, fault.address }, timeout = 0.2, tries = 1 }
      local answers = 0
      for _, d in ipairs { "globex.test", "initech.test", "acme-anvils.test" } do
        r:profile(d, function(p) if p and p.provider.category == "mailbox" then answers = answers + 1 end end)
      end
      r:profile("silent.example", function() answers = answers + 1 end)
      local worst, frames, start = 0, 0, clock()
      while r:pending() > 0 and frames < 600 do
        local t0 = clock()
        r:poll()
        worst = math.max(worst, clock() - t0)
        frames = frames + 1
        local next_frame = t0 + 1 / 60
        while clock() < next_frame do end
      end
      local took = clock() - start
      r:close()
      assert.equals(4, answers)
      -- the silent server held its query for its timeout (0.2 s: a dozen frames), which poll() never waited out
      assert.is_true(frames >= 3 and took >= 0.18, ("the silent server took %d frames, %.2f s"):format(frames, took))
      assert.is_true(worst < 0.005, ("poll() took %.1f ms"):format(worst * 1000))
    end)
  end)

  describe("cqueues", function()
    local ok_cq, cqueues = pcall(require, "cqueues")

    it("lookups in coroutines yield to the controller instead of blocking it", function()
      assert(ok_cq, "lua-cqueues is needed")
      local mxcq = require "mxrecord.cqueues"
      local cq = cqueues.new()
      local r = mxcq.attach(mxrecord.resolver { servers = { srv.address } }, cq)
      local rs = mxcq.attach(mxrecord.resolver { servers = { fault.address }, timeout = 0.3, tries = 1 }, cq)
      local got, ticks, silent_done = {}, 0, false
      cq:wrap(function()
        local res, err, code = rs:mx("silent.example")
        assert(res == nil and code == "timeout", err)
        silent_done = true
      end)
      for _, d in ipairs { "globex.test", "initech.test" } do
        cq:wrap(function()
          got[d .. " mx"] = r:mx(d).records[1].exchange
          got[d .. " profile"] = r:profile(d).provider.name
          got[d .. " verify"] = r:verify("x@" .. d).verdict
        end)
      end
      cq:wrap(function()
        local n = 0
        for res in r:lookup_many { "hooli.test", "soylent.test", "pied-piper.test" } do
          if res then n = n + 1 end
        end
        got.many = n
      end)
      cq:wrap(function()
        while not silent_done do
          ticks = ticks + 1
          cqueues.sleep(0.01)
        end
      end)
      assert(cq:loop())
      assert.equals("globex-test.mail.protection.outlook.com", got["globex.test mx"])
      assert.equals("Microsoft 365", got["initech.test profile"])
      assert.equals("unknown", got["globex.test verify"]) -- its MX host is not served here
      assert.equals(3, got.many)
      assert.is_true(ticks >= 10, "the controller ticked " .. ticks .. " times while a lookup waited 0.3 s")
      r:close()
      rs:close()
    end)

    it("the resolver is a cqueues pollable", function()
      assert(ok_cq, "lua-cqueues is needed")
      local r = mxrecord.resolver { servers = { srv.address } }
      local got
      r:mx("globex.test", function(res) got = res end)
      assert.is_number(r:pollfd())
      assert.equals("r", r:events())
      local cq = cqueues.new()
      cq:wrap(function()
        while r:pending() > 0 do
          cqueues.poll(r)
          r:poll()
        end
      end)
      assert(cq:loop())
      assert.equals("ok", got.status)
      r:close()
    end)
  end)

  describe("libuv (lua-luv)", function()
    local ok_uv, uv = pcall(require, "luv")

    it("drives callbacks and coroutines from the loop, and lets the loop end when idle", function()
      assert(ok_uv, "lua-luv is needed")
      local r = require("mxrecord.luv").attach(mxrecord.resolver { servers = { srv.address } }, { uv = uv })
      local got, ticks = {}, 0
      r:mx("globex.test", function(res) got.cb = res.records[1].exchange end)
      coroutine.wrap(function()
        got.profile = r:profile("initech.test").provider.gateway.name
        local n = 0
        for res in r:lookup_many { "hooli.test", "soylent.test" } do if res then n = n + 1 end end
        got.many = n
      end)()
      local t = uv.new_timer()
      t:start(1, 1, function()
        ticks = ticks + 1
        if got.many then t:close() end
      end)
      uv.run()
      assert.equals("globex-test.mail.protection.outlook.com", got.cb)
      assert.equals("Proofpoint", got.profile)
      assert.equals(2, got.many)
      assert.is_true(ticks > 0)
      r:close()
    end)
  end)

  describe("Neovim (headless, examples/nvim)", function()
    local function nvim(servers, domain, extra)
      local out = os.tmpname()
      local cmd = ("cd %q && env -u LD_PRELOAD MXRECORD_SERVERS=%s NVIM_CHECK_OUT=%s MXLOOKUP_DOMAIN=%s "
        .. "timeout 60 nvim --headless -u NORC -i NONE %s --cmd 'set rtp+=%s/examples/nvim' "
        .. "-c \"lua dofile('spec/helpers/nvim_check.lua')\" >/dev/null 2>&1"):format(
        os.getenv("PWD") or ".", servers, out, domain, extra or "", os.getenv("PWD") or ".")
      os.execute(cmd)
      local f = io.open(out)
      local text = f and f:read("*a") or ""
      if f then f:close() end
      os.remove(out)
      return text
    end

    it(":MxLookup fills a scratch buffer with the profile when the answer arrives", function()
      local text = nvim(srv.address, "initech.test")
      assert.matches("BEFORE Looking up initech%.test", text)
      assert.matches("DONE true", text)
      assert.matches("LINE provider: Microsoft 365 %(mailbox%)", text)
      assert.matches("LINE gateway:  Proofpoint", text)
      assert.matches("LINE%s+10  mx0a%-00123456%.pphosted%.com", text)
    end)

    it("stays responsive while a lookup waits on a silent server", function()
      local text = nvim(fault.address, "silent.example", "--cmd 'let g:mxrecord_timeout = 0.3'")
      assert.matches("DONE true", text)
      assert.matches("LINE MX lookup failed: timeout", text)
      local ticks = tonumber(text:match("TICKS (%d+)"))
      assert.is_true(ticks and ticks >= 20, "a 5 ms timer fired " .. tostring(ticks) .. " times in 0.6 s")
    end)
  end)
end)
