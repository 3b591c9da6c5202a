-- mx_table.lua [FILE]: MX records of the domains in FILE (one per line; default
-- stdin) as an aligned table. Queries run concurrently.
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
local mxrecord = require "mxrecord"

local input = arg[1] and assert(io.open(arg[1])) or io.stdin
local domains = {}
for line in input:lines() do
  local d = line:match("^%s*([^%s#]+)")
  if d then domains[#domains + 1] = d end
end

local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 2, tries = 2 }
local rows = {}
for i, domain in ipairs(domains) do
  r:mx(domain, function(res, err, code)
    local hosts = {}
    if res then
      for _, rec in ipairs(res.records) do hosts[#hosts + 1] = rec.preference .. " " .. rec.exchange end
    end
    rows[i] = { domain, res and res.status or ("error: " .. code), table.concat(hosts, ", ") }
    if not res then io.stderr:write(err, "\n") end
  end)
end
r:run()
r:close()

local width = { #"domain", #"status" }
for _, row in ipairs(rows) do
  for c = 1, 2 do width[c] = math.max(width[c], #row[c]) end
end
local fmt = "%-" .. width[1] .. "s  %-" .. width[2] .. "s  %s\n"
io.write(string.format(fmt, "domain", "status", "MX (preference exchange)"))
io.write(string.format(fmt, string.rep("-", width[1]), string.rep("-", width[2]), string.rep("-", 24)))
for _, row in ipairs(rows) do io.write(string.format(fmt, row[1], row[2], row[3])) end
