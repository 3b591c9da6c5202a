/* mxr_resolver.h: the resolver's one front end, over two transports.
 *
 * Everything a query's life is made of is decided here, once, whatever
 * carries its packets: the packet itself (mxr_query_build), which server is
 * asked and how often (tries per server, failover on the outcomes that say
 * the server and not the name failed, servers that time out remembered and
 * skipped until they earn a retry), the deadlines, how many queries are on
 * the wire at once (the rest wait in order), and the completion queue from
 * which every query gets exactly one completion.
 *
 * Transports only carry bytes:
 *  - MXR_TRANSPORT_CARES: one c-ares channel per server (its sockets are
 *    watched through mxr_resolver_fds/pollfd and driven by
 *    mxr_resolver_process);
 *  - MXR_TRANSPORT_EXTERNAL: the host carries each attempt (one packet to one
 *    server, one answer or failure back): mxr_resolver_outgoing hands out the
 *    next attempt, mxr_resolver_feed takes the outcome. The OpenResty path
 *    uses it with cosockets.
 *
 * c-ares invokes our callbacks from inside ares_process_fd()/ares_cancel();
 * they only parse the answer and queue a completion. Whoever drives the
 * resolver takes completions off the queue afterwards, outside every c-ares
 * frame: that is what lets Lua callbacks issue queries or close the resolver
 * safely. */
#ifndef MXR_RESOLVER_H
#define MXR_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "mxr_answer.h"
#include "mxr_name.h"

typedef struct mxr_resolver mxr_resolver;

#define MXR_DEFAULT_TIMEOUT_MS 2000
#define MXR_DEFAULT_TRIES 2
#define MXR_DEFAULT_MAX_INFLIGHT 4096 /* the most queries on the wire at once (the window adapts below it) */
#define MXR_SEND_BURST 50             /* queries sent between two reads of the sockets, besides one per answer read */
#define MXR_MAX_SERVERS 32

enum mxr_transport { MXR_TRANSPORT_CARES = 0, MXR_TRANSPORT_EXTERNAL = 1 };

typedef struct mxr_options {
  const char *servers; /* "ip:port,[v6]:port" as built by mxr_server_parse; NULL: system configuration */
  double timeout;      /* seconds per try; <= 0: MXR_DEFAULT_TIMEOUT_MS */
  int tries;           /* tries per server; <= 0: MXR_DEFAULT_TRIES */
  int transport;       /* enum mxr_transport */
  int max_inflight;    /* <= 0: MXR_DEFAULT_MAX_INFLIGHT */
  int rotate;          /* first tries spread over the servers in turn, not always the first */
} mxr_options;

enum mxr_completion_kind { MXR_DONE_ANSWER = 1, MXR_DONE_POST = 2 };

typedef struct mxr_completion {
  struct mxr_completion *next;
  uint64_t token; /* the caller's handle for this query */
  int kind;       /* enum mxr_completion_kind */
  int qtype;
  char name[MXR_NAME_MAX + 1];
  char *label; /* the name as the caller gave it, when it differs (malloc'd), or NULL */
  int sink;    /* 0: the main queue; else the sink it was submitted to */
  mxr_answer answer;
} mxr_completion;

/* Server syntax: "ip", "ip:port", "[v6]", "[v6]:port" or a bare IPv6
 * address, spaces around it ignored. Writes the c-ares form into out (at
 * least 64 bytes). Returns 0, or -1 with *why set. */
int mxr_server_parse(const char *s, size_t len, char *out, size_t outlen, const char **why);

/* Returns 0, or -1 with a message in err. */
int mxr_resolver_new(mxr_resolver **out, const mxr_options *opt, char *err, size_t errlen);

/* Between hold and flush (they nest), queries sent leave together at the
 * flush, one system call per socket (see mxr_udp.h); for a caller that
 * submits many at once. mxr_resolver_process holds around its own round. */
void mxr_resolver_hold(mxr_resolver *r);
void mxr_resolver_flush(mxr_resolver *r);

/* Cancels what is in flight and frees everything, queued completions too. */
void mxr_resolver_free(mxr_resolver *r);

/* Starts a query for an already normalised name. The completion always
 * arrives through the queue, never during this call's return. Returns 0, or
 * an mxr_error when not even a completion could be allocated. */
int mxr_resolver_submit(mxr_resolver *r, const char *name, int qtype, uint64_t token);

/* Sinks: a caller that consumes many answers itself (lookup_many) opens a
 * sink and submits to it; those completions are queued apart, never by
 * mxr_resolver_next/take, and taken with mxr_resolver_sink_next. A closed
 * sink frees what it holds and what still arrives for it; its number is
 * reused only once nothing in flight refers to it. */
int mxr_resolver_sink_open(mxr_resolver *r); /* > 0, or -1 when out of memory */
void mxr_resolver_sink_close(mxr_resolver *r, int sink);
mxr_completion *mxr_resolver_sink_next(mxr_resolver *r, int sink);
size_t mxr_resolver_sink_queued(const mxr_resolver *r, int sink);
size_t mxr_resolver_sink_pending(const mxr_resolver *r, int sink); /* in flight, not yet completed */

/* As mxr_resolver_submit, into a sink (0: the main queue), keeping label
 * (the name as given, labellen octets) on the completion when it differs
 * from name. */
int mxr_resolver_submit_to(mxr_resolver *r, const char *name, int qtype, uint64_t token, int sink, const char *label,
                           size_t labellen);

/* Queues a completion that failed before reaching the network (bad name,
 * resolver closing); detail is a static string kept as the answer's detail. */
int mxr_resolver_fail_to(mxr_resolver *r, const char *name, size_t namelen, int qtype, uint64_t token, int sink,
                         int error, const char *detail);
int mxr_resolver_fail(mxr_resolver *r, const char *name, size_t namelen, int qtype, uint64_t token, int error,
                      const char *detail);

/* Queues a MXR_DONE_POST completion: the caller's own work item, delivered
 * in order with the answers (a cache hit handed over from poll()). */
int mxr_resolver_post(mxr_resolver *r, uint64_t token);

/* Waits at most wait_ms (0: not at all; -1: until the next deadline) for
 * socket activity, lets c-ares process it, sends queued queries the window
 * allows, and expires attempts past their deadline. Returns the number of
 * queued completions. With the external transport it never waits. */
size_t mxr_resolver_process(mxr_resolver *r, int wait_ms);

/* Every query in flight or waiting completes with MXR_E_CANCELLED (queued). */
void mxr_resolver_cancel(mxr_resolver *r);

mxr_completion *mxr_resolver_next(mxr_resolver *r);                 /* oldest completion, or NULL */
mxr_completion *mxr_resolver_take(mxr_resolver *r, uint64_t token); /* that query's, or NULL */
void mxr_completion_free(mxr_completion *c);

size_t mxr_resolver_pending(const mxr_resolver *r);               /* queries in flight or waiting for the wire */
size_t mxr_resolver_queued(const mxr_resolver *r);                /* completions not yet taken */
uint64_t mxr_resolver_submitted(const mxr_resolver *r);           /* queries submitted since the start */
int mxr_resolver_inflight(const mxr_resolver *r, uint64_t token); /* that query is not yet completed */

/* The wire window now: how many queries may be on the wire at once (adaptive,
 * at most max_inflight). A bulk loop that keeps about twice this many
 * submitted keeps the wire full without a long queue. */
size_t mxr_resolver_window(const mxr_resolver *r);

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

/* Adds fd (watched for reading) to the descriptor mxr_resolver_pollfd gives,
 * so that one descriptor covers other work driven with the resolver (the
 * SMTP pools' own epoll descriptors). The caller keeps fd open until
 * mxr_resolver_unwatch or the resolver's end. Returns 0, or -1. */
int mxr_resolver_watch(mxr_resolver *r, int fd);
void mxr_resolver_unwatch(mxr_resolver *r, int fd);

/* Milliseconds until the resolver next needs processing; -1 if nothing is pending. */
int mxr_resolver_timeout_ms(mxr_resolver *r);

/* ---- the external transport ------------------------------------------------ */

typedef struct mxr_outgoing {
  uint64_t attempt; /* the key for mxr_resolver_feed */
  uint64_t token;   /* the query's */
  const char *host; /* the server's address ("192.0.2.1", "2001:db8::1") */
  int port;
  const unsigned char *packet; /* valid until the attempt is fed or the resolver processes */
  size_t len;
  unsigned id;    /* the packet's message ID: an answer with another is not ours */
  double timeout; /* seconds to wait for the answer */
} mxr_outgoing;

/* Takes the next attempt to carry (of query `token`, or of any query when
 * token is 0) into *out. Returns 1, or 0 when there is none. */
int mxr_resolver_outgoing(mxr_resolver *r, uint64_t token, mxr_outgoing *out);

/* The outcome of an attempt: the answer's bytes, or (msg NULL) error, one of
 * MXR_E_TIMEOUT, MXR_E_CONNREFUSED, MXR_E_BADRESP. Returns 0 when taken, -1
 * when the attempt is no longer awaited (cancelled, expired, or already
 * fed), -2 when the answer carries another message ID (keep listening). */
int mxr_resolver_feed(mxr_resolver *r, uint64_t attempt, const unsigned char *msg, size_t len, int error);

/* ---- introspection ------------------------------------------------------------ */

size_t mxr_resolver_nservers(const mxr_resolver *r);
/* Server i's address and port; *down is 1 while it is skipped after failures. */
int mxr_resolver_server(const mxr_resolver *r, size_t i, const char **host, int *port, int *down);

const char *mxr_cares_version(void);

double mxr_monotonic(void); /* seconds on a clock that never goes back */

/* Fills buf with unpredictable bytes (getrandom, else /dev/urandom). */
void mxr_random_bytes(unsigned char *buf, size_t len);

#endif
