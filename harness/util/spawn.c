/* harness/util/spawn.c: see spawn.h. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
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
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    lq_spawn_child = 0;
    if (killed)
        return 124;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
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
