/* harness/util/cleanup.c: see cleanup.h.
 *
 * The handler only calls async-signal-safe functions (unlink, write,
 * signal, raise) on static memory. A message is published by filling the
 * buffer that is not current and then switching to it, so the handler never
 * reads one half written.
 */
#include "cleanup.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { LQ_TEMP_SLOTS = 16, LQ_MSG_MAX = 4096 };

static struct {
    volatile sig_atomic_t used;
    char path[PATH_MAX];
} lq_temps[LQ_TEMP_SLOTS];

static char lq_msg[2][LQ_MSG_MAX];
static volatile sig_atomic_t lq_msg_cur = -1; /* which buffer, -1: none */

static void lq_cleanup_handler(int sig)
{
    int saved = errno;
    for (int i = 0; i < LQ_TEMP_SLOTS; i++)
        if (lq_temps[i].used)
            unlink(lq_temps[i].path);
    int cur = lq_msg_cur;
    if (cur >= 0) {
        const char *m = lq_msg[cur];
        size_t len = strlen(m); /* async-signal-safe since POSIX.1-2016 */
        while (len > 0) {
            ssize_t w = write(STDERR_FILENO, m, len);
            if (w <= 0)
                break;
            m += w;
            len -= (size_t)w;
        }
    }
    errno = saved;
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The handler with the other cleanup signals blocked while it runs. */
static struct sigaction cleanup_action(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = lq_cleanup_handler;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    return sa;
}

void lq_cleanup_on_signals(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    struct sigaction sa = cleanup_action();
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        /* a signal ignored on entry stays ignored (nohup, a shell's
         * background job) */
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

void lq_cleanup_worker(void)
{
    lq_cleanup_on_signals();
    lq_msg_cur = -1;
    struct sigaction sa = cleanup_action();
    sigaction(SIGTERM, &sa, NULL);
}

void lq_cleanup_set_message(const char *msg)
{
    if (!msg) {
        lq_msg_cur = -1;
        return;
    }
    int next = lq_msg_cur == 0 ? 1 : 0;
    snprintf(lq_msg[next], LQ_MSG_MAX, "%s", msg);
    lq_msg_cur = next;
}

int lq_cleanup_temp_begin(const char *path)
{
    for (int i = 0; i < LQ_TEMP_SLOTS; i++) {
        if (lq_temps[i].used)
            continue;
        snprintf(lq_temps[i].path, sizeof(lq_temps[i].path), "%s", path);
        lq_temps[i].used = 1;
        return i;
    }
    return -1;
}

void lq_cleanup_temp_end(int slot)
{
    if (slot >= 0 && slot < LQ_TEMP_SLOTS)
        lq_temps[slot].used = 0;
}

/* "NAME.tmp.PID.HEX": the pid, or 0 when name is not such a name. */
static long lq_temp_pid(const char *name)
{
    const char *t = NULL;
    for (const char *p = strstr(name, ".tmp."); p; p = strstr(p + 1, ".tmp."))
        t = p; /* the last one */
    if (!t || t == name)
        return 0;
    const char *p = t + 5, *q = p;
    while (isdigit((unsigned char)*q))
        q++;
    if (q == p || *q != '.' || !q[1])
        return 0;
    for (const char *h = q + 1; *h; h++)
        if (!isxdigit((unsigned char)*h))
            return 0;
    return strtol(p, NULL, 10);
}

size_t lq_cleanup_stale_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid = lq_temp_pid(e->d_name);
        if (pid <= 0 || pid == (long)getpid())
            continue;
        /* only a process that is gone: a live one may be writing it now */
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
            continue;
        if (unlink(path) == 0)
            n++;
    }
    closedir(d);
    return n;
}
