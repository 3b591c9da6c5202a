#!/usr/bin/env bash
# scripts/valgrind.sh [LUA] [SPEC...]: runs busted specs under valgrind's
# memcheck against the plain (non-ASAN) build, and fails on any memory error
# or definite leak in mxrecord's code.
#
#   scripts/valgrind.sh                       # lua5.4, every spec file (slow: ~20-40x)
#   scripts/valgrind.sh lua5.4 spec/14_hardening_spec.lua spec/09_verify_spec.lua
#   scripts/valgrind.sh luajit spec/04_callbacks_spec.lua
#
# LUA is lua5.4 (build-5.4) or luajit (build-5.1, built here if missing). Each
# spec file runs in its own valgrind process (--error-exitcode=99,
# --leak-check=full, definite leaks count as errors; --trace-children=no, so
# the DNS servers the specs start are not traced). The interpreters' own
# allocations that are still reachable at exit are not errors. LuaJIT's
# allocator and JIT confuse memcheck; under luajit the JIT is switched off
# (-joff) and scripts/valgrind.supp suppresses what remains in LuaJIT itself.
# Timeouts in the specs are generous, but the slowdown can still make a
# timing-bound fault spec fail: read failures before blaming memory.
# Logs: build-valgrind/<lua>-<spec>.log; the script ends with "N clean, N dirty".
set -uo pipefail
cd "$(dirname "$0")/.."
lua=${1:-lua5.4}
shift $(($# > 0 ? 1 : 0))
case "$lua" in
  lua5.4) dir=build-5.4 ver=5.4 jit=() ;;
  luajit) dir=build-5.1 ver=5.1 jit=(-joff) ;;
  *) echo "valgrind.sh: LUA must be lua5.4 or luajit" >&2; exit 2 ;;
esac
[ -f "$dir/mxrecord/core.so" ] || bash scripts/build.sh "$ver" >/dev/null || exit 1
specs=("$@")
[ ${#specs[@]} -gt 0 ] || mapfile -t specs < <(ls spec/*_spec.lua)
mkdir -p build-valgrind
clean=0 dirty=0
for s in "${specs[@]}"; do
  log="build-valgrind/$lua-$(basename "$s" .lua).log"
  valgrind --tool=memcheck --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite --trace-children=no --suppressions=scripts/valgrind.supp \
    --log-file="$log" "$lua" "${jit[@]}" /usr/bin/busted -o plainTerminal --cpath="./$dir/?.so" "$s" \
    >"$log.out" 2>&1
  rc=$?
  summary=$(grep -E 'ERROR SUMMARY' "$log" | tail -1 | sed 's/^==[0-9]*== //')
  specline=$(grep -E '^[0-9]+ successes?' "$log.out" | tail -1)
  if [ $rc -eq 99 ]; then
    dirty=$((dirty + 1)); echo "DIRTY $s: $summary (see $log)"
  else
    clean=$((clean + 1)); echo "clean $s: $summary; specs: ${specline:-none (exit $rc)}"
  fi
done
echo "$clean clean, $dirty dirty"
[ "$dirty" -eq 0 ]
