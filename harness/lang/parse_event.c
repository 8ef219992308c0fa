/* harness/lang/parse_event.c: the parsers of the event directives, the
 * lines that act on the listener or a connection while the scenario runs
 * (lq_dir_is_event): sysctl and sockopt, the segments a client sends (syn,
 * ack, rst, fin, seg) with their options, icmp, wait, close and shutdown.
 * listen (one number) and accept (no option) are parsed in parse.c's
 * dispatch.
 */
#include "parse_event.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int lq_parse_sysctl(struct lq_parser *p, struct lq_directive *d)
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
    if (!lq_parse_decimal(v, vlen, true, INT32_MIN, INT32_MAX, &value))
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

int lq_parse_sockopt(struct lq_parser *p, struct lq_directive *d)
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
    if (!v || !lq_parse_decimal(v, vlen, true, INT32_MIN, INT32_MAX, &value))
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
        lq_parse_decimal(v, vlen, true, -1000000000, 1000000000, &off)) {
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
    if (!v || !lq_parse_decimal(v, vlen, false, 0, LQ_MAX_LEN, &len))
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

int lq_parse_segment(struct lq_parser *p, struct lq_directive *d, const char *verb)
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
                if (!v || !lq_parse_decimal(v, vlen, false, 0, 65535, &n))
                    return lq_perr(p, (uint16_t)(t->col + klen + (v ? 1 : 0)),
                                   "expected mss=N with N in 0..65535");
                s->has_mss = true;
                s->mss = (uint16_t)n;
                rc = 0;
            } else if (lq_key_is(t, klen, "wscale")) {
                bit = 2;
                if (!v || !lq_parse_decimal(v, vlen, false, 0, 255, &n))
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
                } else if (lq_parse_decimal(v, vlen, true, -2147483647, 2147483647, &n) && n) {
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
                          lq_parse_decimal(v, vlen, true, 1, LQ_MAX_ACK_AHEAD, &ahead)))
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
                         lq_parse_decimal(v, vlen, true, 1, LQ_MAX_TSVAL_AHEAD, &ahead))
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
                if (!v || !lq_parse_decimal(v, vlen, false, 0, 65535, &n))
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

int lq_parse_wait(struct lq_parser *p, struct lq_directive *d)
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
    if (!lq_parse_decimal(t->s, n, false, 1, LQ_MAX_WAIT_MS, &v) || v * mult > LQ_MAX_WAIT_MS)
        return lq_perr(p, t->col, "expected a duration between 1ms and %us, found '%s'",
                       LQ_MAX_WAIT_MS / 1000, lq_tok_str(t, buf, sizeof(buf)));
    d->u.wait_ms = (uint64_t)(v * mult);
    return lq_no_more(p, 2, "wait DURATION");
}

int lq_parse_close(struct lq_parser *p, struct lq_directive *d)
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

int lq_parse_shutdown(struct lq_parser *p, struct lq_directive *d)
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

int lq_parse_icmp(struct lq_parser *p, struct lq_directive *d)
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
            if (!v || !lq_parse_decimal(v, vlen, false, 0, 65535, &n))
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
