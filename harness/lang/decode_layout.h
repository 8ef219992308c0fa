/* harness/lang/decode_layout.h: the byte layout of decode.h as code, for
 * decode.c's decoder and encoder: the opcodes and what each can make, the
 * header's seven bytes decoded into a struct lq_dec_header, and one event
 * record (opcode byte, argument byte) decoded into a directive against the
 * per-connection state that records before it left. Nothing here builds a
 * scenario; conn in a decoded directive is the decoder's index (0..7), which
 * decode.c names c1..c8. */
#ifndef LISTENQ_HARNESS_DECODE_LAYOUT_H
#define LISTENQ_HARNESS_DECODE_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "decode.h"
#include "scenario.h"

#define LQ_DEC_CONNS_MAX 8

/* ---- the opcodes ---- */

enum lq_dec_op {
    LQ_OP_SYN0,
    LQ_OP_SYN1,
    LQ_OP_SYN2,
    LQ_OP_SYN_RTX,
    LQ_OP_ACK0,
    LQ_OP_ACK1,
    LQ_OP_ACK2,
    LQ_OP_ACKV,
    LQ_OP_RST,
    LQ_OP_FIN,
    LQ_OP_ACCEPT0,
    LQ_OP_ACCEPT1,
    LQ_OP_LISTEN,
    LQ_OP_WAIT,
    LQ_OP_SYN3,
    LQ_OP_SET,
};

/* Whether the argument byte matters to op (v: its variant bit); the encoder
 * tries all 256 only then. */
bool lq_op_has_arg(unsigned op, bool v);
/* Whether op's bits 4..6 pick a connection (else a listener). */
bool lq_op_has_conn(unsigned op);
bool lq_op_can_make(unsigned op, uint8_t kind);

/* ---- the set-up prefix ---- */

struct lq_dec_header {
    int syncookies; /* -1: default */
    int32_t backlog;
    int32_t somaxconn; /* -1: not set (never a table value) */
    bool abort_on_overflow;
    bool has_msb;
    int32_t msb;
    int32_t defer;      /* 0: not set */
    int synack_retries; /* -1: not set */
    int flags_sysctl;   /* 0 none, 4..7 as byte 5 & 7 */
    int fastopen;       /* 0 none, 1..3 as byte 5 & 7: a Fast Open set-up (lq_fo_hdr, decode.c) */
    int syncnt;         /* 0: not set */
    unsigned nconns;
    uint8_t family;  /* enum lq_scn_family */
    uint8_t v4_mask; /* dual: connection k is IPv4 when bit (k & 3) is set */
    /* An SO_REUSEPORT group: nlsn listeners L1..Ln (0: the one unnamed
     * listener), the first nlsn - unlistened of them listening, the program
     * "modulo nlsn" given to L1 before it listens (prog_early) or after the
     * listens. */
    unsigned nlsn, unlistened;
    bool prog_early;
};

/* A backlog byte (header byte 1, a listen record's argument). */
int32_t lq_dec_backlog(uint8_t b);
void lq_dec_header(const uint8_t h[LQ_DECODE_HEADER], struct lq_dec_header *o);
void lq_dec_restrict_family(const uint8_t h[LQ_DECODE_HEADER], const struct lq_decode_opts *o,
                            struct lq_dec_header *hd);
/* One header field as the encoder searches for its byte: the value byte b
 * sets, or -1000000 (far from every value) when it sets none or, for bytes
 * 3..5, touches the bits of the field that shares the byte. */
int32_t lq_h2_somaxconn(uint8_t b);
int32_t lq_h3_msb(uint8_t b);
int32_t lq_h4_defer(uint8_t b);
int32_t lq_h5_syncnt(uint8_t b);

/* ---- events ---- */

struct lq_dec_state {
    unsigned nconns;
    unsigned nlsn; /* 0: the one unnamed listener */
    bool waits;
    bool v6[LQ_DEC_CONNS_MAX]; /* the connection sends IPv6 (its SYNs' MSS choices differ) */
    bool has_syn[LQ_DEC_CONNS_MAX];
    bool named[LQ_DEC_CONNS_MAX]; /* a segment event named it: close CONN may */
    struct lq_ev_seg last_syn[LQ_DEC_CONNS_MAX];
};

bool lq_dec_emits(const struct lq_dec_state *st, unsigned op, unsigned sel, bool v, uint8_t a);
bool lq_dec_op(const struct lq_dec_state *st, unsigned op, unsigned sel, bool v, uint8_t a,
               struct lq_directive *d);
/* Fills st->v6 from the header's family. */
void lq_dec_families(const struct lq_dec_header *h, struct lq_dec_state *st);
/* What a decoded directive leaves for the records after it: its connection
 * named, its SYN to retransmit. */
void lq_dec_commit(struct lq_dec_state *st, const struct lq_directive *d);

#endif
