-- mxrecord: MX lookups over c-ares, for every Lua host.
-- This file is the public module; the C layer is mxrecord.core.
local core = require "mxrecord.core"

local M = {
  _VERSION = core._VERSION,
  cares_version = core.cares_version,
  resolver = core.resolver,
  normalize_name = core.normalize_name,
}

return M
