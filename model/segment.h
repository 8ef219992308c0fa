/* model/segment.h: a TCP segment as the model and the harness both see it.
 *
 * The model consumes and produces these instead of raw frames: the live
 * backend converts frames to and from them, so the two backends answer the
 * same question in the same vocabulary. Sequence numbers are real 32-bit
 * values (client-chosen or learned from the server), so the model can apply
 * the kernel's own window and ACK arithmetic to them.
 */
#ifndef LISTENQ_MODEL_SEGMENT_H
#define LISTENQ_MODEL_SEGMENT_H

#include <stdbool.h>
#include <stdint.h>

/* TCP header flags, as on the wire. */
enum {
    LQ_TH_FIN = 0x01,
    LQ_TH_SYN = 0x02,
    LQ_TH_RST = 0x04,
    LQ_TH_PSH = 0x08,
    LQ_TH_ACK = 0x10,
    LQ_TH_URG = 0x20,
    LQ_TH_ECE = 0x40,
    LQ_TH_CWR = 0x80,
};

#define LQ_TFO_COOKIE_MAX  16u /* TCP_FASTOPEN_COOKIE_MAX */
#define LQ_TFO_COOKIE_SIZE 8u  /* TCP_FASTOPEN_COOKIE_SIZE: the one a server sends and accepts */

/* The TCP options listenq sends and reads. */
struct lq_tcpopt {
    bool has_mss;
    bool has_wscale;
    bool sack_perm;
    bool has_ts;
    uint16_t mss;
    uint8_t wscale;
    uint32_t tsval;
    uint32_t tsecr;
    /* TCP Fast Open (RFC 7413): option 34, or the experimental 254 with the
     * magic 0xF989 (fo_exp). fo_len 0 is a cookie request, else the cookie's
     * length (what tcp_parse_fastopen_option keeps: even, 4 .. 16). */
    bool has_fo;
    bool fo_exp;
    uint8_t fo_len;
    uint8_t fo[LQ_TFO_COOKIE_MAX];
};

struct lq_seg {
    uint16_t conn;  /* the scenario's connection index (one client 4-tuple) */
    uint16_t sport; /* source port on the wire */
    uint16_t dport; /* destination port on the wire */
    uint8_t flags;  /* LQ_TH_* */
    uint32_t seq;
    uint32_t ack;
    uint16_t win;
    uint32_t len; /* payload bytes */
    struct lq_tcpopt opt;
    /* The network header: IPv6 (true) or IPv4. An IPv4 segment reaches an
     * IPv6 dual-stack listener as a v4-mapped one (lq_model_set_family). */
    bool ipv6;
    /* IPv6 addresses the scripted client never sends, for the refusals of
     * tcp_v6_conn_request (LQ_ADDR_*; 0: a unicast source and destination). */
    uint8_t addr;
    /* IPv6: the 20-bit flow label. A kernel's is a hash (ip6_make_flowlabel of
     * the skb's txhash, or of the flow when it has none); the model's are
     * tokens that are equal exactly where the kernel's are. Callers compare
     * them by relation (trace.h, lbl), never by value; the client sends 0. */
    uint32_t flowlabel;
    /* Not a TCP segment but an ICMP error about one (LQ_ICMP_*; 0: TCP): the
     * client's router reports a segment the server sent to this connection.
     * The error quotes the server's IP header and its TCP header {sport:
     * dport, dport: sport, seq}; flags, ack, options and len are unused.
     * mtu: the next-hop MTU of frag-needed (ICMPv6 Packet Too Big). */
    uint8_t icmp;
    uint16_t mtu;
};

/* The ICMP errors a client segment event can be (`icmp CONN KIND`), each
 * with its ICMPv4 type/code and the ICMPv6 one of the same meaning. */
enum lq_icmp_kind {
    LQ_ICMP_NONE,
    LQ_ICMP_NET_UNREACH,      /* 3/0 ICMP_NET_UNREACH;      1/0 ICMPV6_NOROUTE */
    LQ_ICMP_HOST_UNREACH,     /* 3/1 ICMP_HOST_UNREACH;     1/3 ICMPV6_ADDR_UNREACH */
    LQ_ICMP_PROTO_UNREACH,    /* 3/2 ICMP_PROT_UNREACH;     4/1 ICMPV6_UNK_NEXTHDR */
    LQ_ICMP_PORT_UNREACH,     /* 3/3 ICMP_PORT_UNREACH;     1/4 ICMPV6_PORT_UNREACH */
    LQ_ICMP_FRAG_NEEDED,      /* 3/4 ICMP_FRAG_NEEDED;      2/0 ICMPV6_PKT_TOOBIG */
    LQ_ICMP_ADMIN_PROHIBITED, /* 3/13 ICMP_PKT_FILTERED;    1/1 ICMPV6_ADM_PROHIBITED */
    LQ_ICMP_TTL_EXCEEDED,     /* 11/0 ICMP_EXC_TTL;         3/0 ICMPV6_EXC_HOPLIMIT */
    LQ_ICMP_PARAM_PROBLEM,    /* 12/0 ICMP_PARAMETERPROB;   4/0 ICMPV6_HDR_FIELD */
    LQ_ICMP_KIND_COUNT
};

/* The wire type and code of an ICMP error kind (ICMPv6 when ipv6). */
static inline void lq_icmp_type_code(uint8_t kind, bool ipv6, uint8_t *type, uint8_t *code)
{
    static const uint8_t v4[LQ_ICMP_KIND_COUNT][2] = {{0, 0}, {3, 0},  {3, 1},  {3, 2}, {3, 3},
                                                      {3, 4}, {3, 13}, {11, 0}, {12, 0}};
    static const uint8_t v6[LQ_ICMP_KIND_COUNT][2] = {{0, 0}, {1, 0}, {1, 3}, {4, 1}, {1, 4},
                                                      {2, 0}, {1, 1}, {3, 0}, {4, 0}};
    const uint8_t(*t)[2] = ipv6 ? v6 : v4;
    if (kind >= LQ_ICMP_KIND_COUNT)
        kind = LQ_ICMP_NONE;
    *type = t[kind][0];
    *code = t[kind][1];
}

enum {
    LQ_ADDR_DST_NOT_UNICAST = 1, /* !ipv6_unicast_destination(skb) */
    LQ_ADDR_SRC_V4MAPPED = 2,    /* ipv6_addr_v4mapped(&ipv6_hdr(skb)->saddr) */
};

/* Sequence-space comparisons, as include/net/tcp.h before()/after(). */
static inline bool lq_seq_before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline bool lq_seq_after(uint32_t a, uint32_t b)
{
    return lq_seq_before(b, a);
}

/* end_seq as TCP_SKB_CB(skb)->end_seq: SYN and FIN take one sequence number. */
static inline uint32_t lq_seg_end_seq(const struct lq_seg *s)
{
    return s->seq + s->len + ((s->flags & LQ_TH_SYN) ? 1 : 0) + ((s->flags & LQ_TH_FIN) ? 1 : 0);
}

/* The TCP header length of a segment with these options as harness/wire/frame.c
 * lays them out (the kernel's `skb->data - skb_transport_header(skb)`):
 * MSS 4, timestamps 12 (SACK-permitted in their padding), window scale 4,
 * SACK-permitted alone 4, Fast Open 2 (4: experimental) + the cookie, padded
 * to 4. tests/unit/test_frame.c holds the two together. */
static inline uint32_t lq_seg_tcp_header_len(const struct lq_seg *s)
{
    uint32_t n = 20u;
    if (s->opt.has_mss)
        n += 4u;
    if (s->opt.has_ts)
        n += 12u;
    if (s->opt.has_wscale)
        n += 4u;
    if (s->opt.sack_perm && !s->opt.has_ts)
        n += 4u;
    if (s->opt.has_fo) /* kind, length (and the magic), the cookie, aligned to 4 */
        n += ((s->opt.fo_exp ? 4u : 2u) + s->opt.fo_len + 3u) & ~3u;
    return n;
}

#endif
