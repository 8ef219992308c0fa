/* harness/findings/minimize.c: see minimize.h. */
#include "minimize.h"

#include <stdlib.h>
#include <string.h>

#include "run/compare.h"
#include "model/model.h"
#include "lang/print.h"

#define LQ_MIN_DEFAULT_RUNS 2000

/* ---- signatures ---- */

/* The socket lookup: which socket a segment reaches (the SO_REUSEPORT
 * group's choice too) and the family's way into tcp_conn_request
 * (tcp_v6_conn_request, its v4-mapped branch), not what is done there. */
static bool lq_dp_is_demux(uint16_t dp)
{
    return dp == LQ_DP_RCV_REQUEST || dp == LQ_DP_RCV_CHILD || dp == LQ_DP_RCV_LISTENER ||
           dp == LQ_DP_REUSEPORT_SELECT_BPF || dp == LQ_DP_REUSEPORT_SELECT_BPF_OUT_OF_RANGE ||
           dp == LQ_DP_REUSEPORT_SELECT_HASH || dp == LQ_DP_CONNREQ_V6 ||
           dp == LQ_DP_CONNREQ_V4_MAPPED;
}

bool lq_min_divergence(const struct lq_scenario *sc, const struct lq_result *res,
                       struct lq_divergence *div)
{
    if (res->status != LQ_ST_FAIL || !res->div.found)
        return false;
    (void)sc;
    *div = res->div;
    return true;
}

void lq_min_signature(const struct lq_scenario *sc, const struct lq_result *res,
                      struct lq_min_sig *sig)
{
    memset(sig, 0, sizeof(*sig));
    sig->dp = -1;
    struct lq_divergence dv;
    if (!lq_min_divergence(sc, res, &dv) || dv.dir >= sc->n)
        return;
    const struct lq_divergence *d = &dv;
    const struct lq_directive *dir = &sc->d[d->dir];
    sig->found = true;
    sig->kind = dir->kind;
    if (lq_dir_is_segment(dir->kind) && dir->conn < sc->nconns)
        snprintf(sig->conn, sizeof(sig->conn), "%s", sc->conns[dir->conn]);
    snprintf(sig->what, sizeof(sig->what), "%.*s", (int)sizeof(sig->what) - 1, d->what);
    for (size_t i = 0; i < d->ndps; i++) {
        if (!lq_dp_is_demux(d->dps[i])) {
            sig->dp = d->dps[i];
            return;
        }
    }
    if (d->ndps)
        sig->dp = d->dps[d->ndps - 1];
}

bool lq_min_sig_same(const struct lq_min_sig *a, const struct lq_min_sig *b)
{
    /* the connection's role, not its name: the event's own connection (a
     * segment event) or none; a smaller scenario may part on another one */
    return a->found && b->found && a->kind == b->kind && a->dp == b->dp &&
           (a->conn[0] != 0) == (b->conn[0] != 0) && strcmp(a->what, b->what) == 0;
}

const char *lq_min_sig_dp_name(const struct lq_min_sig *sig)
{
    const struct lq_dp_info *info = sig->dp >= 0 ? lq_dp_info((enum lq_dp)sig->dp) : NULL;
    return info ? info->name : "none";
}

void lq_min_sig_format(const struct lq_min_sig *sig, struct lq_strbuf *out)
{
    static const char *const kinds[LQ_D_KIND_COUNT] = {
        [LQ_D_SEED] = "seed",         [LQ_D_SYSCTL] = "sysctl",     [LQ_D_LISTEN] = "listen",
        [LQ_D_SOCKOPT] = "sockopt",   [LQ_D_SYN] = "syn",           [LQ_D_ACK] = "ack",
        [LQ_D_RST] = "rst",           [LQ_D_FIN] = "fin",           [LQ_D_ACCEPT] = "accept",
        [LQ_D_WAIT] = "wait",         [LQ_D_EXPECT] = "expect",     [LQ_D_FAMILY] = "family",
        [LQ_D_SEG] = "seg",           [LQ_D_LISTENER] = "listener", [LQ_D_CLOSE] = "close",
        [LQ_D_SHUTDOWN] = "shutdown", [LQ_D_ICMP] = "icmp"};
    if (!sig->found) {
        lq_sb_add(out, "no divergence");
        return;
    }
    const char *k = sig->kind < LQ_D_KIND_COUNT && kinds[sig->kind] ? kinds[sig->kind] : "?";
    lq_sb_addf(out, "%s%s%s: %s [%s]", k, sig->conn[0] ? " " : "", sig->conn, sig->what,
               lq_min_sig_dp_name(sig));
}

/* ---- scenario surgery ---- */

/* Copies the directives of src that keep[] selects (all when keep is NULL)
 * and that are not expectations, comments, blank lines or the family line
 * (the family stays the scenario's, and the printer writes it: print.h);
 * connection names are interned again, in order of use. */
static int lq_min_subset(const struct lq_scenario *src, const bool *keep, struct lq_scenario *dst)
{
    lq_scenario_init(dst);
    if (src->name && !(dst->name = strdup(src->name)))
        goto fail;
    if (src->path && !(dst->path = strdup(src->path)))
        goto fail;
    /* the listeners stay, all of them: later directives name them by index
     * (a scenario without its listener lines runs one listener, and a
     * directive for listener 1 then has none: issue 12's minimizer bug) */
    for (size_t l = 0; l < src->nlsn; l++)
        if (lq_scenario_listener(dst, src->lsn_names[l], src->lsn_reuseport[l]) < 0)
            goto fail;
    for (size_t i = 0; i < src->n; i++) {
        const struct lq_directive *s = &src->d[i];
        if (keep && !keep[i] && s->kind != LQ_D_LISTENER)
            continue;
        if (s->kind == LQ_D_EXPECT || s->kind == LQ_D_COMMENT || s->kind == LQ_D_BLANK ||
            s->kind == LQ_D_FAMILY)
            continue;
        uint16_t conn = 0;
        if (lq_dir_is_segment(s->kind)) {
            int c = lq_scenario_conn(dst, src->conns[s->conn]);
            if (c < 0)
                goto fail;
            conn = (uint16_t)c;
        }
        struct lq_directive *d = lq_scenario_add(dst, s->kind);
        if (!d)
            goto fail;
        *d = *s;
        d->comment = NULL;
        d->conn = conn;
        d->line = (uint32_t)dst->n;
        d->col = 1;
        if (s->kind == LQ_D_SEED)
            dst->seed = s->u.seed;
    }
    dst->family = src->family;
    dst->run_family = src->run_family;
    if (lq_scenario_index_families(dst))
        goto fail;
    return 0;
fail:
    lq_scenario_free(dst);
    return -1;
}

int lq_min_strip(const struct lq_scenario *sc, struct lq_scenario *out)
{
    return lq_min_subset(sc, NULL, out);
}

/* sc with its connections renamed c1, c2, ... in order of use. */
static int lq_min_rename(const struct lq_scenario *sc, struct lq_scenario *out)
{
    if (lq_min_subset(sc, NULL, out))
        return -1;
    for (size_t i = 0; i < out->nconns; i++) {
        char name[24];
        snprintf(name, sizeof(name), "c%zu", i + 1);
        char *n = strdup(name);
        if (!n) {
            lq_scenario_free(out);
            return -1;
        }
        free(out->conns[i]);
        out->conns[i] = n;
    }
    return 0;
}

/* ---- the search ---- */

struct lq_min_ctx {
    struct lq_runner *r;
    struct lq_min_sig want;
    struct lq_min_sig last; /* of the last candidate that diverged the same way */
    size_t runs, max_runs;
    FILE *progress;
    bool failed;
    struct lq_err err;
};

/* 1: cand diverges the same way; 0: not (or out of runs); -1: harness error. */
static int lq_min_test(struct lq_min_ctx *c, const struct lq_scenario *cand)
{
    if (c->failed)
        return -1;
    if (c->runs >= c->max_runs)
        return 0;
    c->runs++;
    struct lq_result res;
    lq_result_init(&res);
    struct lq_err e = {0};
    int rc = lq_run_scenario(c->r, cand, &res, &e);
    int out = 0;
    if (rc) {
        c->failed = true;
        c->err = e;
        out = -1;
    } else if (res.status == LQ_ST_ERROR) {
        c->failed = true;
        lq_errf(&c->err, LQ_EXIT_ERROR, "%s", res.reason);
        out = -1;
    } else {
        struct lq_min_sig s;
        lq_min_signature(cand, &res, &s);
        out = lq_min_sig_same(&s, &c->want);
        if (out)
            c->last = s;
    }
    lq_result_free(&res);
    return out;
}

static void lq_min_adopt(struct lq_scenario *cur, struct lq_scenario *cand)
{
    lq_scenario_free(cur);
    *cur = *cand;
    lq_scenario_init(cand);
}

static void lq_min_note(struct lq_min_ctx *c, const char *what, const struct lq_scenario *cur)
{
    if (c->progress)
        fprintf(c->progress, "minimize: %s: %zu directives (%zu runs)\n", what, cur->n, c->runs);
}

/* ddmin: removes chunks of directives while the divergence stays the same.
 * Returns whether anything was removed; -1 on a harness error. */
static int lq_min_ddmin(struct lq_min_ctx *c, struct lq_scenario *cur)
{
    bool changed = false;
    size_t n = 2;
    while (cur->n >= 1) {
        size_t len = cur->n;
        if (n > len)
            n = len;
        bool reduced = false;
        bool *keep = malloc(len * sizeof(*keep));
        if (!keep)
            return -1;
        for (size_t k = 0; k < n && !reduced; k++) {
            size_t from = len * k / n, to = len * (k + 1) / n;
            bool removable = false; /* listener lines are never removed */
            for (size_t i = from; i < to; i++)
                removable = removable || cur->d[i].kind != LQ_D_LISTENER;
            if (!removable)
                continue;
            for (size_t i = 0; i < len; i++)
                keep[i] = i < from || i >= to;
            struct lq_scenario cand;
            if (lq_min_subset(cur, keep, &cand)) {
                free(keep);
                return -1;
            }
            int t = lq_min_test(c, &cand);
            if (t < 0) {
                lq_scenario_free(&cand);
                free(keep);
                return -1;
            }
            if (t) {
                lq_min_adopt(cur, &cand);
                reduced = changed = true;
                lq_min_note(c, "removed directives", cur);
            }
            lq_scenario_free(&cand);
        }
        free(keep);
        if (reduced) {
            n = n > 2 ? n - 1 : 2;
            continue;
        }
        if (n >= len || c->runs >= c->max_runs)
            break;
        n = n * 2 < len ? n * 2 : len;
    }
    return changed;
}

/* The simpler variants of one directive, tried one at a time. */
#define LQ_MIN_MAX_VARIANTS 16

static size_t lq_min_smaller(int64_t v, int64_t floor, int64_t *out, size_t cap)
{
    int64_t cand[4] = {floor, v / 2, v - 1, 1};
    size_t n = 0;
    for (size_t i = 0; i < 4 && n < cap; i++) {
        if (cand[i] < floor || cand[i] >= v)
            continue;
        bool dup = false;
        for (size_t k = 0; k < n; k++)
            dup |= out[k] == cand[i];
        if (!dup)
            out[n++] = cand[i];
    }
    return n;
}

static size_t lq_min_variants(const struct lq_runner *r, const struct lq_directive *d,
                              struct lq_directive *v)
{
    size_t n = 0;
    const struct lq_ev_seg *s = &d->u.seg;
#define LQ_VARIANT(cond, stmt)                   \
    do {                                         \
        if ((cond) && n < LQ_MIN_MAX_VARIANTS) { \
            v[n] = *d;                           \
            struct lq_ev_seg *x = &v[n].u.seg;   \
            (void)x;                             \
            stmt;                                \
            n++;                                 \
        }                                        \
    } while (0)
    switch (d->kind) {
    case LQ_D_SYN:
        LQ_VARIANT(s->syn_fin, x->syn_fin = false);
        LQ_VARIANT(s->syn_ecn, x->syn_ecn = false);
        LQ_VARIANT(s->tfo, x->tfo = LQ_TFO_NONE);
        LQ_VARIANT(s->len, x->len = 0);
        LQ_VARIANT(s->isn_mode != LQ_ISN_SAME, (x->isn_mode = LQ_ISN_SAME, x->isn_off = 0));
        LQ_VARIANT(s->wscale >= 0, x->wscale = -1);
        LQ_VARIANT(s->sack, x->sack = false);
        LQ_VARIANT(s->ts, x->ts = false);
        LQ_VARIANT(s->has_mss, (x->has_mss = false, x->mss = 0));
        LQ_VARIANT(s->has_mss && s->mss != 1460, x->mss = 1460);
        break;
    case LQ_D_SEG:
        /* one flag fewer (without ACK, no acknowledgement number option) */
        for (unsigned bit = 1; bit < 256; bit <<= 1)
            LQ_VARIANT(s->flags & bit, (x->flags = (uint8_t)(s->flags & ~bit),
                                        x->ack_bad = x->ack_bad && bit != LQ_TH_ACK,
                                        x->ack_old = x->ack_old && bit != LQ_TH_ACK,
                                        x->ack_ahead = bit == LQ_TH_ACK ? 0 : x->ack_ahead));
        /* fall through */
    case LQ_D_ACK:
    case LQ_D_RST:
    case LQ_D_FIN:
        LQ_VARIANT(s->tsecr_bad, x->tsecr_bad = false);
        LQ_VARIANT(s->tsval_old, x->tsval_old = false);
        LQ_VARIANT(s->tsval_ahead, x->tsval_ahead = 0);
        LQ_VARIANT(s->len, x->len = 0);
        LQ_VARIANT(s->seq_mode != LQ_SEQ_OK, (x->seq_mode = LQ_SEQ_OK, x->seq_off = 0));
        LQ_VARIANT(s->ack_bad, x->ack_bad = false);
        LQ_VARIANT(s->ack_ahead, x->ack_ahead = 0);
        LQ_VARIANT(s->has_win, (x->has_win = false, x->win = 0));
        LQ_VARIANT(s->rst_ack, (x->rst_ack = false, x->ack_bad = false));
        LQ_VARIANT(s->no_ack, x->no_ack = false);
        break;
    case LQ_D_ICMP:
        /* quoting the SYN-ACK; a larger MTU */
        LQ_VARIANT(s->seq_mode != LQ_SEQ_OK, (x->seq_mode = LQ_SEQ_OK, x->seq_off = 0));
        LQ_VARIANT(s->icmp == LQ_ICMP_FRAG_NEEDED && s->mtu < 1280, x->mtu = 1280);
        break;
    case LQ_D_LISTEN: {
        int64_t vals[4] = {0};
        size_t k = lq_min_smaller(d->u.backlog < 0 ? 1 : d->u.backlog, 0, vals, 4);
        for (size_t i = 0; i < k; i++)
            LQ_VARIANT(true, v[n].u.backlog = (int32_t)vals[i]);
        break;
    }
    case LQ_D_SYSCTL: {
        enum lq_sysctl id = (enum lq_sysctl)d->u.sysctl.id;
        int64_t def = lq_model_sysctl_default(&r->profile, id);
        LQ_VARIANT(d->u.sysctl.value != def, v[n].u.sysctl.value = def);
        int64_t vals[4] = {0};
        size_t k = lq_min_smaller(d->u.sysctl.value, lq_sysctl_min(id) > 0 ? lq_sysctl_min(id) : 0,
                                  vals, 4);
        for (size_t i = 0; i < k; i++)
            LQ_VARIANT(vals[i] != def, v[n].u.sysctl.value = vals[i]);
        break;
    }
    case LQ_D_SOCKOPT: {
        int64_t vals[4] = {0};
        /* what the parser (the kernel) accepts: TCP_SYNCNT 1.., TCP_MAXSEG 88.. */
        int64_t floor = d->u.sockopt.opt == LQ_SOCKOPT_SYNCNT   ? 1
                        : d->u.sockopt.opt == LQ_SOCKOPT_MAXSEG ? 88
                                                                : 0;
        size_t k = lq_min_smaller(d->u.sockopt.value, floor, vals, 4);
        for (size_t i = 0; i < k; i++)
            LQ_VARIANT(true, v[n].u.sockopt.value = (int32_t)vals[i]);
        break;
    }
    case LQ_D_WAIT: LQ_VARIANT(d->u.wait_ms > 1, v[n].u.wait_ms = d->u.wait_ms / 2); break;
    default: break;
    }
#undef LQ_VARIANT
    return n;
}

/* Simplifies options one at a time; returns whether anything changed. */
static int lq_min_simplify(struct lq_min_ctx *c, struct lq_scenario *cur)
{
    bool changed = false;
    for (size_t i = 0; i < cur->n; i++) {
        struct lq_directive v[LQ_MIN_MAX_VARIANTS];
        size_t nv = lq_min_variants(c->r, &cur->d[i], v);
        for (size_t k = 0; k < nv; k++) {
            struct lq_scenario cand;
            if (lq_min_subset(cur, NULL, &cand))
                return -1;
            uint16_t conn = cand.d[i].conn;
            cand.d[i].u = v[k].u;
            cand.d[i].conn = conn;
            int t = lq_min_test(c, &cand);
            if (t < 0) {
                lq_scenario_free(&cand);
                return -1;
            }
            if (t) {
                lq_min_adopt(cur, &cand);
                changed = true;
                lq_min_note(c, "simplified an option", cur);
                /* the directive changed: its variants are computed again */
                nv = lq_min_variants(c->r, &cur->d[i], v);
                k = (size_t)-1;
            }
            lq_scenario_free(&cand);
        }
    }
    return changed;
}

int lq_minimize(struct lq_runner *r, const struct lq_scenario *sc, const struct lq_min_opts *o,
                struct lq_scenario *out, struct lq_min_sig *sig, struct lq_min_stats *st,
                struct lq_err *err)
{
    struct lq_min_ctx c = {.r = r,
                           .max_runs = o && o->max_runs ? o->max_runs : LQ_MIN_DEFAULT_RUNS,
                           .progress = o ? o->progress : NULL};
    memset(st, 0, sizeof(*st));
    lq_scenario_init(out);
    struct lq_scenario cur;
    if (lq_min_strip(sc, &cur))
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    st->before = cur.n;

    /* what the divergence looks like to begin with */
    struct lq_result res;
    lq_result_init(&res);
    struct lq_err e = {0};
    c.runs++;
    if (lq_run_scenario(r, &cur, &res, &e) || res.status == LQ_ST_ERROR ||
        res.status == LQ_ST_SKIP) {
        if (!e.msg[0])
            lq_errf(&e, res.status == LQ_ST_SKIP ? LQ_EXIT_SKIP : LQ_EXIT_ERROR, "%s", res.reason);
        *err = e;
        lq_result_free(&res);
        lq_scenario_free(&cur);
        return -1;
    }
    lq_min_signature(&cur, &res, &c.want);
    lq_result_free(&res);
    c.last = c.want;
    *sig = c.want;
    if (!c.want.found) {
        st->runs = c.runs;
        st->after = cur.n;
        *out = cur;
        return 1;
    }

    for (int round = 0; round < 8; round++) {
        int a = lq_min_ddmin(&c, &cur);
        int b = a < 0 ? -1 : lq_min_simplify(&c, &cur);
        if (a < 0 || b < 0) {
            *err = c.err;
            if (!err->msg[0])
                lq_errf(err, LQ_EXIT_ERROR, "out of memory");
            lq_scenario_free(&cur);
            return -1;
        }
        if (!a && !b)
            break;
    }

    /* connections renamed c1, c2, ... in order of use */
    struct lq_scenario ren;
    if (lq_min_rename(&cur, &ren) == 0) {
        if (lq_min_test(&c, &ren) > 0)
            lq_min_adopt(&cur, &ren);
        lq_scenario_free(&ren);
        c.failed = false;
    }
    st->runs = c.runs;
    st->after = cur.n;
    *sig = c.last;
    *out = cur;
    return 0;
}
