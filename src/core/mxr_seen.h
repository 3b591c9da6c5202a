/* mxr_seen.h: a set of names seen, as 64-bit hashes in an open-addressing
 * table kept between a quarter and a half full: 16 to 32 bytes a name
 * (measured 16.8 at a million names; 48 for a moment while the table doubles),
 * for lookup_many's duplicate check over lists of millions of names. Two names
 * whose hashes collide (about one chance in 10^8 per million names) count as
 * one. Part of the lua.h-free core. */
#ifndef MXR_SEEN_H
#define MXR_SEEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct mxr_seen {
  uint64_t *slots; /* 0 = empty */
  size_t cap, count;
} mxr_seen;

void mxr_seen_init(mxr_seen *s);
void mxr_seen_free(mxr_seen *s);
/* 1 if s (len octets) was not in the set (it is now), 0 if it was, -1 when
 * out of memory. */
int mxr_seen_add(mxr_seen *s, const char *str, size_t len);

#endif
