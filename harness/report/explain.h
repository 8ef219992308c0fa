/* harness/report/explain.h: the model's trace of one scenario as a client/kernel ladder. */
#ifndef LISTENQ_HARNESS_EXPLAIN_H
#define LISTENQ_HARNESS_EXPLAIN_H

#include <stdbool.h>

#include "run/runner.h"
#include "util/strbuf.h"

/* Formats the model trace of res (run with the model backend) for sc; utf8:
 * arrows and bars as box drawing characters, else in ASCII. */
void lq_explain(const struct lq_scenario *sc, const struct lq_result *res,
                const struct lq_profile *profile, bool utf8, struct lq_strbuf *out);

#endif
