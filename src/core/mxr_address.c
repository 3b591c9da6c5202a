/* mxr_address.c: address syntax and IDN. See mxr_address.h. */
#include "mxr_address.h"

#include <arpa/inet.h>
#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int mxr_utf8_valid(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  while (p < end) {
    unsigned c = *p;
    size_t n;
    unsigned cp, min;
    if (c < 0x80) {
      p++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1, cp = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2, cp = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return 0;
    }
    if ((size_t)(end - p) <= n) return 0;
    for (size_t i = 1; i <= n; i++) {
      if ((p[i] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    p += n + 1;
  }
  return 1;
}

static int has_high(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] >= 0x80) return 1;
  return 0;
}

static int is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 1123 host name rules over a normalised name: labels of letters,
 * digits and hyphens, not starting or ending with a hyphen. */
static const char *hostname_problem(const char *name) {
  const char *label = name;
  for (;;) {
    const char *end = strchr(label, '.');
    size_t n = end ? (size_t)(end - label) : strlen(label), i;
    if (label[0] == '-' || label[n - 1] == '-') return "a label of the domain starts or ends with a hyphen";
    for (i = 0; i < n; i++)
      if (!is_alnum((unsigned char)label[i]) && label[i] != '-')
        return "the domain has a character other than letters, digits, hyphens and dots";
    if (!end) return NULL;
    label = end + 1;
  }
}

int mxr_domain_to_ascii(const char *in, size_t len, char *out, int strict, const char **why) {
  const char *p;
  if (memchr(in, '\0', len)) {
    *why = "name contains a NUL byte";
    return -1;
  }
  if (has_high(in, len)) {
    char *copy, *ascii = NULL;
    int rc;
    if (!mxr_utf8_valid(in, len)) {
      *why = "name is not valid UTF-8";
      return -1;
    }
    if (len > 4 * MXR_NAME_MAX) {
      *why = "name longer than 253 characters";
      return -1;
    }
    copy = malloc(len + 1);
    if (!copy) {
      *why = "out of memory";
      return -1;
    }
    memcpy(copy, in, len);
    copy[len] = '\0';
    rc = idn2_to_ascii_8z(copy, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    free(copy);
    if (rc != IDN2_OK) {
      *why = idn2_strerror(rc);
      return -2;
    }
    rc = mxr_name_normalize(ascii, strlen(ascii), out, why);
    idn2_free(ascii);
    if (rc < 0) return -1;
  } else if (mxr_name_normalize(in, len, out, why) < 0) {
    return -1;
  }
  if (strict && (p = hostname_problem(out)) != NULL) {
    *why = p;
    return -1;
  }
  return 0;
}

/* atext of RFC 5321, plus UTF-8 (RFC 6531) */
static int is_atext(unsigned char c) {
  return is_alnum(c) || c >= 0x80 || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int parse_literal(mxr_address *a, const char **why) {
  const char *s = a->domain + 1;
  size_t n = a->domain_len - 2, i;
  char buf[64];
  unsigned char bin[16];
  a->lit = s;
  a->lit_len = n;
  if (n == 0 || n >= sizeof buf) {
    *why = n == 0 ? "empty address literal" : "address literal too long";
    return -1;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  if (inet_pton(AF_INET, buf, bin) == 1) {
    a->literal = MXR_LIT_IPV4;
    return 0;
  }
  if (n > 5 && strncasecmp(buf, "IPv6:", 5) == 0) {
    if (inet_pton(AF_INET6, buf + 5, bin) == 1) {
      a->literal = MXR_LIT_IPV6;
      return 0;
    }
    *why = "address literal is not a valid IPv6 address";
    return -1;
  }
  /* General-address-literal = Standardized-tag ":" 1*dcontent */
  for (i = 0; i < n && (is_alnum((unsigned char)buf[i]) || buf[i] == '-'); i++) continue;
  if (i > 0 && i + 1 < n && buf[i] == ':' && buf[i - 1] != '-') {
    size_t j;
    for (j = i + 1; j < n; j++) {
      unsigned char c = (unsigned char)buf[j];
      if (!((c >= 33 && c <= 90) || (c >= 94 && c <= 126))) break;
    }
    if (j == n) {
      a->literal = MXR_LIT_GENERAL;
      return 0;
    }
  }
  *why = "address literal is neither an IPv4 address, IPv6:address nor tag:content";
  return -1;
}

static int parse_local(mxr_address *a, const char **why) {
  const char *s = a->local;
  size_t n = a->local_len, i;
  if (n == 0) {
    *why = "the local part (before the @) is empty";
    return -1;
  }
  if (n > MXR_LOCAL_MAX) {
    *why = "the local part is longer than 64 octets";
    return -1;
  }
  if (has_high(s, n)) {
    if (!mxr_utf8_valid(s, n)) {
      *why = "the local part is not valid UTF-8";
      return -1;
    }
    a->utf8_local = 1;
  }
  if (a->quoted) return 0; /* checked while finding its end */
  if (s[0] == '.') {
    *why = "the local part starts with a dot";
    return -1;
  }
  if (s[n - 1] == '.') {
    *why = "the local part ends with a dot";
    return -1;
  }
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (s[i + 1] == '.') {
        *why = "the local part has two dots in a row";
        return -1;
      }
    } else if (!is_atext(c)) {
      *why = c == ' '   ? "the local part has a space (it must be quoted)"
             : c == '"' ? "the local part has a stray double quote"
                        : "the local part has a character that must be quoted: one of ()<>[]:;,\\@";
      return -1;
    }
  }
  return 0;
}

/* The name checks' messages, said of an address's domain. */
static const char *domain_message(const char *why) {
  static const char *const map[][2] = {
      {"name has an empty label", "the domain has an empty label (two dots in a row, or a leading dot)"},
      {"name longer than 253 characters", "the domain is longer than 253 characters"},
      {"label longer than 63 characters", "a label of the domain is longer than 63 characters"},
      {"name contains a character other than letters, digits, '-', '_' and '.'",
       "the domain has a character other than letters, digits, hyphens and dots"},
      {"name is not valid UTF-8", "the domain is not valid UTF-8"},
  };
  size_t i;
  for (i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(why, map[i][0]) == 0) return map[i][1];
  return why;
}

int mxr_address_parse(const char *s, size_t len, mxr_address *a, const char **why) {
  size_t i, at;
  memset(a, 0, sizeof *a);
  if (len == 0) {
    *why = "the address is empty";
    return -1;
  }
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == 0) {
      *why = "the address contains a NUL byte";
      return -1;
    }
    if (c < 0x20 || c == 0x7f) {
      *why = "the address contains a control character";
      return -1;
    }
  }
  if (len > MXR_ADDRESS_MAX) {
    *why = "the address is longer than 254 octets";
    return -1;
  }
  if (s[0] == '"') { /* Quoted-string: qtextSMTP and quoted pairs */
    for (i = 1; i < len && s[i] != '"'; i++) {
      if (s[i] == '\\') {
        if (++i == len) break;
      }
    }
    if (i >= len) {
      *why = "the quoted local part is not closed";
      return -1;
    }
    at = i + 1;
    if (at >= len || s[at] != '@') {
      *why = at >= len ? "the address has no @" : "the quoted local part must be followed by @";
      return -1;
    }
    a->quoted = 1;
  } else {
    const char *p = memchr(s, '@', len);
    if (!p) {
      *why = "the address has no @";
      return -1;
    }
    at = (size_t)(p - s);
  }
  a->local = s;
  a->local_len = at;
  a->domain = s + at + 1;
  a->domain_len = len - at - 1;
  if (memchr(a->domain, '@', a->domain_len)) {
    *why = "the address has more than one @ (quote the local part to include one)";
    return -1;
  }
  if (parse_local(a, why) < 0) return -1;
  if (a->domain_len == 0) {
    *why = "the domain (after the @) is empty";
    return -1;
  }
  if (a->domain[0] == '[') {
    if (a->domain[a->domain_len - 1] != ']') {
      *why = "the address literal is not closed with ]";
      return -1;
    }
    return parse_literal(a, why);
  }
  if (a->domain[a->domain_len - 1] == '.') {
    *why = "the domain ends with a dot";
    return -1;
  }
  a->utf8_domain = has_high(a->domain, a->domain_len);
  switch (mxr_domain_to_ascii(a->domain, a->domain_len, a->ascii_domain, 1, why)) {
    case 0: break;
    case -2: *why = "the domain is not a valid internationalized domain name (IDNA2008/UTS #46)"; return -1;
    default: *why = domain_message(*why); return -1;
  }
  if (a->local_len + 1 + strlen(a->ascii_domain) > MXR_ADDRESS_MAX) {
    *why = "the address is longer than 254 octets once its domain is in A-labels";
    return -1;
  }
  return 0;
}
