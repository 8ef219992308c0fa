/* harness/lang/print.c: the canonical printer (see print.h). */
#include "print.h"

#include <errno.h>
#include <inttypes.h>

static void lq_print_seq_opt(const struct lq_ev_seg *s, struct lq_strbuf *out)
{
    if (s->seq_mode == LQ_SEQ_BAD)
        lq_sb_add(out, " seq=bad");
    else if (s->seq_mode == LQ_SEQ_OFFSET)
        lq_sb_addf(out, " seq=%+" PRId32, s->seq_off);
}

static void lq_print_via(const struct lq_ev_seg *s, struct lq_strbuf *out)
{
    if (s->via == LQ_VIA_IPV4)
        lq_sb_add(out, " ipv4");
    else if (s->via == LQ_VIA_IPV6)
        lq_sb_add(out, " ipv6");
}

/* mss=N when both families check N, else mss=N@ipv4 and/or mss=N@ipv6. */
static void lq_print_mss(const struct lq_expect *x, struct lq_strbuf *out)
{
    if (x->mss >= 0 && x->mss == x->mss6) {
        lq_sb_addf(out, " mss=%d", x->mss);
        return;
    }
    if (x->mss >= 0)
        lq_sb_addf(out, " mss=%d@ipv4", x->mss);
    if (x->mss6 >= 0)
        lq_sb_addf(out, " mss=%d@ipv6", x->mss6);
}

/* flags=FIN|SYN|...: in the order of the header's bits, none for 0. */
static void lq_print_flags(uint8_t f, struct lq_strbuf *out)
{
    static const char *const names[8] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    lq_sb_add(out, " flags=");
    if (!f) {
        lq_sb_add(out, "none");
        return;
    }
    bool first = true;
    for (int i = 0; i < 8; i++) {
        if (!(f & (1u << i)))
            continue;
        if (!first)
            lq_sb_addc(out, '|');
        lq_sb_add(out, names[i]);
        first = false;
    }
}

static void lq_print_segment(const struct lq_scenario *sc, const struct lq_directive *d,
                             struct lq_strbuf *out)
{
    static const char *const verb[] = {[LQ_D_SYN] = "syn",
                                       [LQ_D_ACK] = "ack",
                                       [LQ_D_RST] = "rst",
                                       [LQ_D_FIN] = "fin",
                                       [LQ_D_SEG] = "seg"};
    const struct lq_ev_seg *s = &d->u.seg;
    lq_sb_addf(out, "%s %s", verb[d->kind], sc->conns[d->conn]);
    if (d->kind == LQ_D_SEG)
        lq_print_flags(s->flags, out);
    switch (d->kind) {
    case LQ_D_SYN:
        if (s->has_mss)
            lq_sb_addf(out, " mss=%u", s->mss);
        if (s->ts)
            lq_sb_add(out, " ts");
        if (s->tsval_zero)
            lq_sb_add(out, " tsval=0");
        if (s->sack)
            lq_sb_add(out, " sack");
        if (s->wscale >= 0)
            lq_sb_addf(out, " wscale=%d", s->wscale);
        if (s->isn_mode == LQ_ISN_NEW)
            lq_sb_add(out, " newisn");
        else if (s->isn_mode == LQ_ISN_OFFSET)
            lq_sb_addf(out, " newisn=%+" PRId64, s->isn_off);
        if (s->len)
            lq_sb_addf(out, " len=%u", s->len);
        if (s->syn_fin)
            lq_sb_add(out, " fin");
        if (s->syn_ack)
            lq_sb_add(out, " ack");
        if (s->syn_ecn)
            lq_sb_add(out, " ecn");
        if (s->tfo)
            lq_sb_add(out, s->tfo == LQ_TFO_ECHO  ? " tfo=echo"
                           : s->tfo == LQ_TFO_BAD ? " tfo=bad"
                                                  : " tfo");
        lq_print_via(s, out);
        return;
    case LQ_D_RST:
        lq_print_seq_opt(s, out);
        if (s->rst_ack)
            lq_sb_add(out, " ack");
        if (s->ack_bad)
            lq_sb_add(out, " ack=bad");
        if (s->ack_old)
            lq_sb_add(out, " ack=old");
        if (s->ack_ahead)
            lq_sb_addf(out, " ack=+%u", s->ack_ahead);
        break;
    default: /* ack, fin */
        if (s->ack_bad)
            lq_sb_add(out, " ack=bad");
        if (s->ack_old)
            lq_sb_add(out, " ack=old");
        if (s->ack_ahead)
            lq_sb_addf(out, " ack=+%u", s->ack_ahead);
        lq_print_seq_opt(s, out);
        if (s->len)
            lq_sb_addf(out, " len=%u", s->len);
        if (s->no_ack)
            lq_sb_add(out, " noack");
        if (s->has_win)
            lq_sb_addf(out, " win=%u", s->win);
        break;
    }
    if (s->tsval_old)
        lq_sb_add(out, " tsval=old");
    if (s->tsval_syn)
        lq_sb_add(out, " tsval=syn");
    if (s->tsval_ahead)
        lq_sb_addf(out, " tsval=+%u", s->tsval_ahead);
    if (s->tsecr_bad)
        lq_sb_add(out, " tsecr=bad");
    lq_print_via(s, out);
}

static void lq_print_tri(struct lq_strbuf *out, uint8_t tri, const char *yes, const char *no)
{
    if (tri == LQ_TRI_YES)
        lq_sb_addf(out, " %s", yes);
    else if (tri == LQ_TRI_NO)
        lq_sb_addf(out, " %s", no);
}

/* A directive's listener as written: its name, or nothing in a scenario
 * with the one unnamed listener. */
static const char *lq_print_lsn(const struct lq_scenario *sc, uint8_t lsn)
{
    return sc->nlsn ? sc->lsn_names[lsn < sc->nlsn ? lsn : 0] : "";
}

static void lq_print_expect(const struct lq_scenario *sc, const struct lq_expect *x,
                            struct lq_strbuf *out)
{
    static const char *const pk[] = {
        [LQ_PK_SYNACK] = "synack", [LQ_PK_ACK] = "ack", [LQ_PK_RST] = "rst", [LQ_PK_FIN] = "fin"};
    switch (x->kind) {
    case LQ_X_NONE: lq_sb_add(out, "expect none"); break;
    case LQ_X_ACCEPTQ:
    case LQ_X_SYNQ:
    case LQ_X_BACKLOG:
        lq_sb_addf(out, "expect %s%s%s %" PRId64,
                   x->kind == LQ_X_ACCEPTQ ? "acceptq"
                   : x->kind == LQ_X_SYNQ  ? "synq"
                                           : "backlog",
                   sc->nlsn ? " " : "", lq_print_lsn(sc, x->lsn), x->value);
        break;
    case LQ_X_COUNTER:
        lq_sb_addf(out, "expect counter %s %" PRId64, sc->counter_names[x->counter], x->value);
        break;
    case LQ_X_ACCEPT:
        if (x->accept_errno)
            lq_sb_addf(out, "expect accept %s",
                       x->accept_errno == EAGAIN  ? "EAGAIN"
                       : x->accept_errno == EBADF ? "EBADF"
                                                  : "EINVAL");
        else
            lq_sb_addf(out, "expect accept %s", sc->conns[x->conn]);
        lq_print_mss(x, out);
        break;
    case LQ_X_PKT:
        lq_sb_addf(out, "expect %s %s", sc->conns[x->conn], pk[x->pkt]);
        lq_print_mss(x, out);
        if (x->wscale_tri == LQ_TRI_YES)
            lq_sb_addf(out, " wscale=%d", x->wscale);
        else if (x->wscale_tri == LQ_TRI_NO)
            lq_sb_add(out, " nowscale");
        lq_print_tri(out, x->sack_tri, "sack", "nosack");
        lq_print_tri(out, x->ts_tri, "ts", "nots");
        lq_print_tri(out, x->cookie_tri, "cookie", "nocookie");
        lq_print_tri(out, x->ecn_tri, "ecn", "noecn");
        lq_print_tri(out, x->tfo_tri, "tfo-cookie", "notfo-cookie");
        lq_print_tri(out, x->label_tri, "flowlabel=same", "flowlabel=differs");
        break;
    }
}

void lq_print_directive(const struct lq_scenario *sc, const struct lq_directive *d,
                        struct lq_strbuf *out)
{
    switch (d->kind) {
    case LQ_D_BLANK:
    case LQ_D_COMMENT: break;
    case LQ_D_SEED: lq_sb_addf(out, "seed %" PRIu64, d->u.seed); break;
    case LQ_D_SYSCTL:
        lq_sb_addf(out, "sysctl %s=%" PRId64, lq_sysctl_name((enum lq_sysctl)d->u.sysctl.id),
                   d->u.sysctl.value);
        break;
    case LQ_D_LISTEN:
        lq_sb_addf(out, "listen %s%s%" PRId32, lq_print_lsn(sc, d->lsn), sc->nlsn ? " " : "",
                   d->u.backlog);
        break;
    case LQ_D_SOCKOPT:
        lq_sb_addf(out, "sockopt %s%s%s=%" PRId32, lq_print_lsn(sc, d->lsn), sc->nlsn ? " " : "",
                   lq_sockopt_name((enum lq_sockopt)d->u.sockopt.opt), d->u.sockopt.value);
        break;
    case LQ_D_LISTENER:
        lq_sb_addf(out, "listener %s%s", lq_print_lsn(sc, d->u.listener.idx),
                   d->u.listener.reuseport ? " reuseport" : "");
        break;
    case LQ_D_SYN:
    case LQ_D_ACK:
    case LQ_D_RST:
    case LQ_D_FIN:
    case LQ_D_SEG: lq_print_segment(sc, d, out); break;
    case LQ_D_ICMP:
        lq_sb_addf(out, "icmp %s %s", sc->conns[d->conn], lq_icmp_kind_name(d->u.seg.icmp));
        if (d->u.seg.icmp == LQ_ICMP_FRAG_NEEDED)
            lq_sb_addf(out, " mtu=%u", d->u.seg.mtu);
        lq_print_seq_opt(&d->u.seg, out);
        break;
    case LQ_D_ACCEPT:
        lq_sb_addf(out, "accept%s%s", sc->nlsn ? " " : "", lq_print_lsn(sc, d->lsn));
        break;
    case LQ_D_CLOSE:
        if (d->u.call.kind == LQ_CALL_CLOSE_CONN)
            lq_sb_addf(out, "close %s", sc->conns[d->conn]);
        else
            lq_sb_addf(out, "close%s%s", sc->nlsn ? " " : "", lq_print_lsn(sc, d->lsn));
        break;
    case LQ_D_SHUTDOWN:
        lq_sb_addf(out, "shutdown %s%s%s", lq_print_lsn(sc, d->lsn), sc->nlsn ? " " : "",
                   lq_shut_how_name(d->u.call.how));
        break;
    case LQ_D_WAIT:
        if (d->u.wait_ms % 1000 == 0)
            lq_sb_addf(out, "wait %" PRIu64 "s", d->u.wait_ms / 1000);
        else
            lq_sb_addf(out, "wait %" PRIu64 "ms", d->u.wait_ms);
        break;
    case LQ_D_EXPECT: lq_print_expect(sc, &d->u.expect, out); break;
    case LQ_D_FAMILY:
        lq_sb_addf(out, "family %s", lq_scn_family_name((enum lq_scn_family)d->u.family));
        break;
    }
}

void lq_print_scenario(const struct lq_scenario *sc, struct lq_strbuf *out)
{
    /* A scenario with a family but no family line (the minimizer's, the
     * decoder's) gets one first: its events mean what they meant. */
    bool has_family_line = false;
    for (size_t i = 0; i < sc->n && !has_family_line; i++)
        has_family_line = sc->d[i].kind == LQ_D_FAMILY;
    if (sc->family != LQ_SCN_NEUTRAL && !has_family_line)
        lq_sb_addf(out, "family %s\n", lq_scn_family_name((enum lq_scn_family)sc->family));
    for (size_t i = 0; i < sc->n; i++) {
        const struct lq_directive *d = &sc->d[i];
        lq_print_directive(sc, d, out);
        if (d->comment) {
            if (d->kind != LQ_D_COMMENT)
                lq_sb_addc(out, ' ');
            lq_sb_add(out, d->comment);
        }
        lq_sb_addc(out, '\n');
    }
}
