/* harness/cli/cmd_replay.c: `listenq replay`, the model-free regression check
 * "does this kernel answer as that one did?": `run` with a recording as
 * the reference (replay/backend_replay.h) and this kernel as the subject,
 * with run's reports, --out, pcaps and exit statuses. The recordings are
 * checked first, JSON against pcap and both against their scenario: one that
 * is not consistent is bad input (exit 2) before the kernel runs anything. */
#include "cmd_record.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "jobs.h"
#include "replay/backend_replay.h"
#include "replay/recording.h"
#include "report/report.h"
#include "run/backend_model.h"
#include "util/fsutil.h"
#include "util/grow.h"

struct lq_paths {
    char **v;
    size_t n, cap;
};

static void lq_paths_free(struct lq_paths *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

static int lq_cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lq_add_path(struct lq_paths *p, const char *s)
{
    p->v = lq_grow(p->v, &p->cap, p->n + 1, sizeof(*p->v));
    p->v[p->n++] = lq_xstrdup(s);
}

/* FILE.json arguments, or every *.json in DIR arguments. */
static int lq_collect_recordings(char *const *args, int n, struct lq_paths *out, struct lq_err *err)
{
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(args[i], &st))
            return lq_errno(err, LQ_EXIT_BADINPUT, "%s", args[i]);
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
            return lq_errf(err, LQ_EXIT_BADINPUT, "%s: not a regular file (%s)", args[i],
                           lq_file_kind(st.st_mode));
        if (!S_ISDIR(st.st_mode)) {
            lq_add_path(out, args[i]);
            continue;
        }
        DIR *d = opendir(args[i]);
        if (!d)
            return lq_errno(err, LQ_EXIT_BADINPUT, "%s", args[i]);
        struct dirent *e;
        size_t first = out->n;
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", args[i], e->d_name);
                /* a recording that cannot be read is bad input, named */
                struct stat es;
                int bad =
                    stat(path, &es)
                        ? (errno == ENOENT ? lq_errf(err, LQ_EXIT_BADINPUT,
                                                     "%s: a symbolic link to a missing file", path)
                                           : lq_errno(err, LQ_EXIT_BADINPUT, "%s", path))
                    : !S_ISREG(es.st_mode)
                        ? lq_errf(err, LQ_EXIT_BADINPUT, "%s: not a regular file (%s)", path,
                                  lq_file_kind(es.st_mode))
                        : 0;
                if (bad) {
                    closedir(d);
                    return -1;
                }
                lq_add_path(out, path);
            }
        }
        closedir(d);
        if (out->n - first > 1) /* qsort(NULL, 0) is undefined */
            qsort(out->v + first, out->n - first, sizeof(*out->v), lq_cmp_strp);
    }
    if (!out->n)
        return lq_errf(err, LQ_EXIT_BADINPUT, "no recording (*.json) in the arguments");
    return 0;
}

static void lq_replay_usage(FILE *f)
{
    fprintf(f,
            "usage: listenq replay [options] DIR|FILE.json...\n"
            "Runs the recorded scenarios on this kernel and compares its answers with\n"
            "the recording (sequence numbers and cookies by relation, timers within\n"
            "tolerance). A recording whose values are impossible or whose pcap does not\n"
            "match it is bad input. Exit statuses as `run`.\n"
            "  --fast        leave out slow scenarios (those with wait)\n"
            "  --tap         KTAP output (TAP version 13) instead of the human report\n"
            "  --junit FILE  also write a JUnit XML report\n"
            "  --json FILE   also write one JSON object per scenario per line\n"
            "  --out DIR     where divergence pcaps and divergences.jsonl go (default: out)\n"
            "  --jobs N      scenarios at once, reported in order (default: the CPUs, %u here)\n"
            "  -v, --verbose details for passing scenarios too\n"
            "  --no-progress no progress line on a terminal\n",
            lq_cli_default_jobs());
}

static void lq_recordings_free(struct lq_recording *recs, size_t n)
{
    for (size_t i = 0; recs && i < n; i++)
        lq_recording_free(&recs[i]);
    free(recs);
}

/* Loads every recording; each bad one is printed. 0, or LQ_EXIT_BADINPUT. */
static int lq_replay_load(const struct lq_paths *paths, struct lq_recording **out)
{
    struct lq_recording *recs = lq_xcalloc(paths->n, sizeof(*recs));
    int bad = 0;
    for (size_t i = 0; i < paths->n; i++) {
        struct lq_err err = {0};
        if (lq_recording_load(paths->v[i], &recs[i], &err)) {
            fprintf(stderr, "listenq replay: %s\n", err.msg);
            bad = 1;
        }
    }
    *out = recs;
    return bad ? LQ_EXIT_BADINPUT : 0;
}

struct lq_replay_ctx {
    struct lq_runner *runner;
    struct lq_recording *recs;
    size_t n;
};

/* Before a scenario: the runner's sysctl defaults are its recording's profile's. */
static void lq_replay_profile(void *arg, const struct lq_scenario *sc)
{
    struct lq_replay_ctx *c = arg;
    for (size_t i = 0; i < c->n; i++) {
        struct lq_profile p;
        char perr[256];
        if (&c->recs[i].sc == sc &&
            lq_profile_resolve(c->recs[i].profile, &p, perr, sizeof(perr)) == 0)
            c->runner->profile = p;
    }
}

int lq_cmd_replay(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tap", no_argument, 0, 't'},         {"fast", no_argument, 0, 'f'},
        {"json", required_argument, 0, 'j'},  {"junit", required_argument, 0, 'J'},
        {"out", required_argument, 0, 'o'},   {"verbose", no_argument, 0, 'v'},
        {"no-progress", no_argument, 0, 'n'}, {"jobs", required_argument, 0, 'N'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    bool tap = false, fast = false, verbose = false, progress = true;
    const char *json = NULL, *junit = NULL, *outdir = "out";
    unsigned jobs = lq_cli_default_jobs();
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 't': tap = true; break;
        case 'f': fast = true; break;
        case 'j': json = optarg; break;
        case 'J': junit = optarg; break;
        case 'o': outdir = optarg; break;
        case 'v': verbose = true; break;
        case 'n': progress = false; break;
        case 'N':
            if (lq_cli_jobs_opt("replay", optarg, &jobs))
                return LQ_EXIT_BADINPUT;
            break;
        case 'h': lq_replay_usage(stdout); return 0;
        default: lq_replay_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    /* the outputs, before anything runs (exit 2, named) */
    static const char *const file_opts[] = {"junit", "json"};
    const char *files[] = {junit, json};
    if (lq_cli_check_outputs("replay", "out", NULL, file_opts, files, 2))
        return LQ_EXIT_BADINPUT;
    struct lq_paths paths = {0};
    struct lq_err err = {0};
    if (optind >= argc || lq_collect_recordings(argv + optind, argc - optind, &paths, &err)) {
        fprintf(stderr, "listenq replay: %s\n", optind >= argc ? "no recording given" : err.msg);
        lq_paths_free(&paths);
        return LQ_EXIT_BADINPUT;
    }
    /* Everything is loaded and checked first: a bad recording is bad input
     * before any run. */
    struct lq_recording *recs;
    int status = lq_replay_load(&paths, &recs);
    struct lq_profile profile;
    char perr[256];
    /* the recording's profile gives the sysctl defaults; else this kernel's */
    if (!status && lq_profile_resolve(recs[0].profile, &profile, perr, sizeof(perr)) &&
        lq_cli_profile(NULL, &profile))
        status = LQ_EXIT_BADINPUT;
    struct lq_backend *rec = status ? NULL : lq_backend_replay_new(recs, paths.n, &err);
    if (rec && lq_backend_replay_verify(rec, &profile, &err)) {
        fprintf(stderr, "listenq replay: %s\n", err.msg);
        status = err.status ? err.status : LQ_EXIT_BADINPUT;
    }
    if (status) {
        lq_backend_destroy(rec);
        lq_recordings_free(recs, paths.n);
        lq_paths_free(&paths);
        return status;
    }

    /* the recording as the reference, this kernel as the subject, paced by
     * a model (a recording cannot pace: runner.h) */
    struct lq_backend *pacer = lq_backend_model_new(&profile, &err);
    if (!pacer) {
        fprintf(stderr, "listenq replay: %s\n", err.msg);
        lq_backend_destroy(rec);
        lq_recordings_free(recs, paths.n);
        lq_paths_free(&paths);
        return LQ_EXIT_ERROR;
    }
    struct lq_runner r;
    lq_runner_init(&r, &profile);
    r.backend[LQ_ROLE_REFERENCE] = rec;
    r.pacer = pacer;
    r.expect_off[LQ_ROLE_REFERENCE] = true; /* checked when it was recorded */
    r.counters_every_event = true;

    char mode[200];
    snprintf(mode, sizeof(mode), "replay of kernel %s", recs[0].release);
    struct lq_report rep = {0};
    rep.out = stdout;
    rep.tap = tap;
    rep.verbose = verbose;
    rep.progress = progress && isatty(STDERR_FILENO) && !tap;
    rep.json_path = json;
    rep.junit_path = junit;
    rep.profile_name = profile.name;
    rep.profile = &profile;
    rep.mode = mode;
    lq_report_pick_run_id(&rep); /* workers started before it begins use it */
    const struct lq_scenario **scs = lq_xcalloc(paths.n, sizeof(*scs));
    for (size_t i = 0; i < paths.n; i++)
        scs[i] = &recs[i].sc;
    struct lq_replay_ctx ctx = {.runner = &r, .recs = recs, .n = paths.n};
    struct lq_cli_suite suite = {.runner = &r,
                                 .report = &rep,
                                 .sc = scs,
                                 .n = paths.n,
                                 .fast = fast,
                                 .need_live = true,
                                 .live_err = err.msg,
                                 .outdir = outdir,
                                 .profile = &profile,
                                 .before = lq_replay_profile,
                                 .arg = &ctx,
                                 .jobs = jobs};
    /* the kernel last: the workers' kernels are set up beside it (jobs.h);
     * none here: every scenario is skipped, err says why */
    struct lq_backend *live = lq_cli_open_live(&suite, &err);
    if (live && lq_cli_check_outputs("replay", "out", outdir, NULL, NULL, 0)) {
        lq_jobs_cancel(suite.pool);
        status = LQ_EXIT_BADINPUT;
    } else {
        rep.kernel_release = live ? live->release : "";
        lq_report_begin(&rep, paths.n);
        status = lq_cli_run_suite(&suite);
    }
    free(scs);
    lq_backend_destroy(live);
    lq_backend_destroy(pacer);
    lq_backend_destroy(rec);
    lq_runner_free(&r);
    lq_recordings_free(recs, paths.n);
    lq_paths_free(&paths);
    return status;
}
