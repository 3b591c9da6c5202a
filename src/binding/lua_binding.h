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

/* The resolver userdata (lua_resolver.c). */
typedef struct lresolver {
  mxr_resolver *core; /* NULL once closed */
  uint64_t next_token;
  int closing;                /* close() is running the last callbacks */
  int external;               /* the host carries the packets */
  mxr_completion *converting; /* owned by frames turning them into Lua values */
  mxr_completion *parked;     /* answers to _start tokens that dispatch met before _wait did */
  struct mxr_engine *engines; /* lookup_many engines using this resolver (lua_bulk.c) */
} lresolver;

/* Before the core is freed: each engine of lr takes the answers waiting in
 * its sink (cancelled ones among them) so they are still delivered. No Lua. */
void mxr_lua_engines_orphan(lresolver *lr);

/* Pushes c's result as (res) or (nil, message, code) (nothing for a post)
 * and frees c, which lr->converting owns meanwhile; returns the count. */
int mxr_lua_push_owned(lua_State *L, lresolver *lr, mxr_completion *c);

/* r:_engine(qtype, duplicates): lookup_many's engine (lua_bulk.c); the resolver at 1 is open. */
int mxr_lua_engine_new(lua_State *L, lresolver *lr);

/* Pushes an answer as (res) or (nil, message, code); returns the count. */
int mxr_lua_push_answer(lua_State *L, const char *name, int qtype, const mxr_answer *a);

/* The string at idx as a domain name to check (raises "bad argument" for a
 * non-string); its length in *len. */
const char *mxr_lua_check_name(lua_State *L, int idx, size_t *len);
/* name (UTF-8 or ASCII) to its normalised A-label form in out (MXR_NAME_MAX
 * + 1 bytes); 0, or -1 with *why saying what is wrong. */
int mxr_lua_to_ascii(const char *name, size_t len, char *out, const char **why);

/* The query type named by the string at idx (one of mxr_qtype_names); raises otherwise. */
int mxr_lua_check_qtype(lua_State *L, int idx);

/* Adds build_query(), parse_answer() and seen_set() to the module table on top of the stack. */
void mxr_lua_open_wire(lua_State *L);
void mxr_lua_open_flags(lua_State *L); /* flag_lists() */

/* Adds spf_new(), spf_parse(), spf_expand() and spf_is_record() to the module table on top of the stack. */
void mxr_lua_open_spf(lua_State *L);

/* Adds smtp_session() (and smtp_pool()) to the module table on top of the stack. */
void mxr_lua_open_smtp(lua_State *L);

#endif
