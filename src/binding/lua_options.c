/* lua_options.c: the resolver's options, checked once for every transport.
 *
 * An unknown option raises, naming it, with a "did you mean" for a near
 * miss and the mxrecord name for lua-resty-dns's (nameservers, retrans);
 * a timeout that looks like milliseconds is refused with a hint. Server
 * lists take strings ("ip", "ip:port", "[v6]:port", comma-separated, spaces
 * allowed) and lua-resty-dns's { host, port } pairs. */
#include <math.h>
#include <string.h>

#include "lua_binding.h"
#include "lua_compat.h"
#include "mxr_resolver.h"

#define MAX_TIMEOUT 300.0 /* seconds: a larger number is almost surely milliseconds */

static const char *const known[] = {"servers",      "timeout", "tries",     "on_error",
                                    "max_inflight", "rotate",  "transport", NULL};

/* Other resolvers' names for our options. */
static const char *const aliases[][2] = {
    {"nameservers", "servers"}, {"retrans", "tries"},  {"server", "servers"},
    {"retries", "tries"},       {"attempts", "tries"}, {"no_random", "rotate"},
};

/* Edit distance of a and b, capped: returns 3 for anything above 2. */
static int distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), i, j;
  int row[32], prev;
  if (la > 30 || lb > 30 || (la > lb ? la - lb : lb - la) > 2) return 3;
  for (j = 0; j <= lb; j++) row[j] = (int)j;
  for (i = 1; i <= la; i++) {
    prev = row[0];
    row[0] = (int)i;
    for (j = 1; j <= lb; j++) {
      int cur = row[j], best = prev + (a[i - 1] != b[j - 1]);
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      prev = cur;
    }
  }
  return row[lb] > 2 ? 3 : row[lb];
}

static int unknown_option(lua_State *L, const char *k) {
  size_t i;
  int best = 3;
  const char *near = NULL;
  for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (strcmp(k, aliases[i][0]) == 0)
      return luaL_error(L, "mxrecord.resolver: unknown option '%s' (mxrecord calls it '%s')", k, aliases[i][1]);
  for (i = 0; known[i]; i++) {
    int d = distance(k, known[i]);
    if (d < best) {
      best = d;
      near = known[i];
    }
  }
  if (near) return luaL_error(L, "mxrecord.resolver: unknown option '%s' (did you mean '%s'?)", k, near);
  return luaL_error(L,
                    "mxrecord.resolver: unknown option '%s' (options: servers, timeout, tries, on_error, "
                    "max_inflight, rotate)",
                    k);
}

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

/* servers[i] = { host, port } (lua-resty-dns) as "host:port" on the stack. */
static void pair_server(lua_State *L, int t, int i) {
  const char *host;
  lua_Number port;
  lua_rawgeti(L, t, 1);
  lua_rawgeti(L, t, 2);
  if (lua_type(L, -2) != LUA_TSTRING || (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TNUMBER))
    luaL_error(L, "mxrecord.resolver: servers[%d] must be a string or a { host, port } pair", i);
  host = lua_tostring(L, -2);
  port = lua_isnil(L, -1) ? 53 : lua_tonumber(L, -1);
  if (!(port >= 1 && port <= 65535 && floor(port) == port))
    luaL_error(L, "mxrecord.resolver: servers[%d] has a port that is not a number from 1 to 65535", i);
  lua_pushfstring(L, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, (int)port);
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/* Reads opts.servers at idx (a list, or one comma-separated string) and
 * pushes the c-ares CSV form. */
static void servers_csv(lua_State *L, int idx) {
  luaL_Buffer b;
  int count = 0;
  idx = mxr_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len), *end = s + len;
    luaL_buffinit(L, &b);
    while (s <= end) {
      const char *comma = memchr(s, ',', (size_t)(end - s));
      const char *stop = comma ? comma : end;
      /* add_server may raise: the buffer is on the Lua stack, nothing leaks */
      add_server(L, &b, &count, s, (size_t)(stop - s));
      s = stop + 1;
    }
  } else if (lua_istable(L, idx)) {
    int i, n = (int)mxr_rawlen(L, idx), base = lua_gettop(L);
    /* every entry as a string first, on the stack (the buffer must stay on top while it is used) */
    luaL_checkstack(L, n + 4, "too many servers");
    for (i = 1; i <= n; i++) {
      lua_rawgeti(L, idx, i);
      if (lua_istable(L, -1)) {
        pair_server(L, lua_gettop(L), i);
        lua_replace(L, -2);
      } else if (lua_type(L, -1) != LUA_TSTRING) {
        luaL_error(L, "mxrecord.resolver: servers[%d] must be a string or a { host, port } pair, got %s", i,
                   luaL_typename(L, -1));
      }
    }
    luaL_buffinit(L, &b);
    for (i = 1; i <= n; i++) {
      size_t len;
      const char *s = lua_tolstring(L, base + i, &len);
      add_server(L, &b, &count, s, len);
    }
    if (!count) luaL_error(L, "mxrecord.resolver: option 'servers' is empty");
    luaL_pushresult(&b);
    lua_replace(L, base + 1);
    lua_settop(L, base + 1);
    return;
  } else {
    luaL_error(L, "mxrecord.resolver: option 'servers' must be a list of strings, got %s", luaL_typename(L, idx));
  }
  if (!count) luaL_error(L, "mxrecord.resolver: option 'servers' is empty");
  luaL_pushresult(&b);
}

static double number_opt(lua_State *L, const char *k) {
  if (lua_type(L, -1) != LUA_TNUMBER)
    luaL_error(L, "mxrecord.resolver: option '%s' must be a number, got %s", k, luaL_typename(L, -1));
  return lua_tonumber(L, -1);
}

int mxr_lua_resolver_options(lua_State *L, int idx, mxr_options *opt, int uv) {
  int has_servers = 0;
  idx = mxr_absindex(L, idx);
  uv = mxr_absindex(L, uv);
  memset(opt, 0, sizeof *opt);
  if (lua_isnoneornil(L, idx)) return 0;
  if (!lua_istable(L, idx)) luaL_error(L, "mxrecord.resolver: options table expected, got %s", luaL_typename(L, idx));
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (!k) {
      luaL_error(L, "mxrecord.resolver: option names must be strings, got %s", luaL_typename(L, -2));
    } else if (strcmp(k, "servers") == 0) {
      has_servers = 1;
    } else if (strcmp(k, "timeout") == 0) {
      double t = number_opt(L, k);
      if (t > MAX_TIMEOUT && t <= 3600000)
        luaL_error(L,
                   "mxrecord.resolver: option 'timeout' is in seconds: %f looks like milliseconds "
                   "(write %f)",
                   t, t / 1000);
      if (!(t > 0 && t <= MAX_TIMEOUT))
        luaL_error(L, "mxrecord.resolver: option 'timeout' must be a number of seconds in (0, 300]");
      opt->timeout = t;
    } else if (strcmp(k, "tries") == 0) {
      double t = number_opt(L, k);
      if (!(t >= 1 && t <= 100 && floor(t) == t))
        luaL_error(L, "mxrecord.resolver: option 'tries' must be a whole number from 1 to 100");
      opt->tries = (int)t;
    } else if (strcmp(k, "max_inflight") == 0) {
      double t = number_opt(L, k);
      if (!(t >= 1 && t <= 1000000 && floor(t) == t))
        luaL_error(L, "mxrecord.resolver: option 'max_inflight' must be a whole number from 1 to 1000000");
      opt->max_inflight = (int)t;
    } else if (strcmp(k, "rotate") == 0) {
      if (!lua_isboolean(L, -1)) luaL_error(L, "mxrecord.resolver: option 'rotate' must be a boolean");
      opt->rotate = lua_toboolean(L, -1);
    } else if (strcmp(k, "transport") == 0) {
      const char *t = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
      if (strcmp(t, "cares") == 0)
        opt->transport = MXR_TRANSPORT_CARES;
      else if (strcmp(t, "external") == 0)
        opt->transport = MXR_TRANSPORT_EXTERNAL;
      else
        luaL_error(L, "mxrecord.resolver: option 'transport' must be \"cares\" or \"external\"");
    } else if (strcmp(k, "on_error") == 0) {
      if (!lua_isfunction(L, -1)) luaL_error(L, "mxrecord.resolver: option 'on_error' must be a function");
      lua_pushvalue(L, -1);
      lua_setfield(L, uv, "on_error");
    } else {
      unknown_option(L, k);
    }
    lua_pop(L, 1);
  }
  if (!has_servers) return 0;
  lua_getfield(L, idx, "servers");
  servers_csv(L, -1);
  lua_remove(L, -2);
  opt->servers = lua_tostring(L, -1);
  return 1;
}
