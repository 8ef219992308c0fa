/* harness/cli/jobs_order.c: see jobs_order.h. */
#include "jobs_order.h"

#include <stdbool.h>
#include <stdlib.h>

#include "run/backend_model.h"
#include "run/runner.h"
#include "util/grow.h"

static bool lq_waiter_before(const struct lq_waiter *a, const struct lq_waiter *b)
{
    return a->wait_us != b->wait_us ? a->wait_us > b->wait_us : a->k < b->k;
}

void lq_wait_push(struct lq_wait_heap *h, struct lq_waiter w)
{
    size_t i = h->n++;
    while (i > 0 && lq_waiter_before(&w, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = w;
}

size_t lq_wait_pop(struct lq_wait_heap *h)
{
    size_t top = h->v[0].k;
    struct lq_waiter last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && lq_waiter_before(&h->v[c + 1], &h->v[c]))
            c++;
        if (!lq_waiter_before(&h->v[c], &last))
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

/* TICK_NSEC at HZ 250 (Debian's), in us: how long after its due time a
 * timer may fire, at the latest. */
#define LQ_JOBS_JIFFY_US 4000u

struct lq_estimate {
    const struct lq_scenario *sc;
    uint64_t us;
};

struct lq_jobs_estimator {
    struct lq_backend *model;
    struct lq_runner runner;
    struct lq_estimate *est; /* open addressing, at most half full */
    size_t n, cap;
};

struct lq_jobs_estimator *lq_jobs_estimator_new(const struct lq_profile *profile)
{
    struct lq_err err = {0};
    struct lq_backend *m = lq_backend_model_new(profile, &err);
    if (!m)
        return NULL;
    struct lq_jobs_estimator *e = lq_xcalloc(1, sizeof(*e));
    e->model = m;
    lq_runner_init(&e->runner, profile);
    e->runner.backend[LQ_ROLE_REFERENCE] = m;
    return e;
}

void lq_jobs_estimator_free(struct lq_jobs_estimator *e)
{
    if (!e)
        return;
    lq_runner_free(&e->runner);
    lq_backend_destroy(e->model);
    free(e->est);
    free(e);
}

/* Whether a packet to conn that the event at directive dir defers is waited
 * for: an expect line for a packet to conn follows the event before the
 * next one (the runner settles for it). Else the run goes on past it. */
static bool lq_jobs_awaited(const struct lq_scenario *sc, uint32_t dir, uint16_t conn)
{
    for (size_t j = (size_t)dir + 1; j < sc->n; j++) {
        const struct lq_directive *d = &sc->d[j];
        if (d->kind == LQ_D_BLANK || d->kind == LQ_D_COMMENT)
            continue;
        if (d->kind != LQ_D_EXPECT)
            return false;
        if (d->u.expect.kind == LQ_X_PKT && d->u.expect.conn == conn)
            return true;
    }
    return false;
}

static uint64_t lq_jobs_model_wait_us(struct lq_jobs_estimator *e, const struct lq_scenario *sc)
{
    struct lq_result res;
    lq_result_init(&res);
    struct lq_err err = {0};
    uint64_t us = 0;
    if (lq_run_scenario(&e->runner, sc, &res, &err) == 0) {
        const struct lq_trace *t = &res.trace[LQ_ROLE_REFERENCE];
        for (size_t i = 0; i < t->nobs; i++) {
            const struct lq_obs *o = &t->obs[i];
            for (uint32_t k = 0; k < o->npkts; k++) {
                const struct lq_obs_pkt *pk = &t->pkts[o->first_pkt + k];
                if (pk->timing == LQ_PKT_DEFERRED && lq_jobs_awaited(sc, o->dir, pk->conn))
                    us += (uint64_t)(pk->t_us > 0 ? pk->t_us : 0) + LQ_JOBS_JIFFY_US;
                else if (pk->timing == LQ_PKT_NEXT_JIFFY)
                    us += LQ_JOBS_JIFFY_US;
            }
        }
    }
    lq_result_free(&res);
    return us;
}

static size_t lq_estimate_slot(const struct lq_estimate *est, size_t cap,
                               const struct lq_scenario *sc)
{
    size_t h = (size_t)(((uintptr_t)sc >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);
    while (est[h].sc && est[h].sc != sc)
        h = (h + 1) & (cap - 1);
    return h;
}

uint64_t lq_jobs_timer_wait_us(struct lq_jobs_estimator *e, const struct lq_scenario *sc)
{
    if (!e)
        return 0;
    if (2 * (e->n + 1) > e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 256;
        struct lq_estimate *est = lq_xcalloc(cap, sizeof(*est));
        for (size_t i = 0; i < e->cap; i++)
            if (e->est[i].sc)
                est[lq_estimate_slot(est, cap, e->est[i].sc)] = e->est[i];
        free(e->est);
        e->est = est;
        e->cap = cap;
    }
    size_t h = lq_estimate_slot(e->est, e->cap, sc);
    if (!e->est[h].sc) {
        e->est[h].sc = sc;
        e->est[h].us = lq_jobs_model_wait_us(e, sc);
        e->n++;
    }
    return e->est[h].us;
}
