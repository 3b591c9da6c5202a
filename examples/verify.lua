-- verify.lua [--concurrency N] [--progress] [--smtp --helo NAME [--from ADDR] [--smtp-port N] [--allow-private]] [FILE]
--
-- Can these addresses receive mail? Reads addresses from FILE (default:
-- stdin), one per line or as the first CSV column (a header line without an
-- @ is skipped), and prints CSV (address, verdict, reasons, provider, MX
-- hosts) as verdicts come, through r:lookup_many (duplicates are checked
-- once). Then a summary by verdict and by reason on stderr. A progress line
-- goes to stderr when stderr is a terminal (or --progress).
--
-- --smtp also asks each MX host at RCPT (opt-in; see docs/smtp.md): columns
-- checked (syntax, dns, smtp) and smtp (the server's answer as a state).
-- DNS servers come from MXRECORD_SERVERS ("ip:port,ip:port") when it is set.
-- Questions are asked once per domain and mail host (the resolver's cache),
-- so a list of many addresses at few domains costs few queries.
package.path = (arg[0]:match("^(.*)/[^/]*$") or ".") .. "/?.lua;" .. package.path
local cli = require "example_cli"
local mxrecord = require "mxrecord"

-- --helo NAME and --from ADDR take strings: taken out before the common parser
local smtp_args, usage = {}, "verify.lua [--concurrency N] [--progress] [--smtp --helo NAME [--from ADDR] "
  .. "[--smtp-port N] [--allow-private]] [FILE]"
do
  local i = 1
  while arg[i] do
    if arg[i] == "--helo" or arg[i] == "--from" then
      smtp_args[arg[i]:sub(3)] = table.remove(arg, i + 1) or ""
      table.remove(arg, i)
    else
      i = i + 1
    end
  end
end
local opts, path = cli.parse_args(usage, { ["--concurrency"] = "number", ["--progress"] = "flag",
  ["--smtp"] = "flag", ["--smtp-port"] = "number", ["--allow-private"] = "flag" })
-- --smtp asks each domain's mail server too (opt-in: port 25, a HELO name this machine owns)
local verify_opts = opts.smtp and { smtp = { helo = smtp_args.helo, from = smtp_args.from,
  port = opts["smtp-port"], allow_private = opts["allow-private"] or nil } } or nil
if opts.smtp and not smtp_args.helo then
  io.stderr:write("--smtp needs --helo NAME (this machine's host name, matching its PTR record)\nusage: ", usage, "\n")
  os.exit(2)
end
local progress = opts.progress or cli.stderr_is_tty()

-- Addresses stream from the input.
local input = path and assert(io.open(path)) or io.stdin
local lineno = 0
local function next_address()
  for line in input:lines() do
    lineno = lineno + 1
    local a = cli.first_column(line):match("^%s*(.-)%s*$")
    if a ~= "" and a:sub(1, 1) ~= "#" and not (lineno == 1 and not a:find("@", 1, true)) then return a end
  end
  return nil
end

local r = mxrecord.resolver { servers = os.getenv("MXRECORD_SERVERS"), timeout = 2, tries = 2 }
local by_verdict, by_reason, naddresses, duplicates = {}, {}, 0, 0

io.write(cli.csv_line { "address", "verdict", "reasons", "provider", "mx", opts.smtp and "checked" or nil,
  opts.smtp and "smtp" or nil })

local function emit(address, v, err)
  local row
  if v then
    local codes = {}
    for _, reason in ipairs(v.reasons) do
      codes[#codes + 1] = reason.code
      by_reason[reason.code] = (by_reason[reason.code] or 0) + 1
    end
    local hosts = {}
    for _, h in ipairs(v.mx and v.mx.records or {}) do hosts[#hosts + 1] = h.exchange end
    row = { address, v.verdict, table.concat(codes, " "), v.provider and v.provider.name or "", table.concat(hosts, " ") }
    if opts.smtp then row[6], row[7] = v.checked, v.smtp and v.smtp.state or "" end
    by_verdict[v.verdict] = (by_verdict[v.verdict] or 0) + 1
  else
    row = { address, "error", err or "", "", "" }
    by_verdict.error = (by_verdict.error or 0) + 1
  end
  naddresses = naddresses + 1
  io.write(cli.csv_line(row)) -- streamed, in completion order
end

for v, err, code, address in r:lookup_many(next_address, { kind = "verify", verify = verify_opts, concurrency = opts.concurrency,
  on_progress = progress and cli.progress("addresses", cli.count_lines(path)) or nil }) do
  if code == "duplicate" then
    duplicates = duplicates + 1
  else
    emit(address, v or nil, err)
  end
end
if progress then io.stderr:write("\n") end
if input ~= io.stdin then input:close() end
local stats = r:cache_stats()
r:close()

io.stderr:write(("%d addresses (%d duplicates left out), %d DNS questions asked (%d shared while in flight, "
  .. "%d answered from the cache)\n"):format(naddresses, duplicates, stats.asked, stats.shared, stats.hits))
cli.summary(io.stderr, "by verdict:", by_verdict, naddresses)
cli.summary(io.stderr, "by reason:", by_reason, naddresses)
