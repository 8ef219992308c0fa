/* harness/lang/decode.h: fuzzer bytes -> scenario, and back (docs/fuzzing.md).
 *
 * Structure-aware: every byte string decodes to a valid scenario (no parse
 * step, nothing to reject), and one byte is one choice, so libFuzzer's small
 * mutations make small changes to the scenario. The layout aims at the
 * interesting region of the listen path: a set-up prefix (tcp_syncookies,
 * a small backlog, somaxconn, tcp_abort_on_overflow, tcp_max_syn_backlog,
 * TCP_DEFER_ACCEPT, tcp_synack_retries, TCP_SYNCNT) and then events of 2..8
 * connections against that backlog.
 *
 *   byte 0  tcp_syncookies       & 3: 0, 1, 2, or left at the default;
 *           (>> 2) & 3: the family: 0 none (family-neutral), 1 ipv6, 2 dual,
 *           3 ipv4; dual: bit 4 + (k & 3) makes connection k IPv4 (its
 *           first event says `ipv4`), else it is IPv6
 *   byte 1  listen backlog       & 7: 0..4, 1, 2, or (byte >> 3) & 7 picks 5, 8,
 *                                16, 128, 4096, -1, 65536, 3
 *   byte 2  net.core.somaxconn   (& 3) == 3: one of 0..4, 8, 128, 4096 ((>> 2) & 7)
 *   byte 3  bit 0 tcp_abort_on_overflow=1; (>> 1 & 3) == 3: tcp_max_syn_backlog
 *           from ((>> 3) & 15): 0..8, 10, 12, 16, 20, 32, 64, -1
 *   byte 4  (& 3) == 3: TCP_DEFER_ACCEPT 1, 2, 3, 10 ((>> 2) & 3);
 *           ((>> 4) & 3) == 3: tcp_synack_retries 0..3 (>> 6)
 *   byte 5  & 7: 4 tcp_timestamps=2, 5 tcp_timestamps=0, 6 tcp_sack=0,
 *           7 tcp_window_scaling=0; 1..3 server Fast Open: tcp_fastopen=3 with
 *           TCP_FASTOPEN=2, tcp_fastopen=3 with TCP_FASTOPEN=1, tcp_fastopen=514
 *           (no cookie needed) with TCP_FASTOPEN=2 (1..3 set nothing before);
 *           ((>> 3) & 3) == 3: TCP_SYNCNT 1..8 (>> 5)
 *   byte 6  connections: 2 + byte % 7 (named c1..c8)
 *   SO_REUSEPORT groups: byte 2 >> 5 of 5, 6, 7 makes 2, 3, 4 listeners L1..Ln
 *           (all reuseport; below 5: the one unnamed listener, as before);
 *           byte 1 >> 6: how many of the last stay unlistened (at most n - 1),
 *           the others listen in order with the header's backlog; the program
 *           "modulo n" goes to L1 after those listens, or, with byte 3 bit 7,
 *           before them: to L1 (kept by the group), or to Ln when some stay
 *           unlistened (a group of its own: the group has no program, and
 *           Ln's listen() conflicts). Accept and listen records take their
 *           connection bits as the listener (modulo n), and a setting record
 *           with its variant bit is SO_ATTACH_REUSEPORT_CBPF=1..8 ((arg & 7) +
 *           1) on that listener (on the unnamed one: EINVAL)
 *   then events, two bytes each (fixed, so that changing a byte
 *   never shifts the meaning of the rest): an opcode (low nibble: what; bits
 *   4..6: the connection, modulo their number; bit 7: a variant) and an
 *   argument, which some opcodes ignore: SYN (opcode 14: the same with `ecn`, ECE|CWR; it
 *   was a fourth plain SYN, which the encoder never wrote and no seed in corpus/seeds used;
 *   opcode 2: a Fast Open SYN, `tfo`, `tfo=echo`, `tfo=bad` or none from argument & 3, the
 *   payload from bits 2..4 (0, 1, 10, 100, 536, 1000, 1400, 20), bit 5 ts, bit 6 wscale=7 and
 *   sack, bit 7 mss=1460 (536 with the variant bit); it was a third plain SYN, which the
 *   encoder never wrote either)
 *   (options: MSS 1460, none, 536
 *   (1450 on an IPv6 connection: between the IPv6 cookie table's 1440 and
 *   1460), 9000 or 88; ISN: same, new, +1 or +100000;
 *   data, SYN|FIN), the retransmission of a connection's last SYN, a good ACK
 *   (bit 7: with 100 bytes), an ACK variant (ack=bad, ack=+1/+2, win=100/1000,
 *   seq=bad, seq=+N/-N, len=N, tsval=old, tsval=syn, tsecr=bad), RST (exact, +N, -N, bad, ack,
 * ack=bad), FIN (noack, len, ack=bad, seq), `seg` with any flags (FIN's bit 7: the argument is
 * the flags byte; RST's bit 7: FIN..URG from the argument's low six bits, CWR from bit 6, 10
 * bytes of data from bit 7; both opcodes ignored bit 7 before, and the encoder never set it,
 * so earlier seeds decode as they did unless a mutation set it), accept (opcode 11 with bit 7:
 * close/shutdown from the argument & 7: close, SHUT_RD, SHUT_RDWR, SHUT_WR, 4..7 close CONN, which
 * is SHUT_WR while CONN has no segment yet; opcode 10 with bit 7: `icmp CONN`, the kind from
 * (argument & 7) + 1 in enum lq_icmp_kind's order, seq from bits 3..4 (ISN, +1, -1, bad),
 * frag-needed's mtu from bits 5..7 (1280, 1400, 576, 500, 1500, 1279, 552, 0), a plain accept
 * while CONN has no segment yet), listen again, wait (only
 * when waits are allowed; otherwise the opcode and its argument are skipped) and a mid-run setting
 * (tcp_syncookies, tcp_abort_on_overflow or, with the argument's bit 3, tcp_migrate_req, or
 * with bit 4 tcp_fastopen 1, 3, 514, 1026 from bits 5..6; TCP_DEFER_ACCEPT or, with bit 4,
 * TCP_FASTOPEN 0, 1, 2, 4; somaxconn). Missing bytes read as zero.
 *
 * The encoder maps a scenario back to bytes (for seed corpora): exact for
 * scenarios the decoder produces (decode(encode(s)) == s), the nearest
 * decodable choice for anything else.
 */
#ifndef LISTENQ_HARNESS_DECODE_H
#define LISTENQ_HARNESS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

#define LQ_DECODE_HEADER 7
/* Event caps: the model targets take more; the differential target keeps
 * every input to a few milliseconds on a kernel. */
#define LQ_DECODE_MAX_EVENTS      64
#define LQ_DECODE_DIFF_MAX_EVENTS 24

struct lq_decode_opts {
    bool waits;        /* wait directives may appear (virtual time: model targets) */
    bool in_scope;     /* only what the model covers against a kernel: no tsval=old */
    size_t max_events; /* directives after the set-up; 0 = LQ_DECODE_MAX_EVENTS */
    /* The scenario families (bits 1u << enum lq_scn_family) the decoder may
     * choose; 0: all. A family outside the set is replaced by one inside it,
     * chosen by the same bits, so a campaign can be held to IPv6 and dual. */
    unsigned families;
};

/* "neutral,ipv4,ipv6,dual" (any of them, comma-separated) as a families
 * set; 0 when list is empty or names something else. */
unsigned lq_decode_families_parse(const char *list);

/* The options of each target, so `listenq decode` reproduces what a fuzzer ran;
 * the families come from $LISTENQ_FUZZ_FAMILY (lq_decode_families_parse),
 * which `listenq fuzz --family` sets for the fuzzer and itself. */
void lq_decode_opts_model(struct lq_decode_opts *o);
void lq_decode_opts_diff(struct lq_decode_opts *o);

/* Decodes data into sc (initialised here). 0, or -1 when memory ran out. */
int lq_decode(const uint8_t *data, size_t len, const struct lq_decode_opts *o,
              struct lq_scenario *sc);

/* As lq_decode into a scenario that an earlier lq_decode_reuse (or
 * lq_scenario_init) left in sc, keeping its directive array: what a fuzzer
 * calls for every input. 0, or -1 when memory ran out (sc freed). */
int lq_decode_reuse(const uint8_t *data, size_t len, const struct lq_decode_opts *o,
                    struct lq_scenario *sc);

/* Empties sc (from lq_decode_reuse) but keeps its directive array: a fuzzer
 * calls it at the end of every input, so that an input frees what it
 * allocates (libFuzzer looks for leaks when the counts differ). */
void lq_decode_clear(struct lq_scenario *sc);

/* Bytes that decode to sc, or to the nearest scenario the decoder can make;
 * *out is malloc'ed. 0, or -1 when memory ran out. */
int lq_encode(const struct lq_scenario *sc, const struct lq_decode_opts *o, uint8_t **out,
              size_t *len);

#endif
