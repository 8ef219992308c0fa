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
};

static struct lq_model_backend *lq_mb(struct lq_backend *b)
{
    return b->priv;
}

/* Copies the model's output of the last call, times relative to `start`. */
static void lq_model_collect(struct lq_model *m, uint64_t start, struct lq_replies *out)
{
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
    (void)err;
    struct lq_model_backend *mb = lq_mb(b);
    mb->lport = bg->lport;
    lq_model_reset(mb->m);
    lq_model_set_clock(mb->m, bg->clock.jiffies64, bg->clock.hz);
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

static int lq_mb_listen(struct lq_backend *b, int backlog, int *rc, struct lq_replies *out,
                        struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    *rc = lq_model_listen(m, lq_mb(b)->lport, backlog);
    lq_model_collect(m, lq_model_now(m), out);
    return 0;
}

static int lq_mb_sockopt(struct lq_backend *b, enum lq_sockopt opt, int value, int *rc,
                         struct lq_replies *out, struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    *rc = lq_model_setsockopt(m, opt, value);
    lq_model_collect(m, lq_model_now(m), out);
    return 0;
}

static int lq_mb_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                         struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    uint64_t start = lq_model_now(m);
    lq_mb(b)->segments++;
    lq_model_input(m, seg);
    lq_model_collect(m, start, out);
    return 0;
}

static int lq_mb_accept(struct lq_backend *b, int *result, uint16_t *mss, struct lq_replies *out,
                        struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    uint16_t conn = 0;
    int rc = lq_model_accept(m, &conn, mss);
    *result = rc ? rc : conn;
    lq_model_collect(m, lq_model_now(m), out);
    return 0;
}

static int lq_mb_wait(struct lq_backend *b, uint64_t ms, struct lq_replies *out, int64_t *waited_us,
                      struct lq_err *err)
{
    (void)err;
    struct lq_model *m = lq_mb(b)->m;
    uint64_t start = lq_model_now(m);
    lq_model_advance(m, ms);
    lq_model_collect(m, start, out);
    *waited_us = (int64_t)ms * 1000;
    return 0;
}

static int lq_mb_state(struct lq_backend *b, struct lq_state *st, bool with_counters,
                       struct lq_err *err)
{
    (void)err;
    (void)with_counters; /* free for the model: always there */
    struct lq_model *m = lq_mb(b)->m;
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    st->acceptq = q.acceptq;
    st->backlog = q.acceptq_max;
    st->synq = q.synq;
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
    .caps = LQ_CAP_PREDICTS | LQ_CAP_PACES,
    .begin = lq_mb_begin,
    .sysctl = lq_mb_sysctl,
    .listen = lq_mb_listen,
    .sockopt = lq_mb_sockopt,
    .segment = lq_mb_segment,
    .accept = lq_mb_accept,
    .wait = lq_mb_wait,
    .state = lq_mb_state,
    .end = lq_mb_end,
    .destroy = lq_mb_destroy,
    .counter = lq_mb_counter,
    .decisions = lq_mb_decisions,
    .scope_end = lq_mb_scope_end,
    .stats = lq_mb_stats,
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
