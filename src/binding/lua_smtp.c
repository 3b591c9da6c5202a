/* lua_smtp.c: the SMTP engine for Lua.
 *   core.smtp_session{...}  the sans-I/O engine, for transports that carry
 *                           bytes themselves (nginx cosockets, tests)
 *   core.smtp_pool{...}     sessions over the module's own non-blocking
 *                           sockets (mxr_conn), driven by poll()/run()
 * Times given to and returned by sessions are seconds (mxrecord.monotonic()). */
#include <math.h>
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_conn.h"
#include "mxr_smtp.h"

#define SESSION_MT "mxrecord.smtp_session"
#define POOL_MT "mxrecord.smtp_pool"

static int64_t to_ms(lua_State *L, int i) {
  lua_Number t = luaL_checknumber(L, i);
  if (!(t >= 0 && t < 9.0e12)) luaL_argerror(L, i, "a time in seconds expected");
  return (int64_t)floor(t * 1000.0);
}

/* Reads the session options of the table at index t into o (strings stay
 * in the table). Raises on unknown or mistyped fields. */
static void read_options(lua_State *L, int t, const char *fname, mxr_smtp_options *o, int allow_extra) {
  memset(o, 0, sizeof *o);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    int vt = lua_type(L, -1);
    if (!k) luaL_error(L, "bad argument #1 to '%s' (option names must be strings)", fname);
    if (!strcmp(k, "helo") || !strcmp(k, "from") || !strcmp(k, "probe")) {
      if (vt != LUA_TSTRING) luaL_error(L, "bad argument #1 to '%s' (option '%s': string expected)", fname, k);
      if (strlen(lua_tostring(L, -1)) != mxr_rawlen(L, -1))
        luaL_error(L, "bad argument #1 to '%s' (option '%s': contains a NUL byte)", fname, k);
      if (k[0] == 'h')
        o->helo = lua_tostring(L, -1);
      else if (k[0] == 'f')
        o->from = lua_tostring(L, -1);
      else
        o->probe = lua_tostring(L, -1);
    } else if (!strcmp(k, "connect_timeout") || !strcmp(k, "command_timeout")) {
      lua_Number v;
      if (vt != LUA_TNUMBER) luaL_error(L, "bad argument #1 to '%s' (option '%s': number expected)", fname, k);
      v = lua_tonumber(L, -1);
      if (!(v > 0 && v <= 3600)) luaL_error(L, "bad argument #1 to '%s' (option '%s': 0 < seconds <= 3600)", fname, k);
      if (k[1] == 'o' && k[2] == 'n' && k[3] == 'n')
        o->connect_timeout_ms = (int)ceil(v * 1000);
      else
        o->command_timeout_ms = (int)ceil(v * 1000);
    } else if (!strcmp(k, "pipelining")) {
      if (vt != LUA_TBOOLEAN) luaL_error(L, "bad argument #1 to '%s' (option 'pipelining': boolean expected)", fname);
      o->no_pipelining = !lua_toboolean(L, -1);
    } else if (!allow_extra || (strcmp(k, "addresses") && strcmp(k, "host") && strcmp(k, "port") &&
                                strcmp(k, "address") && strcmp(k, "tag"))) {
      luaL_error(L, "bad argument #1 to '%s' (unknown option '%s')", fname, k);
    }
    lua_pop(L, 1);
  }
}

/* Adds the strings of the array field "addresses" of the table at t. */
static void add_addresses(lua_State *L, int t, const char *fname, mxr_smtp *s) {
  size_t i, n, len;
  const char *a, *why;
  lua_getfield(L, t, "addresses");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  if (!lua_istable(L, -1)) luaL_error(L, "bad argument #1 to '%s' (option 'addresses': table expected)", fname);
  n = mxr_rawlen(L, -1);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, (int)i);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "bad argument #1 to '%s' (addresses[%d]: string expected)", fname, (int)i);
    a = lua_tolstring(L, -1, &len);
    if (mxr_smtp_add_rcpt(s, a, len, &why) < 0)
      luaL_error(L, "bad argument #1 to '%s' (addresses[%d]: %s)", fname, (int)i, why);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

static void push_outcome(lua_State *L, const mxr_smtp_outcome *o) {
  lua_createtable(L, 0, 5);
  lua_pushstring(L, mxr_smtp_state_name(o->state));
  lua_setfield(L, -2, "state");
  lua_pushstring(L, mxr_smtp_stage_name(o->stage));
  lua_setfield(L, -2, "stage");
  if (o->code) {
    lua_pushinteger(L, o->code);
    lua_setfield(L, -2, "code");
  }
  if (o->enhanced[0]) {
    lua_pushstring(L, o->enhanced);
    lua_setfield(L, -2, "enhanced");
  }
  if (o->text_len) {
    lua_pushlstring(L, o->text, o->text_len);
    lua_setfield(L, -2, "reply");
  }
}

/* { {address=, state=, stage=, code=, enhanced=, reply=}, ..., probe = {...}|nil,
 *   session = {...}|nil, features = {pipelining=, smtputf8=, enhancedstatuscodes=, helo=} } */
static void push_results(lua_State *L, const mxr_smtp *s) {
  size_t i, n = mxr_smtp_rcpt_count(s);
  int f = mxr_smtp_features(s);
  lua_createtable(L, (int)n, 3);
  for (i = 0; i < n; i++) {
    push_outcome(L, mxr_smtp_rcpt(s, i));
    lua_pushstring(L, mxr_smtp_rcpt_address(s, i));
    lua_setfield(L, -2, "address");
    lua_rawseti(L, -2, (int)i + 1);
  }
  if (mxr_smtp_probe(s)->state != MXR_SMTP_PENDING) {
    push_outcome(L, mxr_smtp_probe(s));
    lua_setfield(L, -2, "probe");
  }
  if (mxr_smtp_session(s)->state != MXR_SMTP_PENDING) {
    push_outcome(L, mxr_smtp_session(s));
    lua_setfield(L, -2, "session");
  }
  lua_createtable(L, 0, 4);
  lua_pushboolean(L, f & 1);
  lua_setfield(L, -2, "pipelining");
  lua_pushboolean(L, f & 2);
  lua_setfield(L, -2, "smtputf8");
  lua_pushboolean(L, f & 4);
  lua_setfield(L, -2, "enhancedstatuscodes");
  lua_pushboolean(L, f & 8);
  lua_setfield(L, -2, "helo");
  lua_setfield(L, -2, "features");
}

/* ---- sessions ---- */

typedef struct session_ud {
  mxr_smtp *s;
} session_ud;

static mxr_smtp *check_session(lua_State *L) {
  session_ud *u = (session_ud *)luaL_checkudata(L, 1, SESSION_MT);
  if (!u->s) luaL_error(L, "smtp session is closed");
  return u->s;
}

/* smtp_session{ helo=, from=, probe=, addresses={...}, connect_timeout=, command_timeout=, pipelining= } */
static int l_session(lua_State *L) {
  mxr_smtp_options o;
  session_ud *u;
  const char *why;
  luaL_checktype(L, 1, LUA_TTABLE);
  read_options(L, 1, "smtp_session", &o, 1);
  u = (session_ud *)lua_newuserdata(L, sizeof *u);
  u->s = NULL;
  luaL_getmetatable(L, SESSION_MT);
  lua_setmetatable(L, -2);
  if (!(u->s = mxr_smtp_new(&o, &why))) return luaL_error(L, "bad argument #1 to 'smtp_session' (%s)", why);
  add_addresses(L, 1, "smtp_session", u->s);
  return 1;
}

static int s_start(lua_State *L) {
  mxr_smtp_start(check_session(L), to_ms(L, 2));
  return 0;
}
static int s_connected(lua_State *L) {
  mxr_smtp_connected(check_session(L), to_ms(L, 2));
  return 0;
}
static int s_connect_failed(lua_State *L) {
  mxr_smtp_connect_failed(check_session(L), to_ms(L, 2));
  return 0;
}
/* s:feed(bytes, now) -> done */
static int s_feed(lua_State *L) {
  mxr_smtp *s = check_session(L);
  size_t len;
  const char *b = luaL_checklstring(L, 2, &len);
  mxr_smtp_feed(s, b, len, to_ms(L, 3));
  lua_pushboolean(L, mxr_smtp_done(s));
  return 1;
}
static int s_eof(lua_State *L) {
  mxr_smtp_eof(check_session(L), to_ms(L, 2));
  return 0;
}
/* s:tick(now) -> done */
static int s_tick(lua_State *L) {
  mxr_smtp *s = check_session(L);
  mxr_smtp_tick(s, to_ms(L, 2));
  lua_pushboolean(L, mxr_smtp_done(s));
  return 1;
}
/* s:output() -> bytes to send (marked as sent) or nil */
static int s_output(lua_State *L) {
  mxr_smtp *s = check_session(L);
  size_t len;
  const char *out = mxr_smtp_output(s, &len);
  if (!len) return 0;
  lua_pushlstring(L, out, len);
  mxr_smtp_sent(s, len);
  return 1;
}
/* s:deadline() -> seconds or nil */
static int s_deadline(lua_State *L) {
  int64_t d = mxr_smtp_deadline(check_session(L));
  if (d < 0) return 0;
  lua_pushnumber(L, (lua_Number)d / 1000.0);
  return 1;
}
static int s_done(lua_State *L) {
  lua_pushboolean(L, mxr_smtp_done(check_session(L)));
  return 1;
}
static int s_wants_read(lua_State *L) {
  lua_pushboolean(L, mxr_smtp_wants_read(check_session(L)));
  return 1;
}
static int s_results(lua_State *L) {
  push_results(L, check_session(L));
  return 1;
}
static int s_close(lua_State *L) {
  session_ud *u = (session_ud *)luaL_checkudata(L, 1, SESSION_MT);
  mxr_smtp_free(u->s);
  u->s = NULL;
  return 0;
}

static const luaL_Reg session_methods[] = {{"start", s_start},
                                           {"connected", s_connected},
                                           {"connect_failed", s_connect_failed},
                                           {"feed", s_feed},
                                           {"eof", s_eof},
                                           {"tick", s_tick},
                                           {"output", s_output},
                                           {"deadline", s_deadline},
                                           {"done", s_done},
                                           {"wants_read", s_wants_read},
                                           {"results", s_results},
                                           {"close", s_close},
                                           {NULL, NULL}};

/* ---- pools ---- */

typedef struct pool_ud {
  mxr_conn_pool *p;
} pool_ud;

static mxr_conn_pool *check_pool(lua_State *L) {
  pool_ud *u = (pool_ud *)luaL_checkudata(L, 1, POOL_MT);
  if (!u->p) luaL_error(L, "smtp pool is closed");
  return u->p;
}

static int pool_int(lua_State *L, int t, const char *k, int dflt, int max) {
  int v = dflt;
  lua_getfield(L, t, k);
  if (!lua_isnil(L, -1)) {
    lua_Number n = lua_tonumber(L, -1);
    if (lua_type(L, -1) != LUA_TNUMBER || n < 1 || n > max || n != floor(n))
      luaL_error(L, "bad argument #1 to 'smtp_pool' (option '%s': an integer from 1 to %d expected)", k, max);
    v = (int)n;
  }
  lua_pop(L, 1);
  return v;
}

/* smtp_pool{ per_host = 1, max = 64 } */
static int l_pool(lua_State *L) {
  pool_ud *u;
  int per_host = 1, max = 64;
  if (!lua_isnoneornil(L, 1)) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
      if (strcmp(k, "per_host") && strcmp(k, "max"))
        luaL_error(L, "bad argument #1 to 'smtp_pool' (unknown option '%s')", k);
      lua_pop(L, 1);
    }
    per_host = pool_int(L, 1, "per_host", 1, 1000);
    max = pool_int(L, 1, "max", 64, 200);
  }
  u = (pool_ud *)lua_newuserdata(L, sizeof *u);
  u->p = NULL;
  luaL_getmetatable(L, POOL_MT);
  lua_setmetatable(L, -2);
  lua_newtable(L); /* uservalue: id -> callback */
  mxr_setuservalue(L, -2);
  if (!(u->p = mxr_conn_new(per_host, max))) return luaL_error(L, "smtp_pool: out of memory");
  return 1;
}

/* pool:start({ address=, port=, helo=, from=, probe=, addresses=, ... }, callback) -> id */
static int p_start(lua_State *L) {
  mxr_conn_pool *p = check_pool(L);
  mxr_smtp_options o;
  mxr_smtp *s;
  const char *why, *ip;
  int port;
  uint64_t id;
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_checktype(L, 3, LUA_TFUNCTION);
  read_options(L, 2, "start", &o, 1);
  lua_getfield(L, 2, "address");
  ip = lua_tostring(L, -1);
  if (lua_type(L, -1) != LUA_TSTRING)
    return luaL_error(L, "bad argument #1 to 'start' (option 'address': IP address expected)");
  lua_getfield(L, 2, "port");
  port = (int)lua_tointeger(L, -1);
  if (lua_type(L, -1) != LUA_TNUMBER || port < 1 || port > 65535)
    return luaL_error(L, "bad argument #1 to 'start' (option 'port': 1..65535 expected)");
  lua_pop(L, 1);
  /* a session userdata owns the engine while we fill it, so that a raise frees it */
  {
    session_ud *su = (session_ud *)lua_newuserdata(L, sizeof *su);
    su->s = NULL;
    luaL_getmetatable(L, SESSION_MT);
    lua_setmetatable(L, -2);
    if (!(su->s = mxr_smtp_new(&o, &why))) return luaL_error(L, "bad argument #1 to 'start' (%s)", why);
    add_addresses(L, 2, "start", su->s);
    s = su->s;
    id = mxr_conn_start(p, ip, port, s, NULL, mxr_conn_now());
    if (!id)
      return luaL_error(L, "bad argument #1 to 'start' (option 'address': '%s' is not a numeric IP address)", ip);
    su->s = NULL; /* the pool owns it now */
  }
  mxr_getuservalue(L, 1);
  lua_pushnumber(L, (lua_Number)id);
  lua_pushvalue(L, 3);
  lua_rawset(L, -3);
  lua_pushnumber(L, (lua_Number)id);
  return 1;
}

static int traceback_handler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  mxr_traceback(L, msg);
  return 1;
}

/* Runs the callbacks of finished sessions; errors go to the table at errs
 * (created on first use). Returns how many ran. */
static int dispatch(lua_State *L, int errs) {
  pool_ud *u = (pool_ud *)luaL_checkudata(L, 1, POOL_MT);
  mxr_conn_done d;
  int count = 0, uv;
  mxr_getuservalue(L, 1);
  uv = lua_gettop(L);
  while (u->p && mxr_conn_next_done(u->p, &d)) {
    int base;
    lua_pushnumber(L, (lua_Number)d.id);
    lua_rawget(L, uv);
    lua_pushnumber(L, (lua_Number)d.id);
    lua_pushnil(L);
    lua_rawset(L, uv);
    base = lua_gettop(L);
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    push_results(L, d.smtp);
    mxr_smtp_free(d.smtp);
    if (d.cancelled) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "cancelled");
    }
    if (d.sys_errno) {
      lua_pushstring(L, strerror(d.sys_errno));
      lua_setfield(L, -2, "error");
    }
    if (lua_isfunction(L, base + 1)) {
      if (lua_pcall(L, 1, 0, base) != 0) {
        if (lua_isnil(L, errs)) {
          lua_newtable(L);
          lua_replace(L, errs);
        }
        lua_rawseti(L, errs, (int)mxr_rawlen(L, errs) + 1);
      }
      count++;
    } else {
      lua_pop(L, 2);
    }
    lua_settop(L, uv);
  }
  lua_pop(L, 1);
  return count;
}

/* pool:poll() -> callbacks run[, errors] */
static int p_poll(lua_State *L) {
  mxr_conn_pool *p = check_pool(L);
  int n;
  lua_settop(L, 1);
  lua_pushnil(L);
  mxr_conn_process(p, 0);
  n = dispatch(L, 2);
  lua_pushinteger(L, n);
  if (lua_isnil(L, 2)) return 1;
  lua_pushvalue(L, 2);
  return 2;
}

/* pool:run([timeout]) -> true when nothing is left (false on timeout)[, errors] */
static int p_run(lua_State *L) {
  pool_ud *u;
  double limit = -1, deadline = 0;
  int done = 0;
  check_pool(L);
  u = (pool_ud *)lua_touserdata(L, 1);
  if (!lua_isnoneornil(L, 2)) {
    limit = luaL_checknumber(L, 2);
    if (!(limit >= 0)) return luaL_argerror(L, 2, "timeout must be a number of seconds >= 0");
  }
  lua_settop(L, 1);
  lua_pushnil(L);
  if (limit >= 0) deadline = (double)mxr_conn_now() / 1000.0 + limit;
  for (;;) {
    int wait = -1;
    dispatch(L, 2);
    if (!u->p || (mxr_conn_active(u->p) == 0 && mxr_conn_finished(u->p) == 0)) {
      done = 1;
      break;
    }
    if (limit >= 0) {
      double left = deadline - (double)mxr_conn_now() / 1000.0;
      if (left <= 0) break;
      wait = (int)(left * 1000.0) + 1;
    }
    mxr_conn_process(u->p, wait);
  }
  lua_pushboolean(L, done);
  if (lua_isnil(L, 2)) return 1;
  lua_pushvalue(L, 2);
  return 2;
}

/* pool:step(timeout, fds, events) -> callbacks run, extra_ready[, errors]: one round
 * waiting at most timeout seconds (nil: until the next deadline) on the pool's
 * sockets and the descriptors fds (with events "r"/"w"/"rw", as r:fds() gives them). */
static int p_step(lua_State *L) {
  mxr_conn_pool *p = check_pool(L);
  mxr_conn_fd extra[64];
  size_t n = 0, i, cnt;
  int wait = -1, ready = 0, k;
  if (!lua_isnoneornil(L, 2)) {
    lua_Number t = luaL_checknumber(L, 2);
    wait = t <= 0 ? 0 : (t > 86400 ? 86400000 : (int)(t * 1000.0 + 0.999));
  }
  if (!lua_isnoneornil(L, 3)) {
    luaL_checktype(L, 3, LUA_TTABLE);
    cnt = mxr_rawlen(L, 3);
    for (i = 1; i <= cnt && n < 64; i++) {
      const char *ev = "r";
      lua_rawgeti(L, 3, (int)i);
      extra[n].fd = (int)lua_tointeger(L, -1);
      lua_pop(L, 1);
      if (lua_istable(L, 4)) {
        lua_rawgeti(L, 4, (int)i);
        if (lua_isstring(L, -1)) ev = lua_tostring(L, -1);
        lua_pop(L, 1);
      }
      extra[n].events = (strchr(ev, 'r') ? MXR_CONN_READ : 0) | (strchr(ev, 'w') ? MXR_CONN_WRITE : 0);
      if (extra[n].fd >= 0 && extra[n].events) n++;
    }
  }
  mxr_conn_process_with(p, wait, extra, n, &ready);
  lua_settop(L, 1);
  lua_pushnil(L);
  k = dispatch(L, 2);
  lua_pushinteger(L, k);
  lua_pushboolean(L, ready);
  if (lua_isnil(L, 2)) return 2;
  lua_pushvalue(L, 2);
  return 3;
}

static int p_pending(lua_State *L) {
  mxr_conn_pool *p = check_pool(L);
  lua_pushinteger(L, (lua_Integer)(mxr_conn_active(p) + mxr_conn_finished(p)));
  return 1;
}

/* pool:fds() -> { fd, ... }, { "r"|"w"|"rw", ... } */
static int p_fds(lua_State *L) {
  mxr_conn_pool *p = check_pool(L);
  mxr_conn_fd fds[256];
  static const char *const ev[] = {"", "r", "w", "rw"};
  size_t n = mxr_conn_fds(p, fds, 256), i;
  if (n > 256) n = 256;
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushinteger(L, fds[i].fd);
    lua_rawseti(L, -3, (int)i + 1);
    lua_pushstring(L, ev[fds[i].events & 3]);
    lua_rawseti(L, -2, (int)i + 1);
  }
  return 2;
}

static int p_pollfd(lua_State *L) {
  int fd = mxr_conn_pollfd(check_pool(L));
  if (fd < 0) return luaL_error(L, "smtp pool: cannot make an epoll descriptor");
  lua_pushinteger(L, fd);
  return 1;
}

/* pool:timeout() -> seconds until the next deadline, or nil */
static int p_timeout(lua_State *L) {
  mxr_conn_pool *p = check_pool(L);
  int ms = mxr_conn_finished(p) ? 0 : mxr_conn_timeout_ms(p, mxr_conn_now());
  if (ms < 0) return 0;
  lua_pushnumber(L, ms / 1000.0);
  return 1;
}

/* pool:close(): cancels what is running (callbacks get results.cancelled) and frees the pool; idempotent */
static int p_close(lua_State *L) {
  pool_ud *u = (pool_ud *)luaL_checkudata(L, 1, POOL_MT);
  if (!u->p) return 0;
  mxr_conn_cancel_all(u->p);
  lua_settop(L, 1);
  lua_pushnil(L);
  dispatch(L, 2);
  mxr_conn_free(u->p);
  u->p = NULL;
  if (lua_isnil(L, 2)) return 0;
  lua_pushnil(L);
  lua_pushvalue(L, 2);
  return 2;
}

/* __gc: frees without running callbacks */
static int p_gc(lua_State *L) {
  pool_ud *u = (pool_ud *)luaL_checkudata(L, 1, POOL_MT);
  mxr_conn_free(u->p);
  u->p = NULL;
  return 0;
}

static const luaL_Reg pool_methods[] = {
    {"start", p_start}, {"poll", p_poll},     {"run", p_run},         {"pending", p_pending}, {"step", p_step},
    {"fds", p_fds},     {"pollfd", p_pollfd}, {"timeout", p_timeout}, {"close", p_close},     {NULL, NULL}};

void mxr_lua_open_smtp(lua_State *L) {
  luaL_newmetatable(L, SESSION_MT);
  lua_pushcfunction(L, s_close);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  mxr_setfuncs(L, session_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newmetatable(L, POOL_MT);
  lua_pushcfunction(L, p_gc);
  lua_setfield(L, -2, "__gc");
  lua_newtable(L);
  mxr_setfuncs(L, pool_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  lua_pushcfunction(L, l_session);
  lua_setfield(L, -2, "smtp_session");
  lua_pushcfunction(L, l_pool);
  lua_setfield(L, -2, "smtp_pool");
}
