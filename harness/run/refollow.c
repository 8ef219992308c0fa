/* harness/run/refollow.c: see refollow.h. */
#include "refollow.h"

#include <string.h>

/* What lq_refollow tried for an event: bit 0 its later jiffy, bit 1
 * its earlier one. */
struct lq_tried {
    uint32_t dir[2 * LQ_LATE_TRIES];
    uint8_t bits[2 * LQ_LATE_TRIES];
    size_t n;
};

static uint8_t *lq_tried_bits(struct lq_tried *t, uint32_t dir)
{
    for (size_t k = 0; k < t->n; k++)
        if (t->dir[k] == dir)
            return &t->bits[k];
    if (t->n == 2 * LQ_LATE_TRIES)
        return NULL;
    t->dir[t->n] = dir;
    t->bits[t->n] = 0;
    return &t->bits[t->n++];
}

/* The latest event at or before the divergence with a jiffy not tried yet
 * (answered by the subject, or the divergence's own); its side in *side. */
static const struct lq_obs *lq_refollow_next(const struct lq_trace *st, uint32_t div_dir,
                                             struct lq_tried *t, int *side)
{
    for (size_t i = st->nobs; i-- > 0;) {
        const struct lq_obs *o = &st->obs[i];
        if (o->dir > div_dir || (!o->npkts && o->dir != div_dir) ||
            !(o->jiffies_late || o->jiffies_early))
            continue;
        uint8_t *bits = lq_tried_bits(t, o->dir);
        if (!bits)
            return NULL;
        *side = o->jiffies_late && !(*bits & 1) ? 1 : o->jiffies_early && !(*bits & 2) ? 2 : 0;
        if (*side) {
            *bits |= (uint8_t)*side;
            return o;
        }
    }
    return NULL;
}

/* The earliest jiffy chosen for an event after o: the clock is monotonic,
 * so o ran and its window closed by then (a later event handled in the
 * jiffy before its write's: the tick was late for o too). */
static uint64_t lq_alt_cap(const struct lq_alt_set *a, const struct lq_obs *o)
{
    uint64_t cap = UINT64_MAX;
    for (size_t k = 0; k < a->n; k++)
        if (a->alt[k].dir > o->dir && a->alt[k].jiffies < cap)
            cap = a->alt[k].jiffies;
    return cap;
}

uint64_t lq_alt_jiffies(const struct lq_alt_set *a, const struct lq_obs *o)
{
    for (size_t k = 0; k < a->n; k++)
        if (a->alt[k].dir == o->dir)
            return a->alt[k].jiffies;
    uint64_t cap = lq_alt_cap(a, o);
    return o->jiffies_at && o->jiffies_at > cap ? cap : o->jiffies_at;
}

uint64_t lq_alt_jiffies_end(const struct lq_alt_set *a, const struct lq_obs *o)
{
    uint64_t cap = lq_alt_cap(a, o);
    uint64_t at = lq_alt_jiffies(a, o);
    uint64_t end = o->jiffies_end && o->jiffies_end > cap ? cap : o->jiffies_end;
    return end && end < at ? at : end;
}

/* The observation of directive dir in st, or NULL. */
static const struct lq_obs *lq_obs_of(const struct lq_trace *st, uint32_t dir)
{
    for (size_t i = 0; i < st->nobs; i++)
        if (st->obs[i].dir == dir)
            return &st->obs[i];
    return NULL;
}

bool lq_refollow(const struct lq_trace *st, struct lq_divergence *div, struct lq_alt_set *a,
                 lq_follow_again_fn again, void *arg)
{
    struct lq_divergence d;
    bool agrees = false;
    int runs = 0;
    /* every one answered late up to the divergence, on while it moves */
    uint32_t upto = div->dir;
    a->n = 0;
    while (!agrees && runs < LQ_LATE_TRIES) {
        size_t n = 0;
        for (size_t i = 0; i < st->nobs && n < LQ_LATE_MAX; i++)
            if (st->obs[i].jiffies_late && st->obs[i].npkts && st->obs[i].dir <= upto) {
                a->alt[n].dir = st->obs[i].dir;
                a->alt[n++].jiffies = st->obs[i].jiffies_late;
            }
        if (n == a->n)
            break; /* none more before this divergence */
        a->n = n;
        agrees = again(arg, &d);
        runs++;
        if (agrees || d.dir <= upto)
            break;
        upto = d.dir;
    }
    struct lq_tried tried = {.n = 0};
    bool current = true; /* the last run is the kept choice's */
    if (!agrees && upto > div->dir) {
        *div = d;
        for (size_t k = 0; k < a->n; k++) {
            uint8_t *bits = lq_tried_bits(&tried, a->alt[k].dir);
            if (bits)
                *bits |= 1;
        }
    } else if (!agrees) {
        current = runs == 0;
        a->n = 0;
    }
    while (!agrees && runs < LQ_LATE_TRIES && a->n < LQ_LATE_MAX) {
        int side = 0;
        const struct lq_obs *o = lq_refollow_next(st, div->dir, &tried, &side);
        if (!o)
            break;
        /* replaces an earlier choice for the same event */
        size_t k = 0;
        while (k < a->n && a->alt[k].dir != o->dir)
            k++;
        bool had = k < a->n;
        uint64_t before = had ? a->alt[k].jiffies : 0;
        a->alt[k].dir = o->dir;
        a->alt[k].jiffies = side == 1 ? o->jiffies_late : o->jiffies_early;
        if (!had)
            a->n++;
        agrees = again(arg, &d);
        runs++;
        /* it parts earlier now, at an event that may have run at another
         * jiffy too (a tick late for a stretch: both at their earlier
         * jiffies): that one with it, once */
        const struct lq_obs *o2 = !agrees && !had && d.dir < div->dir ? lq_obs_of(st, d.dir) : NULL;
        uint64_t j2 = !o2                              ? 0
                      : side == 2 && o2->jiffies_early ? o2->jiffies_early
                      : o2->jiffies_late               ? o2->jiffies_late
                                                       : o2->jiffies_early;
        if (j2 && runs < LQ_LATE_TRIES && a->n < LQ_LATE_MAX &&
            lq_alt_jiffies(a, o2) == o2->jiffies_at) {
            a->alt[a->n].dir = o2->dir;
            a->alt[a->n++].jiffies = j2;
            agrees = again(arg, &d);
            runs++;
            if (!agrees && d.dir <= div->dir)
                a->n--; /* undone with the first, below */
        }
        current = agrees || d.dir > div->dir;
        if (current && !agrees)
            *div = d;
        else if (!agrees && had)
            a->alt[k].jiffies = before;
        else if (!agrees)
            a->n--;
    }
    if (agrees) {
        *div = d;
    } else if (!current) {
        (void)again(arg, &d);
        *div = d;
    }
    a->n = 0;
    return agrees;
}
