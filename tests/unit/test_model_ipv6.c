/* tests/unit/test_model_ipv6.c: the model's IPv6 rules and the dual-stack
 * listener.
 *
 * Expected values are the kernel's constants and arithmetic, written here:
 * tcp_request_sock_ipv6_ops.mss_clamp = IPV6_MIN_MTU (1280) - 20 - 40 = 1220
 * (net/ipv6/tcp_ipv6.c); the IPv6 route's advmss = 1500 - 40 - 20 = 1440
 * (ip6_default_advmss); the cookie table of net/ipv6/syncookies.c
 * {1280 - 60, 1480 - 60, 1500 - 60, 9000 - 60}; tcp_select_initial_window
 * rounds tcp_full_space 65536 down to a multiple of the MSS (1440: 64800;
 * 1428 with timestamps: 64260).
 */
#include <errno.h>

#include "model/decision.h"
#include "model_test.h"

static bool took(const struct lq_model *m, enum lq_dp dp)
{
    const struct lq_model_out *o = lq_model_output(m);
    for (size_t i = 0; i < o->ndps; i++)
        if (o->dps[i] == dp)
            return true;
    return false;
}

static struct lq_model *v6listener(enum lq_family f, int backlog)
{
    struct lq_model *m = mk("6.18");
    lq_model_set_family(m, f);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    lq_model_listen(m, LPORT, backlog);
    inv(m, "listen");
    return m;
}

static struct lq_seg syn6(uint16_t conn, int mss)
{
    struct lq_seg s = mksyn(conn);
    s.ipv6 = true;
    s.opt.has_mss = mss >= 0;
    s.opt.mss = (uint16_t)(mss >= 0 ? mss : 0);
    return s;
}

/* The third ACK for conn, after its SYN-ACK in the model's output. */
static struct lq_seg third_ack(const struct lq_model *m, uint16_t conn, bool ipv6)
{
    const struct lq_model_pkt *sa = synack_of(m, conn);
    struct lq_seg a = mkseg(conn, LQ_TH_ACK, cisn(conn) + 1, sa ? sa->seg.seq + 1 : 0);
    a.ipv6 = ipv6;
    return a;
}

static void test_synack_and_child(void)
{
    struct lq_model *m = v6listener(LQ_FAMILY_IPV6, 8);
    input(m, syn6(0, 1460));
    const struct lq_model_pkt *sa = synack_of(m, 0);
    ok(took(m, LQ_DP_CONNREQ_V6), "an IPv6 SYN takes tcp_v6_conn_request");
    ok(sa && sa->seg.ipv6, "its SYN-ACK is IPv6");
    is_int(sa ? sa->seg.opt.mss : 0, 1440, "the SYN-ACK's MSS is the IPv6 route's: 1500 - 60");
    is_int(sa ? sa->seg.win : 0, 64800, "window 65536 rounded down to 45 * 1440");
    input(m, third_ack(m, 0, true));
    ok(took(m, LQ_DP_SYNRECV_V6), "the child comes from tcp_v6_syn_recv_sock");
    uint16_t conn = 99, mss = 0;
    is_int(lq_model_accept(m, &conn, &mss), 0, "accept");
    is_int(mss, 1440, "the child's TCP_MAXSEG: min(1460, 1440)");

    /* no MSS option: the IPv6 af_ops' mss_clamp */
    input(m, syn6(1, -1));
    input(m, third_ack(m, 1, true));
    is_int(lq_model_accept(m, &conn, &mss), 0, "accept (no MSS option)");
    is_int(mss, 1220, "without an MSS option the clamp is IPV6_MIN_MTU - 60 = 1220");

    /* timestamps: 12 bytes off the MSS and the window's unit */
    struct lq_seg s = syn6(2, 1460);
    s.opt.has_ts = true;
    s.opt.tsval = 5;
    input(m, s);
    sa = synack_of(m, 2);
    is_int(sa ? sa->seg.win : 0, 64260, "with timestamps: 45 * 1428");
    struct lq_seg a = third_ack(m, 2, true);
    a.opt.has_ts = true;
    a.opt.tsval = 6;
    a.opt.tsecr = sa ? sa->seg.opt.tsval : 0;
    input(m, a);
    is_int(lq_model_accept(m, &conn, &mss), 0, "accept (timestamps)");
    is_int(mss, 1428, "1440 less the 12-byte timestamp option");

    /* TCP_MAXSEG below the route's */
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_MAXSEG, 1300), 0, "TCP_MAXSEG 1300");
    input(m, syn6(3, 1460));
    sa = synack_of(m, 3);
    is_int(sa ? sa->seg.opt.mss : 0, 1300, "user_mss caps the IPv6 SYN-ACK's MSS too");
    lq_model_free(m);
}

static void test_resets_and_acks(void)
{
    struct lq_model *m = v6listener(LQ_FAMILY_IPV6, 8);
    struct lq_seg a = mkseg(0, LQ_TH_ACK, 7, 12345);
    a.ipv6 = true;
    input(m, a);
    const struct lq_seg *r = pkt0(m);
    ok(took(m, LQ_DP_SEND_RESET_V6), "an ACK to the listener: tcp_v6_send_reset");
    ok(r && r->ipv6 && (r->flags & LQ_TH_RST) && r->seq == 12345, "an IPv6 RST with seq = SEG.ACK");
    input(m, syn6(1, 1460));
    struct lq_seg bad = third_ack(m, 1, true);
    bad.seq += 1u << 28; /* out of window: an ACK from the request */
    input(m, bad);
    ok(took(m, LQ_DP_REQSK_ACK_V6), "an out-of-window segment: tcp_v6_reqsk_send_ack");
    r = pkt0(m);
    ok(r && r->ipv6 && r->flags == LQ_TH_ACK, "the request's ACK is IPv6");
    lq_model_free(m);
}

static void test_cookies(void)
{
    /* client MSS -> the IPv6 table entry the cookie keeps -> the child's MSS */
    static const struct {
        int client, child;
    } cases[] = {{1450, 1440}, {1440, 1440}, {1439, 1420}, {1420, 1420},
                 {1419, 1220}, {400, 1220},  {9000, 1440}, {-1, 1220}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lq_model *m = v6listener(LQ_FAMILY_IPV6, 8);
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 2);
        input(m, syn6(0, cases[i].client));
        const struct lq_model_pkt *sa = synack_of(m, 0);
        ok(sa && sa->cookie && took(m, LQ_DP_COOKIE_V6_INIT), "client MSS %d: a v6 cookie",
           cases[i].client);
        input(m, third_ack(m, 0, true));
        ok(took(m, LQ_DP_COOKIE_V6_CHECK) && acceptq(m) == 1, "client MSS %d: cookie_v6_check",
           cases[i].client);
        uint16_t conn, mss = 0;
        lq_model_accept(m, &conn, &mss);
        is_int(mss, cases[i].child, "client MSS %d: the child's MSS", cases[i].client);
        lq_model_free(m);
    }
    /* the planted bug: 1460 in the table's third entry */
    struct lq_model *m = v6listener(LQ_FAMILY_IPV6, 8);
    lq_model_set_bug(m, LQ_BUG_V6_COOKIE_MSS);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 2);
    input(m, syn6(0, 1450));
    input(m, third_ack(m, 0, true));
    uint16_t conn, mss = 0;
    lq_model_accept(m, &conn, &mss);
    is_int(mss, 1420, "the planted v6_cookie_mss bug: 1450 keeps 1420");
    lq_model_free(m);
    /* ...and IPv4 cookies do not see it */
    m = mk("6.18");
    lq_model_set_bug(m, LQ_BUG_V6_COOKIE_MSS);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 2);
    lq_model_listen(m, LPORT, 8);
    struct lq_seg s = mksyn(0);
    s.opt.mss = 1450;
    input(m, s);
    input(m, third_ack(m, 0, false));
    lq_model_accept(m, &conn, &mss);
    is_int(mss, 1440, "the planted bug leaves the IPv4 table alone");
    lq_model_free(m);
}

static void test_dual_stack(void)
{
    struct lq_model *m = v6listener(LQ_FAMILY_DUAL, 1);
    struct lq_seg s4 = mksyn(0); /* an IPv4 SYN */
    input(m, s4);
    const struct lq_model_pkt *sa = synack_of(m, 0);
    ok(took(m, LQ_DP_CONNREQ_V4_MAPPED), "an IPv4 SYN to a dual-stack listener: the mapped path");
    ok(sa && !sa->seg.ipv6 && sa->seg.opt.mss == 1460, "its SYN-ACK is IPv4, MSS 1460");
    struct lq_seg ack0 = third_ack(m, 0, false);
    input(m, syn6(1, 1460));
    sa = synack_of(m, 1);
    ok(sa && sa->seg.ipv6 && sa->seg.opt.mss == 1440, "an IPv6 SYN's SYN-ACK: IPv6, MSS 1440");
    struct lq_seg ack1 = third_ack(m, 1, true);
    is_int(queues(m).synq, 2, "both requests in one SYN queue");
    input(m, syn6(2, 1460));
    is_int(npkts(m), 0, "the third SYN finds the queue full (qlen > 1)");
    input(m, ack0);
    ok(took(m, LQ_DP_SYNRECV_V4_MAPPED), "the IPv4 child: tcp_v4_syn_recv_sock, mapped");
    input(m, ack1);
    ok(took(m, LQ_DP_SYNRECV_V6), "the IPv6 child: tcp_v6_syn_recv_sock");
    uint16_t conn, mss = 0;
    lq_model_accept(m, &conn, &mss);
    ok(conn == 0 && mss == 1460, "the mapped child has the IPv4 MSS");
    lq_model_accept(m, &conn, &mss);
    ok(conn == 1 && mss == 1440, "the IPv6 child has the IPv6 MSS");
    lq_model_free(m);

    /* families a listener does not take: no listener at all */
    m = v6listener(LQ_FAMILY_IPV6, 4);
    input(m, mksyn(0));
    ok(took(m, LQ_DP_RCV_NO_SOCKET) && pkt0(m) && (pkt0(m)->flags & LQ_TH_RST) && !pkt0(m)->ipv6,
       "an IPv4 SYN to an IPV6_V6ONLY listener: no socket, an IPv4 RST");
    lq_model_free(m);
    m = listener("6.18", 4);
    input(m, syn6(0, 1460));
    ok(took(m, LQ_DP_RCV_NO_SOCKET) && pkt0(m) && pkt0(m)->ipv6 && took(m, LQ_DP_SEND_RESET_V6),
       "an IPv6 SYN to an IPv4 listener: no socket, an IPv6 RST");
    lq_model_free(m);
}

static void test_refusals_and_sockopt(void)
{
    struct lq_model *m = v6listener(LQ_FAMILY_IPV6, 4);
    struct lq_seg s = syn6(0, 1460);
    s.addr = LQ_ADDR_DST_NOT_UNICAST;
    input(m, s);
    ok(took(m, LQ_DP_CONNREQ_V6_NOT_UNICAST) && npkts(m) == 0 && ctr(m, LQ_CTR_LISTEN_DROPS) == 1 &&
           queues(m).synq == 0,
       "a non-unicast destination: dropped, ListenDrops");
    s = syn6(1, 1460);
    s.addr = LQ_ADDR_SRC_V4MAPPED;
    input(m, s);
    ok(took(m, LQ_DP_CONNREQ_V6_SRC_V4MAPPED) && npkts(m) == 0 &&
           ctr(m, LQ_CTR_LISTEN_DROPS) == 1 && queues(m).synq == 0,
       "a v4-mapped source: refused without ListenDrops");
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_V6ONLY, 0), -EINVAL,
           "IPV6_V6ONLY on a bound IPv6 socket: EINVAL");
    lq_model_free(m);
    m = listener("6.18", 4);
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_V6ONLY, 1), -ENOPROTOOPT,
           "IPV6_V6ONLY on an IPv4 socket: ENOPROTOOPT");
    lq_model_reset(m);
    lq_model_set_family(m, LQ_FAMILY_DUAL);
    lq_model_reset(m);
    lq_model_listen(m, LPORT, 4);
    input(m, syn6(0, 1460));
    ok(took(m, LQ_DP_RCV_NO_SOCKET), "lq_model_reset forgets the family (IPv4 again)");
    lq_model_free(m);
}

/* Flow labels by relation (ip6_make_flowlabel of the skb's hash): the
 * SYN-ACK's is the request's txhash; tcp_rtx_synack draws a new one since
 * 5.18 (cb6cd2cec799); tcp_v6_reqsk_send_ack passes the request's since 6.1
 * (aa51b80e1af4), before it the flow's own hash, which the listener's RST
 * to the same 4-tuple also carries (sk_txhash 0). */
static void test_flowlabels_on(const char *profile, bool v518, bool v61)
{
    struct lq_model *m = mk(profile);
    lq_model_set_family(m, LQ_FAMILY_IPV6);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    lq_model_listen(m, LPORT, 8);
    input(m, syn6(0, 1460));
    const struct lq_model_pkt *sa = synack_of(m, 0);
    uint32_t first = sa ? sa->seg.flowlabel : 0;
    ok(took(m, LQ_DP_V6_LABEL_REQUEST), "%s: the request draws a txhash", profile);
    advance(m, 1100); /* the SYN-ACK timer: 1 s */
    sa = synack_of(m, 0);
    uint32_t rtx = sa ? sa->seg.flowlabel : 0;
    ok(sa && (rtx != first) == v518, "%s: the retransmitted SYN-ACK's label %s", profile,
       v518 ? "is new" : "is the first's");
    struct lq_seg bad = third_ack(m, 0, true);
    bad.seq += 1u << 28;
    input(m, bad);
    const struct lq_seg *r = pkt0(m);
    uint32_t ack = r ? r->flowlabel : 0;
    ok(r && (ack == rtx) == v61, "%s: the request's ACK %s the last SYN-ACK's label", profile,
       v61 ? "carries" : "does not carry");
    struct lq_seg a = mkseg(1, LQ_TH_ACK, 7, 12345);
    a.ipv6 = true;
    input(m, a);
    r = pkt0(m);
    ok(r && took(m, LQ_DP_V6_LABEL_FLOW_HASH), "%s: the listener's RST hashes the flow", profile);
    struct lq_seg a0 = mkseg(0, LQ_TH_ACK, 7, 12345); /* bad ack to the request */
    a0.ipv6 = true;
    input(m, a0);
    r = pkt0(m);
    ok(r && (r->flags & LQ_TH_RST) && r->flowlabel != rtx && (r->flowlabel == ack) == !v61,
       "%s: the RST for the request is the flow's label, not the SYN-ACK's", profile);
    lq_model_free(m);
}

static void test_flowlabels(void)
{
    test_flowlabels_on("6.18", true, true);
    test_flowlabels_on("6.0", true, false);
    test_flowlabels_on("5.10", false, false);
}

int main(void)
{
    test_synack_and_child();
    test_resets_and_acks();
    test_cookies();
    test_dual_stack();
    test_refusals_and_sockopt();
    test_flowlabels();
    is_int(inv_broken, 0, "no invariant broken");
    return tap_done();
}
