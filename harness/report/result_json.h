/* harness/report/result_json.h: one scenario's result as a JSON object.
 *
 * The format is documented in docs/reports.md (with a JSON Schema,
 * docs/schemas/listenq-result.schema.json): "format" and "version" head every
 * object; the two sides are named by their role in the comparison
 * ("reference": the model or a recording; "subject": the kernel under test),
 * each with its backend's name as a field. Written with jansson, so it is
 * always valid UTF-8 (util/json.h).
 */
#ifndef LISTENQ_HARNESS_RESULT_JSON_H
#define LISTENQ_HARNESS_RESULT_JSON_H

#include <jansson.h>

#include "model/model.h"
#include "run/runner.h"

#define LQ_RESULT_FORMAT  "listenq-result"
#define LQ_RESULT_VERSION 1

/* The backend in a role of the run ("model", "recording", "kernel"; "" when
 * the run had none in that role). The role's name is lq_role_name(). */
const char *lq_result_backend(const struct lq_result *res, enum lq_role role);

/* A new reference (json_decref it); NULL only when out of memory. */
json_t *lq_result_json(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                       const char *kernel_release, const struct lq_profile *profile);

#endif
