/* harness/report/junit.h: the JUnit XML report of a run.
 *
 * Valid against both schemas CI systems use: the Ant JUnit schema
 * (windyroad/JUnit-Schema JUnit.xsd: testsuite needs name, timestamp,
 * hostname, tests, failures, errors, time, and inside <testsuites> package
 * and id; children in the order properties, testcase*, system-out,
 * system-err; failure and error need a type) and Jenkins' junit-10.xsd.
 * docs/ci-integration.md says where the schemas come from.
 *
 * One <testsuite> per run, named after what ran (mode, kernel release,
 * profile, family), with a classname that carries the same run id, so that
 * merged reports of several runs keep their suites and cases apart.
 */
#ifndef LISTENQ_HARNESS_JUNIT_H
#define LISTENQ_HARNESS_JUNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "run/runner.h"
#include "util/err.h"
#include "util/strbuf.h"

struct lq_junit {
    const char *path;
    char suite[256];   /* testsuite/@name */
    char package[200]; /* "listenq.<run id>": testsuite/@package, classname prefix */
    char timestamp[32];
    char hostname[256];
    size_t tests, failures, errors, skipped;
    double secs;
    struct lq_strbuf cases;
    struct lq_strbuf out; /* <system-out>: the human report of the run */
};

/* mode: "model", "model vs kernel", ...; kernel_release "" when no kernel
 * ran. */
/* families: "ipv4", "ipv6" or "ipv4+ipv6" (the suite's name, its package and
 * its family property). */
void lq_junit_begin(struct lq_junit *j, const char *path, const char *mode,
                    const char *kernel_release, const char *profile_name, const char *families);
/* details: the failure's explanation (report.h lq_report_details, no
 * indent); human: the scenario's lines of the human report. */
void lq_junit_case(struct lq_junit *j, const struct lq_scenario *sc, const struct lq_result *res,
                   const char *details, const char *human);
/* Writes the file atomically as it stands; durable: synced to disk too
 * (fsync: slow), else atomic only against a killed process. */
int lq_junit_write(const struct lq_junit *j, const char *kernel_release, const char *profile_name,
                   const char *families, bool durable, struct lq_err *err);
/* The size of what lq_junit_write writes, roughly (its cost). */
size_t lq_junit_size(const struct lq_junit *j);
void lq_junit_free(struct lq_junit *j);

/* The failure message of a failed scenario: the divergence, or the first
 * failed expectation, on one line. */
void lq_junit_message(const struct lq_scenario *sc, const struct lq_result *res,
                      struct lq_strbuf *out);

#endif
