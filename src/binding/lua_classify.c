/* lua_classify.c: the compiled provider rules ("mxrecord.rules") and the
 * classify function built on them. The rules data and add_provider live in
 * lua/mxrecord/providers.lua and lua/mxrecord/classify.lua; this file only
 * compiles them into mxr_rules and turns verdicts into Lua tables. */
#include <stdlib.h>
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_classify.h"
#include "mxr_name.h"

#define RULES_MT "mxrecord.rules"
#define STACK_HOSTS 64

typedef struct lrules {
  mxr_rules *rules;
} lrules;

/* The rules' uservalue holds, for provider number i (1-based in Lua, 0-based
 * in C), id at 3i+1, name at 3i+2 and category at 3i+3. */

static lrules *check_rules(lua_State *L, int idx) { return (lrules *)luaL_checkudata(L, idx, RULES_MT); }

static int rules_gc(lua_State *L) {
  lrules *lr = check_rules(L, 1);
  mxr_rules_free(lr->rules);
  lr->rules = NULL;
  return 0;
}

/* rules:clear() */
static int rules_clear(lua_State *L) {
  lrules *lr = check_rules(L, 1);
  mxr_rules_clear(lr->rules);
  lua_newtable(L);
  mxr_setuservalue(L, 1);
  return 0;
}

/* rules:provider(n, id, name, category) */
static int rules_provider(lua_State *L) {
  lrules *lr = check_rules(L, 1);
  lua_Integer n = luaL_checkinteger(L, 2);
  size_t clen;
  const char *cat;
  int category, rc;
  luaL_checkstring(L, 3);
  luaL_checkstring(L, 4);
  cat = luaL_checklstring(L, 5, &clen);
  category = mxr_category_parse(cat, clen);
  if (n < 1 || n > 1000000) return luaL_argerror(L, 2, "provider number out of range");
  if (category < 0 || category >= MXR_CAT_SELF)
    return luaL_argerror(L, 5, lua_pushfstring(L, "category must be one of mailbox, gateway, forwarding, "
                                                  "transactional, hosting, isp; got '%s'", cat));
  rc = mxr_rules_set_provider(lr->rules, (int)n - 1, category);
  if (rc == -1) return luaL_error(L, "out of memory");
  mxr_getuservalue(L, 1);
  lua_pushvalue(L, 3);
  lua_rawseti(L, -2, (int)(3 * (n - 1) + 1));
  lua_pushvalue(L, 4);
  lua_rawseti(L, -2, (int)(3 * (n - 1) + 2));
  lua_pushvalue(L, 5);
  lua_rawseti(L, -2, (int)(3 * (n - 1) + 3));
  return 0;
}

/* rules:add("mx"|"spf", suffix, n) -> true | nil, message */
static int rules_add(lua_State *L) {
  static const char *const kinds[] = {"mx", "spf", NULL};
  lrules *lr = check_rules(L, 1);
  int kind = luaL_checkoption(L, 2, NULL, kinds);
  size_t len;
  const char *suffix = luaL_checklstring(L, 3, &len);
  lua_Integer n = luaL_checkinteger(L, 4);
  int rc = n >= 1 && n <= 1000000 ? mxr_rules_add(lr->rules, kind, suffix, len, (int)n - 1) : -3;
  if (rc == 0) {
    lua_pushboolean(L, 1);
    return 1;
  }
  if (rc == -1) return luaL_error(L, "out of memory");
  lua_pushnil(L);
  if (rc == -2)
    lua_pushfstring(L, "'%s' is not a domain name suffix", suffix);
  else
    lua_pushfstring(L, "provider %d is not declared", (int)n);
  return 2;
}

/* rules:count("mx"|"spf") */
static int rules_count(lua_State *L) {
  static const char *const kinds[] = {"mx", "spf", NULL};
  lrules *lr = check_rules(L, 1);
  lua_pushinteger(L, (lua_Integer)mxr_rules_count(lr->rules, luaL_checkoption(L, 2, NULL, kinds)));
  return 1;
}

/* ---- classify ------------------------------------------------------------- */

typedef struct host {
  const char *s;
  size_t len;
  lua_Number pref;
} host;

/* Pushes a lower-cased copy of s[off..len) without a trailing dot. */
static void push_folded(lua_State *L, const char *s, size_t len, size_t off) {
  char buf[MXR_NAME_MAX + 1];
  size_t i, n = 0;
  if (len > 0 && s[len - 1] == '.') len--;
  for (i = off; i < len && n < sizeof buf; i++) {
    unsigned char ch = (unsigned char)s[i];
    buf[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  }
  lua_pushlstring(L, buf, n);
}

/* Pushes {id=, name=, category=} of provider m (0-based) from the uservalue at uv. */
static void push_provider(lua_State *L, int uv, int m) {
  lua_createtable(L, 0, 3);
  lua_rawgeti(L, uv, 3 * m + 1);
  lua_setfield(L, -2, "id");
  lua_rawgeti(L, uv, 3 * m + 2);
  lua_setfield(L, -2, "name");
  lua_rawgeti(L, uv, 3 * m + 3);
  lua_setfield(L, -2, "category");
}

static void push_id(lua_State *L, int uv, int m) {
  if (m >= 0)
    lua_rawgeti(L, uv, 3 * m + 1);
  else if (m == MXR_MATCH_SELF)
    lua_pushliteral(L, "self_hosted");
  else
    lua_pushliteral(L, "unknown");
}

/* Adds {source=, <what>=value, rule=, id=} to the evidence list at ev. */
static void add_evidence(lua_State *L, int ev, int uv, const char *source, const char *what, const char *s,
                         size_t len, size_t off, int m, int *nev) {
  lua_createtable(L, 0, 4);
  lua_pushstring(L, source);
  lua_setfield(L, -2, "source");
  lua_pushlstring(L, s, len);
  lua_setfield(L, -2, what);
  push_folded(L, s, len, off);
  lua_setfield(L, -2, "rule");
  push_id(L, uv, m);
  lua_setfield(L, -2, "id");
  lua_rawseti(L, ev, ++*nev);
}

/* Finds the SPF text in argument 2: a string, a list of TXT strings, or a
 * result of r:txt(). Returns NULL when there is none. */
static const char *spf_arg(lua_State *L, size_t *len) {
  int t = lua_type(L, 2), i, n;
  if (t == LUA_TNONE || t == LUA_TNIL) return NULL;
  if (t == LUA_TSTRING) return lua_tolstring(L, 2, len);
  if (t != LUA_TTABLE)
    luaL_argerror(L, 2, lua_pushfstring(L, "SPF text (string or table) expected, got %s", luaL_typename(L, 2)));
  lua_getfield(L, 2, "records");
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_pushvalue(L, 2);
  }
  n = (int)mxr_rawlen(L, -1);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, i);
    if (lua_type(L, -1) == LUA_TSTRING) {
      const char *s = lua_tolstring(L, -1, len);
      if (mxr_spf_is_record(s, *len)) {
        lua_replace(L, 2); /* keep it anchored */
        lua_pop(L, 1);
        return s;
      }
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return NULL;
}

/* classify(hosts_or_mx_result [, spf]) -> { id, name, category, gateway?, senders, evidence } */
static int classify(lua_State *L) {
  lrules *lr = (lrules *)lua_touserdata(L, lua_upvalueindex(1));
  host stack_hosts[STACK_HOSTS], *hosts = stack_hosts;
  const char *domain = NULL, *spf;
  size_t dlen = 0, spf_len = 0;
  int n, i, nhosts = 0, sorted = 1, any_pref = 0, none = 0, uv, res, senders, ev, nev = 0, nsend = 0, src;
  mxr_classifier c;
  mxr_verdict v;

  if (lua_type(L, 1) != LUA_TTABLE)
    return luaL_argerror(L, 1,
                         lua_pushfstring(L, "list of MX hosts or MX result expected, got %s", luaL_typename(L, 1)));
  lua_settop(L, 2);
  spf = spf_arg(L, &spf_len);

  lua_getfield(L, 1, "domain");
  if (lua_type(L, -1) == LUA_TSTRING) domain = lua_tolstring(L, -1, &dlen);
  lua_getfield(L, 1, "status");
  if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "ok") != 0) none = 1;
  lua_getfield(L, 1, "records");
  src = lua_istable(L, -1) ? lua_gettop(L) : 1;

  n = none ? 0 : (int)mxr_rawlen(L, src);
  if (n > STACK_HOSTS) hosts = (host *)lua_newuserdata(L, (size_t)n * sizeof *hosts);
  for (i = 1; i <= n; i++) {
    host *h = &hosts[nhosts];
    lua_rawgeti(L, src, i);
    h->pref = 0;
    if (lua_type(L, -1) == LUA_TSTRING) {
      h->s = lua_tolstring(L, -1, &h->len);
    } else if (lua_type(L, -1) == LUA_TTABLE) {
      lua_getfield(L, -1, "exchange");
      if (lua_type(L, -1) != LUA_TSTRING)
        return luaL_argerror(L, 1, lua_pushfstring(L, "MX record %d has no exchange (string)", i));
      h->s = lua_tolstring(L, -1, &h->len);
      lua_getfield(L, -2, "preference");
      if (lua_type(L, -1) == LUA_TNUMBER) {
        h->pref = lua_tonumber(L, -1);
        any_pref = 1;
      }
      lua_pop(L, 2);
    } else {
      return luaL_argerror(L, 1, lua_pushfstring(L, "MX host %d is a %s, not a string", i, luaL_typename(L, -1)));
    }
    /* Strings stay alive: they are held by the argument table, which no Lua
     * code can touch before we return. */
    lua_pop(L, 1);
    if (nhosts > 0 && h->pref < hosts[nhosts - 1].pref) sorted = 0;
    nhosts++;
  }
  if (any_pref && !sorted) { /* stable insertion sort by preference */
    for (i = 1; i < nhosts; i++) {
      host t = hosts[i];
      int j = i;
      while (j > 0 && hosts[j - 1].pref > t.pref) {
        hosts[j] = hosts[j - 1];
        j--;
      }
      hosts[j] = t;
    }
  }

  lua_pushvalue(L, lua_upvalueindex(1));
  mxr_getuservalue(L, -1);
  lua_remove(L, -2);
  uv = lua_gettop(L);
  lua_createtable(L, 0, 6);
  res = lua_gettop(L);
  lua_createtable(L, 2, 0);
  senders = lua_gettop(L);
  lua_createtable(L, nhosts + 2, 0);
  ev = lua_gettop(L);

  mxr_classify_begin(&c, lr->rules, domain, dlen);
  for (i = 0; i < nhosts; i++) {
    size_t off = 0;
    int m = mxr_classify_host(&c, hosts[i].s, hosts[i].len, &off);
    if (m != MXR_MATCH_NONE) add_evidence(L, ev, uv, "mx", "host", hosts[i].s, hosts[i].len, off, m, &nev);
  }
  if (spf) {
    size_t pos = 0, len, off;
    const char *dom;
    int redirect, is_new;
    while (mxr_spf_next(spf, spf_len, &pos, &dom, &len, &redirect)) {
      int m = mxr_classify_include(&c, dom, len, &off, &is_new);
      if (m == MXR_MATCH_NONE) continue;
      add_evidence(L, ev, uv, "spf", redirect ? "redirect" : "include", dom, len, off, m, &nev);
      if (is_new) {
        push_provider(L, uv, m);
        lua_rawseti(L, senders, ++nsend);
      }
    }
  }
  mxr_classify_end(&c, &v);

  if (v.provider >= 0) {
    lua_rawgeti(L, uv, 3 * v.provider + 1);
    lua_setfield(L, res, "id");
    lua_rawgeti(L, uv, 3 * v.provider + 2);
    lua_setfield(L, res, "name");
  } else {
    static const char *const ids[] = {"self_hosted", "unknown", "none"};
    static const char *const names[] = {"Self-hosted", "Unknown", "No mail servers"};
    int k = v.category == MXR_CAT_SELF ? 0 : v.category == MXR_CAT_UNKNOWN ? 1 : 2;
    lua_pushstring(L, ids[k]);
    lua_setfield(L, res, "id");
    lua_pushstring(L, names[k]);
    lua_setfield(L, res, "name");
  }
  lua_pushstring(L, mxr_category_name(v.category));
  lua_setfield(L, res, "category");
  if (v.gateway >= 0) {
    lua_createtable(L, 0, 2);
    lua_rawgeti(L, uv, 3 * v.gateway + 1);
    lua_setfield(L, -2, "id");
    lua_rawgeti(L, uv, 3 * v.gateway + 2);
    lua_setfield(L, -2, "name");
    lua_setfield(L, res, "gateway");
  }
  lua_pushvalue(L, ev);
  lua_setfield(L, res, "evidence");
  lua_pushvalue(L, senders);
  lua_setfield(L, res, "senders");
  lua_pushvalue(L, res);
  return 1;
}

/* rules:classifier() -> classify function bound to these rules */
static int rules_classifier(lua_State *L) {
  check_rules(L, 1);
  lua_settop(L, 1);
  lua_pushcclosure(L, classify, 1);
  return 1;
}

/* rules() -> an empty rule set */
static int m_rules(lua_State *L) {
  lrules *lr = (lrules *)lua_newuserdata(L, sizeof *lr);
  lr->rules = NULL;
  luaL_getmetatable(L, RULES_MT);
  lua_setmetatable(L, -2);
  lr->rules = mxr_rules_new();
  if (!lr->rules) return luaL_error(L, "out of memory");
  lua_newtable(L);
  mxr_setuservalue(L, -2);
  return 1;
}

/* spf_includes(text) -> list of include/redirect targets (no DNS) */
static int m_spf_includes(lua_State *L) {
  size_t len, pos = 0, dlen;
  const char *text = luaL_checklstring(L, 1, &len), *dom;
  int redirect, n = 0;
  lua_newtable(L);
  while (mxr_spf_next(text, len, &pos, &dom, &dlen, &redirect)) {
    lua_pushlstring(L, dom, dlen);
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

static int m_is_spf(lua_State *L) {
  size_t len;
  const char *text = luaL_checklstring(L, 1, &len);
  lua_pushboolean(L, mxr_spf_is_record(text, len));
  return 1;
}

static const luaL_Reg rules_methods[] = {{"clear", rules_clear},   {"provider", rules_provider},
                                         {"add", rules_add},       {"count", rules_count},
                                         {"classifier", rules_classifier}, {NULL, NULL}};

void mxr_lua_open_classify(lua_State *L) {
  luaL_newmetatable(L, RULES_MT);
  lua_pushcfunction(L, rules_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  mxr_setfuncs(L, rules_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushcfunction(L, m_rules);
  lua_setfield(L, -2, "rules");
  lua_pushcfunction(L, m_spf_includes);
  lua_setfield(L, -2, "spf_includes");
  lua_pushcfunction(L, m_is_spf);
  lua_setfield(L, -2, "is_spf");
}
