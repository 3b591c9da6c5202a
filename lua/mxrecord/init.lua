-- mxrecord: MX lookups over c-ares, for every Lua host.
-- This file is the public module; the C layer is mxrecord.core, the rules of
-- the classifier are mxrecord.providers (data) compiled by mxrecord.classify.
local core = require "mxrecord.core"
local classify = require "mxrecord.classify"
local profile = require "mxrecord.profile"
local cache = require "mxrecord.cache"
local verify = require "mxrecord.verify"
local bulk = require "mxrecord.bulk"

-- mxrecord.resolver(opts): the C constructor, with the Lua-side option
-- `cache` checked here, so that a bad one fails where the resolver is made.
local function resolver(opts)
  if type(opts) == "table" and opts.cache ~= nil then cache.config(opts.cache) end
  return core.resolver(opts)
end

local M = {
  _VERSION = core._VERSION,
  cares_version = core.cares_version,
  resolver = resolver,
  normalize_name = core.normalize_name,
  parse_address = core.parse_address,
  classify = classify.classify,
  add_provider = classify.add_provider,
  providers = classify.providers,
  providers_version = classify.version(),
  smtp_selfcheck = require("mxrecord.smtp").selfcheck,
}
classify.public = M

core.resolver_methods.profile = profile.profile
core.resolver_methods.verify = verify.verify
core.resolver_methods.cache_stats = cache.stats
core.resolver_methods.cache_clear = cache.clear
core.resolver_methods.lookup_many = bulk.lookup_many
require("mxrecord.smtp").install(core.resolver_methods) -- SMTP sessions driven with the resolver's loop
require("mxrecord.host").install(core.resolver_methods)

-- Inside nginx (OpenResty's Lua module) resolvers use cosockets instead.
if type(ngx) == "table" and type(ngx.socket) == "table" and type(ngx.get_phase) == "function" then
  local ngxr = require "mxrecord.ngx" -- (loads only inside nginx: it reads ngx at load time)
  for _, name in ipairs { "profile", "verify", "lookup_many", "cache_stats", "cache_clear" } do
    ngxr.Resolver[name] = core.resolver_methods[name]
  end
  M.resolver = function(opts)
    if type(opts) == "table" and opts.cache ~= nil then cache.config(opts.cache) end
    return ngxr.resolver(opts)
  end
end

return M
