/* model/output.c: the segments the kernel builds in the listen path.
 *
 * tcp_make_synack() + tcp_synack_options() (tcp_output.c), tcp_v4_send_reset()
 * and tcp_v4_reqsk_send_ack() / tcp_v4_send_ack() (tcp_ipv4.c), tcp_send_ack()
 * for children, and the out-of-window ACK rate limit (tcp_input.c).
 */
#include "model_internal.h"

#include <string.h>

/* tcp_select_initial_window(): tcp_full_space() rounded down to a multiple of
 * the MSS it is given (no init_rcv_wnd route metric, no window clamp). */
uint16_t lq_mss_clamp(const struct lq_model *m, uint16_t mss)
{
    return m->lsk->user_mss && m->lsk->user_mss < mss ? m->lsk->user_mss : mss;
}

uint32_t lq_route_mtu(const struct lq_model *m, bool ipv6)
{
    return m->route_pmtu[ipv6] ? m->route_pmtu[ipv6] : 1500u;
}

uint16_t lq_route_advmss(const struct lq_model *m, bool ipv6)
{
    if (!m->route_pmtu[ipv6])
        return ipv6 ? LQ_ROUTE_ADVMSS6 : LQ_ROUTE_ADVMSS;
    /* ipv4_default_advmss: max(mtu - 40, ip_rt_min_advmss 256);
     * ip6_default_advmss: mtu - 60, at least ip6_rt_min_advmss 1220 */
    uint32_t mss = lq_route_mtu(m, ipv6) - (ipv6 ? 60u : 40u);
    uint32_t floor = ipv6 ? 1220u : 256u;
    return (uint16_t)(mss < floor ? floor : mss);
}

uint32_t lq_initial_rcv_wnd(const struct lq_model *m, uint16_t mss)
{
    uint32_t space = LQ_FULL_SPACE;
    if (mss && space > mss)
        space -= space % mss;
    /* before 6.10: (*rcv_wnd) = min_t(u32, space, U16_MAX) */
    if (!lq_profile_has(&m->profile, LQ_CHG_RCV_WND_OVER_64K) && space > 65535u)
        space = 65535u;
    return space;
}

uint32_t lq_net_tx_rndhash(struct lq_model *m)
{
    m->txhash_next = m->txhash_next % 0x7ffffu + 1u; /* 1 .. 0x7ffff, never 0 */
    return m->txhash_next;
}

/* tcp_rtx_synack(): since 5.18 (cb6cd2cec799) a listener with sk_txrehash
 * == SOCK_TXREHASH_ENABLED (net.core.txrehash, 1 by default) draws a new
 * txhash for every retransmitted SYN-ACK: on IPv6 a new flow label. */
static void lq_tcp_rtx_synack_rehash(struct lq_model *m, struct lq_req *req)
{
    bool rehash = lq_profile_has(&m->profile, LQ_CHG_SYNACK_RTX_REHASH);
    if (rehash)
        req->txhash = lq_net_tx_rndhash(m);
    if (req->ipv6)
        lq_model_dp(m, rehash ? LQ_DP_V6_LABEL_RTX_REHASH : LQ_DP_V6_LABEL_RTX_SAME);
}

struct lq_model_pkt *lq_inet_rtx_syn_ack(struct lq_model *m, struct lq_req *req, enum lq_dp dp)
{
    /* tcp_rtx_synack(): the txhash, the SYN-ACK (no cookie option: foc
     * NULL), RetransSegs and TCPSynRetrans */
    lq_tcp_rtx_synack_rehash(m, req);
    size_t at = m->nout;
    lq_tcp_v4_send_synack(m, req, false, dp);
    lq_model_count(m, LQ_CTR_RETRANS_SEGS);
    lq_model_count(m, LQ_CTR_TCP_SYN_RETRANS);
    req->num_retrans++; /* inet_rtx_syn_ack: it went out */
    return &m->out[at];
}

/* ip6_make_flowlabel() (include/net/ipv6.h), auto_flowlabels = 1: the label
 * is made of skb_get_hash_flowi6(): the skb's hash when the sender set one
 * (skb_set_hash of a txhash), else the hash of the flow (addresses, ports,
 * protocol, the flowi6 label 0): one value per 4-tuple, whoever sends. The
 * model's tokens: the txhash itself (below 0x80000), or 0x80000 | the
 * client's port. */
uint32_t lq_ip6_flowlabel(uint32_t txhash, uint16_t cport)
{
    return txhash ? txhash : 0x80000u | cport;
}

/* tcp_make_synack(): seq = snt_isn, ack = rcv_nxt; the MSS option always
 * carries the route's advmss; wscale/TS/SACK as negotiated in the request. */
void lq_tcp_v4_send_synack(struct lq_model *m, struct lq_req *req, bool cookie, enum lq_dp dp)
{
    struct lq_model_pkt *p = lq_model_emit(m, dp);
    struct lq_seg *s = &p->seg;
    p->cookie = cookie;
    s->conn = req->conn;
    s->sport = req->lport;
    s->dport = req->rport;
    /* tcp_ecn_make_synack(): ECE alone when the request is ecn_ok */
    s->flags = LQ_TH_SYN | LQ_TH_ACK | (req->ecn_ok ? LQ_TH_ECE : 0);
    s->seq = req->snt_isn;
    s->ack = req->rcv_nxt;
    s->win = (uint16_t)(req->rcv_wnd < 65535u ? req->rcv_wnd : 65535u); /* never scaled */
    s->opt.has_mss = true;
    s->opt.mss = lq_mss_clamp(m, lq_route_advmss(m, req->ipv6)); /* tcp_make_synack */
    s->ipv6 = req->ipv6;
    /* tcp_make_synack: skb_set_hash(skb, tcp_rsk(req)->txhash) */
    s->flowlabel = req->ipv6 ? lq_ip6_flowlabel(req->txhash, req->rport) : 0;
    if (req->wscale_ok) {
        s->opt.has_wscale = true;
        s->opt.wscale = req->rcv_wscale;
    }
    if (req->tstamp_ok) {
        uint32_t tsval = cookie ? lq_cookie_init_timestamp(m, req) + req->ts_off
                                : lq_model_tsval(m, req->ts_off);
        if (!req->snt_tsval_first) {
            if (!tsval)
                tsval = ~0u;
            req->snt_tsval_first = tsval;
        }
        req->snt_tsval_last = tsval;
        if (cookie) {
            struct lq_conn_slot *slot = lq_model_slot(m, req->conn);
            slot->has_cookie_tsval = true;
            slot->cookie_tsval = tsval;
        }
        s->opt.has_ts = true;
        s->opt.tsval = tsval;
        s->opt.tsecr = req->ts_recent;
    }
    s->opt.sack_perm = req->sack_ok;
    req->synack_ms = m->now_ms;
}

/* tcp_v4_send_reset(): never for an RST; seq = SEG.ACK when the segment had
 * ACK, else RST|ACK acknowledging everything it occupied. */
void lq_tcp_v4_send_reset(struct lq_model *m, const struct lq_seg *in, uint32_t txhash,
                          enum lq_dp dp)
{
    if (in->flags & LQ_TH_RST) {
        lq_model_dp(m, LQ_DP_SEND_RESET_NOT_FOR_RST);
        return;
    }
    if (in->ipv6) {
        lq_model_dp(m, LQ_DP_SEND_RESET_V6); /* tcp_v6_send_reset: the same numbers */
        /* tcp_v6_send_reset passes a full socket's sk_txhash since 6.1
         * (9258b8b1be2e, the follow-up of aa51b80e1af4); before, none */
        if (!lq_profile_has(&m->profile, LQ_CHG_V6_CONSISTENT_FLOWLABEL))
            txhash = 0;
        lq_model_dp(m, txhash ? LQ_DP_V6_LABEL_RST_SOCK : LQ_DP_V6_LABEL_FLOW_HASH);
    }
    struct lq_model_pkt *p = lq_model_emit(m, dp);
    struct lq_seg *s = &p->seg;
    s->ipv6 = in->ipv6;
    s->flowlabel = in->ipv6 ? lq_ip6_flowlabel(txhash, in->sport) : 0;
    s->conn = in->conn;
    s->sport = in->dport;
    s->dport = in->sport;
    s->flags = LQ_TH_RST;
    if (in->flags & LQ_TH_ACK) {
        s->seq = in->ack;
    } else {
        s->flags |= LQ_TH_ACK;
        s->seq = 0;
        s->ack = lq_seg_end_seq(in);
    }
    lq_model_count(m, LQ_CTR_OUT_RSTS);
}

/* tcp_v4_reqsk_send_ack(): seq = snt_isn + 1, ack = rcv_nxt; a timestamp
 * option only when the request has a ts_recent (tcp_v4_send_ack: if (tsecr)). */
void lq_tcp_v4_reqsk_send_ack(struct lq_model *m, struct lq_req *req, enum lq_dp dp)
{
    uint32_t txhash = 0;
    if (req->ipv6) {
        lq_model_dp(m, LQ_DP_REQSK_ACK_V6); /* tcp_v6_reqsk_send_ack: the same numbers */
        /* since 6.1 (aa51b80e1af4) it passes tcp_rsk(req)->txhash: the last
         * SYN-ACK's label; before, tcp_v6_send_response had no txhash */
        if (lq_profile_has(&m->profile, LQ_CHG_V6_CONSISTENT_FLOWLABEL)) {
            txhash = req->txhash;
            lq_model_dp(m, LQ_DP_V6_LABEL_REQSK_ACK);
        } else {
            lq_model_dp(m, LQ_DP_V6_LABEL_FLOW_HASH);
        }
    }
    struct lq_model_pkt *p = lq_model_emit(m, dp);
    struct lq_seg *s = &p->seg;
    s->ipv6 = req->ipv6;
    s->flowlabel = req->ipv6 ? lq_ip6_flowlabel(txhash, req->rport) : 0;
    s->conn = req->conn;
    s->sport = req->lport;
    s->dport = req->rport;
    s->flags = LQ_TH_ACK;
    s->seq = req->snt_isn + 1;
    s->ack = req->rcv_nxt;
    s->win = (uint16_t)((req->rcv_wnd < 65535u ? req->rcv_wnd : 65535u) >> req->rcv_wscale);
    if (req->ts_recent) {
        s->opt.has_ts = true;
        s->opt.tsval = lq_model_tsval(m, req->ts_off);
        s->opt.tsecr = req->ts_recent;
    }
}

/* The ACK a child sends (tcp_send_ack): seq = snd_nxt, ack = rcv_nxt. */
void lq_child_ack_seg(const struct lq_model *m, const struct lq_child *c, struct lq_seg *s)
{
    memset(s, 0, sizeof(*s));
    s->ipv6 = c->ipv6;
    /* tcp_transmit_skb: skb_set_hash_from_sk (sk_txhash) */
    s->flowlabel = c->ipv6 ? lq_ip6_flowlabel(c->txhash, c->rport) : 0;
    s->conn = c->conn;
    s->sport = c->lport;
    s->dport = c->rport;
    s->flags = LQ_TH_ACK;
    s->seq = c->snd_nxt;
    s->ack = c->rcv_nxt;
    /* tcp_select_window(): "new_win = min(new_win, (65535U <<
     * tp->rx_opt.rcv_wscale))" (tcp_workaround_signed_windows is 0): an
     * unscaled window of 65536 (a 512-byte MSS rounds tcp_full_space to
     * exactly that) goes out as 65535 (fuzzer finding after a PMTU of 552) */
    uint32_t win = c->rcv_wnd >> c->rcv_wscale;
    s->win = (uint16_t)(win > 65535u ? 65535u : win);
    if (c->tstamp_ok) {
        s->opt.has_ts = true;
        s->opt.tsval = lq_model_tsval(m, c->ts_off);
        s->opt.tsecr = c->ts_recent;
    }
}

/* tcp_oow_rate_limited() / __tcp_oow_rate_limited(): at most one
 * out-of-window answer per tcp_invalid_ratelimit (HZ/2: 500 ms). Segments that
 * occupy sequence space (data, FIN) without SYN are never limited (they are not part of an ACK
 * loop); callers of the __ variant pass in = NULL. */
bool lq_tcp_oow_rate_limited(struct lq_model *m, const struct lq_seg *in, uint32_t *last_oow_ack,
                             enum lq_counter mib)
{
    if (in && lq_seg_end_seq(in) != in->seq && !(in->flags & LQ_TH_SYN))
        return false;
    uint32_t now = lq_model_jiffies(m);
    if (*last_oow_ack) {
        int32_t elapsed = (int32_t)(now - *last_oow_ack);
        if (elapsed >= 0 && elapsed < (int32_t)(m->hz / 2)) { /* tcp_invalid_ratelimit = HZ/2 */
            lq_model_count(m, mib);
            return true;
        }
    }
    *last_oow_ack = now;
    return false;
}
