/* harness/run/compare.h: where two traces of one scenario first part.
 *
 * The reference trace (model, recording) against the subject's (a kernel,
 * or another model). Packets are compared by relation (trace.h), in order
 * for those sent synchronously; timer packets (SYN-ACK retransmissions) by
 * time within a tolerance (docs/harness.md, "Timers"); a delayed ACK the
 * reference schedules (deferred, or due at the next jiffy) may show in any
 * later event's window of the subject, or never when a later ACK
 * supersedes it, but must have come once the reference's timer fired. The
 * tolerances live here, not in the runner. Then accept results, queue
 * lengths and counter changes. */
#ifndef LISTENQ_HARNESS_COMPARE_H
#define LISTENQ_HARNESS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/scenario.h"
#include "trace.h"

#define LQ_DIV_TEXT 1024

struct lq_divergence {
    bool found;
    uint32_t dir; /* the directive where the traces first part */
    /* how the sides are named (lq_trace_side_name): "model", "kernel",
     * "recording", "model (subject)" when both are models */
    char a_name[32], b_name[32];
    char what[160];           /* "the kernel sent a packet the model does not predict", ... */
    char a_side[LQ_DIV_TEXT]; /* what the reference trace shows there */
    char b_side[LQ_DIV_TEXT]; /* what the subject's trace shows there */
    uint16_t dps[24];         /* decision points of the reference at that event */
    size_t ndps;
    int32_t frame; /* a frame of the subject involved (its frames' index), or -1 */
    bool counters; /* the difference is in the counters */
    /* The only difference: a packet the reference sends with an IPv6 flow
     * label new to its connection (a fresh net_tx_rndhash, or another
     * flow's hash) that the subject sent with one of the connection's
     * label_earlier earlier labels. A kernel's label is 20 bits of a random
     * hash (ip6_make_flowlabel), so a fresh one equals an earlier one by
     * chance once in 2^20 / label_earlier: the runner runs the scenario
     * again (runner.c, lq_rerun_for_label) where a rule would part every
     * time. */
    bool label_collision;
    uint8_t label_earlier;
    /* No divergence before the model's scope ended at directive beyond_dir
     * (the comparison stopped there). */
    bool beyond;
    uint32_t beyond_dir;
    char beyond_why[200];
};

/* Timer tolerance: a kernel timer packet may come at most this much later
 * than the model's due time, beyond the drift between the runs' clocks:
 * LQ_TIMER_SLACK_PCT percent of the due time since the scenario started plus
 * LQ_TIMER_SLACK_MS (the timer wheel rounds up by up to 12.5%, plus a tick
 * and scheduling). It may never come earlier than LQ_TIMER_EARLY_MS. */
#define LQ_TIMER_SLACK_PCT 13
#define LQ_TIMER_SLACK_MS  60
#define LQ_TIMER_EARLY_MS  5

/* On a slow machine (a debug kernel with KASAN or lockdep; kselftest's
 * KSFT_MACHINE_SLOW=yes) both tolerances are multiplied by factor (>= 1).
 * Process-wide: set once, before any comparison (cli/main.c). */
void lq_compare_set_slow_factor(int factor);

/* The same packet by what the comparison looks at (relations, options). */
bool lq_obs_pkt_same(const struct lq_obs_pkt *x, const struct lq_obs_pkt *y);

/* Compares trace a (the reference) with trace b (the subject). Returns true
 * when they agree; otherwise fills div. */
bool lq_compare_traces(const struct lq_scenario *sc, const struct lq_trace *a,
                       const struct lq_trace *b, struct lq_divergence *div);

#endif
