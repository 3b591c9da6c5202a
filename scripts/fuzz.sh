#!/usr/bin/env bash
# Builds the libFuzzer target for the answer parser, classifier and address parser with ASAN+UBSAN and runs
# it for N seconds (default 60) from fuzz/corpus. Needs clang.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
mkdir -p build-fuzz
clang -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -Isrc/core \
  fuzz/fuzz_answer.c src/core/mxr_answer.c src/core/mxr_name.c src/core/mxr_classify.c src/core/mxr_address.c -lcares -lidn2 -o build-fuzz/fuzz_answer
work=$(mktemp -d /tmp/mxrecord-fuzz.XXXXXX)
cp fuzz/corpus/* "$work/"
build-fuzz/fuzz_answer -max_total_time="$secs" -max_len=4096 "$work"
rm -rf "$work"
