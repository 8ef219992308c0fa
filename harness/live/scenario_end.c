/* harness/live/scenario_end.c: see scenario_end.h. A scenario's result
 * must not depend on what ran before it in the same namespaces. */
#include "scenario_end.h"

#include <sys/socket.h>
#include <unistd.h>

#include "exchange.h"

static void lq_live_close_linger0(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
}

/* Leaves nothing a later scenario could see: accepted sockets and the
 * listener are closed with an RST (SO_LINGER 0; closing the listener resets
 * the children still queued), and each remaining request sock, which would
 * go on firing its SYN-ACK timer for up to a minute, is dropped by a segment
 * to its 4-tuple now that its listener is closed (tcp_v4_rcv drops a request
 * whose listener is not listening). */
/* The sockets a scenario left on its port once its listeners are closed and
 * its requests purged: connections the scenario left in TIME_WAIT,
 * FIN_WAIT2 or LAST_ACK (a client FIN after close CONN, a FIN exchange the
 * purge's RST missed). The port comes back 30000 scenarios later, and a
 * fuzzer runs that many in under a minute, inside TIME_WAIT's 60 s: a SYN
 * of a later scenario would meet the old 4-tuple's socket. */
struct lq_live_leftovers {
    struct lq_diag_sock s[64];
    int n;
};

static int lq_live_leftover_cb(void *arg, const struct lq_diag_sock *s)
{
    struct lq_live_leftovers *l = arg;
    if (l->n < (int)(sizeof(l->s) / sizeof(l->s[0])))
        l->s[l->n++] = *s;
    return 0;
}

/* Destroys them (SOCK_DESTROY: tcp_abort, nothing on the wire). A kernel
 * without CONFIG_INET_DIAG_DESTROY keeps them: nothing else can. */
static int lq_live_destroy_leftovers(struct lq_live *lv, struct lq_err *err)
{
    if (!lv->destroy_ok)
        return 0;
    struct lq_live_leftovers l = {.n = 0};
    uint32_t states =
        LQ_DIAG_STATES_ALL & ~(1u << LQ_DIAG_STATE_LISTEN) & ~(1u << LQ_DIAG_STATE_BOUND_INACTIVE);
    if (lq_diag_dump(&lv->diag, lv->lport, states, lq_live_leftover_cb, &l, err))
        return -1;
    for (int i = 0; i < l.n; i++) {
        struct lq_err e2 = {0};
        if (lq_diag_destroy(&lv->diag, &l.s[i], &e2)) {
            if (e2.status != LQ_EXIT_SKIP) {
                *err = e2;
                return -1;
            }
            lv->destroy_ok = false;
            return 0;
        }
        lv->stats.leftovers++;
    }
    return 0;
}

int lq_live_end_scenario(struct lq_live *lv, struct lq_err *err)
{
    for (size_t i = 0; i < lv->naccepted; i++)
        if (lv->accepted[i].fd >= 0)
            lq_live_close_linger0(lv->accepted[i].fd);
    lv->naccepted = 0;
    /* a connection close CONN left orphaned would retransmit its FIN: an
     * RST at the sequence number the server acknowledged last resets it */
    bool reset_sent = false;
    for (size_t i = 0; i < lv->nports; i++) {
        if (!lv->ports[i].fin_closed)
            continue;
        struct lq_seg rst = {.sport = lv->ports[i].port,
                             .dport = lv->lport,
                             .flags = LQ_TH_RST,
                             .seq = lv->ports[i].srv_ack,
                             .ipv6 = lv->ports[i].ipv6};
        uint8_t buf[128];
        size_t flen;
        if (lq_inject_tcp(lv->inj, &rst, buf, sizeof(buf), &flen, err))
            return -1;
        lv->stats.frames++;
        lv->ports[i].fin_closed = false;
        lv->echo_ipv6 = rst.ipv6;
        reset_sent = true;
    }
    if ((reset_sent && lq_live_barrier(lv, err)) || lq_live_refresh_synq(lv, err))
        return -1;
    for (int l = 0; l < lv->nlsn; l++) {
        if (lv->listeners[l] >= 0)
            lq_live_close_linger0(lv->listeners[l]);
        lv->listeners[l] = -1;
    }
    lv->listener = -1;
    for (int round = 0; round < 3 && lv->nsynq; round++) {
        for (int i = 0; i < lv->nsynq && i < 256; i++) {
            struct lq_seg rst = {.sport = lv->synq_ports[i],
                                 .dport = lv->lport,
                                 .flags = LQ_TH_RST,
                                 .ipv6 = lq_live_port_ipv6(lv, lv->synq_ports[i])};
            lv->echo_ipv6 = rst.ipv6;
            uint8_t buf[128];
            size_t flen;
            if (lq_inject_tcp(lv->inj, &rst, buf, sizeof(buf), &flen, err))
                return -1;
            lv->stats.frames++;
        }
        if (lq_live_barrier(lv, err) || lq_live_refresh_synq(lv, err))
            return -1;
    }
    if (lv->nsynq)
        return lq_errf(err, LQ_EXIT_ERROR, "%d request socks of port %u survived the purge",
                       lv->nsynq, lv->lport);
    /* a PMTU an ICMP error lowered would lower the next scenario's MSS */
    if ((lv->pmtu_sent[0] || lv->pmtu_sent[1]) &&
        lq_netns_flush_pmtu(&lv->ns, lv->pmtu_sent[0], lv->pmtu_sent[1], err))
        return -1;
    lv->pmtu_sent[0] = lv->pmtu_sent[1] = false;
    return lq_live_destroy_leftovers(lv, err);
}
