/* tests/unit/test_model_child.c: segments to an established child.
 *
 * Expectations from net/ipv4/tcp_input.c (7.2.12; 6.12.117 where they
 * differ): tcp_incr_quickack() and tcp_event_data_recv() (16 quick ACKs),
 * __tcp_ack_snd_check(), tcp_data_queue() / tcp_data_queue_ofo() /
 * tcp_ofo_queue(), tcp_sack_new_ofo_skb() ("If the sack array is full,
 * forget about the last one"), tcp_validate_incoming() (the RST rules),
 * tcp_sequence() before and after 9ca48d616ed7 (6.17) and 1e3bb184e941
 * (7.0); tcp_send_delayed_ack() and TCP_ATO_MIN = HZ/25 (tcp_output.c,
 * include/net/tcp.h); tcp_select_initial_window() for the window the child
 * starts with. The arithmetic is written out in each test.
 */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model_test.h"

#define HZ 250u

static struct lq_model *mk_listening(const char *ver)
{
    struct lq_model *m = mk(ver);
    lq_model_set_clock(m, 0x40000000u, HZ);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    lq_model_listen(m, LPORT, 8);
    inv(m, "listen");
    return m;
}

/* An established child: rcv_nxt = isn + 1, snd_nxt = srv + 1. */
struct child {
    uint16_t conn;
    uint32_t isn, srv;
};

/* SYN (MSS 1460, SACK-permitted when sack; no TS, no window scaling), then
 * the third ACK. The child's window is the SYN-ACK's: tcp_full_space 65536
 * rounded down to the MSS, 44 * 1460 = 64240. */
static struct child open_child(struct lq_model *m, uint16_t conn, bool sack)
{
    struct child c = {conn, 1000u + conn * 1000000u, 0};
    struct lq_seg s = mkseg(conn, LQ_TH_SYN, c.isn, 0);
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    s.opt.sack_perm = sack;
    input(m, s);
    const struct lq_model_pkt *sa = synack_of(m, conn);
    if (!sa || sa->seg.win != 64240) {
        printf("Bail out! no SYN-ACK with window 64240\n");
        exit(1);
    }
    c.srv = sa->seg.seq;
    input(m, mkseg(conn, LQ_TH_ACK, c.isn + 1, c.srv + 1));
    return c;
}

/* Data at rcv_nxt + off (PSH set, as the harness's client sends it). */
static void data(struct lq_model *m, const struct child *c, int32_t off, uint32_t len, bool fin)
{
    struct lq_seg s =
        mkseg(c->conn, (uint8_t)(LQ_TH_ACK | (len ? LQ_TH_PSH : 0) | (fin ? LQ_TH_FIN : 0)),
              c->isn + 1u + (uint32_t)off, c->srv + 1);
    s.len = len;
    input(m, s);
}

static void rst(struct lq_model *m, const struct child *c, int32_t off)
{
    input(m, mkseg(c->conn, LQ_TH_RST, c->isn + 1u + (uint32_t)off, 0));
}

/* The only packet of the last call is an ACK now, acknowledging isn + 1 + upto. */
static bool acked_now(const struct lq_model *m, const struct child *c, uint32_t upto)
{
    const struct lq_model_out *o = lq_model_output(m);
    return o->npkts == 1 && o->pkts[0].timing == LQ_PKT_NOW && o->pkts[0].seg.flags == LQ_TH_ACK &&
           o->pkts[0].seg.ack == c->isn + 1u + upto && o->pkts[0].seg.seq == c->srv + 1;
}

/* ... a delayed ACK, due in ms. */
static bool acked_later(const struct lq_model *m, const struct child *c, uint32_t upto,
                        uint64_t in_ms)
{
    const struct lq_model_out *o = lq_model_output(m);
    return o->npkts == 1 && o->pkts[0].timing == LQ_PKT_DEFERRED &&
           o->pkts[0].seg.ack == c->isn + 1u + upto && o->pkts[0].t_ms == lq_model_now(m) + in_ms;
}

static bool beyond(const struct lq_model *m)
{
    return lq_model_beyond_scope(m) != NULL;
}

/* tcp_incr_quickack(): min(rcv_wnd / (2 * rcv_mss), 16) = min(64240 / 1072, 16)
 * = 16 quick ACKs from the first data segment on; segments under 128 bytes
 * skip tcp_grow_window, so nothing adds to them. The 17th is delayed by
 * TCP_ATO_MIN = HZ/25 = 10 jiffies = 40 ms at HZ 250. */
static void test_quick_ack_credit(void)
{
    struct lq_model *m = mk_listening("6.18.44");
    struct child c = open_child(m, 0, false);
    is_int((long long)npkts(m), 0, "a bare third ACK draws nothing");
    int quick = 0;
    for (uint32_t i = 0; i < 16; i++) {
        data(m, &c, (int32_t)(10 * i), 10, false);
        quick += acked_now(m, &c, 10 * (i + 1));
    }
    is_int(quick, 16, "the first 16 data segments are ACKed at once");
    data(m, &c, 160, 10, false);
    ok(acked_later(m, &c, 170, 40), "the 17th waits for the delayed-ACK timer, 40 ms");
    data(m, &c, 170, 10, false);
    ok(acked_later(m, &c, 180, 40) || (npkts(m) == 1 && lq_model_output(m)->pkts[0].t_ms == 40),
       "the 18th keeps the timer armed by the 17th (\"Use new timeout only if there wasn't a "
       "older one earlier\")");
    lq_model_advance(m, 50);
    const struct lq_model_out *o = lq_model_output(m);
    ok(o->npkts == 1 && o->pkts[0].timing == LQ_PKT_DEFERRED_FIRED &&
           o->pkts[0].seg.ack == c.isn + 181,
       "the timer fires within 50 ms and ACKs both");
    ok(!beyond(m), "all of it within the model's scope");
    lq_model_free(m);
}

/* tcp_fin(): pingpong mode, so the FIN's ACK is delayed; on a child that
 * never saw data ato is 0 and the timer fires at the next jiffy (4 ms at HZ
 * 250). After data, ato is TCP_ATO_MIN: 40 ms. */
static void test_fin_delayed(void)
{
    struct lq_model *m = mk_listening("6.18.44");
    struct child c = open_child(m, 0, false);
    data(m, &c, 0, 0, true);
    const struct lq_model_out *f = lq_model_output(m);
    ok(f->npkts == 1 && f->pkts[0].timing == LQ_PKT_DEFERRED && f->pkts[0].seg.ack == c.isn + 2 &&
           f->pkts[0].t_ms <= lq_model_now(m) + 1000u / HZ,
       "a bare FIN on a child without data: ato 0, the ACK is due at the next jiffy (4 ms)");
    data(m, &c, 1, 0, false);
    const struct lq_model_out *o = lq_model_output(m);
    ok(o->npkts == 1 && o->pkts[0].timing == LQ_PKT_NEXT_JIFFY && o->pkts[0].seg.ack == c.isn + 2,
       "... and leaves before the next event");
    struct child d = open_child(m, 1, false);
    data(m, &d, 0, 100, false);
    ok(acked_now(m, &d, 100), "data first: a quick ACK");
    data(m, &d, 100, 0, true);
    ok(acked_later(m, &d, 101, 40), "then the FIN: pingpong, ACK in TCP_ATO_MIN (40 ms)");
    /* 100 bytes + FIN = 101 <= rcv_mss 536: "more than one full frame" is
     * false, so the delay is certain. */
    data(m, &d, 101, 0, false);
    ok(!beyond(m), "the next segment is still within the model");
    lq_model_free(m);
}

/* FIN with data of at least rcv_mss bytes: rcv_nxt - rcv_wup = len + 1 >
 * rcv_mss = len (tcp_measure_rcv_mss), so __tcp_ack_snd_check asks
 * __tcp_select_window(), i.e. free receive-buffer space: the model predicts a
 * delayed ACK (which the comparison accepts early) and stops at the next
 * segment. */
static void test_fin_with_full_frame(void)
{
    struct lq_model *m = mk_listening("6.18.44");
    struct child c = open_child(m, 0, false);
    data(m, &c, 0, 1000, true);
    ok(npkts(m) == 1 && lq_model_output(m)->pkts[0].timing == LQ_PKT_DEFERRED,
       "FIN + 1000 bytes: the ACK is predicted as a delayed one");
    ok(!beyond(m), "not beyond the model yet");
    data(m, &c, 1001, 0, false);
    ok(beyond(m), "the next segment is beyond it");
    lq_model_free(m);
}

/* Out of order: tcp_data_queue_ofo, then __tcp_ack_snd_check sends at once
 * (out-of-order queue not empty; SACK compression off). Filling the gap:
 * tcp_ofo_queue moves [100, 150) over, ICSK_ACK_NOW. */
static void test_out_of_order(void)
{
    struct lq_model *m = mk_listening("6.18.44");
    struct child c = open_child(m, 0, true);
    data(m, &c, 100, 50, false);
    ok(acked_now(m, &c, 0), "data at +100: an immediate ACK of rcv_nxt");
    data(m, &c, 0, 100, false);
    ok(acked_now(m, &c, 150), "the gap filled: an immediate ACK up to +150");
    data(m, &c, 0, 100, false);
    ok(acked_now(m, &c, 150), "a retransmission: an immediate duplicate ACK");
    /* a FIN out of order, then the data before it */
    struct child d = open_child(m, 1, true);
    data(m, &d, 10, 0, true);
    ok(acked_now(m, &d, 0), "FIN at +10: out of order, ACK of rcv_nxt");
    data(m, &d, 0, 10, false);
    ok(acked_now(m, &d, 11), "data up to it: the FIN comes in, ACK at once up to +11");
    data(m, &d, 10, 10, false);
    ok(npkts(m) == 1 && (lq_model_output(m)->pkts[0].seg.flags & LQ_TH_RST) &&
           ctr(m, LQ_CTR_TCP_ABORT_ON_DATA) == 1,
       "new data after that FIN: TCPAbortOnData and an RST (so the FIN was taken)");
    ok(!beyond(m), "all within the model's scope");
    lq_model_free(m);
}

/* RFC 5961 3.2 as tcp_validate_incoming extends it: an RST at the end of
 * the right-most SACK block resets; only the last TCP_NUM_SACKS = 4 blocks
 * are remembered (tcp_sack_new_ofo_skb). */
static void test_rst_at_sack(void)
{
    struct lq_model *m = mk_listening("6.18.44");
    struct child c = open_child(m, 0, true);
    data(m, &c, 100, 50, false);
    rst(m, &c, 150);
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_ESTAB_RESETS) == 1,
       "RST at the end of the SACK block: reset, nothing sent");
    struct child d = open_child(m, 1, false);
    data(m, &d, 100, 50, false);
    rst(m, &d, 150);
    ok(acked_now(m, &d, 0) && ctr(m, LQ_CTR_TCP_CHALLENGE_ACK) == 1,
       "without SACK: a challenge ACK");
    /* five blocks [100k+100, 100k+150) for k = 0..4: the first is forgotten,
     * the highest end is 550 */
    struct child e = open_child(m, 2, true);
    for (int32_t k = 0; k < 5; k++)
        data(m, &e, 100 * k + 100, 50, false);
    rst(m, &e, 150);
    ok(ctr(m, LQ_CTR_ESTAB_RESETS) == 1, "RST at the end of the forgotten first block: no reset");
    lq_model_advance(m, 600); /* past the challenge-ACK rate limit (HZ/2) */
    rst(m, &e, 550);
    ok(ctr(m, LQ_CTR_ESTAB_RESETS) == 2, "RST at the end of the highest block: reset");
    lq_model_free(m);
}

/* tcp_sequence() with the window the child was created with, before it
 * ever selected one: limit = rcv_nxt + (rcv_wup + 64240 - rcv_nxt). A pure
 * ACK at the limit is acceptable, one past it draws a duplicate ACK. Once the
 * child has advertised a window after data, the edge depends on buffer space. */
static void test_window_edge(void)
{
    struct lq_model *m = mk_listening("6.18.44");
    struct child c = open_child(m, 0, false);
    data(m, &c, 64240, 0, false);
    ok(npkts(m) == 0, "pure ACK at rcv_wup + 64240: acceptable, nothing sent");
    data(m, &c, 64241, 0, false);
    ok(acked_now(m, &c, 0), "one past it: out of window, a duplicate ACK");
    struct child d = open_child(m, 1, false);
    data(m, &d, 0, 100, false);
    ok(acked_now(m, &d, 100), "data, ACKed");
    data(m, &d, 1000, 0, false);
    ok(!beyond(m), "a pure ACK well inside the window: still predicted");
    data(m, &d, 64300, 0, false);
    ok(beyond(m), "near the edge after the child advertised a window: beyond the model");
    lq_model_free(m);
}

/* Packets sent at once (not delayed ACKs) by the last call. */
static size_t now_pkts(const struct lq_model *m)
{
    const struct lq_model_out *o = lq_model_output(m);
    size_t n = 0;
    for (size_t i = 0; i < o->npkts; i++)
        n += o->pkts[i].timing == LQ_PKT_NOW;
    return n;
}

/* A child whose third ACK carried a FIN. */
static struct child fin_child(struct lq_model *m, uint16_t conn)
{
    struct child c = {conn, 1000u + conn * 1000000u, 0};
    struct lq_seg s = mkseg(conn, LQ_TH_SYN, c.isn, 0);
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    input(m, s);
    c.srv = synack_of(m, conn)->seg.seq;
    input(m, mkseg(conn, LQ_TH_ACK | LQ_TH_FIN, c.isn + 1, c.srv + 1));
    return c;
}

/* A FIN-only third ACK leaves the child in CLOSE_WAIT with the FIN queued;
 * its ACK leaves at the next jiffy, and with no data __tcp_select_window()
 * stays below the window offered, so the edge stays at isn + 1 + 64240. A
 * data segment starting 5 bytes before the edge and ending past it: up to
 * 6.16 tcp_sequence passes it (seq <= limit) and CLOSE_WAIT ignores it; from
 * 6.17 it is TCP_INVALID_END_SEQUENCE (the receive queue holds the FIN), a
 * duplicate ACK. A FIN ending one past the edge: 6.17 drops it too, 7.0
 * lets it through ("allow the FIN to extend beyond the window"), and so does
 * the live 6.18.44 (corpus/conformance/child_fin_one_past_window.lq). */
static void test_beyond_window_end(void)
{
    const struct {
        const char *ver;
        bool data_dupack, fin_dupack;
    } rows[] = {{"6.12.117", false, false},
                {"6.17", true, true},
                {"6.18.44", true, false},
                {"7.2.12", true, false}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = mk_listening(rows[i].ver);
        struct child c = fin_child(m, 0), d = fin_child(m, 1);
        advance(m, 5); /* the FINs' ACKs leave at the next jiffy; the edge stays */
        data(m, &c, 64240 - 5, 10, false);
        ok(rows[i].data_dupack ? acked_now(m, &c, 1) : now_pkts(m) == 0,
           "%s: data across the window edge with the FIN queued: %s", rows[i].ver,
           rows[i].data_dupack ? "duplicate ACK" : "ignored in CLOSE_WAIT");
        data(m, &d, 64240, 0, true);
        ok(rows[i].fin_dupack ? acked_now(m, &d, 1) : now_pkts(m) == 0,
           "%s: a FIN one past the edge: %s", rows[i].ver,
           rows[i].fin_dupack ? "duplicate ACK" : "accepted, ignored in CLOSE_WAIT");
        ok(!beyond(m), "%s: within the model's scope", rows[i].ver);
        lq_model_free(m);
    }
}

/* BeyondWindow (TcpExt) from 6.17, tcp_validate_incoming(): after the RST
 * ("drop the segment") and SYN (syn_challenge) cases have gone their own
 * ways, "if (reason == SKB_DROP_REASON_TCP_INVALID_SEQUENCE || reason ==
 * SKB_DROP_REASON_TCP_INVALID_END_SEQUENCE) NET_INC_STATS(...,
 * LINUX_MIB_BEYOND_WINDOW)" ("tcp: do not increment BeyondWindow MIB for old
 * seq" on top of 6c758062c64d); 6.16 has no such counter. An old segment
 * (end_seq before rcv_wup: TCP_OLD_SEQUENCE) and an RST past the window are
 * not counted; a pure ACK one past the edge (seq after rcv_wup + 64240:
 * TCP_INVALID_SEQUENCE) is, and so, from 6.17, is data across the edge with
 * the peer's FIN queued (TCP_INVALID_END_SEQUENCE). Each case on a child of
 * its own, so that no duplicate ACK is rate-limited. The live 6.18.44 counts
 * the same (a kernel-only run of these events: 0, 0, 1, 2). */
static void test_beyond_window_counter(void)
{
    const struct {
        const char *ver;
        uint64_t counted; /* after the pure ACK and the data across the edge */
    } rows[] = {{"6.16", 0}, {"6.17", 2}, {"6.18.44", 2}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = mk_listening(rows[i].ver);
        struct child a = open_child(m, 0, false), b = open_child(m, 1, false);
        struct child c = open_child(m, 2, false);
        struct child d = fin_child(m, 3);
        advance(m, 5);             /* d's FIN is ACKed at the next jiffy */
        data(m, &a, -1, 0, false); /* end_seq isn, before rcv_wup isn + 1 */
        ok(acked_now(m, &a, 0) && ctr(m, LQ_CTR_BEYOND_WINDOW) == 0,
           "%s: an old segment: a duplicate ACK, not counted", rows[i].ver);
        rst(m, &b, 64241);
        ok(npkts(m) == 0 && ctr(m, LQ_CTR_BEYOND_WINDOW) == 0,
           "%s: an RST past the window: dropped, not counted", rows[i].ver);
        data(m, &c, 64241, 0, false);
        ok(acked_now(m, &c, 0) && ctr(m, LQ_CTR_BEYOND_WINDOW) == (rows[i].counted ? 1 : 0),
           "%s: a pure ACK one past the edge: a duplicate ACK, BeyondWindow %s", rows[i].ver,
           rows[i].counted ? "1" : "not counted");
        data(m, &d, 64240 - 5, 10, false);
        ok(ctr(m, LQ_CTR_BEYOND_WINDOW) == rows[i].counted,
           "%s: data across the edge with the FIN queued: BeyondWindow %llu", rows[i].ver,
           (unsigned long long)rows[i].counted);
        ok(!beyond(m), "%s: within the model's scope", rows[i].ver);
        lq_model_free(m);
    }
}

/* tcp_check_req() takes a SYN|ACK with data at rcv_isn (in window: it ends
 * past rcv_nxt; "Truncate SYN" for its own checks) and creates the child;
 * tcp_child_process() -> tcp_rcv_state_process(TCP_SYN_RECV) ->
 * tcp_validate_incoming() step 4 then sees the SYN and, as the child has no
 * sk_socket yet, sends a challenge ACK (snd_nxt = srv + 1, rcv_nxt = isn + 1:
 * the data is not taken) and counts TCPSYNChallenge. The child is queued. */
static void test_syn_ack_with_data_at_isn(void)
{
    struct lq_model *m = mk_listening("6.18.44");
    uint32_t isn = 5000;
    struct lq_seg s = mkseg(0, LQ_TH_SYN, isn, 0);
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    input(m, s);
    const struct lq_model_pkt *sa = synack_of(m, 0);
    ok(sa != NULL, "SYN-ACK");
    uint32_t srv = sa ? sa->seg.seq : 0;
    struct lq_seg sd = mkseg(0, LQ_TH_SYN | LQ_TH_ACK, isn, srv + 1);
    sd.len = 10;
    input(m, sd);
    const struct lq_model_out *o = lq_model_output(m);
    ok(o->npkts == 1 && o->pkts[0].seg.flags == LQ_TH_ACK && o->pkts[0].seg.seq == srv + 1 &&
           o->pkts[0].seg.ack == isn + 1,
       "a challenge ACK at rcv_nxt = isn + 1 (the data is not taken)");
    is_int((long long)ctr(m, LQ_CTR_TCP_SYN_CHALLENGE), 1, "TCPSYNChallenge");
    is_int(acceptq(m), 1, "the child is queued");
    is_int(queues(m).synq, 0, "the request left the SYN queue");
    ok(!beyond(m), "within the model's scope so far");
    lq_model_free(m);
}

/* tcp_ack(FLAG_UPDATE_TS_RECENT) -> tcp_replace_ts_recent(): a segment in
 * window whose seq is not after rcv_wup (here: at rcv_nxt = rcv_wup) and
 * whose TSval passes PAWS becomes ts_recent, so the ACK it draws echoes its
 * TSval, not the third ACK's. */
static void test_ts_recent_follows_data(void)
{
    struct lq_model *m = mk_listening("6.18.44");
    uint32_t isn = 7000;
    struct lq_seg s = mkseg(0, LQ_TH_SYN, isn, 0);
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    s.opt.has_ts = true;
    s.opt.tsval = 100;
    input(m, s);
    const struct lq_model_pkt *sa = synack_of(m, 0);
    uint32_t srv = sa ? sa->seg.seq : 0;
    struct lq_seg a = mkseg(0, LQ_TH_ACK, isn + 1, srv + 1);
    a.opt.has_ts = true;
    a.opt.tsval = 101;
    a.opt.tsecr = sa ? sa->seg.opt.tsval : 0;
    input(m, a);
    struct lq_seg d = a;
    d.flags = LQ_TH_ACK | LQ_TH_PSH;
    d.len = 10;
    d.opt.tsval = 102;
    input(m, d);
    const struct lq_model_out *o = lq_model_output(m);
    ok(o->npkts == 1 && o->pkts[0].seg.ack == isn + 11 && o->pkts[0].seg.opt.has_ts &&
           o->pkts[0].seg.opt.tsecr == 102,
       "the ACK of the data echoes the data's TSval (102), not the third ACK's (101)");
    lq_model_free(m);
}

/* Data at rcv_nxt with an ACK one below snd_una (the SYN-ACK's ISN): on
 * 6.12 header prediction wants between(ack, snd_una, snd_nxt), so the slow
 * path's tcp_ack drops it as too old (bytes_acked 0: anything below snd_una)
 * with a challenge ACK; on 6.18.44 (fast_path_old_ack) the fast path takes
 * it, and its "bulk data" branch queues the data before tcp_ack when
 * truesize <= sk_forward_alloc: 0 on a child that never queued data (the
 * slow path then), else memory accounting decides: beyond the model. */
static void test_old_ack_with_data(void)
{
    struct lq_model *m = mk_listening("6.12.40");
    struct child c = open_child(m, 1, false);
    struct lq_seg s = mkseg(1, LQ_TH_ACK | LQ_TH_PSH, c.isn + 1, c.srv);
    s.len = 100;
    input(m, s);
    ok(acked_now(m, &c, 0) && !beyond(m), "6.12: old ACK with data: a challenge ACK, data dropped");
    lq_model_free(m);
    m = mk_listening("6.18.44");
    c = open_child(m, 1, false);
    s = mkseg(1, LQ_TH_ACK | LQ_TH_PSH, c.isn + 1, c.srv);
    s.len = 100;
    input(m, s);
    ok(acked_now(m, &c, 0) && !beyond(m),
       "6.18.44: the first data (sk_forward_alloc 0: the slow path) with an old ACK: dropped");
    data(m, &c, 0, 10, false); /* queued: memory charged */
    s = mkseg(1, LQ_TH_ACK | LQ_TH_PSH, c.isn + 11, c.srv);
    s.len = 100;
    input(m, s);
    ok(beyond(m), "6.18.44: later data with an old ACK that header prediction takes: beyond");
    lq_model_free(m);
}

int main(void)
{
    test_old_ack_with_data();
    test_ts_recent_follows_data();
    test_syn_ack_with_data_at_isn();
    test_quick_ack_credit();
    test_fin_delayed();
    test_fin_with_full_frame();
    test_out_of_order();
    test_rst_at_sack();
    test_window_edge();
    test_beyond_window_end();
    test_beyond_window_counter();
    is_int(inv_broken, 0, "the model's invariants held throughout");
    return tap_done();
}
