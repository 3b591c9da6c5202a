/* fuzz_spf.c: libFuzzer target for the SPF include/redirect tokenizer
 * (mxr_spf_next). Invariants: every span it returns lies within the input,
 * is not empty, holds no space, ends a term (a space or the end follows) and
 * is what follows "include:" (with an optional qualifier) or "redirect=" at
 * the start of that term; the position only moves forward; and the spans are
 * exactly those a naive split of the record on spaces finds, in order. Run by
 * scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mxr_classify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                \
  do {                          \
    if (!(c)) __builtin_trap(); \
  } while (0)

static int ieq(const char *s, size_t len, const char *lit) {
  size_t n = strlen(lit), i;
  if (len < n) return 0;
  for (i = 0; i < n; i++) {
    char c = s[i];
    if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lit[i]) return 0;
  }
  return 1;
}

/* The naive reference: the k-th include/redirect target of text, or 0. */
static int nth_target(const char *text, size_t len, int k, size_t *start, size_t *dlen, int *redirect) {
  size_t p = 6;
  if (!mxr_spf_is_record(text, len)) return 0;
  while (p < len) {
    size_t a, b, skip = 0;
    int red = 0;
    while (p < len && text[p] == ' ') p++;
    a = p;
    while (p < len && text[p] != ' ') p++;
    b = p;
    if (a == b) break;
    if (text[a] && strchr("+-~?", text[a]) && ieq(text + a + 1, b - a - 1, "include:"))
      skip = 9;
    else if (ieq(text + a, b - a, "include:"))
      skip = 8;
    else if (ieq(text + a, b - a, "redirect="))
      skip = 9, red = 1;
    if (!skip || a + skip == b) continue;
    if (k-- == 0) {
      *start = a + skip;
      *dlen = b - a - skip;
      *redirect = red;
      return 1;
    }
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data, *dom;
  size_t pos = 0, dlen, last = 0, rstart, rlen, i;
  int redirect, rred, k = 0;
  while (mxr_spf_next(text, size, &pos, &dom, &dlen, &redirect)) {
    CHECK(dom >= text && dlen >= 1 && dom + dlen <= text + size);
    CHECK(pos > last && pos <= size);
    last = pos;
    for (i = 0; i < dlen; i++) CHECK(dom[i] != ' ');
    CHECK(dom + dlen == text + size || dom[dlen] == ' ');
    CHECK(nth_target(text, size, k, &rstart, &rlen, &rred));
    CHECK(dom == text + rstart && dlen == rlen && redirect == rred);
    k++;
  }
  CHECK(!nth_target(text, size, k, &rstart, &rlen, &rred));
  return 0;
}
