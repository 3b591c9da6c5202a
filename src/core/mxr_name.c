/* mxr_name.c: domain name checks done before a name reaches c-ares.
 *
 * c-ares would accept and escape odd names; we refuse them early so that a
 * string such as "evil.com\0.good.com" is never silently truncated by C and
 * every refusal carries a message saying what was wrong. */
#include "mxr_name.h"

static int allowed_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

int mxr_name_normalize(const char *in, size_t len, char *out, const char **why) {
  size_t i, label = 0;

  if (len == 0) {
    *why = "empty name";
    return -1;
  }
  /* One trailing dot marks an absolute name; it is accepted and dropped. */
  if (in[len - 1] == '.') len--;
  if (len == 0) {
    *why = "name is only the root ('.')";
    return -1;
  }
  if (len > MXR_NAME_MAX) {
    *why = "name longer than 253 characters";
    return -1;
  }
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == '\0') {
      *why = "name contains a NUL byte";
      return -1;
    }
    if (!allowed_char(c)) {
      *why = c >= 0x80 ? "name contains non-ASCII characters (convert IDN names to A-labels)"
                       : "name contains a character other than letters, digits, '-', '_' and '.'";
      return -1;
    }
    if (c == '.') {
      if (label == 0) {
        *why = "name has an empty label";
        return -1;
      }
      label = 0;
    } else if (++label > MXR_LABEL_MAX) {
      *why = "label longer than 63 characters";
      return -1;
    }
    out[i] = (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : (char)c;
  }
  if (label == 0) { /* "a.." loses one dot above and still ends in one */
    *why = "name has an empty label";
    return -1;
  }
  out[len] = '\0';
  return 0;
}
