/* lua_answer.c: DNS answers as Lua values, the one shape every transport
 * gives (the c-ares path, parse_answer for hosts that carry packets), and
 * the one list of query type names. */
#include "lua_binding.h"
#include "lua_compat.h"

static void set_int(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

int mxr_lua_check_qtype(lua_State *L, int idx) {
  return mxr_qtype_parse(mxr_qtype_names[luaL_checkoption(L, idx, NULL, mxr_qtype_names)]);
}

/* Pushes answer a to a query of qtype for name as (res) or (nil, message,
 * code); returns the count. */
int mxr_lua_push_answer(lua_State *L, const char *name, int qtype, const mxr_answer *a) {
  size_t i;
  if (a->error) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s (%s %s)", mxr_error_code(a->error), a->detail ? a->detail : mxr_error_message(a->error),
                    name, mxr_qtype_name(qtype));
    lua_pushstring(L, mxr_error_code(a->error));
    return 3;
  }
  lua_createtable(L, 0, 6);
  lua_pushstring(L, name);
  lua_setfield(L, -2, "domain");
  lua_pushstring(L, mxr_status_name(a->status));
  lua_setfield(L, -2, "status");
  set_int(L, "ttl", (lua_Integer)a->ttl);
  if (a->cname) {
    lua_pushstring(L, a->cname);
    lua_setfield(L, -2, "cname");
  }
  if (a->secure) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "secure");
  }
  lua_createtable(L, (int)a->count, 0);
  for (i = 0; i < a->count; i++) {
    const mxr_record *rec = &a->records[i];
    if (qtype == MXR_T_TXT) {
      lua_pushlstring(L, rec->text, rec->len);
    } else {
      lua_createtable(L, 0, 3);
      lua_pushlstring(L, rec->text, rec->len);
      switch (qtype) {
        case MXR_T_MX:
          lua_setfield(L, -2, "exchange");
          set_int(L, "preference", rec->pref);
          break;
        case MXR_T_A:
        case MXR_T_AAAA: lua_setfield(L, -2, "address"); break;
        case MXR_T_TLSA:
          lua_setfield(L, -2, "data");
          set_int(L, "usage", rec->tlsa[0]);
          set_int(L, "selector", rec->tlsa[1]);
          set_int(L, "mtype", rec->tlsa[2]);
          break;
        default: lua_setfield(L, -2, "target"); /* PTR, NS, CNAME */
      }
      set_int(L, "ttl", (lua_Integer)rec->ttl);
    }
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, "records");
  return 1;
}
