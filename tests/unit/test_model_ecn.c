/* tests/unit/test_model_ecn.c: any flags on a client segment, and ECN.
 *
 * Expectations from tcp_rcv_state_process()'s TCP_LISTEN case and
 * tcp_v4_send_reset() (a reset never answers a reset), tcp_check_req()'s
 * flg = RST|SYN|ACK, tcp_ecn_create_request() / tcp_ecn_make_synack()
 * (6.1.192 and 6.12.118: ECE and CWR both, tcp_ecn != 0, the SYN-ACK gets
 * ECE alone), tcp_conn_request()'s "want_cookie && !tstamp_ok: ecn_ok = 0",
 * cookie_init_timestamp()'s option bits (TS_OPT_WSCALE_MASK 0xf, TS_OPT_SACK
 * BIT(4), TS_OPT_ECN BIT(5)), and tcp_ecn_accept_cwr() (6.12.118: th->cwr
 * alone; the live 6.18.44: only with classic ECN, child_cwr_without_ecn.lq).
 */
#include <stdlib.h>

#include "model/model_internal.h"
#include "model_test.h"

static const struct lq_model_pkt *only_pkt(const struct lq_model *m)
{
    const struct lq_model_out *o = lq_model_output(m);
    return o->npkts == 1 ? &o->pkts[0] : NULL;
}

/* ---- the listener ---- */

static void test_listener_any_flags(void)
{
    const struct {
        uint8_t flags;
        const char *what;
        int reply; /* 0 nothing, 1 RST, 2 SYN-ACK */
    } rows[] = {
        {LQ_TH_SYN | LQ_TH_ACK, "SYN|ACK: the ACK bit decides first", 1},
        {LQ_TH_SYN | LQ_TH_RST, "SYN|RST: dropped (no ACK, RST)", 0},
        {LQ_TH_FIN | LQ_TH_SYN | LQ_TH_ACK, "FIN|SYN|ACK: RST", 1},
        {LQ_TH_RST | LQ_TH_ACK, "RST|ACK: no reset for a reset", 0},
        {0, "no flags: dropped", 0},
        {LQ_TH_FIN, "FIN alone: dropped", 0},
        {LQ_TH_PSH | LQ_TH_URG, "PSH|URG: dropped", 0},
        {LQ_TH_FIN | LQ_TH_SYN, "SYN|FIN: dropped", 0},
        {LQ_TH_SYN | LQ_TH_PSH | LQ_TH_URG, "SYN|PSH|URG: a request", 2},
        {LQ_TH_SYN | LQ_TH_ECE | LQ_TH_CWR, "SYN|ECE|CWR: a request", 2},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = listener("6.12.118", 8);
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
        input(m, mkseg(1, rows[i].flags, cisn(1), 777));
        const struct lq_model_pkt *p = only_pkt(m);
        bool good;
        if (rows[i].reply == 0)
            good = npkts(m) == 0;
        else if (rows[i].reply == 1)
            good = p && p->seg.flags == LQ_TH_RST && p->seg.seq == 777u; /* seq = SEG.ACK */
        else
            good = p && (p->seg.flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK) &&
                   queues(m).synq == 1;
        ok(good, "listener, %s", rows[i].what);
        lq_model_free(m);
    }
}

/* ---- ECN in the SYN-ACK ---- */

static void test_synack_ecn(void)
{
    const struct {
        int ecn_sysctl;
        uint8_t syn_flags;
        bool ece;
    } rows[] = {
        {2, LQ_TH_ECE | LQ_TH_CWR, true},
        {1, LQ_TH_ECE | LQ_TH_CWR, true},
        {0, LQ_TH_ECE | LQ_TH_CWR, false},
        {2, LQ_TH_ECE, false},
        {2, LQ_TH_CWR, false},
        {2, 0, false},
    };
    const char *const vers[] = {"6.1.192", "6.12.118", "6.18.44"};
    for (size_t v = 0; v < 3; v++) {
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
            struct lq_model *m = listener(vers[v], 8);
            lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
            lq_model_set_sysctl(m, LQ_SYSCTL_ECN, rows[i].ecn_sysctl);
            struct lq_seg s = mksyn(1);
            s.flags |= rows[i].syn_flags;
            input(m, s);
            const struct lq_model_pkt *sa = synack_of(m, 1);
            uint8_t want = LQ_TH_SYN | LQ_TH_ACK | (rows[i].ece ? LQ_TH_ECE : 0);
            ok(sa && sa->seg.flags == want, "%s tcp_ecn=%d SYN flags 0x%02x: SYN-ACK flags 0x%02x",
               vers[v], rows[i].ecn_sysctl, LQ_TH_SYN | rows[i].syn_flags, want);
            /* a retransmitted SYN (no ECN flags) gets the request's SYN-ACK again */
            input(m, mksyn(1));
            sa = synack_of(m, 1);
            ok(sa && sa->seg.flags == want, "%s tcp_ecn=%d: its retransmission keeps flags 0x%02x",
               vers[v], rows[i].ecn_sysctl, want);
            lq_model_free(m);
        }
    }
}

static void test_cookie_ecn(void)
{
    /* a cookie without timestamps cannot carry ECN */
    struct lq_model *m = listener("6.12.118", 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 2);
    struct lq_seg s = mksyn(1);
    s.flags |= LQ_TH_ECE | LQ_TH_CWR;
    input(m, s);
    const struct lq_model_pkt *sa = synack_of(m, 1);
    ok(sa && sa->cookie && sa->seg.flags == (LQ_TH_SYN | LQ_TH_ACK),
       "cookie without timestamps: no ECE (ecn_ok cleared)");
    /* with timestamps: ECE, and the TSval's low six bits are 0xf (no wscale) |
     * BIT(5) (ECN), SACK off */
    s = mksyn(2);
    s.flags |= LQ_TH_ECE | LQ_TH_CWR;
    s.opt.has_ts = true;
    s.opt.tsval = 5000;
    input(m, s);
    sa = synack_of(m, 2);
    uint32_t bits = sa ? (sa->seg.opt.tsval - lq_model_ts_off(m, 2)) & 0x3fu : 0;
    ok(sa && sa->cookie && (sa->seg.flags & LQ_TH_ECE) && bits == (0xfu | 0x20u),
       "cookie with timestamps: ECE, TSval option bits 0x%02x (want 0x2f)", bits);
    /* the same SYN without ECE|CWR: bit 5 clear */
    s = mksyn(3);
    s.opt.has_ts = true;
    s.opt.tsval = 5000;
    input(m, s);
    sa = synack_of(m, 3);
    bits = sa ? (sa->seg.opt.tsval - lq_model_ts_off(m, 3)) & 0x3fu : 0;
    ok(sa && !(sa->seg.flags & LQ_TH_ECE) && bits == 0xfu,
       "cookie with timestamps, no ECN asked: option bits 0x%02x (want 0x0f)", bits);
    /* 6.18: the cookie ACK with CWR (ACE above 1) for an ECN cookie makes an
     * AccECN child (cookie_accecn_ok): beyond the model; 6.12.118 has no AccECN */
    lq_model_free(m);
    const char *const vers[] = {"6.18.44", "6.12.118"};
    for (int v = 0; v < 2; v++) {
        m = listener(vers[v], 8);
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 2);
        s = mksyn(4);
        s.flags |= LQ_TH_ECE | LQ_TH_CWR;
        s.opt.has_ts = true;
        s.opt.tsval = 5000;
        input(m, s);
        sa = synack_of(m, 4);
        struct lq_seg a = mkseg(4, LQ_TH_ACK | LQ_TH_CWR, cisn(4) + 1, sa ? sa->seg.seq + 1 : 0);
        a.opt.has_ts = true;
        a.opt.tsval = 5001;
        a.opt.tsecr = sa ? sa->seg.opt.tsval : 0;
        input(m, a);
        bool beyond = lq_model_beyond_scope(m) != NULL;
        ok(sa && beyond == (v == 0), "%s: cookie ACK with CWR for an ECN cookie: %s", vers[v],
           v == 0 ? "an AccECN child, beyond the model" : "a classic child");
        lq_model_free(m);
    }
}

/* ---- CWR on the child ---- */

/* A child, 16 data segments (its quick ACKs), then data with CWR: whether
 * that ACK leaves now. */
static bool cwr_ack_now(const char *ver, bool ecn)
{
    struct lq_model *m = listener(ver, 8);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    struct lq_seg s = mksyn(1);
    if (ecn)
        s.flags |= LQ_TH_ECE | LQ_TH_CWR;
    input(m, s);
    const struct lq_model_pkt *sa = synack_of(m, 1);
    if (!sa) {
        lq_model_free(m);
        return false;
    }
    uint32_t srv = sa->seg.seq + 1, seq = cisn(1) + 1;
    input(m, mkseg(1, LQ_TH_ACK, seq, srv));
    for (int i = 0; i < 16; i++) {
        struct lq_seg d = mkseg(1, LQ_TH_ACK, seq, srv);
        d.len = 10;
        input(m, d);
        seq += 10;
    }
    struct lq_seg d = mkseg(1, LQ_TH_ACK | LQ_TH_CWR, seq, srv);
    d.len = 10;
    input(m, d);
    const struct lq_model_pkt *p = only_pkt(m);
    bool now = p && p->timing == LQ_PKT_NOW && p->seg.ack == seq + 10;
    lq_model_free(m);
    return now;
}

static void test_child_cwr(void)
{
    ok(cwr_ack_now("6.12.118", false), "6.12.118: CWR with data, no ECN: ACK at once");
    ok(cwr_ack_now("6.1.192", false), "6.1.192: CWR with data, no ECN: ACK at once");
    ok(!cwr_ack_now("6.18.44", false), "6.18.44: CWR with data, no ECN: the delayed ACK");
    ok(cwr_ack_now("6.18.44", true), "6.18.44: CWR with data, ECN negotiated: ACK at once");
    ok(cwr_ack_now("6.12.118", true), "6.12.118: CWR with data, ECN negotiated: ACK at once");
}

int main(void)
{
    test_listener_any_flags();
    test_synack_ecn();
    test_cookie_ecn();
    test_child_cwr();
    is_int(inv_broken, 0, "lq_model_check_invariants() held after every step");
    return tap_done();
}
