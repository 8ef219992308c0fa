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
 * Medians or totals over repeated runs; the lines say nothing else.
 */
#include "bench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "util/datadir.h"
#include "lang/corpus.h"
#include "live/backend_live.h"
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

int lq_cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {{"kernel", required_argument, 0, 'k'},
                                         {"corpus", required_argument, 0, 'c'},
                                         {"quick", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *kernel_opt = NULL;
    static char corpus_def[4096];
    lq_data_path("corpus/conformance", corpus_def, sizeof(corpus_def));
    char *corpus_dir = corpus_def;
    bool quick = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'k': kernel_opt = optarg; break;
        case 'c': corpus_dir = optarg; break;
        case 'q': quick = true; break;
        default:
            fprintf(ch == 'h' ? stdout : stderr,
                    "usage: listenq bench [--quick] [--kernel VERSION] [--corpus DIR]\n"
                    "Prints performance figures as name: value lines (see docs/testing.md).\n");
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

    struct lq_backend *live = lq_backend_live_new(&err);
    if (!live) {
        printf("# live figures skipped: %s\n", err.msg);
    } else {
        /* model vs kernel, once per pass */
        r.backend[LQ_ROLE_SUBJECT] = live;
        np = 0;
        for (int i = 0; i < (quick ? 2 : 5); i++) {
            events = scenarios = 0;
            passes[np++] = lq_bench_pass(&r, &corpus, &events, &scenarios, &failed);
        }
        printf("live_fast_suite_ms: %.3f\n", lq_median(passes, (size_t)np) * 1e3);
        printf("live_fast_suite_scenarios: %zu\n", scenarios);

        /* the kernel alone, repeated */
        r.backend[LQ_ROLE_REFERENCE] = NULL;
        events = scenarios = 0;
        struct lq_backend_stats st0, st1;
        lq_backend_stats(live, &st0);
        spent = 0;
        t0 = lq_bench_now();
        while (lq_bench_now() - t0 < secs * 2)
            spent += lq_bench_pass(&r, &corpus, &events, &scenarios, &failed);
        printf("live_scenarios_per_sec: %.0f\n", (double)scenarios / spent);
        printf("live_events_per_scenario: %.1f\n", (double)events / (double)scenarios);
        lq_backend_stats(live, &st1);
        printf("live_packets_per_sec: %.0f\n", (double)(st1.segments - st0.segments) / spent);
        printf("live_frames_per_sec: %.0f\n", (double)(st1.frames - st0.frames) / spent);

        /* one SYN event with its barrier */
        struct lq_scenario one;
        lq_scenario_init(&one);
        lq_scenario_conn(&one, "c");
        double ev[200] = {0};
        int nev = 0;
        struct lq_err e;
        struct lq_begin bg = {.sc = &one, .lport = lq_runner_next_port(&r)};
        for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
            bg.sysctl[s] = lq_model_sysctl_default(&profile, (enum lq_sysctl)s);
        if (lq_backend_clock(live, &bg.clock, &e) != 0)
            bg.clock = (struct lq_clock){.jiffies64 = 0x40000000u, .hz = 1000};
        if (lq_backend_begin(live, &bg, &e) == 0) {
            int rc;
            struct lq_replies reps = {0};
            lq_backend_sysctl(live, LQ_SYSCTL_SYNCOOKIES, 0, &e);
            lq_backend_listen(live, 4096, &rc, &reps, &e);
            for (int i = 0; i < 200; i++) {
                struct lq_seg syn = {.conn = 0,
                                     .sport = (uint16_t)(40000 + i),
                                     .dport = 0,
                                     .flags = LQ_TH_SYN,
                                     .seq = 7u * (uint32_t)i,
                                     .win = 65535};
                syn.dport = bg.lport;
                double a = lq_bench_now();
                if (lq_backend_segment(live, &syn, &reps, &e))
                    break;
                ev[nev++] = (lq_bench_now() - a) * 1e6;
                lq_replies_clear(&reps);
            }
            lq_backend_end(live, &e);
            lq_replies_free(&reps);
        }
        lq_scenario_free(&one);
        printf("live_event_us: %.1f\n", lq_median(ev, (size_t)nev));
        lq_backend_destroy(live);
    }
    if (failed)
        printf("# %d scenario runs did not pass during the benchmark\n", failed);
    lq_backend_destroy(model);
    lq_runner_free(&r);
    lq_corpus_free(&corpus);
    return failed ? LQ_EXIT_FAIL : 0;
}
