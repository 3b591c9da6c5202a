/* Declaration-only probe of the c-ares 1.34 API (MIT-licensed c-ares), used by
 * scripts/test.sh to compile src/core against the newer API with -Werror:
 * it catches deprecated calls and signature mismatches. Not for linking. */
#ifndef __CARES_BUILD_H
#define __CARES_BUILD_H
#include <sys/types.h>
#include <sys/socket.h>
#define CARES_TYPEOF_ARES_SOCKLEN_T socklen_t
#define CARES_TYPEOF_ARES_SSIZE_T ssize_t
#endif
