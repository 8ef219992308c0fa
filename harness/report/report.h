/* harness/report/report.h: reporters format results; they never decide.
 *
 * Human (default): one line per scenario, details under failures, a summary.
 * --tap: KTAP as kernel selftests print it (TAP version 13, 1..N, for each
 * scenario its `# ` diagnostics first and then `ok N name`, `# SKIP reason`,
 * a `# Totals:` line): the kernel's kunit_parser gives a test the diagnostics
 * before its result line, and names are escaped (ktap.h). --junit FILE
 * (junit.h) and --json FILE (one JSON object per scenario per line,
 * result_json.h) alongside either. Files are kept complete on disk as the
 * run goes (JSON lines appended durably, whole or not at all; JUnit replaced
 * atomically after every scenario), so a killed run loses nothing already
 * reported; every file that could not be written is named at the end.
 */
#ifndef LISTENQ_HARNESS_REPORT_H
#define LISTENQ_HARNESS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "junit.h"
#include "run/runner.h"
#include "util/strbuf.h"

struct lq_report {
    FILE *out;
    bool tap;
    bool progress; /* a progress line on stderr (a terminal, long runs) */
    bool verbose;  /* details for passing scenarios too */
    const char *junit_path;
    const char *json_path;
    const char *kernel_release; /* "" for model-only runs */
    const char *profile_name;
    const char *mode; /* "model", "model vs kernel" */
    /* The families of a --family run: "ipv4", "ipv6", "ipv4+ipv6" (NULL:
     * "ipv4", a run without --family); JUnit's family property. */
    const char *families;
    /* per enum lq_family, the results of scenarios named NAME@family */
    size_t fam_total[LQ_FAMILY_COUNT], fam_passed[LQ_FAMILY_COUNT];
    const struct lq_profile *profile;
    size_t total, index;
    size_t passed, failed, skipped, errors;
    struct lq_junit junit;
    int64_t started_us, last_junit_us, last_progress_us;
    int64_t last_junit_write_us, junit_write_cost_us; /* lq_junit_flush's pace */
    /* The run's id, in every JSON record and artifact name: 8 random hex
     * digits lq_report_begin() picks unless the caller set one. */
    const char *run_id;
    char run_id_buf[16];
    /* every file that could not be written, one message per line */
    struct lq_strbuf write_errors;
    size_t nwrite_errors;
    /* the files written so far, for the summary of an interrupted run */
    struct lq_strbuf written;
    size_t nwritten;
    /* --json or --junit naming a device or a FIFO (fsutil.h: a stream):
     * JSON lines go to one descriptor, held for the run (a FIFO's reader
     * sees one end of file, at the end); JUnit is written once, at the end. */
    int json_fd;
    bool json_stream, junit_stream;
};

void lq_report_begin(struct lq_report *r, size_t total);
/* Picks the run's id now unless the caller set one (lq_report_begin does
 * too): for processes forked before the report begins, which name their
 * artifacts with it. */
void lq_report_pick_run_id(struct lq_report *r);
/* A file that could not be written (msg names it; each message once): the
 * run's exit status becomes 3 and lq_report_end() lists them all. */
void lq_report_write_error(struct lq_report *r, const char *msg);
/* A file written (a pcap, divergences.jsonl), for an interrupted run's summary. */
void lq_report_written(struct lq_report *r, const char *path);
/* pcap: the capture written for a failure, or NULL. */
void lq_report_scenario(struct lq_report *r, const struct lq_scenario *sc,
                        const struct lq_result *res, const char *pcap);
void lq_report_end(struct lq_report *r);
/* The exit status the results call for (0, 1, 4; 3 on harness errors and
 * files that could not be written). */
int lq_report_exit_status(const struct lq_report *r);

/* Multi-line explanation of a failure (divergence, failed expectations), each
 * line starting with `indent`. */
void lq_report_details(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                       const char *indent, struct lq_strbuf *out);
/* The JSON object for one scenario as one line (no newline); result_json.h.
 * run_id, when not NULL, names the run it belongs to ("run"). */
void lq_report_json(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                    const char *kernel_release, const struct lq_profile *profile,
                    const char *run_id, struct lq_strbuf *out);

#endif
