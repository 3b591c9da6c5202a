/* mxrecord.h: the C entry point for hosts that link mxrecord in statically.
 *
 * A host that embeds Lua and links the module into its own binary registers
 * the C layer before any script runs, and ships the files of lua/mxrecord/ on its
 * package.path:
 *
 *     luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
 *     lua_pushcfunction(L, luaopen_mxrecord_core);
 *     lua_setfield(L, -2, "mxrecord.core");
 *     lua_pop(L, 1);
 *
 * after which require "mxrecord" works as with the shared module. */
#ifndef MXRECORD_H
#define MXRECORD_H

#include <lua.h>

#define MXRECORD_VERSION "0.1.0"

#if defined(_WIN32)
#define MXRECORD_API __declspec(dllexport)
#else
#define MXRECORD_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

MXRECORD_API int luaopen_mxrecord_core(lua_State *L);

#ifdef __cplusplus
}
#endif

#endif
