/* harness/lang/parse.c: the .lq scenario parser.
 *
 * Line-oriented: one directive per line, '#' starts a comment, tokens are
 * separated by blanks. Every error names the source, line and column and
 * says what was expected (tests/unit/test_parse_errors.c covers each). This
 * file reads the text, splits each line into words and dispatches on the
 * verb, and parses the directives that are not events: seed, family,
 * listener and expect. The events' parsers are in parse_event.c, the words
 * and errors every parser shares in parse_tok.c.
 */
#include "parse.h"

#include "counter_names.h"
#include "parse_event.h"
#include "parse_tok.h"
#include "util/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LQ_MAX_LINE 4096
#define LQ_MAX_FILE (64u << 20)

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

/* mss=N, mss=N@ipv4 or mss=N@ipv6 (t's value v): the MSS an expectation
 * checks, for both families or one. *bits gets 1 (IPv4) and/or 2 (IPv6);
 * the caller refuses a family checked twice. */
static int lq_parse_mss_check(struct lq_parser *p, const struct lq_tok *t, const char *v,
                              size_t vlen, struct lq_expect *x, uint32_t *bits)
{
    const char *at = memchr(v, '@', vlen);
    size_t nlen = at ? (size_t)(at - v) : vlen;
    int64_t n;
    if (!lq_parse_decimal(v, nlen, false, 0, 65535, &n))
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
            if (!lq_parse_decimal(v, vlen, false, 0, 14, &n))
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
        if (p->ntok < 3 || !lq_parse_decimal(p->tok[2].s, p->tok[2].len, false, 0, INT32_MAX, &n))
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
            !lq_parse_decimal(p->tok[3].s, p->tok[3].len, true, INT64_MIN / 2, INT64_MAX / 2, &n))
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
