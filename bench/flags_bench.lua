-- bench/flags_bench.lua [N]: mxrecord.flags look-ups per second (CPU time)
-- over N (default 2,000,000) addresses and domains: free-mail, disposable,
-- role and company addresses under multi-label public suffixes. Also the
-- one-time cost of loading the lists. Not a test: it prints figures.
--
--   bash bench/flags.sh
local mxrecord = require "mxrecord"
local flags_mod = require "mxrecord.flags"

local N = tonumber(arg[1]) or 2000000
local clock = os.clock

local t0 = clock()
local check = flags_mod.checker()
local load_s = clock() - t0

local inputs = {
  "john.smith@gmail.com", "info@acme-industries.co.uk", "x7@mailinator.com", "sales@company123.com",
  "noreply@sub.dept.example.org", "jane@yahoo.co.jp", "ceo@startup.io", "acme.de", "support@shop.com.au",
  "someone@guerrillamail.com", "m.mueller@web.de", "kontakt@firma-gmbh.de",
}
local n_in = #inputs

local function run(fn, count)
  local best = math.huge
  for _ = 1, 3 do
    collectgarbage()
    local t = clock()
    for i = 1, count do fn(inputs[i % n_in + 1]) end
    best = math.min(best, clock() - t)
  end
  return count / best
end

local flags = mxrecord.flags
print(("lists %s: disposable %d, free %d, role %d, PSL rules %d; loaded in %.0f ms"):format(mxrecord.lists_version,
  flags_mod.lists:count("disposable"), flags_mod.lists:count("free"), flags_mod.lists:count("role"),
  flags_mod.lists:count("psl"), load_s * 1000))
print(("%-44s %12s"):format("flag look-ups/s (CPU time, best of 3)", _VERSION))
print(("%-44s %12.0f"):format("mxrecord.flags(s)", run(flags, N)))
print(("%-44s %12.0f"):format("check = require('mxrecord.flags').checker()", run(check, N)))
