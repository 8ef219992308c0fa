/* tests/model_test.h: what every model unit test starts with: a model of a
 * named profile and the bookkeeping invariants checked after each step. */
#ifndef LISTENQ_TESTS_MODEL_TEST_H
#define LISTENQ_TESTS_MODEL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "tap.h"

static int inv_broken;

static void inv(const struct lq_model *m, const char *step)
{
    const char *b = lq_model_check_invariants(m);
    if (b) {
        inv_broken++;
        tap_diag("invariant broken after %s: %s", step, b);
    }
}

static struct lq_model *mk(const char *ver)
{
    struct lq_profile p;
    char err[256];
    if (lq_profile_resolve(ver, &p, err, (int)sizeof(err)) != 0) {
        printf("Bail out! %s\n", err);
        exit(1);
    }
    struct lq_model *m = lq_model_new(&p);
    if (!m) {
        printf("Bail out! lq_model_new\n");
        exit(1);
    }
    inv(m, "new");
    return m;
}

#define LPORT 8080 /* the listener's port in every model test */

static inline uint32_t cisn(uint16_t conn)
{
    return 1000u + (uint32_t)conn * 100000u;
}

static inline struct lq_seg mkseg(uint16_t conn, uint8_t flags, uint32_t seq, uint32_t ack)
{
    struct lq_seg s;
    memset(&s, 0, sizeof(s));
    s.conn = conn;
    s.sport = (uint16_t)(20000 + conn);
    s.dport = LPORT;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.win = 64240;
    return s;
}

static inline struct lq_seg mksyn(uint16_t conn)
{
    struct lq_seg s = mkseg(conn, LQ_TH_SYN, cisn(conn), 0);
    s.opt.has_mss = true;
    s.opt.mss = 1460;
    return s;
}

static inline void input(struct lq_model *m, struct lq_seg s)
{
    lq_model_input(m, &s);
    inv(m, "input");
}

static inline void advance(struct lq_model *m, uint64_t ms)
{
    lq_model_advance(m, ms);
    inv(m, "advance");
}

static inline struct lq_model *listener(const char *ver, int backlog)
{
    struct lq_model *m = mk(ver);
    lq_model_listen(m, LPORT, backlog);
    inv(m, "listen");
    return m;
}

static inline const struct lq_model_pkt *synack_of(const struct lq_model *m, uint16_t conn)
{
    const struct lq_model_out *o = lq_model_output(m);
    for (size_t i = 0; i < o->npkts; i++)
        if (o->pkts[i].seg.conn == conn &&
            (o->pkts[i].seg.flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK))
            return &o->pkts[i];
    return NULL;
}

static inline size_t npkts(const struct lq_model *m)
{
    return lq_model_output(m)->npkts;
}

static inline const struct lq_seg *pkt0(const struct lq_model *m)
{
    const struct lq_model_out *o = lq_model_output(m);
    return o->npkts ? &o->pkts[0].seg : NULL;
}

static inline uint64_t ctr(const struct lq_model *m, enum lq_counter c)
{
    return lq_model_counters(m)[c];
}

static inline struct lq_model_queues queues(const struct lq_model *m)
{
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    return q;
}

static inline int acceptq(const struct lq_model *m)
{
    struct lq_model_queues q;
    lq_model_queues(m, &q);
    return q.acceptq;
}

#endif
