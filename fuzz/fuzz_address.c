/* fuzz_address.c: libFuzzer target for the address parser (mxr_address_parse).
 * Invariants beyond "no crash": an accepted address keeps within the RFC 5321
 * limits, its parts point into the input, and its normalised form (local part
 * as written, "@", the A-label domain or the literal) parses again to the
 * same parts. Run by scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mxr_address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                \
  do {                          \
    if (!(c)) __builtin_trap(); \
  } while (0)

static int within(const char *p, size_t n, const char *s, size_t len) { return p >= s && p + n <= s + len; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data, *why = NULL;
  mxr_address a, b;
  char norm[MXR_ADDRESS_MAX + 8];
  size_t dlen, n;
  if (mxr_address_parse(s, size, &a, &why) < 0) {
    CHECK(why && *why);
    return 0;
  }
  CHECK(a.local_len >= 1 && a.local_len <= MXR_LOCAL_MAX);
  CHECK(within(a.local, a.local_len, s, size) && within(a.domain, a.domain_len, s, size));
  if (a.literal) {
    CHECK(a.ascii_domain[0] == '\0' && within(a.lit, a.lit_len, s, size));
    dlen = a.domain_len;
    CHECK(a.local_len + 1 + dlen <= MXR_ADDRESS_MAX);
  } else {
    dlen = strlen(a.ascii_domain);
    CHECK(dlen >= 1 && dlen <= MXR_NAME_MAX);
    CHECK(a.local_len + 1 + dlen <= MXR_ADDRESS_MAX);
  }
  /* the normalised form parses again to the same parts */
  n = a.local_len + 1 + dlen;
  memcpy(norm, a.local, a.local_len);
  norm[a.local_len] = '@';
  memcpy(norm + a.local_len + 1, a.literal ? a.domain : a.ascii_domain, dlen);
  CHECK(mxr_address_parse(norm, n, &b, &why) == 0);
  CHECK(b.local_len == a.local_len && memcmp(b.local, a.local, a.local_len) == 0);
  CHECK(b.quoted == a.quoted && b.utf8_local == a.utf8_local && b.literal == a.literal);
  CHECK(b.utf8_domain == 0);
  CHECK(strcmp(b.ascii_domain, a.ascii_domain) == 0);
  if (a.literal) CHECK(b.lit_len == a.lit_len && memcmp(b.lit, a.lit, a.lit_len) == 0);
  return 0;
}
