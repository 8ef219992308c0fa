/* model/fastopen.c: TCP Fast Open on the listener (RFC 7413).
 *
 * Mirrors net/ipv4/tcp_fastopen.c: tcp_try_fastopen() with
 * tcp_fastopen_queue_check(), the cookie's generation and check
 * (tcp_fastopen_cookie_gen, tcp_fastopen_cookie_gen_check) and
 * tcp_fastopen_create_child() / tcp_fastopen_add_skb(); reqsk_fastopen_remove()
 * (net/core/request_sock.c); the SYN_RECV step of tcp_rcv_state_process()
 * (net/ipv4/tcp_input.c) for a child that still has its fastopen_rsk; and
 * fastopen_queue_tune() (include/linux/tcp.h). The kernel's rules, read from
 * 6.1.192 and 6.12.118: docs/research/fastopen-server-path.md.
 *
 * The cookie is SipHash-2-4 of the SYN's addresses under the namespace's
 * key. The model knows neither, so its cookie is a token, one per address
 * family of the request (an IPv4 SYN to a dual-stack listener is an IPv4
 * request): a client learns the cookie from the SYN-ACK and echoes it, as it
 * learns the server's ISN, and a cookie is valid exactly when it is the one
 * the model handed out (docs/model.md, "Fast Open").
 */
#include <string.h>

#include "model_internal.h"

/* The model's cookie for a request of that family (8 bytes, as the kernel's). */
static void lq_fastopen_cookie_gen(const struct lq_req *req, struct lq_foc *foc)
{
    static const uint8_t v4[LQ_TFO_COOKIE_SIZE] = {'l', 'q', 't', 'f', 'o', '4', 0x5a, 0xa5};
    static const uint8_t v6[LQ_TFO_COOKIE_SIZE] = {'l', 'q', 't', 'f', 'o', '6', 0x5a, 0xa5};
    memcpy(foc->val, req->ipv6 ? v6 : v4, LQ_TFO_COOKIE_SIZE);
    foc->len = LQ_TFO_COOKIE_SIZE;
}

/* tcp_fastopen_cookie_match(): only an 8-byte cookie can be the right one. */
static bool lq_fastopen_cookie_match(const struct lq_foc *valid, const struct lq_foc *orig)
{
    return orig->len == LQ_TFO_COOKIE_SIZE && orig->len == valid->len &&
           !memcmp(orig->val, valid->val, LQ_TFO_COOKIE_SIZE);
}

void lq_fastopen_parse(const struct lq_seg *in, struct lq_foc *foc)
{
    memset(foc, 0, sizeof(*foc));
    foc->len = -1;
    if (!in->opt.has_fo)
        return;
    foc->len = in->opt.fo_len;
    foc->exp = in->opt.fo_exp;
    memcpy(foc->val, in->opt.fo, in->opt.fo_len <= LQ_TFO_COOKIE_MAX ? in->opt.fo_len : 0);
}

/* fastopen_queue_tune(): max_qlen = min(backlog, somaxconn), unsigned. */
void lq_fastopen_queue_tune(struct lq_model *m, int backlog)
{
    uint32_t somaxconn = (uint32_t)m->sysctl[LQ_SYSCTL_SOMAXCONN];
    uint32_t v = (uint32_t)backlog < somaxconn ? (uint32_t)backlog : somaxconn;
    m->lsk->fo_max_qlen = (int)v;
}

/* tcp_fastopen_queue_check(): TFO is on for this listener and its queue
 * (children in SYN_RECV and the RST list) has room, or the RST list's head
 * has waited its 60 s: that one entry gives its slot back. */
static bool lq_tcp_fastopen_queue_check(struct lq_model *m)
{
    struct lq_listener *l = m->lsk;
    if (l->fo_max_qlen == 0) {
        lq_model_dp(m, LQ_DP_FASTOPEN_QUEUE_OFF);
        return false;
    }
    if (l->fo_qlen >= l->fo_max_qlen) {
        /* "!req1 || time_after(req1->rsk_timer.expires, jiffies)" */
        if (!l->fo_rst_len || l->fo_rst[l->fo_rst_head] > lq_model_jiffies64(m)) {
            lq_model_dp(m, LQ_DP_FASTOPEN_QUEUE_FULL);
            lq_model_count(m, LQ_CTR_TFO_LISTEN_OVERFLOW);
            return false;
        }
        lq_model_dp(m, LQ_DP_FASTOPEN_QUEUE_RST_EXPIRED);
        l->fo_rst_head++;
        l->fo_rst_len--;
        if (!l->fo_rst_len)
            l->fo_rst_head = 0;
        l->fo_qlen--;
    }
    return true;
}

/* tcp_fastopen_create_child(): a full socket in SYN_RECV from the SYN alone,
 * its data queued and acknowledged by the SYN-ACK, the request kept with it
 * (not in the ehash, not in the SYN queue). -1 when syn_recv_sock fails. */
static int lq_tcp_fastopen_create_child(struct lq_model *m, const struct lq_seg *in,
                                        const struct lq_req *req)
{
    /* tcp_v4_syn_recv_sock(): sk_acceptq_is_full -> exit_overflow */
    if (lq_sk_acceptq_is_full(m)) {
        lq_model_dp(m, LQ_DP_FASTOPEN_CHILD_OVERFLOW);
        lq_model_count(m, LQ_CTR_LISTEN_OVERFLOWS);
        lq_tcp_listendrop(m);
        return -1;
    }
    int ci = lq_tcp_syn_recv_sock(m, req, in, false);
    struct lq_child *c = &m->children[ci];
    lq_model_dp(m, LQ_DP_FASTOPEN_CHILD);
    m->lsk->fo_qlen++;
    c->fastopen = true;
    c->state = LQ_CHILD_SYN_RECV;
    c->fo_rsk = *req;
    /* "The window in SYN & SYN/ACK segments is never scaled": snd_wnd and
     * max_window are the SYN's window field, and tcp_init_transfer's
     * tcp_mtup_init -> tcp_sync_mss recomputes the MSS bound by it. */
    c->snd_wnd = c->max_window = in->win;
    lq_tcp_sync_mss(c, c->pmtu_cookie);
    /* req->timeout = tcp_timeout_init(child): inet_csk_reset_xmit_timer */
    c->fo_rto_due = lq_model_timer_fire_ms(m, m->now_ms + LQ_TCP_TIMEOUT_INIT_MS);
    c->fo_syn_retries = m->lsk->syn_retries;
    /* tcp_fastopen_add_skb(): the SYN's payload, without a window check */
    c->rcv_nxt = in->seq + 1;
    if (in->len) {
        lq_model_dp(m, LQ_DP_FASTOPEN_SYN_DATA);
        lq_child_charge_skb(m, c, in->len);
        c->rcvq_skbs++;
        c->rcvq_bytes += in->len;
        c->data_seen = true;
        c->rcv_nxt += in->len;
    }
    c->fo_rsk.rcv_nxt = c->rcv_nxt;
    c->rcv_wup = c->rcv_nxt;
    c->edge_lo = c->edge_hi = c->rcv_wup + c->rcv_wnd;
    return ci;
}

int lq_tcp_try_fastopen(struct lq_model *m, const struct lq_seg *in, const struct lq_req *req,
                        struct lq_foc *foc)
{
    bool syn_data = in->len != 0; /* end_seq != seq + 1: SYN|FIN never gets here */
    int64_t tcp_fastopen = m->sysctl[LQ_SYSCTL_FASTOPEN];
    struct lq_foc valid_foc = {.len = -1};

    /* The gate's middle term first, and without a decision point: a SYN
     * without data or option fails the gate whatever the rest says, and
     * nothing else happens to it here (every plain SYN comes this way). */
    if (!syn_data && foc->len < 0)
        return -1;

    if (foc->len == 0) /* Client requests a cookie */
        lq_model_count(m, LQ_CTR_TFO_COOKIE_REQD);

    if (!(tcp_fastopen & LQ_TFO_SERVER_ENABLE)) {
        lq_model_dp(m, LQ_DP_FASTOPEN_SERVER_OFF);
        foc->len = -1;
        return -1;
    }
    if (!lq_tcp_fastopen_queue_check(m)) {
        foc->len = -1;
        return -1;
    }

    int ci = -1;
    bool try_child = false;
    /* tcp_fastopen_no_cookie(): the sysctl's bit (the listener's
     * TCP_FASTOPEN_NO_COOKIE and the route's fastopen_no_cookie are unset) */
    /* "if (syn_data && tcp_fastopen_no_cookie(...))" before 5.15 */
    if ((tcp_fastopen & LQ_TFO_SERVER_COOKIE_NOT_REQD) &&
        (syn_data || lq_profile_has(&m->profile, LQ_CHG_TFO_NO_COOKIE_DATALESS))) {
        lq_model_dp(m, LQ_DP_FASTOPEN_NO_COOKIE);
        try_child = true;
    } else if (foc->len == 0) {
        lq_model_dp(m, LQ_DP_FASTOPEN_COOKIE_GEN);
        lq_fastopen_cookie_gen(req, &valid_foc);
    } else if (foc->len > 0) {
        /* tcp_fastopen_cookie_gen_check(): valid_foc holds the primary
         * key's cookie whatever the answer (the namespace has one key) */
        lq_fastopen_cookie_gen(req, &valid_foc);
        if (!lq_fastopen_cookie_match(&valid_foc, foc)) {
            lq_model_dp(m, LQ_DP_FASTOPEN_COOKIE_INVALID);
            lq_model_count(m, LQ_CTR_TFO_PASSIVE_FAIL);
        } else {
            lq_model_dp(m, LQ_DP_FASTOPEN_COOKIE_VALID);
            try_child = true;
        }
    } else {
        lq_model_dp(m, LQ_DP_FASTOPEN_NO_OPTION); /* data but no option: a normal request */
    }
    if (try_child) {
        ci = lq_tcp_fastopen_create_child(m, in, req);
        if (ci >= 0) {
            foc->len = -1; /* a primary-key match: the SYN-ACK carries no cookie */
            lq_model_count(m, LQ_CTR_TFO_PASSIVE);
            return ci;
        }
        lq_model_count(m, LQ_CTR_TFO_PASSIVE_FAIL);
    }
    valid_foc.exp = foc->exp;
    *foc = valid_foc;
    return -1;
}

void lq_fastopen_synack_option(struct lq_model *m, const struct lq_foc *foc)
{
    if (foc->len < 0 || !m->nout)
        return;
    /* tcp_synack_options(): 40 bytes less MSS, window scale and timestamps
     * (SACK-permitted among them) always leave the 12 a cookie needs */
    struct lq_tcpopt *o = &m->out[m->nout - 1].seg.opt;
    o->has_fo = true;
    o->fo_exp = foc->exp;
    o->fo_len = (uint8_t)foc->len;
    memcpy(o->fo, foc->val, (size_t)foc->len);
}

/* reqsk_fastopen_remove(reset false): the handshake is over (or given up). */
static void lq_reqsk_fastopen_remove(struct lq_model *m, struct lq_child *c)
{
    c->fastopen = false;
    m->lsn[c->fo_rsk.lsn].fo_qlen--;
}

/* reqsk_fastopen_remove(reset true) of an accepted child whose listener
 * listens: "Wait for 60secs before removing a req that has triggered RST"
 * (a defence against spoofed RSTs): the request joins the RST list and
 * keeps its slot of the queue. */
static void lq_reqsk_fastopen_remove_rst(struct lq_model *m, struct lq_child *c)
{
    struct lq_listener *l = &m->lsn[c->fo_rsk.lsn];
    lq_reqsk_fastopen_remove(m, c);
    if (l->fo_rst_head && l->fo_rst_head + l->fo_rst_len == l->fo_rst_cap) {
        memmove(l->fo_rst, l->fo_rst + l->fo_rst_head, l->fo_rst_len * sizeof(*l->fo_rst));
        l->fo_rst_head = 0;
    }
    l->fo_rst = lq_model_grow(l->fo_rst, &l->fo_rst_cap, l->fo_rst_head + l->fo_rst_len + 1,
                              sizeof(*l->fo_rst));
    l->fo_rst[l->fo_rst_head + l->fo_rst_len++] = lq_model_jiffies64(m) + 60u * m->hz;
    l->fo_qlen++;
}

/* tcp_rcv_state_process() in TCP_SYN_RECV for a child with fastopen_rsk:
 * tcp_check_req(fastopen = true) on its request first, then tcp_ack() on
 * the child, and tcp_rcv_synrecv_state_fastopen() once the ACK is good. */
void lq_fastopen_synrecv_rcv(struct lq_model *m, int ci, const struct lq_seg *in)
{
    struct lq_child *c = &m->children[ci];
    switch (lq_tcp_check_req_fastopen(m, ci, in)) {
    case LQ_CHECKREQ_FASTOPEN_DONE: return;
    case LQ_CHECKREQ_FASTOPEN_RESET:
        /* embryonic_reset, a valid RST: reqsk_fastopen_remove(reset true),
         * tcp_reset. Accepted ("req->sk" NULL) while the listener listens,
         * the request waits 60 s on the listener's RST list. */
        if (c->accepted && m->lsn[c->fo_rsk.lsn].listening) {
            lq_model_dp(m, LQ_DP_FASTOPEN_SYNRECV_RESET_RST_LIST);
            lq_reqsk_fastopen_remove_rst(m, c);
        } else {
            lq_model_dp(m, LQ_DP_FASTOPEN_SYNRECV_RESET);
            lq_reqsk_fastopen_remove(m, c);
        }
        lq_tcp_reset(m, c);
        return;
    case LQ_CHECKREQ_FASTOPEN_CHILD: break;
    }
    /* tcp_validate_incoming(): its PAWS check is the one tcp_check_req just
     * passed, its tcp_sequence() not quite: the request's rcv_nxt and window
     * are the child's, but since 6.17 tcp_sequence() also refuses an end_seq
     * past the window while the receive queue holds data (the SYN's), which
     * tcp_in_window() lets through: a dupack, the child still in SYN_RECV
     * (fuzzer finding: `syn c1 len=10`, then `ack c1 seq=+64240 len=10`). */
    if (!lq_child_fastopen_sequence(m, c, in))
        return;
    /* A SYN flag (tcp_check_req only truncated it) draws the SYN challenge,
     * which the model follows only for a normal child. */
    if (in->flags & LQ_TH_SYN) {
        lq_model_dp(m, LQ_DP_CHILD_BEYOND_MODEL);
        lq_model_beyond(m, "a segment with SYN and ACK to a TCP Fast Open child in SYN_RECV "
                           "(tcp_validate_incoming's SYN check there): not modelled");
        return;
    }
    /* tcp_ack(): the child sent nothing but its SYN, so an ACK of anything
     * but snt_isn + 1 acks unsent data or is too old (max_window bounded by
     * bytes_acked, 0): "send one RST" (tcp_v4_do_rcv's reset) */
    if (in->ack != c->snd_nxt) {
        lq_model_dp(m, LQ_DP_FASTOPEN_SYNRECV_BAD_ACK);
        lq_tcp_v4_send_reset(m, in, c->txhash, LQ_DP_FASTOPEN_SYNRECV_BAD_ACK);
        return;
    }
    /* the newest TSval the child has seen (PAWS on it from here on, as in
     * lq_child_rcv: tcp_check_req's PAWS passed it) */
    if (c->tstamp_ok && in->opt.has_ts && lq_seq_after(in->opt.tsval, c->tsval_max))
        c->tsval_max = in->opt.tsval;
    /* tcp_synack_rtt_meas(sk, req), then tcp_rcv_synrecv_state_fastopen():
     * reqsk_fastopen_remove, and tcp_rearm_rto with nothing in flight */
    lq_child_synack_rtt(m, c, &c->fo_rsk, in, false);
    lq_reqsk_fastopen_remove(m, c);
    c->fo_rto_due = UINT64_MAX;
    lq_model_dp(m, LQ_DP_FASTOPEN_SYNRECV_DONE);
    /* TCP_SYN_RECV -> ESTABLISHED: snd_wnd from this ACK, scaled now */
    c->snd_wnd = (uint32_t)in->win << (c->wscale_ok ? c->snd_wscale : 0);
    c->snd_wl1 = in->seq; /* tcp_init_wl() */
    lq_child_synrecv_done(m, c, in);
}

int lq_fastopen_children_of(const struct lq_model *m, int lsn)
{
    int n = (int)m->lsn[lsn].fo_rst_len; /* (and the RST list's requests) */
    for (size_t i = 0; i < m->nchildren; i++)
        n += m->children[i].fastopen && m->children[i].fo_rsk.lsn == lsn;
    return n;
}

/* tcp_retransmit_timer() of a child with fastopen_rsk ->
 * tcp_fastopen_synack_timer(): "one more retry for fastopen" than a request
 * gets, the SYN-ACK again (inet_rtx_syn_ack, no cookie), the timer at
 * timeout << num_timeout; past the limit tcp_write_err() kills the child
 * without a word (tcp_done_with_error, ETIMEDOUT). */
static void lq_tcp_fastopen_synack_timer(struct lq_model *m, struct lq_child *c)
{
    struct lq_req *req = &c->fo_rsk;
    lq_model_use_listener(m, req->lsn);
    lq_model_count(m, LQ_CTR_TCP_TIMEOUTS); /* req->rsk_ops->syn_ack_timeout */
    int max_retries =
        c->fo_syn_retries ? c->fo_syn_retries : (int)m->sysctl[LQ_SYSCTL_SYNACK_RETRIES] + 1;
    if (req->num_timeout >= max_retries) {
        lq_model_dp(m, LQ_DP_FASTOPEN_TIMER_GIVE_UP);
        lq_model_count(m, LQ_CTR_TCP_ABORT_ON_TIMEOUT);
        c->fo_rto_due = UINT64_MAX;
        lq_reqsk_fastopen_remove(m, c); /* tcp_done */
        lq_tcp_reset(m, c);             /* ... its AttemptFails, TCP_CLOSE, unhashed */
        return;
    }
    lq_model_dp(m, LQ_DP_FASTOPEN_TIMER_RESEND);
    lq_inet_rtx_syn_ack(m, req, LQ_DP_FASTOPEN_TIMER_RESEND)->timing = LQ_PKT_TIMER;
    req->num_timeout++;
    c->fo_rto_due = lq_model_timer_fire_ms(m, m->now_ms + lq_reqsk_timeout(req));
}

void lq_fastopen_timers(struct lq_model *m, uint64_t until)
{
    for (;;) {
        struct lq_child *next = NULL;
        for (size_t i = 0; i < m->nchildren; i++) {
            struct lq_child *c = &m->children[i];
            if (c->fastopen && c->fo_rto_due <= until &&
                (!next || c->fo_rto_due < next->fo_rto_due))
                next = c;
        }
        if (!next)
            return;
        /* the request timers due before it run first */
        lq_reqsk_timers(m, next->fo_rto_due);
        if (next->fo_rto_due > m->now_ms)
            m->now_ms = next->fo_rto_due;
        lq_tcp_fastopen_synack_timer(m, next);
    }
}
