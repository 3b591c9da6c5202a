/* cares_loop.c: the C reference for bench/bulk.sh. A plain loop over c-ares:
 * MX queries for every name in a file, WINDOW of them in flight, sockets
 * watched with poll() as c-ares reports them (ARES_OPT_SOCK_STATE_CB) and
 * driven with ares_process_fd, answers parsed with ares_parse_mx_reply.
 *
 *   cares_loop SERVER:PORT NAMES_FILE [WINDOW [TIMEOUT_MS [TRIES]]]
 *
 * (defaults: window 50, timeout 100 ms, 5 tries, as bench/bulk_bench.lua)
 * Prints "names=N answered=N failed=N seconds=S rate=Q" (queries per second).
 * Built against c-ares 1.18 (Debian 12); a bench tool, not part of mxrecord. */
#define _POSIX_C_SOURCE 200809L
#include <sys/select.h>
#include <sys/time.h>
/* after the system headers ares.h needs */
#include <ares.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FDS 64

static struct pollfd pfds[MAX_FDS];
static int npfds;
static long answered, failed, inflight;

static void sock_state(void *data, ares_socket_t fd, int readable, int writable) {
  int i;
  (void)data;
  for (i = 0; i < npfds; i++)
    if (pfds[i].fd == fd) break;
  if (!readable && !writable) {
    if (i < npfds) pfds[i] = pfds[--npfds];
    return;
  }
  if (i == npfds) {
    if (npfds == MAX_FDS) return;
    npfds++;
  }
  pfds[i].fd = fd;
  pfds[i].events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
}

static void done(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
  struct ares_mx_reply *mx = NULL;
  (void)arg;
  (void)timeouts;
  inflight--;
  if (status == ARES_SUCCESS) {
    if (ares_parse_mx_reply(abuf, alen, &mx) == ARES_SUCCESS) ares_free_data(mx); /* parsed, as mxrecord does */
    answered++;
  } else if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {
    answered++; /* NXDOMAIN and NODATA are answers */
  } else {
    failed++;
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  ares_channel ch;
  struct ares_options opt;
  FILE *f;
  char line[512];
  long names = 0, window;
  int more = 1;
  double t0;
  if (argc < 3) {
    fprintf(stderr, "usage: %s SERVER:PORT NAMES_FILE [WINDOW [TIMEOUT_MS [TRIES]]]\n", argv[0]);
    return 2;
  }
  window = argc > 3 ? atol(argv[3]) : 50;
  f = fopen(argv[2], "r");
  if (!f) {
    perror(argv[2]);
    return 1;
  }
  ares_library_init(ARES_LIB_INIT_ALL);
  memset(&opt, 0, sizeof opt);
  opt.sock_state_cb = sock_state;
  opt.timeout = argc > 4 ? atoi(argv[4]) : 100; /* as bench/bulk_bench.lua: loopback answers in well under 1 ms */
  opt.tries = argc > 5 ? atoi(argv[5]) : 5;
  opt.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
  opt.ednspsz = 1232;
  if (ares_init_options(&ch, &opt,
                        ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS |
                            ARES_OPT_EDNSPSZ) != ARES_SUCCESS ||
      ares_set_servers_ports_csv(ch, argv[1]) != ARES_SUCCESS) {
    fprintf(stderr, "c-ares init failed\n");
    return 1;
  }
  t0 = now();
  while (more || inflight > 0) {
    int i, n;
    struct timeval tv, *tvp;
    while (more && inflight < window) {
      size_t len;
      if (!fgets(line, sizeof line, f)) {
        more = 0;
        break;
      }
      len = strcspn(line, "\r\n");
      line[len] = '\0';
      if (len == 0) continue;
      names++;
      inflight++;
      ares_query(ch, line, 1 /* IN */, 15 /* MX */, done, NULL);
    }
    if (!more && inflight == 0) break; /* an empty file */
    tvp = ares_timeout(ch, NULL, &tv);
    n = poll(pfds, (nfds_t)npfds, tvp ? (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000) : -1);
    if (n <= 0) {
      ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      continue;
    }
    for (i = npfds - 1; i >= 0; i--) {
      ares_socket_t rfd = (pfds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? pfds[i].fd : ARES_SOCKET_BAD;
      ares_socket_t wfd = (pfds[i].revents & POLLOUT) ? pfds[i].fd : ARES_SOCKET_BAD;
      if (i < npfds && (rfd != ARES_SOCKET_BAD || wfd != ARES_SOCKET_BAD)) ares_process_fd(ch, rfd, wfd);
    }
  }
  printf("names=%ld answered=%ld failed=%ld seconds=%.3f rate=%.0f\n", names, answered, failed, now() - t0,
         (double)names / (now() - t0));
  ares_destroy(ch);
  ares_library_cleanup();
  fclose(f);
  return 0;
}
