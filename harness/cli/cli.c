/* harness/cli/cli.c: see cli.h. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "jobs.h"
#include "live/backend_live.h"
#include "run/backend_model.h"
#include "util/cleanup.h"
#include "util/fsutil.h"
#include "util/grow.h"
#include "util/num.h"
#include "util/thread.h"
#include "wire/pcapout.h"

int lq_cli_profile(const char *kernel_opt, struct lq_profile *out)
{
    char err[256];
    if (kernel_opt) {
        if (lq_profile_resolve(kernel_opt, out, err, sizeof(err))) {
            fprintf(stderr, "listenq: %s\n", err);
            return -1;
        }
        return 0;
    }
    struct utsname u;
    if (uname(&u) || lq_profile_from_uname(u.release, u.version, out, err, sizeof(err))) {
        fprintf(stderr, "listenq: cannot choose a kernel profile (%s); use --kernel VERSION\n",
                err);
        return -1;
    }
    return 0;
}

int lq_cli_model_bug(const char *cmd, const char *name, bool test_build, enum lq_model_bug *bug)
{
    if (!test_build) {
        fprintf(stderr,
                "listenq %s: --model-bug exists only in test builds (build/listenq-test, "
                "build/fuzz/test/listenq)\n",
                cmd);
        return -1;
    }
    if (lq_model_bug_by_name(name, bug) == 0)
        return 0;
    fprintf(stderr, "listenq %s: unknown --model-bug %s (%s)\n", cmd, name, LQ_MODEL_BUG_NAMES);
    return -1;
}

int lq_cli_load_corpus(struct lq_corpus *c, char *const *args, int nargs)
{
    struct lq_err err = {0};
    char *errs = NULL;
    if (lq_corpus_load(c, args, nargs, &errs, &err) == 0)
        return 0;
    if (errs)
        fputs(errs, stderr);
    else
        fprintf(stderr, "listenq: %s\n", err.msg);
    free(errs);
    return err.status ? err.status : LQ_EXIT_BADINPUT;
}

int lq_cli_kernel_opts(int argc, char **argv, const char *usage, const char **kernel_opt)
{
    static const struct option opts[] = {
        {"kernel", required_argument, 0, 'k'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    *kernel_opt = NULL;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'k') {
            *kernel_opt = optarg;
            continue;
        }
        fputs(usage, c == 'h' ? stdout : stderr);
        return c == 'h' ? 0 : LQ_EXIT_BADINPUT;
    }
    return -1;
}

int lq_cli_int_opt(const char *cmd, const char *opt, const char *text, long min, long max,
                   long *out)
{
    long long v;
    if (lq_parse_int(text, min, max, &v) == 0) {
        *out = (long)v;
        return 0;
    }
    fprintf(stderr, "listenq %s: --%s takes an integer %ld..%ld, not '%s'\n", cmd, opt, min, max,
            text);
    return -1;
}

int lq_cli_family_opt(const char *cmd, const char *text, unsigned *fams)
{
    if (strcmp(text, "4") == 0)
        *fams = LQ_CORPUS_FAM_4;
    else if (strcmp(text, "6") == 0)
        *fams = LQ_CORPUS_FAM_6;
    else if (strcmp(text, "both") == 0)
        *fams = LQ_CORPUS_FAM_4 | LQ_CORPUS_FAM_6;
    else {
        fprintf(stderr, "listenq %s: --family takes 4, 6 or both, not '%s'\n", cmd, text);
        return -1;
    }
    return 0;
}

const char *lq_cli_families_name(unsigned fams)
{
    return fams == LQ_CORPUS_FAM_6                       ? "ipv6"
           : fams == (LQ_CORPUS_FAM_4 | LQ_CORPUS_FAM_6) ? "ipv4+ipv6"
                                                         : "ipv4";
}

int lq_cli_u64_opt(const char *cmd, const char *opt, const char *text, uint64_t *out)
{
    if (lq_parse_u64(text, out) == 0)
        return 0;
    fprintf(stderr,
            "listenq %s: --%s takes an integer 0..18446744073709551615 (or 0x...), not '%s'\n", cmd,
            opt, text);
    return -1;
}

int lq_cli_jobs_opt(const char *cmd, const char *text, unsigned *jobs)
{
    long v;
    if (lq_cli_int_opt(cmd, "jobs", text, 1, LQ_JOBS_MAX, &v))
        return -1;
    *jobs = (unsigned)v;
    return 0;
}

unsigned lq_cli_default_jobs(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

bool lq_cli_not_run(const struct lq_scenario *sc, bool need_live, const struct lq_backend *live,
                    const char *live_err, bool fast, bool fatal, struct lq_result *res)
{
    if (need_live && !live) {
        res->status = LQ_ST_SKIP;
        snprintf(res->reason, sizeof(res->reason), "cannot run on the kernel here: %.400s",
                 live_err);
    } else if (fast && lq_scenario_is_slow(sc)) {
        res->status = LQ_ST_SKIP;
        snprintf(res->reason, sizeof(res->reason),
                 "slow scenario (waits %.1f s), left out by --fast",
                 (double)lq_scenario_wait_ms(sc) / 1000.0);
    } else if (fatal) {
        res->status = LQ_ST_ERROR;
        snprintf(res->reason, sizeof(res->reason), "not run: the harness failed earlier");
    } else {
        return false;
    }
    return true;
}

/* The directory part of path ("." when it has none). */
static void lq_dirname(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Whether files can be made in the existing directory dir: a probe file,
 * made and removed (access() can say yes to root on a file system mounted
 * read-only by a policy it does not see). */
static int lq_dir_writable(const char *dir)
{
    char probe[PATH_MAX];
    if ((size_t)snprintf(probe, sizeof(probe), "%s/.listenq-probe.%ld", dir, (long)getpid()) >=
        sizeof(probe)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    close(fd);
    unlink(probe);
    return 0;
}

int lq_cli_check_outputs(const char *cmd, const char *dir_opt, const char *dir,
                         const char *const *file_opts, const char *const *files, size_t nfiles)
{
    int bad = 0;
    struct stat st;
    if (dir) {
        if (stat(dir, &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                fprintf(stderr, "listenq %s: --%s %s: exists and is not a directory (%s)\n", cmd,
                        dir_opt, dir, lq_file_kind(st.st_mode));
                bad = 1;
            } else if (lq_dir_writable(dir)) {
                fprintf(stderr, "listenq %s: --%s %s: cannot write in it: %s\n", cmd, dir_opt, dir,
                        strerror(errno));
                bad = 1;
            } else {
                lq_cleanup_stale_temps(dir);
            }
        } else {
            /* made later: its nearest existing ancestor must take it */
            char up[PATH_MAX];
            snprintf(up, sizeof(up), "%s", dir);
            for (;;) {
                char parent[PATH_MAX];
                lq_dirname(up, parent, sizeof(parent));
                if (stat(parent, &st) == 0) {
                    if (!S_ISDIR(st.st_mode) || lq_dir_writable(parent)) {
                        fprintf(stderr, "listenq %s: --%s %s: cannot be made in %s: %s\n", cmd,
                                dir_opt, dir, parent,
                                S_ISDIR(st.st_mode) ? strerror(errno) : "not a directory");
                        bad = 1;
                    }
                    break;
                }
                if (strcmp(parent, up) == 0)
                    break;
                snprintf(up, sizeof(up), "%s", parent);
            }
        }
    }
    for (size_t i = 0; i < nfiles; i++) {
        if (!files[i])
            continue;
        char d[PATH_MAX], target[PATH_MAX];
        enum lq_output_kind kind = lq_output_kind(files[i], target, sizeof(target));
        if (kind == LQ_OUT_STREAM)
            continue; /* a device or a FIFO, written in place (fsutil.h) */
        /* the temporary file is made beside the file a link names */
        lq_dirname(target, d, sizeof(d));
        if (stat(files[i], &st) == 0 && (kind == LQ_OUT_REFUSED || S_ISDIR(st.st_mode))) {
            fprintf(stderr, "listenq %s: --%s %s: not a regular file (%s)\n", cmd, file_opts[i],
                    files[i], lq_file_kind(st.st_mode));
            bad = 1;
        } else if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "listenq %s: --%s %s: no directory %s\n", cmd, file_opts[i], files[i],
                    d);
            bad = 1;
        } else if (lq_dir_writable(d)) {
            fprintf(stderr, "listenq %s: --%s %s: cannot write in %s: %s\n", cmd, file_opts[i],
                    files[i], d, strerror(errno));
            bad = 1;
        } else {
            lq_cleanup_stale_temps(d);
        }
    }
    return bad ? LQ_EXIT_BADINPUT : 0;
}

char *lq_cli_failure_pcap(struct lq_backend *b, const struct lq_scenario *sc, const char *outdir,
                          const char *run_id, size_t place, struct lq_err *err)
{
    const struct lq_pcap_rec *recs;
    size_t n = b ? lq_backend_frames(b, &recs) : 0;
    if (!n)
        return NULL;
    if (lq_mkdir_p(outdir, err))
        return NULL;
    char path[4096];
    char flat[256];
    lq_corpus_file_name(sc, flat, sizeof(flat));
    if (run_id)
        snprintf(path, sizeof(path), "%s/%s.%s.%zu.pcap", outdir, flat, run_id, place);
    else
        snprintf(path, sizeof(path), "%s/%s.pcap", outdir, flat);
    if (lq_pcap_write_atomic(path, recs, n, err))
        return NULL;
    return lq_xstrdup(path);
}

char *lq_cli_evidence_pcap(const struct lq_cli_suite *s, const struct lq_scenario *sc, size_t place,
                           struct lq_err *err)
{
    struct lq_backend *subject = s->runner->backend[LQ_ROLE_SUBJECT];
    return lq_cli_failure_pcap(subject, sc, s->outdir, s->report->run_id, place, err);
}

void lq_cli_evidence_report(const struct lq_cli_suite *s, const struct lq_scenario *sc,
                            const struct lq_result *res, const char *pcap, const char *pcap_err)
{
    struct lq_report *rep = s->report;
    struct lq_backend *subject = s->runner->backend[LQ_ROLE_SUBJECT];
    if (pcap)
        lq_report_written(rep, pcap);
    else if (pcap_err && pcap_err[0])
        lq_report_write_error(rep, pcap_err);
    struct lq_strbuf j;
    lq_sb_init(&j);
    lq_report_json(sc, res, pcap, subject ? subject->release : "", s->profile, rep->run_id, &j);
    char jpath[4096];
    snprintf(jpath, sizeof(jpath), "%s/divergences.jsonl", s->outdir);
    struct lq_err je = {0};
    if (lq_mkdir_p(s->outdir, &je) || lq_append_line_durable(jpath, lq_sb_str(&j), &je))
        lq_report_write_error(rep, je.msg);
    else
        lq_report_written(rep, jpath);
    lq_sb_free(&j);
}

bool lq_cli_run_one(const struct lq_cli_suite *s, const struct lq_scenario *sc, size_t place,
                    struct lq_result *res, char **pcap, struct lq_err *pcap_err)
{
    bool fatal = false;
    *pcap = NULL;
    struct lq_err e = {0};
    if (lq_run_scenario(s->runner, sc, res, &e)) {
        fprintf(stderr, "listenq: %s\n", e.msg);
        fatal = true;
    }
    if (res->status == LQ_ST_FAIL && s->outdir && s->live)
        *pcap = lq_cli_evidence_pcap(s, sc, place, pcap_err);
    if (s->after) {
        int f = 0;
        s->after(s->arg, sc, res, &f);
        if (f)
            fatal = true;
    }
    return fatal;
}

/* The scenarios one after another in this process. */
static int lq_cli_run_sequential(const struct lq_cli_suite *s)
{
    int fatal = 0;
    for (size_t k = 0; k < s->n; k++) {
        const struct lq_scenario *sc = s->sc[k];
        struct lq_result res;
        lq_result_init(&res);
        char *pcap = NULL;
        if (s->before)
            s->before(s->arg, sc);
        bool ran = !lq_cli_not_run(sc, s->need_live, s->live, s->live_err, s->fast, fatal, &res);
        if (ran) {
            struct lq_err pe = {0};
            /* its place in the run, counted from 1, names its pcap */
            if (lq_cli_run_one(s, sc, k + 1, &res, &pcap, &pe))
                fatal = 1;
            if (res.status == LQ_ST_FAIL && s->outdir && s->live)
                lq_cli_evidence_report(s, sc, &res, pcap, pe.msg);
        }
        lq_report_scenario(s->report, sc, &res, pcap);
        free(pcap);
        lq_result_free(&res);
    }
    return fatal;
}

/* The command's kernel made in a thread of its own (lq_cli_open_live). */
struct lq_cli_live_maker {
    struct lq_backend *live;
    struct lq_err err;
    int done_fd; /* an eventfd, written once live (or err) is there */
};

static void *lq_cli_make_live(void *arg)
{
    struct lq_cli_live_maker *m = arg;
    m->live = lq_backend_live_new(&m->err);
    uint64_t one = 1;
    while (write(m->done_fd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* With early workers: the command's kernel is made in a thread while this
 * one hands those workers their first scenarios as their kernels come up
 * (lq_jobs_run_early), so that no worker waits for the command's set-up
 * (5-25 ms among four others on two CPUs); false when that thread cannot
 * be had (then the kernel is made here, as without workers). */
static bool lq_cli_open_live_beside_workers(struct lq_cli_suite *s, struct lq_err *err)
{
    struct lq_cli_live_maker m = {.done_fd = eventfd(0, EFD_CLOEXEC)};
    if (m.done_fd < 0)
        return false;
    pthread_t th;
    if (lq_thread_start_quiet(&th, lq_cli_make_live, &m)) {
        close(m.done_fd);
        return false;
    }
    lq_jobs_run_early(s->pool, m.done_fd);
    pthread_join(th, NULL);
    close(m.done_fd);
    s->live = m.live;
    *err = m.err;
    if (s->live && lq_backend_live_adopt(s->live, err)) {
        lq_backend_destroy(s->live);
        s->live = NULL;
    }
    return true;
}

struct lq_backend *lq_cli_open_live(struct lq_cli_suite *s, struct lq_err *err)
{
    lq_backend_live_share_clock(); /* one calibration for all of them */
    s->pool = lq_jobs_start(s, LQ_ROLE_SUBJECT);
    if (!s->pool || !lq_cli_open_live_beside_workers(s, err))
        s->live = lq_backend_live_new(err);
    if (!s->live) {
        lq_jobs_cancel(s->pool);
        s->pool = NULL;
    }
    s->runner->backend[LQ_ROLE_SUBJECT] = s->live;
    return s->live;
}

int lq_cli_run_suite(const struct lq_cli_suite *s)
{
    lq_cleanup_on_signals(); /* a partial summary, no temporary file left */
    bool in_workers = lq_jobs_wanted(s);
    if (!in_workers)
        lq_jobs_cancel(s->pool); /* started for a kernel that is not there */
    int fatal = in_workers ? lq_jobs_run(s) : lq_cli_run_sequential(s);
    lq_report_end(s->report);
    int status = lq_report_exit_status(s->report);
    if (fatal && status == LQ_EXIT_OK)
        status = LQ_EXIT_ERROR;
    return status;
}

int lq_cli_sides_open(struct lq_cli_sides *s, const struct lq_profile *profile,
                      enum lq_model_bug bug, bool against_model, const char *cmd)
{
    memset(s, 0, sizeof(*s));
    struct lq_err err = {0};
    lq_runner_init(&s->runner, profile);
    s->model = lq_backend_model_new(profile, &err);
    if (!s->model) {
        fprintf(stderr, "listenq %s: %s\n", cmd, err.msg);
        lq_runner_free(&s->runner);
        return LQ_EXIT_ERROR;
    }
    lq_backend_model_set_bug(s->model, bug);
    if (against_model)
        s->subject = lq_backend_model_new(profile, &err);
    else
        s->subject = lq_backend_live_new(&err);
    if (!s->subject) {
        fprintf(stderr, "listenq %s: cannot run on the kernel here: %s\n", cmd, err.msg);
        lq_backend_destroy(s->model);
        lq_runner_free(&s->runner);
        memset(s, 0, sizeof(*s));
        return err.status == LQ_EXIT_SKIP ? LQ_EXIT_SKIP : LQ_EXIT_ERROR;
    }
    s->runner.backend[LQ_ROLE_REFERENCE] = s->model;
    s->runner.backend[LQ_ROLE_SUBJECT] = s->subject;
    return 0;
}

void lq_cli_sides_close(struct lq_cli_sides *s)
{
    lq_backend_destroy(s->model);
    lq_backend_destroy(s->subject);
    if (s->model || s->subject)
        lq_runner_free(&s->runner);
    memset(s, 0, sizeof(*s));
}
