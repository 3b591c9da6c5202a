/* lua_names.c: domain names from Lua arguments, checked the one way every
 * entry point checks them (queries, build_query, normalize_name). */
#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_address.h"

const char *mxr_lua_check_name(lua_State *L, int idx, size_t *len) {
  if (lua_type(L, idx) != LUA_TSTRING)
    luaL_argerror(L, idx, lua_pushfstring(L, "domain name (string) expected, got %s", luaL_typename(L, idx)));
  return lua_tolstring(L, idx, len);
}

int mxr_lua_to_ascii(const char *name, size_t len, char *out, const char **why) {
  int rc = mxr_domain_to_ascii(name, len, out, 0, why);
  if (rc == -2) *why = "not a valid internationalized domain name";
  return rc < 0 ? -1 : 0;
}
