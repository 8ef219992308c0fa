/* model/rcv.c: a segment reaches the server: tcp_v4_rcv() finds its socket.
 *
 * Mirrors tcp_v4_rcv() (net/ipv4/tcp_ipv4.c), and tcp_v6_rcv() for IPv6,
 * whose steps are the same: the socket of the 4-tuple is
 * an established child or a request sock in the ehash, else the listener;
 * tcp_v4_do_rcv() and tcp_rcv_state_process() (net/ipv4/tcp_input.c) for
 * the listener in TCP_LISTEN.
 */
#include "model_internal.h"

/* tcp_v4_do_rcv() for the listener, then tcp_rcv_state_process() TCP_LISTEN. */
static void lq_tcp_v4_do_rcv(struct lq_model *m, const struct lq_seg *in)
{
    if (!(in->flags & LQ_TH_SYN)) {
        int child = -1;
        /* tcp_v4_cookie_check() */
        switch (lq_cookie_check(m, in, &child)) {
        case LQ_COOKIE_DROP: return;
        case LQ_COOKIE_CHILD: lq_tcp_child_process(m, child, in); return;
        case LQ_COOKIE_LISTENER: break;
        }
    }
    if (in->flags & LQ_TH_ACK) {
        lq_model_dp(m, LQ_DP_LISTEN_ACK_RESET);
        lq_tcp_v4_send_reset(m, in, 0, LQ_DP_LISTEN_ACK_RESET);
        return;
    }
    if (in->flags & LQ_TH_RST) {
        lq_model_dp(m, LQ_DP_LISTEN_RST_DISCARD);
        return;
    }
    if (in->flags & LQ_TH_SYN) {
        if (in->flags & LQ_TH_FIN) {
            lq_model_dp(m, LQ_DP_LISTEN_SYNFIN_DISCARD);
            return;
        }
        lq_tcp_conn_request(m, in);
        return;
    }
    lq_model_dp(m, LQ_DP_LISTEN_OTHER_DISCARD);
}

/* tcp_v4_rcv(): find the socket of the 4-tuple (a request sock or an
 * established child in the ehash, else the listener). */
void lq_model_input(struct lq_model *m, const struct lq_seg *in)
{
    if (in->icmp) {
        lq_tcp_err(m, in);
        return;
    }
    lq_model_begin(m);
    struct lq_conn_slot *slot = lq_model_slot(m, in->conn);
    if (slot->child >= 0) {
        lq_model_use_listener(m, m->children[slot->child].lsn);
        lq_model_dp(m, LQ_DP_RCV_CHILD);
        lq_child_rcv(m, slot->child, in);
        return;
    }
    if (slot->req >= 0)
        lq_model_use_listener(m, m->reqs[slot->req].lsn); /* req->rsk_listener */
    if (slot->req >= 0 && !m->lsk->listening) {
        /* sk_state != TCP_LISTEN (closed or shut down):
         * reuseport_migrate_sock, and tcp_check_req on the listener it
         * chose; without one inet_csk_reqsk_queue_drop_and_put, and the
         * lookup again */
        int nsk = lq_reuseport_migrate_sock(m, m->reqs[slot->req].lsn);
        if (nsk == LQ_MIGRATE_BEYOND)
            return;
        if (nsk >= 0) {
            lq_model_dp(m, LQ_DP_MIGRATE_REQ_RCV);
            lq_model_use_listener(m, nsk);
        } else {
            lq_model_dp(m, LQ_DP_RCV_REQUEST_LISTENER_GONE);
            lq_inet_csk_reqsk_queue_drop(m, slot->req);
        }
    }
    if (slot->req >= 0 && m->lsk->listening) {
        int child = -1;
        lq_model_dp(m, LQ_DP_RCV_REQUEST);
        switch (lq_tcp_check_req(m, slot->req, in, &child)) {
        case LQ_CHECKREQ_DONE: return;
        case LQ_CHECKREQ_CHILD: lq_tcp_child_process(m, child, in); return;
        case LQ_CHECKREQ_LISTENER: break; /* "nsk == sk": on to tcp_v4_do_rcv */
        }
    }
    /* __inet_lookup_listener / inet6_lookup_listener: only a listener of the
     * segment's family (or a dual-stack one) is found */
    bool family_ok = m->family == LQ_FAMILY_DUAL || (m->family == LQ_FAMILY_IPV6) == in->ipv6;
    int lsn = family_ok ? lq_inet_lookup_listener(m, in) : -1;
    if (lsn < 0 || !family_ok) {
        lq_model_dp(m, LQ_DP_RCV_NO_SOCKET);
        lq_tcp_v4_send_reset(m, in, 0, LQ_DP_RCV_NO_SOCKET);
        return;
    }
    if (m->beyond)
        return; /* the kernel's hash chose the listener */
    lq_model_use_listener(m, lsn);
    lq_model_dp(m, LQ_DP_RCV_LISTENER);
    lq_tcp_v4_do_rcv(m, in);
}
