#!/usr/bin/env bash
# Soak (issue 15): a million MX lookups through lookup_many with 1 % of the
# queries dropped and a dead server in the list; samples RSS and descriptors
# every few seconds and says whether they stayed flat. See bench/soak.lua for
# the knobs (SOAK_NAMES, SOAK_LOSS, SOAK_DEAD=first|second, SOAK_LUA, ...).
# Everything listens on 127.0.0.1. Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/mxrecord-soak.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash bench/prepare.sh "$work" 100000
LUA_PATH="./?.lua;;" lua5.4 bench/soak.lua "$work"
