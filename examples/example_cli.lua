-- example_cli.lua: what the command-line examples (prospect.lua, verify.lua)
-- share: table-driven options and --help, the resolver from
-- MXRECORD_SERVERS, CSV in (BOM, CRLF, quoted fields, a header or not) and
-- out, rows kept in input order with the result columns appended, the
-- progress line, widths by displayed characters and the summaries.
local M = {}

local function die(prog, msg)
  io.stderr:write(prog, ": ", msg, "\n")
  os.exit(2)
end
M.die = die

---------------------------------------------------------------------------
-- Options. `spec` = { prog =, usage =, about =, options = { {name, kind,
-- metavar, help}, ... } }; kind is "flag", "number" or "string". Adding an
-- option is one entry. --help prints the list. Returns opts (by the name
-- without "--", dashes turned into underscores) and the input path ("-" or
-- no path: stdin).
---------------------------------------------------------------------------
function M.parse_args(spec, argv)
  argv = argv or arg
  local byname = { ["--help"] = { "--help", "flag", nil, "this text" } }
  for _, o in ipairs(spec.options) do byname[o[1]] = o end
  local function help(out)
    out:write("usage: ", spec.usage, "\n\n", spec.about, "\n\noptions:\n")
    local list = {}
    for _, o in ipairs(spec.options) do list[#list + 1] = o end
    list[#list + 1] = byname["--help"]
    for _, o in ipairs(list) do
      local left = o[1] .. (o[3] and (" " .. o[3]) or "")
      out:write(("  %-22s %s\n"):format(left, o[4] or ""))
    end
  end
  local opts, path, i = {}, nil, 1
  local function fail(msg)
    io.stderr:write(spec.prog, ": ", msg, "\nusage: ", spec.usage, "\n(", spec.prog, " --help lists the options)\n")
    os.exit(2)
  end
  while argv[i] do
    local a = argv[i]
    local name, inline = a:match("^(%-%-[%w-]+)=(.*)$")
    local o = byname[name or a]
    if a == "--help" or a == "-h" then
      help(io.stdout)
      os.exit(0)
    elseif o then
      local key = o[1]:sub(3):gsub("-", "_")
      if o[2] == "flag" then
        if inline then fail(o[1] .. " takes no value") end
        opts[key] = true
      else
        local v = inline
        if not v then
          i = i + 1
          v = argv[i]
        end
        if v == nil then fail(o[1] .. " needs a value (" .. (o[3] or "VALUE") .. ")") end
        if o[2] == "number" then
          v = tonumber(v) or fail(o[1] .. " needs a number, got '" .. v .. "'")
        end
        opts[key] = v
      end
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      fail("unknown option " .. a)
    elseif path then
      fail("one input file only (got '" .. path .. "' and '" .. a .. "')")
    else
      path = a
    end
    i = i + 1
  end
  if path == nil then
    -- no FILE: stdin, unless it is a terminal (nobody is typing a list in)
    local tty = os.execute("test -t 0")
    if tty == true or tty == 0 then fail("no input: give a FILE, or - to read stdin") end
  end
  if path == "-" then path = nil end
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
    io.stderr:write("MXRECORD_SERVERS='", servers or "", "' cannot be used: ",
      (tostring(r):gsub("^.-mxrecord%.resolver: ", "")), "\n(expected ip[:port][,ip[:port]...], e.g. 127.0.0.1:5353)\n")
    os.exit(2)
  end
  return r
end

function M.stderr_is_tty()
  local tty = os.execute("test -t 2") -- Lua 5.1 returns the status, 5.2+ true or nil
  return tty == true or tty == 0
end

-- Opens the input: a path, or stdin for nil. A missing file is a message.
function M.open(prog, path)
  if not path then return io.stdin end
  local f, err = io.open(path, "rb")
  if not f then die(prog, "cannot open " .. (err or path)) end
  return f
end

---------------------------------------------------------------------------
-- CSV in. M.records(handle) returns an iterator of records: { fields...,
-- line = first line number }. The first line's UTF-8 BOM is dropped, CRLF and
-- LF both end lines, the separator (comma, semicolon or tab) is the one the
-- first line uses outside quotes; with none, each line is one field taken as
-- it is (a list of domains or addresses: "john doe"@example.com stays whole).
-- Quoted fields may hold separators, doubled quotes and line breaks.
---------------------------------------------------------------------------
local function separator_of(line)
  local counts, inq = { [","] = 0, [";"] = 0, ["\t"] = 0 }, false
  for c in line:gmatch(".") do
    if c == '"' then
      inq = not inq
    elseif not inq and counts[c] then
      counts[c] = counts[c] + 1
    end
  end
  local best, n = nil, 0
  for _, c in ipairs { ",", ";", "\t" } do
    if counts[c] > n then best, n = c, counts[c] end
  end
  return best
end

-- Splits one record that starts on `line`; more lines come from nextline
-- while a quoted field is open. Returns the fields.
local function split(line, sep, nextline)
  local fields, field, i, inq = {}, {}, 1, false
  while true do
    local c = line:sub(i, i)
    if c == "" then
      if inq then
        local more = nextline()
        if not more then break end -- an unterminated quote ends with the input
        field[#field + 1] = "\n"
        line, i = more, 1
      else
        break
      end
    elseif inq then
      if c == '"' then
        if line:sub(i + 1, i + 1) == '"' then
          field[#field + 1] = '"'
          i = i + 1
        else
          inq = false
        end
      else
        field[#field + 1] = c
      end
      i = i + 1
    elseif c == sep then
      fields[#fields + 1] = table.concat(field)
      field = {}
      i = i + 1
    elseif c == '"' and #field == 0 then
      inq = true
      i = i + 1
    else
      field[#field + 1] = c
      i = i + 1
    end
  end
  fields[#fields + 1] = table.concat(field)
  return fields
end

function M.records(handle)
  local lineno, sep, first = 0, nil, true
  local lines = handle:lines()
  local function nextline()
    local l = lines()
    if l == nil then return nil end
    lineno = lineno + 1
    if first then
      first = false
      l = l:gsub("^\239\187\191", "")
    end
    return (l:gsub("\r$", ""))
  end
  return function()
    while true do
      local line = nextline()
      if line == nil then return nil end
      local at = lineno
      if sep == nil then sep = separator_of(line) or false end
      if line:find("%S") then
        local rec
        if sep then
          rec = split(line, sep, nextline)
        else
          -- one field a line; a fully quoted one is unquoted
          local inner = line:match('^%s*"(.*)"%s*$')
          if inner and not inner:gsub('""', ""):find('"', 1, true) then line = inner:gsub('""', '"') end
          rec = { line }
        end
        rec.line = at
        return rec
      end
    end
  end
end

-- Records in a file, for the progress line's total (nil for stdin).
function M.count_records(prog, path)
  if not path then return nil end
  local f = M.open(prog, path)
  local n = 0
  for _ in M.records(f) do n = n + 1 end
  f:close()
  return n
end

---------------------------------------------------------------------------
-- The input column. `want` is --column (a header name, case-insensitive, or
-- a 1-based number); `names` the header names the tool recognises; `looks`
-- a function telling whether a value is data (a domain has a dot, an address
-- an @). Returns the header (or nil) and the column index.
---------------------------------------------------------------------------
function M.choose_column(prog, first, want, names, looks)
  local n = tonumber(want)
  local function norm(s) return (s:lower():gsub("^%s+", ""):gsub("%s+$", "")) end
  if want and not n then -- a name: the first record is the header
    for k, h in ipairs(first) do
      if norm(h) == norm(want) then return first, k end
    end
    die(prog, ("no column named '%s' (the header has: %s)"):format(want, table.concat(first, ", ")))
  end
  if n and (n < 1 or n ~= math.floor(n)) then die(prog, "--column needs a name or a number from 1") end
  local header, exact, partial = nil, nil, nil
  for k, h in ipairs(first) do
    for _, name in ipairs(names) do
      local hn = norm(h)
      if hn == name then
        exact = exact or k
      elseif (" " .. hn:gsub("[^%w-]+", " ") .. " "):find(" " .. name .. " ", 1, true) then
        partial = partial or k -- "Company Website", "Work E-mail"
      end
    end
  end
  if exact or partial then
    header = first
    n = n or exact or partial
  end
  if not header then
    -- a first record whose chosen cell is not data is a header too ("Website", "E-mail 1")
    local cell = first[n or 1]
    if cell and cell:find("%S") and not looks(cell) then header = first end
  end
  n = n or 1
  if header and n > #header then die(prog, ("--column %d: the header has %d columns"):format(n, #header)) end
  return header, n
end

---------------------------------------------------------------------------
-- Rows in input order. The tool submits each record with the key it looks
-- up (nil when the cell is blank); distinct keys go to lookup_many, repeats
-- wait for the first one's result. Results (a list of cells, and the full
-- result for --json) arrive in completion order; rows leave in input order.
---------------------------------------------------------------------------
function M.ordered(emit)
  local o = { rows = {}, results = {}, nextin = 1, nextout = 1, duplicates = 0, distinct = 0, resolved = 0 }
  local seen = {}
  -- returns true when key is new (the caller looks it up)
  function o.add(record, key, note)
    local k = o.nextin
    o.nextin = k + 1
    o.rows[k] = { record = record, key = key, note = note }
    if key == nil then return false end
    if seen[key] then
      o.duplicates = o.duplicates + 1
      o.rows[k].duplicate = true
      return false
    end
    seen[key] = true
    o.distinct = o.distinct + 1
    return true
  end
  function o.result(key, value)
    o.results[key] = value
    o.flush()
  end
  function o.flush()
    while o.rows[o.nextout] do
      local row = o.rows[o.nextout]
      local res = false -- no key: nothing was looked up
      if row.key ~= nil then
        res = o.results[row.key]
        if res == nil then return end
      end
      o.rows[o.nextout] = nil
      o.nextout = o.nextout + 1
      o.resolved = o.resolved + 1
      emit(row, res or nil)
    end
  end
  return o
end

---------------------------------------------------------------------------
-- Out.
---------------------------------------------------------------------------
function M.csv_line(fields)
  local out = {}
  for k, s in ipairs(fields) do
    s = tostring(s)
    out[k] = s:find('[",\n\r]') and ('"' .. s:gsub('"', '""') .. '"') or s
  end
  return table.concat(out, ",") .. "\n"
end

-- One output row as CSV: the input record's first `width` fields (blank
-- when short), the result cells, then any extra fields the record had.
function M.csv_row(rec, width, cells)
  local line = {}
  for k = 1, width do line[k] = rec[k] or "" end
  for _, v in ipairs(cells) do line[#line + 1] = v end
  for k = width + 1, #rec do line[#line + 1] = rec[k] end -- extra fields stay, after the results
  return M.csv_line(line)
end

-- One output row as a JSON line: the input (an object by the header's
-- names, or a list), the line number, duplicate, and the result's fields
-- (res.json), or the row's note when there is no result.
function M.json_row(mxrecord, rec, header, row, res)
  local inrow = {}
  if header then
    for k = 1, #rec do inrow[header[k] or ("column" .. k)] = rec[k] end
  else
    inrow = setmetatable({}, mxrecord.json.array_mt)
    for k = 1, #rec do inrow[k] = rec[k] end
  end
  local obj = { line = rec.line, input = inrow, duplicate = row.duplicate or nil }
  if res then
    for k, v in pairs(res.json) do obj[k] = v end
  else
    obj.notes = { row.note }
  end
  return mxrecord.json(obj) .. "\n"
end

-- The CSV header out: the input's, then the result columns; a result column
-- whose name the input uses already is prefixed with "mxrecord_".
function M.joined_header(input, result)
  local h, used = {}, {}
  for k, v in ipairs(input) do
    h[k] = v
    used[v:lower()] = true
  end
  for _, v in ipairs(result) do h[#h + 1] = used[v:lower()] and ("mxrecord_" .. v) or v end
  return h
end

-- Displayed width of a UTF-8 string: code points, less combining marks
-- (U+0300-036F), East Asian wide and emoji ranges counting two.
function M.width(s)
  local w = 0
  for cp in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
    local c = cp:byte(1)
    local code
    if c < 0x80 then
      code = c
    elseif c < 0xE0 then
      code = (c % 0x20) * 0x40 + (cp:byte(2) or 0x80) % 0x40
    elseif c < 0xF0 then
      code = ((c % 0x10) * 0x40 + (cp:byte(2) or 0x80) % 0x40) * 0x40 + (cp:byte(3) or 0x80) % 0x40
    else
      code = 0x10000
    end
    if code >= 0x300 and code <= 0x36F then
      -- combining: no width
    elseif (code >= 0x1100 and code <= 0x115F) or (code >= 0x2E80 and code <= 0xA4CF)
        or (code >= 0xAC00 and code <= 0xD7A3) or (code >= 0xF900 and code <= 0xFAFF)
        or (code >= 0xFE30 and code <= 0xFE4F) or (code >= 0xFF00 and code <= 0xFF60)
        or (code >= 0xFFE0 and code <= 0xFFE6) or code >= 0x10000 then
      w = w + 2
    else
      w = w + 1
    end
  end
  return w
end

function M.pad(s, width) return s .. string.rep(" ", width - M.width(s)) end

-- An aligned table (a header and rows of strings) to out.
function M.table(out, header, rows)
  local width = {}
  for c = 1, #header do width[c] = M.width(header[c]) end
  for _, row in ipairs(rows) do
    for c = 1, #header do width[c] = math.max(width[c], M.width(row[c] or "")) end
  end
  local function line(row)
    local cells = {}
    for c = 1, #header do cells[c] = M.pad(row[c] or "", width[c]) end
    out:write((table.concat(cells, "  "):gsub("%s+$", "")), "\n")
  end
  line(header)
  local rule = {}
  for c = 1, #header do rule[c] = string.rep("-", width[c]) end
  line(rule)
  for _, row in ipairs(rows) do line(row) end
end

-- The progress line: rewrites one stderr line with done/total, rate and
-- ETA; finish() writes the last state (no ETA) and ends the line. Nothing is
-- written when `on` is false, so no blank line either.
function M.progress(on, noun, total, clock)
  local p = { written = false }
  local start = clock()
  function p.update(done, final)
    if not on then return end
    local elapsed = clock() - start
    local rate = elapsed > 0 and done / elapsed or 0
    local eta = ""
    if not final and total and rate > 0 and done < total then
      eta = ("  ETA %ds"):format(math.ceil((total - done) / rate))
    end
    local text = ("%d%s %s  %.0f/s%s"):format(done, total and ("/" .. total) or "", noun, rate, eta)
    if final then text = text .. ("  in %.1f s"):format(elapsed) end
    io.stderr:write("\r", text, "\27[K")
    p.written = true
  end
  function p.finish(done)
    if not on then return end
    p.update(done, true)
    io.stderr:write("\n")
  end
  return p
end

-- Writes counts (name -> n) to out, largest first, with shares of n.
function M.summary(out, title, counts, n)
  local list = {}
  for k, c in pairs(counts) do list[#list + 1] = { k, c } end
  table.sort(list, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
  out:write(title, "\n")
  for _, e in ipairs(list) do
    out:write("  ", M.pad(e[1], 40), (" %7d  %5.1f%%\n"):format(e[2], 100 * e[2] / math.max(n, 1)))
  end
end

-- A monotonic-enough clock: LuaSocket's when it is there, else os.clock.
function M.clock()
  local ok, socket = pcall(require, "socket")
  if ok and socket.gettime then return socket.gettime end
  return os.clock
end

return M
