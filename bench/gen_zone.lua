-- bench/gen_zone.lua DIR [N]: writes DIR/bench.test.zone with N (default
-- 100,000) domains d000000.bench.test ... whose MX and SPF records have the
-- shapes of a B2B list (Google Workspace with five hosts or one, Microsoft 365,
-- a gateway in front, Zoho, self-hosted with an A record, null MX, no MX),
-- plus DIR/names.txt (one domain per line) and DIR/dnsperf-mx.txt (the
-- dnsperf input: "name MX" per line).
local dir, N = assert(arg[1], "usage: gen_zone.lua DIR [N]"), tonumber(arg[2]) or 100000

local zone = assert(io.open(dir .. "/bench.test.zone", "w"))
local names = assert(io.open(dir .. "/names.txt", "w"))
local perf = assert(io.open(dir .. "/dnsperf-mx.txt", "w"))
zone:write("$ORIGIN bench.test.\n$TTL 3600\n",
  "@ 3600 SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n")

local SPF = {
  '"v=spf1 include:_spf.google.com ~all"',
  '"v=spf1 include:spf.protection.outlook.com -all"',
  '"v=spf1 include:_spf.google.com include:sendgrid.net include:servers.mcsv.net ~all"',
  '"v=spf1 include:spf.protection.outlook.com include:_spf.salesforce.com -all"',
}

local seed = 42
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed % n + 1
end

for i = 0, N - 1 do
  local d = ("d%06d"):format(i)
  local k = rnd(100)
  local out = {}
  if k <= 25 then
    out[#out + 1] = d .. " MX 1 aspmx.l.google.com.\n"
    for j = 1, 2 do out[#out + 1] = ("%s MX 5 alt%d.aspmx.l.google.com.\n"):format(d, j) end
    for j = 3, 4 do out[#out + 1] = ("%s MX 10 alt%d.aspmx.l.google.com.\n"):format(d, j) end
  elseif k <= 33 then
    out[#out + 1] = d .. " MX 1 smtp.google.com.\n"
  elseif k <= 60 then
    out[#out + 1] = ("%s MX 0 %s-bench-test.mail.protection.outlook.com.\n"):format(d, d)
  elseif k <= 66 then
    out[#out + 1] = ("%s MX 10 mx0a-%s.pphosted.com.\n%s MX 10 mx0b-%s.pphosted.com.\n"):format(d, d, d, d)
  elseif k <= 70 then
    out[#out + 1] = ("%s MX 10 mx.zoho.com.\n%s MX 20 mx2.zoho.com.\n%s MX 50 mx3.zoho.com.\n"):format(d, d, d)
  elseif k <= 88 then
    out[#out + 1] = ("%s MX 10 mail.%s\nmail.%s A 192.0.2.%d\n"):format(d, d, d, rnd(250))
  elseif k <= 93 then
    out[#out + 1] = d .. " MX 0 .\n"
  else
    out[#out + 1] = ("%s A 192.0.2.%d\n"):format(d, rnd(250)) -- no MX: NODATA
  end
  if rnd(3) ~= 1 then out[#out + 1] = ("%s TXT %s\n"):format(d, SPF[rnd(#SPF)]) end
  zone:write(table.concat(out))
  names:write(d, ".bench.test\n")
  perf:write(d, ".bench.test MX\n")
end
zone:close()
names:close()
perf:close()
