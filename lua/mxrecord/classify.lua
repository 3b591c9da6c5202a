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

-- ---- evidence beyond MX and SPF ------------------------------------------------
-- The C classify calls weigh(result, opts, mx) when opts carries txt, dkim,
-- autodiscover or cname (what r:profile gathers); it adjusts the verdict in
-- place. The rules are in docs/classify.md, "Evidence beyond MX and SPF".
local signals = require "mxrecord.signals"

local POINTS = { strong = 2, weak = 1 }

local function lower_name(s)
  return (s:lower():gsub("%.$", ""))
end

local function ends_with(name, suffix)
  return name == suffix or (#name > #suffix and name:sub(-#suffix - 1) == "." .. suffix)
end

-- The records of a TXT answer given as a result, a list or a string.
local function txt_records(v)
  if type(v) == "string" then return { v } end
  if type(v) ~= "table" then return {} end
  return type(v.records) == "table" and v.records or v
end

-- The CNAME target given as a string or as a lookup result's cname.
local function cname_of(v)
  if type(v) == "string" then return v end
  if type(v) == "table" and type(v.cname) == "string" then return v.cname end
  return nil
end

-- The host of the lowest preference in an MX argument.
local function first_host(mx)
  local list = type(mx.records) == "table" and mx.records or mx
  local best, best_pref
  for _, r in ipairs(list) do
    local h, pref = r, 0
    if type(r) == "table" then h, pref = r.exchange, tonumber(r.preference) or 0 end
    if type(h) == "string" and (best == nil or pref < best_pref) then best, best_pref = h, pref end
  end
  return best
end

-- signals.txt by the lower-case first byte of their token, with the token lower-cased
local TXT_BY_FIRST = {}
for _, e in ipairs(signals.txt) do
  local k = e[1]:lower():byte(1)
  TXT_BY_FIRST[k] = TXT_BY_FIRST[k] or {}
  table.insert(TXT_BY_FIRST[k], { e[1]:lower(), e })
end

-- (no closure per call: LuaJIT does not compile their creation)
local function add_found(found, id, weight, ev, tie_only)
  if index[id] then found[#found + 1] = { id = id, weight = weight, evidence = ev, tie_only = tie_only } end
end

local function collect(opts)
  local found = {} -- { {id=, weight=, tie_only=, evidence=} }
  local ad = cname_of(opts.autodiscover)
  if ad then
    local n = lower_name(ad)
    for _, e in ipairs(signals.autodiscover) do
      if ends_with(n, e[1]) then
        add_found(found, e[2], e.weight, { source = "autodiscover", target = ad, rule = e[1], id = e[2], weight = e.weight })
        break
      end
    end
  end
  if type(opts.dkim) == "table" then
    for _, e in ipairs(signals.dkim) do
      local v = opts.dkim[e.selector]
      local target = cname_of(v)
      local hit
      if target and e.cname then
        local n = lower_name(target)
        for _, suf in ipairs(e.cname) do
          if ends_with(n, suf) then
            hit = { source = "dkim", selector = e.selector, target = target, rule = suf, id = e.id, weight = e.weight }
            break
          end
        end
      end
      if not hit and e.txt then
        for _, t in ipairs(txt_records(v)) do
          if type(t) == "string" and t:find("p=", 1, true) then
            hit = { source = "dkim", selector = e.selector, rule = e.selector .. "._domainkey", id = e.id, weight = e.weight }
            break
          end
        end
      end
      if hit then add_found(found, e.id, e.weight, hit) end
    end
  end
  if opts.txt ~= nil then
    for _, t in ipairs(txt_records(opts.txt)) do
      -- only the tokens that start with a signal's first letter are looked at (an SPF record never is)
      local b = type(t) == "string" and t:byte(1)
      local cands = b and TXT_BY_FIRST[(b >= 65 and b <= 90) and b + 32 or b]
      if cands then
        for _, c in ipairs(cands) do
          local e = c[2]
          if t:sub(1, #c[1]):lower() == c[1] then
            add_found(found, e[2], e.weight, { source = "txt", token = t, rule = e[1], id = e[2], weight = e.weight }, e.tie_only)
            break
          end
        end
      end
    end
  end
  local target = cname_of(opts.cname)
  if target then
    local p = M.classify({ target }, nil, { evidence = false })
    if p.category ~= "unknown" then
      add_found(found, p.id, "weak", { source = "cname", target = target, id = p.id, weight = "weak" })
    end
  end
  return found
end

local LEVEL = { low = 1, medium = 2, high = 3 }
local NAME = { "low", "medium", "high" }

local function weigh(res, opts, mx)
  local found = collect(opts)
  if res.evidence then
    for _, f in ipairs(found) do res.evidence[#res.evidence + 1] = f.evidence end
  end
  if #found == 0 or res.category == "none" then return end
  local score, strong, order = {}, {}, {}
  for _, f in ipairs(found) do
    if not score[f.id] then order[#order + 1] = f.id end
    score[f.id] = (score[f.id] or 0) + (f.tie_only and 0.25 or POINTS[f.weight])
    if f.weight == "strong" then strong[f.id] = (strong[f.id] or 0) + 1 end
  end
  local best
  for _, id in ipairs(order) do
    if best == nil or score[id] > score[best] then best = id end
  end
  local conf = LEVEL[res.confidence]
  local cat = res.category
  local from_mx = conf == 3 and cat ~= "unknown" and cat ~= "self" and cat ~= "gateway"
  if from_mx then return end -- the MX decided: other evidence is listed, not weighed
  local open = cat == "unknown" or cat == "self" or (cat == "gateway" and res.gateway and res.gateway.id == res.id)
  local function take(id, level)
    local p = list[index[id]]
    res.id, res.name, res.category = p.id, p.name, p.category
    res.confidence = NAME[level]
    if not res.gateway then
      local host = first_host(mx)
      if host and cat == "self" then
        res.gateway = { id = "self_hosted", name = "Self-hosted", host = host }
      elseif host then
        res.gateway = { id = "unknown_relay", name = "Unknown relay", host = host }
      end
    end
  end
  if open then
    -- Nothing behind the front host yet: strong evidence names the mailbox;
    -- weak evidence only where the MX said nothing (never over self-hosting).
    if strong[best] then
      take(best, strong[best] >= 2 and 3 or 2)
    elseif cat == "unknown" and score[best] >= 1 then
      take(best, 1)
    end
    return
  end
  -- A provider inferred from SPF (behind a gateway or a relay): agreeing
  -- strong evidence confirms it; stronger evidence for another replaces it.
  local mine = score[res.id] or 0
  if strong[res.id] then
    res.confidence = NAME[math.min(3, conf + 1)]
  elseif strong[best] and score[best] > mine + 1 then
    take(best, 2)
  end
end

M.classify = rules:classifier(weigh)
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
