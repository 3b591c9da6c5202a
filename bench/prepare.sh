#!/usr/bin/env bash
# bench/prepare.sh WORKDIR [N]: what every bench script needs: mxrecord built
# for Lua 5.4 and LuaJIT, the C tools in build-bench/ (cares_loop,
# delay_proxy, lua5.4-sym, luajit-sym), and WORKDIR holding bench/gen_zone.lua's zone of N (100,000)
# domains (kept if it is there already).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$1 n=${2:-100000}
bash scripts/build.sh 5.4 >/dev/null
bash scripts/build.sh 5.1 >/dev/null
mkdir -p build-bench "$work"
gcc -O2 -Wall -Wextra -Werror -o build-bench/cares_loop bench/cares_loop.c -lcares
gcc -O2 -Wall -Wextra -Werror -o build-bench/delay_proxy bench/delay_proxy.c
# interpreters whose VM functions have names in a profile (bench/lua_host.c)
gcc -O2 -Wall -Wextra -Werror -Wl,-E -I/usr/include/lua5.4 -o build-bench/lua5.4-sym bench/lua_host.c \
  /usr/lib/x86_64-linux-gnu/liblua5.4.a -lm -ldl
gcc -O2 -Wall -Wextra -Werror -Wl,-E -I/usr/include/luajit-2.1 -o build-bench/luajit-sym bench/lua_host.c \
  /usr/lib/x86_64-linux-gnu/libluajit-5.1.a -lm -ldl
[ -s "$work/names.txt" ] && [ "$(wc -l <"$work/names.txt")" -eq "$n" ] || lua5.4 bench/gen_zone.lua "$work" "$n"
