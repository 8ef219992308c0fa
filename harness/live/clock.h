/* harness/live/clock.h: the kernel's jiffies against CLOCK_MONOTONIC, as
 * the live backend reads them (docs/harness.md, "Real time").
 *
 * A calibration is about 10 ms of /proc/timer_list readings a third of a
 * jiffy apart, mostly asleep, made in a thread (lq_kclock_share_start). A
 * run calibrates once and every kernel harness of the run takes that
 * calibration, in the command and in the workers it forks afterwards; a
 * kernel harness outside a run begins one of its own beside its set-up.
 */
#ifndef LISTENQ_HARNESS_CLOCK_H
#define LISTENQ_HARNESS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct lq_kclock {
    bool ok;                  /* jiffies_64 is known (exactly, or estimated) */
    uint32_t hz;              /* the kernel's HZ (1000 when estimated) */
    int64_t jiffies_at_mono0; /* jiffies_64 at mono0_ns */
    uint64_t mono0_ns;
    bool exact; /* jiffies_64 = jiffies_base + CLOCK_MONOTONIC / tick_ns */
    int64_t jiffies_base;
    uint64_t tick_ns; /* TICK_NSEC */
};

uint64_t lq_mono_ns(void);

/* jiffies_64 and HZ from /proc/timer_list, the tick's alignment with it;
 * without /proc/timer_list (root's), an estimate from the uptime; neither
 * (no HZ fits), not ok. Takes about 10 ms, mostly asleep. */
void lq_kclock_calibrate(struct lq_kclock *c);

/* jiffies_64 after mono_ns of CLOCK_MONOTONIC at that HZ, as a kernel
 * counts them from INITIAL_JIFFIES: the estimate where /proc/timer_list
 * cannot be read. */
uint64_t lq_kclock_uptime_jiffies(uint64_t mono_ns, uint32_t hz);

/* A calibration begun in a thread of this process at once, in memory the
 * processes forked from this one afterwards share: a run's (the command's
 * and its workers' kernels take it) or one kernel harness's own, beside its
 * set-up. NULL when it cannot be begun (the caller calibrates itself). */
struct lq_kclock_share;
struct lq_kclock_share *lq_kclock_share_start(void);
/* The calibration, waited for (at most as long as a calibration may take;
 * false then, or when the share is NULL). In this process or a fork. */
bool lq_kclock_share_get(struct lq_kclock_share *s, struct lq_kclock *out);
/* In the process that began it: the thread joined, the memory unmapped;
 * in a fork: this process's mapping unmapped. */
void lq_kclock_share_end(struct lq_kclock_share *s);

#endif
