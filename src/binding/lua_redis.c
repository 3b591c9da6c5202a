/* lua_redis.c: mxrecord.redis, a small synchronous Redis client over hiredis
 * for the fleet (lua/mxrecord/fleet.lua) and the shared cache level
 * (lua/mxrecord/cache_redis.lua), in plain Lua 5.1-5.4 and LuaJIT.
 *
 * Synchronous on purpose: a worker talks to Redis between batches (read a
 * batch, store its results, acknowledge), while the DNS work of a batch
 * stays asynchronous on the resolver. Pipelines keep a batch to one round
 * trip. Inside nginx use lua-resty-redis (cosockets) instead.
 *
 *   local redis = require "mxrecord.redis"
 *   local c = assert(redis.connect { host = "127.0.0.1", port = 6379, timeout = 5 })
 *   c:call("SET", "k", "v")                       --> "OK"
 *   c:pipeline { { "INCR", "n" }, { "GET", "k" } } --> { 1, "v" }
 *   c:close()
 *
 * Replies: strings and status replies are Lua strings, integers are
 * integers, arrays are tables, a nil reply is false (so arrays keep their
 * length). A Redis error reply gives nil, message, "redis"; a broken
 * connection nil, message, "io" or "timeout" (the connection is closed then:
 * make a new one). */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "lua_compat.h"
#include "mxrecord.h"

#define CONN_MT "mxrecord.redis"

typedef struct {
  redisContext *ctx;
  redisReply *reply; /* a reply being converted: freed by the next call or __gc if a push raised */
} conn;

static conn *check_conn(lua_State *L) {
  conn *c = (conn *)luaL_checkudata(L, 1, CONN_MT);
  if (!c->ctx) luaL_error(L, "redis connection is closed");
  return c;
}

static void drop_reply(conn *c) {
  if (c->reply) freeReplyObject(c->reply);
  c->reply = NULL;
}

static struct timeval to_timeval(double seconds) {
  struct timeval tv;
  tv.tv_sec = (time_t)seconds;
  tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
  return tv;
}

/* Pushes nil, message, "io" and closes the connection (hiredis contexts are
 * unusable after an I/O or protocol error). */
static int io_failure(lua_State *L, conn *c) {
  int timed_out = c->ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
  lua_pushnil(L);
  if (timed_out)
    lua_pushliteral(L, "redis: timeout");
  else
    lua_pushfstring(L, "redis: %s", c->ctx->errstr[0] ? c->ctx->errstr : "connection lost");
  if (timed_out)
    lua_pushliteral(L, "timeout");
  else
    lua_pushliteral(L, "io");
  drop_reply(c);
  redisFree(c->ctx);
  c->ctx = NULL;
  return 3;
}

/* Pushes a reply as a Lua value; error replies inside arrays become tables
 * { err = message }. */
static void push_reply(lua_State *L, const redisReply *r) {
  size_t i;
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS: lua_pushlstring(L, r->str, r->len); break;
    case REDIS_REPLY_INTEGER: lua_pushinteger(L, (lua_Integer)r->integer); break;
    case REDIS_REPLY_NIL: lua_pushboolean(L, 0); break;
    case REDIS_REPLY_ARRAY:
      lua_createtable(L, (int)r->elements, 0);
      for (i = 0; i < r->elements; i++) {
        push_reply(L, r->element[i]);
        lua_rawseti(L, -2, (int)i + 1);
      }
      break;
    case REDIS_REPLY_ERROR:
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, r->str, r->len);
      lua_setfield(L, -2, "err");
      break;
    default: lua_pushboolean(L, 0); break;
  }
}

/* The arguments of one command, from the stack (first..last) or from the
 * array at index t; the vectors live in a userdata (collected, never leaked). */
typedef struct {
  int argc;
  const char **argv;
  size_t *argvlen;
} command;

static void arg_at(lua_State *L, int idx, command *cmd, int i, int argn, const char *fname) {
  int t = lua_type(L, idx);
  if (t != LUA_TSTRING && t != LUA_TNUMBER)
    luaL_error(L, "bad argument #%d to '%s' (string or number expected, got %s)", argn, fname, lua_typename(L, t));
  cmd->argv[i] = lua_tolstring(L, idx, &cmd->argvlen[i]);
}

static void alloc_command(lua_State *L, command *cmd, int argc) {
  void *mem = lua_newuserdata(L, (size_t)argc * (sizeof(char *) + sizeof(size_t)));
  cmd->argc = argc;
  cmd->argvlen = (size_t *)mem;
  cmd->argv = (const char **)(void *)((size_t *)mem + argc);
}

/* c:call(cmd, args...) -> reply | nil, message, code */
static int c_call(lua_State *L) {
  conn *c = check_conn(L);
  int top = lua_gettop(L), i;
  command cmd;
  if (top < 2) return luaL_argerror(L, 2, "command expected");
  alloc_command(L, &cmd, top - 1);
  for (i = 2; i <= top; i++) arg_at(L, i, &cmd, i - 2, i - 1, "call");
  drop_reply(c);
  c->reply = (redisReply *)redisCommandArgv(c->ctx, cmd.argc, cmd.argv, cmd.argvlen);
  if (!c->reply) return io_failure(L, c);
  if (c->reply->type == REDIS_REPLY_ERROR) {
    lua_pushnil(L);
    lua_pushlstring(L, c->reply->str, c->reply->len);
    lua_pushliteral(L, "redis");
    drop_reply(c);
    return 3;
  }
  push_reply(L, c->reply);
  drop_reply(c);
  return 1;
}

/* c:pipeline{ {cmd, args...}, ... } -> { reply, ... } | nil, message, code
 * Sends every command, then reads every reply (one round trip). An error
 * reply fails the whole call with the first error's message, after all
 * replies are read (the connection stays in step). */
static int c_pipeline(lua_State *L) {
  conn *c = check_conn(L);
  int n, i, j, argc, failed = 0;
  command cmd;
  luaL_checktype(L, 2, LUA_TTABLE);
  n = (int)mxr_rawlen(L, 2);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, 2, i);
    if (lua_type(L, -1) != LUA_TTABLE || (argc = (int)mxr_rawlen(L, -1)) < 1)
      return luaL_error(L, "bad argument #1 to 'pipeline' (command %d is not a non-empty list)", i);
    luaL_checkstack(L, argc + 2, "too many arguments");
    alloc_command(L, &cmd, argc);
    for (j = 1; j <= argc; j++) { /* the strings stay on the stack while hiredis formats them */
      lua_rawgeti(L, 3, j);
      arg_at(L, -1, &cmd, j - 1, 1, "pipeline");
    }
    if (redisAppendCommandArgv(c->ctx, cmd.argc, cmd.argv, cmd.argvlen) != REDIS_OK) return io_failure(L, c);
    lua_settop(L, 2);
  }
  lua_createtable(L, n, 0);
  for (i = 1; i <= n; i++) {
    void *r = NULL;
    drop_reply(c);
    if (redisGetReply(c->ctx, &r) != REDIS_OK || !r) return io_failure(L, c);
    c->reply = (redisReply *)r;
    if (c->reply->type == REDIS_REPLY_ERROR && !failed) {
      failed = 1;
      lua_pushlstring(L, c->reply->str, c->reply->len);
      lua_insert(L, 3); /* kept below the result table */
    } else if (!failed) {
      push_reply(L, c->reply);
      lua_rawseti(L, -2, i);
    }
  }
  drop_reply(c);
  if (failed) {
    lua_pushnil(L);
    lua_pushvalue(L, 3);
    lua_pushliteral(L, "redis");
    return 3;
  }
  return 1;
}

/* c:set_timeout(seconds): for every later read and write (0: none) */
static int c_set_timeout(lua_State *L) {
  conn *c = check_conn(L);
  double s = luaL_checknumber(L, 2);
  if (s < 0) return luaL_argerror(L, 2, "seconds >= 0 expected");
  if (redisSetTimeout(c->ctx, to_timeval(s)) != REDIS_OK) return io_failure(L, c);
  lua_pushboolean(L, 1);
  return 1;
}

/* c:close(): idempotent */
static int c_close(lua_State *L) {
  conn *c = (conn *)luaL_checkudata(L, 1, CONN_MT);
  drop_reply(c);
  if (c->ctx) redisFree(c->ctx);
  c->ctx = NULL;
  return 0;
}

static int c_tostring(lua_State *L) {
  conn *c = (conn *)luaL_checkudata(L, 1, CONN_MT);
  lua_pushstring(L, c->ctx ? "mxrecord.redis connection" : "mxrecord.redis connection (closed)");
  return 1;
}

/* connect{ host =, port = } or connect{ path = } (a unix socket), timeout =
 * seconds (default 5) -> connection | nil, message, "io" */
static int m_connect(lua_State *L) {
  const char *host = "127.0.0.1", *path = NULL;
  lua_Integer port = 6379;
  double timeout = 5;
  conn *c;
  redisContext *ctx;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
    if (strcmp(k, "host") == 0) {
      if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "bad argument #1 to 'connect' (host must be a string)");
      host = lua_tostring(L, -1);
    } else if (strcmp(k, "path") == 0) {
      if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "bad argument #1 to 'connect' (path must be a string)");
      path = lua_tostring(L, -1);
    } else if (strcmp(k, "port") == 0) {
      if (!lua_isnumber(L, -1) || lua_tonumber(L, -1) < 1 || lua_tonumber(L, -1) > 65535)
        luaL_error(L, "bad argument #1 to 'connect' (port must be a number from 1 to 65535)");
      port = (lua_Integer)lua_tonumber(L, -1);
    } else if (strcmp(k, "timeout") == 0) {
      if (!lua_isnumber(L, -1) || lua_tonumber(L, -1) <= 0)
        luaL_error(L, "bad argument #1 to 'connect' (timeout must be a number of seconds > 0)");
      timeout = lua_tonumber(L, -1);
    } else {
      luaL_error(L, "bad argument #1 to 'connect' (unknown option '%s')", k);
    }
    lua_pop(L, 1);
  }
  c = (conn *)lua_newuserdata(L, sizeof *c);
  c->ctx = NULL;
  c->reply = NULL;
  luaL_getmetatable(L, CONN_MT);
  lua_setmetatable(L, -2);
  ctx = path ? redisConnectUnixWithTimeout(path, to_timeval(timeout))
             : redisConnectWithTimeout(host, (int)port, to_timeval(timeout));
  if (!ctx) {
    lua_pushnil(L);
    lua_pushliteral(L, "redis: cannot allocate a connection");
    lua_pushliteral(L, "io");
    return 3;
  }
  if (ctx->err) {
    lua_pushnil(L);
    lua_pushfstring(L, "redis: %s (%s)", ctx->errstr, path ? path : host);
    lua_pushliteral(L, "io");
    redisFree(ctx);
    return 3;
  }
  c->ctx = ctx;
  if (redisSetTimeout(ctx, to_timeval(timeout)) != REDIS_OK) return io_failure(L, c);
  return 1;
}

MXRECORD_API int luaopen_mxrecord_redis(lua_State *L);

MXRECORD_API int luaopen_mxrecord_redis(lua_State *L) {
  static const luaL_Reg methods[] = {
      {"call", c_call}, {"pipeline", c_pipeline}, {"set_timeout", c_set_timeout}, {"close", c_close}, {NULL, NULL}};
  if (luaL_newmetatable(L, CONN_MT)) {
    lua_newtable(L);
    mxr_setfuncs(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, c_close);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, c_tostring);
    lua_setfield(L, -2, "__tostring");
#if LUA_VERSION_NUM >= 504
    lua_pushcfunction(L, c_close);
    lua_setfield(L, -2, "__close");
#endif
  }
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushcfunction(L, m_connect);
  lua_setfield(L, -2, "connect");
  lua_pushfstring(L, "hiredis %d.%d.%d", HIREDIS_MAJOR, HIREDIS_MINOR, HIREDIS_PATCH);
  lua_setfield(L, -2, "client");
  return 1;
}
