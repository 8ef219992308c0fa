/* harness/run/result_pack.h: a result as bytes, for another process of the
 * same program (a worker of `listenq run --jobs N` hands its results to the
 * process that reports them, cli/jobs.h).
 *
 * The bytes are the structs as they lie in memory, so they are only for a
 * process forked from the same executable: the format has no version and
 * no byte order; what it checks (sizes, counts, the trailing length) is
 * there to catch a torn message, not another build. struct lq_result and
 * struct lq_trace are flat but for the arrays packed here (the traces'
 * observations, packets and decision points, the expectation results): a
 * field that points elsewhere must be packed here too. */
#ifndef LISTENQ_HARNESS_RESULT_PACK_H
#define LISTENQ_HARNESS_RESULT_PACK_H

#include <stddef.h>

#include "runner.h"
#include "util/err.h"
#include "util/strbuf.h"

/* Appends res to out (binary; out->len counts it). */
void lq_result_pack(const struct lq_result *res, struct lq_strbuf *out);
/* Reads a result packed by lq_result_pack from data[0..len) into res
 * (initialised, or freed and reused); the arrays are res's own. 0, or -1
 * with err when the bytes are not one whole packed result. */
int lq_result_unpack(const void *data, size_t len, struct lq_result *res, struct lq_err *err);

#endif
