/* harness/lang/decode.c: see decode.h. The options of each target, a byte
 * string decoded into a scenario (the set-up directives, the event loop, the
 * connections' names) and the encoder, which searches for the bytes that
 * decode nearest to each directive. What each byte means is in
 * decode_layout.c, which both directions go through. */
#include "decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_layout.h"

/* ---- the options ---- */

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

/* ---- the set-up directives ---- */

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

/* The header's Fast Open set-ups (tcp_fastopen, TCP_FASTOPEN) by its
 * fastopen 1..3 */
static const struct {
    int32_t sysctl, queue;
} lq_fo_hdr[4] = {{0, 0}, {3, 2}, {3, 1}, {514, 2}};

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
