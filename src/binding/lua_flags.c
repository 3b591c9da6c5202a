/* lua_flags.c: the flag lists ("mxrecord.flaglists") and the flags function
 * built on them. Loading the committed lists is lua/mxrecord/flags.lua's job;
 * this file only turns mxr_flags_check into a Lua table. */
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_flags.h"

#define FLAGS_MT "mxrecord.flaglists"

typedef struct lflags {
  mxr_flags *f;
} lflags;

static const char *const list_names[] = {"disposable", "free", "role", "psl", NULL};

static lflags *check_lists(lua_State *L, int idx) { return (lflags *)luaL_checkudata(L, idx, FLAGS_MT); }

static int lists_gc(lua_State *L) {
  lflags *lf = check_lists(L, 1);
  mxr_flags_free(lf->f);
  lf->f = NULL;
  return 0;
}

/* lists:load(name, text) -> number of new entries */
static int lists_load(lua_State *L) {
  lflags *lf = check_lists(L, 1);
  int list = luaL_checkoption(L, 2, NULL, list_names);
  size_t len;
  const char *text = luaL_checklstring(L, 3, &len);
  long n = mxr_flags_load(lf->f, list, text, len);
  if (n < 0) return luaL_error(L, "out of memory");
  lua_pushinteger(L, (lua_Integer)n);
  return 1;
}

/* lists:count(name) -> entries */
static int lists_count(lua_State *L) {
  lflags *lf = check_lists(L, 1);
  int list = luaL_checkoption(L, 2, NULL, list_names);
  lua_pushinteger(L, (lua_Integer)mxr_flags_count(lf->f, list));
  return 1;
}

enum { K_DISPOSABLE = 1, K_FREE, K_ROLE, K_DOMAIN };
static const char *const keys[] = {"disposable", "free", "role", "domain"};

/* flags(address_or_domain) -> { disposable=, free=, role=, domain= } | nil, message, "badname" */
static int flags_check(lua_State *L) {
  lflags *lf = (lflags *)lua_touserdata(L, lua_upvalueindex(1));
  mxr_flag_result r;
  size_t len;
  const char *s;
  if (lua_type(L, 1) != LUA_TSTRING) {
    luaL_where(L, 1);
    lua_pushfstring(L, "bad argument #1 to 'flags' (address or domain (string) expected, got %s)", luaL_typename(L, 1));
    lua_concat(L, 2);
    return lua_error(L);
  }
  s = lua_tolstring(L, 1, &len);
  if (mxr_flags_check(lf->f, s, len, &r) < 0) {
    lua_pushnil(L);
    lua_pushliteral(L, "badname: no domain name to look at");
    lua_pushliteral(L, "badname");
    return 3;
  }
  lua_createtable(L, 0, 4);
  lua_rawgeti(L, lua_upvalueindex(2), K_DISPOSABLE);
  lua_pushboolean(L, r.disposable);
  lua_rawset(L, -3);
  lua_rawgeti(L, lua_upvalueindex(2), K_FREE);
  lua_pushboolean(L, r.free);
  lua_rawset(L, -3);
  lua_rawgeti(L, lua_upvalueindex(2), K_ROLE);
  lua_pushboolean(L, r.role);
  lua_rawset(L, -3);
  lua_rawgeti(L, lua_upvalueindex(2), K_DOMAIN);
  lua_pushlstring(L, r.domain + r.reg_off, r.dlen - r.reg_off);
  lua_rawset(L, -3);
  return 1;
}

/* lists:checker() -> the flags function bound to these lists */
static int lists_checker(lua_State *L) {
  int i;
  check_lists(L, 1);
  lua_settop(L, 1);
  lua_createtable(L, 4, 0);
  for (i = 0; i < 4; i++) {
    lua_pushstring(L, keys[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushcclosure(L, flags_check, 2);
  return 1;
}

/* flag_lists() -> empty lists */
static int m_flag_lists(lua_State *L) {
  lflags *lf = (lflags *)lua_newuserdata(L, sizeof *lf);
  lf->f = NULL;
  luaL_getmetatable(L, FLAGS_MT);
  lua_setmetatable(L, -2);
  lf->f = mxr_flags_new();
  if (!lf->f) return luaL_error(L, "out of memory");
  return 1;
}

static const luaL_Reg lists_methods[] = {
    {"load", lists_load}, {"count", lists_count}, {"checker", lists_checker}, {NULL, NULL}};

void mxr_lua_open_flags(lua_State *L) {
  luaL_newmetatable(L, FLAGS_MT);
  lua_pushcfunction(L, lists_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  mxr_setfuncs(L, lists_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushcfunction(L, m_flag_lists);
  lua_setfield(L, -2, "flag_lists");
}
