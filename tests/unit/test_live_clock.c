/* tests/unit/test_live_clock.c: the live backend's estimate of the kernel's
 * jiffies where /proc/timer_list cannot be read (lq_kclock_uptime_jiffies).
 *
 * The arithmetic comes from include/linux/jiffies.h: jiffies_64 starts at
 * INITIAL_JIFFIES, ((unsigned long)(unsigned int)(-300 * HZ)), and counts HZ
 * per second, so jiffies32 wraps 300 s after boot at any HZ. The live check
 * holds the estimate to /proc/timer_list (root's): at this machine's HZ it
 * is within two jiffies-seconds of the kernel's own count.
 *
 * One calibration for a run (lq_kclock_share_*): a process forked while it
 * is still being made waits for it and gets what the process that began it
 * gets, and that is what a calibration of its own finds (the same HZ, the
 * same jiffies base: jiffies = base + CLOCK_MONOTONIC / TICK_NSEC holds for
 * the kernel's life).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live/clock.h"
#include "tap.h"

static void test_arithmetic(void)
{
    static const unsigned hzs[] = {100, 250, 300, 1000};
    for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
        unsigned hz = hzs[i];
        uint64_t initial = 4294967296ull - 300ull * hz; /* (unsigned int)(-300 * HZ) */
        is_int((long long)lq_kclock_uptime_jiffies(0, hz), (long long)initial,
               "HZ %u: boot is INITIAL_JIFFIES", hz);
        is_int((long long)lq_kclock_uptime_jiffies(300000000000ull, hz), 4294967296ll,
               "HZ %u: jiffies32 wraps 300 s after boot", hz);
        is_int((long long)lq_kclock_uptime_jiffies(299000000000ull, hz),
               (long long)(4294967296ull - hz), "HZ %u: 299 s is one second of jiffies before", hz);
        /* 2.5 jiffies into second 420: the fraction counts whole jiffies */
        uint64_t ns = 420000000000ull + 2500000000ull / hz;
        is_int((long long)lq_kclock_uptime_jiffies(ns, hz),
               (long long)(4294967296ull + 120ull * hz + 2u),
               "HZ %u: 120 s and 2.5 jiffies after the wrap is 120 HZ + 2", hz);
    }
}

static void test_against_timer_list(void)
{
    FILE *f = fopen("/proc/timer_list", "r");
    if (!f) {
        tap_skip("the estimate agrees with /proc/timer_list",
                 "/proc/timer_list cannot be read (it is root's)");
        return;
    }
    char line[256];
    unsigned long long now_ns = 0, jiffies = 0;
    int have = 0;
    while (have != 3 && fgets(line, sizeof(line), f)) {
        if (!(have & 1) && sscanf(line, "now at %llu nsecs", &now_ns) == 1)
            have |= 1;
        else if (!(have & 2) && sscanf(line, "jiffies: %llu", &jiffies) == 1)
            have |= 2;
    }
    fclose(f);
    if (have != 3) {
        tap_skip("the estimate agrees with /proc/timer_list",
                 "/proc/timer_list has no 'now at' or 'jiffies:' line");
        return;
    }
    static const unsigned hzs[] = {100, 250, 300, 1000};
    unsigned found = 0;
    for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
        long long d = (long long)lq_kclock_uptime_jiffies(now_ns, hzs[i]) - (long long)jiffies;
        if (llabs(d) <= 2ll * hzs[i])
            found = hzs[i];
    }
    ok(found != 0,
       "at some HZ the estimate is within 2 s of the kernel's jiffies %llu (uptime %llu ns)",
       jiffies, now_ns);
    if (found)
        tap_diag("HZ %u", found);
}

static bool lq_same_clock(const struct lq_kclock *a, const struct lq_kclock *b)
{
    return a->ok == b->ok && a->hz == b->hz && a->jiffies_at_mono0 == b->jiffies_at_mono0 &&
           a->mono0_ns == b->mono0_ns && a->exact == b->exact &&
           a->jiffies_base == b->jiffies_base && a->tick_ns == b->tick_ns;
}

static void test_shared(void)
{
    struct lq_kclock dummy;
    ok(!lq_kclock_share_get(NULL, &dummy), "no share: nothing to get");
    struct lq_kclock_share *s = lq_kclock_share_start();
    if (!ok(s != NULL, "a shared calibration begins"))
        return;
    int fds[2];
    if (!ok(pipe(fds) == 0, "a pipe for the child")) {
        lq_kclock_share_end(s);
        return;
    }
    pid_t pid = fork(); /* at once: the thread is still reading the clock */
    if (pid == 0) {
        close(fds[0]);
        struct lq_kclock c;
        memset(&c, 0, sizeof(c));
        bool got = lq_kclock_share_get(s, &c);
        lq_kclock_share_end(s); /* a fork's: its mapping only */
        ssize_t w = got ? write(fds[1], &c, sizeof(c)) : 0;
        _exit(w == (ssize_t)sizeof(c) ? 0 : 1);
    }
    close(fds[1]);
    struct lq_kclock mine, theirs;
    memset(&mine, 0, sizeof(mine));
    memset(&theirs, 0, sizeof(theirs));
    bool got = lq_kclock_share_get(s, &mine);
    ok(got, "this process gets the calibration");
    ssize_t r = pid > 0 ? read(fds[0], &theirs, sizeof(theirs)) : -1;
    close(fds[0]);
    int st = 0;
    if (pid > 0)
        waitpid(pid, &st, 0);
    ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && r == (ssize_t)sizeof(theirs),
       "the child forked while it was made waits for it and gets it");
    ok(got && lq_same_clock(&mine, &theirs), "the child's is this process's");
    lq_kclock_share_end(s);

    struct lq_kclock own;
    lq_kclock_calibrate(&own);
    if (!own.exact) {
        tap_skip("a calibration of its own agrees",
                 "no exact clock here (/proc/timer_list unreadable, or the machine too busy)");
        return;
    }
    ok(mine.exact, "the shared one is exact too");
    is_int(own.hz, mine.hz, "the same HZ");
    is_int((long long)own.tick_ns, (long long)mine.tick_ns, "the same TICK_NSEC");
    is_int(own.jiffies_base, mine.jiffies_base, "the same jiffies base");
}

int main(void)
{
    test_arithmetic();
    test_against_timer_list();
    test_shared();
    return tap_done();
}
