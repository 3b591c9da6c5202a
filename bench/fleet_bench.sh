#!/usr/bin/env bash
# Fleet benchmark (issue 17), one run: builds mxrecord for Lua 5.4,
# generates a zone of N domains (default 50,000) and runs
# bench/fleet_bench.lua: inputs/s with 1, 2 and 4 worker processes over one
# redis-server and one knotd on this machine, with the share of the cores
# knotd and Redis used, and the shared cache's effect on the queries knotd
# receives. Prints figures; not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50000}
bash scripts/build.sh 5.4
work=$(mktemp -d /tmp/mxrecord-fleet-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
lua5.4 bench/gen_zone.lua "$work" "$n"
lua5.4 bench/fleet_bench.lua "$work" "$n"
