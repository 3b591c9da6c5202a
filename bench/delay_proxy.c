/* delay_proxy.c: a UDP proxy on loopback that makes a server look far away
 * (issue 15: "round trips that look real"), for bench/ scripts.
 *
 *   delay_proxy LISTEN_PORT UPSTREAM_PORT RTT_MS [LOSS_PERCENT]
 *
 * Listens on 127.0.0.1:LISTEN_PORT; every datagram from a client goes to
 * 127.0.0.1:UPSTREAM_PORT from one upstream socket, its DNS message ID
 * replaced by the proxy's own (a table of 65,536 entries remembers the client
 * and its ID: clients such as unbound use a new source port per query), and
 * every reply goes back to its client with the original ID;
 * each way waits RTT_MS / 2 (a timerfd with nanosecond resolution), so a round
 * trip gains RTT_MS. Order is kept: every packet waits the same time, so the
 * queue is a FIFO. LOSS_PERCENT (e.g. 1 or 0.5) of the queries are dropped
 * at random. UDP only (DNS answers on this bench fit in 1232 octets). Prints
 * "ready" on stdout once listening; on SIGTERM or SIGINT prints
 * "queries=N replies=N dropped=N overflow=N" on stderr and exits.
 * Linux (epoll, timerfd). A bench tool, not part of mxrecord. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 32768
#define PKT 2048

struct slot {
  int64_t due; /* ns, CLOCK_MONOTONIC */
  int fd;      /* socket to send from */
  struct sockaddr_in to;
  int len;
  unsigned char data[PKT];
};

struct pending { /* by the ID the proxy gave the query */
  struct sockaddr_in client;
  unsigned char id[2]; /* the client's */
  unsigned char used;
};

static struct slot *ring;
static long head, tail; /* items head..tail-1 */
static struct pending pend[65536];
static unsigned next_id;
static volatile sig_atomic_t stop;
static long queries, replies, dropped, overflow;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static void arm(int tfd) {
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  if (head < tail) {
    int64_t due = ring[head % SLOTS].due;
    if (due <= 0) due = 1;
    its.it_value.tv_sec = due / 1000000000;
    its.it_value.tv_nsec = due % 1000000000;
  }
  timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static struct slot *enqueue(int64_t due) {
  struct slot *s;
  if (tail - head >= SLOTS) {
    overflow++;
    return NULL;
  }
  s = &ring[tail % SLOTS];
  s->due = due;
  return s;
}

int main(int argc, char **argv) {
  int lfd, ufd, tfd, ep, bufsize = 8 << 20;
  double rtt_ms, loss;
  int64_t half;
  struct sockaddr_in addr, server;
  struct epoll_event ev, evs[64];
  unsigned seed = (unsigned)now_ns();
  if (argc < 4) {
    fprintf(stderr, "usage: %s LISTEN_PORT UPSTREAM_PORT RTT_MS [LOSS_PERCENT]\n", argv[0]);
    return 2;
  }
  rtt_ms = atof(argv[3]);
  loss = argc > 4 ? atof(argv[4]) / 100.0 : 0.0;
  half = (int64_t)(rtt_ms * 1e6 / 2);
  ring = calloc(SLOTS, sizeof *ring);
  if (!ring) return 1;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server = addr;
  addr.sin_port = htons((uint16_t)atoi(argv[1]));
  server.sin_port = htons((uint16_t)atoi(argv[2]));
  lfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("bind");
    return 1;
  }
  ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (ufd < 0 || connect(ufd, (struct sockaddr *)&server, sizeof server) < 0) {
    perror("connect");
    return 1;
  }
  setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize); /* capped at net.core.rmem_max */
  setsockopt(lfd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
  setsockopt(ufd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof bufsize);
  setsockopt(ufd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof bufsize);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  ep = epoll_create1(0);
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  ev.data.u64 = 1;
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  ev.data.u64 = 2;
  epoll_ctl(ep, EPOLL_CTL_ADD, ufd, &ev);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  printf("ready\n");
  fflush(stdout);

  while (!stop) {
    int n = epoll_wait(ep, evs, 64, 1000), i;
    int64_t t;
    if (n < 0 && errno != EINTR) break;
    t = now_ns();
    for (i = 0; i < n; i++) {
      uint64_t id = evs[i].data.u64;
      if (id == 1) {
        uint64_t expirations;
        if (read(tfd, &expirations, sizeof expirations) < 0) { /* nothing: the queue is checked below */
        }
      } else if (id == 0) {
        for (;;) { /* queries from clients */
          struct sockaddr_in from;
          socklen_t fl = sizeof from;
          struct slot *s = enqueue(t + half);
          unsigned char scratch[PKT];
          ssize_t len = recvfrom(lfd, s ? s->data : scratch, PKT, 0, (struct sockaddr *)&from, &fl);
          struct pending *p;
          if (len < 0) break;
          queries++;
          if (!s || len < 12) continue;
          if (loss > 0 && (double)rand_r(&seed) / RAND_MAX < loss) {
            dropped++;
            continue;
          }
          p = &pend[next_id & 0xffff];
          p->client = from;
          memcpy(p->id, s->data, 2);
          p->used = 1;
          s->data[0] = (unsigned char)((next_id >> 8) & 0xff);
          s->data[1] = (unsigned char)(next_id & 0xff);
          next_id++;
          s->fd = ufd;
          s->len = (int)len;
          s->to.sin_family = 0; /* connected socket: send() */
          tail++;
        }
      } else {
        for (;;) { /* replies from the server */
          struct slot *s = enqueue(t + half);
          unsigned char scratch[PKT];
          ssize_t len = recv(ufd, s ? s->data : scratch, PKT, 0);
          struct pending *p;
          if (len < 0) break;
          replies++;
          if (!s || len < 12) continue;
          p = &pend[(s->data[0] << 8) | s->data[1]];
          if (!p->used) continue; /* answered already */
          p->used = 0;
          memcpy(s->data, p->id, 2);
          s->fd = lfd;
          s->to = p->client;
          s->len = (int)len;
          tail++;
        }
      }
    }
    t = now_ns();
    while (head < tail && ring[head % SLOTS].due <= t) {
      struct slot *s = &ring[head % SLOTS];
      if (s->to.sin_family)
        sendto(s->fd, s->data, (size_t)s->len, 0, (struct sockaddr *)&s->to, sizeof s->to);
      else
        send(s->fd, s->data, (size_t)s->len, 0);
      head++;
    }
    arm(tfd);
  }
  fprintf(stderr, "queries=%ld replies=%ld dropped=%ld overflow=%ld\n", queries, replies, dropped, overflow);
  return 0;
}
