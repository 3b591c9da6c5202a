/* fuzz_seen.c: libFuzzer target for lookup_many's duplicate set (mxr_seen).
 * Invariant: over the input's lines, mxr_seen_add says "new" exactly for the
 * lines a naive list of the lines seen so far does not hold, whatever the
 * growth of the table (it starts at 1,024 slots: the input is also replayed
 * 80 times with a counter prefix to pass the first doubling). Run by
 * scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mxr_seen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                \
  do {                          \
    if (!(c)) __builtin_trap(); \
  } while (0)

#define MAX_LINES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data, *line = s, *end = s + size, *lines[MAX_LINES];
  size_t lens[MAX_LINES], n = 0, i, j, round;
  mxr_seen set;
  while (n < MAX_LINES) {
    const char *nl = memchr(line, '\n', (size_t)(end - line));
    lines[n] = line;
    lens[n] = nl ? (size_t)(nl - line) : (size_t)(end - line);
    n++;
    if (!nl) break;
    line = nl + 1;
  }
  mxr_seen_init(&set);
  for (i = 0; i < n; i++) {
    int fresh = 1;
    for (j = 0; j < i; j++)
      if (lens[j] == lens[i] && memcmp(lines[j], lines[i], lens[i]) == 0) fresh = 0;
    CHECK(mxr_seen_add(&set, lines[i], lens[i]) == fresh);
    CHECK(mxr_seen_add(&set, lines[i], lens[i]) == 0);
  }
  for (round = 0; round < 80; round++) { /* growth: each (round, line) prefix makes a new string */
    char buf[64];
    for (i = 0; i < n && i < 8; i++) {
      int len = snprintf(buf, sizeof buf, "%zu/%zu/%.*s", round, i, (int)(lens[i] < 40 ? lens[i] : 40), lines[i]);
      CHECK(mxr_seen_add(&set, buf, (size_t)len) == 1);
      CHECK(mxr_seen_add(&set, buf, (size_t)len) == 0);
    }
  }
  CHECK(set.count <= set.cap / 2 + 1);
  mxr_seen_free(&set);
  return 0;
}
