/* mxr_answer.h: a DNS answer parsed into what mxrecord reports.
 *
 * The parser works on the raw DNS message, whichever way it arrived (c-ares
 * 1.18 hands us the bytes; newer c-ares hands us a record that we serialise
 * back; the OpenResty path reads them off a cosocket). That one parser is
 * also where TTLs come from: c-ares 1.18 does not report MX TTLs. */
#ifndef MXR_ANSWER_H
#define MXR_ANSWER_H

#include <stddef.h>
#include <stdint.h>

enum mxr_qtype {
  MXR_T_A = 1,
  MXR_T_NS = 2,
  MXR_T_CNAME = 5,
  MXR_T_SOA = 6,
  MXR_T_PTR = 12,
  MXR_T_MX = 15,
  MXR_T_TXT = 16,
  MXR_T_AAAA = 28,
  MXR_T_TLSA = 52
};

enum mxr_status { MXR_OK = 0, MXR_NXDOMAIN, MXR_NODATA, MXR_NULL_MX };

/* Failure codes; each maps to the code string of the public contract. */
enum mxr_error {
  MXR_E_NONE = 0,
  MXR_E_TIMEOUT,
  MXR_E_SERVFAIL,
  MXR_E_REFUSED,
  MXR_E_CONNREFUSED,
  MXR_E_FORMERR,
  MXR_E_NOTIMP,
  MXR_E_BADRESP,
  MXR_E_BADNAME,
  MXR_E_CANCELLED,
  MXR_E_NOMEM,
  MXR_E__COUNT
};

typedef struct mxr_record {
  uint32_t ttl;
  uint16_t pref;         /* MX preference */
  unsigned char tlsa[3]; /* TLSA usage, selector, matching type */
  size_t len;            /* length of text (TXT data may hold any byte, NUL included) */
  char *text;            /* MX exchange, TXT strings joined, printable address, PTR/NS/CNAME
                            target, or TLSA association data in hex */
} mxr_record;

typedef struct mxr_answer {
  int status;   /* enum mxr_status, meaningful when error == MXR_E_NONE */
  int error;    /* enum mxr_error */
  int rcode;    /* DNS RCODE of the message, -1 when there was none */
  int secure;   /* the AD bit was set: a validating resolver authenticated the answer */
  uint32_t ttl; /* ok: lowest record TTL; negative: RFC 2308 TTL (0 if no SOA) */
  size_t count;
  mxr_record *records;
  char *cname;        /* target of a CNAME for the queried name, or NULL */
  const char *detail; /* static text saying more about error (bad names), or NULL */
} mxr_answer;

/* Parses msg (len octets) as the answer to a query of type qtype for qname
 * (normalised: lower case, no trailing dot). Only records owned by qname or
 * by a name its CNAME chain in the answer leads to count; an NXDOMAIN
 * carries no records; a question section that is not (qname, qtype) or a
 * CNAME chain that loops makes the answer MXR_E_BADRESP. MX: exchanges that
 * are the root are dropped, and all of them being the root is a null MX (RFC
 * 7505); a host listed twice is kept once, with its lowest preference. So
 * status MXR_OK always comes with at least one record.
 * Fills ans (which owns its memory afterwards; release with
 * mxr_answer_free) and returns ans->error. Never reads outside msg. */
int mxr_answer_parse(const unsigned char *msg, size_t len, const char *qname, int qtype, mxr_answer *ans);

/* The (possibly compressed) name at msg+pos of a message of len octets, as
 * c-ares' ares_expand_name writes it but lower-cased: malloc'd, without the
 * trailing dot ("" for the root); NULL when malformed or out of memory. */
char *mxr_name_expand(const unsigned char *msg, size_t len, size_t pos);

/* Writes a query for name (normalised, as mxr_name_normalize gives it) and
 * qtype with message ID id into out (outlen octets): recursion desired,
 * authentic data requested (RFC 6840 5.7: a validating resolver then says
 * whether it authenticated the answer), one EDNS0 OPT record advertising a
 * 1232-octet payload. Every transport sends this same packet. Returns the length, or
 * -1 if out is too small or a label is empty or too long. For hosts that send
 * their own packets (the OpenResty cosocket path). */
int mxr_query_build(const char *name, int qtype, unsigned id, unsigned char *out, size_t outlen);

/* Sets ans to a bare failure with no records. */
void mxr_answer_fail(mxr_answer *ans, int error);

void mxr_answer_free(mxr_answer *ans);

const char *mxr_status_name(int status);
const char *mxr_error_code(int error);    /* "timeout", "servfail", ... */
const char *mxr_error_message(int error); /* a sentence for humans */
const char *mxr_qtype_name(int qtype);    /* "MX", "TXT", ... */
/* The query type named s ("mx", "txt", "a", "aaaa", "ptr", "cname", "ns",
 * "tlsa"), or -1: the one list of the types mxrecord asks for. */
int mxr_qtype_parse(const char *s);
/* The lower-case names of those types, NULL-terminated (for luaL_checkoption). */
extern const char *const mxr_qtype_names[];

#endif
