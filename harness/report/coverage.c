/* harness/report/coverage.c: see coverage.h. */
#include "coverage.h"

#include <inttypes.h>

void lq_coverage_add(struct lq_coverage *c, const struct lq_trace *t)
{
    for (size_t i = 0; i < t->ndps; i++)
        if (t->dps[i] < LQ_DP_COUNT)
            c->hits[t->dps[i]]++;
}

size_t lq_coverage_report(const struct lq_coverage *c, const struct lq_profile *p,
                          struct lq_strbuf *out)
{
    size_t covered = 0, reachable = 0, missed = 0;
    lq_sb_addf(out, "decision points of the model for Linux %s:\n", p->name);
    for (int dp = 0; dp < LQ_DP_COUNT; dp++) {
        const struct lq_dp_info *info = lq_dp_info((enum lq_dp)dp);
        const char *why = lq_dp_unreachable(p, (enum lq_dp)dp);
        if (why) {
            lq_sb_addf(out, "  unreachable %-38s %s\n", info->name, why);
            continue;
        }
        if ((why = lq_dp_not_a_decision((enum lq_dp)dp))) {
            lq_sb_addf(out, "  %-11s %-38s %s\n", c->hits[dp] ? "REACHED" : "not counted",
                       info->name, why);
            continue;
        }
        if ((why = lq_dp_long_only((enum lq_dp)dp))) {
            if (c->hits[dp])
                lq_sb_addf(out, "  %11" PRIu64 " %-38s %s\n", c->hits[dp], info->name, info->kfunc);
            else
                lq_sb_addf(out, "  long only   %-38s %s\n", info->name, why);
            continue;
        }
        reachable++;
        if (c->hits[dp]) {
            covered++;
            lq_sb_addf(out, "  %11" PRIu64 " %-38s %s\n", c->hits[dp], info->name, info->kfunc);
        } else {
            missed++;
            lq_sb_addf(out, "  MISSED      %-38s %s\n", info->name, info->kfunc);
        }
    }
    lq_sb_addf(out, "%zu/%zu\n", covered, reachable);
    return missed;
}
