/* model/close.c: close() and shutdown() of the listener, close() of an
 * accepted connection.
 *
 * Mirrors tcp_close() (net/ipv4/tcp.c), inet_shutdown() (net/ipv4/af_inet.c),
 * inet_csk_listen_stop() and inet_child_forget()
 * (net/ipv4/inet_connection_sock.c), tcp_disconnect() (tcp.c) and
 * tcp_send_active_reset() (tcp_output.c). 6.1 and 6.12 agree on all of it.
 *
 * Request socks are not touched here: each holds its listener
 * (rsk_listener) and dies when its timer or a segment for it finds the
 * listener not in TCP_LISTEN (reqsk_timer.c, rcv.c). After shutdown() and a
 * new listen() the listener is in TCP_LISTEN again and they live on.
 */
#include "model_internal.h"

#include <errno.h>

/* tcp_send_active_reset(): RST|ACK at tcp_acceptable_seq() (snd_nxt: the
 * server never sends past the window) acking rcv_nxt, with the connection's
 * timestamp option. */
void lq_tcp_send_active_reset(struct lq_model *m, struct lq_child *c, enum lq_dp dp)
{
    lq_model_count(m, LQ_CTR_OUT_RSTS);
    struct lq_model_pkt *p = lq_model_emit(m, dp);
    lq_child_ack_seg(m, c, &p->seg);
    p->seg.flags = LQ_TH_RST | LQ_TH_ACK;
}

/* After the reset: tcp_clear_xmit_timers, unhashed (inet_unhash from
 * tcp_set_state(TCP_CLOSE)), destroyed. */
static void lq_child_set_closed(struct lq_model *m, struct lq_child *c)
{
    c->state = LQ_CHILD_CLOSED;
    c->hashed = false;
    c->ack_pending = 0;
    if (lq_model_slot(m, c->conn)->child == (int)(c - m->children))
        lq_model_slot(m, c->conn)->child = -1;
}

/* inet_csk_listen_stop(): every child still in the accept queue goes
 * through inet_child_forget() -> tcp_disconnect(), which resets every state
 * a queued child can be in (tcp_need_reset: ESTABLISHED, CLOSE_WAIT,
 * SYN_RECV) and throws its receive queue away. */
static void lq_inet_csk_listen_stop(struct lq_model *m)
{
    while (m->lsk->acceptq_len) {
        int ci = m->lsk->acceptq[m->lsk->acceptq_head++];
        m->lsk->acceptq_len--;
        struct lq_child *c = &m->children[ci];
        c->queued = false;
        /* reuseport_migrate_sock(sk, child, NULL): another listener of the
         * group takes it (inet_csk_reqsk_queue_add, no backlog check) */
        int nsk = lq_reuseport_migrate_sock(m, (int)(m->lsk - m->lsn));
        if (nsk == LQ_MIGRATE_BEYOND) {
            /* where it goes is the kernel's hash: the model keeps its
             * books as they were and stops predicting */
            m->lsk->acceptq_head--;
            m->lsk->acceptq_len++;
            c->queued = true;
            return;
        }
        /* inet_csk_reqsk_queue_add checks only that nsk listens */
        if (nsk >= 0 &&
            LQ_TEST_SEAM(m, LQ_BUG_MIGRATE_FULL,
                         m->lsn[nsk].acceptq_len > m->lsn[nsk].max_ack_backlog, false)) {
            lq_model_count(m, LQ_CTR_MIGRATE_REQ_FAILURE);
            nsk = LQ_MIGRATE_NONE;
        }
        if (c->fastopen && nsk >= 0) {
            /* inet_reqsk_clone(): the clone's listener is nsk, "so charge
             * it here" (nsk's fastopenq.qlen++, which the child's
             * reqsk_fastopen_remove gives back to nsk); the closing
             * listener's count is not touched (listen() zeroes it, and no
             * SYN reads it before: the model drops it here) */
            lq_model_dp(m, LQ_DP_FASTOPEN_CHILD_MIGRATED);
            m->lsk->fo_qlen--;
            m->lsn[nsk].fo_qlen++;
            c->fo_rsk.lsn = (uint8_t)nsk;
        } else if (c->fastopen) {
            /* inet_child_forget -> tcp_disconnect: "Clean up fastopen
             * related fields": reqsk_fastopen_remove(reset false), the
             * request was still queued (req->sk): the queue's count drops;
             * the reset below is tcp_disconnect's (tcp_need_reset: SYN_RECV) */
            lq_model_dp(m, LQ_DP_FASTOPEN_CHILD_FORGOTTEN);
            m->lsk->fo_qlen--;
            c->fastopen = false;
        }
        if (nsk >= 0) {
            lq_model_dp(m, LQ_DP_MIGRATE_CHILD);
            struct lq_listener *from = m->lsk;
            lq_model_use_listener(m, nsk);
            c->lsn = (uint8_t)nsk;
            lq_inet_csk_reqsk_queue_add_migrated(m, ci);
            lq_model_count(m, LQ_CTR_MIGRATE_REQ_SUCCESS);
            m->lsk = from;
            continue;
        }
        c->forgotten = true;
        if (c->state == LQ_CHILD_CLOSED) {
            /* reset by the peer while queued (tcp_reset -> tcp_done) */
            lq_model_dp(m, LQ_DP_CLOSE_QUEUED_DEAD);
            continue;
        }
        lq_model_dp(m, LQ_DP_CLOSE_QUEUED_RESET);
        /* tcp_disconnect: tcp_set_state(TCP_CLOSE) first, then the reset */
        bool count =
            !c->syn_recv && (c->state == LQ_CHILD_ESTABLISHED || c->state == LQ_CHILD_CLOSE_WAIT);
        c->state = LQ_CHILD_CLOSED;
        if (count)
            lq_model_count(m, LQ_CTR_ESTAB_RESETS);
        lq_tcp_send_active_reset(m, c, LQ_DP_CLOSE_QUEUED_RESET);
        c->syn_recv = false;
        lq_child_set_closed(m, c);
    }
    m->lsk->acceptq_head = 0;
    /* "Free all the reqs queued in rskq_rst_head" (the queue's count stays
     * until listen() zeroes it, reqsk_queue_alloc; no SYN reads it before:
     * the model drops it with the list) */
    m->lsk->fo_qlen -= (int)m->lsk->fo_rst_len;
    m->lsk->fo_rst_len = m->lsk->fo_rst_head = 0;
}

/* inet_unhash -> reuseport_stop_listen_sock: with tcp_migrate_req 0 (and no
 * migrating program) reuseport_detach_sock: the last socket moves into the
 * leaving one's slot (__reuseport_detach_sock), and the socket has no group
 * any more (a later listen() allocates or joins one again). With
 * tcp_migrate_req 1 (5.14) the same __reuseport_detach_sock, then
 * __reuseport_add_closed_sock: the socket stays in the group's closed
 * section, so its children and requests can migrate. */
static void lq_reuseport_detach(struct lq_model *m, int lsn)
{
    struct lq_reuseport *g = &m->group;
    for (int i = 0; i < g->num_socks; i++)
        if (g->socks[i] == lsn) {
            g->socks[i] = g->socks[g->num_socks - 1];
            g->num_socks--;
            if (m->sysctl[LQ_SYSCTL_MIGRATE_REQ] &&
                lq_profile_has(&m->profile, LQ_CHG_MIGRATE_REQ)) {
                lq_model_dp(m, LQ_DP_MIGRATE_CLOSED_SECTION);
                m->lsn[lsn].closed_in_group = true;
                m->lsn[lsn].closed_gen = g->gen;
            } else {
                m->lsn[lsn].detached = true;
            }
            return;
        }
}

int lq_model_close(struct lq_model *m)
{
    return lq_model_close_on(m, 0);
}

int lq_model_close_on(struct lq_model *m, int lsn)
{
    lq_model_begin(m);
    int rc = lq_model_call_on(m, lsn);
    if (rc)
        return rc;
    m->lsk->fd_closed = true;
    if (!m->lsk->listening) {
        /* tcp_close of a TCP_CLOSE socket: nothing to send */
        lq_model_dp(m, LQ_DP_CLOSE_UNCONNECTED);
        return 0;
    }
    /* tcp_close(): TCP_LISTEN -> tcp_set_state(TCP_CLOSE), inet_csk_listen_stop */
    lq_model_dp(m, LQ_DP_CLOSE_LISTENER);
    m->lsk->listening = false;
    lq_reuseport_detach(m, lsn);
    lq_inet_csk_listen_stop(m);
    return 0;
}

int lq_model_shutdown(struct lq_model *m, int how)
{
    return lq_model_shutdown_on(m, 0, how);
}

int lq_model_shutdown_on(struct lq_model *m, int lsn, int how)
{
    lq_model_begin(m);
    int rc = lq_model_call_on(m, lsn);
    if (rc)
        return rc;
    if (how < 0 || how > 2)
        return -EINVAL;
    uint8_t bits = (uint8_t)(how + 1); /* RCV_SHUTDOWN 1, SEND_SHUTDOWN 2 */
    if (!m->lsk->listening) {
        /* inet_shutdown: TCP_CLOSE -> -ENOTCONN, yet sk_shutdown |= how
         * (and tcp_shutdown does nothing in TCP_CLOSE) */
        lq_model_dp(m, LQ_DP_SHUTDOWN_NOTCONN);
        m->lsk->shutdown |= bits;
        return -ENOTCONN;
    }
    if (!(bits & 1)) {
        /* inet_shutdown: TCP_LISTEN without RCV_SHUTDOWN: break, nothing */
        lq_model_dp(m, LQ_DP_SHUTDOWN_LISTENER_WR);
        return 0;
    }
    /* inet_shutdown -> tcp_disconnect(): TCP_CLOSE, inet_csk_listen_stop;
     * memset(&tp->rx_opt, 0): TCP_MAXSEG's user_mss and the SYN-queue
     * overflow stamp (rx_opt.ts_recent_stamp) are gone; sk_shutdown = 0.
     * The port stays bound (SOCK_BINDPORT_LOCK): listen() works again. */
    lq_model_dp(m, LQ_DP_SHUTDOWN_LISTENER);
    m->lsk->listening = false;
    lq_reuseport_detach(m, lsn);
    lq_inet_csk_listen_stop(m);
    m->lsk->user_mss = 0;
    m->lsk->overflow_seen = false;
    m->lsk->last_overflow = 0;
    m->lsk->shutdown = 0;
    return 0;
}

int lq_model_close_conn(struct lq_model *m, uint16_t conn)
{
    lq_model_begin(m);
    struct lq_child *c = NULL;
    for (size_t i = 0; i < m->nchildren && !c; i++)
        if (m->children[i].conn == conn && m->children[i].accepted && !m->children[i].app_closed)
            c = &m->children[i];
    if (!c) {
        /* the harness holds no descriptor for it */
        lq_model_dp(m, LQ_DP_CALL_EBADF);
        return -EBADF;
    }
    c->app_closed = true;
    if (c->fastopen) {
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "close() of a TCP Fast Open child in SYN_RECV (tcp_close there: "
                           "FIN_WAIT1 with its request): not modelled");
        return 0;
    }
    if (c->state == LQ_CHILD_CLOSED) {
        /* tcp_close: "already reset (e.g. in tcp_reset()) - kill it" */
        lq_model_dp(m, LQ_DP_CLOSE_CONN_DEAD);
        return 0;
    }
    if (c->syn_recv || c->nofo || c->snd_wnd == 0 || c->ack_timing_unknown) {
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "close() of a connection left in SYN_RECV, with out-of-order data "
                           "(SACK blocks on its FIN), a zero send window (the FIN waits) or an "
                           "ACK of unknown timing: not modelled");
        return 0;
    }
    if (c->rcvq_bytes) {
        /* tcp_close: data_was_unread -> TCPAbortOnClose, TCP_CLOSE, active reset */
        lq_model_dp(m, LQ_DP_CLOSE_CONN_UNREAD_RST);
        bool count = c->state == LQ_CHILD_ESTABLISHED || c->state == LQ_CHILD_CLOSE_WAIT;
        c->state = LQ_CHILD_CLOSED;
        if (count)
            lq_model_count(m, LQ_CTR_ESTAB_RESETS);
        lq_tcp_send_active_reset(m, c, LQ_DP_CLOSE_CONN_UNREAD_RST);
        lq_child_set_closed(m, c);
        return 0;
    }
    /* tcp_close_state(): ESTABLISHED -> FIN_WAIT1, CLOSE_WAIT -> LAST_ACK;
     * tcp_send_fin(): FIN|ACK at snd_nxt, which also carries any delayed
     * ACK (tcp_event_ack_sent). What follows for this connection (the
     * client's ACK of the FIN, TIME_WAIT) is not modelled. */
    lq_model_dp(m, LQ_DP_CLOSE_CONN_FIN);
    lq_tcp_send_ack(m, c, LQ_DP_CLOSE_CONN_FIN);
    m->out[m->nout - 1].seg.flags |= LQ_TH_FIN;
    c->snd_nxt++;
    c->ack_pending = 0;
    return 0;
}
