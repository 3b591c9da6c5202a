/* lua_wire.c: what the Lua layers need below the resolver: the query
 * builder and answer parser for hosts that send their own packets (the
 * OpenResty cosocket path), and the seen-set of lookup_many. */
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_address.h"
#include "mxr_answer.h"
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

/* ---- the wire, for hosts that send their own packets (OpenResty) ---------- */

#define ANSWER_MT "mxrecord.answer"

static int answer_gc(lua_State *L) {
  mxr_answer_free((mxr_answer *)luaL_checkudata(L, 1, ANSWER_MT));
  return 0;
}

/* build_query(name, qtype, id) -> packet, normalised name | nil, message, "badname" */
static int m_build_query(lua_State *L) {
  size_t len;
  const char *name, *why;
  char norm[MXR_NAME_MAX + 1];
  unsigned char pkt[512];
  int qtype, n, rc;
  lua_Integer id;
  if (lua_type(L, 1) != LUA_TSTRING)
    return luaL_argerror(L, 1, lua_pushfstring(L, "domain name (string) expected, got %s", luaL_typename(L, 1)));
  name = lua_tolstring(L, 1, &len);
  qtype = mxr_lua_check_qtype(L, 2);
  id = luaL_checkinteger(L, 3);
  if ((rc = mxr_domain_to_ascii(name, len, norm, 0, &why)) < 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "badname: %s (%s %s)", rc == -2 ? "not a valid internationalized domain name" : why, name,
                    mxr_qtype_name(qtype));
    lua_pushliteral(L, "badname");
    return 3;
  }
  n = mxr_query_build(norm, qtype, (unsigned)(id & 0xffff), pkt, sizeof pkt);
  if (n < 0) return luaL_error(L, "cannot build a query for '%s'", norm);
  lua_pushlstring(L, (const char *)pkt, (size_t)n);
  lua_pushstring(L, norm);
  return 2;
}

/* parse_answer(bytes, qtype, name) -> res | nil, message, code (as r:mx() gives them);
 * name is the normalised name the query asked for (build_query's second result) */
static int m_parse_answer(lua_State *L) {
  size_t len;
  const unsigned char *msg = (const unsigned char *)luaL_checklstring(L, 1, &len);
  int qtype = mxr_lua_check_qtype(L, 2), n;
  const char *name = luaL_checkstring(L, 3);
  /* the parsed answer lives in a userdata whose __gc frees it, so that a
   * memory error while the result is built does not leak it */
  mxr_answer *a = (mxr_answer *)lua_newuserdata(L, sizeof *a);
  memset(a, 0, sizeof *a);
  luaL_getmetatable(L, ANSWER_MT);
  lua_setmetatable(L, -2);
  mxr_answer_parse(msg, len, name, qtype, a);
  n = mxr_lua_push_answer(L, name, qtype, a);
  mxr_answer_free(a);
  return n;
}

static const luaL_Reg seen_methods[] = {{"add", seen_add}, {NULL, NULL}};

void mxr_lua_open_wire(lua_State *L) {
  luaL_newmetatable(L, SEEN_MT);
  lua_pushcfunction(L, seen_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  mxr_setfuncs(L, seen_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushcfunction(L, m_seen_set);
  lua_setfield(L, -2, "seen_set");
  luaL_newmetatable(L, ANSWER_MT);
  lua_pushcfunction(L, answer_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  lua_pushcfunction(L, m_build_query);
  lua_setfield(L, -2, "build_query");
  lua_pushcfunction(L, m_parse_answer);
  lua_setfield(L, -2, "parse_answer");
}
