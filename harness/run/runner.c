/* harness/run/runner.c: see runner.h. */
#include "runner.h"

#include "util/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LQ_PORT_FIRST 30000u
#define LQ_PORT_LAST  59999u

static int64_t lq_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void lq_runner_init(struct lq_runner *r, const struct lq_profile *profile)
{
    memset(r, 0, sizeof(*r));
    r->profile = *profile;
    r->port_next = LQ_PORT_FIRST;
    r->settle_ms = 300;
    lq_result_init(&r->pace_res);
}

void lq_runner_free(struct lq_runner *r)
{
    lq_replies_free(&r->replies);
    lq_client_free(&r->client);
    free(r->tick_ack);
    lq_result_free(&r->pace_res);
}

void lq_result_init(struct lq_result *res)
{
    memset(res, 0, sizeof(*res));
    lq_trace_init(&res->trace[LQ_SIDE_MODEL], "model");
    lq_trace_init(&res->trace[LQ_SIDE_KERNEL], "kernel");
}

void lq_result_free(struct lq_result *res)
{
    lq_trace_free(&res->trace[0]);
    lq_trace_free(&res->trace[1]);
    free(res->exps);
    memset(res, 0, sizeof(*res));
}

uint16_t lq_runner_next_port(struct lq_runner *r)
{
    uint16_t p = r->port_next;
    r->port_next = p >= LQ_PORT_LAST ? LQ_PORT_FIRST : (uint16_t)(p + 1);
    return p;
}

static void lq_result_exp(struct lq_result *res, uint32_t dir, uint8_t side, uint8_t outcome,
                          const char *why)
{
    res->exps = lq_grow(res->exps, &res->exps_cap, res->nexps + 1, sizeof(*res->exps));
    struct lq_exp_result *e = &res->exps[res->nexps++];
    e->dir = dir;
    e->side = side;
    e->outcome = outcome;
    snprintf(e->why, sizeof(e->why), "%s", why);
    if (outcome == LQ_EXP_FAILS)
        res->nexp_failed++;
}

/* Turns the backend's replies into observed packets of o. */
static void lq_runner_take(struct lq_runner *r, struct lq_trace *t, struct lq_obs *o,
                           const struct lq_seg *trigger)
{
    for (size_t i = 0; i < r->replies.n; i++) {
        const struct lq_reply *rep = &r->replies.r[i];
        struct lq_obs_pkt *p = lq_trace_add_pkt(t, o);
        lq_client_classify(&r->client, rep->timing == LQ_PKT_NOW ? trigger : NULL, &rep->seg,
                           rep->cookie, p);
        p->timing = rep->timing;
        p->t_us = rep->t_us;
        p->dp = rep->dp;
        p->frame = rep->frame;
        p->next_jiffy = rep->next_jiffy;
    }
    for (size_t i = 0; i < r->replies.ndps; i++)
        lq_trace_add_dp(t, o, r->replies.dps[i]);
    if (r->replies.beyond && !t->beyond) {
        t->beyond = true;
        t->beyond_dir = o->dir;
        snprintf(t->beyond_why, sizeof(t->beyond_why), "%s", r->replies.beyond);
    }
    lq_replies_clear(&r->replies);
}

/* Waits (bounded) for a packet to conn that a timer of the kernel sends a
 * little after the event t->obs[idx], and adds what came to that event. */
static int lq_runner_settle(struct lq_runner *r, struct lq_backend *b, struct lq_trace *t,
                            size_t idx, uint16_t conn, uint64_t max_ms, int64_t t0,
                            struct lq_err *err)
{
    int64_t s0 = lq_now_us();
    if (b->ops->settle(b, max_ms, conn, &r->replies, err))
        return -1;
    struct lq_obs *lo = &t->obs[idx];
    /* appended packets must stay contiguous with the event's own */
    if (lo->first_pkt + lo->npkts == t->npkts) {
        for (size_t k = 0; k < r->replies.n; k++)
            r->replies.r[k].t_us += s0 - t0 - lo->t_us;
        lq_runner_take(r, t, lo, NULL);
    }
    lq_replies_clear(&r->replies);
    return 0;
}

/* From the model's trace: the delayed ACKs due at the next jiffy (an ACK
 * timer with ato 0, as a FIN on a child without data arms), which the model
 * fires before the following event. On a kernel that timer runs in real
 * time and may fire while the next events already arrive: the kernel run
 * waits for the ACK after the event that armed it and moves it to the next
 * event, where the model has it. */
static void lq_runner_tick_acks(struct lq_runner *r, const struct lq_scenario *sc,
                                const struct lq_trace *mt)
{
    r->tick_ack = lq_grow(r->tick_ack, &r->tick_ack_cap, sc->n ? sc->n : 1, sizeof(*r->tick_ack));
    for (size_t i = 0; i < sc->n; i++)
        r->tick_ack[i] = NULL;
    for (size_t i = 1; i < mt->nobs; i++) {
        const struct lq_obs *o = &mt->obs[i];
        for (uint32_t k = 0; k < o->npkts; k++) {
            const struct lq_obs_pkt *p = &mt->pkts[o->first_pkt + k];
            if (p->next_jiffy && mt->obs[i - 1].dir < sc->n)
                r->tick_ack[mt->obs[i - 1].dir] = p;
        }
    }
}

/* After event t->obs[idx] on the kernel: wait for the delayed ACK the model
 * fires before the next event, then move it from this event to tick_stash. */
static int lq_runner_tick_wait(struct lq_runner *r, struct lq_backend *b, struct lq_trace *t,
                               size_t idx, const struct lq_obs_pkt *want, int64_t t0,
                               struct lq_err *err)
{
    struct lq_obs *o = &t->obs[idx];
    bool seen = false;
    for (uint32_t k = 0; k < o->npkts && !seen; k++)
        seen = lq_obs_pkt_same(&t->pkts[o->first_pkt + k], want);
    uint32_t hz = r->kernel_hz ? r->kernel_hz : 100;
    if (!seen && lq_runner_settle(r, b, t, idx, want->conn, 3000u / hz + 5u, t0, err))
        return -1;
    o = &t->obs[idx];
    /* this event's packets are the last of the trace */
    for (uint32_t k = o->npkts; k-- > 0;) {
        struct lq_obs_pkt *p = &t->pkts[o->first_pkt + k];
        if (!lq_obs_pkt_same(p, want) || r->ntick_stash == sizeof(r->tick_stash) / sizeof(*p))
            continue;
        r->tick_stash[r->ntick_stash++] = *p;
        *p = t->pkts[o->first_pkt + o->npkts - 1];
        o->npkts--;
        t->npkts--;
        break;
    }
    return 0;
}

struct lq_named {
    bool ok;
    int64_t base;
};

/* Whether the observation after directive i needs counters: every event
 * when asked, else the last event and events an `expect counter` follows. */
static bool lq_needs_counters(const struct lq_scenario *sc, uint32_t i, bool every)
{
    if (every)
        return true;
    for (uint32_t j = i + 1; j < sc->n; j++) {
        uint8_t k = sc->d[j].kind;
        if (k == LQ_D_EXPECT && sc->d[j].u.expect.kind == LQ_X_COUNTER)
            return true;
        if (lq_dir_is_event(k))
            return false;
    }
    return true; /* the last event */
}

/* Runs the scenario on one backend, filling trace t and the expectation results. */
static int lq_run_side(struct lq_runner *r, enum lq_side side, const struct lq_scenario *sc,
                       uint16_t lport, struct lq_result *res, bool every, struct lq_err *err)
{
    struct lq_backend *b = r->side[side];
    struct lq_trace *t = &res->trace[side];
    lq_trace_reset(t, side == LQ_SIDE_MODEL ? "model" : "kernel");
    lq_client_free(&r->client);
    if (lq_client_init(&r->client, sc, lport))
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    lq_replies_clear(&r->replies);

    if (b->ops->begin(b, sc, lport, err))
        return -1;
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        if (b->ops->sysctl(b, (enum lq_sysctl)s,
                           lq_model_sysctl_default(&r->profile, (enum lq_sysctl)s), err))
            return -1;

    struct lq_state base, st;
    memset(&base, 0, sizeof(base));
    if (b->ops->state(b, &base, true, err))
        return -1;
    memcpy(t->ctr_present, base.ctr_present, sizeof(t->ctr_present));

    struct lq_named *named = calloc(sc->ncounter_names ? sc->ncounter_names : 1, sizeof(*named));
    if (!named)
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    for (size_t k = 0; k < sc->ncounter_names; k++) {
        struct lq_err e2;
        int c = lq_counter_by_name(sc->counter_names[k]);
        if (c >= 0 || !b->ops->counter)
            continue;
        named[k].ok = b->ops->counter(b, sc->counter_names[k], &named[k].base, &e2) == 0;
    }

    int64_t t0 = lq_now_us();
    const struct lq_obs *last = NULL, *last_accept = NULL;
    size_t last_idx = 0, last_accept_idx = 0;
    bool have_last = false, have_accept = false;
    int rc = 0;

    for (uint32_t i = 0; i < sc->n && rc == 0; i++) {
        const struct lq_directive *d = &sc->d[i];
        if (d->kind == LQ_D_BLANK || d->kind == LQ_D_COMMENT || d->kind == LQ_D_SEED)
            continue;
        if (d->kind == LQ_D_EXPECT) {
            last = have_last ? &t->obs[last_idx] : NULL;
            last_accept = have_accept ? &t->obs[last_accept_idx] : NULL;
            const struct lq_expect *x = &d->u.expect;
            char why[256];
            bool nok = false;
            int64_t ndelta = 0;
            if (x->kind == LQ_X_COUNTER && lq_counter_by_name(sc->counter_names[x->counter]) < 0 &&
                named[x->counter].ok) {
                int64_t v;
                struct lq_err e2;
                if (b->ops->counter(b, sc->counter_names[x->counter], &v, &e2) == 0) {
                    nok = true;
                    ndelta = v - named[x->counter].base;
                }
            }
            enum lq_expect_outcome out =
                lq_expect_check(sc, i, t, last, last, last_accept, nok, ndelta, why, sizeof(why));
            for (size_t k = 0; out == LQ_EXP_FAILS && k < r->ntick_stash; k++)
                if (lq_expect_pkt_holds(sc, i, &r->tick_stash[k]))
                    out = LQ_EXP_HOLDS; /* the delayed ACK this event drew */
            if (t->beyond) {
                /* past what the model predicts: nothing to hold it to */
                snprintf(why, sizeof(why), "beyond the model from line %u",
                         sc->d[t->beyond_dir].line);
                lq_result_exp(res, i, (uint8_t)side, LQ_EXP_UNCHECKED, why);
                continue;
            }
            /* A packet the kernel sends from a timer a little later (a
             * delayed ACK): wait for it, bounded, before calling it missing. */
            if (out == LQ_EXP_FAILS && x->kind == LQ_X_PKT && have_last && b->ops->settle) {
                if (lq_runner_settle(r, b, t, last_idx, x->conn, (uint64_t)r->settle_ms, t0, err)) {
                    rc = -1;
                    break;
                }
                out = lq_expect_check(sc, i, t, &t->obs[last_idx], &t->obs[last_idx], last_accept,
                                      nok, ndelta, why, sizeof(why));
            }
            lq_result_exp(res, i, (uint8_t)side, (uint8_t)out, why);
            continue;
        }

        struct lq_obs *o = lq_trace_add_obs(t);
        o->dir = i;
        o->t_us = side == LQ_SIDE_MODEL ? 0 : lq_now_us() - t0;
        /* The delayed ACK moved from the event before comes first. */
        for (size_t k = 0; k < r->ntick_stash; k++)
            *lq_trace_add_pkt(t, o) = r->tick_stash[k];
        r->ntick_stash = 0;
        struct lq_seg seg;
        int res_i = 0;
        uint16_t mss = 0;
        switch (d->kind) {
        case LQ_D_SYSCTL:
            rc = b->ops->sysctl(b, (enum lq_sysctl)d->u.sysctl.id, d->u.sysctl.value, err);
            break;
        case LQ_D_LISTEN:
            rc = b->ops->listen(b, d->u.backlog, &res_i, &r->replies, err);
            o->rc = res_i;
            if (!rc)
                lq_runner_take(r, t, o, NULL);
            break;
        case LQ_D_SOCKOPT:
            rc = b->ops->sockopt(b, (enum lq_sockopt)d->u.sockopt.opt, d->u.sockopt.value, &res_i,
                                 &r->replies, err);
            o->rc = res_i;
            if (!rc)
                lq_runner_take(r, t, o, NULL);
            break;
        case LQ_D_SYN:
        case LQ_D_ACK:
        case LQ_D_RST:
        case LQ_D_FIN:
            lq_client_build(&r->client, d, &seg);
            rc = b->ops->segment(b, &seg, &r->replies, err);
            if (!rc)
                lq_runner_take(r, t, o, &seg);
            break;
        case LQ_D_ACCEPT:
            rc = b->ops->accept(b, &res_i, &mss, &r->replies, err);
            if (!rc) {
                o->accept = res_i;
                o->accept_mss = res_i >= 0 ? mss : -1;
                lq_runner_take(r, t, o, NULL);
                have_accept = true;
                last_accept_idx = t->nobs - 1;
            }
            break;
        case LQ_D_WAIT: {
            int64_t waited = 0;
            rc = b->ops->wait(b, d->u.wait_ms, &r->replies, &waited, err);
            o->wait_us = waited;
            if (!rc)
                lq_runner_take(r, t, o, NULL);
            break;
        }
        }
        if (rc)
            break;
        if (b->ops->state(b, &st, lq_needs_counters(sc, i, every), err)) {
            rc = -1;
            break;
        }
        o->acceptq = st.acceptq;
        o->backlog = st.backlog;
        o->synq = st.synq;
        o->ctr_valid = st.ctr_valid && base.ctr_valid;
        for (int k = 0; k < LQ_CTR_COUNT && o->ctr_valid; k++)
            o->ctr[k] = (int64_t)(st.ctr[k] - base.ctr[k]);
        have_last = true;
        last_idx = t->nobs - 1;
        if (side == LQ_SIDE_KERNEL && r->tick_ack_ready && i < r->tick_ack_cap && r->tick_ack[i] &&
            b->ops->settle && lq_runner_tick_wait(r, b, t, last_idx, r->tick_ack[i], t0, err)) {
            rc = -1;
            break;
        }
    }
    free(named);
    struct lq_err e2;
    int end_rc = b->ops->end(b, rc ? &e2 : err);
    if (rc) {
        t->failed = true;
        return -1;
    }
    return end_rc;
}

/* The counters parted somewhere before the event where they were read: run
 * the scenario again with counters after every event to say where. A
 * scenario's result does not depend on what ran before it, so the rerun sees
 * the same kernel behaviour; if it does not diverge the same way, the first
 * report stands. */
static void lq_rerun_with_counters(struct lq_runner *r, const struct lq_scenario *sc,
                                   struct lq_result *res)
{
    struct lq_result again;
    lq_result_init(&again);
    struct lq_err e;
    r->counters_every_event = true;
    r->reruns++;
    int rc = lq_run_scenario(r, sc, &again, &e);
    r->counters_every_event = false;
    if (rc == 0 && again.div.found && again.div.dir <= res->div.dir) {
        struct lq_result tmp = *res;
        *res = again;
        again = tmp;
    }
    lq_result_free(&again);
}

int lq_run_scenario(struct lq_runner *r, const struct lq_scenario *sc, struct lq_result *res,
                    struct lq_err *err)
{
    int64_t t0 = lq_now_us();
    memset(&res->div, 0, sizeof(res->div));
    res->div.frame = -1;
    res->lport = lq_runner_next_port(r);
    res->status = LQ_ST_PASS;
    /* The kernel's clock (jiffies, HZ) seeds the model's; the model runs
     * first, so the kernel run can wait where the model fires a delayed ACK
     * at the next jiffy (lq_runner_tick_acks). */
    struct lq_backend *kern = r->side[LQ_SIDE_KERNEL];
    struct lq_backend *model = r->side[LQ_SIDE_MODEL];
    struct lq_backend *pacer = model ? model : kern ? r->pacer : NULL;
    r->kernel_hz = 0;
    if (kern && kern->ops->clock) {
        uint64_t j;
        uint32_t hz;
        if (kern->ops->clock(kern, &j, &hz, err) == 0) {
            r->kernel_hz = hz;
            if (pacer && pacer->ops->set_clock)
                pacer->ops->set_clock(pacer, j, hz);
        }
    }
    r->tick_ack_ready = false;
    r->ntick_stash = 0;
    if (kern && pacer && pacer != model) {
        struct lq_err e;
        lq_trace_reset(&r->pace_res.trace[LQ_SIDE_MODEL], "model");
        r->pace_res.nexps = r->pace_res.nexp_failed = 0;
        r->side[LQ_SIDE_MODEL] = pacer;
        int prc = lq_run_side(r, LQ_SIDE_MODEL, sc, res->lport, &r->pace_res, false, &e);
        r->side[LQ_SIDE_MODEL] = NULL;
        if (prc == 0) {
            lq_runner_tick_acks(r, sc, &r->pace_res.trace[LQ_SIDE_MODEL]);
            r->tick_ack_ready = true;
        }
    }
    static const enum lq_side order[] = {LQ_SIDE_MODEL, LQ_SIDE_KERNEL};
    for (int k = 0; k < 2; k++) {
        enum lq_side side = order[k];
        struct lq_backend *b = r->side[side];
        if (!b)
            continue;
        struct lq_err e;
        memset(&e, 0, sizeof(e));
        if (lq_run_side(r, side, sc, res->lport, res, r->counters_every_event, &e)) {
            res->status = e.status == LQ_EXIT_SKIP ? LQ_ST_SKIP : LQ_ST_ERROR;
            snprintf(res->reason, sizeof(res->reason), "%.32s: %.470s", b->ops->name, e.msg);
            res->elapsed_us = lq_now_us() - t0;
            *err = e;
            return e.status == LQ_EXIT_SKIP || e.status == LQ_EXIT_BADINPUT ? 0 : -1;
        }
        res->ran[side] = true;
        if (side == LQ_SIDE_MODEL && kern) {
            lq_runner_tick_acks(r, sc, &res->trace[LQ_SIDE_MODEL]);
            r->tick_ack_ready = true;
        }
    }
    const struct lq_trace *mt = &res->trace[LQ_SIDE_MODEL];
    if (res->ran[LQ_SIDE_MODEL] && !res->ran[LQ_SIDE_KERNEL] && mt->beyond) {
        /* no comparison: the model's own expectations stop there */
        res->div.beyond = true;
        res->div.beyond_dir = mt->beyond_dir;
        snprintf(res->div.beyond_why, sizeof(res->div.beyond_why), "%s", mt->beyond_why);
    }
    if (res->ran[LQ_SIDE_MODEL] && res->ran[LQ_SIDE_KERNEL]) {
        if (!lq_compare_traces(sc, &res->trace[LQ_SIDE_MODEL], &res->trace[LQ_SIDE_KERNEL],
                               &res->div)) {
            res->status = LQ_ST_FAIL;
            if (res->div.counters && !r->counters_every_event)
                lq_rerun_with_counters(r, sc, res);
        }
    }
    if (res->nexp_failed)
        res->status = LQ_ST_FAIL;
    res->elapsed_us = lq_now_us() - t0;
    return 0;
}
