/* Declaration-only probe of the c-ares 1.34 API (MIT-licensed c-ares), used by
 * scripts/test.sh to compile src/core against the newer API with -Werror:
 * it catches deprecated calls and signature mismatches. Not for linking. */
#ifndef ARES__VERSION_H
#define ARES__VERSION_H
#define ARES_VERSION_MAJOR 1
#define ARES_VERSION_MINOR 34
#define ARES_VERSION_PATCH 5
#define ARES_VERSION ((ARES_VERSION_MAJOR << 16) | (ARES_VERSION_MINOR << 8) | (ARES_VERSION_PATCH))
#define ARES_VERSION_STR "1.34.5"
#endif
