/* fuzz_answer.c: libFuzzer target for the code that reads bytes a network
 * peer chose: the DNS answer parser, the name check, the classifier (MX
 * host names and SPF text come from DNS too) and the address parser. Build and run:
 *   scripts/fuzz.sh [seconds]
 * The first input byte picks the query type; the rest is the message. The
 * whole input is also read as MX hosts (one per line), a domain and SPF. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mxr_address.h"
#include "mxr_answer.h"
#include "mxr_classify.h"
#include "mxr_name.h"

#include <sys/select.h> /* ares.h of c-ares 1.18 uses fd_set */
#include <ares.h>
#include <stdlib.h>

/* The octets of the wire name at pos (labels and the root), following
 * pointers; 0 when it does not end within 50 pointers. */
static size_t wire_length(const unsigned char *msg, size_t len, size_t pos) {
  size_t n = 1;
  int jumps = 0;
  while (pos < len && msg[pos]) {
    if ((msg[pos] & 0xC0) == 0xC0) {
      if (pos + 1 >= len || ++jumps > 50) return 0;
      pos = ((size_t)(msg[pos] & 0x3F) << 8) | msg[pos + 1];
    } else {
      n += 1 + (size_t)msg[pos];
      pos += 1 + (size_t)msg[pos];
    }
  }
  return n;
}

/* mxr_name_expand against c-ares' ares_expand_name, lower-cased, at offset
 * pos: both refuse, or both give the same text. Two cases differ on purpose:
 * c-ares writes a raw NUL for a one-octet label holding 0 (ours: \000),
 * and accepts names of more than 255 octets (ours refuses them). */
static void differential_expand(const unsigned char *msg, size_t len, size_t pos) {
  char *ours = mxr_name_expand(msg, len, pos), *theirs = NULL;
  long enclen = 0;
  int rc = pos < len ? ares_expand_name(msg + pos, msg, (int)len, &theirs, &enclen) : ARES_EBADNAME;
  if (rc == ARES_SUCCESS) {
    size_t i, n = strlen(theirs);
    for (i = 0; i < n; i++)
      if (theirs[i] >= 'A' && theirs[i] <= 'Z') theirs[i] = (char)(theirs[i] + 32);
    if (ours ? strcmp(ours, theirs) != 0 : wire_length(msg, len, pos) <= 255) {
      if (!(ours && strstr(ours, "\\000"))) __builtin_trap();
    }
  } else if (ours) {
    __builtin_trap();
  }
  if (theirs) ares_free_string(theirs);
  free(ours);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mxr_rules *fuzz_rules(void) {
  static mxr_rules *rules;
  static const char *const mx[] = {"aspmx.l.google.com", "google.com",  "mail.protection.outlook.com",
                                   "pphosted.com",       "a.b.c.d.e.f", "x"};
  size_t i;
  if (rules) return rules;
  rules = mxr_rules_new();
  mxr_rules_set_provider(rules, 0, MXR_CAT_MAILBOX);
  mxr_rules_set_provider(rules, 1, MXR_CAT_GATEWAY);
  mxr_rules_set_provider(rules, 2, MXR_CAT_HOSTING);
  for (i = 0; i < sizeof mx / sizeof mx[0]; i++) {
    mxr_rules_add(rules, MXR_RULE_MX, mx[i], strlen(mx[i]), (int)(i % 3));
    mxr_rules_add(rules, MXR_RULE_SPF, mx[i], strlen(mx[i]), (int)((i + 1) % 3));
  }
  return rules;
}

static void fuzz_classify(const char *text, size_t size) {
  mxr_classifier c;
  mxr_verdict v;
  size_t start = 0, i, pos = 0, dlen;
  const char *dom;
  int rule_id, is_new, redirect;
  mxr_classify_begin(&c, fuzz_rules(), text, size < 300 ? size : 300);
  for (i = 0; i <= size; i++) {
    if (i == size || text[i] == '\n') {
      mxr_classify_host(&c, text + start, i - start, &rule_id);
      start = i + 1;
    }
  }
  while (mxr_spf_next(text, size, &pos, &dom, &dlen, &redirect)) {
    if (dom < text || dom + dlen > text + size) __builtin_trap();
    mxr_classify_include(&c, dom, dlen, &rule_id, &is_new);
  }
  mxr_classify_end(&c, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const int types[] = {MXR_T_MX, MXR_T_TXT, MXR_T_A, MXR_T_AAAA};
  mxr_answer ans;
  char name[MXR_NAME_MAX + 1];
  const char *why;
  size_t i;
  if (size < 1) return 0;
  mxr_answer_parse(data + 1, size - 1, "example.com", types[data[0] & 3], &ans);
  if (!ans.error && ans.status == MXR_OK && ans.count == 0) __builtin_trap(); /* ok => at least one record */
  for (i = 0; i < ans.count; i++) /* touch every byte the parser claims to have produced */
    if (ans.records[i].len && memchr(ans.records[i].text, 0x7f, ans.records[i].len)) break;
  mxr_answer_free(&ans);
  for (i = 1; i < size && i < 40; i += 7) differential_expand(data + 1, size - 1, i - 1);
  mxr_name_normalize((const char *)data, size, name, &why);
  fuzz_classify((const char *)data, size);
  {
    mxr_address a;
    if (mxr_address_parse((const char *)data, size, &a, &why) == 0 && a.local_len > MXR_LOCAL_MAX) __builtin_trap();
    mxr_domain_to_ascii((const char *)data, size, name, 0, &why);
  }
  return 0;
}
