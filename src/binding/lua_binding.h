/* lua_binding.h: pieces of the Lua binding shared between its files. */
#ifndef MXR_LUA_BINDING_H
#define MXR_LUA_BINDING_H

#include <lua.h>

/* Adds resolver(), resolver_class() and resolver_methods to the module table on top of the stack. */
void mxr_lua_open_resolver(lua_State *L);

/* Adds rules(), spf_includes() and is_spf() to the module table on top of the stack. */
void mxr_lua_open_classify(lua_State *L);

/* Adds parse_address() to the module table on top of the stack. */
void mxr_lua_open_address(lua_State *L);

#include "mxr_answer.h"
#include "mxr_resolver.h"

/* Checks the resolver options table at idx (nil: none) into *opt, storing
 * on_error in the table at uv; returns 1 with the servers' c-ares CSV pushed
 * (opt->servers points into it: keep it on the stack), else 0. Raises on a
 * bad option, naming it. */
int mxr_lua_resolver_options(lua_State *L, int idx, mxr_options *opt, int uv);

/* Pushes an answer as (res) or (nil, message, code); returns the count. */
int mxr_lua_push_answer(lua_State *L, const char *name, int qtype, const mxr_answer *a);

/* The query type named by the string at idx (one of mxr_qtype_names); raises otherwise. */
int mxr_lua_check_qtype(lua_State *L, int idx);

/* Adds build_query(), parse_answer() and seen_set() to the module table on top of the stack. */
void mxr_lua_open_wire(lua_State *L);

#endif
