/* harness/util/spawn.c: see spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t lq_spawn_child;

static void lq_spawn_on_signal(int sig)
{
    if (lq_spawn_child > 0)
        kill(-lq_spawn_child, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

void lq_spawn_forward_signals(void)
{
    signal(SIGINT, lq_spawn_on_signal);
    signal(SIGTERM, lq_spawn_on_signal);
    signal(SIGHUP, lq_spawn_on_signal);
}

static double lq_spawn_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits for the child to end, at most 50 ms: on its pidfd, which wakes the
 * caller as it exits, else (pidfd_open is 5.3+) a nap of 50 ms. A nap
 * alone made every wait a multiple of 50 ms: `make bench` measured runs of
 * the fast suite of 150 and 200 ms both as 0.201 s. */
static void lq_spawn_wait_a_little(int pidfd)
{
    if (pidfd >= 0) {
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        if (poll(&p, 1, 50) >= 0 || errno == EINTR)
            return;
    }
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
}

/* Runs argv in its own process group with stdout and stderr to files (NULL:
 * inherited); kills the group after timeout_s. Returns the exit status, 124
 * on timeout, 127 when it could not start. */
int lq_spawn(char *const argv[], const char *out, const char *errf, int timeout_s)
{
    pid_t pid = fork();
    if (pid < 0)
        return 127;
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        const char *files[2] = {out, errf};
        for (int i = 0; i < 2; i++) {
            if (!files[i])
                continue;
            int fd = open(files[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, 1 + i) < 0)
                _exit(127);
            close(fd);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    lq_spawn_child = pid;
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    double deadline = lq_spawn_now() + timeout_s;
    int st = 0, killed = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            break;
        if (!killed && lq_spawn_now() > deadline) {
            kill(-pid, SIGTERM);
            killed = 1;
            deadline = lq_spawn_now() + 10;
        } else if (killed == 1 && lq_spawn_now() > deadline) {
            kill(-pid, SIGKILL);
            killed = 2;
        }
        lq_spawn_wait_a_little(pidfd);
    }
    if (pidfd >= 0)
        close(pidfd);
    lq_spawn_child = 0;
    if (killed)
        return 124;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int lq_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int lq_rm_rf(const char *dir)
{
    return nftw(dir, lq_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static volatile sig_atomic_t lq_guard_stop;

static void lq_guard_on_signal(int sig)
{
    (void)sig;
    lq_guard_stop = 1;
}

/* The guard: starts argv in a group of its own, then waits for it, for the
 * caller's death or for a signal, and takes the whole group down. */
static void lq_guard_run(char *const argv[], int out_fd, const char *tmpdir, int grace_ms,
                         pid_t caller)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = lq_guard_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* the caller's death, even by SIGKILL, comes as a SIGTERM */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != caller)
        lq_guard_stop = 1; /* it died before the line above */
    /* descendants whose parent dies stay ours to reap */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t child = fork();
    if (child == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* the guard itself gone: no use going on */
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0)
            _exit(127);
        if (tmpdir)
            setenv("TMPDIR", tmpdir, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(out_fd);
    int status = 127;
    if (child > 0) {
        setpgid(child, child);
        /* polled rather than blocking, so that a signal that came just
         * before a wait is never missed */
        bool sent = false;
        for (;;) {
            if (lq_guard_stop && !sent) {
                kill(-child, SIGTERM);
                sent = true;
            }
            int st = 0;
            pid_t w = waitpid(child, &st, WNOHANG);
            if (w == child) {
                status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                break;
            }
            if (w < 0 && errno != EINTR)
                break;
            nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
        }
        /* whatever is left of the group (fork-mode jobs, a symbolizer),
         * reaped here when their parent is gone (the subreaper) */
        kill(-child, SIGTERM);
        double kill_at = lq_spawn_now() + grace_ms / 1000.0, give_up = kill_at + 2.0;
        bool killed = false;
        while (kill(-child, 0) == 0 || waitpid(-1, NULL, WNOHANG) > 0) {
            while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
            double now = lq_spawn_now();
            if (!killed && now > kill_at) {
                kill(-child, SIGKILL);
                killed = true;
            }
            if (now > give_up)
                break;
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        }
    }
    if (tmpdir)
        lq_rm_rf(tmpdir);
    _exit(status);
}

int lq_spawn_guarded(char *const argv[], int out_fd, const char *tmpdir, int grace_ms)
{
    pid_t caller = getpid();
    pid_t pid = fork();
    if (pid == 0)
        lq_guard_run(argv, out_fd, tmpdir, grace_ms, caller);
    return pid < 0 ? -1 : (int)pid;
}

/* Appends the arguments up to NULL to av (at most cap - 1 in all). */
void lq_argv_push(char **av, int *n, int cap, ...)
{
    va_list ap;
    va_start(ap, cap);
    for (char *a = va_arg(ap, char *); a && *n < cap - 1; a = va_arg(ap, char *))
        av[(*n)++] = a;
    va_end(ap);
    av[*n] = NULL;
}
