/* model/child.c: the full socket a completed handshake creates, and its ACKs.
 *
 * Creation mirrors tcp_v4_syn_recv_sock() / tcp_v6_syn_recv_sock() /
 * tcp_create_openreq_child()
 * (tcp_ipv4.c, tcp_minisocks.c) and the MSS of tcp_sync_mss() (tcp_output.c);
 * tcp_child_process() the SYN_RECV step of tcp_rcv_state_process(). The ACK
 * machinery is the kernel's: __tcp_ack_snd_check() chooses between an
 * immediate ACK and tcp_send_delayed_ack(); tcp_event_ack_sent() and
 * tcp_select_window() (tcp_output.c) run for every ACK sent; the delayed-ACK
 * timer is tcp_delack_timer_handler() (tcp_timer.c). What a segment does to
 * the child is in child_rcv.c.
 */
#include "model_internal.h"

/* In jiffies, from include/net/tcp.h. */
#define LQ_ATO_MIN(hz)          ((hz) / 25u) /* TCP_ATO_MIN */
#define LQ_DELACK_MIN(hz)       ((hz) / 25u) /* TCP_DELACK_MIN */
#define LQ_DELACK_MAX(hz)       ((hz) / 5u)  /* TCP_DELACK_MAX */
#define LQ_RTO_MIN(hz)          ((hz) / 5u)  /* TCP_RTO_MIN */
#define LQ_TIMEOUT_FALLBACK(hz) (3u * (hz))  /* TCP_TIMEOUT_FALLBACK */
#define LQ_TCP_RMEM0            131072u      /* tcp_rmem[1]: the listener's sk_rcvbuf */
#define LQ_TCP_RMEM2            6291456u     /* tcp_rmem[2] as the harness sets it */

static uint32_t lq_min3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* tcp_mtu_to_mss(): pmtu - net_header_len (iphdr 20, ipv6hdr 40) -
 * sizeof(tcphdr), at most mss_clamp, at least tcp_min_snd_mss, less the
 * timestamp option when it is in use. */
static uint32_t lq_mtu_to_mss(uint32_t pmtu, uint16_t mss_clamp, bool tstamp_ok, bool ipv6)
{
    uint32_t mss = pmtu - (ipv6 ? 60u : 40u);
    if (mss > mss_clamp)
        mss = mss_clamp;
    if (mss < LQ_TCP_MIN_SND_MSS)
        mss = LQ_TCP_MIN_SND_MSS;
    return mss - (tstamp_ok ? LQ_TCPOLEN_TSTAMP_ALIGNED : 0u);
}

uint32_t lq_tcp_mtu_to_mss(const struct lq_child *c, uint32_t pmtu)
{
    return lq_mtu_to_mss(pmtu, c->mss_clamp, c->tstamp_ok, c->ipv6);
}

/* tcp_sync_mss(): tcp_mtu_to_mss(), then tcp_bound_to_half_wnd() with
 * max_window, the third ACK's window (tcp_create_openreq_child). */
static uint16_t lq_child_mss(uint32_t pmtu, uint16_t mss_clamp, bool tstamp_ok, uint32_t max_window,
                             bool ipv6)
{
    uint32_t mss = lq_mtu_to_mss(pmtu, mss_clamp, tstamp_ok, ipv6);
    uint32_t header_len = 20u + (tstamp_ok ? LQ_TCPOLEN_TSTAMP_ALIGNED : 0u);
    uint32_t cutoff = max_window > LQ_TCP_MSS_DEFAULT ? max_window >> 1 : max_window;
    if (cutoff && mss > cutoff)
        mss = cutoff > 68u - header_len ? cutoff : 68u - header_len;
    return (uint16_t)mss;
}

void lq_tcp_sync_mss(struct lq_child *c, uint32_t pmtu)
{
    c->mss_cache = lq_child_mss(pmtu, c->mss_clamp, c->tstamp_ok, c->max_window, c->ipv6);
    c->pmtu_cookie = (uint16_t)pmtu;
}

/* usecs_to_jiffies() of ms milliseconds: rounded up. */
static uint32_t lq_ms_to_jiffies(const struct lq_model *m, uint64_t ms)
{
    return (uint32_t)((ms * m->hz + 999u) / 1000u);
}

/* icsk_rto after the handshake: tcp_synack_rtt_meas() gave a sample m
 * (tcp_rtt_estimator, no previous measure: srtt = m, rttvar = max(2m,
 * rto_min); __tcp_set_rto: usecs_to_jiffies(m + rttvar), tcp_bound_rto), or
 * tcp_init_metrics() fell back to TCP_TIMEOUT_FALLBACK. A sample of
 * microseconds (the third ACK right after the SYN-ACK) is rto_min and one
 * jiffy. */
static uint32_t lq_child_rto(const struct lq_model *m, const struct lq_child *c)
{
    if (c->srtt_known && c->rtt_ms) {
        uint64_t var = 2u * (uint64_t)c->rtt_ms > 200u ? 2u * (uint64_t)c->rtt_ms : 200u;
        uint32_t rto = lq_ms_to_jiffies(m, c->rtt_ms + var);
        uint32_t max = lq_ms_to_jiffies(m, LQ_TCP_RTO_MAX_MS);
        return rto < max ? rto : max;
    }
    return c->srtt_known ? LQ_RTO_MIN(m->hz) + 1u : LQ_TIMEOUT_FALLBACK(m->hz);
}

/* tcp_v6_syn_recv_sock(): an IPv4 request of a dual-stack listener goes to
 * tcp_v4_syn_recv_sock with tcp_v6_mapped_child_init (an IPv6 socket whose
 * ipv6_mapped ops have the IPv4 header length: the IPv4 MSS); an IPv6 one
 * syncs its MSS to dst6_mtu (1500 - 40 - 20) and takes the IPv6 route's
 * advmss. */
static void lq_tcp_v6_syn_recv_sock(struct lq_model *m, const struct lq_req *req)
{
    lq_model_dp(m, req->ipv6 ? LQ_DP_SYNRECV_V6 : LQ_DP_SYNRECV_V4_MAPPED);
}

int lq_tcp_syn_recv_sock(struct lq_model *m, const struct lq_req *req, const struct lq_seg *in,
                         bool cookie)
{
    if (m->family != LQ_FAMILY_IPV4)
        lq_tcp_v6_syn_recv_sock(m, req);
    int c = lq_model_child_alloc(m);
    struct lq_child *ch = &m->children[c];
    ch->ipv6 = req->ipv6;
    ch->txhash = req->txhash; /* tcp_create_openreq_child: sk_txhash = treq->txhash */
    if (req->ipv6 && !cookie)
        lq_model_dp(m, LQ_DP_V6_LABEL_CHILD);
    ch->conn = req->conn;
    ch->rport = req->rport;
    ch->lport = req->lport;
    ch->lsn = (uint8_t)(m->lsk - m->lsn); /* the listener syn_recv_sock runs on (the
                                           * request's, or the one it migrates to) */
    ch->state = LQ_CHILD_ESTABLISHED;     /* set by tcp_child_process() right after */
    ch->hashed = true;
    ch->snt_isn = req->snt_isn;
    ch->snd_nxt = ch->snd_una = req->snt_isn + 1;
    ch->rcv_nxt = ch->rcv_wup = req->rcv_nxt;
    ch->rcv_wnd = req->rcv_wnd; /* newtp->rcv_wnd = req->rsk_rcv_wnd */
    ch->edge_lo = ch->edge_hi = ch->rcv_wup + ch->rcv_wnd;
    ch->tstamp_ok = req->tstamp_ok;
    ch->sack_ok = req->sack_ok;
    ch->ecn_ok = req->ecn_ok; /* tcp_ecn_openreq_child */
    ch->wscale_ok = req->wscale_ok;
    ch->snd_wscale = req->snd_wscale;
    ch->rcv_wscale = req->rcv_wscale;
    ch->ts_recent = req->ts_recent;
    ch->tsval_max = in->opt.has_ts ? in->opt.tsval : req->ts_recent;
    ch->ts_off = req->ts_off;
    /* newtp->snd_wnd = ntohs(th->window) << snd_wscale; max_window = snd_wnd */
    uint32_t max_window = (uint32_t)in->win << (req->wscale_ok ? req->snd_wscale : 0);
    /* tcp_v4_syn_recv_sock: tcp_sync_mss(newsk, dst_mtu(dst)) */
    ch->pmtu_cookie = (uint16_t)lq_route_mtu(m, req->ipv6);
    ch->mss_cache = lq_child_mss(ch->pmtu_cookie, req->mss, req->tstamp_ok, max_window, req->ipv6);
    ch->mss_clamp = req->mss;
    ch->snd_wnd = ch->max_window = max_window;
    ch->snd_wl1 = in->seq; /* tcp_init_wl() in TCP_SYN_RECV */
    /* tcp_mss_clamp(tcp_dst_advmss(dst)) */
    ch->advmss = lq_mss_clamp(m, lq_route_advmss(m, req->ipv6));
    ch->last_oow_ack = 0;
    lq_child_synack_rtt(m, ch, req, in, cookie);
    ch->lrcvtime = lq_model_jiffies(m); /* newicsk->icsk_ack.lrcvtime = tcp_jiffies32 */
    lq_model_slot(m, req->conn)->child = c;
    /* tcp_create_openreq_child() */
    lq_model_count(m, LQ_CTR_PASSIVE_OPENS);
    return c;
}

/* tcp_synack_rtt_meas(): the SYN-ACK's send time when it went out once
 * (a cookie records none), else the third ACK's TSecr. */
void lq_child_synack_rtt(const struct lq_model *m, struct lq_child *ch, const struct lq_req *req,
                         const struct lq_seg *in, bool cookie)
{
    ch->srtt_known = (!cookie && req->num_retrans == 0) ||
                     (req->tstamp_ok && in->opt.has_ts && in->opt.tsecr != 0);
    /* The sample: the time since the (last) SYN-ACK left when it went out
     * once, else (tcp_rtt_tsopt_us) the TS clock's ms since the TSval the
     * TSecr echoes, at least 1 ms, and none ("return -1") for a TSecr from
     * the future or days old. */
    ch->rtt_ms = (uint32_t)(m->now_ms - req->synack_ms);
    if (ch->srtt_known && !(!cookie && req->num_retrans == 0) && req->tstamp_ok && in->opt.has_ts &&
        in->opt.tsecr != 0) {
        uint32_t delta = lq_model_tsval(m, req->ts_off) - in->opt.tsecr;
        ch->rtt_ms = delta ? delta : 1u;
        if (delta >= 0x7fffffffu / 1000u)
            ch->srtt_known = false;
    }
}

/* tcp_ack_update_window(): a window the peer offers past the largest so far
 * raises max_window and, through tcp_sync_mss(), the MSS it bounds. */
void lq_tcp_ack_update_window(struct lq_child *c, const struct lq_seg *in)
{
    uint32_t nwin = (uint32_t)in->win << (c->wscale_ok ? c->snd_wscale : 0);
    /* tcp_may_update_window(); the child sent no data, so ack is never
     * after snd_una */
    if (!(lq_seq_after(in->seq, c->snd_wl1) ||
          (in->seq == c->snd_wl1 && (nwin > c->snd_wnd || !nwin))))
        return;
    c->snd_wl1 = in->seq; /* tcp_update_wl() */
    if (c->snd_wnd == nwin)
        return;
    c->snd_wnd = nwin;
    if (nwin > c->max_window) {
        c->max_window = nwin;
        c->mss_cache =
            lq_child_mss(c->pmtu_cookie, c->mss_clamp, c->tstamp_ok, c->max_window, c->ipv6);
    }
}

/* tcp_initialize_rcv_mss(): the receiver's first guess of the peer's MSS. */
static void lq_tcp_initialize_rcv_mss(struct lq_child *c)
{
    uint32_t hint = c->advmss < c->mss_cache ? c->advmss : c->mss_cache;
    if (hint > c->rcv_wnd / 2u)
        hint = c->rcv_wnd / 2u;
    if (hint > LQ_TCP_MSS_DEFAULT)
        hint = LQ_TCP_MSS_DEFAULT;
    if (hint < LQ_TCP_MIN_MSS)
        hint = LQ_TCP_MIN_MSS;
    c->rcv_mss = (uint16_t)hint;
}

/* tcp_child_process() -> tcp_rcv_state_process() in TCP_SYN_RECV: the segment
 * that completed the handshake makes the child ESTABLISHED and is then
 * processed as data (step 7, tcp_data_queue), then tcp_ack_snd_check(). */
void lq_tcp_child_process(struct lq_model *m, int ci, const struct lq_seg *in)
{
    struct lq_child *c = &m->children[ci];
    /* tcp_validate_incoming() step 4, before the child is ESTABLISHED: a
     * segment with SYN (tcp_check_req truncated it at rcv_isn only for its
     * own checks) draws a challenge ACK and is discarded. The "pass" for a
     * SYN-ACK retransmission needs sk->sk_socket, which a child in the
     * accept queue does not have yet; the child stays in SYN_RECV. */
    if (in->flags & LQ_TH_SYN) {
        lq_model_dp(m, LQ_DP_CHILD_SYN_CHALLENGE);
        lq_model_count(m, LQ_CTR_TCP_SYN_CHALLENGE);
        lq_tcp_send_challenge_ack(m, c, LQ_DP_CHILD_SYN_CHALLENGE);
        c->syn_recv = true;
        return;
    }
    lq_child_synrecv_done(m, c, in);
}

/* tcp_rcv_state_process() TCP_SYN_RECV after tcp_validate_incoming(): the
 * acceptable ACK makes the child ESTABLISHED, then steps 6 and 7 (data). */
void lq_child_synrecv_done(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    lq_model_dp(m, LQ_DP_CHILD_SYNRECV_DONE);
    c->syn_recv = false;
    c->state = LQ_CHILD_ESTABLISHED;
    c->snd_una = in->ack;
    /* tcp_ack(FLAG_SLOWPATH | FLAG_UPDATE_TS_RECENT | ...) of TCP_SYN_RECV
     * reaches it too, and tcp_replace_ts_recent(): a TSval at or left of
     * rcv_wup becomes ts_recent (PAWS passed: older ones stopped before) */
    if (c->tstamp_ok && in->opt.has_ts && !lq_seq_after(in->seq, c->rcv_wup))
        c->ts_recent = in->opt.tsval;
    lq_tcp_ecn_accept_cwr(m, c, in);
    lq_tcp_initialize_rcv_mss(c);
    lq_child_data_queue(m, c, in);
    if (c->state != LQ_CHILD_CLOSED && (c->ack_pending & LQ_ACK_SCHED))
        lq_tcp_ack_snd_check(m, c, LQ_DP_CHILD_DATA_ACK);
}

/* tcp_ack() -> tcp_ecn_accept_cwr(): CWR on a segment with data asks for an
 * immediate ACK ("its cwnd may be very low"), whether or not the connection
 * negotiated ECN, until AccECN (6.18) made it classic-ECN only; an
 * acceptable ACK reaches it. */
void lq_tcp_ecn_accept_cwr(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    if (!(in->flags & LQ_TH_CWR) || lq_seg_end_seq(in) == in->seq)
        return;
    if (!c->ecn_ok && lq_profile_has(&m->profile, LQ_CHG_ACCEPT_CWR_NEEDS_ECN)) {
        lq_model_dp(m, LQ_DP_CHILD_CWR_NO_ECN);
        return;
    }
    lq_model_dp(m, LQ_DP_CHILD_CWR_ACK_NOW);
    c->ack_pending |= LQ_ACK_NOW;
}

/* tcp_reset() -> tcp_done(): CLOSE, unhashed; a queued child stays queued. */
void lq_tcp_reset(struct lq_model *m, struct lq_child *c)
{
    if (c->state == LQ_CHILD_SYN_RECV) /* tcp_done: a Fast Open child's */
        lq_model_count(m, LQ_CTR_ATTEMPT_FAILS);
    if (c->state == LQ_CHILD_ESTABLISHED || c->state == LQ_CHILD_CLOSE_WAIT)
        lq_model_count(m, LQ_CTR_ESTAB_RESETS); /* tcp_set_state(TCP_CLOSE) */
    c->state = LQ_CHILD_CLOSED;
    c->hashed = false;
    c->ack_pending = 0; /* inet_csk_clear_xmit_timers */
    lq_model_slot(m, c->conn)->child = -1;
}

/* The largest window tcp_select_window() can select: tcp_space() of a
 * receive buffer that grows only once the socket is accepted
 * (tcp_rcvbuf_grow). Not 65535 << rcv_wscale: that bounds only the field
 * sent, while tp->rcv_wnd keeps the window selected, and window_clamp
 * follows the buffer once tcp_measure_rcv_mss rescales it. */
static uint32_t lq_child_window_max(const struct lq_child *c)
{
    uint32_t cap = c->accepted ? LQ_TCP_RMEM2 : LQ_TCP_RMEM0;
    return cap + (1u << c->rcv_wscale); /* + ALIGN() */
}

/* tcp_dec_quickack_mode() in one world. */
static void lq_dec_quickack(uint8_t *quick, uint32_t *ato, uint32_t hz)
{
    if (!*quick)
        return;
    if (*quick == 1) {
        *quick = 0;
        *ato = LQ_ATO_MIN(hz); /* "Leaving quickack mode we deflate ATO." */
    } else {
        (*quick)--;
    }
}

/* Every ACK the child sends: tcp_select_window() then tcp_event_ack_sent(). */
static void lq_child_ack_sent(struct lq_model *m, struct lq_child *c)
{
    /* tcp_select_window(): the new right edge is rcv_nxt + __tcp_select_window(),
     * from free receive-buffer space, but never left of the old one ("Never
     * shrink the offered window": new_win = ALIGN(cur_win, 1 << rcv_wscale)).
     * Without data, __tcp_select_window() is at most ALIGN(rcv_ssthresh),
     * and tcp_init_buffer_space() cut rcv_ssthresh to window_clamp =
     * tcp_full_space - advmss ("Force reservation of one segment"): while
     * the offered window is larger, it stays and only the ALIGN() moves the
     * edge. Otherwise the model knows the edge as a range. */
    uint32_t align = 1u << c->rcv_wscale;
    uint32_t cur = c->edge_lo - c->rcv_nxt;
    if (!c->data_seen && c->edge_lo == c->edge_hi && lq_seq_after(c->edge_lo, c->rcv_nxt) &&
        cur > LQ_FULL_SPACE - c->advmss + align - 1u) {
        cur = (cur + align - 1u) & ~(align - 1u);
        c->edge_lo = c->edge_hi = c->rcv_nxt + cur;
    } else {
        if (lq_seq_before(c->edge_lo, c->rcv_nxt))
            c->edge_lo = c->rcv_nxt;
        uint32_t hi = c->rcv_nxt + lq_child_window_max(c);
        if (lq_seq_after(hi, c->edge_hi))
            c->edge_hi = hi;
    }
    c->rcv_wup = c->rcv_nxt;
    c->rcv_wnd = c->edge_lo - c->rcv_wup;
    /* tcp_dec_quickack_mode(): only an ACK of something scheduled counts */
    if (c->ack_pending & LQ_ACK_SCHED) {
        lq_dec_quickack(&c->quick, &c->ato, m->hz);
        lq_dec_quickack(&c->quick_hi, &c->ato_hi, m->hz);
    }
    /* inet_csk_clear_xmit_timer(sk, ICSK_TIME_DACK) */
    c->ack_pending = 0;
}

/* tcp_send_ack() on a child. */
void lq_tcp_send_ack(struct lq_model *m, struct lq_child *c, enum lq_dp dp)
{
    lq_child_ack_sent(m, c);
    lq_child_ack_seg(m, c, &lq_model_emit(m, dp)->seg);
}

/* tcp_send_challenge_ack(): per-socket rate limit, then the (unlimited by
 * default) per-netns quota. */
void lq_tcp_send_challenge_ack(struct lq_model *m, struct lq_child *c, enum lq_dp dp)
{
    if (lq_tcp_oow_rate_limited(m, NULL, &c->last_oow_ack, LQ_CTR_TCP_ACK_SKIPPED_CHALLENGE))
        return;
    lq_model_count(m, LQ_CTR_TCP_CHALLENGE_ACK);
    lq_tcp_send_ack(m, c, dp);
}

/* tcp_incr_quickack() in one world. */
static void lq_incr_quickack(const struct lq_child *c, uint8_t *quick)
{
    uint32_t q = c->rcv_wnd / (2u * c->rcv_mss);
    if (q == 0)
        q = 2;
    if (q > LQ_TCP_MAX_QUICKACKS)
        q = LQ_TCP_MAX_QUICKACKS;
    if (q > *quick)
        *quick = (uint8_t)q;
}

/* tcp_enter_quickack_mode(): a retransmission or out-of-window data. */
void lq_tcp_enter_quickack_mode(struct lq_model *m, struct lq_child *c)
{
    lq_incr_quickack(c, &c->quick);
    lq_incr_quickack(c, &c->quick_hi);
    c->pingpong = false; /* inet_csk_exit_pingpong_mode */
    c->ato = c->ato_hi = LQ_ATO_MIN(m->hz);
}

/* tcp_delack_timer_handler() for c, at its due time. */
static void lq_tcp_delack_timer_handler(struct lq_model *m, struct lq_child *c, bool next_jiffy)
{
    uint64_t saved = m->now_ms;
    m->now_ms = c->delack_due;
    c->ack_pending &= (uint8_t)~LQ_ACK_TIMER;
    if (c->ack_pending & LQ_ACK_SCHED) {
        if (!c->pingpong) {
            /* "Delayed ACK missed: inflate ATO." */
            c->ato = lq_min3(c->ato << 1, lq_child_rto(m, c), LQ_DELACK_MAX(m->hz));
            c->ato_hi = lq_min3(c->ato_hi << 1, lq_child_rto(m, c), LQ_DELACK_MAX(m->hz));
        } else {
            /* "Delayed ACK missed: leave pingpong mode and deflate ATO." */
            c->pingpong = false;
            c->ato = c->ato_hi = LQ_ATO_MIN(m->hz);
        }
        enum lq_dp dp = (enum lq_dp)c->delack_dp;
        lq_child_ack_sent(m, c);
        struct lq_model_pkt *p = lq_model_emit(m, dp);
        lq_child_ack_seg(m, c, &p->seg);
        p->timing = next_jiffy ? LQ_PKT_NEXT_JIFFY : LQ_PKT_DEFERRED_FIRED;
    }
    m->now_ms = saved;
}

/* The delayed-ACK timers due by `until`, in time order. */
void lq_child_timers(struct lq_model *m, uint64_t until)
{
    for (;;) {
        struct lq_child *next = NULL;
        for (size_t i = 0; i < m->nchildren; i++) {
            struct lq_child *c = &m->children[i];
            if ((c->ack_pending & LQ_ACK_TIMER) && c->delack_due <= until &&
                (!next || c->delack_due < next->delack_due))
                next = c;
        }
        if (!next)
            return;
        lq_tcp_delack_timer_handler(m, next, false);
    }
}

/* The delay tcp_send_delayed_ack() takes from icsk_ack.ato, in jiffies. */
static uint32_t lq_child_delack_ato(const struct lq_model *m, const struct lq_child *c,
                                    uint32_t ato)
{
    uint32_t hz = m->hz;
    if (ato > LQ_DELACK_MIN(hz)) {
        uint32_t max_ato = hz / 2u;
        if (c->pingpong || (c->ack_pending & LQ_ACK_PUSHED))
            max_ato = LQ_DELACK_MAX(hz);
        /* an RTT estimate bounds it: max(srtt, TCP_DELACK_MIN) */
        uint32_t rtt = lq_ms_to_jiffies(m, c->rtt_ms);
        if (rtt < LQ_DELACK_MIN(hz))
            rtt = LQ_DELACK_MIN(hz);
        if (c->srtt_known && rtt < max_ato)
            max_ato = rtt;
        if (ato > max_ato)
            ato = max_ato;
    }
    /* tcp_delack_max(): min(TCP_DELACK_MAX, rto_min - 1) since 6.7 */
    uint32_t cap = LQ_DELACK_MAX(hz);
    if (lq_profile_has(&m->profile, LQ_CHG_DELACK_MAX_RTO_MIN))
        cap = LQ_RTO_MIN(hz) - 1u;
    return ato < cap ? ato : cap;
}

/* tcp_send_delayed_ack(): "If delack timer is about to expire, send ACK now." */
bool lq_child_delack_about_to_expire(const struct lq_model *m, const struct lq_child *c)
{
    if (!(c->ack_pending & LQ_ACK_TIMER))
        return false;
    uint32_t now = lq_model_jiffies(m);
    return (int32_t)(c->delack_timeout - (now + (lq_child_delack_ato(m, c, c->ato) >> 2))) <= 0;
}

/* tcp_send_delayed_ack(). maybe_now: the kernel may send this ACK at once
 * instead (the model does not know which, lq_tcp_ack_snd_check). A deferred
 * prediction's t_ms is the earliest it may leave: its due time when the
 * model knows it, else the earliest of what the kernel may do. */
static void lq_tcp_send_delayed_ack(struct lq_model *m, struct lq_child *c, enum lq_dp dp,
                                    bool maybe_now)
{
    uint32_t hz = m->hz;
    uint32_t ato = lq_child_delack_ato(m, c, c->ato);
    uint32_t ato_hi = lq_child_delack_ato(m, c, c->ato_hi);
    uint32_t ato_lo = ato < ato_hi ? ato : ato_hi;
    if (ato != ato_hi) {
        /* the worlds differ on the delay: predicted at the later one, the
         * child followed no further */
        lq_model_dp(m, LQ_DP_CHILD_ACK_TIMING_UNMODELLED);
        c->ack_timing_unknown = true;
        if (ato_hi > ato)
            ato = ato_hi;
    }
    uint32_t timeout = lq_model_jiffies(m) + ato;
    /* sk_reset_timer(icsk_delack_timer, timeout): when the timer wheel runs it */
    uint64_t due = lq_model_timer_fire_ms(m, m->now_ms + ((uint64_t)ato * 1000u + hz - 1u) / hz);
    uint64_t earliest =
        maybe_now
            ? m->now_ms
            : lq_model_timer_fire_ms(m, m->now_ms + ((uint64_t)ato_lo * 1000u + hz - 1u) / hz);
    bool armed = (c->ack_pending & LQ_ACK_TIMER) != 0;
    if (armed) {
        if (lq_child_delack_about_to_expire(m, c)) {
            /* "If delack timer is about to expire, send ACK now." On a kernel
             * its timer runs in real time: within two jiffies of its due
             * time it may have fired already, and either way the ACK is
             * out, so it is predicted as a delayed one that may go now;
             * further from it, the ACK leaves now. */
            bool near = c->delack_due <= m->now_ms + 2000u / hz;
            lq_child_ack_sent(m, c);
            struct lq_model_pkt *p = lq_model_emit(m, dp);
            p->timing = near ? LQ_PKT_DEFERRED : LQ_PKT_NOW;
            lq_child_ack_seg(m, c, &p->seg);
            return;
        }
        /* "Use new timeout only if there wasn't a older one earlier." */
        if ((int32_t)(timeout - c->delack_timeout) >= 0) {
            timeout = c->delack_timeout;
            due = c->delack_due;
        }
    }
    c->ack_pending |= LQ_ACK_SCHED | LQ_ACK_TIMER;
    c->delack_next_jiffy = false;
    c->delack_timeout = timeout;
    c->delack_due = due;
    c->delack_dp = (uint16_t)dp;
    /* One prediction per ACK the timer will send (and one more, optional,
     * when this event may send it at once). */
    if (armed && c->delack_ack == c->rcv_nxt && !maybe_now)
        return;
    c->delack_ack = c->rcv_nxt;
    struct lq_model_pkt *p = lq_model_emit(m, dp);
    p->timing = LQ_PKT_DEFERRED;
    p->t_ms = earliest > due ? due : earliest;
    lq_child_ack_seg(m, c, &p->seg);
    /* An ato of 0 (no data yet) fires at the next jiffy: before whatever
     * comes next (lq_child_fire_next_jiffy), which the harness makes sure of
     * on a kernel by pacing it (docs/harness.md, "Timers due at the next jiffy"). */
    c->delack_next_jiffy = ato == 0;
    if (c->delack_next_jiffy)
        m->next_jiffy_acks++;
}

/* At the start of every call: the delayed ACKs due at the next jiffy fire
 * before the event, as they do on a kernel between two events. */
void lq_child_fire_next_jiffy(struct lq_model *m)
{
    if (!m->next_jiffy_acks)
        return;
    m->next_jiffy_acks = 0;
    for (size_t i = 0; i < m->nchildren; i++) {
        struct lq_child *c = &m->children[i];
        if (c->delack_next_jiffy && (c->ack_pending & LQ_ACK_TIMER)) {
            c->delack_next_jiffy = false;
            lq_tcp_delack_timer_handler(m, c, true);
        }
    }
}

/* __tcp_ack_snd_check(sk, 1), reached with an ACK scheduled. Its first test,
 * "more than one full frame received and the window's right edge advances
 * far enough" (__tcp_select_window() >= rcv_wnd), depends on receive-buffer
 * space; where it or the quick-ACK count decides, the ACK leaves now or from
 * the timer and the model says it does not know which. */
void lq_tcp_ack_snd_check(struct lq_model *m, struct lq_child *c, enum lq_dp dp)
{
    bool frame = c->rcv_nxt - c->rcv_wup > c->rcv_mss;
    bool now = (c->ack_pending & LQ_ACK_NOW) || (!c->pingpong && c->quick > 0);
    bool maybe = !now && (frame || (!c->pingpong && c->quick_hi > 0));
    /* The out-of-order queue is not empty: SACK compression is off
     * (tcp_comp_sack_nr = 0, docs/harness.md), so this ACK goes now. */
    if (!now && c->nofo)
        now = true;
    if (now) {
        lq_tcp_send_ack(m, c, dp);
        return;
    }
    if (maybe) {
        /* The ACK is predicted as a delayed one, which the comparison also
         * accepts early; what the child does next is out of reach. */
        lq_model_dp(m, LQ_DP_CHILD_ACK_TIMING_UNMODELLED);
        c->ack_timing_unknown = true;
    } else {
        lq_model_dp(m, LQ_DP_CHILD_ACK_DELAYED);
    }
    lq_tcp_send_delayed_ack(m, c, dp, maybe);
}

/* tcp_event_data_recv()'s delayed-ACK engine in one world. */
static void lq_event_data_ato(struct lq_model *m, struct lq_child *c, uint8_t *quick, uint32_t *ato,
                              uint32_t since)
{
    uint32_t rto = lq_child_rto(m, c);
    if (!*ato) {
        /* "The _first_ data packet received, initialize delayed ACK engine." */
        lq_incr_quickack(c, quick);
        *ato = LQ_ATO_MIN(m->hz);
    } else if (since <= LQ_ATO_MIN(m->hz) / 2u) {
        /* "The fastest case is the first." */
        *ato = (*ato >> 1) + LQ_ATO_MIN(m->hz) / 2u;
    } else if (since < *ato) {
        *ato = lq_min3((*ato >> 1) + since, rto, LQ_DELACK_MAX(m->hz));
    } else if (since > rto) {
        /* "Too long gap. Apparently sender failed to restart window" */
        lq_incr_quickack(c, quick);
    }
}

/* tcp_event_data_recv() for a payload of len bytes (in order or not). */
void lq_tcp_event_data_recv(struct lq_model *m, struct lq_child *c, uint32_t len)
{
    c->ack_pending |= LQ_ACK_SCHED; /* inet_csk_schedule_ack */
    uint32_t now = lq_model_jiffies(m);
    lq_event_data_ato(m, c, &c->quick, &c->ato, now - c->lrcvtime);
    lq_event_data_ato(m, c, &c->quick_hi, &c->ato_hi, now - c->lrcvtime);
    c->lrcvtime = now;
    /* tcp_grow_window() for skb->len >= 128 may set "quick |= 1", when the
     * receive buffer has room the model does not measure. */
    if (len >= 128u)
        c->quick_hi |= 1u;
}
