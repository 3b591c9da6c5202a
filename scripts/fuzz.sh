#!/usr/bin/env bash
# scripts/fuzz.sh [TOTAL_SECONDS]  |  scripts/fuzz.sh --each SECONDS [TARGET...]
#
# Builds the libFuzzer targets in fuzz/ with ASAN+UBSAN (needs clang) and runs
# them, each from its seeds:
#   answer    fuzz/fuzz_answer.c    DNS answer parser (ok => at least one record), names, classifier, addresses
#   address   fuzz/fuzz_address.c   address parser: limits; the normalised form parses to the same parts
#   name      fuzz/fuzz_name.c      name normaliser and IDN: idempotent, lower case, within the limits
#   classify  fuzz/fuzz_classify.c  suffix rules against a naive O(rules) scan
#   spf       fuzz/fuzz_spf.c       include:/redirect= tokenizer: spans inside the input, as a naive split finds
#   server    fuzz/fuzz_server.c    server strings: the c-ares form parses again to itself
#   seen      fuzz/fuzz_seen.c      lookup_many's duplicate set against a naive list, across growth
#   flags     fuzz/fuzz_flags.c     disposable/free/role flags and the registrable domain (see the file)
# (the SPF evaluator has its own: scripts/fuzz_spf.sh, fuzz/fuzz_spf_check.c)
#
# The short run (the test command: scripts/fuzz.sh 15) shares TOTAL_SECONDS
# (default 15) between the targets, at least one second each. The long run
# gives each target SECONDS of its own, e.g. an hour in all:
#   scripts/fuzz.sh --each 600
#   scripts/fuzz.sh --each 3600 address name   # only these
# Seeds live in fuzz/corpus (answer) and fuzz/seeds/TARGET; a failing input
# is written to build-fuzz/crash-* and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
each=
if [ "${1:-}" = "--each" ]; then
  each=${2:?usage: scripts/fuzz.sh --each SECONDS [TARGET...]}
  shift 2
else
  total=${1:-15}
  shift $(($# > 0 ? 1 : 0))
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(answer address name classify spf server seen flags)

declare -A sources=(
  [answer]="src/core/mxr_answer.c src/core/mxr_name.c src/core/mxr_classify.c src/core/mxr_address.c"
  [address]="src/core/mxr_address.c src/core/mxr_name.c"
  [name]="src/core/mxr_address.c src/core/mxr_name.c"
  [classify]="src/core/mxr_classify.c src/core/mxr_name.c"
  [spf]="src/core/mxr_classify.c src/core/mxr_name.c"
  [server]="src/core/mxr_resolver.c src/core/mxr_udp.c src/core/mxr_answer.c src/core/mxr_name.c"
  [seen]="src/core/mxr_seen.c"
  [flags]="src/core/mxr_flags.c"
)

mkdir -p build-fuzz
for t in "${targets[@]}"; do
  [ -n "${sources[$t]:-}" ] || { echo "fuzz.sh: unknown target '$t'" >&2; exit 2; }
  # shellcheck disable=SC2086
  clang -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -Isrc/core \
    "fuzz/fuzz_$t.c" ${sources[$t]} -lcares -lidn2 -o "build-fuzz/fuzz_$t"
done

secs=${each:-$((total / ${#targets[@]}))}
[ "$secs" -ge 1 ] || secs=1
for t in "${targets[@]}"; do
  work=$(mktemp -d /tmp/mxrecord-fuzz.XXXXXX)
  if [ "$t" = answer ]; then seeds=fuzz/corpus; else seeds=fuzz/seeds/$t; fi
  [ -d "$seeds" ] && cp "$seeds"/* "$work/" 2>/dev/null || true
  echo "== fuzz_$t for ${secs}s"
  rc=0
  (cd build-fuzz && "./fuzz_$t" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 "$work" >"$work.log" 2>&1) ||
    rc=$?
  grep -E '^(stat::number_of_executed_units|==|SUMMARY|.*(Test unit written|ERROR|deadly))' "$work.log" || true
  rm -f "$work.log"
  rm -rf "$work"
  [ "$rc" -eq 0 ] || { echo "fuzz_$t failed (exit $rc): see build-fuzz/crash-*" >&2; exit "$rc"; }
done
