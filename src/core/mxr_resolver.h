/* mxr_resolver.h: a c-ares channel with a completion queue.
 *
 * c-ares invokes our callback from inside ares_process_fd()/ares_cancel();
 * the callback only parses the answer and appends a completion to a queue.
 * Whoever drives the resolver (the Lua binding, a benchmark, a fuzzer) takes
 * completions off the queue afterwards, outside every c-ares frame. That is
 * what lets Lua callbacks issue queries or close the resolver safely. */
#ifndef MXR_RESOLVER_H
#define MXR_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "mxr_answer.h"
#include "mxr_name.h"

typedef struct mxr_resolver mxr_resolver;

#define MXR_DEFAULT_TIMEOUT_MS 2000
#define MXR_DEFAULT_TRIES 2

typedef struct mxr_options {
  const char *servers; /* "ip:port,[v6]:port" as built by mxr_server_parse; NULL: system configuration */
  double timeout;      /* seconds per try; <= 0: MXR_DEFAULT_TIMEOUT_MS */
  int tries;           /* tries per server; <= 0: MXR_DEFAULT_TRIES */
} mxr_options;

typedef struct mxr_completion {
  struct mxr_completion *next;
  uint64_t token; /* the caller's handle for this query */
  int qtype;
  char name[MXR_NAME_MAX + 1];
  mxr_answer answer;
} mxr_completion;

/* Server syntax: "ip", "ip:port", "[v6]", "[v6]:port" or a bare IPv6
 * address. Writes the c-ares form into out (at least 64 bytes).
 * Returns 0, or -1 with *why set. */
int mxr_server_parse(const char *s, size_t len, char *out, size_t outlen, const char **why);

/* Returns 0, or -1 with a message in err. */
int mxr_resolver_new(mxr_resolver **out, const mxr_options *opt, char *err, size_t errlen);

/* Cancels what is in flight and frees everything, queued completions too. */
void mxr_resolver_free(mxr_resolver *r);

/* Starts a query for an already normalised name. The completion always
 * arrives through the queue, never during this call's return. Returns 0, or
 * an mxr_error when not even a completion could be allocated. */
int mxr_resolver_submit(mxr_resolver *r, const char *name, int qtype, uint64_t token);

/* Queues a completion that failed before reaching the network (bad name);
 * detail is a static string kept as the answer's detail. */
int mxr_resolver_fail(mxr_resolver *r, const char *name, size_t namelen, int qtype, uint64_t token, int error,
                      const char *detail);

/* Waits at most wait_ms (0: not at all; -1: until the next deadline) for
 * socket activity, lets c-ares process it and its timeouts, and expires
 * queries past their hard deadline. Returns the number of queued completions. */
size_t mxr_resolver_process(mxr_resolver *r, int wait_ms);

/* Every in-flight query completes with MXR_E_CANCELLED (queued). */
void mxr_resolver_cancel(mxr_resolver *r);

mxr_completion *mxr_resolver_next(mxr_resolver *r);                 /* oldest completion, or NULL */
mxr_completion *mxr_resolver_take(mxr_resolver *r, uint64_t token); /* that query's, or NULL */
void mxr_completion_free(mxr_completion *c);

size_t mxr_resolver_pending(const mxr_resolver *r); /* queries in flight */
size_t mxr_resolver_queued(const mxr_resolver *r);  /* completions not yet taken */

/* Sockets c-ares wants watched: fds[i] with events[i] a mask of
 * MXR_EV_READ/MXR_EV_WRITE. Returns how many there are (may exceed max). */
#define MXR_EV_READ 1
#define MXR_EV_WRITE 2
size_t mxr_resolver_fds(const mxr_resolver *r, int *fds, int *events, size_t max);

/* One descriptor that is readable whenever a socket of the resolver is
 * ready (an epoll set kept in step with c-ares' sockets; Linux), for event
 * loops that watch a single descriptor (cqueues, libuv). Made on first use;
 * closed with the resolver. Returns -1 if it cannot be made. */
int mxr_resolver_pollfd(mxr_resolver *r);

/* Milliseconds until the resolver next needs processing; -1 if nothing is pending. */
int mxr_resolver_timeout_ms(mxr_resolver *r);

const char *mxr_cares_version(void);

double mxr_monotonic(void); /* seconds on a clock that never goes back */

#endif
