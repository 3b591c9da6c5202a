/* mxr_spf.h: SPF check_host() per RFC 7208, sans-I/O.
 *
 * The evaluator never touches the network. It asks for DNS answers
 * (mxr_spf_step returns MXR_SPF_NEED with a name and a query type), the host
 * looks them up however it likes (c-ares, a cosocket, a cache) and hands them
 * back with mxr_spf_feed, then steps again, until MXR_SPF_DONE. The same
 * code therefore runs over every transport, and can be fuzzed and tested
 * with answers from a table.
 *
 * Internally each step re-runs check_host() from the start over the answers
 * fed so far and stops at the first one missing. With at most 10 DNS-querying
 * terms (and 10 MX or PTR names each) that costs little, and it keeps the
 * evaluator a plain recursive reading of RFC 7208 section 4 to 7. */
#ifndef MXR_SPF_H
#define MXR_SPF_H

#include <stddef.h>

enum mxr_spf_result {
  MXR_SPF_R_NONE = 0,
  MXR_SPF_R_NEUTRAL,
  MXR_SPF_R_PASS,
  MXR_SPF_R_FAIL,
  MXR_SPF_R_SOFTFAIL,
  MXR_SPF_R_TEMPERROR,
  MXR_SPF_R_PERMERROR
};

/* Query types the evaluator asks for (DNS type numbers). */
enum mxr_spf_qtype { MXR_SPF_Q_A = 1, MXR_SPF_Q_PTR = 12, MXR_SPF_Q_MX = 15, MXR_SPF_Q_TXT = 16, MXR_SPF_Q_AAAA = 28 };

/* What a lookup gave. */
enum mxr_spf_dns { MXR_SPF_DNS_OK = 0, MXR_SPF_DNS_NXDOMAIN, MXR_SPF_DNS_NODATA, MXR_SPF_DNS_TEMPFAIL };

/* Return values of mxr_spf_step. */
enum mxr_spf_step_status { MXR_SPF_DONE = 0, MXR_SPF_NEED = 1 };

/* Limits (RFC 7208 section 4.6.4) and sizes. */
#define MXR_SPF_MAX_LOOKUPS 10
#define MXR_SPF_MAX_VOID 2
#define MXR_SPF_MAX_MX 10
#define MXR_SPF_MAX_PTR 10
#define MXR_SPF_EXPAND_MAX 2048  /* bound on any macro expansion's output, octets */
#define MXR_SPF_MAX_ANSWERS 1024 /* answers one evaluation may hold */
#define MXR_SPF_MAX_BYTES (1u << 22)

/* Kinds of terms in a parsed record. */
enum mxr_spf_kind {
  MXR_SPF_ALL = 0,
  MXR_SPF_INCLUDE,
  MXR_SPF_A,
  MXR_SPF_MX,
  MXR_SPF_PTR,
  MXR_SPF_IP4,
  MXR_SPF_IP6,
  MXR_SPF_EXISTS,
  MXR_SPF_REDIRECT,
  MXR_SPF_EXP,
  MXR_SPF_MODIFIER /* an unknown modifier, kept and ignored */
};

/* One term; the pointers point into the record text given to the parser. */
typedef struct mxr_spf_term {
  int kind;         /* enum mxr_spf_kind */
  char qualifier;   /* '+', '-', '~' or '?' for mechanisms (as written, or '+'); 0 for modifiers */
  const char *text; /* the whole term as written */
  size_t textlen;
  const char *name; /* modifier name (unknown modifiers) */
  size_t namelen;
  const char *value; /* domain-spec, macro-string or address text, without CIDR lengths; NULL if none */
  size_t valuelen;
  int cidr4, cidr6;       /* CIDR lengths, -1 when not written */
  unsigned char addr[16]; /* ip4 (first 4 octets) / ip6 network */
} mxr_spf_term;

typedef struct mxr_spf_record {
  size_t count;
  mxr_spf_term *terms;
  int redirect, exp; /* index of those modifiers in terms, or -1 */
} mxr_spf_record;

/* Whether a TXT string is an SPF record ("v=spf1" alone or followed by a space). */
int mxr_spf_record_is(const char *txt, size_t len);

/* Parses an SPF record (starting with v=spf1). Returns 0 and fills rec (free
 * with mxr_spf_record_free), or -1 with a reason in err (the record is then
 * a permerror). */
int mxr_spf_parse(const char *txt, size_t len, mxr_spf_record *rec, char *err, size_t errlen);
void mxr_spf_record_free(mxr_spf_record *rec);

/* Checks the macro syntax of s (RFC 7208 section 7.1); explanation allows c, r, t.
 * Returns 0 when valid. */
int mxr_spf_macro_check(const char *s, size_t len, int explanation);

/* Expands macros of s without DNS (%{p} gives "unknown") for the given
 * identities; writes at most outmax-1 octets and a NUL. Returns the length,
 * -1 on a syntax error, -2 when the expansion would exceed min(outmax-1,
 * MXR_SPF_EXPAND_MAX). For tests and the fuzzer; the evaluator has its own. */
int mxr_spf_expand(const char *ip, const char *sender, const char *helo, const char *domain, const char *s, size_t len,
                   int explanation, char *out, size_t outmax);

typedef struct mxr_spf mxr_spf;

typedef struct mxr_spf_options {
  const char *receiver; /* %{r}; default "unknown" */
  long long now;        /* %{t}; default time(NULL) */
  const char *domain;   /* check this domain instead of the sender's (e.g. the HELO check) */
} mxr_spf_options;

/* A new evaluation of client ip (IPv4 or IPv6 text) for sender (may be empty:
 * then postmaster@helo) and helo. NULL with a reason in err on bad input. */
mxr_spf *mxr_spf_new(const char *ip, const char *sender, const char *helo, const mxr_spf_options *opt, char *err,
                     size_t errlen);
void mxr_spf_free(mxr_spf *ev);

/* Runs as far as the answers fed so far allow. MXR_SPF_NEED: *name and
 * *qtype say what to look up next (valid until the next call). MXR_SPF_DONE:
 * the outcome is in. */
int mxr_spf_step(mxr_spf *ev, const char **name, int *qtype);

/* Feeds the answer for (name, qtype): dns is enum mxr_spf_dns; records are
 * TXT strings (joined), addresses as text (A/AAAA), exchange names (MX) or
 * target names (PTR). Returns 0, or -1 if the evaluator holds too much already. */
int mxr_spf_feed(mxr_spf *ev, const char *name, int qtype, int dns, size_t n, const char *const *records,
                 const size_t *lens);

typedef struct mxr_spf_outcome {
  int result;              /* enum mxr_spf_result */
  const char *domain;      /* the domain whose record decided (after redirects) */
  const char *record;      /* that record, or NULL */
  const char *mechanism;   /* the matching term as written, or NULL */
  const char *explanation; /* for fail, from exp=, or NULL */
  int lookups, void_lookups;
  size_t nproblems;
  const char *const *problems;
  int queries; /* answers fed */
} mxr_spf_outcome;

/* The outcome once mxr_spf_step returned MXR_SPF_DONE (else NULL). */
const mxr_spf_outcome *mxr_spf_outcome_get(const mxr_spf *ev);

const char *mxr_spf_result_name(int result);

#endif
