/* tests/unit/test_frame.c: harness/wire/frame.c against hand-written frames.
 *
 * The frames below were written out byte by byte (checksums included) by a
 * separate script, not by lq_frame_build_*; the builder is compared with
 * them, and a round trip through builder and parser comes last.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "wire/frame.h"
#include "tap.h"

/* 198.18.0.1:8080 -> 198.18.0.2:40000 SYN-ACK, MSS 1460, SACK_PERM, TS
 * 0x01020304/0xa0b0c0d0, NOP, WS 7: the layout Linux uses. */
static const uint8_t synack[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x3c, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xae, 0x94, 0xc6, 0x12, 0x00, 0x01,
    0xc6, 0x12, 0x00, 0x02, 0x1f, 0x90, 0x9c, 0x40, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56,
    0x79, 0xa0, 0x12, 0xfe, 0x88, 0x95, 0x9c, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
    0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0, 0x01, 0x03, 0x03, 0x07,
};

/* 198.18.0.2:40000 -> 198.18.0.1:8080 SYN, IP id 1, MSS 1460 only. */
static const uint8_t syn_mss[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x2c, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0xae, 0xa3, 0xc6, 0x12, 0x00, 0x02,
    0xc6, 0x12, 0x00, 0x01, 0x9c, 0x40, 0x1f, 0x90, 0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0x00,
    0x00, 0x60, 0x02, 0xfa, 0xf0, 0xec, 0x90, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
};

/* 8080 -> 40000 PSH|ACK, NOP NOP TS 5/6, 300 payload bytes "abc...". */
/* Its headers; the test appends pattern payload up to the 256-byte snap
 * length. The IP total length says 352 (32 header + 300 payload + 20 IP). */
static const uint8_t data_cut_hdr[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x08, 0x00,
    0x45, 0x00, 0x01, 0x60, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06, 0xad, 0x70, 0xc6, 0x12,
    0x00, 0x01, 0xc6, 0x12, 0x00, 0x02, 0x1f, 0x90, 0x9c, 0x40, 0xde, 0xad, 0xbe, 0xf0,
    0x12, 0x34, 0x56, 0x79, 0x80, 0x18, 0x01, 0xfd, 0x30, 0xb3, 0x00, 0x00, 0x01, 0x01,
    0x08, 0x0a, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06,
};

/* Echo reply id 0x4c51 seq 7, IP id 0x1234, no DF. */
static const uint8_t echo_reply[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x00, 0x00, 0x40, 0x01, 0xdc, 0x85, 0xc6, 0x12,
    0x00, 0x01, 0xc6, 0x12, 0x00, 0x02, 0x00, 0x00, 0xb3, 0xa7, 0x4c, 0x51, 0x00, 0x07,
};

/* SYN 40001 -> 8080 seq 1000 win 64240, IP id 5: MSS 1460, SACK_PERM+TS
 * 77/0, NOP WS 7. */
static const uint8_t syn_full[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x08, 0x00, 0x45,
    0x00, 0x00, 0x3c, 0x00, 0x05, 0x40, 0x00, 0x40, 0x06, 0xae, 0x8f, 0xc6, 0x12, 0x00, 0x02,
    0xc6, 0x12, 0x00, 0x01, 0x9c, 0x41, 0x1f, 0x90, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00,
    0x00, 0xa0, 0x02, 0xfa, 0xf0, 0x00, 0xe1, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02,
    0x08, 0x0a, 0x00, 0x00, 0x00, 0x4d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
};

/* PSH|ACK 40002 -> 8080 seq 7 ack 9 win 1024, IP id 6: MSS 536, NOP WS 0,
 * NOP NOP SACK_PERM (no TS), payload "abc". */
static const uint8_t sack_nots[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x37, 0x00, 0x06, 0x40, 0x00, 0x40, 0x06, 0xae, 0x93, 0xc6, 0x12,
    0x00, 0x02, 0xc6, 0x12, 0x00, 0x01, 0x9c, 0x42, 0x1f, 0x90, 0x00, 0x00, 0x00, 0x07,
    0x00, 0x00, 0x00, 0x09, 0x80, 0x18, 0x04, 0x00, 0x62, 0x2e, 0x00, 0x00, 0x02, 0x04,
    0x02, 0x18, 0x01, 0x03, 0x03, 0x00, 0x01, 0x01, 0x04, 0x02, 0x61, 0x62, 0x63,
};

/* Echo request id 1 seq 2, IP id 7, DF. */
static const uint8_t echo_req[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x1c, 0x00, 0x07, 0x40, 0x00, 0x40, 0x01, 0xae, 0xb2, 0xc6, 0x12,
    0x00, 0x02, 0xc6, 0x12, 0x00, 0x01, 0x08, 0x00, 0xf7, 0xfc, 0x00, 0x01, 0x00, 0x02,
};

static const struct lq_frame_ends client_ends = {
    .src_mac = {0x02, 0x6c, 0x71, 0x00, 0x00, 0x02},
    .dst_mac = {0x02, 0x6c, 0x71, 0x00, 0x00, 0x01},
};

static uint32_t ip(const char *s)
{
    struct in_addr a;
    inet_pton(AF_INET, s, &a);
    return a.s_addr;
}

static void test_synack(void)
{
    struct lq_frame_info fi;
    is_int(lq_frame_parse(synack, sizeof(synack), &fi), 0, "SYN-ACK parses");
    ok(fi.is_tcp && !fi.is_echo_reply && !fi.is_echo_request, "SYN-ACK is TCP");
    is_int(fi.seg.sport, 8080, "SYN-ACK sport");
    is_int(fi.seg.dport, 40000, "SYN-ACK dport");
    is_int(fi.seg.seq, 0xdeadbeef, "SYN-ACK seq");
    is_int(fi.seg.ack, 0x12345679, "SYN-ACK ack");
    is_int(fi.seg.flags, LQ_TH_SYN | LQ_TH_ACK, "SYN-ACK flags");
    is_int(fi.seg.win, 65160, "SYN-ACK window");
    is_int(fi.seg.len, 0, "SYN-ACK has no payload");
    is_int(fi.seg.conn, 0, "conn is left 0");
    ok(fi.seg.opt.has_mss && fi.seg.opt.mss == 1460, "SYN-ACK MSS 1460");
    ok(fi.seg.opt.sack_perm, "SYN-ACK SACK_PERM");
    ok(fi.seg.opt.has_ts && fi.seg.opt.tsval == 0x01020304 && fi.seg.opt.tsecr == 0xa0b0c0d0,
       "SYN-ACK timestamps");
    ok(fi.seg.opt.has_wscale && fi.seg.opt.wscale == 7, "SYN-ACK window scale 7");
    ok(fi.src_ip == ip("198.18.0.1") && fi.dst_ip == ip("198.18.0.2"), "SYN-ACK addresses");
    ok(lq_frame_csum_ok(synack, sizeof(synack)), "SYN-ACK checksums are right");

    uint8_t bad[sizeof(synack)];
    memcpy(bad, synack, sizeof(bad));
    bad[sizeof(bad) - 1] ^= 1;
    ok(!lq_frame_csum_ok(bad, sizeof(bad)), "a flipped option bit breaks the TCP checksum");
    memcpy(bad, synack, sizeof(bad));
    bad[14 + 8] = 63; /* TTL */
    ok(!lq_frame_csum_ok(bad, sizeof(bad)), "a changed TTL breaks the IP checksum");

    int all_short_fail = 1;
    for (size_t n = 0; n < sizeof(synack); n++)
        if (lq_frame_parse(synack, n, &fi) != -1)
            all_short_fail = 0;
    ok(all_short_fail, "every truncation of the SYN-ACK's headers is refused");
}

static void test_syn_and_data(void)
{
    struct lq_frame_info fi;
    is_int(lq_frame_parse(syn_mss, sizeof(syn_mss), &fi), 0, "MSS-only SYN parses");
    ok(fi.seg.opt.has_mss && fi.seg.opt.mss == 1460 && !fi.seg.opt.sack_perm &&
           !fi.seg.opt.has_ts && !fi.seg.opt.has_wscale,
       "MSS-only SYN has only MSS");
    ok(fi.seg.flags == LQ_TH_SYN && fi.seg.seq == 0x12345678 && fi.seg.win == 64240,
       "MSS-only SYN header fields");
    ok(lq_frame_csum_ok(syn_mss, sizeof(syn_mss)), "MSS-only SYN checksums");

    /* The data segment, whole and cut at the 256-byte snap length. */
    uint8_t full[14 + 20 + 32 + 300];
    memcpy(full, data_cut_hdr, sizeof(data_cut_hdr));
    for (size_t i = 0; i < 300; i++)
        full[sizeof(data_cut_hdr) + i] = (uint8_t)('a' + i % 26);
    ok(lq_frame_csum_ok(full, sizeof(full)), "data segment checksums (whole frame)");
    ok(!lq_frame_csum_ok(full, 256), "a cut frame cannot be checked");
    is_int(lq_frame_parse(full, 256, &fi), 0, "cut data segment parses");
    is_int(fi.seg.len, 300, "payload length comes from the IP header, not the capture");
    ok(fi.seg.opt.has_ts && fi.seg.opt.tsval == 5 && fi.seg.opt.tsecr == 6 && !fi.seg.opt.has_mss,
       "NOP NOP TS parsed");
    is_int(fi.seg.flags, LQ_TH_PSH | LQ_TH_ACK, "data segment flags");
    is_int(lq_frame_parse(full, sizeof(data_cut_hdr) - 1, &fi), -1,
           "cut inside the options: refused");
}

static void test_icmp(void)
{
    struct lq_frame_info fi;
    is_int(lq_frame_parse(echo_reply, sizeof(echo_reply), &fi), 0, "echo reply parses");
    ok(fi.is_echo_reply && !fi.is_echo_request && !fi.is_tcp, "echo reply kind");
    ok(fi.echo_id == 0x4c51 && fi.echo_seq == 7, "echo reply id and seq");
    ok(lq_frame_csum_ok(echo_reply, sizeof(echo_reply)), "echo reply checksums");
    is_int(lq_frame_parse(echo_req, sizeof(echo_req), &fi), 0, "echo request parses");
    ok(fi.is_echo_request && fi.echo_id == 1 && fi.echo_seq == 2, "echo request fields");

    uint8_t unreach[sizeof(echo_reply)];
    memcpy(unreach, echo_reply, sizeof(unreach));
    unreach[34] = 3; /* destination unreachable */
    is_int(lq_frame_parse(unreach, sizeof(unreach), &fi), 0, "other ICMP still parses");
    ok(!fi.is_echo_reply && !fi.is_echo_request && !fi.is_tcp, "other ICMP is no echo");
}

static void test_refused(void)
{
    struct lq_frame_info fi;
    uint8_t f[sizeof(synack)];

    memcpy(f, synack, sizeof(f));
    f[12] = 0x08, f[13] = 0x06; /* ARP */
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "ARP ethertype refused");
    memcpy(f, synack, sizeof(f));
    f[12] = 0x86, f[13] = 0xdd;
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "IPv6 ethertype refused");
    memcpy(f, synack, sizeof(f));
    f[14] = 0x65;
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "IP version 6 in an IPv4 frame refused");
    memcpy(f, synack, sizeof(f));
    f[14] = 0x44;
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "IHL below 5 refused");
    memcpy(f, synack, sizeof(f));
    f[14 + 9] = 17;
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "UDP refused");
    memcpy(f, synack, sizeof(f));
    f[14 + 6] |= 0x20; /* MF */
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "first fragment refused");
    memcpy(f, synack, sizeof(f));
    f[14 + 7] = 1; /* offset 8 */
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "later fragment refused");
    memcpy(f, synack, sizeof(f));
    f[14 + 20 + 12] = 0x40;
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "TCP data offset below 5 refused");
    memcpy(f, synack, sizeof(f));
    f[14 + 20 + 12] = 0xf0;
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "TCP data offset past the frame refused");
    memcpy(f, synack, sizeof(f));
    f[14 + 3] = 39; /* IP total length shorter than the TCP header */
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "IP total length inside the TCP header refused");
}

static void test_bad_options(void)
{
    struct lq_frame_info fi;
    uint8_t f[sizeof(synack)];
    const size_t opt = 14 + 20 + 20; /* MSS at +0, SACK_PERM +4, TS +6, NOP +16, WS +17 */

    memcpy(f, synack, sizeof(f));
    f[opt + 5] = 0; /* SACK_PERM length 0 */
    is_int(lq_frame_parse(f, sizeof(f), &fi), 0, "malformed option: frame still parses");
    ok(fi.seg.opt.has_mss && !fi.seg.opt.sack_perm && !fi.seg.opt.has_ts && !fi.seg.opt.has_wscale,
       "malformed option length 0: parsing stops there");
    memcpy(f, synack, sizeof(f));
    f[opt + 7] = 30; /* TS length past the end of the options */
    lq_frame_parse(f, sizeof(f), &fi);
    ok(fi.seg.opt.sack_perm && !fi.seg.opt.has_ts && !fi.seg.opt.has_wscale,
       "option running past the header: parsing stops there");
    memcpy(f, synack, sizeof(f));
    f[opt + 6] = 0; /* EOL where TS was */
    lq_frame_parse(f, sizeof(f), &fi);
    ok(fi.seg.opt.sack_perm && !fi.seg.opt.has_ts && !fi.seg.opt.has_wscale,
       "EOL ends the options");
    memcpy(f, synack, sizeof(f));
    f[opt + 1] = 3;                 /* MSS with length 3: skipped, not read */
    f[opt + 4] = 1, f[opt + 5] = 1; /* keep the rest aligned: SACK_PERM -> NOP NOP */
    lq_frame_parse(f, sizeof(f), &fi);
    ok(!fi.seg.opt.has_mss, "MSS with a wrong length is not taken");
}

static void test_builder(void)
{
    uint8_t buf[256];
    struct lq_frame_ends e = client_ends;
    e.src_ip = ip("198.18.0.2");
    e.dst_ip = ip("198.18.0.1");

    struct lq_seg s = {
        .sport = 40001, .dport = 8080, .flags = LQ_TH_SYN, .seq = 1000, .win = 64240};
    s.opt = (struct lq_tcpopt){.has_mss = true,
                               .mss = 1460,
                               .sack_perm = true,
                               .has_ts = true,
                               .tsval = 77,
                               .has_wscale = true,
                               .wscale = 7};
    int n = lq_frame_build_tcp(buf, sizeof(buf), &e, 5, &s);
    ok(n == (int)sizeof(syn_full) && memcmp(buf, syn_full, sizeof(syn_full)) == 0,
       "builder: full-option SYN matches the hand-written bytes");

    s = (struct lq_seg){.sport = 40000,
                        .dport = 8080,
                        .flags = LQ_TH_SYN,
                        .seq = 0x12345678,
                        .win = 64240,
                        .opt = {.has_mss = true, .mss = 1460}};
    n = lq_frame_build_tcp(buf, sizeof(buf), &e, 1, &s);
    ok(n == (int)sizeof(syn_mss) && memcmp(buf, syn_mss, sizeof(syn_mss)) == 0,
       "builder: MSS-only SYN matches");

    s = (struct lq_seg){.sport = 40002,
                        .dport = 8080,
                        .flags = LQ_TH_PSH | LQ_TH_ACK,
                        .seq = 7,
                        .ack = 9,
                        .win = 1024,
                        .len = 3};
    s.opt = (struct lq_tcpopt){.has_mss = true, .mss = 536, .has_wscale = true, .sack_perm = true};
    n = lq_frame_build_tcp(buf, sizeof(buf), &e, 6, &s);
    ok(n == (int)sizeof(sack_nots) && memcmp(buf, sack_nots, sizeof(sack_nots)) == 0,
       "builder: SACK_PERM without TS goes last as NOP NOP SACK_PERM, with payload");

    n = lq_frame_build_echo(buf, sizeof(buf), &e, 7, false, false, 1, 2);
    ok(n == (int)sizeof(echo_req) && memcmp(buf, echo_req, sizeof(echo_req)) == 0,
       "builder: echo request matches");

    uint8_t o[LQ_FRAME_TCPOPT_MAX];
    struct lq_tcpopt ts_only = {.has_ts = true, .tsval = 0x01020304, .tsecr = 0x05060708};
    static const uint8_t want[] = {1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8};
    size_t olen = lq_frame_tcp_options(&ts_only, o);
    ok(olen == sizeof(want) && memcmp(o, want, sizeof(want)) == 0, "TS alone: NOP NOP TS");
    struct lq_tcpopt none = {0};
    is_int(lq_frame_tcp_options(&none, o), 0, "no options: nothing written");

    s.len = 300;
    is_int(lq_frame_build_tcp(buf, sizeof(buf), &e, 1, &s), -1, "builder refuses a small buffer");
    is_int(lq_frame_build_echo(buf, 41, &e, 1, false, true, 1, 1), -1, "echo builder too");
}

static bool seg_equal(const struct lq_seg *a, const struct lq_seg *b)
{
    const struct lq_tcpopt *x = &a->opt, *y = &b->opt;
    return a->conn == b->conn && a->sport == b->sport && a->dport == b->dport &&
           a->flags == b->flags && a->seq == b->seq && a->ack == b->ack && a->win == b->win &&
           a->len == b->len && x->has_mss == y->has_mss && x->mss == y->mss &&
           x->has_wscale == y->has_wscale && x->wscale == y->wscale &&
           x->sack_perm == y->sack_perm && x->has_ts == y->has_ts && x->tsval == y->tsval &&
           x->tsecr == y->tsecr && x->has_fo == y->has_fo && x->fo_exp == y->fo_exp &&
           x->fo_len == y->fo_len && memcmp(x->fo, y->fo, x->fo_len) == 0;
}

/* An IPv6 SYN-ACK from 2001:db8::1:8080 to 2001:db8::2:40000, flow label
 * 0x12345, seq 0xdeadbeef, ack 0x12345679, window 64800, MSS 1440; and an
 * ICMPv6 echo reply (id 0x4c51, seq 3). Checksums over the IPv6
 * pseudo-header (RFC 8200 8.1), computed apart from frame.c. */
static const uint8_t synack6[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x86, 0xdd, 0x60, 0x01,
    0x23, 0x45, 0x00, 0x18, 0x06, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x1f, 0x90, 0x9c, 0x40, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34,
    0x56, 0x79, 0x60, 0x12, 0xfd, 0x20, 0x7d, 0x79, 0x00, 0x00, 0x02, 0x04, 0x05, 0xa0};
static const uint8_t echo6[] = {
    0x02, 0x6c, 0x71, 0x00, 0x00, 0x02, 0x02, 0x6c, 0x71, 0x00, 0x00, 0x01, 0x86, 0xdd, 0x60, 0x00,
    0x00, 0x00, 0x00, 0x08, 0x3a, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x81, 0x00, 0xd6, 0xf3, 0x4c, 0x51, 0x00, 0x03};

static void test_ipv6(void)
{
    static const uint8_t a1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t a2[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    struct lq_frame_info fi;
    ok(lq_frame_parse(synack6, sizeof(synack6), &fi) == 0 && fi.is_tcp && fi.seg.ipv6,
       "IPv6 SYN-ACK parses as IPv6 TCP");
    ok(fi.seg.sport == 8080 && fi.seg.dport == 40000 && fi.seg.seq == 0xdeadbeefu &&
           fi.seg.ack == 0x12345679u && fi.seg.flags == (LQ_TH_SYN | LQ_TH_ACK) &&
           fi.seg.win == 64800 && fi.seg.opt.has_mss && fi.seg.opt.mss == 1440 && fi.seg.len == 0,
       "IPv6 SYN-ACK fields");
    ok(memcmp(fi.src_ip6, a1, 16) == 0 && memcmp(fi.dst_ip6, a2, 16) == 0, "IPv6 addresses");
    is_int(fi.flowlabel, 0x12345, "the flow label");
    ok(lq_frame_csum_ok(synack6, sizeof(synack6)), "IPv6 TCP checksum verifies");
    uint8_t f[sizeof(synack6)];
    memcpy(f, synack6, sizeof(f));
    f[sizeof(f) - 1] ^= 1;
    ok(!lq_frame_csum_ok(f, sizeof(f)), "a flipped payload bit fails it");
    memcpy(f, synack6, sizeof(f));
    f[20] = 0; /* next header: hop-by-hop options */
    is_int(lq_frame_parse(f, sizeof(f), &fi), -1, "an extension header is not read");
    is_int(lq_frame_parse(synack6, 14 + 39, &fi), -1, "a cut IPv6 header is refused");
    ok(lq_frame_parse(echo6, sizeof(echo6), &fi) == 0 && fi.is_echo_reply && !fi.is_tcp &&
           fi.echo_id == 0x4c51 && fi.echo_seq == 3 && fi.seg.ipv6,
       "ICMPv6 echo reply");
    ok(lq_frame_csum_ok(echo6, sizeof(echo6)), "ICMPv6 checksum verifies");

    /* the builder writes the same bytes, from the server's side */
    struct lq_frame_ends e = {.src_mac = {0x02, 0x6c, 0x71, 0, 0, 1},
                              .dst_mac = {0x02, 0x6c, 0x71, 0, 0, 2},
                              .flowlabel = 0x12345};
    memcpy(e.src_ip6, a1, 16);
    memcpy(e.dst_ip6, a2, 16);
    struct lq_seg s = {.sport = 8080,
                       .dport = 40000,
                       .flags = LQ_TH_SYN | LQ_TH_ACK,
                       .seq = 0xdeadbeefu,
                       .ack = 0x12345679u,
                       .win = 64800,
                       .opt = {.has_mss = true, .mss = 1440},
                       .ipv6 = true};
    uint8_t buf[256];
    int n = lq_frame_build_tcp(buf, sizeof(buf), &e, 0, &s);
    ok(n == (int)sizeof(synack6) && memcmp(buf, synack6, sizeof(synack6)) == 0,
       "builder: the IPv6 SYN-ACK matches the hand-made bytes");
    e.flowlabel = 0;
    n = lq_frame_build_echo(buf, sizeof(buf), &e, 0, true, true, 0x4c51, 3);
    ok(n == (int)sizeof(echo6) && memcmp(buf, echo6, sizeof(echo6)) == 0,
       "builder: the ICMPv6 echo reply matches");
    is_int(lq_frame_build_echo(buf, 61, &e, 0, true, false, 1, 1), -1,
           "IPv6 echo builder refuses a small buffer");

    /* builder -> parser over random IPv6 segments */
    srand(777);
    int bad = 0;
    for (int i = 0; i < 500; i++) {
        struct lq_seg r = {.sport = (uint16_t)rand(),
                           .dport = (uint16_t)rand(),
                           .flags = (uint8_t)rand(),
                           .seq = (uint32_t)rand(),
                           .ack = (uint32_t)rand(),
                           .win = (uint16_t)rand(),
                           .len = (uint32_t)(rand() % 1400),
                           .opt = {.has_ts = true, .tsval = (uint32_t)rand()},
                           .ipv6 = true};
        static uint8_t big[2048];
        n = lq_frame_build_tcp(big, sizeof(big), &e, 0, &r);
        if (n < 0 || lq_frame_parse(big, (size_t)n, &fi) != 0 || !fi.seg.ipv6 ||
            !lq_frame_csum_ok(big, (size_t)n) || fi.seg.seq != r.seq || fi.seg.len != r.len ||
            fi.seg.opt.tsval != r.opt.tsval || fi.seg.flags != r.flags)
            bad++;
    }
    is_int(bad, 0, "500 random IPv6 segments survive builder -> parser");
}

/* Builder then parser, over varied segments (fixed seed: reproducible). */
static void test_round_trip(void)
{
    static uint8_t buf[2048];
    struct lq_frame_ends e = client_ends;
    e.src_ip = ip("10.1.2.3");
    e.dst_ip = ip("10.4.5.6");
    srand(12345);
    int bad = 0;
    for (int i = 0; i < 2000; i++) {
        struct lq_seg s = {.sport = (uint16_t)rand(),
                           .dport = (uint16_t)rand(),
                           .flags = (uint8_t)rand(),
                           .seq = (uint32_t)rand() * 2654435761u,
                           .ack = (uint32_t)rand() * 40503u,
                           .win = (uint16_t)rand(),
                           .len = (uint32_t)(rand() % 1500)};
        int m = rand();
        s.opt.has_mss = m & 1, s.opt.mss = (uint16_t)rand();
        s.opt.has_wscale = m & 2, s.opt.wscale = (uint8_t)(rand() % 15);
        s.opt.sack_perm = m & 4;
        s.opt.has_ts = m & 8, s.opt.tsval = (uint32_t)rand(), s.opt.tsecr = (uint32_t)rand();
        if (!s.opt.has_mss)
            s.opt.mss = 0;
        if (!s.opt.has_wscale)
            s.opt.wscale = 0;
        if (!s.opt.has_ts)
            s.opt.tsval = s.opt.tsecr = 0;
        if (m & 16) { /* a Fast Open option: a request or an even cookie of 4..16 */
            s.opt.has_fo = true;
            s.opt.fo_exp = (m >> 5) & 1;
            static const uint8_t lens[] = {0, 4, 6, 8, 10, 12, 14, 16};
            s.opt.fo_len = lens[(m >> 6) & 7];
            /* what fits beside the others in 40 bytes */
            size_t used = (s.opt.has_mss ? 4u : 0u) + (s.opt.has_ts ? 12u : 0u) +
                          (s.opt.has_wscale ? 4u : 0u) +
                          (s.opt.sack_perm && !s.opt.has_ts ? 4u : 0u);
            while ((((s.opt.fo_exp ? 4u : 2u) + s.opt.fo_len + 3u) & ~3u) + used > 40u)
                s.opt.fo_len = (uint8_t)(s.opt.fo_len - 2u);
            if (s.opt.fo_len && s.opt.fo_len < 4)
                s.opt.fo_len = 0;
            for (unsigned k = 0; k < s.opt.fo_len; k++)
                s.opt.fo[k] = (uint8_t)rand();
        }
        int n = lq_frame_build_tcp(buf, sizeof(buf), &e, (uint16_t)i, &s);
        struct lq_frame_info fi;
        if (n < 0 || lq_frame_parse(buf, (size_t)n, &fi) != 0 || !fi.is_tcp ||
            !lq_frame_csum_ok(buf, (size_t)n) || !seg_equal(&fi.seg, &s) || fi.src_ip != e.src_ip ||
            fi.dst_ip != e.dst_ip) {
            if (bad++ == 0)
                tap_diag("first mismatch at iteration %d", i);
        }
    }
    is_int(bad, 0, "2000 random segments survive builder -> parser unchanged");
}

/* The model's idea of a segment's header length (segment.h, for
 * tcp_measure_rcv_mss) is the length of the options frame.c writes. */
static void test_header_len(void)
{
    int same = 0, n = 0;
    for (unsigned bits = 0; bits < 64; bits++, n++) {
        struct lq_seg s;
        memset(&s, 0, sizeof(s));
        s.opt.has_mss = bits & 1;
        s.opt.has_ts = (bits >> 1) & 1;
        s.opt.has_wscale = (bits >> 2) & 1;
        s.opt.sack_perm = (bits >> 3) & 1;
        s.opt.has_fo = (bits >> 4) & 1; /* a request, or (bit 5) an 8-byte cookie */
        s.opt.fo_len = (bits >> 5) & 1 ? 8 : 0;
        uint8_t buf[LQ_FRAME_TCPOPT_MAX];
        same += lq_seg_tcp_header_len(&s) == 20u + lq_frame_tcp_options(&s.opt, buf);
    }
    is_int(same, n, "lq_seg_tcp_header_len matches frame.c's options for all 64 option sets");
}

/* RFC 1071, written here: the one's-complement sum over n bytes plus sum0. */
static uint16_t rfc1071(const uint8_t *p, size_t n, uint32_t sum0)
{
    uint32_t sum = sum0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ICMP errors about the server's segment (RFC 792, RFC 1191's Next-Hop MTU,
 * RFC 4443 3.2's Packet Too Big), laid out at the offsets the RFCs give. */
static void test_icmp_error(void)
{
    struct lq_frame_ends e = client_ends;
    e.src_ip = ip("198.18.0.2");
    e.dst_ip = ip("198.18.0.1");
    struct lq_seg s = {.sport = 20000,
                       .dport = 30000,
                       .seq = 0x01020304u,
                       .icmp = LQ_ICMP_FRAG_NEEDED,
                       .mtu = 1400};
    uint8_t b[256];
    int n = lq_frame_build_icmp_error(b, sizeof(b), &e, 9, &s);
    /* 14 Ethernet + 20 IP + 8 ICMP + 20 quoted IP + 20 quoted TCP */
    is_int(n, 82, "ICMPv4 error frame: 82 bytes");
    const uint8_t *ic = b + 34, *q = b + 42, *th = b + 62;
    ok(b[23] == 1 && ic[0] == 3 && ic[1] == 4, "IPv4 protocol 1, type 3 code 4");
    ok(ic[4] == 0 && ic[5] == 0 && (ic[6] << 8 | ic[7]) == 1400, "next-hop MTU in bytes 6-7");
    ok(memcmp(q + 12, &e.dst_ip, 4) == 0 && memcmp(q + 16, &e.src_ip, 4) == 0 && q[9] == 6,
       "the quote is the server's packet: server -> client, TCP");
    ok((th[0] << 8 | th[1]) == 30000 && (th[2] << 8 | th[3]) == 20000 && th[4] == 1 && th[5] == 2 &&
           th[6] == 3 && th[7] == 4,
       "quoted TCP header: the listener's port, the client's, the sequence number");
    is_int(rfc1071(ic, 48, 0), 0, "ICMP checksum (RFC 1071, computed here) verifies");
    is_int(rfc1071(b + 14, 20, 0), 0, "outer IP header checksum verifies");
    is_int(rfc1071(q, 20, 0), 0, "quoted IP header checksum verifies");
    ok(lq_frame_csum_ok(b, (size_t)n), "lq_frame_csum_ok agrees");
    struct lq_frame_info fi;
    ok(lq_frame_parse(b, (size_t)n, &fi) == 0 && !fi.is_tcp && !fi.is_echo_reply &&
           !fi.is_echo_request,
       "the parser reads it as ICMP, neither TCP nor an echo");
    s.icmp = LQ_ICMP_TTL_EXCEEDED;
    n = lq_frame_build_icmp_error(b, sizeof(b), &e, 9, &s);
    ok(n == 82 && ic[0] == 11 && ic[1] == 0 && ic[4] == 0 && ic[6] == 0 && ic[7] == 0,
       "TTL exceeded: 11/0, no MTU");
    s.icmp = LQ_ICMP_ADMIN_PROHIBITED;
    n = lq_frame_build_icmp_error(b, sizeof(b), &e, 9, &s);
    ok(n == 82 && ic[0] == 3 && ic[1] == 13, "administratively prohibited: 3/13");
    s.icmp = LQ_ICMP_NONE;
    is_int(lq_frame_build_icmp_error(b, sizeof(b), &e, 9, &s), -1, "no kind: refused");

    static const uint8_t a1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t a2[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    memcpy(e.src_ip6, a2, 16);
    memcpy(e.dst_ip6, a1, 16);
    s = (struct lq_seg){.sport = 20000,
                        .dport = 30000,
                        .seq = 0xfffffffeu,
                        .icmp = LQ_ICMP_FRAG_NEEDED,
                        .mtu = 1280,
                        .ipv6 = true};
    n = lq_frame_build_icmp_error(b, sizeof(b), &e, 0, &s);
    /* 14 + 40 + 8 + 40 quoted IPv6 + 20 quoted TCP */
    is_int(n, 122, "ICMPv6 error frame: 122 bytes");
    ic = b + 54;
    q = b + 62;
    ok(b[20] == 58 && ic[0] == 2 && ic[1] == 0, "next header 58, Packet Too Big 2/0");
    ok(ic[4] == 0 && ic[5] == 0 && ic[6] == 0x05 && ic[7] == 0x00, "32-bit MTU 1280");
    ok(memcmp(q + 8, a1, 16) == 0 && memcmp(q + 24, a2, 16) == 0 && q[6] == 6,
       "the quote is the server's IPv6 packet");
    /* the pseudo-header: addresses, upper-layer length 68, next header 58 */
    uint32_t ph = 68 + 58;
    for (int i = 0; i < 32; i += 2)
        ph += (uint32_t)b[22 + i] << 8 | b[23 + i];
    is_int(rfc1071(ic, 68, ph), 0, "ICMPv6 checksum with its pseudo-header verifies");
    s.icmp = LQ_ICMP_PORT_UNREACH;
    n = lq_frame_build_icmp_error(b, sizeof(b), &e, 0, &s);
    ok(n == 122 && ic[0] == 1 && ic[1] == 4 && ic[6] == 0, "ICMPv6 port unreachable: 1/4");
    is_int(lq_frame_build_icmp_error(b, 121, &e, 0, &s), -1, "a small buffer is refused");
}

/* syn_mss's headers with these TCP option bytes (EOL-padded to 4). */
static size_t frame_with_options(const uint8_t *o, size_t n, uint8_t *out)
{
    size_t olen = (n + 3u) & ~3u;
    memcpy(out, syn_mss, 14 + 20 + 20);
    memset(out + 54, 0, olen);
    memcpy(out + 54, o, n);
    out[14 + 20 + 12] = (uint8_t)(((20 + olen) / 4) << 4);
    size_t tot = 20 + 20 + olen;
    out[14 + 2] = (uint8_t)(tot >> 8);
    out[14 + 3] = (uint8_t)tot;
    return 14 + tot;
}

/* tcp_parse_fastopen_option() (6.12.118, tcp_input.c): on a SYN, a length
 * (opsize - 2, or - 4 for 254 with the magic 0xF989) that is odd leaves the
 * option out; 0 is a request; 4..16 a cookie; 2 and 18 or more take back
 * an earlier one. The kernel writes a cookie as 34, 10, 8 bytes, NOP NOP
 * (tcp_options_write), or 254, 12, F9 89, 8 bytes. */
static void test_fastopen_option(void)
{
    uint8_t f[14 + 20 + 20 + 40];
    struct lq_frame_info fi;
    static const uint8_t cookie[] = {0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7};
    const uint8_t k34[] = {34, 10, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 1, 1};
    is_int(lq_frame_parse(f, frame_with_options(k34, sizeof(k34), f), &fi), 0, "FO 34 parses");
    ok(fi.seg.opt.has_fo && !fi.seg.opt.fo_exp && fi.seg.opt.fo_len == 8 &&
           !memcmp(fi.seg.opt.fo, cookie, 8),
       "option 34 with 8 bytes: the cookie");
    const uint8_t k254[] = {254, 12, 0xf9, 0x89, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7};
    lq_frame_parse(f, frame_with_options(k254, sizeof(k254), f), &fi);
    ok(fi.seg.opt.has_fo && fi.seg.opt.fo_exp && fi.seg.opt.fo_len == 8 &&
           !memcmp(fi.seg.opt.fo, cookie, 8),
       "option 254 with the magic 0xF989: the experimental form");
    const uint8_t k254x[] = {254, 12, 0xf9, 0x88, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7};
    lq_frame_parse(f, frame_with_options(k254x, sizeof(k254x), f), &fi);
    ok(!fi.seg.opt.has_fo, "option 254 with another magic is no Fast Open option");
    const uint8_t req[] = {1, 1, 34, 2};
    lq_frame_parse(f, frame_with_options(req, sizeof(req), f), &fi);
    ok(fi.seg.opt.has_fo && fi.seg.opt.fo_len == 0, "an empty option 34: a cookie request");
    const uint8_t two_then_odd[] = {34, 6, 1, 2, 3, 4, 34, 7, 9, 9, 9, 9, 9, 1};
    lq_frame_parse(f, frame_with_options(two_then_odd, sizeof(two_then_odd), f), &fi);
    ok(fi.seg.opt.has_fo && fi.seg.opt.fo_len == 4 && fi.seg.opt.fo[0] == 1 &&
           fi.seg.opt.fo[3] == 4,
       "an odd length (5) leaves the earlier 4-byte cookie");
    const uint8_t taken_back[] = {34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 34, 4, 0, 0};
    lq_frame_parse(f, frame_with_options(taken_back, sizeof(taken_back), f), &fi);
    ok(!fi.seg.opt.has_fo, "a length of 2 after a cookie takes the option back (foc->len = -1)");
    const uint8_t too_long[] = {34, 20, 1,  2,  3,  4,  5,  6,  7,  8,
                                9,  10, 11, 12, 13, 14, 15, 16, 17, 18};
    lq_frame_parse(f, frame_with_options(too_long, sizeof(too_long), f), &fi);
    ok(!fi.seg.opt.has_fo, "a cookie of 18 bytes is no cookie (TCP_FASTOPEN_COOKIE_MAX 16)");
}

int main(void)
{
    test_fastopen_option();
    test_icmp_error();
    test_synack();
    test_syn_and_data();
    test_icmp();
    test_refused();
    test_bad_options();
    test_builder();
    test_round_trip();
    test_ipv6();
    test_header_len();
    return tap_done();
}
