/* Declaration-only probe of the c-ares 1.34 API (MIT-licensed c-ares), used by
 * scripts/test.sh to compile src/core against the newer API with -Werror:
 * it catches deprecated calls and signature mismatches. Not for linking. */
/* probe: the parts of c-ares 1.34's ares.h that mxrecord touches, with the
 * same deprecation attributes */
#ifndef ARES__H
#define ARES__H
#include "ares_version.h"
#include "ares_build.h"
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/select.h>
#include <netinet/in.h>
typedef CARES_TYPEOF_ARES_SOCKLEN_T ares_socklen_t;
#define CARES_EXTERN __attribute__((visibility("default")))
#define CARES_DEPRECATED_FOR(f) __attribute__((deprecated("Use " #f " instead")))
typedef enum { ARES_SUCCESS = 0, ARES_ENODATA = 1, ARES_EFORMERR = 2, ARES_ESERVFAIL = 3, ARES_ENOTFOUND = 4,
  ARES_ENOTIMP = 5, ARES_EREFUSED = 6, ARES_EBADQUERY = 7, ARES_EBADNAME = 8, ARES_EBADFAMILY = 9,
  ARES_EBADRESP = 10, ARES_ECONNREFUSED = 11, ARES_ETIMEOUT = 12, ARES_EOF = 13, ARES_EFILE = 14,
  ARES_ENOMEM = 15, ARES_EDESTRUCTION = 16, ARES_EBADSTR = 17, ARES_ECANCELLED = 24, ARES_ENOSERVER = 26 } ares_status_t;
#define ARES_FLAG_NOSEARCH    (1 << 5)
#define ARES_FLAG_NOCHECKRESP (1 << 7)
#define ARES_FLAG_EDNS        (1 << 8)
#define ARES_OPT_FLAGS (1 << 0)
#define ARES_OPT_TRIES (1 << 2)
#define ARES_OPT_SOCK_STATE_CB (1 << 9)
#define ARES_OPT_SOCK_RCVBUF (1 << 12)
#define ARES_OPT_TIMEOUTMS (1 << 13)
#define ARES_OPT_EDNSPSZ (1 << 15)
#define ARES_OPT_QUERY_CACHE (1 << 21)
#define ARES_LIB_INIT_ALL (1)
typedef int ares_socket_t;
#define ARES_SOCKET_BAD -1
typedef void (*ares_sock_state_cb)(void *data, ares_socket_t socket_fd, int readable, int writable);
struct apattern;
typedef enum { ARES_EVSYS_DEFAULT = 0 } ares_evsys_t;
struct ares_server_failover_options { unsigned short retry_chance; size_t retry_delay; };
struct ares_options {
  int flags; int timeout; int tries; int ndots; unsigned short udp_port; unsigned short tcp_port;
  int socket_send_buffer_size; int socket_receive_buffer_size; struct in_addr *servers; int nservers;
  char **domains; int ndomains; char *lookups; ares_sock_state_cb sock_state_cb; void *sock_state_cb_data;
  struct apattern *sortlist; int nsort; int ednspsz; char *resolvconf_path; char *hosts_path;
  int udp_max_queries; int maxtimeout; unsigned int qcache_max_ttl; ares_evsys_t evsys;
  struct ares_server_failover_options server_failover_opts;
};
struct timeval;
typedef struct ares_channeldata *ares_channel;
typedef struct ares_channeldata ares_channel_t;
struct ares_in6_addr { union { unsigned char _S6_u8[16]; } _S6_un; };
#include "ares_dns_record.h"
typedef void (*ares_callback)(void *arg, int status, int timeouts, unsigned char *abuf, int alen);
typedef void (*ares_callback_dnsrec)(void *arg, ares_status_t status, size_t timeouts, const ares_dns_record_t *dnsrec);
CARES_EXTERN int ares_library_init(int flags);
CARES_EXTERN void ares_library_cleanup(void);
CARES_EXTERN const char *ares_version(int *version);
CARES_EXTERN int ares_init_options(ares_channel_t **channelptr, const struct ares_options *options, int optmask);
CARES_EXTERN void ares_destroy(ares_channel_t *channel);
CARES_EXTERN void ares_cancel(ares_channel_t *channel);
CARES_EXTERN CARES_DEPRECATED_FOR(ares_send_dnsrec) void ares_send(ares_channel_t *channel, const unsigned char *qbuf, int qlen, ares_callback callback, void *arg);
CARES_EXTERN CARES_DEPRECATED_FOR(ares_query_dnsrec) void ares_query(ares_channel_t *channel, const char *name, int dnsclass, int type, ares_callback callback, void *arg);
CARES_EXTERN ares_status_t ares_send_dnsrec(ares_channel_t *channel, const ares_dns_record_t *dnsrec, ares_callback_dnsrec callback, void *arg, unsigned short *qid);
CARES_EXTERN ares_status_t ares_query_dnsrec(ares_channel_t *channel, const char *name, ares_dns_class_t dnsclass, ares_dns_rec_type_t type, ares_callback_dnsrec callback, void *arg, unsigned short *qid);
CARES_EXTERN CARES_DEPRECATED_FOR(ARES_OPT_EVENT_THREAD or ARES_OPT_SOCK_STATE_CB) int ares_fds(const ares_channel_t *channel, fd_set *read_fds, fd_set *write_fds);
CARES_EXTERN CARES_DEPRECATED_FOR(ARES_OPT_EVENT_THREAD or ARES_OPT_SOCK_STATE_CB) int ares_getsock(const ares_channel_t *channel, ares_socket_t *socks, int numsocks);
CARES_EXTERN struct timeval *ares_timeout(const ares_channel_t *channel, struct timeval *maxtv, struct timeval *tv);
CARES_EXTERN CARES_DEPRECATED_FOR(ares_process_fds) void ares_process(ares_channel_t *channel, fd_set *read_fds, fd_set *write_fds);
CARES_EXTERN void ares_process_fd(ares_channel_t *channel, ares_socket_t read_fd, ares_socket_t write_fd);
CARES_EXTERN CARES_DEPRECATED_FOR(ares_dns_record_create) int ares_create_query(const char *name, int dnsclass, int type, unsigned short id, int rd, unsigned char **buf, int *buflen, int max_udp_size);
CARES_EXTERN int ares_expand_name(const unsigned char *encoded, const unsigned char *abuf, int alen, char **s, long *enclen);
CARES_EXTERN int ares_expand_string(const unsigned char *encoded, const unsigned char *abuf, int alen, unsigned char **s, long *enclen);
struct ares_mx_reply;
CARES_EXTERN CARES_DEPRECATED_FOR(ares_dns_parse) int ares_parse_mx_reply(const unsigned char *abuf, int alen, struct ares_mx_reply **mx_out);
CARES_EXTERN void ares_free_string(void *str);
CARES_EXTERN void ares_free_data(void *dataptr);
CARES_EXTERN const char *ares_strerror(int code);
struct ares_addr_port_node { struct ares_addr_port_node *next; int family; union { struct in_addr addr4; struct ares_in6_addr addr6; } addr; int udp_port; int tcp_port; };
typedef CARES_TYPEOF_ARES_SSIZE_T ares_ssize_t;
typedef enum { ARES_SOCKFUNC_FLAG_NONBLOCKING = 1 << 0 } ares_sockfunc_flags_t;
typedef enum { ARES_SOCKET_OPT_SENDBUF_SIZE, ARES_SOCKET_OPT_RECVBUF_SIZE, ARES_SOCKET_OPT_BIND_DEVICE,
  ARES_SOCKET_OPT_TCP_FASTOPEN } ares_socket_opt_t;
struct ares_socket_functions_ex {
  unsigned int version; unsigned int flags;
  ares_socket_t (*asocket)(int domain, int type, int protocol, void *user_data);
  int (*aclose)(ares_socket_t sock, void *user_data);
  int (*asetsockopt)(ares_socket_t sock, ares_socket_opt_t opt, const void *val, ares_socklen_t val_size, void *user_data);
  int (*aconnect)(ares_socket_t sock, const struct sockaddr *address, ares_socklen_t address_len, unsigned int flags, void *user_data);
  ares_ssize_t (*arecvfrom)(ares_socket_t sock, void *buffer, size_t length, int flags, struct sockaddr *address, ares_socklen_t *address_len, void *user_data);
  ares_ssize_t (*asendto)(ares_socket_t sock, const void *buffer, size_t length, int flags, const struct sockaddr *address, ares_socklen_t address_len, void *user_data);
  int (*agetsockname)(ares_socket_t sock, struct sockaddr *address, ares_socklen_t *address_len, void *user_data);
  int (*abind)(ares_socket_t sock, unsigned int flags, const struct sockaddr *address, socklen_t address_len, void *user_data);
  unsigned int (*aif_nametoindex)(const char *ifname, void *user_data);
  const char *(*aif_indextoname)(unsigned int ifindex, char *ifname_buf, size_t ifname_buf_len, void *user_data);
};
CARES_EXTERN ares_status_t ares_set_socket_functions_ex(ares_channel_t *channel, const struct ares_socket_functions_ex *funcs, void *user_data);
CARES_EXTERN int ares_set_servers_ports_csv(ares_channel_t *channel, const char *servers);
CARES_EXTERN char *ares_get_servers_csv(const ares_channel_t *channel);
CARES_EXTERN CARES_DEPRECATED_FOR(ares_get_servers_csv) int ares_get_servers_ports(const ares_channel_t *channel, struct ares_addr_port_node **servers);
#endif
