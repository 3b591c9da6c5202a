#!/usr/bin/env bash
# Builds the libFuzzer target for the SPF parser, macro expander and evaluator
# (fuzz/fuzz_spf.c) with ASAN+UBSAN and runs it for N seconds (default 60)
# from fuzz/corpus_spf. Needs clang.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
mkdir -p build-fuzz
clang -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -Isrc/core fuzz/fuzz_spf.c src/core/mxr_spf.c -o build-fuzz/fuzz_spf
work=$(mktemp -d /tmp/mxrecord-fuzz-spf.XXXXXX)
cp fuzz/corpus_spf/* "$work/"
build-fuzz/fuzz_spf -max_total_time="$secs" -max_len=2048 "$work"
rm -rf "$work"
