/* lua_address.c: mxrecord.parse_address, and the seen-set of lookup_many. */
#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_address.h"
#include "mxr_seen.h"

#define SEEN_MT "mxrecord.seen"

/* seen_set() -> set; set:add(s) -> true if s is new */
static int seen_add(lua_State *L) {
  mxr_seen *s = (mxr_seen *)luaL_checkudata(L, 1, SEEN_MT);
  size_t len;
  const char *str = luaL_checklstring(L, 2, &len);
  int rc = mxr_seen_add(s, str, len);
  if (rc < 0) return luaL_error(L, "out of memory");
  lua_pushboolean(L, rc);
  return 1;
}

static int seen_count(lua_State *L) {
  mxr_seen *s = (mxr_seen *)luaL_checkudata(L, 1, SEEN_MT);
  lua_pushinteger(L, (lua_Integer)s->count);
  return 1;
}

static int seen_gc(lua_State *L) {
  mxr_seen_free((mxr_seen *)luaL_checkudata(L, 1, SEEN_MT));
  return 0;
}

static int m_seen_set(lua_State *L) {
  mxr_seen *s = (mxr_seen *)lua_newuserdata(L, sizeof *s);
  mxr_seen_init(s);
  luaL_getmetatable(L, SEEN_MT);
  lua_setmetatable(L, -2);
  return 1;
}

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
  luaL_newmetatable(L, SEEN_MT);
  lua_pushcfunction(L, seen_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  lua_pushcfunction(L, seen_add);
  lua_setfield(L, -2, "add");
  lua_pushcfunction(L, seen_count);
  lua_setfield(L, -2, "count");
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushcfunction(L, m_seen_set);
  lua_setfield(L, -2, "seen_set");
  lua_pushcfunction(L, m_parse_address);
  lua_setfield(L, -2, "parse_address");
}
