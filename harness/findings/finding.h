/* harness/findings/finding.h: what the fuzzing commands (harness/cli/cmd_fuzz.c) share:
 * the profile and planted-bug options, loading a scenario or a fuzz input,
 * the runner's two sides a finding runs on, and minimizing a finding to its
 * .min.lq, .min.pcap and .min.pkt (docs/fuzzing.md). */
#ifndef LISTENQ_HARNESS_FINDING_H
#define LISTENQ_HARNESS_FINDING_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "run/backend.h"
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
/* Minimizes sc, runs the result once more and writes BASE.min.lq (with a
 * header saying where it came from), BASE.min.pcap and BASE.min.pkt.
 * 0, 1 when sc does not diverge, -1 on a harness error. */
int lq_finding_minimize_to(struct lq_runner *r, struct lq_backend *live,
                           const struct lq_profile *profile, enum lq_model_bug bug,
                           const struct lq_scenario *sc, const char *source, const char *base,
                           FILE *progress, size_t max_runs, struct lq_finding_min *m,
                           struct lq_err *err);

/* The runner's backends for a finding: the model (with a planted bug in test
 * builds) against the kernel, or against the correct model (--against-model). */
struct lq_finding_sides {
    struct lq_runner runner;
    struct lq_backend *model, *other;
    struct lq_backend *live; /* == other when it is the kernel */
};

/* 0, or an exit status with the reason printed for cmd. */
int lq_finding_sides_open(struct lq_finding_sides *s, const struct lq_profile *profile,
                          enum lq_model_bug bug, bool against_model, const char *cmd);
void lq_finding_sides_close(struct lq_finding_sides *s);

#endif
