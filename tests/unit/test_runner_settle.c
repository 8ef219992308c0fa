/* tests/unit/test_runner_settle.c: when the runner waits for a late packet.
 *
 * A failing packet expectation on a real-time backend is given a settle (up
 * to settle_ms) in case a timer sends the packet a little late. The subject
 * here is the model dressed as a kernel (LQ_CAP_REALTIME, a settle of its
 * own that counts its calls and hands over what it held back), and the
 * reference is the model. Rules checked (runner.c, lq_side_may_settle):
 * - no settle where the reference fails the expectation as well;
 * - a settle where the reference holds it, but after one that brought
 *   nothing that held, no more in that run;
 * - with no reference (a kernel-only run), the same one-in-vain rule.
 *
 * Expectations from the kernel source: tcp_conn_request() answers a first
 * SYN with a SYN-ACK; tcp_check_req() answers a retransmitted SYN with one
 * only when tcp_oow_rate_limited() lets it (once per tcp_invalid_ratelimit,
 * 500 ms: the first retransmission is answered, the next ones at once after
 * it are not).
 */
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"
#include "run/backend.h"
#include "run/backend_model.h"
#include "run/runner.h"
#include "kernel_dress.h"
#include "tap.h"

#define SETTLE_MS 250u /* the runner's bound here: told apart from pacing waits */

struct subject {
    struct lq_backend *b;
    struct lq_backend_ops ops;
    const struct lq_backend_ops *inner;
    bool send_none;    /* a kernel that sends nothing, late or not */
    bool hold_synacks; /* sends its SYN-ACKs only when settled for */
    struct lq_reply held[8];
    size_t nheld;
    unsigned settles;   /* settle calls with the runner's bound */
    uint64_t waited_ms; /* what they would have waited, nothing arriving */
};

static struct subject *subj_of(struct lq_backend *b)
{
    return (struct subject *)((char *)b->ops - offsetof(struct subject, ops));
}

static int subj_segment(struct lq_backend *b, const struct lq_seg *seg, struct lq_replies *out,
                        struct lq_err *err)
{
    struct subject *s = subj_of(b);
    size_t from = out->n;
    int rc = s->inner->segment(b, seg, out, err);
    size_t k = from;
    for (size_t i = from; i < out->n; i++) {
        bool synack = (out->r[i].seg.flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK);
        if (s->send_none)
            continue;
        if (s->hold_synacks && synack && s->nheld < sizeof(s->held) / sizeof(s->held[0])) {
            s->held[s->nheld++] = out->r[i];
            continue;
        }
        out->r[k++] = out->r[i];
    }
    out->n = k;
    return rc;
}

static int subj_settle(struct lq_backend *b, uint64_t max_ms, uint16_t conn, struct lq_replies *out,
                       struct lq_err *err)
{
    (void)conn, (void)err;
    struct subject *s = subj_of(b);
    if (max_ms != SETTLE_MS)
        return 0; /* a pacing wait (next-jiffy timers): not counted */
    s->settles++;
    if (!s->nheld) {
        s->waited_ms += max_ms;
        return 0;
    }
    for (size_t i = 0; i < s->nheld; i++) {
        struct lq_reply *r = lq_replies_add(out);
        *r = s->held[i];
        r->timing = LQ_PKT_DEFERRED;
    }
    s->nheld = 0;
    return 0;
}

static struct subject *subject_new(const struct lq_profile *p)
{
    struct subject *s = calloc(1, sizeof(*s));
    s->b = lq_test_kernel_dress(p, &s->ops, &s->inner);
    s->ops.segment = subj_segment;
    s->ops.settle = subj_settle;
    s->ops.caps |= LQ_CAP_REALTIME;
    return s;
}

static void subject_free(struct subject *s)
{
    lq_test_kernel_undress(s->b, s->inner);
    free(s);
}

struct outcome {
    enum lq_status status;
    size_t failed_ref, failed_subj;
    bool diverged;
};

static struct outcome run(const char *text, struct subject *s, bool with_reference)
{
    struct lq_profile p;
    char perr[256];
    if (lq_profile_resolve("6.18.44", &p, perr, (int)sizeof(perr))) {
        printf("Bail out! %s\n", perr);
        exit(1);
    }
    struct lq_err err;
    struct lq_runner r;
    lq_runner_init(&r, &p);
    r.settle_ms = SETTLE_MS;
    struct lq_backend *model = with_reference ? lq_backend_model_new(&p, &err) : NULL;
    r.backend[LQ_ROLE_REFERENCE] = model;
    r.backend[LQ_ROLE_SUBJECT] = s->b;
    struct lq_scenario sc;
    if (lq_parse_text(text, strlen(text), "test.lq", &sc, &err)) {
        printf("Bail out! %s\n", err.msg);
        exit(1);
    }
    struct lq_result res;
    lq_result_init(&res);
    struct outcome o = {0};
    if (lq_run_scenario(&r, &sc, &res, &err))
        tap_diag("run: %s", err.msg);
    o.status = res.status;
    o.diverged = res.div.found;
    for (size_t i = 0; i < res.nexps; i++) {
        if (res.exps[i].outcome != LQ_EXP_FAILS)
            continue;
        if (res.exps[i].role == LQ_ROLE_REFERENCE)
            o.failed_ref++;
        else
            o.failed_subj++;
    }
    lq_result_free(&res);
    lq_scenario_free(&sc);
    if (model)
        model->ops->destroy(model);
    lq_runner_free(&r);
    return o;
}

/* A SYN and three retransmissions: the first two are answered, the last
 * two not (500 ms rate limit); each "expect synack" after them is wrong. */
static const char retransmitted[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                                    "listen 4\n"
                                    "syn c1\n"
                                    "expect c1 synack\n"
                                    "syn c1\n"
                                    "expect c1 synack\n"
                                    "syn c1\n"
                                    "expect c1 synack\n"
                                    "syn c1\n"
                                    "expect c1 synack\n";

/* three connections, each answered at once */
static const char three_syns[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                                 "listen 4\n"
                                 "syn c1\n"
                                 "expect c1 synack\n"
                                 "syn c2\n"
                                 "expect c2 synack\n"
                                 "syn c3\n"
                                 "expect c3 synack\n";

static void test_reference_fails_too(struct lq_profile *p)
{
    struct subject *s = subject_new(p);
    struct outcome o = run(retransmitted, s, true);
    is_int((long long)o.failed_ref, 2,
           "retransmitted SYNs: the reference fails the two wrong ones");
    is_int((long long)o.failed_subj, 2, "... and so does the kernel side");
    ok(o.status == LQ_ST_FAIL && !o.diverged, "... a failure, not a divergence");
    is_int((long long)s->settles, 0, "... and no settle: the reference predicts no late packet");
    subject_free(s);
}

static void test_in_vain_once(struct lq_profile *p)
{
    /* a kernel that sends nothing: the reference holds all three, the
     * kernel fails them; one settle, then none */
    struct subject *s = subject_new(p);
    s->send_none = true;
    struct outcome o = run(three_syns, s, true);
    is_int((long long)o.failed_ref, 0, "a silent kernel: the reference holds its three");
    is_int((long long)o.failed_subj, 3, "... the kernel side fails them");
    ok(o.status == LQ_ST_FAIL && o.diverged, "... a divergence");
    is_int((long long)s->settles, 1, "... after one settle in vain, no more");
    is_int((long long)s->waited_ms, SETTLE_MS, "... so it waited %u ms, not %u", SETTLE_MS,
           3 * SETTLE_MS);
    subject_free(s);

    /* no reference (a kernel-only run): the same rule */
    s = subject_new(p);
    s->send_none = true;
    o = run(three_syns, s, false);
    is_int((long long)o.failed_subj, 3, "kernel-only, a silent kernel: three failed");
    is_int((long long)s->settles, 1, "... one settle in vain, then none");
    subject_free(s);

    /* kernel-only with the wrong expectations of the retransmissions: the
     * first wrong one settles, the second does not */
    s = subject_new(p);
    o = run(retransmitted, s, false);
    is_int((long long)o.failed_subj, 2, "kernel-only, retransmitted SYNs: two failed");
    is_int((long long)s->settles, 1, "... one settle");
    subject_free(s);
}

static void test_settle_that_brings_it(struct lq_profile *p)
{
    /* every SYN-ACK late: each expectation settles and then holds, and a
     * settle that brought what was expected spends nothing */
    struct subject *s = subject_new(p);
    s->hold_synacks = true;
    struct outcome o = run(three_syns, s, true);
    is_int((long long)o.failed_subj, 0, "late SYN-ACKs: the kernel side holds its three");
    is_int((long long)s->settles, 3, "... one settle each");
    is_int((long long)s->waited_ms, 0, "... none waited its bound");
    subject_free(s);

    s = subject_new(p);
    s->hold_synacks = true;
    o = run(three_syns, s, false);
    is_int((long long)o.failed_subj, 0, "kernel-only, late SYN-ACKs: three hold");
    is_int((long long)s->settles, 3, "... one settle each");
    subject_free(s);
}

int main(void)
{
    struct lq_profile p;
    char err[256];
    if (lq_profile_resolve("6.18.44", &p, err, (int)sizeof(err))) {
        printf("Bail out! %s\n", err);
        return 1;
    }
    test_reference_fails_too(&p);
    test_in_vain_once(&p);
    test_settle_that_brings_it(&p);
    return tap_done();
}
