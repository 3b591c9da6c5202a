#!/usr/bin/env bash
# Builds the libFuzzer target for the SPF evaluator's record parser, macro
# expander and check_host (fuzz/fuzz_spf_check.c; fuzz_spf in scripts/fuzz.sh
# is the classifier's tokenizer) with ASAN+UBSAN and runs it for N seconds
# (default 60) from fuzz/seeds/spf_check. Needs clang.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
mkdir -p build-fuzz
clang -g -O1 -std=c99 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -Isrc/core fuzz/fuzz_spf_check.c src/core/mxr_spf.c -o build-fuzz/fuzz_spf_check
work=$(mktemp -d /tmp/mxrecord-fuzz-spf.XXXXXX)
cp fuzz/seeds/spf_check/* "$work/"
(cd build-fuzz && ./fuzz_spf_check -max_total_time="$secs" -max_len=2048 "$work")
rm -rf "$work"
