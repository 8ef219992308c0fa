/* tests/unit/test_model_fastopen.c: TCP Fast Open on the listener.
 *
 * Expectations from the kernel source (6.12.118 and 6.1.192, the same here;
 * docs/research/fastopen-server-path.md quotes them): tcp_try_fastopen()'s
 * gate (TFO_SERVER_ENABLE 0x2, syn_data || foc->len >= 0, the queue check)
 * and its TCPFastOpenCookieReqd before it; tcp_fastopen_queue_check()'s
 * "qlen >= max_qlen"; fastopen_queue_tune()'s min(backlog, somaxconn);
 * do_tcp_setsockopt()'s "val >= 0" for TCP_FASTOPEN;
 * tcp_fastopen_cookie_match()'s "orig->len == TCP_FASTOPEN_COOKIE_SIZE" (8);
 * tcp_fastopen_create_child()'s rcv_nxt = seq + 1 + the SYN's payload and
 * tcp_make_synack()'s ack_seq = tcp_rsk(req)->rcv_nxt; tcp_conn_request()'s
 * "want_cookie ? NULL : &foc" and inet_csk_reqsk_queue_add() without
 * inet_csk_reqsk_queue_added() for the child; tcp_synack_options()'s
 * foc->exp; reqsk_fastopen_remove()'s qlen-- on the third ACK.
 */
#include <errno.h>

#include "model/model_internal.h"
#include "model_test.h"

#define TFO_ON         3   /* TFO_CLIENT_ENABLE | TFO_SERVER_ENABLE */
#define TFO_NO_COOKIE  514 /* TFO_SERVER_ENABLE | TFO_SERVER_COOKIE_NOT_REQD | client */
#define CLIENT_WINDOW  64240
#define SYN_DATA_BYTES 100

static struct lq_model *tfo_listener(int64_t tcp_fastopen, int fo_backlog)
{
    struct lq_model *m = mk("6.12.118");
    lq_model_set_sysctl(m, LQ_SYSCTL_FASTOPEN, tcp_fastopen);
    lq_model_listen(m, LPORT, 8);
    if (fo_backlog >= 0)
        lq_model_setsockopt(m, LQ_SOCKOPT_FASTOPEN, fo_backlog);
    inv(m, "listen");
    return m;
}

static struct lq_seg fo_syn(uint16_t conn, int cookie_len, const uint8_t *cookie, uint32_t len)
{
    struct lq_seg s = mksyn(conn);
    s.len = len;
    if (cookie_len >= 0) {
        s.opt.has_fo = true;
        s.opt.fo_len = (uint8_t)cookie_len;
        if (cookie_len)
            memcpy(s.opt.fo, cookie, (size_t)cookie_len);
    }
    return s;
}

/* The cookie the SYN-ACK to conn carried (its length, 0: none). */
static int synack_cookie(const struct lq_model *m, uint16_t conn, uint8_t out[16])
{
    const struct lq_model_pkt *p = synack_of(m, conn);
    if (!p || !p->seg.opt.has_fo)
        return 0;
    memcpy(out, p->seg.opt.fo, p->seg.opt.fo_len);
    return p->seg.opt.fo_len;
}

static void test_request_and_child(void)
{
    struct lq_model *m = tfo_listener(TFO_ON, 4);
    uint8_t cookie[16];
    input(m, fo_syn(1, 0, NULL, 0));
    is_int(synack_cookie(m, 1, cookie), 8, "a cookie request: an 8-byte cookie in the SYN-ACK");
    is_int((int)ctr(m, LQ_CTR_TFO_COOKIE_REQD), 1, "TCPFastOpenCookieReqd 1");
    is_int(queues(m).synq, 1, "the requester is a normal request");

    input(m, fo_syn(2, 8, cookie, SYN_DATA_BYTES));
    const struct lq_model_pkt *p = synack_of(m, 2);
    ok(p && p->seg.ack == cisn(2) + 1 + SYN_DATA_BYTES, "the child's SYN-ACK acks ISN + 1 + 100");
    ok(p && !p->seg.opt.has_fo, "... and carries no cookie (a primary-key match)");
    is_int(queues(m).synq, 1, "the child is not in the SYN queue");
    is_int(queues(m).acceptq, 1, "it is in the accept queue at SYN time");
    is_int((int)ctr(m, LQ_CTR_TFO_PASSIVE), 1, "TCPFastOpenPassive 1");
    is_int((int)ctr(m, LQ_CTR_PASSIVE_OPENS), 1, "PassiveOpens at SYN time");

    /* a retransmitted SYN: the SYN-ACK again, the same numbers, no cookie */
    input(m, fo_syn(2, 8, cookie, SYN_DATA_BYTES));
    p = synack_of(m, 2);
    ok(p && p->seg.ack == cisn(2) + 1 + SYN_DATA_BYTES && !p->seg.opt.has_fo,
       "a retransmitted SYN: the SYN-ACK again, acking the data, without a cookie");
    is_int(queues(m).acceptq, 1, "... and no second child");

    /* the third ACK */
    struct lq_seg ack = mkseg(2, LQ_TH_ACK, cisn(2) + 1 + SYN_DATA_BYTES, p ? p->seg.seq + 1 : 0);
    input(m, ack);
    is_int((int)npkts(m), 0, "the third ACK draws nothing");
    is_int(m->lsn[0].fo_qlen, 0, "reqsk_fastopen_remove: the Fast Open queue is empty again");
    lq_model_free(m);
}

static void test_cookie_checks(void)
{
    struct lq_model *m = tfo_listener(TFO_ON, 4);
    uint8_t cookie[16];
    input(m, fo_syn(1, 0, NULL, 0));
    synack_cookie(m, 1, cookie);
    /* the right first four bytes are no 4-byte cookie: only 8 can match */
    input(m, fo_syn(2, 4, cookie, 10));
    is_int((int)ctr(m, LQ_CTR_TFO_PASSIVE_FAIL), 1, "a 4-byte prefix of the cookie: PassiveFail");
    uint8_t back[16];
    is_int(synack_cookie(m, 2, back), 8, "... and the SYN-ACK carries the right cookie");
    ok(!memcmp(back, cookie, 8), "... the same one");
    ok(synack_of(m, 2) && synack_of(m, 2)->seg.ack == cisn(2) + 1, "... the data not acked");
    cookie[0] ^= 1;
    input(m, fo_syn(3, 8, cookie, 10));
    is_int((int)ctr(m, LQ_CTR_TFO_PASSIVE_FAIL), 2, "one bit off: PassiveFail");
    is_int(queues(m).acceptq, 0, "no child for a wrong cookie");
    lq_model_free(m);
}

static void test_gate(void)
{
    /* server off (tcp_fastopen 1): the request is counted, not answered */
    struct lq_model *m = tfo_listener(1, 4);
    input(m, fo_syn(1, 0, NULL, 10));
    uint8_t c[16];
    is_int(synack_cookie(m, 1, c), 0, "tcp_fastopen=1: no cookie");
    is_int((int)ctr(m, LQ_CTR_TFO_COOKIE_REQD), 1, "... but TCPFastOpenCookieReqd counted");
    lq_model_free(m);

    /* no TCP_FASTOPEN: max_qlen 0 */
    m = tfo_listener(TFO_ON, -1);
    input(m, fo_syn(1, 0, NULL, 0));
    is_int(synack_cookie(m, 1, c), 0, "no Fast Open queue: no cookie");
    is_int((int)ctr(m, LQ_CTR_TFO_LISTEN_OVERFLOW), 0, "... and no overflow counted");
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_FASTOPEN, -1), -EINVAL, "TCP_FASTOPEN=-1: EINVAL");
    lq_model_free(m);

    /* a SYN cookie: tcp_try_fastopen is never called */
    m = tfo_listener(TFO_ON, 4);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 2);
    input(m, fo_syn(1, 0, NULL, 0));
    is_int((int)ctr(m, LQ_CTR_TFO_COOKIE_REQD), 0, "a SYN cookie: the request is not even counted");
    is_int(synack_cookie(m, 1, c), 0, "... and the SYN-ACK has no Fast Open cookie");
    lq_model_free(m);
}

static void test_queue_limit(void)
{
    /* TCP_FASTOPEN=5 with somaxconn 2: max_qlen min(5, 2) = 2 */
    struct lq_model *m = mk("6.12.118");
    lq_model_set_sysctl(m, LQ_SYSCTL_FASTOPEN, TFO_NO_COOKIE);
    lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, 2);
    lq_model_listen(m, LPORT, 2);
    lq_model_setsockopt(m, LQ_SOCKOPT_FASTOPEN, 5);
    for (uint16_t c = 1; c <= 3; c++)
        input(m, fo_syn(c, -1, NULL, 10));
    is_int(queues(m).acceptq, 2, "somaxconn 2 caps TCP_FASTOPEN=5: two children");
    is_int(queues(m).synq, 1, "the third SYN is a normal request");
    is_int((int)ctr(m, LQ_CTR_TFO_LISTEN_OVERFLOW), 1, "TCPFastOpenListenOverflow 1");
    is_int((int)ctr(m, LQ_CTR_TFO_PASSIVE), 2, "TCPFastOpenPassive 2");
    lq_model_free(m);

    /* no-cookie mode: a SYN without data or option is still no Fast Open */
    m = tfo_listener(TFO_NO_COOKIE, 4);
    input(m, mksyn(1));
    is_int(queues(m).synq, 1, "no data, no option: a request even without cookies");
    lq_model_free(m);
}

static void test_experimental_form(void)
{
    struct lq_model *m = tfo_listener(TFO_ON, 4);
    struct lq_seg s = fo_syn(1, 0, NULL, 0);
    s.opt.fo_exp = true;
    input(m, s);
    const struct lq_model_pkt *p = synack_of(m, 1);
    ok(p && p->seg.opt.has_fo && p->seg.opt.fo_exp && p->seg.opt.fo_len == 8,
       "a request in the experimental option (254/0xF989) is answered in it (valid_foc.exp)");
    lq_model_free(m);
}

static void test_window_and_mss(void)
{
    struct lq_model *m = tfo_listener(TFO_NO_COOKIE, 4);
    struct lq_seg s = fo_syn(1, -1, NULL, 10);
    s.opt.has_wscale = true;
    s.opt.wscale = 7;
    input(m, s);
    const struct lq_child *c = &m->children[0];
    /* tcp_fastopen_create_child: the SYN's window unscaled */
    is_int((int)c->snd_wnd, CLIENT_WINDOW, "the child's snd_wnd is the SYN's window, not scaled");
    is_int(c->state, LQ_CHILD_SYN_RECV, "the child is in SYN_RECV");
    lq_model_free(m);
}

/* tcp_fastopen_synack_timer: max_retries = icsk_syn_retries ?:
 * tcp_synack_retries + 1; the timer at req->timeout (TCP_TIMEOUT_INIT, 1 s)
 * << num_timeout; past the limit tcp_write_err: no RST, TCPAbortOnTimeout. */
static void test_synack_timer(void)
{
    struct lq_model *m = tfo_listener(TFO_NO_COOKIE, 4);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNACK_RETRIES, 0);
    input(m, fo_syn(1, -1, NULL, 10));
    advance(m, 999);
    is_int((int)npkts(m), 0, "nothing before 1 s");
    advance(m, 1);
    const struct lq_model_pkt *p = synack_of(m, 1);
    ok(p && p->timing == LQ_PKT_TIMER && p->seg.ack == cisn(1) + 1 + 10 && !p->seg.opt.has_fo,
       "at 1 s: the SYN-ACK again, acking the data (tcp_synack_retries 0 + 1 retries)");
    advance(m, 1999);
    is_int((int)npkts(m), 0, "nothing until 1 s + 2 s");
    is_int((int)ctr(m, LQ_CTR_TCP_ABORT_ON_TIMEOUT), 0, "... and alive (the timer backed off)");
    advance(m, 1);
    is_int((int)npkts(m), 0, "at 3 s: no RST either");
    is_int((int)ctr(m, LQ_CTR_TCP_ABORT_ON_TIMEOUT), 1, "... TCPAbortOnTimeout");
    is_int((int)ctr(m, LQ_CTR_TCP_TIMEOUTS), 2, "... TCPTimeouts at each expiry");
    is_int(m->lsn[0].fo_qlen, 0, "... and the Fast Open queue is free");
    lq_model_free(m);
}

/* e3faa49bcecd (5.15): "if (syn_data && tcp_fastopen_no_cookie(...)) goto
 * fastopen" lost its syn_data: before, a data-less cookie request in
 * no-cookie mode got a cookie and a normal request. */
static void test_no_cookie_dataless_by_version(void)
{
    const char *vers[] = {"5.14", "5.15"};
    for (int v = 0; v < 2; v++) {
        struct lq_model *m = mk(vers[v]);
        lq_model_set_sysctl(m, LQ_SYSCTL_FASTOPEN, TFO_NO_COOKIE);
        lq_model_listen(m, LPORT, 8);
        lq_model_setsockopt(m, LQ_SOCKOPT_FASTOPEN, 4);
        input(m, fo_syn(1, 0, NULL, 0));
        uint8_t c[16];
        if (v == 0)
            ok(queues(m).synq == 1 && synack_cookie(m, 1, c) == 8,
               "5.14: a data-less request in no-cookie mode gets a cookie, no child");
        else
            ok(queues(m).acceptq == 1 && synack_cookie(m, 1, c) == 0,
               "5.15: it makes a child, no cookie");
        lq_model_free(m);
    }
}

/* reqsk_fastopen_remove(reset true) of an accepted child: rsk_timer.expires
 * = jiffies + 60*HZ, qlen kept; tcp_fastopen_queue_check frees the head
 * once "time_after(req1->rsk_timer.expires, jiffies)" is false. */
static void test_rst_list(void)
{
    struct lq_model *m = tfo_listener(TFO_NO_COOKIE, 1);
    lq_model_set_clock(m, 0x40000000u, 250);
    input(m, fo_syn(1, -1, NULL, 10));
    uint16_t conn, mss;
    is_int(lq_model_accept(m, &conn, &mss), 0, "the child is accepted in SYN_RECV");
    const struct lq_model_pkt *p = synack_of(m, 1);
    (void)p;
    input(m, mkseg(1, LQ_TH_RST, cisn(1) + 1 + 10, 0));
    is_int(m->lsn[0].fo_qlen, 1, "an RST after accept: the request keeps its slot");
    advance(m, 59999);
    input(m, fo_syn(2, -1, NULL, 10));
    is_int((int)ctr(m, LQ_CTR_TFO_LISTEN_OVERFLOW), 1, "59.999 s later the queue is still full");
    advance(m, 1);
    input(m, fo_syn(3, -1, NULL, 10));
    is_int((int)ctr(m, LQ_CTR_TFO_PASSIVE), 2, "at 60 s (60 * HZ jiffies) the slot is free again");
    is_int(m->lsn[0].fo_qlen, 1, "... and taken by the new child");
    lq_model_free(m);
}

/* tcp_rcv_state_process() on a child with fastopen_rsk: tcp_check_req()
 * passes a segment by tcp_in_window() ("after(end_seq, s_win) &&
 * before(seq, e_win)"), then tcp_validate_incoming() runs tcp_sequence(),
 * which since 6.17 ("tcp: do not accept packets beyond window") refuses an
 * end_seq past rcv_nxt + tcp_receive_window() while the receive queue holds
 * an skb (here the SYN's data): tcp_send_dupack, the child stays in
 * SYN_RECV with its request. Before, the ACK in it completes the handshake
 * (tcp_rcv_synrecv_state_fastopen: reqsk_fastopen_remove). The segment
 * starts 9 bytes inside the window the SYN-ACK advertised and ends 1 past
 * it. */
static void test_data_past_window_by_version(void)
{
    const char *vers[] = {"6.16", "6.17"};
    for (int v = 0; v < 2; v++) {
        struct lq_model *m = mk(vers[v]);
        lq_model_set_sysctl(m, LQ_SYSCTL_FASTOPEN, TFO_NO_COOKIE);
        lq_model_listen(m, LPORT, 8);
        lq_model_setsockopt(m, LQ_SOCKOPT_FASTOPEN, 4);
        input(m, fo_syn(1, -1, NULL, 10));
        const struct lq_model_pkt *sa = synack_of(m, 1);
        if (!sa) {
            ok(0, "%s: the SYN with data draws a SYN-ACK", vers[v]);
            lq_model_free(m);
            continue;
        }
        uint32_t rcv_nxt = cisn(1) + 1 + 10, srv_isn = sa->seg.seq, wnd = sa->seg.win;
        struct lq_seg d = mkseg(1, LQ_TH_ACK | LQ_TH_PSH, rcv_nxt + wnd - 9, srv_isn + 1);
        d.len = 10;
        input(m, d);
        const struct lq_seg *a = pkt0(m);
        bool dupack = npkts(m) == 1 && a && a->flags == LQ_TH_ACK && a->ack == rcv_nxt &&
                      a->seq == srv_isn + 1;
        const struct lq_child *c = &m->children[0];
        if (v == 0)
            ok(dupack && c->state == LQ_CHILD_ESTABLISHED && m->lsn[0].fo_qlen == 0,
               "6.16: the ACK completes the handshake (the data is out of order: an ACK of "
               "rcv_nxt), the Fast Open queue is free (state %d, fo_qlen %d)",
               c->state, m->lsn[0].fo_qlen);
        else
            ok(dupack && c->state == LQ_CHILD_SYN_RECV && m->lsn[0].fo_qlen == 1,
               "6.17: tcp_sequence refuses it: a dupack of rcv_nxt, the child still in "
               "SYN_RECV with its request (state %d, fo_qlen %d)",
               c->state, m->lsn[0].fo_qlen);
        lq_model_free(m);
    }
}

int main(void)
{
    test_data_past_window_by_version();
    test_rst_list();
    test_no_cookie_dataless_by_version();
    test_synack_timer();
    test_request_and_child();
    test_cookie_checks();
    test_gate();
    test_queue_limit();
    test_experimental_form();
    test_window_and_mss();
    is_int(inv_broken, 0, "no invariant broke");
    return tap_done();
}
