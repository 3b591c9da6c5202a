/* lua_spf.c: the SPF evaluator (mxr_spf) for Lua: spf_new, spf_parse,
 * spf_expand, spf_is_record. The Lua side (mxrecord.spf) does the lookups
 * and feeds the evaluator; nothing here touches the network. */
#include <stdlib.h>
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_spf.h"

#define SPF_MT "mxrecord.spf_evaluator"

typedef struct lspf {
  mxr_spf *ev;
} lspf;

static lspf *check_spf(lua_State *L) {
  lspf *s = (lspf *)luaL_checkudata(L, 1, SPF_MT);
  if (!s->ev) luaL_error(L, "spf evaluator is closed");
  return s;
}

static const char *opt_string(lua_State *L, int t, const char *k) {
  const char *v = NULL;
  lua_getfield(L, t, k);
  if (!lua_isnil(L, -1)) {
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "bad option '%s' (string expected)", k);
    v = lua_tostring(L, -1);
  }
  lua_pop(L, 1);
  return v; /* still referenced by the options table */
}

/* spf_new(ip, sender, helo [, {receiver=, now=, domain=}]) -> evaluator | nil, message */
static int m_spf_new(lua_State *L) {
  const char *ip = luaL_checkstring(L, 1);
  size_t slen, hlen, iplen;
  (void)lua_tolstring(L, 1, &iplen);
  const char *sender = luaL_optlstring(L, 2, "", &slen);
  const char *helo = luaL_optlstring(L, 3, "", &hlen);
  mxr_spf_options o;
  memset(&o, 0, sizeof o);
  if (!lua_isnoneornil(L, 4)) {
    luaL_checktype(L, 4, LUA_TTABLE);
    o.receiver = opt_string(L, 4, "receiver");
    o.domain = opt_string(L, 4, "domain");
    lua_getfield(L, 4, "now");
    if (!lua_isnil(L, -1)) o.now = (long long)luaL_checknumber(L, -1);
    lua_pop(L, 1);
  }
  if (strlen(ip) != iplen || strlen(sender) != slen || strlen(helo) != hlen) {
    lua_pushnil(L);
    lua_pushliteral(L, "NUL in ip, sender or helo");
    return 2;
  }
  lspf *s = (lspf *)lua_newuserdata(L, sizeof *s);
  s->ev = NULL;
  luaL_getmetatable(L, SPF_MT);
  lua_setmetatable(L, -2);
  char err[128];
  s->ev = mxr_spf_new(ip, sender, helo, &o, err, sizeof err);
  if (!s->ev) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  return 1;
}

static const char *qtype_str(int q) {
  switch (q) {
    case MXR_SPF_Q_A: return "a";
    case MXR_SPF_Q_AAAA: return "aaaa";
    case MXR_SPF_Q_MX: return "mx";
    case MXR_SPF_Q_PTR: return "ptr";
    case MXR_SPF_Q_TXT: return "txt";
  }
  return "?";
}

static int qtype_num(lua_State *L, int idx) {
  static const char *const names[] = {"a", "aaaa", "mx", "ptr", "txt", NULL};
  static const int nums[] = {MXR_SPF_Q_A, MXR_SPF_Q_AAAA, MXR_SPF_Q_MX, MXR_SPF_Q_PTR, MXR_SPF_Q_TXT};
  return nums[luaL_checkoption(L, idx, NULL, names)];
}

static void set_string(lua_State *L, const char *k, const char *v) {
  if (!v) return;
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, int v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

/* ev:step() -> "need", name, qtype | "done", result table */
static int m_step(lua_State *L) {
  lspf *s = check_spf(L);
  const char *name = NULL;
  int qtype = 0;
  if (mxr_spf_step(s->ev, &name, &qtype) == MXR_SPF_NEED) {
    lua_pushliteral(L, "need");
    lua_pushstring(L, name);
    lua_pushstring(L, qtype_str(qtype));
    return 3;
  }
  const mxr_spf_outcome *o = mxr_spf_outcome_get(s->ev);
  lua_pushliteral(L, "done");
  lua_createtable(L, 0, 10);
  set_string(L, "result", mxr_spf_result_name(o->result));
  set_string(L, "domain", o->domain);
  set_string(L, "record", o->record);
  set_string(L, "mechanism", o->mechanism);
  set_string(L, "explanation", o->explanation);
  set_int(L, "lookups", o->lookups);
  set_int(L, "void_lookups", o->void_lookups);
  set_int(L, "queries", o->queries);
  lua_createtable(L, (int)o->nproblems, 0);
  for (size_t i = 0; i < o->nproblems; i++) {
    lua_pushstring(L, o->problems[i]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  lua_setfield(L, -2, "problems");
  return 2;
}

/* ev:feed(name, qtype, status, records): status "ok" | "nxdomain" | "nodata" |
 * "tempfail"; records: strings, or tables with address / exchange / target. */
static int m_feed(lua_State *L) {
  static const char *const statuses[] = {"ok", "nxdomain", "nodata", "tempfail", NULL};
  lspf *s = check_spf(L);
  const char *name = luaL_checkstring(L, 2);
  int qtype = qtype_num(L, 3);
  int dns = luaL_checkoption(L, 4, NULL, statuses);
  size_t n = 0;
  if (dns == MXR_SPF_DNS_OK && !lua_isnoneornil(L, 5)) {
    luaL_checktype(L, 5, LUA_TTABLE);
    n = (size_t)mxr_rawlen(L, 5);
  }
  if (n > 4096) return luaL_argerror(L, 5, "too many records");
  /* collect the strings on the Lua stack first, so nothing leaks on a raise */
  luaL_checkstack(L, (int)n + 4, "too many records");
  int base = lua_gettop(L);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 5, (int)i + 1);
    if (lua_type(L, -1) == LUA_TTABLE) {
      int t = lua_gettop(L);
      lua_getfield(L, t, "address");
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_getfield(L, t, "exchange");
      }
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_getfield(L, t, "target");
      }
      lua_remove(L, t);
    }
    if (lua_type(L, -1) != LUA_TSTRING) return luaL_argerror(L, 5, "records must be strings or record tables");
  }
  const char **recs = n ? malloc(n * sizeof *recs) : NULL;
  size_t *lens = n ? malloc(n * sizeof *lens) : NULL;
  if (n && (!recs || !lens)) {
    free(recs);
    free(lens);
    return luaL_error(L, "out of memory");
  }
  for (size_t i = 0; i < n; i++) recs[i] = lua_tolstring(L, base + (int)i + 1, &lens[i]);
  int r = mxr_spf_feed(s->ev, name, qtype, dns, n, recs, lens);
  free(recs);
  free(lens);
  lua_pushboolean(L, r == 0);
  return 1;
}

static int m_close(lua_State *L) {
  lspf *s = (lspf *)luaL_checkudata(L, 1, SPF_MT);
  mxr_spf_free(s->ev);
  s->ev = NULL;
  return 0;
}

static const char *const kind_names[] = {"all", "include", "a",        "mx",  "ptr",     "ip4",
                                         "ip6", "exists",  "redirect", "exp", "modifier"};

/* spf_parse(text) -> { terms = { {kind=, qualifier=, text=, value=, cidr4=, cidr6=, name=}... } } | nil, message */
static int m_spf_parse(lua_State *L) {
  size_t len;
  const char *txt = luaL_checklstring(L, 1, &len);
  mxr_spf_record rec;
  char err[300];
  if (mxr_spf_parse(txt, len, &rec, err, sizeof err) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  /* copy the terms into Lua values before anything may raise */
  lua_createtable(L, 0, 1);
  lua_createtable(L, (int)rec.count, 0);
  for (size_t i = 0; i < rec.count; i++) {
    const mxr_spf_term *m = &rec.terms[i];
    lua_createtable(L, 0, 7);
    lua_pushstring(L, kind_names[m->kind]);
    lua_setfield(L, -2, "kind");
    lua_pushlstring(L, m->text, m->textlen);
    lua_setfield(L, -2, "text");
    if (m->qualifier) {
      lua_pushlstring(L, &m->qualifier, 1);
      lua_setfield(L, -2, "qualifier");
    }
    if (m->name) {
      lua_pushlstring(L, m->name, m->namelen);
      lua_setfield(L, -2, "name");
    }
    if (m->value) {
      lua_pushlstring(L, m->value, m->valuelen);
      lua_setfield(L, -2, "value");
    }
    if (m->cidr4 >= 0) set_int(L, "cidr4", m->cidr4);
    if (m->cidr6 >= 0) set_int(L, "cidr6", m->cidr6);
    lua_rawseti(L, -2, (int)i + 1);
  }
  mxr_spf_record_free(&rec);
  lua_setfield(L, -2, "terms");
  return 1;
}

/* spf_expand(text, {ip=, sender=, helo=, domain=, explanation=}) -> string | nil, message */
static int m_spf_expand(lua_State *L) {
  size_t len;
  const char *txt = luaL_checklstring(L, 1, &len);
  luaL_checktype(L, 2, LUA_TTABLE);
  const char *ip = opt_string(L, 2, "ip");
  const char *sender = opt_string(L, 2, "sender");
  const char *helo = opt_string(L, 2, "helo");
  const char *domain = opt_string(L, 2, "domain");
  lua_getfield(L, 2, "explanation");
  int expl = lua_toboolean(L, -1);
  lua_pop(L, 1);
  char out[MXR_SPF_EXPAND_MAX + 1];
  int n = mxr_spf_expand(ip ? ip : "192.0.2.1", sender ? sender : "", helo ? helo : "", domain ? domain : "", txt, len,
                         expl, out, sizeof out);
  if (n < 0) {
    lua_pushnil(L);
    lua_pushstring(L, n == -1 ? "macro syntax error" : "expansion too long");
    return 2;
  }
  lua_pushlstring(L, out, (size_t)n);
  return 1;
}

/* spf_valid(text) -> whether it parses as an SPF record (spf_parse without the table) */
static int m_spf_valid(lua_State *L) {
  size_t len;
  const char *txt = luaL_checklstring(L, 1, &len);
  mxr_spf_record rec;
  char err[300];
  int ok = mxr_spf_parse(txt, len, &rec, err, sizeof err) == 0;
  if (ok) mxr_spf_record_free(&rec);
  lua_pushboolean(L, ok);
  return 1;
}

static int m_spf_is_record(lua_State *L) {
  size_t len;
  const char *txt = luaL_checklstring(L, 1, &len);
  lua_pushboolean(L, mxr_spf_record_is(txt, len));
  return 1;
}

void mxr_lua_open_spf(lua_State *L) {
  static const luaL_Reg methods[] = {{"step", m_step}, {"feed", m_feed}, {"close", m_close}, {NULL, NULL}};
  luaL_newmetatable(L, SPF_MT);
  lua_pushcfunction(L, m_close);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  mxr_setfuncs(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  static const luaL_Reg funcs[] = {{"spf_new", m_spf_new},       {"spf_parse", m_spf_parse},
                                   {"spf_expand", m_spf_expand}, {"spf_is_record", m_spf_is_record},
                                   {"spf_valid", m_spf_valid},   {NULL, NULL}};
  mxr_setfuncs(L, funcs);
}
