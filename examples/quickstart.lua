-- The README's quickstart (spec/20_docs_spec.lua checks that the two are the same).
-- lua5.4 scripts/with_dns.lua -- lua5.4 examples/quickstart.lua [DOMAIN]
local mxrecord = require "mxrecord"
local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 2, tries = 2 }

local res, err, code = r:mx(arg and arg[1] or "acme-anvils.test")
if not res then error(err) end                      -- code: "timeout", "servfail", ...
print(res.domain, res.status)                       -- "ok", "nxdomain", "nodata", "null_mx"
for _, mx in ipairs(res.records) do print(mx.preference, mx.exchange, mx.ttl) end

r:txt("globex.test", function(t) print(t and t.records[1]) end) -- asynchronous
r:run()                                             -- runs the callback

local p = assert(r:profile("initech.test"))         -- MX + SPF, classified
print(p.provider.name, p.provider.gateway and p.provider.gateway.name)  --> Microsoft 365  Proofpoint
print(assert(r:verify("jane@stark-industries.test")).verdict)           --> deliverable
