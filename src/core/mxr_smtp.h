/* mxr_smtp.h: the SMTP probe dialogue as a sans-I/O state machine.
 * Part of the lua.h-free core.
 *
 * The engine never touches a socket or a clock. Whoever carries the bytes
 * (mxr_conn over non-blocking sockets, or a Lua driver over nginx cosockets)
 * tells it when the connection is up, hands it what the server sent, takes
 * what it wants to send, and tells it the time; the engine says when it next
 * needs attention (mxr_smtp_deadline) and when it is done.
 *
 * Dialogue: banner -> EHLO (HELO when EHLO gets a 5xx) -> MAIL FROM:<from>
 * -> RCPT TO:<probe> (a random local part, for catch-all, when given) ->
 * RCPT TO:<address> for each address (stops at "452 4.5.3 too many
 * recipients": the rest are left MXR_SMTP_UNTRIED for another session) ->
 * QUIT (with no address and no probe: right after EHLO). Never DATA.
 * PIPELINING (RFC 2920) is used when offered and allowed.
 * Replies: RFC 5321 4.2 (multi-line "250-"), enhanced codes RFC 3463,
 * at most MXR_SMTP_LINE_MAX octets a line (RFC 5321 4.5.3.1.5); a longer
 * line, a malformed one, a reply that comes before its command was sent or
 * a close in mid-dialogue is a protocol error. */
#ifndef MXR_SMTP_H
#define MXR_SMTP_H

#include <stddef.h>
#include <stdint.h>

#define MXR_SMTP_LINE_MAX 512 /* octets in a command or reply line, CRLF included */
#define MXR_SMTP_TEXT_MAX 512 /* octets of reply text kept per outcome */
#define MXR_SMTP_RCPT_MAX 100 /* addresses in one session (RFC 5321 4.5.3.1.8 minimum) */
#define MXR_SMTP_PATH_MAX 256 /* octets in a path between the angle brackets */

/* The outcome of one address (or of the catch-all probe). */
enum mxr_smtp_state {
  MXR_SMTP_PENDING = 0, /* not decided yet */
  MXR_SMTP_ACCEPTED,    /* 2xx to RCPT */
  MXR_SMTP_REJECTED,    /* 5xx to RCPT, about the mailbox */
  MXR_SMTP_CATCH_ALL,   /* accepted, and so was the random probe */
  MXR_SMTP_GREYLISTED,  /* 4xx: try later */
  MXR_SMTP_BLOCKED,     /* the server refused the prober (banner, HELO, MAIL, 5.7.x, blocklist text) */
  MXR_SMTP_FULL,        /* x.2.2 mailbox full, or 452/552 without an enhanced code */
  MXR_SMTP_UNREACHABLE, /* no connection, or closed before any reply */
  MXR_SMTP_TIMEOUT,     /* connect or a reply did not come in time */
  MXR_SMTP_PROTOCOL,    /* garbage, broken replies, closed in mid-dialogue */
  MXR_SMTP_UNTRIED,     /* the server's recipient limit came first: ask again in a new session */
  MXR_SMTP_STATE_COUNT
};

/* Where in the dialogue an outcome was decided. */
enum mxr_smtp_stage {
  MXR_SMTP_AT_CONNECT = 0,
  MXR_SMTP_AT_BANNER,
  MXR_SMTP_AT_HELO,
  MXR_SMTP_AT_MAIL,
  MXR_SMTP_AT_RCPT,
  MXR_SMTP_STAGE_COUNT
};

typedef struct mxr_smtp_outcome {
  int state;                        /* enum mxr_smtp_state */
  int stage;                        /* enum mxr_smtp_stage */
  int code;                         /* the reply code, 0 when none (timeout, close, connect) */
  char enhanced[16];                /* "5.1.1", "" when none */
  char text[MXR_SMTP_TEXT_MAX + 1]; /* the reply's text (lines joined by a space), NUL-terminated, controls as '?' */
  size_t text_len;
} mxr_smtp_outcome;

typedef struct mxr_smtp_options {
  const char *helo;       /* name for EHLO/HELO (required) */
  const char *from;       /* reverse path, NULL or "" for the null sender <> */
  const char *probe;      /* full address with a random local part, NULL: no catch-all probe */
  int connect_timeout_ms; /* 0: 30000 */
  int command_timeout_ms; /* per reply; 0: 60000 */
  int no_pipelining;      /* 1: one command at a time even when PIPELINING is offered */
} mxr_smtp_options;

typedef struct mxr_smtp mxr_smtp;

/* A new session (not connected yet). Copies every string. NULL on bad
 * options (*why says which, static) or out of memory (*why "out of memory"). */
mxr_smtp *mxr_smtp_new(const mxr_smtp_options *o, const char **why);
void mxr_smtp_free(mxr_smtp *s);

/* Adds an address to check, before mxr_smtp_start. Returns its index
 * (0, 1, ...), or -1 with *why: a CR, LF, NUL, '<' or '>' in it, longer
 * than MXR_SMTP_PATH_MAX, more than MXR_SMTP_RCPT_MAX, or already started. */
int mxr_smtp_add_rcpt(mxr_smtp *s, const char *addr, size_t len, const char **why);

/* The connection attempt begins at now (ms, any monotonic origin): the
 * connect deadline starts. */
void mxr_smtp_start(mxr_smtp *s, int64_t now);
/* The transport's connect completed: the banner deadline starts. */
void mxr_smtp_connected(mxr_smtp *s, int64_t now);
/* The transport could not connect (refused, unreachable): every address
 * becomes MXR_SMTP_UNREACHABLE and the session is done. */
void mxr_smtp_connect_failed(mxr_smtp *s, int64_t now);

/* Bytes from the server. Returns 0, or -1 once the session is done. */
int mxr_smtp_feed(mxr_smtp *s, const char *data, size_t len, int64_t now);
/* The server closed (or half-closed) its side; a read or write error too. */
void mxr_smtp_eof(mxr_smtp *s, int64_t now);
/* Time passes: a deadline that has come ends the session (timeout). */
void mxr_smtp_tick(mxr_smtp *s, int64_t now);

/* Bytes to send now (*len 0 when none); valid until the next call. */
const char *mxr_smtp_output(const mxr_smtp *s, size_t *len);
/* n bytes of the output were written to the server. */
void mxr_smtp_sent(mxr_smtp *s, size_t n);

/* The next deadline (ms), or -1 when none (done). Call mxr_smtp_tick then. */
int64_t mxr_smtp_deadline(const mxr_smtp *s);
/* 1 when nothing more will happen: the transport closes the connection. */
int mxr_smtp_done(const mxr_smtp *s);
/* 1 while the engine waits for a reply (the transport should read). */
int mxr_smtp_wants_read(const mxr_smtp *s);

/* Results: valid once every address is decided (mxr_smtp_done), and
 * readable any time. */
size_t mxr_smtp_rcpt_count(const mxr_smtp *s);
const char *mxr_smtp_rcpt_address(const mxr_smtp *s, size_t i);
const mxr_smtp_outcome *mxr_smtp_rcpt(const mxr_smtp *s, size_t i);
/* The catch-all probe's outcome (state MXR_SMTP_PENDING when not probed). */
const mxr_smtp_outcome *mxr_smtp_probe(const mxr_smtp *s);
/* The session as a whole: the last reply that decided for every address
 * (banner refusal, HELO/MAIL refusal, timeout, protocol), or state PENDING
 * when the addresses were decided one by one. */
const mxr_smtp_outcome *mxr_smtp_session(const mxr_smtp *s);
/* What the server offered in its EHLO reply: bit 1 PIPELINING, 2 SMTPUTF8,
 * 4 ENHANCEDSTATUSCODES, 8 the HELO fallback was used. */
int mxr_smtp_features(const mxr_smtp *s);
/* Commands sent, replies read (for tests and the fuzz target's checks). */
size_t mxr_smtp_replies(const mxr_smtp *s);

/* "accepted", "rejected", ... (the Lua names of enum mxr_smtp_state). */
const char *mxr_smtp_state_name(int state);
const char *mxr_smtp_stage_name(int stage);

#endif
