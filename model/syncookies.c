/* model/syncookies.c: SYN cookies.
 *
 * Mirrors net/ipv4/syncookies.c (cookie_v4_init_sequence, __cookie_v4_check,
 * cookie_tcp_check, cookie_timestamp_decode, cookie_init_timestamp,
 * tcp_get_cookie_sock) and tcp_synq_overflow() /
 * tcp_synq_no_recent_overflow() from include/net/tcp.h. The kernel keys its
 * cookie hash with boot-random secrets; the model keys the same construction
 * with a fixed secret, so a cookie is valid exactly when the kernel's would be.
 */
#include "model_internal.h"

#define LQ_COOKIEBITS         24
#define LQ_COOKIEMASK         ((1u << LQ_COOKIEBITS) - 1)
#define LQ_TSBITS             6
#define LQ_TS_OPT_WSCALE_MASK 0xfu
#define LQ_TS_OPT_SACK        (1u << 4)
#define LQ_TS_OPT_ECN         (1u << 5)

/* msstab[] of net/ipv4/syncookies.c */
static const uint16_t lq_msstab[] = {536, 1300, 1440, 1460};
/* msstab[] of net/ipv6/syncookies.c: IPV6_MIN_MTU - 60, 1480 - 60, 1500 - 60, 9000 - 60 */
static const uint16_t lq_msstab6[] = {1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60};
#define LQ_MSSTAB_LEN 4u

/* Entry i of the table of the segment's family. */
static uint16_t lq_msstab_of(const struct lq_model *m, bool ipv6, unsigned i)
{
    if (!ipv6)
        return lq_msstab[i];
    return LQ_TEST_SEAM(m, LQ_BUG_V6_COOKIE_MSS, i == 2 ? 1460 : lq_msstab6[i], lq_msstab6[i]);
}

/* cookie_hash(): siphash of the 4-tuple with count and c in the kernel. */
static uint32_t lq_cookie_hash(uint16_t conn, uint32_t count, int c)
{
    uint32_t x =
        0x6c697374u ^ ((uint32_t)conn << 16) ^ count * 0x9e3779b9u ^ (uint32_t)c * 0x7f4a7c15u;
    x ^= x >> 16;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
    x *= 0xc2b2ae35u;
    x ^= x >> 16;
    return x;
}

/* tcp_cookie_time(): minutes of get_jiffies_64(). */
static uint32_t lq_tcp_cookie_time(const struct lq_model *m)
{
    return (uint32_t)(lq_model_jiffies64(m) / (60u * m->hz));
}

/* secure_tcp_syn_cookie() */
static uint32_t lq_secure_tcp_syn_cookie(const struct lq_model *m, uint16_t conn, uint32_t sseq,
                                         uint32_t data)
{
    uint32_t count = lq_tcp_cookie_time(m);
    return lq_cookie_hash(conn, 0, 0) + sseq + (count << LQ_COOKIEBITS) +
           ((lq_cookie_hash(conn, count, 1) + data) & LQ_COOKIEMASK);
}

/* check_tcp_syn_cookie(): the MSS index, or (u32)-1 when too old. */
static uint32_t lq_check_tcp_syn_cookie(const struct lq_model *m, uint32_t cookie, uint16_t conn,
                                        uint32_t sseq)
{
    uint32_t count = lq_tcp_cookie_time(m);
    cookie -= lq_cookie_hash(conn, 0, 0) + sseq;
    uint32_t diff = (count - (cookie >> LQ_COOKIEBITS)) & ((uint32_t)-1 >> LQ_COOKIEBITS);
    if (diff >= LQ_MAX_SYNCOOKIE_AGE)
        return (uint32_t)-1;
    return (cookie - lq_cookie_hash(conn, count - diff, 1)) & LQ_COOKIEMASK;
}

/* __cookie_v4_init_sequence() / __cookie_v6_init_sequence(): the largest
 * table MSS <= the client's, the first entry below (536, or 1220 over IPv6). */
uint32_t lq_cookie_init_sequence(struct lq_model *m, const struct lq_seg *syn, uint16_t *mss)
{
    int mssind;
    if (syn->ipv6)
        lq_model_dp(m, LQ_DP_COOKIE_V6_INIT);
    for (mssind = (int)LQ_MSSTAB_LEN - 1; mssind; mssind--)
        if (*mss >= lq_msstab_of(m, syn->ipv6, (unsigned)mssind))
            break;
    *mss = lq_msstab_of(m, syn->ipv6, (unsigned)mssind);
    return lq_secure_tcp_syn_cookie(m, syn->conn, syn->seq, (uint32_t)mssind);
}

/* cookie_init_timestamp(): the low 6 bits of TSval carry wscale (0xf = none),
 * SACK and ECN. Returns the TS clock value without the connection's offset. */
uint32_t lq_cookie_init_timestamp(const struct lq_model *m, const struct lq_req *req)
{
    uint32_t options = req->wscale_ok ? req->snd_wscale : LQ_TS_OPT_WSCALE_MASK;
    if (req->sack_ok)
        options |= LQ_TS_OPT_SACK;
    if (req->ecn_ok)
        options |= LQ_TS_OPT_ECN;
    uint32_t ts_now = lq_model_tsval(m, 0);
    uint32_t ts = (ts_now >> LQ_TSBITS) << LQ_TSBITS;
    ts |= options;
    if (ts > ts_now)
        ts -= (1u << LQ_TSBITS);
    return ts;
}

/* time_between32(t, l, h): l <= t <= h in wrapping 32-bit time. */
static bool lq_time_between32(uint32_t t, uint32_t l, uint32_t h)
{
    return t - l <= h - l;
}

/* tcp_synq_overflow() and tcp_synq_no_recent_overflow() keep the stamp in
 * the listener's rx_opt.ts_recent_stamp, or, for an SO_REUSEPORT listener
 * (sk_reuseport with a sk_reuseport_cb: every listening one), in its
 * group's synq_overflow_ts, shared by the group's members. */
static uint32_t *lq_synq_overflow_stamp(struct lq_model *m, bool **seen)
{
    if (m->lsk->reuseport && m->lsk->listening) {
        lq_model_dp(m, LQ_DP_REUSEPORT_OVERFLOW_TS);
        *seen = &m->group.overflow_seen;
        return &m->group.synq_overflow_ts;
    }
    *seen = &m->lsk->overflow_seen;
    return &m->lsk->last_overflow;
}

/* tcp_synq_overflow(): stamp the listener (at most once per second). */
void lq_tcp_synq_overflow(struct lq_model *m)
{
    uint32_t now = lq_model_jiffies(m);
    bool *seen;
    uint32_t *last = lq_synq_overflow_stamp(m, &seen);
    if (!lq_time_between32(now, *last, *last + m->hz))
        *last = now;
    *seen = true;
}

/* tcp_synq_no_recent_overflow(): no stamp in [last - HZ, last + 2 minutes].
 * A fresh listener's stamp is 0, so this also depends on where jiffies is. */
static bool lq_tcp_synq_no_recent_overflow(struct lq_model *m)
{
    uint32_t now = lq_model_jiffies(m);
    bool *seen;
    uint32_t last = *lq_synq_overflow_stamp(m, &seen);
    return !lq_time_between32(now, last - m->hz,
                              last + LQ_MAX_SYNCOOKIE_AGE * LQ_TCP_SYNCOOKIE_PERIOD_MS / 1000u *
                                         m->hz);
}

/* cookie_timestamp_decode(): options from the echoed TSval's low bits. */
static bool lq_cookie_timestamp_decode(const struct lq_model *m, const struct lq_seg *in,
                                       uint32_t ts_off, struct lq_req *req)
{
    if (!(in->opt.has_ts && m->sysctl[LQ_SYSCTL_TIMESTAMPS])) {
        /* tcp_parse_options() on a non-SYN sees no TS when tcp_timestamps
         * is 0 (estab = 0: the sysctl gates it); tcp_clear_options(). */
        req->tstamp_ok = req->sack_ok = req->wscale_ok = false;
        req->snd_wscale = 0;
        return true;
    }
    uint32_t options = in->opt.tsecr ? in->opt.tsecr - ts_off : 0;
    req->tstamp_ok = true; /* saw_tstamp */
    /* cookie_tcp_reqsk_alloc: ecn_ok from TS_OPT_ECN, then "&= cookie_ecn_ok()":
     * tcp_ecn on (the route has no ECN feature) */
    req->ecn_ok = (options & LQ_TS_OPT_ECN) && m->sysctl[LQ_SYSCTL_ECN];
    req->sack_ok = (options & LQ_TS_OPT_SACK) != 0;
    if (req->sack_ok && !m->sysctl[LQ_SYSCTL_SACK])
        return false;
    if ((options & LQ_TS_OPT_WSCALE_MASK) == LQ_TS_OPT_WSCALE_MASK)
        return true;
    req->wscale_ok = true;
    req->snd_wscale = (uint8_t)(options & LQ_TS_OPT_WSCALE_MASK);
    return m->sysctl[LQ_SYSCTL_WINDOW_SCALING] != 0;
}

/* Whether the option bits of tsecr are those of a cookie TSval this
 * connection was sent (the peer echoes it, or a number a multiple of 64
 * below it): any other TSecr carries the low bits of the kernel's
 * millisecond clock plus its secret per-connection offset, which the model
 * cannot know. */
static bool lq_tsecr_decodable(struct lq_model *m, uint16_t conn, uint32_t tsecr)
{
    const struct lq_conn_slot *slot = lq_model_slot(m, conn);
    if (!slot->has_cookie_tsval)
        return false;
    int32_t d = (int32_t)(tsecr - slot->cookie_tsval);
    return d > -(1 << 24) && d <= 0 && (d & (int32_t)((1u << LQ_TSBITS) - 1u)) == 0;
}

/* cookie_v4_check() (cookie_v6_check() over IPv6: __cookie_v6_check and its
 * table) for a non-SYN segment to the listener. */
enum lq_cookie_result lq_cookie_check(struct lq_model *m, const struct lq_seg *in, int *child)
{
    if (!m->sysctl[LQ_SYSCTL_SYNCOOKIES] || !(in->flags & LQ_TH_ACK) || (in->flags & LQ_TH_RST))
        return LQ_COOKIE_LISTENER;

    /* cookie_tcp_check() */
    if (lq_tcp_synq_no_recent_overflow(m)) {
        lq_model_dp(m, LQ_DP_COOKIE_NO_OVERFLOW);
        return LQ_COOKIE_LISTENER;
    }
    uint32_t mssind = lq_check_tcp_syn_cookie(m, in->ack - 1, in->conn, in->seq - 1);
    if (in->ipv6)
        lq_model_dp(m, LQ_DP_COOKIE_V6_CHECK);
    if (mssind >= LQ_MSSTAB_LEN) {
        lq_model_dp(m, LQ_DP_COOKIE_INVALID);
        lq_model_count(m, LQ_CTR_SYNCOOKIES_FAILED);
        return LQ_COOKIE_LISTENER;
    }
    lq_model_count(m, LQ_CTR_SYNCOOKIES_RECV);

    struct lq_req req = {0};
    req.conn = in->conn;
    req.rport = in->sport;
    req.lport = in->dport;
    req.lsn = (uint8_t)(m->lsk - m->lsn);
    req.rcv_isn = in->seq - 1;
    req.rcv_nxt = in->seq;
    req.snt_isn = in->ack - 1;
    req.mss = lq_msstab_of(m, in->ipv6, mssind);
    req.ipv6 = in->ipv6;
    /* cookie_tcp_reqsk_init (6.1: cookie_v6_check): treq->txhash =
     * net_tx_rndhash(), so the child's label is not the cookie SYN-ACK's */
    req.txhash = lq_net_tx_rndhash(m);
    uint32_t ts_off = (in->opt.has_ts && in->opt.tsecr) ? lq_model_ts_off(m, in->conn) : 0;
    if (in->opt.has_ts && in->opt.tsecr && m->sysctl[LQ_SYSCTL_TIMESTAMPS] &&
        !lq_tsecr_decodable(m, in->conn, in->opt.tsecr)) {
        lq_model_beyond(m, "a cookie ACK whose TSecr echoes no cookie TSval: its option bits "
                           "come from the kernel's clock and secret timestamp offset");
        return LQ_COOKIE_DROP;
    }
    if (!lq_cookie_timestamp_decode(m, in, ts_off, &req)) {
        lq_model_dp(m, LQ_DP_COOKIE_TS_DECODE_FAIL);
        return LQ_COOKIE_LISTENER;
    }
    req.ts_off = ts_off;
    req.ts_recent = req.tstamp_ok ? in->opt.tsval : 0;
    req.rcv_wscale = req.wscale_ok ? LQ_RCV_WSCALE : 0;
    /* cookie_v4_check: tcp_select_initial_window(full_space, req->mss, ...) */
    req.rcv_wnd = lq_initial_rcv_wnd(m, req.mss);

    /* tcp_get_cookie_sock() -> tcp_v4_syn_recv_sock() */
    if (lq_sk_acceptq_is_full(m)) {
        lq_model_dp(m, LQ_DP_COOKIE_ACCEPTQ_FULL);
        lq_model_count(m, LQ_CTR_LISTEN_OVERFLOWS);
        lq_tcp_listendrop(m);
        return LQ_COOKIE_DROP;
    }
    /* 6.18 (AccECN): cookie_v4_check / cookie_v6_check set "treq->accecn_ok =
     * ireq->ecn_ok && cookie_accecn_ok(th)": the ACK's ACE field (AE, CWR,
     * ECE; the harness never sets AE) above 1, i.e. CWR, makes an AccECN
     * child, whose ACKs carry ACE counters: not modelled. */
    if (req.ecn_ok && (in->flags & LQ_TH_CWR) &&
        lq_profile_has(&m->profile, LQ_CHG_ACCEPT_CWR_NEEDS_ECN)) {
        lq_model_dp(m, LQ_DP_COOKIE_ACCECN);
        lq_model_beyond(m, "a cookie ACK with CWR for a cookie that carries ECN: an AccECN child "
                           "(cookie_accecn_ok, 6.18), whose ACKs the model does not mirror");
        return LQ_COOKIE_DROP;
    }
    lq_model_dp(m, LQ_DP_COOKIE_CHILD);
    if (req.ipv6)
        lq_model_dp(m, LQ_DP_V6_LABEL_COOKIE_CHILD);
    *child = lq_tcp_syn_recv_sock(m, &req, in, true);
    lq_inet_csk_reqsk_queue_add(m, *child);
    return LQ_COOKIE_CHILD;
}
