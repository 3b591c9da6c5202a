/* lua_bulk.c: lookup_many's engine for the plain lookups (mx, txt, a, aaaa).
 *
 * lua/mxrecord/bulk.lua keeps the loop, the options and the batch object;
 * this keeps what costs per name: reading the name (from a file or a list
 * without a Lua call per line), normalising it once, the duplicate check,
 * the submission, and the answers, which go to a sink of their own in the
 * resolver core (no callback, no closure, no token table per query) and
 * come out one at a time as (res | false, message, code, name).
 *
 *   r:_engine(qtype, duplicates) -> e     duplicates: "repeat" | "skip" | "error"
 *   e:add(name) -> true | false           false: a duplicate (skipped, or queued as its error)
 *   e:add_file(file, n) -> count, eof     up to n names from an io file, trimmed as bulk.lua does
 *   e:add_list(t, i, n) -> next_i, eof    t[i], t[i+1], ... up to n of them, until a nil
 *   e:take() -> res | false, msg, code, name | nothing
 *   e:load() -> names added and not yet taken
 *   e:duplicates() -> count
 *   e:close()                             drops what is queued; answers still on their way are freed
 *
 * Names that fail before the network (bad names, duplicates reported as
 * errors, a resolver closing) wait in a local queue and come out first.
 *
 * Group mode, for lookups that need several answers per name (profile):
 *   r:_engine(plans, duplicates)          plans: { { qtype, prefix, qtype, prefix, ... }, ... }
 *   e:add(name [, plan, id])              plan 1 (deduplicated) or a later round of group id, for a
 *                                         name already normalised (false: the resolver is closing)
 *   e:take() -> id, plan, name, res|false, msg, code, qname, ... (four per query of the plan)
 *            | 0, 0, name, false, msg, code                      (a name that failed before the network)
 * add_file, add_list and load work as above, with plan 1. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_seen.h"

#ifndef LUA_FILEHANDLE
#include <lualib.h> /* Lua 5.1 and LuaJIT define it there */
#endif

#define ENGINE_MT "mxrecord.engine"

enum { DUP_REPEAT = 0, DUP_SKIP = 1, DUP_ERROR = 2 };

/* A result decided without the network. */
typedef struct local_result {
  struct local_result *next;
  const char *code; /* "badname", "duplicate", "cancelled" (static strings) */
  const char *why;  /* static detail (badname), or NULL */
  size_t len;
  char name[1]; /* the name as given, len octets (then the key for a duplicate) */
} local_result;

/* Group mode's tokens: above every token a resolver hands out (those stay
 * below 2^53, Lua numbers), so r:_inflight(token) and r:_outgoing(token)
 * never mistake one for another; the slot and the query's place in the
 * plan below that bit. */
#define GROUP_TOKEN ((uint64_t)1 << 62)

#define MAX_PLANS 4
#define MAX_PLAN 8 /* queries in one plan */

/* A name of group mode in flight: its answers gather here. */
typedef struct group {
  int id, plan, left;
  char norm[MXR_NAME_MAX + 1]; /* the normalised name: the queries ask prefix + norm */
  mxr_completion *got[MAX_PLAN];
  struct group *next; /* on the ready list once complete */
  size_t len;
  char label[1]; /* the name as given, len octets */
} group;

typedef struct plan {
  int n;
  int qtype[MAX_PLAN];
  char prefix[MAX_PLAN][32];
} plan;

typedef struct mxr_engine {
  struct mxr_engine *next; /* on lr->engines while open */
  /* group mode (nplans > 0) */
  int nplans, next_id;
  plan plans[MAX_PLANS];
  group **slots; /* in flight, by slot (in the query's token, see GROUP_TOKEN) */
  size_t nslots, free_slot;
  group *ready, *ready_tail;
  group *taking;                          /* being pushed by take(): freed there or at the next take or close */
  mxr_completion *orphans, *orphans_tail; /* taken from the sink when the resolver closed */
  lresolver *lr;                          /* kept alive by the engine's uservalue */
  int sink, qtype, dup, closed;
  mxr_seen seen;
  local_result *head, *tail;
  size_t added, taken, duplicates;
  char *line; /* add_file's buffer */
  size_t linecap;
} engine;

static engine *check_engine(lua_State *L) { return (engine *)luaL_checkudata(L, 1, ENGINE_MT); }

static void free_locals(engine *e) {
  while (e->head) {
    local_result *l = e->head;
    e->head = l->next;
    free(l);
  }
  e->tail = NULL;
}

static void free_group(group *g) {
  int i;
  for (i = 0; i < MAX_PLAN; i++) mxr_completion_free(g->got[i]);
  free(g);
}

static void free_groups(engine *e) {
  size_t i;
  for (i = 0; i < e->nslots; i++)
    if (e->slots[i]) free_group(e->slots[i]);
  free(e->slots);
  e->slots = NULL;
  e->nslots = 0;
  while (e->ready) {
    group *g = e->ready;
    e->ready = g->next;
    free_group(g);
  }
  e->ready_tail = NULL;
  if (e->taking) free_group(e->taking);
  e->taking = NULL;
}

static void unlink_engine(engine *e) {
  engine **p;
  for (p = &e->lr->engines; *p; p = &(*p)->next)
    if (*p == e) {
      *p = e->next;
      break;
    }
  e->next = NULL;
}

void mxr_lua_engines_orphan(lresolver *lr) {
  engine *e;
  for (e = lr->engines; e; e = e->next) {
    mxr_completion *c;
    while (lr->core && (c = mxr_resolver_sink_next(lr->core, e->sink))) {
      if (e->orphans_tail)
        e->orphans_tail->next = c;
      else
        e->orphans = c;
      e->orphans_tail = c;
    }
    e->sink = 0;
  }
}

static void engine_close(engine *e) {
  mxr_completion *c;
  if (e->closed) return;
  e->closed = 1;
  unlink_engine(e);
  if (e->lr->core && e->sink) mxr_resolver_sink_close(e->lr->core, e->sink);
  while ((c = e->orphans)) {
    e->orphans = c->next;
    mxr_completion_free(c);
  }
  e->orphans_tail = NULL;
  free_groups(e);
  free_locals(e);
  mxr_seen_free(&e->seen);
  free(e->line);
  e->line = NULL;
  e->linecap = 0;
}

/* Queues a local result; -1 when out of memory. */
static int push_local(engine *e, const char *code, const char *why, const char *name, size_t len, const char *key) {
  size_t klen = key ? strlen(key) : 0;
  local_result *l = malloc(sizeof *l + len + klen + 1);
  if (!l) return -1;
  l->next = NULL;
  l->code = code;
  l->why = why;
  l->len = len;
  memcpy(l->name, name, len);
  memcpy(l->name + len, key ? key : "", klen + 1);
  if (e->tail)
    e->tail->next = l;
  else
    e->head = l;
  e->tail = l;
  return 0;
}

/* A free slot for g (its queries' tokens carry it); -1 when out of memory. */
static long take_slot(engine *e, group *g) {
  size_t i;
  for (i = e->free_slot; i < e->nslots && e->slots[i]; i++) {
  }
  if (i == e->nslots) {
    size_t cap = e->nslots ? e->nslots * 2 : 64;
    group **ns = realloc(e->slots, cap * sizeof *ns);
    if (!ns) return -1;
    memset(ns + e->nslots, 0, (cap - e->nslots) * sizeof *ns);
    e->slots = ns;
    e->nslots = cap;
  }
  e->slots[i] = g;
  e->free_slot = i + 1;
  return (long)i;
}

/* Submits plan p (1-based) for the normalised name norm as group id, with
 * label the name as given. Returns 0, or -1 when out of memory (nothing
 * submitted). */
static int submit_group(engine *e, const char *norm, const char *label, size_t len, int p, int id) {
  lresolver *lr = e->lr;
  const plan *pl = &e->plans[p - 1];
  size_t nlen = strlen(norm);
  group *g = calloc(1, sizeof *g + len);
  long slot;
  int k;
  if (!g) return -1;
  g->id = id;
  g->plan = p;
  g->left = pl->n;
  g->len = len;
  memcpy(g->label, label, len);
  memcpy(g->norm, norm, nlen + 1);
  if ((slot = take_slot(e, g)) < 0) {
    free(g);
    return -1;
  }
  for (k = 0; k < pl->n; k++) {
    /* prefix + name: a normalised name stays normalised behind an ASCII
     * prefix unless it grows too long, which fails as r:txt would fail it */
    char q[sizeof pl->prefix[k] + MXR_NAME_MAX + 1], checked[MXR_NAME_MAX + 1];
    size_t plen = strlen(pl->prefix[k]);
    uint64_t token = GROUP_TOKEN | ((uint64_t)slot << 4) | (uint64_t)k;
    const char *why = NULL;
    int rc;
    memcpy(q, pl->prefix[k], plen);
    memcpy(q + plen, norm, nlen + 1);
    if (plen + nlen > MXR_NAME_MAX && mxr_lua_to_ascii(q, plen + nlen, checked, &why) < 0)
      rc = mxr_resolver_fail_to(lr->core, q, plen + nlen, pl->qtype[k], token, e->sink, MXR_E_BADNAME, why);
    else
      rc = mxr_resolver_submit_to(lr->core, q, pl->qtype[k], token, e->sink, NULL, 0);
    if (rc) { /* no memory for this one: the group completes without it (taken as nomem) */
      if (--g->left == 0) {
        e->slots[slot] = NULL;
        if ((size_t)slot < e->free_slot) e->free_slot = (size_t)slot;
        if (e->ready_tail)
          e->ready_tail->next = g;
        else
          e->ready = g;
        e->ready_tail = g;
      }
    }
  }
  return 0;
}

/* Adds one name: returns 1 (submitted, or queued as a failure), 0 (a
 * duplicate) or -1 (out of memory). */
static int add_name(engine *e, const char *name, size_t len) {
  lresolver *lr = e->lr;
  char norm[MXR_NAME_MAX + 1];
  const char *why = NULL;
  int ok = mxr_lua_to_ascii(name, len, norm, &why) == 0;
  const char *key = ok ? norm : name;
  size_t klen = ok ? strlen(norm) : len;
  e->added++;
  if (e->dup != DUP_REPEAT) {
    int rc = mxr_seen_add(&e->seen, key, klen);
    if (rc < 0) goto nomem;
    if (rc == 0) {
      e->duplicates++;
      if (e->dup == DUP_SKIP) {
        e->added--;
        return 0;
      }
      if (push_local(e, "duplicate", NULL, name, len, ok ? norm : NULL) < 0) goto nomem;
      return 0;
    }
  }
  if (!ok) {
    if (push_local(e, "badname", why, name, len, NULL) < 0) goto nomem;
  } else if (lr->closing) {
    if (push_local(e, "cancelled", "the resolver is closing", name, len, NULL) < 0) goto nomem;
  } else if (e->nplans) {
    if (submit_group(e, norm, name, len, 1, ++e->next_id) < 0) goto nomem;
  } else if (mxr_resolver_submit_to(lr->core, norm, e->qtype, ++lr->next_token, e->sink, name, len)) {
    goto nomem;
  }
  return 1;
nomem:
  e->added--;
  return -1;
}

static void check_usable(lua_State *L, engine *e) {
  if (e->closed) luaL_error(L, "lookup_many: the batch is closed");
  if (!e->lr->core) luaL_error(L, "resolver is closed");
}

/* e:add(name) -> true | false */
static int e_add(lua_State *L) {
  engine *e = check_engine(L);
  size_t len;
  const char *name = luaL_checklstring(L, 2, &len);
  int rc;
  check_usable(L, e);
  if (!lua_isnoneornil(L, 3)) { /* a later round of a group: the name is normalised already */
    lua_Integer p = luaL_checkinteger(L, 3), id = luaL_checkinteger(L, 4);
    if (!e->nplans || p < 1 || p > e->nplans) return luaL_argerror(L, 3, "not a plan of this engine");
    if (len == 0 || len > MXR_NAME_MAX || memchr(name, '\0', len))
      return luaL_argerror(L, 2, "a normalised name expected (a later round takes the first round's)");
    if (e->lr->closing) { /* too late for another round: the caller keeps what it has */
      lua_pushboolean(L, 0);
      return 1;
    }
    e->added++;
    if (submit_group(e, name, name, len, (int)p, (int)id) < 0) {
      e->added--;
      return luaL_error(L, "out of memory");
    }
    lua_pushboolean(L, 1);
    return 1;
  }
  rc = add_name(e, name, len);
  if (rc < 0) return luaL_error(L, "out of memory");
  lua_pushboolean(L, rc);
  return 1;
}

/* The line trimmed as bulk.lua's reader does: one trailing CR off, then the
 * white space around it; NULL for a blank line. */
static const char *trim(char *s, size_t *len) {
  size_t n = *len;
  if (n && s[n - 1] == '\n') n--;
  if (n && s[n - 1] == '\r') n--;
  while (n && isspace((unsigned char)s[n - 1])) n--;
  while (n && isspace((unsigned char)*s)) s++, n--;
  *len = n;
  return n ? s : NULL;
}

static FILE *check_file(lua_State *L, int idx) {
#if LUA_VERSION_NUM >= 502
  luaL_Stream *p = (luaL_Stream *)luaL_checkudata(L, idx, LUA_FILEHANDLE);
  if (p->closef == NULL) luaL_argerror(L, idx, "attempt to use a closed file");
  return p->f;
#else
  FILE **p = (FILE **)luaL_checkudata(L, idx, LUA_FILEHANDLE);
  if (*p == NULL) luaL_argerror(L, idx, "attempt to use a closed file");
  return *p;
#endif
}

/* e:add_file(file, n) -> count, eof: reads up to n names (blank lines
 * skipped); a read error raises, with what was added kept. */
static int e_add_file(lua_State *L) {
  engine *e = check_engine(L);
  FILE *f = check_file(L, 2);
  lua_Integer n = luaL_checkinteger(L, 3), count = 0;
  int eof = 0;
  const char *fail = NULL;
  check_usable(L, e);
  mxr_resolver_hold(e->lr->core); /* the queries leave together */
  while (count < n) {
    ssize_t got = getline(&e->line, &e->linecap, f);
    size_t len;
    const char *name;
    if (got < 0) {
      if (ferror(f)) {
        clearerr(f);
        fail = "lookup_many: reading the file failed";
      }
      eof = 1;
      break;
    }
    len = (size_t)got;
    name = trim(e->line, &len);
    if (!name) continue;
    if (add_name(e, name, len) < 0) {
      fail = "out of memory";
      break;
    }
    count++;
  }
  mxr_resolver_flush(e->lr->core);
  if (fail) return luaL_error(L, "%s", fail);
  lua_pushinteger(L, count);
  lua_pushboolean(L, eof);
  return 2;
}

/* e:add_list(t, i, n) -> next_i, eof: t[i] ... while not nil, at most n;
 * stops (eof false) at the first value that is not a string, for the Lua
 * side to report. */
static int e_add_list(lua_State *L) {
  engine *e = check_engine(L);
  lua_Integer i = luaL_checkinteger(L, 3), n = luaL_checkinteger(L, 4), stop = i + n;
  int eof = 0;
  int nomem = 0;
  luaL_checktype(L, 2, LUA_TTABLE);
  check_usable(L, e);
  lua_checkstack(L, 2);
  mxr_resolver_hold(e->lr->core);
  for (; i < stop; i++) {
    size_t len;
    const char *name;
    lua_rawgeti(L, 2, (int)i); /* no metamethods: cannot raise */
    if (lua_type(L, -1) != LUA_TSTRING) {
      eof = lua_isnil(L, -1);
      lua_pop(L, 1);
      break;
    }
    name = lua_tolstring(L, -1, &len);
    nomem = add_name(e, name, len) < 0;
    lua_pop(L, 1);
    if (nomem) break;
  }
  mxr_resolver_flush(e->lr->core);
  if (nomem) return luaL_error(L, "out of memory");
  lua_pushinteger(L, i);
  lua_pushboolean(L, eof);
  return 2;
}

/* The next completion of this engine's queries, or NULL. */
static mxr_completion *next_completion(engine *e) {
  mxr_completion *c = e->orphans;
  if (c) {
    e->orphans = c->next;
    if (!e->orphans) e->orphans_tail = NULL;
    c->next = NULL;
    return c;
  }
  if (!e->lr->core || !e->sink) return NULL;
  return mxr_resolver_sink_next(e->lr->core, e->sink);
}

/* Pushes c's result as res | false, message, code (three values); frees c. */
static void push_three(lua_State *L, lresolver *lr, mxr_completion *c) {
  int n = mxr_lua_push_owned(L, lr, c);
  if (n == 3) {
    lua_pushboolean(L, 0);
    lua_replace(L, -4);
  } else {
    lua_pushnil(L);
    lua_pushnil(L);
  }
}

static int take_local(lua_State *L, engine *e);

/* e:take() in group mode (see the top). */
static int take_group(lua_State *L, engine *e) {
  group *g;
  mxr_completion *c;
  int k;
  if (e->taking) { /* a push cut short by an error: what it left goes */
    free_group(e->taking);
    e->taking = NULL;
  }
  if (e->head) {
    lua_pushinteger(L, 0);
    lua_pushinteger(L, 0);
    take_local(L, e); /* false, message, code, name: the name goes third */
    lua_insert(L, -4);
    return 6;
  }
  while (!e->ready && (c = next_completion(e))) {
    size_t slot = (size_t)((c->token & ~GROUP_TOKEN) >> 4);
    int k2 = (int)(c->token & 15);
    g = slot < e->nslots ? e->slots[slot] : NULL;
    if (!g || k2 >= MAX_PLAN || g->got[k2]) {
      mxr_completion_free(c);
      continue;
    }
    g->got[k2] = c;
    if (--g->left == 0) {
      e->slots[slot] = NULL;
      if (slot < e->free_slot) e->free_slot = slot;
      g->next = NULL;
      if (e->ready_tail)
        e->ready_tail->next = g;
      else
        e->ready = g;
      e->ready_tail = g;
    }
  }
  if (!(g = e->ready)) return 0;
  e->ready = g->next;
  if (!e->ready) e->ready_tail = NULL;
  e->taking = g;
  e->taken++;
  luaL_checkstack(L, 3 + 4 * MAX_PLAN, "lookup_many");
  lua_pushinteger(L, g->id);
  lua_pushinteger(L, g->plan);
  lua_pushlstring(L, g->label, g->len);
  for (k = 0; k < e->plans[g->plan - 1].n; k++) {
    c = g->got[k];
    g->got[k] = NULL;
    if (!c) { /* could not be submitted */
      lua_pushboolean(L, 0);
      lua_pushliteral(L, "nomem: out of memory");
      lua_pushliteral(L, "nomem");
      lua_pushfstring(L, "%s%s", e->plans[g->plan - 1].prefix[k], g->norm);
      continue;
    }
    /* the name asked, whole (a completion keeps at most 253 octets of a name too long to ask) */
    lua_pushfstring(L, "%s%s", e->plans[g->plan - 1].prefix[k], g->norm);
    push_three(L, e->lr, c); /* frees c */
    lua_pushvalue(L, -4);    /* the query's name, last */
    lua_remove(L, -5);
  }
  e->taking = NULL;
  free(g);
  return 3 + 4 * k;
}

/* Pushes the oldest local result as false, message, code, name (4). */
static int take_local(lua_State *L, engine *e) {
  local_result *l = e->head;
  lua_pushboolean(L, 0);
  if (l->code[0] == 'd') { /* the key: the normalised name, or the name itself when it is bad */
    const char *key = l->name[l->len] ? l->name + l->len : NULL;
    if (key) {
      lua_pushfstring(L, "duplicate: %s was looked up already", key);
    } else {
      lua_pushliteral(L, "duplicate: ");
      lua_pushlstring(L, l->name, l->len);
      lua_pushliteral(L, " was looked up already");
      lua_concat(L, 3);
    }
  } else { /* the name in the message made printable, as the resolver does */
    char shown[MXR_NAME_MAX + 1];
    size_t i, k = l->len < MXR_NAME_MAX ? l->len : MXR_NAME_MAX;
    for (i = 0; i < k; i++) {
      unsigned char ch = (unsigned char)l->name[i];
      shown[i] = (char)(ch < 0x20 || ch >= 0x7f ? '?' : ch);
    }
    shown[k] = '\0';
    lua_pushfstring(L, "%s: %s (%s %s)", l->code, l->why, shown,
                    mxr_qtype_name(e->nplans ? e->plans[0].qtype[0] : e->qtype));
  }
  lua_pushstring(L, l->code);
  lua_pushlstring(L, l->name, l->len);
  e->head = l->next;
  if (!e->head) e->tail = NULL;
  free(l);
  e->taken++;
  return 4;
}

/* e:take() -> res | false, message, code, name | nothing (group mode: see the top) */
static int e_take(lua_State *L) {
  engine *e = check_engine(L);
  mxr_completion *c;
  if (e->closed) return 0;
  if (e->nplans) return take_group(L, e);
  if (e->head) return take_local(L, e);
  if (!(c = next_completion(e))) return 0;
  e->taken++;
  /* the name as given: the label kept when it differed from the normalised one */
  lua_pushstring(L, c->label ? c->label : c->name);
  push_three(L, e->lr, c); /* frees c */
  lua_pushvalue(L, -4);    /* the name, last */
  lua_remove(L, -5);
  return 4;
}

/* e:load() -> names added and not yet taken */
static int e_load(lua_State *L) {
  engine *e = check_engine(L);
  /* also after a close: the close completed every query (cancelled), and
   * the engine took them as orphans before the core went */
  lua_pushinteger(L, (lua_Integer)(e->added - e->taken));
  return 1;
}

static int e_duplicates(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)check_engine(L)->duplicates);
  return 1;
}

static int e_close(lua_State *L) {
  engine_close(check_engine(L));
  return 0;
}

static const luaL_Reg engine_methods[] = {
    {"add", e_add},   {"add_file", e_add_file},     {"add_list", e_add_list}, {"take", e_take},
    {"load", e_load}, {"duplicates", e_duplicates}, {"close", e_close},       {NULL, NULL},
};

/* Reads the plans table at idx into pl; returns their count (raises when malformed). */
static int check_plans(lua_State *L, int idx, plan *pl) {
  int n = (int)mxr_rawlen(L, idx), i, k;
  if (n < 1 || n > MAX_PLANS) luaL_argerror(L, idx, "1 to 4 plans expected");
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, idx, i + 1);
    luaL_checktype(L, -1, LUA_TTABLE);
    pl[i].n = (int)mxr_rawlen(L, -1) / 2;
    if (pl[i].n < 1 || pl[i].n > MAX_PLAN) luaL_argerror(L, idx, "a plan has 1 to 8 queries");
    for (k = 0; k < pl[i].n; k++) {
      size_t len;
      const char *prefix;
      lua_rawgeti(L, -1, 2 * k + 1);
      pl[i].qtype[k] = mxr_lua_check_qtype(L, lua_gettop(L));
      lua_rawgeti(L, -2, 2 * k + 2);
      prefix = luaL_checklstring(L, -1, &len);
      if (len >= sizeof pl[i].prefix[k]) luaL_argerror(L, idx, "a prefix is too long");
      memcpy(pl[i].prefix[k], prefix, len + 1);
      lua_pop(L, 2);
    }
    lua_pop(L, 1);
  }
  return n;
}

int mxr_lua_engine_new(lua_State *L, lresolver *lr) {
  static const char *const dups[] = {"repeat", "skip", "error", NULL};
  plan plans[MAX_PLANS];
  int nplans = lua_istable(L, 2) ? check_plans(L, 2, plans) : 0;
  int qtype = nplans ? 0 : mxr_lua_check_qtype(L, 2), dup = luaL_checkoption(L, 3, "error", dups), sink;
  engine *e;
  if (!nplans && qtype != MXR_T_MX && qtype != MXR_T_TXT && qtype != MXR_T_A && qtype != MXR_T_AAAA)
    return luaL_argerror(L, 2, "mx, txt, a or aaaa expected");
  e = (engine *)lua_newuserdata(L, sizeof *e);
  memset(e, 0, sizeof *e);
  e->closed = 1; /* until the sink is open: __gc has nothing to do */
  e->lr = lr;
  if (luaL_newmetatable(L, ENGINE_MT)) {
    lua_newtable(L);
    mxr_setfuncs(L, engine_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, e_close);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_createtable(L, 1, 0); /* the uservalue keeps the resolver alive */
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  mxr_setuservalue(L, -2);
  sink = mxr_resolver_sink_open(lr->core);
  if (sink < 0) return luaL_error(L, "out of memory");
  e->sink = sink;
  e->qtype = qtype;
  e->nplans = nplans;
  if (nplans) memcpy(e->plans, plans, sizeof plans);
  e->dup = dup;
  mxr_seen_init(&e->seen);
  e->closed = 0;
  e->next = lr->engines;
  lr->engines = e;
  return 1;
}
