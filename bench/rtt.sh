#!/usr/bin/env bash
# Round trips that look real (issue 15): lookup_many against knotd behind a
# delaying proxy at 1, 5, 20 and 50 ms (or the RTTs given as arguments), and
# through unbound recursing to knotd 20 ms away. See bench/rtt.lua for the
# environment knobs (BENCH_RUNS, BENCH_NAMES, BENCH_TIMEOUT, BENCH_TRIES,
# BENCH_CONCURRENCY, BENCH_UNBOUND).
# Everything listens on 127.0.0.1. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/mxrecord-rtt.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash bench/prepare.sh "$work" 100000
LUA_PATH="./?.lua;;" lua5.4 bench/rtt.lua "$work" "$@"
