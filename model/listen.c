/* model/listen.c: listen(2) and the listener's socket options.
 *
 * Mirrors __sys_listen_socket() (net/socket.c), __inet_listen_sk()
 * (net/ipv4/af_inet.c) and, for the legacy profile, reqsk_queue_alloc() of
 * kernels before 4.4; TCP_DEFER_ACCEPT and TCP_SYNCNT from do_tcp_setsockopt()
 * (net/ipv4/tcp.c).
 */
#include "model_internal.h"

#include <errno.h>

/* roundup_pow_of_two() */
static uint32_t lq_roundup_pow_of_two(uint32_t n)
{
    uint32_t p = 1;
    while (p < n && p < 0x80000000u)
        p <<= 1;
    return p;
}

int lq_model_listen(struct lq_model *m, uint16_t lport, int backlog)
{
    return lq_model_listen_on(m, 0, lport, backlog);
}

int lq_model_listen_on(struct lq_model *m, int lsn, uint16_t lport, int backlog)
{
    lq_model_begin(m);
    int rc = lq_model_call_on(m, lsn);
    if (rc)
        return rc;
    if (m->lsk->shutdown)
        lq_model_beyond(m, "listen() after a shutdown() of the unconnected socket: the children "
                           "would inherit its sk_shutdown bits (sk_clone_lock), not modelled");
    /* __sys_listen_socket: somaxconn read at listen() time; the unsigned
     * comparison turns a negative backlog into somaxconn. */
    int64_t somaxconn = m->sysctl[LQ_SYSCTL_SOMAXCONN];
    if ((uint64_t)(uint32_t)backlog > (uint64_t)somaxconn) {
        lq_model_dp(m, LQ_DP_LISTEN_CLAMPED);
        backlog = (int)somaxconn;
    } else {
        lq_model_dp(m, LQ_DP_LISTEN_KEPT);
    }
    /* __inet_listen_sk: always writes sk_max_ack_backlog; only the first
     * listen() starts the queues. */
    m->lsk->max_ack_backlog = (uint32_t)backlog;
    if (m->lsk->listening) {
        lq_model_dp(m, LQ_DP_LISTEN_AGAIN);
        return 0;
    }
    /* "Enable TFO w/o requiring TCP_FASTOPEN socket option", before
     * inet_csk_listen_start (which may still fail) */
    int64_t tcp_fastopen = m->sysctl[LQ_SYSCTL_FASTOPEN];
    if ((tcp_fastopen & LQ_TFO_SERVER_WO_SOCKOPT1) && (tcp_fastopen & LQ_TFO_SERVER_ENABLE) &&
        !m->lsk->fo_max_qlen) {
        lq_model_dp(m, LQ_DP_LISTEN_FASTOPEN_AUTO);
        lq_fastopen_queue_tune(m, backlog);
    }
    if (m->lsk->own_group && lq_reuseport_listen_conflict(m, lsn)) {
        /* inet_csk_listen_start -> inet_csk_get_port: EADDRINUSE, and the
         * socket goes back to TCP_CLOSE (still bound) */
        return -EADDRINUSE;
    } else {
        lq_model_dp(m, LQ_DP_LISTEN_START);
        m->lsk->listening = true;
        /* reqsk_queue_alloc() zeroes the Fast Open queue's count (max_qlen
         * stays; the RST list went with inet_csk_listen_stop). Accepted
         * children of the last listen still in SYN_RECV keep their request,
         * whose rsk_listener is this socket: each one's reqsk_fastopen_remove
         * takes the count below 0 later, and tcp_fastopen_queue_check's
         * signed "qlen >= max_qlen" lets that many more children in. */
        int pending = lq_fastopen_children_of(m, lsn);
        if (pending)
            lq_model_dp(m, LQ_DP_LISTEN_FASTOPEN_QLEN_RESET);
        m->lsk->fo_qlen = 0;
        m->lsk->fo_qlen_offset = -pending;
        m->lport = lport;
        /* inet_csk_listen_start -> inet_hash -> __inet_hash */
        if (m->lsk->reuseport)
            lq_reuseport_listen(m, lsn);
        if (!lq_profile_has(&m->profile, LQ_CHG_SYNQ_LIMIT_IS_BACKLOG)) {
            /* reqsk_queue_alloc() (before 4.4): the SYN-queue size is fixed
             * at the first listen() from nr_table_entries. */
            uint32_t msb = (uint32_t)m->sysctl[LQ_SYSCTL_MAX_SYN_BACKLOG]; /* min_t(u32, ...) */
            uint32_t n = (uint32_t)backlog < msb ? (uint32_t)backlog : msb;
            if (n < 8)
                n = 8;
            uint32_t entries = lq_roundup_pow_of_two(n + 1);
            uint32_t limit = 8; /* 1 << max_qlen_log, max_qlen_log starts at 3 */
            while (limit < entries)
                limit <<= 1;
            m->lsk->legacy_qlen_limit = limit;
            lq_model_dp(m, LQ_DP_LISTEN_LEGACY_QLEN);
        }
    }
    return 0;
}

/* secs_to_retrans(): seconds -> number of SYN-ACK retransmissions whose
 * exponential backoff (1 s, 2 s, 4 s ... capped at TCP_RTO_MAX) covers them. */
static int lq_secs_to_retrans(int seconds, int timeout, int rto_max)
{
    int res = 0;
    if (seconds > 0) {
        int period = timeout;
        res = 1;
        while (seconds > period && res < 255) {
            res++;
            timeout <<= 1;
            if (timeout > rto_max)
                timeout = rto_max;
            period += timeout;
        }
    }
    return res;
}

int lq_model_setsockopt(struct lq_model *m, enum lq_sockopt opt, int value)
{
    return lq_model_setsockopt_on(m, 0, opt, value);
}

int lq_model_setsockopt_on(struct lq_model *m, int lsn, enum lq_sockopt opt, int value)
{
    lq_model_begin(m);
    int rc = lq_model_call_on(m, lsn);
    if (rc)
        return rc;
    switch (opt) {
    case LQ_SOCKOPT_DEFER_ACCEPT:
        /* do_tcp_setsockopt: TCP_DEFER_ACCEPT. Translate value in seconds to
         * number of retransmits (TCP_TIMEOUT_INIT / HZ = 1, TCP_RTO_MAX / HZ = 120). */
        lq_model_dp(m, LQ_DP_SOCKOPT_DEFER_ACCEPT);
        m->lsk->defer_accept = lq_secs_to_retrans(value, 1, 120);
        return 0;
    case LQ_SOCKOPT_SYNCNT:
        /* tcp_sock_set_syncnt: 1 <= val <= MAX_TCP_SYNCNT (127) */
        if (value < 1 || value > 127)
            return -EINVAL;
        lq_model_dp(m, LQ_DP_SOCKOPT_SYNCNT);
        m->lsk->syn_retries = value;
        return 0;
    case LQ_SOCKOPT_MAXSEG:
        /* tcp_sock_set_maxseg: 0, or TCP_MIN_MSS (88) .. MAX_TCP_WINDOW (32767) */
        if (value && (value < 88 || value > 32767))
            return -EINVAL;
        lq_model_dp(m, LQ_DP_SOCKOPT_MAXSEG);
        m->lsk->user_mss = (uint16_t)value;
        return 0;
    case LQ_SOCKOPT_V6ONLY:
        /* tcp_setsockopt: level != SOL_TCP goes to icsk_af_ops->setsockopt:
         * ip_setsockopt refuses IPPROTO_IPV6 (-ENOPROTOOPT); do_ipv6_setsockopt
         * refuses IPV6_V6ONLY once the socket is bound (inet_num), and the
         * listener is bound from the start: `family` sets it before bind. */
        if (m->family == LQ_FAMILY_IPV4) {
            lq_model_dp(m, LQ_DP_SOCKOPT_V6ONLY_IPV4);
            return -ENOPROTOOPT;
        }
        lq_model_dp(m, LQ_DP_SOCKOPT_V6ONLY_BOUND);
        return -EINVAL;
    case LQ_SOCKOPT_REUSEPORT_CBPF:
        if (m->lsk->detached || m->lsk->closed_in_group)
            lq_model_beyond(m, "SO_ATTACH_REUSEPORT_CBPF on a listener shutdown() took out of its "
                               "group, or into its closed section (sk_reuseport_attach_filter "
                               "on it; reuseport_resurrect): not modelled");
        return lq_reuseport_attach_prog(m, lsn, value);
    case LQ_SOCKOPT_FASTOPEN:
        /* do_tcp_setsockopt: TCP_FASTOPEN, in TCP_CLOSE or TCP_LISTEN only
         * (the listener is always one of the two); fastopen_queue_tune */
        if (value < 0)
            return -EINVAL;
        lq_model_dp(m, LQ_DP_SOCKOPT_FASTOPEN);
        lq_fastopen_queue_tune(m, value);
        return 0;
    case LQ_SOCKOPT_COUNT: break;
    }
    return -EINVAL;
}

/* inet_csk_reqsk_queue_is_full(): qlen > N from 6.13 (and its backports),
 * qlen >= N from 4.4 to then; before 4.4, qlen >> max_qlen_log (legacy). */
bool lq_inet_csk_reqsk_queue_is_full(const struct lq_model *m)
{
    uint32_t qlen = (uint32_t)m->lsk->qlen;
    if (!lq_profile_has(&m->profile, LQ_CHG_SYNQ_LIMIT_IS_BACKLOG))
        return qlen >= m->lsk->legacy_qlen_limit;
    if (lq_profile_has(&m->profile, LQ_CHG_SYNQ_FULL_GT))
        return LQ_TEST_SEAM(m, LQ_BUG_SYNQ_FULL_GE, qlen >= m->lsk->max_ack_backlog,
                            qlen > m->lsk->max_ack_backlog);
    return qlen >= m->lsk->max_ack_backlog;
}
