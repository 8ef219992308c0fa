/* tests/unit/test_model_conn_request.c: a SYN reaches the listener.
 *
 * Expectations from tcp_conn_request() / tcp_syn_flood_action()
 * (net/ipv4/tcp_input.c), inet_csk_reqsk_queue_is_full() and
 * sk_acceptq_is_full() (include/net/inet_connection_sock.h, sock.h),
 * tcp_rcv_state_process()'s TCP_LISTEN case, tcp_make_synack() /
 * tcp_synack_options() (tcp_output.c), tcp_openreq_init_rwin() /
 * tcp_select_initial_window(), and the live facts measured on 6.18.44.
 */
#include <errno.h>
#include <stdlib.h>

#include "model/model.h"
#include "model_test.h"

/* ---- helpers (each test file is self-contained) ---- */

static void syn(struct lq_model *m, uint16_t conn)
{
    input(m, mksyn(conn));
}

static void listen_n(struct lq_model *m, int backlog)
{
    lq_model_listen(m, LPORT, backlog);
    inv(m, "listen");
}

static bool handshake(struct lq_model *m, uint16_t conn)
{
    int before = queues(m).acceptq;
    syn(m, conn);
    const struct lq_model_pkt *sa = synack_of(m, conn);
    if (!sa)
        return false;
    uint32_t srv = sa->seg.seq;
    /* a cookie SYN-ACK is completed the same way: ack = cookie + 1 */
    input(m, mkseg(conn, LQ_TH_ACK, cisn(conn) + 1, srv + 1));
    return queues(m).acceptq == before + 1;
}

/* SYNs from new connections until one is not answered by a queued request's
 * SYN-ACK (dropped or cookie). */
static int synack_run(struct lq_model *m, uint16_t base, int limit)
{
    int n = 0;
    for (int i = 0; i < limit; i++) {
        syn(m, (uint16_t)(base + i));
        const struct lq_model_pkt *sa = synack_of(m, (uint16_t)(base + i));
        if (!sa || sa->cookie)
            break;
        n++;
    }
    return n;
}

/* ---- SYN queue: N or N + 1 ---- */

static void test_synq_limit(void)
{
    /* inet_csk_reqsk_queue_is_full(): before 3479c7549fb1, qlen >= N (SRC 5.10.223);
     * after it (6.13, 6.12.10, 6.1.125, 5.10.234 ...), qlen > N (SRC 6.1.192, 6.12.117,
     * 7.2). With cookies off tcp_syn_flood_action() drops: TCPReqQFullDrop, ListenDrops. */
    const struct {
        const char *v;
        bool gt;
    } profs[] = {{"6.12", false},   {"6.12.9", false},  {"6.12.10", true},   {"6.13", true},
                 {"6.18", true},    {"6.18.44", true},  {"5.10.223", false}, {"6.1.124", false},
                 {"6.1.125", true}, {"6.12.117", true}, {"4.4", false}};
    const int ns[] = {0, 1, 2, 5};
    for (size_t p = 0; p < sizeof(profs) / sizeof(profs[0]); p++) {
        for (size_t i = 0; i < 4; i++) {
            struct lq_model *m = mk(profs[p].v);
            lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
            listen_n(m, ns[i]);
            int want = profs[p].gt ? ns[i] + 1 : ns[i];
            int got = synack_run(m, 1, 20);
            ok(got == want && ctr(m, LQ_CTR_REQQ_FULL_DROP) == 1 &&
                   ctr(m, LQ_CTR_LISTEN_DROPS) == 1 && queues(m).synq == want,
               "%s N=%d cookies off: %d SYNs answered, then TCPReqQFullDrop + ListenDrops "
               "(got %d)",
               profs[p].v, ns[i], want, got);
            lq_model_free(m);
        }
    }

    /* Live fact (6.18.44): listen(fd, 1), cookies on: 2 SYNs answered normally,
     * the 3rd gets a cookie. */
    struct lq_model *m = mk("6.18.44");
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 1);
    listen_n(m, 1);
    syn(m, 1);
    const struct lq_model_pkt *a = synack_of(m, 1);
    ok(a && !a->cookie, "listen(1) cookies on: SYN 1 queued");
    syn(m, 2);
    a = synack_of(m, 2);
    ok(a && !a->cookie, "listen(1) cookies on: SYN 2 queued");
    syn(m, 3);
    a = synack_of(m, 3);
    ok(a && a->cookie, "listen(1) cookies on: SYN 3 answered with a cookie");
    is_int(queues(m).synq, 2, "... and not queued (synq 2)");
    lq_model_free(m);
}

/* ---- tcp_syncookies 0 / 1 / 2 ---- */

static void test_syncookies_modes(void)
{
    /* N = 1 on 6.18.44: SYN queue holds 2 (qlen > 1). Four SYNs. */
    struct {
        int mode;
        int synacks, cookies, synq;
        uint64_t drop, do_cookies, sent, listendrops;
    } rows[] = {
        /* 0: 2 queued, 2 dropped (tcp_syn_flood_action: TCPReqQFullDrop; drop: ListenDrops) */
        {0, 2, 0, 2, 2, 0, 0, 2},
        /* 1: 2 queued, 2 cookies (TCPReqQFullDoCookies; cookie_record_sent: SyncookiesSent) */
        {1, 4, 2, 2, 0, 2, 2, 0},
        /* 2: "syncookies == 2 ||": every SYN goes through tcp_syn_flood_action, all cookies */
        {2, 4, 4, 0, 0, 4, 4, 0},
    };
    for (size_t r = 0; r < 3; r++) {
        struct lq_model *m = mk("6.18.44");
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, rows[r].mode);
        listen_n(m, 1);
        int synacks = 0, cookies = 0;
        for (uint16_t c = 1; c <= 4; c++) {
            syn(m, c);
            const struct lq_model_pkt *sa = synack_of(m, c);
            synacks += sa != NULL;
            cookies += sa && sa->cookie;
        }
        ok(synacks == rows[r].synacks && cookies == rows[r].cookies &&
               queues(m).synq == rows[r].synq,
           "syncookies=%d, N=1, 4 SYNs: %d SYN-ACKs, %d cookies, synq %d (got %d, %d, %d)",
           rows[r].mode, rows[r].synacks, rows[r].cookies, rows[r].synq, synacks, cookies,
           queues(m).synq);
        ok(ctr(m, LQ_CTR_REQQ_FULL_DROP) == rows[r].drop &&
               ctr(m, LQ_CTR_REQQ_FULL_DO_COOKIES) == rows[r].do_cookies &&
               ctr(m, LQ_CTR_SYNCOOKIES_SENT) == rows[r].sent &&
               ctr(m, LQ_CTR_LISTEN_DROPS) == rows[r].listendrops,
           "syncookies=%d counters: TCPReqQFullDrop %d, TCPReqQFullDoCookies %d, "
           "SyncookiesSent %d, ListenDrops %d",
           rows[r].mode, (int)rows[r].drop, (int)rows[r].do_cookies, (int)rows[r].sent,
           (int)rows[r].listendrops);
        lq_model_free(m);
    }
}

/* ---- accept queue full ---- */

static void test_acceptq_full(void)
{
    /* sk_acceptq_is_full(): sk_ack_backlog > sk_max_ack_backlog, so N + 1 children fit;
     * then tcp_conn_request(): LISTENOVERFLOWS; goto drop (tcp_listendrop). */
    for (int mode = 0; mode <= 2; mode++) {
        struct lq_model *m = mk("6.18.44");
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, mode);
        listen_n(m, 1);
        ok(handshake(m, 1), "mode %d: conn 1 completes (acceptq 1)", mode);
        /* acceptq 1 > 1 is false: still room */
        ok(handshake(m, 2), "mode %d: conn 2 completes (acceptq 2 = N + 1)", mode);
        uint64_t docook = ctr(m, LQ_CTR_REQQ_FULL_DO_COOKIES);
        uint64_t sent = ctr(m, LQ_CTR_SYNCOOKIES_SENT);
        syn(m, 3);
        ok(npkts(m) == 0 && queues(m).synq == 0,
           "mode %d: SYN with the accept queue full (2 > 1): no reply, nothing queued", mode);
        ok(ctr(m, LQ_CTR_LISTEN_OVERFLOWS) == 1 && ctr(m, LQ_CTR_LISTEN_DROPS) == 1,
           "mode %d: ListenOverflows 1, ListenDrops 1", mode);
        /* With syncookies=2 tcp_syn_flood_action() runs first and counts
         * TCPReqQFullDoCookies; the cookie is never sent. */
        ok(ctr(m, LQ_CTR_REQQ_FULL_DO_COOKIES) - docook == (mode == 2 ? 1u : 0u) &&
               ctr(m, LQ_CTR_SYNCOOKIES_SENT) == sent,
           "mode %d: TCPReqQFullDoCookies +%d, SyncookiesSent +0", mode, mode == 2);
        uint16_t conn, mss;
        lq_model_accept(m, &conn, &mss);
        inv(m, "accept");
        syn(m, 4);
        ok(synack_of(m, 4) != NULL, "mode %d: after one accept() (acceptq 1) a SYN is answered",
           mode);
        lq_model_free(m);
    }

    /* Before 4.10 (5ea8ea2cb7f1, notes Q6): "if (sk_acceptq_is_full(sk) &&
     * inet_csk_reqsk_queue_young(sk) > 1)". A full accept queue is made by
     * lowering N under it with a second listen(). */
    const char *vers[] = {"4.9", "4.10"};
    for (int v = 0; v < 2; v++) {
        struct lq_model *m = mk(vers[v]);
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
        listen_n(m, 10);
        for (uint16_t c = 1; c <= 6; c++)
            handshake(m, c);
        listen_n(m, 5); /* acceptq 6 > 5: full; SYN queue limit qlen >= 5 */
        int answered = synack_run(m, 100, 10);
        if (v == 0)
            ok(answered == 2 && ctr(m, LQ_CTR_LISTEN_OVERFLOWS) == 1,
               "4.9: full accept queue drops a SYN only once young > 1: 2 answered (got %d)",
               answered);
        else
            ok(answered == 0 && ctr(m, LQ_CTR_LISTEN_OVERFLOWS) == 1,
               "4.10: full accept queue drops every SYN (got %d answered)", answered);
        lq_model_free(m);
    }
}

/* ---- the last quarter of tcp_max_syn_backlog ---- */

static void test_quarter_rule(void)
{
    /* tcp_conn_request(), cookies off, not a cookie:
     *   if (!syncookies && (max_syn_backlog - inet_csk_reqsk_queue_len(sk) <
     *       (max_syn_backlog >> 2)) && !tcp_peer_is_proven(req, dst)) drop
     * The k-th SYN (1-based) sees qlen = k - 1. First dropped k, by hand:
     *   8:   8 - q < 2   -> q > 6   -> k = 8
     *   16:  16 - q < 4  -> q > 12  -> k = 14
     *   128: 128 - q < 32 -> q > 96 -> k = 98
     *   3:   3 - q < 0   -> q > 3   -> k = 5
     *   0:   0 - q < 0   -> q > 0   -> k = 2
     *   -4:  -4 - q < -1 (arithmetic shift) -> always -> k = 1 */
    const struct {
        int msb, first_drop;
    } rows[] = {{8, 8}, {16, 14}, {128, 98}, {3, 5}, {0, 2}, {-4, 1}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = mk("6.18.44");
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
        lq_model_set_sysctl(m, LQ_SYSCTL_MAX_SYN_BACKLOG, rows[i].msb);
        listen_n(m, 1000); /* N = 1000 (somaxconn 4096): the SYN queue never fills */
        int answered = synack_run(m, 1, 200);
        ok(answered + 1 == rows[i].first_drop && ctr(m, LQ_CTR_LISTEN_DROPS) == 1 &&
               ctr(m, LQ_CTR_REQQ_FULL_DROP) == 0,
           "max_syn_backlog %d: SYN %d is the first dropped (ListenDrops 1, no "
           "TCPReqQFullDrop; got %d)",
           rows[i].msb, rows[i].first_drop, answered + 1);
        lq_model_free(m);
    }
    /* tcp_max_syn_backlog = INT_MIN (-2147483648, which proc_dointvec takes)
     * once a request is queued: the kernel's int arithmetic wraps
     * (-fno-strict-overflow), INT_MIN - 1 = INT_MAX, which is not below
     * INT_MIN >> 2 = -536870912: the SYN is queued. With no request queued,
     * INT_MIN - 0 < -536870912 drops it. */
    {
        struct lq_model *m = mk("6.18.44");
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
        listen_n(m, 1000);
        syn(m, 1); /* max_syn_backlog 128: queued, qlen 1 */
        lq_model_set_sysctl(m, LQ_SYSCTL_MAX_SYN_BACKLOG, -2147483647 - 1);
        syn(m, 2);
        ok(synack_of(m, 2) && queues(m).synq == 2 && ctr(m, LQ_CTR_LISTEN_DROPS) == 0,
           "max_syn_backlog INT_MIN, qlen 1: INT_MIN - 1 wraps to INT_MAX, SYN queued");
        lq_model_free(m);
        m = mk("6.18.44");
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
        lq_model_set_sysctl(m, LQ_SYSCTL_MAX_SYN_BACKLOG, -2147483647 - 1);
        listen_n(m, 1000);
        syn(m, 1);
        ok(!synack_of(m, 1) && ctr(m, LQ_CTR_LISTEN_DROPS) == 1,
           "max_syn_backlog INT_MIN, qlen 0: INT_MIN < INT_MIN >> 2, SYN dropped");
        lq_model_free(m);
    }
    /* With cookies on the clause does not apply ("!syncookies &&"). */
    struct lq_model *m = mk("6.18.44");
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 1);
    lq_model_set_sysctl(m, LQ_SYSCTL_MAX_SYN_BACKLOG, 8);
    listen_n(m, 1000);
    is_int(synack_run(m, 1, 50), 50, "max_syn_backlog 8, cookies on: 50 SYNs all queued");
    lq_model_free(m);
}

/* ---- the SYN-ACK ---- */

static void test_synack_options(void)
{
    /* tcp_make_synack(): seq = snt_isn, ack = rcv_nxt = SYN seq + 1; MSS option is the
     * route's advmss (live: always 1460); wscale only with ireq->wscale_ok, which
     * tcp_parse_options sets for a SYN with the option only if tcp_window_scaling;
     * likewise SACK-permitted (tcp_sack) and TS (tcp_timestamps). rcv_wscale 7 from
     * tcp_select_initial_window with tcp_rmem[2] 6 MiB: ilog2(6291456) - 15 = 7.
     * Window: min(rsk_rcv_wnd, 65535), rsk_rcv_wnd = rounddown(65536, mss) with
     * mss = 1460 (64240) or 1460 - 12 with TS (1448 * 45 = 65160). */
    struct {
        const char *what;
        bool mss, ws, sack, ts;
        uint16_t cmss;
        int wsysctl, ssysctl, tsysctl;
        bool e_ws, e_sack, e_ts;
        uint16_t e_win;
    } rows[] = {
        {"no options", false, false, false, false, 0, 1, 1, 1, false, false, false, 64240},
        {"MSS 536 only", true, false, false, false, 536, 1, 1, 1, false, false, false, 64240},
        {"MSS 9000 only", true, false, false, false, 9000, 1, 1, 1, false, false, false, 64240},
        {"all options", true, true, true, true, 1460, 1, 1, 1, true, true, true, 65160},
        {"all, window_scaling=0", true, true, true, true, 1460, 0, 1, 1, false, true, true, 65160},
        {"all, sack=0", true, true, true, true, 1460, 1, 0, 1, true, false, true, 65160},
        {"all, timestamps=0", true, true, true, true, 1460, 1, 1, 0, true, true, false, 64240},
        {"wscale only", true, true, false, false, 1460, 1, 1, 1, true, false, false, 64240},
        {"SACK only", true, false, true, false, 1460, 1, 1, 1, false, true, false, 64240},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = mk("6.18.44");
        lq_model_set_sysctl(m, LQ_SYSCTL_WINDOW_SCALING, rows[i].wsysctl);
        lq_model_set_sysctl(m, LQ_SYSCTL_SACK, rows[i].ssysctl);
        lq_model_set_sysctl(m, LQ_SYSCTL_TIMESTAMPS, rows[i].tsysctl);
        listen_n(m, 8);
        struct lq_seg s = mkseg(1, LQ_TH_SYN, cisn(1), 0);
        s.opt.has_mss = rows[i].mss;
        s.opt.mss = rows[i].cmss;
        s.opt.has_wscale = rows[i].ws;
        s.opt.wscale = 2;
        s.opt.sack_perm = rows[i].sack;
        s.opt.has_ts = rows[i].ts;
        s.opt.tsval = 12345;
        input(m, s);
        const struct lq_model_pkt *sa = synack_of(m, 1);
        if (!ok(sa && !sa->cookie && npkts(m) == 1, "%s: one SYN-ACK", rows[i].what))
            continue;
        const struct lq_seg *o = &sa->seg;
        ok(o->sport == LPORT && o->dport == 20001 && o->ack == cisn(1) + 1,
           "%s: ports swapped, ack = ISN + 1", rows[i].what);
        ok(o->opt.has_mss && o->opt.mss == 1460, "%s: MSS option 1460", rows[i].what);
        ok(o->opt.has_wscale == rows[i].e_ws && (!rows[i].e_ws || o->opt.wscale == 7),
           "%s: wscale %s", rows[i].what, rows[i].e_ws ? "7" : "absent");
        is_int(o->opt.sack_perm, rows[i].e_sack, "%s: SACK-permitted %s", rows[i].what,
               rows[i].e_sack ? "present" : "absent");
        ok(o->opt.has_ts == rows[i].e_ts && (!rows[i].e_ts || o->opt.tsecr == 12345), "%s: TS %s",
           rows[i].what, rows[i].e_ts ? "present, TSecr = SYN TSval" : "absent");
        is_int(o->win, rows[i].e_win, "%s: window %u", rows[i].what, rows[i].e_win);
        lq_model_free(m);
    }

    /* Cookie mode: "if (want_cookie && !tmp_opt.saw_tstamp) tcp_clear_options(&tmp_opt)"
     * (wscale and SACK cannot be encoded without the TS option). */
    for (int ts = 0; ts <= 1; ts++) {
        struct lq_model *m = mk("6.18.44");
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 2);
        listen_n(m, 8);
        struct lq_seg s = mksyn(1);
        s.opt.has_wscale = true;
        s.opt.wscale = 5;
        s.opt.sack_perm = true;
        s.opt.has_ts = ts;
        s.opt.tsval = 777;
        input(m, s);
        const struct lq_model_pkt *sa = synack_of(m, 1);
        ok(sa && sa->cookie, "cookie SYN-ACK (%s TS)", ts ? "with" : "without");
        if (sa) {
            ok(sa->seg.opt.has_mss && sa->seg.opt.mss == 1460, "cookie, %s TS: MSS 1460",
               ts ? "with" : "without");
            ok(sa->seg.opt.has_wscale == ts && sa->seg.opt.sack_perm == ts &&
                   sa->seg.opt.has_ts == ts,
               "cookie %s TS: wscale/SACK %s", ts ? "with" : "without", ts ? "kept" : "cleared");
            is_int(sa->seg.ack, cisn(1) + 1, "cookie SYN-ACK acks ISN + 1");
        }
        lq_model_free(m);
    }
}

/* ---- other segments to the listener ---- */

static void test_listener_flags(void)
{
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);

    /* TCP_LISTEN: if (th->syn) { if (th->fin) goto discard; } -- no ListenDrops */
    input(m, mkseg(1, LQ_TH_SYN | LQ_TH_FIN, cisn(1), 0));
    ok(npkts(m) == 0 && queues(m).synq == 0 && ctr(m, LQ_CTR_LISTEN_DROPS) == 0,
       "SYN|FIN: dropped silently, nothing queued, no ListenDrops");

    /* if (th->rst) goto discard (before th->syn) */
    input(m, mkseg(2, LQ_TH_SYN | LQ_TH_RST, cisn(2), 0));
    ok(npkts(m) == 0 && queues(m).synq == 0, "SYN|RST: dropped silently");
    input(m, mkseg(3, LQ_TH_RST, cisn(3), 0));
    ok(npkts(m) == 0, "bare RST: dropped silently");

    /* if (th->ack) return reason -> tcp_v4_send_reset: seq = SEG.ACK, RST only.
     * A SYN|ACK skips tcp_v4_cookie_check ("if (!th->syn)"). */
    input(m, mkseg(4, LQ_TH_SYN | LQ_TH_ACK, cisn(4), 0xabcdef01u));
    const struct lq_model_out *o = lq_model_output(m);
    ok(o->npkts == 1 && o->pkts[0].seg.flags == LQ_TH_RST && o->pkts[0].seg.seq == 0xabcdef01u &&
           o->pkts[0].seg.conn == 4,
       "SYN|ACK to the listener: RST with seq = SEG.ACK");
    input(m, mkseg(5, LQ_TH_ACK, cisn(5), 0x12345678u));
    o = lq_model_output(m);
    ok(o->npkts == 1 && o->pkts[0].seg.flags == LQ_TH_RST && o->pkts[0].seg.seq == 0x12345678u,
       "stray ACK (no cookie recently sent): RST with seq = SEG.ACK");
    is_int(ctr(m, LQ_CTR_OUT_RSTS), 2, "OutRsts 2");
    is_int(ctr(m, LQ_CTR_SYNCOOKIES_FAILED), 0, "no recent overflow: no cookie check");

    /* neither SYN, ACK nor RST: "SKB_DR_SET(reason, TCP_FLAGS); goto discard" */
    struct lq_seg fin = mkseg(6, LQ_TH_FIN, cisn(6), 0);
    fin.len = 10;
    input(m, fin);
    ok(npkts(m) == 0, "FIN with data to the listener: dropped silently");

    /* SYN with data: tcp_openreq_init: rcv_nxt = seq + 1; the data is not acked. */
    struct lq_seg sd = mksyn(7);
    sd.len = 100;
    input(m, sd);
    const struct lq_model_pkt *sa = synack_of(m, 7);
    ok(sa && sa->seg.ack == cisn(7) + 1, "SYN with 100 bytes: SYN-ACK acks ISN + 1 only");
    is_int(queues(m).synq, 1, "SYN with data queued a request");

    /* A SYN with MSS option 0 is taken as no option: "if (in_mss)". It still
     * gets a SYN-ACK with MSS 1460. */
    struct lq_seg s0 = mksyn(8);
    s0.opt.mss = 0;
    input(m, s0);
    sa = synack_of(m, 8);
    ok(sa && sa->seg.opt.mss == 1460, "SYN with MSS 0: answered, MSS 1460");
    lq_model_free(m);

    /* Nothing listening: tcp_v4_rcv no_tcp_socket -> tcp_v4_send_reset: a SYN gets
     * RST|ACK with seq 0, ack = seq + 1 (+ data length). */
    m = mk("6.18.44");
    struct lq_seg s = mksyn(1);
    s.len = 5;
    input(m, s);
    o = lq_model_output(m);
    ok(o->npkts == 1 && o->pkts[0].seg.flags == (LQ_TH_RST | LQ_TH_ACK) &&
           o->pkts[0].seg.seq == 0 && o->pkts[0].seg.ack == cisn(1) + 1 + 5,
       "SYN to a closed port: RST|ACK, seq 0, ack = seq + 1 + len");
    lq_model_free(m);
}

/* ---- TCP_MAXSEG on the listener ---- */

static void test_user_mss(void)
{
    /* tcp_sock_set_maxseg(): 0, or TCP_MIN_MSS (88) .. MAX_TCP_WINDOW (32767). */
    struct lq_model *m = mk("6.12.117");
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_MAXSEG, 87), -EINVAL, "TCP_MAXSEG 87: EINVAL");
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_MAXSEG, 32768), -EINVAL, "TCP_MAXSEG 32768: EINVAL");
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_MAXSEG, 1024), 0, "TCP_MAXSEG 1024: 0");
    listen_n(m, 4);
    syn(m, 1); /* MSS option 1460 */
    const struct lq_model_pkt *sa = synack_of(m, 1);
    /* tcp_make_synack: mss = tcp_mss_clamp(tp, tcp_dst_advmss(dst)) = 1024 */
    ok(sa && sa->seg.opt.has_mss && sa->seg.opt.mss == 1024, "user_mss 1024: SYN-ACK MSS 1024");
    /* rsk_rcv_wnd = rounddown(tcp_full_space 65536, 1024) = 65536; the SYN-ACK
     * window field is min(rsk_rcv_wnd, 65535) */
    ok(sa && sa->seg.win == 65535, "user_mss 1024: SYN-ACK window 65535");
    uint16_t conn = 0, mss = 0;
    if (sa)
        input(m, mkseg(1, LQ_TH_ACK, cisn(1) + 1, sa->seg.seq + 1));
    /* the child's mss_cache: min(1460, mss_clamp = min(1460, user_mss)) */
    ok(lq_model_accept(m, &conn, &mss) == 0 && conn == 1 && mss == 1024,
       "user_mss 1024: the child's TCP_MAXSEG is 1024");
    /* the next scenario has a new listener socket: no user_mss */
    lq_model_reset(m);
    listen_n(m, 4);
    syn(m, 3);
    sa = synack_of(m, 3);
    ok(sa && sa->seg.opt.mss == 1460, "after lq_model_reset: SYN-ACK MSS 1460 again");
    lq_model_free(m);

    /* A SYN without the MSS option keeps TCP_MSS_DEFAULT: tcp_parse_options
     * applies user_mss only to an MSS option it sees. */
    m = mk("6.12.117");
    lq_model_setsockopt(m, LQ_SOCKOPT_MAXSEG, 200);
    listen_n(m, 4);
    struct lq_seg s = mksyn(2);
    s.opt.has_mss = false;
    input(m, s);
    sa = synack_of(m, 2);
    ok(sa && sa->seg.opt.mss == 200, "user_mss 200: SYN-ACK MSS 200");
    if (sa)
        input(m, mkseg(2, LQ_TH_ACK, cisn(2) + 1, sa->seg.seq + 1));
    ok(lq_model_accept(m, &conn, &mss) == 0 && conn == 2 && mss == 536,
       "user_mss 200, no MSS option: the child's TCP_MAXSEG is 536");
    lq_model_free(m);
}

int main(void)
{
    test_synq_limit();
    test_syncookies_modes();
    test_acceptq_full();
    test_quarter_rule();
    test_synack_options();
    test_listener_flags();
    test_user_mss();
    is_int(inv_broken, 0, "lq_model_check_invariants() held after every step");
    return tap_done();
}
