#!/usr/bin/env bash
# Bulk benchmark (issues 5 and 15): installs dnsperf and lua-cqueues if
# missing, builds mxrecord for Lua 5.4 and LuaJIT and the C reference loop,
# generates a 100,000-domain zone and runs bench/bulk_run.lua against it.
# Prints one table of queries/s, each figure the median of 3 runs with its
# spread, with the ratio to the C loop over c-ares and the goals met/missed.
# BENCH_RUNS=5 for more runs, BENCH_STREAM=0 to skip the 1,000,000-name run.
# Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
for p in dnsperf lua-cqueues; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    DEBIAN_FRONTEND=noninteractive ${SUDO:-$( [ "$(id -u)" = 0 ] || echo sudo )} apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
work=$(mktemp -d /tmp/mxrecord-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash bench/prepare.sh "$work" 100000
LUA_PATH="./?.lua;;" lua5.4 bench/bulk_run.lua "$work"
