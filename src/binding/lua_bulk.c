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
 * errors, a resolver closing) wait in a local queue and come out first. */
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

typedef struct mxr_engine {
  struct mxr_engine *next;                /* on lr->engines while open */
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

/* e:take() -> res | false, message, code, name | nothing */
static int e_take(lua_State *L) {
  engine *e = check_engine(L);
  lresolver *lr = e->lr;
  mxr_completion *c;
  int n;
  if (e->closed) return 0;
  if (e->head) {
    local_result *l = e->head;
    lua_pushboolean(L, 0);
    if (l->code[0] == 'd') { /* the key: the normalised name, or the name itself when it is bad */
      const char *key = l->name[l->len] ? l->name + l->len : NULL;
      if (key)
        lua_pushfstring(L, "duplicate: %s was looked up already", key);
      else {
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
      lua_pushfstring(L, "%s: %s (%s %s)", l->code, l->why, shown, mxr_qtype_name(e->qtype));
    }
    lua_pushstring(L, l->code);
    lua_pushlstring(L, l->name, l->len);
    e->head = l->next;
    if (!e->head) e->tail = NULL;
    free(l);
    e->taken++;
    return 4;
  }
  if ((c = e->orphans)) {
    e->orphans = c->next;
    if (!e->orphans) e->orphans_tail = NULL;
    c->next = NULL;
  } else if (!lr->core || !e->sink || !(c = mxr_resolver_sink_next(lr->core, e->sink))) {
    return 0;
  }
  e->taken++;
  /* the name as given: the label kept when it differed from the normalised one */
  if (c->label)
    lua_pushstring(L, c->label);
  else
    lua_pushstring(L, c->name);
  n = mxr_lua_push_owned(L, lr, c); /* frees c */
  if (n == 3) {                     /* nil, message, code -> false, message, code */
    lua_pushboolean(L, 0);
    lua_replace(L, -4);
  } else {
    lua_pushnil(L);
    lua_pushnil(L);
  }
  lua_pushvalue(L, -4); /* the name, last */
  lua_remove(L, -5);
  return 4;
}

/* e:load() -> names added and not yet taken */
static int e_load(lua_State *L) {
  engine *e = check_engine(L);
  if (!e->lr->core || !e->sink) { /* closed: only what it left behind */
    size_t n = 0;
    const mxr_completion *c;
    const local_result *l;
    for (c = e->orphans; c; c = c->next) n++;
    for (l = e->head; l; l = l->next) n++;
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
  }
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

int mxr_lua_engine_new(lua_State *L, lresolver *lr) {
  static const char *const dups[] = {"repeat", "skip", "error", NULL};
  int qtype = mxr_lua_check_qtype(L, 2), dup = luaL_checkoption(L, 3, "error", dups), sink;
  engine *e;
  if (qtype != MXR_T_MX && qtype != MXR_T_TXT && qtype != MXR_T_A && qtype != MXR_T_AAAA)
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
  e->dup = dup;
  mxr_seen_init(&e->seen);
  e->closed = 0;
  e->next = lr->engines;
  lr->engines = e;
  return 1;
}
