/* lua_address.c: mxrecord.parse_address. */
#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_address.h"

static void set_str(lua_State *L, const char *k, const char *s, size_t len) {
  lua_pushlstring(L, s, len);
  lua_setfield(L, -2, k);
}

static void set_true(lua_State *L, const char *k) {
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, k);
}

/* parse_address(s) -> { local_part, domain, ascii_domain, ... } | nil, message, "bad_syntax" */
static int m_parse_address(lua_State *L) {
  static const char *const lit_names[] = {NULL, "ipv4", "ipv6", "general"};
  size_t len;
  const char *s, *why;
  mxr_address a;
  if (lua_type(L, 1) != LUA_TSTRING)
    return luaL_argerror(L, 1, lua_pushfstring(L, "address (string) expected, got %s", luaL_typename(L, 1)));
  s = lua_tolstring(L, 1, &len);
  if (mxr_address_parse(s, len, &a, &why) < 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "bad_syntax: %s", why);
    lua_pushliteral(L, "bad_syntax");
    return 3;
  }
  lua_createtable(L, 0, 8);
  set_str(L, "local_part", a.local, a.local_len);
  set_str(L, "domain", a.domain, a.domain_len);
  if (a.literal) {
    set_str(L, "literal", a.lit, a.lit_len);
    lua_pushstring(L, lit_names[a.literal]);
    lua_setfield(L, -2, "literal_type");
  } else {
    lua_pushstring(L, a.ascii_domain);
    lua_setfield(L, -2, "ascii_domain");
  }
  if (a.quoted) set_true(L, "quoted");
  if (a.utf8_local) set_true(L, "smtputf8");
  if (a.utf8_domain) set_true(L, "idn");
  return 1;
}

void mxr_lua_open_address(lua_State *L) {
  lua_pushcfunction(L, m_parse_address);
  lua_setfield(L, -2, "parse_address");
}
