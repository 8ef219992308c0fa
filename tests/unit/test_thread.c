/* tests/unit/test_thread.c: lq_thread_start_quiet (util/thread.c).
 *
 * A helper thread must take no signal, so that SIGINT, SIGTERM and SIGHUP
 * reach the thread whose handlers clean up (pthread_sigmask(3): a thread
 * starts with its creator's mask; a process-directed signal goes to a
 * thread that does not block it). The thread reads its own mask; the
 * caller's must be as it was before the call.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "tap.h"
#include "util/thread.h"

struct seen {
    bool got_mask;
    bool blocks_int, blocks_term, blocks_hup, blocks_usr1;
};

static void *read_mask(void *arg)
{
    struct seen *s = arg;
    sigset_t cur;
    s->got_mask = pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0;
    s->blocks_int = sigismember(&cur, SIGINT) == 1;
    s->blocks_term = sigismember(&cur, SIGTERM) == 1;
    s->blocks_hup = sigismember(&cur, SIGHUP) == 1;
    s->blocks_usr1 = sigismember(&cur, SIGUSR1) == 1;
    return NULL;
}

int main(void)
{
    /* the caller blocks nothing but SIGUSR2 */
    sigset_t mine, after;
    sigemptyset(&mine);
    sigaddset(&mine, SIGUSR2);
    pthread_sigmask(SIG_SETMASK, &mine, NULL);

    struct seen s = {0};
    pthread_t th;
    if (!ok(lq_thread_start_quiet(&th, read_mask, &s) == 0, "the thread starts"))
        return tap_done();
    pthread_join(th, NULL);
    ok(s.got_mask, "it read its signal mask");
    ok(s.blocks_int && s.blocks_term && s.blocks_hup, "it blocks SIGINT, SIGTERM and SIGHUP");
    ok(s.blocks_usr1, "and every other signal (SIGUSR1)");

    pthread_sigmask(SIG_BLOCK, NULL, &after);
    ok(sigismember(&after, SIGUSR2) == 1 && sigismember(&after, SIGINT) == 0 &&
           sigismember(&after, SIGTERM) == 0,
       "the caller's mask is as it was (SIGUSR2 blocked, SIGINT and SIGTERM not)");
    return tap_done();
}
