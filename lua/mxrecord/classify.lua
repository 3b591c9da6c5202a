-- mxrecord.classify: the provider rules compiled into C, and add_provider.
--
-- The rules are data (mxrecord.providers); this module keeps the list, compiles
-- it into a C suffix table (core.rules) and hands out the C classify function
-- bound to that table. add_provider edits the list and recompiles in place, so
-- classify functions already handed out see the change.
local core = require "mxrecord.core"
local data = require "mxrecord.providers"

local M = {}

local CATEGORIES = {
  mailbox = true, gateway = true, forwarding = true, transactional = true, hosting = true, isp = true,
}

local rules = core.rules()
local list = {}   -- { id=, name=, category=, mx = {...}, spf = {...} } in compile order
local index = {}  -- id -> position in list
local added = 0   -- add_provider calls so far

local function copy(t)
  local c = {}
  for i, v in ipairs(t or {}) do c[i] = v end
  return c
end

local function compile()
  rules:clear()
  for i, p in ipairs(list) do
    rules:provider(i, p.id, p.name, p.category)
    for _, s in ipairs(p.mx) do assert(rules:add("mx", s, i)) end
    for _, s in ipairs(p.spf) do assert(rules:add("spf", s, i)) end
  end
end

for _, p in ipairs(data.list) do
  list[#list + 1] = { id = p[1], name = p[2], category = p[3], mx = copy(p.mx), spf = copy(p.spf) }
  index[p[1]] = #list
end
compile()

M.classify = rules:classifier()
M.base_version = data.version

function M.version()
  return added == 0 and data.version or (data.version .. "+local." .. added)
end

-- Checks one list of suffixes of add_provider's argument; raises on a bad one.
local function check_suffixes(t, field)
  if t == nil then return {} end
  if type(t) ~= "table" then
    error(("mxrecord.add_provider: '%s' must be a list of domain suffixes, got %s"):format(field, type(t)), 3)
  end
  local out = {}
  for i, s in ipairs(t) do
    if type(s) ~= "string" then
      error(("mxrecord.add_provider: %s[%d] must be a string, got %s"):format(field, i, type(s)), 3)
    end
    local norm, err = core.normalize_name(s)
    if not norm then
      error(("mxrecord.add_provider: %s[%d] '%s' is not a domain suffix (%s)"):format(field, i, s, err), 3)
    end
    out[#out + 1] = norm
  end
  return out
end

-- add_provider{ id=, name=, category=, mx = {...}, spf = {...} }
-- A new id is added; an existing id is replaced whole. Either way the entry
-- moves to the end of the list, so its suffixes win over any other
-- provider's identical ones.
function M.add_provider(spec)
  if type(spec) ~= "table" then
    error("mxrecord.add_provider: table expected, got " .. type(spec), 2)
  end
  local id, name, category = spec.id, spec.name, spec.category
  if type(id) ~= "string" or not id:match("^[%w_.%-]+$") then
    error("mxrecord.add_provider: 'id' must be a string of letters, digits, '_', '.', '-'", 2)
  end
  if id == "self_hosted" or id == "unknown" or id == "none" then
    error("mxrecord.add_provider: '" .. id .. "' is reserved", 2)
  end
  if name ~= nil and type(name) ~= "string" then
    error("mxrecord.add_provider: 'name' must be a string", 2)
  end
  if not CATEGORIES[category] then
    error("mxrecord.add_provider: 'category' must be one of mailbox, gateway, forwarding, transactional, "
      .. "hosting, isp; got " .. tostring(category), 2)
  end
  for k in pairs(spec) do
    if k ~= "id" and k ~= "name" and k ~= "category" and k ~= "mx" and k ~= "spf" then
      error("mxrecord.add_provider: unknown field '" .. tostring(k) .. "'", 2)
    end
  end
  local entry = {
    id = id, name = name or id, category = category,
    mx = check_suffixes(spec.mx, "mx"), spf = check_suffixes(spec.spf, "spf"),
  }
  local at = index[id]
  if at then table.remove(list, at) end
  list[#list + 1] = entry
  for i, p in ipairs(list) do index[p.id] = i end
  added = added + 1
  compile()
  if M.public then M.public.providers_version = M.version() end
  return true
end

-- providers() -> a copy of the rule set: { {id=, name=, category=, mx=, spf=}, ... }
function M.providers()
  local out = {}
  for i, p in ipairs(list) do
    out[i] = { id = p.id, name = p.name, category = p.category, mx = copy(p.mx), spf = copy(p.spf) }
  end
  return out
end

return M
