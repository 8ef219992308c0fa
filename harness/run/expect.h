/* harness/run/expect.h: checks `expect` lines against one backend's trace. */
#ifndef LISTENQ_HARNESS_EXPECT_H
#define LISTENQ_HARNESS_EXPECT_H

#include <stdbool.h>

#include "lang/scenario.h"
#include "trace.h"

enum lq_expect_outcome { LQ_EXP_HOLDS, LQ_EXP_FAILS, LQ_EXP_UNCHECKED };

/* Checks expectation directive `dir` of sc against trace t, whose last event
 * observation (before dir) is `last` (NULL: no event yet); a packet
 * expectation also counts what t carries over to the next event. For named
 * counters the caller supplies the change (named_delta) and whether the
 * backend could observe it. why gets a one-line explanation when it fails
 * or cannot be checked. */
enum lq_expect_outcome lq_expect_check(const struct lq_scenario *sc, uint32_t dir,
                                       const struct lq_trace *t, const struct lq_obs *last,
                                       const struct lq_obs *now, const struct lq_obs *last_accept,
                                       bool named_ok, int64_t named_delta, char *why,
                                       size_t whylen);

/* Does this expectation look at the packets of the last event? */
bool lq_expect_is_packet(const struct lq_expect *x);

#endif
