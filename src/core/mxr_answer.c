/* mxr_answer.c: walks a DNS message and extracts records of the asked type,
 * their TTLs, the CNAME target and the RFC 2308 negative TTL.
 *
 * Names inside RDATA are expanded as c-ares' ares_expand_name does (see
 * mxr_name_expand: compression loops end, odd octets are escaped); everything
 * is read with explicit bounds checks, so a short or garbled packet yields
 * MXR_E_BADRESP and never a read past the buffer. */
#include "mxr_answer.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define HDR_LEN 12

static uint16_t get16(const unsigned char *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static uint32_t get32(const unsigned char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* RFC 2181 §8: a TTL with the top bit set is treated as zero. */
static uint32_t clean_ttl(uint32_t ttl) { return (ttl & 0x80000000u) ? 0 : ttl; }

/* Advances *pos past a (possibly compressed) name; -1 if it runs off the end. */
static int skip_name(const unsigned char *msg, size_t len, size_t *pos) {
  size_t p = *pos;
  for (;;) {
    unsigned char l;
    if (p >= len) return -1;
    l = msg[p];
    if (l == 0) {
      *pos = p + 1;
      return 0;
    }
    if ((l & 0xC0) == 0xC0) {
      if (p + 2 > len) return -1;
      *pos = p + 2;
      return 0;
    }
    if (l & 0xC0) return -1; /* 0x40/0x80 label types are not in use */
    p += 1 + (size_t)l;
  }
}

/* Expands the name at msg+pos into a malloc'd, lower-cased string without a
 * trailing dot ("" for the root), with the presentation escapes of c-ares'
 * ares_expand_name (RFC 1035 5.1: \DDD for octets outside 0x20-0x7E, a
 * backslash before . " ; \ ( ) @ $), and its limits: pointers only to
 * offsets inside the message, at most 50 of them (a loop ends), labels that
 * fit. Here rather than through c-ares: one copy instead of three, and the
 * same text whatever c-ares version is linked. NULL when malformed (or out
 * of memory). */
#define MAX_POINTERS 50
static int reserved_char(unsigned char c) {
  return c == '"' || c == '.' || c == ';' || c == '\\' || c == '(' || c == ')' || c == '@' || c == '$';
}

char *mxr_name_expand(const unsigned char *msg, size_t len, size_t pos) {
  char buf[4 * 255 + 1], *copy;
  size_t n = 0, wire = 1; /* octets on the wire, the root's included: at most 255 (RFC 1035 2.3.4) */
  int jumps = 0;
  if (pos >= len) return NULL;
  for (;;) {
    unsigned char l = msg[pos];
    size_t i;
    if ((l & 0xC0) == 0xC0) {
      if (pos + 1 >= len || ++jumps > MAX_POINTERS) return NULL;
      pos = ((size_t)(l & 0x3F) << 8) | msg[pos + 1];
      if (pos >= len) return NULL;
      continue;
    }
    if (l & 0xC0) return NULL; /* 0x40/0x80 label types are not in use */
    if (l == 0) break;
    if (pos + l + 1 >= len || (wire += 1 + (size_t)l) > 255) return NULL;
    if (n) buf[n++] = '.';
    for (i = 1; i <= l; i++) {
      unsigned char c = msg[pos + i];
      if (c < 0x20 || c > 0x7E) {
        buf[n++] = '\\';
        buf[n++] = (char)('0' + c / 100);
        buf[n++] = (char)('0' + c / 10 % 10);
        buf[n++] = (char)('0' + c % 10);
      } else {
        if (reserved_char(c)) buf[n++] = '\\';
        buf[n++] = (char)((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
      }
    }
    pos += 1 + (size_t)l;
  }
  copy = malloc(n + 1);
  if (copy) {
    memcpy(copy, buf, n);
    copy[n] = '\0';
  }
  return copy;
}

typedef struct rr {
  uint16_t type;
  uint32_t ttl;
  size_t rdata, rdlen;
} rr;

/* Reads one resource record header at *pos; -1 when it does not fit. */
static int read_rr(const unsigned char *msg, size_t len, size_t *pos, rr *out) {
  size_t p = *pos;
  if (skip_name(msg, len, &p) < 0 || p + 10 > len) return -1;
  out->type = get16(msg + p);
  out->ttl = clean_ttl(get32(msg + p + 4));
  out->rdlen = get16(msg + p + 8);
  out->rdata = p + 10;
  if (out->rdata + out->rdlen > len) return -1;
  *pos = out->rdata + out->rdlen;
  return 0;
}

void mxr_answer_fail(mxr_answer *ans, int error) {
  memset(ans, 0, sizeof *ans);
  ans->error = error;
  ans->rcode = -1;
}

/* Frees the records only (the CNAME target stays). */
static void mxr_answer_free_records(mxr_answer *ans) {
  size_t i;
  for (i = 0; i < ans->count; i++) free(ans->records[i].text);
  free(ans->records);
  ans->records = NULL;
  ans->count = 0;
}

void mxr_answer_free(mxr_answer *ans) {
  if (!ans) return;
  mxr_answer_free_records(ans);
  free(ans->cname);
  ans->cname = NULL;
}

static int by_preference(const void *a, const void *b) {
  const mxr_record *x = a, *y = b;
  if (x->pref != y->pref) return x->pref < y->pref ? -1 : 1;
  return strcmp(x->text, y->text);
}

/* Compares the (possibly compressed) wire name at msg+pos with the dotted,
 * lower-case name s, ignoring ASCII case. At most 64 compression jumps, so
 * a pointer loop ends; a malformed name never equals anything. */
static int name_equals(const unsigned char *msg, size_t len, size_t pos, const char *s) {
  int jumps = 0;
  for (;;) {
    unsigned char l;
    size_t i;
    if (pos >= len) return 0;
    l = msg[pos];
    if ((l & 0xC0) == 0xC0) {
      if (pos + 2 > len || ++jumps > 64) return 0;
      pos = ((size_t)(l & 0x3F) << 8) | msg[pos + 1];
      continue;
    }
    if (l & 0xC0) return 0;
    if (l == 0) return *s == '\0';
    if (pos + 1 + l > len || strcspn(s, ".") != l) return 0;
    for (i = 0; i < l; i++) {
      unsigned char c = msg[pos + 1 + i];
      if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
      if ((unsigned char)s[i] != c) return 0;
    }
    s += l;
    if (*s == '.') s++;
    pos += 1 + l;
  }
}

/* Is the name at msg+pos a pointer to the question's name (offset 12)? The
 * common owner of answer records; the question was checked to be qname. */
static int is_question(const unsigned char *msg, size_t len, size_t pos) {
  return pos + 1 < len && msg[pos] == 0xC0 && msg[pos + 1] == HDR_LEN;
}

static char hexdigit(unsigned v) { return "0123456789abcdef"[v & 15]; }

/* Fills rec from one RR of the asked type; returns an mxr_error. */
static int take_record(const unsigned char *msg, const rr *r, int qtype, mxr_record *rec) {
  const unsigned char *d = msg + r->rdata;
  rec->ttl = r->ttl;
  rec->pref = 0;
  switch (qtype) {
    case MXR_T_MX:
      if (r->rdlen < 3) return MXR_E_BADRESP;
      rec->pref = get16(d);
      rec->text = mxr_name_expand(msg, r->rdata + r->rdlen, r->rdata + 2);
      if (!rec->text) return MXR_E_BADRESP;
      rec->len = strlen(rec->text);
      return MXR_E_NONE;
    case MXR_T_PTR:
    case MXR_T_NS:
    case MXR_T_CNAME:
      rec->text = mxr_name_expand(msg, r->rdata + r->rdlen, r->rdata);
      if (!rec->text) return MXR_E_BADRESP;
      rec->len = strlen(rec->text);
      return MXR_E_NONE;
    case MXR_T_TLSA: {
      size_t i, n;
      if (r->rdlen < 3) return MXR_E_BADRESP;
      memcpy(rec->tlsa, d, 3);
      n = r->rdlen - 3;
      rec->text = malloc(2 * n + 1);
      if (!rec->text) return MXR_E_NOMEM;
      for (i = 0; i < n; i++) {
        rec->text[2 * i] = hexdigit(d[3 + i] >> 4);
        rec->text[2 * i + 1] = hexdigit(d[3 + i]);
      }
      rec->text[2 * n] = '\0';
      rec->len = 2 * n;
      return MXR_E_NONE;
    }
    case MXR_T_TXT: {
      /* One record's character-strings joined into one string (RFC 7208 §3.3). */
      size_t p = 0, n = 0;
      char *t = malloc(r->rdlen + 1);
      if (!t) return MXR_E_NOMEM;
      while (p < r->rdlen) {
        size_t l = d[p];
        if (p + 1 + l > r->rdlen) {
          free(t);
          return MXR_E_BADRESP;
        }
        memcpy(t + n, d + p + 1, l);
        n += l;
        p += 1 + l;
      }
      t[n] = '\0';
      rec->text = t;
      rec->len = n;
      return MXR_E_NONE;
    }
    case MXR_T_A:
    case MXR_T_AAAA: {
      char buf[INET6_ADDRSTRLEN];
      int af = qtype == MXR_T_A ? AF_INET : AF_INET6;
      if (r->rdlen != (qtype == MXR_T_A ? 4u : 16u)) return MXR_E_BADRESP;
      if (!inet_ntop(af, d, buf, sizeof buf)) return MXR_E_BADRESP;
      rec->len = strlen(buf);
      rec->text = malloc(rec->len + 1);
      if (!rec->text) return MXR_E_NOMEM;
      memcpy(rec->text, buf, rec->len + 1);
      return MXR_E_NONE;
    }
    default: return MXR_E_BADRESP;
  }
}

/* RFC 2308 §5: the negative TTL is the lesser of the SOA's own TTL and its
 * MINIMUM field. Returns 0 when the authority section holds no SOA. */
static uint32_t negative_ttl(const unsigned char *msg, size_t len, size_t pos, unsigned nscount) {
  unsigned i;
  for (i = 0; i < nscount; i++) {
    rr r;
    if (read_rr(msg, len, &pos, &r) < 0) return 0;
    if (r.type == MXR_T_SOA) {
      size_t p = r.rdata, end = r.rdata + r.rdlen;
      uint32_t minimum;
      if (skip_name(msg, end, &p) < 0 || skip_name(msg, end, &p) < 0 || p + 20 > end) return 0;
      minimum = clean_ttl(get32(msg + p + 16));
      return minimum < r.ttl ? minimum : r.ttl;
    }
  }
  return 0;
}

static int rcode_error(int rcode) {
  switch (rcode) {
    case 1: return MXR_E_FORMERR;
    case 2: return MXR_E_SERVFAIL;
    case 4: return MXR_E_NOTIMP;
    case 5: return MXR_E_REFUSED;
    default: return MXR_E_BADRESP;
  }
}

/* The target of the CNAME record owned by name in the answer section
 * (malloc'd), or NULL: none (*err untouched), or a malformed target (*err =
 * MXR_E_BADRESP). */
static char *cname_of(const unsigned char *msg, size_t len, size_t an, unsigned ancount, const char *name, int *err) {
  size_t pos = an;
  unsigned i;
  for (i = 0; i < ancount; i++) {
    rr r;
    size_t at = pos;
    if (read_rr(msg, len, &pos, &r) < 0) return NULL;
    if (r.type == MXR_T_CNAME && name_equals(msg, len, at, name)) {
      char *target = mxr_name_expand(msg, r.rdata + r.rdlen, r.rdata);
      if (!target) *err = MXR_E_BADRESP;
      return target;
    }
  }
  return NULL;
}

/* Follows the CNAME chain of the answer section from qname: returns the
 * canonical name (malloc'd; NULL with *err = MXR_E_NONE when qname is not an
 * alias), or NULL with *err set when the chain loops, is too long or
 * malformed. A chain of more than 16 links counts as a loop. */
#define MAX_CNAME_LINKS 16
static char *follow_cnames(const unsigned char *msg, size_t len, size_t an, unsigned ancount, const char *qname,
                           int qtype, int *err) {
  char *owner = NULL; /* NULL: qname itself */
  int links = 0;
  *err = MXR_E_NONE;
  if (qtype == MXR_T_CNAME) return NULL; /* the CNAME records are the answer */
  for (;;) {
    char *next = cname_of(msg, len, an, ancount, owner ? owner : qname, err);
    if (*err) {
      free(owner);
      return NULL;
    }
    if (!next) return owner;
    free(owner);
    owner = next;
    if (++links > MAX_CNAME_LINKS || strcmp(owner, qname) == 0) {
      *err = MXR_E_BADRESP;
      free(owner);
      return NULL;
    }
  }
}

/* True when the owner at msg+at is on qname's chain: qname -> ... -> cname.
 * The chain's names are found again by walking it; answers hold few CNAMEs,
 * so this stays cheap, and a plain answer never gets here (owner equals
 * qname or cname). */
static int on_chain(const unsigned char *msg, size_t len, size_t an, unsigned ancount, size_t at, const char *qname) {
  char *owner = NULL;
  int links = 0, found = 0, err = MXR_E_NONE;
  while (!found && links++ <= MAX_CNAME_LINKS) {
    char *next = cname_of(msg, len, an, ancount, owner ? owner : qname, &err);
    free(owner);
    owner = next;
    if (!owner) break;
    found = name_equals(msg, len, at, owner);
  }
  free(owner);
  return found;
}

/* MX clean-up: root exchanges dropped (all of them root: null MX), each host
 * kept once with its lowest preference, then sorted. */
static void tidy_mx(mxr_answer *ans) {
  size_t i, j, roots = 0, total = ans->count;
  for (i = 0; i < ans->count;) {
    mxr_record *rec = &ans->records[i];
    int drop = rec->len == 0;
    roots += drop;
    for (j = 0; !drop && j < i; j++) {
      mxr_record *seen = &ans->records[j];
      if (seen->len == rec->len && memcmp(seen->text, rec->text, rec->len) == 0) {
        if (rec->pref < seen->pref) seen->pref = rec->pref;
        if (rec->ttl < seen->ttl) seen->ttl = rec->ttl;
        drop = 1;
      }
    }
    if (drop) {
      free(rec->text);
      ans->records[i] = ans->records[--ans->count];
    } else {
      i++;
    }
  }
  if (roots == total) { /* RFC 7505: "0 ." (however often) says no mail */
    ans->status = MXR_NULL_MX;
    mxr_answer_free_records(ans);
    return;
  }
  qsort(ans->records, ans->count, sizeof *ans->records, by_preference);
}

int mxr_answer_parse(const unsigned char *msg, size_t len, const char *qname, int qtype, mxr_answer *ans) {
  size_t pos = HDR_LEN, i, n = 0, an;
  unsigned qdcount, ancount, nscount;
  int err = MXR_E_NONE;

  mxr_answer_fail(ans, MXR_E_NONE);
  if (!msg || len < HDR_LEN || !(msg[2] & 0x80)) return ans->error = MXR_E_BADRESP;
  ans->rcode = msg[3] & 0x0F;
  ans->secure = (msg[3] & 0x20) != 0;
  qdcount = get16(msg + 4);
  ancount = get16(msg + 6);
  nscount = get16(msg + 8);
  if (ans->rcode != 0 && ans->rcode != 3) return ans->error = rcode_error(ans->rcode);

  /* The question must be ours: (qname, qtype, IN), once. */
  if (qdcount != 1 || !name_equals(msg, len, pos, qname) || skip_name(msg, len, &pos) < 0 || pos + 4 > len ||
      get16(msg + pos) != qtype || get16(msg + pos + 2) != 1) {
    ans->detail = "the answer is not for the question asked";
    return ans->error = MXR_E_BADRESP;
  }
  pos += 4;
  an = pos;

  ans->cname = follow_cnames(msg, len, an, ancount, qname, qtype, &err);
  if (err) {
    ans->detail = "the answer's CNAME chain loops or is malformed";
    return ans->error = err;
  }
  if (ancount &&
      ans->rcode == 3) { /* an NXDOMAIN carries no records (RFC 6604: it is the chain's end that is missing) */
    for (i = 0; i < ancount; i++) {
      rr r;
      if (read_rr(msg, len, &pos, &r) < 0) break;
    }
    ancount = 0;
  }
  if (ancount) {
    ans->records = calloc(ancount, sizeof *ans->records);
    if (!ans->records) {
      mxr_answer_free(ans);
      return ans->error = MXR_E_NOMEM;
    }
  }
  for (i = 0; i < ancount && !err; i++) {
    rr r;
    size_t at = pos;
    if (read_rr(msg, len, &pos, &r) < 0) {
      err = MXR_E_BADRESP;
    } else if (r.type == qtype && (is_question(msg, len, at) || name_equals(msg, len, at, qname) ||
                                   (ans->cname && (name_equals(msg, len, at, ans->cname) ||
                                                   on_chain(msg, len, an, ancount, at, qname))))) {
      err = take_record(msg, &r, qtype, &ans->records[n]);
      if (!err) n++;
    }
  }
  ans->count = n;
  if (err) {
    mxr_answer_free(ans);
    return ans->error = err;
  }

  if (ans->rcode == 3 || n == 0) {
    ans->status = ans->rcode == 3 ? MXR_NXDOMAIN : MXR_NODATA;
    ans->ttl = negative_ttl(msg, len, pos, nscount);
    mxr_answer_free_records(ans);
    return MXR_E_NONE;
  }

  ans->ttl = ans->records[0].ttl;
  for (i = 1; i < n; i++)
    if (ans->records[i].ttl < ans->ttl) ans->ttl = ans->records[i].ttl;

  ans->status = MXR_OK;
  if (qtype == MXR_T_MX) tidy_mx(ans);
  return MXR_E_NONE;
}

const char *mxr_status_name(int status) {
  switch (status) {
    case MXR_OK: return "ok";
    case MXR_NXDOMAIN: return "nxdomain";
    case MXR_NODATA: return "nodata";
    case MXR_NULL_MX: return "null_mx";
    default: return "unknown";
  }
}

static const char *const error_codes[MXR_E__COUNT] = {
    "ok",     "timeout", "servfail", "refused",   "connrefused", "formerr",
    "notimp", "badresp", "badname",  "cancelled", "nomem",
};

static const char *const error_messages[MXR_E__COUNT] = {
    "no error",
    "no DNS server answered in time",
    "the DNS server failed to answer (SERVFAIL)",
    "the DNS server refused the query (REFUSED)",
    "could not reach any DNS server (connection refused)",
    "the DNS server rejected the query as malformed (FORMERR)",
    "the DNS server does not implement this query (NOTIMP)",
    "the DNS answer was malformed",
    "bad domain name",
    "the query was cancelled",
    "out of memory",
};

const char *mxr_error_code(int error) { return (error >= 0 && error < MXR_E__COUNT) ? error_codes[error] : "badresp"; }

const char *mxr_error_message(int error) {
  return (error >= 0 && error < MXR_E__COUNT) ? error_messages[error] : error_messages[MXR_E_BADRESP];
}

const char *const mxr_qtype_names[] = {"mx", "txt", "a", "aaaa", "ptr", "cname", "ns", "tlsa", NULL};
static const int qtype_values[] = {MXR_T_MX,  MXR_T_TXT,   MXR_T_A,  MXR_T_AAAA,
                                   MXR_T_PTR, MXR_T_CNAME, MXR_T_NS, MXR_T_TLSA};

int mxr_qtype_parse(const char *s) {
  int i;
  for (i = 0; mxr_qtype_names[i]; i++)
    if (strcmp(s, mxr_qtype_names[i]) == 0) return qtype_values[i];
  return -1;
}

const char *mxr_qtype_name(int qtype) {
  switch (qtype) {
    case MXR_T_A: return "A";
    case MXR_T_NS: return "NS";
    case MXR_T_CNAME: return "CNAME";
    case MXR_T_PTR: return "PTR";
    case MXR_T_MX: return "MX";
    case MXR_T_TXT: return "TXT";
    case MXR_T_AAAA: return "AAAA";
    case MXR_T_TLSA: return "TLSA";
    default: return "?";
  }
}

int mxr_query_build(const char *name, int qtype, unsigned id, unsigned char *out, size_t outlen) {
  static const unsigned char opt[11] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0}; /* OPT, payload 1232 */
  size_t n = 12, len = strlen(name);
  const char *p = name;
  if (outlen < 12 + len + 2 + 4 + sizeof opt) return -1;
  out[0] = (unsigned char)(id >> 8);
  out[1] = (unsigned char)id;
  out[2] = 0x01;            /* RD */
  out[3] = 0x20;            /* AD: tell us whether the answer was authenticated */
  out[4] = 0, out[5] = 1;   /* QDCOUNT */
  out[6] = out[7] = 0;      /* ANCOUNT */
  out[8] = out[9] = 0;      /* NSCOUNT */
  out[10] = 0, out[11] = 1; /* ARCOUNT: the OPT record */
  while (*p) {
    const char *dot = strchr(p, '.');
    size_t l = dot ? (size_t)(dot - p) : strlen(p);
    if (l == 0 || l > 63) return -1;
    out[n++] = (unsigned char)l;
    memcpy(out + n, p, l);
    n += l;
    p += l;
    if (*p == '.') p++;
  }
  out[n++] = 0;
  out[n++] = (unsigned char)(qtype >> 8);
  out[n++] = (unsigned char)qtype;
  out[n++] = 0;
  out[n++] = 1; /* IN */
  memcpy(out + n, opt, sizeof opt);
  return (int)(n + sizeof opt);
}
