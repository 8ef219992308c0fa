/* tests/unit/test_compare_label.c: a kernel's IPv6 flow label is 20 bits of
 * a random hash (net_tx_rndhash -> ip6_make_flowlabel), so a label that the
 * kernel draws fresh (a retransmitted SYN-ACK's, tcp_rtx_synack) equals one
 * of the connection's k earlier labels once in 2^20 / k. The comparison
 * (compare.c) names such a divergence a label collision when the subject's
 * packet is the reference's but for an earlier label where the reference's
 * is new; nothing else is one. The runner (runner.c) runs a scenario whose
 * only divergence is a collision again, at most twice: a collision by chance
 * does not come back, a rule the sides do not share does, and stays.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"
#include "model/profile.h"
#include "run/backend_model.h"
#include "run/compare.h"
#include "run/runner.h"
#include "run/trace.h"
#include "tap.h"

/* ---- the comparison ---- */

static void synack(struct lq_trace *t, struct lq_obs *o, int8_t lbl, int32_t seq_off)
{
    struct lq_obs_pkt *p = lq_trace_add_pkt(t, o);
    p->flags = 0x12; /* SYN, ACK */
    p->seq_rel = LQ_REL_SRV;
    p->seq_off = seq_off;
    p->ack_rel = LQ_REL_CLI;
    p->ack_off = 1;
    p->mss = 1440;
    p->wscale = -1;
    p->win = 65535;
    p->tsecr = -1;
    p->tfo = -1;
    p->lbl = lbl;
    p->lbl_prev = LQ_LBL_NO_PRIOR;
    p->timing = LQ_PKT_NOW;
    p->frame = -1;
}

/* Two events, a SYN-ACK each: the reference's labels a0, a1, the subject's
 * b0, b1 (the client's numbers: the k-th distinct label of the connection),
 * the subject's second one's sequence offset b1_off (the reference's is 0). */
static bool compare(int8_t a0, int8_t a1, int8_t b0, int8_t b1, int32_t b1_off,
                    struct lq_divergence *div)
{
    static const char text[] = "family ipv6\nlisten 8\nsyn c1\nsyn c1\n";
    struct lq_scenario sc;
    struct lq_err err;
    if (lq_parse_text(text, strlen(text), "label.lq", &sc, &err)) {
        printf("Bail out! %s\n", err.msg);
        exit(1);
    }
    struct lq_trace a, b;
    lq_trace_init(&a, LQ_ROLE_REFERENCE);
    lq_trace_init(&b, LQ_ROLE_SUBJECT);
    lq_trace_reset(&a, LQ_ROLE_REFERENCE, "model", true);
    lq_trace_reset(&b, LQ_ROLE_SUBJECT, "kernel", false);
    for (uint32_t d = 0; d < sc.n; d++) {
        struct lq_obs *oa = lq_trace_add_obs(&a);
        struct lq_obs *ob = lq_trace_add_obs(&b);
        oa->dir = ob->dir = d;
        if (d == sc.n - 2) {
            synack(&a, oa, a0, 0);
            synack(&b, ob, b0, 0);
        }
        if (d == sc.n - 1) {
            synack(&a, oa, a1, 0);
            synack(&b, ob, b1, b1_off);
        }
    }
    memset(div, 0, sizeof(*div));
    bool same = lq_compare_traces(&sc, &a, &b, div);
    lq_trace_free(&a);
    lq_trace_free(&b);
    lq_scenario_free(&sc);
    return same;
}

static void test_compare(void)
{
    struct lq_divergence div;
    ok(compare(0, 1, 0, 1, 0, &div) && !div.found, "a new label on both sides: no divergence");

    ok(!compare(0, 1, 0, 0, 0, &div) && div.found, "a new label against an earlier one diverges");
    ok(div.label_collision && div.label_earlier == 1,
       "... and is a label collision, with 1 earlier label to collide with (got %d, %u)",
       div.label_collision, div.label_earlier);
    ok(div.dir == 3, "... at the second SYN (directive 3, got %u)", div.dir);

    ok(!compare(0, 1, 0, 0, 1000, &div) && div.found && !div.label_collision,
       "an earlier label on a packet that differs in more (its sequence) is no collision");
    ok(!compare(0, 0, 0, 1, 0, &div) && div.found && !div.label_collision,
       "the reference keeping its label where the subject draws a new one is no collision");
    ok(!compare(-1, -1, -1, -1, 1000, &div) && div.found && !div.label_collision,
       "IPv4 (no labels): no collision");
    ok(!compare(0, 1, 0, LQ_LBL_HISTORY, 0, &div) && div.found && !div.label_collision,
       "a label past the history kept (LQ_LBL_HISTORY) is no collision");
}

/* ---- the runner ---- */

/* The model as the subject, but for the labels: in its first `collide`
 * runs each SYN-ACK after the first carries the first one's label, as a
 * kernel's does when its random hash comes out the same. */
struct subject {
    struct lq_backend *b;
    struct lq_backend_ops ops;
    const struct lq_backend_ops *inner;
    int runs, collide;
    bool have_first;
    uint32_t first;
};

static struct subject *subj_of(struct lq_backend *b)
{
    return (struct subject *)((char *)b->ops - offsetof(struct subject, ops));
}

static int subj_begin(struct lq_backend *b, const struct lq_begin *bg, struct lq_err *err)
{
    struct subject *s = subj_of(b);
    s->runs++;
    s->have_first = false;
    return s->inner->begin(b, bg, err);
}

static int subj_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                        struct lq_err *err)
{
    struct subject *s = subj_of(b);
    size_t from = out->n;
    int rc = s->inner->segment(b, seg, out, err);
    for (size_t i = from; i < out->n; i++) {
        struct lq_seg *r = &out->r[i].seg;
        if ((r->flags & 0x12) != 0x12)
            continue;
        if (!s->have_first) {
            s->have_first = true;
            s->first = r->flowlabel;
        } else if (s->runs <= s->collide) {
            r->flowlabel = s->first;
        }
    }
    return rc;
}

struct outcome {
    enum lq_status status;
    bool collision;
    size_t reruns;
    int runs;
};

static struct outcome run(int collide)
{
    /* corpus/conformance/flowlabel_ipv6.lq's start: the retransmitted SYN's
     * SYN-ACK gets a new txhash (tcp_rtx_synack, sk_txrehash since 5.18) */
    static const char text[] = "family ipv6\n"
                               "sysctl net.ipv4.tcp_syncookies=0\n"
                               "listen 8\n"
                               "syn c1\n"
                               "syn c1\n";
    struct lq_profile p;
    struct lq_err err;
    char perr[256];
    if (lq_profile_resolve("6.18.44", &p, perr, (int)sizeof(perr))) {
        printf("Bail out! %s\n", perr);
        exit(1);
    }
    struct lq_runner r;
    lq_runner_init(&r, &p);
    struct lq_backend *model = lq_backend_model_new(&p, &err);
    struct subject s = {.b = lq_backend_model_new(&p, &err), .collide = collide};
    s.inner = s.b->ops;
    s.ops = *s.inner;
    s.ops.begin = subj_begin;
    s.ops.segment = subj_segment;
    s.b->ops = &s.ops;
    r.backend[LQ_ROLE_REFERENCE] = model;
    r.backend[LQ_ROLE_SUBJECT] = s.b;
    struct lq_scenario sc;
    if (lq_parse_text(text, strlen(text), "label.lq", &sc, &err)) {
        printf("Bail out! %s\n", err.msg);
        exit(1);
    }
    struct lq_result res;
    lq_result_init(&res);
    if (lq_run_scenario(&r, &sc, &res, &err))
        tap_diag("run: %s", err.msg);
    if (res.div.found)
        tap_diag("divergence at directive %u: %s (%s | %s)", res.div.dir, res.div.what,
                 res.div.a_side, res.div.b_side);
    struct outcome o = {.status = res.status,
                        .collision = res.div.found && res.div.label_collision,
                        .reruns = r.label_reruns,
                        .runs = s.runs};
    lq_result_free(&res);
    lq_scenario_free(&sc);
    s.b->ops = s.inner;
    s.b->ops->destroy(s.b);
    model->ops->destroy(model);
    lq_runner_free(&r);
    return o;
}

static void test_runner(void)
{
    struct outcome o = run(0);
    ok(o.status == LQ_ST_PASS && o.reruns == 0 && o.runs == 1,
       "no collision: one run, it passes (status %d, %zu reruns, %d runs)", o.status, o.reruns,
       o.runs);
    o = run(1);
    ok(o.status == LQ_ST_PASS && o.reruns == 1 && o.runs == 2,
       "a collision in the first run: run again once, the second run's pass stands (status %d, "
       "%zu reruns, %d runs)",
       o.status, o.reruns, o.runs);
    o = run(2);
    ok(o.status == LQ_ST_PASS && o.reruns == 2 && o.runs == 3,
       "collisions in two runs: the third run's pass stands (status %d, %zu reruns, %d runs)",
       o.status, o.reruns, o.runs);
    o = run(1000);
    ok(o.status == LQ_ST_FAIL && o.collision && o.reruns == 2 && o.runs == 3,
       "a label kept every time (a rule, not chance): 3 runs, the divergence stays (status %d, "
       "collision %d, %zu reruns, %d runs)",
       o.status, o.collision, o.reruns, o.runs);
}

int main(void)
{
    test_compare();
    test_runner();
    return tap_done();
}
