/* mxr_spf.c: SPF check_host() (RFC 7208), sans-I/O; see mxr_spf.h.
 *
 * Section references are to RFC 7208. Where the RFC leaves a choice, the
 * choice of pyspf (which passes the openspf test suite) is taken, and said. */
#include "mxr_spf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Internal outcomes of a mechanism, beside the results of mxr_spf_result. */
enum { R_NEED = 100, M_MATCH = 101, M_NOMATCH = 102 };
/* Expansion failures. */
enum { X_SYNTAX = -1, X_LONG = -2, X_NEED = -3 };

#define MAX_PROBLEMS 32
#define MAX_DEPTH 24
#define NAMEBUF (MXR_SPF_EXPAND_MAX + 1)

typedef struct ans {
  int qtype;
  int dns;
  char *name;
  size_t n;
  char **rec; /* NUL-terminated copies */
  size_t *len;
  struct ans *next;
} ans;

struct mxr_spf {
  int fam; /* 4 or 6 */
  unsigned char ip[16];
  char *sender, *local, *sdomain, *helo, *receiver, *start;
  long long now;
  ans *answers;
  size_t nanswers, bytes;
  int overflow;
  /* state of the current run */
  int lookups, voids;
  char *need_name;
  int need_qtype;
  char *problems[MAX_PROBLEMS];
  size_t nproblems;
  char *d_domain, *d_record, *d_mech, *expl;
  int done;
  mxr_spf_outcome out;
};

/* ---- small helpers ---- */

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static int is_alpha(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }

static int ieq(const char *a, size_t alen, const char *b) {
  size_t blen = strlen(b);
  if (alen != blen) return 0;
  for (size_t i = 0; i < alen; i++)
    if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
  return 1;
}

static char *dupn(const char *s, size_t n) {
  char *p = malloc(n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

static void problem(mxr_spf *ev, const char *fmt, ...) {
  if (ev->nproblems >= MAX_PROBLEMS) return;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  char *p = dupn(buf, strlen(buf));
  if (p) ev->problems[ev->nproblems++] = p;
}

/* Lower-cases name in place and drops one trailing dot. */
static void norm_name(char *name) {
  size_t n = strlen(name);
  for (size_t i = 0; i < n; i++) name[i] = (char)lower((unsigned char)name[i]);
  if (n > 0 && name[n - 1] == '.') name[n - 1] = 0;
}

/* Section 4.8 / 7.3: a name over 253 octets loses labels on the left. */
static void truncate_name(char *name) {
  size_t n = strlen(name);
  char *p = name;
  while (n > 253) {
    char *dot = memchr(p, '.', n);
    if (!dot) break;
    n -= (size_t)(dot + 1 - p);
    p = dot + 1;
  }
  if (p != name) memmove(name, p, n + 1);
}

/* A name a DNS query can be made of: labels of 1..63 octets, 253 in all. */
static int name_valid(const char *name) {
  size_t n = strlen(name), lab = 0;
  if (n == 0 || n > 253) return 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || name[i] == '.') {
      if (lab == 0 || lab > 63) return 0;
      lab = 0;
    } else {
      lab++;
    }
  }
  return 1;
}

static int cidr_match(const unsigned char *a, const unsigned char *b, int bits) {
  int full = bits / 8, rest = bits % 8;
  if (memcmp(a, b, (size_t)full) != 0) return 0;
  if (rest == 0) return 1;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

/* Strict dotted quad: four decimal numbers 0..255, no leading zeros. */
static int parse_ip4(const char *s, size_t len, unsigned char *out) {
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= len || s[i] != '.') return -1;
      i++;
    }
    size_t start = i;
    unsigned v = 0;
    while (i < len && is_digit((unsigned char)s[i]) && i - start < 4) v = v * 10 + (unsigned)(s[i++] - '0');
    if (i == start || i - start > 3 || v > 255 || (i - start > 1 && s[start] == '0')) return -1;
    out[part] = (unsigned char)v;
  }
  return i == len ? 0 : -1;
}

static int parse_ip6(const char *s, size_t len, unsigned char *out) {
  char buf[64];
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, s, len);
  buf[len] = 0;
  return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

/* A CIDR length: "0" or digits without a leading zero, at most max. */
static int parse_cidr(const char *s, size_t len, int max) {
  if (len == 0 || len > 3) return -1;
  if (len > 1 && s[0] == '0') return -1;
  int v = 0;
  for (size_t i = 0; i < len; i++) {
    if (!is_digit((unsigned char)s[i])) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v <= max ? v : -1;
}

/* ---- macros (section 7) ---- */

static int delimiter(int c) { return c && strchr(".-+,/_=", c) != NULL; }

/* Walks one macro-expand at s[i] == '%'; returns the index after it, or -1.
 * Fills letter (0 for %% %_ %-), digits, reverse and the delimiters. */
static long macro_at(const char *s, size_t len, size_t i, int explanation, int *letter, int *digits, int *reverse,
                     const char **delims, size_t *ndelims) {
  *letter = 0;
  *digits = 0;
  *reverse = 0;
  *delims = NULL;
  *ndelims = 0;
  if (i + 1 >= len) return -1;
  char c = s[i + 1];
  if (c == '%' || c == '_' || c == '-') {
    *letter = c;
    return (long)(i + 2);
  }
  if (c != '{') return -1;
  size_t j = i + 2;
  if (j >= len) return -1;
  int l = lower((unsigned char)s[j]);
  if (!l || !strchr(explanation ? "slodipvhcrt" : "slodipvh", l)) return -1;
  *letter = (unsigned char)s[j];
  j++;
  size_t dstart = j;
  int v = 0;
  while (j < len && is_digit((unsigned char)s[j])) {
    if (v < 1000) v = v * 10 + (s[j] - '0');
    j++;
  }
  if (j > dstart && v == 0) return -1; /* 7.3: a DIGIT transformer is nonzero */
  *digits = v;
  if (j < len && (s[j] == 'r' || s[j] == 'R')) {
    *reverse = 1;
    j++;
  }
  *delims = s + j;
  while (j < len && delimiter((unsigned char)s[j])) j++;
  *ndelims = (size_t)(s + j - *delims);
  if (j >= len || s[j] != '}') return -1;
  return (long)(j + 1);
}

/* Checks syntax; *ends_macro says whether the text ends with a macro-expand. */
static int macro_scan(const char *s, size_t len, int explanation, int *ends_macro) {
  size_t i = 0;
  int endm = 0;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      int letter, digits, reverse;
      const char *d;
      size_t nd;
      long next = macro_at(s, len, i, explanation, &letter, &digits, &reverse, &d, &nd);
      if (next < 0) return -1;
      i = (size_t)next;
      endm = 1;
      continue;
    }
    if (c < 0x20 || c > 0x7e || (c == ' ' && !explanation)) return -1;
    endm = 0;
    i++;
  }
  if (ends_macro) *ends_macro = endm;
  return 0;
}

int mxr_spf_macro_check(const char *s, size_t len, int explanation) { return macro_scan(s, len, explanation, NULL); }

/* toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int toplabel_ok(const char *s, size_t len) {
  if (len == 0) return 0;
  int alpha = 0, dash = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_alpha(c))
      alpha = 1;
    else if (c == '-')
      dash = 1;
    else if (!is_digit(c))
      return 0;
  }
  if (dash) return is_alnum((unsigned char)s[0]) && is_alnum((unsigned char)s[len - 1]);
  return alpha;
}

/* domain-spec = macro-string domain-end; domain-end = ( "." toplabel [ "." ] ) / macro-expand */
static int domain_spec_ok(const char *s, size_t len) {
  int endm = 0;
  if (len == 0 || macro_scan(s, len, 0, &endm) != 0) return 0;
  if (endm) return 1;
  if (s[len - 1] == '.') len--;
  size_t i = len;
  while (i > 0 && s[i - 1] != '.') i--;
  if (i == 0) return 0; /* no dot: a toplabel alone is not a domain-spec */
  return toplabel_ok(s + i, len - i);
}

/* ---- records (sections 4.5, 4.6, 12) ---- */

int mxr_spf_record_is(const char *txt, size_t len) {
  return len >= 6 && ieq(txt, 6, "v=spf1") && (len == 6 || txt[6] == ' ');
}

void mxr_spf_record_free(mxr_spf_record *rec) {
  free(rec->terms);
  rec->terms = NULL;
  rec->count = 0;
}

static int fail(char *err, size_t errlen, const char *what, const char *t, size_t tlen) {
  if (err && errlen) snprintf(err, errlen, "%s: '%.*s'", what, (int)(tlen > 200 ? 200 : tlen), t);
  return -1;
}

static int parse_mechanism(mxr_spf_term *m, const char *t, size_t len, char *err, size_t errlen) {
  size_t i = 0;
  m->qualifier = '+';
  if (len > 0 && strchr("+-~?", t[0])) m->qualifier = t[i++];
  size_t ns = i;
  while (i < len && t[i] != ':' && t[i] != '/') i++;
  const char *name = t + ns;
  size_t namelen = i - ns;
  const char *rest = t + i;
  size_t restlen = len - i;
  static const struct {
    const char *n;
    int kind;
  } names[] = {{"all", MXR_SPF_ALL}, {"include", MXR_SPF_INCLUDE}, {"a", MXR_SPF_A},     {"mx", MXR_SPF_MX},
               {"ptr", MXR_SPF_PTR}, {"ip4", MXR_SPF_IP4},         {"ip6", MXR_SPF_IP6}, {"exists", MXR_SPF_EXISTS}};
  m->kind = -1;
  for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
    if (ieq(name, namelen, names[k].n)) m->kind = names[k].kind;
  if (m->kind < 0) return fail(err, errlen, "unknown mechanism", t, len);
  switch (m->kind) {
    case MXR_SPF_ALL:
      if (restlen) return fail(err, errlen, "'all' takes no argument", t, len);
      return 0;
    case MXR_SPF_INCLUDE:
    case MXR_SPF_EXISTS:
    case MXR_SPF_PTR:
      if (restlen == 0 && m->kind == MXR_SPF_PTR) return 0;
      if (restlen < 1 || rest[0] != ':' || !domain_spec_ok(rest + 1, restlen - 1))
        return fail(err, errlen, "bad domain-spec", t, len);
      m->value = rest + 1;
      m->valuelen = restlen - 1;
      return 0;
    case MXR_SPF_A:
    case MXR_SPF_MX: {
      /* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], at the end */
      size_t e = restlen;
      size_t d = e;
      while (d > 0 && is_digit((unsigned char)rest[d - 1])) d--;
      if (d < e && d >= 2 && rest[d - 1] == '/' && rest[d - 2] == '/') {
        m->cidr6 = parse_cidr(rest + d, e - d, 128);
        if (m->cidr6 < 0) return fail(err, errlen, "bad ip6 CIDR length", t, len);
        e = d - 2;
        d = e;
        while (d > 0 && is_digit((unsigned char)rest[d - 1])) d--;
      }
      if (d < e && d >= 1 && rest[d - 1] == '/' && !(d >= 2 && rest[d - 2] == '/')) {
        m->cidr4 = parse_cidr(rest + d, e - d, 32);
        if (m->cidr4 < 0) return fail(err, errlen, "bad ip4 CIDR length", t, len);
        e = d - 1;
      }
      if (e == 0) return 0;
      if (rest[0] != ':' || !domain_spec_ok(rest + 1, e - 1)) return fail(err, errlen, "bad domain-spec", t, len);
      m->value = rest + 1;
      m->valuelen = e - 1;
      return 0;
    }
    case MXR_SPF_IP4:
    case MXR_SPF_IP6: {
      if (restlen < 2 || rest[0] != ':') return fail(err, errlen, "missing address", t, len);
      const char *v = rest + 1;
      size_t vlen = restlen - 1;
      const char *slash = memchr(v, '/', vlen);
      size_t alen = slash ? (size_t)(slash - v) : vlen;
      int ok = m->kind == MXR_SPF_IP4 ? parse_ip4(v, alen, m->addr) : parse_ip6(v, alen, m->addr);
      if (ok != 0) return fail(err, errlen, "bad address", t, len);
      if (slash) {
        int c = parse_cidr(slash + 1, vlen - alen - 1, m->kind == MXR_SPF_IP4 ? 32 : 128);
        if (c < 0) return fail(err, errlen, "bad CIDR length", t, len);
        if (m->kind == MXR_SPF_IP4)
          m->cidr4 = c;
        else
          m->cidr6 = c;
      }
      m->value = v;
      m->valuelen = alen;
      return 0;
    }
  }
  return -1;
}

int mxr_spf_parse(const char *txt, size_t len, mxr_spf_record *rec, char *err, size_t errlen) {
  memset(rec, 0, sizeof *rec);
  rec->redirect = rec->exp = -1;
  if (err && errlen) err[0] = 0;
  if (!mxr_spf_record_is(txt, len)) return fail(err, errlen, "not an SPF record", txt, len > 20 ? 20 : len);
  for (size_t i = 6; i < len; i++) {
    unsigned char c = (unsigned char)txt[i];
    if (c < 0x20 || c > 0x7e) return fail(err, errlen, "control or non-ASCII character in", txt, len);
  }
  size_t cap = (len - 6) / 2 + 1;
  rec->terms = calloc(cap, sizeof *rec->terms);
  if (!rec->terms) return fail(err, errlen, "out of memory", "", 0);
  size_t i = 6;
  while (i < len) {
    while (i < len && txt[i] == ' ') i++;
    if (i >= len) break;
    size_t s = i;
    while (i < len && txt[i] != ' ') i++;
    const char *t = txt + s;
    size_t tl = i - s;
    mxr_spf_term *m = &rec->terms[rec->count];
    memset(m, 0, sizeof *m);
    m->text = t;
    m->textlen = tl;
    m->cidr4 = m->cidr6 = -1;
    size_t j = 0;
    if (is_alpha((unsigned char)t[0])) {
      j = 1;
      while (j < tl && (is_alnum((unsigned char)t[j]) || t[j] == '-' || t[j] == '_' || t[j] == '.')) j++;
    }
    if (j > 0 && j < tl && t[j] == '=') { /* a modifier (section 6, appendix A) */
      m->name = t;
      m->namelen = j;
      m->value = t + j + 1;
      m->valuelen = tl - j - 1;
      if (ieq(t, j, "redirect") || ieq(t, j, "exp")) {
        int is_redirect = ieq(t, j, "redirect");
        int *slot = is_redirect ? &rec->redirect : &rec->exp;
        if (*slot >= 0) {
          mxr_spf_record_free(rec);
          return fail(err, errlen, "modifier given twice", t, tl);
        }
        if (!domain_spec_ok(m->value, m->valuelen)) {
          mxr_spf_record_free(rec);
          return fail(err, errlen, "bad domain-spec", t, tl);
        }
        m->kind = is_redirect ? MXR_SPF_REDIRECT : MXR_SPF_EXP;
        *slot = (int)rec->count;
      } else {
        if (macro_scan(m->value, m->valuelen, 1, NULL) != 0) {
          mxr_spf_record_free(rec);
          return fail(err, errlen, "bad macro in modifier", t, tl);
        }
        m->kind = MXR_SPF_MODIFIER;
      }
    } else if (parse_mechanism(m, t, tl, err, errlen) != 0) {
      mxr_spf_record_free(rec);
      return -1;
    }
    rec->count++;
  }
  return 0;
}

/* ---- the evaluator ---- */

static const char *result_names[] = {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"};

const char *mxr_spf_result_name(int result) {
  return (result >= 0 && result <= MXR_SPF_R_PERMERROR) ? result_names[result] : "?";
}

static const char *qtype_name(int q) {
  switch (q) {
    case MXR_SPF_Q_A: return "A";
    case MXR_SPF_Q_AAAA: return "AAAA";
    case MXR_SPF_Q_MX: return "MX";
    case MXR_SPF_Q_PTR: return "PTR";
    case MXR_SPF_Q_TXT: return "TXT";
  }
  return "?";
}

static void reset_run(mxr_spf *ev) {
  ev->lookups = ev->voids = 0;
  for (size_t i = 0; i < ev->nproblems; i++) free(ev->problems[i]);
  ev->nproblems = 0;
  free(ev->d_domain);
  free(ev->d_record);
  free(ev->d_mech);
  free(ev->expl);
  ev->d_domain = ev->d_record = ev->d_mech = ev->expl = NULL;
}

static void free_answers(mxr_spf *ev) {
  ans *a = ev->answers;
  while (a) {
    ans *next = a->next;
    for (size_t i = 0; i < a->n; i++) free(a->rec[i]);
    free(a->rec);
    free(a->len);
    free(a->name);
    free(a);
    a = next;
  }
  ev->answers = NULL;
}

void mxr_spf_free(mxr_spf *ev) {
  if (!ev) return;
  reset_run(ev);
  free_answers(ev);
  free(ev->sender);
  free(ev->local);
  free(ev->sdomain);
  free(ev->helo);
  free(ev->receiver);
  free(ev->start);
  free(ev->need_name);
  free(ev);
}

/* The answer to (qtype, name), or NULL after noting it as needed. */
static const ans *get(mxr_spf *ev, int qtype, const char *name) {
  for (const ans *a = ev->answers; a; a = a->next)
    if (a->qtype == qtype && strcmp(a->name, name) == 0) return a;
  free(ev->need_name);
  ev->need_name = dupn(name, strlen(name));
  ev->need_qtype = qtype;
  return NULL;
}

int mxr_spf_feed(mxr_spf *ev, const char *name, int qtype, int dns, size_t n, const char *const *records,
                 const size_t *lens) {
  size_t bytes = strlen(name) + 64;
  for (size_t i = 0; i < n; i++) bytes += lens[i] + 16;
  if (ev->nanswers >= MXR_SPF_MAX_ANSWERS || ev->bytes + bytes > MXR_SPF_MAX_BYTES) {
    ev->overflow = 1;
    return -1;
  }
  ans *a = calloc(1, sizeof *a);
  if (!a) {
    ev->overflow = 1; /* the next step ends the evaluation instead of asking again */
    return -1;
  }
  a->qtype = qtype;
  a->dns = dns;
  a->name = dupn(name, strlen(name));
  if (a->name) norm_name(a->name);
  if (dns == MXR_SPF_DNS_OK && n > 0) {
    a->rec = calloc(n, sizeof *a->rec);
    a->len = calloc(n, sizeof *a->len);
  }
  if (!a->name || (dns == MXR_SPF_DNS_OK && n > 0 && (!a->rec || !a->len))) {
    free(a->name);
    free(a->rec);
    free(a->len);
    free(a);
    ev->overflow = 1;
    return -1;
  }
  if (dns == MXR_SPF_DNS_OK) {
    for (size_t i = 0; i < n; i++) {
      a->rec[i] = dupn(records[i], lens[i]);
      if (!a->rec[i]) break;
      a->len[i] = lens[i];
      a->n++;
    }
  }
  a->next = ev->answers;
  ev->answers = a;
  ev->nanswers++;
  ev->bytes += bytes;
  return 0;
}

/* The reverse-lookup name of the client address (section 5.5). */
static void reverse_name(const mxr_spf *ev, char *out, size_t outlen) {
  if (ev->fam == 4) {
    snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", ev->ip[3], ev->ip[2], ev->ip[1], ev->ip[0]);
    return;
  }
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for (int i = 15; i >= 0; i--) {
    out[o++] = hex[ev->ip[i] & 15];
    out[o++] = '.';
    out[o++] = hex[ev->ip[i] >> 4];
    out[o++] = '.';
  }
  snprintf(out + o, outlen - o, "ip6.arpa");
}

static int addr_matches(const mxr_spf *ev, const char *text, int bits) {
  unsigned char a[16];
  if (ev->fam == 4) {
    if (inet_pton(AF_INET, text, a) != 1) return 0;
    return cidr_match(a, ev->ip, bits);
  }
  if (inet_pton(AF_INET6, text, a) != 1) return 0;
  return cidr_match(a, ev->ip, bits);
}

static int is_subdomain(const char *name, const char *of) {
  size_t n = strlen(name), m = strlen(of);
  if (n == m) return strcmp(name, of) == 0;
  return n > m && name[n - m - 1] == '.' && strcmp(name + n - m, of) == 0;
}

/* Validated names (section 5.5) of the client address that are target or
 * below it; target NULL: any. Writes the first such name into out (the one
 * under prefer first, when prefer is given). Returns 1 found, 0 none, R_NEED. */
static int validated_name(mxr_spf *ev, const char *target, const char *prefer, char *out, size_t outlen) {
  char rev[80];
  reverse_name(ev, rev, sizeof rev);
  const ans *p = get(ev, MXR_SPF_Q_PTR, rev);
  if (!p) return R_NEED;
  if (p->dns != MXR_SPF_DNS_OK) return 0;
  int found = 0;
  int q = ev->fam == 4 ? MXR_SPF_Q_A : MXR_SPF_Q_AAAA;
  for (size_t i = 0; i < p->n && i < MXR_SPF_MAX_PTR; i++) {
    char name[256];
    if (p->len[i] >= sizeof name) continue;
    memcpy(name, p->rec[i], p->len[i] + 1);
    norm_name(name);
    if (!name_valid(name)) continue;
    if (target && !is_subdomain(name, target)) continue;
    const ans *a = get(ev, q, name);
    if (!a) return R_NEED;
    if (a->dns != MXR_SPF_DNS_OK) continue; /* a failed lookup skips the name */
    int ok = 0;
    for (size_t k = 0; k < a->n && !ok; k++) ok = addr_matches(ev, a->rec[k], ev->fam == 4 ? 32 : 128);
    if (!ok) continue;
    if (prefer && is_subdomain(name, prefer)) {
      snprintf(out, outlen, "%s", name);
      return 1;
    }
    if (!found) {
      snprintf(out, outlen, "%s", name);
      found = 1;
      if (!prefer) return 1;
    }
  }
  return found;
}

static int put(char *out, size_t max, size_t *o, const char *s, size_t n) {
  if (*o + n > max) return -1;
  memcpy(out + *o, s, n);
  *o += n;
  return 0;
}

/* The value of a macro letter; writes into buf. NULL on R_NEED (p). */
static const char *letter_value(mxr_spf *ev, const char *domain, int l, int dns, char *buf, size_t buflen, int *need) {
  *need = 0;
  switch (l) {
    case 's': return ev->sender;
    case 'l': return ev->local;
    case 'o': return ev->sdomain;
    case 'd': return domain;
    case 'h': return ev->helo;
    case 'r': return ev->receiver;
    case 'v': return ev->fam == 4 ? "in-addr" : "ip6";
    case 't': snprintf(buf, buflen, "%lld", ev->now); return buf;
    case 'c':
      if (!inet_ntop(ev->fam == 4 ? AF_INET : AF_INET6, ev->ip, buf, (socklen_t)buflen)) return "";
      return buf;
    case 'i':
      if (ev->fam == 4) {
        snprintf(buf, buflen, "%u.%u.%u.%u", ev->ip[0], ev->ip[1], ev->ip[2], ev->ip[3]);
      } else {
        static const char hex[] = "0123456789abcdef";
        size_t o = 0;
        for (int i = 0; i < 16; i++) {
          o += (size_t)snprintf(buf + o, buflen - o, "%s%c.%c", i ? "." : "", hex[ev->ip[i] >> 4], hex[ev->ip[i] & 15]);
        }
      }
      return buf;
    case 'p': {
      if (!dns) return "unknown";
      int r = validated_name(ev, NULL, domain, buf, buflen);
      if (r == R_NEED) {
        *need = 1;
        return NULL;
      }
      return r == 1 ? buf : "unknown";
    }
  }
  return "";
}

/* Section 7.3/7.4: expands s into out (at most max octets, no NUL). */
static int expand(mxr_spf *ev, const char *domain, const char *s, size_t len, int explanation, int dns, char *out,
                  size_t max) {
  size_t o = 0, i = 0;
  if (max > MXR_SPF_EXPAND_MAX) max = MXR_SPF_EXPAND_MAX;
  while (i < len) {
    if (s[i] != '%') {
      if (put(out, max, &o, s + i, 1)) return X_LONG;
      i++;
      continue;
    }
    int letter, digits, reverse;
    const char *delims;
    size_t nd;
    long next = macro_at(s, len, i, explanation, &letter, &digits, &reverse, &delims, &nd);
    if (next < 0) return X_SYNTAX;
    i = (size_t)next;
    if (letter == '%' || letter == '_' || letter == '-') {
      const char *lit = letter == '%' ? "%" : letter == '_' ? " " : "%20";
      if (put(out, max, &o, lit, strlen(lit))) return X_LONG;
      continue;
    }
    char buf[300];
    int need;
    const char *val = letter_value(ev, domain, lower(letter), dns, buf, sizeof buf, &need);
    if (need) return X_NEED;
    size_t vlen = strlen(val);
    /* split on the delimiters (default "."), keep empty parts */
    static const size_t maxparts = 2100; /* a value holds at most ~2050 octets */
    const char *parts[2100];
    size_t plen[2100], np = 0, start = 0;
    for (size_t k = 0; k <= vlen; k++) {
      int isdel = k < vlen && (nd ? memchr(delims, val[k], nd) != NULL : val[k] == '.');
      if (k == vlen || isdel) {
        if (np < maxparts) {
          parts[np] = val + start;
          plen[np] = k - start;
          np++;
        }
        start = k + 1;
      }
    }
    if (reverse) {
      for (size_t a = 0, b = np - 1; a < b; a++, b--) {
        const char *tp = parts[a];
        parts[a] = parts[b];
        parts[b] = tp;
        size_t tl = plen[a];
        plen[a] = plen[b];
        plen[b] = tl;
      }
    }
    size_t first = 0;
    if (digits > 0 && (size_t)digits < np) first = np - (size_t)digits;
    int escape = letter >= 'A' && letter <= 'Z';
    for (size_t k = first; k < np; k++) {
      if (k > first && put(out, max, &o, ".", 1)) return X_LONG;
      for (size_t c = 0; c < plen[k]; c++) {
        unsigned char ch = (unsigned char)parts[k][c];
        if (escape && !(is_alnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~')) {
          char e[4];
          snprintf(e, sizeof e, "%%%02X", ch);
          if (put(out, max, &o, e, 3)) return X_LONG;
        } else if (put(out, max, &o, (const char *)&ch, 1)) {
          return X_LONG;
        }
      }
    }
  }
  return (int)o;
}

/* Expands a domain-spec into a query name (normalised, truncated); returns
 * 0, or R_NEED, or MXR_SPF_R_PERMERROR. */
static int expand_domain(mxr_spf *ev, const char *domain, const char *s, size_t len, char *out) {
  int n = expand(ev, domain, s, len, 0, 1, out, NAMEBUF - 1);
  if (n == X_NEED) return R_NEED;
  if (n < 0) {
    problem(ev, "macro expansion failed in '%.*s'", (int)len, s);
    return MXR_SPF_R_PERMERROR;
  }
  out[n] = 0;
  norm_name(out);
  truncate_name(out);
  return 0;
}

static int count_lookup(mxr_spf *ev) {
  if (++ev->lookups > MXR_SPF_MAX_LOOKUPS) {
    problem(ev, "more than %d DNS-querying terms", MXR_SPF_MAX_LOOKUPS);
    return MXR_SPF_R_PERMERROR;
  }
  return 0;
}

static int void_lookup(mxr_spf *ev, const char *name) {
  if (++ev->voids > MXR_SPF_MAX_VOID) {
    problem(ev, "more than %d void lookups (last: %s)", MXR_SPF_MAX_VOID, name);
    return MXR_SPF_R_PERMERROR;
  }
  return M_NOMATCH;
}

static int temperror(mxr_spf *ev, int qtype, const char *name) {
  problem(ev, "temporary DNS failure for %s %s", qtype_name(qtype), name);
  return MXR_SPF_R_TEMPERROR;
}

static int check(mxr_spf *ev, const char *domain, int depth, int top);

static int eval_mechanism(mxr_spf *ev, const char *domain, const mxr_spf_term *m, int depth) {
  char target[NAMEBUF];
  int r;
  if (m->kind == MXR_SPF_IP4)
    return (ev->fam == 4 && cidr_match(m->addr, ev->ip, m->cidr4 < 0 ? 32 : m->cidr4)) ? M_MATCH : M_NOMATCH;
  if (m->kind == MXR_SPF_IP6)
    return (ev->fam == 6 && cidr_match(m->addr, ev->ip, m->cidr6 < 0 ? 128 : m->cidr6)) ? M_MATCH : M_NOMATCH;
  if (m->kind == MXR_SPF_ALL) return M_MATCH;
  if ((r = count_lookup(ev)) != 0) return r;
  if (m->value) {
    if ((r = expand_domain(ev, domain, m->value, m->valuelen, target)) != 0) return r;
  } else {
    snprintf(target, sizeof target, "%s", domain);
  }
  int aq = ev->fam == 4 ? MXR_SPF_Q_A : MXR_SPF_Q_AAAA;
  int bits = ev->fam == 4 ? (m->cidr4 < 0 ? 32 : m->cidr4) : (m->cidr6 < 0 ? 128 : m->cidr6);
  switch (m->kind) {
    case MXR_SPF_INCLUDE: {
      if (!name_valid(target)) {
        problem(ev, "include of an invalid name '%s'", target);
        return MXR_SPF_R_PERMERROR;
      }
      r = check(ev, target, depth + 1, 0);
      switch (r) {
        case R_NEED: return R_NEED;
        case MXR_SPF_R_PASS: return M_MATCH;
        case MXR_SPF_R_FAIL:
        case MXR_SPF_R_SOFTFAIL:
        case MXR_SPF_R_NEUTRAL: return M_NOMATCH;
        case MXR_SPF_R_TEMPERROR: return MXR_SPF_R_TEMPERROR;
        case MXR_SPF_R_NONE: problem(ev, "include:%s has no SPF record", target); return MXR_SPF_R_PERMERROR;
        default: return MXR_SPF_R_PERMERROR;
      }
    }
    case MXR_SPF_A:
    case MXR_SPF_EXISTS: {
      if (!name_valid(target)) return M_NOMATCH; /* no query can be made: no match (5/10/3 by analogy) */
      int q = m->kind == MXR_SPF_EXISTS ? MXR_SPF_Q_A : aq;
      const ans *a = get(ev, q, target);
      if (!a) return R_NEED;
      if (a->dns == MXR_SPF_DNS_TEMPFAIL) return temperror(ev, q, target);
      if (a->dns != MXR_SPF_DNS_OK || a->n == 0) return void_lookup(ev, target);
      if (m->kind == MXR_SPF_EXISTS) return M_MATCH;
      for (size_t i = 0; i < a->n; i++)
        if (addr_matches(ev, a->rec[i], bits)) return M_MATCH;
      return M_NOMATCH;
    }
    case MXR_SPF_MX: {
      if (!name_valid(target)) return M_NOMATCH;
      const ans *mx = get(ev, MXR_SPF_Q_MX, target);
      if (!mx) return R_NEED;
      if (mx->dns == MXR_SPF_DNS_TEMPFAIL) return temperror(ev, MXR_SPF_Q_MX, target);
      if (mx->dns != MXR_SPF_DNS_OK || mx->n == 0) return void_lookup(ev, target);
      if (mx->n > MXR_SPF_MAX_MX) {
        problem(ev, "%s has more than %d MX records", target, MXR_SPF_MAX_MX);
        return MXR_SPF_R_PERMERROR;
      }
      for (size_t i = 0; i < mx->n; i++) {
        char host[256];
        if (mx->len[i] >= sizeof host) continue;
        memcpy(host, mx->rec[i], mx->len[i] + 1);
        norm_name(host);
        if (!name_valid(host)) continue; /* the null MX "." among them */
        const ans *a = get(ev, aq, host);
        if (!a) return R_NEED;
        if (a->dns == MXR_SPF_DNS_TEMPFAIL) return temperror(ev, aq, host);
        for (size_t k = 0; k < a->n; k++)
          if (addr_matches(ev, a->rec[k], bits)) return M_MATCH;
      }
      return M_NOMATCH;
    }
    case MXR_SPF_PTR: {
      char rev[80], found[256];
      reverse_name(ev, rev, sizeof rev);
      const ans *p = get(ev, MXR_SPF_Q_PTR, rev);
      if (!p) return R_NEED;
      if (p->dns == MXR_SPF_DNS_TEMPFAIL) return M_NOMATCH; /* 5.5: a DNS error is no match */
      if (p->dns != MXR_SPF_DNS_OK || p->n == 0) return void_lookup(ev, rev);
      r = validated_name(ev, target, NULL, found, sizeof found);
      if (r == R_NEED) return R_NEED;
      return r == 1 ? M_MATCH : M_NOMATCH;
    }
  }
  return M_NOMATCH;
}

static int qualifier_result(char q) {
  switch (q) {
    case '-': return MXR_SPF_R_FAIL;
    case '~': return MXR_SPF_R_SOFTFAIL;
    case '?': return MXR_SPF_R_NEUTRAL;
  }
  return MXR_SPF_R_PASS;
}

static void decide(mxr_spf *ev, const char *domain, const char *record, const mxr_spf_term *m) {
  free(ev->d_domain);
  free(ev->d_record);
  free(ev->d_mech);
  ev->d_domain = dupn(domain, strlen(domain));
  ev->d_record = record ? dupn(record, strlen(record)) : NULL;
  ev->d_mech = m ? dupn(m->text, m->textlen) : NULL;
}

/* Section 6.2: the explanation; any failure leaves it out. */
static int explain(mxr_spf *ev, const char *domain, const mxr_spf_term *e) {
  char target[NAMEBUF];
  int n = expand(ev, domain, e->value, e->valuelen, 0, 1, target, NAMEBUF - 1);
  if (n == X_NEED) return R_NEED;
  if (n < 0) return 0;
  target[n] = 0;
  norm_name(target);
  truncate_name(target);
  if (!name_valid(target)) return 0;
  const ans *a = get(ev, MXR_SPF_Q_TXT, target);
  if (!a) return R_NEED;
  if (a->dns != MXR_SPF_DNS_OK || a->n != 1) return 0;
  char text[NAMEBUF];
  n = expand(ev, domain, a->rec[0], a->len[0], 1, 1, text, NAMEBUF - 1);
  if (n == X_NEED) return R_NEED;
  if (n < 0 || macro_scan(a->rec[0], a->len[0], 1, NULL) != 0) return 0;
  text[n] = 0;
  free(ev->expl);
  ev->expl = dupn(text, (size_t)n);
  return 0;
}

/* check_host() (section 4) for domain. top: on the chain of redirects from
 * the first domain (its decisions and exp= count). */
static int check(mxr_spf *ev, const char *domain, int depth, int top) {
  if (depth > MAX_DEPTH) {
    problem(ev, "too deep");
    return MXR_SPF_R_PERMERROR;
  }
  const ans *t = get(ev, MXR_SPF_Q_TXT, domain);
  if (!t) return R_NEED;
  if (t->dns == MXR_SPF_DNS_TEMPFAIL) return temperror(ev, MXR_SPF_Q_TXT, domain);
  const char *txt = NULL;
  size_t txtlen = 0, found = 0;
  if (t->dns == MXR_SPF_DNS_OK) {
    for (size_t i = 0; i < t->n; i++) {
      if (mxr_spf_record_is(t->rec[i], t->len[i])) {
        found++;
        txt = t->rec[i];
        txtlen = t->len[i];
      }
    }
  }
  if (found == 0) {
    if (top) problem(ev, "no SPF record at %s", domain);
    return MXR_SPF_R_NONE;
  }
  if (found > 1) {
    problem(ev, "%s publishes %zu SPF records", domain, found);
    if (top) decide(ev, domain, NULL, NULL);
    return MXR_SPF_R_PERMERROR;
  }
  mxr_spf_record rec;
  char err[300];
  if (mxr_spf_parse(txt, txtlen, &rec, err, sizeof err) != 0) {
    problem(ev, "syntax error in the record of %s: %s", domain, err);
    if (top) decide(ev, domain, txt, NULL);
    return MXR_SPF_R_PERMERROR;
  }
  int result = -1;
  for (size_t i = 0; i < rec.count && result < 0; i++) {
    const mxr_spf_term *m = &rec.terms[i];
    if (m->kind >= MXR_SPF_REDIRECT) continue;
    int r = eval_mechanism(ev, domain, m, depth);
    if (r == M_NOMATCH) continue;
    if (r == M_MATCH) {
      result = qualifier_result(m->qualifier);
      if (top) {
        decide(ev, domain, txt, m);
        if (result == MXR_SPF_R_FAIL && rec.exp >= 0 && explain(ev, domain, &rec.terms[rec.exp]) == R_NEED)
          result = R_NEED;
      }
    } else {
      result = r;
      if (top && r != R_NEED) decide(ev, domain, txt, m);
    }
  }
  if (result < 0 && rec.redirect >= 0) {
    /* 6.1: redirect applies when no mechanism matched (an "all" makes it moot) */
    const mxr_spf_term *m = &rec.terms[rec.redirect];
    char target[NAMEBUF];
    int r = count_lookup(ev);
    if (r == 0) r = expand_domain(ev, domain, m->value, m->valuelen, target);
    if (r == 0 && !name_valid(target)) {
      problem(ev, "redirect to an invalid name '%s'", target);
      r = MXR_SPF_R_PERMERROR;
    }
    if (r == 0) {
      r = check(ev, target, depth + 1, top);
      if (r == MXR_SPF_R_NONE) {
        problem(ev, "redirect=%s: no SPF record there", target);
        r = MXR_SPF_R_PERMERROR;
      }
    } else if (top && r != R_NEED) {
      decide(ev, domain, txt, m);
    }
    result = r;
  }
  if (result < 0) {
    result = MXR_SPF_R_NEUTRAL; /* 4.7: no match, no redirect */
    if (top) decide(ev, domain, txt, NULL);
  }
  mxr_spf_record_free(&rec);
  return result;
}

/* Initial processing (4.3): a name that is no FQDN gives "none". */
static int domain_ok(const char *d) {
  if (!name_valid(d) || d[0] == '[') return 0;
  return strchr(d, '.') != NULL;
}

static int set_ip(mxr_spf *ev, const char *ip) {
  if (inet_pton(AF_INET, ip, ev->ip) == 1) {
    ev->fam = 4;
    return 0;
  }
  if (inet_pton(AF_INET6, ip, ev->ip) != 1) return -1;
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (memcmp(ev->ip, mapped, 12) == 0) { /* IPv4-mapped: an IPv4 client (section 5) */
    memmove(ev->ip, ev->ip + 12, 4);
    memset(ev->ip + 4, 0, 12);
    ev->fam = 4;
  } else {
    ev->fam = 6;
  }
  return 0;
}

mxr_spf *mxr_spf_new(const char *ip, const char *sender, const char *helo, const mxr_spf_options *opt, char *err,
                     size_t errlen) {
  if (err && errlen) err[0] = 0;
  mxr_spf *ev = calloc(1, sizeof *ev);
  if (!ev) {
    if (err && errlen) snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (!ip || set_ip(ev, ip) != 0) {
    if (err && errlen) snprintf(err, errlen, "not an IP address: '%.60s'", ip ? ip : "");
    free(ev);
    return NULL;
  }
  if (!helo) helo = "";
  if (!sender) sender = "";
  if (strlen(sender) > 1024 || strlen(helo) > 1024) {
    if (err && errlen) snprintf(err, errlen, "sender or helo longer than 1024 octets");
    free(ev);
    return NULL;
  }
  ev->helo = dupn(helo, strlen(helo));
  const char *at = strrchr(sender, '@');
  if (sender[0] == 0) {
    ev->local = dupn("postmaster", 10);
    ev->sdomain = dupn(helo, strlen(helo));
  } else if (!at) {
    ev->local = dupn("postmaster", 10);
    ev->sdomain = dupn(sender, strlen(sender));
  } else {
    ev->local = at == sender ? dupn("postmaster", 10) : dupn(sender, (size_t)(at - sender));
    ev->sdomain = dupn(at + 1, strlen(at + 1));
  }
  const char *recv = opt && opt->receiver ? opt->receiver : "unknown";
  ev->receiver = dupn(recv, strlen(recv));
  ev->now = opt && opt->now ? opt->now : (long long)time(NULL);
  if (ev->local && ev->sdomain) {
    size_t n = strlen(ev->local) + strlen(ev->sdomain) + 2;
    ev->sender = malloc(n);
    if (ev->sender) snprintf(ev->sender, n, "%s@%s", ev->local, ev->sdomain);
  }
  const char *start = opt && opt->domain ? opt->domain : ev->sdomain;
  if (start) ev->start = dupn(start, strlen(start) > 1024 ? 1024 : strlen(start));
  if (!ev->helo || !ev->local || !ev->sdomain || !ev->receiver || !ev->sender || !ev->start) {
    if (err && errlen) snprintf(err, errlen, "out of memory");
    mxr_spf_free(ev);
    return NULL;
  }
  norm_name(ev->start);
  return ev;
}

static void finish(mxr_spf *ev, int result) {
  ev->done = 1;
  ev->out.result = result;
  ev->out.domain = ev->d_domain ? ev->d_domain : ev->start;
  ev->out.record = ev->d_record;
  ev->out.mechanism = ev->d_mech;
  ev->out.explanation = result == MXR_SPF_R_FAIL ? ev->expl : NULL;
  ev->out.lookups = ev->lookups > MXR_SPF_MAX_LOOKUPS ? MXR_SPF_MAX_LOOKUPS + 1 : ev->lookups;
  ev->out.void_lookups = ev->voids;
  ev->out.nproblems = ev->nproblems;
  ev->out.problems = (const char *const *)ev->problems;
  ev->out.queries = (int)ev->nanswers;
}

int mxr_spf_step(mxr_spf *ev, const char **name, int *qtype) {
  if (ev->done) return MXR_SPF_DONE;
  reset_run(ev);
  if (ev->overflow) {
    problem(ev, "too many DNS answers for one evaluation, or out of memory");
    finish(ev, MXR_SPF_R_TEMPERROR);
    return MXR_SPF_DONE;
  }
  if (!domain_ok(ev->start)) {
    problem(ev, "'%s' is not a fully qualified domain name", ev->start);
    finish(ev, MXR_SPF_R_NONE);
    return MXR_SPF_DONE;
  }
  int r = check(ev, ev->start, 0, 1);
  if (r == R_NEED) {
    *name = ev->need_name;
    *qtype = ev->need_qtype;
    return MXR_SPF_NEED;
  }
  finish(ev, r);
  return MXR_SPF_DONE;
}

const mxr_spf_outcome *mxr_spf_outcome_get(const mxr_spf *ev) { return ev->done ? &ev->out : NULL; }

int mxr_spf_expand(const char *ip, const char *sender, const char *helo, const char *domain, const char *s, size_t len,
                   int explanation, char *out, size_t outmax) {
  if (outmax == 0) return X_LONG;
  mxr_spf *ev = mxr_spf_new(ip, sender, helo, NULL, NULL, 0);
  if (!ev) return X_SYNTAX;
  int n = expand(ev, domain, s, len, explanation, 0, out, outmax - 1);
  mxr_spf_free(ev);
  if (n >= 0) out[n] = 0;
  return n;
}
