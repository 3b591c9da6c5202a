/* fuzz_spf_check.c: libFuzzer target for the SPF record parser, the macro
 * expander and the evaluator (src/core/mxr_spf.c). Macro expansion has a
 * CVE history in libspf2; the invariants beyond "no crash":
 *   - parsing is deterministic, and a record that parses, written back from
 *     its terms, parses to the same terms;
 *   - macro text that passes the syntax check never fails expansion on
 *     syntax, and no expansion exceeds its bound;
 *   - an evaluation of the input as a domain's record (every other name
 *     answered NXDOMAIN, or alternately with the input as A, MX, PTR and TXT
 *     data) ends within a bounded number of steps with a known result and
 *     no more than 11 counted lookups.
 * Build and run: scripts/fuzz_spf.sh [seconds]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxr_spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"};

static void same_terms(const mxr_spf_record *a, const mxr_spf_record *b) {
  if (a->count != b->count || a->redirect != b->redirect || a->exp != b->exp) abort();
  for (size_t i = 0; i < a->count; i++) {
    const mxr_spf_term *x = &a->terms[i], *y = &b->terms[i];
    if (x->kind != y->kind || x->qualifier != y->qualifier || x->cidr4 != y->cidr4 || x->cidr6 != y->cidr6) abort();
    if ((x->value == NULL) != (y->value == NULL)) abort();
    if (x->value && (x->valuelen != y->valuelen || memcmp(x->value, y->value, x->valuelen) != 0)) abort();
    if (x->kind == MXR_SPF_IP4 || x->kind == MXR_SPF_IP6) {
      if (memcmp(x->addr, y->addr, 16) != 0) abort();
    }
  }
}

static void check_parse(const char *s, size_t n) {
  mxr_spf_record a, b;
  char err[300];
  int ra = mxr_spf_parse(s, n, &a, err, sizeof err);
  int rb = mxr_spf_parse(s, n, &b, err, sizeof err);
  if (ra != rb) abort();
  if (ra != 0) return;
  same_terms(&a, &b);
  mxr_spf_record_free(&b);
  /* write it back */
  size_t cap = n + 16 * a.count + 16;
  char *w = malloc(cap);
  if (!w) abort();
  size_t o = (size_t)snprintf(w, cap, "v=spf1");
  for (size_t i = 0; i < a.count; i++) {
    const mxr_spf_term *t = &a.terms[i];
    w[o++] = ' ';
    if (t->kind >= MXR_SPF_REDIRECT) {
      memcpy(w + o, t->name ? t->name : (t->kind == MXR_SPF_REDIRECT ? "redirect" : "exp"),
             t->name ? t->namelen : strlen(t->kind == MXR_SPF_REDIRECT ? "redirect" : "exp"));
      o += t->name ? t->namelen : strlen(t->kind == MXR_SPF_REDIRECT ? "redirect" : "exp");
      w[o++] = '=';
      memcpy(w + o, t->value, t->valuelen);
      o += t->valuelen;
      continue;
    }
    w[o++] = t->qualifier;
    o += (size_t)snprintf(w + o, cap - o, "%s", kinds[t->kind]);
    if (t->value) {
      w[o++] = ':';
      memcpy(w + o, t->value, t->valuelen);
      o += t->valuelen;
    }
    if (t->cidr4 >= 0) o += (size_t)snprintf(w + o, cap - o, "/%d", t->cidr4);
    if (t->cidr6 >= 0) o += (size_t)snprintf(w + o, cap - o, t->kind == MXR_SPF_IP6 ? "/%d" : "//%d", t->cidr6);
  }
  if (o >= cap) abort();
  if (mxr_spf_parse(w, o, &b, err, sizeof err) != 0) {
    fprintf(stderr, "reparse failed: %s in %.*s\n", err, (int)o, w);
    abort();
  }
  same_terms(&a, &b);
  mxr_spf_record_free(&b);
  mxr_spf_record_free(&a);
  free(w);
}

static void check_expand(const char *s, size_t n) {
  char out[MXR_SPF_EXPAND_MAX + 1];
  for (int expl = 0; expl <= 1; expl++) {
    int r = mxr_spf_expand(expl ? "2001:db8::1" : "192.0.2.3", "strong-bad@email.example.com", "mx.example.org",
                           "email.example.com", s, n, expl, out, sizeof out);
    if (r > MXR_SPF_EXPAND_MAX) abort();
    if (r == -1 && mxr_spf_macro_check(s, n, expl) == 0) abort();
    /* a tiny buffer only ever gives "too long", never an overrun */
    char small[8];
    int rs = mxr_spf_expand("192.0.2.3", "a@b.example", "h.example", "b.example", s, n, expl, small, sizeof small);
    if (rs > 7) abort();
  }
}

static void check_eval(const char *s, size_t n, int rich) {
  mxr_spf *ev = mxr_spf_new(rich ? "2001:db8::1" : "192.0.2.3", "user@fuzz.example", "helo.example", NULL, NULL, 0);
  if (!ev) abort();
  int steps = 0;
  for (;;) {
    const char *name;
    int qtype;
    if (mxr_spf_step(ev, &name, &qtype) == MXR_SPF_DONE) break;
    if (++steps > 4000) abort();
    const char *rec[1] = {s};
    size_t len[1] = {n};
    char copy[300];
    snprintf(copy, sizeof copy, "%s", name);
    if (strcmp(copy, "fuzz.example") == 0 && qtype == MXR_SPF_Q_TXT)
      mxr_spf_feed(ev, copy, qtype, MXR_SPF_DNS_OK, 1, rec, len);
    else if (rich && (steps % 3) != 0)
      mxr_spf_feed(ev, copy, qtype, MXR_SPF_DNS_OK, 1, rec, len);
    else
      mxr_spf_feed(ev, copy, qtype, (steps % 5) == 4 ? MXR_SPF_DNS_TEMPFAIL : MXR_SPF_DNS_NXDOMAIN, 0, NULL, NULL);
  }
  const mxr_spf_outcome *o = mxr_spf_outcome_get(ev);
  if (!o || o->result < MXR_SPF_R_NONE || o->result > MXR_SPF_R_PERMERROR) abort();
  if (o->lookups > MXR_SPF_MAX_LOOKUPS + 1) abort();
  if (o->explanation && strlen(o->explanation) > MXR_SPF_EXPAND_MAX) abort();
  mxr_spf_free(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  check_parse(s, size);
  check_expand(s, size);
  if (size < 4096) {
    check_eval(s, size, 0);
    check_eval(s, size, 1);
  }
  return 0;
}
