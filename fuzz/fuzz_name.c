/* fuzz_name.c: libFuzzer target for the name normaliser (mxr_name_normalize)
 * and the IDN conversion (mxr_domain_to_ascii, loose and strict).
 * Invariants: what is accepted is lower case, within the length limits
 * (labels 1..63, name 1..253), and normalising it again gives it unchanged
 * (normalize(normalize(x)) == normalize(x)); strict acceptance implies loose
 * acceptance with the same result. Run by scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mxr_address.h"
#include "mxr_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                \
  do {                          \
    if (!(c)) __builtin_trap(); \
  } while (0)

static void check_shape(const char *out) {
  size_t n = strlen(out), label = 0, i;
  CHECK(n >= 1 && n <= MXR_NAME_MAX);
  CHECK(out[0] != '.' && out[n - 1] != '.');
  for (i = 0; i < n; i++) {
    CHECK(!(out[i] >= 'A' && out[i] <= 'Z'));
    CHECK((unsigned char)out[i] < 0x80);
    if (out[i] == '.') {
      CHECK(label >= 1);
      label = 0;
    } else {
      CHECK(++label <= MXR_LABEL_MAX);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data, *why = NULL;
  char out[MXR_NAME_MAX + 1], again[MXR_NAME_MAX + 1], loose[MXR_NAME_MAX + 1];
  int strict_rc, loose_rc;
  if (mxr_name_normalize(s, size, out, &why) == 0) {
    check_shape(out);
    CHECK(mxr_name_normalize(out, strlen(out), again, &why) == 0 && strcmp(out, again) == 0);
  } else {
    CHECK(why && *why);
  }
  loose_rc = mxr_domain_to_ascii(s, size, loose, 0, &why);
  if (loose_rc == 0) {
    check_shape(loose);
    CHECK(mxr_domain_to_ascii(loose, strlen(loose), again, 0, &why) == 0 && strcmp(loose, again) == 0);
  }
  strict_rc = mxr_domain_to_ascii(s, size, out, 1, &why);
  if (strict_rc == 0) {
    CHECK(loose_rc == 0 && strcmp(out, loose) == 0);
    CHECK(mxr_domain_to_ascii(out, strlen(out), again, 1, &why) == 0 && strcmp(out, again) == 0);
  }
  return 0;
}
