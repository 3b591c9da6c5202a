/* lua_binding.h: pieces of the Lua binding shared between its files. */
#ifndef MXR_LUA_BINDING_H
#define MXR_LUA_BINDING_H

#include <lua.h>

/* Adds resolver() and resolver_methods to the module table on top of the stack. */
void mxr_lua_open_resolver(lua_State *L);

/* Adds rules(), spf_includes() and is_spf() to the module table on top of the stack. */
void mxr_lua_open_classify(lua_State *L);

/* Adds parse_address() to the module table on top of the stack. */
void mxr_lua_open_address(lua_State *L);

#endif
