/* mxr_name.h: checking and normalising domain names before they reach c-ares.
 *
 * Part of the lua.h-free core: usable from the binding, from fuzzers and from
 * hosts that embed the core directly. */
#ifndef MXR_NAME_H
#define MXR_NAME_H

#include <stddef.h>

/* Longest presentation-form name we accept, without the trailing dot
 * (RFC 1035 allows 255 octets on the wire, which is 253 characters). */
#define MXR_NAME_MAX 253
#define MXR_LABEL_MAX 63

/* Checks `in` (len octets, may contain NUL) and writes the normalised name
 * into out (at least MXR_NAME_MAX + 1 bytes): lower case, trailing dot
 * removed. Letters, digits, '-', '_' and '.' are allowed; labels must be
 * 1..63 octets and the name 1..253.
 * Returns 0 on success, or -1 with *why set to a static message. */
int mxr_name_normalize(const char *in, size_t len, char *out, const char **why);

#endif
