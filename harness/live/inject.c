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

#include "wire/frame.h"

struct lq_inject {
    libnet_t *l;
    uint8_t src_mac[6], dst_mac[6];
    uint32_t src, dst; /* network order, as libnet wants them */
    struct libnet_in6_addr src6, dst6;
    uint16_t ip_id;
    uint64_t last_ns; /* CLOCK_REALTIME just before the last write */
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

/* Adds IPv4 (or IPv6) and Ethernet to the context, culls the frame into buf
 * and sends it. An IPv6 frame has no IP id: ip_id counts IPv4 frames. */
static int finish(struct lq_inject *in, bool ipv6, uint8_t proto, size_t l4len, uint8_t *buf,
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
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        in->last_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
        int w = libnet_adv_write_link(l, pkt, n);
        if (w != (int)n)
            rc = lq_errf(err, LQ_EXIT_ERROR, "sending %s: %s", what, libnet_geterror(l));
        else if (!ipv6)
            in->ip_id++;
    }
    libnet_adv_free_packet(l, pkt);
    return rc;
}

int lq_inject_tcp(struct lq_inject *in, const struct lq_seg *seg, uint8_t *buf, size_t cap,
                  size_t *flen, struct lq_err *err)
{
    libnet_t *l = in->l;
    uint8_t opts[LQ_FRAME_TCPOPT_MAX];
    size_t optlen = lq_frame_tcp_options(&seg->opt, opts);
    size_t l4len = LIBNET_TCP_H + optlen + seg->len;
    if ((seg->ipv6 ? 0 : LIBNET_IPV4_H) + l4len > 0xffff)
        return lq_errf(err, LQ_EXIT_ERROR, "TCP segment of %u bytes is too long", seg->len);
    const uint8_t *payload = seg->len ? payload_of(in, seg->len, err) : NULL;
    if (seg->len && !payload)
        return -1;
    libnet_clear_packet(l);
    /* libnet wants the innermost block first: options, TCP, IP, Ethernet. */
    if ((optlen && libnet_build_tcp_options(opts, (uint32_t)optlen, l, 0) < 0) ||
        libnet_build_tcp(seg->sport, seg->dport, seg->seq, seg->ack, seg->flags, seg->win, 0, 0,
                         (uint16_t)l4len, payload, seg->len, l, 0) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "libnet: building TCP: %s", libnet_geterror(l));
    return finish(in, seg->ipv6, IPPROTO_TCP, l4len, buf, cap, flen, "a TCP frame", err);
}

int lq_inject_echo(struct lq_inject *in, bool ipv6, uint16_t id, uint16_t seq, uint8_t *buf,
                   size_t cap, size_t *flen, struct lq_err *err)
{
    libnet_t *l = in->l;
    libnet_clear_packet(l);
    if (ipv6) {
        if (libnet_build_icmpv6_echo(ICMP6_ECHO_REQUEST, 0, 0, id, seq, NULL, 0, l, 0) < 0)
            return lq_errf(err, LQ_EXIT_ERROR, "libnet: building ICMPv6: %s", libnet_geterror(l));
        return finish(in, true, IPPROTO_ICMPV6, LIBNET_ICMPV6_ECHO_H, buf, cap, flen,
                      "an ICMPv6 echo request", err);
    }
    if (libnet_build_icmpv4_echo(ICMP_ECHO, 0, 0, id, seq, NULL, 0, l, 0) < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "libnet: building ICMP: %s", libnet_geterror(l));
    return finish(in, false, IPPROTO_ICMP, LIBNET_ICMPV4_ECHO_H, buf, cap, flen, "an echo request",
                  err);
}

uint64_t lq_inject_last_ns(const struct lq_inject *in)
{
    return in->last_ns;
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
