-- mxrecord.json: results as JSON that every parser reads back the same way.
--
--   mxrecord.json(value)            --> a JSON text
--   mxrecord.json.mark(value [, mt]) --> value, with its list tables marked
--   mxrecord.json.array_mt           the default mark
--   mxrecord.json.utf8(s)            --> s as valid UTF-8
--
-- Lua has one table type, so an encoder must guess whether {} is a list or an
-- object; lua-cjson writes every empty table as {} ("reasons":{}). This
-- encoder writes as arrays: tables whose metatable is array_mt (or
-- lua-cjson's empty_array_mt), non-empty tables with keys 1..n only, and
-- empty tables under the names that hold lists in mxrecord's results
-- (records, reasons, senders, evidence, mail_hosts, addresses, hosts). Every
-- string is made valid UTF-8 (each invalid byte becomes U+FFFD), so input
-- echoed into a result cannot make the JSON invalid. Object keys are sorted:
-- the same value always gives the same text. Pure Lua, 5.1 to 5.4.
local M = {}

M.array_mt = { __jsontype = "array" }

-- Names under which mxrecord's results hold lists (possibly empty).
local LIST_FIELDS = {
  records = true, reasons = true, senders = true, evidence = true, mail_hosts = true,
  addresses = true, hosts = true,
}
M.list_fields = LIST_FIELDS

local floor, huge = math.floor, math.huge
local byte, format, concat = string.byte, string.format, table.concat

-- The longest prefix of s from i that is one well-formed UTF-8 sequence
-- (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF); its end,
-- or nil.
local function utf8_seq(s, i)
  local c = byte(s, i)
  if c < 0x80 then return i end
  local n, lo, hi
  if c >= 0xC2 and c <= 0xDF then
    n = 1
  elseif c >= 0xE0 and c <= 0xEF then
    n = 2
    if c == 0xE0 then lo = 0xA0 elseif c == 0xED then hi = 0x9F end
  elseif c >= 0xF0 and c <= 0xF4 then
    n = 3
    if c == 0xF0 then lo = 0x90 elseif c == 0xF4 then hi = 0x8F end
  else
    return nil
  end
  for k = 1, n do
    local d = byte(s, i + k)
    if not d then return nil end
    if k == 1 then
      if d < (lo or 0x80) or d > (hi or 0xBF) then return nil end
    elseif d < 0x80 or d > 0xBF then
      return nil
    end
  end
  return i + n
end

-- s with each byte that does not start a well-formed UTF-8 sequence replaced
-- by U+FFFD.
function M.utf8(s)
  if type(s) ~= "string" then error(("bad argument #1 to 'utf8' (string expected, got %s)"):format(type(s)), 2) end
  if not s:find("[\128-\255]") then return s end
  local out, i, n = {}, 1, #s
  while i <= n do
    local j = utf8_seq(s, i)
    if j then
      out[#out + 1] = s:sub(i, j)
      i = j + 1
    else
      out[#out + 1] = "\239\191\189"
      i = i + 1
    end
  end
  return concat(out)
end

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n", ["\r"] = "\\r",
  ["\t"] = "\\t" }
local function escape_char(c) return ESCAPES[c] or format("\\u%04x", byte(c)) end

local function encode_string(s)
  -- U+2028/U+2029 escaped too: valid JSON, but not valid inside a JavaScript string literal
  return '"' .. M.utf8(s):gsub('[%c"\\]', escape_char):gsub("\226\128\168", "\\u2028"):gsub("\226\128\169", "\\u2029") .. '"'
end

local function is_array(t, key)
  local mt = getmetatable(t)
  if mt then
    local cjson = package.loaded.cjson or package.loaded["cjson.safe"]
    if mt == M.array_mt or mt.__jsontype == "array" or (type(cjson) == "table" and mt == cjson.empty_array_mt) then
      return true
    end
  end
  local n = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k ~= floor(k) then return false end
    n = n + 1
  end
  if n == 0 then return LIST_FIELDS[key] == true end
  return t[n] ~= nil and #t == n
end

local encode

local function encode_table(t, key, seen, out)
  if seen[t] then error({ cycle = true }) end
  seen[t] = true
  if is_array(t, key) then
    out[#out + 1] = "["
    for k = 1, #t do
      if k > 1 then out[#out + 1] = "," end
      encode(t[k], nil, seen, out)
    end
    out[#out + 1] = "]"
  else
    local keys = {}
    for k, v in pairs(t) do
      local tv = type(v)
      if (type(k) == "string" or type(k) == "number") and tv ~= "function" and tv ~= "userdata" and tv ~= "thread" then
        keys[#keys + 1] = tostring(k)
      end
    end
    table.sort(keys)
    out[#out + 1] = "{"
    for k, name in ipairs(keys) do
      if k > 1 then out[#out + 1] = "," end
      local v = t[name]
      if v == nil then v = t[tonumber(name)] end
      out[#out + 1] = encode_string(name)
      out[#out + 1] = ":"
      encode(v, name, seen, out)
    end
    out[#out + 1] = "}"
  end
  seen[t] = nil
end

function encode(v, key, seen, out)
  local tv = type(v)
  if tv == "string" then
    out[#out + 1] = encode_string(v)
  elseif tv == "number" then
    if v ~= v or v == huge or v == -huge then
      out[#out + 1] = "null" -- JSON has no NaN or infinity
    elseif (math.type and math.type(v) == "integer") or (v == floor(v) and v > -2 ^ 53 and v < 2 ^ 53) then
      out[#out + 1] = format("%d", v)
    else
      out[#out + 1] = format("%.17g", v)
    end
  elseif tv == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif tv == "table" then
    encode_table(v, key, seen, out)
  else
    out[#out + 1] = "null"
  end
end

-- Marks with mt (default array_mt) every table of value that is a list by
-- the rules above, so that another encoder writes it as an array: with
-- OpenResty's lua-cjson, mark(v, cjson.empty_array_mt) then cjson.encode(v).
-- Tables that already have a metatable are left as they are.
function M.mark(value, mt)
  if mt ~= nil and type(mt) ~= "table" then
    error(("bad argument #2 to 'mark' (table expected, got %s)"):format(type(mt)), 2)
  end
  mt = mt or M.array_mt
  local seen = {}
  local function walk(t, key)
    if seen[t] then return end
    seen[t] = true
    local list = is_array(t, key)
    for k, v in pairs(t) do
      if type(v) == "table" then walk(v, type(k) == "string" and k or nil) end
    end
    if list and getmetatable(t) == nil then setmetatable(t, mt) end
  end
  if type(value) == "table" then walk(value, nil) end
  return value
end

local function json(value)
  local out = {}
  local ok, err = pcall(encode, value, nil, {}, out)
  if not ok then
    if type(err) == "table" and err.cycle then error("bad argument #1 to 'json' (the value holds a cycle)", 2) end
    error(err, 0)
  end
  return concat(out)
end
M.encode = json

return setmetatable(M, {
  __call = function(_, value)
    local ok, text = pcall(json, value)
    if not ok then error(text, 2) end
    return text
  end,
})
