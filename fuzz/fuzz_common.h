/* fuzz/fuzz_common.h: what the libFuzzer targets share. */
#ifndef LISTENQ_FUZZ_COMMON_H
#define LISTENQ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/* The model profile of a target: $LISTENQ_KERNEL (a profile name or
 * version) when set, else `fallback` (NULL: the running kernel's). Exits
 * with a message when neither resolves. */
void lq_fuzz_profile(const char *fallback, struct lq_profile *out, const char *label);

/* The -artifact_prefix= flag among libFuzzer's arguments ("./" without one). */
const char *lq_fuzz_artifact_prefix(int argc, char **argv);

/* SHA-1 of data as 40 hex digits (how libFuzzer names crash-<sha1>). */
void lq_fuzz_sha1_hex(const uint8_t *data, size_t len, char out[41]);

/* Makes a result that ran before ready for the next lq_run_scenario while
 * keeping its traces' memory (the runner resets the traces; this resets the
 * rest), so that a fuzzer allocates nothing for results per input. */
struct lq_result;
void lq_fuzz_result_reuse(struct lq_result *res);

/* Planted test bug from $LISTENQ_MODEL_BUG ("synq_full_ge", "acceptq_n"),
 * LQ_BUG_NONE when unset; exits on an unknown name. */
enum lq_model_bug lq_fuzz_env_bug(const char *label);

#endif
