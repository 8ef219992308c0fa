/* tests/unit/test_model_icmp.c: ICMP errors about the server's segments.
 *
 * Expectations from net/ipv4/tcp_ipv4.c (tcp_v4_err: the abort list passed
 * to tcp_req_err, "!between(seq, snd_una, snd_nxt)" -> OutOfWindowIcmps,
 * tcp_v4_mtu_reduced), net/ipv6/tcp_ipv6.c (tcp_v6_err, tcp_v6_mtu_reduced),
 * net/ipv6/icmp.c (icmpv6_err_convert, tab_unreach), net/ipv4/route.c
 * (__ip_rt_update_pmtu: ip_rt_min_pmtu 552, ipv4_default_advmss) and
 * net/ipv6/route.c (ip6_default_advmss), Linux 6.12; the arithmetic is
 * written here: MSS = MTU - 20 (IPv4) or 40 (IPv6) - 20 (TCP).
 */
#include "model_test.h"

static struct lq_seg icmp(uint16_t conn, uint8_t kind, uint32_t seq, bool v6, uint16_t mtu)
{
    struct lq_seg s = mkseg(conn, 0, seq, 0);
    s.icmp = kind;
    s.mtu = mtu;
    s.ipv6 = v6;
    return s;
}

/* A request of conn on a listener of that family; its SYN-ACK's ISN. */
static uint32_t request(struct lq_model *m, uint16_t conn, bool v6)
{
    struct lq_seg s = mksyn(conn);
    s.ipv6 = v6;
    input(m, s);
    const struct lq_model_pkt *p = synack_of(m, conn);
    if (!p) {
        printf("Bail out! no SYN-ACK\n");
        exit(1);
    }
    return p->seg.seq;
}

static struct lq_model *listener_of(bool v6, int backlog)
{
    struct lq_model *m = mk("6.18");
    lq_model_set_family(m, v6 ? LQ_FAMILY_IPV6 : LQ_FAMILY_IPV4);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    lq_model_listen(m, LPORT, backlog);
    return m;
}

/* Which kinds drop a request: v4 net/host unreachable, TTL exceeded,
 * parameter problem; v6 port unreachable, administratively prohibited,
 * parameter problem (and 4/1); never frag needed / packet too big. */
static void test_request_abort_lists(void)
{
    static const struct {
        uint8_t kind;
        bool v4_abort, v6_abort;
    } t[] = {
        {LQ_ICMP_NET_UNREACH, true, false},   {LQ_ICMP_HOST_UNREACH, true, false},
        {LQ_ICMP_PROTO_UNREACH, false, true}, {LQ_ICMP_PORT_UNREACH, false, true},
        {LQ_ICMP_FRAG_NEEDED, false, false},  {LQ_ICMP_ADMIN_PROHIBITED, false, true},
        {LQ_ICMP_TTL_EXCEEDED, true, false},  {LQ_ICMP_PARAM_PROBLEM, true, true},
    };
    for (int v6 = 0; v6 < 2; v6++)
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
            struct lq_model *m = listener_of(v6, 8);
            uint32_t isn = request(m, 1, v6);
            input(m, icmp(1, t[i].kind, isn, v6, 1280));
            bool abort = v6 ? t[i].v6_abort : t[i].v4_abort;
            ok(queues(m).synq == (abort ? 0 : 1) && ctr(m, LQ_CTR_LISTEN_DROPS) == abort &&
                   npkts(m) == 0,
               "IPv%d kind %d quoting the ISN: %s", v6 ? 6 : 4, t[i].kind,
               abort ? "dropped, ListenDrops" : "the request stays");
            lq_model_free(m);
        }
}

static void test_request_window(void)
{
    struct lq_model *m = listener_of(false, 8);
    uint32_t isn = request(m, 1, false);
    input(m, icmp(1, LQ_ICMP_HOST_UNREACH, isn + 1, false, 0));
    input(m, icmp(1, LQ_ICMP_HOST_UNREACH, isn - 1, false, 0));
    ok(queues(m).synq == 1 && ctr(m, LQ_CTR_OUT_OF_WINDOW_ICMPS) == 2,
       "a request: ISN + 1 and ISN - 1 are out of window (seq != snt_isn), twice counted");
    input(m, icmp(2, LQ_ICMP_HOST_UNREACH, 0, false, 0));
    ok(queues(m).synq == 1 && ctr(m, LQ_CTR_OUT_OF_WINDOW_ICMPS) == 2,
       "no socket of the 4-tuple: nothing (ICMP_MIB_INERRORS only)");
    lq_model_free(m);
}

/* An established child and its MSS after frag needed. */
static void test_child_pmtu(void)
{
    for (int v6 = 0; v6 < 2; v6++) {
        struct lq_model *m = listener_of(v6, 8);
        uint32_t isn = request(m, 1, v6);
        struct lq_seg a = mkseg(1, LQ_TH_ACK, cisn(1) + 1, isn + 1);
        a.ipv6 = v6;
        input(m, a);
        input(m, icmp(1, LQ_ICMP_FRAG_NEEDED, isn, v6, 1400));
        ok(ctr(m, LQ_CTR_OUT_OF_WINDOW_ICMPS) == 1,
           "IPv%d child: the SYN-ACK's ISN is below snd_una: out of window", v6 ? 6 : 4);
        input(m, icmp(1, LQ_ICMP_FRAG_NEEDED, isn + 1, v6, 1400));
        uint16_t conn = 0, mss = 0;
        lq_model_accept(m, &conn, &mss);
        is_int(mss, v6 ? 1400 - 40 - 20 : 1400 - 20 - 20, "IPv%d child MSS after MTU 1400",
               v6 ? 6 : 4);
        /* the route's advmss for the next SYN-ACK from that address */
        uint32_t isn2 = request(m, 2, v6);
        (void)isn2;
        const struct lq_model_pkt *p = synack_of(m, 2);
        ok(p && p->seg.opt.mss == (v6 ? 1340 : 1360), "IPv%d: the next SYN-ACK's MSS is %d",
           v6 ? 6 : 4, v6 ? 1340 : 1360);
        lq_model_free(m);
    }
    /* below the minimum: IPv4 552 and locked, IPv6 ignored */
    struct lq_model *m = listener_of(false, 8);
    uint32_t isn = request(m, 1, false);
    input(m, mkseg(1, LQ_TH_ACK, cisn(1) + 1, isn + 1));
    input(m, icmp(1, LQ_ICMP_FRAG_NEEDED, isn + 1, false, 68));
    input(m, icmp(1, LQ_ICMP_FRAG_NEEDED, isn + 1, false, 1000));
    uint16_t conn = 0, mss = 0;
    lq_model_accept(m, &conn, &mss);
    is_int(mss, 552 - 40, "IPv4: MTU 68 becomes ip_rt_min_pmtu 552, locked against 1000");
    lq_model_free(m);
    m = listener_of(true, 8);
    isn = request(m, 1, true);
    struct lq_seg a = mkseg(1, LQ_TH_ACK, cisn(1) + 1, isn + 1);
    a.ipv6 = true;
    input(m, a);
    input(m, icmp(1, LQ_ICMP_FRAG_NEEDED, isn + 1, true, 1279));
    lq_model_accept(m, &conn, &mss);
    is_int(mss, 1440, "IPv6: an MTU below 1280 is ignored");
    lq_model_free(m);
}

int main(void)
{
    test_request_abort_lists();
    test_request_window();
    test_child_pmtu();
    ok(inv_broken == 0, "the model's invariants held throughout");
    return tap_done();
}
