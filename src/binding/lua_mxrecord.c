/* lua_mxrecord.c: luaopen_mxrecord_core, the module table of the C layer.
 * The public module is lua/mxrecord/init.lua, which builds on this one. */
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_address.h"
#include "mxr_name.h"
#include "mxr_resolver.h"
#include "mxrecord.h"

/* normalize_name(s) -> name | nil, message, "badname" */
static int m_normalize_name(lua_State *L) {
  size_t len;
  const char *s = mxr_lua_check_name(L, 1, &len), *why;
  char out[MXR_NAME_MAX + 1];
  int rc;
  if ((rc = mxr_domain_to_ascii(s, len, out, 0, &why)) < 0) {
    lua_pushnil(L);
    lua_pushfstring(L, rc == -2 ? "badname: not a valid internationalized domain name (%s)" : "badname: %s", why);
    lua_pushliteral(L, "badname");
    return 3;
  }
  lua_pushstring(L, out);
  return 1;
}

/* monotonic() -> seconds on a clock that never goes back (for TTLs) */
static int m_monotonic(lua_State *L) {
  lua_pushnumber(L, mxr_monotonic());
  return 1;
}

MXRECORD_API int luaopen_mxrecord_core(lua_State *L) {
  lua_newtable(L);
  lua_pushliteral(L, MXRECORD_VERSION);
  lua_setfield(L, -2, "_VERSION");
  lua_pushstring(L, mxr_cares_version());
  lua_setfield(L, -2, "cares_version");
  lua_pushcfunction(L, m_normalize_name);
  lua_setfield(L, -2, "normalize_name");
  lua_pushcfunction(L, m_monotonic);
  lua_setfield(L, -2, "monotonic");
  mxr_lua_open_resolver(L);
  mxr_lua_open_classify(L);
  mxr_lua_open_address(L);
  mxr_lua_open_wire(L);
  mxr_lua_open_flags(L);
  mxr_lua_open_spf(L);
  mxr_lua_open_smtp(L);
  return 1;
}
