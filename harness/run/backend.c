/* harness/run/backend.c: the reply buffers every backend fills. */
#include "backend.h"

#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

void lq_replies_clear(struct lq_replies *rs)
{
    rs->n = 0;
    rs->ndps = 0;
    rs->beyond = NULL;
}

void lq_replies_free(struct lq_replies *rs)
{
    free(rs->r);
    free(rs->dps);
    memset(rs, 0, sizeof(*rs));
}

struct lq_reply *lq_replies_add(struct lq_replies *rs)
{
    rs->r = lq_grow(rs->r, &rs->cap, rs->n + 1, sizeof(*rs->r));
    struct lq_reply *r = &rs->r[rs->n++];
    memset(r, 0, sizeof(*r));
    r->frame = -1;
    return r;
}

void lq_replies_add_dp(struct lq_replies *rs, uint16_t dp)
{
    rs->dps = lq_grow(rs->dps, &rs->dps_cap, rs->ndps + 1, sizeof(*rs->dps));
    rs->dps[rs->ndps++] = dp;
}
