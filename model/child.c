/* model/child.c: the full socket a completed handshake creates.
 *
 * Creation mirrors tcp_v4_syn_recv_sock() / tcp_create_openreq_child()
 * (tcp_ipv4.c, tcp_minisocks.c) and the MSS of tcp_sync_mss() (tcp_output.c).
 * Input mirrors what the listen path needs of tcp_rcv_state_process() in
 * SYN_RECV and tcp_rcv_established() (tcp_input.c): tcp_validate_incoming()
 * (sequence, RST and SYN checks with their challenge ACKs), the ACK check,
 * in-order data and FIN (tcp_data_queue, tcp_fin), and the quick/delayed
 * ACK choice (__tcp_ack_snd_check). Out of scope, and kept out of the fuzzers'
 * reach: PAWS on established sockets, SACK blocks, window updates, urgent data.
 */
#include "model_internal.h"

#define LQ_TCP_MAX_QUICKACKS 16u

/* tcp_sync_mss(): min(pmtu - 40, mss_clamp), at least tcp_min_snd_mss, less
 * the timestamp option when it is in use; then tcp_bound_to_half_wnd() with
 * max_window, the third ACK's window (tcp_create_openreq_child). */
static uint16_t lq_child_mss(uint16_t mss_clamp, bool tstamp_ok, uint32_t max_window)
{
    uint32_t mss = LQ_ROUTE_ADVMSS; /* 1500 - sizeof(iphdr) - sizeof(tcphdr) */
    if (mss > mss_clamp)
        mss = mss_clamp;
    if (mss < LQ_TCP_MIN_SND_MSS)
        mss = LQ_TCP_MIN_SND_MSS;
    uint32_t header_len = 20u + (tstamp_ok ? LQ_TCPOLEN_TSTAMP_ALIGNED : 0u);
    mss -= header_len - 20u;
    uint32_t cutoff = max_window > LQ_TCP_MSS_DEFAULT ? max_window >> 1 : max_window;
    if (cutoff && mss > cutoff)
        mss = cutoff > 68u - header_len ? cutoff : 68u - header_len;
    return (uint16_t)mss;
}

int lq_tcp_v4_syn_recv_sock(struct lq_model *m, const struct lq_req *req, const struct lq_seg *in)
{
    int c = lq_model_child_alloc(m);
    struct lq_child *ch = &m->children[c];
    ch->conn = req->conn;
    ch->rport = req->rport;
    ch->lport = req->lport;
    ch->state = LQ_CHILD_ESTABLISHED; /* set by tcp_child_process() right after */
    ch->hashed = true;
    ch->snt_isn = req->snt_isn;
    ch->snd_nxt = ch->snd_una = req->snt_isn + 1;
    ch->rcv_nxt = ch->rcv_wup = req->rcv_nxt;
    ch->rcv_wnd = req->rcv_wnd;
    ch->tstamp_ok = req->tstamp_ok;
    ch->sack_ok = req->sack_ok;
    ch->wscale_ok = req->wscale_ok;
    ch->snd_wscale = req->snd_wscale;
    ch->rcv_wscale = req->rcv_wscale;
    ch->ts_recent = req->ts_recent;
    ch->ts_off = req->ts_off;
    /* newtp->snd_wnd = ntohs(th->window) << snd_wscale; max_window = snd_wnd */
    uint32_t max_window = (uint32_t)in->win << (req->wscale_ok ? req->snd_wscale : 0);
    ch->mss_cache = lq_child_mss(req->mss, req->tstamp_ok, max_window);
    ch->last_oow_ack = 0;
    lq_model_slot(m, req->conn)->child = c;
    /* tcp_create_openreq_child() */
    lq_model_count(m, LQ_CTR_PASSIVE_OPENS);
    return c;
}

/* inet_csk_ack_scheduled() answered: now or by the delayed-ACK timer. */
static void lq_child_ack_snd_check(struct lq_model *m, struct lq_child *c, bool ack_now,
                                   enum lq_dp dp)
{
    /* tcp_in_quickack_mode(): quick && !pingpong */
    if (ack_now || (c->quick && !c->pingpong)) {
        lq_send_child_ack(m, c, dp);
        if (c->quick) /* tcp_event_ack_sent -> tcp_dec_quickack_mode */
            c->quick--;
        return;
    }
    /* tcp_send_delayed_ack(): ato is 0 until the first data segment, then
     * TCP_ATO_MIN; a 0 ato fires at the next jiffy. */
    uint64_t delay = c->ato_set ? LQ_TCP_ATO_MIN_MS : 1000u / m->hz;
    uint64_t due = m->now_ms + delay;
    if (c->delack_pending && c->delack_due <= due)
        due = c->delack_due; /* "Use new timeout only if there wasn't an older one earlier." */
    struct lq_model_pkt *p = lq_model_emit(m, dp);
    p->timing = LQ_PKT_DEFERRED;
    p->t_ms = due;
    struct lq_seg *s = &p->seg;
    lq_child_ack_seg(m, c, s);
    c->delack = *s;
    c->delack_dp = (uint16_t)dp;
    c->delack_pending = true;
    c->delack_due = due;
}

/* tcp_send_challenge_ack(): per-socket rate limit, then the (unlimited by
 * default) per-netns quota. */
static void lq_child_challenge_ack(struct lq_model *m, struct lq_child *c, enum lq_dp dp)
{
    if (lq_oow_rate_limited(m, NULL, &c->last_oow_ack, LQ_CTR_TCP_ACK_SKIPPED_CHALLENGE))
        return;
    lq_model_count(m, LQ_CTR_TCP_CHALLENGE_ACK);
    lq_send_child_ack(m, c, dp);
}

/* tcp_reset() -> tcp_done(): CLOSE, unhashed; a queued child stays queued. */
static void lq_child_reset(struct lq_model *m, struct lq_child *c)
{
    if (c->state == LQ_CHILD_ESTABLISHED || c->state == LQ_CHILD_CLOSE_WAIT)
        lq_model_count(m, LQ_CTR_ESTAB_RESETS); /* tcp_set_state(TCP_CLOSE) */
    c->state = LQ_CHILD_CLOSED;
    c->hashed = false;
    c->delack_pending = false;
    lq_model_slot(m, c->conn)->child = -1;
}

/* In-order data (and FIN) from `from` on: queued, rcv_nxt moves, then the
 * ACK (tcp_data_queue's queue_and_out, tcp_event_data_recv, tcp_fin). */
static void lq_child_queue(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    bool has_fin = (in->flags & LQ_TH_FIN) != 0;
    uint32_t data_end = in->seq + in->len;
    bool new_data = lq_seq_after(data_end, c->rcv_nxt);
    if (new_data)
        c->rcv_nxt = data_end;
    enum lq_dp dp = LQ_DP_CHILD_DATA_ACK;
    /* tcp_event_data_recv(): the first data initialises the delayed-ACK
     * engine in quick-ACK mode (tcp_incr_quickack). */
    if (new_data && !c->ato_set) {
        uint32_t q = c->rcv_wnd / (2u * LQ_TCP_MSS_DEFAULT);
        if (q == 0)
            q = 2;
        if (q > LQ_TCP_MAX_QUICKACKS)
            q = LQ_TCP_MAX_QUICKACKS;
        if (q > c->quick)
            c->quick = (uint8_t)q;
        c->ato_set = true;
    }
    if (has_fin) {
        /* tcp_fin(): ESTABLISHED -> CLOSE_WAIT, pingpong (delayed ACK) */
        c->rcv_nxt += 1;
        c->fin_received = true;
        if (c->state == LQ_CHILD_ESTABLISHED)
            c->state = LQ_CHILD_CLOSE_WAIT;
        c->pingpong = true;
        dp = LQ_DP_CHILD_FIN;
    }
    lq_model_dp(m, dp);
    lq_child_ack_snd_check(m, c, false, dp);
}

/* tcp_data_queue() for data and FIN, then tcp_ack_snd_check(). */
static void lq_child_data(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    if (!in->len && !(in->flags & LQ_TH_FIN))
        return;
    uint32_t end_seq = lq_seg_end_seq(in);
    if (in->seq == c->rcv_nxt) {
        lq_child_queue(m, c, in);
        return;
    }
    if (!lq_seq_after(end_seq, c->rcv_nxt) || !lq_seq_before(in->seq, c->rcv_nxt + c->rcv_wnd)) {
        /* A retransmit, or beyond the window: an immediate ACK
         * (tcp_enter_quickack_mode, "out_of_window"). */
        lq_model_dp(m, LQ_DP_CHILD_OOW_DUPACK);
        c->pingpong = false;
        lq_child_ack_snd_check(m, c, true, LQ_DP_CHILD_OOW_DUPACK);
        return;
    }
    if (lq_seq_before(in->seq, c->rcv_nxt)) {
        /* Partial packet, seq < rcv_nxt < end_seq: the new part is queued. */
        lq_child_queue(m, c, in);
        return;
    }
    /* Out of order but in window: queued out of order, ACKed at once
     * (__tcp_ack_snd_check: ofo_possible, dup_ack_counter < 3). */
    lq_model_dp(m, LQ_DP_CHILD_OOW_DUPACK);
    lq_child_ack_snd_check(m, c, true, LQ_DP_CHILD_OOW_DUPACK);
}

/* tcp_rcv_state_process() step 7 for a child that took a FIN (CLOSE_WAIT):
 * nothing at or past rcv_nxt is processed; new data below it aborts the
 * connection (RFC 1122: TCPAbortOnData and an RST); the rest is a duplicate. */
static void lq_child_after_fin(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    if (!lq_seq_before(in->seq, c->rcv_nxt)) {
        lq_model_dp(m, LQ_DP_CHILD_CLOSE_WAIT_IGNORED);
        return;
    }
    uint32_t end_seq = lq_seg_end_seq(in);
    uint32_t fin = (in->flags & LQ_TH_FIN) ? 1u : 0u;
    if (end_seq != in->seq && lq_seq_after(end_seq - fin, c->rcv_nxt)) {
        lq_model_dp(m, LQ_DP_CHILD_ABORT_ON_DATA);
        lq_model_count(m, LQ_CTR_TCP_ABORT_ON_DATA);
        lq_child_reset(m, c);
        lq_send_reset(m, in, LQ_DP_CHILD_ABORT_ON_DATA);
        return;
    }
    lq_child_data(m, c, in);
}

/* tcp_sequence(): not entirely before rcv_wup, not starting past the window. */
static bool lq_child_sequence_ok(const struct lq_child *c, const struct lq_seg *in)
{
    uint32_t end_seq = lq_seg_end_seq(in);
    if (lq_seq_before(end_seq, c->rcv_wup))
        return false;
    uint32_t limit = c->rcv_nxt + c->rcv_wnd;
    if (lq_seq_after(end_seq, limit) && lq_seq_after(in->seq, limit))
        return false;
    return true;
}

void lq_child_rcv(struct lq_model *m, int ci, const struct lq_seg *in)
{
    struct lq_child *c = &m->children[ci];
    if (!(in->flags & (LQ_TH_ACK | LQ_TH_RST | LQ_TH_SYN))) {
        lq_model_dp(m, LQ_DP_CHILD_NO_ACK_DROP);
        return;
    }
    /* tcp_validate_incoming() */
    if (!lq_child_sequence_ok(c, in)) {
        if (in->flags & LQ_TH_RST) {
            /* tcp_reset_check(): an RST at rcv_nxt - 1 after a FIN */
            if (in->seq == c->rcv_nxt - 1 && c->state == LQ_CHILD_CLOSE_WAIT) {
                lq_model_dp(m, LQ_DP_CHILD_RST_RESET);
                lq_child_reset(m, c);
            }
            return;
        }
        if (in->flags & LQ_TH_SYN)
            goto syn_challenge;
        lq_model_dp(m, LQ_DP_CHILD_OOW_DUPACK);
        if (!lq_oow_rate_limited(m, in, &c->last_oow_ack, LQ_CTR_TCP_ACK_SKIPPED_SEQ))
            lq_send_child_ack(m, c, LQ_DP_CHILD_OOW_DUPACK); /* tcp_send_dupack */
        return;
    }
    if (in->flags & LQ_TH_RST) {
        if (in->seq == c->rcv_nxt ||
            (in->seq == c->rcv_nxt - 1 && c->state == LQ_CHILD_CLOSE_WAIT)) {
            lq_model_dp(m, LQ_DP_CHILD_RST_RESET);
            lq_child_reset(m, c);
            return;
        }
        lq_model_dp(m, LQ_DP_CHILD_RST_CHALLENGE);
        lq_child_challenge_ack(m, c, LQ_DP_CHILD_RST_CHALLENGE);
        return;
    }
    if (in->flags & LQ_TH_SYN) {
    syn_challenge:
        lq_model_dp(m, LQ_DP_CHILD_SYN_CHALLENGE);
        lq_model_count(m, LQ_CTR_TCP_SYN_CHALLENGE);
        lq_child_challenge_ack(m, c, LQ_DP_CHILD_SYN_CHALLENGE);
        return;
    }
    if (!(in->flags & LQ_TH_ACK)) {
        lq_model_dp(m, LQ_DP_CHILD_NO_ACK_DROP);
        return;
    }
    /* tcp_ack(): an ACK of data never sent is dropped (with a challenge ACK
     * where RFC 5961 5.2 is implemented); an old one is ignored. */
    if (lq_seq_after(in->ack, c->snd_nxt)) {
        lq_model_dp(m, LQ_DP_CHILD_ACK_UNSENT);
        /* tcp_rcv_established() calls tcp_ack() without FLAG_NO_CHALLENGE_ACK
         * (answered since 7.1); tcp_rcv_state_process() (CLOSE_WAIT) sends the
         * challenge ACK itself for "old ack during closing" in every version. */
        if (c->state != LQ_CHILD_ESTABLISHED ||
            lq_profile_has(&m->profile, LQ_CHG_ACK_UNSENT_CHALLENGE))
            lq_child_challenge_ack(m, c, LQ_DP_CHILD_ACK_UNSENT);
        return;
    }
    /* RFC 5961 5.2: an ACK below snd_una - min(max_window, bytes_acked) (the
     * child sent no data: anything below snd_una) draws a challenge ACK and
     * the segment is dropped. */
    if (lq_seq_before(in->ack, c->snd_una)) {
        lq_model_dp(m, LQ_DP_CHILD_ACK_TOO_OLD);
        lq_child_challenge_ack(m, c, LQ_DP_CHILD_ACK_TOO_OLD);
        return;
    }
    if (c->state == LQ_CHILD_CLOSE_WAIT) {
        lq_child_after_fin(m, c, in);
        return;
    }
    if (!in->len && !(in->flags & LQ_TH_FIN)) {
        lq_model_dp(m, LQ_DP_CHILD_PURE_ACK);
        return;
    }
    lq_child_data(m, c, in);
}

/* tcp_child_process(): the segment that completed the handshake moves the
 * child from SYN_RECV to ESTABLISHED and is then processed as data. */
void lq_tcp_child_process(struct lq_model *m, int ci, const struct lq_seg *in)
{
    struct lq_child *c = &m->children[ci];
    lq_model_dp(m, LQ_DP_CHILD_SYNRECV_DONE);
    c->state = LQ_CHILD_ESTABLISHED;
    c->snd_una = in->ack;
    lq_child_data(m, c, in);
}

/* The delayed-ACK timers due by `until`, in time order. */
void lq_child_timers(struct lq_model *m, uint64_t until)
{
    for (;;) {
        struct lq_child *next = NULL;
        for (size_t i = 0; i < m->nchildren; i++) {
            struct lq_child *c = &m->children[i];
            if (c->delack_pending && c->delack_due <= until &&
                (!next || c->delack_due < next->delack_due))
                next = c;
        }
        if (!next)
            return;
        uint64_t saved = m->now_ms;
        m->now_ms = next->delack_due;
        struct lq_model_pkt *p = lq_model_emit(m, (enum lq_dp)next->delack_dp);
        p->seg = next->delack;
        p->timing = LQ_PKT_DEFERRED_FIRED;
        next->delack_pending = false;
        next->rcv_wup = next->rcv_nxt;
        if (next->quick)
            next->quick--;
        m->now_ms = saved;
    }
}
