#!/usr/bin/env bash
# Bulk benchmark (issue 5), one run: installs dnsperf and lua-cqueues if
# missing, builds mxrecord for Lua 5.4 and LuaJIT and the C reference loop,
# generates a 100,000-domain zone and runs bench/bulk_run.lua against it.
# Prints a table of queries/s with ratios to dnsperf and to cqueues. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for p in dnsperf lua-cqueues; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    DEBIAN_FRONTEND=noninteractive ${SUDO:-$( [ "$(id -u)" = 0 ] || echo sudo )} apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
bash scripts/build.sh 5.4
bash scripts/build.sh 5.1
mkdir -p build-bench
gcc -O2 -Wall -Wextra -Werror -o build-bench/cares_loop bench/cares_loop.c -lcares
work=$(mktemp -d /tmp/mxrecord-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
lua5.4 bench/gen_zone.lua "$work" 100000
LUA_PATH="./?.lua;;" lua5.4 bench/bulk_run.lua "$work"
