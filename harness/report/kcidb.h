/* harness/report/kcidb.h: listenq results as a KCIDB submission (KernelCI).
 *
 * KCIDB I/O schema v5.3 (kernelci/kcidb-io; docs/ci-integration.md says where
 * it comes from): objects "checkouts", "builds", "tests", each with an "id"
 * of the form "origin:..." and an "origin" matching ^[a-z0-9_]+$; a test's
 * "path" is dot-separated, each part [a-zA-Z0-9_-]+; its "status" one of
 * PASS, FAIL, SKIP, ERROR (also MISS, DONE, unused here).
 */
#ifndef LISTENQ_HARNESS_KCIDB_H
#define LISTENQ_HARNESS_KCIDB_H

#include <jansson.h>
#include <stdbool.h>

#define LQ_KCIDB_MAJOR 5
#define LQ_KCIDB_MINOR 3

struct lq_kcidb_opts {
    const char *origin;      /* ^[a-z0-9_]+$ */
    const char *run_id;      /* makes the test ids unique per run */
    const char *build_id;    /* the submitter's build; NULL: one of our own */
    const char *checkout_id; /* with our own build; NULL: one of our own */
};

/* "listenq." + the label's parts ("conformance/acceptq_full" ->
 * "listenq.conformance.acceptq_full"), every character outside
 * [a-zA-Z0-9_-] as '_'; out gets at most cap - 1 bytes. */
void lq_kcidb_path(const char *label, char *out, size_t cap);
/* Whether s is a valid origin (^[a-z0-9_]+$). */
bool lq_kcidb_origin_ok(const char *s);
/* A new empty submission ({"version": ...}). */
json_t *lq_kcidb_new(void);
/* Adds one listenq-result object (result_json.h) as a test, with the
 * checkout and build it needs the first time they are named. */
void lq_kcidb_add(json_t *doc, const json_t *result, const struct lq_kcidb_opts *o);

#endif
