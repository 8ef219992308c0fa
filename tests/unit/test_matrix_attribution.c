/* tests/unit/test_matrix_attribution.c: harness/matrix/attribution.c names
 * the profile change a kernel's behaviour differs by.
 *
 * The "kernels" here are made up: each one's recordings are the model's
 * answers under a profile that differs from the kernel's declared profile
 * (6.12.117) by a known set of changes, which is what a real kernel with a
 * commit reverted or applied looks like to the matrix. Which scenario a
 * change reaches comes from the kernel source: listen(fd, 0) takes one SYN
 * only with `qlen > N` (inet_csk_reqsk_queue_is_full, 3479c7549fb1); a TSecr
 * that echoes no SYN-ACK TSval is refused only with 3ba075278c11
 * (tcp_check_req); a plain handshake is reached by neither.
 */
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"
#include "matrix/matrix.h"
#include "run/backend_model.h"
#include "run/runner.h"
#include "tap.h"

#define BIT(c) (1u << (c))

static const char *const texts[] = {
    /* 0: listen(fd, 0) with cookies off: one SYN (synq_full_gt) */
    "sysctl net.ipv4.tcp_syncookies=0\nlisten 0\nsyn c1 mss=1460\nexpect c1 synack\n"
    "syn c2 mss=1460\n",
    /* 1: a TSecr outside the SYN-ACK TSvals (tsecr_check) */
    "sysctl net.ipv4.tcp_syncookies=0\nlisten 4\nsyn c1 mss=1460 ts\nack c1 tsecr=bad\n"
    "ack c1\n",
    /* 2: a plain handshake and accept: no change of 6.12.117's neighbourhood */
    "sysctl net.ipv4.tcp_syncookies=0\nlisten 4\nsyn c1 mss=1460\nack c1\naccept\n",
};
enum { NSC = 3 };
/* Which scenario each change reaches (from the kernel source, above). */
static const uint32_t reaches[NSC] = {BIT(LQ_CHG_SYNQ_FULL_GT), BIT(LQ_CHG_TSECR_CHECK), 0};

static struct lq_corpus corpus;
static char *labels[NSC];

static void load(void)
{
    corpus.sc = calloc(NSC, sizeof(*corpus.sc));
    corpus.n = corpus.cap = NSC;
    for (int i = 0; i < NSC; i++) {
        struct lq_err err = {0};
        char where[32];
        snprintf(where, sizeof(where), "sc%d.lq", i);
        if (lq_parse_text(texts[i], strlen(texts[i]), where, &corpus.sc[i], &err)) {
            printf("Bail out! %s: %s\n", where, err.msg);
            exit(1);
        }
        labels[i] = strdup(where);
    }
}

static void model_trace(const struct lq_scenario *sc, const struct lq_profile *p,
                        struct lq_trace *out)
{
    struct lq_err err = {0};
    struct lq_runner r;
    struct lq_result res;
    lq_runner_init(&r, p);
    lq_result_init(&res);
    struct lq_backend *m = lq_backend_model_new(p, &err);
    r.backend[LQ_ROLE_REFERENCE] = m;
    if (!m || lq_run_scenario(&r, sc, &res, &err)) {
        printf("Bail out! model run: %s\n", err.msg);
        exit(1);
    }
    *out = res.trace[LQ_ROLE_REFERENCE]; /* the recording takes the trace over */
    lq_trace_init(&res.trace[LQ_ROLE_REFERENCE], LQ_ROLE_REFERENCE);
    snprintf(out->backend, sizeof(out->backend), "kernel");
    out->predicts = false; /* as a loaded recording (its packets were seen, not predicted) */
    lq_backend_destroy(m);
    lq_runner_free(&r);
    lq_result_free(&res);
}

/* A kernel declared as 6.12.117 whose behaviour is 6.12.117 ^ flip. */
static void mk_kernel(struct lq_mx_kernel *k, uint32_t flip, bool record)
{
    memset(k, 0, sizeof(*k));
    char err[128];
    lq_profile_resolve("6.12.117", &k->prof, err, (int)sizeof(err));
    struct lq_profile truth = k->prof;
    truth.changes ^= flip;
    k->spec = "bzImage";
    k->state = LQ_MX_DONE;
    snprintf(k->col, sizeof(k->col), "6.12.117");
    k->cells = calloc(NSC, sizeof(*k->cells));
    k->recs = calloc(NSC, sizeof(*k->recs));
    k->has_rec = calloc(NSC, sizeof(*k->has_rec));
    for (int i = 0; i < NSC; i++) {
        struct lq_mx_cell *c = &k->cells[i];
        c->present = true;
        c->diverged = (reaches[i] & flip) != 0; /* what the run in the VM saw */
        snprintf(c->status, sizeof(c->status), "%s", c->diverged ? "fail" : "pass");
        if (record) {
            model_trace(&corpus.sc[i], &truth, &k->recs[i].trace);
            k->has_rec[i] = true;
        }
    }
}

static void free_kernel(struct lq_mx_kernel *k)
{
    for (int i = 0; i < NSC; i++)
        if (k->has_rec[i])
            lq_trace_free(&k->recs[i].trace);
    free(k->cells);
    free(k->recs);
    free(k->has_rec);
}

static void check(const char *what, uint32_t flip, bool record, size_t ndis, uint32_t explains,
                  int closest)
{
    struct lq_mx_kernel k;
    struct lq_mx_attribution a;
    mk_kernel(&k, flip, record);
    lq_mx_attribute(&k, &corpus, &a);
    is_int((int)a.ndis, (int)ndis, "%s: confirmed disagreements", what);
    is_int((int)a.explains, (int)explains, "%s: the changes that explain it", what);
    if (closest != -2)
        is_int(a.closest, closest, "%s: the closest change", what);
    struct lq_strbuf out;
    lq_sb_init(&out);
    lq_mx_print_attribution(&k, 1, &corpus, labels, 0, &out);
    const char *s = lq_sb_str(&out);
    if (!ndis)
        ok(out.len == 0, "%s: no attribution section", what);
    else if (!record)
        ok(strstr(s, "cannot tell") != NULL, "%s: says it cannot tell", what);
    else if (explains)
        ok(strstr(s, "explained by ") != NULL && !strstr(s, "unexplained"),
           "%s: the section names the change", what);
    else
        ok(strstr(s, "unexplained:") != NULL, "%s: the section says unexplained", what);
    if (out.len)
        tap_diag("%s", s);
    lq_sb_free(&out);
    free_kernel(&k);
}

int main(void)
{
    load();
    /* The declared profile itself: nothing to explain. */
    check("unpatched", 0, true, 0, 0, -1);
    /* 3479c7549fb1 reverted: 6.12.117 has synq_full_gt, this kernel not. */
    check("synq_full_gt reverted", BIT(LQ_CHG_SYNQ_FULL_GT), true, 1, BIT(LQ_CHG_SYNQ_FULL_GT),
          LQ_CHG_SYNQ_FULL_GT);
    /* 3ba075278c11 applied: 6.12.117 lacks tsecr_check, this kernel has it. */
    check("tsecr_check applied", BIT(LQ_CHG_TSECR_CHECK), true, 1, BIT(LQ_CHG_TSECR_CHECK),
          LQ_CHG_TSECR_CHECK);
    /* Both at once: no single change explains both disagreements; either
     * fixes one (the first in enum order wins the tie). */
    check("two changes", BIT(LQ_CHG_SYNQ_FULL_GT) | BIT(LQ_CHG_TSECR_CHECK), true, 2, 0,
          LQ_CHG_SYNQ_FULL_GT);
    /* Without recordings there is nothing to re-run the model against. */
    check("no recordings", BIT(LQ_CHG_SYNQ_FULL_GT), false, 1, 0, -1);
    for (int i = 0; i < NSC; i++) {
        lq_scenario_free(&corpus.sc[i]);
        free(labels[i]);
    }
    free(corpus.sc);
    return tap_done();
}
