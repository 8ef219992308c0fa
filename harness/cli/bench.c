/* harness/cli/bench.c: performance figures as "name: value" lines.
 *
 *   model_events_per_sec       the model alone: segments and accept() calls
 *                              fed straight to lq_model_input/accept
 *   model_suite_events_per_sec the fast conformance suite through the runner,
 *                              model backend only (client, traces, expects)
 *   model_fast_suite_ms        one pass of the fast suite on the model
 *   live_fast_suite_ms         one pass of the fast suite, model vs kernel
 *   live_scenarios_per_sec     the fast suite on the kernel backend, repeated
 *   live_events_per_scenario   events per scenario in that mix
 *   live_packets_per_sec       client segments injected per second there
 *   live_frames_per_sec        every injected frame (barriers, purges) per second
 *   live_event_us              median time of one SYN event with its barrier
 *   live_raw_roundtrip_us      median SYN -> SYN-ACK + RST on a bare packet
 *                              socket (live/probe.h), rounds interleaved
 *                              with those of live_event_us
 *   live_event_overhead        live_event_us / live_raw_roundtrip_us
 *   live_*_ipv6                each live figure again over IPv6: the
 *                              family-neutral scenarios as NAME@ipv6 and the
 *                              IPv6-only ones, SYNs to an IPv6 listener
 *   suite_wall_s               the whole corpus, `listenq run` with the
 *                              default --jobs (suite_jobs: the CPUs)
 *   suite_sequential_s         the same with --jobs 1
 *   suite_longest_scenario_s   its longest scenario (elapsed_us, --jobs 1)
 *   suite_jobs_speedup         suite_sequential_s / suite_wall_s
 *   fast_suite_jobs{1,2}_s     `listenq run --fast` with --jobs 1 and 2
 *   fast_suite_jobs2_speedup   the first over the second
 *   fast_suite_x5_jobs{1,2}_s  the same with --repeat 5 (LQ_BENCH_REPEAT)
 *   fast_suite_x5_jobs2_speedup the first over the second: the scaling of
 *                              the work itself, less the fixed cost's share
 *   run_fixed_ms               a whole `listenq run` of a one-event scenario:
 *                              what every run pays whatever it runs (exec,
 *                              namespaces, the capture ring's set-up and
 *                              release: RCU grace periods)
 * Medians or totals over repeated runs; the lines say nothing else.
 */
#include "bench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define LQ_BENCH_REPEAT 5u

#include "cli.h"
#include "util/datadir.h"
#include "util/spawn.h"
#include "lang/corpus.h"
#include "live/backend_live.h"
#include "live/probe.h"
#include "run/backend_model.h"
#include "run/runner.h"

static double lq_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int lq_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double lq_median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), lq_cmp_double);
    return n ? v[n / 2] : 0;
}

/* The model alone: many connections through SYN, third ACK and accept(),
 * with a retransmitted SYN and an RST now and then; the listener is reset
 * every 1000 connections. Counts events fed to the model. */
static double lq_bench_model_raw(const struct lq_profile *p, double seconds)
{
    struct lq_model *m = lq_model_new(p);
    if (!m)
        return 0;
    uint64_t events = 0;
    double t0 = lq_bench_now(), t;
    uint32_t round = 0;
    do {
        for (int batch = 0; batch < 16; batch++) {
            lq_model_reset(m);
            lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, (round & 1) ? 1 : 0);
            lq_model_set_sysctl(m, LQ_SYSCTL_SOMAXCONN, 65535);
            lq_model_listen(m, 8000, 64);
            for (uint16_t c = 0; c < 1000; c++) {
                struct lq_seg syn = {.conn = c,
                                     .sport = (uint16_t)(20000 + c),
                                     .dport = 8000,
                                     .flags = LQ_TH_SYN,
                                     .seq = 1000u * c + round,
                                     .win = 65535};
                syn.opt.has_mss = true;
                syn.opt.mss = 1460;
                lq_model_input(m, &syn);
                events++;
                const struct lq_model_out *o = lq_model_output(m);
                if (!o->npkts)
                    continue;
                if (c % 7 == 0) {
                    lq_model_input(m, &syn); /* retransmitted SYN */
                    events++;
                }
                struct lq_seg ack = syn;
                ack.flags = LQ_TH_ACK;
                ack.seq = syn.seq + 1;
                ack.ack = o->pkts[0].seg.seq + 1;
                ack.opt.has_mss = false;
                if (c % 11 == 0) {
                    ack.flags = LQ_TH_RST;
                    ack.ack = 0;
                }
                lq_model_input(m, &ack);
                events++;
                uint16_t conn, mss;
                lq_model_accept(m, &conn, &mss);
                events++;
            }
            round++;
        }
        t = lq_bench_now();
    } while (t - t0 < seconds);
    lq_model_free(m);
    return (double)events / (t - t0);
}

static size_t lq_count_events(const struct lq_scenario *sc)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->n; i++)
        if (lq_dir_is_event(sc->d[i].kind))
            n++;
    return n;
}

/* Runs the fast scenarios of the corpus once; returns seconds, adds events. */
static double lq_bench_pass(struct lq_runner *r, const struct lq_corpus *c, size_t *events,
                            size_t *scenarios, int *failed)
{
    double t0 = lq_bench_now();
    for (size_t i = 0; i < c->n; i++) {
        if (lq_scenario_is_slow(&c->sc[i]))
            continue;
        struct lq_result res;
        lq_result_init(&res);
        struct lq_err e;
        if (lq_run_scenario(r, &c->sc[i], &res, &e) || res.status != LQ_ST_PASS)
            (*failed)++;
        lq_result_free(&res);
        *events += lq_count_events(&c->sc[i]);
        (*scenarios)++;
    }
    return lq_bench_now() - t0;
}

#define LQ_BENCH_PER_ROUND 64

/* LQ_BENCH_PER_ROUND SYN events on a fresh listener (each with its
 * barrier: what the runner pays per event), timed into us; returns how
 * many were timed. Fewer than tcp_max_syn_backlog's three quarters, so
 * every one draws a SYN-ACK. */
static size_t lq_bench_syn_events(struct lq_backend *live, struct lq_runner *r,
                                  const struct lq_profile *profile, bool ipv6, double *us)
{
    struct lq_scenario one;
    lq_scenario_init(&one);
    lq_scenario_conn(&one, "c");
    one.run_family = ipv6 ? LQ_FAMILY_IPV6 : LQ_FAMILY_IPV4;
    size_t n = 0;
    struct lq_err e;
    struct lq_begin bg = {
        .sc = &one, .lport = lq_runner_next_port(r), .family = (uint8_t)one.run_family};
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        bg.sysctl[s] = lq_model_sysctl_default(profile, (enum lq_sysctl)s);
    if (lq_backend_clock(live, &bg.clock, &e) != 0)
        bg.clock = (struct lq_clock){.jiffies64 = 0x40000000u, .hz = 1000};
    if (lq_backend_begin(live, &bg, &e) == 0) {
        int rc;
        struct lq_replies reps = {0};
        lq_backend_sysctl(live, LQ_SYSCTL_SYNCOOKIES, 0, &e);
        lq_backend_listen(live, 0, 4096, &rc, &reps, &e);
        for (int i = 0; i < LQ_BENCH_PER_ROUND; i++) {
            struct lq_seg syn = {.conn = 0,
                                 .sport = (uint16_t)(40000 + i),
                                 .dport = bg.lport,
                                 .flags = LQ_TH_SYN,
                                 .seq = 7u * (uint32_t)i,
                                 .win = 65535,
                                 .ipv6 = ipv6};
            double a = lq_bench_now();
            if (lq_backend_segment(live, &syn, &reps, &e))
                break;
            us[n++] = (lq_bench_now() - a) * 1e6;
            lq_replies_clear(&reps);
        }
        lq_backend_end(live, &e);
        lq_replies_free(&reps);
    }
    lq_scenario_free(&one);
    return n;
}

/* The live figures of one family: the IPv4 names as they always were,
 * the IPv6 ones with "_ipv6" after them (live_event_us_ipv6, ...). r's
 * reference is the model on entry and on return. */
static void lq_bench_live(struct lq_runner *r, struct lq_backend *model, struct lq_backend *live,
                          struct lq_probe **probe, struct lq_err *perr,
                          const struct lq_corpus *corpus, const struct lq_profile *profile,
                          bool quick, double secs, bool ipv6, int *failed)
{
    const char *sfx = ipv6 ? "_ipv6" : "";
    size_t events = 0, scenarios = 0;
    double spent = 0, passes[64] = {0};
    int np = 0;
    /* model vs kernel, once per pass */
    r->backend[LQ_ROLE_REFERENCE] = model;
    r->backend[LQ_ROLE_SUBJECT] = live;
    for (int i = 0; i < (quick ? 2 : 5); i++) {
        events = scenarios = 0;
        passes[np++] = lq_bench_pass(r, corpus, &events, &scenarios, failed);
    }
    printf("live_fast_suite_ms%s: %.3f\n", sfx, lq_median(passes, (size_t)np) * 1e3);
    printf("live_fast_suite_scenarios%s: %zu\n", sfx, scenarios);

    /* the kernel alone, repeated */
    r->backend[LQ_ROLE_REFERENCE] = NULL;
    events = scenarios = 0;
    struct lq_backend_stats st0, st1;
    lq_backend_stats(live, &st0);
    spent = 0;
    double t0 = lq_bench_now();
    while (lq_bench_now() - t0 < secs * 2)
        spent += lq_bench_pass(r, corpus, &events, &scenarios, failed);
    printf("live_scenarios_per_sec%s: %.0f\n", sfx, (double)scenarios / spent);
    printf("live_events_per_scenario%s: %.1f\n", sfx, (double)events / (double)scenarios);
    lq_backend_stats(live, &st1);
    printf("live_packets_per_sec%s: %.0f\n", sfx, (double)(st1.segments - st0.segments) / spent);
    printf("live_frames_per_sec%s: %.0f\n", sfx, (double)(st1.frames - st0.frames) / spent);
    r->backend[LQ_ROLE_REFERENCE] = model;

    /* one SYN event with its barrier, beside the kernel's bare round
     * trip (probe.h), in interleaved rounds: the machine's load weighs
     * on both alike */
    int rounds = quick ? 3 : 8;
    double ev[8 * LQ_BENCH_PER_ROUND], raw[8 * LQ_BENCH_PER_ROUND];
    size_t nev = 0, nraw = 0, late = 0;
    for (int k = 0; k < rounds; k++) {
        if (*probe) {
            size_t l = 0;
            int rc = ipv6 ? lq_probe_roundtrips6(*probe, LQ_BENCH_PER_ROUND, raw + nraw, &l, perr)
                          : lq_probe_roundtrips(*probe, LQ_BENCH_PER_ROUND, raw + nraw, &l, perr);
            if (rc) {
                lq_probe_close(*probe);
                *probe = NULL;
            } else {
                nraw += LQ_BENCH_PER_ROUND;
                late += l;
            }
        }
        nev += lq_bench_syn_events(live, r, profile, ipv6, ev + nev);
    }
    double ev_us = lq_median(ev, nev);
    printf("live_event_us%s: %.1f\n", sfx, ev_us);
    if (nraw) {
        double raw_us = lq_median(raw, nraw);
        printf("live_raw_roundtrip_us%s: %.1f\n", sfx, raw_us);
        printf("live_event_overhead%s: %.2f\n", sfx, raw_us > 0 ? ev_us / raw_us : 0);
        if (late)
            printf("# %zu of %zu probe SYN-ACKs were not queued when the write returned\n", late,
                   nraw);
    } else {
        printf("# live_raw_roundtrip_us%s skipped: %s\n", sfx, perr->msg);
    }
}

/* One `listenq run` of the corpus by this very binary, as a user runs it
 * (its own process, namespaces and workers); returns the wall time in
 * seconds, or -1 when it did not conform (or could not run). json: where
 * its --json goes (NULL: none). */
static double lq_bench_run(const char *self, const char *corpus, unsigned jobs, bool fast,
                           unsigned repeat, const char *json)
{
    char jobs_s[16], repeat_s[16];
    snprintf(jobs_s, sizeof(jobs_s), "%u", jobs);
    snprintf(repeat_s, sizeof(repeat_s), "%u", repeat);
    char *av[16];
    int n = 0;
    lq_argv_push(av, &n, 16, self, "run", "--no-progress", "--jobs", jobs_s, NULL);
    if (fast)
        lq_argv_push(av, &n, 16, "--fast", NULL);
    if (repeat > 1)
        lq_argv_push(av, &n, 16, "--repeat", repeat_s, NULL);
    if (json) {
        unlink(json);
        lq_argv_push(av, &n, 16, "--json", json, NULL);
    }
    lq_argv_push(av, &n, 16, corpus, NULL);
    double t0 = lq_bench_now();
    int rc = lq_spawn(av, "/dev/null", "/dev/null", 900);
    double t = lq_bench_now() - t0;
    return rc == 0 ? t : -1;
}

/* The longest elapsed_us of a --json file, in seconds (-1: none). */
static double lq_bench_longest(const char *json)
{
    FILE *f = fopen(json, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    double longest = -1;
    while (getline(&line, &cap, f) > 0) {
        json_error_t je;
        json_t *r = json_loads(line, 0, &je);
        json_t *e = r ? json_object_get(r, "elapsed_us") : NULL;
        if (e && json_is_integer(e) && (double)json_integer_value(e) / 1e6 > longest)
            longest = (double)json_integer_value(e) / 1e6;
        json_decref(r);
    }
    free(line);
    fclose(f);
    return longest;
}

/* The suite figures: the whole corpus with --jobs 1 and with the default
 * --jobs, and the fast suite with --jobs 1 and 2, in interleaved rounds. */
static int lq_bench_suites(const char *corpus, bool quick)
{
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (sl <= 0) {
        printf("# suite figures skipped: cannot find this binary (/proc/self/exe)\n");
        return 0;
    }
    self[sl] = '\0';
    char dir[] = "/tmp/listenq-bench.XXXXXX";
    if (!mkdtemp(dir)) {
        printf("# suite figures skipped: cannot make a temporary directory\n");
        return 0;
    }
    char json[sizeof(dir) + 16];
    snprintf(json, sizeof(json), "%s/seq.json", dir);
    unsigned jobs = lq_cli_default_jobs();
    int rounds = quick ? 1 : 3, fails = 0;
    /* the fast runs take a fraction of a second each and a loaded host
     * (steal time) moves them by tens of ms: more rounds, the median */
    enum { LQ_FAST_ROUNDS = 11 };
    double seq[3], par[3], longest[3], f1[LQ_FAST_ROUNDS], f2[LQ_FAST_ROUNDS];
    double r1[LQ_FAST_ROUNDS], r2[LQ_FAST_ROUNDS], fixed[LQ_FAST_ROUNDS];
    for (int k = 0; k < rounds; k++) {
        seq[k] = lq_bench_run(self, corpus, 1, false, 1, json);
        longest[k] = lq_bench_longest(json);
        par[k] = lq_bench_run(self, corpus, jobs, false, 1, NULL);
        fails += seq[k] < 0 || par[k] < 0 || longest[k] < 0;
    }
    int frounds = quick ? 3 : LQ_FAST_ROUNDS;
    for (int k = 0; k < frounds; k++) {
        f1[k] = lq_bench_run(self, corpus, 1, true, 1, NULL);
        f2[k] = lq_bench_run(self, corpus, 2, true, 1, NULL);
        r1[k] = lq_bench_run(self, corpus, 1, true, LQ_BENCH_REPEAT, NULL);
        r2[k] = lq_bench_run(self, corpus, 2, true, LQ_BENCH_REPEAT, NULL);
        fails += f1[k] < 0 || f2[k] < 0 || r1[k] < 0 || r2[k] < 0;
    }
    /* a run's fixed cost: one scenario of one event */
    char one[sizeof(dir) + 16];
    snprintf(one, sizeof(one), "%s/one.lq", dir);
    FILE *of = fopen(one, "w");
    bool have_one = of && fputs("listen 8\nsyn c1\nexpect c1 synack\n", of) >= 0;
    if (of && fclose(of))
        have_one = false;
    for (int k = 0; k < frounds && have_one; k++) {
        fixed[k] = lq_bench_run(self, one, 1, true, 1, NULL);
        fails += fixed[k] < 0;
    }
    unlink(one);
    unlink(json);
    rmdir(dir);
    if (fails) {
        printf("# suite figures skipped: %d runs of the corpus did not conform\n", fails);
        return 1;
    }
    double s = lq_median(seq, (size_t)rounds), p = lq_median(par, (size_t)rounds);
    double a = lq_median(f1, (size_t)frounds), b = lq_median(f2, (size_t)frounds);
    printf("suite_jobs: %u\n", jobs);
    printf("suite_wall_s: %.2f\n", p);
    printf("suite_sequential_s: %.2f\n", s);
    printf("suite_longest_scenario_s: %.2f\n", lq_median(longest, (size_t)rounds));
    printf("suite_jobs_speedup: %.2f\n", s / p);
    printf("fast_suite_jobs1_s: %.3f\n", a);
    printf("fast_suite_jobs2_s: %.3f\n", b);
    printf("fast_suite_jobs2_speedup: %.2f\n", a / b);
    double c = lq_median(r1, (size_t)frounds), d = lq_median(r2, (size_t)frounds);
    printf("fast_suite_x%u_jobs1_s: %.3f\n", LQ_BENCH_REPEAT, c);
    printf("fast_suite_x%u_jobs2_s: %.3f\n", LQ_BENCH_REPEAT, d);
    printf("fast_suite_x%u_jobs2_speedup: %.2f\n", LQ_BENCH_REPEAT, c / d);
    if (have_one)
        printf("run_fixed_ms: %.1f\n", lq_median(fixed, (size_t)frounds) * 1e3);
    return 0;
}

int lq_cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {
        {"kernel", required_argument, 0, 'k'}, {"corpus", required_argument, 0, 'c'},
        {"quick", no_argument, 0, 'q'},        {"no-suite", no_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *kernel_opt = NULL;
    static char corpus_def[4096];
    lq_data_path("corpus/conformance", corpus_def, sizeof(corpus_def));
    char *corpus_dir = corpus_def;
    bool quick = false, suites = true;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'k': kernel_opt = optarg; break;
        case 'c': corpus_dir = optarg; break;
        case 'q': quick = true; break;
        case 's': suites = false; break;
        default:
            fprintf(
                ch == 'h' ? stdout : stderr,
                "usage: listenq bench [--quick] [--no-suite] [--kernel VERSION] [--corpus DIR]\n"
                "Prints performance figures as name: value lines (see docs/testing.md);\n"
                "--no-suite leaves out the suite_* figures (whole-corpus runs, minutes).\n");
            return ch == 'h' ? 0 : LQ_EXIT_BADINPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "listenq bench: unexpected argument '%s'\n", argv[optind]);
        return LQ_EXIT_BADINPUT;
    }
    struct lq_profile profile;
    if (lq_cli_profile(kernel_opt, &profile))
        return LQ_EXIT_BADINPUT;
    double secs = quick ? 0.3 : 1.5;

    printf("model_events_per_sec: %.0f\n", lq_bench_model_raw(&profile, secs));

    struct lq_corpus corpus;
    struct lq_err err = {0};
    char *errs = NULL;
    if (lq_corpus_load(&corpus, &corpus_dir, 1, &errs, &err)) {
        fprintf(stderr, "listenq bench: %s\n", errs ? errs : err.msg);
        free(errs);
        return err.status;
    }
    struct lq_runner r;
    lq_runner_init(&r, &profile);
    struct lq_backend *model = lq_backend_model_new(&profile, &err);
    if (!model)
        return LQ_EXIT_ERROR;
    int failed = 0;

    /* the suite on the model */
    r.backend[LQ_ROLE_REFERENCE] = model;
    size_t events = 0, scenarios = 0;
    double spent = 0, passes[64] = {0};
    int np = 0;
    double t0 = lq_bench_now();
    while ((lq_bench_now() - t0 < secs || np < 3) && np < 64)
        spent += passes[np++] = lq_bench_pass(&r, &corpus, &events, &scenarios, &failed);
    printf("model_suite_events_per_sec: %.0f\n", (double)events / spent);
    printf("model_fast_suite_ms: %.3f\n", lq_median(passes, (size_t)np) * 1e3);

    /* the probe's namespaces first: making them leaves the thread where it
     * was, the live backend's would not */
    struct lq_err perr = {0};
    struct lq_probe *probe = lq_probe_open(&perr);
    struct lq_backend *live = lq_backend_live_new(&err);
    if (!live) {
        printf("# live figures skipped: %s\n", err.msg);
    } else {
        /* IPv4 (the figures as they always were), then the same over IPv6:
         * the family-neutral scenarios as NAME@ipv6 and the IPv6-only ones */
        lq_bench_live(&r, model, live, &probe, &perr, &corpus, &profile, quick, secs, false,
                      &failed);
        struct lq_corpus c6;
        char *errs6 = NULL;
        if (lq_corpus_load(&c6, &corpus_dir, 1, &errs6, &err) ||
            lq_corpus_expand_families(&c6, LQ_CORPUS_FAM_6)) {
            printf("# IPv6 live figures skipped: %s\n", errs6 ? errs6 : "out of memory");
        } else {
            lq_bench_live(&r, model, live, &probe, &perr, &c6, &profile, quick, secs, true,
                          &failed);
            lq_corpus_free(&c6);
        }
        free(errs6);
        lq_backend_destroy(live);
    }
    lq_probe_close(probe);
    if (live && suites && lq_bench_suites(corpus_dir, quick))
        failed++;
    if (failed)
        printf("# %d scenario runs did not pass during the benchmark\n", failed);
    lq_backend_destroy(model);
    lq_runner_free(&r);
    lq_corpus_free(&corpus);
    return failed ? LQ_EXIT_FAIL : 0;
}
