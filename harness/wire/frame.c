/* harness/wire/frame.c: see frame.h. */
#include "frame.h"

#include <string.h>

enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_IPV6 = 0x86dd,
    PROTO_ICMP = 1,
    PROTO_TCP = 6,
    PROTO_ICMPV6 = 58,
    ICMPV6_ECHO_TYPE = 128,
    ICMPV6_ECHOREPLY_TYPE = 129,
    ICMP_ECHOREPLY_TYPE = 0,
    ICMP_ECHO_TYPE = 8,
    IP_DF_BIT = 0x4000,
    IP_MF_BIT = 0x2000,
    IP_OFFMASK = 0x1fff,
};

enum {
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_MSS = 2,
    OPT_WS = 3,
    OPT_SACK_PERM = 4,
    OPT_TS = 8,
    OPT_FASTOPEN = 34,       /* TCPOPT_FASTOPEN */
    OPT_EXP = 254,           /* TCPOPT_EXP */
    FASTOPEN_MAGIC = 0xF989, /* TCPOPT_FASTOPEN_MAGIC */
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* One's-complement sum of big-endian 16-bit words, not yet folded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (; n >= 2; p += 2, n -= 2)
        sum += get16(p);
    if (n)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The TCP pseudo-header: addresses as stored in the IP header. */
static uint32_t csum_pseudo(const uint8_t *ip, uint8_t proto, uint16_t l4len)
{
    uint32_t sum = csum_add(0, ip + 12, 8);
    return sum + proto + l4len;
}

/* tcp_parse_fastopen_option(): an odd length leaves what an earlier option
 * set; 0 is a request; an even 4 .. 16 is a cookie; any other length takes
 * the option back (foc->len = -1). */
static void parse_fastopen(const uint8_t *v, size_t len, bool exp, struct lq_tcpopt *o)
{
    if (len & 1)
        return;
    if (len != 0 && (len < 4 || len > LQ_TFO_COOKIE_MAX)) {
        o->has_fo = false;
        o->fo_len = 0;
        return;
    }
    o->has_fo = true;
    o->fo_exp = exp;
    o->fo_len = (uint8_t)len;
    memcpy(o->fo, v, len);
}

static void parse_tcp_options(const uint8_t *p, size_t n, struct lq_tcpopt *o)
{
    size_t i = 0;
    while (i < n) {
        uint8_t kind = p[i];
        if (kind == OPT_EOL)
            return;
        if (kind == OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= n)
            return;
        uint8_t olen = p[i + 1];
        if (olen < 2 || olen > n - i)
            return; /* malformed: tcp_parse_options() stops here too */
        const uint8_t *v = p + i + 2;
        switch (kind) {
        case OPT_MSS:
            if (olen == 4) {
                o->has_mss = true;
                o->mss = get16(v);
            }
            break;
        case OPT_WS:
            if (olen == 3) {
                o->has_wscale = true;
                o->wscale = v[0];
            }
            break;
        case OPT_SACK_PERM:
            if (olen == 2)
                o->sack_perm = true;
            break;
        case OPT_TS:
            if (olen == 10) {
                o->has_ts = true;
                o->tsval = get32(v);
                o->tsecr = get32(v + 4);
            }
            break;
        case OPT_FASTOPEN: parse_fastopen(v, olen - 2u, false, o); break;
        case OPT_EXP:
            if (olen >= 4 && get16(v) == FASTOPEN_MAGIC)
                parse_fastopen(v + 2, olen - 4u, true, o);
            break;
        default: break;
        }
        i += olen;
    }
}

/* Returns the IPv4 header, its length and the IP total length, or NULL. */
static const uint8_t *ipv4_header(const uint8_t *data, size_t len, size_t *ihl, size_t *tot)
{
    if (len < LQ_FRAME_ETH_LEN + LQ_FRAME_IP_LEN || get16(data + 12) != ETHERTYPE_IPV4)
        return NULL;
    const uint8_t *ip = data + LQ_FRAME_ETH_LEN;
    size_t avail = len - LQ_FRAME_ETH_LEN;
    *ihl = (size_t)(ip[0] & 0x0f) * 4;
    *tot = get16(ip + 2);
    if ((ip[0] >> 4) != 4 || *ihl < LQ_FRAME_IP_LEN || *ihl > avail || *tot < *ihl)
        return NULL;
    /* A fragment does not carry a whole segment. */
    if (get16(ip + 6) & (IP_MF_BIT | IP_OFFMASK))
        return NULL;
    return ip;
}

/* Returns the IPv6 header and its payload length, or NULL (not IPv6, or
 * truncated). */
static const uint8_t *ipv6_header(const uint8_t *data, size_t len, size_t *plen)
{
    if (len < LQ_FRAME_ETH_LEN + LQ_FRAME_IP6_LEN || get16(data + 12) != ETHERTYPE_IPV6)
        return NULL;
    const uint8_t *ip = data + LQ_FRAME_ETH_LEN;
    if ((ip[0] >> 4) != 6)
        return NULL;
    *plen = get16(ip + 4);
    return ip;
}

/* The TCP/ICMPv6 pseudo-header of IPv6: addresses, upper-layer length, next header. */
static uint32_t csum_pseudo6(const uint8_t *ip6, uint8_t proto, uint32_t l4len)
{
    uint32_t sum = csum_add(0, ip6 + 8, 32);
    return sum + (l4len >> 16) + (l4len & 0xffff) + proto;
}

/* The transport header of a frame: TCP, or an ICMP/ICMPv6 echo (proto). */
static int parse_l4(uint8_t proto, const uint8_t *l4, size_t l4avail, size_t l4len,
                    struct lq_frame_info *out)
{
    if (proto == PROTO_TCP) {
        if (l4avail < LQ_FRAME_TCP_LEN || l4len < LQ_FRAME_TCP_LEN)
            return -1;
        size_t doff = (size_t)(l4[12] >> 4) * 4;
        if (doff < LQ_FRAME_TCP_LEN || doff > l4avail || doff > l4len)
            return -1;
        struct lq_seg *s = &out->seg;
        out->is_tcp = true;
        s->sport = get16(l4);
        s->dport = get16(l4 + 2);
        s->seq = get32(l4 + 4);
        s->ack = get32(l4 + 8);
        s->flags = l4[13];
        s->win = get16(l4 + 14);
        s->len = (uint32_t)(l4len - doff);
        parse_tcp_options(l4 + LQ_FRAME_TCP_LEN, doff - LQ_FRAME_TCP_LEN, &s->opt);
        return 0;
    }
    if (proto == PROTO_ICMP || proto == PROTO_ICMPV6) {
        if (l4avail < LQ_FRAME_ICMP_ECHO_LEN || l4len < LQ_FRAME_ICMP_ECHO_LEN)
            return -1;
        bool v6 = proto == PROTO_ICMPV6;
        out->is_echo_reply = l4[0] == (v6 ? ICMPV6_ECHOREPLY_TYPE : ICMP_ECHOREPLY_TYPE);
        out->is_echo_request = l4[0] == (v6 ? ICMPV6_ECHO_TYPE : ICMP_ECHO_TYPE);
        if (out->is_echo_reply || out->is_echo_request) {
            out->echo_id = get16(l4 + 4);
            out->echo_seq = get16(l4 + 6);
        }
        return 0;
    }
    return -1;
}

int lq_frame_parse(const uint8_t *data, size_t len, struct lq_frame_info *out)
{
    size_t ihl, tot, plen;
    memset(out, 0, sizeof(*out));
    const uint8_t *ip6 = ipv6_header(data, len, &plen);
    if (ip6) {
        uint8_t nh = ip6[6];
        if (nh != PROTO_TCP && nh != PROTO_ICMPV6)
            return -1; /* an extension header, or another protocol */
        memcpy(out->src_ip6, ip6 + 8, 16);
        memcpy(out->dst_ip6, ip6 + 24, 16);
        out->flowlabel = get32(ip6) & 0xfffffu;
        out->seg.flowlabel = out->flowlabel;
        out->seg.ipv6 = true;
        size_t avail = len - LQ_FRAME_ETH_LEN - LQ_FRAME_IP6_LEN;
        return parse_l4(nh, ip6 + LQ_FRAME_IP6_LEN, avail, plen, out);
    }
    const uint8_t *ip = ipv4_header(data, len, &ihl, &tot);
    if (!ip)
        return -1;
    size_t avail = len - LQ_FRAME_ETH_LEN; /* bytes captured from the IP header on */
    memcpy(&out->src_ip, ip + 12, 4);
    memcpy(&out->dst_ip, ip + 16, 4);
    return parse_l4(ip[9], ip + ihl, avail - ihl, tot - ihl, out);
}

bool lq_frame_csum_ok(const uint8_t *data, size_t len)
{
    size_t ihl, tot, plen;
    const uint8_t *ip6 = ipv6_header(data, len, &plen);
    if (ip6) {
        uint8_t nh = ip6[6];
        if ((nh != PROTO_TCP && nh != PROTO_ICMPV6) ||
            plen > len - LQ_FRAME_ETH_LEN - LQ_FRAME_IP6_LEN)
            return false;
        uint32_t sum = csum_pseudo6(ip6, nh, (uint32_t)plen);
        return csum_fold(csum_add(sum, ip6 + LQ_FRAME_IP6_LEN, plen)) == 0;
    }
    const uint8_t *ip = ipv4_header(data, len, &ihl, &tot);
    if (!ip || tot > len - LQ_FRAME_ETH_LEN)
        return false;
    if (csum_fold(csum_add(0, ip, ihl)) != 0)
        return false;
    const uint8_t *l4 = ip + ihl;
    uint16_t l4len = (uint16_t)(tot - ihl);
    uint32_t sum;
    if (ip[9] == PROTO_TCP)
        sum = csum_pseudo(ip, PROTO_TCP, l4len);
    else if (ip[9] == PROTO_ICMP)
        sum = 0;
    else
        return false;
    return csum_fold(csum_add(sum, l4, l4len)) == 0;
}

size_t lq_frame_tcp_options(const struct lq_tcpopt *opt, uint8_t out[LQ_FRAME_TCPOPT_MAX])
{
    size_t n = 0;
    if (opt->has_mss) {
        out[n++] = OPT_MSS;
        out[n++] = 4;
        put16(out + n, opt->mss);
        n += 2;
    }
    if (opt->has_ts) {
        /* SACK_PERM rides in the two bytes TS would pad with NOPs. */
        out[n++] = opt->sack_perm ? OPT_SACK_PERM : OPT_NOP;
        out[n++] = opt->sack_perm ? 2 : OPT_NOP;
        out[n++] = OPT_TS;
        out[n++] = 10;
        put32(out + n, opt->tsval);
        put32(out + n + 4, opt->tsecr);
        n += 8;
    }
    if (opt->has_wscale) {
        out[n++] = OPT_NOP;
        out[n++] = OPT_WS;
        out[n++] = 3;
        out[n++] = opt->wscale;
    }
    if (opt->sack_perm && !opt->has_ts) {
        out[n++] = OPT_NOP;
        out[n++] = OPT_NOP;
        out[n++] = OPT_SACK_PERM;
        out[n++] = 2;
    }
    if (opt->has_fo) {
        /* NOPs first, so the cookie ends on a 4-byte boundary (the kernel's
         * tcp_options_write pads after it; either parses the same) */
        size_t olen = (opt->fo_exp ? 4u : 2u) + opt->fo_len;
        for (size_t pad = ((olen + 3u) & ~3u) - olen; pad; pad--)
            out[n++] = OPT_NOP;
        out[n++] = opt->fo_exp ? OPT_EXP : OPT_FASTOPEN;
        out[n++] = (uint8_t)olen;
        if (opt->fo_exp) {
            put16(out + n, FASTOPEN_MAGIC);
            n += 2;
        }
        memcpy(out + n, opt->fo, opt->fo_len);
        n += opt->fo_len;
    }
    return n;
}

static void put_eth_ip(uint8_t *buf, const struct lq_frame_ends *e, uint16_t ip_id, uint8_t proto,
                       size_t tot)
{
    memcpy(buf, e->dst_mac, 6);
    memcpy(buf + 6, e->src_mac, 6);
    put16(buf + 12, ETHERTYPE_IPV4);
    uint8_t *ip = buf + LQ_FRAME_ETH_LEN;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)tot);
    put16(ip + 4, ip_id);
    put16(ip + 6, IP_DF_BIT);
    ip[8] = LQ_FRAME_TTL;
    ip[9] = proto;
    put16(ip + 10, 0);
    memcpy(ip + 12, &e->src_ip, 4);
    memcpy(ip + 16, &e->dst_ip, 4);
    put16(ip + 10, csum_fold(csum_add(0, ip, LQ_FRAME_IP_LEN)));
}

/* Ethernet and an IPv6 header for plen payload bytes of next header nh. */
static void put_eth_ip6(uint8_t *buf, const struct lq_frame_ends *e, uint8_t nh, size_t plen)
{
    memcpy(buf, e->dst_mac, 6);
    memcpy(buf + 6, e->src_mac, 6);
    put16(buf + 12, ETHERTYPE_IPV6);
    uint8_t *ip6 = buf + LQ_FRAME_ETH_LEN;
    put32(ip6, 6u << 28 | (e->flowlabel & 0xfffffu));
    put16(ip6 + 4, (uint16_t)plen);
    ip6[6] = nh;
    ip6[7] = LQ_FRAME_HOPLIMIT;
    memcpy(ip6 + 8, e->src_ip6, 16);
    memcpy(ip6 + 24, e->dst_ip6, 16);
}

int lq_frame_build_tcp(uint8_t *buf, size_t cap, const struct lq_frame_ends *e, uint16_t ip_id,
                       const struct lq_seg *seg)
{
    uint8_t opts[LQ_FRAME_TCPOPT_MAX];
    size_t optlen = lq_frame_tcp_options(&seg->opt, opts);
    size_t tcplen = LQ_FRAME_TCP_LEN + optlen + seg->len;
    size_t iplen = seg->ipv6 ? LQ_FRAME_IP6_LEN : LQ_FRAME_IP_LEN;
    size_t tot = iplen + tcplen;
    if ((seg->ipv6 ? tcplen : tot) > 0xffff || cap < LQ_FRAME_ETH_LEN + tot)
        return -1;
    if (seg->ipv6)
        put_eth_ip6(buf, e, PROTO_TCP, tcplen);
    else
        put_eth_ip(buf, e, ip_id, PROTO_TCP, tot);
    uint8_t *ip = buf + LQ_FRAME_ETH_LEN;
    uint8_t *th = ip + iplen;
    put16(th, seg->sport);
    put16(th + 2, seg->dport);
    put32(th + 4, seg->seq);
    put32(th + 8, seg->ack);
    th[12] = (uint8_t)(((LQ_FRAME_TCP_LEN + optlen) / 4) << 4);
    th[13] = seg->flags;
    put16(th + 14, seg->win);
    put16(th + 16, 0);
    put16(th + 18, 0);
    memcpy(th + LQ_FRAME_TCP_LEN, opts, optlen);
    uint8_t *payload = th + LQ_FRAME_TCP_LEN + optlen;
    for (size_t i = 0; i < seg->len; i++)
        payload[i] = lq_frame_payload_byte(i);
    uint32_t sum = seg->ipv6 ? csum_pseudo6(ip, PROTO_TCP, (uint32_t)tcplen)
                             : csum_pseudo(ip, PROTO_TCP, (uint16_t)tcplen);
    put16(th + 16, csum_fold(csum_add(sum, th, tcplen)));
    return (int)(LQ_FRAME_ETH_LEN + tot);
}

int lq_frame_build_echo(uint8_t *buf, size_t cap, const struct lq_frame_ends *e, uint16_t ip_id,
                        bool ipv6, bool reply, uint16_t id, uint16_t seq)
{
    size_t iplen = ipv6 ? LQ_FRAME_IP6_LEN : LQ_FRAME_IP_LEN;
    size_t tot = iplen + LQ_FRAME_ICMP_ECHO_LEN;
    if (cap < LQ_FRAME_ETH_LEN + tot)
        return -1;
    if (ipv6)
        put_eth_ip6(buf, e, PROTO_ICMPV6, LQ_FRAME_ICMP_ECHO_LEN);
    else
        put_eth_ip(buf, e, ip_id, PROTO_ICMP, tot);
    uint8_t *ic = buf + LQ_FRAME_ETH_LEN + iplen;
    if (ipv6)
        ic[0] = reply ? ICMPV6_ECHOREPLY_TYPE : ICMPV6_ECHO_TYPE;
    else
        ic[0] = reply ? ICMP_ECHOREPLY_TYPE : ICMP_ECHO_TYPE;
    ic[1] = 0;
    put16(ic + 2, 0);
    put16(ic + 4, id);
    put16(ic + 6, seq);
    uint32_t sum =
        ipv6 ? csum_pseudo6(buf + LQ_FRAME_ETH_LEN, PROTO_ICMPV6, LQ_FRAME_ICMP_ECHO_LEN) : 0;
    put16(ic + 2, csum_fold(csum_add(sum, ic, LQ_FRAME_ICMP_ECHO_LEN)));
    return (int)(LQ_FRAME_ETH_LEN + tot);
}

int lq_frame_build_icmp_error(uint8_t *buf, size_t cap, const struct lq_frame_ends *e,
                              uint16_t ip_id, const struct lq_seg *seg)
{
    uint8_t type, code;
    lq_icmp_type_code(seg->icmp, seg->ipv6, &type, &code);
    if (!type)
        return -1;
    size_t iplen = seg->ipv6 ? LQ_FRAME_IP6_LEN : LQ_FRAME_IP_LEN;
    size_t l4len = LQ_FRAME_ICMP_ERR_LEN + iplen; /* ICMP header, quoted IP, quoted TCP */
    size_t tot = iplen + l4len;
    if (cap < LQ_FRAME_ETH_LEN + tot)
        return -1;
    if (seg->ipv6)
        put_eth_ip6(buf, e, PROTO_ICMPV6, l4len);
    else
        put_eth_ip(buf, e, ip_id, PROTO_ICMP, tot);
    uint8_t *ic = buf + LQ_FRAME_ETH_LEN + iplen;
    memset(ic, 0, l4len);
    ic[0] = type;
    ic[1] = code;
    if (seg->icmp == LQ_ICMP_FRAG_NEEDED) {
        if (seg->ipv6)
            put32(ic + 4, seg->mtu); /* Packet Too Big: MTU (RFC 4443 3.2) */
        else
            put16(ic + 6, seg->mtu); /* Next-Hop MTU (RFC 1191) */
    }
    /* the server's packet as it left: server -> client */
    uint8_t *q = ic + 8;
    if (seg->ipv6) {
        put32(q, 6u << 28);
        put16(q + 4, LQ_FRAME_TCP_LEN);
        q[6] = PROTO_TCP;
        q[7] = LQ_FRAME_HOPLIMIT;
        memcpy(q + 8, e->dst_ip6, 16);
        memcpy(q + 24, e->src_ip6, 16);
    } else {
        q[0] = 0x45;
        put16(q + 2, LQ_FRAME_IP_LEN + LQ_FRAME_TCP_LEN);
        put16(q + 6, IP_DF_BIT);
        q[8] = LQ_FRAME_TTL;
        q[9] = PROTO_TCP;
        memcpy(q + 12, &e->dst_ip, 4);
        memcpy(q + 16, &e->src_ip, 4);
        put16(q + 10, csum_fold(csum_add(0, q, LQ_FRAME_IP_LEN)));
    }
    uint8_t *th = q + iplen;
    put16(th, seg->dport);
    put16(th + 2, seg->sport);
    put32(th + 4, seg->seq);
    th[12] = (uint8_t)((LQ_FRAME_TCP_LEN / 4) << 4);
    th[13] = LQ_TH_ACK;
    uint32_t sum =
        seg->ipv6 ? csum_pseudo6(buf + LQ_FRAME_ETH_LEN, PROTO_ICMPV6, (uint32_t)l4len) : 0;
    put16(ic + 2, csum_fold(csum_add(sum, ic, l4len)));
    return (int)(LQ_FRAME_ETH_LEN + tot);
}
