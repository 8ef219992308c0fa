/* tests/unit/test_model_reuseport.c: several listeners and SO_REUSEPORT
 * groups (model/reuseport.c).
 *
 * Expected values come from net/core/sock_reuseport.c and
 * net/ipv4/inet_hashtables.c of 6.12 (and 6.1, the same there):
 * __reuseport_add_sock appends a socket to socks[] when it listens;
 * run_bpf_filter's answer indexes socks[] and an answer >= num_socks falls
 * back to reuseport_select_sock_by_hash; reuseport_attach_prog refuses a
 * socket without SO_REUSEPORT; a request is found in the ehash by its
 * 4-tuple before any listener lookup (tcp_v4_rcv), so its ACK reaches its own
 * listener whatever the program says by then.
 */
#include <errno.h>

#include "model_test.h"

static const bool all4[4] = {true, true, true, true};

/* n SO_REUSEPORT listeners, listening (backlog 8) in the order given. */
static struct lq_model *group(const char *ver, int n, const int *order)
{
    struct lq_model *m = mk(ver);
    ok(lq_model_set_listeners(m, n, all4) == 0, "%s: %d listeners", ver, n);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    for (int i = 0; i < n; i++)
        is_int(lq_model_listen_on(m, order[i], LPORT, 8), 0, "listen on listener %d", order[i]);
    inv(m, "listen");
    return m;
}

static int synq_of(const struct lq_model *m, int l)
{
    struct lq_model_queues q;
    lq_model_queues_of(m, l, &q);
    return q.synq;
}

static int acceptq_of(const struct lq_model *m, int l)
{
    struct lq_model_queues q;
    lq_model_queues_of(m, l, &q);
    return q.acceptq;
}

static void test_steering(void)
{
    /* socks[] = {2, 0, 3, 1}: the listen order */
    const int order[4] = {2, 0, 3, 1};
    struct lq_model *m = group("6.12", 4, order);
    is_int(lq_model_setsockopt_on(m, 3, LQ_SOCKOPT_REUSEPORT_CBPF, 4), 0,
           "SO_ATTACH_REUSEPORT_CBPF=4 on a listening member");
    /* conn k sends from 20000 + k; 20000 % 4 == 0: conn k -> socks[k % 4] */
    for (uint16_t k = 0; k < 4; k++)
        input(m, mksyn(k));
    ok(synq_of(m, 2) == 1 && synq_of(m, 0) == 1 && synq_of(m, 3) == 1 && synq_of(m, 1) == 1,
       "one SYN per member");
    input(m, mksyn(4)); /* 20004 % 4 == 0: socks[0] = listener 2 */
    is_int(synq_of(m, 2), 2, "port 20004 reaches socks[0], listener 2");
    ok(lq_model_beyond_scope(m) == NULL, "steering is within the model");
    lq_model_free(m);
}

static void test_fallback(void)
{
    const int order[2] = {0, 1};
    struct lq_model *m = group("6.12", 2, order);
    input(m, mksyn(0));
    ok(lq_model_beyond_scope(m) != NULL, "no program, two members: the hash is the kernel's");
    lq_model_free(m);

    m = group("6.12", 2, order);
    lq_model_setsockopt_on(m, 0, LQ_SOCKOPT_REUSEPORT_CBPF, 7);
    input(m, mksyn(6)); /* 20006 = 7 * 2858: in range */
    ok(lq_model_beyond_scope(m) == NULL && synq_of(m, 0) == 1, "20006 mod 7 = 0: socks[0]");
    input(m, mksyn(0)); /* 20000 % 7 == 1: in range */
    ok(lq_model_beyond_scope(m) == NULL && synq_of(m, 1) == 1, "20000 mod 7 = 1: socks[1]");
    input(m, mksyn(2)); /* 20002 % 7 == 3 >= 2: out of range, hash */
    ok(lq_model_beyond_scope(m) != NULL, "20002 mod 7 = 3, past two members: the hash chooses");
    lq_model_free(m);

    const int one[1] = {0};
    m = group("6.12", 1, one);
    lq_model_setsockopt_on(m, 0, LQ_SOCKOPT_REUSEPORT_CBPF, 7);
    input(m, mksyn(2));
    ok(lq_model_beyond_scope(m) == NULL && synq_of(m, 0) == 1,
       "out of range in a group of one: the hash can only pick it");
    lq_model_free(m);
}

static void test_request_keeps_listener(void)
{
    const int order[2] = {0, 1};
    struct lq_model *m = group("6.12", 2, order);
    lq_model_setsockopt_on(m, 1, LQ_SOCKOPT_REUSEPORT_CBPF, 2);
    input(m, mksyn(0)); /* 20000 % 2 == 0: listener 0 */
    const struct lq_model_pkt *sa = synack_of(m, 0);
    ok(sa != NULL && synq_of(m, 0) == 1, "the SYN reaches listener 0");
    uint32_t srv = sa ? sa->seg.seq : 0;
    /* now every port that is 1 mod 7 (20000 is) goes to socks[1] */
    lq_model_setsockopt_on(m, 0, LQ_SOCKOPT_REUSEPORT_CBPF, 7);
    input(m, mkseg(0, LQ_TH_ACK, cisn(0) + 1, srv + 1));
    ok(acceptq_of(m, 0) == 1 && acceptq_of(m, 1) == 0 && synq_of(m, 0) == 0,
       "the third ACK finds the request by its 4-tuple: the child joins listener 0");
    uint16_t conn = 99, mss = 0;
    is_int(lq_model_accept_on(m, 1, &conn, &mss), -EAGAIN, "listener 1 has nothing to accept");
    ok(lq_model_accept_on(m, 0, &conn, &mss) == 0 && conn == 0, "listener 0 returns it");
    inv(m, "accept");
    lq_model_free(m);
}

static void test_attach(void)
{
    struct lq_model *m = mk("6.12");
    bool plain[2] = {false, false};
    lq_model_set_listeners(m, 1, plain);
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_REUSEPORT_CBPF, 2), -EINVAL,
           "unhashed without SO_REUSEPORT: EINVAL");
    lq_model_listen(m, LPORT, 4);
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_REUSEPORT_CBPF, 2), -EINVAL,
           "listening without SO_REUSEPORT (no sk_reuseport_cb): EINVAL");
    lq_model_free(m);

    m = mk("legacy");
    lq_model_set_listeners(m, 1, all4);
    is_int(lq_model_setsockopt(m, LQ_SOCKOPT_REUSEPORT_CBPF, 2), -ENOPROTOOPT,
           "4.3: no SO_ATTACH_REUSEPORT_CBPF");
    lq_model_free(m);

    /* a program given to an unhashed socket: its own group; listen() then
     * conflicts with the listening L0 (inet_bind_conflict: reuseport_cb_ok) */
    m = mk("6.12");
    lq_model_set_listeners(m, 2, all4);
    lq_model_listen_on(m, 0, LPORT, 4);
    is_int(lq_model_setsockopt_on(m, 1, LQ_SOCKOPT_REUSEPORT_CBPF, 2), 0,
           "unhashed with SO_REUSEPORT: a group of its own");
    is_int(lq_model_listen_on(m, 1, LPORT, 4), -EADDRINUSE,
           "its listen() meets the listening group: EADDRINUSE");
    struct lq_model_queues q;
    lq_model_queues_of(m, 1, &q);
    is_int(q.acceptq_max, 0, "it does not listen: backlog 0 (tcp_get_info)");
    uint16_t conn, mss;
    is_int(lq_model_accept_on(m, 1, &conn, &mss), -EINVAL, "accept on it: EINVAL");
    inv(m, "conflict");
    lq_model_free(m);
}

static void test_before_tcp_steer(void)
{
    /* 4.5 has the option; TCP lookups ignore the program until 4.6 */
    const int order[2] = {0, 1};
    struct lq_model *m = group("4.5", 2, order);
    is_int(lq_model_setsockopt_on(m, 0, LQ_SOCKOPT_REUSEPORT_CBPF, 2), 0, "4.5 attaches");
    input(m, mksyn(0));
    ok(lq_model_beyond_scope(m) != NULL, "4.5: the hash chooses among two");
    lq_model_free(m);
    m = group("4.6", 2, order);
    lq_model_setsockopt_on(m, 0, LQ_SOCKOPT_REUSEPORT_CBPF, 2);
    input(m, mksyn(1));
    ok(lq_model_beyond_scope(m) == NULL && synq_of(m, 1) == 1, "4.6: the program steers");
    lq_model_free(m);
}

static void test_limits(void)
{
    struct lq_model *m = mk("6.12");
    ok(lq_model_set_listeners(m, 0, NULL) == -1 &&
           lq_model_set_listeners(m, LQ_MAX_LISTENERS + 1, NULL) == -1 &&
           lq_model_set_listeners(m, LQ_MAX_LISTENERS, NULL) == 0,
       "1 .. LQ_MAX_LISTENERS listeners");
    is_int(lq_model_listen_on(m, LQ_MAX_LISTENERS, LPORT, 1), -EBADF, "no such listener: EBADF");
    lq_model_reset(m);
    is_int(lq_model_nlisteners(m), 1, "reset: one listener");
    lq_model_free(m);
}

/* tcp_migrate_req (5.14): close() of listener 0 hands its queued child to
 * the group's one remaining member (reuseport_migrate_sock ->
 * reuseport_select_sock_by_hash with num_socks 1); with two remaining the
 * hash would choose (beyond); before 5.14 there is no migration. */
static void test_migration(void)
{
    const int order[3] = {0, 1, 2};
    const char *vers[2] = {"6.1", "5.10"};
    for (int v = 0; v < 2; v++) {
        struct lq_model *m = group(vers[v], 2, order);
        lq_model_set_sysctl(m, LQ_SYSCTL_MIGRATE_REQ, 1);
        is_int(lq_model_setsockopt_on(m, 0, LQ_SOCKOPT_REUSEPORT_CBPF, 2), 0, "program mod 2");
        input(m, mksyn(0)); /* 20000 % 2: listener 0 */
        const struct lq_model_pkt *sa = synack_of(m, 0);
        input(m, mkseg(0, LQ_TH_ACK, cisn(0) + 1, sa ? sa->seg.seq + 1 : 0));
        is_int(acceptq_of(m, 0), 1, "%s: a child in listener 0's queue", vers[v]);
        lq_model_close(m);
        inv(m, "close");
        bool migrates = v == 0;
        ok(acceptq_of(m, 1) == (migrates ? 1 : 0) &&
               ctr(m, LQ_CTR_MIGRATE_REQ_SUCCESS) == (migrates ? 1u : 0u) &&
               ctr(m, LQ_CTR_OUT_RSTS) == (migrates ? 0u : 1u),
           "%s: close with tcp_migrate_req 1: %s", vers[v],
           migrates ? "the child joins listener 1, no reset" : "no migration: reset");
        lq_model_free(m);
    }
    struct lq_model *m = group("6.18", 3, order);
    lq_model_set_sysctl(m, LQ_SYSCTL_MIGRATE_REQ, 1);
    lq_model_setsockopt_on(m, 0, LQ_SOCKOPT_REUSEPORT_CBPF, 3);
    input(m, mksyn(0)); /* 20000 % 3 = 2: listener 2; conn 1: 20001 % 3 = 0 */
    input(m, mksyn(1));
    const struct lq_model_pkt *sa = synack_of(m, 1);
    input(m, mkseg(1, LQ_TH_ACK, cisn(1) + 1, sa ? sa->seg.seq + 1 : 0));
    is_int(acceptq_of(m, 0), 1, "a child of listener 0");
    lq_model_close(m);
    ok(lq_model_beyond_scope(m) != NULL, "two members left: the hash chooses, beyond the model");
    lq_model_free(m);
}

int main(void)
{
    test_migration();
    test_steering();
    test_fallback();
    test_request_keeps_listener();
    test_attach();
    test_before_tcp_steer();
    test_limits();
    is_int(inv_broken, 0, "no invariant broken");
    return tap_done();
}
