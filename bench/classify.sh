#!/usr/bin/env bash
# Classifier benchmark (issue 3): builds the Lua 5.4 module and runs
# bench/classify_bench.lua [N]. Prints figures; it is not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh 5.4
LUA_PATH="./lua/?.lua;./lua/?/init.lua;;" LUA_CPATH="./build-5.4/?.so;;" exec lua5.4 bench/classify_bench.lua "$@"
