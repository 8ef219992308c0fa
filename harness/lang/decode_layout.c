/* harness/lang/decode_layout.c: see decode_layout.h. The tables every choice
 * indexes, what each opcode is, and the header's seven bytes and one two-byte
 * event record decoded: the decoder and the encoder (decode.c) both read
 * bytes only through here, so they cannot disagree about one. */
#include "decode_layout.h"

#include <string.h>

/* ---- the tables every choice indexes ---- */

static const int32_t lq_backlog_rare[8] = {5, 8, 16, 128, 4096, -1, 65536, 3};
static const int32_t lq_somaxconn_tab[8] = {0, 1, 2, 3, 4, 8, 128, 4096};
static const int32_t lq_msb_tab[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 32, 64, -1};
static const int32_t lq_defer_hdr[4] = {1, 2, 3, 10};
static const int32_t lq_defer_ev[4] = {0, 1, 3, 10};
static const uint32_t lq_wait_tab[16] = {200,  500,  999,  1000,  1001,  1500,  2000,  3000,
                                         3500, 5000, 7000, 10000, 15000, 31000, 63000, 130000};
/* Sequence offsets, boundaries on purpose: the request's window is 64240
 * without timestamps and 65160 with them (tcp_select_initial_window rounds
 * 65536 down to the MSS), so +N is the right edge and -N with len=N old
 * data that ends at rcv_nxt. */
static const int32_t lq_off_tab[16] = {1,       2,       10,      100,       1000,  1460,
                                       32767,   65535,   65536,   65537,     64240, 65160,
                                       1 << 20, 1 << 24, 1 << 28, 1000000000};
/* Fast Open: a mid-run tcp_fastopen and TCP_FASTOPEN, and the payloads of a
 * Fast Open SYN (the header's set-ups: lq_fo_hdr, decode.c) */
static const int32_t lq_fo_sysctl_tab[4] = {1, 3, 514, 1026};
static const int32_t lq_fo_queue_tab[4] = {0, 1, 2, 4};
static const uint32_t lq_fo_len_tab[8] = {0, 1, 10, 100, 536, 1000, 1400, 20};
static const uint32_t lq_len_tab[16] = {1,   2,    10,   20,   50,   100,  200, 500,
                                        536, 1000, 1200, 1300, 1399, 1400, 3,   7};

/* icmp (ACCEPT0 with its variant bit): frag needed's MTUs, at and around
 * the boundaries (IPV6_MIN_MTU, ip_rt_min_pmtu 552, the veth's 1500) */
static const uint16_t lq_icmp_mtu_tab[8] = {1280, 1400, 576, 500, 1500, 1279, 552, 0};

/* ---- the opcodes ---- */

bool lq_op_has_arg(unsigned op, bool v)
{
    if ((op == LQ_OP_ACCEPT1 || op == LQ_OP_ACCEPT0) && v)
        return true; /* close / shutdown; icmp */
    switch (op) {
    case LQ_OP_SYN_RTX:
    case LQ_OP_ACK0:
    case LQ_OP_ACK1:
    case LQ_OP_ACK2:
    case LQ_OP_ACCEPT0:
    case LQ_OP_ACCEPT1: return false;
    default: return true;
    }
}

bool lq_op_has_conn(unsigned op)
{
    return op <= LQ_OP_FIN || op == LQ_OP_SYN3;
}

/* Whether an opcode can make a directive of that kind. */
bool lq_op_can_make(unsigned op, uint8_t kind)
{
    switch (op) {
    case LQ_OP_SYN0:
    case LQ_OP_SYN1:
    case LQ_OP_SYN2:
    case LQ_OP_SYN3:
    case LQ_OP_SYN_RTX: return kind == LQ_D_SYN;
    case LQ_OP_ACK0:
    case LQ_OP_ACK1:
    case LQ_OP_ACK2:
    case LQ_OP_ACKV: return kind == LQ_D_ACK;
    case LQ_OP_RST: return kind == LQ_D_RST || kind == LQ_D_SEG;
    case LQ_OP_FIN: return kind == LQ_D_FIN || kind == LQ_D_SEG;
    case LQ_OP_ACCEPT0: return kind == LQ_D_ACCEPT || kind == LQ_D_ICMP;
    case LQ_OP_ACCEPT1: return kind == LQ_D_ACCEPT || kind == LQ_D_CLOSE || kind == LQ_D_SHUTDOWN;
    case LQ_OP_LISTEN: return kind == LQ_D_LISTEN;
    case LQ_OP_WAIT: return kind == LQ_D_WAIT;
    default: return kind == LQ_D_SYSCTL || kind == LQ_D_SOCKOPT;
    }
}

/* ---- the set-up prefix ---- */

int32_t lq_dec_backlog(uint8_t b)
{
    static const int32_t low[7] = {0, 1, 2, 3, 4, 1, 2};
    return (b & 7) < 7 ? low[b & 7] : lq_backlog_rare[(b >> 3) & 7];
}

void lq_dec_header(const uint8_t h[LQ_DECODE_HEADER], struct lq_dec_header *o)
{
    static const int cookies[4] = {0, 1, 2, -1};
    o->syncookies = cookies[h[0] & 3];
    o->backlog = lq_dec_backlog(h[1]);
    o->somaxconn = (h[2] & 3) == 3 ? lq_somaxconn_tab[(h[2] >> 2) & 7] : -1;
    o->abort_on_overflow = h[3] & 1;
    o->has_msb = ((h[3] >> 1) & 3) == 3;
    o->msb = o->has_msb ? lq_msb_tab[(h[3] >> 3) & 15] : 0;
    o->defer = (h[4] & 3) == 3 ? lq_defer_hdr[(h[4] >> 2) & 3] : 0;
    o->synack_retries = ((h[4] >> 4) & 3) == 3 ? (h[4] >> 6) : -1;
    o->flags_sysctl = (h[5] & 7) >= 4 ? (h[5] & 7) : 0;
    o->fastopen = (h[5] & 7) < 4 ? (h[5] & 7) : 0;
    o->syncnt = ((h[5] >> 3) & 3) == 3 ? 1 + (h[5] >> 5) : 0;
    o->nconns = 2u + h[6] % 7u;
    static const uint8_t fam[4] = {LQ_SCN_NEUTRAL, LQ_SCN_IPV6, LQ_SCN_DUAL, LQ_SCN_IPV4};
    o->family = fam[(h[0] >> 2) & 3];
    o->v4_mask = (uint8_t)(h[0] >> 4);
    unsigned g = (unsigned)(h[2] >> 5);
    o->nlsn = g >= 5 ? g - 3 : 0;
    unsigned unl = (unsigned)(h[1] >> 6);
    o->unlistened = o->nlsn ? (unl < o->nlsn ? unl : o->nlsn - 1) : 0;
    o->prog_early = o->nlsn && (h[3] & 0x80);
}

/* A family outside o->families: the k-th allowed one, k from the same bits. */
void lq_dec_restrict_family(const uint8_t h[LQ_DECODE_HEADER], const struct lq_decode_opts *o,
                            struct lq_dec_header *hd)
{
    unsigned set = o ? o->families & 15u : 0;
    if (!set || (set >> hd->family) & 1u)
        return;
    uint8_t allowed[4];
    unsigned n = 0;
    for (uint8_t f = 0; f < 4; f++)
        if ((set >> f) & 1u)
            allowed[n++] = f;
    hd->family = allowed[((h[0] >> 2) & 3u) % n];
}

int32_t lq_h2_somaxconn(uint8_t b)
{
    return (b & 3) == 3 ? lq_somaxconn_tab[(b >> 2) & 7] : -1000000;
}

int32_t lq_h3_msb(uint8_t b)
{
    return ((b >> 1) & 3) == 3 && !(b & 1) ? lq_msb_tab[(b >> 3) & 15] : -1000000;
}

int32_t lq_h4_defer(uint8_t b)
{
    return (b & 3) == 3 && !(b & 0xf0) ? lq_defer_hdr[(b >> 2) & 3] : -1000000;
}

int32_t lq_h5_syncnt(uint8_t b)
{
    return ((b >> 3) & 3) == 3 && !(b & 7) ? 1 + (b >> 5) : -1000000;
}

/* ---- events ---- */

/* A segment as the parser leaves it before reading options. */
static void lq_seg_blank(struct lq_ev_seg *s)
{
    memset(s, 0, sizeof(*s));
    s->wscale = -1;
}

/* v6: the connection is IPv6, where 536 means nothing special (it is below
 * the IPv6 clamp 1220) and 1450, between the IPv6 cookie table's 1440 and the
 * IPv4 route's 1460, tells the table's entries apart. */
static void lq_dec_syn_arg(uint8_t a, bool v, bool v6, struct lq_ev_seg *s)
{
    lq_seg_blank(s);
    switch (a & 3) {
    case 0:
        s->has_mss = true;
        s->mss = 1460;
        break;
    case 1: break;
    case 2:
        s->has_mss = true;
        s->mss = v6 ? 1450 : 536;
        break;
    default:
        s->has_mss = true;
        s->mss = v ? 9000 : 88;
        break;
    }
    s->ts = (a & 4) != 0;
    s->sack = (a & 8) != 0;
    if (a & 16)
        s->wscale = v ? 15 : 7;
    switch ((a >> 5) & 3) {
    case 2: s->isn_mode = LQ_ISN_NEW; break;
    case 3:
        s->isn_mode = LQ_ISN_OFFSET;
        s->isn_off = v ? 100000 : 1;
        break;
    default: break;
    }
    if (a & 128) {
        if (v)
            s->syn_fin = true;
        else
            s->len = 20;
    }
}

/* SYN2: a Fast Open SYN. The option from a & 3 (a request, the cookie
 * learnt, a wrong one, none), the payload from bits 2..4, bit 5 ts, bit 6
 * wscale 7 and sack, bit 7 an MSS (1460; 536 with the variant bit). */
static void lq_dec_fo_syn_arg(uint8_t a, bool v, struct lq_ev_seg *s)
{
    static const uint8_t mode[4] = {LQ_TFO_REQUEST, LQ_TFO_ECHO, LQ_TFO_BAD, LQ_TFO_NONE};
    lq_seg_blank(s);
    s->tfo = mode[a & 3];
    s->len = lq_fo_len_tab[(a >> 2) & 7];
    s->ts = (a & 32) != 0;
    if (a & 64) {
        s->wscale = 7;
        s->sack = true;
    }
    if (a & 128) {
        s->has_mss = true;
        s->mss = v ? 536 : 1460;
    }
}

static void lq_dec_seq(struct lq_ev_seg *s, int32_t off)
{
    s->seq_mode = LQ_SEQ_OFFSET;
    s->seq_off = off;
}

static void lq_dec_ackv_arg(uint8_t a, struct lq_ev_seg *s)
{
    int32_t n = lq_off_tab[(a >> 3) & 15];
    lq_seg_blank(s);
    switch (a & 7) {
    case 0:
        /* boundaries on purpose: an ACK one or two bytes past snd_nxt, a
         * third ACK whose window bounds the child's MSS whole (100) or to
         * half (1000: tcp_bound_to_half_wnd) */
        switch ((a >> 3) & 15) {
        case 0: s->ack_ahead = 1; break;
        case 1: s->ack_ahead = 2; break;
        case 3:
        case 4:
            s->has_win = true;
            s->win = (uint16_t)n;
            break;
        default: s->ack_bad = true; break;
        }
        break;
    case 1: s->seq_mode = LQ_SEQ_BAD; break;
    case 2: lq_dec_seq(s, n); break;
    case 3: lq_dec_seq(s, -n); break;
    case 4: s->len = lq_len_tab[(a >> 3) & 15]; break;
    case 5:
        /* PAWS: older than the SYN's, or equal to it (the boundary) */
        if ((a >> 3) & 1)
            s->tsval_syn = true;
        else
            s->tsval_old = true;
        break;
    case 6: s->tsecr_bad = true; break;
    default:
        s->ack_bad = true;
        lq_dec_seq(s, n);
        break;
    }
    if ((a & 128) && (a & 7) != 4)
        s->len = 10;
}

static void lq_dec_rst_arg(uint8_t a, struct lq_ev_seg *s)
{
    int32_t n = lq_off_tab[(a >> 3) & 15];
    lq_seg_blank(s);
    switch (a & 7) {
    case 0: break;
    case 1: lq_dec_seq(s, n); break;
    case 2: s->seq_mode = LQ_SEQ_BAD; break;
    case 3: s->rst_ack = true; break;
    case 4:
        s->rst_ack = true;
        s->ack_bad = true;
        break;
    case 5: lq_dec_seq(s, -n); break;
    case 6:
        lq_dec_seq(s, n);
        s->rst_ack = true;
        break;
    default: s->tsval_old = true; break;
    }
    if (a & 128)
        s->tsecr_bad = true;
}

static void lq_dec_fin_arg(uint8_t a, struct lq_ev_seg *s)
{
    uint32_t len = lq_len_tab[(a >> 3) & 15];
    lq_seg_blank(s);
    switch (a & 7) {
    case 0: break;
    case 1: s->no_ack = true; break;
    case 2: s->len = len; break;
    case 3: s->ack_bad = true; break;
    case 4: s->seq_mode = LQ_SEQ_BAD; break;
    case 5: lq_dec_seq(s, lq_off_tab[(a >> 3) & 15]); break;
    case 6: s->tsval_old = true; break;
    default:
        s->no_ack = true;
        s->len = len;
        break;
    }
    if (a & 128)
        s->tsecr_bad = true;
}

/* Whether an opcode makes a directive (a wait does not where waits are not
 * allowed: its record is skipped). */
bool lq_dec_emits(const struct lq_dec_state *st, unsigned op, unsigned sel, bool v, uint8_t a)
{
    (void)sel;
    (void)v;
    (void)a;
    return op != LQ_OP_WAIT || st->waits;
}

/* One opcode: fills d, which is zeroed (kind, union, conn: the decoder's
 * index) from the state; returns false when the opcode emits nothing. Does
 * not change the state (lq_dec_commit does). */
bool lq_dec_op(const struct lq_dec_state *st, unsigned op, unsigned sel, bool v, uint8_t a,
               struct lq_directive *d)
{
    if (!lq_dec_emits(st, op, sel, v, a))
        return false;
    unsigned conn = sel % st->nconns;
    d->conn = (uint16_t)conn;
    /* accept, listen and a group's sockopt take the connection bits as the listener */
    uint8_t lsn = st->nlsn ? (uint8_t)(sel % st->nlsn) : 0;
    switch (op) {
    case LQ_OP_SYN0:
    case LQ_OP_SYN1:
        d->kind = LQ_D_SYN;
        lq_dec_syn_arg(a, v, st->v6[conn], &d->u.seg);
        return true;
    case LQ_OP_SYN2:
        d->kind = LQ_D_SYN;
        lq_dec_fo_syn_arg(a, v, &d->u.seg);
        return true;
    case LQ_OP_SYN3:
        /* the same SYN asking for ECN (ECE|CWR): tcp_ecn_create_request */
        d->kind = LQ_D_SYN;
        lq_dec_syn_arg(a, v, st->v6[conn], &d->u.seg);
        d->u.seg.syn_ecn = true;
        return true;
    case LQ_OP_SYN_RTX:
        d->kind = LQ_D_SYN;
        if (st->has_syn[conn]) {
            d->u.seg = st->last_syn[conn];
            d->u.seg.isn_mode = LQ_ISN_SAME;
            d->u.seg.isn_off = 0;
        } else {
            lq_dec_syn_arg(0, false, st->v6[conn], &d->u.seg);
        }
        return true;
    case LQ_OP_ACK0:
    case LQ_OP_ACK1:
    case LQ_OP_ACK2:
        d->kind = LQ_D_ACK;
        lq_seg_blank(&d->u.seg);
        if (v)
            d->u.seg.len = 100;
        return true;
    case LQ_OP_ACKV:
        d->kind = LQ_D_ACK;
        lq_dec_ackv_arg(a, &d->u.seg);
        return true;
    case LQ_OP_RST:
        if (v) {
            /* seg: FIN..URG from the low six bits, CWR from bit 6, 10 bytes of data */
            d->kind = LQ_D_SEG;
            lq_seg_blank(&d->u.seg);
            d->u.seg.flags = (uint8_t)((a & 0x3fu) | ((a & 0x40u) ? LQ_TH_CWR : 0u));
            if (a & 0x80u)
                d->u.seg.len = 10;
            return true;
        }
        d->kind = LQ_D_RST;
        lq_dec_rst_arg(a, &d->u.seg);
        return true;
    case LQ_OP_FIN:
        if (v) {
            /* seg: the argument is the flags byte, any combination */
            d->kind = LQ_D_SEG;
            lq_seg_blank(&d->u.seg);
            d->u.seg.flags = a;
            return true;
        }
        d->kind = LQ_D_FIN;
        lq_dec_fin_arg(a, &d->u.seg);
        return true;
    case LQ_OP_ACCEPT1:
        if (v) {
            /* close / shutdown: argument & 7: close, SHUT_RD, SHUT_RDWR,
             * SHUT_WR, then close CONN (4..7) */
            static const uint8_t how[] = {0, LQ_SHUT_RD, LQ_SHUT_RDWR, LQ_SHUT_WR};
            unsigned k = a & 7u;
            if (k >= 4 && !st->named[conn])
                k = 3; /* close CONN needs a connection named before: SHUT_WR */
            d->kind = k >= 1 && k <= 3 ? LQ_D_SHUTDOWN : LQ_D_CLOSE;
            d->u.call.kind = k >= 4   ? LQ_CALL_CLOSE_CONN
                             : k == 0 ? LQ_CALL_CLOSE
                                      : LQ_CALL_SHUTDOWN;
            d->u.call.how = k < 4 ? how[k] : 0;
            d->lsn = k < 4 ? lsn : 0; /* close / shutdown of that listener */
            return true;
        }
        d->kind = LQ_D_ACCEPT;
        d->lsn = lsn;
        return true;
    case LQ_OP_ACCEPT0:
        if (v && st->named[conn]) {
            /* icmp: the kind from (a & 7) + 1; the quoted sequence number
             * from bits 3..4 (the ISN, +1: an established child's snd_una,
             * -1, bad); frag needed's MTU from bits 5..7. An icmp needs a
             * connection named before: else a plain accept. */
            static const int32_t seq_off[4] = {0, 1, -1, 0};
            d->kind = LQ_D_ICMP;
            lq_seg_blank(&d->u.seg);
            d->u.seg.icmp = (uint8_t)(1u + (a & 7u));
            unsigned q = (a >> 3) & 3u;
            d->u.seg.seq_mode = q == 3 ? LQ_SEQ_BAD : q ? LQ_SEQ_OFFSET : LQ_SEQ_OK;
            d->u.seg.seq_off = seq_off[q];
            if (d->u.seg.icmp == LQ_ICMP_FRAG_NEEDED)
                d->u.seg.mtu = lq_icmp_mtu_tab[(a >> 5) & 7u];
            return true;
        }
        d->kind = LQ_D_ACCEPT;
        d->lsn = lsn;
        return true;
    case LQ_OP_LISTEN:
        d->kind = LQ_D_LISTEN;
        d->lsn = lsn;
        d->u.backlog = lq_dec_backlog(a);
        return true;
    case LQ_OP_WAIT:
        if (!st->waits)
            return false;
        d->kind = LQ_D_WAIT;
        d->u.wait_ms = lq_wait_tab[a & 15];
        return true;
    default: /* LQ_OP_SET */
        if (v) {
            /* (the one unnamed listener has no SO_REUSEPORT: EINVAL) */
            /* a group's program, modulo 1..8: in range or past the group */
            d->kind = LQ_D_SOCKOPT;
            d->lsn = lsn;
            d->u.sockopt.opt = LQ_SOCKOPT_REUSEPORT_CBPF;
            d->u.sockopt.value = 1 + (a & 7);
            return true;
        }
        switch (a & 3) {
        case 0:
            d->kind = LQ_D_SYSCTL;
            d->u.sysctl.id = LQ_SYSCTL_SYNCOOKIES;
            d->u.sysctl.value = (a >> 2) % 3;
            break;
        case 1:
            /* bit 3: tcp_migrate_req instead (the encoder never set it
             * before, so earlier seeds decode as they did) */
            /* bit 4: tcp_fastopen from bits 5..6 (never set before either) */
            d->kind = LQ_D_SYSCTL;
            if (a & 16u) {
                d->u.sysctl.id = LQ_SYSCTL_FASTOPEN;
                d->u.sysctl.value = lq_fo_sysctl_tab[(a >> 5) & 3];
                break;
            }
            d->u.sysctl.id = (a & 8u) ? LQ_SYSCTL_MIGRATE_REQ : LQ_SYSCTL_ABORT_ON_OVERFLOW;
            d->u.sysctl.value = (a >> 2) & 1;
            break;
        case 2:
            /* bit 4: TCP_FASTOPEN instead (never set before) */
            d->kind = LQ_D_SOCKOPT;
            d->u.sockopt.opt = (a & 16u) ? LQ_SOCKOPT_FASTOPEN : LQ_SOCKOPT_DEFER_ACCEPT;
            d->u.sockopt.value =
                (a & 16u) ? lq_fo_queue_tab[(a >> 2) & 3] : lq_defer_ev[(a >> 2) & 3];
            break;
        default:
            d->kind = LQ_D_SYSCTL;
            d->u.sysctl.id = LQ_SYSCTL_SOMAXCONN;
            d->u.sysctl.value = lq_somaxconn_tab[(a >> 2) & 7];
            break;
        }
        return true;
    }
}

/* Which decoder connections send IPv6. */
void lq_dec_families(const struct lq_dec_header *h, struct lq_dec_state *st)
{
    for (unsigned k = 0; k < LQ_DEC_CONNS_MAX; k++)
        st->v6[k] = h->family == LQ_SCN_IPV6 ||
                    (h->family == LQ_SCN_DUAL && !((h->v4_mask >> (k & 3)) & 1));
}

void lq_dec_commit(struct lq_dec_state *st, const struct lq_directive *d)
{
    if (lq_dir_is_segment(d->kind))
        st->named[d->conn] = true;
    if (d->kind == LQ_D_SYN) {
        st->has_syn[d->conn] = true;
        st->last_syn[d->conn] = d->u.seg;
    }
}
