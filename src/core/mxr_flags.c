/* mxr_flags.c: string sets and the flag check. See mxr_flags.h.
 *
 * Each list is an open-addressing set of strings kept in one arena. Names
 * are hashed right to left, so one pass over a domain gives the hash of
 * every suffix: a check costs one probe per label, however long the lists. */
#include "mxr_flags.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
  uint64_t hash; /* 0: empty */
  uint32_t off, len;
} slot;

typedef struct strset {
  slot *slots;
  size_t cap, count; /* cap: a power of two, or 0 */
  char *arena;
  size_t used, size;
} strset;

struct mxr_flags {
  strset lists[MXR_LIST__COUNT];
  strset psl_wild, psl_except; /* "*.x" stored as x; "!x" stored as x */
};

#define H_SEED 1469598103934665603ull
#define H_STEP(h, c) (((h) ^ (unsigned char)(c)) * 1099511628211ull)

static uint64_t hash_rev(const char *s, size_t n) {
  uint64_t h = H_SEED;
  while (n > 0) h = H_STEP(h, s[--n]);
  return h ? h : 1;
}

static unsigned char fold_byte(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

static const slot *set_find(const strset *s, uint64_t h, const char *str, size_t n) {
  size_t i;
  if (s->cap == 0) return NULL;
  h = h ? h : 1;
  for (i = (size_t)h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
    const slot *e = &s->slots[i];
    if (e->hash == 0) return NULL;
    if (e->hash == h && e->len == n && memcmp(s->arena + e->off, str, n) == 0) return e;
  }
}

static int set_grow(strset *s) {
  size_t cap = s->cap ? s->cap * 2 : 1024, i;
  slot *slots = calloc(cap, sizeof *slots);
  if (!slots) return -1;
  for (i = 0; i < s->cap; i++) {
    slot *e = &s->slots[i];
    size_t j;
    if (e->hash == 0) continue;
    for (j = (size_t)e->hash & (cap - 1); slots[j].hash; j = (j + 1) & (cap - 1)) {
    }
    slots[j] = *e;
  }
  free(s->slots);
  s->slots = slots;
  s->cap = cap;
  return 0;
}

/* Adds str (already folded); 1 if new, 0 if present, -1 out of memory. */
static int set_add(strset *s, const char *str, size_t n) {
  uint64_t h = hash_rev(str, n);
  size_t j;
  if (n == 0 || n > 0xffffffu) return 0;
  if (set_find(s, h, str, n)) return 0;
  if ((s->count + 1) * 4 > s->cap * 3 && set_grow(s) < 0) return -1;
  if (s->used + n > s->size) {
    size_t size = s->size ? s->size * 2 : 65536;
    char *a;
    while (size < s->used + n) size *= 2;
    a = realloc(s->arena, size);
    if (!a) return -1;
    s->arena = a;
    s->size = size;
  }
  memcpy(s->arena + s->used, str, n);
  for (j = (size_t)h & (s->cap - 1); s->slots[j].hash; j = (j + 1) & (s->cap - 1)) {
  }
  s->slots[j].hash = h;
  s->slots[j].off = (uint32_t)s->used;
  s->slots[j].len = (uint32_t)n;
  s->used += n;
  s->count++;
  return 1;
}

static void set_free(strset *s) {
  free(s->slots);
  free(s->arena);
  memset(s, 0, sizeof *s);
}

mxr_flags *mxr_flags_new(void) { return calloc(1, sizeof(mxr_flags)); }

void mxr_flags_free(mxr_flags *f) {
  int i;
  if (!f) return;
  for (i = 0; i < MXR_LIST__COUNT; i++) set_free(&f->lists[i]);
  set_free(&f->psl_wild);
  set_free(&f->psl_except);
  free(f);
}

size_t mxr_flags_count(const mxr_flags *f, int list) {
  if (list == MXR_LIST_PSL) return f->lists[list].count + f->psl_wild.count + f->psl_except.count;
  return list >= 0 && list < MXR_LIST__COUNT ? f->lists[list].count : 0;
}

long mxr_flags_load(mxr_flags *f, int list, const char *text, size_t len) {
  char buf[256];
  size_t p = 0;
  long added = 0;
  if (list < 0 || list >= MXR_LIST__COUNT) return 0;
  while (p < len) {
    size_t start = p, end, n = 0, i;
    strset *s = &f->lists[list];
    int rc;
    while (p < len && text[p] != '\n') p++;
    end = p++;
    while (start < end && (text[start] == ' ' || text[start] == '\t' || text[start] == '\r')) start++;
    while (end > start && (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r')) end--;
    if (end - start >= 2 && text[start] == '/' && text[start + 1] == '/') continue;
    if (end > start && text[end - 1] == '.') end--;
    if (end == start || end - start >= sizeof buf) continue;
    if (list == MXR_LIST_PSL && text[start] == '!') {
      s = &f->psl_except;
      start++;
    } else if (list == MXR_LIST_PSL && end - start > 2 && text[start] == '*' && text[start + 1] == '.') {
      s = &f->psl_wild;
      start += 2;
    }
    for (i = start; i < end; i++) {
      if (text[i] == '\0') break;
      buf[n++] = (char)fold_byte((unsigned char)text[i]);
    }
    if (i < end || n == 0) continue;
    rc = set_add(s, buf, n);
    if (rc < 0) return -1;
    added += rc;
  }
  return added;
}

/* The public suffix of the folded name d (n octets): returns its offset in
 * d. lab[] holds the offsets of the nl labels, left to right; h[] the hash
 * of the suffix starting at each label. */
static size_t public_suffix(const mxr_flags *f, const char *d, size_t n, const size_t *lab, const uint64_t *h, int nl) {
  int i;
  for (i = 0; i < nl; i++) { /* longest first */
    const char *s = d + lab[i];
    size_t sl = n - lab[i];
    if (set_find(&f->psl_except, h[i], s, sl)) return i + 1 < nl ? lab[i + 1] : lab[i];
    if (set_find(&f->lists[MXR_LIST_PSL], h[i], s, sl)) return lab[i];
    if (i + 1 < nl && set_find(&f->psl_wild, h[i + 1], d + lab[i + 1], n - lab[i + 1])) return lab[i];
  }
  return lab[nl - 1]; /* the default rule "*": the last label */
}

#define MAX_LABELS 128

int mxr_flags_check(const mxr_flags *f, const char *input, size_t len, mxr_flag_result *out) {
  const char *at = NULL, *dom;
  size_t dlen, i, lab[MAX_LABELS], ps;
  uint64_t h[MAX_LABELS], hv = H_SEED;
  int nl = 0, k;
  memset(out, 0, sizeof *out);
  for (i = len; i > 0; i--)
    if (input[i - 1] == '@') {
      at = input + i - 1;
      break;
    }
  dom = at ? at + 1 : input;
  dlen = len - (size_t)(dom - input);
  if (dlen > 0 && dom[dlen - 1] == '.') dlen--;
  if (dlen == 0 || dlen > 253 || dom[0] == '[' || dom[0] == '.' || dom[dlen - 1] == '.') return -1;
  for (i = 1; i < dlen; i++)
    if (dom[i] == '.' && dom[i - 1] == '.') return -1; /* an empty label */
  for (i = 0; i < dlen; i++) {
    unsigned char c = fold_byte((unsigned char)dom[i]);
    if (c == 0) return -1;
    out->domain[i] = (char)c;
  }
  out->domain[dlen] = '\0';
  out->dlen = dlen;
  /* Label offsets, and the hash of every suffix, right to left. */
  for (i = dlen; i-- > 0;) {
    hv = H_STEP(hv, out->domain[i]);
    if (i == 0 || out->domain[i - 1] == '.') {
      if (nl == MAX_LABELS) return -1;
      lab[nl] = i;
      h[nl] = hv ? hv : 1;
      nl++;
    }
  }
  /* lab/h are right to left; make them left to right. */
  for (k = 0; k < nl / 2; k++) {
    size_t tl = lab[k];
    uint64_t th = h[k];
    lab[k] = lab[nl - 1 - k];
    h[k] = h[nl - 1 - k];
    lab[nl - 1 - k] = tl;
    h[nl - 1 - k] = th;
  }
  ps = public_suffix(f, out->domain, dlen, lab, h, nl);
  for (k = 0; k < nl && lab[k] != ps; k++) {
  }
  out->has_registrable = k > 0;
  out->reg_off = k > 0 ? lab[k - 1] : 0;
  /* The name and its parents down to the registrable domain. */
  for (k = 0; k < nl && lab[k] <= out->reg_off; k++) {
    const char *s = out->domain + lab[k];
    size_t sl = dlen - lab[k];
    if (!out->disposable && set_find(&f->lists[MXR_LIST_DISPOSABLE], h[k], s, sl)) out->disposable = 1;
    if (!out->free && set_find(&f->lists[MXR_LIST_FREE], h[k], s, sl)) out->free = 1;
    if (!out->has_registrable) break;
  }
  if (at) {
    char local[65];
    size_t n = 0;
    out->has_local = 1;
    for (i = 0; input + i < at && input[i] != '+' && n < sizeof local; i++)
      local[n++] = (char)fold_byte((unsigned char)input[i]);
    if (n > 0 && n < sizeof local && (input + i == at || input[i] == '+') &&
        set_find(&f->lists[MXR_LIST_ROLE], hash_rev(local, n), local, n))
      out->role = 1;
  }
  return 0;
}
