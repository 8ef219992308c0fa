/* fuzz/listenq_model_fuzzer.c: bytes -> scenario (waits allowed: virtual
 * time) -> the runner on the model, with the model's invariants checked
 * after every step (invariants.h). A broken invariant abort()s with what
 * broke and the scenario. Needs no privileges.
 *
 * The model profile is $LISTENQ_KERNEL, else 6.18 (fixed, so that a crash
 * reproduces on any machine). `listenq decode CRASH` turns a crash input
 * into the scenario it ran.
 */
#include <stdio.h>
#include <stdlib.h>

#include "lang/decode.h"
#include "fuzz_common.h"
#include "invariants.h"
#include "run/runner.h"

#define LABEL "listenq_model_fuzzer"

static struct lq_runner lq_runner_g;
static struct lq_decode_opts lq_opts_g;
static struct lq_result lq_res_g; /* kept: its traces keep their memory */
static struct lq_scenario lq_sc_g;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct lq_profile profile;
    lq_fuzz_profile("6.18", &profile, LABEL);
    struct lq_err err = {0};
    struct lq_backend *m = lq_backend_model_new(&profile, &err);
    struct lq_backend *inv = m ? lq_inv_wrap(m) : NULL;
    if (!inv) {
        fprintf(stderr, "%s: cannot create the model: %s\n", LABEL, err.msg);
        exit(1);
    }
    lq_inv_set_label(inv, LABEL);
    lq_runner_init(&lq_runner_g, &profile);
    lq_runner_g.backend[LQ_ROLE_REFERENCE] = inv;
    lq_decode_opts_model(&lq_opts_g);
    lq_result_init(&lq_res_g);
    lq_scenario_init(&lq_sc_g);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (lq_decode_reuse(data, size, &lq_opts_g, &lq_sc_g))
        abort(); /* out of memory */
    struct lq_result *res = &lq_res_g;
    lq_fuzz_result_reuse(res);
    struct lq_err err = {0};
    int rc = lq_run_scenario(&lq_runner_g, &lq_sc_g, res, &err);
    if (rc || res->status != LQ_ST_PASS) {
        fprintf(stderr, "%s: the model run failed (%s): %s\n", LABEL,
                rc ? "runner error" : "status", rc ? err.msg : res->reason);
        abort();
    }
    lq_decode_clear(&lq_sc_g);
    return 0;
}
