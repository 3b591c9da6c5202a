#!/usr/bin/env bash
# Builds the C module for one Lua: scripts/build.sh [5.4|5.3|5.1|asan]
# into build-<which>/mxrecord/core.so. 5.1 means LuaJIT. The project's own
# build: warnings are errors here (a plain CMake build only warns).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-5.4}
case "$which" in
  asan) args=(-DLUA_VERSION=5.4 -DMXRECORD_SANITIZE=ON) ;;
  5.1|5.3|5.4) args=(-DLUA_VERSION="$which") ;;
  *) echo "usage: $0 [5.4|5.3|5.1|asan]" >&2; exit 2 ;;
esac
cmake -S . -B "build-$which" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMXRECORD_WERROR=ON "${args[@]}" >/dev/null
cmake --build "build-$which" -j2 >/dev/null
