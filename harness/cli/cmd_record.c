/* harness/cli/cmd_record.c: `listenq record` stores a kernel's answers to
 * scenarios; `listenq replay` runs the recorded client side against the
 * running kernel and compares its answers with the recording: the model-free
 * regression check "does this kernel answer as that one did?". */
#include "cmd_record.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "live/backend_live.h"
#include "run/backend_model.h"
#include "run/compare.h"
#include "lang/corpus.h"
#include "replay/recording.h"
#include "report/report.h"
#include "util/grow.h"

static void lq_record_usage(FILE *f)
{
    fprintf(f, "usage: listenq record [--fast] [--tap] --out DIR FILE|DIR...\n"
               "Runs scenarios on this machine's kernel and stores, per scenario, the pcap and a\n"
               "JSON file (kernel release, sysctls, scenario text, every event's observation).\n"
               "Exit statuses as `run` (expectations are checked on the kernel).\n");
}

/* A backend that can pace the kernel run (runner.h: pacer), when there is
 * a kernel: the model; without one (out of memory) the run goes unpaced. */
static struct lq_backend *lq_cmd_record_pacer(struct lq_runner *r, const struct lq_backend *live,
                                              const struct lq_profile *profile)
{
    struct lq_err e;
    struct lq_backend *pacer = live ? lq_backend_model_new(profile, &e) : NULL;
    r->pacer = pacer;
    return pacer;
}

int lq_cmd_record(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                         {"fast", no_argument, 0, 'f'},
                                         {"tap", no_argument, 0, 't'},
                                         {"kernel", required_argument, 0, 'k'},
                                         {"no-progress", no_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *outdir = NULL, *kernel_opt = NULL;
    bool fast = false, tap = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': outdir = optarg; break;
        case 'f': fast = true; break;
        case 't': tap = true; break;
        case 'k': kernel_opt = optarg; break;
        case 'n': break;
        case 'h': lq_record_usage(stdout); return 0;
        default: lq_record_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (!outdir || optind >= argc) {
        lq_record_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;
    struct lq_corpus corpus;
    struct lq_err err = {0};
    int rc = lq_cli_load_corpus(&corpus, argv + optind, argc - optind);
    if (rc)
        return rc;
    struct utsname u;
    uname(&u);
    struct lq_backend *live = lq_backend_live_new(&err);
    struct lq_runner r;
    lq_runner_init(&r, &profile);
    r.backend[LQ_ROLE_SUBJECT] = live;
    r.counters_every_event = true; /* a recording keeps every observation */
    struct lq_backend *pacer = lq_cmd_record_pacer(&r, live, &profile);

    struct lq_report rep = {0};
    rep.out = stdout;
    rep.tap = tap;
    rep.kernel_release = live ? live->release : u.release;
    rep.profile_name = profile.name;
    rep.profile = &profile;
    rep.mode = "kernel, recorded";
    lq_report_begin(&rep, corpus.n);
    int fatal = 0;
    for (size_t i = 0; i < corpus.n; i++) {
        const struct lq_scenario *sc = &corpus.sc[i];
        struct lq_result res;
        lq_result_init(&res);
        if (!lq_cli_not_run(sc, true, live, err.msg, fast, fatal, &res)) {
            struct lq_err e = {0};
            if (lq_run_scenario(&r, sc, &res, &e)) {
                fprintf(stderr, "listenq: %s\n", e.msg);
                fatal = 1;
            }
            if (res.ran[LQ_ROLE_SUBJECT]) {
                const struct lq_pcap_rec *recs;
                size_t n = lq_backend_frames(live, &recs);
                if (lq_recording_write(outdir, sc, &res, LQ_ROLE_SUBJECT, live->release, u.version,
                                       profile.name, recs, n, &e)) {
                    fprintf(stderr, "listenq: %s\n", e.msg);
                    fatal = 1;
                }
            }
        }
        lq_report_scenario(&rep, sc, &res, NULL);
        lq_result_free(&res);
    }
    lq_report_end(&rep);
    int status = lq_report_exit_status(&rep);
    if (fatal && status == LQ_EXIT_OK)
        status = LQ_EXIT_ERROR;
    if (live)
        lq_backend_destroy(live);
    if (pacer)
        lq_backend_destroy(pacer);
    lq_runner_free(&r);
    lq_corpus_free(&corpus);
    return status;
}

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
                lq_add_path(out, path);
            }
        }
        closedir(d);
        qsort(out->v + first, out->n - first, sizeof(*out->v), lq_cmp_strp);
    }
    if (!out->n)
        return lq_errf(err, LQ_EXIT_BADINPUT, "no recording (*.json) in the arguments");
    return 0;
}

int lq_cmd_replay(int argc, char **argv)
{
    static const struct option opts[] = {
        {"tap", no_argument, 0, 't'},        {"fast", no_argument, 0, 'f'},
        {"json", required_argument, 0, 'j'}, {"no-progress", no_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},       {0, 0, 0, 0}};
    bool tap = false, fast = false;
    const char *json = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': tap = true; break;
        case 'f': fast = true; break;
        case 'j': json = optarg; break;
        case 'n': break;
        default:
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: listenq replay [--tap] [--fast] [--json FILE] DIR|FILE.json...\n"
                    "Runs the recorded scenarios on this kernel and compares its answers with\n"
                    "the recording (sequence numbers and cookies by relation, timers within\n"
                    "tolerance). Exit statuses as `run`.\n");
            return c == 'h' ? 0 : LQ_EXIT_BADINPUT;
        }
    }
    struct lq_paths paths = {0};
    struct lq_err err = {0};
    if (optind >= argc || lq_collect_recordings(argv + optind, argc - optind, &paths, &err)) {
        fprintf(stderr, "listenq replay: %s\n", optind >= argc ? "no recording given" : err.msg);
        lq_paths_free(&paths);
        return LQ_EXIT_BADINPUT;
    }
    /* Load everything first: a bad recording is bad input before any run. */
    struct lq_recording *recs = calloc(paths.n, sizeof(*recs));
    int bad = 0;
    for (size_t i = 0; recs && i < paths.n; i++)
        if (lq_recording_load(paths.v[i], &recs[i], &err)) {
            fprintf(stderr, "%s\n", err.msg);
            bad = 1;
        }
    if (!recs || bad) {
        for (size_t i = 0; recs && i < paths.n; i++)
            lq_recording_free(&recs[i]);
        free(recs);
        lq_paths_free(&paths);
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    char perr[256];
    /* the recording's profile gives the sysctl defaults; else this kernel's */
    if (lq_profile_resolve(recs[0].profile, &profile, perr, sizeof(perr)) &&
        lq_cli_profile(NULL, &profile)) {
        for (size_t i = 0; i < paths.n; i++)
            lq_recording_free(&recs[i]);
        free(recs);
        lq_paths_free(&paths);
        return LQ_EXIT_BADINPUT;
    }
    struct lq_backend *live = lq_backend_live_new(&err);
    struct lq_runner r;
    lq_runner_init(&r, &profile);
    r.backend[LQ_ROLE_SUBJECT] = live;
    r.counters_every_event = true;
    struct lq_backend *pacer = lq_cmd_record_pacer(&r, live, &profile);

    char mode[200];
    snprintf(mode, sizeof(mode), "replay of kernel %s", recs[0].release);
    struct lq_report rep = {0};
    rep.out = stdout;
    rep.tap = tap;
    rep.json_path = json;
    rep.kernel_release = live ? live->release : "";
    rep.profile_name = profile.name;
    rep.profile = &profile;
    rep.mode = mode;
    lq_report_begin(&rep, paths.n);
    int fatal = 0;
    for (size_t i = 0; i < paths.n; i++) {
        struct lq_recording *rec = &recs[i];
        struct lq_result res;
        lq_result_init(&res);
        struct lq_profile rp;
        if (lq_profile_resolve(rec->profile, &rp, perr, sizeof(perr)) == 0)
            r.profile = rp; /* the recording's sysctl defaults */
        if (!lq_cli_not_run(&rec->sc, true, live, err.msg, fast, fatal, &res)) {
            struct lq_err e = {0};
            if (lq_run_scenario(&r, &rec->sc, &res, &e)) {
                fprintf(stderr, "listenq: %s\n", e.msg);
                fatal = 1;
            } else if (res.ran[LQ_ROLE_SUBJECT] &&
                       !lq_compare_traces(&rec->sc, &rec->trace, &res.trace[LQ_ROLE_SUBJECT],
                                          &res.div)) {
                res.status = LQ_ST_FAIL;
            }
        }
        lq_report_scenario(&rep, &rec->sc, &res, NULL);
        lq_result_free(&res);
    }
    lq_report_end(&rep);
    int status = lq_report_exit_status(&rep);
    if (fatal && status == LQ_EXIT_OK)
        status = LQ_EXIT_ERROR;
    if (live)
        lq_backend_destroy(live);
    if (pacer)
        lq_backend_destroy(pacer);
    lq_runner_free(&r);
    for (size_t i = 0; i < paths.n; i++)
        lq_recording_free(&recs[i]);
    free(recs);
    lq_paths_free(&paths);
    return status;
}
