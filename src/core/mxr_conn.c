/* mxr_conn.c: SMTP sessions over non-blocking TCP sockets (see mxr_conn.h). */
#include "mxr_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

enum { S_WAITING, S_CONNECTING, S_OPEN };

typedef struct sess {
  uint64_t id;
  int fd, status, port, err, registered; /* registered: events in the epoll set, -1 none */
  char ip[64];
  mxr_smtp *smtp;
  void *user;
} sess;

struct mxr_conn_pool {
  int per_host, max_active, epfd;
  uint64_t next_id;
  sess *v; /* waiting and running sessions, in the order they came */
  size_t n, cap;
  mxr_conn_done *done; /* finished, not taken: done[dhead..dn) */
  size_t dhead, dn, dcap;
};

int64_t mxr_conn_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mxr_conn_pool *mxr_conn_new(int per_host, int max_active) {
  mxr_conn_pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->per_host = per_host < 1 ? 1 : per_host;
  p->max_active = max_active < 1 ? 1 : max_active;
  p->epfd = -1;
  p->next_id = 1;
  return p;
}

static void close_fd(mxr_conn_pool *p, sess *x) {
  if (x->fd < 0) return;
#ifdef __linux__
  if (p->epfd >= 0 && x->registered >= 0) epoll_ctl(p->epfd, EPOLL_CTL_DEL, x->fd, NULL);
#else
  (void)p;
#endif
  close(x->fd);
  x->fd = -1;
  x->registered = -1;
}

void mxr_conn_free(mxr_conn_pool *p) {
  size_t i;
  if (!p) return;
  for (i = 0; i < p->n; i++) {
    close_fd(p, &p->v[i]);
    mxr_smtp_free(p->v[i].smtp);
  }
  for (i = p->dhead; i < p->dn; i++) mxr_smtp_free(p->done[i].smtp);
  if (p->epfd >= 0) close(p->epfd);
  free(p->v);
  free(p->done);
  free(p);
}

/* Moves session i to the completion queue (its socket closed). */
static void complete(mxr_conn_pool *p, size_t i, int cancelled) {
  sess x = p->v[i];
  mxr_conn_done *d;
  close_fd(p, &x);
  if (p->dhead > 0 && p->dn == p->dcap) { /* reuse the taken front */
    memmove(p->done, p->done + p->dhead, (p->dn - p->dhead) * sizeof *p->done);
    p->dn -= p->dhead;
    p->dhead = 0;
  }
  if (p->dn == p->dcap) {
    size_t cap = p->dcap ? p->dcap * 2 : 16;
    mxr_conn_done *nd = realloc(p->done, cap * sizeof *nd);
    if (!nd) { /* no room to report it: drop the session rather than leak the socket */
      mxr_smtp_free(x.smtp);
      memmove(p->v + i, p->v + i + 1, (p->n - i - 1) * sizeof *p->v);
      p->n--;
      return;
    }
    p->done = nd;
    p->dcap = cap;
  }
  d = &p->done[p->dn++];
  d->id = x.id;
  d->user = x.user;
  d->smtp = x.smtp;
  d->cancelled = cancelled;
  d->sys_errno = x.err;
  memmove(p->v + i, p->v + i + 1, (p->n - i - 1) * sizeof *p->v);
  p->n--;
}

static int parse_ip(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  memset(ss, 0, sizeof *ss);
  if (port < 1 || port > 65535) return -1;
  if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return 0;
  }
  if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof *a6;
    return 0;
  }
  return -1;
}

uint64_t mxr_conn_start(mxr_conn_pool *p, const char *ip, int port, mxr_smtp *s, void *user, int64_t now) {
  struct sockaddr_storage ss;
  socklen_t len;
  sess *x;
  (void)now;
  if (strlen(ip) >= sizeof x->ip || parse_ip(ip, port, &ss, &len) < 0) return 0;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    sess *nv = realloc(p->v, cap * sizeof *nv);
    if (!nv) return 0;
    p->v = nv;
    p->cap = cap;
  }
  x = &p->v[p->n++];
  memset(x, 0, sizeof *x);
  x->id = p->next_id++;
  x->fd = -1;
  x->registered = -1;
  x->status = S_WAITING;
  x->port = port;
  strcpy(x->ip, ip);
  x->smtp = s;
  x->user = user;
  return x->id;
}

static int flush(sess *x) {
  size_t len;
  const char *out;
  while ((out = mxr_smtp_output(x->smtp, &len)) != NULL) {
    ssize_t n = send(x->fd, out, len, MSG_NOSIGNAL);
    if (n > 0) {
      mxr_smtp_sent(x->smtp, (size_t)n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
    return n < 0 ? errno : EPIPE;
  }
  return 0;
}

/* Begins the connection of session x; the engine's connect deadline starts. */
static void begin(sess *x, int64_t now) {
  struct sockaddr_storage ss;
  socklen_t len;
  int fd, flags;
  mxr_smtp_start(x->smtp, now);
  x->status = S_CONNECTING;
  parse_ip(x->ip, x->port, &ss, &len);
  fd = socket(ss.ss_family, SOCK_STREAM, 0);
  if (fd < 0) {
    x->err = errno;
    mxr_smtp_connect_failed(x->smtp, now);
    return;
  }
  flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  x->fd = fd;
  if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
    x->status = S_OPEN;
    mxr_smtp_connected(x->smtp, now);
  } else if (errno != EINPROGRESS && errno != EINTR) {
    x->err = errno;
    mxr_smtp_connect_failed(x->smtp, now);
  }
}

static size_t running_to(const mxr_conn_pool *p, const char *ip, size_t *total) {
  size_t i, n = 0;
  *total = 0;
  for (i = 0; i < p->n; i++) {
    if (p->v[i].status == S_WAITING) continue;
    ++*total;
    if (strcmp(p->v[i].ip, ip) == 0) n++;
  }
  return n;
}

static int events_of(const sess *x) {
  size_t len;
  if (x->fd < 0) return 0;
  if (x->status == S_CONNECTING) return MXR_CONN_WRITE;
  return (mxr_smtp_wants_read(x->smtp) ? MXR_CONN_READ : 0) | (mxr_smtp_output(x->smtp, &len) ? MXR_CONN_WRITE : 0);
}

static void sync_epoll(mxr_conn_pool *p) {
#ifdef __linux__
  size_t i;
  if (p->epfd < 0) return;
  for (i = 0; i < p->n; i++) {
    sess *x = &p->v[i];
    int want = events_of(x);
    struct epoll_event ev;
    if (x->fd < 0 || want == x->registered) continue;
    memset(&ev, 0, sizeof ev);
    ev.events = (want & MXR_CONN_READ ? EPOLLIN : 0) | (want & MXR_CONN_WRITE ? EPOLLOUT : 0);
    ev.data.fd = x->fd;
    epoll_ctl(p->epfd, x->registered < 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, x->fd, &ev);
    x->registered = want;
  }
#else
  (void)p;
#endif
}

/* Finishes done sessions, starts waiting ones within the caps. */
static void settle(mxr_conn_pool *p, int64_t now) {
  size_t i, total;
  for (i = 0; i < p->n;) {
    if (p->v[i].status != S_WAITING && mxr_smtp_done(p->v[i].smtp))
      complete(p, i, 0);
    else
      i++;
  }
  for (i = 0; i < p->n; i++) {
    sess *x = &p->v[i];
    if (x->status != S_WAITING) continue;
    if (running_to(p, x->ip, &total) >= (size_t)p->per_host || total >= (size_t)p->max_active) continue;
    begin(x, now);
    if (mxr_smtp_done(x->smtp)) { /* failed at once: report it, look again from here */
      complete(p, i, 0);
      i--;
    }
  }
  sync_epoll(p);
}

static sess *find(mxr_conn_pool *p, int fd) {
  size_t i;
  if (fd < 0) return NULL;
  for (i = 0; i < p->n; i++)
    if (p->v[i].fd == fd) return &p->v[i];
  return NULL;
}

void mxr_conn_on_ready(mxr_conn_pool *p, int fd, int events, int64_t now) {
  sess *x = find(p, fd);
  char buf[4096];
  int err, rounds;
  socklen_t elen = sizeof err;
  if (!x) return;
  if (x->status == S_CONNECTING) {
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) err = errno;
    if (err == EINPROGRESS || err == EALREADY) return;
    if (err) {
      x->err = err;
      mxr_smtp_connect_failed(x->smtp, now);
    } else {
      x->status = S_OPEN;
      mxr_smtp_connected(x->smtp, now);
    }
    settle(p, now);
    return;
  }
  if (events & MXR_CONN_READ) {
    for (rounds = 0; rounds < 16 && !mxr_smtp_done(x->smtp); rounds++) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        mxr_smtp_feed(x->smtp, buf, (size_t)n, now);
        if ((err = flush(x)) != 0) {
          x->err = err;
          mxr_smtp_eof(x->smtp, now);
        }
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
      if (n < 0) x->err = errno;
      mxr_smtp_eof(x->smtp, now); /* closed, or half-closed: nothing more will come */
      break;
    }
  }
  if (!mxr_smtp_done(x->smtp) && (events & MXR_CONN_WRITE) && (err = flush(x)) != 0) {
    x->err = err;
    mxr_smtp_eof(x->smtp, now);
  }
  settle(p, now);
}

int mxr_conn_timeout_ms(const mxr_conn_pool *p, int64_t now) {
  size_t i, total;
  int64_t best = -1;
  for (i = 0; i < p->n; i++) {
    const sess *x = &p->v[i];
    int64_t d;
    if (x->status == S_WAITING) {
      if (running_to(p, x->ip, &total) < (size_t)p->per_host && total < (size_t)p->max_active) return 0;
      continue;
    }
    d = mxr_smtp_deadline(x->smtp);
    if (d < 0) return 0; /* done: to be settled */
    if (best < 0 || d < best) best = d;
  }
  if (best < 0) return -1;
  return best <= now ? 0 : (best - now > 0x7fffffff ? 0x7fffffff : (int)(best - now));
}

void mxr_conn_tick(mxr_conn_pool *p, int64_t now) {
  size_t i;
  for (i = 0; i < p->n; i++)
    if (p->v[i].status != S_WAITING) mxr_smtp_tick(p->v[i].smtp, now);
  settle(p, now);
}

size_t mxr_conn_fds(const mxr_conn_pool *p, mxr_conn_fd *out, size_t cap) {
  size_t i, k = 0;
  for (i = 0; i < p->n; i++) {
    int ev = events_of(&p->v[i]);
    if (!ev) continue;
    if (k < cap) {
      out[k].fd = p->v[i].fd;
      out[k].events = ev;
    }
    k++;
  }
  return k;
}

int mxr_conn_process(mxr_conn_pool *p, int wait_ms) { return mxr_conn_process_with(p, wait_ms, NULL, 0, NULL); }

#define ROUND_MAX 256
#define EXTRA_MAX 64

int mxr_conn_process_with(mxr_conn_pool *p, int wait_ms, const mxr_conn_fd *extra, size_t nextra, int *extra_ready) {
  struct pollfd pfd[ROUND_MAX + EXTRA_MAX];
  mxr_conn_fd fds[ROUND_MAX];
  size_t n, i, before = p->dn - p->dhead;
  int t, rc;
  int64_t now = mxr_conn_now();
  if (extra_ready) *extra_ready = 0;
  if (nextra > EXTRA_MAX) nextra = EXTRA_MAX;
  settle(p, now);
  n = mxr_conn_fds(p, fds, ROUND_MAX);
  if (n > ROUND_MAX) n = ROUND_MAX; /* the rest waits for the next round */
  t = mxr_conn_timeout_ms(p, now);
  if (wait_ms >= 0 && (t < 0 || wait_ms < t)) t = wait_ms;
  if (n == 0 && nextra == 0 && t < 0) return (int)(p->dn - p->dhead - before);
  for (i = 0; i < n + nextra; i++) {
    const mxr_conn_fd *f = i < n ? &fds[i] : &extra[i - n];
    pfd[i].fd = f->fd;
    pfd[i].events = (short)((f->events & MXR_CONN_READ ? POLLIN : 0) | (f->events & MXR_CONN_WRITE ? POLLOUT : 0));
    pfd[i].revents = 0;
  }
  rc = poll(pfd, (nfds_t)(n + nextra), t);
  for (i = n; rc > 0 && i < n + nextra; i++)
    if (pfd[i].revents && extra_ready) *extra_ready = 1;
  now = mxr_conn_now();
  for (i = 0; rc > 0 && i < n; i++) {
    int ev = 0;
    if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) ev |= MXR_CONN_READ;
    if (pfd[i].revents & (POLLOUT | POLLHUP | POLLERR)) ev |= MXR_CONN_WRITE;
    if (ev) mxr_conn_on_ready(p, pfd[i].fd, ev, now);
  }
  mxr_conn_tick(p, now);
  return (int)(p->dn - p->dhead - before);
}

int mxr_conn_pollfd(mxr_conn_pool *p) {
#ifdef __linux__
  if (p->epfd < 0) {
    size_t i;
    p->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (p->epfd < 0) return -1;
    for (i = 0; i < p->n; i++) p->v[i].registered = -1;
    sync_epoll(p);
  }
  return p->epfd;
#else
  (void)p;
  return -1;
#endif
}

int mxr_conn_next_done(mxr_conn_pool *p, mxr_conn_done *d) {
  if (p->dhead == p->dn) return 0;
  *d = p->done[p->dhead++];
  if (p->dhead == p->dn) p->dhead = p->dn = 0;
  return 1;
}

size_t mxr_conn_active(const mxr_conn_pool *p) { return p->n; }
size_t mxr_conn_finished(const mxr_conn_pool *p) { return p->dn - p->dhead; }

void mxr_conn_cancel_all(mxr_conn_pool *p) {
  while (p->n) complete(p, 0, 1);
}
