/* harness/run/backend.c: the reply buffers every backend fills. */
#include "backend.h"

#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

void lq_replies_clear(struct lq_replies *rs)
{
    rs->n = 0;
    rs->at_us = -1;
    rs->jiffies_at = rs->jiffies_end = rs->jiffies_early = rs->jiffies_late = 0;
}

void lq_replies_free(struct lq_replies *rs)
{
    free(rs->r);
    memset(rs, 0, sizeof(*rs));
    rs->at_us = -1;
}

struct lq_reply *lq_replies_add(struct lq_replies *rs)
{
    rs->r = lq_grow(rs->r, &rs->cap, rs->n + 1, sizeof(*rs->r));
    struct lq_reply *r = &rs->r[rs->n++];
    memset(r, 0, sizeof(*r));
    r->frame = -1;
    return r;
}
