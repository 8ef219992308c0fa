/* harness/run/follow.c: see follow.h. */
#include "follow.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/decision.h"

uint64_t lq_trace_first_jiffies(const struct lq_trace *t)
{
    for (size_t i = 0; i < t->nobs; i++)
        if (t->obs[i].jiffies_at)
            return t->obs[i].jiffies_at;
    return 0;
}

static const char *lq_dp_name(uint16_t dp)
{
    const struct lq_dp_info *info = lq_dp_info((enum lq_dp)dp);
    return info ? info->name : "nothing";
}

/* The decision points one observation has and the other lacks (as
 * multisets), up to 3, as "a, b, c" (or "nothing"). */
static void lq_dp_diff(const struct lq_trace *x, const struct lq_obs *ox, const struct lq_trace *y,
                       const struct lq_obs *oy, char *buf, size_t len)
{
    bool used[64] = {false};
    size_t n = 0, at = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < ox->ndps && n < 3; i++) {
        uint16_t dp = x->dps[ox->first_dp + i];
        bool found = false;
        for (uint32_t k = 0; k < oy->ndps && k < 64 && !found; k++)
            if (!used[k] && y->dps[oy->first_dp + k] == dp)
                used[k] = found = true;
        if (found)
            continue;
        int w = snprintf(buf + at, len - at, "%s%s", n ? ", " : "", lq_dp_name(dp));
        if (w < 0 || (size_t)w >= len - at)
            break;
        at += (size_t)w;
        n++;
    }
    if (!n)
        snprintf(buf, len, "nothing more");
}

/* Where the two reference runs take different decisions before directive
 * `upto`: at the event the expectation follows when they differ there, else
 * at the first event where they do. */
static void lq_follow_where(const struct lq_scenario *sc, const struct lq_trace *nt,
                            const struct lq_trace *ft, const struct lq_trace *subject,
                            uint32_t upto, uint32_t hz, char *buf, size_t len)
{
    buf[0] = '\0';
    size_t n = nt->nobs < ft->nobs ? nt->nobs : ft->nobs;
    size_t last = n, first = n;
    for (size_t i = 0; i < n && nt->obs[i].dir < upto; i++) {
        const struct lq_obs *a = &nt->obs[i], *b = &ft->obs[i];
        if (a->dir != b->dir)
            return;
        bool same = a->ndps == b->ndps;
        for (uint32_t k = 0; same && k < a->ndps; k++)
            same = nt->dps[a->first_dp + k] == ft->dps[b->first_dp + k];
        if (!same && first == n)
            first = i;
        last = same ? n : i;
    }
    size_t at = last < n ? last : first;
    if (at == n)
        return;
    const struct lq_obs *a = &nt->obs[at], *b = &ft->obs[at];
    const struct lq_obs *so = lq_trace_find(subject, a->dir);
    uint64_t j0 = lq_trace_first_jiffies(subject);
    double ms = so && so->jiffies_at >= j0 && hz ? (double)(so->jiffies_at - j0) * 1000.0 / hz : 0;
    char x[96], y[96];
    lq_dp_diff(ft, b, nt, a, x, sizeof(x));
    lq_dp_diff(nt, a, ft, b, y, sizeof(y));
    snprintf(buf, len, "; at line %u (%.0f ms in) it takes %s where the scenario's timing takes %s",
             sc->d[a->dir].line, ms, x, y);
}

size_t lq_follow_judge(const struct lq_scenario *sc, struct lq_result *res,
                       const struct lq_result *nominal, const struct lq_trace *ntrace,
                       const struct lq_result *followed, const struct lq_trace *ftrace,
                       const struct lq_trace *subject, uint32_t hz)
{
    size_t marked = 0;
    uint64_t j0 = lq_trace_first_jiffies(subject);
    if (!j0)
        j0 = lq_trace_first_jiffies(ftrace); /* the clock it was started at */
    for (size_t i = 0; i < res->nexps; i++) {
        struct lq_exp_result *e = &res->exps[i];
        if (e->role != LQ_ROLE_SUBJECT || e->outcome != LQ_EXP_FAILS)
            continue;
        const struct lq_exp_result *n = lq_result_exp_find(nominal, e->dir, LQ_ROLE_REFERENCE);
        const struct lq_exp_result *f = lq_result_exp_find(followed, e->dir, LQ_ROLE_REFERENCE);
        if (!n || !f || n->outcome != LQ_EXP_HOLDS || f->outcome != LQ_EXP_FAILS)
            continue;
        char where[320];
        lq_follow_where(sc, ntrace, ftrace, subject, e->dir, hz, where, sizeof(where));
        snprintf(e->why, sizeof(e->why),
                 "the kernel's clock decided it (jiffies32 %" PRIu32 " at the start, HZ %" PRIu32
                 "), not the scenario's timing: the model at that clock fails it too%s",
                 (uint32_t)j0, hz, where);
        e->outcome = LQ_EXP_UNCHECKED;
        e->by_clock = true;
        res->nexp_failed--;
        marked++;
    }
    return marked;
}

size_t lq_result_clock_unchecked(const struct lq_result *res)
{
    size_t n = 0;
    for (size_t i = 0; i < res->nexps; i++)
        n += res->exps[i].by_clock;
    return n;
}
