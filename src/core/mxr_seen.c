/* mxr_seen.c: see mxr_seen.h. */
#include "mxr_seen.h"

#include <stdlib.h>

void mxr_seen_init(mxr_seen *s) {
  s->slots = NULL;
  s->cap = s->count = 0;
}

void mxr_seen_free(mxr_seen *s) {
  free(s->slots);
  mxr_seen_init(s);
}

static uint64_t hash64(const char *str, size_t len) { /* FNV-1a, then a final mix */
  uint64_t h = 14695981039346656037ull;
  size_t i;
  for (i = 0; i < len; i++) h = (h ^ (unsigned char)str[i]) * 1099511628211ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h ? h : 1;
}

static void put(uint64_t *slots, size_t cap, uint64_t h) {
  size_t i = (size_t)h & (cap - 1);
  while (slots[i] && slots[i] != h) i = (i + 1) & (cap - 1);
  slots[i] = h;
}

int mxr_seen_add(mxr_seen *s, const char *str, size_t len) {
  uint64_t h = hash64(str, len);
  size_t i;
  if ((s->count + 1) * 2 > s->cap) { /* load <= 1/2 */
    size_t cap = s->cap ? s->cap * 2 : 1024, j;
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (j = 0; j < s->cap; j++)
      if (s->slots[j]) put(slots, cap, s->slots[j]);
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
  }
  i = (size_t)h & (s->cap - 1);
  while (s->slots[i]) {
    if (s->slots[i] == h) return 0;
    i = (i + 1) & (s->cap - 1);
  }
  s->slots[i] = h;
  s->count++;
  return 1;
}
