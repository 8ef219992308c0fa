/* harness/cli/jobs_order.h: which scenarios of a run with workers start
 * first (cli/jobs.c): those that wait longest for the kernel's timers.
 *
 * A slow scenario's wait is its wait lines. A fast one can wait too: for a
 * delayed ACK an expect line asks for (40 ms at the least, the runner's
 * settle) or a packet a timer sends at the next jiffy (pacing). How long is
 * estimated from the model's trace, and the longest start first (longest
 * processing time first), so that one 40 ms delayed ACK does not end a
 * 100 ms fast suite alone.
 */
#ifndef LISTENQ_HARNESS_JOBS_ORDER_H
#define LISTENQ_HARNESS_JOBS_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "lang/scenario.h"
#include "model/profile.h"

/* A scenario (its index in the suite) and how long timers make it wait. */
struct lq_waiter {
    uint64_t wait_us;
    size_t k;
};

/* A heap of them: the longest wait first, then the suite's order. The
 * caller gives v room for every push. */
struct lq_wait_heap {
    struct lq_waiter *v;
    size_t n;
};

void lq_wait_push(struct lq_wait_heap *h, struct lq_waiter w);
/* The index of the first; h->n > 0. */
size_t lq_wait_pop(struct lq_wait_heap *h);

/* The estimates: a model of the profile of its own (a clean one: not the
 * run's reference, which may be a recording or hold a planted bug), and
 * what it said of each scenario so far (--repeat runs one many times). */
struct lq_jobs_estimator;

/* NULL when no model can be made: every estimate is then 0. It knows
 * scenarios by their address: each one asked about must stay until it is
 * freed (a suite's scenarios do through their run). */
struct lq_jobs_estimator *lq_jobs_estimator_new(const struct lq_profile *profile);
void lq_jobs_estimator_free(struct lq_jobs_estimator *e);
/* How long the kernel's timers hold sc without its wait lines, in us, as
 * the model has it: each delayed ACK an expect line waits for is due t_us
 * after its event and fires at a jiffy boundary after that (up to a jiffy
 * at HZ 250 more); each packet paced to the next jiffy, a jiffy. A model run
 * (microseconds) the first time a scenario is asked about. */
uint64_t lq_jobs_timer_wait_us(struct lq_jobs_estimator *e, const struct lq_scenario *sc);

#endif
