/* harness/replay/recording.h: a kernel's answers to a scenario, kept on disk.
 *
 * `listenq record` stores, per scenario, the pcap of the whole run and a JSON
 * file with the kernel release, the sysctls, the scenario text, the
 * expectation results and the trace: every event's observation (packets by
 * relation, accept result, queue lengths, counter changes). `listenq replay`
 * loads it back as a trace and compares a new kernel run with it; the matrix
 * compares the recordings of several kernels. Format: docs/harness.md.
 */
#ifndef LISTENQ_HARNESS_RECORDING_H
#define LISTENQ_HARNESS_RECORDING_H

#include <stddef.h>

#include "util/err.h"
#include "wire/pcapout.h"
#include "run/runner.h"
#include "lang/scenario.h"
#include "run/trace.h"

#define LQ_RECORDING_FORMAT "listenq-recording/2"

struct lq_recording {
    char *json_path;
    char *pcap_path; /* as recorded, relative to the JSON file's folder */
    char *label;     /* "conformance/acceptq_full" */
    char release[128];
    char kversion[256]; /* uname -v of the recording kernel */
    char profile[32];
    char status[16];
    struct lq_scenario sc; /* parsed from the recorded text */
    struct lq_trace trace; /* the kernel side */
};

/* Writes DIR/<label with '/' as '-'>.json and .pcap atomically: the trace
 * of res in role `role` (the kernel's) and its expectation results. */
int lq_recording_write(const char *dir, const struct lq_scenario *sc, const struct lq_result *res,
                       enum lq_role role, const char *release, const char *kversion,
                       const char *profile, const struct lq_pcap_rec *recs, size_t nrecs,
                       struct lq_err *err);
/* Loads a recording; parse errors name the file (LQ_EXIT_BADINPUT). */
int lq_recording_load(const char *json_path, struct lq_recording *rec, struct lq_err *err);
void lq_recording_free(struct lq_recording *rec);

#endif
