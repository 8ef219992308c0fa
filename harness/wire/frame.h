/* harness/wire/frame.h: Ethernet/IPv4 and IPv6, TCP and ICMP/ICMPv6 echo frames,
 * built and parsed.
 *
 * Pure code with no library, so the parser can be tested (and fuzzed) without
 * privileges, and the builder gives an independent second implementation of
 * what harness/live/inject.c produces with libnet: tests compare the two byte for
 * byte. Addresses and ports in struct lq_seg are host order; the IPv4
 * addresses in struct lq_frame_info and struct lq_frame_ends are network order
 * (as in struct in_addr), the IPv6 ones the 16 bytes of struct in6_addr. An
 * IPv6 frame has no extension headers (the harness sends none, and a reply
 * with one is not a frame listenq reads).
 */
#ifndef LISTENQ_HARNESS_FRAME_H
#define LISTENQ_HARNESS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/segment.h"

enum {
    LQ_FRAME_ETH_LEN = 14,
    LQ_FRAME_IP_LEN = 20,  /* the builder never sends IP options */
    LQ_FRAME_TCP_LEN = 20, /* without options */
    LQ_FRAME_ICMP_ECHO_LEN = 8,
    LQ_FRAME_TCPOPT_MAX = 40,
    LQ_FRAME_TTL = 64,
    LQ_FRAME_IP6_LEN = 40,
    LQ_FRAME_HOPLIMIT = 64,
};

struct lq_frame_info {
    bool is_tcp, is_echo_reply, is_echo_request; /* an ICMPv6 echo counts as an echo */
    struct lq_seg seg; /* conn = 0; len from the IP total length, not the capture length;
                        * seg.ipv6 says which header it had */
    uint16_t echo_id, echo_seq;
    uint32_t src_ip, dst_ip;          /* network order (IPv4) */
    uint8_t src_ip6[16], dst_ip6[16]; /* IPv6 */
    uint32_t flowlabel;               /* IPv6: the 20-bit flow label */
};

/* Parses an Ethernet II frame. 0 when it is IPv4 carrying TCP or ICMP, or
 * IPv6 carrying TCP or ICMPv6 (any type: is_echo_* say whether it is an
 * echo), -1 when it is anything else,
 * a fragment, or its headers are truncated. The TCP payload may be cut by the
 * snap length: seg.len still counts it. Options are read as they are on the
 * wire (MSS, WS, SACK_PERM, TS), whatever the flags; parsing stops at EOL or at
 * a malformed option, as tcp_parse_options() does. */
int lq_frame_parse(const uint8_t *data, size_t len, struct lq_frame_info *out);

/* True when the IPv4 header checksum and the TCP or ICMP checksum (IPv6:
 * the TCP or ICMPv6 checksum) are right. False when the frame is not
 * TCP/ICMP over IPv4 or IPv6 or is shorter than its IP length
 * (a frame cut by the snap length cannot be checked). */
bool lq_frame_csum_ok(const uint8_t *data, size_t len);

/* The two ends of a frame the builder writes. */
struct lq_frame_ends {
    uint8_t src_mac[6], dst_mac[6];
    uint32_t src_ip, dst_ip; /* network order */
    /* IPv6 frames (a TCP segment with seg->ipv6, an echo with ipv6) */
    uint8_t src_ip6[16], dst_ip6[16];
    uint32_t flowlabel;
};

/* Byte i of the payload listenq sends in data segments. */
static inline uint8_t lq_frame_payload_byte(size_t i)
{
    return (uint8_t)('a' + i % 26);
}

/* Writes opt as Linux's tcp_options_write() lays options out: MSS; then
 * SACK_PERM+TS together, or NOP NOP TS; then NOP WS; then NOP NOP SACK_PERM
 * when there is no TS. Returns the length (a multiple of 4, at most 40). */
size_t lq_frame_tcp_options(const struct lq_tcpopt *opt, uint8_t out[LQ_FRAME_TCPOPT_MAX]);

/* Writes an Ethernet/IPv4/TCP frame for seg (IP id ip_id, DF, TTL 64, payload
 * of seg->len pattern bytes, urgent pointer 0) with correct checksums; with
 * seg->ipv6 an Ethernet/IPv6/TCP frame (traffic class 0, e's flow label, hop
 * limit 64; ip_id unused). Returns the frame length, or -1 when cap is too
 * small. */
int lq_frame_build_tcp(uint8_t *buf, size_t cap, const struct lq_frame_ends *e, uint16_t ip_id,
                       const struct lq_seg *seg);

/* Writes an ICMP echo request (or reply) without payload; with ipv6 an
 * ICMPv6 one (types 128 and 129). Returns the frame length, or -1 when cap
 * is too small. */
int lq_frame_build_echo(uint8_t *buf, size_t cap, const struct lq_frame_ends *e, uint16_t ip_id,
                        bool ipv6, bool reply, uint16_t id, uint16_t seq);

/* The bytes of an ICMP error about seg: its ICMP header (8 bytes) and the
 * quoted packet, the server's IP header (server -> client, TTL 64, no
 * options) and 20 bytes of its TCP header {sport: seg->dport, dport:
 * seg->sport, seq: seg->seq, ACK}, as a router returns them. */
enum { LQ_FRAME_ICMP_ERR_LEN = 8 + LQ_FRAME_TCP_LEN };

/* Writes an Ethernet/IPv4/ICMP error frame from the client end for
 * seg->icmp (lq_icmp_type_code) with seg->mtu as the next-hop MTU of frag
 * needed, or with seg->ipv6 an Ethernet/IPv6/ICMPv6 one (Packet Too Big's
 * 32-bit MTU), correct checksums. e is the client's ends (the quote swaps
 * them). Returns the frame length, or -1 when cap is too small or seg is
 * not an ICMP error. */
int lq_frame_build_icmp_error(uint8_t *buf, size_t cap, const struct lq_frame_ends *e,
                              uint16_t ip_id, const struct lq_seg *seg);

#endif
