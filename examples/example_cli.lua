-- example_cli.lua: what the command-line examples (prospect.lua, verify.lua)
-- share: options, CSV in and out, the progress line and the summaries.
local M = {}

-- Parses arg: `flags` maps an option to "flag" or "number"; anything else
-- is the input file. Returns the options and the path (or nil: stdin).
function M.parse_args(usage, flags)
  local opts, path, i = {}, nil, 1
  local function fail(msg)
    io.stderr:write(msg, "\nusage: ", usage, "\n")
    os.exit(2)
  end
  while arg[i] do
    local a = arg[i]
    if flags[a] == "flag" then
      opts[a:sub(3)] = true
    elseif flags[a] == "number" then
      i = i + 1
      opts[a:sub(3)] = tonumber(arg[i]) or fail(a .. " needs a number")
    elseif a:sub(1, 2) == "--" then
      fail("unknown option " .. a)
    else
      path = a
    end
    i = i + 1
  end
  return opts, path
end

-- The resolver of the examples: servers from MXRECORD_SERVERS when it is set
-- (unset: the system's configuration). An empty or unreadable value stops the
-- tool with a message: it never falls back to the system resolver.
function M.resolver(mxrecord, opts)
  local servers = os.getenv("MXRECORD_SERVERS")
  if servers and not servers:find("%S") then
    io.stderr:write("MXRECORD_SERVERS is set but empty: set it to ip[:port][,ip[:port]...] or unset it ",
      "to use the system's resolver\n")
    os.exit(2)
  end
  opts = opts or {}
  opts.servers = servers
  local ok, r = pcall(mxrecord.resolver, opts)
  if not ok then
    io.stderr:write("MXRECORD_SERVERS='", servers or "", "' cannot be used: ", tostring(r):gsub("^.-mxrecord%.resolver: ", ""),
      "\n(expected ip[:port][,ip[:port]...], e.g. 127.0.0.1:5353)\n")
    os.exit(2)
  end
  return r
end

function M.stderr_is_tty()
  local tty = os.execute("test -t 2") -- Lua 5.1 returns the status, 5.2+ true or nil
  return tty == true or tty == 0
end

-- The first CSV column of a line, unquoted; a line without a separator is
-- taken whole (so an address such as "john doe"@example.com stays as it is).
function M.first_column(line)
  line = line:gsub("\r$", "")
  if not line:find("[,;\t]") then return line end
  if line:sub(1, 1) == '"' then
    local field = line:match('^"(.-)"[,;\t]') or line:match('^"(.-)"%s*$') or line:sub(2)
    return (field:gsub('""', '"'))
  end
  return line:match("^([^,;\t]*)")
end

function M.csv_line(fields)
  local out = {}
  for k, s in ipairs(fields) do
    out[k] = s:find('[",\n\r]') and ('"' .. s:gsub('"', '""') .. '"') or s
  end
  return table.concat(out, ",") .. "\n"
end

-- Lines in a file (nil for stdin): the progress line's total, an upper bound.
function M.count_lines(path)
  if not path then return nil end
  local n = 0
  for _ in io.lines(path) do n = n + 1 end
  return n
end

-- An on_progress function for lookup_many that rewrites one stderr line:
-- done/total, rate, ETA.
function M.progress(noun, total)
  return function(p)
    local t = p.total or total
    local eta = t and p.rate > 0 and ("  ETA %ds"):format(math.ceil(math.max(t - p.done, 0) / p.rate)) or ""
    io.stderr:write(("\r%d%s %s  %.0f/s%s   "):format(p.done, t and ("/" .. t) or "", noun, p.rate, eta))
  end
end

-- Writes counts (name -> n) to out, largest first, with shares of n.
function M.summary(out, title, counts, n)
  local list = {}
  for k, c in pairs(counts) do list[#list + 1] = { k, c } end
  table.sort(list, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  out:write(title, "\n")
  for _, e in ipairs(list) do
    out:write(("  %-40s %7d  %5.1f%%\n"):format(e[1], e[2], 100 * e[2] / math.max(n, 1)))
  end
end

return M
