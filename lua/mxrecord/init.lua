-- mxrecord: MX lookups over c-ares, for every Lua host.
-- This file is the public module; the C layer is mxrecord.core, the rules of
-- the classifier are mxrecord.providers (data) compiled by mxrecord.classify.
local core = require "mxrecord.core"
local classify = require "mxrecord.classify"
local profile = require "mxrecord.profile"

local M = {
  _VERSION = core._VERSION,
  cares_version = core.cares_version,
  resolver = core.resolver,
  normalize_name = core.normalize_name,
  classify = classify.classify,
  add_provider = classify.add_provider,
  providers = classify.providers,
  providers_version = classify.version(),
}
classify.public = M

core.resolver_methods.profile = profile.profile

return M
