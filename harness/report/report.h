/* harness/report/report.h: reporters format results; they never decide.
 *
 * Human (default): one line per scenario, details under failures, a summary.
 * --tap: KTAP as kernel selftests print it (TAP version 13, 1..N, for each
 * scenario its `# ` diagnostics first and then `ok N name`, `# SKIP reason`,
 * a `# Totals:` line): the kernel's kunit_parser gives a test the diagnostics
 * before its result line, and names are escaped (ktap.h). --junit FILE
 * (junit.h) and --json FILE (one JSON object per scenario per line,
 * result_json.h) alongside either. Files are kept complete on disk as the
 * run goes (JSON lines appended durably, JUnit replaced atomically), so a
 * killed run loses nothing already reported.
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
    const struct lq_profile *profile;
    size_t total, index;
    size_t passed, failed, skipped, errors;
    struct lq_junit junit;
    int64_t started_us, last_junit_us, last_progress_us;
    char first_error[512];
};

void lq_report_begin(struct lq_report *r, size_t total);
/* pcap: the capture written for a failure, or NULL. */
void lq_report_scenario(struct lq_report *r, const struct lq_scenario *sc,
                        const struct lq_result *res, const char *pcap);
void lq_report_end(struct lq_report *r);
/* The exit status the results call for (0, 1, 4; 3 on harness errors). */
int lq_report_exit_status(const struct lq_report *r);

/* Multi-line explanation of a failure (divergence, failed expectations), each
 * line starting with `indent`. */
void lq_report_details(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                       const char *indent, struct lq_strbuf *out);
/* The JSON object for one scenario as one line (no newline); result_json.h. */
void lq_report_json(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                    const char *kernel_release, const struct lq_profile *profile,
                    struct lq_strbuf *out);

#endif
