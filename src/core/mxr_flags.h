/* mxr_flags.h: the flags beside a verdict (disposable domain, free mailbox
 * domain, role local part), matched by registrable domain under the Public
 * Suffix List. Pure computation over lists the caller loads (the Lua layer
 * reads the committed snapshot in lua/mxrecord/lists). No lua.h. */
#ifndef MXR_FLAGS_H
#define MXR_FLAGS_H

#include <stddef.h>

enum mxr_flag_list {
  MXR_LIST_DISPOSABLE = 0, /* domains */
  MXR_LIST_FREE,           /* domains */
  MXR_LIST_ROLE,           /* local parts */
  MXR_LIST_PSL,            /* Public Suffix List rules: "a.b", "*.a.b", "!c.a.b" */
  MXR_LIST__COUNT
};

typedef struct mxr_flags mxr_flags;

mxr_flags *mxr_flags_new(void);
void mxr_flags_free(mxr_flags *f);
/* Adds the entries of text (one a line; blank lines and lines starting with
 * "//" skipped; case folded for ASCII) to a list. Returns the number of new
 * entries, or -1 when out of memory. */
long mxr_flags_load(mxr_flags *f, int list, const char *text, size_t len);
/* Entries in a list. */
size_t mxr_flags_count(const mxr_flags *f, int list);

typedef struct mxr_flag_result {
  int disposable, free, role;
  int has_local;    /* the input was an address (it held an '@') */
  char domain[254]; /* the domain, folded, without a trailing dot */
  size_t dlen;
  size_t reg_off;      /* where the registrable domain starts in domain */
  int has_registrable; /* 0 when the domain is itself a public suffix */
} mxr_flag_result;

/* Flags of an address ("local@domain") or a bare domain. The domain part and
 * each parent of it down to the registrable domain are looked up in the
 * domain lists; the local part (before any '+') in the role list. Returns 0,
 * or -1 when there is no domain to look at (empty, too long, a NUL, an
 * address literal). */
int mxr_flags_check(const mxr_flags *f, const char *input, size_t len, mxr_flag_result *out);

#endif
