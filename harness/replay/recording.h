/* harness/replay/recording.h: a kernel's answers to a scenario, kept on disk.
 *
 * `listenq record` stores, per scenario, the pcap of the whole run and a JSON
 * file with the kernel release, the sysctls, the scenario text, the
 * expectation results and the trace: every event's observation (packets by
 * relation, accept result, queue lengths, counter changes). The JSON is the
 * index, the pcap the evidence: a loaded recording holds both, checked
 * against each other. `listenq replay` runs it as a backend (the recorded
 * kernel, backend_replay.h); the matrix compares the recordings of several
 * kernels. Format: docs/harness.md.
 */
#ifndef LISTENQ_HARNESS_RECORDING_H
#define LISTENQ_HARNESS_RECORDING_H

#include <stddef.h>

#include "util/err.h"
#include "wire/pcapin.h"
#include "wire/pcapout.h"
#include "run/runner.h"
#include "lang/scenario.h"
#include "run/trace.h"

#define LQ_RECORDING_FORMAT "listenq-recording/2"

struct lq_recording {
    char *json_path;
    char *pcap_path; /* as recorded, relative to the JSON file's folder */
    char *pcap_file; /* where it was read from */
    char *label;     /* "conformance/acceptq_full" */
    char release[128];
    char kversion[256]; /* uname -v of the recording kernel */
    char profile[32];
    char status[16];
    struct lq_scenario sc;    /* parsed from the recorded text */
    struct lq_trace trace;    /* the kernel side, as the JSON has it (the index) */
    struct lq_pcap_file pcap; /* the whole run, as captured (the evidence) */
    uint16_t lport;           /* the recorded run's listener port (from the pcap) */
};

/* Writes DIR/<label with '/' as '-'>.json and .pcap atomically: the trace
 * of res in role `role` (the kernel's) and its expectation results. */
int lq_recording_write(const char *dir, const struct lq_scenario *sc, const struct lq_result *res,
                       enum lq_role role, const char *release, const char *kversion,
                       const char *profile, const struct lq_pcap_rec *recs, size_t nrecs,
                       struct lq_err *err);
/* Loads a recording and its pcap. A recording that is not one, whose
 * values are impossible (a connection or directive the scenario does not
 * have, flags, lengths, options or relations out of range, observations
 * that do not cover the scenario's events) or whose pcap does not hold
 * what the JSON says (recording_check.c) is refused: LQ_EXIT_BADINPUT, the
 * message naming the file and the field. */
int lq_recording_load(const char *json_path, struct lq_recording *rec, struct lq_err *err);
/* recording_check.c: every recorded packet is a frame of the pcap, from the
 * listener to its connection's client port, with the recorded flags,
 * length and options; sets rec->lport. */
int lq_recording_check_pcap(struct lq_recording *rec, struct lq_err *err);
/* That t, the trace a run of the recording (backend_replay.h) gave, is what
 * the JSON has: the client classifies the pcap's frames as recorded. */
int lq_recording_check_trace(const struct lq_recording *rec, const struct lq_trace *t,
                             struct lq_err *err);
void lq_recording_free(struct lq_recording *rec);

#endif
