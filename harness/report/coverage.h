/* harness/report/coverage.h: which decision points a set of scenarios reaches. */
#ifndef LISTENQ_HARNESS_COVERAGE_H
#define LISTENQ_HARNESS_COVERAGE_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "util/strbuf.h"
#include "run/trace.h"

struct lq_coverage {
    uint64_t hits[LQ_DP_COUNT];
};

void lq_coverage_add(struct lq_coverage *c, const struct lq_trace *t);
/* The report; returns the number of reachable points not covered. */
size_t lq_coverage_report(const struct lq_coverage *c, const struct lq_profile *p,
                          struct lq_strbuf *out);

#endif
