/* fuzz_server.c: libFuzzer target for the server-string parser
 * (mxr_server_parse). Invariants: an accepted string gives a c-ares form
 * ("a.b.c.d:port" or "[v6]:port", port 1..65535) that fits the buffer and
 * parses again to itself; a refused one says why. Run by scripts/fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxr_resolver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                \
  do {                          \
    if (!(c)) __builtin_trap(); \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char out[80], again[80];
  const char *why = NULL, *colon;
  unsigned long port;
  if (mxr_server_parse((const char *)data, size, out, sizeof out, &why) < 0) {
    CHECK(why && *why);
    return 0;
  }
  CHECK(memchr(out, '\0', sizeof out) != NULL);
  colon = strrchr(out, ':');
  CHECK(colon && colon[1]);
  port = strtoul(colon + 1, NULL, 10);
  CHECK(port >= 1 && port <= 65535);
  CHECK(mxr_server_parse(out, strlen(out), again, sizeof again, &why) == 0);
  CHECK(strcmp(out, again) == 0);
  return 0;
}
