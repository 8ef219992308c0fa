/* tests/unit/test_model_check_req.c: segments that reach a request sock.
 *
 * Expectations from tcp_check_req() (net/ipv4/tcp_minisocks.c; 7.2.12 for the
 * 6.18 profiles, 6.12.117, 6.1.176 / 6.1.192 and 5.10.223 for the others),
 * tcp_oow_rate_limited() / __tcp_oow_rate_limited() and
 * tcp_reqsk_send_challenge_ack() (tcp_input.c), tcp_paws_reject()
 * (include/net/tcp.h), tcp_synack_window() (include/net/request_sock.h),
 * tcp_v4_reqsk_send_ack() / tcp_v4_send_reset() (tcp_ipv4.c), and the live
 * facts measured on 6.18.44.
 */
#include <stdlib.h>

#include "model/model.h"
#include "model_test.h"

/* ---- helpers (each test file is self-contained) ---- */

static void listen_n(struct lq_model *m, int backlog)
{
    lq_model_listen(m, LPORT, backlog);
    inv(m, "listen");
}

/* A request in SYN_RECV: what the client learned from the SYN-ACK. */
struct req {
    uint16_t conn;
    uint32_t isn, rcv_nxt; /* client ISN; the server's rcv_nxt = isn + 1 */
    uint32_t srv;          /* server ISN (SYN-ACK seq) */
    uint32_t tsval;        /* SYN-ACK TSval (0 without TS) */
};

/* SYN with MSS 1460 and, when ts, TS tsval. */
static struct req open_req(struct lq_model *m, uint16_t conn, bool ts, uint32_t tsval)
{
    struct req r = {conn, cisn(conn), cisn(conn) + 1, 0, 0};
    struct lq_seg s = mkseg(conn, LQ_TH_SYN, r.isn, 0);
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    s.opt.has_ts = ts;
    s.opt.tsval = tsval;
    input(m, s);
    const struct lq_model_pkt *sa = synack_of(m, conn);
    if (!sa) {
        printf("Bail out! no SYN-ACK for conn %u\n", conn);
        exit(1);
    }
    r.srv = sa->seg.seq;
    r.tsval = sa->seg.opt.tsval;
    return r;
}

static struct lq_seg ack_of(const struct req *r)
{
    return mkseg(r->conn, LQ_TH_ACK, r->rcv_nxt, r->srv + 1);
}

static struct lq_seg ack_ts(const struct req *r, uint32_t tsval, uint32_t tsecr)
{
    struct lq_seg s = ack_of(r);
    s.opt.has_ts = true;
    s.opt.tsval = tsval;
    s.opt.tsecr = tsecr;
    return s;
}

/* tcp_v4_reqsk_send_ack(): seq = snt_isn + 1, ack = rcv_nxt, ACK only. */
static bool is_req_ack(const struct lq_seg *s, const struct req *r)
{
    return s && s->flags == LQ_TH_ACK && s->seq == r->srv + 1 && s->ack == r->rcv_nxt &&
           s->conn == r->conn && s->sport == LPORT;
}

/* ---- retransmitted SYN ---- */

static void test_syn_retransmit(void)
{
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    struct req r = open_req(m, 1, false, 0);
    struct lq_seg syn = mkseg(1, LQ_TH_SYN, r.isn, 0);
    syn.opt.has_mss = true;
    syn.opt.mss = 1460;

    /* "Check for pure retransmitted SYN": seq == rcv_isn && flg == SYN, and
     * !tcp_oow_rate_limited(): the stamp is 0 at first -> answered. */
    input(m, syn);
    const struct lq_model_pkt *sa = synack_of(m, 1);
    ok(sa && sa->seg.seq == r.srv && sa->seg.ack == r.rcv_nxt && npkts(m) == 1,
       "first retransmitted SYN: the same SYN-ACK again (live: answered)");
    ok(ctr(m, LQ_CTR_RETRANS_SEGS) == 1 && ctr(m, LQ_CTR_TCP_SYN_RETRANS) == 1,
       "tcp_rtx_synack: RetransSegs 1, TCPSynRetrans 1");
    input(m, syn);
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV) == 1,
       "second one at once: not answered, TCPACKSkippedSynRecv 1 (live)");
    /* __tcp_oow_rate_limited: 0 <= elapsed < tcp_invalid_ratelimit (HZ/2 = 500). */
    advance(m, 499);
    input(m, syn);
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV) == 2,
       "after 499 ms: still limited (499 < 500)");
    advance(m, 1);
    input(m, syn);
    ok(synack_of(m, 1) != NULL, "after 500 ms: answered again (500 is not < 500)");
    advance(m, 600);
    input(m, syn);
    ok(synack_of(m, 1) != NULL && ctr(m, LQ_CTR_RETRANS_SEGS) == 3,
       "600 ms later: answered again (RetransSegs 3)");
    is_int(queues(m).synq, 1, "the request is kept throughout");

    /* The stamp is shared with the out-of-window ACK: an OOW ACK right after a
     * retransmitted SYN is limited. */
    struct lq_seg oow = ack_of(&r);
    oow.seq = r.rcv_nxt + 100000;
    input(m, oow);
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV) == 3,
       "OOW ACK right after an answered SYN: limited (shared last_oow_ack_time)");
    lq_model_free(m);

    /* A retransmitted SYN whose TSval is older than the first one's is not "pure"
     * (!paws_reject fails): it takes the out-of-window path, ACK + PAWSEstab. */
    m = mk("6.18.44");
    listen_n(m, 8);
    r = open_req(m, 1, true, 5000);
    syn.opt.has_ts = true;
    syn.opt.tsval = 4000;
    input(m, syn);
    ok(is_req_ack(pkt0(m), &r) && npkts(m) == 1, "SYN with an older TSval: an ACK, no SYN-ACK");
    ok(ctr(m, LQ_CTR_PAWS_ESTAB) == 1 && ctr(m, LQ_CTR_RETRANS_SEGS) == 0,
       "... PAWSEstab 1, RetransSegs 0");
    lq_model_free(m);
}

/* ---- the ACK check ---- */

static void test_bad_ack(void)
{
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    struct req r = open_req(m, 1, false, 0);
    /* (flg & ACK) && ack_seq != snt_isn + 1: return sk -> the listener answers RST
     * (tcp_rcv_state_process TCP_LISTEN "if (th->ack)"), seq = SEG.ACK. */
    const uint32_t bad[] = {r.srv + 2, r.srv, r.srv + 1000000};
    for (int i = 0; i < 3; i++) {
        struct lq_seg s = ack_of(&r);
        s.ack = bad[i];
        input(m, s);
        const struct lq_seg *o = pkt0(m);
        ok(npkts(m) == 1 && o->flags == LQ_TH_RST && o->seq == bad[i] && o->dport == 20001,
           "ACK with ack = snt_isn + 1 %+d: RST with seq = SEG.ACK", (int)(bad[i] - (r.srv + 1)));
    }
    ok(queues(m).synq == 1 && ctr(m, LQ_CTR_OUT_RSTS) == 3 && ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 0,
       "the request is kept (synq 1), OutRsts 3, no EmbryonicRsts");
    input(m, ack_of(&r));
    is_int(queues(m).acceptq, 1, "the right ACK still completes it");
    lq_model_free(m);
}

/* ---- sequence window ---- */

static void test_window(void)
{
    /* rsk_rcv_wnd = rounddown(65536, mss): 1460 * 44 = 64240 without TS,
     * 1448 * 45 = 65160 with TS; tcp_synack_window = min(rsk_rcv_wnd, 65535).
     * tcp_in_window(seq, end_seq, rcv_nxt, rcv_nxt + wnd): seq == s_win, or
     * after(end_seq, s_win) && before(seq, e_win), or seq == e_win == end_seq. */
    const char *vers[] = {"6.18.44", "6.1.192"};
    for (int v = 0; v < 2; v++) {
        for (int ts = 0; ts <= 1; ts++) {
            uint32_t wnd = ts ? 65160u : 64240u;
            struct {
                int32_t off;
                uint32_t len;
                bool in;
            } rows[] = {
                {(int32_t)wnd, 0, true},      /* seq == e_win == end_seq */
                {(int32_t)wnd + 1, 0, false}, /* past the edge */
                {(int32_t)wnd, 1, false},     /* data at e_win: before(seq, e_win) fails */
                {(int32_t)wnd - 1, 10, true}, /* starts inside */
                {-1, 0, false},               /* a pure ACK just below rcv_nxt */
                {-10, 20, true},              /* overlaps rcv_nxt */
            };
            for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                struct lq_model *m = mk(vers[v]);
                listen_n(m, 8);
                struct req r = open_req(m, 1, ts, 5000);
                struct lq_seg s = ts ? ack_ts(&r, 5001, r.tsval) : ack_of(&r);
                s.seq = r.rcv_nxt + (uint32_t)rows[i].off;
                s.len = rows[i].len;
                input(m, s);
                if (rows[i].in)
                    ok(queues(m).acceptq == 1 && queues(m).synq == 0,
                       "%s %s: ACK at rcv_nxt %+d len %u is in the window: child created", vers[v],
                       ts ? "TS" : "no TS", rows[i].off, rows[i].len);
                else
                    ok(queues(m).synq == 1 && is_req_ack(pkt0(m), &r) && npkts(m) == 1,
                       "%s %s: ACK at rcv_nxt %+d len %u is out of the window: ACK "
                       "(seq snt_isn + 1, ack rcv_nxt), request kept",
                       vers[v], ts ? "TS" : "no TS", rows[i].off, rows[i].len);
                lq_model_free(m);
            }
        }
    }

    /* The out-of-window ACK, then its rate limit; data is never limited. */
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    struct req r = open_req(m, 1, false, 0);
    struct lq_seg s = ack_of(&r);
    s.seq = r.rcv_nxt + 64241;
    input(m, s);
    /* tcp_v4_reqsk_send_ack: window tcp_synack_window(req) >> rcv_wscale = 64240 */
    ok(is_req_ack(pkt0(m), &r) && pkt0(m)->win == 64240, "OOW ACK answered, window 64240");
    input(m, s);
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV) == 1,
       "OOW ACK again at once: TCPACKSkippedSynRecv 1, nothing sent");
    s.len = 100;
    input(m, s);
    ok(is_req_ack(pkt0(m), &r), "OOW data: answered (data without SYN is never limited)");
    input(m, s);
    ok(is_req_ack(pkt0(m), &r), "OOW data again: answered again");
    lq_model_free(m);

    /* With window scaling the ACK's window is shifted: 65160 >> 7 = 509 (TS) */
    m = mk("6.18.44");
    listen_n(m, 8);
    struct lq_seg sy = mkseg(1, LQ_TH_SYN, cisn(1), 0);
    sy.opt.has_mss = true;
    sy.opt.mss = 1460;
    sy.opt.has_wscale = true;
    sy.opt.wscale = 7;
    sy.opt.has_ts = true;
    sy.opt.tsval = 5000;
    input(m, sy);
    r = (struct req){1, cisn(1), cisn(1) + 1, synack_of(m, 1)->seg.seq,
                     synack_of(m, 1)->seg.opt.tsval};
    s = ack_ts(&r, 5001, r.tsval);
    s.seq = r.rcv_nxt + 70000;
    input(m, s);
    ok(is_req_ack(pkt0(m), &r) && pkt0(m)->win == 65160 >> 7,
       "OOW ACK with wscale 7: window 65160 >> 7 = 509");
    ok(pkt0(m)->opt.has_ts && pkt0(m)->opt.tsecr == 5000,
       "... with TS, TSecr = req->ts_recent (5000)");
    lq_model_free(m);
}

/* ---- RST ---- */

static void test_rst(void)
{
    const struct {
        const char *v;
        bool challenge;
    } profs[] = {{"6.18.44", true},  {"6.18.42", true},  {"6.18.41", false}, {"6.12.104", false},
                 {"6.12.105", true}, {"6.1.176", false}, {"6.1.192", true},  {"5.10.223", false}};
    for (size_t p = 0; p < sizeof(profs) / sizeof(profs[0]); p++) {
        const char *v = profs[p].v;
        /* exact RST: flg & RST -> ATTEMPTFAILS; embryonic_reset: no reply to an RST,
         * inet_csk_reqsk_queue_drop, EMBRYONICRSTS (live: EmbryonicRsts, AttemptFails). */
        struct lq_model *m = mk(v);
        listen_n(m, 8);
        struct req r = open_req(m, 1, false, 0);
        input(m, mkseg(1, LQ_TH_RST, r.rcv_nxt, 0));
        ok(npkts(m) == 0 && queues(m).synq == 0 && ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 1 &&
               ctr(m, LQ_CTR_ATTEMPT_FAILS) == 1,
           "%s: exact RST drops the request (EmbryonicRsts 1, AttemptFails 1, no reply)", v);
        lq_model_free(m);

        /* non-exact in-window RST */
        m = mk(v);
        listen_n(m, 8);
        r = open_req(m, 1, false, 0);
        input(m, mkseg(1, LQ_TH_RST, r.rcv_nxt + 1, 0));
        if (profs[p].challenge) {
            /* "if ((flg & RST) && seq != rcv_nxt) tcp_reqsk_send_challenge_ack()" */
            ok(is_req_ack(pkt0(m), &r) && npkts(m) == 1 && queues(m).synq == 1 &&
                   ctr(m, LQ_CTR_TCP_CHALLENGE_ACK) == 1 && ctr(m, LQ_CTR_ATTEMPT_FAILS) == 0 &&
                   ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 0,
               "%s: non-exact RST draws a challenge ACK, request kept (TCPChallengeACK 1)", v);
            input(m, mkseg(1, LQ_TH_RST, r.rcv_nxt + 2, 0));
            ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_CHALLENGE) == 1 &&
                   queues(m).synq == 1,
               "%s: a second one within 500 ms: TCPACKSkippedChallenge 1, nothing sent", v);
            advance(m, 500);
            input(m, mkseg(1, LQ_TH_RST, r.rcv_nxt + 3, 0));
            ok(is_req_ack(pkt0(m), &r) && ctr(m, LQ_CTR_TCP_CHALLENGE_ACK) == 2,
               "%s: 500 ms later: challenge ACK again", v);
        } else {
            ok(npkts(m) == 0 && queues(m).synq == 0 && ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 1 &&
                   ctr(m, LQ_CTR_ATTEMPT_FAILS) == 1,
               "%s: non-exact in-window RST drops the request (no challenge ACK)", v);
        }
        lq_model_free(m);

        /* out-of-window RST: "if (!(flg & RST) && ...) send_ack": silent */
        m = mk(v);
        listen_n(m, 8);
        r = open_req(m, 1, false, 0);
        input(m, mkseg(1, LQ_TH_RST, r.rcv_nxt + 100000, 0));
        ok(npkts(m) == 0 && queues(m).synq == 1 && ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 0 &&
               ctr(m, LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV) == 0,
           "%s: out-of-window RST: silent, request kept", v);

        /* RST|ACK with a wrong ack and the exact seq */
        input(m, mkseg(1, LQ_TH_RST | LQ_TH_ACK, r.rcv_nxt, r.srv + 7));
        if (profs[p].challenge)
            /* "(flg & ACK) && !(flg & RST) && ...": the RST goes on to the sequence check */
            ok(npkts(m) == 0 && queues(m).synq == 0 && ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 1,
               "%s: RST|ACK with a wrong ack, exact seq: request reset", v);
        else
            /* return sk: the listener, "if (th->ack) return" -> tcp_v4_send_reset does
             * not answer an RST */
            ok(npkts(m) == 0 && queues(m).synq == 1 && ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 0 &&
                   ctr(m, LQ_CTR_OUT_RSTS) == 0,
               "%s: RST|ACK with a wrong ack goes to the listener: ignored", v);
        lq_model_free(m);
    }

    /* 6.18.44: the challenge ACK shares the stamp with the OOW ACK. */
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    struct req r = open_req(m, 1, false, 0);
    struct lq_seg s = ack_of(&r);
    s.seq = r.rcv_nxt + 100000;
    input(m, s);
    ok(is_req_ack(pkt0(m), &r), "OOW ACK answered");
    input(m, mkseg(1, LQ_TH_RST, r.rcv_nxt + 1, 0));
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_CHALLENGE) == 1,
       "a non-exact RST right after: challenge limited by the same last_oow_ack_time");
    /* tcp_reqsk_send_challenge_ack uses __tcp_oow_rate_limited: an RST with
     * payload is limited too (no data exemption). */
    struct lq_seg rd = mkseg(1, LQ_TH_RST, r.rcv_nxt + 1, 0);
    rd.len = 20;
    input(m, rd);
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_CHALLENGE) == 2,
       "an RST with payload is limited as well");
    lq_model_free(m);
}

/* ---- SYN with another ISN ---- */

static void test_new_syn(void)
{
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    struct req r = open_req(m, 1, false, 0);
    /* Out of window: "Out of window: send ACK and drop" (SYN is rate limited). */
    input(m, mkseg(1, LQ_TH_SYN, r.rcv_nxt + 100000, 0));
    ok(is_req_ack(pkt0(m), &r) && npkts(m) == 1 && queues(m).synq == 1,
       "SYN with an ISN out of the window: ACK, request kept");
    input(m, mkseg(1, LQ_TH_SYN, r.rcv_nxt + 100001, 0));
    ok(npkts(m) == 0 && ctr(m, LQ_CTR_TCP_ACK_SKIPPED_SYN_RECV) == 1,
       "a second one at once: rate limited");
    /* In window, seq != rcv_isn: the SYN is not truncated -> ATTEMPTFAILS,
     * embryonic_reset: send_reset (no ACK in it: RST|ACK, seq 0, ack = seq + 1). */
    input(m, mkseg(1, LQ_TH_SYN, r.rcv_nxt + 5, 0));
    const struct lq_seg *o = pkt0(m);
    ok(npkts(m) == 1 && o->flags == (LQ_TH_RST | LQ_TH_ACK) && o->seq == 0 &&
           o->ack == r.rcv_nxt + 6,
       "SYN with an ISN in the window: RST|ACK, seq 0, ack = SYN seq + 1");
    ok(queues(m).synq == 0 && ctr(m, LQ_CTR_ATTEMPT_FAILS) == 1 &&
           ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 1,
       "... request dropped, AttemptFails 1, EmbryonicRsts 1");
    lq_model_free(m);
}

/* ---- TCP_DEFER_ACCEPT ---- */

static void test_defer(void)
{
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    lq_model_setsockopt(m, LQ_SOCKOPT_DEFER_ACCEPT, 1); /* secs_to_retrans(1) = 1 */
    struct req r = open_req(m, 1, false, 0);
    /* num_timeout 0 < 1 && end_seq == rcv_isn + 1: acked = 1, TCPDEFERACCEPTDROP */
    input(m, ack_of(&r));
    ok(npkts(m) == 0 && queues(m).synq == 1 && queues(m).acceptq == 0 &&
           ctr(m, LQ_CTR_TCP_DEFER_ACCEPT_DROP) == 1,
       "defer accept: bare ACK dropped (TCPDeferAcceptDrop 1), request kept");
    struct lq_seg d = ack_of(&r);
    d.len = 10;
    input(m, d);
    ok(queues(m).synq == 0 && queues(m).acceptq == 1 && ctr(m, LQ_CTR_PASSIVE_OPENS) == 1,
       "then data: child created (PassiveOpens 1)");
    lq_model_free(m);

    /* A FIN occupies sequence space: end_seq = rcv_isn + 2 is not a bare ACK. */
    m = mk("6.18.44");
    listen_n(m, 8);
    lq_model_setsockopt(m, LQ_SOCKOPT_DEFER_ACCEPT, 5);
    r = open_req(m, 1, false, 0);
    struct lq_seg f = ack_of(&r);
    f.flags |= LQ_TH_FIN;
    input(m, f);
    is_int(queues(m).acceptq, 1, "defer accept: ACK|FIN creates the child");
    lq_model_free(m);
}

/* ---- accept queue full at the third ACK ---- */

static void test_abort_on_overflow(void)
{
    for (int aoo = 0; aoo <= 1; aoo++) {
        struct lq_model *m = mk("6.18.44");
        lq_model_set_sysctl(m, LQ_SYSCTL_ABORT_ON_OVERFLOW, aoo);
        listen_n(m, 5);
        struct req a = open_req(m, 1, false, 0), b = open_req(m, 2, false, 0);
        struct req c = open_req(m, 3, false, 0);
        input(m, ack_of(&a));
        input(m, ack_of(&b));
        listen_n(m, 1); /* acceptq 2 > 1: full; only sk_max_ack_backlog changes */
        uint64_t passive = ctr(m, LQ_CTR_PASSIVE_OPENS);
        input(m, ack_of(&c));
        /* tcp_v4_syn_recv_sock: sk_acceptq_is_full -> exit_overflow: LISTENOVERFLOWS,
         * exit: tcp_listendrop. */
        ok(ctr(m, LQ_CTR_LISTEN_OVERFLOWS) == 1 && ctr(m, LQ_CTR_LISTEN_DROPS) == 1 &&
               ctr(m, LQ_CTR_PASSIVE_OPENS) == passive,
           "abort_on_overflow=%d: ListenOverflows 1, ListenDrops 1, no child", aoo);
        if (!aoo) {
            /* listen_overflow: "if (!sysctl_tcp_abort_on_overflow) { acked = 1; return NULL; }" */
            ok(npkts(m) == 0 && queues(m).synq == 1 && ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 0,
               "abort_on_overflow=0: ACK ignored, request kept");
            uint16_t conn, mss;
            lq_model_accept(m, &conn, &mss);
            lq_model_accept(m, &conn, &mss);
            inv(m, "accept");
            input(m, ack_of(&c));
            ok(queues(m).acceptq == 1 && queues(m).synq == 0,
               "abort_on_overflow=0: after accept(), the next ACK completes it");
        } else {
            /* embryonic_reset: send_reset (seq = SEG.ACK), queue drop, EMBRYONICRSTS;
             * no ATTEMPTFAILS on this path. */
            const struct lq_seg *o = pkt0(m);
            ok(npkts(m) == 1 && o->flags == LQ_TH_RST && o->seq == c.srv + 1,
               "abort_on_overflow=1: RST with seq = SEG.ACK");
            ok(queues(m).synq == 0 && ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 1 &&
                   ctr(m, LQ_CTR_ATTEMPT_FAILS) == 0 && ctr(m, LQ_CTR_OUT_RSTS) == 1,
               "abort_on_overflow=1: request dropped, EmbryonicRsts 1, AttemptFails 0");
        }
        lq_model_free(m);
    }
}

/* ---- timestamps: PAWS, TSecr, ts_recent ---- */

static void test_paws(void)
{
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    struct req r = open_req(m, 1, true, 5000);
    /* tcp_paws_check: (s32)(ts_recent - rcv_tsval) <= 0 passes; 5000 - 4999 = 1 fails */
    input(m, ack_ts(&r, 4999, r.tsval));
    ok(is_req_ack(pkt0(m), &r) && queues(m).synq == 1 && ctr(m, LQ_CTR_PAWS_ESTAB) == 1,
       "ACK with TSval 4999 < 5000: PAWS reject, ACK, PAWSEstab 1, request kept");
    ok(pkt0(m)->opt.has_ts && pkt0(m)->opt.tsecr == 5000, "... its TSecr is 5000");
    lq_model_free(m);

    /* tcp_paws_reject(rst): the RST relaxation needs ts_recent_stamp older than
     * TCP_PAWS_MSL (60 s); here it is now - tcp_reqsk_timeout (1 s). */
    m = mk("6.18.44");
    listen_n(m, 8);
    r = open_req(m, 1, true, 5000);
    struct lq_seg rst = mkseg(1, LQ_TH_RST, r.rcv_nxt, 0);
    rst.opt.has_ts = true;
    rst.opt.tsval = 4000;
    input(m, rst);
    ok(npkts(m) == 0 && queues(m).synq == 1 && ctr(m, LQ_CTR_PAWS_ESTAB) == 1 &&
           ctr(m, LQ_CTR_EMBRYONIC_RSTS) == 0,
       "exact RST with an old TSval: PAWS reject, silent, PAWSEstab 1, request kept");
    input(m, ack_ts(&r, 5000, r.tsval));
    is_int(queues(m).acceptq, 1, "ACK with TSval == ts_recent passes");
    lq_model_free(m);

    /* "if (!rx_opt->ts_recent) return true": a SYN with TSval 0 disables PAWS. */
    m = mk("6.18.44");
    listen_n(m, 8);
    r = open_req(m, 1, true, 0);
    input(m, ack_ts(&r, 0xfffffff0u, r.tsval));
    ok(queues(m).acceptq == 1 && ctr(m, LQ_CTR_PAWS_ESTAB) == 0,
       "SYN TSval 0: an ACK with any TSval passes");
    lq_model_free(m);
}

static void test_tsecr(void)
{
    /* 3ba075278c11 (6.15, 6.14.9): if (rcv_tsecr && tstamp_ok) tsecr_reject =
     * !between(rcv_tsecr, snt_tsval_first, snt_tsval_last); handled as out of
     * window; TSEcrRejected only when !paws_reject. */
    const struct {
        const char *v;
        bool check;
    } profs[] = {{"6.14.8", false},
                 {"6.14.9", true},
                 {"6.15", true},
                 {"6.18.44", true},
                 {"6.12.117", false}};
    for (size_t p = 0; p < sizeof(profs) / sizeof(profs[0]); p++) {
        const char *v = profs[p].v;
        const struct {
            int32_t delta; /* TSecr - first SYN-ACK TSval */
            bool zero;
            bool bad;
        } rows[] = {{1000, false, true}, {-1, false, true}, {0, false, false}, {0, true, false}};
        for (size_t i = 0; i < 4; i++) {
            struct lq_model *m = mk(v);
            listen_n(m, 8);
            struct req r = open_req(m, 1, true, 5000);
            uint32_t tsecr = rows[i].zero ? 0 : r.tsval + (uint32_t)rows[i].delta;
            input(m, ack_ts(&r, 5001, tsecr));
            bool rejected = rows[i].bad && profs[p].check;
            if (rejected)
                ok(is_req_ack(pkt0(m), &r) && queues(m).synq == 1 &&
                       ctr(m, LQ_CTR_TSECR_REJECTED) == 1,
                   "%s: TSecr %s%+d: rejected, ACK, TSEcrRejected 1", v,
                   rows[i].zero ? "0" : "first", rows[i].zero ? 0 : rows[i].delta);
            else
                ok(queues(m).acceptq == 1 && ctr(m, LQ_CTR_TSECR_REJECTED) == 0,
                   "%s: TSecr %s%+d: accepted, child created", v, rows[i].zero ? "0" : "first",
                   rows[i].zero ? 0 : rows[i].delta);
            lq_model_free(m);
        }
    }

    /* After a SYN-ACK retransmission at 1 s, [first, last] spans both TSvals. */
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    struct req r = open_req(m, 1, true, 5000);
    advance(m, 1000);
    const struct lq_model_pkt *sa = synack_of(m, 1);
    uint32_t last = sa ? sa->seg.opt.tsval : 0;
    ok(sa && last - r.tsval == 1000, "retransmitted SYN-ACK TSval is 1000 ms later");
    input(m, ack_ts(&r, 5001, r.tsval + 500));
    ok(queues(m).acceptq == 1, "TSecr between the two SYN-ACK TSvals: accepted");
    lq_model_free(m);

    /* Both PAWS and TSecr bad: PAWSEstab counts, TSEcrRejected does not. */
    m = mk("6.18.44");
    listen_n(m, 8);
    r = open_req(m, 1, true, 5000);
    input(m, ack_ts(&r, 4000, r.tsval + 99999));
    ok(is_req_ack(pkt0(m), &r) && ctr(m, LQ_CTR_PAWS_ESTAB) == 1 &&
           ctr(m, LQ_CTR_TSECR_REJECTED) == 0,
       "PAWS and TSecr both bad: PAWSEstab 1, TSEcrRejected 0");
    lq_model_free(m);
}

static void test_ts_recent(void)
{
    /* Before "tcp: Defer ts_recent changes until req is owned" (6.14; 6.12.18,
     * 6.6.81, 6.1.130; not in 5.10.223 SRC), tcp_check_req stored the TSval of
     * every in-window segment: "if (tmp_opt.saw_tstamp && !after(seq, rcv_nxt))
     * WRITE_ONCE(req->ts_recent, tmp_opt.rcv_tsval)". The SYN-ACK retransmission
     * echoes req->ts_recent (tcp_synack_options: opts->tsecr = req->ts_recent).
     * A segment without ACK is in window and then dropped ("if (!(flg & ACK))"). */
    const struct {
        const char *v;
        bool updates;
    } profs[] = {{"5.10.223", true}, {"6.12.117", false}, {"6.18.44", false}};
    for (size_t p = 0; p < 3; p++) {
        struct lq_model *m = mk(profs[p].v);
        listen_n(m, 8);
        struct req r = open_req(m, 1, true, 5000);
        struct lq_seg d = mkseg(1, LQ_TH_PSH, r.rcv_nxt, 0);
        d.len = 10;
        d.opt.has_ts = true;
        d.opt.tsval = 6000;
        d.opt.tsecr = r.tsval;
        input(m, d);
        ok(npkts(m) == 0 && queues(m).synq == 1, "%s: in-window data without ACK: dropped",
           profs[p].v);
        advance(m, 1000);
        const struct lq_model_pkt *sa = synack_of(m, 1);
        uint32_t want = profs[p].updates ? 6000 : 5000;
        uint32_t got = sa ? sa->seg.opt.tsecr : 0;
        ok(got == want, "%s: the retransmitted SYN-ACK echoes TSval %u (got %u)", profs[p].v, want,
           got);
        lq_model_free(m);
    }

    /* The child's ts_recent: 7.2 / 6.12.117 tcp_check_req "if (own_req &&
     * tmp_opt.saw_tstamp && !after(seq, rcv_nxt)) tcp_sk(child)->rx_opt.ts_recent =
     * tmp_opt.rcv_tsval" (5.10.223: req->ts_recent updated first, then copied by
     * tcp_create_openreq_child). The child's ACK of the data echoes the third ACK's
     * TSval, not the SYN's. */
    const char *vers[] = {"6.18.44", "6.12.117", "5.10.223"};
    for (int v = 0; v < 3; v++) {
        struct lq_model *m = mk(vers[v]);
        listen_n(m, 8);
        struct req r = open_req(m, 1, true, 5000);
        struct lq_seg d = ack_ts(&r, 5007, r.tsval);
        d.len = 10;
        input(m, d);
        const struct lq_model_out *o = lq_model_output(m);
        const struct lq_seg *a = NULL;
        for (size_t i = 0; i < o->npkts; i++)
            if (o->pkts[i].seg.flags & LQ_TH_ACK && o->pkts[i].seg.ack == r.rcv_nxt + 10)
                a = &o->pkts[i].seg;
        ok(queues(m).acceptq == 1 && a, "%s: third ACK with data: child created, data ACKed",
           vers[v]);
        uint32_t got = a ? a->opt.tsecr : 0;
        ok(got == 5007, "%s: the child's ACK echoes the third ACK's TSval 5007 (got %u)", vers[v],
           got);
        lq_model_free(m);
    }
}

int main(void)
{
    test_syn_retransmit();
    test_bad_ack();
    test_window();
    test_rst();
    test_new_syn();
    test_defer();
    test_abort_on_overflow();
    test_paws();
    test_tsecr();
    test_ts_recent();
    is_int(inv_broken, 0, "lq_model_check_invariants() held after every step");
    return tap_done();
}
