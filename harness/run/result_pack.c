/* harness/run/result_pack.c: see result_pack.h. */
#include "result_pack.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/grow.h"

#define LQ_PACK_MAGIC 0x4c51524cu /* "LQRL" */

struct lq_pack_head {
    uint32_t magic;
    uint32_t result_size; /* sizeof(struct lq_result): the same build */
    uint64_t nobs[LQ_ROLE_COUNT], npkts[LQ_ROLE_COUNT], ndps[LQ_ROLE_COUNT];
    uint64_t nexps;
    uint64_t total; /* every byte, the head included */
};

static void lq_pack_add(struct lq_strbuf *out, const void *p, size_t n)
{
    if (n)
        lq_sb_addn(out, p, n);
}

void lq_result_pack(const struct lq_result *res, struct lq_strbuf *out)
{
    struct lq_pack_head h;
    memset(&h, 0, sizeof(h));
    h.magic = LQ_PACK_MAGIC;
    h.result_size = (uint32_t)sizeof(*res);
    h.total = sizeof(h) + sizeof(*res);
    for (int k = 0; k < LQ_ROLE_COUNT; k++) {
        const struct lq_trace *t = &res->trace[k];
        h.nobs[k] = t->nobs;
        h.npkts[k] = t->npkts;
        h.ndps[k] = t->ndps;
        h.total +=
            t->nobs * sizeof(*t->obs) + t->npkts * sizeof(*t->pkts) + t->ndps * sizeof(*t->dps);
    }
    h.nexps = res->nexps;
    h.total += res->nexps * sizeof(*res->exps);
    lq_pack_add(out, &h, sizeof(h));
    /* the struct itself, its pointers cleared (they mean nothing elsewhere) */
    struct lq_result flat = *res;
    for (int k = 0; k < LQ_ROLE_COUNT; k++) {
        flat.trace[k].obs = NULL;
        flat.trace[k].pkts = NULL;
        flat.trace[k].dps = NULL;
    }
    flat.exps = NULL;
    lq_pack_add(out, &flat, sizeof(flat));
    for (int k = 0; k < LQ_ROLE_COUNT; k++) {
        const struct lq_trace *t = &res->trace[k];
        lq_pack_add(out, t->obs, t->nobs * sizeof(*t->obs));
        lq_pack_add(out, t->pkts, t->npkts * sizeof(*t->pkts));
        lq_pack_add(out, t->dps, t->ndps * sizeof(*t->dps));
    }
    lq_pack_add(out, res->exps, res->nexps * sizeof(*res->exps));
}

/* A copy of n elements of size elem from *p (advanced), or NULL for none. */
static void *lq_unpack_array(const unsigned char **p, uint64_t n, size_t elem)
{
    if (!n)
        return NULL;
    void *a = lq_xmalloc((size_t)n * elem);
    memcpy(a, *p, (size_t)n * elem);
    *p += (size_t)n * elem;
    return a;
}

int lq_result_unpack(const void *data, size_t len, struct lq_result *res, struct lq_err *err)
{
    struct lq_pack_head h;
    if (len < sizeof(h))
        return lq_errf(err, LQ_EXIT_ERROR, "a packed result cut short (%zu bytes)", len);
    memcpy(&h, data, sizeof(h));
    if (h.magic != LQ_PACK_MAGIC || h.result_size != sizeof(struct lq_result))
        return lq_errf(err, LQ_EXIT_ERROR, "not a packed result of this build");
    /* the counts must add up to the length, without overflow */
    uint64_t total = sizeof(h) + sizeof(struct lq_result);
    const uint64_t max = (uint64_t)len;
    for (int k = 0; k < LQ_ROLE_COUNT; k++) {
        if (h.nobs[k] > max || h.npkts[k] > max || h.ndps[k] > max)
            return lq_errf(err, LQ_EXIT_ERROR, "a packed result with impossible counts");
        total += h.nobs[k] * sizeof(struct lq_obs) + h.npkts[k] * sizeof(struct lq_obs_pkt) +
                 h.ndps[k] * sizeof(uint16_t);
    }
    if (h.nexps > max)
        return lq_errf(err, LQ_EXIT_ERROR, "a packed result with impossible counts");
    total += h.nexps * sizeof(struct lq_exp_result);
    if (total != h.total || total != len)
        return lq_errf(err, LQ_EXIT_ERROR, "a packed result of %zu bytes, not the %llu it says",
                       len, (unsigned long long)h.total);
    lq_result_free(res);
    const unsigned char *p = (const unsigned char *)data + sizeof(h);
    memcpy(res, p, sizeof(*res));
    p += sizeof(*res);
    for (int k = 0; k < LQ_ROLE_COUNT; k++) {
        struct lq_trace *t = &res->trace[k];
        t->obs = lq_unpack_array(&p, h.nobs[k], sizeof(*t->obs));
        t->nobs = t->obs_cap = (size_t)h.nobs[k];
        t->pkts = lq_unpack_array(&p, h.npkts[k], sizeof(*t->pkts));
        t->npkts = t->pkts_cap = (size_t)h.npkts[k];
        t->dps = lq_unpack_array(&p, h.ndps[k], sizeof(*t->dps));
        t->ndps = t->dps_cap = (size_t)h.ndps[k];
    }
    res->exps = lq_unpack_array(&p, h.nexps, sizeof(*res->exps));
    res->nexps = res->exps_cap = (size_t)h.nexps;
    return 0;
}
