/* model/child_rcv.c: a segment to an established (or CLOSE_WAIT) child.
 *
 * Mirrors tcp_rcv_established() and tcp_rcv_state_process() (tcp_input.c) as
 * far as a peer that only sends can see them: tcp_validate_incoming()
 * (tcp_sequence, the RST and SYN rules with their challenge ACKs), the
 * tcp_ack() checks of RFC 5961 5.2, tcp_data_queue() with the out-of-order
 * queue (tcp_data_queue_ofo, tcp_ofo_queue) and its SACK blocks
 * (tcp_sack_new_ofo_skb, tcp_sack_remove), tcp_measure_rcv_mss(), tcp_fin()
 * and the CLOSE_WAIT rules. Nobody reads the child, nothing is sent on it.
 *
 * Scope (docs/model.md): where the kernel's answer depends on receive-buffer
 * memory accounting (the window it advertises, the quick-ACK credit of
 * tcp_grow_window) or on PAWS on an established socket, the model says so
 * (lq_model_beyond) instead of guessing.
 */
#include "model_internal.h"

/* tcp_sack_extend() */
static bool lq_sack_extend(struct lq_sack_block *sp, uint32_t seq, uint32_t end)
{
    if (!lq_seq_after(seq, sp->end) && !lq_seq_after(sp->start, end)) {
        if (lq_seq_before(seq, sp->start))
            sp->start = seq;
        if (lq_seq_after(end, sp->end))
            sp->end = end;
        return true;
    }
    return false;
}

/* tcp_sack_maybe_coalesce() */
static void lq_sack_maybe_coalesce(struct lq_child *c)
{
    struct lq_sack_block *sp = c->sacks;
    for (int this_sack = 1; this_sack < c->num_sacks;) {
        if (lq_sack_extend(sp, sp[this_sack].start, sp[this_sack].end)) {
            c->num_sacks--;
            for (int i = this_sack; i < c->num_sacks; i++)
                sp[i] = sp[i + 1];
            continue;
        }
        this_sack++;
    }
}

/* tcp_sack_new_ofo_skb(): the block [seq, end) goes first. (Its call of
 * tcp_sack_compress_send_ack() does nothing: no ACK is ever compressed.) */
static void lq_sack_new_ofo_skb(struct lq_child *c, uint32_t seq, uint32_t end)
{
    struct lq_sack_block *sp = c->sacks;
    int cur = c->num_sacks, this_sack;
    if (!cur) {
        sp[0].start = seq;
        sp[0].end = end;
        c->num_sacks = 1;
        return;
    }
    for (this_sack = 0; this_sack < cur; this_sack++) {
        if (lq_sack_extend(&sp[this_sack], seq, end)) {
            for (; this_sack > 0; this_sack--) {
                struct lq_sack_block t = sp[this_sack];
                sp[this_sack] = sp[this_sack - 1];
                sp[this_sack - 1] = t;
            }
            if (cur > 1)
                lq_sack_maybe_coalesce(c);
            return;
        }
    }
    if (this_sack >= LQ_TCP_NUM_SACKS) { /* "forget about the last one" */
        this_sack--;
        c->num_sacks--;
    }
    for (; this_sack > 0; this_sack--)
        sp[this_sack] = sp[this_sack - 1];
    sp[0].start = seq;
    sp[0].end = end;
    c->num_sacks++;
}

/* tcp_sack_remove(): rcv_nxt moved; blocks it covers go. */
static void lq_sack_remove(struct lq_child *c)
{
    if (!c->nofo) {
        c->num_sacks = 0;
        return;
    }
    int n = c->num_sacks;
    for (int this_sack = 0; this_sack < n;) {
        if (!lq_seq_before(c->rcv_nxt, c->sacks[this_sack].start)) {
            for (int i = this_sack + 1; i < n; i++)
                c->sacks[i - 1] = c->sacks[i];
            n--;
            continue;
        }
        this_sack++;
    }
    c->num_sacks = (uint8_t)n;
}

/* tcp_measure_rcv_mss(): the peer's MSS as the sizes of its segments show it. */
static void lq_tcp_measure_rcv_mss(struct lq_child *c, const struct lq_seg *in)
{
    uint16_t lss = c->last_seg_size;
    c->last_seg_size = 0;
    uint32_t len = in->len;
    if (len >= c->rcv_mss) {
        c->rcv_mss = (uint16_t)(len < c->advmss ? len : c->advmss);
        if (in->flags & LQ_TH_PSH)
            c->ack_pending |= LQ_ACK_PUSHED;
        return;
    }
    len += lq_seg_tcp_header_len(in);
    /* TCP_REMNANT: FIN, URG, SYN, PSH */
    bool remnant = (in->flags & (LQ_TH_FIN | LQ_TH_URG | LQ_TH_SYN | LQ_TH_PSH)) != 0;
    if (len >= LQ_TCP_MSS_DEFAULT + 20u || (len >= LQ_TCP_MIN_MSS + 20u && !remnant)) {
        len -= 20u + (c->tstamp_ok ? LQ_TCPOLEN_TSTAMP_ALIGNED : 0u); /* tp->tcp_header_len */
        c->last_seg_size = (uint16_t)len;
        if (len == lss) {
            c->rcv_mss = (uint16_t)len;
            return;
        }
    }
    if (c->ack_pending & LQ_ACK_PUSHED)
        c->ack_pending |= LQ_ACK_PUSHED2;
    c->ack_pending |= LQ_ACK_PUSHED;
}

/* tcp_fin(): ESTABLISHED -> CLOSE_WAIT in pingpong (delayed-ACK) mode; what
 * waits out of order past the FIN is dropped. */
static void lq_tcp_fin(struct lq_child *c)
{
    c->ack_pending |= LQ_ACK_SCHED;
    c->fin_received = true;
    if (c->state == LQ_CHILD_ESTABLISHED) {
        c->state = LQ_CHILD_CLOSE_WAIT;
        c->pingpong = true; /* inet_csk_enter_pingpong_mode */
    }
    c->nofo = 0;
    c->num_sacks = 0; /* tcp_sack_reset */
}

/* tcp_ofo_queue(): out-of-order skbs that rcv_nxt reached move over. */
static void lq_tcp_ofo_queue(struct lq_child *c)
{
    size_t k = 0;
    while (k < c->nofo) {
        struct lq_ofo_skb s = c->ofo[k];
        if (lq_seq_after(s.seq, c->rcv_nxt))
            break;
        k++;
        if (!lq_seq_after(s.end, c->rcv_nxt))
            continue; /* SKB_DROP_REASON_TCP_OFO_DROP */
        c->rcvq_skbs++;
        c->rcvq_bytes += s.end - s.seq - (s.fin ? 1u : 0u);
        c->rcv_nxt = s.end;
        if (s.fin) {
            lq_tcp_fin(c); /* purges the rest */
            return;
        }
    }
    for (size_t i = k; i < c->nofo; i++)
        c->ofo[i - k] = c->ofo[i];
    c->nofo = (uint8_t)(c->nofo - k);
}

/* An upper estimate of an injected frame's skb truesize: a packet socket
 * builds frames under a page linear (packet_alloc_skb), in a kmalloc bucket
 * of up to twice their size, plus struct sk_buff and skb_shared_info. */
static uint32_t lq_rcv_truesize(uint32_t len)
{
    return 1024u + 2u * len;
}

/* Room for one more skb of len bytes within the model's scope; charges it. */
bool lq_child_charge_skb(struct lq_model *m, struct lq_child *c, uint32_t len)
{
    uint32_t t = lq_rcv_truesize(len);
    if (c->rmem_est + t <= LQ_RCV_RMEM_SCOPE && c->nofo < LQ_OFO_MAX) {
        c->rmem_est += t;
        return true;
    }
    lq_model_beyond(m, "the child holds more data than the model follows; from here the "
                       "receive buffer's memory accounting decides");
    return false;
}

/* tcp_data_queue_ofo(): into the out-of-order queue (an rbtree by seq;
 * here a sorted array), merging as the kernel does, then the SACK block. */
static void lq_tcp_data_queue_ofo(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    uint32_t seq = in->seq, end = lq_seg_end_seq(in);
    bool fin = (in->flags & LQ_TH_FIN) != 0;
    if (lq_profile_has(&m->profile, LQ_CHG_OFO_MEASURES_RCV_MSS))
        lq_tcp_measure_rcv_mss(c, in);
    c->ack_pending |= LQ_ACK_SCHED;
    if (c->sack_ok)
        c->quick_hi |= 1u; /* tcp_grow_window() for SACK flows */
    struct lq_ofo_skb skb = {seq, end, fin};
    if (in->len)
        c->data_seen = true;
    if (!c->nofo) {
        if (!lq_child_charge_skb(m, c, in->len))
            return;
        c->ofo[c->nofo++] = skb;
        if (c->sack_ok) {
            c->num_sacks = 1;
            c->sacks[0].start = seq;
            c->sacks[0].end = end;
        }
        return;
    }
    struct lq_ofo_skb *last = &c->ofo[c->nofo - 1]; /* ooo_last_skb */
    int pos = -1;                                   /* where skb goes; -1: merged or dropped */
    if (seq == last->end) {
        /* tcp_ooo_try_coalesce() onto the last skb */
        if (last->fin)
            goto beyond;
        if (!lq_child_charge_skb(m, c, in->len))
            return;
        last->end = end;
        last->fin = fin;
        goto add_sack;
    }
    if (!lq_seq_before(seq, last->end)) {
        pos = c->nofo;
        goto insert;
    }
    /* The rbtree walk meets the skbs that could decide (one containing seq,
     * or one ending at it) in an order only the tree's shape fixes: with
     * more than one, the model cannot tell which. */
    int cand = -1, ncand = 0;
    for (int i = 0; i < c->nofo; i++) {
        const struct lq_ofo_skb *s = &c->ofo[i];
        if (lq_seq_before(seq, s->seq))
            continue;
        if (lq_seq_before(seq, s->end) || seq == s->end) {
            cand = i;
            ncand++;
        }
    }
    if (ncand > 1)
        goto beyond;
    if (cand >= 0) {
        struct lq_ofo_skb *s1 = &c->ofo[cand];
        if (seq == s1->end) {
            if (s1->fin)
                goto beyond;
            if (!lq_child_charge_skb(m, c, in->len))
                return;
            s1->end = end; /* coalesce_done: no merge_right */
            s1->fin = fin;
            goto add_sack;
        }
        if (!lq_seq_after(end, s1->end))
            goto add_sack; /* "All the bits are present. Drop." */
        if (seq == s1->seq) {
            if (!lq_child_charge_skb(m, c, in->len))
                return;
            *s1 = skb; /* replaces skb1, then merge_right */
            pos = cand;
            goto merge_right;
        }
        pos = cand + 1; /* partial overlap: inserted after skb1 */
    } else {
        pos = 0;
        while (pos < c->nofo && lq_seq_before(c->ofo[pos].seq, seq))
            pos++;
    }
insert:
    if (!lq_child_charge_skb(m, c, in->len))
        return;
    for (int i = c->nofo; i > pos; i--)
        c->ofo[i] = c->ofo[i - 1];
    c->ofo[pos] = skb;
    c->nofo++;
merge_right:
    /* "Remove other segments covered by skb." */
    while (pos + 1 < c->nofo) {
        struct lq_ofo_skb *s1 = &c->ofo[pos + 1];
        if (!lq_seq_after(end, s1->seq) || lq_seq_before(end, s1->end))
            break;
        for (int i = pos + 1; i + 1 < c->nofo; i++)
            c->ofo[i] = c->ofo[i + 1];
        c->nofo--;
    }
add_sack:
    if (c->sack_ok)
        lq_sack_new_ofo_skb(c, seq, end);
    return;
beyond:
    lq_model_beyond(m, "out-of-order data meets queued skbs where the kernel's rbtree shape or "
                       "skb coalescing decides");
}

/* The limit of tcp_sequence() and tcp_data_queue(): rcv_nxt +
 * tcp_receive_window(), at the lower and upper end of what the model knows
 * of the right edge. */
static void lq_child_window_limits(const struct lq_child *c, uint32_t *lo, uint32_t *hi)
{
    *lo = lq_seq_after(c->edge_lo, c->rcv_nxt) ? c->edge_lo : c->rcv_nxt;
    *hi = lq_seq_after(c->edge_hi, c->rcv_nxt) ? c->edge_hi : c->rcv_nxt;
}

/* tcp_data_queue(): data and FIN. Returns the decision point that labels
 * the ACK it schedules. */
static enum lq_dp lq_tcp_data_queue(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    uint32_t seq = in->seq, end = lq_seg_end_seq(in);
    if (seq == end)
        return LQ_DP_CHILD_PURE_ACK;
    uint32_t lo, hi;
    lq_child_window_limits(c, &lo, &hi);
    if (lo == c->rcv_nxt) {
        /* a zero window: the receive buffer is full, beyond the model */
        lq_model_beyond(m, "the child's receive window may be closed");
        return LQ_DP_CHILD_BEYOND_MODEL;
    }
    bool filled = false, had_fin = c->fin_received;
    /* In sequence, or a partial packet (seq < rcv_nxt < end_seq, so inside
     * the window: the kernel's out-of-window test before it cannot hold). */
    if (seq == c->rcv_nxt || (lq_seq_before(seq, c->rcv_nxt) && lq_seq_after(end, c->rcv_nxt))) {
        if (!lq_child_charge_skb(m, c, in->len))
            return LQ_DP_CHILD_BEYOND_MODEL;
        bool fin = (in->flags & LQ_TH_FIN) != 0;
        c->rcvq_skbs++;
        c->rcvq_bytes += in->len;
        c->rcv_nxt = end; /* tcp_queue_rcv -> tcp_rcv_nxt_update */
        if (in->len) {
            c->data_seen = true;
            lq_tcp_measure_rcv_mss(c, in);
            lq_tcp_event_data_recv(m, c, in->len);
        }
        if (fin)
            lq_tcp_fin(c);
        if (c->nofo) {
            lq_tcp_ofo_queue(c);
            /* RFC 5681 4.2: an immediate ACK when the gap is filled */
            if (!c->nofo) {
                c->ack_pending |= LQ_ACK_NOW;
                filled = true;
            }
        }
        if (c->num_sacks)
            lq_sack_remove(c);
        enum lq_dp dp = filled                        ? LQ_DP_CHILD_OFO_FILLED
                        : !had_fin && c->fin_received ? LQ_DP_CHILD_FIN
                                                      : LQ_DP_CHILD_DATA_ACK;
        lq_model_dp(m, dp);
        return dp;
    }
    if (!lq_seq_after(end, c->rcv_nxt)) {
        /* "A retransmit, 2nd most common case. Force an immediate ack." */
        lq_model_dp(m, LQ_DP_CHILD_DATA_RETRANSMIT);
        lq_tcp_enter_quickack_mode(m, c);
        c->ack_pending |= LQ_ACK_SCHED;
        return LQ_DP_CHILD_DATA_RETRANSMIT;
    }
    /* "Out of window. F.e. zero window probe." */
    bool beyond_lo = !lq_seq_before(seq, lo), beyond_hi = !lq_seq_before(seq, hi);
    if (beyond_lo != beyond_hi) {
        lq_model_beyond(m, "data near the child's right window edge, which the model knows "
                           "only as a range once the child has advertised a window");
        return LQ_DP_CHILD_BEYOND_MODEL;
    }
    if (beyond_lo) {
        lq_model_dp(m, LQ_DP_CHILD_DATA_BEYOND_WINDOW);
        lq_tcp_enter_quickack_mode(m, c);
        c->ack_pending |= LQ_ACK_SCHED;
        return LQ_DP_CHILD_DATA_BEYOND_WINDOW;
    }
    lq_model_dp(m, LQ_DP_CHILD_DATA_OFO);
    lq_tcp_data_queue_ofo(m, c, in);
    return LQ_DP_CHILD_DATA_OFO;
}

void lq_child_data_queue(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    enum lq_dp dp = lq_tcp_data_queue(m, c, in);
    if (!m->beyond && (c->ack_pending & LQ_ACK_SCHED) && dp != LQ_DP_CHILD_PURE_ACK)
        c->delack_dp = (uint16_t)dp; /* labels the ACK it asks for */
}

enum lq_seq_verdict { LQ_SEQ_OK, LQ_SEQ_OLD, LQ_SEQ_INVALID, LQ_SEQ_INVALID_END };

/* tcp_sequence() for one value of the window limit. */
static enum lq_seq_verdict lq_tcp_sequence_at(const struct lq_model *m, const struct lq_child *c,
                                              const struct lq_seg *in, uint32_t limit)
{
    uint32_t seq = in->seq, end = lq_seg_end_seq(in);
    if (lq_seq_before(end, c->rcv_wup))
        return LQ_SEQ_OLD;
    if (!lq_profile_has(&m->profile, LQ_CHG_BEYOND_WINDOW_DROP))
        return lq_seq_after(seq, limit) ? LQ_SEQ_INVALID : LQ_SEQ_OK;
    if (!lq_seq_after(end, limit))
        return LQ_SEQ_OK;
    /* "allow the FIN to extend beyond the window" */
    if (lq_profile_has(&m->profile, LQ_CHG_FIN_BEYOND_WINDOW) &&
        !lq_seq_after(end - ((in->flags & LQ_TH_FIN) ? 1u : 0u), limit))
        return LQ_SEQ_OK;
    if (lq_seq_after(seq, limit))
        return LQ_SEQ_INVALID;
    /* "Only accept this packet if receive queue is empty." */
    return c->rcvq_skbs ? LQ_SEQ_INVALID_END : LQ_SEQ_OK;
}

/* tcp_sequence() at both ends of what the model knows of the child's right
 * window edge: false (beyond the model) when they part, else *v. */
static bool lq_tcp_sequence(struct lq_model *m, const struct lq_child *c, const struct lq_seg *in,
                            enum lq_seq_verdict *v)
{
    uint32_t lo, hi;
    lq_child_window_limits(c, &lo, &hi);
    *v = lq_tcp_sequence_at(m, c, in, lo);
    if (*v != lq_tcp_sequence_at(m, c, in, hi)) {
        lq_model_beyond(m, "a segment near the child's right window edge, which the model "
                           "knows only as a range once the child has advertised a window");
        return false;
    }
    return true;
}

/* tcp_validate_incoming() for a segment tcp_sequence() refused (verdict
 * v), neither RST nor SYN: tcp_send_dupack(), rate-limited. */
static void lq_tcp_seq_dupack(struct lq_model *m, struct lq_child *c, const struct lq_seg *in,
                              enum lq_seq_verdict v)
{
    lq_model_dp(m, v == LQ_SEQ_INVALID_END ? LQ_DP_CHILD_SEQ_INVALID_END : LQ_DP_CHILD_OOW_DUPACK);
    /* tcp_validate_incoming, 6.17: "if (reason ==
     * SKB_DROP_REASON_TCP_INVALID_SEQUENCE || reason ==
     * SKB_DROP_REASON_TCP_INVALID_END_SEQUENCE)", not TCP_OLD_SEQUENCE */
    if (v != LQ_SEQ_OLD && lq_profile_has(&m->profile, LQ_CHG_BEYOND_WINDOW_MIB))
        lq_model_count(m, LQ_CTR_BEYOND_WINDOW);
    if (!lq_tcp_oow_rate_limited(m, in, &c->last_oow_ack, LQ_CTR_TCP_ACK_SKIPPED_SEQ)) {
        if (in->seq != lq_seg_end_seq(in) && lq_seq_before(in->seq, c->rcv_nxt))
            lq_tcp_enter_quickack_mode(m, c); /* DelayedACKLost */
        lq_tcp_send_ack(m, c, LQ_DP_CHILD_OOW_DUPACK);
    }
}

bool lq_child_fastopen_sequence(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    enum lq_seq_verdict v;
    if (!lq_tcp_sequence(m, c, in, &v))
        return false;
    if (v == LQ_SEQ_OK)
        return true;
    if (in->flags & (LQ_TH_RST | LQ_TH_SYN)) {
        /* tcp_check_req took an RST or a SYN in its window as an embryonic
         * reset: only a SYN it truncated at rcv_isn (with data) is left */
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "a SYN with data at rcv_isn past a TCP Fast Open child's window");
        return false;
    }
    lq_tcp_seq_dupack(m, c, in, v);
    return false;
}

/* tcp_reset_check(): an RST at rcv_nxt - 1 after the peer's FIN. */
static bool lq_tcp_reset_check(const struct lq_child *c, const struct lq_seg *in)
{
    return in->seq == c->rcv_nxt - 1u && c->state == LQ_CHILD_CLOSE_WAIT;
}

/* tcp_validate_incoming(): false when the segment stops here. */
static bool lq_tcp_validate_incoming(struct lq_model *m, struct lq_child *c,
                                     const struct lq_seg *in)
{
    enum lq_seq_verdict v;
    if (!lq_tcp_sequence(m, c, in, &v))
        return false;
    if (v != LQ_SEQ_OK) {
        if (in->flags & LQ_TH_RST) {
            if (lq_tcp_reset_check(c, in)) {
                lq_model_dp(m, LQ_DP_CHILD_RST_RESET);
                lq_tcp_reset(m, c);
            }
            return false;
        }
        if (in->flags & LQ_TH_SYN)
            goto syn_challenge;
        lq_tcp_seq_dupack(m, c, in, v);
        return false;
    }
    if (in->flags & LQ_TH_RST) {
        /* RFC 5961 3.2, extended to rcv_nxt - 1 after a FIN and to the
         * right-most SACK block. */
        if (in->seq == c->rcv_nxt || lq_tcp_reset_check(c, in)) {
            lq_model_dp(m, LQ_DP_CHILD_RST_RESET);
            lq_tcp_reset(m, c);
            return false;
        }
        if (c->sack_ok && c->num_sacks) {
            uint32_t max_sack = c->sacks[0].end;
            for (int i = 1; i < c->num_sacks; i++)
                if (lq_seq_after(c->sacks[i].end, max_sack))
                    max_sack = c->sacks[i].end;
            if (in->seq == max_sack) {
                lq_model_dp(m, LQ_DP_CHILD_RST_AT_SACK);
                lq_tcp_reset(m, c);
                return false;
            }
        }
        lq_model_dp(m, LQ_DP_CHILD_RST_CHALLENGE);
        lq_tcp_send_challenge_ack(m, c, LQ_DP_CHILD_RST_CHALLENGE);
        return false;
    }
    if (in->flags & LQ_TH_SYN) {
        /* "sk->sk_state == TCP_SYN_RECV && sk->sk_socket && th->ack" with
         * the SYN alone at rcv_nxt - 1, acking snd_nxt: goto pass (6.11) */
        if (c->syn_recv && c->accepted && (in->flags & LQ_TH_ACK) &&
            in->seq + 1u == lq_seg_end_seq(in) && in->seq + 1u == c->rcv_nxt &&
            in->ack == c->snd_nxt && lq_profile_has(&m->profile, LQ_CHG_SYNRECV_SYNACK_PASS)) {
            lq_model_dp(m, LQ_DP_CHILD_SYNRECV_SYNACK_PASS);
            return true;
        }
    syn_challenge:
        lq_model_dp(m, LQ_DP_CHILD_SYN_CHALLENGE);
        lq_model_count(m, LQ_CTR_TCP_SYN_CHALLENGE);
        lq_tcp_send_challenge_ack(m, c, LQ_DP_CHILD_SYN_CHALLENGE);
        return false;
    }
    return true;
}

/* tcp_rcv_established()'s header prediction: pred_flags (tcp_fast_path_on:
 * the header length, ACK alone with PSH ignored, the window the child last
 * took, snd_wnd >> snd_wscale; zero while data is out of order), seq ==
 * rcv_nxt, an ack up to snd_nxt (from snd_una up before fast_path_old_ack),
 * and with timestamps a TSval not behind ts_recent. A pure ACK only, unless
 * data: the same test for a segment with data (its "bulk data transfer"
 * branch). */
static bool lq_child_predicted(const struct lq_model *m, const struct lq_child *c,
                               const struct lq_seg *in, bool data)
{
    if (c->state != LQ_CHILD_ESTABLISHED || c->nofo || c->urg_data || (in->len && !data) ||
        (in->flags & (uint8_t)~LQ_TH_PSH) != LQ_TH_ACK || in->seq != c->rcv_nxt)
        return false;
    /* tcp_header_len: 20 bytes, plus the aligned timestamp when tstamp_ok */
    if (in->opt.has_mss || in->opt.has_wscale || in->opt.sack_perm ||
        in->opt.has_ts != c->tstamp_ok)
        return false;
    if ((uint32_t)in->win != c->snd_wnd >> (c->wscale_ok ? c->snd_wscale : 0))
        return false;
    if (lq_seq_after(in->ack, c->snd_nxt) ||
        (lq_seq_before(in->ack, c->snd_una) &&
         !lq_profile_has(&m->profile, LQ_CHG_FAST_PATH_OLD_ACK)))
        return false;
    return !(c->tstamp_ok && lq_seq_before(in->opt.tsval, c->ts_recent));
}

static bool lq_child_header_predicted(const struct lq_model *m, const struct lq_child *c,
                                      const struct lq_seg *in)
{
    return lq_child_predicted(m, c, in, false);
}

/* tcp_ack()'s verdicts that stop a segment: an ACK of data never sent, or
 * one too old (RFC 5961 5.2). False when the segment stops here. */
static bool lq_tcp_ack(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    if (lq_seq_after(in->ack, c->snd_nxt)) {
        lq_model_dp(m, LQ_DP_CHILD_ACK_UNSENT);
        /* tcp_rcv_established() calls tcp_ack() without FLAG_NO_CHALLENGE_ACK
         * (answered since 7.1); tcp_rcv_state_process() (CLOSE_WAIT) sends the
         * challenge ACK itself for "old ack during closing" in every version. */
        if (c->state != LQ_CHILD_ESTABLISHED ||
            lq_profile_has(&m->profile, LQ_CHG_ACK_UNSENT_CHALLENGE))
            lq_tcp_send_challenge_ack(m, c, LQ_DP_CHILD_ACK_UNSENT);
        return false;
    }
    /* Below snd_una - min(max_window, bytes_acked): the child sent no data,
     * so anything below snd_una. */
    if (lq_seq_before(in->ack, c->snd_una)) {
        /* a child that never queued data has sk_forward_alloc 0 (sk_clone_lock),
         * so any truesize exceeds it: the slow path, deterministically */
        if (in->len && c->data_seen && lq_child_predicted(m, c, in, true)) {
            /* tcp_rcv_established's fast path queues the data before it
             * calls tcp_ack (whose verdict it ignores) when "skb->truesize
             * <= sk->sk_forward_alloc", else the slow path drops the
             * segment here: memory accounting decides (fuzzer finding:
             * cookie child, `ack=+2 len=10`, then `ack len=100`) */
            lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
            lq_model_beyond(m, "data with an old ACK that header prediction takes: the fast "
                               "path queues it before tcp_ack when sk_forward_alloc covers its "
                               "truesize (receive-buffer accounting)");
            return false;
        }
        lq_model_dp(m, LQ_DP_CHILD_ACK_TOO_OLD);
        /* The fast path's tcp_store_ts_recent() ran before tcp_ack(sk, skb, 0)
         * (seq == rcv_nxt, so "seq <= rcv_wup" is rcv_nxt == rcv_wup); the
         * slow path's tcp_replace_ts_recent() comes after this check. */
        if (c->tstamp_ok && c->rcv_nxt == c->rcv_wup && lq_child_header_predicted(m, c, in))
            c->ts_recent = in->opt.tsval;
        lq_tcp_send_challenge_ack(m, c, LQ_DP_CHILD_ACK_TOO_OLD);
        return false;
    }
    if (in->flags & LQ_TH_ACK)
        lq_tcp_ack_update_window(c, in);
    lq_tcp_ecn_accept_cwr(m, c, in);
    return true;
}

/* tcp_urg() -> tcp_check_urg(): the harness sends an urgent pointer of 0,
 * so the urgent byte is at seq (no "ptr--" for a pointer of 0). A new one
 * at or past rcv_nxt sets urg_data and turns header prediction off
 * (pred_flags = 0); tcp_fast_path_check() never turns it on again while
 * urg_data holds, and nobody reads the child. */
static void lq_tcp_urg(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    if (!(in->flags & LQ_TH_URG))
        return;
    uint32_t ptr = in->seq;
    if (lq_seq_before(ptr, c->rcv_nxt))
        return; /* "Do not replay urg ptr." (copied_seq is at most rcv_nxt) */
    if (c->urg_data && !lq_seq_after(ptr, c->urg_seq))
        return; /* "Do we already have a newer (or duplicate) urgent pointer?" */
    lq_model_dp(m, LQ_DP_CHILD_URG);
    c->urg_data = true;
    c->urg_seq = ptr;
}

/* After the peer's FIN (tcp_rcv_state_process step 7, TCP_CLOSE_WAIT):
 * nothing at or past rcv_nxt is processed; new data below it aborts the
 * connection (RFC 1122: TCPAbortOnData and an RST). Returns false when the
 * segment went no further. */
static bool lq_child_close_wait(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    if (!lq_seq_before(in->seq, c->rcv_nxt)) {
        lq_model_dp(m, LQ_DP_CHILD_CLOSE_WAIT_IGNORED);
        return false;
    }
    uint32_t end = lq_seg_end_seq(in);
    uint32_t fin = (in->flags & LQ_TH_FIN) ? 1u : 0u;
    if (end != in->seq && lq_seq_after(end - fin, c->rcv_nxt)) {
        lq_model_dp(m, LQ_DP_CHILD_ABORT_ON_DATA);
        lq_model_count(m, LQ_CTR_TCP_ABORT_ON_DATA);
        lq_tcp_reset(m, c);
        /* tcp_v6_do_rcv: reset -> tcp_v6_send_reset(sk = the child) */
        lq_tcp_v4_send_reset(m, in, c->txhash, LQ_DP_CHILD_ABORT_ON_DATA);
        return false;
    }
    return true;
}

void lq_child_rcv(struct lq_model *m, int ci, const struct lq_seg *in)
{
    struct lq_child *c = &m->children[ci];
    if (c->app_closed) {
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "a segment to a connection the server closed with a FIN (FIN_WAIT1, "
                           "LAST_ACK: tcp_rcv_state_process past ESTABLISHED is not modelled)");
        return;
    }
    /* A TCP Fast Open child still in SYN_RECV: its request decides first */
    if (c->fastopen) {
        lq_fastopen_synrecv_rcv(m, ci, in);
        return;
    }
    /* A child left in SYN_RECV: a SYN (without RST) stops in
     * tcp_validate_incoming() (its challenge ACK, or 6.11's pass); anything
     * else goes through the SYN_RECV step, which is not modelled. */
    if (c->syn_recv && (in->flags & (LQ_TH_SYN | LQ_TH_RST)) != LQ_TH_SYN) {
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "a child left in SYN_RECV (the segment that completed the handshake "
                           "had SYN): the SYN_RECV step of tcp_rcv_state_process is not modelled");
        return;
    }
    if (c->ack_timing_unknown) {
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "whether the child's last ACK left at once or from its delayed-ACK "
                           "timer depends on receive-buffer space (__tcp_ack_snd_check)");
        return;
    }
    if (!(in->flags & (LQ_TH_ACK | LQ_TH_RST | LQ_TH_SYN))) {
        lq_model_dp(m, LQ_DP_CHILD_NO_ACK_DROP);
        return;
    }
    /* RFC 7323 PAWS (tcp_paws_discard and its variants by version): the
     * client's TSvals only grow, unless the scenario sends an old one. */
    if (c->tstamp_ok && in->opt.has_ts && !(in->flags & LQ_TH_RST)) {
        if (lq_seq_before(in->opt.tsval, c->tsval_max)) {
            lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
            lq_model_beyond(m, "an old TSval to an established socket: PAWS there is not modelled");
            return;
        }
        c->tsval_max = in->opt.tsval;
    }
    bool predicted = lq_child_header_predicted(m, c, in); /* before tcp_ack moves snd_wnd */
    if (!lq_tcp_validate_incoming(m, c, in))
        return;
    if (c->syn_recv) {
        lq_child_synrecv_done(m, c, in); /* tcp_ack(), TCP_SYN_RECV -> ESTABLISHED */
        return;
    }
    if (!lq_tcp_ack(m, c, in))
        return;
    /* tcp_ack(FLAG_UPDATE_TS_RECENT) -> tcp_replace_ts_recent() (and the
     * fast path's tcp_store_ts_recent): once the segment is known to be in
     * window, a TSval at or left of rcv_wup becomes ts_recent (PAWS passed:
     * older TSvals stopped above). */
    if (c->tstamp_ok && in->opt.has_ts && !lq_seq_after(in->seq, c->rcv_wup))
        c->ts_recent = in->opt.tsval;
    bool urg_before = c->urg_data;
    lq_tcp_urg(m, c, in); /* step 6, before the data */
    bool pure = lq_seg_end_seq(in) == in->seq;
    bool slow_path = true; /* tcp_rcv_state_process, tcp_rcv_established's slow path */
    if (c->state == LQ_CHILD_CLOSE_WAIT) {
        if (lq_child_close_wait(m, c, in)) {
            if (pure)
                lq_model_dp(m, LQ_DP_CHILD_PURE_ACK);
            lq_child_data_queue(m, c, in);
        } else if (c->state == LQ_CHILD_CLOSED) {
            return;
        }
    } else if (pure) {
        lq_model_dp(m, LQ_DP_CHILD_PURE_ACK);
        /* Header prediction's fast path has no tcp_ack_snd_check; the slow
         * path re-checks a pending delayed ACK. */
        slow_path = !predicted;
        /* Header prediction (TCP_HP_BITS) wants the flags ACK (and PSH)
         * alone and no urgent data pending (tcp_fast_path_check). */
        if (in->seq == c->rcv_nxt && !c->nofo &&
            ((in->flags & (LQ_TH_URG | LQ_TH_ECE | LQ_TH_CWR)) || urg_before)) {
            lq_model_dp(m, LQ_DP_CHILD_NO_HEADER_PREDICTION);
            slow_path = true;
        }
    } else {
        lq_child_data_queue(m, c, in);
    }
    if (m->beyond || c->state == LQ_CHILD_CLOSED || !(c->ack_pending & LQ_ACK_SCHED))
        return;
    if (slow_path) {
        lq_tcp_ack_snd_check(m, c, (enum lq_dp)c->delack_dp);
    } else if (lq_child_delack_about_to_expire(m, c)) {
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "a pure ACK while the delayed ACK is about to fire: the kernel's "
                           "header prediction decides whether it goes now");
    }
}
