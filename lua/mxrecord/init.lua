-- mxrecord: MX lookups over c-ares, for every Lua host.
-- This file is the public module; the C layer is mxrecord.core, the rules of
-- the classifier are mxrecord.providers (data) compiled by mxrecord.classify.
local core = require "mxrecord.core"
local classify = require "mxrecord.classify"
local profile = require "mxrecord.profile"
local cache = require "mxrecord.cache"
local verify = require "mxrecord.verify"
local bulk = require "mxrecord.bulk"

local M = {
  _VERSION = core._VERSION,
  cares_version = core.cares_version,
  normalize_name = core.normalize_name,
  parse_address = core.parse_address,
  classify = classify.classify,
  add_provider = classify.add_provider,
  providers = classify.providers,
  providers_version = classify.version(),
}
classify.public = M

-- Options the Lua layers handle; the rest go to the C constructor, which
-- checks them (and raises, naming an unknown one).
local LUA_OPTIONS = { cache = cache.config }

-- The options for the C constructor, and the Lua layers' own checked.
local function split_options(opts)
  if type(opts) ~= "table" then return opts, {} end
  local c_opts, lua_opts = {}, {}
  for k, v in pairs(opts) do
    if LUA_OPTIONS[k] then
      lua_opts[k] = v
    else
      c_opts[k] = v
    end
  end
  for k, check in pairs(LUA_OPTIONS) do
    if lua_opts[k] ~= nil then check(lua_opts[k]) end
  end
  return c_opts, lua_opts
end

-- The plain resolver: c-ares carries the packets, the caller waits.
local function new_resolver(opts)
  local c_opts, lua_opts = split_options(opts)
  local r = core.resolver(c_opts)
  r:_state().cache_option = lua_opts.cache
  return r
end

-- mxrecord.resolver(opts)
function M.resolver(opts, ...)
  if opts == M then
    error("mxrecord.resolver: called as mxrecord:resolver{...}; write mxrecord.resolver{...} (a dot, not a colon)", 2)
  end
  if select("#", ...) > 0 then error("mxrecord.resolver: takes one options table", 2) end
  local ok, r = pcall(M._new_resolver, opts)
  if not ok then -- raised at the caller's line, not inside this module
    local msg = tostring(r):gsub("^[^\n]-%.lua:%d+: ", "", 1)
    error(msg, 2)
  end
  return r
end
M._new_resolver = new_resolver

local methods = core.resolver_methods
methods.profile = profile.profile
methods.verify = verify.verify
methods.cache_stats = cache.stats
methods.cache_clear = cache.clear
methods.lookup_many = bulk.lookup_many

-- Inside nginx (OpenResty's Lua module) the host carries the packets over
-- cosockets: the same resolver, another transport and host.
if type(ngx) == "table" and type(ngx.socket) == "table" and type(ngx.get_phase) == "function" then
  local ngxr = require "mxrecord.ngx" -- (loads only inside nginx: it reads ngx at load time)
  M._new_resolver = function(opts)
    local c_opts, lua_opts = split_options(opts)
    local r = ngxr.resolver(c_opts)
    r:_state().cache_option = lua_opts.cache
    return r
  end
end

return M
