/* lua_resolver.c: the resolver userdata: queries in, Lua callbacks out.
 *
 * Callbacks live in the userdata's uservalue table, keyed by query token, so
 * a resolver referenced only by its own callbacks can still be collected.
 * Callbacks run only from poll()/run()/close()/_step() (or a host that runs them itself, see _take), each under
 * a protected call with a traceback; an error goes to the on_error handler
 * or is kept in the uservalue's `errors` list, which poll()/run()/close()
 * return. Garbage collection never runs a callback: __gc frees silently.
 *
 * A completion is owned by the frame converting it (kept on lr->converting
 * meanwhile): any allocation may run a finaliser, which may close this very
 * resolver or raise; neither can free what is being read, and a conversion
 * cut short leaves the completion to __gc instead of leaking it.
 *
 * The internal protocol of the Lua layers (lua/mxrecord), stable:
 *   r:_start(qtype, name) -> token     a query without callback, for _wait
 *   r:_wait(token) -> res | nil, msg, code
 *   r:_post(fn)                        fn() runs from the next poll()/run()/_step(), in order
 *   r:_step() -> n                     waits for the next completion or deadline, runs due callbacks
 *                                      (errors kept for the next poll()/run()/close())
 *   r:_state() -> table                a per-resolver table for the Lua layers (cache, host)
 *   r:_engine(qtype | plans, dups)     lookup_many's engine (src/binding/lua_bulk.c)
 *   r:_submitted() -> n                DNS queries submitted so far (the benchmarks count with it)
 *   r:_window() -> n | nothing         queries the core lets on the wire now (its adaptive window;
 *                                      nothing with the external transport)
 * and for hosts that carry packets themselves (transport = "external"):
 *   r:_outgoing([token]) -> attempt, host, port, packet, id, timeout | nil
 *   r:_feed(attempt, bytes | nil, code) -> true | false, "gone" | "wrongid"
 *   r:_take(token), r:_next(), r:_report(msg), r:_begin_close(), r:_end_close()
 *                                      for hosts whose callbacks must run from Lua (see below)
 *   r:_inflight(token) -> bool         not yet completed (on the wire or waiting for it)
 *   r:_class(mt)                       gives r a host's method table (mxrecord.resolver_class)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_address.h"
#include "mxr_resolver.h"

#define RESOLVER_MT "mxrecord.resolver"
#define CLASSES lua_upvalueindex(1) /* every method's upvalue: { [metatable] = true } of resolvers */

static lresolver *to_resolver(lua_State *L, int idx) {
  void *p = lua_touserdata(L, idx);
  int ok = 0;
  if (p && lua_getmetatable(L, idx)) {
    lua_rawget(L, CLASSES);
    ok = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  return ok ? (lresolver *)p : NULL;
}

static lresolver *check_resolver(lua_State *L) {
  lresolver *lr = to_resolver(L, 1);
  if (!lr) luaL_argerror(L, 1, lua_pushfstring(L, "resolver expected, got %s", luaL_typename(L, 1)));
  return lr;
}

/* Open for everything. */
static lresolver *check_open(lua_State *L) {
  lresolver *lr = check_resolver(L);
  if (!lr->core || lr->closing) luaL_error(L, "resolver is closed");
  return lr;
}

/* Open for new queries: while close() runs its callbacks, queries they start
 * complete as cancelled (so that chains of lookups end, not raise). */
static lresolver *check_live(lua_State *L) {
  lresolver *lr = check_resolver(L);
  if (!lr->core) luaL_error(L, "resolver is closed");
  return lr;
}

/* ---- completions ------------------------------------------------------------ */

static void unlink_from(mxr_completion **list, mxr_completion *c) {
  for (; *list; list = &(*list)->next)
    if (*list == c) {
      *list = c->next;
      c->next = NULL;
      return;
    }
}

static mxr_completion *take_parked(lresolver *lr, uint64_t token) {
  mxr_completion *c;
  for (c = lr->parked; c && c->token != token; c = c->next) {
  }
  if (c) unlink_from(&lr->parked, c);
  return c;
}

static void free_list(mxr_completion *c) {
  while (c) {
    mxr_completion *next = c->next;
    mxr_completion_free(c);
    c = next;
  }
}

/* Pushes c's result as (res) or (nil, message, code), or nothing for a post;
 * returns the count and frees c. */
int mxr_lua_push_owned(lua_State *L, lresolver *lr, mxr_completion *c) {
  int n;
  c->next = lr->converting;
  lr->converting = c;
  n = c->kind == MXR_DONE_POST ? 0 : mxr_lua_push_answer(L, c->name, c->qtype, &c->answer);
  unlink_from(&lr->converting, c);
  mxr_completion_free(c);
  return n;
}

/* ---- callbacks ---------------------------------------------------------------- */

static int traceback_handler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  mxr_traceback(L, msg);
  return 1;
}

/* Hands an error message (on top of the stack, popped) to on_error, or
 * appends it to the uservalue's errors list. */
static void report_error(lua_State *L, int uv) {
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
  lua_getfield(L, uv, "errors");
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, uv, "errors");
  }
  lua_insert(L, -2);
  lua_rawseti(L, -2, (int)mxr_rawlen(L, -2) + 1);
  lua_pop(L, 1);
}

/* Pushes c's callback and its arguments (uv is the uservalue's index) and
 * returns their count; c is consumed. A _start token's answer is parked for
 * _wait, one nobody waits for any more is dropped: then nothing is pushed. */
static int push_callback(lua_State *L, lresolver *lr, mxr_completion *c, int uv) {
  lua_pushnumber(L, (lua_Number)c->token);
  lua_rawget(L, uv);
  if (!lua_isfunction(L, -1)) {
    if (lua_toboolean(L, -1)) {
      c->next = lr->parked;
      lr->parked = c;
    } else {
      mxr_completion_free(c);
    }
    lua_pop(L, 1);
    return 0;
  }
  lua_pushnumber(L, (lua_Number)c->token);
  lua_pushnil(L);
  lua_rawset(L, uv);
  return 1 + mxr_lua_push_owned(L, lr, c);
}

/* Runs c's callback, protected, with the message handler at index handler.
 * Returns 1 when a callback ran. */
static int run_completion(lua_State *L, lresolver *lr, mxr_completion *c, int uv, int handler) {
  int n = push_callback(L, lr, c, uv);
  if (n == 0) return 0;
  if (lua_pcall(L, n - 1, 0, handler) != 0) report_error(L, uv);
  return 1;
}

/* Runs the callbacks of all queued completions. Returns how many ran. */
static int dispatch(lua_State *L, lresolver *lr) {
  int count = 0, uv, handler;
  mxr_completion *c;
  mxr_getuservalue(L, 1);
  uv = lua_gettop(L);
  lua_pushcfunction(L, traceback_handler); /* once for every callback of this round */
  handler = lua_gettop(L);
  while (lr->core && (c = mxr_resolver_next(lr->core))) count += run_completion(L, lr, c, uv, handler);
  lua_pop(L, 2);
  return count;
}

/* Pushes the errors callbacks left (a list) and forgets them; nothing when
 * there were none. Returns the number pushed. */
static int take_errors(lua_State *L) {
  mxr_getuservalue(L, 1);
  lua_getfield(L, -1, "errors");
  if (!lua_istable(L, -1)) {
    lua_pop(L, 2);
    return 0;
  }
  lua_pushnil(L);
  lua_setfield(L, -3, "errors");
  lua_remove(L, -2);
  return 1;
}

/* ---- queries ------------------------------------------------------------------ */

/* Submits a query for the name at stack index idx and returns its token. A
 * bad name (or a resolver closing) is queued as a failed query, so it is
 * answered like any other. */
static uint64_t submit(lua_State *L, lresolver *lr, int qtype, int idx) {
  size_t len;
  const char *name = mxr_lua_check_name(L, idx, &len), *why = NULL;
  char norm[MXR_NAME_MAX + 1];
  uint64_t token = ++lr->next_token;
  int rc;
  if (lr->closing)
    rc = mxr_resolver_fail(lr->core, name, len, qtype, token, MXR_E_CANCELLED, "the resolver is closing");
  else if (mxr_lua_to_ascii(name, len, norm, &why) < 0)
    rc = mxr_resolver_fail(lr->core, name, len, qtype, token, MXR_E_BADNAME, why);
  else
    rc = mxr_resolver_submit(lr->core, norm, qtype, token);
  if (rc) luaL_error(L, "out of memory");
  return token;
}

/* Waits for the query with that token alone (other answers stay queued for
 * poll/run) and pushes its result. */
static int wait_for(lua_State *L, lresolver *lr, uint64_t token) {
  for (;;) {
    mxr_completion *c = lr->core ? mxr_resolver_take(lr->core, token) : NULL;
    if (!c) c = take_parked(lr, token);
    if (c) return mxr_lua_push_owned(L, lr, c);
    if (!lr->core) return luaL_error(L, "resolver is closed");
    if (lr->external) return luaL_error(L, "this resolver's packets are carried by its host: use its blocking forms");
    if (mxr_resolver_pending(lr->core) == 0) return luaL_error(L, "no query in flight with that token");
    mxr_resolver_process(lr->core, -1);
  }
}

static void set_callback(lua_State *L, uint64_t token, int value) {
  mxr_getuservalue(L, 1);
  lua_pushnumber(L, (lua_Number)token);
  lua_pushvalue(L, value);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

/* The name is at stack index 2, the callback (or nothing) at cb. */
static int lookup(lua_State *L, lresolver *lr, int qtype, int cb) {
  uint64_t token;
  int async = !lua_isnoneornil(L, cb);
  if (async) luaL_checktype(L, cb, LUA_TFUNCTION);
  token = submit(L, lr, qtype, 2);
  if (!async) return wait_for(L, lr, token);
  set_callback(L, token, cb);
  lua_pushboolean(L, 1);
  lua_pushnumber(L, (lua_Number)token);
  return 2;
}

static int r_mx(lua_State *L) { return lookup(L, check_live(L), MXR_T_MX, 3); }
static int r_txt(lua_State *L) { return lookup(L, check_live(L), MXR_T_TXT, 3); }
static int r_a(lua_State *L) { return lookup(L, check_live(L), MXR_T_A, 3); }
static int r_aaaa(lua_State *L) { return lookup(L, check_live(L), MXR_T_AAAA, 3); }

/* r:query(name, qtype [, callback]): any type of mxr_qtype_names */
static int r_query(lua_State *L) {
  lresolver *lr = check_live(L);
  return lookup(L, lr, mxr_lua_check_qtype(L, 3), 4);
}

/* r:_start(qtype, name) -> token */
static int r_start(lua_State *L) {
  lresolver *lr = check_live(L);
  int qtype = mxr_lua_check_qtype(L, 2);
  uint64_t token = submit(L, lr, qtype, 3);
  lua_pushboolean(L, 1);
  set_callback(L, token, lua_gettop(L)); /* true: someone will _wait for it */
  lua_pushnumber(L, (lua_Number)token);
  return 1;
}

static uint64_t check_token(lua_State *L, lresolver *lr, int idx) {
  lua_Number t = luaL_checknumber(L, idx);
  if (!(t >= 1 && t <= (lua_Number)lr->next_token)) luaL_argerror(L, idx, "not a token of this resolver");
  return (uint64_t)t;
}

/* r:_wait(token) -> res | nil, message, code */
static int r_wait(lua_State *L) {
  lresolver *lr = check_resolver(L);
  uint64_t token = check_token(L, lr, 2);
  mxr_getuservalue(L, 1);
  lua_pushnumber(L, (lua_Number)token);
  lua_pushnil(L);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  return wait_for(L, lr, token);
}

/* r:_post(fn): fn() runs from the next poll()/run()/_step(), after what is
 * already queued; for answers Lua already has (a cache hit). */
static int r_post(lua_State *L) {
  lresolver *lr = check_live(L);
  uint64_t token;
  luaL_checktype(L, 2, LUA_TFUNCTION);
  token = ++lr->next_token;
  if (mxr_resolver_post(lr->core, token)) return luaL_error(L, "out of memory");
  set_callback(L, token, 2);
  lua_pushnumber(L, (lua_Number)token);
  return 1;
}

/* r:_step() -> n: waits for the next completion or deadline (not at all if
 * callbacks are due), then runs due callbacks, like poll(). For blocking
 * forms built in Lua. Errors of callbacks stay for the next poll()/run()/close(). */
static int r_step(lua_State *L) {
  lresolver *lr = check_live(L);
  int n;
  lua_settop(L, 1);
  if (mxr_resolver_queued(lr->core) == 0 && mxr_resolver_pending(lr->core) > 0 && !lr->external)
    mxr_resolver_process(lr->core, -1);
  n = dispatch(L, lr);
  lua_pushinteger(L, n);
  return 1;
}

/* For hosts whose callbacks may yield (nginx: a callback that spawns a
 * thread or uses a cosocket), which cannot run from a C lua_pcall under
 * LuaJIT: the host calls the callback itself.
 *   r:_take(token) -> callback, args... | nothing   that query's, if completed
 *   r:_next() -> token, callback, args... | nothing  the oldest completed one
 *   r:_report(message)                               as a callback's error */
static int r_take(lua_State *L) {
  lresolver *lr = check_resolver(L);
  uint64_t token = check_token(L, lr, 2);
  mxr_completion *c = lr->core ? mxr_resolver_take(lr->core, token) : NULL;
  lua_settop(L, 2);
  if (!c) return 0;
  mxr_getuservalue(L, 1);
  return push_callback(L, lr, c, 3);
}

static int r_next(lua_State *L) {
  lresolver *lr = check_resolver(L);
  mxr_completion *c;
  lua_settop(L, 1);
  mxr_getuservalue(L, 1);
  while (lr->core && (c = mxr_resolver_next(lr->core))) {
    uint64_t token = c->token;
    int n = push_callback(L, lr, c, 2);
    if (n) {
      lua_pushnumber(L, (lua_Number)token);
      lua_insert(L, 3);
      return n + 1;
    }
  }
  return 0;
}

static int r_report(lua_State *L) {
  check_resolver(L);
  lua_settop(L, 2);
  mxr_getuservalue(L, 1);
  lua_insert(L, 2);
  report_error(L, 2);
  return 0;
}

static int r_inflight(lua_State *L) {
  lresolver *lr = check_resolver(L);
  uint64_t token = check_token(L, lr, 2);
  lua_pushboolean(L, lr->core && mxr_resolver_inflight(lr->core, token));
  return 1;
}

/* r:_state() -> a table the Lua layers keep per resolver */
static int r_state(lua_State *L) {
  check_resolver(L);
  mxr_getuservalue(L, 1);
  lua_getfield(L, -1, "state");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "state");
  }
  return 1;
}

/* ---- the external transport ---------------------------------------------------- */

/* r:_outgoing([token]) -> attempt, host, port, packet, id, timeout | nil */
static int r_outgoing(lua_State *L) {
  lresolver *lr = check_live(L);
  uint64_t token = lua_isnoneornil(L, 2) ? 0 : check_token(L, lr, 2);
  mxr_outgoing o;
  if (!mxr_resolver_outgoing(lr->core, token, &o)) return 0;
  lua_pushnumber(L, (lua_Number)o.attempt);
  lua_pushstring(L, o.host);
  lua_pushinteger(L, o.port);
  lua_pushlstring(L, (const char *)o.packet, o.len);
  lua_pushinteger(L, (lua_Integer)o.id);
  lua_pushnumber(L, o.timeout);
  return 6;
}

/* r:_feed(attempt, bytes | nil, code) -> true | false, "gone" | "wrongid" */
static int r_feed(lua_State *L) {
  static const char *const codes[] = {"timeout", "connrefused", "badresp", NULL};
  static const int errors[] = {MXR_E_TIMEOUT, MXR_E_CONNREFUSED, MXR_E_BADRESP};
  lresolver *lr = check_resolver(L);
  lua_Number attempt = luaL_checknumber(L, 2);
  size_t len = 0;
  const char *msg = lua_isnoneornil(L, 2 + 1) ? NULL : luaL_checklstring(L, 3, &len);
  int error = msg ? MXR_E_NONE : errors[luaL_checkoption(L, 4, "timeout", codes)];
  int rc = lr->core && !lr->closing && attempt >= 1
               ? mxr_resolver_feed(lr->core, (uint64_t)attempt, (const unsigned char *)msg, len, error)
               : -1;
  lua_pushboolean(L, rc == 0);
  if (rc == 0) return 1;
  lua_pushstring(L, rc == -2 ? "wrongid" : "gone");
  return 2;
}

/* r:_class(mt): r takes a host's metatable (made by resolver_class). */
static int r_class(lua_State *L) {
  check_resolver(L);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_pushvalue(L, 2);
  lua_rawget(L, CLASSES);
  if (!lua_toboolean(L, -1)) return luaL_argerror(L, 2, "not a resolver class (mxrecord.core.resolver_class)");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 0;
}

/* r:_submitted() -> DNS queries submitted so far (for benchmarks) */
static int r_submitted(lua_State *L) {
  lresolver *lr = check_resolver(L);
  lua_pushnumber(L, lr->core ? (lua_Number)mxr_resolver_submitted(lr->core) : 0);
  return 1;
}

/* r:_window() -> queries the core lets on the wire now (adaptive; lookup_many sizes its backlog by it) */
static int r_window(lua_State *L) {
  lresolver *lr = check_resolver(L);
  if (!lr->core || lr->external) return 0; /* the host carries the packets: no wire window */
  lua_pushinteger(L, (lua_Integer)mxr_resolver_window(lr->core));
  return 1;
}

/* r:_engine(qtype, duplicates) -> engine: lookup_many's (lua_bulk.c) */
static int r_engine(lua_State *L) { return mxr_lua_engine_new(L, check_live(L)); }

/* ---- driving ------------------------------------------------------------------ */

static int r_poll(lua_State *L) {
  lresolver *lr = check_open(L);
  int n;
  lua_settop(L, 1);
  mxr_resolver_process(lr->core, 0);
  n = dispatch(L, lr);
  lua_pushinteger(L, n);
  return 1 + take_errors(L);
}

static int r_run(lua_State *L) {
  lresolver *lr = check_open(L);
  double limit = -1, deadline = 0;
  int done;
  if (!lua_isnoneornil(L, 2)) {
    limit = luaL_checknumber(L, 2);
    if (!(limit >= 0)) return luaL_argerror(L, 2, "timeout must be a number of seconds >= 0");
  }
  lua_settop(L, 1);
  if (lr->external) return luaL_error(L, "this resolver's packets are carried by its host: use its run()");
  if (limit >= 0) deadline = mxr_monotonic() + limit;
  for (;;) {
    int wait = -1;
    dispatch(L, lr);
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
    if (mxr_resolver_queued(lr->core) == 0) mxr_resolver_process(lr->core, wait);
  }
  lua_pushboolean(L, done);
  return 1 + take_errors(L);
}

static int r_pending(lua_State *L) {
  lresolver *lr = check_open(L);
  /* in flight plus answered but not yet handed to their callbacks: a loop
   * "while r:pending() > 0 do r:poll() end" then runs every callback */
  lua_pushinteger(L, (lua_Integer)(mxr_resolver_pending(lr->core) + mxr_resolver_queued(lr->core)));
  return 1;
}

static int r_fds(lua_State *L) {
  static const char *const ev[] = {"", "r", "w", "rw"};
  lresolver *lr = check_open(L);
  size_t n = mxr_resolver_fds(lr->core, NULL, NULL, 0), i;
  int *fds = lua_newuserdata(L, (n ? n : 1) * 2 * sizeof(int)); /* freed by the GC, whatever raises */
  n = mxr_resolver_fds(lr->core, fds, fds + (n ? n : 1), n);
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, fds[i]);
    lua_rawseti(L, -3, (int)i + 1);
    lua_pushstring(L, ev[fds[(n ? n : 1) + i] & 3]);
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

/* r:_watch(fd [, false]): fd (another loop's epoll descriptor, such as an
 * SMTP pool's) joins r:pollfd()'s set, or leaves it. */
static int r_watch(lua_State *L) {
  lresolver *lr = check_open(L);
  int fd = (int)luaL_checkinteger(L, 2);
  if (lua_isboolean(L, 3) && !lua_toboolean(L, 3)) {
    mxr_resolver_unwatch(lr->core, fd);
  } else if (mxr_resolver_watch(lr->core, fd) < 0) {
    return luaL_error(L, "resolver: cannot watch descriptor %d", fd);
  }
  return 0;
}

/* r:servers() -> { {address=, port=, down=}, ... } */
static int r_servers(lua_State *L) {
  lresolver *lr = check_open(L);
  size_t i, n = mxr_resolver_nservers(lr->core);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    const char *host;
    int port, down;
    mxr_resolver_server(lr->core, i, &host, &port, &down);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, host);
    lua_setfield(L, -2, "address");
    lua_pushinteger(L, port);
    lua_setfield(L, -2, "port");
    lua_pushboolean(L, down);
    lua_setfield(L, -2, "down");
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 1;
}

/* close() in three steps, so that a host whose callbacks must run from Lua
 * (nginx) closes the same way: begin (cancel everything; queries started
 * from here on complete as cancelled), run every callback owed, end (free). */
static int begin_close(lresolver *lr) {
  if (!lr->core || lr->closing) return 0;
  lr->closing = 1;
  mxr_resolver_cancel(lr->core);
  return 1;
}

static int end_close(lua_State *L, lresolver *lr) {
  mxr_lua_engines_orphan(lr);
  if (lr->core) mxr_resolver_free(lr->core);
  lr->core = NULL;
  lr->closing = 0;
  free_list(lr->parked);
  lr->parked = NULL;
  lua_pushboolean(L, 1);
  return 1 + take_errors(L);
}

/* r:_begin_close() -> true, or false when closed or closing already */
static int r_begin_close(lua_State *L) {
  lua_pushboolean(L, begin_close(check_resolver(L)));
  return 1;
}

static int r_end_close(lua_State *L) {
  lresolver *lr = check_resolver(L);
  lua_settop(L, 1);
  return end_close(L, lr);
}

/* Cancels, runs every callback still owed (cancelled ones get "cancelled",
 * and so do queries those callbacks start), then frees the core. close()
 * and __close. Idempotent. */
static int r_close(lua_State *L) {
  lresolver *lr = check_resolver(L);
  lua_settop(L, 1);
  if (!begin_close(lr)) {
    lua_pushboolean(L, 1);
    return 1;
  }
  dispatch(L, lr);
  return end_close(L, lr);
}

/* __gc: frees without running any Lua code (a finaliser may run at almost
 * any allocation; callbacks there would run in the middle of unrelated code).
 * Nothing can be converting now: a converting frame holds the resolver. */
static int r_gc(lua_State *L) {
  lresolver *lr = (lresolver *)lua_touserdata(L, 1);
  if (!lr) return 0;
  mxr_lua_engines_orphan(lr);
  mxr_resolver_free(lr->core);
  lr->core = NULL;
  free_list(lr->parked);
  free_list(lr->converting);
  lr->parked = lr->converting = NULL;
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

/* ---- construction --------------------------------------------------------------- */

/* The C memory behind each server's channel (c-ares buffers, sockets): the
 * GC does not see it, so a program that makes many resolvers and drops them
 * is told through a collector step of about that size. */
#define C_KB_PER_SERVER 169 /* c-ares' buffers (73) and the datagram batches (96, src/core/mxr_udp.c) */

static int m_resolver(lua_State *L) {
  mxr_options opt;
  lresolver *lr;
  char err[256];
  int rc;
  lua_settop(L, 1);
  lua_newtable(L);                         /* 2: the uservalue */
  mxr_lua_resolver_options(L, 1, &opt, 2); /* may push the servers' CSV (3) */
  lr = (lresolver *)lua_newuserdata(L, sizeof *lr);
  memset(lr, 0, sizeof *lr);
  lr->external = opt.transport == MXR_TRANSPORT_EXTERNAL;
  luaL_getmetatable(L, RESOLVER_MT);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, 2);
  mxr_setuservalue(L, -2);
  rc = mxr_resolver_new(&lr->core, &opt, err, sizeof err);
  if (rc < 0) return luaL_error(L, "mxrecord.resolver: %s", err);
  if (!lr->external) lua_gc(L, LUA_GCSTEP, C_KB_PER_SERVER * (int)mxr_resolver_nservers(lr->core));
  return 1;
}

static const luaL_Reg methods[] = {
    {"query", r_query},
    {"mx", r_mx},
    {"txt", r_txt},
    {"a", r_a},
    {"aaaa", r_aaaa},
    {"poll", r_poll},
    {"run", r_run},
    {"pending", r_pending},
    {"fds", r_fds},
    {"timeout", r_timeout},
    {"close", r_close},
    {"pollfd", r_pollfd},
    {"events", r_events},
    {"servers", r_servers},
    {"_start", r_start},
    {"_wait", r_wait},
    {"_post", r_post},
    {"_step", r_step},
    {"_state", r_state},
    {"_outgoing", r_outgoing},
    {"_feed", r_feed},
    {"_take", r_take},
    {"_inflight", r_inflight},
    {"_next", r_next},
    {"_report", r_report},
    {"_begin_close", r_begin_close},
    {"_end_close", r_end_close},
    {"_class", r_class},
    {"_watch", r_watch},
    {"_engine", r_engine},
    {"_submitted", r_submitted},
    {"_window", r_window},
    {NULL, NULL},
};

/* Fills the metatable on top with the metamethods (methods: the __index table). */
static void fill_class(lua_State *L, int classes, int index) {
  lua_pushvalue(L, index);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, classes);
  lua_pushcclosure(L, r_close, 1);
  lua_setfield(L, -2, "__close");
  lua_pushvalue(L, classes);
  lua_pushcclosure(L, r_tostring, 1);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, r_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushliteral(L, RESOLVER_MT);
  lua_setfield(L, -2, "__name");
  lua_pushvalue(L, -1); /* register it */
  lua_pushboolean(L, 1);
  lua_rawset(L, classes);
}

/* resolver_class(methods) -> a metatable for resolvers whose methods are
 * `methods` (a table whose own __index should reach resolver_methods). */
static int m_resolver_class(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_newtable(L);
  fill_class(L, lua_upvalueindex(1), 1);
  return 1;
}

void mxr_lua_open_resolver(lua_State *L) {
  int module = lua_gettop(L), classes, i;
  lua_newtable(L); /* { [metatable] = true } */
  classes = lua_gettop(L);
  lua_newtable(L); /* the methods */
  for (i = 0; methods[i].name; i++) {
    lua_pushvalue(L, classes);
    lua_pushcclosure(L, methods[i].func, 1);
    lua_setfield(L, -2, methods[i].name);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, module, "resolver_methods"); /* for the Lua layers' methods */
  luaL_newmetatable(L, RESOLVER_MT);
  fill_class(L, classes, -2);
  lua_pop(L, 2); /* metatable, methods */
  lua_pushvalue(L, classes);
  lua_pushcclosure(L, m_resolver_class, 1);
  lua_setfield(L, module, "resolver_class");
  lua_pushcfunction(L, m_resolver);
  lua_setfield(L, module, "resolver");
  lua_pop(L, 1); /* classes */
}
