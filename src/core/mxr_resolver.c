/* mxr_resolver.c: drives c-ares and turns its callbacks into a queue.
 *
 * API choice by ARES_VERSION: c-ares 1.28 deprecates ares_query, ares_fds,
 * ares_getsock and the ares_parse_* family. Both sides of that line use the
 * same non-deprecated pieces: ARES_OPT_SOCK_STATE_CB to learn the sockets,
 * ares_process_fd to drive them, ares_timeout for deadlines. Only the query
 * call differs: ares_query (raw answer bytes) before 1.28, ares_query_dnsrec
 * (a parsed record, serialised back with ares_dns_write) from 1.28 on; in
 * both cases mxr_answer_parse reads the bytes, so TTLs and statuses come out
 * the same.
 *
 * One channel per server: without ARES_FLAG_NOCHECKRESP, c-ares 1.18 moves
 * on after a SERVFAIL or REFUSED but finally reports ECONNREFUSED, so the
 * caller cannot tell a failing server from an unreachable one. With the flag
 * c-ares hands us every RCODE but no longer tries other servers. So each
 * server gets a channel of its own (with the flag), and this file moves a
 * query to the next server after a timeout, SERVFAIL, REFUSED, NOTIMP,
 * FORMERR, bad answer or refused connection; the last server's outcome is
 * reported. This behaves the same on every c-ares version.
 *
 * Hard deadline: c-ares 1.18 doubles the timeout on each retry round, so a
 * silent server could hold a query for timeout * (2^tries - 1). The contract
 * is timeout * tries per server, so each attempt carries its own deadline;
 * when it passes, the attempt is left "detached" for c-ares to finish (its
 * callback then only frees it) and the query moves on or times out. */
#define _POSIX_C_SOURCE 200809L
#include "mxr_resolver.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h> /* ares.h of c-ares 1.18 uses fd_set */
#include <unistd.h>
#include <time.h>

#include <ares.h>

#if ARES_VERSION >= 0x011c00
#define MXR_ARES_DNSREC 1 /* ares_query_dnsrec + ares_dns_write */
#endif

typedef struct query {
  struct query *prev, *next;
  mxr_resolver *r; /* NULL once detached by its deadline */
  mxr_completion *c;
  double deadline;
  size_t server; /* index of the channel this attempt runs on */
} query;

typedef struct sock {
  int fd;
  int events;
  size_t server; /* which channel owns it */
} sock;

typedef struct chan {
  mxr_resolver *r;
  size_t index;
} chan;

struct mxr_resolver {
  ares_channel *channels; /* one per server */
  chan *chans;            /* sock_state_cb data, one per channel */
  size_t nchannels;
  double budget;      /* seconds one attempt (one server) may take: timeout * tries */
  query *head, *tail; /* in flight, oldest first: deadlines ascend */
  size_t pending;
  mxr_completion *done, *done_tail;
  size_t queued;
  sock *socks;
  size_t nsocks, capsocks;
  int epfd; /* an epoll descriptor over the sockets (mxr_resolver_pollfd), or -1 */
  struct pollfd *pfds;
};

double mxr_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *mxr_cares_version(void) { return ares_version(NULL); }

/* ---- servers ------------------------------------------------------------ */

int mxr_server_parse(const char *s, size_t len, char *out, size_t outlen, const char **why) {
  char host[64];
  const char *port = NULL;
  size_t hostlen;
  unsigned char addr[16];
  int v6;

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

static void sock_state(void *data, ares_socket_t fd, int readable, int writable) {
  chan *ch = data;
  mxr_resolver *r = ch->r;
  size_t i;
  int events = (readable ? MXR_EV_READ : 0) | (writable ? MXR_EV_WRITE : 0);
  for (i = 0; i < r->nsocks; i++)
    if (r->socks[i].fd == (int)fd) break;
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
  return r->epfd;
}

size_t mxr_resolver_fds(const mxr_resolver *r, int *fds, int *events, size_t max) {
  size_t i;
  for (i = 0; i < r->nsocks && i < max; i++) {
    fds[i] = r->socks[i].fd;
    events[i] = r->socks[i].events;
  }
  return r->nsocks;
}

/* ---- queues ------------------------------------------------------------- */

static void link_query(mxr_resolver *r, query *q) {
  q->next = NULL;
  q->prev = r->tail;
  if (r->tail)
    r->tail->next = q;
  else
    r->head = q;
  r->tail = q;
  r->pending++;
}

static void unlink_query(mxr_resolver *r, query *q) {
  if (q->prev)
    q->prev->next = q->next;
  else
    r->head = q->next;
  if (q->next)
    q->next->prev = q->prev;
  else
    r->tail = q->prev;
  q->prev = q->next = NULL;
  r->pending--;
}

static void enqueue(mxr_resolver *r, mxr_completion *c) {
  c->next = NULL;
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
  free(c);
}

size_t mxr_resolver_pending(const mxr_resolver *r) { return r->pending; }
size_t mxr_resolver_queued(const mxr_resolver *r) { return r->queued; }

/* ---- attempts: one query on one server ---------------------------------- */

#ifdef MXR_ARES_DNSREC
static void on_answer(void *arg, ares_status_t status, size_t timeouts, const ares_dns_record_t *rec);
#else
static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen);
#endif

/* Sends q's question to server q->server, with a fresh deadline. */
static void start_attempt(mxr_resolver *r, query *q) {
  q->r = r;
  q->deadline = mxr_monotonic() + r->budget;
  link_query(r, q);
#ifdef MXR_ARES_DNSREC
  ares_query_dnsrec(r->channels[q->server], q->c->name, ARES_CLASS_IN, (ares_dns_rec_type_t)q->c->qtype, on_answer, q,
                    NULL);
#else
  ares_query(r->channels[q->server], q->c->name, 1 /* C_IN */, q->c->qtype, on_answer, q);
#endif
}

/* Errors that say something about the server, not the name: worth asking
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

/* After attempt q (already unlinked) failed or answered: moves the query to
 * the next server when the outcome says the server, not the name, failed
 * and one is left (q is reused); otherwise queues its completion and frees q. */
static void settle(mxr_resolver *r, query *q) {
  if (try_next_server(q->c->answer.error) && q->server + 1 < r->nchannels) {
    mxr_answer_free(&q->c->answer);
    mxr_answer_fail(&q->c->answer, MXR_E_NONE);
    q->server++;
    start_attempt(r, q);
    return;
  }
  enqueue(r, q->c);
  free(q);
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
    case 26: return MXR_E_NOSERVER; /* ARES_ENOSERVER, only in newer c-ares headers */
    default: return MXR_E_BADRESP;
  }
}

/* Completes attempt q from a c-ares status and, when there is one, the
 * answer's bytes (which carry the RCODE, thanks to ARES_FLAG_NOCHECKRESP). */
static void finish(query *q, int status, const unsigned char *msg, size_t len) {
  mxr_resolver *r = q->r;
  mxr_answer *ans;
  if (!r) { /* detached by its deadline: the query has moved on */
    free(q);
    return;
  }
  unlink_query(r, q);
  ans = &q->c->answer;
  if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION) {
    mxr_answer_fail(ans, MXR_E_CANCELLED);
    enqueue(r, q->c);
    free(q);
    return;
  }
  if (msg && len) {
    mxr_answer_parse(msg, len, q->c->name, q->c->qtype, ans);
  } else if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
    mxr_answer_fail(ans, MXR_E_NONE);
    ans->status = status == ARES_ENOTFOUND ? MXR_NXDOMAIN : MXR_NODATA;
  } else {
    mxr_answer_fail(ans, status == ARES_SUCCESS ? MXR_E_BADRESP : status_error(status));
  }
  settle(r, q);
}

#ifdef MXR_ARES_DNSREC
static void on_answer(void *arg, ares_status_t status, size_t timeouts, const ares_dns_record_t *rec) {
  unsigned char *buf = NULL;
  size_t len = 0;
  (void)timeouts;
  if (rec && ((query *)arg)->r && ares_dns_write(rec, &buf, &len) != ARES_SUCCESS) {
    buf = NULL;
    len = 0;
  }
  finish(arg, (int)status, buf, len);
  if (buf) ares_free_string(buf);
}
#else
static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
  (void)timeouts;
  finish(arg, status, abuf, alen > 0 ? (size_t)alen : 0);
}
#endif

/* ---- lifecycle ---------------------------------------------------------- */

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

static int new_channel(mxr_resolver *r, size_t index, const char *server, int timeout_ms, int tries, char *err,
                       size_t errlen) {
  struct ares_options o;
  int rc;
  memset(&o, 0, sizeof o);
  r->chans[index].r = r;
  r->chans[index].index = index;
  o.sock_state_cb = sock_state;
  o.sock_state_cb_data = &r->chans[index];
  /* NOCHECKRESP: SERVFAIL/REFUSED reach us (see the top of this file).
   * EDNS with the 1232-octet payload of DNS Flag Day 2020: fewer TCP
   * retries for large MX/TXT sets, no IP fragmentation. */
  o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH;
  o.ednspsz = 1232;
  o.timeout = timeout_ms;
  o.tries = tries;
  rc = ares_init_options(
      &r->channels[index], &o,
      ARES_OPT_SOCK_STATE_CB | ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (rc != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares channel: %s", ares_strerror(rc));
    return -1;
  }
  r->nchannels = index + 1;
  if (server && (rc = ares_set_servers_ports_csv(r->channels[index], server)) != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares rejected the server '%s': %s", server, ares_strerror(rc));
    return -1;
  }
  return 0;
}

static void free_channels(mxr_resolver *r) {
  size_t i;
  for (i = 0; i < r->nchannels; i++) ares_destroy(r->channels[i]); /* frees detached attempts */
  r->nchannels = 0;
}

int mxr_resolver_new(mxr_resolver **out, const mxr_options *opt, char *err, size_t errlen) {
  int rc, timeout_ms = MXR_DEFAULT_TIMEOUT_MS, tries = MXR_DEFAULT_TRIES;
  mxr_resolver *r;
  char *list = NULL, *item, *save = NULL;
  size_t n = 1;
  const char *p;

  *out = NULL;
  if (opt && opt->timeout > 0) {
    timeout_ms = (int)(opt->timeout * 1000.0 + 0.5);
    if (timeout_ms < 1) timeout_ms = 1;
  }
  if (opt && opt->tries > 0) tries = opt->tries;
  rc = ares_library_init(ARES_LIB_INIT_ALL);
  if (rc != ARES_SUCCESS) {
    snprintf(err, errlen, "c-ares initialisation failed: %s", ares_strerror(rc));
    return -1;
  }
  r = calloc(1, sizeof *r);
  if (!r) goto nomem;
  r->epfd = -1;
  r->budget = timeout_ms / 1000.0 * tries;

  if (opt && opt->servers) {
    list = malloc(strlen(opt->servers) + 1);
    if (!list) goto nomem;
    strcpy(list, opt->servers);
  } else {
    /* Read the system configuration once, then split it. */
    r->channels = calloc(1, sizeof *r->channels);
    r->chans = calloc(1, sizeof *r->chans);
    if (!r->channels || !r->chans) goto nomem;
    if (new_channel(r, 0, NULL, timeout_ms, tries, err, errlen) < 0) goto fail;
    list = system_servers(r->channels[0]);
    free_channels(r);
    free(r->channels);
    free(r->chans);
    r->channels = NULL;
    r->chans = NULL;
    if (!list) goto nomem;
    if (!*list) {
      snprintf(err, errlen, "no DNS servers are configured on this system");
      goto fail;
    }
  }
  for (p = list; *p; p++) n += *p == ',';
  r->channels = calloc(n, sizeof *r->channels);
  r->chans = calloc(n, sizeof *r->chans);
  if (!r->channels || !r->chans) goto nomem;
  n = 0;
  for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save))
    if (new_channel(r, n++, item, timeout_ms, tries, err, errlen) < 0) goto fail;
  free(list);
  *out = r;
  return 0;

nomem:
  snprintf(err, errlen, "out of memory");
fail:
  free(list);
  if (r) {
    free_channels(r);
    free(r->channels);
    free(r->chans);
    free(r);
  }
  ares_library_cleanup();
  return -1;
}

void mxr_resolver_cancel(mxr_resolver *r) {
  size_t i;
  /* our callback queues each live attempt as cancelled */
  for (i = 0; i < r->nchannels && r->pending; i++) ares_cancel(r->channels[i]);
}

void mxr_resolver_free(mxr_resolver *r) {
  mxr_completion *c;
  if (!r) return;
  mxr_resolver_cancel(r);
  free_channels(r);
  while ((c = mxr_resolver_next(r))) mxr_completion_free(c);
  free(r->channels);
  free(r->chans);
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
  c->qtype = qtype;
  if (namelen > MXR_NAME_MAX) namelen = MXR_NAME_MAX;
  memcpy(c->name, name, namelen);
  c->name[namelen] = '\0';
  mxr_answer_fail(&c->answer, MXR_E_NONE);
  return c;
}

int mxr_resolver_fail(mxr_resolver *r, const char *name, size_t namelen, int qtype, uint64_t token, int error,
                      const char *detail) {
  mxr_completion *c = new_completion(name, namelen, qtype, token);
  size_t i;
  if (!c) return MXR_E_NOMEM;
  for (i = 0; i < namelen && i < MXR_NAME_MAX; i++) /* the name goes into messages: keep it printable */
    if ((unsigned char)c->name[i] < 0x20 || (unsigned char)c->name[i] >= 0x7f) c->name[i] = '?';
  c->answer.error = error;
  c->answer.detail = detail;
  enqueue(r, c);
  return 0;
}

int mxr_resolver_submit(mxr_resolver *r, const char *name, int qtype, uint64_t token) {
  query *q = malloc(sizeof *q);
  mxr_completion *c = new_completion(name, strlen(name), qtype, token);
  if (!q || !c) {
    free(q);
    free(c);
    return MXR_E_NOMEM;
  }
  q->c = c;
  q->server = 0;
  start_attempt(r, q);
  return 0;
}

/* Attempts past their hard deadline: detach them (c-ares finishes them in
 * the background) and move their queries on, or time them out. */
static void expire(mxr_resolver *r) {
  double t = mxr_monotonic();
  while (r->head && r->head->deadline <= t) {
    query *q = r->head, *next = malloc(sizeof *next);
    unlink_query(r, q);
    q->r = NULL; /* c-ares' callback for it will only free it */
    if (!next) { /* cannot move on: report the timeout now */
      mxr_answer_fail(&q->c->answer, MXR_E_TIMEOUT);
      enqueue(r, q->c);
      q->c = NULL;
      continue;
    }
    next->c = q->c;
    next->server = q->server;
    q->c = NULL;
    mxr_answer_fail(&next->c->answer, MXR_E_TIMEOUT);
    settle(r, next);
  }
}

int mxr_resolver_timeout_ms(mxr_resolver *r) {
  struct timeval tv;
  double wait;
  size_t i;
  if (!r->pending) return -1;
  wait = r->head->deadline - mxr_monotonic();
  for (i = 0; i < r->nchannels; i++) {
    struct timeval *tvp = ares_timeout(r->channels[i], NULL, &tv);
    if (tvp) {
      double w = (double)tvp->tv_sec + (double)tvp->tv_usec / 1e6;
      if (w < wait) wait = w;
    }
  }
  if (wait <= 0) return 0;
  return (int)(wait * 1000.0) + 1; /* round up: waking early only spins */
}

size_t mxr_resolver_process(mxr_resolver *r, int wait_ms) {
  size_t i, n = r->nsocks;
  int next = mxr_resolver_timeout_ms(r);
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
    /* c-ares may open and close sockets from here on (sock_state changes
     * r->socks), so the channel of each ready fd is looked up afresh. */
    for (i = 0; ready > 0 && i < n; i++) {
      struct pollfd p = r->pfds[i];
      size_t j;
      if (!p.revents) continue;
      ready--;
      for (j = 0; j < r->nsocks && r->socks[j].fd != p.fd; j++) {
      }
      if (j == r->nsocks) continue; /* closed meanwhile */
      ares_process_fd(r->channels[r->socks[j].server],
                      (p.revents & (POLLIN | POLLERR | POLLHUP)) ? p.fd : ARES_SOCKET_BAD,
                      (p.revents & POLLOUT) ? p.fd : ARES_SOCKET_BAD);
    }
  }
  for (i = 0; i < r->nchannels; i++) /* timeouts and retries */
    ares_process_fd(r->channels[i], ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  expire(r);
  return r->queued;
}
