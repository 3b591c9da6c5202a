rockspec_format = "3.0"
package = "mxrecord"
version = "0.1.0-1"
source = {
  -- no public repository yet: `luarocks make` builds from the checkout and
  -- does not fetch this; set the real address before `luarocks upload`.
  url = "git+https://example.invalid/mxrecord.git",
  tag = "v0.1.0",
}
description = {
  summary = "MX lookups, mail provider classification and address checks over c-ares",
  detailed = [[
mxrecord looks up MX, TXT, A and AAAA records through c-ares with every DNS
outcome named (nxdomain, nodata, null MX, temporary failures), blocking or
asynchronously, from Lua 5.1/LuaJIT to 5.4; and tells who runs a domain's
mail (mailbox provider, security gateway, SPF senders) from its MX and SPF.
]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1, < 5.5",
}
external_dependencies = {
  CARES = { header = "ares.h", library = "cares" },
  IDN2 = { header = "idn2.h", library = "idn2" },
}
build = {
  type = "cmake",
  variables = {
    CMAKE_BUILD_TYPE = "Release",
    LUA_INCDIR = "$(LUA_INCDIR)",
    CARES_INCDIR = "$(CARES_INCDIR)",
    CARES_LIBDIR = "$(CARES_LIBDIR)",
    IDN2_INCDIR = "$(IDN2_INCDIR)",
    IDN2_LIBDIR = "$(IDN2_LIBDIR)",
    INSTALL_CMOD = "$(LIBDIR)",
    INSTALL_LMOD = "$(LUADIR)",
    -- users' compilers may warn where ours do not; CI builds with -Werror
    MXRECORD_WERROR = "OFF",
  },
}
