/* tests/unit/test_model_listen.c: listen(2) and the listener's socket options.
 *
 * Expectations come from the kernel sources (cited next to each check):
 * __sys_listen_socket() (net/socket.c), __inet_listen_sk() (net/ipv4/af_inet.c),
 * reqsk_queue_alloc() of kernels before 4.4 (notes Q7), secs_to_retrans() and
 * tcp_sock_set_syncnt() (net/ipv4/tcp.c), and from the live facts measured on
 * 6.18.44. Every expected number is written out or computed by hand here.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "model/model_internal.h"
#include "model_test.h"

/* ---- helpers (each test file is self-contained) ---- */

static void syn(struct lq_model *m, uint16_t conn)
{
    struct lq_seg s = mkseg(conn, LQ_TH_SYN, cisn(conn), 0);
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    input(m, s);
}

/* SYN then the third ACK; returns whether a child was queued. */
static bool handshake(struct lq_model *m, uint16_t conn)
{
    struct lq_model_queues before, after;
    lq_model_queues(m, &before);
    syn(m, conn);
    const struct lq_model_pkt *sa = synack_of(m, conn);
    if (!sa)
        return false;
    uint32_t srv = sa->seg.seq;
    input(m, mkseg(conn, LQ_TH_ACK, cisn(conn) + 1, srv + 1));
    lq_model_queues(m, &after);
    return after.acceptq == before.acceptq + 1;
}

static int listen_n(struct lq_model *m, int backlog)
{
    int rc = lq_model_listen(m, LPORT, backlog);
    inv(m, "listen");
    return rc;
}

static int qmax(const struct lq_model *m)
{
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    return q.acceptq_max;
}

/* Number of SYNs (new connections from base on) answered by a SYN-ACK of a
 * queued request before the first one is not (dropped or a cookie); stops
 * after limit. */
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

/* ---- the backlog table ---- */

static void test_backlog_table(void)
{
    /* __sys_listen_socket: somaxconn = READ_ONCE(sysctl_somaxconn);
     * if ((unsigned int)backlog > somaxconn) backlog = somaxconn;
     * __inet_listen_sk: WRITE_ONCE(sk->sk_max_ack_backlog, backlog). */
    const int somax[] = {128, 4096};
    for (size_t s = 0; s < 2; s++) {
        int S = somax[s];
        const struct {
            long long backlog;
            int want;
        } rows[] = {
            {0, 0},       {1, 1},     {2, 2},  {S - 1, S - 1},
            {S, S},       {S + 1, S}, {-1, S}, /* (unsigned)-1 = 4294967295 > S */
            {INT_MIN, S},                      /* (unsigned)INT_MIN = 2147483648 > S */
            {INT_MAX, S},
        };
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
            struct lq_model *m = mk("6.18.44");
            lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, S);
            int rc = listen_n(m, (int)rows[i].backlog);
            ok(rc == 0 && qmax(m) == rows[i].want,
               "somaxconn %d, listen(fd, %lld) -> sk_max_ack_backlog %d (got %d)", S,
               rows[i].backlog, rows[i].want, qmax(m));
            lq_model_free(m);
        }
    }
    /* somaxconn 0 (the sysctl's minimum): any backlog but 0 is clamped to 0. */
    struct lq_model *m = mk("6.18.44");
    lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, 0);
    listen_n(m, 5);
    is_int(qmax(m), 0, "somaxconn 0: listen(fd, 5) -> 0");
    lq_model_free(m);
    /* somaxconn INT_MAX: -1 is 4294967295 unsigned, still > INT_MAX. */
    m = mk("6.18.44");
    lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, INT_MAX);
    listen_n(m, -1);
    is_int(qmax(m), INT_MAX, "somaxconn INT_MAX: listen(fd, -1) -> INT_MAX");
    lq_model_free(m);

    /* The profile's default somaxconn is used when nobody sets it: 4096 from 5.4. */
    m = mk("6.18.44");
    listen_n(m, -1);
    is_int(qmax(m), 4096, "6.18 default somaxconn 4096: listen(fd, -1) -> 4096");
    lq_model_free(m);
    m = mk("4.19");
    listen_n(m, 1000);
    is_int(qmax(m), 128, "4.19 default somaxconn 128: listen(fd, 1000) -> 128");
    lq_model_free(m);

    /* somaxconn is read at listen() time only. */
    m = mk("6.18.44");
    lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, 128);
    listen_n(m, 1000);
    lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, 16);
    is_int(qmax(m), 128, "lowering somaxconn after listen() leaves N at 128");
    listen_n(m, 1000);
    is_int(qmax(m), 16, "... until the next listen() reads it (16)");
    lq_model_free(m);

    /* Live fact (6.18.44): listen(fd, 0) with cookies off answers exactly one SYN. */
    m = mk("6.18.44");
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    listen_n(m, 0);
    is_int(synack_run(m, 1, 10), 1, "6.18.44 listen(fd, 0), cookies off: one SYN answered");
    lq_model_free(m);
    /* listen(fd, -1) with somaxconn 3: N = 3, qlen > 3 is full -> 4 answered (6.13+). */
    m = mk("6.18.44");
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, 3);
    listen_n(m, -1);
    is_int(synack_run(m, 1, 10), 4, "listen(fd, -1), somaxconn 3: 3 + 1 SYNs answered");
    lq_model_free(m);
}

/* ---- listen() on a listening socket ---- */

static void test_relisten(void)
{
    struct lq_model *m = mk("6.18.44");
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    ok(listen_n(m, 5) == 0, "first listen(5)");
    ok(handshake(m, 1), "conn 1 completes");
    ok(handshake(m, 2), "conn 2 completes");
    syn(m, 3);
    const struct lq_model_pkt *sa3 = synack_of(m, 3);
    ok(sa3 != NULL, "conn 3 gets a SYN-ACK");
    uint32_t srv3 = sa3 ? sa3->seg.seq : 0;
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    ok(q.acceptq == 2 && q.synq == 1, "before re-listen: acceptq 2, synq 1");

    /* __inet_listen_sk: "if the socket is already in listen state we can only
     * allow the backlog to be adjusted": only sk_max_ack_backlog changes. */
    ok(listen_n(m, 1) == 0, "listen(1) on the listening socket succeeds");
    lq_model_queues(m, &q);
    ok(q.acceptq == 2 && q.synq == 1 && q.acceptq_max == 1,
       "after re-listen(1): children and request kept, N = 1 (acceptq %d synq %d N %d)", q.acceptq,
       q.synq, q.acceptq_max);

    /* The accept queue (2) is now over N + 1 = 2? sk_acceptq_is_full: 2 > 1 -> full:
     * a new SYN is dropped with ListenOverflows (tcp_conn_request). */
    uint64_t ovf = lq_model_counters(m)[LQ_CTR_LISTEN_OVERFLOWS];
    syn(m, 4);
    ok(synack_of(m, 4) == NULL, "new SYN after lowering N under the queue: dropped");
    is_int(lq_model_counters(m)[LQ_CTR_LISTEN_OVERFLOWS] - ovf, 1, "... ListenOverflows +1");

    uint16_t conn = 0, mss = 0;
    ok(lq_model_accept(m, &conn, &mss) == 0 && conn == 1, "accept -> conn 1 (queued before)");
    inv(m, "accept");
    ok(lq_model_accept(m, &conn, &mss) == 0 && conn == 2, "accept -> conn 2 (queued before)");
    inv(m, "accept");
    /* The request survived: its third ACK still completes it. */
    input(m, mkseg(3, LQ_TH_ACK, cisn(3) + 1, srv3 + 1));
    lq_model_queues(m, &q);
    ok(q.acceptq == 1 && q.synq == 0, "conn 3's request completes after the re-listen");
    ok(lq_model_accept(m, &conn, &mss) == 0 && conn == 3, "accept -> conn 3");

    /* Raising N: new SYNs fit again. */
    listen_n(m, 10);
    is_int(qmax(m), 10, "re-listen(10): N = 10");
    is_int(synack_run(m, 100, 30), 11, "N 10, cookies off: 11 SYNs answered (qlen > N)");
    lq_model_free(m);
}

/* ---- the legacy SYN-queue size ---- */

/* reqsk_queue_alloc() of kernels before 4.4 (notes Q7):
 *   nr = min_t(u32, backlog, sysctl_max_syn_backlog); nr = max_t(u32, nr, 8);
 *   nr = roundup_pow_of_two(nr + 1); max_qlen_log = ilog2(nr);
 * and reqsk_queue_is_full(): qlen >> max_qlen_log, i.e. full once qlen >= nr. */
static void test_legacy(void)
{
    const struct {
        int backlog, max_syn_backlog, somaxconn, limit, cookies;
        const char *why;
    } rows[] = {
        {5, 8192, 128, 16, 0, "max(5, 8) = 8, roundup(9) = 16"},
        {0, 8192, 128, 16, 0, "max(0, 8) = 8, roundup(9) = 16"},
        {15, 8192, 128, 16, 0, "roundup(16) = 16"},
        {16, 8192, 128, 32, 0, "roundup(17) = 32"},
        {512, 8192, 128, 256, 0, "512 clamped to somaxconn 128, roundup(129) = 256"},
        /* Where max_syn_backlog is the minimum, the quarter rule (cookies off)
         * always stops earlier, so these run with cookies on. */
        {128, 40, 128, 64, 1, "min(128, 40) = 40, roundup(41) = 64"},
        {5, 6, 128, 16, 1, "min(5, 6) = 5, max(5, 8) = 8, roundup(9) = 16"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = mk("legacy");
        lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, rows[i].cookies);
        lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, rows[i].somaxconn);
        lq_model_set_sysctl(m, LQ_SYSCTL_MAX_SYN_BACKLOG, rows[i].max_syn_backlog);
        listen_n(m, rows[i].backlog);
        int n = synack_run(m, 1, 400);
        is_int(n, rows[i].limit, "legacy listen(%d), max_syn_backlog %d: %d SYNs answered (%s)",
               rows[i].backlog, rows[i].max_syn_backlog, rows[i].limit, rows[i].why);
        const uint64_t *c = lq_model_counters(m);
        if (rows[i].cookies)
            ok(c[LQ_CTR_REQQ_FULL_DO_COOKIES] == 1 && c[LQ_CTR_SYNCOOKIES_SENT] == 1 &&
                   c[LQ_CTR_LISTEN_DROPS] == 0,
               "... the next gets a cookie (TCPReqQFullDoCookies 1, SyncookiesSent 1)");
        else
            ok(c[LQ_CTR_REQQ_FULL_DROP] == 1 && c[LQ_CTR_LISTEN_DROPS] == 1,
               "... the next is dropped by the full SYN queue (TCPReqQFullDrop 1, "
               "ListenDrops 1)");
        lq_model_free(m);
    }

    /* The size is fixed at the first listen(): inet_listen() only calls
     * inet_csk_listen_start() (and reqsk_queue_alloc) when not yet listening. */
    struct lq_model *m = mk("legacy");
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    lq_model_set_sysctl(m, LQ_SYSCTL_MAX_SYN_BACKLOG, 8192);
    listen_n(m, 5);
    listen_n(m, 128);
    is_int(qmax(m), 128, "legacy re-listen(128): sk_max_ack_backlog 128");
    is_int(synack_run(m, 1, 400), 16, "legacy re-listen keeps the SYN queue at 16");
    lq_model_free(m);

    /* The quarter rule existed before 4.4 too: max_syn_backlog 20, listen(128):
     * queue size roundup(21) = 32, but 20 - qlen < 20 >> 2 (5) drops at qlen 16,
     * the 17th SYN, without TCPReqQFullDrop. */
    m = mk("legacy");
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    lq_model_set_sysctl(m, LQ_SYSCTL_MAX_SYN_BACKLOG, 20);
    listen_n(m, 128);
    is_int(synack_run(m, 1, 400), 16, "legacy, max_syn_backlog 20: quarter rule stops at 16");
    ok(lq_model_counters(m)[LQ_CTR_REQQ_FULL_DROP] == 0 &&
           lq_model_counters(m)[LQ_CTR_LISTEN_DROPS] == 1,
       "... a quarter-rule drop: ListenDrops 1, TCPReqQFullDrop 0");
    lq_model_free(m);
}

/* ---- socket options ---- */

static void test_defer_accept(void)
{
    /* secs_to_retrans(seconds, TCP_TIMEOUT_INIT / HZ = 1, TCP_RTO_MAX / HZ = 120):
     *   res = 0; if (seconds > 0) { period = 1; res = 1;
     *     while (seconds > period && res < 255) { res++; timeout <<= 1 (max 120);
     *                                             period += timeout; } }
     * Periods by res: 1:1 2:3 3:7 4:15 5:31 6:63 7:127, then timeout 128 -> 120:
     * 8:247 9:367 ... ; the count is a u8 capped at 255. */
    const struct {
        int secs, want;
    } rows[] = {{0, 0},   {1, 1},   {2, 2},    {3, 2},  {4, 3},       {7, 3},        {8, 4},
                {15, 4},  {16, 5},  {31, 5},   {32, 6}, {127, 7},     {128, 8},      {247, 8},
                {248, 9}, {367, 9}, {368, 10}, {-1, 0}, {INT_MIN, 0}, {INT_MAX, 255}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = mk("6.18.44");
        int rc = lq_model_setsockopt(m, LQ_SOCKOPT_DEFER_ACCEPT, rows[i].secs);
        inv(m, "setsockopt");
        ok(rc == 0 && m->lsk->defer_accept == rows[i].want,
           "TCP_DEFER_ACCEPT %d s -> %d retransmissions (got rc %d, %d)", rows[i].secs,
           rows[i].want, rc, m->lsk->defer_accept);
        lq_model_free(m);
    }

    /* Behaviour for 3 s -> 2: tcp_check_req drops a bare ACK while
     * req->num_timeout < 2. Timers fire at 1 s (num_timeout 1) and 3 s (2). */
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    lq_model_setsockopt(m, LQ_SOCKOPT_DEFER_ACCEPT, 3);
    syn(m, 1);
    const struct lq_model_pkt *sa = synack_of(m, 1);
    uint32_t srv = sa ? sa->seg.seq : 0;
    struct lq_seg ack = mkseg(1, LQ_TH_ACK, cisn(1) + 1, srv + 1);
    input(m, ack);
    is_int(lq_model_counters(m)[LQ_CTR_TCP_DEFER_ACCEPT_DROP], 1,
           "defer 3 s: bare ACK at num_timeout 0 dropped");
    lq_model_advance(m, 1500);
    inv(m, "advance");
    input(m, ack);
    is_int(lq_model_counters(m)[LQ_CTR_TCP_DEFER_ACCEPT_DROP], 2,
           "defer 3 s: bare ACK at num_timeout 1 dropped");
    lq_model_advance(m, 2000); /* t = 3.5 s: the 3 s timer ran, num_timeout 2 */
    inv(m, "advance");
    input(m, ack);
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    ok(q.acceptq == 1 && q.synq == 0 && lq_model_counters(m)[LQ_CTR_TCP_DEFER_ACCEPT_DROP] == 2,
       "defer 3 s: bare ACK at num_timeout 2 creates the child");
    lq_model_free(m);
}

static void test_syncnt(void)
{
    /* tcp_sock_set_syncnt: if (val < 1 || val > MAX_TCP_SYNCNT (127)) return -EINVAL. */
    const struct {
        int v, rc;
    } rows[] = {{0, -EINVAL},
                {1, 0},
                {2, 0},
                {127, 0},
                {128, -EINVAL},
                {-1, -EINVAL},
                {INT_MAX, -EINVAL},
                {INT_MIN, -EINVAL}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = mk("6.18.44");
        int rc = lq_model_setsockopt(m, LQ_SOCKOPT_SYNCNT, rows[i].v);
        inv(m, "setsockopt");
        is_int(rc, rows[i].rc, "TCP_SYNCNT %d -> %d", rows[i].v, rows[i].rc);
        lq_model_free(m);
    }
    /* A rejected value leaves the previous one in place: with TCP_SYNCNT 1 the
     * request expires at the second timer (3 s): num_timeout 1 >= 1. */
    struct lq_model *m = mk("6.18.44");
    listen_n(m, 8);
    lq_model_setsockopt(m, LQ_SOCKOPT_SYNCNT, 1);
    lq_model_setsockopt(m, LQ_SOCKOPT_SYNCNT, 200);
    syn(m, 1);
    lq_model_advance(m, 3000);
    inv(m, "advance");
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    is_int(q.synq, 0, "TCP_SYNCNT 1 (then a rejected 200): request gone at 3 s");
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_COUNT, 1), -EINVAL, "unknown option -> EINVAL");
    lq_model_free(m);
}

int main(void)
{
    test_backlog_table();
    test_relisten();
    test_legacy();
    test_defer_accept();
    test_syncnt();
    is_int(inv_broken, 0, "lq_model_check_invariants() held after every step");
    return tap_done();
}
