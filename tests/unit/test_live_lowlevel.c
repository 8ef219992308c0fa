/* tests/unit/test_live_lowlevel.c: the live backend's low-level modules
 * against this machine's kernel: netns, snmp, diag, inject, capture.
 *
 * Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW); without them every
 * check is skipped with lq_netns_setup's reason, which names what is missing. Everything happens in
 * namespaces the test creates; the host's network is never touched. Timings are printed as TAP
 * diagnostics ("# cost ...").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live/capture.h"
#include "live/diag.h"
#include "wire/frame.h"
#include "live/inject.h"
#include "live/netns.h"
#include "live/snmp.h"
#include "tap.h"

enum {
    PORT = 8080,
    CPORT = 40000,
    ISN = 0x12345678,
    ECHO_ID = 0x4c51,
    BARRIER_MS = 1000,
    MAX_RX = 64,
};

/* The checks of the live run, in order, for the skip path. */
static const char *const live_checks[] = {
    "namespaces set up",
    "PARENT/SERVER/CLIENT are not pid 1's namespace",
    "PARENT/SERVER/CLIENT differ from ORIG and from each other",
    "the thread is in SERVER after setup",
    "no namespace is named (bind-mounted)",
    "lqs0/lqc0 are not in the original namespace",
    "MACs and ifindexes read back",
    "SERVER has a private 1024-bucket ehash",
    "tcp_syncookies written and read back",
    "tcp_no_metrics_save is 1 in SERVER",
    "IPv6 is on in lqs0, without DAD, RA or a link-local address",
    "IPv6 is off in CLIENT",
    "lq_netns_enter refuses a closed namespace",
    "snmp opened in SERVER",
    "diag opened in SERVER",
    "listener on 198.18.0.1:8080",
    "inject opened in CLIENT",
    "capture opened in CLIENT",
    "capture filter set for port 8080",
    "SYN sent",
    "libnet's SYN equals lq_frame_build_tcp's",
    "barrier: echo reply within 1 s",
    "a SYN-ACK arrived before the echo reply",
    "SYN-ACK stamped after lq_inject_last_ns of the SYN",
    "SYN-ACK acks ISN+1",
    "SYN-ACK ports",
    "SYN-ACK checksums are real (offloads off)",
    "SYN-ACK carries MSS",
    "nothing else came from the server",
    "diag: one request sock",
    "diag: its remote port is the client's",
    "diag: the TCPF_SYN_RECV bit shows it too",
    "diag: listener + request on the port",
    "counters unchanged by the SYN",
    "read_named agrees with lq_snmp_read",
    "read_named Tcp:MaxConn is -1",
    "read_named refuses an unknown name, naming it",
    "third ACK sent",
    "barrier after the ACK",
    "no answer to the ACK",
    "accept() succeeds",
    "accepted peer is the client",
    "PassiveOpens +1",
    "SYN queue empty after accept",
    "listener + child on the port",
    "echo frames from libnet equal lq_frame_build_echo's",
    "a SYN and its echo request in one write",
    "both frames as lq_frame_build_tcp and lq_frame_build_echo make them",
    "the SYN-ACK came before the reply to that echo",
    "diag lookup: a request for that 4-tuple",
    "diag lookup: none for another client port (the listener answers)",
    "diag lookup: none for the accepted child's 4-tuple",
    "back in the original namespace after teardown",
    "no lqs0 in the original namespace after teardown",
    "child killed by SIGKILL after setup",
    "its setup had succeeded",
    "no lqs0/lqc0 in the original namespace after the kill"};

/* IPv6: a listener on 2001:db8::1, an IPv6 SYN from libnet (the same bytes
 * as the builder's), its SYN-ACK before the ICMPv6 barrier's reply. */
static const char *const v6_checks[] = {
    "IPv6 listener on [2001:db8::1]:8081",
    "IPv6 SYN sent",
    "libnet's IPv6 SYN equals lq_frame_build_tcp's",
    "IPv6 barrier: ICMPv6 echo reply within 1 s",
    "an IPv6 SYN-ACK arrived before the ICMPv6 echo reply",
    "the IPv6 SYN-ACK's TCP checksum is right",
    "the IPv6 SYN-ACK carries the route's MSS 1440 (MTU - 60)",
    "the IPv6 SYN-ACK comes from 2001:db8::1 to 2001:db8::2",
    "diag (AF_INET6): one request sock",
    "ICMPv6 echo frames from libnet equal lq_frame_build_echo's",
};

static void skip_all(const char *reason)
{
    for (size_t i = 0; i < sizeof(live_checks) / sizeof(live_checks[0]); i++)
        tap_skip(live_checks[i], reason);
    for (size_t i = 0; i < sizeof(v6_checks) / sizeof(v6_checks[0]); i++)
        tap_skip(v6_checks[i], reason);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* ---- frames received ---- */

struct rx {
    struct lq_frame_info info[MAX_RX];
    uint64_t ts[MAX_RX];
    bool csum_ok[MAX_RX];
    int n;
    uint16_t echo_seq; /* the barrier being waited for */
    int echo_at;       /* its index in info[], -1 while missing */
};

static int rx_cb(void *arg, const struct lq_frame *f)
{
    struct rx *r = arg;
    if (r->n < MAX_RX) {
        r->info[r->n] = f->info;
        r->ts[r->n] = f->ts_ns;
        r->csum_ok[r->n] = lq_frame_csum_ok(f->data, f->caplen);
        if (f->info.is_echo_reply && f->info.echo_id == ECHO_ID && f->info.echo_seq == r->echo_seq)
            r->echo_at = r->n;
        r->n++;
    }
    return r->echo_at >= 0;
}

struct live {
    struct lq_netns ns;
    struct lq_snmp snmp;
    struct lq_diag diag;
    struct lq_inject *inj;
    struct lq_capture *cap;
    int lfd;
    uint16_t barrier_seq;
    uint8_t frame[2048];
    size_t flen;
};

/* Sends an echo request and collects frames until its reply (bounded). */
static bool barrier6(struct live *L, struct rx *r, bool ipv6, struct lq_err *err)
{
    r->echo_seq = ++L->barrier_seq;
    r->echo_at = -1;
    if (lq_inject_echo(L->inj, ipv6, ECHO_ID, r->echo_seq, L->frame, sizeof(L->frame), &L->flen,
                       err) < 0)
        return false;
    uint64_t deadline = now_ns() + (uint64_t)BARRIER_MS * 1000000u;
    while (r->echo_at < 0) {
        uint64_t t = now_ns();
        if (t >= deadline)
            return false;
        int ms = (int)((deadline - t) / 1000000u) + 1;
        if (lq_capture_poll(L->cap, ms, rx_cb, r, err) < 0)
            return false;
    }
    return true;
}

static bool barrier(struct live *L, struct rx *r, struct lq_err *err)
{
    return barrier6(L, r, false, err);
}

static int discard_cb(void *arg, const struct lq_frame *f)
{
    (void)f;
    (*(int *)arg)++;
    return 0;
}

/* Runs body 'n' times and prints the mean cost. */
#define COST(label, n, body)                                   \
    do {                                                       \
        uint64_t t0_ = now_ns();                               \
        for (int i_ = 0; i_ < (n); i_++) {                     \
            body;                                              \
        }                                                      \
        tap_diag("cost %-34s %8.2f us/call (%d calls)", label, \
                 (double)(now_ns() - t0_) / 1000.0 / (n), n);  \
    } while (0)

static bool named_ns(const struct lq_netns *ns)
{
    /* A named namespace is an nsfs bind mount: look for our inodes. */
    char want[3][64];
    for (int w = LQ_NS_PARENT; w <= LQ_NS_CLIENT; w++) {
        struct stat st;
        fstat(ns->fd[w], &st);
        snprintf(want[w - 1], sizeof(want[0]), "net:[%lu]", (unsigned long)st.st_ino);
    }
    FILE *f = fopen("/proc/self/mountinfo", "r");
    char line[1024];
    bool found = false;
    while (f && fgets(line, sizeof(line), f))
        for (int i = 0; i < 3; i++)
            if (strstr(line, want[i]))
                found = true;
    if (f)
        fclose(f);
    return found;
}

static int count_any_cb(void *arg, const struct lq_diag_sock *s)
{
    (void)s;
    (*(int *)arg)++;
    return 0;
}

static void measure(struct live *L)
{
    struct lq_err err;
    uint64_t ctr[LQ_CTR_COUNT];
    uint16_t rp[8];
    int n, frames = 0;
    static char raw[16384];
    COST("lq_snmp_read", 2000, lq_snmp_read(&L->snmp, ctr, &err));
    COST("  of which pread netstat (kernel)", 2000,
         (void)!pread(L->snmp.netstat_fd, raw, sizeof(raw), 0));
    COST("  of which pread snmp (kernel)", 2000,
         (void)!pread(L->snmp.snmp_fd, raw, sizeof(raw), 0));
    static const struct {
        const char *label;
        uint32_t states;
    } masks[] = {
        {"diag dump all but LISTEN, BOUND_INACTIVE", ~((1u << 10) | (1u << 13))},
        {"diag dump LISTEN only", 1u << 10},
        {"diag dump BOUND_INACTIVE only", 1u << 13},
    };
    for (size_t k = 0; k < sizeof(masks) / sizeof(masks[0]); k++)
        COST(masks[k].label, 500,
             lq_diag_dump(&L->diag, PORT, masks[k].states, count_any_cb, &n, &err));
    COST("lq_diag_synq (1 request)", 1000, lq_diag_synq(&L->diag, PORT, rp, 8, &n, &err));
    bool exists;
    COST("lq_diag_request_exists (exact lookup)", 1000,
         lq_diag_request_exists(&L->diag, false, &L->ns.server_ip, PORT, &L->ns.client_ip,
                                CPORT + 1, &exists, &err));
    COST("lq_diag_count_port", 1000, lq_diag_count_port(&L->diag, PORT, &n, &err));
    COST("lq_capture_set_port", 1000, lq_capture_set_port(L->cap, PORT, &err));
    COST("lq_capture_poll (nothing queued)", 2000,
         lq_capture_poll(L->cap, 0, discard_cb, &n, &err));
    uint64_t t0 = now_ns();
    const int echoes = 2000;
    for (int i = 0; i < echoes; i++) {
        lq_inject_echo(L->inj, false, ECHO_ID + 1, (uint16_t)i, L->frame, sizeof(L->frame),
                       &L->flen, &err);
        if (i % 256 == 255)
            lq_capture_poll(L->cap, 0, discard_cb, &frames, &err);
    }
    double dt = (double)(now_ns() - t0) / 1e9;
    tap_diag("cost %-34s %8.0f frames/s (echo request + the kernel's reply, %d frames)",
             "lq_inject_echo", echoes / dt, echoes);
    for (int i = 0; i < 10 && frames < echoes; i++)
        lq_capture_poll(L->cap, 100, discard_cb, &frames, &err);
    tap_diag("captured %d of %d echo replies", frames, echoes);
    for (int i = 0; i < 256; i++)
        lq_inject_echo(L->inj, false, ECHO_ID + 1, (uint16_t)i, L->frame, sizeof(L->frame),
                       &L->flen, &err);
    t0 = now_ns();
    int drained = lq_capture_poll(L->cap, 0, discard_cb, &frames, &err);
    tap_diag("cost %-34s %8.2f us/frame (%d frames in one call)", "lq_capture_poll (queued)",
             (double)(now_ns() - t0) / 1e3 / (drained > 0 ? drained : 1), drained);

    /* SYN -> SYN-ACK, then the barrier, each SYN from a fresh port; an RST
     * removes the request again. */
    uint64_t syn_synack = 0, syn_barrier = 0;
    const int rounds = 200;
    int got = 0;
    for (int i = 0; i < rounds; i++) {
        struct lq_seg s = {.sport = (uint16_t)(50000 + i),
                           .dport = PORT,
                           .flags = LQ_TH_SYN,
                           .seq = ISN,
                           .win = 64240,
                           .opt = {.has_mss = true, .mss = 1460}};
        struct rx r = {.echo_at = -1};
        uint64_t t = now_ns();
        lq_inject_tcp(L->inj, &s, L->frame, sizeof(L->frame), &L->flen, &err);
        while (r.n == 0 && now_ns() - t < 1000000000u)
            lq_capture_poll(L->cap, 10, rx_cb, &r, &err);
        uint64_t t1 = now_ns();
        bool ok1 = barrier(L, &r, &err);
        uint64_t t2 = now_ns();
        if (r.n > 0 && r.info[0].is_tcp && ok1) {
            got++;
            syn_synack += t1 - t;
            syn_barrier += t2 - t;
        }
        s.flags = LQ_TH_RST;
        s.seq = ISN + 1;
        s.opt.has_mss = false;
        lq_inject_tcp(L->inj, &s, L->frame, sizeof(L->frame), &L->flen, &err);
    }
    if (got) {
        tap_diag("cost %-34s %8.2f us (mean of %d)", "SYN -> SYN-ACK seen", syn_synack / 1e3 / got,
                 got);
        tap_diag("cost %-34s %8.2f us (mean of %d)", "SYN -> barrier reply",
                 syn_barrier / 1e3 / got, got);
    }
    struct rx r = {.echo_at = -1};
    barrier(L, &r, &err);
}

static bool counters_same(const uint64_t *a, const uint64_t *b, enum lq_counter except)
{
    bool same = true;
    for (int c = 0; c < LQ_CTR_COUNT; c++) {
        uint64_t want = a[c] + (c == (int)except ? 1 : 0);
        if (b[c] != want) {
            tap_diag("%s: %llu -> %llu", lq_counter_name((enum lq_counter)c),
                     (unsigned long long)a[c], (unsigned long long)b[c]);
            same = false;
        }
    }
    return same;
}

static int only_state_cb(void *arg, const struct lq_diag_sock *s)
{
    (*(int *)arg) += s->state == LQ_DIAG_STATE_SYN_RECV;
    return 0;
}

/* The live run proper; returns false when it could not go on. */
static void live_ipv6(struct live *L, const struct lq_frame_ends *ends4);

static bool live_run(struct live *L, const struct stat *orig)
{
    struct lq_err err = {0};
    char v[64];

    /* -- namespaces; without privileges the library says what is missing -- */
    int rc = lq_netns_setup(&L->ns, &err);
    if (rc < 0 && err.status == LQ_EXIT_SKIP) {
        skip_all(err.msg);
        return false;
    }
    if (!ok(rc == 0, "namespaces set up"))
        tap_diag("%s", err.msg);
    if (rc < 0)
        return false;
    struct stat init, st[4], cur;
    for (int w = 0; w < 4; w++)
        fstat(L->ns.fd[w], &st[w]);
    if (stat("/proc/1/ns/net", &init) < 0) {
        /* ptrace access to pid 1 denied: init_net's fixed inode (recent kernels). */
        tap_diag("/proc/1/ns/net: %s; comparing with init_net's inode 0xEFFFFFF9", strerror(errno));
        init = (struct stat){.st_dev = st[1].st_dev, .st_ino = 0xEFFFFFF9u};
        tap_diag("original namespace inode %#lx", (unsigned long)orig->st_ino);
    }
    ok(!same_file(&st[1], &init) && !same_file(&st[2], &init) && !same_file(&st[3], &init),
       "PARENT/SERVER/CLIENT are not pid 1's namespace");
    bool distinct = true;
    for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++)
            distinct = distinct && !same_file(&st[a], &st[b]);
    ok(distinct && same_file(&st[0], orig),
       "PARENT/SERVER/CLIENT differ from ORIG and from each other");
    stat("/proc/thread-self/ns/net", &cur);
    ok(same_file(&cur, &st[LQ_NS_SERVER]), "the thread is in SERVER after setup");
    ok(!named_ns(&L->ns), "no namespace is named (bind-mounted)");
    bool absent = false;
    if (lq_netns_enter(&L->ns, LQ_NS_ORIG, &err) == 0) {
        absent = if_nametoindex("lqs0") == 0 && if_nametoindex("lqc0") == 0;
        lq_netns_enter(&L->ns, LQ_NS_SERVER, &err);
    }
    ok(absent, "lqs0/lqc0 are not in the original namespace");
    static const uint8_t smac[6] = {2, 0x6c, 0x71, 0, 0, 1}, cmac[6] = {2, 0x6c, 0x71, 0, 0, 2};
    ok(memcmp(L->ns.server_mac, smac, 6) == 0 && memcmp(L->ns.client_mac, cmac, 6) == 0 &&
           L->ns.server_ifindex > 0 && L->ns.client_ifindex > 0 &&
           (int)if_nametoindex("lqs0") == L->ns.server_ifindex,
       "MACs and ifindexes read back");
    if (lq_sysctl_exists("net.ipv4.tcp_ehash_entries"))
        is_int(L->ns.ehash_entries, 1024, "SERVER has a private 1024-bucket ehash");
    else
        tap_skip("SERVER has a private 1024-bucket ehash", "kernel before 6.1");
    tap_diag("SERVER ehash_entries %d", L->ns.ehash_entries);
    ok(lq_sysctl_write("net.ipv4.tcp_syncookies", "0", &err) == 0 &&
           lq_sysctl_read("net.ipv4.tcp_syncookies", v, sizeof(v), &err) == 0 &&
           strcmp(v, "0") == 0,
       "tcp_syncookies written and read back");
    ok(lq_sysctl_read("net.ipv4.tcp_no_metrics_save", v, sizeof(v), &err) == 0 &&
           strcmp(v, "1") == 0,
       "tcp_no_metrics_save is 1 in SERVER");
    if (lq_sysctl_exists("net.ipv6.conf.all.disable_ipv6")) {
        static const char *const want[][2] = {
            {"net.ipv6.conf.lqs0.disable_ipv6", "0"},  {"net.ipv6.conf.lqs0.accept_dad", "0"},
            {"net.ipv6.conf.lqs0.dad_transmits", "0"}, {"net.ipv6.conf.lqs0.accept_ra", "0"},
            {"net.ipv6.conf.lqs0.autoconf", "0"},      {"net.ipv6.conf.lqs0.addr_gen_mode", "1"},
        };
        bool all = L->ns.ipv6;
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
            if (lq_sysctl_read(want[i][0], v, sizeof(v), &err) || strcmp(v, want[i][1])) {
                tap_diag("%s is %s, not %s", want[i][0], v, want[i][1]);
                all = false;
            }
        ok(all, "IPv6 is on in lqs0, without DAD, RA or a link-local address");
        lq_netns_enter(&L->ns, LQ_NS_CLIENT, &err);
        ok(lq_sysctl_read("net.ipv6.conf.lqc0.disable_ipv6", v, sizeof(v), &err) == 0 &&
               strcmp(v, "1") == 0,
           "IPv6 is off in CLIENT");
        lq_netns_enter(&L->ns, LQ_NS_SERVER, &err);
    } else {
        tap_skip("IPv6 is on in lqs0, without DAD, RA or a link-local address",
                 "no IPv6 in this kernel");
        tap_skip("IPv6 is off in CLIENT", "no IPv6 in this kernel");
    }
    struct lq_netns closed = LQ_NETNS_INIT;
    ok(lq_netns_enter(&closed, LQ_NS_SERVER, &err) == -1,
       "lq_netns_enter refuses a closed namespace");

    /* -- tools in SERVER -- */
    if (!ok(lq_snmp_open(&L->snmp, &err) == 0, "snmp opened in SERVER") ||
        !ok(lq_diag_open(&L->diag, &err) == 0, "diag opened in SERVER")) {
        tap_diag("%s", err.msg);
        return false;
    }
    L->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(PORT), .sin_addr = L->ns.server_ip};
    if (!ok(L->lfd >= 0 && bind(L->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
                listen(L->lfd, 4) == 0,
            "listener on 198.18.0.1:8080"))
        return false;

    /* -- tools in CLIENT -- */
    if (lq_netns_enter(&L->ns, LQ_NS_CLIENT, &err) < 0)
        return false;
    L->inj = lq_inject_open(L->ns.client_ifname, L->ns.client_mac, L->ns.server_mac,
                            L->ns.client_ip, L->ns.server_ip, &err);
    if (!ok(L->inj != NULL, "inject opened in CLIENT")) {
        tap_diag("%s", err.msg);
        return false;
    }
    lq_inject_set_ipv6(L->inj, &L->ns.client_ip6, &L->ns.server_ip6);
    L->cap = lq_capture_open(L->ns.client_ifname, &err);
    if (!ok(L->cap != NULL, "capture opened in CLIENT")) {
        tap_diag("%s", err.msg);
        return false;
    }
    if (!ok(lq_capture_set_port(L->cap, PORT, &err) == 0, "capture filter set for port 8080")) {
        tap_diag("%s", err.msg);
        return false;
    }
    lq_netns_enter(&L->ns, LQ_NS_SERVER, &err);

    /* -- SYN -- */
    uint64_t before[LQ_CTR_COUNT], after[LQ_CTR_COUNT];
    int rc_before = lq_snmp_read(&L->snmp, before, &err);
    struct lq_seg syn = {.sport = CPORT,
                         .dport = PORT,
                         .flags = LQ_TH_SYN,
                         .seq = ISN,
                         .win = 64240,
                         .opt = {.has_mss = true, .mss = 1460}};
    uint16_t ipid = lq_inject_next_ip_id(L->inj);
    if (!ok(lq_inject_tcp(L->inj, &syn, L->frame, sizeof(L->frame), &L->flen, &err) == 0,
            "SYN sent")) {
        tap_diag("%s", err.msg);
        return false;
    }
    uint64_t syn_ns = lq_inject_last_ns(L->inj);
    struct lq_frame_ends ends = {.src_ip = L->ns.client_ip.s_addr,
                                 .dst_ip = L->ns.server_ip.s_addr};
    memcpy(ends.src_mac, L->ns.client_mac, 6);
    memcpy(ends.dst_mac, L->ns.server_mac, 6);
    uint8_t mine[256];
    int mlen = lq_frame_build_tcp(mine, sizeof(mine), &ends, ipid, &syn);
    ok(mlen == (int)L->flen && memcmp(mine, L->frame, L->flen) == 0,
       "libnet's SYN equals lq_frame_build_tcp's");
    struct rx r = {.echo_at = -1};
    if (!ok(barrier(L, &r, &err), "barrier: echo reply within 1 s")) {
        tap_diag("%s", err.msg);
        return false;
    }
    int sa_at = -1;
    for (int i = 0; i < r.echo_at; i++)
        if (r.info[i].is_tcp && r.info[i].seg.flags == (LQ_TH_SYN | LQ_TH_ACK) && sa_at < 0)
            sa_at = i;
    ok(sa_at >= 0, "a SYN-ACK arrived before the echo reply");
    ok(sa_at >= 0 && r.ts[sa_at] >= syn_ns, "SYN-ACK stamped after lq_inject_last_ns of the SYN");
    if (sa_at >= 0)
        tap_diag("SYN-ACK stamped %lld ns after the SYN", (long long)(r.ts[sa_at] - syn_ns));
    const struct lq_seg *s = sa_at >= 0 ? &r.info[sa_at].seg : &syn;
    is_int(s->ack, ISN + 1u, "SYN-ACK acks ISN+1");
    ok(s->sport == PORT && s->dport == CPORT, "SYN-ACK ports");
    ok(sa_at >= 0 && r.csum_ok[sa_at], "SYN-ACK checksums are real (offloads off)");
    ok(s->opt.has_mss, "SYN-ACK carries MSS");
    is_int(r.n, 2, "nothing else came from the server");
    uint32_t server_isn = s->seq;

    uint16_t rports[4];
    int n = -1;
    if (lq_diag_synq(&L->diag, PORT, rports, 4, &n, &err) < 0)
        tap_diag("%s", err.msg);
    is_int(n, 1, "diag: one request sock");
    is_int(n >= 1 ? rports[0] : 0, CPORT, "diag: its remote port is the client's");
    int n_synrecv = 0;
    rc =
        lq_diag_dump(&L->diag, PORT, 1u << LQ_DIAG_STATE_SYN_RECV, only_state_cb, &n_synrecv, &err);
    is_int(rc == 0 ? n_synrecv : -1, 1, "diag: the TCPF_SYN_RECV bit shows it too");
    n = -1;
    lq_diag_count_port(&L->diag, PORT, &n, &err);
    is_int(n, 2, "diag: listener + request on the port");
    int rc_after = lq_snmp_read(&L->snmp, after, &err);
    if (rc_before < 0 || rc_after < 0)
        tap_diag("%s", err.msg);
    ok(rc_before == 0 && rc_after == 0 && counters_same(before, after, LQ_CTR_COUNT),
       "counters unchanged by the SYN");
    for (int c = 0; c < LQ_CTR_COUNT; c++)
        if (!lq_snmp_has(&L->snmp, (enum lq_counter)c))
            tap_diag("this kernel does not print %s", lq_counter_name((enum lq_counter)c));
    uint64_t x = 0, y = 0;
    ok(lq_snmp_read_named(&L->snmp, "TcpExt:ListenOverflows", &x, &err) == 0 &&
           lq_snmp_read_named(&L->snmp, "OutRsts", &y, &err) == 0 &&
           x == after[LQ_CTR_LISTEN_OVERFLOWS] && y == after[LQ_CTR_OUT_RSTS],
       "read_named agrees with lq_snmp_read");
    ok(lq_snmp_read_named(&L->snmp, "Tcp:MaxConn", &x, &err) == 0 && x == UINT64_MAX,
       "read_named Tcp:MaxConn is -1");
    ok(lq_snmp_read_named(&L->snmp, "TcpExt:NoSuchThing", &x, &err) == -1 &&
           strstr(err.msg, "TcpExt:NoSuchThing"),
       "read_named refuses an unknown name, naming it");

    /* -- third ACK -- */
    struct lq_seg ack = {.sport = CPORT,
                         .dport = PORT,
                         .flags = LQ_TH_ACK,
                         .seq = ISN + 1,
                         .ack = server_isn + 1,
                         .win = 502};
    memcpy(before, after, sizeof(before));
    ok(lq_inject_tcp(L->inj, &ack, L->frame, sizeof(L->frame), &L->flen, &err) == 0,
       "third ACK sent");
    r = (struct rx){.echo_at = -1};
    ok(barrier(L, &r, &err), "barrier after the ACK");
    is_int(r.n, 1, "no answer to the ACK");
    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    int cfd = accept(L->lfd, (struct sockaddr *)&peer, &plen);
    ok(cfd >= 0, "accept() succeeds");
    ok(cfd >= 0 && peer.sin_addr.s_addr == L->ns.client_ip.s_addr && ntohs(peer.sin_port) == CPORT,
       "accepted peer is the client");
    rc_after = lq_snmp_read(&L->snmp, after, &err);
    if (rc_after < 0)
        tap_diag("%s", err.msg);
    ok(rc_after == 0 && counters_same(before, after, LQ_CTR_PASSIVE_OPENS), "PassiveOpens +1");
    n = -1;
    lq_diag_synq(&L->diag, PORT, rports, 4, &n, &err);
    is_int(n, 0, "SYN queue empty after accept");
    n = -1;
    lq_diag_count_port(&L->diag, PORT, &n, &err);
    is_int(n, 2, "listener + child on the port");

    ipid = lq_inject_next_ip_id(L->inj);
    lq_inject_echo(L->inj, false, 7, 9, L->frame, sizeof(L->frame), &L->flen, &err);
    mlen = lq_frame_build_echo(mine, sizeof(mine), &ends, ipid, false, false, 7, 9);
    ok(mlen == (int)L->flen && memcmp(mine, L->frame, L->flen) == 0,
       "echo frames from libnet equal lq_frame_build_echo's");
    r = (struct rx){.echo_at = -1};
    barrier(L, &r, &err);
    live_ipv6(L, &ends);

    /* a segment and its barrier in one write (lq_inject_tcp_then_echo) */
    struct lq_seg syn2 = syn;
    syn2.sport = CPORT + 1;
    uint8_t ebuf[256];
    size_t eflen = 0;
    ipid = lq_inject_next_ip_id(L->inj);
    r = (struct rx){.echo_at = -1, .echo_seq = ++L->barrier_seq};
    ok(lq_inject_tcp_then_echo(L->inj, &syn2, ECHO_ID, r.echo_seq, L->frame, sizeof(L->frame),
                               &L->flen, ebuf, sizeof(ebuf), &eflen, &err) == 0,
       "a SYN and its echo request in one write");
    mlen = lq_frame_build_tcp(mine, sizeof(mine), &ends, ipid, &syn2);
    uint8_t mine2[256];
    int mlen2 = lq_frame_build_echo(mine2, sizeof(mine2), &ends, (uint16_t)(ipid + 1), false, false,
                                    ECHO_ID, r.echo_seq);
    ok(mlen == (int)L->flen && memcmp(mine, L->frame, L->flen) == 0 && mlen2 == (int)eflen &&
           memcmp(mine2, ebuf, eflen) == 0,
       "both frames as lq_frame_build_tcp and lq_frame_build_echo make them");
    uint64_t deadline = now_ns() + (uint64_t)BARRIER_MS * 1000000u;
    while (r.echo_at < 0 && now_ns() < deadline)
        if (lq_capture_poll(L->cap, 10, rx_cb, &r, &err) < 0)
            break;
    int sa2 = -1;
    for (int i = 0; i < r.n && i < r.echo_at; i++)
        if (r.info[i].is_tcp && r.info[i].seg.dport == CPORT + 1 &&
            r.info[i].seg.flags == (LQ_TH_SYN | LQ_TH_ACK))
            sa2 = i;
    ok(r.echo_at >= 0 && sa2 >= 0, "the SYN-ACK came before the reply to that echo");
    bool exists = false;
    const struct in_addr *sip = &L->ns.server_ip, *cip = &L->ns.client_ip;
    ok(lq_diag_request_exists(&L->diag, false, sip, PORT, cip, CPORT + 1, &exists, &err) == 0 &&
           exists,
       "diag lookup: a request for that 4-tuple");
    exists = true;
    ok(lq_diag_request_exists(&L->diag, false, sip, PORT, cip, CPORT + 2, &exists, &err) == 0 &&
           !exists,
       "diag lookup: none for another client port (the listener answers)");
    exists = true;
    ok(lq_diag_request_exists(&L->diag, false, sip, PORT, cip, CPORT, &exists, &err) == 0 &&
           !exists,
       "diag lookup: none for the accepted child's 4-tuple");

    measure(L);
    if (cfd >= 0)
        close(cfd);
    return true;
}

static void live_ipv6(struct live *L, const struct lq_frame_ends *ends4)
{
    struct lq_err err = {0};
    size_t nchecks = sizeof(v6_checks) / sizeof(v6_checks[0]), done = 0;
    if (!L->ns.ipv6) {
        for (size_t i = 0; i < nchecks; i++)
            tap_skip(v6_checks[i], "no IPv6 in this kernel");
        return;
    }
    enum { PORT6 = PORT + 1 };
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(PORT6)};
    sa.sin6_addr = L->ns.server_ip6;
    done++;
    if (!ok(fd >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0 &&
                bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 4) == 0 &&
                lq_capture_set_port(L->cap, PORT6, &err) == 0,
            "%s", v6_checks[0]))
        goto out;
    struct lq_seg syn = {.sport = CPORT,
                         .dport = PORT6,
                         .flags = LQ_TH_SYN,
                         .seq = ISN,
                         .win = 64240,
                         .opt = {.has_mss = true, .mss = 1460},
                         .ipv6 = true};
    done++;
    if (!ok(lq_inject_tcp(L->inj, &syn, L->frame, sizeof(L->frame), &L->flen, &err) == 0, "%s",
            v6_checks[1])) {
        tap_diag("%s", err.msg);
        goto out;
    }
    struct lq_frame_ends e = *ends4;
    memcpy(e.src_ip6, &L->ns.client_ip6, 16);
    memcpy(e.dst_ip6, &L->ns.server_ip6, 16);
    uint8_t mine[256];
    int mlen = lq_frame_build_tcp(mine, sizeof(mine), &e, 0, &syn);
    done++;
    if (!ok(mlen == (int)L->flen && memcmp(mine, L->frame, L->flen) == 0, "%s", v6_checks[2]))
        for (size_t i = 0; i < L->flen && (int)i < mlen; i++)
            if (mine[i] != L->frame[i])
                tap_diag("byte %zu: libnet %02x, builder %02x (lengths %zu, %d)", i, L->frame[i],
                         mine[i], L->flen, mlen);
    struct rx r = {.echo_at = -1};
    done++;
    if (!ok(barrier6(L, &r, true, &err), "%s", v6_checks[3])) {
        tap_diag("%s", err.msg);
        goto out;
    }
    int sa_at = -1;
    for (int i = 0; i < r.echo_at; i++)
        if (r.info[i].is_tcp && r.info[i].seg.ipv6 &&
            r.info[i].seg.flags == (LQ_TH_SYN | LQ_TH_ACK) && sa_at < 0)
            sa_at = i;
    ok(sa_at >= 0, "%s", v6_checks[4]);
    ok(sa_at >= 0 && r.csum_ok[sa_at], "%s", v6_checks[5]);
    ok(sa_at >= 0 && r.info[sa_at].seg.opt.has_mss && r.info[sa_at].seg.opt.mss == 1440, "%s",
       v6_checks[6]);
    ok(sa_at >= 0 && memcmp(r.info[sa_at].src_ip6, &L->ns.server_ip6, 16) == 0 &&
           memcmp(r.info[sa_at].dst_ip6, &L->ns.client_ip6, 16) == 0,
       "%s", v6_checks[7]);
    done += 4;
    uint16_t rports[4];
    int n = -1;
    L->diag.family = AF_INET6;
    if (lq_diag_synq(&L->diag, PORT6, rports, 4, &n, &err) < 0)
        tap_diag("%s", err.msg);
    L->diag.family = AF_INET;
    is_int(n, 1, "%s", v6_checks[8]);
    done++;
    lq_inject_echo(L->inj, true, 7, 9, L->frame, sizeof(L->frame), &L->flen, &err);
    mlen = lq_frame_build_echo(mine, sizeof(mine), &e, 0, true, false, 7, 9);
    ok(mlen == (int)L->flen && memcmp(mine, L->frame, L->flen) == 0, "%s", v6_checks[9]);
    done++;
    r = (struct rx){.echo_at = -1};
    barrier6(L, &r, true, &err);
out:
    for (size_t i = done; i < nchecks; i++)
        tap_skip(v6_checks[i], "an earlier IPv6 step failed");
    if (fd >= 0)
        close(fd);
    lq_capture_set_port(L->cap, PORT, &err);
}

/* A child sets up and dies by SIGKILL: nothing may be left in our namespace. */
static void killed_child(void)
{
    int pfd[2];
    if (pipe(pfd) < 0) {
        ok(0, "child killed by SIGKILL after setup");
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        struct lq_netns ns;
        struct lq_err err;
        char okb = lq_netns_setup(&ns, &err) == 0 ? 'y' : 'n';
        if (write(pfd[1], &okb, 1) != 1)
            _exit(1);
        raise(SIGKILL);
        _exit(2);
    }
    close(pfd[1]);
    char got = 0;
    ssize_t rn = read(pfd[0], &got, 1); /* EOF at the latest when the child dies */
    close(pfd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child killed by SIGKILL after setup");
    ok(rn == 1 && got == 'y', "its setup had succeeded");
    ok(if_nametoindex("lqs0") == 0 && if_nametoindex("lqc0") == 0,
       "no lqs0/lqc0 in the original namespace after the kill");
}

int main(void)
{
    struct stat orig;
    stat("/proc/thread-self/ns/net", &orig);
    struct live L = {.ns = LQ_NETNS_INIT, .lfd = -1};
    L.snmp.netstat_fd = L.snmp.snmp_fd = -1;
    bool ran = live_run(&L, &orig);

    if (L.lfd >= 0)
        close(L.lfd);
    lq_capture_close(L.cap);
    lq_inject_close(L.inj);
    lq_diag_close(&L.diag);
    lq_snmp_close(&L.snmp);
    lq_netns_teardown(&L.ns);
    if (!ran)
        return tap_done();
    struct stat cur;
    stat("/proc/thread-self/ns/net", &cur);
    ok(same_file(&cur, &orig), "back in the original namespace after teardown");
    ok(if_nametoindex("lqs0") == 0, "no lqs0 in the original namespace after teardown");
    killed_child();
    return tap_done();
}
