/* harness/live/probe.c: see probe.h. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "wire/frame.h"

#define LQ_PROBE_PORT 39999

struct lq_probe {
    struct lq_netns ns;
    int listener, pkt;
    int listener6, pkt6; /* -1 when the namespaces have no IPv6 */
    struct lq_frame_ends ends;
    uint32_t round;
};

static double lq_probe_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void lq_probe_close(struct lq_probe *p)
{
    if (!p)
        return;
    if (p->listener >= 0)
        close(p->listener);
    if (p->pkt >= 0)
        close(p->pkt);
    if (p->listener6 >= 0)
        close(p->listener6);
    if (p->pkt6 >= 0)
        close(p->pkt6);
    /* not lq_netns_teardown: that moves the thread home, and the caller's
     * thread may be in other namespaces by now (the live backend's) */
    for (int i = 0; i < 4; i++)
        if (p->ns.fd[i] >= 0)
            close(p->ns.fd[i]);
    free(p);
}

struct lq_probe *lq_probe_open(struct lq_err *err)
{
    struct lq_probe *p = calloc(1, sizeof(*p));
    if (!p) {
        lq_errf(err, LQ_EXIT_ERROR, "out of memory");
        return NULL;
    }
    p->ns = (struct lq_netns)LQ_NETNS_INIT;
    p->listener = p->pkt = p->listener6 = p->pkt6 = -1;
    if (lq_netns_setup(&p->ns, err)) /* the thread is in SERVER now */
        goto fail;
    /* a normal SYN-ACK for every SYN (no cookies), and room for them */
    if (lq_sysctl_write("net.ipv4.tcp_syncookies", "0", err))
        goto fail_home;
    p->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons(LQ_PROBE_PORT), .sin_addr = p->ns.server_ip};
    if (p->listener < 0 || bind(p->listener, (struct sockaddr *)&a, sizeof(a)) ||
        listen(p->listener, 4096)) {
        lq_errno(err, LQ_EXIT_ERROR, "probe: the listener on 198.18.0.1:%d", LQ_PROBE_PORT);
        goto fail_home;
    }
    if (p->ns.ipv6) {
        /* IPv6 only, as a `family ipv6` listener: V6ONLY before bind */
        int one6 = 1;
        p->listener6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in6 a6 = {.sin6_family = AF_INET6,
                                  .sin6_port = htons(LQ_PROBE_PORT),
                                  .sin6_addr = p->ns.server_ip6};
        if (p->listener6 < 0 ||
            setsockopt(p->listener6, IPPROTO_IPV6, IPV6_V6ONLY, &one6, sizeof(one6)) ||
            bind(p->listener6, (struct sockaddr *)&a6, sizeof(a6)) || listen(p->listener6, 4096)) {
            lq_errno(err, LQ_EXIT_ERROR, "probe: the listener on [2001:db8::1]:%d", LQ_PROBE_PORT);
            goto fail_home;
        }
    }
    if (lq_netns_enter(&p->ns, LQ_NS_CLIENT, err))
        goto fail_home;
    if (p->ns.ipv6) {
        p->pkt6 = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IPV6));
        struct sockaddr_ll ll6 = {.sll_family = AF_PACKET,
                                  .sll_protocol = htons(ETH_P_IPV6),
                                  .sll_ifindex = p->ns.client_ifindex};
        if (p->pkt6 < 0 || bind(p->pkt6, (struct sockaddr *)&ll6, sizeof(ll6))) {
            lq_errno(err, errno == EPERM ? LQ_EXIT_SKIP : LQ_EXIT_ERROR,
                     "probe: an IPv6 packet socket on %s", p->ns.client_ifname);
            goto fail_home;
        }
        int one = 1;
        (void)setsockopt(p->pkt6, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
    }
    p->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));
    struct sockaddr_ll ll = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(ETH_P_IP),
                             .sll_ifindex = p->ns.client_ifindex};
    if (p->pkt < 0 || bind(p->pkt, (struct sockaddr *)&ll, sizeof(ll))) {
        lq_errno(err, errno == EPERM ? LQ_EXIT_SKIP : LQ_EXIT_ERROR, "probe: a packet socket on %s",
                 p->ns.client_ifname);
        goto fail_home;
    }
    int one = 1; /* our own frames are not replies (Linux 4.20+; else skipped by type) */
    (void)setsockopt(p->pkt, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
    memcpy(p->ends.src_mac, p->ns.client_mac, 6);
    memcpy(p->ends.dst_mac, p->ns.server_mac, 6);
    p->ends.src_ip = p->ns.client_ip.s_addr;
    p->ends.dst_ip = p->ns.server_ip.s_addr;
    memcpy(p->ends.src_ip6, &p->ns.client_ip6, 16);
    memcpy(p->ends.dst_ip6, &p->ns.server_ip6, 16);
    if (lq_netns_enter(&p->ns, LQ_NS_ORIG, err))
        goto fail;
    return p;
fail_home:
    lq_netns_enter(&p->ns, LQ_NS_ORIG, NULL);
fail:
    lq_probe_close(p);
    return NULL;
}

/* Reads the SYN-ACK to sport; 1 when it was queued at once, 0 after
 * waiting for it, -1 with err after 1 s. *isn: its sequence number. */
static int lq_probe_synack(int fd, uint16_t sport, uint32_t *isn, struct lq_err *err)
{
    uint8_t buf[2048];
    double give_up = lq_probe_now_us() + 1e6;
    int at_once = 1;
    for (;;) {
        struct sockaddr_ll from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return lq_errno(err, LQ_EXIT_ERROR, "probe: reading the packet socket");
        if (n < 0) {
            double left = give_up - lq_probe_now_us();
            if (left <= 0)
                return lq_errf(err, LQ_EXIT_ERROR, "probe: no SYN-ACK to port %u within 1 s",
                               sport);
            at_once = 0;
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            poll(&pfd, 1, (int)(left / 1000) + 1);
            continue;
        }
        struct lq_frame_info fi;
        if (from.sll_pkttype == PACKET_OUTGOING || lq_frame_parse(buf, (size_t)n, &fi) < 0 ||
            !fi.is_tcp)
            continue;
        if (fi.seg.sport == LQ_PROBE_PORT && fi.seg.dport == sport &&
            (fi.seg.flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK)) {
            *isn = fi.seg.seq;
            return at_once;
        }
    }
}

static int lq_probe_rounds(struct lq_probe *p, bool ipv6, size_t n, double *us, size_t *late,
                           struct lq_err *err)
{
    int fd = ipv6 ? p->pkt6 : p->pkt;
    uint8_t frame[256];
    *late = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t sport = (uint16_t)(20000 + (p->round++ % 20000));
        struct lq_seg syn = {.sport = sport,
                             .dport = LQ_PROBE_PORT,
                             .flags = LQ_TH_SYN,
                             .seq = 7919u * p->round,
                             .win = 65535};
        syn.opt.has_mss = true;
        syn.opt.mss = 1460;
        syn.ipv6 = ipv6;
        struct lq_seg rst = {.sport = sport,
                             .dport = LQ_PROBE_PORT,
                             .flags = LQ_TH_RST,
                             .seq = syn.seq + 1,
                             .ipv6 = ipv6};
        double t0 = lq_probe_now_us();
        int len = lq_frame_build_tcp(frame, sizeof(frame), &p->ends, (uint16_t)i, &syn);
        if (len < 0 || send(fd, frame, (size_t)len, 0) != len)
            return lq_errno(err, LQ_EXIT_ERROR, "probe: writing a SYN");
        uint32_t isn;
        int rc = lq_probe_synack(fd, sport, &isn, err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            (*late)++;
        len = lq_frame_build_tcp(frame, sizeof(frame), &p->ends, (uint16_t)i, &rst);
        if (len < 0 || send(fd, frame, (size_t)len, 0) != len)
            return lq_errno(err, LQ_EXIT_ERROR, "probe: writing an RST");
        us[i] = lq_probe_now_us() - t0;
    }
    return 0;
}

int lq_probe_roundtrips(struct lq_probe *p, size_t n, double *us, size_t *late, struct lq_err *err)
{
    return lq_probe_rounds(p, false, n, us, late, err);
}

int lq_probe_roundtrips6(struct lq_probe *p, size_t n, double *us, size_t *late, struct lq_err *err)
{
    if (p->pkt6 < 0)
        return lq_errf(err, LQ_EXIT_SKIP, "the namespaces have no IPv6");
    return lq_probe_rounds(p, true, n, us, late, err);
}
