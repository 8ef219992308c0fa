/* harness/findings/pd_peer_lines.c: the `listenq pd-peer` lines of a
 * packetdrill script, the other connections' segments (pd_script.h). */
#include "pd_script.h"

#include <inttypes.h>

/* The model's server as the other connections' segments are relative to
 * it: per connection the last SYN-ACK's ISN and TSval. */
void lq_pd_track(struct lq_pd *p, const struct lq_obs *o)
{
    const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, o);
    for (uint32_t k = 0; k < o->npkts; k++) {
        const struct lq_seg *s = &pk[k].seg;
        uint16_t c = pk[k].conn;
        if (c >= p->sc->nconns)
            continue;
        lq_pd_fo_learn(p, &pk[k]);
        bool synack = (s->flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK);
        if (synack && (!p->srv_known[c] || p->srv_isn[c] != s->seq)) {
            p->srv_known[c] = true;
            p->srv_isn[c] = s->seq;
            p->srv_ts_known[c] = s->opt.has_ts;
            p->srv_ts[c] = s->opt.tsval;
        } else if (s->opt.has_ts && !p->srv_ts_known[c]) {
            p->srv_ts_known[c] = true;
            p->srv_ts[c] = s->opt.tsval;
        }
    }
}

/* "listenq pd-peer send ...": a segment the flow does not carry, and the
 * kinds of the replies the model predicts at once. */
void lq_pd_peer_send(struct lq_pd *p, const struct lq_obs *o)
{
    const struct lq_seg *s = &o->sent;
    uint16_t c = s->conn;
    struct lq_strbuf *b = &p->body;
    p->any_peer = true;
    if (p->peer_end && p->peer_end == b->len && !p->pending_ms) {
        /* right after another: one process sends both, as close together
         * as the scenario's events are */
        b->len -= 2;
        b->s[b->len] = '\0';
        p->nchecks--;
        lq_sb_addf(b, " -- --sport %u --flags ", s->sport);
    } else {
        lq_pd_cmd_begin(p);
        lq_sb_addf(b, "listenq pd-peer send --sport %u --flags ", s->sport);
    }
    char fl[12];
    size_t n = 0;
    if (s->flags & LQ_TH_SYN)
        fl[n++] = 'S';
    if (s->flags & LQ_TH_FIN)
        fl[n++] = 'F';
    if (s->flags & LQ_TH_RST)
        fl[n++] = 'R';
    if (s->flags & LQ_TH_PSH)
        fl[n++] = 'P';
    if (s->flags & LQ_TH_URG)
        fl[n++] = 'U';
    if (s->flags & LQ_TH_ECE)
        fl[n++] = 'E';
    if (s->flags & LQ_TH_CWR)
        fl[n++] = 'W';
    /* packetdrill's grammar: the letters, then the ACK's '.' (flags: WORD opt_ack_flag) */
    if (s->flags & LQ_TH_ACK)
        fl[n++] = '.';
    fl[n] = '\0';
    lq_sb_addf(b, "%s --seq %" PRIu32, n ? fl : "-", s->seq);
    if (s->flags & LQ_TH_ACK) {
        if (p->srv_known[c])
            lq_sb_addf(b, " --ack-srv %" PRId32, (int32_t)(s->ack - p->srv_isn[c]));
        else
            lq_sb_addf(b, " --ack %" PRIu32, s->ack);
    }
    if (s->win != 65535)
        lq_sb_addf(b, " --win %u", s->win);
    if (s->len)
        lq_sb_addf(b, " --len %" PRIu32, s->len);
    if (s->opt.has_mss)
        lq_sb_addf(b, " --mss %u", s->opt.mss);
    if (s->opt.has_wscale)
        lq_sb_addf(b, " --wscale %u", s->opt.wscale);
    if (s->opt.sack_perm)
        lq_sb_add(b, " --sackok");
    if (s->opt.has_ts) {
        lq_sb_addf(b, " --ts %" PRIu32, s->opt.tsval);
        if (s->opt.tsecr && p->srv_ts_known[c])
            lq_sb_addf(b, " --tsecr-srv %" PRId32, (int32_t)(s->opt.tsecr - p->srv_ts[c]));
        else if (s->opt.tsecr)
            lq_sb_addf(b, " --tsecr %" PRIu32, s->opt.tsecr);
    }
    if (s->opt.has_fo)
        lq_pd_fo_peer_arg(p, c, &s->opt, b);
    if (lq_scenario_conn_ipv6(p->sc, c))
        lq_sb_add(b, " --ipv6");
    lq_sb_add(b, " --expect ");
    const struct lq_obs_pkt *pk = lq_pd_pkts(p->t, o);
    int kinds = 0;
    for (uint32_t k = 0; k < o->npkts; k++) {
        const struct lq_obs_pkt *r = &pk[k];
        if (r->conn != c || r->timing != LQ_PKT_NOW)
            continue;
        uint8_t f = r->seg.flags;
        const char *kind = (f & LQ_TH_RST)                                            ? "rst"
                           : (f & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK) ? "synack"
                                                                                      : "ack";
        lq_sb_addf(b, "%s%s", kinds++ ? "," : "", kind);
        if (*kind == 's') {
            /* a SYN-ACK's options, exactly */
            const struct lq_tcpopt *op = &r->seg.opt;
            if (op->has_mss)
                lq_sb_addf(b, "/mss=%u", op->mss);
            if (op->has_wscale)
                lq_sb_addf(b, "/ws=%u", op->wscale);
            if (op->sack_perm)
                lq_sb_add(b, "/sack");
            if (op->has_ts)
                lq_sb_add(b, "/ts");
            /* the model's cookie: the kernel's for pd-peer's addresses */
            if (op->has_fo && op->fo_len)
                lq_sb_add(b, op->fo_exp ? "/foexp" : "/fo");
            if (!op->has_mss && !op->has_wscale && !op->sack_perm && !op->has_ts &&
                !(op->has_fo && op->fo_len))
                lq_sb_add(b, "/");
        }
    }
    if (!kinds)
        lq_sb_add(b, "none");
    lq_pd_cmd_end(p);
    p->peer_end = b->len;
}
