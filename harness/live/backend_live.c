/* harness/live/backend_live.c: the running kernel behind the backend interface.
 *
 * The kernel under test lives in a private server namespace; the harness
 * injects the client's frames and captures the server's replies on the other
 * end of a veth (netns.c, inject.c, capture.c). This module holds the
 * backend's operations table, the calls on sockets (listen, setsockopt,
 * accept, close), the queue lengths (TCP_INFO and inet_diag, diag.c) and
 * counters (the namespace's /proc, snmp.c), and the set-up and release of
 * it all. The frames of an event and the ordering barrier after it are in
 * exchange.c; what a scenario leaves behind is removed by scenario_end.c.
 */
#include "backend_live.h"

#include <sched.h>

#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backend_live_state.h"
#include "exchange.h"
#include "scenario_end.h"
#include "util/grow.h"
#include "util/thread.h"
#include "wire/tfo_cookie.h"

static int lq_live_sysctl_set(struct lq_live *lv, enum lq_sysctl s, int64_t v, struct lq_err *err)
{
    if (lv->sysctl_known[s] && lv->sysctl[s] == v)
        return 0;
    char val[32];
    snprintf(val, sizeof(val), "%lld", (long long)v);
    if (lq_sysctl_write(lq_sysctl_name(s), val, err))
        return -1;
    lv->sysctl[s] = v;
    lv->sysctl_known[s] = true;
    return 0;
}

/* ---- ops ---- */

/* One listener socket, bound to the scenario's port: its fd, or -1. */
static int lq_live_bind_listener(struct lq_live *lv, const struct lq_begin *bg, int l,
                                 struct lq_err *err)
{
    uint16_t lport = lv->lport;
    bool v6 = bg->family != LQ_FAMILY_IPV4;
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bg->reuseport[l] && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) {
        lq_errno(err, LQ_EXIT_ERROR, "setsockopt(SO_REUSEPORT)");
        close(fd);
        return -1;
    }
    int mark = l + 1;
    if (lv->marked && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark))) {
        lq_errno(err, LQ_EXIT_ERROR, "setsockopt(SO_MARK, %d)", mark);
        close(fd);
        return -1;
    }
    /* IPV6_V6ONLY before bind: do_ipv6_setsockopt refuses it on a bound
     * socket. Dual stack: off, and bound to [::] so IPv4 SYNs find it. */
    int v6only = bg->family == LQ_FAMILY_IPV6;
    if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only))) {
        lq_errno(err, LQ_EXIT_ERROR, "setsockopt(IPV6_V6ONLY, %d)", v6only);
        close(fd);
        return -1;
    }
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(lport), .sin_addr = lv->ns.server_ip};
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(lport)};
    if (bg->family == LQ_FAMILY_IPV6)
        a6.sin6_addr = lv->ns.server_ip6;
    int brc = v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6))
                 : bind(fd, (struct sockaddr *)&a, sizeof(a));
    if (brc) {
        lq_errno(err, LQ_EXIT_ERROR, "bind %s:%u",
                 bg->family == LQ_FAMILY_IPV4   ? "198.18.0.1"
                 : bg->family == LQ_FAMILY_IPV6 ? "[2001:db8::1]"
                                                : "[::]",
                 lport);
        close(fd);
        return -1;
    }
    return fd;
}

/* A scenario runs on one CPU. A request's timer is pinned to the CPU that
 * made the request (reqsk_queue_hash_req: TIMER_PINNED), and the SYN is
 * processed on the injecting CPU (veth_xmit -> __netif_rx -> this CPU's
 * backlog). A process that migrates between SYNs splits their timers over
 * two timer wheels, which fire independently, and the order that decides
 * which request reqsk_timer_handler prunes (timer_prune.lq) is lost. Only
 * a scenario that waits lets timers fire, so only those pin, each to
 * whichever CPU it starts on: --jobs workers still spread over the CPUs. */
static void lq_live_pin(struct lq_live *lv, bool pin)
{
    if (!pin) {
        if (lv->pinned)
            sched_setaffinity(0, sizeof(lv->cpus), &lv->cpus);
        lv->pinned = false;
        return;
    }
    if (!lv->cpus_saved) {
        if (sched_getaffinity(0, sizeof(lv->cpus), &lv->cpus))
            return;
        lv->cpus_saved = true;
    }
    int cpu = sched_getcpu();
    if (cpu < 0)
        return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    lv->pinned = sched_setaffinity(0, sizeof(one), &one) == 0;
}

static int lq_live_begin(struct lq_backend *b, const struct lq_begin *bg, struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    if (lv->released)
        return lq_errf(err, LQ_EXIT_ERROR,
                       "the kernel harness was released (its namespaces are gone)");
    /* every call of a scenario runs in SERVER (a listener bound anywhere
     * else would be the host's): this thread made it, or adopted it */
    if (lq_netns_check_in(&lv->ns, LQ_NS_SERVER, err))
        return -1;
    if (bg->sc && lq_scenario_is_slow(bg->sc))
        lq_live_pin(lv, true);
    uint16_t lport = bg->lport;
    lq_live_clear_frames(lv);
    lv->lport = lport;
    lv->nsynq = 0;
    lv->nports = 0;
    lv->family = bg->family;
    bool v6 = bg->family != LQ_FAMILY_IPV4;
    lv->echo_ipv6 = v6;
    lv->diag.family = v6 ? AF_INET6 : AF_INET;
    lv->diag.dual = bg->family == LQ_FAMILY_DUAL;
    if (v6 && !lv->ns.ipv6)
        return lq_errf(err, LQ_EXIT_SKIP, "this kernel has no IPv6 (no net.ipv6.conf)");
    if (lq_capture_set_port(lv->cap, lport, err))
        return -1;
    lv->nlsn = bg->nlsn > 0 && bg->nlsn <= LQ_MAX_LISTENERS ? bg->nlsn : 1;
    lv->marked = bg->sc && bg->sc->nlsn > 0;
    for (int l = 0; l < lv->nlsn; l++) {
        int fd = lq_live_bind_listener(lv, bg, l, err);
        if (fd < 0) {
            for (int k = 0; k < l; k++) {
                close(lv->listeners[k]);
                lv->listeners[k] = -1;
            }
            lv->listener = -1;
            return -1;
        }
        lv->listeners[l] = fd;
    }
    lv->listener = lv->listeners[0];
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        if (lq_live_sysctl_set(lv, (enum lq_sysctl)s, bg->sysctl[s], err))
            return -1;
    return 0;
}

static int lq_live_sysctl(struct lq_backend *b, enum lq_sysctl s, int64_t value, struct lq_err *err)
{
    return lq_live_sysctl_set(lq_lv(b), s, value, err);
}

static int lq_live_fd(struct lq_live *lv, int lsn, struct lq_err *err)
{
    if (lsn < 0 || lsn >= lv->nlsn)
        return lq_errf(err, LQ_EXIT_ERROR, "no listener %d (the scenario has %d)", lsn, lv->nlsn);
    /* closed by the scenario (close): a descriptor number no process has
     * open, so that the call fails with EBADF as on the closed one */
    return lv->listeners[lsn] < 0 ? INT_MAX : lv->listeners[lsn];
}

static int lq_live_listen(struct lq_backend *b, int lsn, int backlog, int *rc,
                          struct lq_replies *out, struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    int fd = lq_live_fd(lv, lsn, err);
    if (fd < 0)
        return -1;
    out->jiffies_at = out->jiffies_end = lq_live_tick_guard(lv);
    *rc = listen(fd, backlog) ? -errno : 0;
    return 0;
}

/* SO_ATTACH_REUSEPORT_CBPF's program: the TCP source port modulo n. The
 * kernel runs it with skb->data past the TCP header (run_bpf_filter pulls
 * hdr_len), so the port is loaded relative to the network header
 * (SKF_NET_OFF): at 20 behind an IPv4 header without options (what the
 * injector builds), at 40 behind an IPv6 one. */
static int lq_live_attach_cbpf(int fd, int n)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_B | BPF_ABS, (uint32_t)SKF_NET_OFF),
        BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 6, 2, 0),
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, (uint32_t)(SKF_NET_OFF + 20)),
        BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
        BPF_STMT(BPF_LD | BPF_H | BPF_ABS, (uint32_t)(SKF_NET_OFF + 40)),
        BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, (uint32_t)n),
        BPF_STMT(BPF_RET | BPF_A, 0),
    };
    struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog));
}

static int lq_live_sockopt(struct lq_backend *b, int lsn, enum lq_sockopt opt, int value, int *rc,
                           struct lq_replies *out, struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    int fd = lq_live_fd(lv, lsn, err);
    if (fd < 0)
        return -1;
    out->jiffies_at = out->jiffies_end = lq_live_tick_guard(lv);
    if (opt == LQ_SOCKOPT_REUSEPORT_CBPF) {
        *rc = lq_live_attach_cbpf(fd, value) ? -errno : 0;
        return 0;
    }
    int level = opt == LQ_SOCKOPT_V6ONLY ? IPPROTO_IPV6 : IPPROTO_TCP;
    int name = opt == LQ_SOCKOPT_DEFER_ACCEPT ? TCP_DEFER_ACCEPT
               : opt == LQ_SOCKOPT_SYNCNT     ? TCP_SYNCNT
               : opt == LQ_SOCKOPT_V6ONLY     ? IPV6_V6ONLY
               : opt == LQ_SOCKOPT_FASTOPEN   ? TCP_FASTOPEN
                                              : TCP_MAXSEG;
    *rc = setsockopt(fd, level, name, &value, sizeof(value)) ? -errno : 0;
    return 0;
}

static int lq_live_accept(struct lq_backend *b, int lsn, int *result, uint16_t *mss,
                          struct lq_replies *out, struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    int lfd = lq_live_fd(lv, lsn, err);
    if (lfd < 0)
        return -1;
    struct sockaddr_storage peer;
    socklen_t plen = sizeof(peer);
    *mss = 0;
    out->jiffies_at = lq_live_tick_guard(lv);
    int fd = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        *result = -errno;
    } else {
        int v = 0;
        socklen_t vl = sizeof(v);
        if (getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &v, &vl) == 0)
            *mss = (uint16_t)v;
        /* sin_port and sin6_port sit at the same offset */
        uint16_t pport = peer.ss_family == AF_INET6
                             ? ((const struct sockaddr_in6 *)&peer)->sin6_port
                             : ((const struct sockaddr_in *)&peer)->sin_port;
        int conn = lq_live_conn_of_port(lv, ntohs(pport));
        *result = conn >= 0 ? conn : -EPROTO; /* a peer no segment came from */
        lv->accepted =
            lq_grow(lv->accepted, &lv->accepted_cap, lv->naccepted + 1, sizeof(*lv->accepted));
        lv->accepted[lv->naccepted].conn = conn >= 0 ? (uint16_t)conn : UINT16_MAX;
        lv->accepted[lv->naccepted++].fd =
            fd; /* held open until the scenario ends (or close CONN) */
    }
    /* Anything the kernel sent meanwhile (timers) belongs to this event. */
    lv->out = out;
    lv->want_conn = -1;
    lv->call_ns = lq_capture_now_ns();
    int rc = lq_live_barrier(lv, err);
    out->jiffies_end = lv->barrier_jiffies;
    lv->out = NULL;
    return rc;
}

/* close() / shutdown() of the listener, close() of an accepted connection:
 * what the kernel sends from the call (tcp_close, tcp_disconnect: in the
 * calling context, before the barrier goes out). After close() the
 * listener's descriptor is gone: later calls on it get EBADF, as the
 * syscalls would on a closed descriptor. */
static int lq_live_sockcall(struct lq_backend *b, const struct lq_sockcall *c, int *rc,
                            struct lq_replies *out, struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    out->jiffies_at = lq_live_tick_guard(lv);
    lv->call_ns = lq_capture_now_ns();
    int lfd = c->lsn < lv->nlsn ? lv->listeners[c->lsn] : -1;
    if (c->kind == LQ_CALL_CLOSE) {
        *rc = lfd < 0 ? -EBADF : close(lfd) ? -errno : 0;
        if (c->lsn < lv->nlsn)
            lv->listeners[c->lsn] = -1;
        if (c->lsn == 0)
            lv->listener = -1;
    } else if (c->kind == LQ_CALL_SHUTDOWN) {
        int how = c->how == LQ_SHUT_RD ? SHUT_RD : c->how == LQ_SHUT_WR ? SHUT_WR : SHUT_RDWR;
        *rc = lfd < 0 ? -EBADF : shutdown(lfd, how) ? -errno : 0;
    } else {
        *rc = -EBADF; /* accept() never returned it, or it is closed */
        for (size_t i = 0; i < lv->naccepted; i++) {
            if (lv->accepted[i].fd < 0 || lv->accepted[i].conn != c->conn)
                continue;
            *rc = close(lv->accepted[i].fd) ? -errno : 0;
            lv->accepted[i].fd = -1;
            int port = lq_live_port_of_conn(lv, c->conn);
            for (size_t k = 0; k < lv->nports; k++)
                if (lv->ports[k].port == port)
                    lv->ports[k].fin_closed = true;
            break;
        }
    }
    lv->out = out;
    lv->want_conn = -1;
    int r = lq_live_barrier(lv, err);
    out->jiffies_end = lv->barrier_jiffies;
    lv->out = NULL;
    return r;
}

static int lq_live_state(struct lq_backend *b, struct lq_state *st, bool with_counters,
                         struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    for (int l = 0; l < lv->nlsn; l++) {
        struct tcp_info ti;
        socklen_t len = sizeof(ti);
        memset(&ti, 0, sizeof(ti));
        /* closed (close): no listener to ask, nothing queued (state 0) */
        if (lv->listeners[l] >= 0 && getsockopt(lv->listeners[l], IPPROTO_TCP, TCP_INFO, &ti, &len))
            return lq_errno(err, LQ_EXIT_ERROR, "getsockopt(TCP_INFO) on the listener");
        /* tcp_get_info(): for a listener, unacked = sk_ack_backlog and sacked =
         * sk_max_ack_backlog. */
        bool listening = ti.tcpi_state == 10; /* TCP_LISTEN */
        st->lacceptq[l] = listening ? (int32_t)ti.tcpi_unacked : 0;
        st->lbacklog[l] = listening ? (int32_t)ti.tcpi_sacked : 0;
    }
    if (lq_live_refresh_synq(lv, err))
        return -1;
    for (int l = 0; l < lv->nlsn; l++)
        st->lsynq[l] = lv->marked ? lv->synq_mark[l + 1] : lv->nsynq;
    st->acceptq = st->lacceptq[0];
    st->backlog = st->lbacklog[0];
    st->synq = st->lsynq[0];
    for (int k = 0; k < LQ_CTR_COUNT; k++)
        st->ctr_present[k] = lq_snmp_has(&lv->snmp, (enum lq_counter)k);
    st->ctr_valid = false;
    if (!with_counters)
        return 0;
    if (lq_snmp_read(&lv->snmp, st->ctr, err))
        return -1;
    st->ctr_valid = true;
    return 0;
}

static int lq_live_counter(struct lq_backend *b, const char *name, int64_t *value,
                           struct lq_err *err)
{
    uint64_t v;
    if (lq_snmp_read_named(&lq_lv(b)->snmp, name, &v, err))
        return -1;
    *value = (int64_t)v;
    return 0;
}

/* The kernel's jiffies_64 and HZ now (lq_kclock_calibrate): exact, or
 * estimated from the uptime without /proc/timer_list; the defaults the
 * model would take when /proc/timer_list fits no HZ. */
static int lq_live_clock(struct lq_backend *b, struct lq_clock *clock, struct lq_err *err)
{
    (void)err;
    struct lq_live *lv = lq_lv(b);
    if (!lv->clk.ok) {
        clock->jiffies64 = 0x40000000u;
        clock->hz = 1000;
        return 0;
    }
    uint64_t now = lq_mono_ns();
    if (lv->clk.exact) {
        clock->jiffies64 = lq_live_jiffies_of(lv, now);
        clock->hz = lv->clk.hz;
        return 0;
    }
    int64_t j =
        lv->clk.jiffies_at_mono0 + (int64_t)((now - lv->clk.mono0_ns) / (1000000000u / lv->clk.hz));
    clock->jiffies64 = (uint64_t)j;
    clock->hz = lv->clk.hz;
    return 0;
}

static int lq_live_end(struct lq_backend *b, struct lq_err *err)
{
    struct lq_live *lv = lq_lv(b);
    int rc = lq_live_end_scenario(lv, err);
    lq_live_pin(lv, false);
    return rc;
}

static unsigned lq_live_preempt_us;
static bool lq_live_late_writes;

void lq_backend_live_set_preempt(unsigned us)
{
    lq_live_preempt_us = us;
}

void lq_backend_live_set_late_writes(bool on)
{
    lq_live_late_writes = on;
}

static void *lq_live_close_inject(void *inj)
{
    lq_inject_close(inj);
    return NULL;
}

/* The packet sockets of inject and capture, closed side by side: each
 * release waits for an RCU grace period (packet_release -> synchronize_net),
 * and two waits at once share one (measured here: 24-32 ms one after the
 * other, 12-16 ms side by side), which every run and worker pays at its
 * end. The helper thread takes no signal (the mask it is created with). */
static void lq_live_close_packet_sockets(struct lq_live *lv)
{
    pthread_t th;
    bool threaded = false;
    if (lv->inj && lv->cap)
        threaded = lq_thread_start_quiet(&th, lq_live_close_inject, lv->inj) == 0;
    if (lv->inj && !threaded)
        lq_inject_close(lv->inj);
    if (lv->cap)
        lq_capture_close(lv->cap);
    if (threaded)
        pthread_join(th, NULL);
    lv->inj = NULL;
    lv->cap = NULL;
}

/* What it holds in the kernel, given back (once); disown: only this
 * process's copies, in a process forked from the one that made it (the
 * sockets and namespaces stay as they are for the processes that still
 * hold them, and the thread where it is). */
static void lq_live_release(struct lq_live *lv, bool disown)
{
    for (size_t i = 0; i < lv->naccepted; i++)
        if (lv->accepted[i].fd >= 0)
            close(lv->accepted[i].fd);
    lv->naccepted = 0;
    for (int l = 0; l < lv->nlsn; l++)
        if (lv->listeners[l] >= 0)
            close(lv->listeners[l]);
    for (int l = 0; l < LQ_MAX_LISTENERS; l++)
        lv->listeners[l] = -1;
    lv->listener = -1;
    if (disown) {
        lq_inject_close(lv->inj); /* a plain packet socket: its close only drops a reference */
        lq_capture_disown(lv->cap);
        lv->inj = NULL;
        lv->cap = NULL;
    } else {
        lq_live_close_packet_sockets(lv);
    }
    if (lv->diag_open)
        lq_diag_close(&lv->diag);
    lv->diag_open = false;
    if (lv->snmp_open)
        lq_snmp_close(&lv->snmp);
    lv->snmp_open = false;
    if (disown)
        lq_netns_disown(&lv->ns);
    else
        lq_netns_teardown(&lv->ns);
    lv->released = true;
}

static void lq_live_destroy(struct lq_backend *b)
{
    if (!b)
        return;
    struct lq_live *lv = lq_lv(b);
    if (!lv->released)
        lq_live_release(lv, false);
    lq_live_clear_frames(lv);
    free(lv->frames);
    free(lv->recs);
    free(lv->accepted);
    free(lv->ports);
    free(lv);
    free(b);
}

static size_t lq_live_frames(struct lq_backend *b, const struct lq_pcap_rec **recs)
{
    struct lq_live *lv = lq_lv(b);
    lv->recs = lq_grow(lv->recs, &lv->recs_cap, lv->nframes, sizeof(*lv->recs));
    for (size_t i = 0; i < lv->nframes; i++) {
        lv->recs[i].ts_ns = lv->frames[i]->ts_ns;
        lv->recs[i].len = lv->frames[i]->len;
        lv->recs[i].data = lv->frames[i]->data;
        lv->recs[i].orig_len = lv->frames[i]->orig_len;
    }
    *recs = lv->recs;
    return lv->nframes;
}
static void lq_live_stats(struct lq_backend *b, struct lq_backend_stats *st)
{
    *st = lq_lv(b)->stats;
}

static const struct lq_backend_ops lq_live_ops = {
    .name = "kernel",
    .caps = LQ_CAP_REALTIME,
    .begin = lq_live_begin,
    .sysctl = lq_live_sysctl,
    .listen = lq_live_listen,
    .sockopt = lq_live_sockopt,
    .segment = lq_live_segment,
    .sockcall = lq_live_sockcall,
    .accept = lq_live_accept,
    .wait = lq_live_wait,
    .state = lq_live_state,
    .end = lq_live_end,
    .destroy = lq_live_destroy,
    .counter = lq_live_counter,
    .settle = lq_live_settle,
    .clock = lq_live_clock,
    .frames = lq_live_frames,
    .stats = lq_live_stats,
};

/* Server-namespace settings every scenario relies on (docs/harness.md). */
static const struct {
    const char *name, *value;
} lq_live_fixed_sysctls[] = {
    {"net.ipv4.tcp_no_metrics_save", "1"},              /* tcp_peer_is_proven() is never true */
    {"net.ipv4.tcp_rmem", "4096 131072 6291456"},       /* rcv_wscale 7, initial window 64 KiB */
    {"net.ipv4.tcp_challenge_ack_limit", "2147483647"}, /* as 6.0+: no global quota */
    {"net.ipv4.tcp_invalid_ratelimit", "500"},
    /* a fixed Fast Open key (the bytes 00..0f): the same cookie in every run
     * (docs/research/fastopen-server-path.md, 5: its test vectors) */
    {"net.ipv4.tcp_fastopen_key", LQ_TFO_KEY_SYSCTL},
    {"net.ipv4.tcp_min_snd_mss", "48"},
    /* no SACK compression: an ACK for out-of-order data leaves at once, not
     * from an hrtimer racing the next event (absent before 4.19: the same) */
    {"net.ipv4.tcp_comp_sack_nr", "0"},
};

/* the run's one calibration (lq_backend_live_share_clock), or NULL */
static struct lq_kclock_share *lq_live_clock_share;

void lq_backend_live_share_clock(void)
{
    if (!lq_live_clock_share)
        lq_live_clock_share = lq_kclock_share_start();
}

static struct lq_backend *lq_live_new(const struct lq_backend *clock_of, struct lq_err *err);

struct lq_backend *lq_backend_live_new(struct lq_err *err)
{
    return lq_live_new(NULL, err);
}

int lq_backend_live_adopt(struct lq_backend *b, struct lq_err *err)
{
    return lq_netns_enter(&lq_lv(b)->ns, LQ_NS_SERVER, err);
}

void lq_backend_live_disown(struct lq_backend *b)
{
    if (b && b->ops == &lq_live_ops && !lq_lv(b)->released)
        lq_live_release(lq_lv(b), true);
}

struct lq_backend *lq_backend_live_new_beside(const struct lq_backend *clock_of, struct lq_err *err)
{
    return lq_live_new(clock_of && clock_of->ops == &lq_live_ops ? clock_of : NULL, err);
}

static struct lq_backend *lq_live_new(const struct lq_backend *clock_of, struct lq_err *err)
{
    struct lq_backend *b = calloc(1, sizeof(*b));
    struct lq_live *lv = calloc(1, sizeof(*lv));
    if (!b || !lv) {
        free(b);
        free(lv);
        lq_errf(err, LQ_EXIT_ERROR, "out of memory");
        return NULL;
    }
    b->ops = &lq_live_ops;
    b->priv = lv;
    lv->ns = (struct lq_netns)LQ_NETNS_INIT;
    lv->listener = -1;
    for (int l = 0; l < LQ_MAX_LISTENERS; l++)
        lv->listeners[l] = -1;
    lv->nlsn = 1;
    lv->destroy_ok = true;
    lv->want_conn = -1;
    lv->clk.hz = 1000;
    /* The clock is calibrated (about 10 ms of readings a third of a jiffy
     * apart, mostly asleep) beside the set-up (mostly RCU waits), in a
     * thread that takes no signal (clock.c); it is waited for before
     * anything is written (lq_live_before_write reads the clock). Jiffies
     * against CLOCK_MONOTONIC are the same in every process and namespace:
     * another kernel harness's calibration, or the run's, serves as well. */
    struct lq_kclock_share *own = NULL;
    if (clock_of)
        lv->clk = ((const struct lq_live *)clock_of->priv)->clk;
    else if (!lq_live_clock_share)
        own = lq_kclock_share_start();
    if (lq_netns_setup(&lv->ns, err))
        goto fail;
    if (lq_netns_enter(&lv->ns, LQ_NS_CLIENT, err))
        goto fail;
    lv->inj = lq_inject_open(lv->ns.client_ifname, lv->ns.client_mac, lv->ns.server_mac,
                             lv->ns.client_ip, lv->ns.server_ip, err);
    if (!lv->inj)
        goto fail;
    lq_inject_set_ipv6(lv->inj, &lv->ns.client_ip6, &lv->ns.server_ip6);
    lq_inject_set_before_write(lv->inj, lq_live_before_write, lv);
    lq_inject_set_preempt(lv->inj, lq_live_preempt_us);
    lv->cap = lq_capture_open(lv->ns.client_ifname, err);
    if (!lv->cap)
        goto fail;
    /* its own, or the run's (begun before this process, or its command,
     * forked); none to be had (no thread, or the run's gone with its
     * process): one made here */
    if (!clock_of && !lq_kclock_share_get(own ? own : lq_live_clock_share, &lv->clk))
        lq_kclock_calibrate(&lv->clk);
    lq_kclock_share_end(own);
    own = NULL;
    if (lq_live_late_writes && lv->clk.exact)
        lq_inject_set_late_writes(lv->inj, lv->clk.tick_ns, LQ_LIVE_TICK_GUARD_NS);
    if (lq_netns_enter(&lv->ns, LQ_NS_SERVER, err))
        goto fail;
    if (lq_live_wait_reachable(lv, false, err) ||
        (lv->ns.ipv6 && lq_live_wait_reachable(lv, true, err)))
        goto fail;
    if (lq_diag_open(&lv->diag, err))
        goto fail;
    lv->diag_open = true;
    if (lq_snmp_open(&lv->snmp, err))
        goto fail;
    lv->snmp_open = true;
    for (size_t i = 0; i < sizeof(lq_live_fixed_sysctls) / sizeof(lq_live_fixed_sysctls[0]); i++) {
        if (!lq_sysctl_exists(lq_live_fixed_sysctls[i].name))
            continue;
        if (lq_sysctl_write(lq_live_fixed_sysctls[i].name, lq_live_fixed_sysctls[i].value, err))
            goto fail;
    }
    FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
    if (f) {
        if (fgets(b->release, sizeof(b->release), f))
            b->release[strcspn(b->release, "\n")] = '\0';
        fclose(f);
    }
    return b;
fail:
    lq_kclock_share_end(own);
    lq_live_destroy(b);
    return NULL;
}
