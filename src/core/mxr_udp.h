/* mxr_udp.h: the sockets under the resolver's c-ares channels, through
 * c-ares' own hook for them (ares_set_socket_functions), so that datagrams
 * move in batches: every answer waiting on a socket comes in with one
 * recvmmsg instead of one recvfrom each, and the queries sent while the
 * resolver works through a round (answers in, the next queries out) leave
 * with one sendmmsg per socket at the end of it. On this kind of machine a
 * system call costs about a microsecond, as much as the rest of a query's
 * work in C (bench/PROFILE.md). TCP passes straight through.
 *
 * Datagrams over 4096 octets are cut there, as c-ares 1.18 cuts them
 * itself (its read buffer); we ask for at most 1232 (EDNS). Part of the
 * lua.h-free core. */
#ifndef MXR_UDP_H
#define MXR_UDP_H

#include <stddef.h>

typedef struct mxr_udp mxr_udp;

mxr_udp *mxr_udp_new(int receive_buffer); /* SO_RCVBUF for its datagram sockets; NULL when out of memory */
void mxr_udp_free(mxr_udp *u);

/* Makes the c-ares channel (an ares_channel) open its sockets through u.
 * Returns 1, or 0 where this c-ares version keeps its own (1.34 and later,
 * for now). */
int mxr_udp_attach(mxr_udp *u, void *channel);

/* While held (calls nest), datagrams written are queued; mxr_udp_flush
 * sends them when the outermost hold ends. */
void mxr_udp_hold(mxr_udp *u);
void mxr_udp_flush(mxr_udp *u);

/* A socket whose queued datagram met an error (a refused port): the next
 * read on it reports that error, as it would have been reported to a write
 * made at once. Returns such a socket, or -1. */
int mxr_udp_failed(mxr_udp *u);

#endif
