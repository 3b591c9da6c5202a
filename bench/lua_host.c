/* lua_host.c: a minimal standalone Lua interpreter (lua SCRIPT [ARGS...]),
 * linked statically against the distribution's liblua5.4.a or
 * libluajit-5.1.a, whose symbol tables name the VM's functions (the packaged
 * /usr/bin/lua5.4 and luajit are stripped): bench/profile.lua runs the bench
 * under it so that callgrind's report says luaV_execute or lj_tab_get
 * instead of ???:0x1b3a0. Linked with -Wl,-E so that C modules (mxrecord's
 * core.so) find the Lua API in it. Not part of mxrecord. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>

static int traceback(lua_State *L) {
  luaL_traceback(L, L, lua_tostring(L, 1), 1);
  return 1;
}

int main(int argc, char **argv) {
  lua_State *L;
  int i, status;
  if (argc < 2) {
    fprintf(stderr, "usage: %s SCRIPT [ARGS...]\n", argv[0]);
    return 2;
  }
  L = luaL_newstate();
  luaL_openlibs(L);
  lua_createtable(L, argc, 1); /* arg[0] = script, arg[1..] = its arguments */
  for (i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - 1);
  }
  lua_setglobal(L, "arg");
  lua_pushcfunction(L, traceback);
  status = luaL_loadfile(L, argv[1]);
  if (status == 0) {
    for (i = 2; i < argc; i++) lua_pushstring(L, argv[i]);
    status = lua_pcall(L, argc - 2, 0, 1);
  }
  if (status != 0) fprintf(stderr, "%s: %s\n", argv[0], lua_tostring(L, -1));
  lua_close(L);
  return status == 0 ? 0 : 1;
}
