/* tests/unit/test_live_adopt.c: a live kernel harness made in one thread
 * and used from another (lq_cli_open_live makes the command's in a thread
 * while its main thread hands out scenarios).
 *
 * lq_backend_live_new leaves the thread that calls it in the harness's
 * server namespace, where the listeners are bound. Network namespaces are
 * per thread (setns(2)), so another thread of the process is still where
 * the process started: a scenario begun there must be refused (its
 * listener would be bound in the caller's namespace, the host's when run
 * from a shell), and after lq_backend_live_adopt that thread is in the
 * server namespace and the scenario runs. Needs root (else skipped with the
 * harness's reason).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "live/backend_live.h"
#include "model/model.h"
#include "model/profile.h"
#include "tap.h"

struct maker {
    struct lq_backend *b;
    struct lq_err err;
    struct stat ns_after; /* the maker thread's namespace once it has made b */
    int stat_rc;
};

static void *make_live(void *arg)
{
    struct maker *m = arg;
    m->b = lq_backend_live_new(&m->err);
    m->stat_rc = stat("/proc/thread-self/ns/net", &m->ns_after);
    return NULL;
}

static int begin_one(struct lq_backend *b, const struct lq_profile *prof, struct lq_err *err)
{
    struct lq_begin bg = {.lport = 40123, .family = LQ_FAMILY_IPV4, .nlsn = 1};
    for (int k = 0; k < LQ_SYSCTL_COUNT; k++)
        bg.sysctl[k] = lq_model_sysctl_default(prof, (enum lq_sysctl)k);
    return lq_backend_begin(b, &bg, err);
}

int main(void)
{
    struct lq_profile prof;
    char perr[128];
    if (lq_profile_resolve("6.18", &prof, perr, sizeof(perr))) {
        ok(0, "profile 6.18: %s", perr);
        return tap_done();
    }
    struct stat home;
    ok(stat("/proc/thread-self/ns/net", &home) == 0, "this thread's namespace");

    struct maker m = {0};
    pthread_t th;
    if (!ok(pthread_create(&th, NULL, make_live, &m) == 0, "a thread makes the harness"))
        return tap_done();
    pthread_join(th, NULL);
    if (!m.b) {
        tap_skip("a harness made in another thread is refused here, then adopted", m.err.msg);
        return tap_done();
    }
    ok(m.stat_rc == 0 && (m.ns_after.st_ino != home.st_ino || m.ns_after.st_dev != home.st_dev),
       "the maker thread was left in a namespace of its own");

    struct lq_err err = {0};
    int rc = begin_one(m.b, &prof, &err);
    ok(rc != 0, "a scenario begun from this thread, still at home, is refused");
    ok(strstr(err.msg, "namespace") != NULL, "and the error says why: %s", err.msg);
    struct stat now;
    ok(stat("/proc/thread-self/ns/net", &now) == 0 && now.st_ino == home.st_ino &&
           now.st_dev == home.st_dev,
       "the refusal left this thread where it was");

    memset(&err, 0, sizeof(err));
    is_int(lq_backend_live_adopt(m.b, &err), 0, "adopted: %s", err.msg[0] ? err.msg : "ok");
    ok(stat("/proc/thread-self/ns/net", &now) == 0 && now.st_ino == m.ns_after.st_ino &&
           now.st_dev == m.ns_after.st_dev,
       "this thread is now where the maker was left");
    memset(&err, 0, sizeof(err));
    is_int(begin_one(m.b, &prof, &err), 0, "then the scenario begins: %s",
           err.msg[0] ? err.msg : "ok");
    memset(&err, 0, sizeof(err));
    is_int(lq_backend_end(m.b, &err), 0, "and ends: %s", err.msg[0] ? err.msg : "ok");
    lq_backend_destroy(m.b);
    return tap_done();
}
