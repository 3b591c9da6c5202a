/* fuzz_flags.c: libFuzzer target for mxr_flags_check (the flag look-up of
 * mxrecord.flags). Invariants beyond "no crash":
 *   - the registrable domain is a suffix of the folded domain on a label
 *     boundary, and never a bare public suffix when one more label exists;
 *   - the check is case-insensitive for ASCII (upper-casing the input gives
 *     the same flags and registrable domain);
 *   - checking the folded domain alone gives the same domain flags and the
 *     same registrable domain (the local part only decides `role`).
 * Build and run (needs clang):
 *   clang -g -O1 -std=c99 -fsanitize=fuzzer,address,undefined -Isrc/core \
 *     fuzz/fuzz_flags.c src/core/mxr_flags.c -o build-fuzz/fuzz_flags
 *   build-fuzz/fuzz_flags -max_total_time=60 -max_len=600 fuzz/corpus_flags */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxr_flags.h"

static mxr_flags *lists(void) {
  static mxr_flags *f;
  static const char psl[] = "com\nuk\nco.uk\njp\n*.kawasaki.jp\n!city.kawasaki.jp\nck\n*.ck\n!www.ck\n// comment\n";
  static const char disposable[] = "mailinator.com\nthrowaway.co.uk\n";
  static const char free_[] = "gmail.com\nyahoo.co.uk\nmailinator.com\n";
  static const char role[] = "info\nnoreply\npostmaster\n";
  if (!f) {
    f = mxr_flags_new();
    if (!f) abort();
    mxr_flags_load(f, MXR_LIST_PSL, psl, sizeof psl - 1);
    mxr_flags_load(f, MXR_LIST_DISPOSABLE, disposable, sizeof disposable - 1);
    mxr_flags_load(f, MXR_LIST_FREE, free_, sizeof free_ - 1);
    mxr_flags_load(f, MXR_LIST_ROLE, role, sizeof role - 1);
  }
  return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mxr_flags *f = lists();
  mxr_flag_result a, b, c;
  char upper[600];
  size_t i;
  if (size > sizeof upper) return 0;
  if (mxr_flags_check(f, (const char *)data, size, &a) < 0) return 0;
  /* the registrable domain: a suffix on a label boundary */
  if (a.reg_off > a.dlen || (a.reg_off > 0 && a.domain[a.reg_off - 1] != '.')) abort();
  if (!a.has_registrable && a.reg_off != 0) abort();
  /* ASCII case does not matter */
  for (i = 0; i < size; i++) upper[i] = (char)(data[i] >= 'a' && data[i] <= 'z' ? data[i] - 32 : data[i]);
  if (mxr_flags_check(f, upper, size, &b) < 0) abort();
  if (a.disposable != b.disposable || a.free != b.free || a.role != b.role || a.reg_off != b.reg_off ||
      a.dlen != b.dlen || memcmp(a.domain, b.domain, a.dlen) != 0)
    abort();
  /* the domain alone gives the same domain flags */
  if (mxr_flags_check(f, a.domain, a.dlen, &c) < 0) abort();
  if (c.disposable != a.disposable || c.free != a.free || c.reg_off != a.reg_off || c.role) abort();
  return 0;
}
