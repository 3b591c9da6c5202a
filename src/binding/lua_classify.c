/* lua_classify.c: the compiled provider rules ("mxrecord.rules") and the
 * classify function built on them. The rules data and add_provider live in
 * lua/mxrecord/providers.lua and lua/mxrecord/classify.lua; this file only
 * compiles them into mxr_rules and turns verdicts into Lua tables. */
#include <math.h>
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

/* The rules' uservalue is { providers, suffixes }: providers holds, for
 * provider number i (1-based in Lua, 0-based in C), id at 3i+1, name at 3i+2
 * and category at 3i+3; suffixes holds rule number j's suffix (normalised) at
 * j+1, so results reuse Lua strings instead of making new ones. */
#define UV_PROVIDERS 1
#define UV_SUFFIXES 2

static void new_uservalue(lua_State *L, int ud) {
  lua_createtable(L, 2, 0);
  lua_newtable(L);
  lua_rawseti(L, -2, UV_PROVIDERS);
  lua_newtable(L);
  lua_rawseti(L, -2, UV_SUFFIXES);
  mxr_setuservalue(L, ud);
}

/* Pushes table k of the uservalue of the userdata at index ud. */
static void push_uv(lua_State *L, int ud, int k) {
  mxr_getuservalue(L, ud);
  lua_rawgeti(L, -1, k);
  lua_remove(L, -2);
}

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
  /* The name tables stay (classify functions hold them): entries are
   * overwritten as rules come back, and stale ones are never looked up. */
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
    return luaL_argerror(L, 5,
                         lua_pushfstring(L,
                                         "category must be one of mailbox, gateway, forwarding, "
                                         "transactional, hosting, isp; got '%s'",
                                         cat));
  rc = mxr_rules_set_provider(lr->rules, (int)n - 1, category);
  if (rc == -1) return luaL_error(L, "out of memory");
  push_uv(L, 1, UV_PROVIDERS);
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
  if (rc >= 0) {
    char norm[MXR_NAME_MAX + 1];
    const char *why;
    mxr_name_normalize(suffix, len, norm, &why); /* succeeded inside mxr_rules_add */
    push_uv(L, 1, UV_SUFFIXES);
    lua_pushstring(L, norm);
    lua_rawseti(L, -2, rc + 1);
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

/* ---- classify ------------------------------------------------------------- */

typedef struct host {
  const char *s;
  size_t len;
  lua_Number pref;
  int idx; /* position in the source list */
} host;

/* By preference, then by position: a stable order from qsort. */
static int host_cmp(const void *a, const void *b) {
  const host *x = (const host *)a, *y = (const host *)b;
  if (x->pref != y->pref) return x->pref < y->pref ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Strings classify uses, made once and kept in its second upvalue, so that
 * building a result is raw table stores of existing strings. */
enum {
  K_ID = 1,
  K_NAME,
  K_CATEGORY,
  K_SOURCE,
  K_RULE,
  K_HOST,
  K_INCLUDE,
  K_REDIRECT,
  K_MX,
  K_SPF,
  K_DOMAIN,
  K_STATUS,
  K_RECORDS,
  K_EXCHANGE,
  K_PREFERENCE,
  K_OK,
  K_GATEWAY,
  K_EVIDENCE,
  K_SENDERS,
  K_SELF_ID,
  K_UNKNOWN_ID,
  K_NONE_ID,
  K_SELF_NAME,
  K_UNKNOWN_NAME,
  K_NONE_NAME,
  K_WANT_EVIDENCE,
  K_CNAME,
  K_CONFIDENCE,
  K_RELAY_ID,
  K_RELAY_NAME,
  K_CONF_NAMES,                   /* + enum mxr_confidence */
  K_CATEGORIES = K_CONF_NAMES + 3 /* + enum mxr_category */
};
static const char *const key_strings[] = {"id",
                                          "name",
                                          "category",
                                          "source",
                                          "rule",
                                          "host",
                                          "include",
                                          "redirect",
                                          "mx",
                                          "spf",
                                          "domain",
                                          "status",
                                          "records",
                                          "exchange",
                                          "preference",
                                          "ok",
                                          "gateway",
                                          "evidence",
                                          "senders",
                                          "self_hosted",
                                          "unknown",
                                          "none",
                                          "Self-hosted",
                                          "Unknown",
                                          "No mail servers",
                                          "evidence",
                                          "cname",
                                          "confidence",
                                          "unknown_relay",
                                          "Unknown relay",
                                          "high",
                                          "medium",
                                          "low"};

static void push_keys(lua_State *L) {
  int i, n = (int)(sizeof key_strings / sizeof key_strings[0]);
  lua_createtable(L, n + MXR_CAT__COUNT, 0);
  for (i = 0; i < n; i++) {
    lua_pushstring(L, key_strings[i]);
    lua_rawseti(L, -2, i + 1);
  }
  for (i = 0; i < MXR_CAT__COUNT; i++) {
    lua_pushstring(L, mxr_category_name(i));
    lua_rawseti(L, -2, K_CATEGORIES + i);
  }
}

#define KS lua_upvalueindex(2)

/* t[key k] = value on top of the stack (popped); t is an absolute index. */
static void set_k(lua_State *L, int t, int k) {
  lua_rawgeti(L, KS, k);
  lua_insert(L, -2);
  lua_rawset(L, t);
}

/* t[key k] = src[i]; t and src are absolute indices. */
static void set_k_from(lua_State *L, int t, int k, int src, int i) {
  lua_rawgeti(L, KS, k);
  lua_rawgeti(L, src, i);
  lua_rawset(L, t);
}

/* Pushes t[key k], raw; t is an absolute index. */
static void get_k(lua_State *L, int t, int k) {
  lua_rawgeti(L, KS, k);
  lua_rawget(L, t);
}

/* Pushes {id=, name=, category=} of provider m (0-based) from the table at pv. */
static void push_provider(lua_State *L, int pv, int m) {
  int t;
  lua_createtable(L, 0, 3);
  t = lua_gettop(L);
  set_k_from(L, t, K_ID, pv, 3 * m + 1);
  set_k_from(L, t, K_NAME, pv, 3 * m + 2);
  set_k_from(L, t, K_CATEGORY, pv, 3 * m + 3);
}

/* Evidence entries are built in two steps: the caller creates the table
 * (lua_createtable(L, 0, 4)), pushes the host or include, then calls
 * add_evidence, which fills {source=, <what>=value, rule=, id=} and appends
 * the entry to the list at ev. The rule is suffix number rule_id, or for
 * self the value at index self_rule. */
static void add_evidence(lua_State *L, int ev, int pv, int sx, int source, int what, int rule_id, int self_rule, int m,
                         int *nev) {
  int t = lua_gettop(L) - 1;
  set_k(L, t, what);
  set_k_from(L, t, K_SOURCE, KS, source);
  if (m == MXR_MATCH_SELF) {
    lua_rawgeti(L, KS, K_RULE);
    lua_pushvalue(L, self_rule);
    lua_rawset(L, t);
    set_k_from(L, t, K_ID, KS, K_SELF_ID);
  } else {
    set_k_from(L, t, K_RULE, sx, rule_id + 1);
    set_k_from(L, t, K_ID, pv, 3 * m + 1);
  }
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
  get_k(L, 2, K_RECORDS);
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

/* Pushes the host string of source entry i (a string or a record). */
static void push_host(lua_State *L, int src, int i) {
  lua_rawgeti(L, src, i);
  if (lua_type(L, -1) == LUA_TTABLE) {
    int t = lua_gettop(L);
    get_k(L, t, K_EXCHANGE);
    lua_remove(L, t);
  }
}

/* Options of classify: "evidence" is read here; the others are evidence
 * that profile gathers beyond MX and SPF, weighed by the Lua hook (upvalue
 * 5, see lua/mxrecord/classify.lua). */
static const char *const option_names[] = {"evidence", "txt", "dkim", "autodiscover", "cname", NULL};

/* Edit distance of a and b when both are short, else a large number. */
static int distance(const char *a, size_t n, const char *b, size_t m) {
  int row[32], i, j;
  if (n >= 31 || m >= 31) return 99;
  for (j = 0; j <= (int)m; j++) row[j] = j;
  for (i = 1; i <= (int)n; i++) {
    int diag = row[0], up;
    row[0] = i;
    for (j = 1; j <= (int)m; j++) {
      int best = diag + (a[i - 1] != b[j - 1]);
      up = row[j];
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      diag = up;
      row[j] = best;
    }
  }
  return row[m];
}

/* Raises "bad argument #3 to 'classify' (...)" at the caller's line. */
static int option_error(lua_State *L, const char *key, size_t len) {
  const char *near = NULL;
  int i, best = 3;
  for (i = 0; option_names[i]; i++) {
    int d = distance(key, len, option_names[i], strlen(option_names[i]));
    if (d < best) {
      best = d;
      near = option_names[i];
    }
  }
  luaL_where(L, 1);
  if (near)
    lua_pushfstring(L, "bad argument #3 to 'classify' (unknown option '%s'; did you mean '%s'?)", key, near);
  else
    lua_pushfstring(L, "bad argument #3 to 'classify' (unknown option '%s')", key);
  lua_concat(L, 2);
  return lua_error(L);
}

/* Checks the options table at index 3; returns 1 when it holds evidence for
 * the hook, and sets *want_ev. */
static int check_options(lua_State *L, int *want_ev) {
  int extra = 0;
  if (lua_isnil(L, 3)) return 0;
  if (!lua_istable(L, 3))
    return luaL_argerror(L, 3, lua_pushfstring(L, "options table expected, got %s", luaL_typename(L, 3)));
  lua_pushnil(L);
  while (lua_next(L, 3)) {
    size_t len = 0;
    const char *k;
    int i;
    lua_pop(L, 1);
    lua_rawgeti(L, KS, K_WANT_EVIDENCE); /* the common case, without string compares */
    if (lua_rawequal(L, -1, -2)) {
      lua_rawget(L, 3);
      *want_ev = lua_isnil(L, -1) || lua_toboolean(L, -1);
      lua_pop(L, 1); /* the key stays, for lua_next */
      continue;
    }
    lua_pop(L, 1);
    k = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
    if (!k) {
      if (lua_type(L, -1) == LUA_TNUMBER) {
        lua_pushvalue(L, -1);
        k = lua_tolstring(L, -1, &len); /* a copy: the key itself stays a number */
      } else {
        k = luaL_typename(L, -1);
        len = strlen(k);
      }
      return option_error(L, k, len);
    }
    for (i = 0; option_names[i]; i++)
      if (strlen(option_names[i]) == len && memcmp(option_names[i], k, len) == 0) break;
    if (!option_names[i]) return option_error(L, k, len);
    if (i > 0) extra = 1; /* "evidence" itself was handled above */
  }
  return extra;
}

/* One classify() call: where its pieces are on the stack. */
typedef struct job {
  int src;     /* the list of hosts or records */
  int dom_idx; /* the domain (a string or nil) */
  int res;     /* the result table */
  int ev;      /* the evidence list (nil without evidence) */
  int senders; /* the senders list */
  int nev, nsend, want_ev;
  host *hosts;
  int nhosts;
} job;

#define PV lua_upvalueindex(3) /* provider names */
#define SX lua_upvalueindex(4) /* rule suffixes */

/* Reads the n entries of the list at j->src into j->hosts (strings, or
 * records with exchange and preference) and sorts them by preference, stably. */
static void read_hosts(lua_State *L, job *j, int n) {
  int i, sorted = 1, any_pref = 0;
  for (i = 1; i <= n; i++) {
    host *h = &j->hosts[j->nhosts];
    lua_rawgeti(L, j->src, i);
    h->pref = 0;
    h->idx = i;
    if (lua_type(L, -1) == LUA_TSTRING) {
      h->s = lua_tolstring(L, -1, &h->len);
    } else if (lua_type(L, -1) == LUA_TTABLE) {
      int t = lua_gettop(L);
      get_k(L, t, K_EXCHANGE);
      if (lua_type(L, -1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "MX record %d has no exchange (string)", i));
      h->s = lua_tolstring(L, -1, &h->len);
      get_k(L, t, K_PREFERENCE);
      if (lua_type(L, -1) == LUA_TNUMBER) {
        h->pref = lua_tonumber(L, -1);
        if (h->pref != h->pref) h->pref = HUGE_VAL; /* NaN: last, so the order stays total */
        any_pref = 1;
      }
      lua_pop(L, 2);
    } else {
      luaL_argerror(L, 1, lua_pushfstring(L, "MX host %d is a %s, not a string", i, luaL_typename(L, -1)));
    }
    /* Strings stay alive: they are held by the argument table, which no Lua
     * code can touch before we return. */
    lua_pop(L, 1);
    if (j->nhosts > 0 && h->pref < j->hosts[j->nhosts - 1].pref) sorted = 0;
    j->nhosts++;
  }
  if (any_pref && !sorted) qsort(j->hosts, (size_t)j->nhosts, sizeof *j->hosts, host_cmp);
}

/* Feeds the hosts to the classifier, with evidence for each match. */
static void add_hosts(lua_State *L, job *j, mxr_classifier *c) {
  int i;
  for (i = 0; i < j->nhosts; i++) {
    int rule_id, m = mxr_classify_host(c, j->hosts[i].s, j->hosts[i].len, &rule_id);
    if (m == MXR_MATCH_NONE || !j->want_ev) continue;
    lua_createtable(L, 0, 4);
    push_host(L, j->src, j->hosts[i].idx);
    add_evidence(L, j->ev, PV, SX, K_MX, K_HOST, rule_id, j->dom_idx, m, &j->nev);
  }
}

/* Feeds the SPF record's include:/redirect= targets to the classifier:
 * evidence for each match, each sender once in j->senders. */
static void add_spf(lua_State *L, job *j, mxr_classifier *c, const char *spf, size_t spf_len) {
  size_t pos = 0, len;
  const char *dom;
  int redirect, is_new, rule_id;
  while (mxr_spf_next(spf, spf_len, &pos, &dom, &len, &redirect)) {
    int m = mxr_classify_include(c, dom, len, &rule_id, &is_new);
    if (m == MXR_MATCH_NONE) continue;
    if (j->want_ev) {
      lua_createtable(L, 0, 4);
      lua_pushlstring(L, dom, len);
      add_evidence(L, j->ev, PV, SX, K_SPF, redirect ? K_REDIRECT : K_INCLUDE, rule_id, 0, m, &j->nev);
    }
    if (is_new) {
      push_provider(L, PV, m);
      lua_rawseti(L, j->senders, ++j->nsend);
    }
  }
}

/* result.gateway: a known gateway, or the relay (an unknown host, or one
 * under the domain itself) in front of the mailbox provider. */
static void set_gateway(lua_State *L, job *j, const mxr_classifier *c, const mxr_verdict *v) {
  int t;
  lua_rawgeti(L, KS, K_GATEWAY);
  lua_createtable(L, 0, 3);
  t = lua_gettop(L);
  if (v->gateway >= 0) {
    set_k_from(L, t, K_ID, PV, 3 * v->gateway + 1);
    set_k_from(L, t, K_NAME, PV, 3 * v->gateway + 2);
  } else {
    int self = c->primary == MXR_MATCH_SELF;
    set_k_from(L, t, K_ID, KS, self ? K_SELF_ID : K_RELAY_ID);
    set_k_from(L, t, K_NAME, KS, self ? K_SELF_NAME : K_RELAY_NAME);
    lua_rawgeti(L, KS, K_HOST);
    push_host(L, j->src, j->hosts[v->relay].idx);
    lua_rawset(L, t);
    if (j->want_ev && !self) { /* the relay is evidence too: the host that took the place of a rule */
      lua_createtable(L, 0, 3);
      push_host(L, j->src, j->hosts[v->relay].idx);
      set_k(L, lua_gettop(L) - 1, K_HOST);
      set_k_from(L, lua_gettop(L), K_SOURCE, KS, K_MX);
      set_k_from(L, lua_gettop(L), K_ID, KS, K_RELAY_ID);
      lua_rawseti(L, j->ev, ++j->nev);
    }
  }
  lua_rawset(L, j->res);
}

/* result.id, name, category, confidence, gateway, evidence, senders. */
static void set_verdict(lua_State *L, job *j, const mxr_classifier *c, const mxr_verdict *v) {
  int res = j->res;
  if (v->provider >= 0) {
    set_k_from(L, res, K_ID, PV, 3 * v->provider + 1);
    set_k_from(L, res, K_NAME, PV, 3 * v->provider + 2);
  } else {
    int k = v->category == MXR_CAT_SELF ? 0 : v->category == MXR_CAT_UNKNOWN ? 1 : 2;
    set_k_from(L, res, K_ID, KS, K_SELF_ID + k);
    set_k_from(L, res, K_NAME, KS, K_SELF_NAME + k);
  }
  set_k_from(L, res, K_CATEGORY, KS, K_CATEGORIES + v->category);
  set_k_from(L, res, K_CONFIDENCE, KS, K_CONF_NAMES + v->confidence);
  if (v->gateway >= 0 || v->relay >= 0) set_gateway(L, j, c, v);
  if (j->want_ev) {
    lua_pushvalue(L, j->ev);
    set_k(L, res, K_EVIDENCE);
  }
  if (c->senders_full) { /* cannot happen with the room given; said all the same */
    lua_pushboolean(L, 1);
    lua_setfield(L, res, "senders_truncated");
  }
  lua_pushvalue(L, j->senders);
  set_k(L, res, K_SENDERS);
}

/* classify(hosts_or_mx_result [, spf [, opts]])
 *   -> { id, name, category, confidence, gateway?, senders, evidence? } */
static int classify(lua_State *L) {
  lrules *lr = (lrules *)lua_touserdata(L, lua_upvalueindex(1));
  host stack_hosts[STACK_HOSTS];
  int stack_senders[MXR_MAX_SENDERS * 2];
  const char *domain = NULL, *spf, *alias = NULL;
  size_t dlen = 0, spf_len = 0, alen = 0;
  int n, none = 0, extra;
  mxr_classifier c;
  mxr_verdict v;
  job j;

  if (lua_type(L, 1) != LUA_TTABLE)
    return luaL_argerror(L, 1,
                         lua_pushfstring(L, "list of MX hosts or MX result expected, got %s", luaL_typename(L, 1)));
  lua_settop(L, 3);
  memset(&j, 0, sizeof j);
  j.want_ev = 1;
  extra = check_options(L, &j.want_ev);
  spf = spf_arg(L, &spf_len);

  get_k(L, 1, K_DOMAIN);
  j.dom_idx = lua_gettop(L);
  if (lua_type(L, -1) == LUA_TSTRING) domain = lua_tolstring(L, -1, &dlen);
  get_k(L, 1, K_STATUS);
  if (lua_type(L, -1) == LUA_TSTRING) { /* an r:mx() result: it may say the domain is an alias */
    lua_rawgeti(L, KS, K_OK);
    none = !lua_rawequal(L, -1, -2);
    lua_pop(L, 1);
    get_k(L, 1, K_CNAME);
    if (lua_type(L, -1) == LUA_TSTRING) alias = lua_tolstring(L, -1, &alen);
  }
  get_k(L, 1, K_RECORDS);
  j.src = lua_istable(L, -1) ? lua_gettop(L) : 1;

  n = none ? 0 : (int)mxr_rawlen(L, j.src);
  j.hosts = n > STACK_HOSTS ? (host *)lua_newuserdata(L, (size_t)n * sizeof *j.hosts) : stack_hosts;
  read_hosts(L, &j, n);

  lua_createtable(L, 0, 7);
  j.res = lua_gettop(L);
  if (j.want_ev)
    lua_createtable(L, j.nhosts + (spf ? 4 : 0), 0);
  else
    lua_pushnil(L);
  j.ev = lua_gettop(L);
  lua_createtable(L, 0, 0);
  j.senders = lua_gettop(L);

  mxr_classify_begin(&c, lr->rules, domain, dlen);
  if (alias) mxr_classify_alias(&c, alias, alen);
  if (spf) { /* room for every include the record can hold: none is dropped */
    size_t most = spf_len / 9 + 1;
    if (most > sizeof stack_senders / sizeof stack_senders[0])
      mxr_classify_senders(&c, (int *)lua_newuserdata(L, most * sizeof(int)), (int)most);
    else
      mxr_classify_senders(&c, stack_senders, (int)(sizeof stack_senders / sizeof stack_senders[0]));
  }
  add_hosts(L, &j, &c);
  if (spf) add_spf(L, &j, &c, spf, spf_len);
  mxr_classify_end(&c, &v);
  set_verdict(L, &j, &c, &v);

  if (extra && !lua_isnil(L, lua_upvalueindex(5))) { /* the Lua hook that weighs evidence beyond MX and SPF */
    lua_pushvalue(L, lua_upvalueindex(5));
    lua_pushvalue(L, j.res);
    lua_pushvalue(L, 3);
    lua_pushvalue(L, 1);
    lua_call(L, 3, 0);
  }
  lua_pushvalue(L, j.res);
  return 1;
}

/* rules:classifier([hook]) -> classify function bound to these rules; hook
 * (result, opts, mx) weighs the evidence beyond MX and SPF given in opts. */
static int rules_classifier(lua_State *L) {
  check_rules(L, 1);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  lua_pushvalue(L, 1);
  push_keys(L);
  push_uv(L, 1, UV_PROVIDERS);
  push_uv(L, 1, UV_SUFFIXES);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, classify, 5);
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
  new_uservalue(L, lua_gettop(L));
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

static const luaL_Reg rules_methods[] = {{"clear", rules_clear},
                                         {"provider", rules_provider},
                                         {"add", rules_add},
                                         {"classifier", rules_classifier},
                                         {NULL, NULL}};

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
