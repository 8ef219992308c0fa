/* model/decision.h: the model's named decision points (model/decisions.def). */
#ifndef LISTENQ_MODEL_DECISION_H
#define LISTENQ_MODEL_DECISION_H

enum lq_dp {
#define DP(id, name, func, what) LQ_DP_##id,
#include "decisions.def"
#undef DP
    LQ_DP_COUNT
};

struct lq_dp_info {
    const char *name;  /* stable identifier, "conn_request.acceptq_full" */
    const char *kfunc; /* the kernel function (and condition) it mirrors */
    const char *what;  /* one line for humans */
};

const struct lq_dp_info *lq_dp_info(enum lq_dp dp);
int lq_dp_by_name(const char *name); /* -1 when unknown */

struct lq_profile;
/* Why no scenario can reach dp on a kernel of that profile, or NULL when it
 * can be reached. */
const char *lq_dp_unreachable(const struct lq_profile *p, enum lq_dp dp);

/* Why dp is no decision of the kernel a scenario should cover (the point
 * where the model says it cannot predict), or NULL. */
const char *lq_dp_not_a_decision(enum lq_dp dp);

/* Why dp is a kernel decision only corpus/long reaches (it takes minutes of
 * waiting, too slow for the conformance suite), or NULL. */
const char *lq_dp_long_only(enum lq_dp dp);

#endif
