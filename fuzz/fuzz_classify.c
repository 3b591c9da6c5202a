/* fuzz_classify.c: libFuzzer target for the classifier's suffix rules
 * (mxr_rules_add, mxr_rules_match) against a naive reference: a plain scan
 * over every rule, keeping the longest suffix that ends the name on a label
 * boundary, must give the same provider, rule number and offset as the
 * hashed right-to-left lookup. Input: lines; each but the last is a rule
 * (first byte: kind in its low bit, second: provider mod 4, then the
 * suffix), the last is the name matched under both kinds. Run by
 * scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mxr_classify.h"
#include "mxr_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                \
  do {                          \
    if (!(c)) __builtin_trap(); \
  } while (0)

#define MAX_RULES 64

typedef struct ref_rule {
  int kind, provider, id;
  char suffix[MXR_NAME_MAX + 1];
  size_t len;
} ref_rule;

/* the name as the classifier folds it: lower case, one trailing dot off;
 * 0 when it can never match */
static size_t ref_fold(const char *name, size_t len, char *buf) {
  size_t i;
  if (len > 0 && name[len - 1] == '.') len--;
  if (len == 0 || len > MXR_NAME_MAX) return 0;
  for (i = 0; i < len; i++) {
    char c = name[i];
    if (c == '\0') return 0;
    buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return len;
}

static int ref_match(const ref_rule *rules, int n, int kind, const char *name, size_t len, size_t *off, int *id) {
  char buf[MXR_NAME_MAX + 1];
  size_t flen = ref_fold(name, len, buf), best_len = 0;
  int i, best = MXR_MATCH_NONE;
  *id = -1;
  if (flen == 0) return best;
  for (i = 0; i < n; i++) {
    const ref_rule *r = &rules[i];
    if (r->kind != kind || r->len > flen || r->len <= best_len) continue;
    if (memcmp(buf + flen - r->len, r->suffix, r->len) != 0) continue;
    if (r->len < flen && buf[flen - r->len - 1] != '.') continue;
    best_len = r->len;
    best = r->provider;
    *id = r->id;
    *off = flen - r->len;
  }
  return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static ref_rule ref[MAX_RULES];
  const char *s = (const char *)data, *line = s, *end = s + size;
  mxr_rules *rules = mxr_rules_new();
  int nref = 0, p, kind;
  if (!rules) return 0;
  for (p = 0; p < 4; p++) mxr_rules_set_provider(rules, p, p % 3);
  for (;;) {
    const char *nl = memchr(line, '\n', (size_t)(end - line));
    if (!nl) break; /* the last line is the name */
    if (nl - line >= 2 && nref < MAX_RULES) {
      const char *why;
      char norm[MXR_NAME_MAX + 1];
      int k = line[0] & 1, prov = (unsigned char)line[1] % 4, id, i;
      size_t slen = (size_t)(nl - line - 2);
      id = mxr_rules_add(rules, k, line + 2, slen, prov);
      if (mxr_name_normalize(line + 2, slen, norm, &why) < 0) {
        CHECK(id == -2);
      } else {
        CHECK(id >= 0);
        for (i = 0; i < nref; i++)
          if (ref[i].kind == k && strcmp(ref[i].suffix, norm) == 0) break;
        if (i < nref) { /* re-pointed */
          CHECK(ref[i].id == id);
          ref[i].provider = prov;
        } else {
          CHECK(id == nref);
          ref[nref].kind = k;
          ref[nref].provider = prov;
          ref[nref].id = id;
          strcpy(ref[nref].suffix, norm);
          ref[nref].len = strlen(norm);
          nref++;
        }
      }
    }
    line = nl + 1;
  }
  for (kind = MXR_RULE_MX; kind <= MXR_RULE_SPF; kind++) {
    size_t off = 0, ref_off = 0;
    int id, ref_id;
    int got = mxr_rules_match(rules, kind, line, (size_t)(end - line), &off, &id);
    int want = ref_match(ref, nref, kind, line, (size_t)(end - line), &ref_off, &ref_id);
    CHECK(got == want && id == ref_id);
    if (got != MXR_MATCH_NONE) CHECK(off == ref_off);
  }
  mxr_rules_free(rules);
  return 0;
}
