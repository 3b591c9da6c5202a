/* mxr_udp.c: batched datagram I/O under c-ares (see mxr_udp.h). */
#define _GNU_SOURCE /* recvmmsg, sendmmsg */
#include "mxr_udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h> /* ares.h of c-ares 1.18 uses fd_set */
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ares.h>

#define RECV_SLOTS 16  /* datagrams taken by one recvmmsg */
#define RECV_SLOT 4097 /* c-ares 1.18 reads into MAXENDSSZ + 1 */
#define SEND_SLOTS 64  /* datagrams held per socket before they go anyway */
#define SEND_SLOT 512  /* our queries are at most 300 octets; larger writes go at once */

typedef struct usock {
  int fd, dgram;
  int direct; /* its peer refuses: datagrams go at once, each (see refused) */
  struct sockaddr_storage peer;
  socklen_t peerlen;
  int err;      /* reported by the next read */
  int announce; /* not yet returned by mxr_udp_failed */
  /* received, not yet read by c-ares: rcount datagrams from slot rhead on */
  unsigned char *rbuf;
  struct sockaddr_storage rfrom[RECV_SLOTS];
  socklen_t rfromlen[RECV_SLOTS];
  size_t rlen[RECV_SLOTS];
  int rhead, rcount;
  /* written while held, not yet sent */
  unsigned char *sbuf;
  size_t slen[SEND_SLOTS];
  int scount;
} usock;

/* Peers that refused a datagram (ICMP port unreachable) and have not
 * answered since. The kernel sends that ICMP at most 50 at a time and 1,000
 * a second: a batch of queries to such a peer would mostly go unanswered and
 * time out, where queries sent one by one each learn of the refusal from
 * the previous one's error. So to these peers datagrams go one by one. */
#define REFUSED_MAX 32

struct mxr_udp {
  usock **socks;
  size_t n, cap;
  int held;
  int rcvbuf;
  struct sockaddr_storage refused[REFUSED_MAX];
  socklen_t refusedlen[REFUSED_MAX];
  int nrefused;
};

static int refused_at(const mxr_udp *u, const usock *s) {
  int i;
  for (i = 0; i < u->nrefused; i++)
    if (u->refusedlen[i] == s->peerlen && memcmp(&u->refused[i], &s->peer, s->peerlen) == 0) return i;
  return -1;
}

/* Records that s's peer refuses (on) or answers (off). */
static void mark_refused(mxr_udp *u, usock *s, int on) {
  int i;
  if (!s->peerlen) return;
  i = refused_at(u, s);
  if (on && i < 0 && u->nrefused < REFUSED_MAX) {
    memcpy(&u->refused[u->nrefused], &s->peer, s->peerlen);
    u->refusedlen[u->nrefused++] = s->peerlen;
  } else if (!on && i >= 0) {
    u->refused[i] = u->refused[--u->nrefused];
    u->refusedlen[i] = u->refusedlen[u->nrefused];
  }
  s->direct = on;
}

mxr_udp *mxr_udp_new(int receive_buffer) {
  mxr_udp *u = calloc(1, sizeof *u);
  if (u) u->rcvbuf = receive_buffer;
  return u;
}

static void free_sock(usock *s) {
  free(s->rbuf);
  free(s->sbuf);
  free(s);
}

void mxr_udp_free(mxr_udp *u) {
  size_t i;
  if (!u) return;
  for (i = 0; i < u->n; i++) free_sock(u->socks[i]);
  free(u->socks);
  free(u);
}

/* Sends what s holds, in order; a datagram the kernel refuses is dropped (it
 * times out like a lost one), and a refused port is kept for the read after
 * the answers already read (c-ares then fails that server's queries). */
static void send_held(mxr_udp *u, usock *s) {
  struct mmsghdr msgs[SEND_SLOTS];
  struct iovec iov[SEND_SLOTS];
  int i = 0, k;
  memset(msgs, 0, sizeof msgs[0] * (size_t)s->scount);
  for (k = 0; k < s->scount; k++) {
    iov[k].iov_base = s->sbuf + (size_t)k * SEND_SLOT;
    iov[k].iov_len = s->slen[k];
    msgs[k].msg_hdr.msg_iov = &iov[k];
    msgs[k].msg_hdr.msg_iovlen = 1;
  }
  while (i < s->scount) {
    int sent = sendmmsg(s->fd, msgs + i, (unsigned)(s->scount - i), 0);
    if (sent > 0) {
      i += sent;
    } else if (sent < 0 && errno == EINTR) {
      continue;
    } else if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS || errno == ENOMEM)) {
      break; /* the rest is lost for now: the deadlines retry it */
    } else {
      if (sent < 0 && errno == ECONNREFUSED) { /* the peer refuses: every query to it should hear so */
        s->err = s->announce = errno;
        mark_refused(u, s, 1);
      }
      i++; /* that one is lost (it times out and is retried, as a lost datagram); the others may still go */
    }
  }
  s->scount = 0;
}

void mxr_udp_hold(mxr_udp *u) { u->held++; }

void mxr_udp_flush(mxr_udp *u) {
  size_t i;
  if (u->held > 0 && --u->held > 0) return;
  for (i = 0; i < u->n; i++)
    if (u->socks[i]->scount) send_held(u, u->socks[i]);
}

int mxr_udp_failed(mxr_udp *u) {
  size_t i;
  for (i = 0; i < u->n; i++)
    if (u->socks[i]->announce) {
      u->socks[i]->announce = 0;
      return u->socks[i]->fd;
    }
  return -1;
}

/* ---- the socket functions c-ares calls ---------------------------------- */

#if ARES_VERSION >= 0x012200
/* c-ares 1.34 deprecates ares_set_socket_functions for the _ex form, with
 * other signatures: there the channels keep c-ares' own sockets (and one
 * system call per datagram) for now. */
int mxr_udp_attach(mxr_udp *u, void *channel) {
  (void)u;
  (void)channel;
  return 0;
}
#else
static usock *find(const mxr_udp *u, int fd) {
  size_t i;
  for (i = 0; i < u->n; i++)
    if (u->socks[i]->fd == fd) return u->socks[i];
  return NULL;
}

static ares_socket_t u_socket(int af, int type, int protocol, void *data) {
  mxr_udp *u = data;
  usock *s;
  int fd, one = 1;
  if (u->n == u->cap) {
    size_t cap = u->cap ? u->cap * 2 : 4;
    usock **ns = realloc(u->socks, cap * sizeof *ns);
    if (!ns) {
      errno = ENOMEM;
      return ARES_SOCKET_BAD;
    }
    u->socks = ns;
    u->cap = cap;
  }
  s = calloc(1, sizeof *s);
  if (!s) {
    errno = ENOMEM;
    return ARES_SOCKET_BAD;
  }
  /* what c-ares does to the sockets it makes itself, which it leaves to us here */
  fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    free(s);
    return ARES_SOCKET_BAD;
  }
  s->fd = fd;
  s->dgram = type == SOCK_DGRAM;
  if (s->dgram && u->rcvbuf > 0) (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &u->rcvbuf, sizeof u->rcvbuf);
  if (!s->dgram) (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  u->socks[u->n++] = s;
  return fd;
}

static int u_close(ares_socket_t fd, void *data) {
  mxr_udp *u = data;
  size_t i;
  for (i = 0; i < u->n; i++)
    if (u->socks[i]->fd == (int)fd) {
      free_sock(u->socks[i]); /* what it held goes too: the number may name another socket next */
      u->socks[i] = u->socks[--u->n];
      break;
    }
  return close(fd);
}

static int u_connect(ares_socket_t fd, const struct sockaddr *addr, ares_socklen_t len, void *data) {
  mxr_udp *u = data;
  usock *s = find(u, (int)fd);
  if (s && s->dgram && len <= sizeof s->peer) {
    memcpy(&s->peer, addr, len);
    s->peerlen = len;
    s->direct = refused_at(u, s) >= 0;
  }
  return connect(fd, addr, len);
}

static ares_ssize_t u_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags, struct sockaddr *from,
                               ares_socklen_t *fromlen, void *data) {
  mxr_udp *u = data;
  usock *s = find(u, (int)fd);
  size_t n;
  int k;
  if (!s || !s->dgram) return from ? recvfrom(fd, buf, len, flags, from, fromlen) : recv(fd, buf, len, flags);
  if (s->rcount == 0 && s->err) { /* after the answers already read: a refusal closes the socket */
    errno = s->err;
    s->err = 0;
    return -1;
  }
  if (s->rcount == 0) {
    struct mmsghdr msgs[RECV_SLOTS];
    struct iovec iov[RECV_SLOTS];
    int got;
    if (!s->rbuf && !(s->rbuf = malloc((size_t)RECV_SLOTS * RECV_SLOT)))
      return from ? recvfrom(fd, buf, len, flags, from, fromlen) : recv(fd, buf, len, flags);
    memset(msgs, 0, sizeof msgs);
    for (k = 0; k < RECV_SLOTS; k++) {
      iov[k].iov_base = s->rbuf + (size_t)k * RECV_SLOT;
      iov[k].iov_len = RECV_SLOT;
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_name = &s->rfrom[k];
      msgs[k].msg_hdr.msg_namelen = sizeof s->rfrom[k];
    }
    got = recvmmsg(fd, msgs, RECV_SLOTS, MSG_DONTWAIT, NULL);
    if (got <= 0) { /* errno says why (EAGAIN: nothing more) */
      if (got < 0 && errno == ECONNREFUSED) mark_refused(u, s, 1);
      return -1;
    }
    if (s->direct) mark_refused(u, s, 0); /* it answers again */
    for (k = 0; k < got; k++) {
      s->rlen[k] = msgs[k].msg_len;
      s->rfromlen[k] = msgs[k].msg_hdr.msg_namelen;
    }
    s->rhead = 0;
    s->rcount = got;
  }
  k = s->rhead++;
  s->rcount--;
  n = s->rlen[k] < len ? s->rlen[k] : len;
  memcpy(buf, s->rbuf + (size_t)k * RECV_SLOT, n);
  if (from && fromlen) {
    socklen_t m = s->rfromlen[k] < *fromlen ? s->rfromlen[k] : *fromlen;
    memcpy(from, &s->rfrom[k], m);
    *fromlen = s->rfromlen[k];
  }
  return (ares_ssize_t)n;
}

static ares_ssize_t u_sendv(ares_socket_t fd, const struct iovec *iov, int iovcnt, void *data) {
  mxr_udp *u = data;
  usock *s = find(u, (int)fd);
  size_t total = 0, at = 0;
  int k;
  for (k = 0; k < iovcnt; k++) total += iov[k].iov_len;
  if (!s || !s->dgram || !u->held || s->direct || total > SEND_SLOT) {
    if (s && s->scount) send_held(u, s); /* keep the order */
    return writev(fd, iov, iovcnt);
  }
  if (!s->sbuf && !(s->sbuf = malloc((size_t)SEND_SLOTS * SEND_SLOT))) return writev(fd, iov, iovcnt);
  if (s->scount == SEND_SLOTS) send_held(u, s);
  for (k = 0; k < iovcnt; k++) {
    memcpy(s->sbuf + (size_t)s->scount * SEND_SLOT + at, iov[k].iov_base, iov[k].iov_len);
    at += iov[k].iov_len;
  }
  s->slen[s->scount++] = total;
  return (ares_ssize_t)total;
}

static const struct ares_socket_functions functions = {u_socket, u_close, u_connect, u_recvfrom, u_sendv};

int mxr_udp_attach(mxr_udp *u, void *channel) {
  const char *off = getenv("MXRECORD_UDP_BATCH"); /* "0": c-ares sends and reads each datagram itself (to compare) */
  if (off && strcmp(off, "0") == 0) return 0;
  ares_set_socket_functions((ares_channel)channel, &functions, u);
  return 1;
}
#endif
