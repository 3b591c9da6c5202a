/* mxr_smtp.c: the SMTP probe dialogue (see mxr_smtp.h). Sans-I/O: the
 * caller carries bytes and tells the time. */
#include "mxr_smtp.h"

#include <stdlib.h>
#include <string.h>

enum phase { PH_INIT, PH_CONNECTING, PH_BANNER, PH_EHLO, PH_HELO, PH_MAIL, PH_QUIT, PH_DONE };
enum cmd_kind { CMD_BANNER, CMD_EHLO, CMD_HELO, CMD_MAIL, CMD_PROBE, CMD_RCPT, CMD_QUIT };

#define QUEUE_MAX (MXR_SMTP_RCPT_MAX + 4)
#define REPLY_LINES_MAX 1000 /* lines in one multi-line reply before we call it garbage */
#define FEAT_PIPELINING 1
#define FEAT_SMTPUTF8 2
#define FEAT_ENHANCED 4
#define FEAT_HELO 8

typedef struct pending_cmd {
  int kind;
  size_t index; /* the address, for CMD_RCPT */
  uint64_t end; /* queued_total once the command was queued: its reply may come once that much was sent */
} pending_cmd;

struct mxr_smtp {
  char *helo, *from, *probe;
  int connect_ms, command_ms, no_pipelining;
  char *rcpt[MXR_SMTP_RCPT_MAX];
  size_t nrcpt;
  mxr_smtp_outcome out[MXR_SMTP_RCPT_MAX];
  mxr_smtp_outcome probe_out, session_out;
  int phase, features, utf8;
  int64_t deadline;
  /* output not yet sent: obuf[opos..olen) */
  char *obuf;
  size_t olen, ocap, opos;
  uint64_t queued_total, sent_total;
  /* commands whose replies we wait for, oldest first */
  pending_cmd q[QUEUE_MAX];
  size_t qhead, qlen;
  /* the line being read, and the reply being assembled */
  char line[MXR_SMTP_LINE_MAX];
  size_t line_len;
  int in_reply, rcode;
  size_t rlines;
  mxr_smtp_outcome reply; /* state unused: code, enhanced, text of the reply being read */
  size_t replies, bytes_in;
  size_t next_send; /* next address to send when one command goes at a time */
  int probe_sent, stop_rcpts, quit_queued;
};

static const char *const state_names[MXR_SMTP_STATE_COUNT] = {"pending",    "accepted", "rejected", "catch_all",
                                                              "greylisted", "blocked",  "full",     "unreachable",
                                                              "timeout",    "protocol", "untried"};
static const char *const stage_names[MXR_SMTP_STAGE_COUNT] = {"connect", "banner", "helo", "mail", "rcpt"};

const char *mxr_smtp_state_name(int state) {
  return state >= 0 && state < MXR_SMTP_STATE_COUNT ? state_names[state] : "?";
}
const char *mxr_smtp_stage_name(int stage) {
  return stage >= 0 && stage < MXR_SMTP_STAGE_COUNT ? stage_names[stage] : "?";
}

/* A path or name we put on a command line: printable ASCII or UTF-8, no
 * angle brackets, no controls (so no CR/LF: nothing can be smuggled). */
static int clean_text(const char *s, size_t len, size_t max, int allow_space) {
  size_t i;
  if (len > max) return 0;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '<' || c == '>') return 0;
    if (c == ' ' && !allow_space) return 0;
  }
  return 1;
}

static int has_utf8(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return 1;
  return 0;
}

static char *dup_n(const char *s, size_t len) {
  char *p = malloc(len + 1);
  if (p) {
    memcpy(p, s, len);
    p[len] = '\0';
  }
  return p;
}

mxr_smtp *mxr_smtp_new(const mxr_smtp_options *o, const char **why) {
  mxr_smtp *s;
  const char *from = o->from ? o->from : "";
  *why = NULL;
  if (!o->helo || !*o->helo || !clean_text(o->helo, strlen(o->helo), 255, 0)) {
    *why = "helo: a host name of at most 255 printable characters expected";
    return NULL;
  }
  if (!clean_text(from, strlen(from), MXR_SMTP_PATH_MAX, 1)) {
    *why = "from: an address of at most 256 octets without controls or angle brackets expected";
    return NULL;
  }
  if (o->probe && (!*o->probe || !clean_text(o->probe, strlen(o->probe), MXR_SMTP_PATH_MAX, 1))) {
    *why = "probe: an address of at most 256 octets without controls or angle brackets expected";
    return NULL;
  }
  if (o->connect_timeout_ms < 0 || o->command_timeout_ms < 0) {
    *why = "timeouts must not be negative";
    return NULL;
  }
  s = calloc(1, sizeof *s);
  if (!s) goto oom;
  s->helo = dup_n(o->helo, strlen(o->helo));
  s->from = dup_n(from, strlen(from));
  s->probe = o->probe ? dup_n(o->probe, strlen(o->probe)) : NULL;
  if (!s->helo || !s->from || (o->probe && !s->probe)) goto oom;
  s->connect_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 30000;
  s->command_ms = o->command_timeout_ms ? o->command_timeout_ms : 60000;
  s->no_pipelining = o->no_pipelining;
  s->utf8 = has_utf8(s->from) || (s->probe && has_utf8(s->probe));
  s->phase = PH_INIT;
  s->deadline = -1;
  return s;
oom:
  mxr_smtp_free(s);
  *why = "out of memory";
  return NULL;
}

void mxr_smtp_free(mxr_smtp *s) {
  size_t i;
  if (!s) return;
  for (i = 0; i < s->nrcpt; i++) free(s->rcpt[i]);
  free(s->helo);
  free(s->from);
  free(s->probe);
  free(s->obuf);
  free(s);
}

int mxr_smtp_add_rcpt(mxr_smtp *s, const char *addr, size_t len, const char **why) {
  if (s->phase != PH_INIT) {
    *why = "the session has started";
    return -1;
  }
  if (s->nrcpt >= MXR_SMTP_RCPT_MAX) {
    *why = "too many addresses for one session";
    return -1;
  }
  if (len == 0 || !clean_text(addr, len, MXR_SMTP_PATH_MAX, 1) || memchr(addr, '\0', len)) {
    *why = "an address of at most 256 octets without controls or angle brackets expected";
    return -1;
  }
  if (!(s->rcpt[s->nrcpt] = dup_n(addr, len))) {
    *why = "out of memory";
    return -1;
  }
  if (has_utf8(s->rcpt[s->nrcpt])) s->utf8 = 1;
  return (int)s->nrcpt++;
}

/* ---- output ---- */

static int emit(mxr_smtp *s, int kind, size_t index, const char *a, const char *b, const char *c, int64_t now) {
  size_t la = strlen(a), lb = b ? strlen(b) : 0, lc = c ? strlen(c) : 0, need = la + lb + lc + 2;
  if (need > MXR_SMTP_LINE_MAX || s->qlen >= QUEUE_MAX) return -1; /* cannot happen: inputs are checked */
  if (s->opos == s->olen) s->opos = s->olen = 0;
  if (s->olen + need > s->ocap) {
    size_t cap = s->ocap ? s->ocap * 2 : 1024;
    char *p;
    while (cap < s->olen + need) cap *= 2;
    if (!(p = realloc(s->obuf, cap))) return -1;
    s->obuf = p;
    s->ocap = cap;
  }
  memcpy(s->obuf + s->olen, a, la);
  if (lb) memcpy(s->obuf + s->olen + la, b, lb);
  if (lc) memcpy(s->obuf + s->olen + la + lb, c, lc);
  memcpy(s->obuf + s->olen + la + lb + lc, "\r\n", 2);
  s->olen += need;
  s->queued_total += need;
  if (s->qlen == 0) s->deadline = now + s->command_ms;
  s->q[(s->qhead + s->qlen) % QUEUE_MAX].kind = kind;
  s->q[(s->qhead + s->qlen) % QUEUE_MAX].index = index;
  s->q[(s->qhead + s->qlen) % QUEUE_MAX].end = s->queued_total;
  s->qlen++;
  return 0;
}

const char *mxr_smtp_output(const mxr_smtp *s, size_t *len) {
  *len = s->olen - s->opos;
  return *len ? s->obuf + s->opos : NULL;
}

void mxr_smtp_sent(mxr_smtp *s, size_t n) {
  if (n > s->olen - s->opos) n = s->olen - s->opos;
  s->opos += n;
  s->sent_total += n;
}

/* ---- outcomes ---- */

static void finish(mxr_smtp *s) {
  s->phase = PH_DONE;
  s->deadline = -1;
  s->qlen = 0;
  s->opos = s->olen = 0; /* nothing more goes out */
}

static void set_outcome(mxr_smtp_outcome *o, int state, int stage, const mxr_smtp_outcome *reply) {
  o->state = state;
  o->stage = stage;
  if (reply) {
    o->code = reply->code;
    memcpy(o->enhanced, reply->enhanced, sizeof o->enhanced);
    memcpy(o->text, reply->text, reply->text_len + 1);
    o->text_len = reply->text_len;
  } else {
    o->code = 0;
    o->enhanced[0] = '\0';
    o->text[0] = '\0';
    o->text_len = 0;
  }
}

/* Every address not decided yet gets this outcome (and so does the session). */
static void decide_all(mxr_smtp *s, int state, int stage, const mxr_smtp_outcome *reply) {
  size_t i;
  if (s->probe && s->probe_out.state == MXR_SMTP_PENDING) set_outcome(&s->probe_out, state, stage, reply);
  for (i = 0; i < s->nrcpt; i++)
    if (s->out[i].state == MXR_SMTP_PENDING) set_outcome(&s->out[i], state, stage, reply);
  set_outcome(&s->session_out, state, stage, reply);
}

static void queue_quit(mxr_smtp *s, int64_t now) {
  if (s->quit_queued) return;
  s->quit_queued = 1;
  s->phase = PH_QUIT;
  if (emit(s, CMD_QUIT, 0, "QUIT", NULL, NULL, now) < 0) finish(s);
}

static void fail(mxr_smtp *s, int state, int64_t now) {
  (void)now;
  decide_all(s, state,
             s->phase == PH_BANNER                        ? MXR_SMTP_AT_BANNER
             : s->phase == PH_EHLO || s->phase == PH_HELO ? MXR_SMTP_AT_HELO
             : s->phase == PH_CONNECTING                  ? MXR_SMTP_AT_CONNECT
             : s->phase == PH_MAIL                        ? MXR_SMTP_AT_RCPT
                                                          : MXR_SMTP_AT_CONNECT,
             NULL);
  finish(s);
}

/* ASCII case-insensitive substring search. */
static int has_word(const char *hay, size_t hlen, const char *needle) {
  size_t n = strlen(needle), i, j;
  for (i = 0; i + n <= hlen; i++) {
    for (j = 0; j < n; j++) {
      char c = hay[i + j];
      if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
      if (c != needle[j]) break;
    }
    if (j == n) return 1;
  }
  return 0;
}

/* Text that says the server refuses the prober, not the mailbox. */
static int blocklist_text(const mxr_smtp_outcome *r) {
  static const char *const words[] = {"spamhaus",  "blocklist", "blacklist", "block list", "black list",
                                      "blocked",   "rbl",       "dnsbl",     "reputation", "listed at",
                                      "listed in", "spamcop",   "barracuda"};
  size_t i;
  for (i = 0; i < sizeof words / sizeof words[0]; i++)
    if (has_word(r->text, r->text_len, words[i])) return 1;
  return 0;
}

static int enhanced_is(const mxr_smtp_outcome *r, const char *subject_prefix) {
  /* subject_prefix such as ".1." or ".2.2" compared after the class digit */
  size_t n = strlen(subject_prefix);
  if (!r->enhanced[0]) return 0;
  if (strncmp(r->enhanced + 1, subject_prefix, n) != 0) return 0;
  /* ".2.2" must match the whole detail, not ".2.21" */
  return subject_prefix[n - 1] == '.' || r->enhanced[1 + n] == '\0';
}

static int too_many_recipients(const mxr_smtp_outcome *r) {
  if (r->code != 452 && r->code != 451 && r->code != 552) return 0;
  return (r->enhanced[0] && enhanced_is(r, ".5.3")) || has_word(r->text, r->text_len, "too many recipients");
}

/* A reply to RCPT, as a state (never MXR_SMTP_UNTRIED: the caller checks the limit first). */
static int rcpt_state(const mxr_smtp_outcome *r) {
  int cls = r->code / 100;
  if (cls == 2) return MXR_SMTP_ACCEPTED;
  if (enhanced_is(r, ".2.2") || ((r->code == 452 || r->code == 552) && !r->enhanced[0] && !blocklist_text(r)))
    return MXR_SMTP_FULL;
  if (cls == 4) {
    if (has_word(r->text, r->text_len, "greylist") || has_word(r->text, r->text_len, "graylist"))
      return MXR_SMTP_GREYLISTED;
    return blocklist_text(r) ? MXR_SMTP_BLOCKED : MXR_SMTP_GREYLISTED;
  }
  if (cls == 5) {
    if (enhanced_is(r, ".1.")) return MXR_SMTP_REJECTED;
    if (enhanced_is(r, ".7.") || blocklist_text(r)) return MXR_SMTP_BLOCKED;
    return MXR_SMTP_REJECTED;
  }
  return MXR_SMTP_PROTOCOL;
}

/* ---- the dialogue ---- */

static void send_next_rcpt(mxr_smtp *s, int64_t now);

static void begin_transaction(mxr_smtp *s, int64_t now) {
  int pipe = (s->features & FEAT_PIPELINING) && !s->no_pipelining;
  const char *ext = s->utf8 && (s->features & FEAT_SMTPUTF8) ? "> SMTPUTF8" : ">";
  if (s->nrcpt == 0 && !s->probe) return queue_quit(s, now); /* nothing to ask: a greeting was all (a self-check) */
  s->phase = PH_MAIL;
  if (emit(s, CMD_MAIL, 0, "MAIL FROM:<", s->from, ext, now) < 0) return fail(s, MXR_SMTP_PROTOCOL, now);
  if (!pipe) return; /* RCPTs go one at a time after MAIL's reply */
  if (s->probe) {
    s->probe_sent = 1;
    if (emit(s, CMD_PROBE, 0, "RCPT TO:<", s->probe, ">", now) < 0) return fail(s, MXR_SMTP_PROTOCOL, now);
  }
  for (; s->next_send < s->nrcpt; s->next_send++)
    if (emit(s, CMD_RCPT, s->next_send, "RCPT TO:<", s->rcpt[s->next_send], ">", now) < 0)
      return fail(s, MXR_SMTP_PROTOCOL, now);
}

static void send_next_rcpt(mxr_smtp *s, int64_t now) {
  if (s->phase != PH_MAIL || s->qlen) return;
  if (!s->stop_rcpts) {
    if (s->probe && !s->probe_sent) {
      s->probe_sent = 1;
      if (emit(s, CMD_PROBE, 0, "RCPT TO:<", s->probe, ">", now) < 0) fail(s, MXR_SMTP_PROTOCOL, now);
      return;
    }
    if (s->next_send < s->nrcpt) {
      if (emit(s, CMD_RCPT, s->next_send, "RCPT TO:<", s->rcpt[s->next_send], ">", now) < 0)
        fail(s, MXR_SMTP_PROTOCOL, now);
      s->next_send++;
      return;
    }
  }
  queue_quit(s, now); /* every address has its answer (or the rest waits for another session) */
}

static void ehlo_feature(mxr_smtp *s, const char *kw, size_t len) {
  if (len >= 10 && has_word(kw, 10, "pipelining") && (len == 10 || kw[10] == ' ')) s->features |= FEAT_PIPELINING;
  if (len >= 8 && has_word(kw, 8, "smtputf8") && (len == 8 || kw[8] == ' ')) s->features |= FEAT_SMTPUTF8;
  if (len >= 19 && has_word(kw, 19, "enhancedstatuscodes") && (len == 19 || kw[19] == ' '))
    s->features |= FEAT_ENHANCED;
}

static void on_reply(mxr_smtp *s, const pending_cmd *c, int64_t now) {
  const mxr_smtp_outcome *r = &s->reply;
  int cls = r->code / 100, st;
  size_t i;
  switch (c->kind) {
    case CMD_BANNER:
      if (r->code == 220) {
        s->phase = PH_EHLO;
        if (emit(s, CMD_EHLO, 0, "EHLO ", s->helo, NULL, now) < 0) fail(s, MXR_SMTP_PROTOCOL, now);
      } else if (cls == 4 || cls == 5) {
        decide_all(s, MXR_SMTP_BLOCKED, MXR_SMTP_AT_BANNER, r);
        queue_quit(s, now);
      } else {
        decide_all(s, MXR_SMTP_PROTOCOL, MXR_SMTP_AT_BANNER, r);
        finish(s);
      }
      return;
    case CMD_EHLO:
    case CMD_HELO:
      if (cls == 2) {
        begin_transaction(s, now);
        send_next_rcpt(s, now);
      } else if (cls == 5 && c->kind == CMD_EHLO) {
        s->features = FEAT_HELO; /* RFC 5321 4.1.4: an old server; nothing it offered counts */
        s->phase = PH_HELO;
        if (emit(s, CMD_HELO, 0, "HELO ", s->helo, NULL, now) < 0) fail(s, MXR_SMTP_PROTOCOL, now);
      } else if (cls == 4 || cls == 5) {
        decide_all(s, MXR_SMTP_BLOCKED, MXR_SMTP_AT_HELO, r);
        queue_quit(s, now);
      } else {
        decide_all(s, MXR_SMTP_PROTOCOL, MXR_SMTP_AT_HELO, r);
        finish(s);
      }
      return;
    case CMD_MAIL:
      if (cls == 2) {
        send_next_rcpt(s, now);
      } else if (cls == 4 || cls == 5) {
        st = cls == 5 || blocklist_text(r) ? MXR_SMTP_BLOCKED : MXR_SMTP_GREYLISTED;
        decide_all(s, st, MXR_SMTP_AT_MAIL, r);
        s->stop_rcpts = 1; /* pipelined RCPTs get 503s: their replies are read and ignored */
        if (!s->qlen) queue_quit(s, now);
      } else {
        decide_all(s, MXR_SMTP_PROTOCOL, MXR_SMTP_AT_MAIL, r);
        finish(s);
      }
      return;
    case CMD_PROBE:
    case CMD_RCPT:
      if (cls != 2 && cls != 4 && cls != 5) {
        decide_all(s, MXR_SMTP_PROTOCOL, MXR_SMTP_AT_RCPT, r);
        finish(s);
        return;
      }
      if (s->stop_rcpts) {
        /* after a MAIL refusal or the recipient limit: a late pipelined reply */
      } else if (too_many_recipients(r)) {
        s->stop_rcpts = 1;
        if (c->kind == CMD_PROBE) s->probe_out.state = MXR_SMTP_UNTRIED;
        for (i = c->kind == CMD_RCPT ? c->index : 0; i < s->nrcpt; i++)
          if (s->out[i].state == MXR_SMTP_PENDING) set_outcome(&s->out[i], MXR_SMTP_UNTRIED, MXR_SMTP_AT_RCPT, r);
      } else if (c->kind == CMD_PROBE) {
        set_outcome(&s->probe_out, rcpt_state(r), MXR_SMTP_AT_RCPT, r);
      } else {
        st = rcpt_state(r);
        if (st == MXR_SMTP_ACCEPTED && s->probe_out.state == MXR_SMTP_ACCEPTED) st = MXR_SMTP_CATCH_ALL;
        set_outcome(&s->out[c->index], st, MXR_SMTP_AT_RCPT, r);
      }
      if (s->qlen == 0) send_next_rcpt(s, now);
      return;
    case CMD_QUIT:
    default: finish(s); return;
  }
}

/* Parses "c.sss.ddd" (RFC 3463 2) at the start of text, class matching the code. */
static void parse_enhanced(mxr_smtp_outcome *r, const char *t, size_t len) {
  size_t i = 0, n, part;
  r->enhanced[0] = '\0';
  if (len < 5 || t[0] != (char)('0' + r->code / 100) || t[1] != '.') return;
  i = 2;
  for (part = 0; part < 2; part++) {
    for (n = 0; i < len && t[i] >= '0' && t[i] <= '9' && n < 4; i++) n++;
    if (n == 0 || n > 3) return;
    if (part == 0) {
      if (i >= len || t[i] != '.') return;
      i++;
    }
  }
  if (i < len && t[i] != ' ') return;
  memcpy(r->enhanced, t, i);
  r->enhanced[i] = '\0';
}

static void append_text(mxr_smtp_outcome *r, const char *t, size_t len) {
  size_t i;
  if (r->text_len && r->text_len < MXR_SMTP_TEXT_MAX && len) r->text[r->text_len++] = ' ';
  for (i = 0; i < len && r->text_len < MXR_SMTP_TEXT_MAX; i++) {
    unsigned char c = (unsigned char)t[i];
    r->text[r->text_len++] = (char)(c < 0x20 || c >= 0x7f ? '?' : c);
  }
  r->text[r->text_len] = '\0';
}

/* One line of a reply, without its line end. Returns 0, or -1 after a protocol error. */
static int on_line(mxr_smtp *s, const char *l, size_t len, int64_t now) {
  int code, last;
  const char *text;
  size_t tlen;
  pending_cmd c;
  if (len < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '5' || l[2] < '0' || l[2] > '9') goto bad;
  if (len > 3 && l[3] != ' ' && l[3] != '-') goto bad;
  code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
  last = len == 3 || l[3] == ' ';
  text = len > 4 ? l + 4 : l + len;
  tlen = len > 4 ? len - 4 : 0;
  if (s->qlen == 0) goto bad; /* nothing asked: an unsolicited reply */
  c = s->q[s->qhead];
  if (!s->in_reply) {
    if (c.end > s->sent_total) goto bad; /* a reply to a command we have not sent yet */
    s->in_reply = 1;
    s->rlines = 0;
    memset(&s->reply, 0, sizeof s->reply);
    s->reply.code = code;
    parse_enhanced(&s->reply, text, tlen);
  } else if (code != s->reply.code) {
    goto bad; /* RFC 5321 4.2.1: every line of a reply has the same code */
  }
  if (++s->rlines > REPLY_LINES_MAX) goto bad;
  if (c.kind == CMD_EHLO && code == 250 && s->rlines > 1) ehlo_feature(s, text, tlen);
  if (s->reply.enhanced[0] && tlen >= strlen(s->reply.enhanced) &&
      memcmp(text, s->reply.enhanced, strlen(s->reply.enhanced)) == 0) {
    /* keep the text without the enhanced code repeated on every line */
    text += strlen(s->reply.enhanced);
    tlen -= strlen(s->reply.enhanced);
    while (tlen && *text == ' ') text++, tlen--;
  }
  append_text(&s->reply, text, tlen);
  if (!last) return 0;
  s->in_reply = 0;
  s->replies++;
  s->qhead = (s->qhead + 1) % QUEUE_MAX;
  s->qlen--;
  s->deadline = s->qlen ? now + s->command_ms : -1;
  on_reply(s, &c, now);
  return 0;
bad:
  if (s->phase == PH_QUIT) { /* results are in; a broken goodbye changes nothing */
    finish(s);
    return -1;
  }
  {
    mxr_smtp_outcome r;
    memset(&r, 0, sizeof r);
    append_text(&r, l, len);
    decide_all(s, MXR_SMTP_PROTOCOL,
               s->phase == PH_BANNER                        ? MXR_SMTP_AT_BANNER
               : s->phase == PH_EHLO || s->phase == PH_HELO ? MXR_SMTP_AT_HELO
               : s->phase == PH_MAIL                        ? MXR_SMTP_AT_RCPT
                                                            : MXR_SMTP_AT_CONNECT,
               &r);
  }
  finish(s);
  return -1;
}

void mxr_smtp_start(mxr_smtp *s, int64_t now) {
  if (s->phase != PH_INIT) return;
  s->phase = PH_CONNECTING;
  s->deadline = now + s->connect_ms;
}

void mxr_smtp_connected(mxr_smtp *s, int64_t now) {
  if (s->phase == PH_INIT) mxr_smtp_start(s, now);
  if (s->phase != PH_CONNECTING) return;
  s->phase = PH_BANNER;
  s->q[0].kind = CMD_BANNER;
  s->q[0].end = 0;
  s->qhead = 0;
  s->qlen = 1;
  s->deadline = now + s->command_ms;
}

void mxr_smtp_connect_failed(mxr_smtp *s, int64_t now) {
  (void)now;
  if (s->phase == PH_DONE) return;
  decide_all(s, MXR_SMTP_UNREACHABLE, MXR_SMTP_AT_CONNECT, NULL);
  finish(s);
}

int mxr_smtp_feed(mxr_smtp *s, const char *data, size_t len, int64_t now) {
  size_t i;
  if (s->phase == PH_INIT || s->phase == PH_CONNECTING) mxr_smtp_connected(s, now);
  for (i = 0; i < len; i++) {
    char ch = data[i];
    if (s->phase == PH_DONE) return -1;
    s->bytes_in++;
    if (ch == '\n') {
      size_t n = s->line_len;
      if (n && s->line[n - 1] == '\r') n--;
      s->line_len = 0;
      if (on_line(s, s->line, n, now) < 0) return -1;
      continue;
    }
    if (s->line_len >= MXR_SMTP_LINE_MAX - 1) { /* no room left for the LF: RFC 5321 4.5.3.1.5 */
      on_line(s, "", 0, now);
      return -1;
    }
    s->line[s->line_len++] = ch;
  }
  return s->phase == PH_DONE ? -1 : 0;
}

void mxr_smtp_eof(mxr_smtp *s, int64_t now) {
  switch (s->phase) {
    case PH_DONE: return;
    case PH_INIT:
    case PH_CONNECTING: mxr_smtp_connect_failed(s, now); return;
    case PH_QUIT: finish(s); return;
    case PH_BANNER:
      if (s->bytes_in == 0) { /* accepted and closed at once: as good as refused */
        decide_all(s, MXR_SMTP_UNREACHABLE, MXR_SMTP_AT_BANNER, NULL);
        finish(s);
        return;
      }
      /* fall through */
    default: fail(s, MXR_SMTP_PROTOCOL, now); return;
  }
}

void mxr_smtp_tick(mxr_smtp *s, int64_t now) {
  if (s->phase == PH_DONE || s->deadline < 0 || now < s->deadline) return;
  if (s->phase == PH_QUIT) return finish(s);
  fail(s, MXR_SMTP_TIMEOUT, now);
}

int64_t mxr_smtp_deadline(const mxr_smtp *s) { return s->phase == PH_DONE ? -1 : s->deadline; }
int mxr_smtp_done(const mxr_smtp *s) { return s->phase == PH_DONE; }
int mxr_smtp_wants_read(const mxr_smtp *s) { return s->phase != PH_DONE && s->phase >= PH_BANNER; }
size_t mxr_smtp_rcpt_count(const mxr_smtp *s) { return s->nrcpt; }
const char *mxr_smtp_rcpt_address(const mxr_smtp *s, size_t i) { return i < s->nrcpt ? s->rcpt[i] : NULL; }
const mxr_smtp_outcome *mxr_smtp_rcpt(const mxr_smtp *s, size_t i) { return i < s->nrcpt ? &s->out[i] : NULL; }
const mxr_smtp_outcome *mxr_smtp_probe(const mxr_smtp *s) { return &s->probe_out; }
const mxr_smtp_outcome *mxr_smtp_session(const mxr_smtp *s) { return &s->session_out; }
int mxr_smtp_features(const mxr_smtp *s) { return s->features; }
size_t mxr_smtp_replies(const mxr_smtp *s) { return s->replies; }
