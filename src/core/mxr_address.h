/* mxr_address.h: e-mail address syntax (RFC 5321 mailbox, RFC 6531 UTF-8)
 * and domain names to A-labels (libidn2, UTS #46 non-transitional).
 * Part of the lua.h-free core. */
#ifndef MXR_ADDRESS_H
#define MXR_ADDRESS_H

#include <stddef.h>

#include "mxr_name.h"

#define MXR_LOCAL_MAX 64    /* octets in a local part (RFC 5321 4.5.3.1.1) */
#define MXR_ADDRESS_MAX 254 /* octets in an address (RFC 5321 path of 256 less the brackets) */

enum mxr_literal { MXR_LIT_NONE = 0, MXR_LIT_IPV4, MXR_LIT_IPV6, MXR_LIT_GENERAL };

typedef struct mxr_address {
  const char *local; /* the local part as written (a quoted one keeps its quotes) */
  size_t local_len;
  const char *domain; /* the domain as written; for a literal, with its brackets */
  size_t domain_len;
  int quoted;      /* the local part is a quoted string */
  int utf8_local;  /* the local part holds UTF-8 beyond ASCII: needs SMTPUTF8 */
  int utf8_domain; /* the domain was given with U-labels */
  int literal;     /* enum mxr_literal */
  const char *lit; /* a literal's content between the brackets */
  size_t lit_len;
  char ascii_domain[MXR_NAME_MAX + 1]; /* A-labels, lower case; "" for a literal */
} mxr_address;

/* Parses s (len octets). Returns 0, or -1 with *why set to a static message
 * saying what is wrong. The pointers in *a point into s. */
int mxr_address_parse(const char *s, size_t len, mxr_address *a, const char **why);

/* A domain name in ASCII or UTF-8 to its normalised A-label form in out
 * (MXR_NAME_MAX + 1 bytes): lower case, no trailing dot. Hostname rules
 * (letters, digits, hyphens; RFC 1123) when strict, else the resolver's
 * looser ones (underscores allowed, as in mxr_name_normalize). Returns 0;
 * -1 with *why (static) for a bad name; -2 with *why from libidn2 (static)
 * when IDN processing refused the name. */
int mxr_domain_to_ascii(const char *in, size_t len, char *out, int strict, const char **why);

/* 1 if s holds valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
int mxr_utf8_valid(const char *s, size_t len);

#endif
