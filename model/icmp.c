/* model/icmp.c: an ICMP error about a segment the server sent.
 *
 * Mirrors tcp_v4_err() (net/ipv4/tcp_ipv4.c) and tcp_v6_err()
 * (net/ipv6/tcp_ipv6.c): the quoted TCP header's 4-tuple finds a request
 * sock (tcp_req_err) or a full socket in the established hash, never a
 * listener; the quoted sequence number decides whether the error is about
 * anything in flight. Which errors are hard differs between the families:
 * tcp_v4_err's abort list against icmpv6_err_convert()'s tab_unreach.
 * Frag needed / packet too big lower the route's MTU to the peer
 * (tcp_v4_mtu_reduced, tcp_v6_mtu_reduced), which every later connection
 * from that address sees in its SYN-ACK's MSS and its child's mss_cache.
 */
#include "model_internal.h"

#define LQ_IP_RT_MIN_PMTU 552u  /* net.ipv4.route.min_pmtu (ip_rt_min_pmtu) */
#define LQ_IPV6_MIN_MTU   1280u /* IPV6_MIN_MTU */

/* The abort argument of tcp_req_err(): tcp_v4_err passes "type ==
 * ICMP_PARAMETERPROB || type == ICMP_TIME_EXCEEDED || (type ==
 * ICMP_DEST_UNREACH && (code == ICMP_NET_UNREACH || code ==
 * ICMP_HOST_UNREACH))"; tcp_v6_err icmpv6_err_convert()'s fatal: every
 * destination unreachable but no route (0), the reserved 2 and address
 * unreachable (3); parameter problem; not time exceeded nor packet too big. */
static bool lq_icmp_fatal(uint8_t kind, bool ipv6)
{
    switch (kind) {
    case LQ_ICMP_NET_UNREACH:
    case LQ_ICMP_HOST_UNREACH:
    case LQ_ICMP_TTL_EXCEEDED: return !ipv6;
    case LQ_ICMP_PARAM_PROBLEM:
    case LQ_ICMP_PROTO_UNREACH: /* v4: 3/2 is not in the list; v6: a parameter problem */
        return kind == LQ_ICMP_PARAM_PROBLEM || ipv6;
    case LQ_ICMP_PORT_UNREACH:
    case LQ_ICMP_ADMIN_PROHIBITED: return ipv6;
    default: return false; /* frag needed, packet too big */
    }
}

/* tcp_req_err(): only an error quoting the request's own SYN-ACK (its ISN)
 * counts; a hard one drops the request silently ("POSIX does not want
 * network errors returned from accept()"). */
static void lq_tcp_req_err(struct lq_model *m, int r, const struct lq_seg *in)
{
    struct lq_req *req = &m->reqs[r];
    lq_model_use_listener(m, req->lsn); /* req->rsk_listener */
    if (in->seq != req->snt_isn) {
        lq_model_dp(m, LQ_DP_ICMP_REQ_OUT_OF_WINDOW);
        lq_model_count(m, LQ_CTR_OUT_OF_WINDOW_ICMPS);
        return;
    }
    if (!lq_icmp_fatal(in->icmp, in->ipv6)) {
        lq_model_dp(m, LQ_DP_ICMP_REQ_SOFT);
        return;
    }
    lq_model_dp(m, LQ_DP_ICMP_REQ_ABORT);
    lq_inet_csk_reqsk_queue_drop(m, r);
    lq_tcp_listendrop(m);
}

/* __ip_rt_update_pmtu() / __ip6_rt_update_pmtu(): the exception for the
 * peer's address; false when the route keeps its MTU. */
static bool lq_rt_update_pmtu(struct lq_model *m, bool ipv6, uint32_t mtu)
{
    if (m->route_pmtu_locked[ipv6]) /* ip_mtu_locked / dst_metric_locked */
        return false;
    uint32_t old = lq_route_mtu(m, ipv6);
    if (ipv6) {
        if (mtu >= old) /* "if (mtu >= dst_mtu(dst)) return" */
            return false;
    } else {
        if (old < mtu)
            return false;
        if (mtu < LQ_IP_RT_MIN_PMTU) {
            /* lock = true; mtu = min(old_mtu, ip_rt_min_pmtu) */
            m->route_pmtu_locked[ipv6] = true;
            mtu = old < LQ_IP_RT_MIN_PMTU ? old : LQ_IP_RT_MIN_PMTU;
        }
    }
    m->route_pmtu[ipv6] = (uint16_t)mtu;
    return true;
}

/* tcp_v4_mtu_reduced() / tcp_v6_mtu_reduced(), the socket not owned by the
 * user (the harness never holds its lock at that moment). */
static void lq_tcp_mtu_reduced(struct lq_model *m, struct lq_child *c, const struct lq_seg *in)
{
    uint32_t mtu = in->mtu;
    if (in->ipv6) {
        /* tcp_v6_err: "if (mtu < IPV6_MIN_MTU) goto out"; tcp_v6_mtu_reduced
         * drops requests trying to increase the current mss */
        if (mtu < LQ_IPV6_MIN_MTU || lq_tcp_mtu_to_mss(c, mtu) >= c->mss_cache) {
            lq_model_dp(m, LQ_DP_ICMP_CHILD_PMTU_IGNORED);
            return;
        }
    }
    lq_rt_update_pmtu(m, in->ipv6, mtu);
    /* dmtu = dst_mtu(dst) of the route as it now is; "icsk_pmtu_cookie >
     * dmtu": tcp_sync_mss. tcp_simple_retransmit resends nothing: a child
     * has no data in flight (a FIN has no length). */
    uint32_t dmtu = lq_route_mtu(m, in->ipv6);
    if (c->pmtu_cookie > dmtu) {
        lq_model_dp(m, LQ_DP_ICMP_CHILD_PMTU);
        lq_tcp_sync_mss(c, dmtu);
        return;
    }
    lq_model_dp(m, LQ_DP_ICMP_CHILD_PMTU_IGNORED);
}

void lq_tcp_err(struct lq_model *m, const struct lq_seg *in)
{
    lq_model_begin(m);
    struct lq_conn_slot *slot = lq_model_slot(m, in->conn);
    if (slot->child < 0 && slot->req >= 0) {
        lq_tcp_req_err(m, slot->req, in);
        return;
    }
    if (slot->child < 0) {
        lq_model_dp(m, LQ_DP_ICMP_NO_SOCKET);
        return;
    }
    struct lq_child *c = &m->children[slot->child];
    lq_model_use_listener(m, c->lsn);
    if (c->fastopen) {
        /* tcp_v4_err with fastopen_rsk: snd_una is the request's snt_isn
         * (the quoted SYN-ACK is in window), and a hard error in SYN_RECV
         * kills a child not yet accepted (tcp_done) */
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "an ICMP error for a TCP Fast Open child in SYN_RECV: not modelled");
        return;
    }
    /* between(seq, snd_una, snd_nxt) */
    if (in->seq - c->snd_una > c->snd_nxt - c->snd_una) {
        lq_model_dp(m, LQ_DP_ICMP_CHILD_OUT_OF_WINDOW);
        lq_model_count(m, LQ_CTR_OUT_OF_WINDOW_ICMPS);
        return;
    }
    if (in->icmp == LQ_ICMP_FRAG_NEEDED) {
        lq_tcp_mtu_reduced(m, c, in);
        return;
    }
    if (c->syn_recv) {
        /* TCP_SYN_RECV, not Fast Open: tcp_done_with_error() */
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "an ICMP error for a child left in SYN_RECV (tcp_done_with_error of a "
                           "queued child is not modelled)");
        return;
    }
    if (c->app_closed && in->seq == c->snd_una && !in->ipv6 &&
        (in->icmp == LQ_ICMP_NET_UNREACH || in->icmp == LQ_ICMP_HOST_UNREACH)) {
        /* tcp_ld_RTO_revert() acts on a retransmitted FIN, and the FIN's
         * retransmission timer is not modelled */
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "an ICMP net/host unreachable quoting a closed connection's FIN "
                           "(tcp_ld_RTO_revert of its retransmission timer is not modelled)");
        return;
    }
    lq_model_dp(m, LQ_DP_ICMP_CHILD_SOFT_ERROR);
}
