/* tests/unit/test_model_accept.c: accept(2) and what it returns.
 *
 * Expectations from inet_csk_accept() / reqsk_queue_remove()
 * (net/ipv4/inet_connection_sock.c), tcp_reset() / tcp_done() / tcp_set_state()
 * (a reset child stays in the accept queue), tcp_v4_syn_recv_sock() ->
 * tcp_sync_mss() / __tcp_mtu_to_mss() / tcp_bound_to_half_wnd() (tcp_output.c,
 * include/net/tcp.h) for getsockopt(TCP_MAXSEG), and the live facts measured on
 * 6.18.44: client MSS 1460 -> 1460, with TS -> 1448, no MSS option -> 536,
 * MSS 40 -> 48, 1300 -> 1300.
 */
#include <errno.h>
#include <stdlib.h>

#include "model/model.h"
#include "model_test.h"

/* ---- helpers (each test file is self-contained) ---- */

static int accept1(struct lq_model *m, uint16_t *conn, uint16_t *mss)
{
    int rc = lq_model_accept(m, conn, mss);
    inv(m, "accept");
    return rc;
}

struct hs {
    bool has_mss;
    uint16_t mss;
    bool ts;
    uint16_t ack_win; /* window of the third ACK */
};

/* SYN with the given options; returns the SYN-ACK's seq and TSval. */
static uint32_t syn_with(struct lq_model *m, uint16_t conn, struct hs h, uint32_t *tsval)
{
    struct lq_seg s = mkseg(conn, LQ_TH_SYN, cisn(conn), 0);
    s.opt.has_mss = h.has_mss;
    s.opt.mss = h.mss;
    s.opt.has_ts = h.ts;
    s.opt.tsval = 100;
    input(m, s);
    const struct lq_model_out *o = lq_model_output(m);
    if (!o->npkts) {
        printf("Bail out! no SYN-ACK for conn %u\n", conn);
        exit(1);
    }
    if (tsval)
        *tsval = o->pkts[0].seg.opt.tsval;
    return o->pkts[0].seg.seq;
}

static struct lq_seg third_ack(uint16_t conn, uint32_t srv, struct hs h, uint32_t tsval)
{
    struct lq_seg a = mkseg(conn, LQ_TH_ACK, cisn(conn) + 1, srv + 1);
    a.win = h.ack_win;
    if (h.ts) {
        a.opt.has_ts = true;
        a.opt.tsval = 101;
        a.opt.tsecr = tsval;
    }
    return a;
}

static void handshake(struct lq_model *m, uint16_t conn)
{
    struct hs h = {true, 1460, false, 64240};
    uint32_t srv = syn_with(m, conn, h, NULL);
    input(m, third_ack(conn, srv, h, 0));
}

/* ---- errors and order ---- */

static void test_errors(void)
{
    struct lq_model *m = mk("6.18.44");
    uint16_t conn = 0xffff, mss = 0xffff;
    /* inet_csk_accept: "if (sk->sk_state != TCP_LISTEN) goto out_err" with -EINVAL */
    is_int(accept1(m, &conn, &mss), -EINVAL, "accept before listen(): EINVAL");
    ok(lq_model_output(m)->npkts == 0, "... sends nothing");
    lq_model_listen(m, LPORT, 4);
    /* reqsk_queue_empty, O_NONBLOCK: -EAGAIN */
    is_int(accept1(m, &conn, &mss), -EAGAIN, "accept on an empty queue: EAGAIN");
    /* a request in the SYN queue is not acceptable */
    struct hs h = {true, 1460, false, 64240};
    syn_with(m, 1, h, NULL);
    is_int(accept1(m, &conn, &mss), -EAGAIN, "a pending request is not accepted: EAGAIN");
    lq_model_free(m);
}

static void test_fifo(void)
{
    /* inet_csk_reqsk_queue_add appends at rskq_accept_tail; reqsk_queue_remove
     * takes rskq_accept_head: completion order, not SYN order. */
    struct lq_model *m = listener("6.18.44", 8);
    struct hs h = {true, 1460, false, 64240};
    uint32_t s1 = syn_with(m, 1, h, NULL);
    uint32_t s2 = syn_with(m, 2, h, NULL);
    uint32_t s3 = syn_with(m, 3, h, NULL);
    input(m, third_ack(3, s3, h, 0));
    input(m, third_ack(1, s1, h, 0));
    input(m, third_ack(2, s2, h, 0));
    const uint16_t want[] = {3, 1, 2};
    for (int i = 0; i < 3; i++) {
        uint16_t conn = 0, mss = 0;
        int rc = accept1(m, &conn, &mss);
        ok(rc == 0 && conn == want[i], "accept %d -> conn %u (completion order)", i + 1, want[i]);
    }
    uint16_t conn, mss;
    is_int(accept1(m, &conn, &mss), -EAGAIN, "then EAGAIN");
    /* interleaved: complete 4, accept, complete 5 and 6, accept twice */
    handshake(m, 4);
    ok(accept1(m, &conn, &mss) == 0 && conn == 4, "conn 4");
    handshake(m, 5);
    handshake(m, 6);
    ok(accept1(m, &conn, &mss) == 0 && conn == 5, "conn 5");
    ok(accept1(m, &conn, &mss) == 0 && conn == 6, "conn 6");
    is_int(acceptq(m), 0, "accept queue empty");
    lq_model_free(m);

    /* Cookie children join the same queue in the same order. */
    m = listener("6.18.44", 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 1);
    lq_model_listen(m, LPORT, 0);         /* N = 0: the SYN queue takes one, then cookies */
    uint32_t a = syn_with(m, 1, h, NULL); /* queued */
    uint32_t b = syn_with(m, 2, h, NULL); /* cookie (qlen 1 > 0) */
    ok(lq_model_output(m)->pkts[0].cookie, "conn 2 got a cookie");
    input(m, third_ack(2, b, h, 0));
    is_int(acceptq(m), 1, "cookie child queued");
    input(m, third_ack(1, a, h, 0)); /* acceptq 1 > 0: full -> kept */
    is_int(acceptq(m), 1, "request's ACK with acceptq 1 > N 0: not queued");
    ok(accept1(m, &conn, &mss) == 0 && conn == 2, "the cookie child comes out first");
    input(m, third_ack(1, a, h, 0));
    ok(accept1(m, &conn, &mss) == 0 && conn == 1, "then the request's child");
    lq_model_free(m);
}

/* ---- a child reset while queued ---- */

static void test_reset_child(void)
{
    struct lq_model *m = listener("6.18.44", 8);
    struct hs h = {true, 1460, false, 64240};
    uint32_t srv = syn_with(m, 1, h, NULL);
    input(m, third_ack(1, srv, h, 0));
    /* tcp_validate_incoming: RST with seq == rcv_nxt -> tcp_reset -> tcp_done:
     * TCP_CLOSE (EstabResets from ESTABLISHED), unhashed; not SOCK_DEAD, so it
     * stays in the accept queue (only the listener's close would purge it). */
    input(m, mkseg(1, LQ_TH_RST, cisn(1) + 1, 0));
    ok(lq_model_output(m)->npkts == 0 && acceptq(m) == 1 && ctr(m, LQ_CTR_ESTAB_RESETS) == 1,
       "exact RST to a queued child: reset (EstabResets 1), still queued");
    /* unhashed: the 4-tuple now reaches the listener, which RSTs an ACK */
    input(m, mkseg(1, LQ_TH_ACK, cisn(1) + 1, srv + 1));
    const struct lq_model_out *o = lq_model_output(m);
    ok(o->npkts == 1 && o->pkts[0].seg.flags == LQ_TH_RST && o->pkts[0].seg.seq == srv + 1,
       "the reset child is unhashed: an ACK for it gets the listener's RST");
    uint16_t conn = 0, mss = 0;
    ok(accept1(m, &conn, &mss) == 0 && conn == 1 && mss == 1460,
       "accept() still returns the reset child");
    /* the same 4-tuple can start over */
    syn_with(m, 1, h, NULL);
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    is_int(q.synq, 1, "a new SYN on the reset 4-tuple makes a new request");
    lq_model_free(m);
}

/* ---- getsockopt(TCP_MAXSEG) of the accepted socket ---- */

static void test_mss(void)
{
    /* tcp_sync_mss(child, 1500): __tcp_mtu_to_mss = max(min(1500 - 20 - 20, mss_clamp),
     * tcp_min_snd_mss 48), minus (tcp_header_len - 20) = 12 with TS; then
     * tcp_bound_to_half_wnd with max_window = the third ACK's window (64240 here:
     * cutoff 32120, no effect). mss_clamp = the SYN's MSS option, 536 without. */
    const struct {
        bool has;
        uint16_t mss;
        bool ts;
        uint16_t want;
        const char *src;
    } rows[] = {
        {true, 1460, false, 1460, "live"},
        {true, 1460, true, 1448, "live"},
        {false, 0, false, 536, "live"},
        {true, 40, false, 48, "live"},
        {true, 1300, false, 1300, "live"},
        {true, 9000, false, 1460, "min(1460, 9000)"},
        {true, 9000, true, 1448, "1460 - 12"},
        {true, 536, true, 524, "536 - 12"},
        {true, 40, true, 36, "max(40, 48) - 12"},
        {true, 1, false, 48, "max(1, 48)"},
        {true, 49, false, 49, "above the floor"},
        {true, 0, false, 536, "an MSS option of 0 is ignored"},
        {false, 0, true, 524, "536 - 12"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = listener("6.18.44", 8);
        struct hs h = {rows[i].has, rows[i].mss, rows[i].ts, 64240};
        uint32_t tsval = 0;
        uint32_t srv = syn_with(m, 1, h, &tsval);
        input(m, third_ack(1, srv, h, tsval));
        uint16_t conn = 0, mss = 0;
        int rc = accept1(m, &conn, &mss);
        ok(rc == 0 && mss == rows[i].want, "client MSS %s%u%s -> TCP_MAXSEG %u (%s; got %u)",
           rows[i].has ? "" : "none/", rows[i].mss, rows[i].ts ? " + TS" : "", rows[i].want,
           rows[i].src, mss);
        lq_model_free(m);
    }

    /* tcp_create_openreq_child: max_window = snd_wnd = the third ACK's window <<
     * snd_wscale; tcp_bound_to_half_wnd: cutoff = max_window > 536 ? max_window / 2 :
     * max_window; if (cutoff && mss > cutoff) mss = max(cutoff, 68 - tcp_header_len). */
    const struct {
        uint16_t win;
        bool ts;
        uint16_t want;
    } wins[] = {
        {1000, false, 500},  /* cutoff 500 */
        {1000, true, 500},   /* 1448 > 500 -> max(500, 36) */
        {400, false, 400},   /* <= 536: cutoff 400 */
        {60, false, 60},     /* max(60, 48) */
        {40, false, 48},     /* max(40, 68 - 20) */
        {0, false, 1460},    /* cutoff 0: no bound */
        {2920, false, 1460}, /* cutoff 1460: not exceeded */
    };
    for (size_t i = 0; i < sizeof(wins) / sizeof(wins[0]); i++) {
        struct lq_model *m = listener("6.18.44", 8);
        struct hs h = {true, 1460, wins[i].ts, wins[i].win};
        uint32_t tsval = 0;
        uint32_t srv = syn_with(m, 1, h, &tsval);
        input(m, third_ack(1, srv, h, tsval));
        uint16_t conn = 0, mss = 0;
        int rc = accept1(m, &conn, &mss);
        ok(rc == 0 && mss == wins[i].want, "third ACK window %u%s -> TCP_MAXSEG %u (got %u)",
           wins[i].win, wins[i].ts ? " + TS" : "", wins[i].want, mss);
        lq_model_free(m);
    }
}

int main(void)
{
    test_errors();
    test_fifo();
    test_reset_child();
    test_mss();
    is_int(inv_broken, 0, "lq_model_check_invariants() held after every step");
    return tap_done();
}
