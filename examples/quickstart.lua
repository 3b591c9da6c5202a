-- The README's first example.
local mxrecord = require "mxrecord"
local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 2, tries = 2 }

local res, err, code = r:mx(arg[1] or "acme-anvils.test")
if not res then error(err) end                      -- code: "timeout", "servfail", ...
print(res.domain, res.status)                       -- "ok", "nxdomain", "nodata", "null_mx"
for _, mx in ipairs(res.records) do print(mx.preference, mx.exchange, mx.ttl) end

r:txt("globex.test", function(t) print(t and t.records[1]) end) -- asynchronous
r:run()                                             -- runs the callback
