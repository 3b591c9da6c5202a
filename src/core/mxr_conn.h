/* mxr_conn.h: SMTP sessions over non-blocking TCP sockets. Part of the
 * lua.h-free core.
 *
 * A pool holds sessions (mxr_smtp engines), each on its own connection to
 * a numeric address and port. It caps connections at once per address
 * (per_host) and in all (max_active); sessions beyond a cap wait in FIFO
 * order and start when a slot frees. It never calls back: a finished
 * session goes to a completion queue that the owner drains with
 * mxr_conn_next_done() after the pool's functions return (so a Lua
 * binding runs its callbacks outside any I/O code, and a callback may
 * start new sessions or cancel).
 *
 * Driving it from an event loop (the resolver's poll()/run()/fds()):
 *   n = mxr_conn_fds(p, fds, cap)        descriptors and their interest
 *   ... wait (poll/epoll/libuv) at most mxr_conn_timeout_ms(p, now) ...
 *   mxr_conn_on_ready(p, fd, ev, now)    for each ready descriptor
 *   mxr_conn_tick(p, now)                deadlines; starts waiting sessions
 *   while (mxr_conn_next_done(p, &d)) { ...read d.smtp...; mxr_smtp_free(d.smtp); }
 * or, standalone, mxr_conn_process(p, wait_ms) does one such round with
 * poll(2). Times are milliseconds on any monotonic clock (mxr_conn_now()).
 * Descriptors change as sessions come and go: ask mxr_conn_fds() again
 * after each round. mxr_conn_pollfd() gives one epoll descriptor over all
 * of them for loops that watch a single fd (cqueues, libuv). */
#ifndef MXR_CONN_H
#define MXR_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "mxr_smtp.h"

#define MXR_CONN_READ 1
#define MXR_CONN_WRITE 2

typedef struct mxr_conn_pool mxr_conn_pool;

typedef struct mxr_conn_fd {
  int fd;
  int events; /* MXR_CONN_READ | MXR_CONN_WRITE */
} mxr_conn_fd;

typedef struct mxr_conn_done {
  uint64_t id;    /* as mxr_conn_start returned it */
  void *user;     /* as given to mxr_conn_start */
  mxr_smtp *smtp; /* the finished engine, results inside; the caller owns it now (mxr_smtp_free) */
  int cancelled;  /* 1: ended by mxr_conn_cancel_all (outcomes may still be pending) */
  int sys_errno;  /* the connect or I/O error, 0 when none */
} mxr_conn_done;

/* per_host: connections at once to one address (>= 1); max_active: in
 * all (>= 1). NULL when out of memory. */
mxr_conn_pool *mxr_conn_new(int per_host, int max_active);
/* Closes every socket and frees every engine, queued completions too. */
void mxr_conn_free(mxr_conn_pool *p);

/* Queues session s (not started: mxr_smtp_start is called here) to ip
 * (numeric IPv4 or IPv6) and port. The pool owns s until it comes back
 * through mxr_conn_next_done. Returns an id (> 0), or 0 when ip is not a
 * numeric address or out of memory (s is then still the caller's). */
uint64_t mxr_conn_start(mxr_conn_pool *p, const char *ip, int port, mxr_smtp *s, void *user, int64_t now);

/* Descriptors to watch: fills up to cap entries, returns how many there
 * are (may exceed cap: call again with room for that many). */
size_t mxr_conn_fds(const mxr_conn_pool *p, mxr_conn_fd *out, size_t cap);
/* fd is ready for events (MXR_CONN_READ/WRITE; an error or hang-up counts
 * as both). Unknown descriptors are ignored. */
void mxr_conn_on_ready(mxr_conn_pool *p, int fd, int events, int64_t now);
/* Milliseconds until the next deadline (0: now), -1 when nothing waits. */
int mxr_conn_timeout_ms(const mxr_conn_pool *p, int64_t now);
/* Ends sessions whose deadline came, starts queued ones within the caps. */
void mxr_conn_tick(mxr_conn_pool *p, int64_t now);
/* One round with poll(2): waits at most wait_ms (-1: until something
 * happens, bounded by the next deadline), handles what is ready, ticks.
 * Returns the number of sessions finished in this round. */
int mxr_conn_process(mxr_conn_pool *p, int wait_ms);
/* The same round also watching extra descriptors (another loop's, such as
 * the resolver's sockets): returns when one of them is ready too, and sets
 * *extra_ready to 1 then (0 otherwise). */
int mxr_conn_process_with(mxr_conn_pool *p, int wait_ms, const mxr_conn_fd *extra, size_t nextra, int *extra_ready);
/* One epoll descriptor readable when any socket of the pool is ready
 * (kept in step by mxr_conn_process/on_ready/tick); -1 on failure. */
int mxr_conn_pollfd(mxr_conn_pool *p);

/* Takes the oldest finished session: 1 and *d filled, or 0 when none. */
int mxr_conn_next_done(mxr_conn_pool *p, mxr_conn_done *d);
/* Sessions queued or connected (not counting finished ones not taken). */
size_t mxr_conn_active(const mxr_conn_pool *p);
/* Finished sessions not taken yet. */
size_t mxr_conn_finished(const mxr_conn_pool *p);
/* Ends every session now (sockets closed; they come back through
 * mxr_conn_next_done with cancelled = 1). */
void mxr_conn_cancel_all(mxr_conn_pool *p);

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t mxr_conn_now(void);

#endif
