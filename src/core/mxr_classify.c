/* mxr_classify.c: suffix rules and the provider decision. See mxr_classify.h. */
#include "mxr_classify.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxr_name.h"

static const char *const category_names[MXR_CAT__COUNT] = {
    "mailbox", "gateway", "forwarding", "transactional", "hosting", "isp", "self", "unknown", "none"};

const char *mxr_category_name(int category) {
  return category >= 0 && category < MXR_CAT__COUNT ? category_names[category] : NULL;
}

int mxr_category_parse(const char *s, size_t len) {
  int i;
  for (i = 0; i < MXR_CAT__COUNT; i++)
    if (strlen(category_names[i]) == len && memcmp(category_names[i], s, len) == 0) return i;
  return -1;
}

/* ---- the rule table ------------------------------------------------------- */

typedef struct rule {
  uint32_t hash;
  int kind;
  int provider;
  int id;
  size_t len;
  char *suffix; /* NULL: empty slot */
} rule;

struct mxr_rules {
  rule *slots;
  size_t cap; /* power of two */
  size_t used;
  int next_id;
  int *categories; /* by provider number; -1 = not declared */
  int nproviders;
};

/* FNV-1a over the name read right to left, so the hash of every suffix falls
 * out of one pass over a host. The kind is mixed in last. */
#define HASH_SEED 2166136261u
#define HASH_STEP(h, ch) (((h) ^ (unsigned char)(ch)) * 16777619u)
static uint32_t hash_final(uint32_t h, int kind) { return HASH_STEP(h, kind + 1); }

static uint32_t hash_suffix(const char *s, size_t len, int kind) {
  uint32_t h = HASH_SEED;
  while (len > 0) h = HASH_STEP(h, s[--len]);
  return hash_final(h, kind);
}

mxr_rules *mxr_rules_new(void) {
  mxr_rules *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->cap = 512;
  r->slots = calloc(r->cap, sizeof *r->slots);
  if (!r->slots) {
    free(r);
    return NULL;
  }
  return r;
}

void mxr_rules_clear(mxr_rules *r) {
  size_t i;
  if (!r) return;
  for (i = 0; i < r->cap; i++) {
    free(r->slots[i].suffix);
    r->slots[i].suffix = NULL;
  }
  r->used = 0;
  r->next_id = 0;
  free(r->categories);
  r->categories = NULL;
  r->nproviders = 0;
}

void mxr_rules_free(mxr_rules *r) {
  if (!r) return;
  mxr_rules_clear(r);
  free(r->slots);
  free(r);
}

int mxr_rules_set_provider(mxr_rules *r, int provider, int category) {
  if (provider < 0 || category < 0 || category >= MXR_CAT_SELF) return -2;
  if (provider >= r->nproviders) {
    int n = r->nproviders ? r->nproviders : 64, i;
    int *p;
    while (n <= provider) n *= 2;
    p = realloc(r->categories, (size_t)n * sizeof *p);
    if (!p) return -1;
    for (i = r->nproviders; i < n; i++) p[i] = -1;
    r->categories = p;
    r->nproviders = n;
  }
  r->categories[provider] = category;
  return 0;
}

int mxr_rules_category(const mxr_rules *r, int provider) {
  return provider >= 0 && provider < r->nproviders ? r->categories[provider] : -1;
}

static rule *find_slot(rule *slots, size_t cap, uint32_t hash, int kind, const char *s, size_t len) {
  size_t i = hash & (cap - 1);
  for (;;) {
    rule *e = &slots[i];
    if (!e->suffix || (e->hash == hash && e->kind == kind && e->len == len && memcmp(e->suffix, s, len) == 0)) return e;
    i = (i + 1) & (cap - 1);
  }
}

static int grow(mxr_rules *r) {
  size_t cap = r->cap * 2, i;
  rule *slots = calloc(cap, sizeof *slots);
  if (!slots) return -1;
  for (i = 0; i < r->cap; i++) {
    rule *e = &r->slots[i];
    if (e->suffix) *find_slot(slots, cap, e->hash, e->kind, e->suffix, e->len) = *e;
  }
  free(r->slots);
  r->slots = slots;
  r->cap = cap;
  return 0;
}

int mxr_rules_add(mxr_rules *r, int kind, const char *suffix, size_t len, int provider) {
  char norm[MXR_NAME_MAX + 1];
  const char *why;
  size_t n;
  uint32_t h;
  rule *e;
  if (kind != MXR_RULE_MX && kind != MXR_RULE_SPF) return -2;
  if (mxr_name_normalize(suffix, len, norm, &why) < 0) return -2;
  if (mxr_rules_category(r, provider) < 0) return -3;
  n = strlen(norm);
  h = hash_suffix(norm, n, kind);
  if ((r->used + 1) * 4 > r->cap * 3 && grow(r) < 0) return -1; /* load <= 3/4 */
  e = find_slot(r->slots, r->cap, h, kind, norm, n);
  if (e->suffix) { /* re-point an existing rule */
    e->provider = provider;
    return e->id;
  }
  e->suffix = malloc(n + 1);
  if (!e->suffix) return -1;
  memcpy(e->suffix, norm, n + 1);
  e->hash = h;
  e->kind = kind;
  e->len = n;
  e->provider = provider;
  e->id = r->next_id++;
  r->used++;
  return e->id;
}

/* Byte -> lower-case byte; 0 for NUL, which never matches. */
static unsigned char lower_table[256];
static int lower_ready;

static void init_lower(void) {
  int i;
  for (i = 0; i < 256; i++) lower_table[i] = (unsigned char)(i >= 'A' && i <= 'Z' ? i + 32 : i);
  lower_ready = 1; /* idempotent: racing threads write the same bytes */
}

/* Lower-cases name into buf (MXR_NAME_MAX + 1 bytes) without a trailing dot.
 * Returns the length, or 0 if the name can never match. */
static size_t fold(const char *name, size_t len, char *buf) {
  const unsigned char *in = (const unsigned char *)name;
  unsigned char *out = (unsigned char *)buf;
  size_t i;
  if (!lower_ready) init_lower();
  if (len > 0 && name[len - 1] == '.') len--;
  if (len == 0 || len > MXR_NAME_MAX) return 0;
  for (i = 0; i < len; i++) {
    unsigned char ch = lower_table[in[i]];
    if (ch == 0) return 0;
    out[i] = ch;
  }
  return len;
}

/* Matches an already folded name (see fold). */
static int match_folded(const mxr_rules *r, int kind, const char *buf, size_t n, size_t *rule_off, int *rule_id) {
  uint32_t h = HASH_SEED;
  size_t i;
  int best = MXR_MATCH_NONE;
  *rule_id = -1;
  if (n == 0 || r->used == 0) return MXR_MATCH_NONE;
  /* Right to left: every label boundary gives the hash of one suffix; the
   * last hit is the longest suffix. */
  for (i = n; i-- > 0;) {
    h = HASH_STEP(h, buf[i]);
    if (i == 0 || buf[i - 1] == '.') {
      uint32_t hk = hash_final(h, kind);
      const rule *e = find_slot(r->slots, r->cap, hk, kind, buf + i, n - i);
      if (e->suffix) {
        best = e->provider;
        *rule_id = e->id;
        if (rule_off) *rule_off = i;
      }
    }
  }
  return best;
}

int mxr_rules_match(const mxr_rules *r, int kind, const char *name, size_t len, size_t *rule_off, int *rule_id) {
  char buf[MXR_NAME_MAX + 1];
  return match_folded(r, kind, buf, fold(name, len, buf), rule_off, rule_id);
}

/* ---- SPF ------------------------------------------------------------------ */

static int ieq_prefix(const char *s, size_t len, const char *lit) {
  size_t n = strlen(lit), i;
  if (len < n) return 0;
  for (i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if ((ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) != (unsigned char)lit[i]) return 0;
  }
  return 1;
}

int mxr_spf_is_record(const char *text, size_t len) {
  return ieq_prefix(text, len, "v=spf1") && (len == 6 || text[6] == ' ');
}

int mxr_spf_next(const char *text, size_t len, size_t *pos, const char **dom, size_t *dlen, int *is_redirect) {
  size_t p = *pos;
  if (p == 0) {
    if (!mxr_spf_is_record(text, len)) return 0;
    p = 6;
  }
  while (p < len) {
    size_t start, end;
    while (p < len && text[p] == ' ') p++;
    start = p;
    while (p < len && text[p] != ' ') p++;
    end = p;
    if (start == end) break;
    if (text[start] == '+' || text[start] == '-' || text[start] == '~' || text[start] == '?') {
      if (ieq_prefix(text + start + 1, end - start - 1, "include:")) {
        start += 1 + 8;
        *is_redirect = 0;
      } else {
        continue;
      }
    } else if (ieq_prefix(text + start, end - start, "include:")) {
      start += 8;
      *is_redirect = 0;
    } else if (ieq_prefix(text + start, end - start, "redirect=")) {
      start += 9;
      *is_redirect = 1;
    } else {
      continue;
    }
    if (start == end) continue;
    *dom = text + start;
    *dlen = end - start;
    *pos = p;
    return 1;
  }
  *pos = len;
  return 0;
}

/* ---- the decision ----------------------------------------------------------- */

void mxr_classify_begin(mxr_classifier *c, const mxr_rules *rules, const char *domain, size_t dlen) {
  c->rules = rules;
  c->dlen = domain ? fold(domain, dlen, c->domain) : 0;
  c->domain[c->dlen] = '\0';
  c->alen = 0;
  c->alias[0] = '\0';
  c->nhosts = 0;
  c->primary = c->first_match = c->mx_backend = MXR_MATCH_NONE;
  c->mx_provider = c->mx_mailbox = MXR_MATCH_NONE;
  c->spf_mailbox = c->spf_other = MXR_MATCH_NONE;
  c->nsenders = 0;
  c->senders = c->senders_buf;
  c->senders_cap = MXR_MAX_SENDERS;
  c->senders_full = 0;
}

void mxr_classify_alias(mxr_classifier *c, const char *target, size_t len) {
  c->alen = target ? fold(target, len, c->alias) : 0;
  c->alias[c->alen] = '\0';
}

void mxr_classify_senders(mxr_classifier *c, int *buf, int cap) {
  if (!buf || cap <= c->senders_cap) return;
  if (c->nsenders > 0) memcpy(buf, c->senders, (size_t)c->nsenders * sizeof *buf);
  c->senders = buf;
  c->senders_cap = cap;
}

static int is_backend(const mxr_rules *r, int m) {
  int cat;
  if (m == MXR_MATCH_SELF) return 1;
  cat = mxr_rules_category(r, m);
  return cat == MXR_CAT_MAILBOX || cat == MXR_CAT_HOSTING || cat == MXR_CAT_ISP;
}

/* 1 if the folded name buf (n octets) is d or ends in "." d. */
static int under(const char *buf, size_t n, const char *d, size_t dn) {
  if (dn == 0 || n < dn) return 0;
  if (n == dn) return memcmp(buf, d, n) == 0;
  return buf[n - dn - 1] == '.' && memcmp(buf + n - dn, d, dn) == 0;
}

int mxr_classify_host(mxr_classifier *c, const char *host, size_t len, int *rule_id) {
  char buf[MXR_NAME_MAX + 1];
  size_t n = fold(host, len, buf);
  int m = match_folded(c->rules, MXR_RULE_MX, buf, n, NULL, rule_id);
  if (m == MXR_MATCH_NONE && n > 0 && (under(buf, n, c->domain, c->dlen) || under(buf, n, c->alias, c->alen)))
    m = MXR_MATCH_SELF;
  if (c->nhosts == 0) c->primary = m;
  if (m != MXR_MATCH_NONE) {
    if (c->first_match == MXR_MATCH_NONE) c->first_match = m;
    if (c->mx_backend == MXR_MATCH_NONE && is_backend(c->rules, m)) c->mx_backend = m;
    if (c->mx_provider == MXR_MATCH_NONE && m != MXR_MATCH_SELF && is_backend(c->rules, m)) c->mx_provider = m;
    if (c->mx_mailbox == MXR_MATCH_NONE && m != MXR_MATCH_SELF && mxr_rules_category(c->rules, m) == MXR_CAT_MAILBOX)
      c->mx_mailbox = m;
  }
  c->nhosts++;
  return m;
}

int mxr_classify_include(mxr_classifier *c, const char *dom, size_t len, int *rule_id, int *is_new) {
  int m = mxr_rules_match(c->rules, MXR_RULE_SPF, dom, len, NULL, rule_id), i, cat;
  *is_new = 0;
  if (m == MXR_MATCH_NONE) return m;
  cat = mxr_rules_category(c->rules, m);
  if (cat == MXR_CAT_MAILBOX && c->spf_mailbox == MXR_MATCH_NONE) c->spf_mailbox = m;
  if ((cat == MXR_CAT_HOSTING || cat == MXR_CAT_ISP) && c->spf_other == MXR_MATCH_NONE) c->spf_other = m;
  for (i = 0; i < c->nsenders; i++)
    if (c->senders[i] == m) return m;
  if (c->nsenders < c->senders_cap) {
    c->senders[c->nsenders++] = m;
    *is_new = 1;
  } else {
    c->senders_full = 1;
  }
  return m;
}

static int category_of(const mxr_classifier *c, int m) {
  return m == MXR_MATCH_SELF ? MXR_CAT_SELF : mxr_rules_category(c->rules, m);
}

/* Puts the mailbox behind a front host into v: a later MX host that is a
 * mailbox, hosting or ISP service (or self); else a mailbox provider's SPF
 * include; behind a known gateway, else a hosting or ISP include. Returns 1
 * if one was found. `relay` is 1 when the front host is no known gateway (an
 * unknown host, or one under the domain): then a hosting or ISP include says
 * too little (a web host's include beside a company's own mail server), and
 * behind a self-hosted front only a provider counts, not another self host. */
static int behind(const mxr_classifier *c, mxr_verdict *v, int relay, int self_front) {
  int mx = self_front ? c->mx_provider : c->mx_backend; /* never the front host itself */
  if (mx != MXR_MATCH_NONE) {
    v->provider = mx;
    v->confidence = MXR_CONF_HIGH;
  } else if (c->spf_mailbox != MXR_MATCH_NONE) {
    v->provider = c->spf_mailbox;
    v->confidence = MXR_CONF_MEDIUM;
  } else if (c->spf_other != MXR_MATCH_NONE && !relay) {
    v->provider = c->spf_other;
    v->confidence = MXR_CONF_LOW;
  } else {
    return 0;
  }
  v->category = category_of(c, v->provider);
  return 1;
}

void mxr_classify_end(const mxr_classifier *c, mxr_verdict *v) {
  int lead = c->primary;
  v->gateway = MXR_MATCH_NONE;
  v->relay = -1;
  v->provider = lead;
  v->confidence = MXR_CONF_HIGH;
  if (c->nhosts == 0) {
    v->category = MXR_CAT_NONE;
  } else if (lead == MXR_MATCH_NONE) {
    /* An unknown host first: a relay or filter we have no rule for. A known
     * gateway further down stands in front; else what is behind decides. */
    v->category = MXR_CAT_UNKNOWN;
    v->confidence = MXR_CONF_LOW;
    if (c->first_match != MXR_MATCH_NONE && category_of(c, c->first_match) == MXR_CAT_GATEWAY &&
        c->mx_backend == MXR_MATCH_NONE) {
      v->gateway = c->first_match;
      v->provider = c->first_match;
      v->category = MXR_CAT_GATEWAY;
      v->confidence = MXR_CONF_MEDIUM;
      if (behind(c, v, 0, 0) && v->confidence == MXR_CONF_HIGH) v->confidence = MXR_CONF_MEDIUM;
    } else if (behind(c, v, 1, 0)) {
      v->relay = 0;
    } else if (c->first_match != MXR_MATCH_NONE) {
      v->provider = c->first_match; /* a forwarding or transactional host further down */
      v->category = category_of(c, c->first_match);
      v->confidence = MXR_CONF_MEDIUM;
    }
  } else if (lead == MXR_MATCH_SELF) {
    /* Hosts under the domain: a server of its own, or a relay in front of a
     * provider that a later MX host or the SPF record shows. */
    v->category = MXR_CAT_SELF;
    v->confidence = MXR_CONF_MEDIUM;
    if (behind(c, v, 1, 1)) v->relay = 0;
  } else if ((v->category = mxr_rules_category(c->rules, lead)) == MXR_CAT_GATEWAY) {
    /* A gateway in front: the mailbox behind it shows in another MX host,
     * or else in the SPF record. */
    v->gateway = lead;
    v->confidence = MXR_CONF_MEDIUM;
    behind(c, v, 0, 0);
  } else if (v->category == MXR_CAT_HOSTING || v->category == MXR_CAT_ISP) {
    /* A hoster's or an ISP's host first: its own mailboxes, unless a later
     * MX host or the SPF record names a mailbox provider: then the host is a
     * relay (a filter, a municipal data centre) in front of that provider. */
    int mb = c->mx_mailbox != MXR_MATCH_NONE ? c->mx_mailbox : c->spf_mailbox;
    if (mb != MXR_MATCH_NONE && mb != lead) {
      v->gateway = lead;
      v->provider = mb;
      v->category = MXR_CAT_MAILBOX;
      v->confidence = c->mx_mailbox != MXR_MATCH_NONE ? MXR_CONF_HIGH : MXR_CONF_MEDIUM;
    }
  }
}
