/* tests/unit/test_live_clock.c: the live backend's estimate of the kernel's
 * jiffies where /proc/timer_list cannot be read (lq_live_uptime_jiffies).
 *
 * The arithmetic comes from include/linux/jiffies.h: jiffies_64 starts at
 * INITIAL_JIFFIES, ((unsigned long)(unsigned int)(-300 * HZ)), and counts HZ
 * per second, so jiffies32 wraps 300 s after boot at any HZ. The live check
 * holds the estimate to /proc/timer_list (root's): at this machine's HZ it
 * is within two jiffies-seconds of the kernel's own count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "live/backend_live.h"
#include "tap.h"

static void test_arithmetic(void)
{
    static const unsigned hzs[] = {100, 250, 300, 1000};
    for (size_t i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
        unsigned hz = hzs[i];
        uint64_t initial = 4294967296ull - 300ull * hz; /* (unsigned int)(-300 * HZ) */
        is_int((long long)lq_live_uptime_jiffies(0, hz), (long long)initial,
               "HZ %u: boot is INITIAL_JIFFIES", hz);
        is_int((long long)lq_live_uptime_jiffies(300000000000ull, hz), 4294967296ll,
               "HZ %u: jiffies32 wraps 300 s after boot", hz);
        is_int((long long)lq_live_uptime_jiffies(299000000000ull, hz),
               (long long)(4294967296ull - hz), "HZ %u: 299 s is one second of jiffies before", hz);
        /* 2.5 jiffies into second 420: the fraction counts whole jiffies */
        uint64_t ns = 420000000000ull + 2500000000ull / hz;
        is_int((long long)lq_live_uptime_jiffies(ns, hz),
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
        long long d = (long long)lq_live_uptime_jiffies(now_ns, hzs[i]) - (long long)jiffies;
        if (llabs(d) <= 2ll * hzs[i])
            found = hzs[i];
    }
    ok(found != 0,
       "at some HZ the estimate is within 2 s of the kernel's jiffies %llu (uptime %llu ns)",
       jiffies, now_ns);
    if (found)
        tap_diag("HZ %u", found);
}

int main(void)
{
    test_arithmetic();
    test_against_timer_list();
    return tap_done();
}
