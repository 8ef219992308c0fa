/* fuzz/listenq_diff_fuzzer.c: bytes -> scenario without waits (real time
 * on a kernel) -> the runner with the model AND the live kernel.
 *
 * A divergence (the runner's LQ_ST_FAIL with a divergence found) is a
 * finding: the scenario's text and its pcap are written next to libFuzzer's
 * artifacts (-artifact_prefix, crash-<sha1>.lq and crash-<sha1>.pcap beside
 * the crash-<sha1> libFuzzer writes), the report goes to stderr, and the
 * input abort()s.
 *
 * The namespaces are made on the first input, once per process, so every
 * -fork=N worker has its own unnamed ones. Where the live backend cannot be
 * made (no privileges: an unprivileged ClusterFuzzLite builder), one line
 * says so and the target runs listenq_model_fuzzer's invariant checks
 * instead. Inputs are capped at LQ_DECODE_DIFF_MAX_EVENTS directives, a few
 * milliseconds on a kernel. The model profile is the running kernel's
 * ($LISTENQ_KERNEL overrides it).
 *
 * $LISTENQ_DIFF_FINDINGS=count only counts findings and goes on (for
 * benchmarks: fuzz/bench.sh).
 *
 * Test builds (-DLQ_TEST_SWITCHES) plant the model bug named by
 * $LISTENQ_MODEL_BUG (synq_full_ge, acceptq_n), to show that findings come.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/decode.h"
#include "live/backend_live.h"
#include "run/backend_model.h"
#include "util/fsutil.h"
#include "fuzz_common.h"
#include "invariants.h"
#include "findings/minimize.h"
#include "wire/pcapout.h"
#include "lang/print.h"
#include "report/report.h"
#include "run/runner.h"

#define LABEL "listenq_diff_fuzzer"
/* Harness errors (not findings) in a row before the process gives up on the
 * kernel and falls back to the model checks. */
#define LQ_DIFF_MAX_ERRORS 5

static struct {
    bool ready;
    struct lq_profile profile;
    struct lq_runner runner;
    struct lq_backend *model; /* plain, or the invariant wrapper without a kernel */
    struct lq_backend *live;
    struct lq_decode_opts opts;
    const char *prefix;
    enum lq_model_bug bug;
    unsigned errors;
    bool count_only;      /* $LISTENQ_DIFF_FINDINGS=count: benchmarks go on past findings */
    uint64_t findings;    /* counted in that mode */
    struct lq_result res; /* kept across inputs: its traces keep their memory */
    struct lq_scenario sc;
} g;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    g.prefix = lq_fuzz_artifact_prefix(*argc, *argv);
    lq_decode_opts_diff(&g.opts);
    const char *mode = getenv("LISTENQ_DIFF_FINDINGS");
    g.count_only = mode && strcmp(mode, "count") == 0;
    lq_result_init(&g.res);
    lq_scenario_init(&g.sc);
    return 0;
}

static struct lq_backend *lq_diff_model(void)
{
    struct lq_err err = {0};
    struct lq_backend *m = lq_backend_model_new(&g.profile, &err);
    if (!m) {
        fprintf(stderr, "%s: cannot create the model: %s\n", LABEL, err.msg);
        exit(1);
    }
    lq_backend_model_set_bug(m, g.bug);
    return m;
}

/* No kernel: the model with its invariants checked, as listenq_model_fuzzer. */
static void lq_diff_fallback(const char *why)
{
    fprintf(stderr, "%s: no live kernel here (%s); running the model invariant checks only\n",
            LABEL, why);
    lq_backend_destroy(g.live);
    g.live = NULL;
    lq_backend_destroy(g.model);
    g.model = lq_inv_wrap(lq_diff_model());
    if (!g.model)
        abort();
    lq_inv_set_label(g.model, LABEL);
    g.runner.backend[LQ_ROLE_REFERENCE] = g.model;
    g.runner.backend[LQ_ROLE_SUBJECT] = NULL;
}

static void lq_diff_setup(void)
{
    g.ready = true;
    lq_fuzz_profile(NULL, &g.profile, LABEL);
#ifdef LQ_TEST_SWITCHES
    g.bug = lq_fuzz_env_bug(LABEL);
    if (g.bug)
        fprintf(stderr, "%s: test build: model bug %s planted\n", LABEL,
                getenv("LISTENQ_MODEL_BUG"));
#endif
    lq_runner_init(&g.runner, &g.profile);
    struct lq_err err = {0};
    g.live = lq_backend_live_new(&err);
    if (!g.live) {
        lq_diff_fallback(err.msg);
        return;
    }
    g.model = lq_diff_model();
    g.runner.backend[LQ_ROLE_REFERENCE] = g.model;
    g.runner.backend[LQ_ROLE_SUBJECT] = g.live;
    fprintf(stderr, "%s: model profile %s vs kernel %s%s\n", LABEL, g.profile.name, g.live->release,
            g.bug ? " (planted model bug)" : "");
}

/* The kernel side failed (not a finding): start it again, or give up on it. */
static void lq_diff_harness_error(const char *msg)
{
    fprintf(stderr, "%s: harness error (not a finding): %s\n", LABEL, msg);
    if (++g.errors >= LQ_DIFF_MAX_ERRORS) {
        lq_diff_fallback("too many harness errors");
        return;
    }
    lq_backend_destroy(g.live);
    struct lq_err err = {0};
    g.live = lq_backend_live_new(&err);
    if (!g.live) {
        lq_diff_fallback(err.msg);
        return;
    }
    g.runner.backend[LQ_ROLE_SUBJECT] = g.live;
}

static void lq_diff_finding(const uint8_t *data, size_t size, const struct lq_scenario *sc,
                            const struct lq_result *res)
{
    char hex[41], path[4096];
    lq_fuzz_sha1_hex(data, size, hex);
    struct lq_err err = {0};

    const struct lq_pcap_rec *recs;
    size_t n = lq_backend_frames(g.live, &recs);
    char pcap[4096] = "";
    snprintf(path, sizeof(path), "%scrash-%s.pcap", g.prefix, hex);
    if (n && lq_pcap_write_atomic(path, recs, n, &err) == 0)
        snprintf(pcap, sizeof(pcap), "%s", path);
    else if (n)
        fprintf(stderr, "%s: %s\n", LABEL, err.msg);

    struct lq_min_sig sig;
    lq_min_signature(sc, res, &sig);
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_sb_addf(&t, "# %s finding: %s\n", LABEL, res->div.what);
    lq_sb_add(&t, "# at: ");
    lq_print_directive(sc, &sc->d[res->div.dir], &t);
    lq_sb_addf(&t, " (directive %u)\n# first differing decision point: %s\n", res->div.dir + 1,
               lq_min_sig_dp_name(&sig));
    lq_sb_addf(&t, "# kernel %s, model profile %s%s\n", g.live->release, g.profile.name,
               g.bug ? " (test build, planted model bug)" : "");
    lq_print_scenario(sc, &t);
    snprintf(path, sizeof(path), "%scrash-%s.lq", g.prefix, hex);
    if (lq_write_file_atomic(path, lq_sb_str(&t), t.len, &err))
        fprintf(stderr, "%s: %s\n", LABEL, err.msg);

    struct lq_strbuf det;
    lq_sb_init(&det);
    lq_report_details(sc, res, pcap[0] ? pcap : NULL, "  ", &det);
    fprintf(stderr, "==%s== DIVERGENCE (model vs kernel %s): %s\n%s==%s== scenario: %s\n", LABEL,
            g.live->release, res->div.what, lq_sb_str(&det), LABEL, path);
    fprintf(stderr, "%s", lq_sb_str(&t));
    fflush(stderr);
    lq_sb_free(&det);
    lq_sb_free(&t);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g.ready)
        lq_diff_setup();
    struct lq_scenario *sc = &g.sc;
    if (lq_decode_reuse(data, size, &g.opts, sc))
        abort(); /* out of memory */
    struct lq_result *res = &g.res;
    lq_fuzz_result_reuse(res);
    struct lq_err err = {0};
    int rc = lq_run_scenario(&g.runner, sc, res, &err);
    if (g.live) {
        if (rc) {
            lq_diff_harness_error(err.msg);
        } else if (res->status == LQ_ST_FAIL && res->div.found) {
            /* the divergence findings count (minimize.h) */
            struct lq_result eff = *res;
            if (lq_min_divergence(sc, res, &eff.div)) {
                if (g.count_only)
                    g.findings++;
                else
                    lq_diff_finding(data, size, sc, &eff);
            }
        } else if (res->status == LQ_ST_ERROR) {
            lq_diff_harness_error(res->reason);
        } else {
            g.errors = 0;
        }
    } else if (rc || res->status != LQ_ST_PASS) {
        fprintf(stderr, "%s: the model run failed: %s\n", LABEL, rc ? err.msg : res->reason);
        abort();
    }
    lq_decode_clear(sc);
    return 0;
}
