/* harness/run/backend_model.c: see backend_model.h. */
#include "backend_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

struct lq_model_backend {
    struct lq_model *m;
    uint16_t lport;
    uint64_t segments;
    struct lq_clock clock; /* the scenario's, where the model's time 0 stands */
    bool follows;          /* the clock is another backend's (lq_begin.follows) */
    uint64_t call_ms;      /* model time when the last call began */
};

static struct lq_model_backend *lq_mb(struct lq_backend *b)
{
    return b->priv;
}

/* The model's jiffies_64 at model time ms. */
static uint64_t lq_mb_jiffies_at(const struct lq_model_backend *mb, uint64_t ms)
{
    return mb->clock.jiffies64 + ms * mb->clock.hz / 1000u;
}

/* Copies the model's output of the last call, times relative to `start`,
 * with the model's own clock for a run that follows this one. */
static void lq_model_collect(struct lq_model_backend *mb, uint64_t start, struct lq_replies *out)
{
    struct lq_model *m = mb->m;
    if (!out->jiffies_at)
        out->jiffies_at = lq_mb_jiffies_at(mb, start);
    out->jiffies_end = lq_mb_jiffies_at(mb, lq_model_now(m));
    /* when the call began in model time (0 at the scenario's start, as the
     * runner counts): a subject's lateness allowance is its real time past
     * this, not past 0 */
    out->at_us = (int64_t)mb->call_ms * 1000;
    const struct lq_model_out *o = lq_model_output(m);
    for (size_t i = 0; i < o->npkts; i++) {
        struct lq_reply *r = lq_replies_add(out);
        r->seg = o->pkts[i].seg;
        r->cookie = o->pkts[i].cookie;
        r->timing = o->pkts[i].timing;
        r->t_us = (int64_t)(o->pkts[i].t_ms - start) * 1000;
    }
}

static int lq_mb_begin(struct lq_backend *b, const struct lq_begin *bg, struct lq_err *err)
{
    struct lq_model_backend *mb = lq_mb(b);
    mb->lport = bg->lport;
    lq_model_reset(mb->m);
    lq_model_set_family(mb->m, (enum lq_family)bg->family);
    if (bg->nlsn > 1 && lq_model_set_listeners(mb->m, bg->nlsn, bg->reuseport))
        return lq_errf(err, LQ_EXIT_BADINPUT, "%d listeners: the model takes 1..%d", bg->nlsn,
                       LQ_MAX_LISTENERS);
    if (bg->nlsn == 1 && bg->reuseport[0])
        lq_model_set_listeners(mb->m, 1, bg->reuseport);
    lq_model_set_clock(mb->m, bg->clock.jiffies64, bg->clock.hz);
    mb->clock = bg->clock;
    if (!mb->clock.hz)
        mb->clock.hz = 1000;
    mb->follows = bg->follows;
    mb->call_ms = 0;
    lq_model_set_wheel(mb->m, false); /* until clock_at says where the other clock is */
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        lq_model_set_sysctl(mb->m, (enum lq_sysctl)s, bg->sysctl[s]);
    return 0;
}

static int lq_mb_sysctl(struct lq_backend *b, enum lq_sysctl s, int64_t value, struct lq_err *err)
{
    (void)err;
    lq_model_set_sysctl(lq_mb(b)->m, s, value);
    return 0;
}

static int lq_mb_listen(struct lq_backend *b, int lsn, int backlog, int *rc, struct lq_replies *out,
                        struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    lq_mb(b)->call_ms = lq_model_now(m);
    *rc = lq_model_listen_on(m, lsn, lq_mb(b)->lport, backlog);
    lq_model_collect(lq_mb(b), lq_model_now(m), out);
    return 0;
}

static int lq_mb_sockopt(struct lq_backend *b, int lsn, enum lq_sockopt opt, int value, int *rc,
                         struct lq_replies *out, struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    lq_mb(b)->call_ms = lq_model_now(m);
    *rc = lq_model_setsockopt_on(m, lsn, opt, value);
    lq_model_collect(lq_mb(b), lq_model_now(m), out);
    return 0;
}

static int lq_mb_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                         struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    uint64_t start = lq_mb(b)->call_ms = lq_model_now(m);
    lq_mb(b)->segments++;
    lq_model_input(m, seg);
    lq_model_collect(lq_mb(b), start, out);
    return 0;
}

static int lq_mb_sockcall(struct lq_backend *b, const struct lq_sockcall *c, int *rc,
                          struct lq_replies *out, struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    lq_mb(b)->call_ms = lq_model_now(m);
    *rc = c->kind == LQ_CALL_CLOSE      ? lq_model_close_on(m, c->lsn)
          : c->kind == LQ_CALL_SHUTDOWN ? lq_model_shutdown_on(m, c->lsn, c->how)
                                        : lq_model_close_conn(m, c->conn);
    lq_model_collect(lq_mb(b), lq_model_now(m), out);
    return 0;
}

static int lq_mb_accept(struct lq_backend *b, int lsn, int *result, uint16_t *mss,
                        struct lq_replies *out, struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    uint16_t conn = 0;
    lq_mb(b)->call_ms = lq_model_now(m);
    int rc = lq_model_accept_on(m, lsn, &conn, mss);
    *result = rc ? rc : conn;
    lq_model_collect(lq_mb(b), lq_model_now(m), out);
    return 0;
}

static int lq_mb_wait(struct lq_backend *b, uint64_t ms, struct lq_replies *out, int64_t *waited_us,
                      struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    uint64_t start = lq_mb(b)->call_ms = lq_model_now(m);
    lq_model_advance(m, ms);
    lq_model_collect(lq_mb(b), start, out);
    *waited_us = (int64_t)ms * 1000;
    return 0;
}

static int lq_mb_state(struct lq_backend *b, struct lq_state *st, bool with_counters,
                       struct lq_err *err)
{
    (void)err;
    (void)with_counters; /* free for the model: always there */
    struct lq_model *m = lq_mb(b)->m;
    for (int l = 0; l < lq_model_nlisteners(m); l++) {
        struct lq_model_queues q;
        lq_model_queues_of(m, l, &q);
        st->lacceptq[l] = q.acceptq;
        st->lbacklog[l] = q.acceptq_max;
        st->lsynq[l] = q.synq;
    }
    st->acceptq = st->lacceptq[0];
    st->backlog = st->lbacklog[0];
    st->synq = st->lsynq[0];
    st->ctr_valid = true;
    const uint64_t *c = lq_model_counters(m);
    for (int i = 0; i < LQ_CTR_COUNT; i++) {
        st->ctr[i] = c[i];
        st->ctr_present[i] = true;
    }
    return 0;
}

static int lq_mb_counter(struct lq_backend *b, const char *name, int64_t *value, struct lq_err *err)
{
    int c = lq_counter_by_name(name);
    if (c < 0)
        return lq_errf(err, LQ_EXIT_SKIP, "the model does not predict counter %s", name);
    *value = (int64_t)lq_model_counters(lq_mb(b)->m)[c];
    return 0;
}

static size_t lq_mb_decisions(struct lq_backend *b, const uint16_t **dps)
{
    const struct lq_model_out *o = lq_model_output(lq_mb(b)->m);
    *dps = o->dps;
    return o->ndps;
}

static const char *lq_mb_scope_end(struct lq_backend *b)
{
    return lq_model_beyond_scope(lq_mb(b)->m);
}

static void lq_mb_stats(struct lq_backend *b, struct lq_backend_stats *st)
{
    st->segments = lq_mb(b)->segments;
}

/* A kernel runs a timer from the softirq of the tick that reaches its
 * bucket, which under load can come milliseconds into the jiffy: what the
 * model's timers send in the last LQ_MB_EDGE_JIFFIES before the other
 * backend's clock may show up on it only in the next call's window. */
#define LQ_MB_EDGE_JIFFIES 2u

/* Lets the time pass up to the jiffy the other backend was at: to the first
 * model millisecond of that jiffy, so that the model's jiffies equal its
 * own (and its timers are on the kernel's wheel from then on). What timers
 * send meanwhile is timed from the call it goes with: the next one (before
 * a call), or the last (after it). What they send at the edge
 * (LQ_MB_EDGE_JIFFIES) is predicted as optional (deferred: it may come in a
 * later window), and a delayed ACK fired there is not required yet. */
static int lq_mb_clock_at(struct lq_backend *b, uint64_t jiffies64, bool after_call,
                          struct lq_replies *out, struct lq_err *err)
{
    (void)err;
    struct lq_model_backend *mb = lq_mb(b);
    if (!mb->follows)
        return 0;
    lq_model_set_wheel(mb->m, true);
    uint64_t now = lq_model_now(mb->m);
    if (jiffies64 <= lq_mb_jiffies_at(mb, now))
        return 0;
    uint32_t hz = mb->clock.hz;
    uint64_t target = ((jiffies64 - mb->clock.jiffies64) * 1000u + hz - 1u) / hz;
    if (target <= now)
        return 0;
    lq_model_advance(mb->m, target - now);
    uint64_t ref = after_call ? mb->call_ms : target;
    /* the decisions are now the timers' (lq_mb_decisions) */
    size_t from = out->n;
    lq_model_collect(mb, ref, out);
    int64_t edge_us =
        ((int64_t)target - (int64_t)ref) * 1000 - (int64_t)(LQ_MB_EDGE_JIFFIES * 1000000u / hz);
    size_t k = from;
    for (size_t i = from; i < out->n; i++) {
        struct lq_reply r = out->r[i];
        /* a delayed ACK fired there (DEFERRED_FIRED, or NEXT_JIFFY: one due at
         * the next jiffy after the last call): the prediction made when it
         * was scheduled stands */
        if (r.t_us >= edge_us && lq_pkt_timer_fired(r.timing))
            continue;
        if (r.t_us >= edge_us && r.timing == LQ_PKT_TIMER)
            r.timing = LQ_PKT_DEFERRED;
        out->r[k++] = r;
    }
    out->n = k;
    return 1;
}

static int lq_mb_end(struct lq_backend *b, struct lq_err *err)
{
    (void)b;
    (void)err;
    return 0;
}

static void lq_mb_destroy(struct lq_backend *b)
{
    lq_model_free(lq_mb(b)->m);
    free(b->priv);
    free(b);
}

static const struct lq_backend_ops lq_model_ops = {
    .name = "model",
    .caps = LQ_CAP_PREDICTS | LQ_CAP_PACES | LQ_CAP_FOLLOWS,
    .begin = lq_mb_begin,
    .sysctl = lq_mb_sysctl,
    .listen = lq_mb_listen,
    .sockopt = lq_mb_sockopt,
    .segment = lq_mb_segment,
    .sockcall = lq_mb_sockcall,
    .accept = lq_mb_accept,
    .wait = lq_mb_wait,
    .state = lq_mb_state,
    .end = lq_mb_end,
    .destroy = lq_mb_destroy,
    .counter = lq_mb_counter,
    .decisions = lq_mb_decisions,
    .scope_end = lq_mb_scope_end,
    .stats = lq_mb_stats,
    .clock_at = lq_mb_clock_at,
};

struct lq_backend *lq_backend_model_new(const struct lq_profile *profile, struct lq_err *err)
{
    struct lq_model *m = lq_model_new(profile);
    if (!m) {
        lq_errf(err, LQ_EXIT_ERROR, "out of memory");
        return NULL;
    }
    struct lq_backend *b = lq_xcalloc(1, sizeof(*b));
    struct lq_model_backend *mb = lq_xcalloc(1, sizeof(*mb));
    mb->m = m;
    b->ops = &lq_model_ops;
    b->priv = mb;
    snprintf(b->release, sizeof(b->release), "model %s", profile->name);
    return b;
}

bool lq_backend_is_model(const struct lq_backend *b)
{
    return b && b->ops == &lq_model_ops;
}

void lq_backend_model_set_bug(struct lq_backend *b, enum lq_model_bug bug)
{
    if (lq_backend_is_model(b))
        lq_model_set_bug(lq_mb(b)->m, bug);
}

struct lq_model *lq_backend_model_get(struct lq_backend *b)
{
    return lq_backend_is_model(b) ? lq_mb(b)->m : NULL;
}
