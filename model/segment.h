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
};

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
 * SACK-permitted alone 4. tests/unit/test_frame.c holds the two together. */
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
    return n;
}

#endif
