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

#include "mxr_answer.h"

/* Pushes an answer as (res) or (nil, message, code); returns the count. */
int mxr_lua_push_answer(lua_State *L, const char *name, int qtype, const mxr_answer *a);

/* Adds build_query(), parse_answer() and seen_set() to the module table on top of the stack. */
void mxr_lua_open_wire(lua_State *L);

/* Adds smtp_session() (and smtp_pool()) to the module table on top of the stack. */
void mxr_lua_open_smtp(lua_State *L);

#endif
