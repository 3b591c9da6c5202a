#!/usr/bin/env bash
# Profile lookup_many{kind="mx"} with callgrind (instructions, repeatable):
# the C loop over c-ares, mxrecord under Lua 5.4 and LuaJIT, profile under
# Lua 5.4. See bench/profile.lua; bench/PROFILE.md has the latest figures.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/mxrecord-prof.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash bench/prepare.sh "$work" 100000
LUA_PATH="./?.lua;;" lua5.4 bench/profile.lua "$work" "${1:-20000}"
