/* harness/live/clock.c: the kernel's jiffies against CLOCK_MONOTONIC
 * (clock.h), and one calibration shared by a run's processes. */
#include "clock.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/thread.h"

uint64_t lq_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One reading of /proc/timer_list: "now at N nsecs" (CLOCK_MONOTONIC, taken
 * first) and the first "jiffies: N" (cpu 0's, printed a few microseconds
 * later; the file is read whole in well under 100 us). */
static bool lq_kclock_read_timer_list(unsigned long long *now_ns, unsigned long long *jiffies)
{
    FILE *f = fopen("/proc/timer_list", "r");
    if (!f)
        return false;
    char line[256];
    bool have_now = false, have_j = false;
    while (fgets(line, sizeof(line), f) && !(have_now && have_j)) {
        if (!have_now && sscanf(line, "now at %llu nsecs", now_ns) == 1)
            have_now = true;
        else if (!have_j && sscanf(line, "jiffies: %llu", jiffies) == 1)
            have_j = true;
    }
    fclose(f);
    return have_now && have_j;
}

/* The base of jiffies_64 = base + CLOCK_MONOTONIC / TICK_NSEC, from readings
 * whose "now" lies well inside a jiffy (150 us after a boundary to 400 us
 * before the next: jiffies is printed a few microseconds after "now") and
 * that were not preempted (read in under 1 ms). Five such readings at
 * different points of the jiffy must give the same base, as they do when
 * the tick is aligned as the kernel aligns it. A reading one jiffy behind
 * the others is a tick that came late (a virtual machine's host delays the
 * guest's timer interrupt by hundreds of microseconds: seen here, and it
 * used to leave the whole run without an exact clock): the base is the
 * latest one, jiffies never run ahead of their boundary. Readings further
 * apart, or a machine too busy to take five agreeing ones within 3 s (of at
 * most 20), and the clock is not trusted. */
static void lq_kclock_calibrate_exact(struct lq_kclock *c)
{
    uint64_t tick = (1000000000u + c->hz / 2u) / c->hz; /* TICK_NSEC */
    uint64_t start = lq_mono_ns();
    int64_t base = 0;
    int good = 0, readings = 0;
    while (good < 5) {
        uint64_t t0 = lq_mono_ns();
        if (t0 - start > 3000000000u || readings == 20)
            return;
        unsigned long long now_ns, j;
        if (!lq_kclock_read_timer_list(&now_ns, &j))
            return;
        uint64_t t1 = lq_mono_ns();
        uint64_t ph = now_ns % tick;
        if (t1 - t0 < 1000000u && ph >= 150000u && ph + 400000u <= tick) {
            int64_t b = (int64_t)j - (int64_t)(now_ns / tick);
            readings++;
            if (!good || b == base + 1) {
                good = b == base + 1 && good ? 1 : good + 1; /* the latest base so far */
                base = b;
            } else if (b == base) {
                good++;
            } else if (b != base - 1) {
                return; /* not a late tick: the alignment is not what it seems */
            }
        }
        /* move on by a third of a jiffy and a bit: another point of it */
        struct timespec ts = {0, (long)(tick / 3u + 37000u)};
        nanosleep(&ts, NULL);
    }
    c->tick_ns = tick;
    c->jiffies_base = base;
    c->exact = true;
}

/* Without /proc/timer_list (it is root's, and a process with capabilities
 * but another uid cannot read it): jiffies_64 estimated from the uptime,
 * INITIAL_JIFFIES (2^32 - 300 HZ, include/linux/jiffies.h) plus HZ per
 * second of CLOCK_MONOTONIC, at an HZ of 1000 (unknown; the model's unit).
 * Not exact (no timer wheel, no jiffy per event), but it says where jiffies32
 * stands: a fresh listener's overflow stamp 0 looks recent
 * (tcp_synq_no_recent_overflow) from 1 s before the wrap, 5 minutes after
 * boot, to 2 minutes after it, in seconds whatever HZ is, and a machine
 * booted just now runs its suite there. */
uint64_t lq_kclock_uptime_jiffies(uint64_t mono_ns, uint32_t hz)
{
    return 0x100000000ull - 300ull * hz + mono_ns / 1000000000u * hz +
           mono_ns % 1000000000u * hz / 1000000000u;
}

static void lq_kclock_estimate(struct lq_kclock *c)
{
    uint64_t now_ns = lq_mono_ns();
    c->hz = 1000;
    c->jiffies_at_mono0 = (int64_t)lq_kclock_uptime_jiffies(now_ns, c->hz);
    c->mono0_ns = now_ns;
    c->ok = true;
}

/* jiffies_64 and HZ from /proc/timer_list: HZ is the candidate for which
 * jiffies_64 = INITIAL_JIFFIES (2^32 - 300 HZ) + HZ * uptime fits; then the
 * exact base. Without /proc/timer_list, an estimate (above). */
void lq_kclock_calibrate(struct lq_kclock *c)
{
    *c = (struct lq_kclock){.hz = 1000};
    unsigned long long now_ns = 0, jiffies = 0;
    if (!lq_kclock_read_timer_list(&now_ns, &jiffies)) {
        lq_kclock_estimate(c);
        return;
    }
    static const uint32_t candidates[] = {100, 250, 300, 1000};
    double best = 1e18;
    for (size_t i = 0; i < 4; i++) {
        double predicted = (double)lq_kclock_uptime_jiffies(now_ns, candidates[i]);
        double d = predicted - (double)jiffies;
        if (d < 0)
            d = -d;
        if (d < best) {
            best = d;
            c->hz = candidates[i];
        }
    }
    if (best > 2.0 * c->hz) /* no candidate fits: do not guess */
        return;
    c->jiffies_at_mono0 = (int64_t)jiffies;
    c->mono0_ns = now_ns;
    c->ok = true;
    lq_kclock_calibrate_exact(c);
}

/* ---- one calibration for a run ----
 * The result lives in an anonymous shared mapping, so that a process forked
 * while the thread still reads the clock sees it when it is published: the
 * state word goes from 0 to 1 after the result is written (release), and
 * waiters sleep on it with a futex (not private: the mapping is shared). */
struct lq_kclock_cell {
    _Atomic uint32_t state; /* 0 calibrating, 1 published */
    struct lq_kclock clock;
};

struct lq_kclock_share {
    struct lq_kclock_cell *cell;
    pid_t owner; /* the process whose thread calibrates */
    pthread_t thread;
};

/* lq_kclock_calibrate_exact gives up after 3 s of readings; a reading and
 * the HZ guess before it take well under a second more */
#define LQ_KCLOCK_WAIT_NS 5000000000ull

static void *lq_kclock_share_thread(void *arg)
{
    struct lq_kclock_cell *cell = arg;
    struct lq_kclock c = {0};
    lq_kclock_calibrate(&c);
    cell->clock = c;
    atomic_store_explicit(&cell->state, 1, memory_order_release);
    syscall(SYS_futex, (uint32_t *)&cell->state, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
    return NULL;
}

struct lq_kclock_share *lq_kclock_share_start(void)
{
    struct lq_kclock_share *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cell =
        mmap(NULL, sizeof(*s->cell), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s->cell == MAP_FAILED) {
        free(s);
        return NULL;
    }
    atomic_init(&s->cell->state, 0);
    s->owner = getpid();
    if (lq_thread_start_quiet(&s->thread, lq_kclock_share_thread, s->cell)) {
        munmap(s->cell, sizeof(*s->cell));
        free(s);
        return NULL;
    }
    return s;
}

bool lq_kclock_share_get(struct lq_kclock_share *s, struct lq_kclock *out)
{
    if (!s)
        return false;
    uint64_t deadline = lq_mono_ns() + LQ_KCLOCK_WAIT_NS;
    while (atomic_load_explicit(&s->cell->state, memory_order_acquire) == 0) {
        uint64_t now = lq_mono_ns();
        if (now >= deadline)
            return false; /* its thread died with its process, or is stuck */
        uint64_t left = deadline - now;
        struct timespec ts = {(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
        if (syscall(SYS_futex, (uint32_t *)&s->cell->state, FUTEX_WAIT, 0, &ts, NULL, 0) &&
            errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT)
            return false;
    }
    *out = s->cell->clock;
    return true;
}

void lq_kclock_share_end(struct lq_kclock_share *s)
{
    if (!s)
        return;
    if (s->owner == getpid())
        pthread_join(s->thread, NULL);
    munmap(s->cell, sizeof(*s->cell));
    free(s);
}
