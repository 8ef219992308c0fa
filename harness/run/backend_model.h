/* harness/run/backend_model.h: the reference model (model/) as a backend.
 *
 * It predicts (LQ_CAP_PREDICTS), marks the delayed ACKs due at the next
 * jiffy (LQ_CAP_PACES), reports its decision points (lq_backend_decisions)
 * and where its scope ends (lq_backend_scope_end). Its clock is the
 * scenario's (struct lq_begin); time moves only in waits, or, when it runs
 * at another backend's clock (LQ_CAP_FOLLOWS), as that clock moved.
 */
#ifndef LISTENQ_HARNESS_BACKEND_MODEL_H
#define LISTENQ_HARNESS_BACKEND_MODEL_H

#include "backend.h"

struct lq_backend *lq_backend_model_new(const struct lq_profile *profile, struct lq_err *err);
/* Whether b is a model backend. */
bool lq_backend_is_model(const struct lq_backend *b);
/* Plants a test bug (model/test_seams.c); no effect on another backend. */
void lq_backend_model_set_bug(struct lq_backend *b, enum lq_model_bug bug);
/* The model behind a model backend (for invariant checks), NULL for
 * another backend. */
struct lq_model *lq_backend_model_get(struct lq_backend *b);

#endif
