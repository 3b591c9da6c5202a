#!/usr/bin/env bash
# Every test: installs what is missing, builds for Lua 5.4, LuaJIT and an
# ASAN+UBSAN build, runs the busted specs under each, checks that the rock
# builds for Lua 5.4 and LuaJIT, that Lua 5.3 compiles, that the core
# compiles warning-free against the c-ares 1.34 API, fuzzes the answer
# parser for 15 seconds, and runs the resolver-level specs against c-ares
# 1.34.5 built from Debian's archive (SKIPPED when it is unreachable). Ends with the
# line "N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
log=$(mktemp -d /tmp/mxrecord-test.XXXXXX)

step() { # name, command...: a check that counts as one test
  local name=$1; shift
  if "$@" >"$log/$name.out" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; tail -40 "$log/$name.out"
  fi
}

specs() { # label, interpreter, build dir, extra env...
  local label=$1 lua=$2 dir=$3; shift 3
  local out="$log/specs-$label.out"
  env "$@" "$lua" /usr/bin/busted -o plainTerminal --cpath="./$dir/?.so" spec/ >"$out" 2>&1
  local rc=$?
  local line
  line=$(grep -E '^[0-9]+ successes? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' "$out" | tail -1)
  if [ -z "$line" ]; then
    echo "FAIL specs under $label (no summary, exit $rc)"; tail -40 "$out"
    failed=$((failed + 1)); return
  fi
  local s f e
  read -r s f e <<<"$(echo "$line" | sed -E 's#^([0-9]+) successes? / ([0-9]+) failures? / ([0-9]+) errors?.*#\1 \2 \3#')"
  passed=$((passed + s)); failed=$((failed + f + e))
  echo "specs under $label: $line"
  if [ $((f + e)) -gt 0 ] || [ $rc -ne 0 ]; then
    sed -n '/^Failure\|^Error/,$p' "$out" | head -80
    [ $((f + e)) -gt 0 ] || failed=$((failed + 1))
  fi
}

rock() ( # lua version, extra luarocks args: build and install the rock, then require it (in a subshell: the paths stay here)
  v=$1; shift
  tree="$log/tree-$v" interp=lua5.4
  [ "$v" = 5.1 ] && interp=luajit
  rm -rf build.luarocks && # luarocks' CMake build dir: never reuse one made for another Lua
  luarocks --lua-version "$v" make --tree "$tree" mxrecord-0.1.0-1.rockspec "$@" &&
    eval "$(luarocks --lua-version "$v" --tree "$tree" path)" &&
    "$interp" -e 'local m = require "mxrecord"; assert(m.resolver and m._VERSION)
      assert(m.classify({ "aspmx.l.google.com" }).id == "google_workspace")
      print(m._VERSION, m.cares_version, m.providers_version)'
)

cares_134_api() { # the core compiles without warnings against the newer c-ares API
  for f in src/core/*.c; do
    gcc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
      -Wmissing-prototypes -I.ci/cares-1.34-api -Isrc/core -c "$f" -o "$log/probe.o" || return 1
  done
}

cares_134() { # c-ares 1.34.5 from Debian's archive (scripts/cares.sh), then the resolver-level specs under Lua 5.4 on it
  local out="$log/cares-1.34.5.out" rc=0 line s f e
  bash scripts/cares.sh build >"$out" 2>&1 || rc=$?
  if [ $rc -eq 3 ]; then
    echo "SKIPPED c-ares 1.34.5 build and specs: Debian's archive is unreachable (scripts/cares.sh exit 3)"; return
  elif [ $rc -ne 0 ]; then
    failed=$((failed + 1)); echo "FAIL build-cares-1.34.5 (scripts/cares.sh exit $rc)"; tail -40 "$out"; return
  fi
  passed=$((passed + 1)); echo "ok   build-cares-1.34.5: $(grep -o 'core.so runs c-ares [^ ]*' "$out")"
  bash scripts/cares.sh specs >"$out" 2>&1 || rc=$?
  line=$(grep -E '^[0-9]+ successes? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' "$out" | tail -1)
  if [ -z "$line" ]; then
    failed=$((failed + 1)); echo "FAIL resolver specs on c-ares 1.34.5 (no summary, exit $rc)"; tail -40 "$out"; return
  fi
  read -r s f e <<<"$(echo "$line" | sed -E 's#^([0-9]+) successes? / ([0-9]+) failures? / ([0-9]+) errors?.*#\1 \2 \3#')"
  passed=$((passed + s)); failed=$((failed + f + e))
  echo "resolver specs under lua5.4 on c-ares 1.34.5: $line"
  if [ $((f + e)) -gt 0 ] || [ $rc -ne 0 ]; then
    sed -n '/^Failure\|^Error/,$p' "$out" | head -80
    [ $((f + e)) -gt 0 ] || failed=$((failed + 1))
  fi
}

step clang-format clang-format --dry-run --Werror src/core/*.[ch] src/binding/*.[ch] include/*.h fuzz/*.c
step build-lua5.4 bash scripts/build.sh 5.4
step build-luajit bash scripts/build.sh 5.1
step build-lua5.3 bash scripts/build.sh 5.3
step build-asan bash scripts/build.sh asan
step api-cares-1.34 cares_134_api
step fuzz-parser-classifier bash scripts/fuzz.sh 15
step fuzz-spf-check bash scripts/fuzz_spf.sh 15
step fuzz-smtp bash -c 'mkdir -p build-fuzz && clang -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc/core fuzz/fuzz_smtp.c src/core/mxr_smtp.c -o build-fuzz/fuzz_smtp && w=$(mktemp -d) && cp fuzz/corpus_smtp/* "$w"/ && build-fuzz/fuzz_smtp -max_total_time=10 -max_len=4096 "$w"; rc=$?; rm -rf "$w"; exit $rc'
step rock-lua5.4 rock 5.4
step rock-luajit rock 5.1 LUA_INCDIR=/usr/include/luajit-2.1

specs lua5.4 lua5.4 build-5.4
specs luajit luajit build-5.1
specs asan+ubsan lua5.4 build-asan \
  LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cares_134 # after the specs: about 2 minutes on 2 cores (c-ares build ~1 min the first time, specs ~1 min)

rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
