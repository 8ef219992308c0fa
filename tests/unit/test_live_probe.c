/* tests/unit/test_live_probe.c: the bench's bare kernel round trip
 * (live/probe.h): it runs in namespaces of its own, leaves the calling
 * thread where it was, and gets a SYN-ACK for every SYN. Needs root (the
 * namespaces, a packet socket): otherwise every check is skipped with the
 * reason. */
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include "live/probe.h"
#include "tap.h"

static bool same_ns(const struct stat *a)
{
    struct stat b;
    return stat("/proc/thread-self/ns/net", &b) == 0 && a->st_dev == b.st_dev &&
           a->st_ino == b.st_ino;
}

int main(void)
{
    static const char *const checks[] = {"the probe sets up",
                                         "the thread is back in its namespace",
                                         "no lqs0 here",
                                         "50 round trips, each a SYN-ACK",
                                         "every round trip took a time",
                                         "after close, the same"};
    struct stat orig;
    stat("/proc/thread-self/ns/net", &orig);
    struct lq_err err = {0};
    struct lq_probe *p = geteuid() == 0 ? lq_probe_open(&err) : NULL;
    if (!p) {
        const char *why = geteuid() != 0 ? "needs root (namespaces, a packet socket)" : err.msg;
        for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
            tap_skip(checks[i], why);
        return tap_done();
    }
    ok(true, "%s", checks[0]);
    ok(same_ns(&orig), "%s", checks[1]);
    ok(if_nametoindex("lqs0") == 0, "%s", checks[2]);
    double us[50];
    size_t late = 99;
    int rc = lq_probe_roundtrips(p, 50, us, &late, &err);
    if (!ok(rc == 0, "%s", checks[3]))
        tap_diag("%s", err.msg);
    bool timed = rc == 0 && late <= 50;
    for (int i = 0; i < 50 && timed; i++)
        timed = us[i] > 0 && us[i] < 1e6;
    ok(timed, "%s (late: %zu)", checks[4], late);
    lq_probe_close(p);
    ok(same_ns(&orig), "%s", checks[5]);
    return tap_done();
}
