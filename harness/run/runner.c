/* harness/run/runner.c: see runner.h. */
#include "runner.h"

#include "follow.h"
#include "refollow.h"
#include "util/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LQ_PORT_FIRST 30000u
#define LQ_PORT_LAST  59999u

/* The scenario's clock when no backend has one of its own. */
static const struct lq_clock lq_default_clock = {.jiffies64 = 0x40000000u, .hz = 1000};

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
    r->replies.at_us = -1;
    lq_result_init(&r->pace_res);
    lq_result_init(&r->follow_res);
}

void lq_runner_free(struct lq_runner *r)
{
    lq_replies_free(&r->replies);
    lq_client_free(&r->client);
    free(r->pacing.after);
    lq_result_free(&r->pace_res);
    lq_result_free(&r->follow_res);
}

void lq_result_init(struct lq_result *res)
{
    memset(res, 0, sizeof(*res));
    for (int k = 0; k < LQ_ROLE_COUNT; k++)
        lq_trace_init(&res->trace[k], (enum lq_role)k);
}

void lq_result_free(struct lq_result *res)
{
    for (int k = 0; k < LQ_ROLE_COUNT; k++)
        lq_trace_free(&res->trace[k]);
    free(res->exps);
    lq_result_init(res);
}

void lq_result_side_name(const struct lq_result *res, enum lq_role role, char *buf, size_t len)
{
    const struct lq_trace *other =
        &res->trace[role == LQ_ROLE_REFERENCE ? LQ_ROLE_SUBJECT : LQ_ROLE_REFERENCE];
    lq_trace_side_name(&res->trace[role], other->backend[0] ? other : NULL, buf, len);
}

uint16_t lq_runner_next_port(struct lq_runner *r)
{
    uint16_t p = r->port_next;
    r->port_next = p >= LQ_PORT_LAST ? LQ_PORT_FIRST : (uint16_t)(p + 1);
    return p;
}

const struct lq_exp_result *lq_result_exp_find(const struct lq_result *res, uint32_t dir,
                                               enum lq_role role)
{
    for (size_t i = 0; i < res->nexps; i++)
        if (res->exps[i].dir == dir && res->exps[i].role == (uint8_t)role)
            return &res->exps[i];
    return NULL;
}

static void lq_result_exp(struct lq_result *res, uint32_t dir, enum lq_role role, uint8_t outcome,
                          const char *why)
{
    res->exps = lq_grow(res->exps, &res->exps_cap, res->nexps + 1, sizeof(*res->exps));
    struct lq_exp_result *e = &res->exps[res->nexps++];
    e->dir = dir;
    e->role = (uint8_t)role;
    e->outcome = outcome;
    e->by_clock = false;
    snprintf(e->why, sizeof(e->why), "%s", why);
    if (outcome == LQ_EXP_FAILS)
        res->nexp_failed++;
}

/* ---- one backend through the scenario ---- */

/* A named counter the model does not know (`expect counter TcpExtFoo N`):
 * its value at the start, when the backend can read it. */
struct lq_named {
    bool ok;
    int64_t base;
};

struct lq_side {
    struct lq_runner *r;
    struct lq_backend *b;
    enum lq_role role;
    const struct lq_scenario *sc;
    struct lq_trace *t;
    struct lq_result *res;
    bool every;    /* counters after every event */
    bool paced;    /* waits where the pacing trace says a timer fires */
    bool realtime; /* LQ_CAP_REALTIME */
    bool follows;  /* at the clock of r->follow (follow.h) */
    struct lq_state base;
    struct lq_named *named;
    int64_t t0;
    size_t last_idx, last_accept_idx; /* observations of the last event and accept() */
    bool have_last, have_accept;
    bool settled_in_vain; /* a settle for a failing expectation brought nothing that held */
};

/* Turns the backend's replies into observed packets of o. */
static void lq_side_take(struct lq_side *s, struct lq_obs *o, const struct lq_seg *trigger)
{
    struct lq_runner *r = s->r;
    if (r->replies.at_us >= 0)
        o->t_us = r->replies.at_us; /* the backend's own record of when the call began */
    /* the call's own clock; what a settle adds later does not move it */
    if (!o->jiffies_at)
        o->jiffies_at = r->replies.jiffies_at;
    if (!o->jiffies_end)
        o->jiffies_end = r->replies.jiffies_end;
    if (!o->jiffies_early)
        o->jiffies_early = r->replies.jiffies_early;
    if (!o->jiffies_late)
        o->jiffies_late = r->replies.jiffies_late;
    for (size_t i = 0; i < r->replies.n; i++) {
        const struct lq_reply *rep = &r->replies.r[i];
        struct lq_obs_pkt *p = lq_trace_add_pkt(s->t, o);
        lq_client_classify(&r->client, rep->timing == LQ_PKT_NOW ? trigger : NULL, &rep->seg,
                           rep->cookie, rep->timing == LQ_PKT_DEFERRED, p);
        p->timing = rep->timing;
        /* a delayed ACK echoes ts_recent as it is when its timer fires */
        if (rep->timing == LQ_PKT_DEFERRED || rep->timing == LQ_PKT_DEFERRED_FIRED)
            p->tsecr = -1;
        p->t_us = rep->t_us;
        p->frame = rep->frame;
        p->seg = rep->seg;
    }
    lq_replies_clear(&r->replies);
}

/* After an event call: the decision points it took and whether the
 * backend's scope ended there. */
static void lq_side_notes(struct lq_side *s, struct lq_obs *o)
{
    const uint16_t *dps;
    size_t n = lq_backend_decisions(s->b, &dps);
    for (size_t i = 0; i < n; i++)
        lq_trace_add_dp(s->t, o, dps[i]);
    const char *why = s->t->beyond ? NULL : lq_backend_scope_end(s->b);
    if (why) {
        s->t->beyond = true;
        s->t->beyond_dir = o->dir;
        snprintf(s->t->beyond_why, sizeof(s->t->beyond_why), "%s", why);
    }
}

/* Waits (bounded) for a packet to conn that a timer of the backend sends a
 * little after the event t->obs[idx], and adds what came to that event. */
static int lq_side_settle(struct lq_side *s, size_t idx, uint16_t conn, uint64_t max_ms,
                          struct lq_err *err)
{
    struct lq_runner *r = s->r;
    int64_t s0 = lq_now_us();
    if (lq_backend_settle(s->b, max_ms, conn, &r->replies, err))
        return -1;
    struct lq_obs *lo = &s->t->obs[idx];
    /* appended packets must stay contiguous with the event's own */
    if (lo->first_pkt + lo->npkts == s->t->npkts) {
        for (size_t k = 0; k < r->replies.n; k++)
            r->replies.r[k].t_us += s0 - s->t0 - lo->t_us;
        lq_side_take(s, lo, NULL);
    }
    lq_replies_clear(&r->replies);
    return 0;
}

/* ---- pacing ---- */

/* From a pacing trace: after which directive a timer due at the next jiffy
 * sends which packet (the trace has it at the start of the next event). */
static void lq_pacing_plan(struct lq_pacing *pc, const struct lq_scenario *sc,
                           const struct lq_trace *guide)
{
    pc->after = lq_grow(pc->after, &pc->cap, sc->n ? sc->n : 1, sizeof(*pc->after));
    for (size_t i = 0; i < sc->n; i++)
        pc->after[i] = NULL;
    for (size_t i = 1; i < guide->nobs; i++) {
        const struct lq_obs *o = &guide->obs[i];
        for (uint32_t k = 0; k < o->npkts; k++) {
            const struct lq_obs_pkt *p = &guide->pkts[o->first_pkt + k];
            if (p->timing == LQ_PKT_NEXT_JIFFY && guide->obs[i - 1].dir < sc->n)
                pc->after[guide->obs[i - 1].dir] = p;
        }
    }
    pc->ready = true;
}

/* After event t->obs[idx] of a real-time backend: its timer due at the next
 * jiffy fires while the next events already arrive, and whether it has
 * decides what they meet. So the run waits for the packet the pacing trace
 * has (bounded: three jiffies and 5 ms) and files it under the next event,
 * where it belongs. */
static int lq_side_pace(struct lq_side *s, size_t idx, const struct lq_obs_pkt *want,
                        struct lq_err *err)
{
    struct lq_trace *t = s->t;
    struct lq_obs *o = &t->obs[idx];
    bool seen = false;
    for (uint32_t k = 0; k < o->npkts && !seen; k++)
        seen = lq_obs_pkt_same(&t->pkts[o->first_pkt + k], want);
    uint32_t hz = s->r->pacing.hz ? s->r->pacing.hz : 100;
    if (!seen && lq_side_settle(s, idx, want->conn, 3000u / hz + 5u, err))
        return -1;
    o = &t->obs[idx];
    /* this event's packets are the last of the trace */
    for (uint32_t k = o->npkts; k-- > 0;) {
        if (lq_obs_pkt_same(&t->pkts[o->first_pkt + k], want)) {
            lq_trace_carry(t, o, k);
            break;
        }
    }
    return 0;
}

/* The same for the reference at the subject's clock (follow.h): the
 * subject's run filed the packet under the next event, seen in this
 * event's window or not (lq_side_pace), so this run files its copy there
 * too. At the subject's clock the timer may fire before this event's
 * barrier (the barrier went out a jiffy or more after the event: a loaded
 * machine), where the scenario's own timing has it at the start of the next
 * event; either way the kernel sent it between the two events' calls. */
static void lq_side_carry_fired(struct lq_side *s, size_t idx, const struct lq_obs_pkt *want)
{
    struct lq_trace *t = s->t;
    struct lq_obs *o = &t->obs[idx];
    for (uint32_t k = o->npkts; k-- > 0;) {
        const struct lq_obs_pkt *p = &t->pkts[o->first_pkt + k];
        if (lq_pkt_timer_fired(p->timing) && lq_obs_pkt_same(p, want)) {
            lq_trace_carry(t, o, k);
            break;
        }
    }
}

/* ---- directives ---- */

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

/* The observation of directive dir in the trace being followed: the runs go
 * through the directives in order, so a cursor finds it. */
static const struct lq_obs *lq_follow_obs(struct lq_runner *r, uint32_t dir)
{
    const struct lq_trace *f = r->follow;
    while (r->follow_next < f->nobs && f->obs[r->follow_next].dir < dir)
        r->follow_next++;
    return r->follow_next < f->nobs && f->obs[r->follow_next].dir == dir ? &f->obs[r->follow_next]
                                                                         : NULL;
}

/* The jiffy the followed run handled an event in: its jiffies_at, or the
 * other one lq_runner_refollow chose. */
static uint64_t lq_follow_jiffies_at(const struct lq_runner *r, const struct lq_obs *fo)
{
    return lq_alt_jiffies(&r->alt, fo);
}

/* Following another run's clock: the time that passed there before this
 * event (after: while it ran, up to its barrier) passes here too, and what
 * timers send meanwhile goes to o. */
static int lq_side_follow(struct lq_side *s, struct lq_obs *o, uint64_t jiffies, bool after,
                          struct lq_err *err)
{
    if (!jiffies)
        return 0;
    int passed = lq_backend_clock_at(s->b, jiffies, after, &s->r->replies, err);
    if (passed < 0)
        return -1;
    lq_side_take(s, o, NULL);
    if (passed)
        lq_side_notes(s, o);
    return 0;
}

/* The client, the backend's set-up (the profile's sysctl defaults), the
 * state and named counters at the start. */
static int lq_side_begin(struct lq_side *s, uint16_t lport, const struct lq_clock *clock,
                         struct lq_err *err)
{
    struct lq_runner *r = s->r;
    lq_trace_reset(s->t, s->role, lq_backend_name(s->b), lq_backend_has(s->b, LQ_CAP_PREDICTS));
    lq_client_free(&r->client);
    if (lq_client_init(&r->client, s->sc, lport))
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    lq_replies_clear(&r->replies);

    struct lq_begin bg = {.sc = s->sc,
                          .lport = lport,
                          .family = s->sc->run_family,
                          .clock = *clock,
                          .follows = s->follows,
                          .nlsn = lq_scenario_nlisteners(s->sc)};
    for (size_t l = 0; l < s->sc->nlsn; l++)
        bg.reuseport[l] = s->sc->lsn_reuseport[l];
    r->follow_next = 0;
    for (int k = 0; k < LQ_SYSCTL_COUNT; k++)
        bg.sysctl[k] = lq_model_sysctl_default(&r->profile, (enum lq_sysctl)k);
    if (lq_backend_begin(s->b, &bg, err))
        return -1;
    memset(&s->base, 0, sizeof(s->base));
    if (lq_backend_state(s->b, &s->base, true, err))
        return -1;
    memcpy(s->t->ctr_present, s->base.ctr_present, sizeof(s->t->ctr_present));

    const struct lq_scenario *sc = s->sc;
    s->named = lq_xcalloc(sc->ncounter_names, sizeof(*s->named));
    for (size_t k = 0; k < sc->ncounter_names; k++) {
        struct lq_err e2;
        if (lq_counter_by_name(sc->counter_names[k]) >= 0)
            continue;
        s->named[k].ok =
            lq_backend_counter(s->b, sc->counter_names[k], &s->named[k].base, &e2) == 0;
    }
    s->t0 = lq_now_us();
    return 0;
}

/* Whether a failing packet expectation i is worth a settle on side s. Not
 * when the reference, run first, fails it too: it predicts no such packet,
 * late or not, and a wait would only let the kernel's timers run on in real
 * time past the reference's clock (a request's SYN-ACK timer firing after a
 * few of them). Not after a settle of this run brought nothing that held:
 * the scenario fails already, and every further one would wait its whole
 * bound (a scenario of many wrong expectations: minutes). */
static bool lq_side_may_settle(const struct lq_side *s, uint32_t i)
{
    if (s->settled_in_vain)
        return false;
    if (s->role == LQ_ROLE_REFERENCE || !s->res->ran[LQ_ROLE_REFERENCE])
        return true;
    const struct lq_exp_result *e = lq_result_exp_find(s->res, i, LQ_ROLE_REFERENCE);
    return !e || e->outcome != LQ_EXP_FAILS;
}

/* An `expect` line, on this backend's trace so far. */
static int lq_side_expect(struct lq_side *s, uint32_t i, struct lq_err *err)
{
    const struct lq_scenario *sc = s->sc;
    struct lq_trace *t = s->t;
    const struct lq_obs *last = s->have_last ? &t->obs[s->last_idx] : NULL;
    const struct lq_obs *last_accept = s->have_accept ? &t->obs[s->last_accept_idx] : NULL;
    const struct lq_expect *x = &sc->d[i].u.expect;
    char why[256];
    bool nok = false;
    int64_t ndelta = 0;
    if (x->kind == LQ_X_COUNTER && lq_counter_by_name(sc->counter_names[x->counter]) < 0 &&
        s->named[x->counter].ok) {
        int64_t v;
        struct lq_err e2;
        if (lq_backend_counter(s->b, sc->counter_names[x->counter], &v, &e2) == 0) {
            nok = true;
            ndelta = v - s->named[x->counter].base;
        }
    }
    enum lq_expect_outcome out =
        lq_expect_check(sc, i, t, last, last, last_accept, nok, ndelta, why, sizeof(why));
    if (t->beyond) {
        /* past what the backend's answers can be held to */
        snprintf(why, sizeof(why), "beyond the %s from line %u", t->backend,
                 sc->d[t->beyond_dir].line);
        lq_result_exp(s->res, i, s->role, LQ_EXP_UNCHECKED, why);
        return 0;
    }
    /* A packet a real-time backend sends from a timer a little later (a
     * delayed ACK): wait for it, bounded, before calling it missing. */
    if (out == LQ_EXP_FAILS && x->kind == LQ_X_PKT && s->have_last && lq_backend_can_settle(s->b) &&
        lq_side_may_settle(s, i)) {
        if (lq_side_settle(s, s->last_idx, x->conn, (uint64_t)s->r->settle_ms, err))
            return -1;
        const struct lq_obs *now = &t->obs[s->last_idx];
        out = lq_expect_check(sc, i, t, now, now, last_accept, nok, ndelta, why, sizeof(why));
        s->settled_in_vain = s->settled_in_vain || out == LQ_EXP_FAILS;
    }
    lq_result_exp(s->res, i, s->role, (uint8_t)out, why);
    return 0;
}

/* The call of one event directive; its replies go to o. */
static int lq_side_call(struct lq_side *s, const struct lq_directive *d, struct lq_obs *o,
                        struct lq_err *err)
{
    struct lq_runner *r = s->r;
    struct lq_backend *b = s->b;
    int rc = 0, res_i = 0;
    uint16_t mss = 0;
    switch (d->kind) {
    case LQ_D_SYSCTL:
        rc = lq_backend_sysctl(b, (enum lq_sysctl)d->u.sysctl.id, d->u.sysctl.value, err);
        break;
    case LQ_D_LISTEN:
        rc = lq_backend_listen(b, d->lsn, d->u.backlog, &res_i, &r->replies, err);
        o->rc = res_i;
        if (!rc)
            lq_side_take(s, o, NULL);
        break;
    case LQ_D_SOCKOPT:
        rc = lq_backend_sockopt(b, d->lsn, (enum lq_sockopt)d->u.sockopt.opt, d->u.sockopt.value,
                                &res_i, &r->replies, err);
        o->rc = res_i;
        if (!rc)
            lq_side_take(s, o, NULL);
        break;
    case LQ_D_SYN:
    case LQ_D_ACK:
    case LQ_D_RST:
    case LQ_D_FIN:
    case LQ_D_SEG:
    case LQ_D_ICMP:
        lq_client_build(&r->client, d, &o->sent);
        o->sent_valid = true;
        rc = lq_backend_segment(b, &o->sent, &r->replies, err);
        if (!rc)
            lq_side_take(s, o, &o->sent);
        break;
    case LQ_D_CLOSE:
    case LQ_D_SHUTDOWN: {
        struct lq_sockcall c = lq_directive_sockcall(d);
        rc = lq_backend_sockcall(b, &c, &res_i, &r->replies, err);
        o->rc = res_i;
        if (!rc)
            lq_side_take(s, o, NULL);
        break;
    }
    case LQ_D_ACCEPT:
        rc = lq_backend_accept(b, d->lsn, &res_i, &mss, &r->replies, err);
        if (!rc) {
            o->accept = res_i;
            o->accept_mss = res_i >= 0 ? mss : -1;
            lq_side_take(s, o, NULL);
            s->have_accept = true;
            s->last_accept_idx = s->t->nobs - 1;
        }
        break;
    case LQ_D_WAIT: {
        int64_t waited = 0;
        rc = lq_backend_wait(b, d->u.wait_ms, &r->replies, &waited, err);
        o->wait_us = waited;
        if (!rc)
            lq_side_take(s, o, NULL);
        break;
    }
    }
    return rc;
}

/* One event directive: the call, the state after it, pacing. */
static int lq_side_event(struct lq_side *s, uint32_t i, struct lq_err *err)
{
    struct lq_runner *r = s->r;
    struct lq_trace *t = s->t;
    struct lq_obs *o = lq_trace_add_obs(t);
    o->dir = i;
    /* when the event began: the real time for a real-time backend, none
     * for one in virtual time, unless the backend says (lq_side_take) */
    o->t_us = s->realtime ? lq_now_us() - s->t0 : 0;
    const struct lq_obs *fo = s->follows ? lq_follow_obs(r, i) : NULL;
    if (fo && lq_side_follow(s, o, lq_follow_jiffies_at(r, fo), false, err))
        return -1;
    if (lq_side_call(s, &s->sc->d[i], o, err))
        return -1;
    o = &t->obs[t->nobs - 1];
    lq_side_notes(s, o);
    if (fo && lq_side_follow(s, o, lq_alt_jiffies_end(&r->alt, fo), true, err))
        return -1;

    struct lq_state st;
    memset(st.lacceptq, 0, sizeof(st.lacceptq));
    memset(st.lbacklog, 0, sizeof(st.lbacklog));
    memset(st.lsynq, 0, sizeof(st.lsynq));
    if (lq_backend_state(s->b, &st, lq_needs_counters(s->sc, i, s->every), err))
        return -1;
    o->acceptq = st.acceptq;
    o->backlog = st.backlog;
    o->synq = st.synq;
    int nlsn = lq_scenario_nlisteners(s->sc);
    for (int l = 0; l < LQ_MAX_LISTENERS; l++) {
        o->lacceptq[l] = l == 0 ? st.acceptq : l < nlsn ? st.lacceptq[l] : 0;
        o->lbacklog[l] = l == 0 ? st.backlog : l < nlsn ? st.lbacklog[l] : 0;
        o->lsynq[l] = l == 0 ? st.synq : l < nlsn ? st.lsynq[l] : 0;
    }
    o->ctr_valid = st.ctr_valid && s->base.ctr_valid;
    for (int k = 0; k < LQ_CTR_COUNT && o->ctr_valid; k++)
        o->ctr[k] = (int64_t)(st.ctr[k] - s->base.ctr[k]);
    s->have_last = true;
    s->last_idx = t->nobs - 1;
    if (s->paced && i < r->pacing.cap && r->pacing.after[i])
        return lq_side_pace(s, s->last_idx, r->pacing.after[i], err);
    if (s->follows && r->pacing.ready && i < r->pacing.cap && r->pacing.after[i])
        lq_side_carry_fired(s, s->last_idx, r->pacing.after[i]);
    return 0;
}

/* Runs the scenario on backend b in role `role`, filling res->trace[role]
 * (or the trace given) and the expectation results. */
static int lq_run_side(struct lq_runner *r, struct lq_backend *b, enum lq_role role,
                       const struct lq_scenario *sc, uint16_t lport, const struct lq_clock *clock,
                       struct lq_result *res, bool every, bool paced, struct lq_err *err)
{
    struct lq_side s = {.r = r,
                        .b = b,
                        .role = role,
                        .sc = sc,
                        .t = &res->trace[role],
                        .res = res,
                        .every = every,
                        .paced = paced,
                        .realtime = lq_backend_has(b, LQ_CAP_REALTIME),
                        .follows = r->follow != NULL};
    int rc = lq_side_begin(&s, lport, clock, err);
    for (uint32_t i = 0; i < sc->n && rc == 0; i++) {
        uint8_t kind = sc->d[i].kind;
        if (kind == LQ_D_EXPECT && !r->expect_off[role])
            rc = lq_side_expect(&s, i, err);
        else if (lq_dir_is_event(kind))
            rc = lq_side_event(&s, i, err);
    }
    free(s.named);
    struct lq_err e2;
    int end_rc = lq_backend_end(b, rc ? &e2 : err);
    if (rc) {
        s.t->failed = true;
        return -1;
    }
    return end_rc;
}

/* ---- the scenario ---- */

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

/* The reference again, at the subject's clock (follow.h): its trace is the
 * one compared with the subject's, and the subject's expectation failures
 * it shares, where the scenario's own timing does not, are the clock's. The
 * subject's clock: its first event's jiffy, or without jiffies per event
 * (no exact clock) the scenario's, and then the time does not follow. */
static void lq_runner_follow(struct lq_runner *r, const struct lq_scenario *sc,
                             struct lq_result *res, struct lq_backend *ref,
                             const struct lq_clock *clock)
{
    const struct lq_trace *st = &res->trace[LQ_ROLE_SUBJECT];
    struct lq_clock at = *clock;
    uint64_t j0 = lq_trace_first_jiffies(st);
    if (j0)
        at.jiffies64 = j0;
    struct lq_result *fr = &r->follow_res;
    fr->nexps = fr->nexp_failed = 0;
    r->follow = st;
    struct lq_err e;
    int rc = lq_run_side(r, ref, LQ_ROLE_REFERENCE, sc, res->lport, &at, fr,
                         r->counters_every_event, false, &e);
    r->follow = NULL;
    if (rc)
        return;
    const struct lq_result *nominal = res->ran[LQ_ROLE_REFERENCE] ? res : &r->pace_res;
    lq_follow_judge(sc, res, nominal, &nominal->trace[LQ_ROLE_REFERENCE], fr,
                    &fr->trace[LQ_ROLE_REFERENCE], st, at.hz);
    if (res->ran[LQ_ROLE_REFERENCE]) {
        struct lq_trace tmp = res->trace[LQ_ROLE_REFERENCE];
        res->trace[LQ_ROLE_REFERENCE] = fr->trace[LQ_ROLE_REFERENCE];
        fr->trace[LQ_ROLE_REFERENCE] = tmp;
    }
}

/* One more following run with r->alt's jiffies (refollow.h): the
 * reference's trace at the scenario's own timing back in place, the
 * reference at the subject's clock again, compared into d. */
struct lq_refollow_ctx {
    struct lq_runner *r;
    const struct lq_scenario *sc;
    struct lq_result *res;
    struct lq_backend *ref;
    const struct lq_clock *clock;
};

static bool lq_follow_again(void *arg, struct lq_divergence *d)
{
    struct lq_refollow_ctx *c = arg;
    struct lq_result *res = c->res;
    struct lq_trace tmp = res->trace[LQ_ROLE_REFERENCE];
    res->trace[LQ_ROLE_REFERENCE] = c->r->follow_res.trace[LQ_ROLE_REFERENCE];
    c->r->follow_res.trace[LQ_ROLE_REFERENCE] = tmp;
    lq_runner_follow(c->r, c->sc, res, c->ref, c->clock);
    c->r->late_refollows++;
    memset(d, 0, sizeof(*d));
    d->frame = -1;
    return lq_compare_traces(c->sc, &res->trace[LQ_ROLE_REFERENCE], &res->trace[LQ_ROLE_SUBJECT],
                             d);
}

static bool lq_runner_refollow(struct lq_runner *r, const struct lq_scenario *sc,
                               struct lq_result *res, struct lq_backend *ref,
                               const struct lq_clock *clock)
{
    if (!res->ran[LQ_ROLE_REFERENCE])
        return false;
    struct lq_refollow_ctx c = {.r = r, .sc = sc, .res = res, .ref = ref, .clock = clock};
    return lq_refollow(&res->trace[LQ_ROLE_SUBJECT], &res->div, &r->alt, lq_follow_again, &c);
}

/* The scenario again, at most twice, until a run that ran and is settled;
 * the first such run's result replaces *res. *runs counts the runs. */
static void lq_rerun_until(struct lq_runner *r, const struct lq_scenario *sc, struct lq_result *res,
                           bool (*settled)(const struct lq_result *), size_t *runs)
{
    for (int k = 0; k < 2; k++) {
        struct lq_result again;
        lq_result_init(&again);
        struct lq_err e;
        (*runs)++;
        int rc = lq_run_scenario(r, sc, &again, &e);
        bool better =
            rc == 0 && again.status != LQ_ST_ERROR && again.status != LQ_ST_SKIP && settled(&again);
        if (better) {
            struct lq_result tmp = *res;
            *res = again;
            again = tmp;
        }
        lq_result_free(&again);
        if (better)
            break;
    }
}

/* Expectations the clock left unchecked (follow.h): a run where they are
 * checked is settled. */
static bool lq_clock_checked(const struct lq_result *res)
{
    return lq_result_clock_unchecked(res) == 0;
}

/* A divergence that is only a flow label the subject drew equal to an
 * earlier one of its connection (compare.h, label_collision: a chance of
 * label_earlier in 2^20): a run without one is settled. A rule that the two
 * sides do not share (a kernel that keeps the label where the profile says
 * it changes) parts every time, and the divergence stays. */
static bool lq_no_label_collision(const struct lq_result *res)
{
    return !(res->div.found && res->div.label_collision);
}

/* The scenario's clock: the first backend's with a clock of its own (the
 * subject's, a kernel's, before the others). Whether it is the subject's. */
static bool lq_scenario_clock(struct lq_runner *r, struct lq_clock *clock)
{
    struct lq_backend *order[] = {r->backend[LQ_ROLE_SUBJECT], r->backend[LQ_ROLE_REFERENCE],
                                  r->pacer};
    *clock = lq_default_clock;
    r->pacing.hz = 0;
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        struct lq_err e;
        struct lq_clock c;
        if (order[k] && lq_backend_clock(order[k], &c, &e) == 0) {
            *clock = c;
            r->pacing.hz = c.hz;
            return k == 0;
        }
    }
    return false;
}

/* A real-time subject that the reference cannot pace is paced by the
 * pacer's trace (its expectations are not reported). */
static void lq_run_pacer(struct lq_runner *r, const struct lq_scenario *sc, uint16_t lport,
                         const struct lq_clock *clock)
{
    struct lq_err e;
    struct lq_result *pr = &r->pace_res;
    pr->nexps = pr->nexp_failed = 0;
    if (lq_run_side(r, r->pacer, LQ_ROLE_REFERENCE, sc, lport, clock, pr, false, false, &e) == 0)
        lq_pacing_plan(&r->pacing, sc, &pr->trace[LQ_ROLE_REFERENCE]);
}

int lq_run_scenario(struct lq_runner *r, const struct lq_scenario *sc, struct lq_result *res,
                    struct lq_err *err)
{
    int64_t t0 = lq_now_us();
    memset(&res->div, 0, sizeof(res->div));
    res->div.frame = -1;
    res->lport = lq_runner_next_port(r);
    res->status = LQ_ST_PASS;
    struct lq_backend *ref = r->backend[LQ_ROLE_REFERENCE];
    struct lq_backend *subj = r->backend[LQ_ROLE_SUBJECT];
    struct lq_clock clock;
    bool subject_clock = lq_scenario_clock(r, &clock);
    /* The reference to follow the subject's clock afterwards (follow.h): the
     * reference itself, else the pacer. A following one first runs at the
     * scenario's own timing, on a clock of its own at the subject's HZ. */
    struct lq_backend *follower = ref ? ref : r->pacer;
    if (!subj || !subject_clock || !follower || !lq_backend_has(follower, LQ_CAP_FOLLOWS))
        follower = NULL;
    struct lq_clock nominal = {.jiffies64 = LQ_NOMINAL_JIFFIES, .hz = clock.hz};
    const struct lq_clock *ref_clock = follower ? &nominal : &clock;

    /* the reference first: its trace may pace the subject */
    bool paced = subj && lq_backend_has(subj, LQ_CAP_REALTIME) && lq_backend_can_settle(subj);
    bool ref_paces = ref && lq_backend_has(ref, LQ_CAP_PACES);
    r->pacing.ready = false;
    if (paced && !ref_paces && r->pacer && lq_backend_has(r->pacer, LQ_CAP_PACES))
        lq_run_pacer(r, sc, res->lport, r->pacer == follower ? ref_clock : &clock);
    for (int k = 0; k < LQ_ROLE_COUNT; k++) {
        enum lq_role role = (enum lq_role)k;
        struct lq_backend *b = r->backend[role];
        if (!b)
            continue;
        struct lq_err e;
        memset(&e, 0, sizeof(e));
        bool pace_this = role == LQ_ROLE_SUBJECT && paced && r->pacing.ready;
        const struct lq_clock *c = role == LQ_ROLE_REFERENCE ? ref_clock : &clock;
        if (lq_run_side(r, b, role, sc, res->lport, c, res, r->counters_every_event, pace_this,
                        &e)) {
            res->status = e.status == LQ_EXIT_SKIP ? LQ_ST_SKIP : LQ_ST_ERROR;
            snprintf(res->reason, sizeof(res->reason), "%.32s: %.470s", lq_backend_name(b), e.msg);
            res->elapsed_us = lq_now_us() - t0;
            *err = e;
            return e.status == LQ_EXIT_SKIP || e.status == LQ_EXIT_BADINPUT ? 0 : -1;
        }
        res->ran[role] = true;
        if (role == LQ_ROLE_REFERENCE && paced && ref_paces)
            lq_pacing_plan(&r->pacing, sc, &res->trace[role]);
    }
    if (follower && res->ran[LQ_ROLE_SUBJECT])
        lq_runner_follow(r, sc, res, follower, &clock);
    const struct lq_trace *rt = &res->trace[LQ_ROLE_REFERENCE];
    if (res->ran[LQ_ROLE_REFERENCE] && !res->ran[LQ_ROLE_SUBJECT] && rt->beyond) {
        /* no comparison: the reference's own expectations stop there */
        res->div.beyond = true;
        res->div.beyond_dir = rt->beyond_dir;
        snprintf(res->div.beyond_why, sizeof(res->div.beyond_why), "%s", rt->beyond_why);
    }
    if (res->ran[LQ_ROLE_REFERENCE] && res->ran[LQ_ROLE_SUBJECT]) {
        if (!lq_compare_traces(sc, rt, &res->trace[LQ_ROLE_SUBJECT], &res->div) &&
            !(follower && lq_runner_refollow(r, sc, res, follower, &clock))) {
            res->status = LQ_ST_FAIL;
            if (res->div.counters && !r->counters_every_event)
                lq_rerun_with_counters(r, sc, res);
        }
    }
    if (res->nexp_failed)
        res->status = LQ_ST_FAIL;
    if (!r->label_rerun && res->status == LQ_ST_FAIL && !lq_no_label_collision(res)) {
        r->label_rerun = true;
        lq_rerun_until(r, sc, res, lq_no_label_collision, &r->label_reruns);
        r->label_rerun = false;
    }
    if (!r->clock_rerun && !lq_clock_checked(res)) {
        r->clock_rerun = true;
        lq_rerun_until(r, sc, res, lq_clock_checked, &r->clock_reruns);
        r->clock_rerun = false;
    }
    res->elapsed_us = lq_now_us() - t0;
    return 0;
}
