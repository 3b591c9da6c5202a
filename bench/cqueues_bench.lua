-- bench/cqueues_bench.lua FILE [COROUTINES]: MX queries for every name in
-- FILE through lua-cqueues' stub resolver pool (Debian's lua-cqueues), many
-- coroutines on one controller, against MXRECORD_SERVERS (one "ip:port").
-- Prints "names=N answered=N failed=N seconds=S rate=Q".
local cqueues = require "cqueues"
local resolvers = require "cqueues.dns.resolvers"
local file, nco = arg[1], tonumber(arg[2]) or 200
local ip, port = assert(os.getenv("MXRECORD_SERVERS")):match("^([%d.]+):(%d+)$")

local pool = resolvers.stub { -- timeout: whole seconds only
  nameserver = { ("[%s]:%s"):format(ip, port) }, search = {}, timeout = 1, attempts = 4,
}
local f = assert(io.open(file))
local names, answered, failed = 0, 0, 0
local cq = cqueues.new()
local t0 = cqueues.monotime()
for _ = 1, nco do
  cq:wrap(function()
    for name in f:lines() do
      if name ~= "" then
        names = names + 1
        local ans = pool:query(name .. ".", "MX", "IN", 10)
        if ans then answered = answered + 1 else failed = failed + 1 end
      end
    end
  end)
end
assert(cq:loop())
local secs = cqueues.monotime() - t0
print(("names=%d answered=%d failed=%d seconds=%.3f rate=%.0f"):format(names, answered, failed, secs, names / secs))
