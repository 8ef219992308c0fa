/* harness/run/refollow.h: following the subject's clock where its jiffy
 * of an event is not certain (docs/harness.md, "Real time").
 *
 * The traces part at an event the subject may have handled in another
 * jiffy than its jiffies_at says (lq_replies.jiffies_early, jiffies_late):
 * the subject's clock rules ran in one of them, and the comparison holds
 * the subject to the reference at any. The reference follows again:
 *
 * - first with every event answered late up to the divergence at its later
 *   jiffy, and on as long as the divergence moves later (writes held up
 *   before the kernel handled them: a vCPU stopped by its host);
 * - then from that choice (or none, if it did not help) one event at a
 *   time, latest first, its later jiffy, then its earlier one. Only events
 *   the subject answered, and the one where the traces part: a clock rule
 *   leaves its mark on later events through an answer it let through
 *   (tcp_oow_rate_limited() stamps it, a SYN-ACK restarts the timer). A
 *   choice that moves the divergence later is kept, one that does not is
 *   undone; one that makes the traces part earlier, at an event that may
 *   have run at another jiffy too, is tried once more with that one (a
 *   tick late for a stretch puts both at their earlier jiffies).
 */
#ifndef LISTENQ_HARNESS_REFOLLOW_H
#define LISTENQ_HARNESS_REFOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "trace.h"

/* At most this many following runs again per scenario, for at most
 * LQ_LATE_MAX events at another jiffy. */
#define LQ_LATE_TRIES 16
#define LQ_LATE_MAX   32

/* The events a following run places at another of their jiffies: the
 * directive and that jiffy. */
struct lq_alt_set {
    struct {
        uint32_t dir;
        uint64_t jiffies;
    } alt[LQ_LATE_MAX];
    size_t n;
};

/* The jiffy a following run handles the followed event o in: o's
 * jiffies_at, or the one a chose. */
uint64_t lq_alt_jiffies(const struct lq_alt_set *a, const struct lq_obs *o);
/* ... and the jiffy its window closed in: o's jiffies_end, no later than
 * the jiffy chosen for any later event, no earlier than o's own. */
uint64_t lq_alt_jiffies_end(const struct lq_alt_set *a, const struct lq_obs *o);

/* Follows again with *a set (a->n events); compares into d; true when the
 * traces agree. */
typedef bool (*lq_follow_again_fn)(void *arg, struct lq_divergence *d);

/* Searches, as above, for jiffies of st's events where the reference agrees
 * with st (the subject's trace), calling again(arg) for each try. div is the
 * divergence found at jiffies_at. True when a try agrees (div: cleared, as
 * the comparison left it); else div is the comparison of the kept choice,
 * the last run's. a is empty on return. */
bool lq_refollow(const struct lq_trace *st, struct lq_divergence *div, struct lq_alt_set *a,
                 lq_follow_again_fn again, void *arg);

#endif
