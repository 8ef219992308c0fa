/* harness/lang/parse.c: the .lq scenario parser.
 *
 * Line-oriented: one directive per line, '#' starts a comment, tokens are
 * separated by blanks. Every error names the source, line and column and
 * says what was expected (the tests in tests/unit/test_parse.c cover each).
 */
#include "parse.h"

#include "counter_names.h"
#include "util/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LQ_MAX_TOKENS 32
#define LQ_MAX_LINE   4096
#define LQ_MAX_FILE   (64u << 20)
#define LQ_MAX_NAME   64

struct lq_tok {
    const char *s;
    size_t len;
    uint16_t col;
};

struct lq_parser {
    const char *where;
    uint32_t line;
    struct lq_scenario *sc;
    struct lq_err *err;
    struct lq_tok tok[LQ_MAX_TOKENS];
    int ntok;
    bool seen_event;
    uint32_t family_line;      /* the line of the `family` directive, 0: none yet */
    uint32_t unnamed_lsn_line; /* the first line that took the unnamed listener, 0: none */
    uint8_t *via;              /* dual: [conn] the family its first event chose (enum lq_via) */
};

static int lq_perr(struct lq_parser *p, uint16_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int lq_perr(struct lq_parser *p, uint16_t col, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return lq_errf(p->err, LQ_EXIT_BADINPUT, "%s:%u:%u: %s", p->where, p->line, col, what);
}

/* Memory ran out: the harness failed, not the input. */
static int lq_poom(struct lq_parser *p, uint16_t col)
{
    lq_perr(p, col, "out of memory");
    if (p->err)
        p->err->status = LQ_EXIT_ERROR;
    return -1;
}

static bool lq_tok_is(const struct lq_tok *t, const char *word)
{
    return t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

/* Copies a token into buf for messages and lookups (truncated, NUL-terminated). */
static const char *lq_tok_str(const struct lq_tok *t, char *buf, size_t cap)
{
    size_t n = t->len < cap - 1 ? t->len : cap - 1;
    memcpy(buf, t->s, n);
    buf[n] = '\0';
    return buf;
}

/* Splits "key=value": returns the length of key, and value/vlen (NULL if no '='). */
static size_t lq_tok_kv(const struct lq_tok *t, const char **value, size_t *vlen)
{
    const char *eq = memchr(t->s, '=', t->len);
    if (!eq) {
        *value = NULL;
        *vlen = 0;
        return t->len;
    }
    *value = eq + 1;
    *vlen = t->len - (size_t)(eq + 1 - t->s);
    return (size_t)(eq - t->s);
}

static bool lq_key_is(const struct lq_tok *t, size_t klen, const char *key)
{
    return klen == strlen(key) && memcmp(t->s, key, klen) == 0;
}

/* Strict decimal integer: optional sign (when allowed), digits only, in [lo, hi]. */
static bool lq_parse_int(const char *s, size_t len, bool allow_sign, int64_t lo, int64_t hi,
                         int64_t *out)
{
    char buf[32];
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    size_t i = 0;
    if (buf[0] == '+' || buf[0] == '-') {
        if (!allow_sign)
            return false;
        i = 1;
    }
    if (!buf[i])
        return false;
    for (size_t k = i; buf[k]; k++)
        if (!isdigit((unsigned char)buf[k]))
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool lq_valid_name(const struct lq_tok *t)
{
    static const char *const reserved[] = {"none",    "accept", "acceptq", "synq",  "counter",
                                           "backlog", "EAGAIN", "EINVAL",  "EBADF", NULL};
    if (!t->len || t->len > LQ_MAX_NAME || !(isalpha((unsigned char)t->s[0]) || t->s[0] == '_'))
        return false;
    for (size_t i = 1; i < t->len; i++) {
        char c = t->s[i];
        if (!(isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.'))
            return false;
    }
    for (int i = 0; reserved[i]; i++)
        if (lq_tok_is(t, reserved[i]))
            return false;
    return true;
}

static int lq_conn_arg(struct lq_parser *p, const char *verb, bool must_exist, uint16_t *conn)
{
    char buf[80];
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len),
                       "'%s' needs a connection name (for example: %s c1)", verb, verb);
    const struct lq_tok *t = &p->tok[1];
    if (!lq_valid_name(t))
        return lq_perr(p, t->col,
                       "'%s' is not a connection name (expected a letter followed by letters, "
                       "digits, '_', '-' or '.'; not a keyword)",
                       lq_tok_str(t, buf, sizeof(buf)));
    lq_tok_str(t, buf, sizeof(buf));
    for (size_t i = 0; i < p->sc->nlsn; i++)
        if (strcmp(p->sc->lsn_names[i], buf) == 0)
            return lq_perr(p, t->col, "'%s' is a listener, not a connection", buf);
    if (must_exist) {
        for (size_t i = 0; i < p->sc->nconns; i++)
            if (strcmp(p->sc->conns[i], buf) == 0) {
                *conn = (uint16_t)i;
                return 0;
            }
        return lq_perr(p, t->col, "unknown connection '%s': no event before this line uses it",
                       buf);
    }
    int c = lq_scenario_conn(p->sc, buf);
    if (c < 0 && p->sc->nconns < LQ_MAX_CONNS)
        return lq_poom(p, t->col);
    if (c < 0)
        return lq_perr(p, t->col, "too many connections (at most %u)", LQ_MAX_CONNS);
    *conn = (uint16_t)c;
    return 0;
}

static int lq_no_more(struct lq_parser *p, int from, const char *usage);

/* Whether word pos is a declared listener's name; if so its index into
 * lsn, and the word taken out of the line (the words after it keep their
 * columns). */
static bool lq_take_listener_name(struct lq_parser *p, int pos, uint8_t *lsn)
{
    for (size_t i = 0; pos < p->ntok && i < p->sc->nlsn; i++)
        if (lq_tok_is(&p->tok[pos], p->sc->lsn_names[i])) {
            *lsn = (uint8_t)i;
            memmove(&p->tok[pos], &p->tok[pos + 1],
                    (size_t)(p->ntok - pos - 1) * sizeof(p->tok[0]));
            p->ntok--;
            return true;
        }
    return false;
}

/* The listener a directive names at word pos, taken out of the line. In a
 * scenario with `listener` lines the name is required; in one without, a
 * name there is an undeclared listener. */
static int lq_take_listener(struct lq_parser *p, int pos, const char *verb, uint8_t *lsn)
{
    char buf[80];
    *lsn = 0;
    if (lq_take_listener_name(p, pos, lsn))
        return 0;
    const struct lq_tok *t = pos < p->ntok ? &p->tok[pos] : NULL;
    if (p->sc->nlsn) {
        uint16_t col = t ? t->col : (uint16_t)(p->tok[p->ntok - 1].col + p->tok[p->ntok - 1].len);
        return lq_perr(p, col,
                       "%s%s%s'%s' needs a listener name here: this scenario declares listeners "
                       "(the first is '%s')",
                       t ? "'" : "", t ? lq_tok_str(t, buf, sizeof(buf)) : "",
                       t ? "' is not a listener: " : "", verb, p->sc->lsn_names[0]);
    }
    /* a name with more after it (listen L1 4, sockopt L1 X=1, expect acceptq L1 1) */
    if (t && pos + 1 < p->ntok && lq_valid_name(t) && strcmp(verb, "accept") != 0)
        return lq_perr(p, t->col, "unknown listener '%s' (declare it first: listener %s reuseport)",
                       lq_tok_str(t, buf, sizeof(buf)), buf);
    if (!p->unnamed_lsn_line)
        p->unnamed_lsn_line = p->line;
    return 0;
}

/* listener NAME [reuseport]: before the first event. */
static int lq_parse_listener(struct lq_parser *p, struct lq_directive *d)
{
    char buf[80];
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len),
                       "'listener' needs a name (for example: listener L1 reuseport)");
    const struct lq_tok *t = &p->tok[1];
    if (!lq_valid_name(t))
        return lq_perr(p, t->col,
                       "'%s' is not a listener name (expected a letter followed by letters, "
                       "digits, '_', '-' or '.'; not a keyword)",
                       lq_tok_str(t, buf, sizeof(buf)));
    bool reuseport = false;
    if (p->ntok > 2 && lq_tok_is(&p->tok[2], "reuseport")) {
        reuseport = true;
    } else if (p->ntok > 2) {
        return lq_perr(p, p->tok[2].col, "unexpected '%s' (expected reuseport or nothing)",
                       lq_tok_str(&p->tok[2], buf, sizeof(buf)));
    }
    if (p->seen_event)
        return lq_perr(p, p->tok[0].col,
                       "'listener' must come before the first event (the listeners are bound "
                       "when the scenario starts)");
    /* A line before took the unnamed listener: it would name this one once
     * the scenario has listeners (printed, it would not parse). */
    if (p->unnamed_lsn_line)
        return lq_perr(p, p->tok[0].col,
                       "'listener' must come before line %u, which names no listener (in a "
                       "scenario with listener lines every listen, sockopt, accept and queue "
                       "expectation names one)",
                       p->unnamed_lsn_line);
    lq_tok_str(t, buf, sizeof(buf));
    for (size_t i = 0; i < p->sc->nlsn; i++)
        if (strcmp(p->sc->lsn_names[i], buf) == 0)
            return lq_perr(p, t->col, "a second listener '%s'", buf);
    for (size_t i = 0; i < p->sc->nconns; i++)
        if (strcmp(p->sc->conns[i], buf) == 0)
            return lq_perr(p, t->col, "'%s' is a connection, not a listener", buf);
    if (p->sc->nlsn >= LQ_MAX_LISTENERS)
        return lq_perr(p, t->col, "too many listeners (at most %d)", LQ_MAX_LISTENERS);
    for (size_t i = 0; i < p->sc->nlsn; i++)
        if (!reuseport || !p->sc->lsn_reuseport[i])
            return lq_perr(p, reuseport ? t->col : (uint16_t)(t->col + t->len),
                           "listener '%s' shares the port of '%s': both need reuseport "
                           "(SO_REUSEPORT before bind)",
                           buf, p->sc->lsn_names[i]);
    int idx = lq_scenario_listener(p->sc, buf, reuseport);
    if (idx < 0)
        return lq_poom(p, t->col);
    d->u.listener.idx = (uint8_t)idx;
    d->u.listener.reuseport = reuseport;
    return lq_no_more(p, reuseport ? 3 : 2, "listener NAME [reuseport]");
}

static int lq_no_more(struct lq_parser *p, int from, const char *usage)
{
    if (p->ntok > from) {
        char buf[80];
        return lq_perr(p, p->tok[from].col,
                       "unexpected '%s' at the end of the line (the form is: %s)",
                       lq_tok_str(&p->tok[from], buf, sizeof(buf)), usage);
    }
    return 0;
}

static int lq_parse_sysctl(struct lq_parser *p, struct lq_directive *d)
{
    static const char usage[] = "sysctl NAME=VALUE, NAME one of net.core.somaxconn, "
                                "net.ipv4.tcp_max_syn_backlog, net.ipv4.tcp_syncookies, "
                                "net.ipv4.tcp_abort_on_overflow, net.ipv4.tcp_synack_retries, "
                                "net.ipv4.tcp_timestamps, net.ipv4.tcp_sack, "
                                "net.ipv4.tcp_window_scaling";
    char buf[128];
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len), "expected %s", usage);
    const struct lq_tok *t = &p->tok[1];
    const char *v;
    size_t vlen, klen = lq_tok_kv(t, &v, &vlen);
    if (!v)
        return lq_perr(p, t->col, "expected NAME=VALUE after 'sysctl', found '%s'",
                       lq_tok_str(t, buf, sizeof(buf)));
    struct lq_tok key = {t->s, klen, t->col};
    int id = lq_sysctl_by_name(lq_tok_str(&key, buf, sizeof(buf)));
    if (id < 0)
        return lq_perr(p, t->col, "unknown sysctl '%s' (expected %s)", buf, usage + 7);
    int64_t value;
    if (!lq_parse_int(v, vlen, true, INT32_MIN, INT32_MAX, &value))
        return lq_perr(p, (uint16_t)(t->col + klen + 1), "expected an integer value for %s", buf);
    if (!lq_sysctl_in_range((enum lq_sysctl)id, value))
        return lq_perr(p, (uint16_t)(t->col + klen + 1),
                       "%s=%" PRId64 " is out of range: the kernel accepts %" PRId64 "..%" PRId64,
                       buf, value, lq_sysctl_min((enum lq_sysctl)id),
                       lq_sysctl_max((enum lq_sysctl)id));
    d->u.sysctl.id = (uint8_t)id;
    d->u.sysctl.value = value;
    return lq_no_more(p, 2, "sysctl NAME=VALUE");
}

/* "VERB N": usage names the number ("listen BACKLOG"). */
static int lq_parse_number_arg(struct lq_parser *p, const char *verb, const char *usage, bool sign,
                               int64_t lo, int64_t hi, int64_t *out)
{
    char buf[80];
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len), "'%s' needs a number", verb);
    if (!lq_parse_int(p->tok[1].s, p->tok[1].len, sign, lo, hi, out))
        return lq_perr(p, p->tok[1].col,
                       "expected an integer in %" PRId64 "..%" PRId64 " after '%s', found '%s'", lo,
                       hi, verb, lq_tok_str(&p->tok[1], buf, sizeof(buf)));
    return lq_no_more(p, 2, usage);
}

static int lq_parse_sockopt(struct lq_parser *p, struct lq_directive *d)
{
    char buf[80];
    static const char usage[] =
        "sockopt TCP_DEFER_ACCEPT=SECONDS, sockopt TCP_SYNCNT=N, sockopt TCP_MAXSEG=N, "
        "sockopt TCP_FASTOPEN=N or sockopt IPV6_V6ONLY=N; or sockopt SO_ATTACH_REUSEPORT_CBPF=N";
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len), "expected %s", usage);
    const struct lq_tok *t = &p->tok[1];
    const char *v;
    size_t vlen, klen = lq_tok_kv(t, &v, &vlen);
    if (lq_key_is(t, klen, "TCP_DEFER_ACCEPT"))
        d->u.sockopt.opt = LQ_SOCKOPT_DEFER_ACCEPT;
    else if (lq_key_is(t, klen, "TCP_SYNCNT"))
        d->u.sockopt.opt = LQ_SOCKOPT_SYNCNT;
    else if (lq_key_is(t, klen, "TCP_MAXSEG"))
        d->u.sockopt.opt = LQ_SOCKOPT_MAXSEG;
    else if (lq_key_is(t, klen, "IPV6_V6ONLY"))
        d->u.sockopt.opt = LQ_SOCKOPT_V6ONLY;
    else if (lq_key_is(t, klen, "TCP_FASTOPEN"))
        d->u.sockopt.opt = LQ_SOCKOPT_FASTOPEN;
    else if (lq_key_is(t, klen, "SO_ATTACH_REUSEPORT_CBPF"))
        d->u.sockopt.opt = LQ_SOCKOPT_REUSEPORT_CBPF;
    else
        return lq_perr(p, t->col, "unknown socket option '%s' (expected %s)",
                       lq_tok_str(t, buf, sizeof(buf)), usage);
    int64_t value;
    if (!v || !lq_parse_int(v, vlen, true, INT32_MIN, INT32_MAX, &value))
        return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)), "expected =INTEGER after %.*s",
                       (int)klen, t->s);
    if (d->u.sockopt.opt == LQ_SOCKOPT_SYNCNT && (value < 1 || value > 127))
        return lq_perr(p, (uint16_t)(t->col + klen + 1),
                       "TCP_SYNCNT=%" PRId64 " is out of range: the kernel accepts 1..127", value);
    if (d->u.sockopt.opt == LQ_SOCKOPT_MAXSEG && value && (value < 88 || value > 32767))
        return lq_perr(p, (uint16_t)(t->col + klen + 1),
                       "TCP_MAXSEG=%" PRId64 " is out of range: the kernel accepts 0 or 88..32767",
                       value);
    if (d->u.sockopt.opt == LQ_SOCKOPT_REUSEPORT_CBPF && (value < 1 || value > 65535))
        return lq_perr(p, (uint16_t)(t->col + klen + 1),
                       "SO_ATTACH_REUSEPORT_CBPF=%" PRId64
                       " is out of range: N in 1..65535 (the program returns the TCP source port "
                       "modulo N)",
                       value);
    d->u.sockopt.value = (int32_t)value;
    return lq_no_more(p, 2, usage);
}

static int lq_parse_seq_opt(struct lq_parser *p, const struct lq_tok *t, const char *v, size_t vlen,
                            size_t klen, struct lq_ev_seg *s)
{
    int64_t off;
    if (vlen == 3 && memcmp(v, "bad", 3) == 0) {
        s->seq_mode = LQ_SEQ_BAD;
        return 0;
    }
    if (vlen && (v[0] == '+' || v[0] == '-') &&
        lq_parse_int(v, vlen, true, -1000000000, 1000000000, &off)) {
        s->seq_mode = off ? LQ_SEQ_OFFSET : LQ_SEQ_OK;
        s->seq_off = (int32_t)off;
        return 0;
    }
    return lq_perr(
        p, (uint16_t)(t->col + klen + 1),
        "expected seq=bad or seq=+N / seq=-N (an offset from the right sequence number)");
}

static int lq_parse_len_opt(struct lq_parser *p, const struct lq_tok *t, const char *v, size_t vlen,
                            size_t klen, struct lq_ev_seg *s)
{
    int64_t len;
    if (!v || !lq_parse_int(v, vlen, false, 0, LQ_MAX_LEN, &len))
        return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                       "expected len=N with N in 0..%u (payload bytes)", LQ_MAX_LEN);
    s->len = (uint32_t)len;
    return 0;
}

/* flags=F|G|...: TCP flag names in any order, or none (seg). */
static int lq_parse_flags_opt(struct lq_parser *p, const struct lq_tok *t, const char *v,
                              size_t vlen, size_t klen, struct lq_ev_seg *s)
{
    static const struct {
        const char *name;
        uint8_t bit;
    } names[] = {{"FIN", LQ_TH_FIN}, {"SYN", LQ_TH_SYN}, {"RST", LQ_TH_RST}, {"PSH", LQ_TH_PSH},
                 {"ACK", LQ_TH_ACK}, {"URG", LQ_TH_URG}, {"ECE", LQ_TH_ECE}, {"CWR", LQ_TH_CWR}};
    if (!v || !vlen)
        return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                       "expected flags=F|G|... with FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, or "
                       "flags=none");
    if (vlen == 4 && memcmp(v, "none", 4) == 0) {
        s->flags = 0;
        return 0;
    }
    uint8_t flags = 0;
    for (size_t i = 0; i < vlen;) {
        size_t j = i;
        while (j < vlen && v[j] != '|')
            j++;
        uint16_t col = (uint16_t)(t->col + klen + 1 + i);
        uint8_t bit = 0;
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
            if (j - i == 3 && memcmp(v + i, names[k].name, 3) == 0)
                bit = names[k].bit;
        if (!bit)
            return lq_perr(p, col,
                           "unknown flag '%.*s' (expected FIN, SYN, RST, PSH, ACK, URG, ECE or "
                           "CWR, joined by '|', or none alone)",
                           (int)(j - i), v + i);
        if (flags & bit)
            return lq_perr(p, col, "flag '%.*s' given twice", (int)(j - i), v + i);
        flags |= bit;
        if (j < vlen && j + 1 == vlen)
            return lq_perr(p, (uint16_t)(col + (j - i) + 1), "expected a flag after '|'");
        i = j + 1;
    }
    s->flags = flags;
    return 0;
}

static int lq_parse_segment(struct lq_parser *p, struct lq_directive *d, const char *verb)
{
    char buf[80];
    struct lq_ev_seg *s = &d->u.seg;
    s->wscale = -1;
    size_t nconns_before = p->sc->nconns;
    if (lq_conn_arg(p, verb, false, &d->conn))
        return -1;
    bool first_event = p->sc->nconns > nconns_before;
    const char *usage;
    switch (d->kind) {
    case LQ_D_SYN:
        usage = "mss=N, ts, tsval=0, sack, wscale=N, newisn, newisn=+N, len=N, fin, ack, ecn, "
                "tfo, tfo=echo|bad";
        break;
    case LQ_D_ACK:
        usage = "ack=bad|old, seq=bad|+N|-N, len=N, tsval=old|syn|+N, tsecr=bad, ack=+N, win=N";
        break;
    case LQ_D_RST:
        usage = "seq=bad|+N|-N, ack, ack=bad|old, tsval=old|syn|+N, tsecr=bad, ack=+N";
        break;
    case LQ_D_SEG:
        usage = "flags=F|G|..., seq=bad|+N|-N, ack=bad|old|+N, len=N, win=N, tsval=old|syn|+N, "
                "tsecr=bad";
        break;
    default:
        usage = "ack=bad|old, seq=bad|+N|-N, len=N, noack, tsval=old|syn|+N, tsecr=bad, ack=+N";
        break;
    }
    uint32_t seen = 0;
    for (int i = 2; i < p->ntok; i++) {
        const struct lq_tok *t = &p->tok[i];
        const char *v;
        size_t vlen, klen = lq_tok_kv(t, &v, &vlen);
        uint32_t bit = 0;
        int rc = -2;
        if (d->kind == LQ_D_SYN) {
            int64_t n;
            if (lq_key_is(t, klen, "mss")) {
                bit = 1;
                if (!v || !lq_parse_int(v, vlen, false, 0, 65535, &n))
                    return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                                   "expected mss=N with N in 0..65535");
                s->has_mss = true;
                s->mss = (uint16_t)n;
                rc = 0;
            } else if (lq_key_is(t, klen, "wscale")) {
                bit = 2;
                if (!v || !lq_parse_int(v, vlen, false, 0, 255, &n))
                    return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                                   "expected wscale=N with N in 0..255");
                s->wscale = (int16_t)n;
                rc = 0;
            } else if (lq_tok_is(t, "ts")) {
                bit = 4;
                s->ts = true;
                rc = 0;
            } else if (lq_tok_is(t, "sack")) {
                bit = 8;
                s->sack = true;
                rc = 0;
            } else if (lq_tok_is(t, "fin")) {
                bit = 512;
                s->syn_fin = true;
                rc = 0;
            } else if (lq_tok_is(t, "ack")) {
                bit = 8192;
                s->syn_ack = true;
                rc = 0;
            } else if (lq_tok_is(t, "ecn")) {
                bit = 131072;
                s->syn_ecn = true;
                rc = 0;
            } else if (lq_key_is(t, klen, "tfo")) {
                bit = 262144;
                if (!v)
                    s->tfo = LQ_TFO_REQUEST;
                else if (vlen == 4 && memcmp(v, "echo", 4) == 0)
                    s->tfo = LQ_TFO_ECHO;
                else if (vlen == 3 && memcmp(v, "bad", 3) == 0)
                    s->tfo = LQ_TFO_BAD;
                else
                    return lq_perr(p, (uint16_t)(t->col + klen + 1),
                                   "expected tfo (a cookie request), tfo=echo (the cookie the "
                                   "last SYN-ACK carried) or tfo=bad");
                rc = 0;
            } else if (lq_key_is(t, klen, "tsval")) {
                bit = 2048;
                if (!v || vlen != 1 || v[0] != '0')
                    return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                                   "expected tsval=0 (a SYN timestamp of TSval 0)");
                s->tsval_zero = true;
                s->ts = true;
                rc = 0;
            } else if (lq_key_is(t, klen, "newisn")) {
                bit = 16;
                if (!v) {
                    s->isn_mode = LQ_ISN_NEW;
                } else if (lq_parse_int(v, vlen, true, -2147483647, 2147483647, &n) && n) {
                    s->isn_mode = LQ_ISN_OFFSET;
                    s->isn_off = n;
                } else {
                    return lq_perr(p, (uint16_t)(t->col + klen + 1),
                                   "expected newisn or newisn=+N (a non-zero offset from the "
                                   "previous ISN)");
                }
                rc = 0;
            }
        } else {
            if (lq_key_is(t, klen, "ack") && v) {
                bit = 32;
                if (d->kind == LQ_D_ACK || d->kind == LQ_D_FIN || d->kind == LQ_D_RST ||
                    d->kind == LQ_D_SEG) {
                    bool bad = vlen == 3 && memcmp(v, "bad", 3) == 0;
                    bool old = vlen == 3 && memcmp(v, "old", 3) == 0;
                    int64_t ahead = 0;
                    if (!bad && !old &&
                        !(vlen > 1 && v[0] == '+' &&
                          lq_parse_int(v, vlen, true, 1, LQ_MAX_ACK_AHEAD, &ahead)))
                        return lq_perr(p, (uint16_t)(t->col + klen + 1),
                                       "expected ack=bad or ack=old, or ack=+N with N in 1..%u "
                                       "(an ACK of N bytes never sent)",
                                       LQ_MAX_ACK_AHEAD);
                    s->ack_bad = bad;
                    s->ack_old = old;
                    s->ack_ahead = (uint32_t)ahead;
                    if (d->kind == LQ_D_RST)
                        s->rst_ack = true;
                    rc = 0;
                }
            } else if (lq_tok_is(t, "ack") && d->kind == LQ_D_RST) {
                bit = 64;
                s->rst_ack = true;
                rc = 0;
            } else if (lq_key_is(t, klen, "seq")) {
                bit = 128;
                if (!v)
                    return lq_perr(p, (uint16_t)(t->col + klen), "expected seq=bad or seq=+N");
                rc = lq_parse_seq_opt(p, t, v, vlen, klen, s);
            } else if (lq_tok_is(t, "noack") && d->kind == LQ_D_FIN) {
                bit = 1024;
                s->no_ack = true;
                rc = 0;
            } else if (lq_key_is(t, klen, "tsval")) {
                bit = 2048;
                int64_t ahead;
                if (v && vlen == 3 && memcmp(v, "old", 3) == 0)
                    s->tsval_old = true;
                else if (v && vlen == 3 && memcmp(v, "syn", 3) == 0)
                    s->tsval_syn = true;
                else if (v && vlen > 1 && v[0] == '+' &&
                         lq_parse_int(v, vlen, true, 1, LQ_MAX_TSVAL_AHEAD, &ahead))
                    s->tsval_ahead = (uint32_t)ahead;
                else
                    return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                                   "expected tsval=old or tsval=syn, or tsval=+N with N in 1..%u "
                                   "(a TSval ahead of the client's clock)",
                                   LQ_MAX_TSVAL_AHEAD);
                rc = 0;
            } else if (lq_key_is(t, klen, "flags") && d->kind == LQ_D_SEG) {
                bit = 65536;
                rc = lq_parse_flags_opt(p, t, v, vlen, klen, s);
            } else if (lq_key_is(t, klen, "win") && (d->kind == LQ_D_ACK || d->kind == LQ_D_SEG)) {
                bit = 16384;
                int64_t n;
                if (!v || !lq_parse_int(v, vlen, false, 0, 65535, &n))
                    return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                                   "expected win=N with N in 0..65535 (the segment's window)");
                s->has_win = true;
                s->win = (uint16_t)n;
                rc = 0;
            } else if (lq_key_is(t, klen, "tsecr")) {
                bit = 4096;
                if (!v || vlen != 3 || memcmp(v, "bad", 3) != 0)
                    return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                                   "expected tsecr=bad");
                s->tsecr_bad = true;
                rc = 0;
            }
        }
        if (rc == -2 && lq_key_is(t, klen, "len") && d->kind != LQ_D_RST) {
            bit = 256;
            rc = lq_parse_len_opt(p, t, v, vlen, klen, s);
        }
        if (rc == -2 && (lq_tok_is(t, "ipv4") || lq_tok_is(t, "ipv6"))) {
            if (p->sc->family != LQ_SCN_DUAL)
                return lq_perr(p, t->col,
                               "'%.*s' chooses a connection's family in a dual-stack scenario "
                               "only (this one has no 'family dual' line before it)",
                               (int)t->len, t->s);
            bit = 32768;
            s->via = t->s[3] == '4' ? LQ_VIA_IPV4 : LQ_VIA_IPV6;
            /* a later event may repeat the family its first event chose */
            uint8_t fam = s->via == LQ_VIA_IPV4 ? LQ_VIA_IPV4 : LQ_VIA_IPV6;
            /* no record (its first event came before 'family dual'): IPv6, the default */
            uint8_t chosen = p->via && p->via[d->conn] ? p->via[d->conn] : LQ_VIA_IPV6;
            if (!first_event && chosen != fam)
                return lq_perr(p, t->col,
                               "'%.*s': connection '%s' is %s (its first event chose it)",
                               (int)t->len, t->s, p->sc->conns[d->conn],
                               chosen == LQ_VIA_IPV4 ? "IPv4" : "IPv6");
            rc = 0;
        }
        if (rc == -2)
            return lq_perr(p, t->col, "unknown option '%s' for %s (expected %s)",
                           lq_tok_str(t, buf, sizeof(buf)), verb, usage);
        if (rc)
            return -1;
        if (seen & bit)
            return lq_perr(p, t->col, "option '%.*s' given twice", (int)klen, t->s);
        seen |= bit;
    }
    if (s->no_ack && (s->ack_bad || s->ack_old || s->ack_ahead))
        return lq_perr(p, p->tok[0].col, "noack and ack=bad/old contradict each other");
    if (d->kind == LQ_D_SEG && !(seen & 65536))
        return lq_perr(p, (uint16_t)(p->tok[p->ntok - 1].col + p->tok[p->ntok - 1].len),
                       "'seg' needs flags=F|G|... (for example: seg c1 flags=SYN|ACK)");
    if (d->kind == LQ_D_SEG && (s->ack_bad || s->ack_old || s->ack_ahead) &&
        !(s->flags & LQ_TH_ACK))
        return lq_perr(p, p->tok[0].col,
                       "ack=bad/old/+N sets the acknowledgement number of a segment with ACK "
                       "(this one's flags have no ACK)");
    if (first_event && p->sc->family == LQ_SCN_DUAL) {
        if (!p->via && !(p->via = calloc(LQ_MAX_CONNS, 1)))
            return lq_poom(p, p->tok[0].col);
        p->via[d->conn] = s->via == LQ_VIA_IPV4 ? LQ_VIA_IPV4 : LQ_VIA_IPV6;
    }
    return 0;
}

static int lq_parse_wait(struct lq_parser *p, struct lq_directive *d)
{
    char buf[80];
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len),
                       "'wait' needs a duration (for example: wait 1500ms, wait 2s)");
    const struct lq_tok *t = &p->tok[1];
    size_t n = t->len;
    int64_t mult;
    if (n > 2 && memcmp(t->s + n - 2, "ms", 2) == 0) {
        mult = 1;
        n -= 2;
    } else if (n > 1 && t->s[n - 1] == 's') {
        mult = 1000;
        n -= 1;
    } else {
        return lq_perr(p, t->col, "expected a duration like 1500ms or 2s, found '%s'",
                       lq_tok_str(t, buf, sizeof(buf)));
    }
    int64_t v;
    if (!lq_parse_int(t->s, n, false, 1, LQ_MAX_WAIT_MS, &v) || v * mult > LQ_MAX_WAIT_MS)
        return lq_perr(p, t->col, "expected a duration between 1ms and %us, found '%s'",
                       LQ_MAX_WAIT_MS / 1000, lq_tok_str(t, buf, sizeof(buf)));
    d->u.wait_ms = (uint64_t)(v * mult);
    return lq_no_more(p, 2, "wait DURATION");
}

/* mss=N, mss=N@ipv4 or mss=N@ipv6 (t's value v): the MSS an expectation
 * checks, for both families or one. *bits gets 1 (IPv4) and/or 2 (IPv6);
 * the caller refuses a family checked twice. */
static int lq_parse_mss_check(struct lq_parser *p, const struct lq_tok *t, const char *v,
                              size_t vlen, struct lq_expect *x, uint32_t *bits)
{
    const char *at = memchr(v, '@', vlen);
    size_t nlen = at ? (size_t)(at - v) : vlen;
    int64_t n;
    if (!lq_parse_int(v, nlen, false, 0, 65535, &n))
        return lq_perr(p, (uint16_t)(t->col + 4),
                       "expected mss=N with N in 0..65535, optionally with @ipv4 or @ipv6");
    if (!at) {
        x->mss = x->mss6 = (int32_t)n;
        *bits = 3;
        return 0;
    }
    size_t flen = vlen - nlen - 1;
    if (flen == 4 && memcmp(at + 1, "ipv4", 4) == 0) {
        x->mss = (int32_t)n;
        *bits = 1;
    } else if (flen == 4 && memcmp(at + 1, "ipv6", 4) == 0) {
        x->mss6 = (int32_t)n;
        *bits = 2;
    } else {
        return lq_perr(
            p, (uint16_t)(t->col + 4 + nlen + 1),
            "expected @ipv4 or @ipv6 after mss=%" PRId64 " (the family the value is for)", n);
    }
    return 0;
}

static int lq_parse_expect_pkt(struct lq_parser *p, struct lq_expect *x)
{
    char buf[80];
    const struct lq_tok *kind = &p->tok[2];
    if (lq_tok_is(kind, "synack"))
        x->pkt = LQ_PK_SYNACK;
    else if (lq_tok_is(kind, "ack"))
        x->pkt = LQ_PK_ACK;
    else if (lq_tok_is(kind, "rst"))
        x->pkt = LQ_PK_RST;
    else if (lq_tok_is(kind, "fin"))
        x->pkt = LQ_PK_FIN;
    else
        return lq_perr(p, kind->col,
                       "expected synack, ack, rst or fin after the connection, found '%s'",
                       lq_tok_str(kind, buf, sizeof(buf)));
    uint32_t seen = 0;
    for (int i = 3; i < p->ntok; i++) {
        const struct lq_tok *t = &p->tok[i];
        const char *v;
        size_t vlen, klen = lq_tok_kv(t, &v, &vlen);
        int64_t n;
        uint32_t bit;
        if (lq_key_is(t, klen, "flowlabel") && v) {
            bit = 128;
            if (vlen == 4 && memcmp(v, "same", 4) == 0)
                x->label_tri = LQ_TRI_YES;
            else if (vlen == 7 && memcmp(v, "differs", 7) == 0)
                x->label_tri = LQ_TRI_NO;
            else
                return lq_perr(p, (uint16_t)(t->col + 10),
                               "expected flowlabel=same or flowlabel=differs (against the "
                               "connection's last SYN-ACK)");
        } else if (x->pkt != LQ_PK_SYNACK) {
            return lq_perr(p, t->col,
                           "'%s' takes no options (only synack does) but flowlabel=same|differs",
                           x->pkt == LQ_PK_ACK   ? "ack"
                           : x->pkt == LQ_PK_FIN ? "fin"
                                                 : "rst");
        } else if (lq_key_is(t, klen, "mss") && v) {
            uint32_t fam;
            if (lq_parse_mss_check(p, t, v, vlen, x, &fam))
                return -1;
            bit = fam == 3 ? 1u | 32u : fam == 1 ? 1u : 32u;
        } else if (lq_key_is(t, klen, "wscale") && v) {
            bit = 2;
            if (!lq_parse_int(v, vlen, false, 0, 14, &n))
                return lq_perr(p, (uint16_t)(t->col + 7), "expected wscale=N with N in 0..14");
            x->wscale = (int16_t)n;
            x->wscale_tri = LQ_TRI_YES;
        } else if (lq_tok_is(t, "nowscale")) {
            bit = 2;
            x->wscale_tri = LQ_TRI_NO;
        } else if (lq_tok_is(t, "sack") || lq_tok_is(t, "nosack")) {
            bit = 4;
            x->sack_tri = t->s[0] == 'n' ? LQ_TRI_NO : LQ_TRI_YES;
        } else if (lq_tok_is(t, "ts") || lq_tok_is(t, "nots")) {
            bit = 8;
            x->ts_tri = t->s[0] == 'n' ? LQ_TRI_NO : LQ_TRI_YES;
        } else if (lq_tok_is(t, "cookie") || lq_tok_is(t, "nocookie")) {
            bit = 16;
            x->cookie_tri = t->s[0] == 'n' ? LQ_TRI_NO : LQ_TRI_YES;
        } else if (lq_tok_is(t, "ecn") || lq_tok_is(t, "noecn")) {
            bit = 64;
            x->ecn_tri = t->s[0] == 'n' ? LQ_TRI_NO : LQ_TRI_YES;
        } else if (lq_tok_is(t, "tfo-cookie") || lq_tok_is(t, "notfo-cookie")) {
            bit = 256;
            x->tfo_tri = t->s[0] == 'n' ? LQ_TRI_NO : LQ_TRI_YES;
        } else {
            return lq_perr(p, t->col,
                           "unknown synack check '%s' (expected mss=N[@ipv4|@ipv6], wscale=N, "
                           "nowscale, sack, nosack, ts, nots, cookie, nocookie, ecn, noecn, "
                           "tfo-cookie, notfo-cookie) or "
                           "flowlabel=same|differs",
                           lq_tok_str(t, buf, sizeof(buf)));
        }
        if (seen & bit)
            return lq_perr(p, t->col, "'%s' contradicts or repeats an earlier check on this line",
                           lq_tok_str(t, buf, sizeof(buf)));
        seen |= bit;
        (void)n;
    }
    return 0;
}

static int lq_parse_expect(struct lq_parser *p, struct lq_directive *d)
{
    char buf[80];
    struct lq_expect *x = &d->u.expect;
    x->mss = x->mss6 = -1;
    x->wscale = -1;
    static const char usage[] =
        "expect none | expect accept NAME [mss=N[@ipv4|@ipv6]] | expect accept EAGAIN | expect "
        "acceptq N | "
        "expect synq N | expect backlog N | expect counter NAME N | expect NAME synack|ack|rst|fin "
        "[checks]";
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len), "expected %s", usage);
    const struct lq_tok *w = &p->tok[1];
    int64_t n;
    if (lq_tok_is(w, "none")) {
        x->kind = LQ_X_NONE;
        return lq_no_more(p, 2, "expect none");
    }
    if (lq_tok_is(w, "acceptq") || lq_tok_is(w, "synq") || lq_tok_is(w, "backlog")) {
        x->kind = w->s[0] == 'a' ? LQ_X_ACCEPTQ : w->s[0] == 's' ? LQ_X_SYNQ : LQ_X_BACKLOG;
        char verb[40];
        snprintf(verb, sizeof(verb), "expect %.*s", (int)w->len, w->s);
        if (lq_take_listener(p, 2, verb, &x->lsn))
            return -1;
        if (p->ntok < 3 || !lq_parse_int(p->tok[2].s, p->tok[2].len, false, 0, INT32_MAX, &n))
            return lq_perr(p, p->ntok < 3 ? (uint16_t)(w->col + w->len) : p->tok[2].col,
                           "expected a count after 'expect %.*s'", (int)w->len, w->s);
        x->value = n;
        return lq_no_more(p, 3, "expect acceptq|synq|backlog N");
    }
    if (lq_tok_is(w, "counter")) {
        x->kind = LQ_X_COUNTER;
        if (p->ntok < 3)
            return lq_perr(
                p, (uint16_t)(w->col + w->len),
                "expected a counter name (for example: expect counter ListenOverflows 1)");
        const struct lq_tok *name = &p->tok[2];
        bool name_ok = name->len <= LQ_MAX_NAME;
        for (size_t i = 0; name_ok && i < name->len; i++)
            name_ok = isalnum((unsigned char)name->s[i]) || name->s[i] == ':' || name->s[i] == '_';
        if (!name_ok)
            return lq_perr(p, name->col,
                           "'%s' is not a counter name (at most %d letters, digits, '_' and ':')",
                           lq_tok_str(name, buf, sizeof(buf)), LQ_MAX_NAME);
        if (!lq_counter_name_known(lq_tok_str(name, buf, sizeof(buf))))
            return lq_perr(p, name->col,
                           "unknown counter '%s' (expected a TcpExt or Tcp counter name as in "
                           "/proc/net/netstat and /proc/net/snmp, e.g. ListenOverflows)",
                           buf);
        if (p->ntok < 4 ||
            !lq_parse_int(p->tok[3].s, p->tok[3].len, true, INT64_MIN / 2, INT64_MAX / 2, &n))
            return lq_perr(p, p->ntok < 4 ? (uint16_t)(name->col + name->len) : p->tok[3].col,
                           "expected the change of %s since the scenario started (an integer)",
                           lq_tok_str(name, buf, sizeof(buf)));
        /* the known names are far fewer than the table's 1024: only memory can fail */
        int idx = lq_scenario_counter_name(p->sc, lq_tok_str(name, buf, sizeof(buf)));
        if (idx < 0)
            return lq_poom(p, name->col);
        x->counter = (uint32_t)idx;
        x->value = n;
        return lq_no_more(p, 4, "expect counter NAME N");
    }
    if (lq_tok_is(w, "accept")) {
        x->kind = LQ_X_ACCEPT;
        if (p->ntok < 3)
            return lq_perr(p, (uint16_t)(w->col + w->len),
                           "expected a connection name or EAGAIN after 'expect accept'");
        if (lq_tok_is(&p->tok[2], "EAGAIN") || lq_tok_is(&p->tok[2], "EINVAL") ||
            lq_tok_is(&p->tok[2], "EBADF")) {
            x->accept_errno = p->tok[2].s[1] == 'A'   ? EAGAIN
                              : p->tok[2].s[1] == 'B' ? EBADF
                                                      : EINVAL;
            return lq_no_more(p, 3, "expect accept EAGAIN");
        }
        struct lq_tok saved = p->tok[1];
        p->tok[1] = p->tok[2];
        int rc = lq_conn_arg(p, "expect accept", true, &x->conn);
        p->tok[1] = saved;
        if (rc)
            return -1;
        uint32_t seen = 0;
        for (int i = 3; i < p->ntok && i < 5; i++) {
            const struct lq_tok *t = &p->tok[i];
            const char *v;
            size_t vlen, klen = lq_tok_kv(t, &v, &vlen);
            if (!lq_key_is(t, klen, "mss") || !v)
                return lq_perr(p, t->col, "unexpected '%s' (expected mss=N[@ipv4|@ipv6])",
                               lq_tok_str(t, buf, sizeof(buf)));
            uint32_t fam;
            if (lq_parse_mss_check(p, t, v, vlen, x, &fam))
                return -1;
            if (seen & fam)
                return lq_perr(p, t->col, "'%s' repeats an earlier mss check on this line",
                               lq_tok_str(t, buf, sizeof(buf)));
            seen |= fam;
        }
        return lq_no_more(p, 5, "expect accept NAME [mss=N[@ipv4|@ipv6] ...]");
    }
    x->kind = LQ_X_PKT;
    if (!lq_valid_name(w))
        return lq_perr(p, w->col, "unexpected '%s' (expected %s)", lq_tok_str(w, buf, sizeof(buf)),
                       usage);
    if (lq_conn_arg(p, "expect", true, &x->conn))
        return -1;
    if (p->ntok < 3)
        return lq_perr(p, (uint16_t)(w->col + w->len),
                       "expected synack, ack, rst or fin after 'expect %.*s'", (int)w->len, w->s);
    return lq_parse_expect_pkt(p, x);
}

/* close | close LISTENER | close CONN: a listener, or an accepted
 * connection (one an earlier event named). */
static int lq_parse_close(struct lq_parser *p, struct lq_directive *d)
{
    /* a listener's name at word 1 (else the first listener, as before
     * listeners had names) */
    d->lsn = 0;
    bool named = lq_take_listener_name(p, 1, &d->lsn);
    if (p->ntok == 1) {
        d->u.call.kind = LQ_CALL_CLOSE;
        return 0;
    }
    if (named)
        return lq_no_more(p, 1, "close [LISTENER|CONN]");
    d->u.call.kind = LQ_CALL_CLOSE_CONN;
    if (lq_conn_arg(p, "close", true, &d->conn))
        return -1;
    return lq_no_more(p, 2, p->sc->nlsn ? "close [LISTENER|CONN]" : "close [CONN]");
}

/* shutdown SHUT_RD|SHUT_WR|SHUT_RDWR: the listener. */
static int lq_parse_shutdown(struct lq_parser *p, struct lq_directive *d)
{
    char buf[80];
    d->u.call.kind = LQ_CALL_SHUTDOWN;
    const struct lq_tok *last = &p->tok[p->ntok - 1];
    uint16_t eol = (uint16_t)(last->col + last->len);
    d->lsn = 0;
    lq_take_listener_name(p, 1, &d->lsn); /* else the first listener */
    if (p->ntok < 2)
        return lq_perr(p, eol, "'shutdown' needs SHUT_RD, SHUT_WR or SHUT_RDWR");
    const struct lq_tok *t = &p->tok[1];
    unsigned how = 3;
    for (unsigned h = 0; h < 3; h++)
        if (lq_tok_is(t, lq_shut_how_name(h)))
            how = h;
    if (how == 3)
        return lq_perr(p, t->col,
                       "unknown shutdown mode '%s' (expected SHUT_RD, SHUT_WR or SHUT_RDWR)",
                       lq_tok_str(t, buf, sizeof(buf)));
    d->u.call.how = (uint8_t)how;
    return lq_no_more(p, 2,
                      p->sc->nlsn ? "shutdown [LISTENER] SHUT_RD|SHUT_WR|SHUT_RDWR"
                                  : "shutdown SHUT_RD|SHUT_WR|SHUT_RDWR");
}

/* icmp CONN KIND [mtu=N] [seq=+N|-N|bad]: an ICMP error about a segment
 * the server sent to a connection an earlier event named. */
static int lq_parse_icmp(struct lq_parser *p, struct lq_directive *d)
{
    char buf[80];
    static const char usage[] = "icmp CONN net-unreach|host-unreach|proto-unreach|port-unreach|"
                                "frag-needed mtu=N|admin-prohibited|ttl-exceeded|param-problem "
                                "[seq=+N|-N|bad]";
    struct lq_ev_seg *s = &d->u.seg;
    s->wscale = -1;
    if (lq_conn_arg(p, "icmp", true, &d->conn))
        return -1;
    if (p->ntok < 3)
        return lq_perr(p, (uint16_t)(p->tok[1].col + p->tok[1].len),
                       "'icmp %.*s' needs the error's kind (the form is: %s)", (int)p->tok[1].len,
                       p->tok[1].s, usage);
    const struct lq_tok *k = &p->tok[2];
    for (unsigned i = 1; i < LQ_ICMP_KIND_COUNT; i++)
        if (lq_tok_is(k, lq_icmp_kind_name(i)))
            s->icmp = (uint8_t)i;
    if (!s->icmp)
        return lq_perr(p, k->col, "unknown ICMP error '%s' (the form is: %s)",
                       lq_tok_str(k, buf, sizeof(buf)), usage);
    bool seen_mtu = false, seen_seq = false;
    for (int i = 3; i < p->ntok; i++) {
        const struct lq_tok *t = &p->tok[i];
        const char *eq = memchr(t->s, '=', t->len);
        size_t klen = eq ? (size_t)(eq - t->s) : t->len;
        const char *v = eq ? eq + 1 : NULL;
        size_t vlen = eq ? t->len - klen - 1 : 0;
        if (lq_key_is(t, klen, "mtu") && s->icmp == LQ_ICMP_FRAG_NEEDED) {
            int64_t n;
            if (!v || !lq_parse_int(v, vlen, false, 0, 65535, &n))
                return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                               "expected mtu=N with N in 0..65535 (the next hop's MTU)");
            if (seen_mtu)
                return lq_perr(p, t->col, "option 'mtu' given twice");
            seen_mtu = true;
            s->mtu = (uint16_t)n;
        } else if (lq_key_is(t, klen, "seq") && v) {
            if (seen_seq)
                return lq_perr(p, t->col, "option 'seq' given twice");
            seen_seq = true;
            if (lq_parse_seq_opt(p, t, v, vlen, klen, s))
                return -1;
        } else if (lq_key_is(t, klen, "mtu")) {
            return lq_perr(p, t->col, "mtu=N belongs to frag-needed only (this is %s)",
                           lq_icmp_kind_name(s->icmp));
        } else {
            return lq_perr(p, t->col, "unknown option '%s' for icmp (the form is: %s)",
                           lq_tok_str(t, buf, sizeof(buf)), usage);
        }
    }
    if (s->icmp == LQ_ICMP_FRAG_NEEDED && !seen_mtu)
        return lq_perr(p, (uint16_t)(k->col + k->len),
                       "frag-needed needs mtu=N (the next hop's MTU, for example mtu=1280)");
    return 0;
}

/* family ipv4|ipv6|dual: once, before the first event. */
static int lq_parse_family(struct lq_parser *p, struct lq_directive *d)
{
    char buf[80];
    if (p->ntok < 2)
        return lq_perr(p, (uint16_t)(p->tok[0].col + p->tok[0].len),
                       "'family' needs ipv4, ipv6 or dual");
    const struct lq_tok *t = &p->tok[1];
    if (lq_tok_is(t, "ipv4"))
        d->u.family = LQ_SCN_IPV4;
    else if (lq_tok_is(t, "ipv6"))
        d->u.family = LQ_SCN_IPV6;
    else if (lq_tok_is(t, "dual"))
        d->u.family = LQ_SCN_DUAL;
    else
        return lq_perr(p, t->col, "unknown family '%s' (expected ipv4, ipv6 or dual)",
                       lq_tok_str(t, buf, sizeof(buf)));
    if (p->family_line)
        return lq_perr(p, p->tok[0].col, "a second 'family' line (the first is line %u)",
                       p->family_line);
    if (p->seen_event)
        return lq_perr(p, p->tok[0].col,
                       "'family' must come before the first event (it chooses the listener's "
                       "socket)");
    p->family_line = p->line;
    p->sc->family = d->u.family;
    return lq_no_more(p, 2, "family ipv4|ipv6|dual");
}

static int lq_parse_line(struct lq_parser *p, const char *line, size_t len)
{
    /* comment */
    const char *hash = memchr(line, '#', len);
    size_t code_len = hash ? (size_t)(hash - line) : len;
    p->ntok = 0;
    for (size_t i = 0; i < code_len;) {
        while (i < code_len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
            i++;
        if (i >= code_len)
            break;
        size_t start = i;
        while (i < code_len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            i++;
        if (p->ntok == LQ_MAX_TOKENS)
            return lq_perr(p, (uint16_t)(start + 1), "too many words on one line (at most %d)",
                           LQ_MAX_TOKENS);
        for (size_t k = start; k < i; k++)
            if ((unsigned char)line[k] < 0x20 || (unsigned char)line[k] >= 0x7f)
                return lq_perr(p, (uint16_t)(k + 1),
                               "unexpected byte 0x%02x (scenarios are printable ASCII)",
                               (unsigned char)line[k]);
        p->tok[p->ntok++] = (struct lq_tok){line + start, i - start, (uint16_t)(start + 1)};
    }
    struct lq_directive *d;
    if (p->ntok == 0) {
        d = lq_scenario_add(p->sc, hash ? LQ_D_COMMENT : LQ_D_BLANK);
        if (!d && p->sc->n < LQ_MAX_DIRECTIVES)
            return lq_poom(p, 1);
        if (!d)
            return lq_perr(p, 1, "too many lines (at most %u)", LQ_MAX_DIRECTIVES);
        d->line = p->line;
        d->col = 1;
        if (hash) {
            size_t clen = len - (size_t)(hash - line);
            while (clen &&
                   (hash[clen - 1] == '\r' || hash[clen - 1] == ' ' || hash[clen - 1] == '\t'))
                clen--;
            d->comment = strndup(hash, clen);
            if (!d->comment)
                return lq_poom(p, 1);
        }
        return 0;
    }
    static const struct {
        const char *word;
        uint8_t kind;
    } verbs[] = {{"seed", LQ_D_SEED},         {"sysctl", LQ_D_SYSCTL},     {"listen", LQ_D_LISTEN},
                 {"sockopt", LQ_D_SOCKOPT},   {"syn", LQ_D_SYN},           {"ack", LQ_D_ACK},
                 {"rst", LQ_D_RST},           {"fin", LQ_D_FIN},           {"accept", LQ_D_ACCEPT},
                 {"wait", LQ_D_WAIT},         {"expect", LQ_D_EXPECT},     {"family", LQ_D_FAMILY},
                 {"seg", LQ_D_SEG},           {"listener", LQ_D_LISTENER}, {"close", LQ_D_CLOSE},
                 {"shutdown", LQ_D_SHUTDOWN}, {"icmp", LQ_D_ICMP}};
    uint8_t kind = LQ_D_KIND_COUNT;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (lq_tok_is(&p->tok[0], verbs[i].word))
            kind = verbs[i].kind;
    if (kind == LQ_D_KIND_COUNT) {
        char buf[80];
        return lq_perr(
            p, p->tok[0].col,
            "unknown directive '%s' (expected seed, family, sysctl, listen, sockopt, "
            "syn, ack, rst, fin, seg, icmp, accept, close, shutdown, wait, expect or listener)",
            lq_tok_str(&p->tok[0], buf, sizeof(buf)));
    }
    d = lq_scenario_add(p->sc, kind);
    if (!d && p->sc->n < LQ_MAX_DIRECTIVES)
        return lq_poom(p, 1);
    if (!d)
        return lq_perr(p, 1, "too many lines (at most %u)", LQ_MAX_DIRECTIVES);
    d->line = p->line;
    d->col = p->tok[0].col;
    if (hash) {
        size_t clen = len - (size_t)(hash - line);
        while (clen && (hash[clen - 1] == '\r' || hash[clen - 1] == ' ' || hash[clen - 1] == '\t'))
            clen--;
        d->comment = strndup(hash, clen);
        if (!d->comment)
            return lq_poom(p, 1);
    }
    int64_t n = 0;
    int rc = 0;
    if ((kind == LQ_D_LISTEN || kind == LQ_D_SOCKOPT || kind == LQ_D_ACCEPT) &&
        lq_take_listener(p, 1,
                         p->tok[0].s[0] == 'l'   ? "listen"
                         : p->tok[0].s[0] == 's' ? "sockopt"
                                                 : "accept",
                         &d->lsn))
        return -1;
    switch (kind) {
    case LQ_D_SEED:
        rc = lq_parse_number_arg(p, "seed", "seed N", false, 0, INT64_MAX, &n);
        d->u.seed = (uint64_t)n;
        if (!rc)
            p->sc->seed = d->u.seed;
        break;
    case LQ_D_SYSCTL: rc = lq_parse_sysctl(p, d); break;
    case LQ_D_LISTEN:
        rc = lq_parse_number_arg(p, "listen", "listen BACKLOG", true, INT32_MIN, INT32_MAX, &n);
        d->u.backlog = (int32_t)n;
        break;
    case LQ_D_SOCKOPT: rc = lq_parse_sockopt(p, d); break;
    case LQ_D_SYN: rc = lq_parse_segment(p, d, "syn"); break;
    case LQ_D_ACK: rc = lq_parse_segment(p, d, "ack"); break;
    case LQ_D_RST: rc = lq_parse_segment(p, d, "rst"); break;
    case LQ_D_FIN: rc = lq_parse_segment(p, d, "fin"); break;
    case LQ_D_SEG: rc = lq_parse_segment(p, d, "seg"); break;
    case LQ_D_ACCEPT:
        rc = lq_no_more(p, 1, p->sc->nlsn ? "accept LISTENER" : "accept, nothing after it");
        break;
    case LQ_D_WAIT: rc = lq_parse_wait(p, d); break;
    case LQ_D_CLOSE: rc = lq_parse_close(p, d); break;
    case LQ_D_SHUTDOWN: rc = lq_parse_shutdown(p, d); break;
    case LQ_D_ICMP: rc = lq_parse_icmp(p, d); break;
    case LQ_D_EXPECT: rc = lq_parse_expect(p, d); break;
    case LQ_D_FAMILY: rc = lq_parse_family(p, d); break;
    case LQ_D_LISTENER: rc = lq_parse_listener(p, d); break;
    }
    if (lq_dir_is_event(kind))
        p->seen_event = true;
    return rc;
}

int lq_parse_text(const char *text, size_t len, const char *where, struct lq_scenario *sc,
                  struct lq_err *err)
{
    struct lq_parser p = {.where = where ? where : "<input>", .sc = sc, .err = err};
    lq_scenario_init(sc);
    size_t pos = 0;
    while (pos < len) {
        p.line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (llen > LQ_MAX_LINE) {
            lq_perr(&p, LQ_MAX_LINE, "line longer than %d bytes", LQ_MAX_LINE);
            lq_scenario_free(sc);
            free(p.via);
            return -1;
        }
        if (memchr(text + pos, '\0', llen)) {
            lq_perr(&p, (uint16_t)((const char *)memchr(text + pos, '\0', llen) - (text + pos) + 1),
                    "unexpected NUL byte (scenarios are text)");
            lq_scenario_free(sc);
            free(p.via);
            return -1;
        }
        if (lq_parse_line(&p, text + pos, llen)) {
            lq_scenario_free(sc);
            free(p.via);
            return -1;
        }
        pos += llen + (nl ? 1 : 0);
    }
    static const uint8_t run_family[] = {[LQ_SCN_NEUTRAL] = LQ_FAMILY_IPV4,
                                         [LQ_SCN_IPV4] = LQ_FAMILY_IPV4,
                                         [LQ_SCN_IPV6] = LQ_FAMILY_IPV6,
                                         [LQ_SCN_DUAL] = LQ_FAMILY_DUAL};
    sc->run_family = run_family[sc->family];
    if (lq_scenario_index_families(sc)) {
        lq_poom(&p, 1);
        lq_scenario_free(sc);
        free(p.via);
        return -1;
    }
    free(p.via);
    return 0;
}

int lq_parse_file(const char *path, struct lq_scenario *sc, struct lq_err *err)
{
    lq_scenario_init(sc); /* empty on every error, as lq_parse_text leaves it */
    FILE *f = lq_fopen_regular(path, err);
    if (!f)
        return -1;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            /* one byte more than the limit tells a file of exactly the limit from a larger one */
            if (len > LQ_MAX_FILE) {
                free(buf);
                fclose(f);
                return lq_errf(err, LQ_EXIT_BADINPUT, "%s: larger than %u MiB", path,
                               LQ_MAX_FILE >> 20);
            }
            cap = cap ? cap * 2 : 8192;
            if (cap > LQ_MAX_FILE + 1)
                cap = LQ_MAX_FILE + 1;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return lq_errf(err, LQ_EXIT_ERROR, "%s: out of memory", path);
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return lq_errno(err, LQ_EXIT_BADINPUT, "%s: read error", path);
    }
    int rc = lq_parse_text(buf, len, path, sc, err);
    free(buf);
    if (rc)
        return rc;
    sc->path = strdup(path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base);
    if (blen > 3 && strcmp(base + blen - 3, ".lq") == 0)
        blen -= 3;
    sc->name = strndup(base, blen);
    if (!sc->path || !sc->name) {
        lq_scenario_free(sc);
        return lq_errf(err, LQ_EXIT_ERROR, "%s: out of memory", path);
    }
    return 0;
}
