/* model/test_seams.c: the planted bugs (enum lq_model_bug), by name.
 *
 * A planted bug is a deliberately wrong rule for the tests of the harness
 * itself: they show that the differential runner, the fuzzer and the
 * minimizer catch a model that is wrong. Each bug changes one rule at one
 * place, written LQ_TEST_SEAM(...) (model_internal.h) so that a reader of
 * the rule sees the seam; nothing else in the model knows about them. The
 * command line takes them only in test builds (--model-bug NAME).
 */
#include "model_internal.h"

#include <string.h>

static const char *const lq_bug_names[LQ_BUG_COUNT] = {
    [LQ_BUG_NONE] = "none",
    [LQ_BUG_SYNQ_FULL_GE] = "synq_full_ge",
    [LQ_BUG_ACCEPTQ_N] = "acceptq_n",
    [LQ_BUG_V6_COOKIE_MSS] = "v6_cookie_mss",
    [LQ_BUG_MIGRATE_FULL] = "migrate_full",
};

int lq_model_bug_by_name(const char *name, enum lq_model_bug *bug)
{
    for (int i = 0; name && i < LQ_BUG_COUNT; i++)
        if (lq_bug_names[i] && strcmp(lq_bug_names[i], name) == 0) {
            *bug = (enum lq_model_bug)i;
            return 0;
        }
    return -1;
}

const char *lq_model_bug_name(enum lq_model_bug bug)
{
    return (unsigned)bug < LQ_BUG_COUNT && lq_bug_names[bug] ? lq_bug_names[bug] : "?";
}

void lq_model_set_bug(struct lq_model *m, enum lq_model_bug bug)
{
    m->bug = bug;
}
