/* tests/unit/test_model_timer.c: the SYN-ACK retransmission timer.
 *
 * Expectations from reqsk_timer_handler() and syn_ack_recalc()
 * (net/ipv4/inet_connection_sock.c), tcp_reqsk_timeout() (include/net/tcp.h:
 * min(req->timeout << num_timeout, rto_max), TCP_TIMEOUT_INIT 1 s, TCP_RTO_MAX
 * 120 s), tcp_syn_ack_timeout() / tcp_rtx_synack() (TCPTimeouts, RetransSegs,
 * TCPSynRetrans), tcp_check_req()'s mod_timer_pending() for a retransmitted
 * SYN, and the timer wheel's order for timers due together (enqueue_timer()
 * adds at the bucket head, expire_timers() takes the head first). All times
 * are computed by hand in the comments.
 */
#include <stdlib.h>

#include "model/model.h"
#include "model_test.h"

/* ---- helpers (each test file is self-contained) ---- */

/* SYN; returns the server ISN. */
static uint32_t syn(struct lq_model *m, uint16_t conn)
{
    input(m, mksyn(conn));
    const struct lq_model_out *o = lq_model_output(m);
    return o->npkts ? o->pkts[0].seg.seq : 0;
}

static int synq(const struct lq_model *m)
{
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    return q.synq;
}

static bool took(const struct lq_model *m, enum lq_dp dp)
{
    const struct lq_model_out *o = lq_model_output(m);
    for (size_t i = 0; i < o->ndps; i++)
        if (o->dps[i] == dp)
            return true;
    return false;
}

/* Runs the timers for `total` ms in one call and checks that the SYN-ACKs of
 * conn 1 left at exactly the times in want[] (ms from now), from the timer. */
static void expect_resends(struct lq_model *m, uint64_t total, const uint64_t *want, size_t n,
                           const char *what)
{
    uint64_t t0 = lq_model_now(m);
    advance(m, total);
    const struct lq_model_out *o = lq_model_output(m);
    bool same = o->npkts == n;
    for (size_t i = 0; same && i < n; i++)
        same = o->pkts[i].t_ms - t0 == want[i] && o->pkts[i].timing == LQ_PKT_TIMER &&
               o->pkts[i].seg.flags == (LQ_TH_SYN | LQ_TH_ACK);
    if (!same)
        for (size_t i = 0; i < o->npkts; i++)
            tap_diag("  got SYN-ACK %zu at %llu ms", i, (unsigned long long)(o->pkts[i].t_ms - t0));
    ok(same, "%s: %zu SYN-ACK retransmissions at the expected times", what, n);
}

/* ---- the default timeline ---- */

static void test_default_timeline(void)
{
    /* tcp_synack_retries 5: the timer fires at 1 s, then re-arms at
     * now + 1 s << num_timeout: 1, 3, 7, 15, 31 s (resend, num_timeout 1..5); at
     * 63 s num_timeout 5 >= 5: expire. TCPTimeouts counts every run (6),
     * RetransSegs/TCPSynRetrans every resend (5). */
    struct lq_model *m = listener("6.18.44", 8);
    uint32_t srv = syn(m, 1);
    const uint64_t times[] = {1000, 3000, 7000, 15000, 31000, 63000};
    uint64_t t = 0;
    for (int i = 0; i < 6; i++) {
        advance(m, times[i] - 1 - t);
        ok(npkts(m) == 0 && synq(m) == 1, "nothing at %llu ms", (unsigned long long)times[i] - 1);
        advance(m, 1);
        t = times[i];
        const struct lq_model_out *o = lq_model_output(m);
        if (i < 5)
            ok(o->npkts == 1 && o->pkts[0].seg.seq == srv && o->pkts[0].seg.ack == cisn(1) + 1 &&
                   o->pkts[0].t_ms == times[i] && o->pkts[0].timing == LQ_PKT_TIMER,
               "SYN-ACK retransmission %d at %llu ms", i + 1, (unsigned long long)times[i]);
        else
            ok(o->npkts == 0 && synq(m) == 0 && took(m, LQ_DP_TIMER_EXPIRE),
               "request removed at 63 s, silently");
    }
    ok(ctr(m, LQ_CTR_TCP_TIMEOUTS) == 6 && ctr(m, LQ_CTR_RETRANS_SEGS) == 5 &&
           ctr(m, LQ_CTR_TCP_SYN_RETRANS) == 5,
       "TCPTimeouts 6, RetransSegs 5, TCPSynRetrans 5");
    lq_model_free(m);

    /* The same in one lq_model_advance(63000). */
    m = listener("6.18.44", 8);
    syn(m, 1);
    const uint64_t w[] = {1000, 3000, 7000, 15000, 31000};
    expect_resends(m, 63000, w, 5, "synack_retries 5, one advance");
    is_int(synq(m), 0, "... and the request is gone");
    lq_model_free(m);
}

static void test_retries(void)
{
    /* synack_retries 0: at 1 s num_timeout 0 >= 0 -> expire, no resend. */
    struct lq_model *m = listener("6.18.44", 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNACK_RETRIES, 0);
    syn(m, 1);
    advance(m, 999);
    is_int(synq(m), 1, "synack_retries 0: kept until 1 s");
    advance(m, 1);
    ok(npkts(m) == 0 && synq(m) == 0 && ctr(m, LQ_CTR_TCP_TIMEOUTS) == 1 &&
           ctr(m, LQ_CTR_RETRANS_SEGS) == 0,
       "synack_retries 0: removed at 1 s without a resend (TCPTimeouts 1)");
    lq_model_free(m);

    /* synack_retries 1: resend at 1 s, expire at 3 s. */
    m = listener("6.18.44", 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNACK_RETRIES, 1);
    syn(m, 1);
    const uint64_t w1[] = {1000};
    expect_resends(m, 2999, w1, 1, "synack_retries 1");
    is_int(synq(m), 1, "synack_retries 1: kept at 2999 ms");
    advance(m, 1);
    ok(synq(m) == 0 && ctr(m, LQ_CTR_TCP_TIMEOUTS) == 2, "synack_retries 1: removed at 3 s");
    lq_model_free(m);

    /* synack_retries 8: the timeout doubles up to TCP_RTO_MAX (120 s):
     * 1, 3, 7, 15, 31, 63, 127 (+64), 247 (+min(128, 120)), expire at 367 (+120). */
    m = listener("6.18.44", 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNACK_RETRIES, 8);
    syn(m, 1);
    const uint64_t w8[] = {1000, 3000, 7000, 15000, 31000, 63000, 127000, 247000};
    expect_resends(m, 366999, w8, 8, "synack_retries 8 (TCP_RTO_MAX cap)");
    is_int(synq(m), 1, "synack_retries 8: kept at 366.999 s");
    advance(m, 1);
    is_int(synq(m), 0, "synack_retries 8: removed at 367 s");
    lq_model_free(m);

    /* TCP_SYNCNT: max_syn_ack_retries = icsk_syn_retries ? : sysctl_tcp_synack_retries. */
    m = listener("6.18.44", 8);
    lq_model_setsockopt(m, LQ_SOCKOPT_SYNCNT, 2);
    syn(m, 1);
    const uint64_t w2[] = {1000, 3000};
    expect_resends(m, 6999, w2, 2, "TCP_SYNCNT 2 over synack_retries 5");
    advance(m, 1);
    is_int(synq(m), 0, "TCP_SYNCNT 2: removed at 7 s");
    lq_model_free(m);

    m = listener("6.18.44", 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNACK_RETRIES, 0);
    lq_model_setsockopt(m, LQ_SOCKOPT_SYNCNT, 3);
    syn(m, 1);
    const uint64_t w3[] = {1000, 3000, 7000};
    expect_resends(m, 14999, w3, 3, "TCP_SYNCNT 3 over synack_retries 0");
    advance(m, 1);
    is_int(synq(m), 0, "TCP_SYNCNT 3: removed at 15 s");
    lq_model_free(m);

    /* The sysctl is read when the timer runs: raising it keeps the request. */
    m = listener("6.18.44", 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNACK_RETRIES, 1);
    syn(m, 1);
    advance(m, 2000);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNACK_RETRIES, 3);
    advance(m, 1000); /* 3 s: num_timeout 1 < 3 -> resend */
    ok(npkts(m) == 1 && synq(m) == 1, "synack_retries raised from 1 to 3 at 2 s: resend at 3 s");
    lq_model_free(m);
}

/* ---- pruning and the order of simultaneous timers ---- */

static void test_order_and_pruning(void)
{
    /* Three requests armed at t = 0 in the order 1, 2, 3 share a bucket: the last
     * armed (3) runs first. Each handler re-arms (mod_timer) in its run order, so at
     * 3 s the order is reversed again: 1, 2, 3. */
    struct lq_model *m = listener("6.18.44", 8);
    syn(m, 1);
    syn(m, 2);
    syn(m, 3);
    advance(m, 1000);
    const struct lq_model_out *o = lq_model_output(m);
    ok(o->npkts == 3 && o->pkts[0].seg.conn == 3 && o->pkts[1].seg.conn == 2 &&
           o->pkts[2].seg.conn == 1,
       "at 1 s the timers run last armed first: 3, 2, 1");
    advance(m, 2000);
    o = lq_model_output(m);
    ok(o->npkts == 3 && o->pkts[0].seg.conn == 1 && o->pkts[1].seg.conn == 2 &&
           o->pkts[2].seg.conn == 3,
       "at 3 s: 1, 2, 3 (re-armed in the order 3, 2, 1)");
    lq_model_free(m);

    /* reqsk_timer_handler pruning: if ((qlen << 1) > max(8, N)) { young <<= 1;
     * while (max_retries > 2) { if (qlen < young) break; max_retries--; young <<= 1; } }
     *
     * N = 4 (6.18: the SYN queue holds 5), 5 SYNs at t = 0, qlen 5: 10 > 8.
     * 1 s, run order 5,4,3,2,1 with young 5,4,3,2,1 before each:
     *   young 5,4,3: 2y >= 6 > 5 -> 5 retries; young 2: 4 -> 4 retries (8 > 5);
     *   young 1: 2 -> 4 -> 3 retries (8 > 5). num_timeout 0: all resend.
     * 3 s (order 1..5), young 0: retries fall to 2; num_timeout 1 < 2: all resend.
     * 7 s (order 5,4,3,2,1): conn 5 first, qlen 5 -> 2 retries, num_timeout 2 >= 2:
     *   expire. Then qlen 4: 8 > 8 is false, no pruning: 4 resends. */
    m = listener("6.18.44", 4);
    for (uint16_t c = 1; c <= 5; c++)
        syn(m, c);
    is_int(synq(m), 5, "N=4: 5 requests queued");
    advance(m, 1000);
    ok(npkts(m) == 5 && !took(m, LQ_DP_TIMER_EXPIRE), "1 s: 5 resends");
    advance(m, 2000);
    ok(npkts(m) == 5 && took(m, LQ_DP_TIMER_PRUNE) && !took(m, LQ_DP_TIMER_EXPIRE),
       "3 s: pruning lowers the retries to 2, still 5 resends");
    advance(m, 4000);
    o = lq_model_output(m);
    bool conn5 = false;
    for (size_t i = 0; i < o->npkts; i++)
        conn5 |= o->pkts[i].seg.conn == 5;
    ok(o->npkts == 4 && !conn5 && synq(m) == 4 && took(m, LQ_DP_TIMER_EXPIRE),
       "7 s: the first timer to run (conn 5) is pruned, the other 4 resend");
    /* qlen 4 from now on: no pruning, num_timeout 3: 15, 31 s resends, 63 s expiry. */
    advance(m, 8000);
    is_int(npkts(m), 4, "15 s: 4 resends (no pruning at qlen 4)");
    advance(m, 48000);
    ok(synq(m) == 0 && ctr(m, LQ_CTR_TCP_TIMEOUTS) == 5 + 5 + 5 + 4 + 4 + 4,
       "63 s: all gone; TCPTimeouts %d", 5 + 5 + 5 + 4 + 4 + 4);
    lq_model_free(m);

    /* N = 10, 6 requests: 12 > max(8, 10). At 7 s the run order is 6..1: conn 6
     * expires (qlen 6, young 0 -> 2 retries); then qlen 5: 10 > 10 is false. */
    m = listener("6.18.44", 10);
    for (uint16_t c = 1; c <= 6; c++)
        syn(m, c);
    advance(m, 6999);
    is_int(synq(m), 6, "N=10, 6 requests: all alive at 6.999 s");
    advance(m, 1);
    o = lq_model_output(m);
    bool conn6 = false;
    for (size_t i = 0; i < o->npkts; i++)
        conn6 |= o->pkts[i].seg.conn == 6;
    ok(o->npkts == 5 && !conn6 && synq(m) == 5, "N=10: conn 6 pruned at 7 s, 5 resends");
    lq_model_free(m);

    /* N = 10, 5 requests: 10 > 10 is false: no pruning, all live to 63 s. */
    m = listener("6.18.44", 10);
    for (uint16_t c = 1; c <= 5; c++)
        syn(m, c);
    advance(m, 62999);
    ok(synq(m) == 5 && ctr(m, LQ_CTR_RETRANS_SEGS) == 25,
       "N=10, 5 requests: no pruning, 25 resends by 62.999 s");
    advance(m, 1);
    is_int(synq(m), 0, "... all removed at 63 s");
    lq_model_free(m);

    /* max(8, N): N = 2, 5 requests (6.12's `>=` would stop at 2: use 6.18 and a
     * re-listen to hold 5): 10 > 8, same as the N = 4 case. */
    m = listener("6.18.44", 10);
    for (uint16_t c = 1; c <= 5; c++)
        syn(m, c);
    lq_model_listen(m, LPORT, 2);
    advance(m, 7000);
    is_int(synq(m), 4, "N lowered to 2 under 5 requests: max(8, 2) = 8, one pruned at 7 s");
    lq_model_free(m);
}

/* ---- TCP_DEFER_ACCEPT ---- */

static void test_defer(void)
{
    /* syn_ack_recalc with defer 4 (8 s), acked:
     *   expire = num_timeout >= max_retries && (!acked || num_timeout >= defer)
     *   resend = !acked || num_timeout >= defer - 1
     * 1, 3, 7 s (num_timeout 0, 1, 2): hold; 15 s (3): resend; 31 s (4): resend;
     * 63 s (5): 5 >= 5 && 5 >= 4: expire. */
    struct lq_model *m = listener("6.18.44", 8);
    lq_model_setsockopt(m, LQ_SOCKOPT_DEFER_ACCEPT, 8);
    uint32_t srv = syn(m, 1);
    advance(m, 100);
    input(m, mkseg(1, LQ_TH_ACK, cisn(1) + 1, srv + 1));
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_DEFER_ACCEPT_DROP) == 1, "bare ACK dropped (acked)");
    const uint64_t w[] = {14900, 30900};
    expect_resends(m, 62899, w, 2, "defer 8 s, acked: resends only at 15 and 31 s");
    ok(synq(m) == 1 && took(m, LQ_DP_TIMER_DEFER_HOLD), "held at 1, 3, 7 s; queued at 62.999 s");
    advance(m, 1);
    ok(synq(m) == 0 && ctr(m, LQ_CTR_TCP_TIMEOUTS) == 6 && ctr(m, LQ_CTR_RETRANS_SEGS) == 2,
       "removed at 63 s: TCPTimeouts 6, RetransSegs 2");
    lq_model_free(m);

    /* Same, not acked: resend = !acked -> the ordinary 5 resends. */
    m = listener("6.18.44", 8);
    lq_model_setsockopt(m, LQ_SOCKOPT_DEFER_ACCEPT, 8);
    syn(m, 1);
    const uint64_t w5[] = {1000, 3000, 7000, 15000, 31000};
    expect_resends(m, 63000, w5, 5, "defer 8 s, never acked: ordinary timeline");
    is_int(synq(m), 0, "... removed at 63 s");
    lq_model_free(m);

    /* synack_retries 2 < defer 4, acked: expire needs num_timeout >= 4 too.
     * 1, 3 s hold; 7 s (2): expire? 2 >= 2 && 2 >= 4: no; resend? 2 >= 3: no -> hold;
     * 15 s (3): resend; 31 s (4): 4 >= 2 && 4 >= 4: expire. */
    m = listener("6.18.44", 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNACK_RETRIES, 2);
    lq_model_setsockopt(m, LQ_SOCKOPT_DEFER_ACCEPT, 8);
    srv = syn(m, 1);
    input(m, mkseg(1, LQ_TH_ACK, cisn(1) + 1, srv + 1));
    const uint64_t w15[] = {15000};
    expect_resends(m, 30999, w15, 1, "synack_retries 2, defer 4, acked: one resend at 15 s");
    is_int(synq(m), 1, "kept past synack_retries until num_timeout reaches defer");
    advance(m, 1);
    is_int(synq(m), 0, "removed at 31 s");
    lq_model_free(m);

    /* Once num_timeout >= defer (after the 15 s run: 4) a bare ACK completes. */
    m = listener("6.18.44", 8);
    lq_model_setsockopt(m, LQ_SOCKOPT_DEFER_ACCEPT, 8);
    srv = syn(m, 1);
    struct lq_seg ack = mkseg(1, LQ_TH_ACK, cisn(1) + 1, srv + 1);
    input(m, ack);
    advance(m, 14999);
    input(m, ack);
    is_int(acceptq(m), 0, "defer 4: bare ACK at 14.999 s (num_timeout 3) still dropped");
    advance(m, 1);
    input(m, ack);
    is_int(acceptq(m), 1, "bare ACK after the 15 s run (num_timeout 4) creates the child");
    lq_model_free(m);
}

/* ---- a retransmitted SYN moves the timer ---- */

static void test_syn_pushes_timer(void)
{
    /* tcp_check_req: after tcp_rtx_synack, mod_timer_pending(&req->rsk_timer,
     * jiffies + tcp_reqsk_timeout(req)); num_timeout is unchanged. */
    struct lq_model *m = listener("6.18.44", 8);
    syn(m, 1);
    advance(m, 400);
    input(m, mksyn(1));
    is_int(npkts(m), 1, "retransmitted SYN at 400 ms answered");
    advance(m, 999); /* 1399 ms */
    is_int(npkts(m), 0, "the 1 s timer moved: nothing at 1 s .. 1399 ms");
    advance(m, 1);
    ok(npkts(m) == 1 && lq_model_output(m)->pkts[0].timing == LQ_PKT_TIMER,
       "timer SYN-ACK at 1400 ms (400 + 1000 << 0)");
    /* num_timeout 1: next at 1400 + 2000 = 3400. A SYN at 2000 ms (1600 ms after the
     * last answered one, not limited) moves it to 2000 + 1000 << 1 = 4000. */
    advance(m, 600);
    input(m, mksyn(1));
    is_int(npkts(m), 1, "retransmitted SYN at 2000 ms answered");
    advance(m, 1999);
    is_int(npkts(m), 0, "nothing at 3400 ms .. 3999 ms");
    advance(m, 1);
    is_int(npkts(m), 1, "timer SYN-ACK at 4000 ms (2000 + 1000 << 1)");
    ok(ctr(m, LQ_CTR_TCP_TIMEOUTS) == 2 && ctr(m, LQ_CTR_RETRANS_SEGS) == 4,
       "TCPTimeouts 2, RetransSegs 4 (2 from SYNs, 2 from the timer)");
    lq_model_free(m);

    /* A rate-limited SYN does not touch the timer. */
    m = listener("6.18.44", 8);
    syn(m, 1);
    advance(m, 100);
    input(m, mksyn(1)); /* answered: timer -> 1100 */
    advance(m, 200);
    input(m, mksyn(1)); /* limited (200 < 500): timer stays at 1100 */
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV) == 1, "SYN at 300 ms limited");
    advance(m, 799);
    is_int(npkts(m), 0, "nothing until 1099 ms");
    advance(m, 1);
    is_int(npkts(m), 1, "timer at 1100 ms, not 1300 ms");
    lq_model_free(m);

    /* Retransmitted SYNs do not count towards expiry: still removed at 63 s. */
    m = listener("6.18.44", 8);
    syn(m, 1);
    for (int i = 0; i < 3; i++) {
        advance(m, 600);
        input(m, mksyn(1));
    }
    /* SYNs at 600, 1200, 1800 ms, each 600 ms apart (answered), each pushing the
     * timer (num_timeout 0) to now + 1000: last to 2800. The timeline from there: 2800 (nt 0->1),
     * +2000 = 4800, +4000 = 8800, +8000 = 16800, +16000 = 32800, expire at +32000 = 64800. */
    advance(m, 64799 - 1800);
    is_int(synq(m), 1, "three SYN retransmissions: kept at 64.799 s");
    advance(m, 1);
    is_int(synq(m), 0, "removed at 64.8 s (5 timer resends after 2.8 s)");
    lq_model_free(m);
}

/* ---- at a kernel's own clock: the timer wheel's rounding ---- */

static void test_wheel(void)
{
    /* lq_model_set_wheel(): calc_wheel_index(expires, clk) picks the level by
     * delta = expires - clk (level 0 below 63 jiffies, level 1 below 504,
     * level 2 below 4032; LVL_START(n) = 63 << 3(n - 1)) and calc_index()
     * rounds up: bucket = ((expires >> 3 lvl) + 1) << 3 lvl. HZ 250, the
     * clock at J = 2^32 (a multiple of 64), so by hand:
     *   1 s   = 250 jiffies, level 1: (J + 250) >> 3 = J/8 + 31, + 1 = J/8 + 32:
     *           J + 256 = 1024 ms
     *   then num_timeout 1: 2 s = 500 jiffies from J + 256, level 1:
     *           (J + 756) >> 3 = J/8 + 94, + 1 -> J + 760 = 3040 ms
     *   then 4 s = 1000 jiffies from J + 760, level 2:
     *           (J + 1760) >> 6 = J/64 + 27, + 1 -> J + 1792 = 7168 ms */
    struct lq_model *m = mk("6.18.44");
    lq_model_set_clock(m, 0x100000000ull, 250);
    lq_model_set_wheel(m, true);
    lq_model_listen(m, LPORT, 8);
    syn(m, 1);
    const uint64_t want[] = {1024, 3040, 7168};
    expect_resends(m, 7168, want, 3, "HZ 250, the wheel's buckets");
    lq_model_free(m);

    /* the same with the wheel off: at expiry, 1000, 3000, 7000 ms */
    m = mk("6.18.44");
    lq_model_set_clock(m, 0x100000000ull, 250);
    lq_model_listen(m, LPORT, 8);
    syn(m, 1);
    const uint64_t plain[] = {1000, 3000, 7000};
    expect_resends(m, 7000, plain, 3, "HZ 250 without the wheel");
    lq_model_free(m);

    /* the bucket depends on where the arming jiffy is: armed at J + 5,
     * (J + 255) >> 3 = J/8 + 31, + 1 -> J + 256 again: 1004 ms after arming */
    m = mk("6.18.44");
    lq_model_set_clock(m, 0x100000000ull, 250);
    lq_model_set_wheel(m, true);
    lq_model_listen(m, LPORT, 8);
    advance(m, 20); /* 5 jiffies */
    syn(m, 1);
    const uint64_t later[] = {1004};
    expect_resends(m, 1004, later, 1, "armed 5 jiffies in: the same bucket, 1004 ms later");
    lq_model_free(m);
}

int main(void)
{
    test_default_timeline();
    test_wheel();
    test_retries();
    test_order_and_pruning();
    test_defer();
    test_syn_pushes_timer();
    is_int(inv_broken, 0, "lq_model_check_invariants() held after every step");
    return tap_done();
}
