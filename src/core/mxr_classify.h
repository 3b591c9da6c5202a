/* mxr_classify.h: which provider runs a domain's mail, from its MX hosts and
 * its SPF record. Pure computation, no DNS, no lua.h.
 *
 * Rules map a name suffix (on label boundaries) to a provider number chosen
 * by the caller; the longest matching suffix wins. MX rules and SPF rules are
 * kept apart. Lookups hash each suffix of the name once, right to left, so a
 * host costs one probe per label, however many rules there are. */
#ifndef MXR_CLASSIFY_H
#define MXR_CLASSIFY_H

#include <stddef.h>

enum mxr_category {
  MXR_CAT_MAILBOX = 0,
  MXR_CAT_GATEWAY,
  MXR_CAT_FORWARDING,
  MXR_CAT_TRANSACTIONAL,
  MXR_CAT_HOSTING,
  MXR_CAT_ISP,
  MXR_CAT_SELF,
  MXR_CAT_UNKNOWN,
  MXR_CAT_NONE,
  MXR_CAT__COUNT
};

enum mxr_rule_kind { MXR_RULE_MX = 0, MXR_RULE_SPF = 1 };

#define MXR_MATCH_NONE (-1) /* no rule matched */
#define MXR_MATCH_SELF (-2) /* an MX host under the domain itself */
#define MXR_MAX_SENDERS 32  /* distinct senders kept without a caller's buffer */

/* How sure a verdict is (see docs/classify.md, "Confidence"). */
enum mxr_confidence { MXR_CONF_HIGH = 0, MXR_CONF_MEDIUM, MXR_CONF_LOW };

typedef struct mxr_rules mxr_rules;

/* The category's name ("mailbox", ...), or NULL. */
const char *mxr_category_name(int category);
/* The category named s (len octets), or -1. */
int mxr_category_parse(const char *s, size_t len);

mxr_rules *mxr_rules_new(void);
void mxr_rules_free(mxr_rules *rules);
/* Forgets every rule and provider. */
void mxr_rules_clear(mxr_rules *rules);
/* Declares provider number `provider` (>= 0) with its category (not self,
 * unknown or none). Returns 0, -1 when out of memory, -2 on bad arguments. */
int mxr_rules_set_provider(mxr_rules *rules, int provider, int category);
/* The provider's category, or -1 if it was never declared. */
int mxr_rules_category(const mxr_rules *rules, int provider);
/* Adds (or re-points) the suffix rule kind:suffix -> provider. The suffix is
 * a domain name (case and a trailing dot do not matter); the provider must be
 * declared. Returns the rule's number (>= 0, numbered from 0 in the order
 * rules were first added since the last clear), -1 when out of memory, -2 if
 * the suffix is not a valid name, -3 if the provider is not declared. */
int mxr_rules_add(mxr_rules *rules, int kind, const char *suffix, size_t len, int provider);
/* Matches a name (any case, trailing dot allowed) against the rules of one
 * kind. Returns the provider of the longest suffix that matches on a label
 * boundary, or MXR_MATCH_NONE; names that are empty, longer than 253
 * characters or hold a NUL never match. When a rule matched, *rule_id is its
 * number and *rule_off (if not NULL) the offset in `name` where the matched
 * suffix starts; otherwise *rule_id is -1. */
int mxr_rules_match(const mxr_rules *rules, int kind, const char *name, size_t len, size_t *rule_off, int *rule_id);

/* SPF: 1 if text is an SPF record ("v=spf1" then a space or the end, any
 * case), else 0. */
int mxr_spf_is_record(const char *text, size_t len);
/* Steps through the include:/redirect= targets of an SPF record: from *pos
 * (start at 0), finds the next one, sets *dom and *dlen to its domain spec and
 * *is_redirect, advances *pos and returns 1; returns 0 at the end. Other
 * mechanisms and modifiers are skipped. */
int mxr_spf_next(const char *text, size_t len, size_t *pos, const char **dom, size_t *dlen, int *is_redirect);

/* One classification, fed host by host (lowest preference first), then
 * include by include. */
typedef struct mxr_classifier {
  const mxr_rules *rules;
  char domain[254]; /* normalised, "" when unknown */
  size_t dlen;
  char alias[254]; /* the domain's CNAME target, normalised, "" when none */
  size_t alen;
  int nhosts;
  int primary;      /* match of the first host */
  int first_match;  /* first host that matched a provider or the domain */
  int mx_backend;   /* first host that is self or a mailbox/hosting/isp provider */
  int mx_provider;  /* first host that is a mailbox/hosting/isp provider */
  int mx_mailbox;   /* first host that is a mailbox provider */
  int spf_mailbox;  /* first SPF include of a mailbox provider */
  int spf_other;    /* first SPF include of a hosting/isp provider */
  int nsenders;     /* distinct senders kept in senders[] */
  int senders_cap;  /* room in senders[] */
  int senders_full; /* 1 when a distinct sender found no room */
  int *senders;     /* senders_buf, or the caller's (mxr_classify_senders) */
  int senders_buf[MXR_MAX_SENDERS];
} mxr_classifier;

typedef struct mxr_verdict {
  int provider;   /* provider number, MXR_MATCH_SELF, or MXR_MATCH_NONE */
  int category;   /* enum mxr_category */
  int gateway;    /* provider number of the gateway in front, or MXR_MATCH_NONE */
  int relay;      /* position of the MX host that relays to the provider when
                   * no known gateway does (an unknown or self-hosted host), or -1 */
  int confidence; /* enum mxr_confidence */
} mxr_verdict;

/* domain may be NULL (then no host counts as self). */
void mxr_classify_begin(mxr_classifier *c, const mxr_rules *rules, const char *domain, size_t dlen);
/* The domain is an alias (CNAME) of `target`: hosts under it count as self
 * too. Call before the first host. */
void mxr_classify_alias(mxr_classifier *c, const char *target, size_t len);
/* Gives room for cap distinct senders (buf outlives the classification);
 * without it MXR_MAX_SENDERS are kept. Call before the first include. */
void mxr_classify_senders(mxr_classifier *c, int *buf, int cap);
/* Looks at the next MX host. Returns its match (a provider, MXR_MATCH_SELF or
 * MXR_MATCH_NONE); *rule_id as for mxr_rules_match (-1 for SELF). */
int mxr_classify_host(mxr_classifier *c, const char *host, size_t len, int *rule_id);
/* Looks at an SPF include/redirect domain. Returns its provider or
 * MXR_MATCH_NONE, with *rule_id; *is_new is 1 when it is a sender not seen
 * before (and kept: senders_full says when one was not). */
int mxr_classify_include(mxr_classifier *c, const char *dom, size_t len, int *rule_id, int *is_new);
/* The decision: the primary MX host's provider; behind a gateway, or behind
 * an unknown or self-hosted relay, the mailbox that a later MX host or else
 * the SPF record shows. */
void mxr_classify_end(const mxr_classifier *c, mxr_verdict *v);

#endif
