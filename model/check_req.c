/* model/check_req.c: a segment reaches a request sock (SYN_RECV).
 *
 * Mirrors tcp_check_req() (net/ipv4/tcp_minisocks.c) step by step, with the
 * parts of tcp_v4_syn_recv_sock() (tcp_ipv4.c) and
 * inet_csk_complete_hashdance() / inet_csk_reqsk_queue_drop()
 * (inet_connection_sock.c) that decide the request's fate.
 */
#include "model_internal.h"

/* tcp_in_window(): the segment overlaps [s_win, e_win]. */
static bool lq_tcp_in_window(uint32_t seq, uint32_t end_seq, uint32_t s_win, uint32_t e_win)
{
    if (seq == s_win)
        return true;
    if (lq_seq_after(end_seq, s_win) && lq_seq_before(seq, e_win))
        return true;
    return seq == e_win && seq == end_seq;
}

/* between(seq1, seq2, seq3): seq2 <= seq1 <= seq3 in sequence space. */
static bool lq_between(uint32_t seq1, uint32_t seq2, uint32_t seq3)
{
    return seq3 - seq2 >= seq1 - seq2;
}

/* inet_csk_reqsk_queue_drop(): unhash, qlen--, young-- if it never timed out. */
void lq_inet_csk_reqsk_queue_drop(struct lq_model *m, int r)
{
    struct lq_req *req = &m->reqs[r];
    /* req->rsk_listener's queue, which is not the listener the rule runs on
     * for a migrating request (inet_csk_complete_hashdance) */
    struct lq_listener *l = &m->lsn[req->lsn];
    if (req->num_timeout == 0)
        l->young--;
    l->qlen--;
    lq_model_slot(m, req->conn)->req = -1;
    lq_model_req_free(m, r);
}

/* tcp_paws_reject() with the request's ts_recent; ts_recent_stamp is
 * "now - timeout", never old enough to lift the check for a short-lived
 * request, except for an RST once the timeout passed TCP_PAWS_MSL (60 s). */
static bool lq_tcp_paws_reject(const struct lq_req *req, uint32_t tsval, bool rst)
{
    if ((int32_t)(req->ts_recent - tsval) <= 0)
        return false;
    if (!req->ts_recent)
        return false;
    if (rst && lq_reqsk_timeout(req) >= 60000u)
        return false;
    return true;
}

/* What tcp_check_req() answers: NULL (DONE), the listener (LISTENER), a new
 * child (CHILD); with fastopen, the TFO child (FASTOPEN_SK) or, after a
 * valid RST, NULL with the child to reset (FASTOPEN_RST). */
enum lq_check_req_answer {
    LQ_ANS_DONE,
    LQ_ANS_LISTENER,
    LQ_ANS_CHILD,
    LQ_ANS_FASTOPEN_SK,
    LQ_ANS_FASTOPEN_RST
};

/* tcp_check_req(sk, skb, req, fastopen, ...): a request sock's segment (r,
 * its index; fo the TFO child whose fastopen_rsk req is, else -1). */
static enum lq_check_req_answer lq_check_req(struct lq_model *m, struct lq_req *req, int r, int fo,
                                             const struct lq_seg *in, int *child)
{
    bool fastopen = fo >= 0;
    uint8_t flg = in->flags & (LQ_TH_RST | LQ_TH_SYN | LQ_TH_ACK);
    bool paws_reject = false, tsecr_reject = false;

    /* tcp_parse_options(estab = 0): a timestamp only counts when
     * tcp_timestamps is on. */
    if (in->opt.has_ts && m->sysctl[LQ_SYSCTL_TIMESTAMPS]) {
        /* the TSecr check (6.15): "inet_rsk(req)->tstamp_ok && !fastopen" */
        if (in->opt.tsecr && req->tstamp_ok && !fastopen &&
            lq_profile_has(&m->profile, LQ_CHG_TSECR_CHECK))
            tsecr_reject = !lq_between(in->opt.tsecr, req->snt_tsval_first, req->snt_tsval_last);
        paws_reject = lq_tcp_paws_reject(req, in->opt.tsval, (flg & LQ_TH_RST) != 0);
    }

    /* Check for pure retransmitted SYN. */
    if (in->seq == req->rcv_isn && flg == LQ_TH_SYN && !paws_reject) {
        if (lq_tcp_oow_rate_limited(m, in, &req->last_oow_ack, LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV)) {
            lq_model_dp(m, LQ_DP_CHECKREQ_SYN_RTX_LIMITED);
            return LQ_ANS_DONE;
        }
        /* tcp_rtx_synack(); then the timer is pushed out (mod_timer_pending) */
        lq_model_dp(m, LQ_DP_CHECKREQ_SYN_RTX);
        lq_inet_rtx_syn_ack(m, req, LQ_DP_CHECKREQ_SYN_RTX);
        /* with fastopen only req->rsk_timer.expires is written: the child's
         * retransmission timer is the one that runs */
        if (!fastopen)
            lq_req_arm_timer(m, req, m->now_ms + lq_reqsk_timeout(req));
        return LQ_ANS_DONE;
    }

    /* Invalid ACK: reset will be sent by listening socket. Since the RFC 5961
     * fix an RST|ACK goes on to the sequence checks instead. */
    bool rst_exempt =
        (flg & LQ_TH_RST) && lq_profile_has(&m->profile, LQ_CHG_SYNRECV_RST_CHALLENGE);
    /* For Fast Open the ACK is checked against the child (tcp_ack), which
     * may have sent data since. */
    if ((flg & LQ_TH_ACK) && !rst_exempt && !fastopen && in->ack != req->snt_isn + 1) {
        lq_model_dp(m, LQ_DP_CHECKREQ_BAD_ACK);
        return LQ_ANS_LISTENER;
    }

    /* RFC793: "first check sequence number". */
    uint32_t window = req->rcv_wnd; /* req->rsk_rcv_wnd before 6.10 */
    if (lq_profile_has(&m->profile, LQ_CHG_SYNACK_WINDOW_CAP) && window > LQ_SYNACK_WINDOW)
        window = LQ_SYNACK_WINDOW; /* tcp_synack_window() */
    if (paws_reject || tsecr_reject ||
        !lq_tcp_in_window(in->seq, lq_seg_end_seq(in), req->rcv_nxt, req->rcv_nxt + window)) {
        /* Out of window: send ACK and drop. */
        if (flg & LQ_TH_RST) {
            lq_model_dp(m, LQ_DP_CHECKREQ_OOW_RST);
        } else if (lq_tcp_oow_rate_limited(m, in, &req->last_oow_ack,
                                           LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV)) {
            lq_model_dp(m, LQ_DP_CHECKREQ_OOW_LIMITED);
        } else {
            lq_model_dp(m, LQ_DP_CHECKREQ_OOW_ACK);
            lq_tcp_v4_reqsk_send_ack(m, req, LQ_DP_CHECKREQ_OOW_ACK);
        }
        if (paws_reject) {
            lq_model_dp(m, LQ_DP_CHECKREQ_PAWS);
            lq_model_count(m, LQ_CTR_PAWS_ESTAB);
        } else if (tsecr_reject) {
            lq_model_dp(m, LQ_DP_CHECKREQ_TSECR);
            lq_model_count(m, LQ_CTR_TSECR_REJECTED);
        }
        return LQ_ANS_DONE;
    }

    /* In sequence, PAWS is OK. Before 6.14 the request took the segment's
     * timestamp at once (its SYN-ACK retransmissions echo it). */
    bool saw_tstamp = in->opt.has_ts && m->sysctl[LQ_SYSCTL_TIMESTAMPS];
    if (saw_tstamp && !lq_seq_after(in->seq, req->rcv_nxt) &&
        !lq_profile_has(&m->profile, LQ_CHG_TS_RECENT_DEFERRED))
        req->ts_recent = in->opt.tsval;

    /* Truncate a SYN at rcv_isn: it is out of window starting at rcv_isn + 1. */
    if (in->seq == req->rcv_isn)
        flg &= (uint8_t)~LQ_TH_SYN;

    /* RFC 5961 3.2 (RFC 9293 3.10.7.4): challenge ACK for a non-exact
     * in-window RST in SYN-RECEIVED (tcp_reqsk_send_challenge_ack). */
    if ((flg & LQ_TH_RST) && in->seq != req->rcv_nxt &&
        lq_profile_has(&m->profile, LQ_CHG_SYNRECV_RST_CHALLENGE)) {
        if (lq_tcp_oow_rate_limited(m, NULL, &req->last_oow_ack,
                                    LQ_CTR_TCP_ACK_SKIPPED_CHALLENGE)) {
            lq_model_dp(m, LQ_DP_CHECKREQ_RST_CHALLENGE_LIMITED);
            return LQ_ANS_DONE;
        }
        /* tcp_challenge_ack_allowed(): tcp_challenge_ack_limit is INT_MAX by default */
        lq_model_dp(m, LQ_DP_CHECKREQ_RST_CHALLENGE);
        lq_model_count(m, LQ_CTR_TCP_CHALLENGE_ACK);
        lq_tcp_v4_reqsk_send_ack(m, req, LQ_DP_CHECKREQ_RST_CHALLENGE);
        return LQ_ANS_DONE;
    }

    /* RFC793: "second check the RST bit" and "fourth, check the SYN bit" */
    enum lq_dp reset_dp;
    if (flg & (LQ_TH_RST | LQ_TH_SYN)) {
        lq_model_count(m, LQ_CTR_ATTEMPT_FAILS);
        reset_dp = (flg & LQ_TH_RST) ? LQ_DP_CHECKREQ_RESET_RST : LQ_DP_CHECKREQ_RESET_SYN;
        goto embryonic_reset;
    }

    /* ACK sequence verified above, just make sure ACK is set. */
    if (!(flg & LQ_TH_ACK)) {
        lq_model_dp(m, LQ_DP_CHECKREQ_NO_ACK);
        return LQ_ANS_DONE;
    }

    /* For Fast Open no more processing is needed (sk is the child socket). */
    if (fastopen)
        return LQ_ANS_FASTOPEN_SK;

    /* While TCP_DEFER_ACCEPT is active, drop bare ACK. */
    if (req->num_timeout < m->lsk->defer_accept && lq_seg_end_seq(in) == req->rcv_isn + 1) {
        lq_model_dp(m, LQ_DP_CHECKREQ_DEFER_DROP);
        req->acked = true;
        lq_model_count(m, LQ_CTR_TCP_DEFER_ACCEPT_DROP);
        return LQ_ANS_DONE;
    }

    /* syn_recv_sock = tcp_v4_syn_recv_sock(): sk_acceptq_is_full -> exit_overflow */
    if (lq_sk_acceptq_is_full(m)) {
        lq_model_count(m, LQ_CTR_LISTEN_OVERFLOWS);
        lq_tcp_listendrop(m);
        /* listen_overflow: "if (sk != req->rsk_listener)" */
        if (m->lsk != &m->lsn[req->lsn])
            lq_model_count(m, LQ_CTR_MIGRATE_REQ_FAILURE);
        if (!m->sysctl[LQ_SYSCTL_ABORT_ON_OVERFLOW]) {
            lq_model_dp(m, LQ_DP_CHECKREQ_OVERFLOW_KEEP);
            req->acked = true;
            return LQ_ANS_DONE;
        }
        reset_dp = LQ_DP_CHECKREQ_OVERFLOW_ABORT;
        goto embryonic_reset;
    }

    /* inet_csk_complete_hashdance(): the child takes the request's place in
     * the ehash, the request leaves the SYN queue, the child joins the
     * accept queue. */
    lq_model_dp(m, LQ_DP_CHECKREQ_CHILD);
    struct lq_req copy = *req;
    lq_inet_csk_reqsk_queue_drop(m, r);
    *child = lq_tcp_syn_recv_sock(m, &copy, in, false);
    /* "if (own_req && tmp_opt.saw_tstamp && !after(seq, rcv_nxt))
     * tcp_sk(child)->rx_opt.ts_recent = tmp_opt.rcv_tsval" */
    if (saw_tstamp && !lq_seq_after(in->seq, copy.rcv_nxt))
        m->children[*child].ts_recent = in->opt.tsval;
    lq_inet_csk_reqsk_queue_add(m, *child);
    if (m->lsk != &m->lsn[copy.lsn]) {
        /* "another listening sk has been selected, migrate the req to it":
         * inet_reqsk_clone, inet_csk_reqsk_queue_add(sk, nreq, child) */
        lq_model_dp(m, LQ_DP_MIGRATE_REQ_HASHDANCE);
        lq_model_count(m, LQ_CTR_MIGRATE_REQ_SUCCESS);
    }
    return LQ_ANS_CHILD;

embryonic_reset:
    if (m->lsk != &m->lsn[req->lsn]) {
        /* inet_csk_reqsk_queue_drop(sk, req) with sk the listener the
         * request migrates to: reqsk_queue_removed() on a queue that never
         * counted it (and the closed listener's keeps it) */
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "tcp_check_req resets a migrating request: the kernel takes it off the "
                           "new listener's qlen, which never counted it (not modelled)");
        return LQ_ANS_DONE;
    }
    if (fastopen) {
        /* "for TFO We try not to reset the local connection unless it's
         * really necessary": a bad SYN draws an RST (from the child: its
         * sk_txhash), the child stays; a valid RST resets it (the caller:
         * reqsk_fastopen_remove(reset true), tcp_reset). No EmbryonicRsts. */
        if (flg & LQ_TH_RST)
            return LQ_ANS_FASTOPEN_RST;
        lq_model_dp(m, LQ_DP_FASTOPEN_SYNRECV_BAD_SYN);
        lq_tcp_v4_send_reset(m, in, m->children[fo].txhash, LQ_DP_FASTOPEN_SYNRECV_BAD_SYN);
        return LQ_ANS_DONE;
    }
    lq_model_dp(m, reset_dp);
    if (!(flg & LQ_TH_RST))
        lq_tcp_v4_send_reset(m, in, 0, reset_dp); /* sk: the listener */
    /* inet_csk_reqsk_queue_drop() unlinks it here (single-threaded: always),
     * so EmbryonicRsts counts either way (LQ_CHG_EMBRYONIC_IF_UNLINKED). */
    lq_inet_csk_reqsk_queue_drop(m, r);
    lq_model_count(m, LQ_CTR_EMBRYONIC_RSTS);
    return LQ_ANS_DONE;
}

enum lq_check_req_result lq_tcp_check_req(struct lq_model *m, int r, const struct lq_seg *in,
                                          int *child)
{
    switch (lq_check_req(m, &m->reqs[r], r, -1, in, child)) {
    case LQ_ANS_LISTENER: return LQ_CHECKREQ_LISTENER;
    case LQ_ANS_CHILD: return LQ_CHECKREQ_CHILD;
    default: return LQ_CHECKREQ_DONE;
    }
}

enum lq_check_req_fastopen lq_tcp_check_req_fastopen(struct lq_model *m, int child,
                                                     const struct lq_seg *in)
{
    int unused = -1;
    switch (lq_check_req(m, &m->children[child].fo_rsk, -1, child, in, &unused)) {
    case LQ_ANS_FASTOPEN_SK: return LQ_CHECKREQ_FASTOPEN_CHILD;
    case LQ_ANS_FASTOPEN_RST: return LQ_CHECKREQ_FASTOPEN_RESET;
    default: return LQ_CHECKREQ_FASTOPEN_DONE;
    }
}
