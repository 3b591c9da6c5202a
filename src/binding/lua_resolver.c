/* lua_resolver.c: the resolver userdata: argument checks, result tables,
 * and dispatch of completions to Lua callbacks.
 *
 * Callbacks live in the userdata's uservalue table, keyed by query token, so
 * a resolver referenced only by its own callbacks can still be collected.
 * Callbacks run only from poll()/run()/close()/__gc, each under a protected
 * call with a traceback; an error goes to the on_error handler or is
 * returned by poll()/run(). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_address.h"
#include "mxr_resolver.h"

#define RESOLVER_MT "mxrecord.resolver"

typedef struct lresolver {
  mxr_resolver *core; /* NULL once closed */
  uint64_t next_token;
  int closing;
  mxr_completion *current; /* being turned into Lua values; freed if that raises */
} lresolver;

static lresolver *check_resolver(lua_State *L) { return (lresolver *)luaL_checkudata(L, 1, RESOLVER_MT); }

static lresolver *check_open(lua_State *L) {
  lresolver *lr = check_resolver(L);
  if (!lr->core || lr->closing) luaL_error(L, "resolver is closed");
  return lr;
}

/* ---- results -------------------------------------------------------------- */

static void set_int(lua_State *L, const char *k, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, k);
}

/* Pushes answer a to a query of qtype for name as (res) or (nil, message,
 * code); returns the count. Shared by the c-ares path and parse_answer. */
int mxr_lua_push_answer(lua_State *L, const char *name, int qtype, const mxr_answer *a) {
  size_t i;
  if (a->error) {
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s (%s %s)", mxr_error_code(a->error), a->detail ? a->detail : mxr_error_message(a->error),
                    name, mxr_qtype_name(qtype));
    lua_pushstring(L, mxr_error_code(a->error));
    return 3;
  }
  lua_createtable(L, 0, 5);
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

/* Pushes the result of c as (res) or (nil, message, code); returns the count.
 * c is parked in lr->current while Lua values are built, so that a memory
 * error raised meanwhile does not leak it. */
static int push_completion(lua_State *L, lresolver *lr, mxr_completion *c) {
  int n;
  mxr_completion_free(lr->current);
  lr->current = c;
  n = c->qtype == 0 ? 0 /* posted by _post: the callback takes no arguments */
                    : mxr_lua_push_answer(L, c->name, c->qtype, &c->answer);
  lr->current = NULL;
  mxr_completion_free(c);
  return n;
}

/* ---- dispatch ------------------------------------------------------------- */

static int traceback_handler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  mxr_traceback(L, msg);
  return 1;
}

/* Hands an error message (on top of the stack, popped) to on_error, or
 * appends it to the errors table at index errs (created on first use, kept
 * as a nil placeholder until then). */
static void report_error(lua_State *L, int uv, int errs) {
  lua_getfield(L, uv, "on_error");
  if (lua_isfunction(L, -1)) {
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, -2);
    lua_pushvalue(L, -3); /* the message */
    if (lua_pcall(L, 1, 0, -3) == 0) {
      lua_pop(L, 2); /* handler, message */
      return;
    }
    lua_remove(L, -2); /* handler; the handler's own error stays on top */
    lua_remove(L, -2); /* the original message: the new error says more */
  } else {
    lua_pop(L, 1);
  }
  if (lua_isnil(L, errs)) {
    lua_newtable(L);
    lua_replace(L, errs);
  }
  lua_rawseti(L, errs, (int)mxr_rawlen(L, errs) + 1);
}

/* Runs the callbacks of all queued completions. Leaves nothing on the stack
 * but updates the errors slot at index errs. Returns how many ran. */
static int dispatch(lua_State *L, lresolver *lr, int errs) {
  int count = 0, uv;
  mxr_completion *c;
  mxr_getuservalue(L, 1);
  uv = lua_gettop(L);
  while (lr->core && (c = mxr_resolver_next(lr->core))) {
    int nargs, base;
    lua_pushnumber(L, (lua_Number)c->token);
    lua_rawget(L, uv);
    if (!lua_isfunction(L, -1)) { /* a blocking query's answer, already given up on */
      lua_pop(L, 1);
      mxr_completion_free(c);
      continue;
    }
    lua_pushnumber(L, (lua_Number)c->token);
    lua_pushnil(L);
    lua_rawset(L, uv);
    base = lua_gettop(L); /* the callback */
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    nargs = push_completion(L, lr, c);
    if (lua_pcall(L, nargs, 0, base) != 0) report_error(L, uv, errs);
    lua_pop(L, 1); /* handler */
    count++;
  }
  lua_pop(L, 1); /* uv */
  return count;
}

/* Pushes the errors slot's content (nil or table) as an extra result, after
 * the errors _step() kept for the next poll()/run()/close(). */
static int results(lua_State *L, int nret, int errs) {
  mxr_getuservalue(L, 1);
  lua_getfield(L, -1, "deferred_errors");
  if (lua_istable(L, -1)) {
    int d = lua_gettop(L);
    if (!lua_isnil(L, errs)) {
      int i, n = (int)mxr_rawlen(L, errs);
      for (i = 1; i <= n; i++) {
        lua_rawgeti(L, errs, i);
        lua_rawseti(L, d, (int)mxr_rawlen(L, d) + 1);
      }
    }
    lua_replace(L, errs);
    lua_pushnil(L);
    lua_setfield(L, -2, "deferred_errors");
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
  if (lua_isnil(L, errs)) return nret;
  lua_pushvalue(L, errs);
  return nret + 1;
}

/* ---- queries -------------------------------------------------------------- */

/* Submits a query for the name at stack index idx and returns its token. A
 * bad name is queued as a failed query, so it is answered like any other. */
static uint64_t submit(lua_State *L, lresolver *lr, int qtype, int idx) {
  size_t len;
  const char *name, *why = NULL;
  char norm[MXR_NAME_MAX + 1];
  uint64_t token;
  int rc;
  if (lua_type(L, idx) != LUA_TSTRING)
    luaL_argerror(L, idx, lua_pushfstring(L, "domain name (string) expected, got %s", luaL_typename(L, idx)));
  name = lua_tolstring(L, idx, &len);
  token = ++lr->next_token;
  if ((rc = mxr_domain_to_ascii(name, len, norm, 0, &why)) < 0)
    rc = mxr_resolver_fail(lr->core, name, len, qtype, token, MXR_E_BADNAME,
                           rc == -2 ? "not a valid internationalized domain name" : why);
  else
    rc = mxr_resolver_submit(lr->core, norm, qtype, token);
  if (rc) luaL_error(L, "out of memory");
  return token;
}

/* Waits for the query with that token alone (other answers stay queued for
 * poll/run) and pushes its result. */
static int wait_for(lua_State *L, lresolver *lr, uint64_t token) {
  for (;;) {
    mxr_completion *c = mxr_resolver_take(lr->core, token);
    if (c) return push_completion(L, lr, c);
    if (mxr_resolver_pending(lr->core) == 0) return luaL_error(L, "no query in flight with that token");
    mxr_resolver_process(lr->core, -1);
  }
}

/* The name is at stack index 2, the callback (or nothing) at cb. */
static int lookup(lua_State *L, lresolver *lr, int qtype, int cb) {
  int async = !lua_isnoneornil(L, cb);
  uint64_t token;
  if (async) luaL_checktype(L, cb, LUA_TFUNCTION);
  token = submit(L, lr, qtype, 2);
  if (!async) return wait_for(L, lr, token);
  mxr_getuservalue(L, 1);
  lua_pushnumber(L, (lua_Number)token);
  lua_pushvalue(L, cb);
  lua_rawset(L, -3);
  lua_pushboolean(L, 1);
  return 1;
}

/* r:_start(qtype, name) -> token: the first half of a blocking lookup, so
 * that Lua code can have several in flight at once (r:profile). */
static int r_start(lua_State *L) {
  lresolver *lr = check_open(L);
  int qtype = mxr_lua_check_qtype(L, 2);
  lua_pushnumber(L, (lua_Number)submit(L, lr, qtype, 3));
  return 1;
}

/* r:_post(fn): fn() runs from the next poll()/run() (or _step), like a
 * query's callback; for answers Lua already has (a cache hit). */
static int r_post(lua_State *L) {
  lresolver *lr = check_open(L);
  uint64_t token;
  luaL_checktype(L, 2, LUA_TFUNCTION);
  token = ++lr->next_token;
  if (mxr_resolver_fail(lr->core, "", 0, 0, token, MXR_E_NONE, NULL)) return luaL_error(L, "out of memory");
  mxr_getuservalue(L, 1);
  lua_pushnumber(L, (lua_Number)token);
  lua_pushvalue(L, 2);
  lua_rawset(L, -3);
  return 0;
}

/* r:_step() -> n: waits for the next answer or deadline (not at all if
 * callbacks are due), then runs due callbacks, like poll(). For blocking
 * forms built in Lua. Errors of callbacks without on_error are kept for the
 * next poll()/run()/close(). */
static int r_step(lua_State *L) {
  lresolver *lr = check_open(L);
  int n, errs;
  lua_settop(L, 1);
  lua_pushnil(L);
  errs = lua_gettop(L);
  if (mxr_resolver_queued(lr->core) == 0 && mxr_resolver_pending(lr->core) > 0) mxr_resolver_process(lr->core, -1);
  n = dispatch(L, lr, errs);
  if (!lua_isnil(L, errs)) {
    int i, cnt = (int)mxr_rawlen(L, errs), d;
    mxr_getuservalue(L, 1);
    lua_getfield(L, -1, "deferred_errors");
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      lua_newtable(L);
      lua_pushvalue(L, -1);
      lua_setfield(L, -3, "deferred_errors");
    }
    d = lua_gettop(L);
    for (i = 1; i <= cnt; i++) {
      lua_rawgeti(L, errs, i);
      lua_rawseti(L, d, (int)mxr_rawlen(L, d) + 1);
    }
  }
  lua_pushinteger(L, n);
  return 1;
}

/* r:_state() -> a table Lua code keeps per resolver (the cache); its field
 * cache_option is the resolver's 'cache' option. */
static int r_state(lua_State *L) {
  check_resolver(L);
  mxr_getuservalue(L, 1);
  lua_getfield(L, -1, "state");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_getfield(L, -2, "cache");
    lua_setfield(L, -2, "cache_option");
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "state");
  }
  return 1;
}

/* r:_wait(token) -> res | nil, message, code: the second half. */
static int r_wait(lua_State *L) {
  lresolver *lr = check_open(L);
  lua_Number t = luaL_checknumber(L, 2);
  if (!(t >= 1 && t <= (lua_Number)lr->next_token)) return luaL_argerror(L, 2, "not a token of this resolver");
  return wait_for(L, lr, (uint64_t)t);
}

static int r_mx(lua_State *L) { return lookup(L, check_open(L), MXR_T_MX, 3); }
static int r_txt(lua_State *L) { return lookup(L, check_open(L), MXR_T_TXT, 3); }
static int r_a(lua_State *L) { return lookup(L, check_open(L), MXR_T_A, 3); }
static int r_aaaa(lua_State *L) { return lookup(L, check_open(L), MXR_T_AAAA, 3); }

/* r:query(name, qtype [, callback]): any type of mxr_qtype_names */
static int r_query(lua_State *L) {
  lresolver *lr = check_open(L);
  return lookup(L, lr, mxr_lua_check_qtype(L, 3), 4);
}

/* ---- driving -------------------------------------------------------------- */

static int r_poll(lua_State *L) {
  lresolver *lr = check_open(L);
  int n, errs;
  lua_settop(L, 1);
  lua_pushnil(L);
  errs = lua_gettop(L);
  mxr_resolver_process(lr->core, 0);
  n = dispatch(L, lr, errs);
  lua_pushinteger(L, n);
  return results(L, 1, errs);
}

static int r_run(lua_State *L) {
  lresolver *lr = check_open(L);
  double limit = -1, deadline = 0;
  int errs, done;
  if (!lua_isnoneornil(L, 2)) {
    limit = luaL_checknumber(L, 2);
    if (!(limit >= 0)) return luaL_argerror(L, 2, "timeout must be a number of seconds >= 0");
  }
  lua_settop(L, 1);
  lua_pushnil(L);
  errs = lua_gettop(L);
  if (limit >= 0) deadline = mxr_monotonic() + limit;
  for (;;) {
    int wait = -1;
    dispatch(L, lr, errs);
    if (!lr->core || (mxr_resolver_pending(lr->core) == 0 && mxr_resolver_queued(lr->core) == 0)) {
      done = 1;
      break;
    }
    if (limit >= 0) {
      double left = deadline - mxr_monotonic();
      if (left <= 0) {
        done = 0;
        break;
      }
      wait = (int)(left * 1000.0) + 1;
    }
    mxr_resolver_process(lr->core, wait);
  }
  lua_pushboolean(L, done);
  return results(L, 1, errs);
}

static int r_pending(lua_State *L) {
  lresolver *lr = check_open(L);
  /* in flight plus answered but not yet handed to their callbacks: a loop
   * "while r:pending() > 0 do r:poll() end" then runs every callback */
  lua_pushinteger(L, (lua_Integer)(mxr_resolver_pending(lr->core) + mxr_resolver_queued(lr->core)));
  return 1;
}

static int r_fds(lua_State *L) {
  lresolver *lr = check_open(L);
  int fds[64], events[64];
  size_t n = mxr_resolver_fds(lr->core, fds, events, 64), i;
  static const char *const ev[] = {"", "r", "w", "rw"};
  if (n > 64) n = 64; /* c-ares keeps one UDP socket per server, a TCP one when needed */
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, fds[i]);
    lua_rawseti(L, -3, (int)i + 1);
    lua_pushstring(L, ev[events[i] & 3]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 2;
}

/* r:pollfd() -> one descriptor readable when the resolver has work (an epoll
 * set over its sockets), for cqueues and libuv; r:events() -> "r". */
static int r_pollfd(lua_State *L) {
  lresolver *lr = check_open(L);
  int fd = mxr_resolver_pollfd(lr->core);
  if (fd < 0) return luaL_error(L, "resolver: cannot make an epoll descriptor");
  lua_pushinteger(L, fd);
  return 1;
}

static int r_events(lua_State *L) {
  check_open(L);
  lua_pushliteral(L, "r");
  return 1;
}

static int r_timeout(lua_State *L) {
  lresolver *lr = check_open(L);
  int ms;
  if (mxr_resolver_queued(lr->core)) {
    lua_pushnumber(L, 0); /* callbacks are waiting for poll() */
    return 1;
  }
  ms = mxr_resolver_timeout_ms(lr->core);
  if (ms < 0)
    lua_pushnil(L);
  else
    lua_pushnumber(L, ms / 1000.0);
  return 1;
}

/* Cancels, runs every callback still owed (cancelled ones get "cancelled"),
 * then frees the core. Shared by close(), __close and __gc. */
static int r_close(lua_State *L) {
  lresolver *lr = check_resolver(L);
  int errs;
  if (!lr->core || lr->closing) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lr->closing = 1;
  lua_settop(L, 1);
  lua_pushnil(L);
  errs = lua_gettop(L);
  mxr_resolver_cancel(lr->core);
  dispatch(L, lr, errs);
  mxr_resolver_free(lr->core);
  lr->core = NULL;
  mxr_completion_free(lr->current);
  lr->current = NULL;
  lua_pushboolean(L, 1);
  return results(L, 1, errs);
}

static int r_gc(lua_State *L) {
  r_close(L);
  return 0;
}

static int r_tostring(lua_State *L) {
  lresolver *lr = check_resolver(L);
  if (lr->core)
    lua_pushfstring(L, "mxrecord.resolver (%p)", (void *)lr);
  else
    lua_pushfstring(L, "mxrecord.resolver (closed)");
  return 1;
}

/* ---- construction --------------------------------------------------------- */

static void add_server(lua_State *L, luaL_Buffer *b, int *count, const char *s, size_t len) {
  char out[80];
  const char *why;
  if (mxr_server_parse(s, len, out, sizeof out, &why) < 0) {
    lua_pushlstring(L, s, len);
    luaL_error(L, "mxrecord.resolver: server '%s' %s", lua_tostring(L, -1), why);
  }
  if ((*count)++) luaL_addchar(b, ',');
  luaL_addstring(b, out);
}

/* Reads opts.servers (a list of strings, or one comma-separated string)
 * and pushes the c-ares CSV form. */
static void servers_csv(lua_State *L, int idx) {
  luaL_Buffer b;
  int count = 0;
  idx = mxr_absindex(L, idx);
  luaL_buffinit(L, &b);
  if (lua_type(L, idx) == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len), *end = s + len;
    while (s <= end) {
      const char *comma = memchr(s, ',', (size_t)(end - s));
      const char *stop = comma ? comma : end;
      /* add_server may raise: the buffer is on the Lua stack, nothing leaks */
      add_server(L, &b, &count, s, (size_t)(stop - s));
      s = stop + 1;
    }
  } else if (lua_istable(L, idx)) {
    size_t i, n = mxr_rawlen(L, idx);
    for (i = 1; i <= n; i++) {
      size_t len;
      const char *s;
      lua_rawgeti(L, idx, (int)i);
      if (lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "mxrecord.resolver: servers[%d] must be a string, got %s", (int)i, luaL_typename(L, -1));
      s = lua_tolstring(L, -1, &len);
      lua_pop(L, 1); /* the table still holds the string */
      add_server(L, &b, &count, s, len);
    }
  } else {
    luaL_error(L, "mxrecord.resolver: option 'servers' must be a list of strings, got %s", luaL_typename(L, idx));
  }
  if (!count) luaL_error(L, "mxrecord.resolver: option 'servers' is empty");
  luaL_pushresult(&b);
}

static int m_resolver(lua_State *L) {
  mxr_options opt;
  lresolver *lr;
  char err[256];
  int has_servers = 0;

  memset(&opt, 0, sizeof opt);
  lua_settop(L, 1);
  if (!lua_isnil(L, 1)) luaL_checktype(L, 1, LUA_TTABLE);
  lua_newtable(L); /* 2: the uservalue */
  if (lua_istable(L, 1)) {
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
      if (!k) {
        luaL_error(L, "mxrecord.resolver: option names must be strings, got %s", luaL_typename(L, -2));
      } else if (strcmp(k, "servers") == 0) {
        has_servers = 1;
      } else if (strcmp(k, "timeout") == 0) {
        double t = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : -1;
        if (!(t > 0 && t <= 3600))
          luaL_error(L, "mxrecord.resolver: option 'timeout' must be a number of seconds in (0, 3600]");
        opt.timeout = t;
      } else if (strcmp(k, "tries") == 0) {
        double t = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : -1;
        if (!(t >= 1 && t <= 100 && floor(t) == t))
          luaL_error(L, "mxrecord.resolver: option 'tries' must be a whole number from 1 to 100");
        opt.tries = (int)t;
      } else if (strcmp(k, "cache") == 0) { /* used by the Lua layer (verify's cache) */
        if (!lua_istable(L, -1) && !lua_isboolean(L, -1))
          luaL_error(L, "mxrecord.resolver: option 'cache' must be false, true or a table");
        lua_pushvalue(L, -1);
        lua_setfield(L, 2, "cache");
      } else if (strcmp(k, "on_error") == 0) {
        if (!lua_isfunction(L, -1)) luaL_error(L, "mxrecord.resolver: option 'on_error' must be a function");
        lua_pushvalue(L, -1);
        lua_setfield(L, 2, "on_error");
      } else {
        luaL_error(L, "mxrecord.resolver: unknown option '%s'", k);
      }
      lua_pop(L, 1);
    }
  }
  if (has_servers) {
    lua_getfield(L, 1, "servers");
    servers_csv(L, -1); /* 4: the CSV */
    opt.servers = lua_tostring(L, -1);
  }

  lr = (lresolver *)lua_newuserdata(L, sizeof *lr);
  memset(lr, 0, sizeof *lr);
  luaL_getmetatable(L, RESOLVER_MT);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, 2);
  mxr_setuservalue(L, -2);
  if (mxr_resolver_new(&lr->core, &opt, err, sizeof err) < 0) return luaL_error(L, "mxrecord.resolver: %s", err);
  return 1;
}

static const luaL_Reg methods[] = {
    {"query", r_query},  {"mx", r_mx},         {"txt", r_txt},         {"a", r_a},        {"aaaa", r_aaaa},
    {"poll", r_poll},    {"run", r_run},       {"pending", r_pending}, {"fds", r_fds},    {"timeout", r_timeout},
    {"close", r_close},  {"_start", r_start},  {"_wait", r_wait},      {"_post", r_post}, {"_step", r_step},
    {"_state", r_state}, {"pollfd", r_pollfd}, {"events", r_events},   {NULL, NULL},
};

static const luaL_Reg metamethods[] = {
    {"__gc", r_gc},
    {"__close", r_gc},
    {"__tostring", r_tostring},
    {NULL, NULL},
};

void mxr_lua_open_resolver(lua_State *L) {
  luaL_newmetatable(L, RESOLVER_MT);
  mxr_setfuncs(L, metamethods);
  lua_newtable(L);
  mxr_setfuncs(L, methods);
  lua_pushvalue(L, -1);
  lua_setfield(L, -4, "resolver_methods"); /* the module table, for Lua-side methods */
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushcfunction(L, m_resolver);
  lua_setfield(L, -2, "resolver");
}
