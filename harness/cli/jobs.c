/* harness/cli/jobs.c: see jobs.h; the command and its workers talk as
 * jobs_wire.h says. */
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobs_order.h"
#include "jobs_wire.h"
#include "live/backend_live.h"
#include "run/result_pack.h"
#include "util/cleanup.h"
#include "util/grow.h"

enum lq_task_state { LQ_TASK_QUEUED, LQ_TASK_RUNNING, LQ_TASK_DONE };

struct lq_task {
    bool runnable; /* not skipped before it runs (lq_cli_not_run) */
    enum lq_task_state state;
    bool fatal;
    struct lq_result res;
    char *pcap, *pcap_err, *err_text;
};

enum lq_worker_state { LQ_W_STARTING, LQ_W_IDLE, LQ_W_BUSY, LQ_W_GONE };

struct lq_worker {
    pid_t pid;
    int fd;    /* the command's end of the socketpair, -1 once closed */
    int errfd; /* the memory file of its stdout and stderr */
    bool sleeper;
    enum lq_worker_state state;
    size_t task;
    uint64_t err_read; /* what of errfd was already handed on */
    unsigned char *buf;
    size_t len, cap;
};

/* The scenarios between the first one not yet reported and LQ_JOBS_WINDOW
 * past it are in the window: handed out, run, or waiting for their turn to
 * be reported (a --repeat of millions never holds more). */
#define LQ_JOBS_WINDOW 1024

struct lq_jobs_pool {
    const struct lq_cli_suite *s;
    size_t n;
    struct lq_task *t;             /* [k % LQ_JOBS_WINDOW] for k in the window */
    size_t admitted;               /* scenarios [0, admitted) entered the window */
    struct lq_wait_heap waits;     /* those that wait for timers: slow ones, timed ones */
    struct lq_jobs_estimator *est; /* which fast ones are timed */
    size_t *fast;                  /* a ring of the others, in the suite's order */
    size_t fast_head, nfast;
    struct lq_worker *w;
    size_t nw;
    size_t started;         /* workers forked */
    bool early;             /* the others forked before the first's kernel existed */
    enum lq_role live_role; /* then: the runner's role their kernel takes */
    size_t fatal_at;        /* the first scenario the harness failed in, or n */
};

static struct lq_task *lq_pool_task(struct lq_jobs_pool *p, size_t k)
{
    return &p->t[k % LQ_JOBS_WINDOW];
}

/* Whether scenario k of suite s runs: on the suite's kernel, or with
 * live_later on the one it will have (not yet set up). */
static bool lq_jobs_runnable(const struct lq_cli_suite *s, size_t k, bool live_later,
                             struct lq_result *res)
{
    return live_later
               ? !lq_cli_not_run(s->sc[k], false, NULL, "", s->fast, false, res)
               : !lq_cli_not_run(s->sc[k], s->need_live, s->live, s->live_err, s->fast, false, res);
}

/* Scenario k enters the window: skipped at once, or queued. */
static void lq_pool_admit(struct lq_jobs_pool *p, size_t k)
{
    const struct lq_cli_suite *s = p->s;
    struct lq_task *t = lq_pool_task(p, k);
    memset(t, 0, sizeof(*t));
    lq_result_init(&t->res);
    /* before the command's kernel is there (lq_jobs_run_early): as it will be */
    t->runnable = lq_jobs_runnable(s, k, p->early && !s->live, &t->res);
    if (!t->runnable) {
        t->state = LQ_TASK_DONE;
        return;
    }
    uint64_t wait_us = lq_scenario_is_slow(s->sc[k]) ? lq_scenario_wait_ms(s->sc[k]) * 1000u
                                                     : lq_jobs_timer_wait_us(p->est, s->sc[k]);
    if (wait_us)
        lq_wait_push(&p->waits, (struct lq_waiter){.wait_us = wait_us, .k = k});
    else
        p->fast[(p->fast_head + p->nfast++) % LQ_JOBS_WINDOW] = k;
}

static bool lq_jobs_wanted_for(const struct lq_cli_suite *s, bool live_later)
{
    if (s->jobs <= 1 || !s->need_live || (!live_later && !s->live))
        return false;
    size_t runnable = 0;
    for (size_t k = 0; k < s->n && runnable < 2; k++) {
        struct lq_result res;
        lq_result_init(&res);
        if (lq_jobs_runnable(s, k, live_later, &res))
            runnable++;
        lq_result_free(&res);
    }
    return runnable >= 2;
}

bool lq_jobs_wanted(const struct lq_cli_suite *s)
{
    return lq_jobs_wanted_for(s, false);
}

/* ---- the worker ---- */

static _Noreturn void lq_worker_main(struct lq_jobs_pool *p, size_t self, pid_t parent)
{
    const struct lq_cli_suite *s = p->s;
    struct lq_worker *me = &p->w[self];
    /* dies with the command; the cleanup handler removes its temporary
     * files and prints nothing (the summary is the command's) */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(0);
    lq_cleanup_worker();
    /* only its own ends: a command's close must reach each worker */
    for (size_t i = 0; i < p->nw; i++) {
        if (i == self)
            continue;
        if (p->w[i].fd >= 0)
            close(p->w[i].fd);
        if (p->w[i].errfd >= 0)
            close(p->w[i].errfd);
    }
    dup2(me->errfd, STDOUT_FILENO);
    dup2(me->errfd, STDERR_FILENO);
    close(me->errfd);
    int fd = me->fd;

    struct lq_cli_suite cs = *s;
    struct lq_backend *own = s->live; /* the first one's: the command's kernel */
    if (self > 0) {
        /* a kernel of its own: private namespaces beside the command's
         * (forked before the command made its own, or after it let go of
         * it: no copies of it), its clock calibrated here when there was
         * none to copy */
        struct lq_err err = {0};
        own = lq_backend_live_new_beside(s->live, &err);
        if (!own) {
            lq_wire_send_msg(fd, LQ_MSG_SETUP_FAILED, 0, err.msg, strlen(err.msg));
            _exit(0);
        }
        if (p->early)
            s->runner->backend[p->live_role] = own;
        for (int r = 0; !p->early && r < LQ_ROLE_COUNT; r++)
            if (s->runner->backend[r] == s->live)
                s->runner->backend[r] = own;
        cs.live = own;
    }
    if (lq_wire_send_msg(fd, LQ_MSG_READY, 0, NULL, 0))
        _exit(0);
    struct lq_strbuf msg;
    lq_sb_init(&msg);
    for (;;) {
        uint32_t k;
        if (lq_wire_read_full(fd, &k, sizeof(k)) != 1 || k >= s->n) {
            /* the end of the run: its own kernel harness released here, the
             * packet sockets side by side (lq_backend_destroy), not one after
             * the other by the exit, which the command waits for */
            lq_backend_destroy(own);
            _exit(0);
        }
        const struct lq_scenario *sc = s->sc[k];
        struct lq_result res;
        lq_result_init(&res);
        if (s->before)
            s->before(s->arg, sc);
        char *pcap = NULL;
        struct lq_err pe = {0};
        bool fatal = lq_cli_run_one(&cs, sc, k + 1, &res, &pcap, &pe);
        fflush(stdout);
        fflush(stderr);
        off_t end = lseek(STDERR_FILENO, 0, SEEK_CUR);
        struct lq_done_head d = {.fatal = fatal,
                                 .pcap_len = pcap ? (uint32_t)strlen(pcap) : 0,
                                 .pcap_err_len = (uint32_t)strlen(pe.msg),
                                 .err_end = end > 0 ? (uint64_t)end : 0};
        lq_sb_reset(&msg);
        lq_sb_addn(&msg, (const char *)&d, sizeof(d));
        if (pcap)
            lq_sb_addn(&msg, pcap, d.pcap_len);
        lq_sb_addn(&msg, pe.msg, d.pcap_err_len);
        lq_result_pack(&res, &msg);
        if (lq_wire_send_msg(fd, LQ_MSG_RESULT, k, msg.s, msg.len))
            _exit(0);
        free(pcap);
        lq_result_free(&res);
    }
}

/* ---- the command's side ---- */

static int lq_pool_spawn(struct lq_jobs_pool *p, size_t i)
{
    struct lq_worker *w = &p->w[i];
    int sv[2];
    w->errfd = memfd_create("listenq-worker-stderr", MFD_CLOEXEC);
    if (w->errfd < 0)
        return -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
        close(w->errfd);
        w->errfd = -1;
        return -1;
    }
    w->fd = sv[1]; /* the worker's end while it starts: see lq_worker_main */
    pid_t parent = getpid();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        close(w->errfd);
        w->fd = w->errfd = -1;
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        lq_worker_main(p, i, parent);
    }
    close(sv[1]);
    w->fd = sv[0];
    w->pid = pid;
    w->state = LQ_W_STARTING;
    fcntl(w->fd, F_SETFL, fcntl(w->fd, F_GETFL) | O_NONBLOCK);
    return 0;
}

static void lq_worker_close(struct lq_worker *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    w->state = LQ_W_GONE;
}

/* The first of heap h not past the first harness failure. */
static bool lq_pool_pick_from(struct lq_jobs_pool *p, struct lq_wait_heap *h, size_t *task)
{
    while (h->n) {
        size_t k = lq_wait_pop(h);
        if (k < p->fatal_at) {
            *task = k;
            return true;
        }
    }
    return false;
}

/* The next scenario for worker w: a sleeper takes those that wait for
 * timers (slow ones, timed fast ones), the longest first, while other
 * workers are left for the rest; the others take the rest, then the
 * waiting ones, or these first when no sleeper is left (their waits then
 * overlap the rest); none past the first harness failure. */
static bool lq_pool_pick(struct lq_jobs_pool *p, const struct lq_worker *w, size_t *task)
{
    bool others_left = false, sleepers_left = false;
    for (size_t i = 0; i < p->nw; i++) {
        if (p->w[i].state == LQ_W_GONE)
            continue;
        others_left = others_left || !p->w[i].sleeper;
        sleepers_left = sleepers_left || p->w[i].sleeper;
    }
    if (w->sleeper && others_left)
        return lq_pool_pick_from(p, &p->waits, task);
    if (!sleepers_left && lq_pool_pick_from(p, &p->waits, task))
        return true;
    while (p->nfast) {
        size_t k = p->fast[p->fast_head];
        p->fast_head = (p->fast_head + 1) % LQ_JOBS_WINDOW;
        p->nfast--;
        if (k < p->fatal_at) {
            *task = k;
            return true;
        }
    }
    return lq_pool_pick_from(p, &p->waits, task);
}

/* Admits the scenarios up to LQ_JOBS_WINDOW past next, the first one not
 * yet reported. */
static void lq_pool_fill_window(struct lq_jobs_pool *p, size_t next)
{
    while (p->admitted < p->n && p->admitted < next + LQ_JOBS_WINDOW)
        lq_pool_admit(p, p->admitted++);
}

/* Hands a scenario to each idle worker; more_later: scenarios are still
 * to enter the window (a worker with nothing now waits for them). */
static void lq_pool_dispatch(struct lq_jobs_pool *p, bool more_later)
{
    for (size_t i = 0; i < p->nw; i++) {
        struct lq_worker *w = &p->w[i];
        if (w->state != LQ_W_IDLE)
            continue;
        size_t k;
        if (!lq_pool_pick(p, w, &k)) {
            if (!more_later)
                lq_worker_close(w); /* nothing left for it: it ends */
            continue;
        }
        uint32_t k32 = (uint32_t)k;
        if (lq_wire_write_full(w->fd, &k32, sizeof(k32))) {
            /* it died: a task it never got goes back to no one; the
             * harness failed here as it would have in it */
            lq_pool_task(p, k)->state = LQ_TASK_DONE;
            lq_pool_task(p, k)->fatal = true;
            lq_pool_task(p, k)->res.status = LQ_ST_ERROR;
            snprintf(lq_pool_task(p, k)->res.reason, sizeof(lq_pool_task(p, k)->res.reason),
                     "not run: its worker died before it started");
            if (k < p->fatal_at)
                p->fatal_at = k;
            lq_worker_close(w);
            continue;
        }
        lq_pool_task(p, k)->state = LQ_TASK_RUNNING;
        w->state = LQ_W_BUSY;
        w->task = k;
    }
}

static void lq_task_failed(struct lq_jobs_pool *p, size_t k, const char *why)
{
    struct lq_task *t = lq_pool_task(p, k);
    lq_result_free(&t->res);
    t->res.status = LQ_ST_ERROR;
    snprintf(t->res.reason, sizeof(t->res.reason), "%.500s", why);
    t->fatal = true;
    t->state = LQ_TASK_DONE;
    if (k < p->fatal_at)
        p->fatal_at = k;
}

/* A whole message from worker w. */
static void lq_pool_message(struct lq_jobs_pool *p, struct lq_worker *w,
                            const struct lq_msg_head *h, const unsigned char *body)
{
    if (h->type == LQ_MSG_READY) {
        w->state = LQ_W_IDLE;
        return;
    }
    if (h->type == LQ_MSG_SETUP_FAILED) {
        fprintf(stderr,
                "listenq: a worker cannot set up its live kernel harness (%.*s): the run "
                "goes on with the others\n",
                (int)h->len, (const char *)body);
        lq_worker_close(w);
        return;
    }
    size_t k = w->task;
    struct lq_task *t = lq_pool_task(p, k);
    struct lq_done_head d;
    struct lq_err e = {0};
    if (h->type != LQ_MSG_RESULT || w->state != LQ_W_BUSY || h->task != k || h->len < sizeof(d)) {
        lq_task_failed(p, k, "its worker sent a message that is not its result");
        lq_worker_close(w);
        return;
    }
    memcpy(&d, body, sizeof(d));
    size_t off = sizeof(d);
    if ((uint64_t)d.pcap_len + d.pcap_err_len > h->len - off) {
        lq_task_failed(p, k, "its worker sent a result cut short");
        lq_worker_close(w);
        return;
    }
    t->pcap = d.pcap_len ? strndup((const char *)body + off, d.pcap_len) : NULL;
    off += d.pcap_len;
    t->pcap_err = d.pcap_err_len ? strndup((const char *)body + off, d.pcap_err_len) : NULL;
    off += d.pcap_err_len;
    if (lq_result_unpack(body + off, (size_t)h->len - off, &t->res, &e)) {
        lq_task_failed(p, k, e.msg);
        lq_worker_close(w);
        return;
    }
    t->err_text = lq_wire_read_err(w->errfd, w->err_read, d.err_end);
    if (d.err_end > w->err_read)
        w->err_read = d.err_end;
    t->fatal = d.fatal != 0;
    t->state = LQ_TASK_DONE;
    if (t->fatal) {
        if (k < p->fatal_at)
            p->fatal_at = k;
        lq_worker_close(w); /* its harness is broken: nothing more for it */
        return;
    }
    w->state = LQ_W_IDLE;
}

/* The end of worker w's stream: it died (or ended after SETUP_FAILED). */
static void lq_pool_lost(struct lq_jobs_pool *p, struct lq_worker *w)
{
    int st = 0;
    pid_t r;
    while ((r = waitpid(w->pid, &st, 0)) < 0 && errno == EINTR)
        ;
    char how[64];
    if (r == w->pid && WIFSIGNALED(st))
        snprintf(how, sizeof(how), "killed by signal %d", WTERMSIG(st));
    else if (r == w->pid && WIFEXITED(st))
        snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(st));
    else
        snprintf(how, sizeof(how), "lost");
    w->pid = 0;
    char *text = lq_wire_read_err(w->errfd, w->err_read, lq_wire_err_size(w->errfd));
    if (w->state == LQ_W_BUSY) {
        char why[160];
        snprintf(why, sizeof(why), "the worker running it died (%s)", how);
        lq_task_failed(p, w->task, why);
        lq_pool_task(p, w->task)->err_text = text;
    } else {
        if (text)
            fputs(text, stderr);
        free(text);
        if (w->state == LQ_W_STARTING)
            fprintf(stderr, "listenq: a worker ended before it was ready (%s)\n", how);
    }
    lq_worker_close(w);
}

static void lq_pool_read(struct lq_jobs_pool *p, struct lq_worker *w)
{
    for (;;) {
        w->buf = lq_grow(w->buf, &w->cap, w->len + 65536, 1);
        ssize_t r = read(w->fd, w->buf + w->len, w->cap - w->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (r <= 0) {
            lq_pool_lost(p, w);
            return;
        }
        w->len += (size_t)r;
    }
    size_t used = 0;
    while (w->fd >= 0 && w->len - used >= sizeof(struct lq_msg_head)) {
        struct lq_msg_head h;
        memcpy(&h, w->buf + used, sizeof(h));
        if (w->len - used - sizeof(h) < h.len)
            break;
        lq_pool_message(p, w, &h, w->buf + used + sizeof(h));
        used += sizeof(h) + (size_t)h.len;
    }
    memmove(w->buf, w->buf + used, w->len - used);
    w->len -= used;
}

/* Waits for a message from a worker (or, with also >= 0, for also to be
 * readable: *also_ready then) and handles what came; false when no worker
 * is there to wait for. */
static bool lq_pool_wait_also(struct lq_jobs_pool *p, int also, bool *also_ready)
{
    struct pollfd *fds = lq_xcalloc(p->nw + 1, sizeof(*fds));
    size_t *who = lq_xcalloc(p->nw, sizeof(*who));
    size_t n = 0;
    for (size_t i = 0; i < p->nw; i++) {
        if (p->w[i].fd < 0 || p->w[i].state == LQ_W_IDLE || p->w[i].state == LQ_W_GONE)
            continue;
        fds[n] = (struct pollfd){.fd = p->w[i].fd, .events = POLLIN};
        who[n++] = i;
    }
    size_t nfds = n;
    if (also >= 0)
        fds[nfds++] = (struct pollfd){.fd = also, .events = POLLIN};
    if (nfds) {
        while (poll(fds, nfds, -1) < 0 && errno == EINTR)
            ;
        for (size_t j = 0; j < n; j++)
            if (fds[j].revents)
                lq_pool_read(p, &p->w[who[j]]);
        if (also >= 0 && fds[n].revents)
            *also_ready = true;
    }
    free(fds);
    free(who);
    return n > 0;
}

static bool lq_pool_wait(struct lq_jobs_pool *p)
{
    return lq_pool_wait_also(p, -1, NULL);
}

/* Reports scenario k, whose turn it is. */
static void lq_pool_report(struct lq_jobs_pool *p, size_t k)
{
    const struct lq_cli_suite *s = p->s;
    const struct lq_scenario *sc = s->sc[k];
    struct lq_task *t = lq_pool_task(p, k);
    if (k > p->fatal_at) {
        /* as a sequential run: not run after the harness failed */
        if (t->pcap)
            unlink(t->pcap);
        lq_result_free(&t->res);
        lq_cli_not_run(sc, s->need_live, s->live, s->live_err, s->fast, true, &t->res);
        lq_report_scenario(s->report, sc, &t->res, NULL);
        return;
    }
    if (t->err_text)
        fputs(t->err_text, stderr);
    if (t->runnable && t->res.status == LQ_ST_FAIL && s->outdir && s->live)
        lq_cli_evidence_report(s, sc, &t->res, t->pcap, t->pcap_err);
    lq_report_scenario(s->report, sc, &t->res, t->pcap);
    lq_result_free(&t->res); /* reported: only its memory is left */
}

static void lq_task_free(struct lq_task *t)
{
    lq_result_free(&t->res);
    free(t->pcap);
    free(t->pcap_err);
    free(t->err_text);
}

/* How many scenarios of the suite wait for timers (slow ones and timed
 * fast ones) and how many do not, the sum and the longest of the waits
 * (a timed one's at least 1 ms), and whether one is slow. */
static void lq_pool_count(struct lq_jobs_pool *p, bool live_later, size_t *nwait, size_t *nfast,
                          uint64_t *wait_sum_ms, uint64_t *wait_max_ms, bool *any_slow)
{
    const struct lq_cli_suite *s = p->s;
    struct lq_result scratch;
    lq_result_init(&scratch);
    *nwait = *nfast = 0;
    *wait_sum_ms = *wait_max_ms = 0;
    *any_slow = false;
    for (size_t k = 0; k < s->n; k++) {
        if (!lq_jobs_runnable(s, k, live_later, &scratch))
            continue;
        bool slow = lq_scenario_is_slow(s->sc[k]);
        uint64_t w = slow ? lq_scenario_wait_ms(s->sc[k])
                          : (lq_jobs_timer_wait_us(p->est, s->sc[k]) + 999u) / 1000u;
        *any_slow = *any_slow || slow;
        if (slow || w) {
            (*nwait)++;
            *wait_sum_ms += w;
            if (w > *wait_max_ms)
                *wait_max_ms = w;
        } else {
            (*nfast)++;
        }
    }
    lq_result_free(&scratch);
}

/* Sleepers enough for every wait to overlap the longest one (the sum of
 * the waits over the longest), at most LQ_JOBS_SLEEPERS_MAX_PER_JOB per
 * job, and with slow scenarios at least LQ_JOBS_SLEEPERS_PER_JOB per job:
 * they sleep in the kernel's timers, so they cost little CPU, but each
 * sets up a kernel of its own (a grace period, some CPU): a fast suite's
 * few milliseconds of waits are worth only as many as they fill. */
static size_t lq_pool_sleepers(size_t jobs, uint64_t wait_sum_ms, uint64_t wait_max_ms,
                               bool any_slow)
{
    size_t floor = any_slow ? jobs * LQ_JOBS_SLEEPERS_PER_JOB : 1;
    size_t cap = jobs * LQ_JOBS_SLEEPERS_MAX_PER_JOB;
    if (!wait_max_ms)
        return floor;
    uint64_t want = (wait_sum_ms + wait_max_ms - 1) / wait_max_ms;
    return want < floor ? floor : want > cap ? cap : (size_t)want;
}

/* The pool for suite s, sized (live_later: for the kernel it will have),
 * no worker started. */
static struct lq_jobs_pool *lq_pool_new(const struct lq_cli_suite *s, bool live_later)
{
    struct lq_jobs_pool *p = lq_xcalloc(1, sizeof(*p));
    *p = (struct lq_jobs_pool){.s = s, .n = s->n, .fatal_at = s->n};
    p->t = lq_xcalloc(LQ_JOBS_WINDOW, sizeof(*p->t));
    p->waits.v = lq_xcalloc(LQ_JOBS_WINDOW, sizeof(*p->waits.v));
    p->est = lq_jobs_estimator_new(s->profile);
    size_t nwait, nfast;
    uint64_t wait_sum_ms, wait_max_ms;
    bool any_slow;
    lq_pool_count(p, live_later, &nwait, &nfast, &wait_sum_ms, &wait_max_ms, &any_slow);
    p->fast = lq_xcalloc(LQ_JOBS_WINDOW, sizeof(*p->fast));

    size_t max_sleep = lq_pool_sleepers((size_t)s->jobs, wait_sum_ms, wait_max_ms, any_slow);
    size_t nsleep = nwait < max_sleep ? nwait : max_sleep;
    size_t runnable = nwait + nfast;
    if (nsleep > runnable - 1)
        nsleep = runnable - 1; /* the first worker is not one */
    size_t ncpu = runnable - nsleep < s->jobs ? runnable - nsleep : s->jobs;
    p->nw = ncpu + nsleep;
    p->w = lq_xcalloc(p->nw, sizeof(*p->w));
    for (size_t i = 0; i < p->nw; i++) {
        p->w[i].fd = p->w[i].errfd = -1;
        p->w[i].state = LQ_W_GONE;
        p->w[i].sleeper = i >= ncpu;
    }
    return p;
}

/* Forks workers [from, to) of pool p. */
static void lq_pool_spawn_range(struct lq_jobs_pool *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (lq_pool_spawn(p, i) == 0)
            p->started++;
        else
            fprintf(stderr, "listenq: cannot start a worker: %s\n", strerror(errno));
    }
}

/* Waits for every worker of pool p to end, and frees it. */
static void lq_pool_free(struct lq_jobs_pool *p)
{
    for (size_t i = 0; i < p->nw; i++) {
        struct lq_worker *w = &p->w[i];
        if (w->pid > 0)
            while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        if (w->errfd >= 0)
            close(w->errfd);
        free(w->buf);
    }
    free(p->t);
    free(p->waits.v);
    lq_jobs_estimator_free(p->est);
    free(p->fast);
    free(p->w);
    free(p);
}

struct lq_jobs_pool *lq_jobs_start(const struct lq_cli_suite *s, enum lq_role live_role)
{
    if (s->live || !lq_jobs_wanted_for(s, true))
        return NULL;
    struct lq_jobs_pool *p = lq_pool_new(s, true);
    p->early = true;
    p->live_role = live_role;
    lq_pool_spawn_range(p, 1, p->nw);
    return p;
}

void lq_jobs_run_early(struct lq_jobs_pool *p, int ready_fd)
{
    bool ready = false;
    while (!ready) {
        lq_pool_fill_window(p, 0);
        /* a worker with nothing now keeps waiting: the first is not there */
        lq_pool_dispatch(p, true);
        lq_pool_wait_also(p, ready_fd, &ready);
    }
}

void lq_jobs_cancel(struct lq_jobs_pool *p)
{
    if (!p)
        return;
    /* what ran early is not reported: the run stops before its report
     * begins, with the outputs it had before workers ran early */
    for (size_t k = 0; k < p->admitted; k++) {
        struct lq_task *t = lq_pool_task(p, k);
        if (t->pcap)
            unlink(t->pcap);
        lq_task_free(t);
    }
    /* mid-way through their set-up, or waiting for a first scenario */
    for (size_t i = 0; i < p->nw; i++) {
        if (p->w[i].fd >= 0)
            close(p->w[i].fd);
        p->w[i].fd = -1;
        if (p->w[i].pid > 0)
            kill(p->w[i].pid, SIGTERM);
    }
    lq_pool_free(p);
}

int lq_jobs_run(const struct lq_cli_suite *s)
{
    struct lq_jobs_pool *p = s->pool ? s->pool : lq_pool_new(s, false);
    /* the first worker takes over this process's kernel, which stays
     * unused here from now on: this process lets go of its copies at once,
     * so that the others do not get them and the first gives it back (its
     * RCU waits side by side) as soon as it has nothing left to run; the
     * others were forked before it existed, or are forked now */
    if (lq_pool_spawn(p, 0) == 0) {
        p->started++;
        lq_backend_live_disown(s->live);
        if (!p->early)
            lq_pool_spawn_range(p, 1, p->nw);
    } else {
        fprintf(stderr, "listenq: cannot start a worker: %s\n", strerror(errno));
    }

    size_t next = 0;
    while (next < p->n) {
        lq_pool_fill_window(p, next);
        struct lq_task *t = lq_pool_task(p, next);
        if (next > p->fatal_at || t->state == LQ_TASK_DONE) {
            lq_pool_report(p, next);
            lq_task_free(t);
            next++;
            continue;
        }
        lq_pool_dispatch(p, p->admitted < p->n);
        if (!lq_pool_wait(p)) {
            /* no worker left and scenarios still to run */
            bool running = false;
            for (size_t i = 0; i < p->nw; i++)
                running = running || p->w[i].state == LQ_W_BUSY;
            if (!running && t->state != LQ_TASK_DONE)
                lq_task_failed(p, next, "not run: no worker of the run is left");
        }
    }

    /* the end: workers with nothing to do end at the close; one still busy
     * runs a scenario after a harness failure, which is not reported */
    for (size_t i = 0; i < p->nw; i++) {
        struct lq_worker *w = &p->w[i];
        bool busy = w->state == LQ_W_BUSY;
        if (w->fd >= 0)
            close(w->fd);
        w->fd = -1;
        if (w->pid > 0 && busy)
            kill(w->pid, SIGTERM);
    }
    /* what is left of the window: scenarios run after a harness failure */
    for (size_t k = next; k < p->admitted; k++)
        lq_task_free(lq_pool_task(p, k));
    int fatal = p->fatal_at < p->n || p->started == 0;
    lq_pool_free(p);
    return fatal;
}
