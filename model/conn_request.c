/* model/conn_request.c: a SYN reaches the listener.
 *
 * Mirrors tcp_conn_request() and tcp_syn_flood_action() (net/ipv4/tcp_input.c),
 * with tcp_parse_options() for the SYN's options and tcp_openreq_init(),
 * tcp_try_fastopen() where it is called (model/fastopen.c), and
 * what tcp_v6_conn_request() (net/ipv6/tcp_ipv6.c) does before it.
 */
#include "model_internal.h"

/* tcp_syn_flood_action(): counts and says whether to answer with a cookie. */
static bool lq_tcp_syn_flood_action(struct lq_model *m)
{
    if (m->sysctl[LQ_SYSCTL_SYNCOOKIES]) {
        lq_model_count(m, LQ_CTR_REQQ_FULL_DO_COOKIES);
        return true;
    }
    lq_model_count(m, LQ_CTR_REQQ_FULL_DROP);
    return false;
}

/* tcp_parse_options() on a SYN for a listener (estab = 0): each option is
 * taken only while its sysctl allows it. */
static void lq_tcp_parse_options(const struct lq_model *m, const struct lq_seg *in,
                                 struct lq_req *req, bool *saw_tstamp, uint32_t *tsval)
{
    /* af_ops->mss_clamp: TCP_MSS_DEFAULT (536), or IPv6's 1220 */
    req->mss = in->ipv6 ? LQ_TCP_V6_MSS_CLAMP : LQ_TCP_MSS_DEFAULT;
    if (in->opt.has_mss && in->opt.mss) /* capped by user_mss, TCP_MAXSEG */
        req->mss =
            m->lsk->user_mss && m->lsk->user_mss < in->opt.mss ? m->lsk->user_mss : in->opt.mss;
    req->wscale_ok = false;
    req->snd_wscale = 0;
    if (in->opt.has_wscale && m->sysctl[LQ_SYSCTL_WINDOW_SCALING]) {
        req->wscale_ok = true;
        req->snd_wscale = in->opt.wscale > 14 ? 14 : in->opt.wscale; /* TCP_MAX_WSCALE */
    }
    req->sack_ok = in->opt.sack_perm && m->sysctl[LQ_SYSCTL_SACK];
    *saw_tstamp = in->opt.has_ts && m->sysctl[LQ_SYSCTL_TIMESTAMPS];
    *tsval = in->opt.tsval;
}

/* tcp_v6_conn_request(): an IPv4 SYN (a dual-stack listener's) goes to
 * tcp_v4_conn_request; an IPv6 one is refused for a non-unicast destination
 * (tcp_listendrop) or a v4-mapped source (Ip6InHdrErrors, which the model
 * does not count: /proc/net/snmp6), else tcp_conn_request with the IPv6
 * request ops. False when the SYN goes no further. */
static bool lq_tcp_v6_conn_request(struct lq_model *m, const struct lq_seg *in)
{
    if (!in->ipv6) {
        lq_model_dp(m, LQ_DP_CONNREQ_V4_MAPPED);
        return true;
    }
    if (in->addr & LQ_ADDR_DST_NOT_UNICAST) {
        lq_model_dp(m, LQ_DP_CONNREQ_V6_NOT_UNICAST);
        lq_tcp_listendrop(m);
        return false;
    }
    if (in->addr & LQ_ADDR_SRC_V4MAPPED) {
        lq_model_dp(m, LQ_DP_CONNREQ_V6_SRC_V4MAPPED);
        return false;
    }
    lq_model_dp(m, LQ_DP_CONNREQ_V6);
    return true;
}

void lq_tcp_conn_request(struct lq_model *m, const struct lq_seg *in)
{
    if (m->family != LQ_FAMILY_IPV4 && !lq_tcp_v6_conn_request(m, in))
        return;
    int64_t syncookies = m->sysctl[LQ_SYSCTL_SYNCOOKIES];
    bool want_cookie = false;

    if (syncookies == 2 || lq_inet_csk_reqsk_queue_is_full(m)) {
        lq_model_dp(m, syncookies == 2 ? LQ_DP_CONNREQ_ALWAYS_COOKIE
                                       : (syncookies ? LQ_DP_CONNREQ_SYNQ_FULL_COOKIE
                                                     : LQ_DP_CONNREQ_SYNQ_FULL_DROP));
        want_cookie = lq_tcp_syn_flood_action(m);
        if (!want_cookie)
            goto drop;
    }

    if (lq_sk_acceptq_is_full(m)) {
        /* Before 4.9 only "if (sk_acceptq_is_full(sk) &&
         * inet_csk_reqsk_queue_young(sk) > 1)" dropped the SYN. */
        if (lq_profile_has(&m->profile, LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS) || m->lsk->young > 1) {
            lq_model_dp(m, LQ_DP_CONNREQ_ACCEPTQ_FULL);
            lq_model_count(m, LQ_CTR_LISTEN_OVERFLOWS);
            goto drop;
        }
        lq_model_dp(m, LQ_DP_CONNREQ_ACCEPTQ_FULL_YOUNG);
    }

    /* inet_reqsk_alloc() + tcp_parse_options() + tcp_openreq_init() */
    struct lq_req req_storage = {0};
    struct lq_req *req = &req_storage;
    bool saw_tstamp;
    uint32_t tsval;
    lq_tcp_parse_options(m, in, req, &saw_tstamp, &tsval);
    if (want_cookie && !saw_tstamp) {
        /* tcp_clear_options(): a cookie cannot remember them without TS */
        lq_model_dp(m, LQ_DP_CONNREQ_COOKIE_NO_TS);
        req->sack_ok = false;
        req->wscale_ok = false;
        req->snd_wscale = 0;
    }
    req->tstamp_ok = saw_tstamp;
    req->ipv6 = in->ipv6;
    req->conn = in->conn;
    req->rport = in->sport;
    req->lport = in->dport;
    req->lsn = (uint8_t)(m->lsk - m->lsn);
    req->rcv_isn = in->seq;
    req->rcv_nxt = in->seq + 1;
    req->ts_recent = saw_tstamp ? tsval : 0;
    req->acked = false;
    req->last_oow_ack = 0;
    req->snt_tsval_first = req->snt_tsval_last = 0;

    uint32_t isn = 0;
    if (want_cookie)
        isn = lq_cookie_init_sequence(m, in, &req->mss); /* req->mss becomes the table value */
    if (req->tstamp_ok)
        req->ts_off = lq_model_ts_off(m, in->conn);

    if (!want_cookie) {
        int32_t max_syn_backlog = (int32_t)m->sysctl[LQ_SYSCTL_MAX_SYN_BACKLOG];
        /* "Kill the following clause, if you dislike this way." The peer is
         * never proven: the harness disables tcp_metrics saving. The kernel
         * builds with -fno-strict-overflow, so its int subtraction wraps
         * (INT_MIN - 1 is INT_MAX): computed in uint32_t, where C defines
         * the wrap, and converted back (gcc and clang keep the bits). */
        int32_t room = (int32_t)((uint32_t)max_syn_backlog - (uint32_t)m->lsk->qlen);
        if (!syncookies && room < (max_syn_backlog >> 2)) {
            lq_model_dp(m, LQ_DP_CONNREQ_QUARTER);
            goto drop;
        }
        isn = lq_model_new_isn(m, in->conn);
    }

    /* tcp_ecn_create_request(): a SYN with ECE and CWR asks for ECN; the
     * client's IP header is not-ECT, and the route has no ECN feature, so
     * tcp_ecn (1, or 2: "when the peer asks") decides. */
    if ((in->flags & (LQ_TH_ECE | LQ_TH_CWR)) == (LQ_TH_ECE | LQ_TH_CWR)) {
        req->ecn_ok = m->sysctl[LQ_SYSCTL_ECN] != 0;
        lq_model_dp(m, req->ecn_ok ? LQ_DP_CONNREQ_ECN_OK : LQ_DP_CONNREQ_ECN_OFF);
    }
    /* "if (want_cookie) ... if (!tmp_opt.tstamp_ok) inet_rsk(req)->ecn_ok = 0":
     * the ECN bit travels in the TSval (cookie_init_timestamp) */
    if (want_cookie && req->ecn_ok && !req->tstamp_ok) {
        lq_model_dp(m, LQ_DP_CONNREQ_COOKIE_NO_ECN);
        req->ecn_ok = false;
    }

    /* tcp_openreq_init_rwin(): rcv_wscale from tcp_select_initial_window() */
    req->rcv_wscale = req->wscale_ok ? LQ_RCV_WSCALE : 0;
    /* tcp_openreq_init_rwin(): mss = tcp_mss_clamp(tp, tcp_dst_advmss(dst)) */
    req->rcv_wnd =
        lq_initial_rcv_wnd(m, (uint16_t)(lq_mss_clamp(m, lq_route_advmss(m, req->ipv6)) -
                                         (req->tstamp_ok ? LQ_TCPOLEN_TSTAMP_ALIGNED : 0)));
    req->snt_isn = isn;
    /* tcp_rsk(req)->txhash = net_tx_rndhash(): an IPv6 SYN-ACK's flow label */
    req->txhash = lq_net_tx_rndhash(m);
    if (req->ipv6)
        lq_model_dp(m, LQ_DP_V6_LABEL_REQUEST);

    if (want_cookie) {
        /* cookie_init_sequence() (include/net/tcp.h), called above for the
         * ISN, also records the overflow (tcp_synq_overflow) and counts
         * SyncookiesSent; then the SYN-ACK goes out and tcp_conn_request()
         * frees the request (reqsk_free): nothing is queued. */
        lq_tcp_synq_overflow(m);
        lq_model_count(m, LQ_CTR_SYNCOOKIES_SENT);
        lq_model_dp(m, LQ_DP_CONNREQ_COOKIE_SENT);
        lq_tcp_v4_send_synack(m, req, true, LQ_DP_CONNREQ_COOKIE_SENT);
        return;
    }

    /* tcp_try_fastopen(): a TFO child, its SYN-ACK from the child (type
     * TCP_SYNACK_FASTOPEN), and the child straight into the accept queue
     * (inet_csk_reqsk_queue_add); the request is the child's, not hashed */
    struct lq_foc foc;
    lq_fastopen_parse(in, &foc);
    int fo_child = lq_tcp_try_fastopen(m, in, req, &foc);
    if (fo_child >= 0) {
        lq_tcp_v4_send_synack(m, &m->children[fo_child].fo_rsk, false, LQ_DP_FASTOPEN_CHILD);
        lq_fastopen_synack_option(m, &foc);
        lq_inet_csk_reqsk_queue_add(m, fo_child);
        return;
    }

    /* inet_csk_reqsk_queue_hash_add(): qlen++, young++, timer at 1 s */
    int r = lq_model_req_alloc(m);
    uint64_t born = m->reqs[r].born;
    m->reqs[r] = *req;
    m->reqs[r].born = born;
    lq_req_arm_timer(m, &m->reqs[r], m->now_ms + LQ_TCP_TIMEOUT_INIT_MS);
    lq_model_slot(m, in->conn)->req = r;
    m->lsk->qlen++;
    m->lsk->young++;
    lq_model_dp(m, LQ_DP_CONNREQ_QUEUED);
    lq_tcp_v4_send_synack(m, &m->reqs[r], false, LQ_DP_CONNREQ_QUEUED);
    lq_fastopen_synack_option(m, &foc); /* a fresh cookie, or none */
    return;

drop:
    lq_tcp_listendrop(m);
}
