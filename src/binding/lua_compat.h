/* lua_compat.h: the few Lua C API differences between 5.1/LuaJIT and 5.4
 * that the binding meets, in one place (after LPeg's lptypes.h). */
#ifndef MXR_LUA_COMPAT_H
#define MXR_LUA_COMPAT_H

#include <lauxlib.h>
#include <lua.h>

#if LUA_VERSION_NUM == 501
/* Userdata "uservalue" is the environment table in 5.1. */
#define mxr_getuservalue(L, i) lua_getfenv((L), (i))
#define mxr_setuservalue(L, i) lua_setfenv((L), (i))
#define mxr_rawlen(L, i) lua_objlen((L), (i))
#else
#define mxr_getuservalue(L, i) ((void)lua_getuservalue((L), (i)))
#define mxr_setuservalue(L, i) lua_setuservalue((L), (i))
#define mxr_rawlen(L, i) lua_rawlen((L), (i))
#endif

/* LuaJIT 2.1 has the 5.2 auxiliary functions (and defines luaL_newlibtable);
 * plain 5.1 does not. */
#if LUA_VERSION_NUM == 501 && !defined(luaL_newlibtable)
#define MXR_PLAIN_LUA51 1
#endif

static inline int mxr_absindex(lua_State *L, int i) {
  return (i > 0 || i <= LUA_REGISTRYINDEX) ? i : lua_gettop(L) + i + 1;
}

static inline void mxr_setfuncs(lua_State *L, const luaL_Reg *l) {
  for (; l->name; l++) {
    lua_pushcfunction(L, l->func);
    lua_setfield(L, -2, l->name);
  }
}

/* Registers metatable `name` with __gc = gc (may be NULL) and __index = a
 * table of methods (may be NULL); leaves the stack as it was. */
static inline void mxr_new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction gc) {
  luaL_newmetatable(L, name);
  if (gc) {
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
  }
  if (methods) {
    lua_newtable(L);
    mxr_setfuncs(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
}

/* Pushes msg with a traceback of L (the message handler for callbacks). */
static inline void mxr_traceback(lua_State *L, const char *msg) {
#ifdef MXR_PLAIN_LUA51
  lua_getglobal(L, "debug");
  lua_getfield(L, -1, "traceback");
  lua_remove(L, -2);
  lua_pushstring(L, msg);
  lua_pushinteger(L, 2);
  lua_call(L, 2, 1);
#else
  luaL_traceback(L, L, msg, 1);
#endif
}

#endif
