/* fuzz_answer.c: libFuzzer target for the DNS answer parser (the code that
 * reads bytes a network peer chose). Build and run:
 *   scripts/fuzz.sh [seconds]
 * The first input byte picks the query type; the rest is the message. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mxr_answer.h"
#include "mxr_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const int types[] = {MXR_T_MX, MXR_T_TXT, MXR_T_A, MXR_T_AAAA};
  mxr_answer ans;
  char name[MXR_NAME_MAX + 1];
  const char *why;
  size_t i;
  if (size < 1) return 0;
  mxr_answer_parse(data + 1, size - 1, types[data[0] & 3], &ans);
  for (i = 0; i < ans.count; i++) /* touch every byte the parser claims to have produced */
    if (ans.records[i].len && memchr(ans.records[i].text, 0x7f, ans.records[i].len)) break;
  mxr_answer_free(&ans);
  mxr_name_normalize((const char *)data, size, name, &why);
  return 0;
}
