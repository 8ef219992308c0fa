/* harness/live/inject.c: see inject.h.
 *
 * Every frame is built from an empty libnet context (libnet_clear_packet)
 * rather than by updating the previous frame's ptags: libnet 1.1.x patches
 * ip_len and th_off by deltas when an options or payload block changes size,
 * which is fragile, and reuse saves little. Measured with libnet 1.1.6 for a
 * SYN with 20 option bytes: clear + build + cull 0.36 us, ptag reuse + cull
 * 0.29 us, next to ~6.5 us for the write (which runs the server's receive
 * path in the same system call).
 */
#include "inject.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <libnet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include "wire/frame.h"

struct lq_inject {
    libnet_t *l;
    uint8_t src_mac[6], dst_mac[6];
    uint32_t src, dst; /* network order, as libnet wants them */
    struct libnet_in6_addr src6, dst6;
    uint16_t ip_id;
    int ifindex;                      /* of the client end, for sendmmsg() */
    uint64_t last_ns;                 /* CLOCK_REALTIME just before the last write */
    uint64_t mono_before, mono_after; /* CLOCK_MONOTONIC around it */
    void (*before_write)(void *arg);
    void *before_write_arg;
    unsigned preempt_us;                  /* lq_inject_set_preempt(): tests only */
    uint64_t late_tick_ns, late_guard_ns; /* lq_inject_set_late_writes(): tests only */
    unsigned late_count;
    uint8_t *payload; /* lq_frame_payload_byte() pattern, grown on demand */
    size_t payload_cap;
};

/* CAP_NET_RAW in the effective set: what socket(AF_PACKET) checks. */
static bool lq_inject_has_net_raw(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &hdr, data) < 0)
        return true; /* let the socket call say */
    return (data[CAP_NET_RAW / 32].effective & (1u << (CAP_NET_RAW % 32))) != 0;
}

struct lq_inject *lq_inject_open(const char *ifname, const uint8_t src_mac[6],
                                 const uint8_t dst_mac[6], struct in_addr src, struct in_addr dst,
                                 struct lq_err *err)
{
    if (!lq_inject_has_net_raw()) {
        /* what the packet socket needs; the uid does not matter */
        lq_errf(err, LQ_EXIT_SKIP, "injecting frames needs CAP_NET_RAW");
        return NULL;
    }
    struct lq_inject *in = calloc(1, sizeof(*in));
    if (!in) {
        lq_errf(err, LQ_EXIT_ERROR, "out of memory");
        return NULL;
    }
    char ebuf[LIBNET_ERRBUF_SIZE] = "";
    in->l = libnet_init(LIBNET_LINK_ADV, ifname, ebuf);
    if (!in->l) {
        lq_errf(err, errno == EPERM ? LQ_EXIT_SKIP : LQ_EXIT_ERROR, "libnet on %s: %s", ifname,
                ebuf);
        free(in);
        return NULL;
    }
    /* libnet's packet socket is bound to ETH_P_ALL and never read: a filter
     * that accepts nothing keeps every received frame from being queued. */
    struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
    struct sock_fprog prog = {1, &drop};
    if (setsockopt(libnet_getfd(in->l), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
        lq_errno(err, LQ_EXIT_ERROR, "attaching a drop filter to libnet's socket");
        lq_inject_close(in);
        return NULL;
    }
    memcpy(in->src_mac, src_mac, 6);
    memcpy(in->dst_mac, dst_mac, 6);
    in->src = src.s_addr;
    in->dst = dst.s_addr;
    in->ip_id = 1;
    in->ifindex = (int)if_nametoindex(ifname);
    if (!in->ifindex) {
        lq_errno(err, LQ_EXIT_ERROR, "the index of %s", ifname);
        lq_inject_close(in);
        return NULL;
    }
    return in;
}

static const uint8_t *payload_of(struct lq_inject *in, size_t len, struct lq_err *err)
{
    if (len <= in->payload_cap)
        return in->payload;
    uint8_t *p = realloc(in->payload, len);
    if (!p) {
        lq_errf(err, LQ_EXIT_ERROR, "out of memory for a %zu-byte payload", len);
        return NULL;
    }
    for (size_t i = in->payload_cap; i < len; i++)
        p[i] = lq_frame_payload_byte(i);
    in->payload = p;
    in->payload_cap = len;
    return p;
}

void lq_inject_set_ipv6(struct lq_inject *in, const struct in6_addr *src,
                        const struct in6_addr *dst)
{
    memcpy(&in->src6, src, sizeof(in->src6));
    memcpy(&in->dst6, dst, sizeof(in->dst6));
}

/* Adds IPv4 (or IPv6) and Ethernet to the context and culls the frame into
 * buf. An IPv6 frame has no IP id: ip_id counts IPv4 frames. */
static int assemble(struct lq_inject *in, bool ipv6, uint8_t proto, size_t l4len, uint8_t *buf,
                    size_t cap, size_t *flen, const char *what, struct lq_err *err)
{
    libnet_t *l = in->l;
    int ip = ipv6 ? libnet_build_ipv6(0, 0, (uint16_t)l4len, proto, LQ_FRAME_HOPLIMIT, in->src6,
                                      in->dst6, NULL, 0, l, 0)
                  : libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + l4len), 0, in->ip_id, IP_DF,
                                      LQ_FRAME_TTL, proto, 0, in->src, in->dst, NULL, 0, l, 0);
    if (ip < 0 || libnet_build_ethernet(in->dst_mac, in->src_mac,
                                        ipv6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP, NULL, 0, l, 0) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "libnet: building %s: %s", what, libnet_geterror(l));
    uint8_t *pkt = NULL;
    uint32_t n = 0;
    if (libnet_adv_cull_packet(l, &pkt, &n) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "libnet: assembling %s: %s", what, libnet_geterror(l));
    int rc = 0;
    if (n > cap) {
        rc = lq_errf(err, LQ_EXIT_ERROR, "%s: a %u-byte frame does not fit in %zu bytes", what, n,
                     cap);
    } else {
        memcpy(buf, pkt, n);
        *flen = n;
        if (!ipv6)
            in->ip_id++;
    }
    libnet_adv_free_packet(l, pkt);
    return rc;
}

static uint64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Right before a write, once its frames are built: the before_write hook
 * (the live backend's tick guard), then the clocks. */
static void stamp(struct lq_inject *in)
{
    if (in->preempt_us)
        usleep(in->preempt_us);
    if (in->before_write)
        in->before_write(in->before_write_arg);
    struct timespec ts;
    in->mono_before = mono_now();
    clock_gettime(CLOCK_REALTIME, &ts);
    in->last_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    /* tests: every other write held past its clocks, into a later jiffy */
    if (in->late_tick_ns && (in->late_count++ & 1)) {
        uint64_t next = (in->mono_before / in->late_tick_ns + 1) * in->late_tick_ns;
        while (mono_now() < next + in->late_guard_ns)
            ;
    }
}

/* Assembles the frame into buf and sends it. */
/* Sends the frame in buf (flen bytes), stamped. */
static int write_frame(struct lq_inject *in, const uint8_t *buf, const size_t *flen,
                       const char *what, struct lq_err *err)
{
    stamp(in);
    int w = libnet_adv_write_link(in->l, buf, (uint32_t)*flen);
    in->mono_after = mono_now();
    if (w != (int)*flen)
        return lq_errf(err, LQ_EXIT_ERROR, "sending %s: %s", what, libnet_geterror(in->l));
    return 0;
}

static int finish(struct lq_inject *in, bool ipv6, uint8_t proto, size_t l4len, uint8_t *buf,
                  size_t cap, size_t *flen, const char *what, struct lq_err *err)
{
    if (assemble(in, ipv6, proto, l4len, buf, cap, flen, what, err))
        return -1;
    return write_frame(in, buf, flen, what, err);
}

/* libnet builds a TCP segment for seg into its context (no IP yet). */
static int build_tcp(struct lq_inject *in, const struct lq_seg *seg, size_t *l4len,
                     struct lq_err *err)
{
    libnet_t *l = in->l;
    uint8_t opts[LQ_FRAME_TCPOPT_MAX];
    size_t optlen = lq_frame_tcp_options(&seg->opt, opts);
    *l4len = LIBNET_TCP_H + optlen + seg->len;
    if ((seg->ipv6 ? 0 : LIBNET_IPV4_H) + *l4len > 0xffff)
        return lq_errf(err, LQ_EXIT_ERROR, "TCP segment of %u bytes is too long", seg->len);
    const uint8_t *payload = seg->len ? payload_of(in, seg->len, err) : NULL;
    if (seg->len && !payload)
        return -1;
    libnet_clear_packet(l);
    /* libnet wants the innermost block first: options, TCP, IP, Ethernet. */
    if ((optlen && libnet_build_tcp_options(opts, (uint32_t)optlen, l, 0) < 0) ||
        libnet_build_tcp(seg->sport, seg->dport, seg->seq, seg->ack, seg->flags, seg->win, 0, 0,
                         (uint16_t)*l4len, payload, seg->len, l, 0) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "libnet: building TCP: %s", libnet_geterror(l));
    return 0;
}

/* An ICMP error (seg->icmp) is written by the pure builder of wire/frame.c:
 * libnet 1.1 has no builder for an error carrying the next-hop MTU (frag
 * needed, Packet Too Big) nor for ICMPv4 parameter problem. */
static int build_icmp_error(struct lq_inject *in, const struct lq_seg *seg, uint8_t *buf,
                            size_t cap, size_t *flen, struct lq_err *err)
{
    struct lq_frame_ends e = {0};
    memcpy(e.src_mac, in->src_mac, 6);
    memcpy(e.dst_mac, in->dst_mac, 6);
    e.src_ip = in->src;
    e.dst_ip = in->dst;
    memcpy(e.src_ip6, &in->src6, 16);
    memcpy(e.dst_ip6, &in->dst6, 16);
    int n = lq_frame_build_icmp_error(buf, cap, &e, in->ip_id, seg);
    if (n < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "an ICMP error frame does not fit in %zu bytes", cap);
    *flen = (size_t)n;
    if (!seg->ipv6)
        in->ip_id++;
    return 0;
}

/* libnet builds an echo request into its context; *proto and *l4len for assemble(). */
static int build_echo(struct lq_inject *in, bool ipv6, uint16_t id, uint16_t seq, uint8_t *proto,
                      size_t *l4len, struct lq_err *err)
{
    libnet_t *l = in->l;
    libnet_clear_packet(l);
    if (ipv6) {
        if (libnet_build_icmpv6_echo(ICMP6_ECHO_REQUEST, 0, 0, id, seq, NULL, 0, l, 0) < 0)
            return lq_errf(err, LQ_EXIT_ERROR, "libnet: building ICMPv6: %s", libnet_geterror(l));
        *proto = IPPROTO_ICMPV6;
        *l4len = LIBNET_ICMPV6_ECHO_H;
        return 0;
    }
    if (libnet_build_icmpv4_echo(ICMP_ECHO, 0, 0, id, seq, NULL, 0, l, 0) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "libnet: building ICMP: %s", libnet_geterror(l));
    *proto = IPPROTO_ICMP;
    *l4len = LIBNET_ICMPV4_ECHO_H;
    return 0;
}

int lq_inject_tcp(struct lq_inject *in, const struct lq_seg *seg, uint8_t *buf, size_t cap,
                  size_t *flen, struct lq_err *err)
{
    size_t l4len;
    if (seg->icmp)
        return build_icmp_error(in, seg, buf, cap, flen, err) ||
                       write_frame(in, buf, flen, "an ICMP error", err)
                   ? -1
                   : 0;
    if (build_tcp(in, seg, &l4len, err))
        return -1;
    return finish(in, seg->ipv6, IPPROTO_TCP, l4len, buf, cap, flen, "a TCP frame", err);
}

int lq_inject_echo(struct lq_inject *in, bool ipv6, uint16_t id, uint16_t seq, uint8_t *buf,
                   size_t cap, size_t *flen, struct lq_err *err)
{
    uint8_t proto;
    size_t l4len;
    if (build_echo(in, ipv6, id, seq, &proto, &l4len, err))
        return -1;
    return finish(in, ipv6, proto, l4len, buf, cap, flen,
                  ipv6 ? "an ICMPv6 echo request" : "an echo request", err);
}

int lq_inject_tcp_then_echo(struct lq_inject *in, const struct lq_seg *seg, uint16_t id,
                            uint16_t seq, uint8_t *buf, size_t cap, size_t *flen, uint8_t *ebuf,
                            size_t ecap, size_t *eflen, struct lq_err *err)
{
    size_t l4len, el4len;
    uint8_t eproto;
    if ((seg->icmp
             ? build_icmp_error(in, seg, buf, cap, flen, err)
             : (build_tcp(in, seg, &l4len, err) ||
                assemble(in, seg->ipv6, IPPROTO_TCP, l4len, buf, cap, flen, "a TCP frame", err))) ||
        build_echo(in, seg->ipv6, id, seq, &eproto, &el4len, err) ||
        assemble(in, seg->ipv6, eproto, el4len, ebuf, ecap, eflen, "an echo request", err))
        return -1;
    struct sockaddr_ll to = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(seg->ipv6 ? ETH_P_IPV6 : ETH_P_IP),
                             .sll_ifindex = in->ifindex,
                             .sll_halen = 6};
    memcpy(to.sll_addr, in->dst_mac, 6);
    struct iovec iov[2] = {{buf, *flen}, {ebuf, *eflen}};
    struct mmsghdr m[2];
    memset(m, 0, sizeof(m));
    for (int i = 0; i < 2; i++) {
        m[i].msg_hdr.msg_name = &to;
        m[i].msg_hdr.msg_namelen = sizeof(to);
        m[i].msg_hdr.msg_iov = &iov[i];
        m[i].msg_hdr.msg_iovlen = 1;
    }
    stamp(in);
    int sent = 0;
    while (sent < 2) {
        int r = sendmmsg(libnet_getfd(in->l), m + sent, (unsigned)(2 - sent), 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return lq_errno(err, LQ_EXIT_ERROR, "sending a TCP frame and its echo request");
        sent += r;
    }
    in->mono_after = mono_now();
    return 0;
}

uint64_t lq_inject_last_ns(const struct lq_inject *in)
{
    return in->last_ns;
}

void lq_inject_last_mono(const struct lq_inject *in, uint64_t *before_ns, uint64_t *after_ns)
{
    *before_ns = in->mono_before;
    *after_ns = in->mono_after;
}

void lq_inject_set_late_writes(struct lq_inject *in, uint64_t tick_ns, uint64_t guard_ns)
{
    in->late_tick_ns = tick_ns;
    in->late_guard_ns = guard_ns;
}

void lq_inject_set_preempt(struct lq_inject *in, unsigned us)
{
    in->preempt_us = us;
}

void lq_inject_set_before_write(struct lq_inject *in, void (*fn)(void *arg), void *arg)
{
    in->before_write = fn;
    in->before_write_arg = arg;
}

uint16_t lq_inject_next_ip_id(const struct lq_inject *in)
{
    return in->ip_id;
}

void lq_inject_close(struct lq_inject *in)
{
    if (!in)
        return;
    if (in->l)
        libnet_destroy(in->l);
    free(in->payload);
    free(in);
}
