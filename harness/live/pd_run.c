/* harness/live/pd_run.c: see pd_run.h. */
#include "pd_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"

int lq_pd_find(char *buf, size_t len, struct lq_err *err)
{
    const char *env = getenv("LISTENQ_PACKETDRILL");
    if (env && *env) {
        if (access(env, X_OK) != 0)
            return lq_errf(err, LQ_EXIT_SKIP, "LISTENQ_PACKETDRILL=%s is not an executable", env);
        snprintf(buf, len, "%s", env);
        return 0;
    }
    const char *path = getenv("PATH");
    char dir[4096];
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(dir, sizeof(dir), "%.*s", (int)n, path);
        path += n + (path[n] == ':');
        if (!n)
            continue;
        snprintf(buf, len, "%s/packetdrill", dir);
        if (access(buf, X_OK) == 0)
            return 0;
    }
    return lq_errf(err, LQ_EXIT_SKIP,
                   "no packetdrill binary: set LISTENQ_PACKETDRILL or put packetdrill on PATH "
                   "(Debian does not package it; docs/packetdrill.md says how to build it)");
}

static int64_t lq_pd_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child: a namespace of its own, then packetdrill. Never returns. */
static void lq_pd_child(const char *packetdrill, const char *ipv, const char *script,
                        const char *bindir, int wfd)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(wfd, 1);
    dup2(wfd, 2);
    close(wfd);
    /* one CPU for packetdrill and all it starts (pd-peer): a request's
     * timer is pinned to the CPU that made the request, and two firing at
     * once on two CPUs would both see the same queue length (timer_prune.lq),
     * where a listenq run, one thread, has them in turn */
    int cpu = sched_getcpu();
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof(set), &set);
    }
    struct lq_err err = {0};
    if (lq_netns_private_enter(&err) < 0) {
        fprintf(stderr, "listenq: %s\n", err.msg);
        _exit(err.status == LQ_EXIT_SKIP ? 104 : 103);
    }
    if (bindir) {
        const char *old = getenv("PATH");
        size_t n = strlen(bindir) + (old ? strlen(old) : 0) + 2;
        char *p = malloc(n);
        if (p) {
            snprintf(p, n, "%s%s%s", bindir, old ? ":" : "", old ? old : "");
            setenv("PATH", p, 1);
        }
    }
    char opt[64];
    snprintf(opt, sizeof(opt), "--ip_version=%s", ipv);
    execl(packetdrill, packetdrill, opt, script, (char *)NULL);
    fprintf(stderr, "listenq: cannot run %s: %s\n", packetdrill, strerror(errno));
    _exit(103);
}

int lq_pd_run(const char *packetdrill, const char *ipv, const char *script, const char *bindir,
              int timeout_s, struct lq_strbuf *out, int *passed, struct lq_err *err)
{
    int p[2];
    *passed = 0;
    if (pipe2(p, O_CLOEXEC) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "pipe");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return lq_errno(err, LQ_EXIT_ERROR, "fork");
    }
    if (pid == 0) {
        close(p[0]);
        int w = dup(p[1]); /* without O_CLOEXEC, for dup2 */
        lq_pd_child(packetdrill, ipv, script, bindir, w);
    }
    close(p[1]);
    int64_t end = lq_pd_now_ms() + (int64_t)timeout_s * 1000;
    bool timed_out = false;
    for (;;) {
        int64_t left = end - lq_pd_now_ms();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            continue;
        char buf[4096];
        ssize_t n = read(p[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        lq_sb_addn(out, buf, (size_t)n);
    }
    close(p[0]);
    if (timed_out) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (timed_out) {
        lq_sb_addf(out, "listenq: packetdrill did not finish within %d s\n", timeout_s);
        return 0;
    }
    if (WIFEXITED(st) && WEXITSTATUS(st) == 104)
        return lq_errf(err, LQ_EXIT_SKIP, "%s", lq_sb_str(out));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 103)
        return lq_errf(err, LQ_EXIT_ERROR, "%s", lq_sb_str(out));
    *passed = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    return 0;
}
