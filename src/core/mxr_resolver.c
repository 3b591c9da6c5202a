/* mxr_resolver.c: the resolver's front end (see mxr_resolver.h) and its two
 * transports.
 *
 * A query's life: it is submitted (its packet built once), waits in order
 * while the wire is full, then goes out as attempts, one try on one server
 * each, every attempt with a deadline of `timeout`. An outcome that says the
 * server failed (timeout, SERVFAIL, REFUSED, NOTIMP, FORMERR, a malformed
 * answer, a refused connection) moves the query on: first to servers not yet
 * asked, then back for the tries left; any other outcome completes it. The
 * last server's outcome is the one reported. So a query waits at most
 * timeout x tries per server.
 *
 * Server health (in the spirit of c-ares 1.29's server failover): a server
 * that times out or refuses the connection is skipped by new queries while
 * others are left, and gets one probe after a delay that doubles on each
 * failed probe (1 s up to 30 s); any answer puts it back. The probe is a
 * copy of a query that itself goes to a server that is up (probe_due), so
 * no query waits for a server known dead; with every server down the query
 * itself is the probe. A list with a dead first server then costs one
 * timeout, not one per query.
 *
 * The wire window: at most `window` queries on the wire (adaptive, never
 * above max_inflight), and at most MXR_SEND_BURST sent between two reads of
 * the sockets, the rest waiting in order (retries after a loss ahead of
 * them). A loop that submits 100,000 queries at once would otherwise send
 * them all before reading a single answer, and the socket's receive buffer
 * would drop most answers (seen: 307 of 1,000 lost on loopback). The window
 * is congestion control steered by delay (wire_sample, like TCP Vegas): it
 * grows while the round trip stays near the quickest seen of late and
 * shrinks when answers come back later because queries queue at the server,
 * so it settles near the server's rate x the round trip plus a small queue:
 * tens of queries on loopback, hundreds for a server 20-50 ms away. A packet
 * lost by a server that answers otherwise halves it (at most once per
 * timeout). Losses cannot steer it alone: one is seen a whole timeout later,
 * and a standing queue past a server's socket buffer (about 200 queries for
 * a knotd with the default 208 KB) loses queries all the time.
 *
 * c-ares: one channel per server, with ARES_FLAG_NOCHECKRESP (SERVFAIL and
 * REFUSED reach us instead of becoming ECONNREFUSED) and one try per send
 * (tries, failover and deadlines are ours, so they are the same for every
 * transport and every c-ares version; it also spares us ares_timeout(),
 * which walks every query in flight). Packets are ours (mxr_query_build),
 * sent with ares_send before 1.28 and ares_send_dnsrec from 1.28 on; answers
 * come back as bytes for mxr_answer_parse either way. */
#define _POSIX_C_SOURCE 200809L
#include "mxr_resolver.h"
#include "mxr_udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h> /* ares.h of c-ares 1.18 uses fd_set */
#ifdef __linux__
#include <sys/random.h>
#endif
#include <time.h>
#include <unistd.h>

#include <ares.h>

#if ARES_VERSION >= 0x011c00
#define MXR_ARES_DNSREC 1 /* ares_send_dnsrec + ares_dns_write */
#endif
#if ARES_VERSION >= 0x012200
#define MXR_ARES_UDP_GUARD 1 /* ares_set_socket_functions_ex: see udp_guard() */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#define PACKET_MAX 300        /* 12 + 255 + 4 + 11: the longest query we build */
#define EXTERNAL_GRACE 0.5    /* the host times out its own attempts; this is our backstop */
#define PROBE_DELAY_FIRST 1.0 /* seconds a failed server is skipped, doubling per failed probe */
#define PROBE_DELAY_MAX 30.0
#define DOWN_AFTER 1 /* failures that make a server down (when it has not answered lately) */
#define RTO_MIN 0.25 /* seconds: the shortest try but the last (try_timeout) */
/* The wire window (see the top of this file): starts at WINDOW_START, never
 * below WINDOW_MIN, never above max_inflight. QUEUE_LOW / QUEUE_HIGH bound
 * the queries it lets wait in the server's queue (a knotd with the default
 * 208 KB socket buffer holds about 200). BASE_PERIOD: seconds the base round
 * trip (the quickest round) is remembered, in two halves. The queue
 * bounds were 32-96 at first: behind a 20 ms proxy the window then stalled
 * at 250-450 on jitter alone. */
#define WINDOW_START 64.0
#define WINDOW_MIN 16.0
#define QUEUE_LOW 64.0
#define QUEUE_HIGH 160.0
#define QUEUE_TARGET 112.0
#define WINDOW_GROWTH 0.25     /* per answer while growing fast: x1.25 per round trip */
#define ROUND_MIN_ANSWERS 16.0 /* a round of round trips has at least this many answers, or a window */
#define BASE_PERIOD 10.0
#define RECEIVE_BUFFER (4 << 20) /* bytes asked for each UDP socket (the kernel caps it at net.core.rmem_max) */

typedef struct server {
  char spec[80]; /* the c-ares form, "ip:port" or "[v6]:port" */
  char host[64];
  int port;
  int failures;        /* 0: healthy */
  double down_until;   /* skipped until then, unless nothing else is left */
  int probing;         /* a probe query is out */
  double last_answer;  /* when it last answered anything (0: never) */
  double srtt, rttvar; /* its round trips (RFC 6298's estimators; 0: none yet), for try_timeout */
} server;

struct query;

/* One c-ares send. It outlives its query when detached (deadline passed,
 * cancelled): c-ares still owns the send and calls back later; then only the
 * attempt is freed. */
typedef struct attempt {
  struct query *q; /* NULL once detached */
  mxr_resolver *r;
  size_t server;
  int probe; /* a health probe's copy of a query (send_probe): its outcome only says whether the server lives */
} attempt;

typedef struct query {
  struct query *prev, *next;         /* on the wire (by deadline) or waiting (in order) */
  struct query *out_prev, *out_next; /* external: in the outbox, not yet taken by the host */
  mxr_completion *c;
  attempt *a;          /* c-ares: the current send */
  uint64_t attempt_id; /* external: the current attempt; 0 when none */
  double deadline;
  double sent; /* when the current attempt went out (its round trip feeds the window) */
  int on_wire, in_outbox, probe;
  size_t server, first;
  unsigned char used[MXR_MAX_SERVERS]; /* tries used on each server */
  unsigned id;
  size_t pktlen;
  unsigned char pkt[PACKET_MAX];
} query;

typedef struct qlist {
  query *head, *tail;
  size_t n;
} qlist;

typedef struct sock {
  int fd;
  int events;
  size_t server; /* which channel owns it */
} sock;

/* A sink's completions (see mxr_resolver_sink_open). */
typedef struct sinkq {
  mxr_completion *head, *tail;
  size_t n;    /* queued */
  size_t refs; /* submitted and not yet completed */
  int open;
} sinkq;

typedef struct chan {
  mxr_resolver *r;
  size_t index;
  size_t detached; /* sends given up on by a deadline that c-ares still holds */
} chan;

struct mxr_resolver {
  int transport;
  server *servers;
  size_t nservers;
  ares_channel *channels; /* c-ares: one per server */
  chan *chans;            /* sock_state_cb data, one per channel */
  size_t nchannels;
  double timeout; /* seconds per try */
  int tries;
  size_t max_inflight, unread_sends, rr;
  size_t answers_read;       /* answers the last mxr_resolver_process read: as many may go out again */
  double window;             /* queries allowed on the wire now (wire_sample, wire_loss) */
  double last_shrink;        /* when the window was last halved */
  int window_full;           /* the last release() left queries waiting for the window */
  unsigned char idpool[256]; /* random bytes for query IDs (next_id) */
  size_t idpos;              /* the next unused byte; sizeof idpool: empty */
  /* round trips of answers, by rounds of about one window of answers: the
   * quickest of the round being measured, and of the last one (0: none) */
  double round_min, last_min;
  /* below it the window grows fast (WINDOW_GROWTH per answer), above it by
   * QUEUE_LOW / 2 per round trip: where a queue was seen, or a loss */
  double ssthresh;
  size_t round_n;
  /* the base round trip: the lowest last_min over the last BASE_PERIOD
   * seconds (two halves: the current one and the one before; 0: none) */
  double base_now, base_prev, base_since;
  int rotate;
  qlist wire, waiting;
  query *out_head, *out_tail;
  uint64_t next_attempt;
  mxr_completion *done, *done_tail;
  size_t queued;
  sinkq *sinks;       /* [1..nsinks]; [0] unused */
  uint64_t submitted; /* queries submitted so far (bench/bulk_bench.lua counts DNS queries with it) */
  int nsinks;
  sock *socks;
  size_t nsocks, capsocks;
  int epfd;       /* an epoll descriptor over the sockets (mxr_resolver_pollfd), or -1 */
  int watched[8]; /* other descriptors in that set (mxr_resolver_watch) */
  size_t nwatched;
  struct pollfd *pfds;
  mxr_udp *udp; /* the channels' sockets (c-ares transport) */
};

double mxr_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *mxr_cares_version(void) { return ares_version(NULL); }

void mxr_random_bytes(unsigned char *buf, size_t len) {
  size_t got = 0;
#ifdef __linux__
  while (got < len) {
    ssize_t n = getrandom(buf + got, len - got, 0);
    if (n <= 0) break;
    got += (size_t)n;
  }
#endif
  if (got < len) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    while (fd >= 0 && got < len) {
      ssize_t n = read(fd, buf + got, len - got);
      if (n <= 0) break;
      got += (size_t)n;
    }
    if (fd >= 0) close(fd);
  }
  for (; got < len; got++) buf[got] = (unsigned char)(rand() ^ (int)(mxr_monotonic() * 1e9)); /* no source left */
}

/* ---- servers ------------------------------------------------------------ */

int mxr_server_parse(const char *s, size_t len, char *out, size_t outlen, const char **why) {
  char host[64];
  const char *port = NULL;
  size_t hostlen;
  unsigned char addr[16];
  int v6;

  while (len > 0 && (*s == ' ' || *s == '\t')) s++, len--;
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
  if (len == 0 || memchr(s, '\0', len)) {
    *why = len ? "contains a NUL byte" : "is empty";
    return -1;
  }
  if (s[0] == '[') {
    const char *close = memchr(s, ']', len);
    if (!close) {
      *why = "has '[' without ']'";
      return -1;
    }
    hostlen = (size_t)(close - s - 1);
    if (hostlen >= sizeof host) goto bad_addr;
    memcpy(host, s + 1, hostlen);
    if ((size_t)(close - s) + 1 < len) {
      if (close[1] != ':') {
        *why = "has text after ']' that is not ':port'";
        return -1;
      }
      port = close + 2;
    }
    v6 = 1;
  } else {
    const char *colon = memchr(s, ':', len);
    /* a second colon makes it a bare IPv6 address, which has no port */
    v6 = colon && memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) != NULL;
    hostlen = (colon && !v6) ? (size_t)(colon - s) : len;
    if (colon && !v6) port = colon + 1;
    if (hostlen >= sizeof host) goto bad_addr;
    memcpy(host, s, hostlen);
  }
  host[hostlen] = '\0';
  if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1) goto bad_addr;
  if (port) {
    const char *end = s + len;
    unsigned long p = 0;
    if (port == end) {
      *why = "has an empty port";
      return -1;
    }
    for (; port < end; port++) {
      if (*port < '0' || *port > '9' || (p = p * 10 + (unsigned long)(*port - '0')) > 65535) {
        *why = "has a port that is not a number from 1 to 65535";
        return -1;
      }
    }
    if (p == 0) {
      *why = "has a port that is not a number from 1 to 65535";
      return -1;
    }
    snprintf(out, outlen, v6 ? "[%s]:%lu" : "%s:%lu", host, p);
  } else {
    snprintf(out, outlen, v6 ? "[%s]:53" : "%s:53", host);
  }
  return 0;
bad_addr:
  *why = "is not an IPv4 or IPv6 address";
  return -1;
}

/* ---- sockets ------------------------------------------------------------ */

/* Keeps the epoll set (when there is one) in step with a socket's events. */
static void epoll_update(mxr_resolver *r, int fd, int events, int op) {
  struct epoll_event ev;
  if (r->epfd < 0) return;
  memset(&ev, 0, sizeof ev);
  ev.events = ((events & MXR_EV_READ) ? EPOLLIN : 0) | ((events & MXR_EV_WRITE) ? EPOLLOUT : 0);
  ev.data.fd = fd;
  if (epoll_ctl(r->epfd, op, fd, &ev) < 0 && op == EPOLL_CTL_MOD) epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* The index of fd in r->socks, or r->nsocks when c-ares does not hold it (any more). */
static size_t find_sock(const mxr_resolver *r, int fd) {
  size_t i;
  for (i = 0; i < r->nsocks && r->socks[i].fd != fd; i++) {
  }
  return i;
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable) {
  chan *ch = data;
  mxr_resolver *r = ch->r;
  size_t i = find_sock(r, (int)fd);
  int events = (readable ? MXR_EV_READ : 0) | (writable ? MXR_EV_WRITE : 0);
  if (!events) {
    if (i < r->nsocks) {
      epoll_update(r, (int)fd, 0, EPOLL_CTL_DEL);
      r->socks[i] = r->socks[--r->nsocks];
    }
    return;
  }
  if (i == r->nsocks) {
    if (r->nsocks == r->capsocks) {
      size_t cap = r->capsocks ? r->capsocks * 2 : 8;
      sock *ns = realloc(r->socks, cap * sizeof *ns);
      struct pollfd *np;
      if (ns) r->socks = ns;
      np = ns ? realloc(r->pfds, cap * sizeof *np) : NULL;
      if (np) r->pfds = np;
      if (!ns || !np) return; /* unwatched: the attempt runs into its deadline */
      r->capsocks = cap;
    }
    r->socks[r->nsocks++].fd = (int)fd;
  }
  epoll_update(r, (int)fd, events, EPOLL_CTL_MOD); /* falls back to ADD for a new socket */
  r->socks[i].events = events;
  r->socks[i].server = ch->index;
}

int mxr_resolver_pollfd(mxr_resolver *r) {
  size_t i;
  if (r->epfd >= 0) return r->epfd;
  r->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (r->epfd < 0) return -1;
  for (i = 0; i < r->nsocks; i++) epoll_update(r, r->socks[i].fd, r->socks[i].events, EPOLL_CTL_ADD);
  for (i = 0; i < r->nwatched; i++) epoll_update(r, r->watched[i], MXR_EV_READ, EPOLL_CTL_ADD);
  return r->epfd;
}

int mxr_resolver_watch(mxr_resolver *r, int fd) {
  size_t i;
  for (i = 0; i < r->nwatched; i++)
    if (r->watched[i] == fd) return 0;
  if (fd < 0 || r->nwatched == sizeof r->watched / sizeof r->watched[0]) return -1;
  r->watched[r->nwatched++] = fd;
  epoll_update(r, fd, MXR_EV_READ, EPOLL_CTL_ADD);
  return 0;
}

void mxr_resolver_unwatch(mxr_resolver *r, int fd) {
  size_t i;
  for (i = 0; i < r->nwatched; i++)
    if (r->watched[i] == fd) {
      epoll_update(r, fd, 0, EPOLL_CTL_DEL);
      r->watched[i] = r->watched[--r->nwatched];
      return;
    }
}

size_t mxr_resolver_fds(const mxr_resolver *r, int *fds, int *events, size_t max) {
  size_t i;
  for (i = 0; i < r->nsocks && i < max; i++) {
    fds[i] = r->socks[i].fd;
    events[i] = r->socks[i].events;
  }
  return r->nsocks;
}

/* ---- lists ---------------------------------------------------------------- */

static void list_append(qlist *l, query *q) {
  q->next = NULL;
  q->prev = l->tail;
  if (l->tail)
    l->tail->next = q;
  else
    l->head = q;
  l->tail = q;
  l->n++;
}

static void list_prepend(qlist *l, query *q) {
  q->prev = NULL;
  q->next = l->head;
  if (l->head)
    l->head->prev = q;
  else
    l->tail = q;
  l->head = q;
  l->n++;
}

static void list_remove(qlist *l, query *q) {
  if (q->prev)
    q->prev->next = q->next;
  else
    l->head = q->next;
  if (q->next)
    q->next->prev = q->prev;
  else
    l->tail = q->prev;
  q->prev = q->next = NULL;
  l->n--;
}

static void outbox_remove(mxr_resolver *r, query *q) {
  if (!q->in_outbox) return;
  if (q->out_prev)
    q->out_prev->out_next = q->out_next;
  else
    r->out_head = q->out_next;
  if (q->out_next)
    q->out_next->out_prev = q->out_prev;
  else
    r->out_tail = q->out_prev;
  q->out_prev = q->out_next = NULL;
  q->in_outbox = 0;
}

static void outbox_append(mxr_resolver *r, query *q) {
  q->out_next = NULL;
  q->out_prev = r->out_tail;
  if (r->out_tail)
    r->out_tail->out_next = q;
  else
    r->out_head = q;
  r->out_tail = q;
  q->in_outbox = 1;
}

static void enqueue(mxr_resolver *r, mxr_completion *c) {
  c->next = NULL;
  if (c->sink > 0) {
    sinkq *k = &r->sinks[c->sink];
    k->refs--;
    if (!k->open) {
      mxr_completion_free(c);
      return;
    }
    if (k->tail)
      k->tail->next = c;
    else
      k->head = c;
    k->tail = c;
    k->n++;
    return;
  }
  if (r->done_tail)
    r->done_tail->next = c;
  else
    r->done = c;
  r->done_tail = c;
  r->queued++;
}

mxr_completion *mxr_resolver_next(mxr_resolver *r) {
  mxr_completion *c = r->done;
  if (!c) return NULL;
  r->done = c->next;
  if (!r->done) r->done_tail = NULL;
  r->queued--;
  c->next = NULL;
  return c;
}

mxr_completion *mxr_resolver_take(mxr_resolver *r, uint64_t token) {
  mxr_completion *c, *prev = NULL;
  for (c = r->done; c; prev = c, c = c->next) {
    if (c->token != token) continue;
    if (prev)
      prev->next = c->next;
    else
      r->done = c->next;
    if (r->done_tail == c) r->done_tail = prev;
    r->queued--;
    c->next = NULL;
    return c;
  }
  return NULL;
}

void mxr_completion_free(mxr_completion *c) {
  if (!c) return;
  mxr_answer_free(&c->answer);
  free(c->label);
  free(c);
}

/* ---- sinks ------------------------------------------------------------------ */

int mxr_resolver_sink_open(mxr_resolver *r) {
  int i;
  for (i = 1; i <= r->nsinks; i++)
    if (!r->sinks[i].open && r->sinks[i].refs == 0) break;
  if (i > r->nsinks) {
    sinkq *ns = realloc(r->sinks, (size_t)(r->nsinks + 2) * sizeof *ns);
    if (!ns) return -1;
    r->sinks = ns;
    i = ++r->nsinks;
  }
  memset(&r->sinks[i], 0, sizeof r->sinks[i]);
  r->sinks[i].open = 1;
  return i;
}

static sinkq *sink_of(const mxr_resolver *r, int sink) {
  return (sink > 0 && sink <= r->nsinks && r->sinks[sink].open) ? &r->sinks[sink] : NULL;
}

void mxr_resolver_sink_close(mxr_resolver *r, int sink) {
  sinkq *k = sink_of(r, sink);
  mxr_completion *c;
  if (!k) return;
  k->open = 0;
  while ((c = k->head)) {
    k->head = c->next;
    mxr_completion_free(c);
  }
  k->tail = NULL;
  k->n = 0;
}

mxr_completion *mxr_resolver_sink_next(mxr_resolver *r, int sink) {
  sinkq *k = sink_of(r, sink);
  mxr_completion *c = k ? k->head : NULL;
  if (!c) return NULL;
  k->head = c->next;
  if (!k->head) k->tail = NULL;
  k->n--;
  c->next = NULL;
  return c;
}

size_t mxr_resolver_sink_queued(const mxr_resolver *r, int sink) {
  const sinkq *k = sink_of(r, sink);
  return k ? k->n : 0;
}

size_t mxr_resolver_sink_pending(const mxr_resolver *r, int sink) {
  const sinkq *k = sink_of(r, sink);
  return k ? k->refs : 0;
}

size_t mxr_resolver_pending(const mxr_resolver *r) { return r->wire.n + r->waiting.n; }
uint64_t mxr_resolver_submitted(const mxr_resolver *r) { return r->submitted; }
size_t mxr_resolver_queued(const mxr_resolver *r) { return r->queued; }

int mxr_resolver_inflight(const mxr_resolver *r, uint64_t token) {
  const query *q;
  for (q = r->wire.head; q; q = q->next)
    if (q->c->token == token) return 1;
  for (q = r->waiting.head; q; q = q->next)
    if (q->c->token == token) return 1;
  return 0;
}

size_t mxr_resolver_nservers(const mxr_resolver *r) { return r->nservers; }

int mxr_resolver_server(const mxr_resolver *r, size_t i, const char **host, int *port, int *down) {
  if (i >= r->nservers) return -1;
  *host = r->servers[i].host;
  *port = r->servers[i].port;
  *down = r->servers[i].failures > 0;
  return 0;
}

/* ---- the wire window -------------------------------------------------------- */

/* An answer came back after rtt seconds. Delay-based, like TCP Vegas: the
 * queries waiting in the server's queue are estimated from the quickest
 * round trip of the last round (about one window of answers) against the
 * base one (the quickest round of late) as on_wire x (1 - base / last_min).
 * The quickest of a round, not the mean: a standing queue delays every
 * answer of a round, while jitter on the way (a busy proxy, a scheduler)
 * delays some, and the mean would read 1 ms of jitter at 20 ms as a queue
 * of 5 % of the window.
 *
 * Fewer than QUEUE_LOW while the window is full and more queries wait: it
 * grows, by WINDOW_GROWTH per answer (x1.25 per round trip) until the
 * first queue or loss (ssthresh, as in TCP's slow start), then by
 * QUEUE_LOW / 2 per round trip. More than QUEUE_HIGH: it shrinks by the
 * excess over QUEUE_TARGET within a round trip. So it settles near the
 * bandwidth-delay product plus a few dozen queries: small on loopback, where
 * the client or the server's CPU is the limit (waiting in a queue there only
 * adds delay), large for a server far away (about 1,000 at 20 ms and
 * 40,000 q/s), and without a standing queue that overflows the server's
 * socket buffer (a loss is only seen a whole timeout later, too late to
 * steer by). */
static void wire_sample(mxr_resolver *r, double rtt, double now) {
  double base, queue = 0, w = r->window;
  if (r->transport != MXR_TRANSPORT_CARES) return;
  if (rtt < 1e-6) rtt = 1e-6;
  if (r->round_n == 0 || rtt < r->round_min) r->round_min = rtt;
  if (++r->round_n >= (w > ROUND_MIN_ANSWERS ? w : ROUND_MIN_ANSWERS)) { /* a round: about one round trip */
    r->last_min = r->round_min;
    r->round_n = 0;
    if (now - r->base_since >= BASE_PERIOD / 2) { /* forget the base of long ago: the path may have changed */
      r->base_prev = r->base_now;
      r->base_now = 0;
      r->base_since = now;
    }
    if (r->base_now == 0 || r->last_min < r->base_now) r->base_now = r->last_min;
  }
  base = (r->base_prev > 0 && r->base_prev < r->base_now) ? r->base_prev : r->base_now;
  if (r->last_min > 0) queue = (double)r->wire.n * (1.0 - base / r->last_min);
  if (queue > QUEUE_HIGH) {
    w -= (queue - QUEUE_TARGET) / (w > 1 ? w : 1);
    if (r->ssthresh > w) r->ssthresh = w;
  } else if (queue >= QUEUE_LOW && r->ssthresh > w) {
    r->ssthresh = w; /* the first queue: the window is near the bandwidth-delay product */
  } else if (queue < QUEUE_LOW && r->window_full) {
    w += w < r->ssthresh ? WINDOW_GROWTH : QUEUE_LOW / 2 / (w > 1 ? w : 1);
  }
  if (w > (double)r->max_inflight) w = (double)r->max_inflight;
  r->window = w < WINDOW_MIN ? WINDOW_MIN : w;
}

size_t mxr_resolver_window(const mxr_resolver *r) {
  size_t w = (size_t)r->window;
  return w < r->max_inflight ? w : r->max_inflight;
}

/* A query lost by a server that answers otherwise: most often a full socket
 * buffer (ours or the server's). Fewer on the wire for a while, so that the
 * retries get through (at most once per timeout: one burst of losses halves
 * once). */
static void wire_loss(mxr_resolver *r, double now) {
  if (r->transport != MXR_TRANSPORT_CARES || now - r->last_shrink < r->timeout) return;
  r->window = r->window / 2 < WINDOW_MIN ? WINDOW_MIN : r->window / 2;
  r->ssthresh = r->window;
  r->last_shrink = now;
}

/* ---- server health ---------------------------------------------------------- */

/* May q's next attempt go to server i now? A failed server takes one probe
 * once its delay has passed. */
static int usable(mxr_resolver *r, query *q, size_t i, double now) {
  server *s = &r->servers[i];
  if (s->failures < DOWN_AFTER) return 1;
  if (s->probing || now < s->down_until) return 0;
  s->probing = 1;
  q->probe = 1;
  return 1;
}

/* The server for q's next attempt, or (size_t)-1 when every server has used
 * its tries: servers not yet asked that are up; then the tries left on
 * servers that are up (a lost packet is retried where it was lost, not sent
 * to a server known to be down); then servers not yet asked that are down
 * (the one down longest first); then the tries left anywhere, in order. */
static size_t pick_server(mxr_resolver *r, query *q, double now) {
  size_t k, i, best = (size_t)-1;
  double best_until = 0;
  q->probe = 0;
  for (k = 0; k < r->nservers; k++) {
    i = (q->first + k) % r->nservers;
    if (q->used[i] == 0 && usable(r, q, i, now)) return i;
  }
  for (k = 0; k < r->nservers; k++) {
    i = (q->first + k) % r->nservers;
    if (q->used[i] > 0 && q->used[i] < r->tries && r->servers[i].failures < DOWN_AFTER) return i;
  }
  for (k = 0; k < r->nservers; k++) {
    i = (q->first + k) % r->nservers;
    if (q->used[i] == 0 && (best == (size_t)-1 || r->servers[i].down_until < best_until)) {
      best = i;
      best_until = r->servers[i].down_until;
    }
  }
  if (best != (size_t)-1) return best;
  for (k = 0; k < r->nservers; k++) {
    i = (q->first + k) % r->nservers;
    if (q->used[i] < r->tries) return i;
  }
  return (size_t)-1;
}

/* A probe of server s went unanswered: skipped twice as long as before (up
 * to PROBE_DELAY_MAX). */
static void probe_failed(server *s, double now) {
  double delay = PROBE_DELAY_FIRST;
  int i;
  s->failures++;
  for (i = DOWN_AFTER; i < s->failures && delay < PROBE_DELAY_MAX; i++) delay *= 2;
  s->down_until = now + (delay < PROBE_DELAY_MAX ? delay : PROBE_DELAY_MAX);
  s->probing = 0;
}

/* Records the outcome of q's attempt on its server: an answer of any kind
 * says the server lives; a timeout or a refused connection says it may not. */
static void server_outcome(mxr_resolver *r, query *q, int error, double now) {
  server *s = &r->servers[q->server];
  int failed = error == MXR_E_TIMEOUT || error == MXR_E_CONNREFUSED;
  if (error == MXR_E_CANCELLED) {
    if (q->probe) s->probing = 0;
    return;
  }
  if (!failed) {
    s->failures = 0;
    s->probing = 0;
    s->down_until = 0;
    s->last_answer = now;
    if (!q->probe) {
      double rtt = now - q->sent;
      if (s->srtt <= 0) { /* RFC 6298, 2.2 and 2.3 */
        s->srtt = rtt;
        s->rttvar = rtt / 2;
      } else {
        s->rttvar += ((s->srtt > rtt ? s->srtt - rtt : rtt - s->srtt) - s->rttvar) / 4;
        s->srtt += (rtt - s->srtt) / 8;
      }
      wire_sample(r, rtt, now);
    }
  } else if (s->failures == 0 && s->last_answer > 0 && now - s->last_answer < 2 * r->timeout + 1) {
    /* a server that answered a moment ago lost a packet: not down (it gets
     * the retry, see pick_server); one that stays silent is down soon */
    wire_loss(r, now);
  } else if (s->failures < DOWN_AFTER) {
    if (++s->failures == DOWN_AFTER) s->down_until = now + PROBE_DELAY_FIRST;
  } else if (q->probe) {
    probe_failed(s, now);
  }
  q->probe = 0;
}

/* Outcomes that say something about the server, not the name: worth asking
 * the next server. */
static int try_next_server(int error) {
  switch (error) {
    case MXR_E_TIMEOUT:
    case MXR_E_SERVFAIL:
    case MXR_E_REFUSED:
    case MXR_E_CONNREFUSED:
    case MXR_E_FORMERR:
    case MXR_E_NOTIMP:
    case MXR_E_BADRESP: return 1;
    default: return 0;
  }
}

/* ---- attempts --------------------------------------------------------------- */

#ifdef MXR_ARES_DNSREC
static void on_answer(void *arg, ares_status_t status, size_t timeouts, const ares_dns_record_t *rec);
#else
static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen);
#endif
static void settle(mxr_resolver *r, query *q, int error);
static int window_open(const mxr_resolver *r);

/* Has q a try left on any server? */
static int tries_left(const mxr_resolver *r, const query *q) {
  size_t i;
  for (i = 0; i < r->nservers; i++)
    if (q->used[i] < r->tries) return 1;
  return 0;
}

static void complete(mxr_resolver *r, query *q) {
  enqueue(r, q->c);
  free(q);
}

/* How long q's attempt, just counted in q->used, may take. The last try of a
 * query gets the whole timeout. An earlier one, to a server whose round
 * trips are known, ends sooner, at RFC 6298's retransmission timeout
 * (srtt + 4 x rttvar, at least RTO_MIN): a packet lost behind a server 20 ms
 * away then costs a quarter of a second, not the whole timeout, and a bulk
 * run does not wait a second for its last few names. An answer that comes
 * later than that is most often lost, and the last try still waits for a
 * slow one. */
static double try_timeout(const mxr_resolver *r, const query *q) {
  const server *s = &r->servers[q->server];
  double rto;
  if (r->transport != MXR_TRANSPORT_CARES || s->srtt <= 0 || !tries_left(r, q)) return r->timeout;
  rto = s->srtt + 4 * s->rttvar;
  if (rto < RTO_MIN) rto = RTO_MIN;
  return rto < r->timeout ? rto : r->timeout;
}

/* Puts q on the wire list, which is in order of deadline (try_timeout gives
 * attempts different ones; most go last). */
static void wire_insert(mxr_resolver *r, query *q) {
  query *after = r->wire.tail;
  while (after && after->deadline > q->deadline) after = after->prev;
  if (!after) {
    list_prepend(&r->wire, q);
    return;
  }
  q->prev = after;
  q->next = after->next;
  if (after->next)
    after->next->prev = q;
  else
    r->wire.tail = q;
  after->next = q;
  r->wire.n++;
}

/* A random 16-bit query ID, from a pool refilled from the system's source. */
static unsigned next_id(mxr_resolver *r) {
  unsigned id;
  if (r->idpos + 2 > sizeof r->idpool) {
    mxr_random_bytes(r->idpool, sizeof r->idpool);
    r->idpos = 0;
  }
  id = ((unsigned)r->idpool[r->idpos] << 8) | r->idpool[r->idpos + 1];
  r->idpos += 2;
  return id;
}

/* Sends q's packet to server q->server as a new attempt. Nothing may touch
 * q after the c-ares call: c-ares may call back at once and q move on. */
static void send_attempt(mxr_resolver *r, query *q, double now) {
  q->sent = now;
  q->used[q->server]++;
  q->deadline = now + try_timeout(r, q) + (r->transport == MXR_TRANSPORT_EXTERNAL ? EXTERNAL_GRACE : 0);
  q->on_wire = 1;
  wire_insert(r, q);
  if (r->transport == MXR_TRANSPORT_EXTERNAL) {
    q->attempt_id = ++r->next_attempt;
    outbox_append(r, q);
    return;
  }
  {
    attempt *a = malloc(sizeof *a);
    /* A fresh random ID for every attempt. ares_send (c-ares < 1.28) sends
     * the packet's own ID, and matches an answer to the first query it holds
     * with that ID and question: with one ID for all, a retry's answer went
     * to the attempt before it that c-ares still held (detached: dropped),
     * so a query lost once was lost on every try, and every answer walked
     * the list of all queries in flight. An unguessable ID is also the
     * defence against forged answers. */
    q->id = next_id(r);
    q->pkt[0] = (unsigned char)(q->id >> 8);
    q->pkt[1] = (unsigned char)(q->id & 0xff);
#ifdef MXR_ARES_DNSREC
    ares_dns_record_t *rec = NULL;
    if (a && ares_dns_parse(q->pkt, q->pktlen, 0, &rec) != ARES_SUCCESS) {
      free(a);
      a = NULL;
    }
#endif
    if (!a) { /* out of memory: this attempt fails at once */
      list_remove(&r->wire, q);
      q->on_wire = 0;
      mxr_answer_fail(&q->c->answer, MXR_E_NOMEM);
      complete(r, q);
      return;
    }
    a->q = q;
    a->r = r;
    a->server = q->server;
    a->probe = 0;
    q->a = a;
    r->unread_sends++;
#ifdef MXR_ARES_DNSREC
    ares_send_dnsrec(r->channels[q->server], rec, on_answer, a, NULL);
    ares_dns_record_destroy(rec);
#else
    ares_send(r->channels[q->server], q->pkt, (int)q->pktlen, on_answer, a);
#endif
  }
}

/* Sends a copy of q's packet to server i as its health probe, under an
 * attempt of its own that no query waits for: its answer puts the server
 * back, its timeout doubles the delay to the next probe (cares_done). */
static void send_probe(mxr_resolver *r, query *q, size_t i) {
  attempt *a = malloc(sizeof *a);
  unsigned char pkt[PACKET_MAX];
  unsigned id = next_id(r);
#ifdef MXR_ARES_DNSREC
  ares_dns_record_t *rec = NULL;
#endif
  memcpy(pkt, q->pkt, q->pktlen);
  pkt[0] = (unsigned char)(id >> 8);
  pkt[1] = (unsigned char)(id & 0xff);
#ifdef MXR_ARES_DNSREC
  if (a && ares_dns_parse(pkt, q->pktlen, 0, &rec) != ARES_SUCCESS) {
    free(a);
    a = NULL;
  }
#endif
  if (!a) return; /* out of memory: no probe this time */
  a->q = NULL;
  a->r = r;
  a->server = i;
  a->probe = 1;
  r->servers[i].probing = 1;
  r->chans[i].detached++; /* so that mxr_resolver_process lets c-ares time it out */
#ifdef MXR_ARES_DNSREC
  ares_send_dnsrec(r->channels[i], rec, on_answer, a, NULL);
  ares_dns_record_destroy(rec);
#else
  ares_send(r->channels[i], pkt, (int)q->pktlen, on_answer, a);
#endif
}

/* The outcome of a probe sent by send_probe (its attempt already freed). */
static void probe_done(mxr_resolver *r, size_t i, int status) {
  server *s = &r->servers[i];
  double now = mxr_monotonic();
  s->probing = 0;
  if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION) return;
  if (status == ARES_ETIMEOUT || status == ARES_ECONNREFUSED) {
    probe_failed(s, now);
  } else { /* any answer: it lives */
    s->failures = 0;
    s->down_until = 0;
    s->last_answer = now;
  }
}

/* Health probes ride along with queries: while another server is up, a
 * server that is down and due for its probe gets a copy of q (send_probe),
 * and q itself goes to a server that is up, so that no query waits a whole
 * timeout on a dead server once it is known dead (with the query itself as
 * the probe, each probe cost one query a timeout, and a bulk run in order
 * of completion one slot of its window for that long). With every server
 * down, or the external transport, the query itself is the probe
 * (pick_server, usable). */
static void probe_due(mxr_resolver *r, query *q, double now) {
  size_t i, up = 0;
  if (r->transport != MXR_TRANSPORT_CARES) return;
  for (i = 0; i < r->nservers; i++) up += r->servers[i].failures < DOWN_AFTER;
  if (up == 0) return;
  for (i = 0; i < r->nservers; i++) {
    server *s = &r->servers[i];
    if (s->failures >= DOWN_AFTER && !s->probing && now >= s->down_until) send_probe(r, q, i);
  }
}

/* Starts q's next attempt on the server pick_server chooses, or completes q
 * with its current answer (the last server's outcome) when none is left. */
static void next_attempt(mxr_resolver *r, query *q, double now) {
  size_t s;
  probe_due(r, q, now);
  s = pick_server(r, q, now);
  if (s == (size_t)-1) {
    complete(r, q);
    return;
  }
  q->server = s;
  if (q->c->answer.error) { /* a failed attempt's outcome makes way for the next one's */
    mxr_answer_free(&q->c->answer);
    mxr_answer_fail(&q->c->answer, MXR_E_NONE);
  }
  send_attempt(r, q, now);
}

/* After an attempt of q (off the wire, its answer or error in q->c->answer):
 * health, then the next attempt or the completion. */
static void settle(mxr_resolver *r, query *q, int error) {
  double now = mxr_monotonic();
  server_outcome(r, q, error, now);
  if (!try_next_server(error)) {
    complete(r, q);
    return;
  }
  if (error != MXR_E_TIMEOUT && error != MXR_E_CONNREFUSED)
    q->used[q->server] = (unsigned char)r->tries; /* it answered: asking it again would say the same */
  else if (!window_open(r) && tries_left(r, q)) {
    /* a retry after a loss waits for the window like a new query (ahead of
     * them): the retries of a burst of losses must not go out as one burst
     * into the same full buffer, past a window the loss has just halved */
    list_prepend(&r->waiting, q);
    return;
  }
  next_attempt(r, q, now);
}

/* Takes q off the wire (and the outbox) and detaches its c-ares send. */
static void off_wire(mxr_resolver *r, query *q) {
  if (!q->on_wire) return;
  list_remove(&r->wire, q);
  q->on_wire = 0;
  outbox_remove(r, q);
  q->attempt_id = 0;
  if (q->a) {
    q->a->q = NULL;
    q->a = NULL;
    r->chans[q->server].detached++;
  }
}

/* The outcome of an attempt: bytes (msg), or a transport error. */
static void attempt_done(mxr_resolver *r, query *q, const unsigned char *msg, size_t len, int error) {
  mxr_answer *ans = &q->c->answer;
  off_wire(r, q);
  mxr_answer_free(ans);
  if (msg && len)
    mxr_answer_parse(msg, len, q->c->name, q->c->qtype, ans);
  else
    mxr_answer_fail(ans, error ? error : MXR_E_BADRESP);
  settle(r, q, ans->error);
}

/* ---- c-ares callbacks: no Lua here, only parse and queue ---------------- */

static int status_error(int status) {
  switch (status) {
    case ARES_ETIMEOUT: return MXR_E_TIMEOUT;
    case ARES_ESERVFAIL: return MXR_E_SERVFAIL;
    case ARES_EREFUSED: return MXR_E_REFUSED;
    case ARES_ECONNREFUSED: return MXR_E_CONNREFUSED;
    case ARES_EFORMERR: return MXR_E_FORMERR;
    case ARES_ENOTIMP: return MXR_E_NOTIMP;
    case ARES_EBADNAME: return MXR_E_BADNAME;
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION: return MXR_E_CANCELLED;
    case ARES_ENOMEM: return MXR_E_NOMEM;
    default: return MXR_E_BADRESP;
  }
}

static void cares_done(attempt *a, int status, const unsigned char *msg, size_t len) {
  query *q = a->q;
  mxr_resolver *r = a->r;
  size_t chan_index = a->server;
  int probe = a->probe;
  free(a);
  if (!q) { /* detached: its query has moved on, or a probe (no query) */
    if (r->chans && r->chans[chan_index].detached) r->chans[chan_index].detached--;
    if (probe) probe_done(r, chan_index, status);
    return;
  }
  q->a = NULL;
  r->answers_read++;
  if ((!msg || !len) && (status == ARES_ENOTFOUND || status == ARES_ENODATA)) {
    off_wire(r, q);
    mxr_answer_free(&q->c->answer);
    mxr_answer_fail(&q->c->answer, MXR_E_NONE);
    q->c->answer.status = status == ARES_ENOTFOUND ? MXR_NXDOMAIN : MXR_NODATA;
    settle(r, q, MXR_E_NONE);
    return;
  }
  attempt_done(r, q, msg, len, status == ARES_SUCCESS ? MXR_E_BADRESP : status_error(status));
}

#ifdef MXR_ARES_DNSREC
static void on_answer(void *arg, ares_status_t status, size_t timeouts, const ares_dns_record_t *rec) {
  unsigned char *buf = NULL;
  size_t len = 0;
  (void)timeouts;
  if (rec && ((attempt *)arg)->q && ares_dns_write(rec, &buf, &len) != ARES_SUCCESS) {
    buf = NULL;
    len = 0;
  }
  cares_done(arg, (int)status, buf, len);
  if (buf) ares_free_string(buf);
}
#else
static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
  (void)timeouts;
  cares_done(arg, status, abuf, alen > 0 ? (size_t)alen : 0);
}
#endif

/* The system's servers as a CSV string (malloc'd), for splitting into one
 * channel per server. */
static char *system_servers(ares_channel ch) {
#if ARES_VERSION >= 0x011800
  char *csv = ares_get_servers_csv(ch), *copy;
  if (!csv) return NULL;
  copy = malloc(strlen(csv) + 1);
  if (copy) strcpy(copy, csv);
  ares_free_string(csv);
  return copy;
#else
  struct ares_addr_port_node *list = NULL, *it;
  size_t cap = 1, used = 0;
  char *out;
  if (ares_get_servers_ports(ch, &list) != ARES_SUCCESS) return NULL;
  for (it = list; it; it = it->next) cap += INET6_ADDRSTRLEN + 10;
  out = malloc(cap);
  if (out) {
    out[0] = '\0';
    for (it = list; it; it = it->next) {
      char ip[INET6_ADDRSTRLEN];
      int v6 = it->family == AF_INET6;
      if (!inet_ntop(it->family, v6 ? (const void *)&it->addr.addr6 : (const void *)&it->addr.addr4, ip, sizeof ip))
        continue;
      used += (size_t)snprintf(out + used, cap - used, v6 ? "%s[%s]:%d" : "%s%s:%d", used ? "," : "", ip,
                               it->udp_port ? it->udp_port : 53);
    }
  }
  ares_free_data(list);
  return out;
#endif
}

#ifdef MXR_ARES_UDP_GUARD
/* c-ares 1.34 (unlike 1.18) closes a UDP connection on a datagram that it
 * cannot parse and fails every query on it with ARES_EBADRESP: one bad packet
 * would fail every lookup in flight to that server (seen: a silent name
 * reported as badresp at once, next to a 5-octet answer). So its sockets are
 * the system's, except that no such datagram reaches it. One shorter than a
 * header, or without a question, is dropped, as 1.18 drops it; any other is
 * cut to its header and question with QR clear, so that c-ares hands it to
 * its own query only, and mxr_answer_parse reports that query as badresp, as
 * it does over 1.18. TCP streams pass as they are. */
static size_t udp_guard(unsigned char *m, size_t n) {
  ares_dns_record_t *rec = NULL;
  size_t end = 12;
  if (n < 12) return 0;
  if (ares_dns_parse(m, n, 0, &rec) == ARES_SUCCESS) {
    ares_dns_record_destroy(rec);
    return n;
  }
  if (m[4] != 0 || m[5] != 1) return 0;
  while (end < n && m[end] != 0 && (m[end] & 0xC0) == 0) end += 1u + m[end];
  end += (end < n && (m[end] & 0xC0) == 0xC0) ? 2 : 1; /* a pointer ends the name, as does the root */
  end += 4;                                            /* type, class */
  if (end > n) return 0;
  m[2] &= 0x78; /* keep the opcode; QR, AA, TC, RD clear */
  m[3] = 0;     /* RA, Z, AD, CD clear, rcode NOERROR (an error rcode would make c-ares retry without EDNS) */
  memset(m + 6, 0, 6);
  if (ares_dns_parse(m, end, 0, &rec) != ARES_SUCCESS) return 0;
  ares_dns_record_destroy(rec);
  return end;
}

static ares_ssize_t guard_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags, struct sockaddr *from,
                                   ares_socklen_t *fromlen, void *ud) {
  ares_socklen_t size = fromlen ? *fromlen : 0;
  (void)ud;
  for (;;) {
    ssize_t n = recvfrom(fd, buf, len, flags, from, fromlen);
    size_t kept;
    if (n <= 0 || !from) return n; /* an error, an empty datagram, or TCP */
    if ((kept = udp_guard(buf, (size_t)n)) > 0) return (ares_ssize_t)kept;
    if (fromlen) *fromlen = size; /* dropped: the next datagram, if any */
  }
}

static ares_socket_t guard_socket(int domain, int type, int protocol, void *ud) {
  int fd = socket(domain, type, protocol), one = 1;
  (void)ud;
  if (fd < 0) return ARES_SOCKET_BAD;
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
      (type == SOCK_STREAM && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)) {
    close(fd);
    return ARES_SOCKET_BAD;
  }
  return fd;
}

static int guard_close(ares_socket_t fd, void *ud) {
  (void)ud;
  return close(fd);
}

static int guard_setsockopt(ares_socket_t fd, ares_socket_opt_t opt, const void *val, ares_socklen_t len, void *ud) {
  (void)ud;
  if (opt == ARES_SOCKET_OPT_SENDBUF_SIZE) return setsockopt(fd, SOL_SOCKET, SO_SNDBUF, val, len);
  if (opt == ARES_SOCKET_OPT_RECVBUF_SIZE) return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, val, len);
  errno = ENOSYS; /* c-ares: not supported on purpose (device binding, TCP fast open) */
  return -1;
}

static int guard_connect(ares_socket_t fd, const struct sockaddr *to, ares_socklen_t len, unsigned flags, void *ud) {
  (void)flags;
  (void)ud;
  return connect(fd, to, len);
}

static ares_ssize_t guard_sendto(ares_socket_t fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
                                 ares_socklen_t tolen, void *ud) {
  (void)ud;
  return to ? sendto(fd, buf, len, flags, to, tolen) : send(fd, buf, len, flags);
}

static int guard_getsockname(ares_socket_t fd, struct sockaddr *addr, ares_socklen_t *len, void *ud) {
  (void)ud;
  return getsockname(fd, addr, len);
}

/* NONBLOCKING, as c-ares's own sockets: without it, 1.34 reads one datagram per ares_process_fd */
static const struct ares_socket_functions_ex guard_functions = {1,
                                                                ARES_SOCKFUNC_FLAG_NONBLOCKING,
                                                                guard_socket,
                                                                guard_close,
                                                                guard_setsockopt,
                                                                guard_connect,
                                                                guard_recvfrom,
                                                                guard_sendto,
                                                                guard_getsockname,
                                                                NULL,
                                                                NULL,
                                                                NULL};
#endif

/* ---- lifecycle ---------------------------------------------------------- */

static int new_channel(mxr_resolver *r, size_t index, const char *spec, char *err, size_t errlen) {
  struct ares_options o;
  int rc, mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_RCVBUF;
  memset(&o, 0, sizeof o);
  r->chans[index].r = r;
  r->chans[index].index = index;
  o.sock_state_cb = sock_state;
  o.sock_state_cb_data = &r->chans[index];
  /* NOCHECKRESP: SERVFAIL/REFUSED reach us (see the top of this file). The
   * packets carry their own EDNS OPT record (mxr_query_build). */
  o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH;
  o.timeout = (int)(r->timeout * 1000.0 + 0.5);
  if (o.timeout < 1) o.timeout = 1;
  o.tries = 1;
  o.socket_receive_buffer_size = RECEIVE_BUFFER;
#ifdef ARES_OPT_QUERY_CACHE
  mask |= ARES_OPT_QUERY_CACHE; /* c-ares >= 1.23 caches answers; the Lua layer has its own cache */
  o.qcache_max_ttl = 0;
#endif
  rc = ares_init_options(&r->channels[index], &o, mask);
  if (rc != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares channel: %s", ares_strerror(rc));
    return -1;
  }
  r->nchannels = index + 1;
#ifdef MXR_ARES_UDP_GUARD /* mxr_udp_attach keeps c-ares' own sockets on 1.34: the guard's are these */
  if ((rc = (int)ares_set_socket_functions_ex(r->channels[index], &guard_functions, NULL)) != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares socket functions: %s", ares_strerror(rc));
    return -1;
  }
#endif
  if (r->udp) mxr_udp_attach(r->udp, r->channels[index]);
  if (spec && (rc = ares_set_servers_ports_csv(r->channels[index], spec)) != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares rejected the server '%s': %s", spec, ares_strerror(rc));
    return -1;
  }
  return 0;
}

static void free_channels(mxr_resolver *r) {
  size_t i;
  for (i = 0; i < r->nchannels; i++) ares_destroy(r->channels[i]); /* frees detached attempts */
  r->nchannels = 0;
}

/* Fills server s from its c-ares form ("ip:port" or "[v6]:port"). */
static void set_server(server *s, const char *spec) {
  const char *colon = strrchr(spec, ':');
  size_t n;
  memset(s, 0, sizeof *s);
  snprintf(s->spec, sizeof s->spec, "%s", spec);
  n = colon ? (size_t)(colon - spec) : strlen(spec);
  if (spec[0] == '[') {
    spec++;
    n -= 2;
  }
  if (n >= sizeof s->host) n = sizeof s->host - 1;
  memcpy(s->host, spec, n);
  s->host[n] = '\0';
  s->port = colon ? atoi(colon + 1) : 53;
}

/* The servers' CSV (opt->servers, or the system's), malloc'd. */
static char *server_list(mxr_resolver *r, const mxr_options *opt, char *err, size_t errlen) {
  char *list;
  if (opt && opt->servers) {
    list = malloc(strlen(opt->servers) + 1);
    if (list) strcpy(list, opt->servers);
    return list;
  }
  /* Read the system configuration once with a channel of its own. */
  r->channels = calloc(1, sizeof *r->channels);
  r->chans = calloc(1, sizeof *r->chans);
  list = NULL;
  if (r->channels && r->chans && new_channel(r, 0, NULL, err, errlen) == 0) list = system_servers(r->channels[0]);
  free_channels(r);
  free(r->channels);
  free(r->chans);
  r->channels = NULL;
  r->chans = NULL;
  return list;
}

int mxr_resolver_new(mxr_resolver **out, const mxr_options *opt, char *err, size_t errlen) {
  int rc;
  mxr_resolver *r;
  char *list = NULL, *item, *save = NULL;
  size_t n = 1, i;
  const char *p;

  *out = NULL;
  err[0] = '\0';
  rc = ares_library_init(ARES_LIB_INIT_ALL);
  if (rc != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares initialisation failed: %s", ares_strerror(rc));
    return -1;
  }
  r = calloc(1, sizeof *r);
  if (!r) goto nomem;
  r->epfd = -1;
  r->transport = opt ? opt->transport : MXR_TRANSPORT_CARES;
  r->timeout = (opt && opt->timeout > 0) ? opt->timeout : MXR_DEFAULT_TIMEOUT_MS / 1000.0;
  r->tries = (opt && opt->tries > 0) ? opt->tries : MXR_DEFAULT_TRIES;
  if (r->tries > 255) r->tries = 255;
  r->max_inflight = (opt && opt->max_inflight > 0) ? (size_t)opt->max_inflight : MXR_DEFAULT_MAX_INFLIGHT;
  r->window = WINDOW_START < (double)r->max_inflight ? WINDOW_START : (double)r->max_inflight;
  r->ssthresh = (double)r->max_inflight;
  r->rotate = opt ? opt->rotate : 0;
  r->idpos = sizeof r->idpool;

  list = server_list(r, opt, err, errlen);
  if (!list) {
    if (!err[0]) goto nomem;
    goto fail;
  }
  if (!*list) {
    snprintf(err, errlen, "no DNS servers are configured on this system");
    goto fail;
  }
  for (p = list; *p; p++) n += *p == ',';
  if (n > MXR_MAX_SERVERS) {
    snprintf(err, errlen, "more than %d servers", MXR_MAX_SERVERS);
    goto fail;
  }
  r->servers = calloc(n, sizeof *r->servers);
  if (!r->servers) goto nomem;
  for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save))
    set_server(&r->servers[r->nservers++], item);
  if (r->transport == MXR_TRANSPORT_CARES) {
    if (!(r->udp = mxr_udp_new(RECEIVE_BUFFER))) goto nomem;
    r->channels = calloc(r->nservers, sizeof *r->channels);
    r->chans = calloc(r->nservers, sizeof *r->chans);
    if (!r->channels || !r->chans) goto nomem;
    for (i = 0; i < r->nservers; i++)
      if (new_channel(r, i, r->servers[i].spec, err, errlen) < 0) goto fail;
  }
  free(list);
  *out = r;
  return 0;

nomem:
  snprintf(err, errlen, "out of memory");
fail:
  free(list);
  if (r) {
    free_channels(r);
    mxr_udp_free(r->udp);
    free(r->channels);
    free(r->chans);
    free(r->servers);
    free(r);
  }
  ares_library_cleanup();
  return -1;
}

/* Every query on the wire or waiting completes as cancelled; c-ares then
 * drops its sends (their callbacks only free the detached attempts). */
void mxr_resolver_cancel(mxr_resolver *r) {
  size_t i;
  query *q;
  while ((q = r->wire.head) || (q = r->waiting.head)) {
    if (q->on_wire) {
      server_outcome(r, q, MXR_E_CANCELLED, 0);
      off_wire(r, q);
    } else {
      list_remove(&r->waiting, q);
    }
    mxr_answer_free(&q->c->answer);
    mxr_answer_fail(&q->c->answer, MXR_E_CANCELLED);
    complete(r, q);
  }
  for (i = 0; i < r->nchannels; i++) ares_cancel(r->channels[i]);
}

void mxr_resolver_free(mxr_resolver *r) {
  mxr_completion *c;
  int i;
  if (!r) return;
  mxr_resolver_cancel(r);
  free_channels(r);
  mxr_udp_free(r->udp); /* after the channels, which close their sockets through it */
  while ((c = mxr_resolver_next(r))) mxr_completion_free(c);
  for (i = 1; i <= r->nsinks; i++) mxr_resolver_sink_close(r, i);
  free(r->sinks);
  free(r->channels);
  free(r->chans);
  free(r->servers);
  free(r->socks);
  free(r->pfds);
  if (r->epfd >= 0) close(r->epfd);
  free(r);
  ares_library_cleanup();
}

static mxr_completion *new_completion(const char *name, size_t namelen, int qtype, uint64_t token) {
  mxr_completion *c = malloc(sizeof *c);
  if (!c) return NULL;
  c->next = NULL;
  c->token = token;
  c->kind = MXR_DONE_ANSWER;
  c->qtype = qtype;
  c->label = NULL;
  c->sink = 0;
  if (namelen > MXR_NAME_MAX) namelen = MXR_NAME_MAX;
  memcpy(c->name, name, namelen);
  c->name[namelen] = '\0';
  mxr_answer_fail(&c->answer, MXR_E_NONE);
  return c;
}

/* Puts c into sink (counted as in flight there until it completes). */
static void route(mxr_resolver *r, mxr_completion *c, int sink) {
  if (!sink_of(r, sink)) return;
  c->sink = sink;
  r->sinks[sink].refs++;
}

int mxr_resolver_fail(mxr_resolver *r, const char *name, size_t namelen, int qtype, uint64_t token, int error,
                      const char *detail) {
  return mxr_resolver_fail_to(r, name, namelen, qtype, token, 0, error, detail);
}

int mxr_resolver_fail_to(mxr_resolver *r, const char *name, size_t namelen, int qtype, uint64_t token, int sink,
                         int error, const char *detail) {
  mxr_completion *c = new_completion(name, namelen, qtype, token);
  size_t i;
  if (!c) return MXR_E_NOMEM;
  route(r, c, sink);
  for (i = 0; i < namelen && i < MXR_NAME_MAX; i++) /* the name goes into messages: keep it printable */
    if ((unsigned char)c->name[i] < 0x20 || (unsigned char)c->name[i] >= 0x7f) c->name[i] = '?';
  c->answer.error = error;
  c->answer.detail = detail;
  enqueue(r, c);
  return 0;
}

int mxr_resolver_post(mxr_resolver *r, uint64_t token) {
  mxr_completion *c = new_completion("", 0, 0, token);
  if (!c) return MXR_E_NOMEM;
  c->kind = MXR_DONE_POST;
  enqueue(r, c);
  return 0;
}

/* May one more query go on the wire now? */
static int window_open(const mxr_resolver *r) {
  if (r->transport == MXR_TRANSPORT_EXTERNAL) return 1;
  return r->wire.n < r->max_inflight && (double)r->wire.n < r->window &&
         r->unread_sends < MXR_SEND_BURST + r->answers_read;
}

/* Sends waiting queries, oldest first, while the window allows. */
static void release(mxr_resolver *r) {
  double now = 0;
  while (r->waiting.head && window_open(r)) {
    query *q = r->waiting.head;
    list_remove(&r->waiting, q);
    if (now == 0) now = mxr_monotonic();
    next_attempt(r, q, now);
  }
  /* for wire_sample: did the window itself hold queries back? */
  r->window_full = r->waiting.head != NULL && ((double)r->wire.n >= r->window || r->wire.n >= r->max_inflight);
}

int mxr_resolver_submit(mxr_resolver *r, const char *name, int qtype, uint64_t token) {
  return mxr_resolver_submit_to(r, name, qtype, token, 0, NULL, 0);
}

int mxr_resolver_submit_to(mxr_resolver *r, const char *name, int qtype, uint64_t token, int sink, const char *label,
                           size_t labellen) {
  size_t namelen = strlen(name);
  query *q = malloc(sizeof *q);
  mxr_completion *c = new_completion(name, namelen, qtype, token);
  int len, nomem = !q || !c;
  if (!nomem && label && (labellen != namelen || memcmp(label, name, namelen) != 0)) {
    c->label = malloc(labellen + 1);
    if (c->label) {
      memcpy(c->label, label, labellen);
      c->label[labellen] = '\0';
    }
    nomem = c->label == NULL;
  }
  if (nomem) {
    free(q);
    mxr_completion_free(c);
    return MXR_E_NOMEM;
  }
  memset(q, 0, offsetof(query, pkt)); /* the packet buffer is written by mxr_query_build */
  r->submitted++;
  route(r, c, sink);
  q->c = c;
  if (r->transport == MXR_TRANSPORT_EXTERNAL) { /* c-ares picks its own IDs; ours must be unguessable */
    unsigned char id[2];
    mxr_random_bytes(id, 2);
    q->id = ((unsigned)id[0] << 8) | id[1];
  }
  len = mxr_query_build(name, qtype, q->id, q->pkt, sizeof q->pkt);
  if (len < 0) {
    free(q);
    c->answer.error = MXR_E_BADNAME;
    c->answer.detail = "name cannot be put in a query";
    enqueue(r, c);
    return 0;
  }
  q->pktlen = (size_t)len;
  q->first = r->rotate ? r->rr++ % r->nservers : 0;
  list_append(&r->waiting, q);
  release(r);
  return 0;
}

/* Attempts past their deadline: detach them (c-ares finishes them in the
 * background) and move their queries on, or time them out. */
static void expire(mxr_resolver *r) {
  double t;
  if (!r->wire.head) return;
  t = mxr_monotonic();
  while (r->wire.head && r->wire.head->deadline <= t) {
    query *q = r->wire.head;
    off_wire(r, q);
    mxr_answer_free(&q->c->answer);
    mxr_answer_fail(&q->c->answer, MXR_E_TIMEOUT);
    settle(r, q, MXR_E_TIMEOUT);
  }
}

int mxr_resolver_timeout_ms(mxr_resolver *r) {
  double wait;
  if (!r->wire.head) return r->waiting.head ? 0 : -1;
  wait = r->wire.head->deadline - mxr_monotonic();
  if (wait <= 0) return 0;
  return (int)(wait * 1000.0) + 1; /* round up: waking early only spins */
}

/* Holding: queries sent meanwhile leave together at the flush. */
void mxr_resolver_hold(mxr_resolver *r) {
  if (r->udp) mxr_udp_hold(r->udp);
}

void mxr_resolver_flush(mxr_resolver *r) {
  int fd;
  if (!r->udp) return;
  mxr_udp_flush(r->udp);
  /* a held query whose send failed at once (a refused port): its socket
   * reports it to c-ares on the read it makes now, as a write made at once
   * would have */
  while ((fd = mxr_udp_failed(r->udp)) >= 0) {
    size_t j = find_sock(r, fd);
    if (j < r->nsocks) ares_process_fd(r->channels[r->socks[j].server], fd, ARES_SOCKET_BAD);
  }
}

size_t mxr_resolver_process(mxr_resolver *r, int wait_ms) {
  size_t i, n = r->nsocks;
  int next = mxr_resolver_timeout_ms(r);
  r->answers_read = 0;
  if (r->transport == MXR_TRANSPORT_EXTERNAL) wait_ms = 0;
  if (wait_ms < 0 || (next >= 0 && next < wait_ms)) wait_ms = next;
  if (wait_ms < 0) wait_ms = 0; /* nothing pending: never block */
  for (i = 0; i < n; i++) {
    r->pfds[i].fd = r->socks[i].fd;
    r->pfds[i].events = (short)(((r->socks[i].events & MXR_EV_READ) ? POLLIN : 0) |
                                ((r->socks[i].events & MXR_EV_WRITE) ? POLLOUT : 0));
    r->pfds[i].revents = 0;
  }
  if (n || wait_ms) {
    int ready = poll(n ? r->pfds : NULL, (nfds_t)n, wait_ms);
    mxr_resolver_hold(r); /* what the answers let go out leaves in one batch per socket */
    /* c-ares may open and close sockets from here on (sock_state changes
     * r->socks), so the channel of each ready fd is looked up afresh. */
    for (i = 0; ready > 0 && i < n; i++) {
      struct pollfd p = r->pfds[i];
      size_t j;
      if (!p.revents) continue;
      ready--;
      if ((j = find_sock(r, p.fd)) == r->nsocks) continue; /* closed meanwhile */
      ares_process_fd(r->channels[r->socks[j].server],
                      (p.revents & (POLLIN | POLLERR | POLLHUP)) ? p.fd : ARES_SOCKET_BAD,
                      (p.revents & POLLOUT) ? p.fd : ARES_SOCKET_BAD);
    }
  }
  r->unread_sends = 0; /* the sockets have been read: MXR_SEND_BURST more, and one per answer read */
  /* sends we gave up on that c-ares still holds (a silent server's): let it
   * run its timeouts so that it frees them; nothing to do on channels without */
  for (i = 0; i < r->nchannels; i++)
    if (r->chans[i].detached) ares_process_fd(r->channels[i], ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  if (!(n || wait_ms)) mxr_resolver_hold(r);
  expire(r);
  release(r);
  mxr_resolver_flush(r);
  return r->queued;
}

/* ---- the external transport ------------------------------------------------ */

int mxr_resolver_outgoing(mxr_resolver *r, uint64_t token, mxr_outgoing *out) {
  query *q;
  expire(r);
  for (q = r->out_head; q && token && q->c->token != token; q = q->out_next) {
  }
  if (!q) return 0;
  outbox_remove(r, q);
  out->attempt = q->attempt_id;
  out->token = q->c->token;
  out->host = r->servers[q->server].host;
  out->port = r->servers[q->server].port;
  out->packet = q->pkt;
  out->len = q->pktlen;
  out->id = q->id;
  out->timeout = r->timeout;
  return 1;
}

int mxr_resolver_feed(mxr_resolver *r, uint64_t attempt_id, const unsigned char *msg, size_t len, int error) {
  query *q;
  expire(r);
  for (q = r->wire.head; q && q->attempt_id != attempt_id; q = q->next) {
  }
  if (!q || attempt_id == 0) return -1;
  if (msg && len >= 2 && (((unsigned)msg[0] << 8) | msg[1]) != q->id) return -2;
  attempt_done(r, q, msg, len, msg ? MXR_E_NONE : error);
  return 0;
}
