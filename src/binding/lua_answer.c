/* lua_answer.c: DNS answers as Lua values, the one shape every transport
 * gives (the c-ares path, parse_answer for hosts that carry packets), and
 * the one list of query type names. */
#include "lua_binding.h"
#include "lua_compat.h"

/* The keys and status names of result tables, made once per Lua state and
 * kept in the registry: pushed from there and stored with lua_rawset, they
 * skip the string lookups of lua_setfield (about a fifth of what building a
 * result cost, bench/PROFILE.md). */
enum {
  K_DOMAIN = 1,
  K_STATUS,
  K_TTL,
  K_CNAME,
  K_SECURE,
  K_RECORDS,
  K_EXCHANGE,
  K_PREFERENCE,
  K_ADDRESS,
  K_DATA,
  K_USAGE,
  K_SELECTOR,
  K_MTYPE,
  K_TARGET,
  K_STATUS0 /* + enum mxr_status */
};
static const char *const key_names[] = {"domain",     "status",  "ttl",  "cname", "secure",   "records", "exchange",
                                        "preference", "address", "data", "usage", "selector", "mtype",   "target"};
static char keys_anchor;

/* Pushes the keys table; returns its index. */
static int push_keys(lua_State *L) {
  int i;
  lua_pushlightuserdata(L, &keys_anchor);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (lua_istable(L, -1)) return lua_gettop(L);
  lua_pop(L, 1);
  lua_createtable(L, K_STATUS0 + 8, 0);
  for (i = 0; i < (int)(sizeof key_names / sizeof key_names[0]); i++) {
    lua_pushstring(L, key_names[i]);
    lua_rawseti(L, -2, i + 1);
  }
  for (i = 0; i < 8; i++) {
    lua_pushstring(L, mxr_status_name(i));
    lua_rawseti(L, -2, K_STATUS0 + i);
  }
  lua_pushlightuserdata(L, &keys_anchor);
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return lua_gettop(L);
}

/* The key is pushed before its value (no stack rotation), then
 * lua_rawset(L, -3) stores the pair in the table below them. */
#define KEY(k) lua_rawgeti(L, keys, (k))

static void set_int(lua_State *L, int keys, int k, lua_Integer v) {
  KEY(k);
  lua_pushinteger(L, v);
  lua_rawset(L, -3);
}

int mxr_lua_check_qtype(lua_State *L, int idx) {
  return mxr_qtype_parse(mxr_qtype_names[luaL_checkoption(L, idx, NULL, mxr_qtype_names)]);
}

/* Pushes answer a to a query of qtype for name as (res) or (nil, message,
 * code); returns the count. */
int mxr_lua_push_answer(lua_State *L, const char *name, int qtype, const mxr_answer *a) {
  size_t i;
  int keys;
  if (a->error) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s (%s %s)", mxr_error_code(a->error), a->detail ? a->detail : mxr_error_message(a->error),
                    name, mxr_qtype_name(qtype));
    lua_pushstring(L, mxr_error_code(a->error));
    return 3;
  }
  keys = push_keys(L);
  lua_createtable(L, 0, 6);
  KEY(K_DOMAIN);
  lua_pushstring(L, name);
  lua_rawset(L, -3);
  KEY(K_STATUS);
  lua_rawgeti(L, keys, K_STATUS0 + (a->status >= 0 && a->status < 8 ? a->status : 7));
  lua_rawset(L, -3);
  set_int(L, keys, K_TTL, (lua_Integer)a->ttl);
  if (a->cname) {
    KEY(K_CNAME);
    lua_pushstring(L, a->cname);
    lua_rawset(L, -3);
  }
  if (a->secure) {
    KEY(K_SECURE);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
  }
  KEY(K_RECORDS);
  lua_createtable(L, (int)a->count, 0);
  for (i = 0; i < a->count; i++) {
    const mxr_record *rec = &a->records[i];
    if (qtype == MXR_T_TXT) {
      lua_pushlstring(L, rec->text, rec->len);
    } else {
      lua_createtable(L, 0, 3);
      switch (qtype) {
        case MXR_T_MX: KEY(K_EXCHANGE); break;
        case MXR_T_A:
        case MXR_T_AAAA: KEY(K_ADDRESS); break;
        case MXR_T_TLSA: KEY(K_DATA); break;
        default: KEY(K_TARGET); /* PTR, NS, CNAME */
      }
      lua_pushlstring(L, rec->text, rec->len);
      lua_rawset(L, -3);
      if (qtype == MXR_T_MX) set_int(L, keys, K_PREFERENCE, rec->pref);
      if (qtype == MXR_T_TLSA) {
        set_int(L, keys, K_USAGE, rec->tlsa[0]);
        set_int(L, keys, K_SELECTOR, rec->tlsa[1]);
        set_int(L, keys, K_MTYPE, rec->tlsa[2]);
      }
      set_int(L, keys, K_TTL, (lua_Integer)rec->ttl);
    }
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_rawset(L, -3); /* records */
  lua_remove(L, keys);
  return 1;
}
