/* model/reqsk_timer.c: the SYN-ACK retransmission timer of request socks.
 *
 * Mirrors reqsk_timer_handler() and syn_ack_recalc()
 * (net/ipv4/inet_connection_sock.c), tcp_syn_ack_timeout() and
 * tcp_rtx_synack() (tcp_timer.c, tcp_output.c). The legacy profile uses the
 * same per-request rule; the pre-4.4 listener-wide pruning walk
 * (inet_csk_reqsk_queue_prune) is not modelled (docs/profiles.md).
 */
#include "model_internal.h"

/* tcp_reqsk_timeout(): TCP_TIMEOUT_INIT << num_timeout, capped at TCP_RTO_MAX. */
uint64_t lq_reqsk_timeout(const struct lq_req *req)
{
    uint64_t t = (uint64_t)LQ_TCP_TIMEOUT_INIT_MS
                 << (req->num_timeout < 32 ? req->num_timeout : 31);
    return t < LQ_TCP_RTO_MAX_MS ? t : LQ_TCP_RTO_MAX_MS;
}

/* syn_ack_recalc() */
static void lq_syn_ack_recalc(const struct lq_req *req, int max_retries, int defer, bool *expire,
                              bool *resend)
{
    if (!defer) {
        *expire = req->num_timeout >= max_retries;
        *resend = true;
        return;
    }
    *expire = req->num_timeout >= max_retries && (!req->acked || req->num_timeout >= defer);
    /* Do not resend while waiting for data after ACK, start to resend on end
     * of deferring period to give last chance for data or ACK to create
     * established socket. */
    *resend = !req->acked || req->num_timeout >= defer - 1;
}

static void lq_reqsk_timer_handler(struct lq_model *m, int r)
{
    struct lq_req *req = &m->reqs[r];
    lq_model_use_listener(m, req->lsn); /* sk_listener = req->rsk_listener */
    if (!m->lsk->listening && m->lsk->closed_in_group) {
        /* reuseport_migrate_sock from the timer: the request is cloned into
         * the other listener's queue and its timer logic runs there */
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "the SYN-ACK timer of a request whose listener closed with "
                           "tcp_migrate_req 1 (reqsk_timer_handler's migration) is not modelled");
        req->expires_ms = UINT64_MAX; /* its timer is no longer the model's to run */
        return;
    }
    if (!m->lsk->listening) {
        /* the listener is not in TCP_LISTEN (closed, shut down): no
         * reuseport migration (tcp_migrate_req 0), "goto drop" */
        lq_model_dp(m, LQ_DP_TIMER_LISTENER_GONE);
        lq_inet_csk_reqsk_queue_drop(m, r);
        return;
    }
    int max_retries =
        m->lsk->syn_retries ? m->lsk->syn_retries : (int)m->sysctl[LQ_SYSCTL_SYNACK_RETRIES];

    /* Normally all the openreqs are young and become mature for first
     * timeout; when half the queue is old, reserve room for young ones. */
    uint32_t qlen = (uint32_t)m->lsk->qlen;
    uint32_t cap = m->lsk->max_ack_backlog > 8u ? m->lsk->max_ack_backlog : 8u;
    if ((qlen << 1) > cap) {
        uint32_t young = (uint32_t)m->lsk->young << 1;
        int before = max_retries;
        while (max_retries > 2) {
            if (qlen < young)
                break;
            max_retries--;
            young <<= 1;
        }
        if (max_retries != before)
            lq_model_dp(m, LQ_DP_TIMER_PRUNE);
    }

    bool expire, resend;
    lq_syn_ack_recalc(req, max_retries, m->lsk->defer_accept, &expire, &resend);
    lq_model_count(m, LQ_CTR_TCP_TIMEOUTS); /* tcp_syn_ack_timeout() */

    if (!expire) {
        if (resend) {
            lq_model_dp(m, LQ_DP_TIMER_RESEND);
            lq_inet_rtx_syn_ack(m, req, LQ_DP_TIMER_RESEND)->timing = LQ_PKT_TIMER;
        } else {
            lq_model_dp(m, LQ_DP_TIMER_DEFER_HOLD);
        }
        if (req->num_timeout++ == 0)
            m->lsk->young--;
        lq_req_arm_timer(m, req, m->now_ms + lq_reqsk_timeout(req));
        return;
    }
    lq_model_dp(m, LQ_DP_TIMER_EXPIRE);
    lq_inet_csk_reqsk_queue_drop(m, r);
}

/* Timers fire in expiry order. Timers due together share a timer-wheel
 * bucket, which the kernel empties head first, and mod_timer() adds at the
 * head (enqueue_timer -> hlist_add_head): the last armed fires first. That
 * order decides which request the pruning rule expires. */
void lq_reqsk_timers(struct lq_model *m, uint64_t until)
{
    for (;;) {
        int next = -1;
        for (size_t i = 0; i < m->nreqs_hw; i++) {
            if (!m->req_used[i] || m->reqs[i].expires_ms > until)
                continue;
            if (next < 0 || m->reqs[i].expires_ms < m->reqs[next].expires_ms ||
                (m->reqs[i].expires_ms == m->reqs[next].expires_ms &&
                 m->reqs[i].armed > m->reqs[next].armed))
                next = (int)i;
        }
        if (next < 0)
            return;
        if (m->reqs[next].expires_ms > m->now_ms)
            m->now_ms = m->reqs[next].expires_ms;
        lq_reqsk_timer_handler(m, next);
    }
}
