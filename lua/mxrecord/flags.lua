-- mxrecord.flags: mxrecord.flags(address_or_domain) -> { disposable =, free =,
-- role =, domain = } (domain: the registrable domain, under the Public Suffix
-- List), or nil, message, "badname" when there is no domain to look at.
--
-- The lists are the committed snapshot in lua/mxrecord/lists_*.lua (made by
-- scripts/update_lists.sh from npm packages and Debian's publicsuffix;
-- nothing is downloaded at run time), loaded into C hash sets on the first
-- call. mxrecord.lists_version says which snapshot it is.
local core = require "mxrecord.core"
local meta = require "mxrecord.lists_meta"

local M = { version = meta.version, sources = meta.sources }

local check

local function load()
  local lists = core.flag_lists()
  for _, name in ipairs { "disposable", "free", "role", "psl" } do
    lists:load(name, require("mxrecord.lists_" .. name))
    package.loaded["mxrecord.lists_" .. name] = nil -- the C sets hold them now
  end
  check = lists:checker()
  M.lists = lists
  return check
end

-- flags(address_or_domain)
function M.flags(s)
  if type(s) ~= "string" then
    error("bad argument #1 to 'flags' (address or domain (string) expected, got " .. type(s) .. ")", 2)
  end
  return (check or load())(s)
end

-- The check function itself once loaded (no wrapper call): for bulk use.
function M.checker()
  return check or load()
end

return M
