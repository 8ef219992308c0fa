/* harness/findings/finding.h: what the fuzzing commands (harness/cli/cmd_fuzz.c,
 * cmd_finding.c) share: the profile option, loading a scenario or a fuzz
 * input, and minimizing a finding to its .min.lq, .min.pcap and .min.pkt
 * (docs/fuzzing.md). The runner a finding runs on is the caller's: the
 * model as the reference, the kernel (or a second model) as the subject. */
#ifndef LISTENQ_HARNESS_FINDING_H
#define LISTENQ_HARNESS_FINDING_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "minimize.h"
#include "run/runner.h"

/* The model profile of --kernel (the running kernel's by default); 0 or an
 * exit status, the error printed for cmd. */
int lq_finding_profile(const char *kernel_opt, struct lq_profile *out, const char *cmd);
/* A whole file, at most 1 MiB (a fuzz input). */
int lq_finding_read(const char *path, uint8_t **data, size_t *len, struct lq_err *err);
/* path without a trailing ".lq" (malloc'ed). */
char *lq_finding_base(const char *path);
/* A scenario from a .lq file, or from a fuzz input (decode: the bytes
 * through the differential decoder). */
int lq_finding_load(const char *path, bool decode, struct lq_scenario *sc, struct lq_err *err);

struct lq_finding_min {
    struct lq_min_sig sig;
    struct lq_min_stats st;
    struct lq_scenario min;
    struct lq_result res;
    bool reproduced; /* the final run of the minimal scenario diverged the same way */
    char lq[PATH_MAX], pcap[PATH_MAX], pkt[PATH_MAX];
};

void lq_finding_min_free(struct lq_finding_min *m);
/* Minimizes sc on runner r, runs the result once more and writes
 * BASE.min.lq (with a header saying where it came from), BASE.min.pcap (the
 * subject's frames, when it keeps them) and BASE.min.pkt (the model with
 * `bug` planted, as the reference). 0, 1 when sc does not diverge, -1 on a
 * harness error. */
int lq_finding_minimize_to(struct lq_runner *r, const struct lq_profile *profile,
                           enum lq_model_bug bug, const struct lq_scenario *sc, const char *source,
                           const char *base, FILE *progress, size_t max_runs,
                           struct lq_finding_min *m, struct lq_err *err);

#endif
