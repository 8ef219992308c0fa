/* harness/run/follow.h: the reference at the subject's clock.
 *
 * Some kernel rules read the clock: the 500 ms window of
 * tcp_oow_rate_limited(), the SYN-ACK timer, tcp_synq_no_recent_overflow()
 * comparing a fresh listener's stamp 0 with jiffies. A scenario's own
 * timing is the reference's virtual time, where events take no time and
 * jiffies stand far from 0; a loaded machine or one booted 5 minutes ago
 * is elsewhere. So the runner runs the reference twice (docs/harness.md,
 * "Real time"):
 *
 * - at the scenario's own timing (LQ_NOMINAL_JIFFIES, virtual time): the
 *   reference's expectations are checked on this run, and it paces the
 *   subject;
 * - at the subject's clock, once the subject ran: it starts at the jiffy
 *   the subject started at and lets the time pass as the subject's trace
 *   says it passed (each observation's jiffies_at and jiffies_end). This
 *   run is the one compared with the subject.
 *
 * An expectation that fails on the subject, holds at the scenario's timing
 * and fails the same way on the reference at the subject's clock was
 * decided by the clock, not by the kernel: it is not checked on this run
 * (LQ_EXP_UNCHECKED, by_clock, with the reason), and the runner runs the
 * scenario again (at most twice) to check it.
 */
#ifndef LISTENQ_HARNESS_FOLLOW_H
#define LISTENQ_HARNESS_FOLLOW_H

#include <stddef.h>
#include <stdint.h>

#include "lang/scenario.h"
#include "runner.h"
#include "trace.h"

/* The reference's own clock: jiffies32 far from 0 (and from 2^32), the
 * runner's default. */
#define LQ_NOMINAL_JIFFIES 0x40000000u

/* The jiffies_64 of the trace's first observation that has one, or 0. */
uint64_t lq_trace_first_jiffies(const struct lq_trace *t);

/* Marks res's failed expectations of the subject that the clock decided:
 * they hold in `nominal` (the reference at the scenario's timing) and fail
 * in `followed` (the reference at the subject's clock), both on their
 * reference role. `subject` is the subject's trace, `ntrace` and `ftrace`
 * the two reference traces, hz the subject's HZ (for the reason). Returns
 * how many it marked. */
size_t lq_follow_judge(const struct lq_scenario *sc, struct lq_result *res,
                       const struct lq_result *nominal, const struct lq_trace *ntrace,
                       const struct lq_result *followed, const struct lq_trace *ftrace,
                       const struct lq_trace *subject, uint32_t hz);

/* How many of res's expectations the clock left unchecked. */
size_t lq_result_clock_unchecked(const struct lq_result *res);

#endif
