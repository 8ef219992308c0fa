/* harness/lang/decode.c: see decode.h (the byte layout is documented there). */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LQ_DEC_CONNS_MAX 8

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
/* Fast Open: the header's set-ups (tcp_fastopen, TCP_FASTOPEN), a mid-run
 * tcp_fastopen and TCP_FASTOPEN, and the payloads of a Fast Open SYN */
static const struct {
    int32_t sysctl, queue;
} lq_fo_hdr[4] = {{0, 0}, {3, 2}, {3, 1}, {514, 2}};
static const int32_t lq_fo_sysctl_tab[4] = {1, 3, 514, 1026};
static const int32_t lq_fo_queue_tab[4] = {0, 1, 2, 4};
static const uint32_t lq_fo_len_tab[8] = {0, 1, 10, 100, 536, 1000, 1400, 20};
static const uint32_t lq_len_tab[16] = {1,   2,    10,   20,   50,   100,  200, 500,
                                        536, 1000, 1200, 1300, 1399, 1400, 3,   7};

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

/* icmp (ACCEPT0 with its variant bit): frag needed's MTUs, at and around
 * the boundaries (IPV6_MIN_MTU, ip_rt_min_pmtu 552, the veth's 1500) */
static const uint16_t lq_icmp_mtu_tab[8] = {1280, 1400, 576, 500, 1500, 1279, 552, 0};

static bool lq_op_has_arg(unsigned op, bool v)
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

static bool lq_op_has_conn(unsigned op)
{
    return op <= LQ_OP_FIN || op == LQ_OP_SYN3;
}

unsigned lq_decode_families_parse(const char *list)
{
    static const char *const names[] = {[LQ_SCN_NEUTRAL] = "neutral",
                                        [LQ_SCN_IPV4] = "ipv4",
                                        [LQ_SCN_IPV6] = "ipv6",
                                        [LQ_SCN_DUAL] = "dual"};
    unsigned set = 0;
    const char *p = list ? list : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        unsigned bit = 0;
        for (unsigned f = 0; f < 4; f++)
            if (strlen(names[f]) == n && strncmp(p, names[f], n) == 0)
                bit = 1u << f;
        if (!bit)
            return 0;
        set |= bit;
        p += n;
        if (*p == ',')
            p++;
    }
    return set;
}

static unsigned lq_decode_env_families(void)
{
    return lq_decode_families_parse(getenv("LISTENQ_FUZZ_FAMILY"));
}

void lq_decode_opts_model(struct lq_decode_opts *o)
{
    o->waits = true;
    o->in_scope = false;
    o->max_events = LQ_DECODE_MAX_EVENTS;
    o->families = lq_decode_env_families();
}

void lq_decode_opts_diff(struct lq_decode_opts *o)
{
    o->waits = false;
    o->in_scope = true;
    o->max_events = LQ_DECODE_DIFF_MAX_EVENTS;
    o->families = lq_decode_env_families();
}

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
    int fastopen;       /* 0 none, 1..3 as byte 5 & 7: a Fast Open set-up (lq_fo_hdr) */
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

static int32_t lq_dec_backlog(uint8_t b)
{
    static const int32_t low[7] = {0, 1, 2, 3, 4, 1, 2};
    return (b & 7) < 7 ? low[b & 7] : lq_backlog_rare[(b >> 3) & 7];
}

static void lq_dec_header(const uint8_t h[LQ_DECODE_HEADER], struct lq_dec_header *o)
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

static struct lq_directive *lq_dec_add(struct lq_scenario *sc, uint8_t kind)
{
    struct lq_directive *d = lq_scenario_add(sc, kind);
    if (d) {
        d->line = (uint32_t)sc->n;
        d->col = 1;
    }
    return d;
}

static int lq_dec_sysctl(struct lq_scenario *sc, enum lq_sysctl id, int64_t v)
{
    struct lq_directive *d = lq_dec_add(sc, LQ_D_SYSCTL);
    if (!d)
        return -1;
    d->u.sysctl.id = (uint8_t)id;
    d->u.sysctl.value = v;
    return 0;
}

static int lq_dec_sockopt(struct lq_scenario *sc, enum lq_sockopt opt, int32_t v)
{
    struct lq_directive *d = lq_dec_add(sc, LQ_D_SOCKOPT);
    if (!d)
        return -1;
    d->u.sockopt.opt = (uint8_t)opt;
    d->u.sockopt.value = v;
    return 0;
}

static const char *const lq_lsn_names[4] = {"L1", "L2", "L3", "L4"};

/* The group's listener lines. */
static int lq_dec_listeners(struct lq_scenario *sc, const struct lq_dec_header *h)
{
    for (unsigned l = 0; l < h->nlsn; l++) {
        struct lq_directive *d = lq_dec_add(sc, LQ_D_LISTENER);
        int idx = d ? lq_scenario_listener(sc, lq_lsn_names[l], true) : -1;
        if (idx < 0)
            return -1;
        d->u.listener.idx = (uint8_t)idx;
        d->u.listener.reuseport = true;
    }
    return 0;
}

static int lq_dec_emit_header(struct lq_scenario *sc, const struct lq_dec_header *h)
{
    if (h->family != LQ_SCN_NEUTRAL) {
        struct lq_directive *f = lq_dec_add(sc, LQ_D_FAMILY);
        if (!f)
            return -1;
        f->u.family = h->family;
        sc->family = h->family;
    }
    if (lq_dec_listeners(sc, h))
        return -1;
    static const struct {
        enum lq_sysctl id;
        int value;
    } flag_sysctls[8] = {[4] = {LQ_SYSCTL_TIMESTAMPS, 2},
                         [5] = {LQ_SYSCTL_TIMESTAMPS, 0},
                         [6] = {LQ_SYSCTL_SACK, 0},
                         [7] = {LQ_SYSCTL_WINDOW_SCALING, 0}};
    if (h->syncookies >= 0 && lq_dec_sysctl(sc, LQ_SYSCTL_SYNCOOKIES, h->syncookies))
        return -1;
    if (h->somaxconn >= 0 && lq_dec_sysctl(sc, LQ_SYSCTL_SOMAXCONN, h->somaxconn))
        return -1;
    if (h->abort_on_overflow && lq_dec_sysctl(sc, LQ_SYSCTL_ABORT_ON_OVERFLOW, 1))
        return -1;
    if (h->has_msb && lq_dec_sysctl(sc, LQ_SYSCTL_MAX_SYN_BACKLOG, h->msb))
        return -1;
    if (h->synack_retries >= 0 && lq_dec_sysctl(sc, LQ_SYSCTL_SYNACK_RETRIES, h->synack_retries))
        return -1;
    if (h->flags_sysctl &&
        lq_dec_sysctl(sc, flag_sysctls[h->flags_sysctl].id, flag_sysctls[h->flags_sysctl].value))
        return -1;
    if (h->fastopen && (lq_dec_sysctl(sc, LQ_SYSCTL_FASTOPEN, lq_fo_hdr[h->fastopen].sysctl) ||
                        lq_dec_sockopt(sc, LQ_SOCKOPT_FASTOPEN, lq_fo_hdr[h->fastopen].queue)))
        return -1;
    if (h->defer && lq_dec_sockopt(sc, LQ_SOCKOPT_DEFER_ACCEPT, h->defer))
        return -1;
    if (h->syncnt && lq_dec_sockopt(sc, LQ_SOCKOPT_SYNCNT, h->syncnt))
        return -1;
    if (h->prog_early) {
        /* before any listen, to L1 (whose group the others join, program
         * and all) or, when some stay unlistened, to the last (a group of its
         * own: the listening group has no program) */
        if (lq_dec_sockopt(sc, LQ_SOCKOPT_REUSEPORT_CBPF, (int32_t)h->nlsn))
            return -1;
        sc->d[sc->n - 1].lsn = (uint8_t)(h->unlistened ? h->nlsn - 1 : 0);
    }
    unsigned nlisten = h->nlsn ? h->nlsn - h->unlistened : 1;
    for (unsigned l = 0; l < nlisten; l++) {
        struct lq_directive *d = lq_dec_add(sc, LQ_D_LISTEN);
        if (!d)
            return -1;
        d->lsn = (uint8_t)l;
        d->u.backlog = h->backlog;
    }
    if (h->nlsn && !h->prog_early &&
        lq_dec_sockopt(sc, LQ_SOCKOPT_REUSEPORT_CBPF, (int32_t)h->nlsn))
        return -1;
    return 0;
}

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
static bool lq_dec_emits(const struct lq_dec_state *st, unsigned op, unsigned sel, bool v,
                         uint8_t a)
{
    (void)sel;
    (void)v;
    (void)a;
    return op != LQ_OP_WAIT || st->waits;
}

/* One opcode: fills d, which is zeroed (kind, union, conn: the decoder's
 * index) from the state; returns false when the opcode emits nothing. Does
 * not change the state (lq_dec_commit does). */
static bool lq_dec_op(const struct lq_dec_state *st, unsigned op, unsigned sel, bool v, uint8_t a,
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
static void lq_dec_families(const struct lq_dec_header *h, struct lq_dec_state *st)
{
    for (unsigned k = 0; k < LQ_DEC_CONNS_MAX; k++)
        st->v6[k] = h->family == LQ_SCN_IPV6 ||
                    (h->family == LQ_SCN_DUAL && !((h->v4_mask >> (k & 3)) & 1));
}

static void lq_dec_commit(struct lq_dec_state *st, const struct lq_directive *d)
{
    if (lq_dir_is_segment(d->kind))
        st->named[d->conn] = true;
    if (d->kind == LQ_D_SYN) {
        st->has_syn[d->conn] = true;
        st->last_syn[d->conn] = d->u.seg;
    }
}

static const char *const lq_conn_names[LQ_DEC_CONNS_MAX] = {"c1", "c2", "c3", "c4",
                                                            "c5", "c6", "c7", "c8"};

/* The scenario's index of the decoder's connection k (named on first use). */
static int lq_dec_conn(struct lq_scenario *sc, int *ix, unsigned k)
{
    if (ix[k] < 0)
        ix[k] = lq_scenario_conn(sc, lq_conn_names[k]);
    return ix[k];
}

static size_t lq_max_events(const struct lq_decode_opts *o)
{
    return o && o->max_events ? o->max_events : LQ_DECODE_MAX_EVENTS;
}

/* Decodes into sc, which is empty (its directive array may be kept). */
/* A family outside o->families: the k-th allowed one, k from the same bits. */
static void lq_dec_restrict_family(const uint8_t h[LQ_DECODE_HEADER],
                                   const struct lq_decode_opts *o, struct lq_dec_header *hd)
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

static int lq_decode_body(const uint8_t *data, size_t len, const struct lq_decode_opts *o,
                          struct lq_scenario *sc)
{
    uint8_t h[LQ_DECODE_HEADER] = {0};
    if (len)
        memcpy(h, data, len < LQ_DECODE_HEADER ? len : LQ_DECODE_HEADER);
    struct lq_dec_header hd;
    lq_dec_header(h, &hd);
    lq_dec_restrict_family(h, o, &hd);
    if (lq_dec_emit_header(sc, &hd))
        goto oom;

    struct lq_dec_state st;
    memset(&st, 0, sizeof(st));
    st.nconns = hd.nconns;
    st.nlsn = hd.nlsn;
    st.waits = o ? o->waits : true;
    lq_dec_families(&hd, &st);
    int ix[LQ_DEC_CONNS_MAX];
    for (unsigned k = 0; k < LQ_DEC_CONNS_MAX; k++)
        ix[k] = -1;
    size_t max = lq_max_events(o), events = 0;
    size_t pos = LQ_DECODE_HEADER;
    while (pos < len && events < max) {
        /* fixed two-byte records, so that no mutation shifts the rest */
        uint8_t b = data[pos++];
        unsigned op = b & 15u;
        uint8_t a = pos < len ? data[pos++] : 0;
        if (!lq_dec_emits(&st, op, (b >> 4) & 7u, (b & 0x80) != 0, a))
            continue;
        /* decoded in place: the new directive is zeroed */
        struct lq_directive *d = lq_dec_add(sc, LQ_D_BLANK);
        if (!d)
            goto oom;
        uint32_t line = d->line;
        lq_dec_op(&st, op, (b >> 4) & 7u, (b & 0x80) != 0, a, d);
        /* an old timestamp may reach an established socket, whose PAWS check
         * the model leaves out (docs/model.md): not for differential runs */
        if (o && o->in_scope && lq_dir_is_segment(d->kind))
            d->u.seg.tsval_old = false;
        d->line = line;
        d->col = 1;
        lq_dec_commit(&st, d);
        if (lq_dir_is_segment(d->kind)) {
            /* dual: every event of an IPv4 connection says so (not only its
             * first: moving an event to another connection changes only it) */
            if (hd.family == LQ_SCN_DUAL && !st.v6[d->conn] && d->kind != LQ_D_ICMP)
                d->u.seg.via = LQ_VIA_IPV4;
            int c = lq_dec_conn(sc, ix, d->conn);
            if (c < 0)
                goto oom;
            d->conn = (uint16_t)c;
        } else if (d->kind == LQ_D_CLOSE && d->u.call.kind == LQ_CALL_CLOSE_CONN) {
            d->conn = (uint16_t)ix[d->conn]; /* named before (lq_dec_emits) */
        } else {
            d->conn = 0;
        }
        events++;
    }
    static const uint8_t run_family[] = {[LQ_SCN_NEUTRAL] = LQ_FAMILY_IPV4,
                                         [LQ_SCN_IPV4] = LQ_FAMILY_IPV4,
                                         [LQ_SCN_IPV6] = LQ_FAMILY_IPV6,
                                         [LQ_SCN_DUAL] = LQ_FAMILY_DUAL};
    sc->run_family = run_family[sc->family];
    if (lq_scenario_index_families(sc))
        goto oom;
    return 0;
oom:
    lq_scenario_free(sc);
    return -1;
}

int lq_decode(const uint8_t *data, size_t len, const struct lq_decode_opts *o,
              struct lq_scenario *sc)
{
    lq_scenario_init(sc);
    return lq_decode_body(data, len, o, sc);
}

void lq_decode_clear(struct lq_scenario *sc)
{
    struct lq_directive *d = sc->d;
    size_t cap = sc->cap;
    for (size_t i = 0; i < sc->n; i++)
        free(sc->d[i].comment);
    sc->d = NULL;
    sc->n = sc->cap = 0;
    lq_scenario_free(sc); /* names, path; then lq_scenario_init */
    sc->d = d;
    sc->cap = cap;
}

int lq_decode_reuse(const uint8_t *data, size_t len, const struct lq_decode_opts *o,
                    struct lq_scenario *sc)
{
    lq_decode_clear(sc);
    return lq_decode_body(data, len, o, sc);
}

/* ---- the encoder ---- */

struct lq_bytes {
    uint8_t *b;
    size_t n, cap;
    bool oom;
};

static void lq_bytes_put(struct lq_bytes *o, uint8_t v)
{
    if (o->oom)
        return;
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        uint8_t *b = realloc(o->b, cap);
        if (!b) {
            o->oom = true;
            return;
        }
        o->b = b;
        o->cap = cap;
    }
    o->b[o->n++] = v;
}

static uint64_t lq_absdiff(int64_t a, int64_t b)
{
    return a > b ? (uint64_t)(a - b) : (uint64_t)(b - a);
}

/* How far apart two numbers are, for "nearest": 0 when equal, else 1000 plus
 * a measure of the magnitude of the difference. */
static uint64_t lq_num_dist(int64_t a, int64_t b)
{
    uint64_t d = lq_absdiff(a, b);
    if (!d)
        return 0;
    uint64_t bits = 0;
    while (d) {
        bits++;
        d >>= 1;
    }
    return 1000 + bits;
}

static uint64_t lq_seg_dist(const struct lq_ev_seg *x, const struct lq_ev_seg *y)
{
    uint64_t d = 0;
    d += (x->has_mss != y->has_mss) * 1000u;
    if (x->has_mss && y->has_mss)
        d += lq_num_dist(x->mss, y->mss);
    d += (x->wscale < 0) != (y->wscale < 0) ? 1000u : lq_num_dist(x->wscale, y->wscale);
    d += (x->sack != y->sack) * 1000u + (x->ts != y->ts) * 1000u;
    d += (x->isn_mode != y->isn_mode) * 1000u + lq_num_dist(x->isn_off, y->isn_off);
    d += (x->ack_bad != y->ack_bad) * 1000u;
    d += (x->seq_mode != y->seq_mode) * 1000u + lq_num_dist(x->seq_off, y->seq_off);
    d += lq_num_dist(x->len, y->len);
    d += (x->rst_ack != y->rst_ack) * 1000u + (x->syn_fin != y->syn_fin) * 1000u;
    d += (x->no_ack != y->no_ack) * 1000u + (x->tsval_old != y->tsval_old) * 1000u;
    d += (x->tsecr_bad != y->tsecr_bad) * 1000u + (x->tsval_syn != y->tsval_syn) * 1000u;
    d += (x->tsval_zero != y->tsval_zero) * 1000u + (x->syn_ack != y->syn_ack) * 1000u;
    d += (x->syn_ecn != y->syn_ecn) * 1000u + (x->tfo != y->tfo) * 1000u;
    d += lq_num_dist(x->ack_ahead, y->ack_ahead);
    d += (x->has_win != y->has_win) * 1000u + lq_num_dist(x->win, y->win);
    d += (x->via != y->via) * 1000u;
    for (uint8_t f = (uint8_t)(x->flags ^ y->flags); f; f &= (uint8_t)(f - 1))
        d += 1000u;
    return d;
}

/* Distance between what an opcode decodes to and the wanted directive; UINT64_MAX
 * when the kinds differ. Connections are compared by decoder index. */
static uint64_t lq_dir_dist(const struct lq_directive *got, const struct lq_directive *want)
{
    if (got->kind != want->kind)
        return UINT64_MAX;
    switch (got->kind) {
    case LQ_D_SYN:
    case LQ_D_ACK:
    case LQ_D_RST:
    case LQ_D_FIN:
    case LQ_D_SEG:
        return (got->conn != want->conn) * 1000000u + lq_seg_dist(&got->u.seg, &want->u.seg);
    case LQ_D_ICMP:
        if (got->u.seg.icmp != want->u.seg.icmp)
            return UINT64_MAX;
        return (got->conn != want->conn) * 1000000u + lq_seg_dist(&got->u.seg, &want->u.seg) +
               lq_num_dist(got->u.seg.mtu, want->u.seg.mtu);
    case LQ_D_LISTEN:
        return (got->lsn != want->lsn) * 1000000u + lq_num_dist(got->u.backlog, want->u.backlog);
    case LQ_D_ACCEPT: return (got->lsn != want->lsn) * 1000000u;
    case LQ_D_CLOSE:
        if (got->u.call.kind != want->u.call.kind)
            return UINT64_MAX;
        return got->u.call.kind == LQ_CALL_CLOSE_CONN ? (got->conn != want->conn) * 1000000u
                                                      : (got->lsn != want->lsn) * 1000000u;
    case LQ_D_SHUTDOWN:
        return got->u.call.how == want->u.call.how ? (got->lsn != want->lsn) * 1000000u
                                                   : UINT64_MAX;
    case LQ_D_WAIT: return lq_num_dist((int64_t)got->u.wait_ms, (int64_t)want->u.wait_ms);
    case LQ_D_SYSCTL:
        if (got->u.sysctl.id != want->u.sysctl.id)
            return UINT64_MAX;
        return lq_num_dist(got->u.sysctl.value, want->u.sysctl.value);
    case LQ_D_SOCKOPT:
        if (got->u.sockopt.opt != want->u.sockopt.opt)
            return UINT64_MAX;
        return (got->lsn != want->lsn) * 1000000u +
               lq_num_dist(got->u.sockopt.value, want->u.sockopt.value);
    default: return 0;
    }
}

/* Whether an opcode can make a directive of that kind. */
static bool lq_op_can_make(unsigned op, uint8_t kind)
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

/* The opcode byte and argument that decode nearest to want; false when no
 * opcode makes that kind of directive. */
static bool lq_enc_best(const struct lq_dec_state *st, const struct lq_directive *want,
                        uint8_t *op_byte, uint8_t *arg, bool *has_arg)
{
    uint64_t best = UINT64_MAX;
    unsigned sel = want->conn < LQ_DEC_CONNS_MAX ? want->conn : want->conn % LQ_DEC_CONNS_MAX;
    for (unsigned op = 0; op < 16 && best; op++) {
        /* one opcode of each group is enough: the others decode the same */
        if (op == LQ_OP_SYN1 || op == LQ_OP_ACK1 || op == LQ_OP_ACK2 ||
            (op == LQ_OP_ACCEPT1 && want->kind == LQ_D_ACCEPT))
            continue;
        if (!lq_op_can_make(op, want->kind))
            continue;
        bool by_conn = lq_op_has_conn(op) || want->kind == LQ_D_ICMP ||
                       (want->kind == LQ_D_CLOSE && want->u.call.kind == LQ_CALL_CLOSE_CONN);
        unsigned s = by_conn ? sel : st->nlsn ? want->lsn % st->nlsn : 0;
        unsigned nv = op <= LQ_OP_SYN2 || op == LQ_OP_SYN3 || op == LQ_OP_ACK0 || op == LQ_OP_RST ||
                              op == LQ_OP_FIN || op == LQ_OP_SET || op == LQ_OP_ACCEPT1 ||
                              (op == LQ_OP_ACCEPT0 && want->kind == LQ_D_ICMP)
                          ? 2
                          : 1;
        for (unsigned v = 0; v < nv && best; v++) {
            for (unsigned a = 0; a < (lq_op_has_arg(op, v != 0) ? 256u : 1u) && best; a++) {
                struct lq_directive got;
                memset(&got, 0, sizeof(got));
                if (!lq_dec_op(st, op, s, v != 0, (uint8_t)a, &got))
                    continue;
                uint64_t d = lq_dir_dist(&got, want);
                if (d < best) {
                    best = d;
                    *op_byte = (uint8_t)(op | (s << 4) | (v << 7));
                    *arg = (uint8_t)a;
                    *has_arg = lq_op_has_arg(op, v != 0);
                }
            }
        }
    }
    return best != UINT64_MAX;
}

/* The byte whose decoding by dec() is nearest to want (a header field). */
static uint8_t lq_enc_byte(int32_t (*dec)(uint8_t), int32_t want)
{
    uint8_t best = 0;
    uint64_t bd = UINT64_MAX;
    for (unsigned b = 0; b < 256; b++) {
        uint64_t d = lq_num_dist(dec((uint8_t)b), want);
        if (d < bd) {
            bd = d;
            best = (uint8_t)b;
        }
    }
    return best;
}

static int32_t lq_h2_somaxconn(uint8_t b)
{
    return (b & 3) == 3 ? lq_somaxconn_tab[(b >> 2) & 7] : -1000000;
}

static int32_t lq_h3_msb(uint8_t b)
{
    return ((b >> 1) & 3) == 3 && !(b & 1) ? lq_msb_tab[(b >> 3) & 15] : -1000000;
}

static int32_t lq_h4_defer(uint8_t b)
{
    return (b & 3) == 3 && !(b & 0xf0) ? lq_defer_hdr[(b >> 2) & 3] : -1000000;
}

static int32_t lq_h5_syncnt(uint8_t b)
{
    return ((b >> 3) & 3) == 3 && !(b & 7) ? 1 + (b >> 5) : -1000000;
}

/* Connection index for the encoder: "c1".."c8" keep their number (so the
 * decoder gives back the same names); other names go by first use. */
static int lq_enc_conn_map(const struct lq_scenario *sc, uint16_t *map, unsigned *nconns)
{
    bool all_cn = true;
    unsigned maxn = 0;
    for (size_t i = 0; i < sc->nconns; i++) {
        const char *s = sc->conns[i];
        if (s[0] == 'c' && s[1] >= '1' && s[1] <= '8' && !s[2]) {
            unsigned k = (unsigned)(s[1] - '1');
            map[i] = (uint16_t)k;
            if (k + 1 > maxn)
                maxn = k + 1;
        } else {
            all_cn = false;
        }
    }
    if (!all_cn) {
        for (size_t i = 0; i < sc->nconns; i++)
            map[i] = (uint16_t)(i % LQ_DEC_CONNS_MAX);
        maxn = sc->nconns < LQ_DEC_CONNS_MAX ? (unsigned)sc->nconns : LQ_DEC_CONNS_MAX;
    }
    *nconns = maxn < 2 ? 2 : maxn;
    return 0;
}

int lq_encode(const struct lq_scenario *sc, const struct lq_decode_opts *o, uint8_t **out,
              size_t *len)
{
    struct lq_bytes b = {0};
    uint8_t h[LQ_DECODE_HEADER] = {3, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    int32_t backlog = 0;
    bool listened = false;
    /* a group the decoder can make: 2..4 listeners, all SO_REUSEPORT */
    unsigned nlsn = sc->nlsn >= 2 && sc->nlsn <= 4 ? (unsigned)sc->nlsn : 0;
    for (unsigned l = 0; l < nlsn; l++)
        if (!sc->lsn_reuseport[l])
            nlsn = 0;
    bool prog_early = false;
    int early_lsn = -1;
    int64_t fo_sysctl = 0;
    int32_t fo_queue = -1;
    /* the set-up: everything up to the first listen */
    for (; i < sc->n && !listened; i++) {
        const struct lq_directive *d = &sc->d[i];
        if (d->kind == LQ_D_SYSCTL) {
            int64_t v = d->u.sysctl.value;
            switch (d->u.sysctl.id) {
            case LQ_SYSCTL_SYNCOOKIES: h[0] = (uint8_t)(v >= 0 && v <= 2 ? v : 1); break;
            case LQ_SYSCTL_SOMAXCONN:
                h[2] = lq_enc_byte(lq_h2_somaxconn, (int32_t)(v > INT32_MAX ? INT32_MAX : v));
                break;
            case LQ_SYSCTL_ABORT_ON_OVERFLOW: h[3] = (uint8_t)((h[3] & ~1u) | (v ? 1u : 0u)); break;
            case LQ_SYSCTL_MAX_SYN_BACKLOG:
                h[3] = (uint8_t)((h[3] & 1u) | lq_enc_byte(lq_h3_msb, (int32_t)v));
                break;
            case LQ_SYSCTL_SYNACK_RETRIES:
                h[4] = (uint8_t)((h[4] & 0x0fu) | 0x30u | ((v > 3 ? 3 : v) << 6));
                break;
            case LQ_SYSCTL_TIMESTAMPS:
                if (v == 2 || v == 0)
                    h[5] = (uint8_t)((h[5] & ~7u) | (v == 2 ? 4u : 5u));
                break;
            case LQ_SYSCTL_SACK:
                if (!v)
                    h[5] = (uint8_t)((h[5] & ~7u) | 6u);
                break;
            case LQ_SYSCTL_WINDOW_SCALING:
                if (!v)
                    h[5] = (uint8_t)((h[5] & ~7u) | 7u);
                break;
            case LQ_SYSCTL_FASTOPEN: fo_sysctl = v; break;
            default: break;
            }
        } else if (d->kind == LQ_D_SOCKOPT) {
            int32_t v = d->u.sockopt.value;
            if (d->u.sockopt.opt == LQ_SOCKOPT_DEFER_ACCEPT && v > 0)
                h[4] = (uint8_t)((h[4] & 0xf0u) | lq_enc_byte(lq_h4_defer, v));
            else if (d->u.sockopt.opt == LQ_SOCKOPT_SYNCNT)
                h[5] = (uint8_t)((h[5] & 7u) | lq_enc_byte(lq_h5_syncnt, v));
            else if (d->u.sockopt.opt == LQ_SOCKOPT_REUSEPORT_CBPF && nlsn && early_lsn < 0)
                early_lsn = d->lsn;
            else if (d->u.sockopt.opt == LQ_SOCKOPT_FASTOPEN)
                fo_queue = v;
        } else if (d->kind == LQ_D_LISTEN) {
            backlog = d->u.backlog;
            listened = true;
        }
    }
    /* a server Fast Open set-up in the flags' place, when they left it free */
    if ((fo_sysctl & 2) && !(h[5] & 4u))
        h[5] = (uint8_t)((h[5] & ~7u) | (fo_sysctl == 514 ? 3u : fo_queue == 1 ? 2u : 1u));
    if (!listened)
        i = 0; /* no listen: the events all go after the decoder's listen 0 */
    h[1] = lq_enc_byte(lq_dec_backlog, backlog);
    if (nlsn) {
        /* the group's set-up: L1, L2, ... listen in turn, then (unless it came
         * before) the program modulo the group's size on L1 */
        unsigned nlisten = listened ? 1 : 0;
        /* a program given early to the last listener: it stays unlistened */
        unsigned cap = early_lsn > 0 && (unsigned)early_lsn == nlsn - 1 ? nlsn - 1 : nlsn;
        while (listened && i < sc->n && nlisten < cap && sc->d[i].kind == LQ_D_LISTEN &&
               sc->d[i].lsn == nlisten && sc->d[i].u.backlog == backlog) {
            nlisten++;
            i++;
        }
        if (listened && early_lsn < 0 && i < sc->n && sc->d[i].kind == LQ_D_SOCKOPT &&
            sc->d[i].u.sockopt.opt == LQ_SOCKOPT_REUSEPORT_CBPF && sc->d[i].lsn == 0 &&
            sc->d[i].u.sockopt.value == (int32_t)nlsn)
            i++;
        unsigned unl = nlisten ? nlsn - nlisten : 0;
        prog_early = early_lsn >= 0 && (unsigned)early_lsn == (unl ? nlsn - 1 : 0);
        h[1] = (uint8_t)(h[1] | ((unl > 3 ? 3 : unl) << 6));
        h[2] = (uint8_t)((h[2] & 0x1fu) | ((nlsn + 3) << 5));
        if (prog_early)
            h[3] = (uint8_t)(h[3] | 0x80u);
    }

    uint16_t *map = calloc(sc->nconns ? sc->nconns : 1, sizeof(*map));
    if (!map)
        return -1;
    unsigned nconns;
    lq_enc_conn_map(sc, map, &nconns);
    h[6] = (uint8_t)(nconns - 2);
    /* the family in bits 2-3 of byte 0; a dual scenario's IPv4 connections
     * in bits 4-7 (by decoder index & 3) */
    static const uint8_t fam_bits[] = {
        [LQ_SCN_NEUTRAL] = 0, [LQ_SCN_IPV6] = 1, [LQ_SCN_DUAL] = 2, [LQ_SCN_IPV4] = 3};
    h[0] = (uint8_t)((h[0] & 3u) | (fam_bits[sc->family & 3] << 2));
    if (sc->family == LQ_SCN_DUAL)
        for (size_t c = 0; c < sc->nconns; c++)
            if (sc->conn_ipv4 && sc->conn_ipv4[c])
                h[0] = (uint8_t)(h[0] | (1u << (4 + (map[c] & 3))));
    for (size_t k = 0; k < LQ_DECODE_HEADER; k++)
        lq_bytes_put(&b, h[k]);

    struct lq_dec_state st;
    memset(&st, 0, sizeof(st));
    st.nconns = nconns;
    st.waits = o ? o->waits : true;
    struct lq_dec_header hd;
    lq_dec_header(h, &hd);
    st.nlsn = hd.nlsn;
    lq_dec_families(&hd, &st);
    size_t max = lq_max_events(o), events = 0;
    for (; i < sc->n && events < max; i++) {
        const struct lq_directive *d = &sc->d[i];
        if (!lq_dir_is_event(d->kind))
            continue;
        if (d->kind == LQ_D_WAIT && !st.waits)
            continue;
        struct lq_directive want = *d;
        bool has_conn = lq_dir_is_segment(d->kind) ||
                        (d->kind == LQ_D_CLOSE && d->u.call.kind == LQ_CALL_CLOSE_CONN);
        want.conn = has_conn ? map[d->conn] : 0;
        /* the decoder writes ipv4 itself, on a dual IPv4 connection's first event */
        if (lq_dir_is_segment(d->kind))
            want.u.seg.via = LQ_VIA_DEFAULT;
        uint8_t op = 0, arg = 0;
        bool has_arg = false;
        if (!lq_enc_best(&st, &want, &op, &arg, &has_arg))
            continue;
        lq_bytes_put(&b, op);
        lq_bytes_put(&b, has_arg ? arg : 0);
        struct lq_directive got;
        memset(&got, 0, sizeof(got));
        lq_dec_op(&st, op & 15u, (op >> 4) & 7u, (op & 0x80) != 0, arg, &got);
        lq_dec_commit(&st, &got);
        events++;
    }
    free(map);
    if (b.oom) {
        free(b.b);
        return -1;
    }
    *out = b.b;
    *len = b.n;
    return 0;
}
