/* harness/run/client.c: see client.h. */
#include "client.h"

#include <stdlib.h>
#include <string.h>

#define LQ_SEQ_BAD_OFFSET 0x10000000u /* far outside any window, still "after" */
#define LQ_ACK_BAD_OFFSET 0x20000000u
#define LQ_ACK_OLD_OFFSET 1000u
#define LQ_NEWISN_OFFSET  0x40000000u
#define LQ_REL_RANGE      (1 << 20)

static uint32_t lq_mix(uint64_t seed, uint32_t a, uint32_t b)
{
    uint64_t x = seed ^ ((uint64_t)a << 32) ^ b ^ 0x9e3779b97f4a7c15ull;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (uint32_t)x;
}

int lq_client_init(struct lq_client *cl, const struct lq_scenario *sc, uint16_t lport)
{
    memset(cl, 0, sizeof(*cl));
    cl->seed = sc->seed;
    cl->lport = lport;
    cl->n = sc->nconns;
    cl->c = calloc(cl->n ? cl->n : 1, sizeof(*cl->c));
    if (!cl->c)
        return -1;
    for (size_t i = 0; i < cl->n; i++) {
        struct lq_client_conn *c = &cl->c[i];
        c->port = (uint16_t)(LQ_CLIENT_PORT_BASE + i);
        c->isns[0] = lq_mix(sc->seed, (uint32_t)i, 1);
        c->isn_idx[0] = 0;
        c->nisns = 1;
        c->isn_total = 1;
        c->snd_nxt = c->isns[0] + 1;
        c->ipv6 = lq_scenario_conn_ipv6(sc, (uint16_t)i);
        c->synack_lbl = -1;
    }
    cl->tsclock = (lq_mix(sc->seed, 0xffff, 2) & 0x3fffffffu) | 1u;
    return 0;
}

void lq_client_free(struct lq_client *cl)
{
    free(cl->c);
    cl->c = NULL;
    cl->n = 0;
}

int lq_client_conn_of_port(const struct lq_client *cl, uint16_t port)
{
    if (port < LQ_CLIENT_PORT_BASE || port - LQ_CLIENT_PORT_BASE >= cl->n)
        return -1;
    return port - LQ_CLIENT_PORT_BASE;
}

/* A SYN's Fast Open option: an empty one (a cookie request), the cookie
 * learnt from the server over the connection's family (8 zero bytes before one,
 * a cookie no server hands out but with odds of 2^-64), or that cookie with
 * every bit flipped. */
static void lq_client_tfo_option(const struct lq_client *cl, const struct lq_client_conn *c,
                                 const struct lq_ev_seg *e, struct lq_tcpopt *o)
{
    if (e->tfo == LQ_TFO_NONE)
        return;
    o->has_fo = true;
    o->fo_exp = false;
    o->fo_len = 0;
    if (e->tfo == LQ_TFO_REQUEST)
        return;
    o->fo_len = cl->tfo_len[c->ipv6] ? cl->tfo_len[c->ipv6] : LQ_TFO_COOKIE_SIZE;
    memcpy(o->fo, cl->tfo_cookie[c->ipv6], o->fo_len);
    if (e->tfo == LQ_TFO_BAD)
        for (unsigned i = 0; i < o->fo_len; i++)
            o->fo[i] = (uint8_t)~o->fo[i];
}

static uint32_t lq_client_isn(const struct lq_client_conn *c)
{
    return c->isns[c->nisns - 1];
}

static void lq_client_push_isn(struct lq_client_conn *c, uint32_t isn)
{
    if (c->nisns == LQ_CLIENT_ISN_HISTORY) {
        /* forget the second oldest: the first stays (the usual reference) */
        memmove(c->isns + 1, c->isns + 2, (LQ_CLIENT_ISN_HISTORY - 2) * sizeof(c->isns[0]));
        memmove(c->isn_idx + 1, c->isn_idx + 2,
                (LQ_CLIENT_ISN_HISTORY - 2) * sizeof(c->isn_idx[0]));
        c->nisns--;
    }
    c->isn_idx[c->nisns] = c->isn_total;
    if (c->isn_total < 255)
        c->isn_total++;
    c->isns[c->nisns++] = isn;
}

/* The acknowledgement number the client puts in ACK/RST|ACK/FIN segments. */
static uint32_t lq_client_ack(const struct lq_client *cl, const struct lq_client_conn *c,
                              uint16_t conn, const struct lq_ev_seg *e)
{
    /* Never received a SYN-ACK: a number fixed by the seed, valid for nothing. */
    uint32_t ack = c->has_srv ? c->srv_isn + 1 : lq_mix(cl->seed, conn, 3);
    if (e->ack_bad)
        return ack + LQ_ACK_BAD_OFFSET; /* beyond anything the server sent */
    if (e->ack_old)
        return ack - LQ_ACK_OLD_OFFSET; /* below what it has had acknowledged */
    if (e->ack_ahead)
        return ack + e->ack_ahead; /* N bytes past it (the server sends no data) */
    return ack;
}

static uint32_t lq_client_seq(const struct lq_client_conn *c, const struct lq_ev_seg *e,
                              uint32_t right)
{
    (void)c;
    switch (e->seq_mode) {
    case LQ_SEQ_BAD: return right + LQ_SEQ_BAD_OFFSET;
    case LQ_SEQ_OFFSET: return right + (uint32_t)e->seq_off;
    default: return right;
    }
}

void lq_client_build(struct lq_client *cl, const struct lq_directive *d, struct lq_seg *out)
{
    struct lq_client_conn *c = &cl->c[d->conn];
    const struct lq_ev_seg *e = &d->u.seg;
    memset(out, 0, sizeof(*out));
    out->conn = d->conn;
    out->ipv6 = c->ipv6;
    out->sport = c->port;
    out->dport = cl->lport;
    out->win = 65535;
    if (d->kind == LQ_D_ICMP) {
        /* An error about the server's segment, quoting the server's ISN
         * (its SYN-ACK) plus seq=+N; never saw one: a number fixed by the
         * seed. The client's own numbers do not move. */
        out->icmp = e->icmp;
        out->mtu = e->mtu;
        out->win = 0;
        out->seq = lq_client_seq(c, e, c->has_srv ? c->srv_isn : lq_mix(cl->seed, d->conn, 5));
        return;
    }
    cl->tsclock++;
    switch (d->kind) {
    case LQ_D_SYN: {
        uint32_t isn = lq_client_isn(c);
        if (e->isn_mode == LQ_ISN_NEW)
            isn = isn + LQ_NEWISN_OFFSET + (lq_mix(cl->seed, d->conn, 4u + c->nisns) & 0xffffu);
        else if (e->isn_mode == LQ_ISN_OFFSET)
            isn = isn + (uint32_t)e->isn_off;
        /* A new ISN keeps what was learned of the server: an ACK on it then
         * has a definite relation to every socket of the 4-tuple, on the model
         * and the kernel alike (a number fixed by the seed would be above
         * snd_nxt for one and below snd_una for the other). */
        if (e->isn_mode != LQ_ISN_SAME) {
            lq_client_push_isn(c, isn);
            c->fin_sent = false;
        }
        out->flags = LQ_TH_SYN | (e->syn_fin ? LQ_TH_FIN : 0) | (e->syn_ack ? LQ_TH_ACK : 0) |
                     (e->syn_ecn ? LQ_TH_ECE | LQ_TH_CWR : 0);
        out->seq = isn;
        if (e->syn_ack)
            out->ack = lq_client_ack(cl, c, d->conn, e);
        out->len = e->len;
        out->opt.has_mss = e->has_mss;
        out->opt.mss = e->mss;
        out->opt.sack_perm = e->sack;
        out->opt.has_wscale = e->wscale >= 0;
        out->opt.wscale = (uint8_t)(e->wscale >= 0 ? e->wscale : 0);
        out->opt.has_ts = e->ts;
        out->opt.tsval = e->tsval_zero ? 0 : cl->tsclock;
        out->opt.tsecr = 0;
        c->syn_ts = e->ts;
        if (e->ts)
            c->syn_tsval = out->opt.tsval;
        lq_client_tfo_option(cl, c, e, &out->opt);
        /* A retransmitted SYN does not take back what the client sent since. */
        if (e->isn_mode != LQ_ISN_SAME || !c->syn_sent)
            c->snd_nxt = isn + 1;
        c->syn_sent = true;
        c->syn_len = e->len;
        return;
    }
    case LQ_D_ACK:
        out->flags = LQ_TH_ACK | (e->len ? LQ_TH_PSH : 0);
        out->seq = lq_client_seq(c, e, c->snd_nxt);
        out->ack = lq_client_ack(cl, c, d->conn, e);
        out->len = e->len;
        if (e->seq_mode == LQ_SEQ_OK)
            c->snd_nxt += e->len;
        if (e->has_win)
            out->win = e->win;
        break;
    case LQ_D_RST:
        out->flags = LQ_TH_RST | (e->rst_ack ? LQ_TH_ACK : 0);
        out->seq = lq_client_seq(c, e, c->snd_nxt);
        out->win = 0;
        if (e->rst_ack)
            out->ack = lq_client_ack(cl, c, d->conn, e);
        break;
    case LQ_D_SEG:
        /* Any flags: the right sequence number is the ISN when SYN is among
         * them (as a retransmitted SYN), else the next one; the ack field is
         * set only with ACK. It moves nothing: the client's numbers after it
         * are those before it. */
        out->flags = e->flags;
        out->seq = lq_client_seq(c, e, (e->flags & LQ_TH_SYN) ? lq_client_isn(c) : c->snd_nxt);
        out->ack = (e->flags & LQ_TH_ACK) ? lq_client_ack(cl, c, d->conn, e) : 0;
        out->len = e->len;
        if (e->has_win)
            out->win = e->win;
        break;
    case LQ_D_FIN: {
        /* A second FIN is a retransmission of the first. */
        uint32_t right = c->fin_sent ? c->fin_seq : c->snd_nxt;
        out->flags = LQ_TH_FIN | (e->no_ack ? 0 : LQ_TH_ACK);
        out->seq = lq_client_seq(c, e, right);
        out->ack = e->no_ack ? 0 : lq_client_ack(cl, c, d->conn, e);
        out->len = e->len;
        if (e->seq_mode == LQ_SEQ_OK && !c->fin_sent) {
            c->fin_sent = true;
            c->fin_seq = right;
            c->snd_nxt = right + e->len + 1;
        }
        break;
    }
    }
    if (c->syn_ts || e->tsval_old || e->tsval_syn || e->tsval_ahead || e->tsecr_bad) {
        out->opt.has_ts = true;
        out->opt.tsval = cl->tsclock;
        out->opt.tsecr = c->has_srv_ts ? c->srv_tsval : 0;
        /* older than anything this client sent: PAWS rejects it */
        if (e->tsval_old)
            out->opt.tsval = c->syn_tsval - 1000u;
        /* equal to the SYN's: what PAWS compares with (ts_recent) */
        if (e->tsval_syn)
            out->opt.tsval = c->syn_tsval;
        /* ahead of the clock: the segments after it carry older TSvals */
        if (e->tsval_ahead)
            out->opt.tsval = cl->tsclock + e->tsval_ahead;
        /* an echo of no TSval the server sent (below its first) */
        if (e->tsecr_bad)
            out->opt.tsecr = (c->has_srv_ts ? c->srv_tsval : 0x10000) - 0x8000u;
    }
}

static bool lq_small(int64_t d)
{
    return d > -LQ_REL_RANGE && d < LQ_REL_RANGE;
}

void lq_client_classify(struct lq_client *cl, const struct lq_seg *trigger, const struct lq_seg *r,
                        bool cookie, bool optional, struct lq_obs_pkt *o)
{
    int conn = lq_client_conn_of_port(cl, r->dport);
    struct lq_client_conn *c = conn >= 0 ? &cl->c[conn] : NULL;
    o->conn = (uint16_t)(conn >= 0 ? conn : 0xffff);
    o->flags = r->flags;
    o->len = r->len;
    o->mss = r->opt.has_mss ? r->opt.mss : -1;
    o->wscale = r->opt.has_wscale ? r->opt.wscale : -1;
    o->sack = r->opt.sack_perm;
    o->ts = r->opt.has_ts;
    o->win = r->win;
    o->tsecr = r->opt.has_ts ? (int64_t)r->opt.tsecr : -1;
    bool synack = (r->flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK);
    o->cookie = synack && cookie;
    o->tfo = r->opt.has_fo ? (int8_t)r->opt.fo_len : -1;

    /* sequence number */
    if (synack) {
        if (cookie)
            o->seq_rel = LQ_REL_COOKIE;
        else if (c && c->has_srv && r->seq == c->srv_isn)
            o->seq_rel = LQ_REL_SRV;
        else
            o->seq_rel = LQ_REL_SRV_NEW;
    } else if ((r->flags & LQ_TH_RST) && trigger && (trigger->flags & LQ_TH_ACK) &&
               r->seq == trigger->ack) {
        /* tcp_v4_send_reset: an RST to a segment with ACK takes its ack as seq.
         * Other segments are classified by the server's own numbers, so that
         * an ACK reads the same whichever event's window it lands in. */
        o->seq_rel = LQ_REL_TRIG_ACK;
    } else if (r->seq == 0) {
        o->seq_rel = LQ_REL_ZERO;
    } else if (c && c->has_srv && lq_small((int32_t)(r->seq - c->srv_isn))) {
        o->seq_rel = LQ_REL_SRV;
        o->seq_off = (int32_t)(r->seq - c->srv_isn);
    } else {
        o->seq_rel = LQ_REL_OTHER;
    }

    /* acknowledgement number: relative to the oldest client ISN that is near,
     * which a later ISN does not change (a delayed ACK seen events later is
     * classified as its prediction was) */
    if (!(r->flags & LQ_TH_ACK)) {
        o->ack_rel = LQ_REL_NONE;
    } else {
        o->ack_rel = LQ_REL_OTHER;
        for (int k = 0; c && k < c->nisns; k++) {
            int32_t off = (int32_t)(r->ack - c->isns[k]);
            if (lq_small(off)) {
                o->ack_rel = LQ_REL_CLI;
                o->ack_off = off;
                o->ack_isn = c->isn_idx[k];
                break;
            }
        }
    }

    /* flow label: which of the connection's labels it is, and whether it is
     * the last SYN-ACK's (the comparison the kernel's changes are about) */
    if (c && r->ipv6) {
        int k = 0;
        while (k < c->nlabels && c->labels[k] != r->flowlabel)
            k++;
        if (k == c->nlabels && c->nlabels < LQ_LBL_HISTORY && !optional)
            c->labels[c->nlabels++] = r->flowlabel;
        o->lbl = (int8_t)k;
        o->lbl_prev = c->synack_lbl < 0    ? LQ_LBL_NO_PRIOR
                      : c->synack_lbl == k ? LQ_LBL_SAME
                                           : LQ_LBL_DIFFERS;
        if (synack)
            c->synack_lbl = (int8_t)k;
    }

    /* learn */
    if (c && synack) {
        c->has_srv = true;
        c->srv_isn = r->seq;
        if (r->opt.has_fo && r->opt.fo_len) {
            cl->tfo_len[c->ipv6] = r->opt.fo_len;
            memcpy(cl->tfo_cookie[c->ipv6], r->opt.fo, r->opt.fo_len);
        }
        /* A Fast Open SYN-ACK acks the SYN's data: the client's next byte
         * follows it (else it would send that data again) */
        uint32_t syn_end = lq_client_isn(c) + 1 + c->syn_len;
        if (c->syn_sent && lq_seq_after(r->ack, c->snd_nxt) && !lq_seq_after(r->ack, syn_end))
            c->snd_nxt = r->ack;
    }
    /* The echo is the last SYN-ACK's TSval: the only ones the server records
     * (snt_tsval_first..last, checked since 6.15); the TSval of its other
     * segments follows its clock, so echoing those would make the result
     * depend on whether a millisecond passed. */
    if (c && synack && r->opt.has_ts) {
        c->has_srv_ts = true;
        c->srv_tsval = r->opt.tsval;
    }
}
