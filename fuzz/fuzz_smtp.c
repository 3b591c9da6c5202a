/* fuzz_smtp.c: libFuzzer target for the SMTP engine: arbitrary bytes from
 * the server. Build and run: scripts/fuzz.sh [seconds] (builds it too).
 * The first input byte chooses the session (addresses, probe, pipelining)
 * and the chunking; the rest is what the server sends. Invariants beyond
 * "no crash": the engine only writes whole lines of at most 512 octets,
 * only EHLO/HELO/MAIL/RCPT/QUIT (never DATA), nothing before the banner, at
 * most one QUIT, nothing once done; a 4xx never becomes "rejected"; and once
 * the server closes, the session is done with every address decided. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mxr_smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_output(mxr_smtp *s, int *quits) {
  size_t len, i, start = 0;
  const char *out = mxr_smtp_output(s, &len);
  if (!len) return;
  if (mxr_smtp_done(s)) __builtin_trap();         /* nothing goes out once done */
  if (mxr_smtp_replies(s) == 0) __builtin_trap(); /* nothing before the banner */
  if (len < 2 || out[len - 2] != '\r' || out[len - 1] != '\n') __builtin_trap();
  for (i = 0; i < len; i++) {
    if (out[i] != '\n') continue;
    if (i + 1 - start > MXR_SMTP_LINE_MAX || i == start || out[i - 1] != '\r') __builtin_trap();
    if (memchr(out + start, '\r', i - 1 - start)) __builtin_trap(); /* no bare CR inside a line */
    if (i - start >= 5 && !memcmp(out + start, "QUIT\r", 5))
      ++*quits;
    else if (i - start < 5 || (memcmp(out + start, "EHLO ", 5) && memcmp(out + start, "HELO ", 5) &&
                               memcmp(out + start, "MAIL ", 5) && memcmp(out + start, "RCPT ", 5)))
      __builtin_trap(); /* never DATA, nor anything else */
    start = i + 1;
  }
  if (*quits > 1) __builtin_trap();
  mxr_smtp_sent(s, len);
}

static void check_outcome(const mxr_smtp_outcome *o, int final) {
  if (o->text_len > MXR_SMTP_TEXT_MAX || strlen(o->text) != o->text_len) __builtin_trap();
  if (final && (o->state == MXR_SMTP_PENDING || o->state >= MXR_SMTP_STATE_COUNT)) __builtin_trap();
  if (o->state == MXR_SMTP_REJECTED && o->code / 100 != 5) __builtin_trap(); /* a 4xx is never a 5xx */
  if (o->state == MXR_SMTP_ACCEPTED && o->code / 100 != 2) __builtin_trap();
  if (o->state == MXR_SMTP_GREYLISTED && o->code / 100 != 4) __builtin_trap();
  if (o->enhanced[0] && o->enhanced[0] != (char)('0' + o->code / 100)) __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const addrs[] = {"a@example.test", "b@example.test", "\"x y\"@example.test"};
  mxr_smtp_options o;
  mxr_smtp *s;
  const char *why;
  size_t i, pos = 1, chunk, n;
  int64_t now = 1000;
  int quits = 0, flags;
  if (size < 1) return 0;
  flags = data[0];
  memset(&o, 0, sizeof o);
  o.helo = "probe.example.test";
  o.from = (flags & 0x40) ? "bounce@example.test" : NULL;
  o.probe = (flags & 1) ? "zz9q7x@example.test" : NULL;
  o.no_pipelining = (flags >> 1) & 1;
  o.command_timeout_ms = 5000;
  s = mxr_smtp_new(&o, &why);
  if (!s) __builtin_trap();
  n = (size_t)((flags >> 2) & 3);
  for (i = 0; i < n; i++)
    if (mxr_smtp_add_rcpt(s, addrs[i], strlen(addrs[i]), &why) != (int)i) __builtin_trap();
  mxr_smtp_start(s, now);
  mxr_smtp_connected(s, now);
  chunk = (size_t)((flags >> 4) & 3) * 7 + 1;
  while (pos < size && !mxr_smtp_done(s)) {
    size_t take = size - pos < chunk ? size - pos : chunk;
    mxr_smtp_feed(s, (const char *)data + pos, take, now);
    pos += take;
    check_output(s, &quits);
    if (flags & 0x80) { /* time passes between chunks */
      now += 1000;
      mxr_smtp_tick(s, now);
    }
    for (i = 0; i < n; i++) check_outcome(mxr_smtp_rcpt(s, i), 0);
  }
  mxr_smtp_eof(s, now);
  if (!mxr_smtp_done(s) || mxr_smtp_deadline(s) != -1) __builtin_trap();
  for (i = 0; i < n; i++) check_outcome(mxr_smtp_rcpt(s, i), 1);
  if (o.probe) check_outcome(mxr_smtp_probe(s), 1);
  mxr_smtp_free(s);
  return 0;
}
