/* fuzz/invariants.c: see invariants.h. */
#include "invariants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model_internal.h"
#include "lang/print.h"
#include "util/strbuf.h"

enum lq_inv_step {
    LQ_STEP_SYSCTL,
    LQ_STEP_LISTEN,
    LQ_STEP_SOCKOPT,
    LQ_STEP_SEGMENT,
    LQ_STEP_ACCEPT,
    LQ_STEP_WAIT,
    LQ_STEP_CALL
};

static const char *const lq_step_names[] = {"sysctl", "listen", "sockopt",       "segment",
                                            "accept", "wait",   "close/shutdown"};

struct lq_inv {
    struct lq_backend self;
    struct lq_backend *inner;
    struct lq_model *m;
    const struct lq_scenario *sc;
    const char *label;
    bool in_directives; /* past begin(): calls are the scenario's events */
    size_t cursor;      /* the next event directive to match a call to */
    long cur_dir;       /* the directive of the step being checked, -1: defaults */
    uint64_t prev_ctr[LQ_CTR_COUNT];
    int prev_qlen;
    size_t prev_acceptq, prev_children, accepted;
    uint64_t prev_now;
    uint64_t steps;
};

/* The checks only read the model's state after every step: ASan checks the
 * model's own accesses, and leaving the checker's reads unchecked keeps the
 * model fuzzer fast (they run some 40 times per input). */
#if defined(__has_attribute)
#if __has_attribute(no_sanitize)
#define LQ_INV_FAST __attribute__((no_sanitize("address")))
#endif
#endif
#ifndef LQ_INV_FAST
#define LQ_INV_FAST
#endif

static struct lq_inv *lq_inv(struct lq_backend *b)
{
    return b->priv;
}

/* ---- checks that need only the model's state ---- */

LQ_INV_FAST const char *lq_inv_check_model(const struct lq_model *m)
{
    const char *s = lq_model_check_invariants(m);
    if (s)
        return s;
    for (int l = 0; l < m->nlsn; l++)
        if (m->lsn[l].qlen < 0 || m->lsn[l].young < 0 || m->lsn[l].young > m->lsn[l].qlen)
            return "young/qlen out of range (0 <= young <= qlen)";
    const uint64_t *c = m->counters;
    if (c[LQ_CTR_SYNCOOKIES_SENT] > c[LQ_CTR_REQQ_FULL_DO_COOKIES])
        return "SyncookiesSent > TCPReqQFullDoCookies";
    if (c[LQ_CTR_LISTEN_OVERFLOWS] > c[LQ_CTR_LISTEN_DROPS])
        return "ListenOverflows > ListenDrops";
    if (c[LQ_CTR_PASSIVE_OPENS] != m->nchildren)
        return "PassiveOpens differs from the children created";
    size_t accepted = 0;
    for (size_t i = 0; i < m->nchildren; i++) {
        const struct lq_child *ch = &m->children[i];
        if (ch->queued && ch->accepted)
            return "a child is both queued and accepted";
        if (!ch->queued && !ch->accepted && !ch->forgotten)
            return "a child was lost (neither queued nor accepted nor forgotten by its "
                   "listener's close)";
        accepted += ch->accepted;
        if (ch->hashed) {
            if (ch->conn >= m->nconns_cap || m->conns[ch->conn].child != (int)i)
                return "a hashed child is not the socket of its 4-tuple";
        }
    }
    (void)accepted;
    for (size_t i = 0; i < m->nchildren; i++)
        for (size_t j = i + 1; j < m->nchildren; j++)
            if (m->children[i].hashed && m->children[j].hashed &&
                m->children[i].conn == m->children[j].conn)
                return "two hashed children share a 4-tuple";
    return NULL;
}

/* Requests and queued children of every listener: a step moves them
 * between listeners only by the rules the step check counts. */
LQ_INV_FAST static long lq_inv_total_qlen(const struct lq_model *m)
{
    long n = 0;
    for (int l = 0; l < m->nlsn; l++)
        n += m->lsn[l].qlen;
    return n;
}

LQ_INV_FAST static size_t lq_inv_total_acceptq(const struct lq_model *m)
{
    size_t n = 0;
    for (int l = 0; l < m->nlsn; l++)
        n += m->lsn[l].acceptq_len;
    return n;
}

LQ_INV_FAST static size_t lq_count_accepted(const struct lq_model *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nchildren; i++)
        n += m->children[i].accepted;
    return n;
}

/* The SYN queue's limit after an insert: qlen may reach it, never pass it. */
static uint32_t lq_synq_insert_limit(const struct lq_model *m)
{
    if (!lq_profile_has(&m->profile, LQ_CHG_SYNQ_LIMIT_IS_BACKLOG))
        return m->lsk->legacy_qlen_limit;
    if (lq_profile_has(&m->profile, LQ_CHG_SYNQ_FULL_GT))
        return m->lsk->max_ack_backlog + 1; /* full at qlen > N */
    return m->lsk->max_ack_backlog;         /* full at qlen >= N */
}

LQ_INV_FAST static const char *lq_inv_step_check(struct lq_inv *v, enum lq_inv_step k,
                                                 const uint16_t *dps, size_t ndps,
                                                 const struct lq_reply *pk, size_t npk)
{
    const struct lq_model *m = v->m;
    const char *s = lq_inv_check_model(m);
    if (s)
        return s;
    const uint64_t *c = m->counters;
    for (int i = 0; i < LQ_CTR_COUNT; i++)
        if (c[i] < v->prev_ctr[i])
            return "a counter went down";
    if (c[LQ_CTR_LISTEN_OVERFLOWS] - v->prev_ctr[LQ_CTR_LISTEN_OVERFLOWS] >
        c[LQ_CTR_LISTEN_DROPS] - v->prev_ctr[LQ_CTR_LISTEN_DROPS])
        return "a step raised ListenOverflows more than ListenDrops";
    if (lq_model_now(m) < v->prev_now)
        return "virtual time went back";

    size_t ins = 0, rm = 0, created = 0, fifo = 0, drained = 0;
    for (size_t i = 0; i < ndps; i++) {
        uint16_t dp = dps[i];
        if (dp >= LQ_DP_COUNT)
            return "a decision point out of range";
        if (lq_dp_unreachable(&m->profile, (enum lq_dp)dp))
            return "a decision point the profile calls unreachable was taken";
        switch (dp) {
        case LQ_DP_CONNREQ_QUEUED: ins++; break;
        case LQ_DP_CHECKREQ_CHILD:
            rm++;
            created++;
            break;
        case LQ_DP_CHECKREQ_RESET_RST:
        case LQ_DP_CHECKREQ_RESET_SYN:
        case LQ_DP_CHECKREQ_OVERFLOW_ABORT:
        case LQ_DP_TIMER_EXPIRE:
        case LQ_DP_TIMER_LISTENER_GONE:
        case LQ_DP_RCV_REQUEST_LISTENER_GONE:
        case LQ_DP_ICMP_REQ_ABORT: rm++; break;
        case LQ_DP_CLOSE_QUEUED_RESET:
        case LQ_DP_CLOSE_QUEUED_DEAD: drained++; break;
        case LQ_DP_COOKIE_CHILD:
        case LQ_DP_FASTOPEN_CHILD: created++; break;
        case LQ_DP_ACCEPT_FIFO: fifo++; break;
        default: break;
        }
    }
    /* request socks: conserved */
    if ((long)lq_inv_total_qlen(m) != (long)v->prev_qlen + (long)ins - (long)rm)
        return "qlen changed by other than the requests queued and removed (a request sock was "
               "lost or duplicated)";
    if (ins > (k == LQ_STEP_SEGMENT ? 1u : 0u))
        return "more request socks queued than the step allows";
    if (ins) {
        if ((uint32_t)m->lsk->qlen > lq_synq_insert_limit(m))
            return "a request was queued past the SYN-queue limit";
        int32_t msb = (int32_t)m->sysctl[LQ_SYSCTL_MAX_SYN_BACKLOG];
        if (!m->sysctl[LQ_SYSCTL_SYNCOOKIES] && msb - (m->lsk->qlen - 1) < (msb >> 2))
            return "a request was queued in the last quarter of tcp_max_syn_backlog (cookies off)";
    }
    /* children: conserved */
    if (m->nchildren != v->prev_children + created)
        return "children appeared without a decision point that creates one";
    if (k != LQ_STEP_SEGMENT && created)
        return "a child was created by a call other than a segment";
    if (drained && k != LQ_STEP_CALL)
        return "the accept queue was drained by a call other than close or shutdown";
    if ((long)lq_inv_total_acceptq(m) !=
        (long)v->prev_acceptq + (long)created - (long)fifo - (long)drained)
        return "the accept queue changed by other than the children created and accepted";
    if (created && m->lsk->acceptq_len > (size_t)m->lsk->max_ack_backlog + 1)
        return "a child was queued past N + 1";
    if (fifo > (k == LQ_STEP_ACCEPT ? 1u : 0u))
        return "more children accepted than accept() calls";
    v->accepted += fifo;
    if (lq_count_accepted(m) != v->accepted)
        return "the children marked accepted differ from those accept() returned";
    /* packets */
    for (size_t i = 0; i < npk; i++)
        if (pk[i].cookie && !m->sysctl[LQ_SYSCTL_SYNCOOKIES])
            return "a cookie SYN-ACK with tcp_syncookies=0";
    return NULL;
}

LQ_INV_FAST static void lq_inv_snapshot(struct lq_inv *v)
{
    for (int i = 0; i < LQ_CTR_COUNT; i++) /* not memcpy: ASan intercepts that */
        v->prev_ctr[i] = v->m->counters[i];
    v->prev_qlen = lq_inv_total_qlen(v->m);
    v->prev_acceptq = lq_inv_total_acceptq(v->m);
    v->prev_children = v->m->nchildren;
    v->prev_now = lq_model_now(v->m);
}

static void lq_inv_fail(struct lq_inv *v, enum lq_inv_step k, const char *what)
{
    struct lq_strbuf t;
    lq_sb_init(&t);
    if (v->sc && v->cur_dir >= 0 && (size_t)v->cur_dir < v->sc->n)
        lq_print_directive(v->sc, &v->sc->d[v->cur_dir], &t);
    else
        lq_sb_add(&t, "(the runner's default sysctls)");
    fprintf(stderr, "==%s== INVARIANT BROKEN: %s\n", v->label, what);
    fprintf(stderr, "==%s== after the %s call of directive %ld: %s\n", v->label, lq_step_names[k],
            v->cur_dir + 1, lq_sb_str(&t));
    fprintf(stderr,
            "==%s== model profile %s (reproduce: listenq run --model-only --kernel %s "
            "FILE.lq)\n",
            v->label, v->m->profile.name, v->m->profile.name);
    if (v->sc) {
        lq_sb_reset(&t);
        lq_print_scenario(v->sc, &t);
        fprintf(stderr, "==%s== scenario:\n%s==%s== end of scenario\n", v->label, lq_sb_str(&t),
                v->label);
    }
    lq_sb_free(&t);
    fflush(stderr);
    abort();
}

/* Which directive a call belongs to. */
static void lq_inv_advance(struct lq_inv *v)
{
    if (!v->in_directives || !v->sc) {
        v->cur_dir = -1;
        return;
    }
    while (v->cursor < v->sc->n && !lq_dir_is_event(v->sc->d[v->cursor].kind))
        v->cursor++;
    v->cur_dir = (long)v->cursor;
    if (v->cursor < v->sc->n)
        v->cursor++;
}

static void lq_inv_after(struct lq_inv *v, enum lq_inv_step k, const struct lq_replies *out,
                         size_t n0)
{
    const uint16_t *dps = NULL;
    size_t ndps = out ? lq_backend_decisions(v->inner, &dps) : 0;
    const struct lq_reply *pk = out && out->r ? out->r + n0 : NULL;
    size_t npk = pk ? out->n - n0 : 0;
    v->steps++;
    const char *what = lq_inv_step_check(v, k, dps, ndps, pk, npk);
    if (what)
        lq_inv_fail(v, k, what);
    lq_inv_snapshot(v);
}

/* ---- forwarding ops ---- */

static int lq_inv_begin(struct lq_backend *b, const struct lq_begin *bg, struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    int rc = lq_backend_begin(v->inner, bg, err);
    v->sc = bg->sc;
    v->in_directives = false;
    v->cursor = 0;
    v->cur_dir = -1;
    v->accepted = 0;
    lq_inv_snapshot(v);
    const char *what = lq_inv_check_model(v->m);
    if (!rc && what)
        lq_inv_fail(v, LQ_STEP_SYSCTL, what);
    /* the set-up (the runner's default sysctls, the same for every
     * scenario) is checked as one step; every later call is an event */
    if (!rc)
        lq_inv_after(v, LQ_STEP_SYSCTL, NULL, 0);
    v->in_directives = true;
    return rc;
}

static int lq_inv_sysctl(struct lq_backend *b, enum lq_sysctl s, int64_t value, struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    int rc = lq_backend_sysctl(v->inner, s, value, err);
    lq_inv_advance(v);
    if (!rc)
        lq_inv_after(v, LQ_STEP_SYSCTL, NULL, 0);
    return rc;
}

static int lq_inv_listen(struct lq_backend *b, int lsn, int backlog, int *res,
                         struct lq_replies *out, struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    lq_inv_advance(v);
    size_t n0 = out->n;
    int rc = lq_backend_listen(v->inner, lsn, backlog, res, out, err);
    if (!rc)
        lq_inv_after(v, LQ_STEP_LISTEN, out, n0);
    return rc;
}

static int lq_inv_sockopt(struct lq_backend *b, int lsn, enum lq_sockopt opt, int value, int *res,
                          struct lq_replies *out, struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    lq_inv_advance(v);
    size_t n0 = out->n;
    int rc = lq_backend_sockopt(v->inner, lsn, opt, value, res, out, err);
    if (!rc)
        lq_inv_after(v, LQ_STEP_SOCKOPT, out, n0);
    return rc;
}

static int lq_inv_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                          struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    lq_inv_advance(v);
    size_t n0 = out->n;
    int rc = lq_backend_segment(v->inner, seg, out, err);
    if (!rc)
        lq_inv_after(v, LQ_STEP_SEGMENT, out, n0);
    return rc;
}

static int lq_inv_accept(struct lq_backend *b, int lsn, int *result, uint16_t *mss,
                         struct lq_replies *out, struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    lq_inv_advance(v);
    size_t n0 = out->n;
    int rc = lq_backend_accept(v->inner, lsn, result, mss, out, err);
    if (!rc)
        lq_inv_after(v, LQ_STEP_ACCEPT, out, n0);
    return rc;
}

static int lq_inv_sockcall(struct lq_backend *b, const struct lq_sockcall *c, int *rc,
                           struct lq_replies *out, struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    lq_inv_advance(v);
    size_t n0 = out->n;
    int r = lq_backend_sockcall(v->inner, c, rc, out, err);
    if (!r)
        lq_inv_after(v, LQ_STEP_CALL, out, n0);
    return r;
}

static int lq_inv_wait(struct lq_backend *b, uint64_t ms, struct lq_replies *out,
                       int64_t *waited_us, struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    lq_inv_advance(v);
    size_t n0 = out->n;
    int rc = lq_backend_wait(v->inner, ms, out, waited_us, err);
    if (!rc)
        lq_inv_after(v, LQ_STEP_WAIT, out, n0);
    return rc;
}

static int lq_inv_state(struct lq_backend *b, struct lq_state *st, bool with_counters,
                        struct lq_err *err)
{
    return lq_backend_state(lq_inv(b)->inner, st, with_counters, err);
}

static int lq_inv_counter(struct lq_backend *b, const char *name, int64_t *value,
                          struct lq_err *err)
{
    return lq_backend_counter(lq_inv(b)->inner, name, value, err);
}

static size_t lq_inv_decisions(struct lq_backend *b, const uint16_t **dps)
{
    return lq_backend_decisions(lq_inv(b)->inner, dps);
}

static const char *lq_inv_scope_end(struct lq_backend *b)
{
    return lq_backend_scope_end(lq_inv(b)->inner);
}

static void lq_inv_stats(struct lq_backend *b, struct lq_backend_stats *st)
{
    lq_backend_stats(lq_inv(b)->inner, st);
}

static int lq_inv_end(struct lq_backend *b, struct lq_err *err)
{
    struct lq_inv *v = lq_inv(b);
    int rc = lq_backend_end(v->inner, err);
    v->sc = NULL;
    return rc;
}

static void lq_inv_destroy(struct lq_backend *b)
{
    if (!b)
        return;
    struct lq_inv *v = lq_inv(b);
    lq_backend_destroy(v->inner);
    free(v);
}

/* A model with its checks: what the model declares (backend_model.h). */
static const struct lq_backend_ops lq_inv_ops = {
    .name = "model",
    .caps = LQ_CAP_PREDICTS | LQ_CAP_PACES,
    .begin = lq_inv_begin,
    .sysctl = lq_inv_sysctl,
    .listen = lq_inv_listen,
    .sockopt = lq_inv_sockopt,
    .segment = lq_inv_segment,
    .sockcall = lq_inv_sockcall,
    .accept = lq_inv_accept,
    .wait = lq_inv_wait,
    .state = lq_inv_state,
    .end = lq_inv_end,
    .destroy = lq_inv_destroy,
    .counter = lq_inv_counter,
    .decisions = lq_inv_decisions,
    .scope_end = lq_inv_scope_end,
    .stats = lq_inv_stats,
};

struct lq_backend *lq_inv_wrap(struct lq_backend *model)
{
    struct lq_model *m = lq_backend_model_get(model);
    struct lq_inv *v = m ? calloc(1, sizeof(*v)) : NULL;
    if (!v)
        return NULL;
    v->inner = model;
    v->m = m;
    v->label = "listenq";
    v->self.ops = &lq_inv_ops;
    v->self.priv = v;
    memcpy(v->self.release, model->release, sizeof(v->self.release));
    return &v->self;
}

struct lq_backend *lq_inv_inner(struct lq_backend *b)
{
    return lq_inv(b)->inner;
}

uint64_t lq_inv_steps(const struct lq_backend *b)
{
    return ((const struct lq_inv *)b->priv)->steps;
}

void lq_inv_set_label(struct lq_backend *b, const char *label)
{
    lq_inv(b)->label = label;
}
