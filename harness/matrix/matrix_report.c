/* harness/matrix/matrix_report.c: judges the results `listenq matrix` brought back
 * (see matrix.h) and prints the table. The model is run here again, per
 * kernel profile, to name the decision points and profile changes behind a
 * difference. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/backend_model.h"
#include "run/compare.h"
#include "model/decision.h"
#include "matrix.h"
#include "lang/print.h"
#include "run/runner.h"
#include "util/strbuf.h"

/* snprintf that truncates silently (the texts here are bounded). */
static void mx_fmt(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void mx_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* ---- the model, per profile ---- */

static int mx_model(const struct lq_scenario *sc, const struct lq_profile *p, struct lq_result *res)
{
    struct lq_err err = {0};
    struct lq_runner r;
    lq_runner_init(&r, p);
    lq_result_init(res);
    struct lq_backend *m = lq_backend_model_new(p, &err);
    if (!m) {
        lq_runner_free(&r);
        return -1;
    }
    r.backend[LQ_ROLE_REFERENCE] = m;
    int rc = lq_run_scenario(&r, sc, res, &err);
    lq_backend_destroy(m);
    lq_runner_free(&r);
    return rc;
}

/* Two model traces (compare.c judges a kernel trace against a reference, and
 * a model trace lists a delayed packet both when it is due and when it fires,
 * so it is no judge of two models): the same packets, accept results, queues
 * and counters, event by event. */
static bool mx_model_same(const struct lq_trace *a, const struct lq_trace *b)
{
    if (a->nobs != b->nobs)
        return false;
    for (size_t i = 0; i < a->nobs; i++) {
        const struct lq_obs *x = &a->obs[i], *y = &b->obs[i];
        if (x->npkts != y->npkts || x->accept != y->accept || x->rc != y->rc ||
            x->acceptq != y->acceptq || x->backlog != y->backlog || x->synq != y->synq ||
            (x->ctr_valid && y->ctr_valid && memcmp(x->ctr, y->ctr, sizeof(x->ctr))))
            return false;
        for (uint32_t k = 0; k < x->npkts; k++) {
            const struct lq_obs_pkt *p = &a->pkts[x->first_pkt + k],
                                    *q = &b->pkts[y->first_pkt + k];
            if (p->conn != q->conn || p->flags != q->flags || p->seq_rel != q->seq_rel ||
                p->ack_rel != q->ack_rel || p->ack_isn != q->ack_isn || p->seq_off != q->seq_off ||
                p->ack_off != q->ack_off || p->len != q->len || p->mss != q->mss ||
                p->wscale != q->wscale || p->sack != q->sack || p->ts != q->ts ||
                p->cookie != q->cookie || p->timing != q->timing)
                return false;
        }
    }
    return true;
}

/* Whether the model takes other decisions (or answers otherwise) under a than
 * under b; *first_a / *first_b: the first decision points that differ. */
static bool mx_model_differs(const struct lq_scenario *sc, const struct lq_profile *a,
                             const struct lq_profile *b, int *first_a, int *first_b)
{
    struct lq_result ra, rb;
    bool differs = false;
    *first_a = *first_b = -1;
    if (mx_model(sc, a, &ra) == 0 && mx_model(sc, b, &rb) == 0) {
        const struct lq_trace *ta = &ra.trace[LQ_ROLE_REFERENCE],
                              *tb = &rb.trace[LQ_ROLE_REFERENCE];
        size_t n = ta->ndps < tb->ndps ? ta->ndps : tb->ndps, i = 0;
        while (i < n && ta->dps[i] == tb->dps[i])
            i++;
        if (i < ta->ndps || i < tb->ndps) {
            differs = true;
            *first_a = i < ta->ndps ? ta->dps[i] : -1;
            *first_b = i < tb->ndps ? tb->dps[i] : -1;
        }
        if (!mx_model_same(ta, tb))
            differs = true;
        lq_result_free(&rb);
    }
    lq_result_free(&ra);
    return differs;
}

/* The model's deciding decision point at the event an expectation at line checks. */
static const char *mx_dp_before_line(const struct lq_scenario *sc, const struct lq_profile *p,
                                     uint32_t line)
{
    static char name[64];
    struct lq_result r;
    name[0] = '\0';
    if (mx_model(sc, p, &r) == 0) {
        const struct lq_trace *t = &r.trace[LQ_ROLE_REFERENCE];
        for (size_t i = 0; i < t->nobs; i++) {
            const struct lq_obs *ob = &t->obs[i];
            if (sc->d[ob->dir].line < line && ob->ndps) {
                const struct lq_dp_info *info =
                    lq_dp_info((enum lq_dp)t->dps[ob->first_dp + ob->ndps - 1]);
                mx_fmt(name, sizeof(name), "%s", info ? info->name : "?");
            }
        }
    }
    lq_result_free(&r);
    return name;
}

/* ---- judging and printing ---- */

int lq_mx_rec_agrees_with(const struct lq_mx_kernel *k, size_t i, const struct lq_scenario *sc,
                          const struct lq_profile *prof)
{
    if (!k->has_rec[i])
        return -1;
    struct lq_result r;
    int agrees = 0;
    struct lq_divergence d;
    if (mx_model(sc, prof, &r) == 0)
        agrees = lq_compare_traces(sc, &r.trace[LQ_ROLE_REFERENCE], &k->recs[i].trace, &d);
    lq_result_free(&r);
    return agrees;
}

static int mx_rec_agrees(const struct lq_mx_kernel *k, size_t i, const struct lq_scenario *sc)
{
    return lq_mx_rec_agrees_with(k, i, sc, &k->prof);
}

/* The profile changes that, toggled, make the model agree with the kernel's
 * recording: where model/profile.c is probably wrong. */
static void mx_suggest(const struct lq_mx_kernel *k, size_t i, const struct lq_scenario *sc,
                       struct lq_strbuf *out)
{
    for (int c = 0; c < LQ_CHG_COUNT; c++) {
        struct lq_profile t = k->prof;
        t.changes ^= 1u << c;
        t.somaxconn_default = lq_profile_has(&t, LQ_CHG_SOMAXCONN_4096) ? 4096 : 128;
        if (lq_mx_rec_agrees_with(k, i, sc, &t) != 1)
            continue;
        const struct lq_change_info *ci = lq_change_info((enum lq_change)c);
        lq_sb_addf(out,
                   "!!   the model agrees with this kernel's recording when profile %s %s change "
                   "%s (%s; mainline %s, backports %s): check that entry in model/profile.c\n",
                   k->col, lq_profile_has(&k->prof, (enum lq_change)c) ? "drops" : "gets", ci->id,
                   ci->summary, ci->mainline, ci->backports);
    }
}

enum lq_mx_verdict lq_mx_verdict(const struct lq_mx_kernel *k, size_t i,
                                 const struct lq_scenario *sc)
{
    const struct lq_mx_cell *c = &k->cells[i];
    if (k->state != LQ_MX_DONE || !c->present)
        return LQ_MX_V_NONE;
    if (strcmp(c->status, "skip") == 0)
        return LQ_MX_V_SKIP;
    if (strcmp(c->status, "error") == 0)
        return LQ_MX_V_ERROR;
    if (c->diverged || c->kwhy[0])
        return mx_rec_agrees(k, i, sc) == 1 ? LQ_MX_V_UNCONFIRMED : LQ_MX_V_DISAGREE;
    return c->nm || c->nk ? LQ_MX_V_PASS_EXP : LQ_MX_V_PASS;
}

static void mx_cell_text(const struct lq_mx_kernel *k, size_t i, const struct lq_scenario *sc,
                         char *out, size_t cap)
{
    const struct lq_mx_cell *c = &k->cells[i];
    enum lq_mx_verdict v = lq_mx_verdict(k, i, sc);
    switch (v) {
    case LQ_MX_V_NONE: mx_fmt(out, cap, "-"); break;
    case LQ_MX_V_PASS: mx_fmt(out, cap, "pass"); break;
    case LQ_MX_V_PASS_EXP: mx_fmt(out, cap, "pass*"); break;
    case LQ_MX_V_SKIP: mx_fmt(out, cap, "skip"); break;
    case LQ_MX_V_ERROR: mx_fmt(out, cap, "error"); break;
    case LQ_MX_V_DISAGREE:
    case LQ_MX_V_UNCONFIRMED:
        if (c->diverged)
            mx_fmt(out, cap, "FAIL%s %s", v == LQ_MX_V_UNCONFIRMED ? "?" : "",
                   c->div_dp[0] ? c->div_dp : "(no decision point)");
        else
            mx_fmt(out, cap, "FAIL%s %s", v == LQ_MX_V_UNCONFIRMED ? "?" : "",
                   mx_dp_before_line(sc, &k->prof, (uint32_t)strtoul(c->kwhy + 5, NULL, 10)));
        break;
    }
}

/* Whether kernels a and b behaved alike on scenario i; what: where not. */
static bool mx_same_behaviour(const struct lq_mx_kernel *a, const struct lq_mx_kernel *b, size_t i,
                              const struct lq_scenario *sc, struct lq_strbuf *what)
{
    if (a->has_rec[i] && b->has_rec[i]) {
        /* compare.c takes the first trace as the reference a timer packet may
         * only come later than: between two kernels either may be late. */
        struct lq_divergence d, d2;
        int fa, fb;
        if (lq_compare_traces(sc, &a->recs[i].trace, &b->recs[i].trace, &d) ||
            lq_compare_traces(sc, &b->recs[i].trace, &a->recs[i].trace, &d2))
            return true;
        /* Both within the tolerance of one prediction: timer jitter, not behaviour. */
        if (mx_rec_agrees(a, i, sc) == 1 && mx_rec_agrees(b, i, sc) == 1 &&
            !mx_model_differs(sc, &a->prof, &b->prof, &fa, &fb))
            return true;
        struct lq_strbuf ev;
        lq_sb_init(&ev);
        lq_print_directive(sc, &sc->d[d.dir], &ev);
        lq_sb_addf(what, "line %u `%s`: %s\n        %-9s %s\n        %-9s %s\n", sc->d[d.dir].line,
                   lq_sb_str(&ev), d.what, a->col, d.a_side, b->col, d.b_side);
        lq_sb_free(&ev);
        return false;
    }
    const struct lq_mx_cell *x = &a->cells[i], *y = &b->cells[i];
    bool same = x->nk == y->nk;
    for (size_t j = 0; same && j < x->nk; j++)
        same = lq_mx_has_line(y->kfail, y->nk, x->kfail[j]);
    if (!same)
        lq_sb_addf(what, "(from the run reports) expectations the kernel fails: %s %zu, %s %zu\n",
                   a->col, x->nk, b->col, y->nk);
    return same;
}

/* Names the profile changes that explain a difference between a and b. */
static void mx_explain(const struct lq_mx_kernel *a, const struct lq_mx_kernel *b, size_t i,
                       const struct lq_scenario *sc, struct lq_strbuf *out)
{
    bool flaky = false;
    for (int s = 0; s < 2; s++) { /* a recording that its own run contradicts */
        const struct lq_mx_kernel *k = s ? b : a;
        enum lq_mx_verdict v = lq_mx_verdict(k, i, sc);
        if ((v == LQ_MX_V_PASS || v == LQ_MX_V_PASS_EXP) && mx_rec_agrees(k, i, sc) == 0) {
            lq_sb_addf(out,
                       "      timing-dependent: %s's recording disagrees with the model, its "
                       "run (same VM) agreed\n",
                       k->col);
            flaky = true;
        }
    }
    uint32_t x = a->prof.changes ^ b->prof.changes;
    int fa, fb, named = 0;
    bool predicted = mx_model_differs(sc, &a->prof, &b->prof, &fa, &fb);
    for (int c = 0; c < LQ_CHG_COUNT; c++) {
        if (!((x >> c) & 1u))
            continue;
        struct lq_profile t = a->prof;
        t.changes ^= 1u << c;
        t.somaxconn_default = lq_profile_has(&t, LQ_CHG_SOMAXCONN_4096) ? 4096 : 128;
        int ta, tb;
        if (!mx_model_differs(sc, &a->prof, &t, &ta, &tb))
            continue;
        const struct lq_change_info *ci = lq_change_info((enum lq_change)c);
        const struct lq_mx_kernel *has = lq_profile_has(&a->prof, (enum lq_change)c) ? a : b;
        lq_sb_addf(out,
                   "      explained by profile change %s (in %s, not in %s): %s [mainline %s; "
                   "backports %s]\n",
                   ci->id, has->col, has == a ? b->col : a->col, ci->summary, ci->mainline,
                   ci->backports);
        named++;
    }
    if (predicted && fa >= 0 && fb >= 0)
        lq_sb_addf(out, "      the model's decision points part: %s on %s, %s on %s\n",
                   lq_dp_info((enum lq_dp)fa)->name, a->col, lq_dp_info((enum lq_dp)fb)->name,
                   b->col);
    if (predicted && fa < 0 && fb < 0)
        lq_sb_addf(out, "      the model takes the same decision points under both profiles; the "
                        "change alters what they send\n");
    if (!named && flaky && !predicted)
        lq_sb_add(out, "      not a kernel difference: the model predicts the same for both\n");
    else if (!named)
        lq_sb_addf(out,
                   "      no profile change explains it: %s (a profile entry is missing or "
                   "wrong)\n",
                   predicted ? "the changes between the profiles do not reach this scenario"
                             : "the model predicts the same behaviour for both profiles");
}

/* The common prefix of the labels ("conformance/"), left out of the table. */
static size_t mx_label_prefix(const struct lq_corpus *corpus, char **labels)
{
    if (!corpus->n)
        return 0;
    const char *s = strchr(labels[0], '/');
    size_t pre = s ? (size_t)(s - labels[0]) + 1 : 0;
    for (size_t i = 0; i < corpus->n && pre; i++)
        if (strncmp(labels[i], labels[0], pre))
            pre = 0;
    return pre;
}

/* The kernels: what each is and how long it took. */
static void mx_print_kernels(const struct lq_mx_kernel *ks, int nk, const struct lq_mx_opts *o)
{
    printf("\nlisten-queue conformance matrix: %s, %s, %d kernel%s\n", o->corpus,
           o->slow ? "every scenario" : "fast suite", nk, nk == 1 ? "" : "s");
    for (int j = 0; j < nk; j++) {
        const struct lq_mx_kernel *k = &ks[j];
        printf("  %-10s %s", k->state == LQ_MX_DONE ? k->col : "-", k->spec);
        if (k->package[0])
            printf(": Debian %s %s (%s)", k->package, k->debver, k->suite);
        if (k->state == LQ_MX_DONE)
            printf(", %s \"%s\"", k->release, k->kversion);
        if (k->state != LQ_MX_DONE)
            printf(": NO RESULTS: %s\n", k->why);
        else if (k->in_vm) {
            printf("\n             VM (%s): boot %.1f s, suite %.1f s", k->accel, k->boot_s,
                   k->suite_s);
            if (k->record_s >= 0)
                printf(", record %.1f s", k->record_s);
            printf(", VM wall %.1f s\n", k->wall_s);
        } else {
            printf("\n             host (%s): suite %.1f s", k->why, k->suite_s);
            if (k->record_s >= 0)
                printf(", record %.1f s", k->record_s);
            printf("\n");
        }
    }
}

/* The table: scenario x kernel, the verdict in each cell, and its legend. */
static void mx_print_table(struct lq_mx_kernel *ks, int nk, const struct lq_corpus *corpus,
                           char **labels, size_t pre)
{
    size_t w = 8;
    for (size_t i = 0; i < corpus->n; i++)
        if (strlen(labels[i]) - pre > w)
            w = strlen(labels[i]) - pre;
    int cw[LQ_MX_MAX_K];
    char cell[128];
    for (int j = 0; j < nk; j++) {
        if (ks[j].state != LQ_MX_DONE) { /* a column without results: a short name */
            const char *b = strrchr(ks[j].spec, '/');
            mx_fmt(ks[j].col, sizeof(ks[j].col), "%.16s", b && b[1] ? b + 1 : ks[j].spec);
        }
        cw[j] = (int)strlen(ks[j].col);
        for (size_t i = 0; i < corpus->n; i++) {
            mx_cell_text(&ks[j], i, &corpus->sc[i], cell, sizeof(cell));
            if ((int)strlen(cell) > cw[j])
                cw[j] = (int)strlen(cell);
        }
    }
    printf("\n%-*s", (int)w, "scenario");
    for (int j = 0; j < nk; j++)
        printf("  %-*s", cw[j], ks[j].col);
    printf("\n");
    for (size_t i = 0; i < corpus->n; i++) {
        printf("%-*s", (int)w, labels[i] + pre);
        for (int j = 0; j < nk; j++) {
            mx_cell_text(&ks[j], i, &corpus->sc[i], cell, sizeof(cell));
            printf("  %-*s", cw[j], cell);
        }
        printf("\n");
    }
    printf(
        "\npass: model (with the kernel's profile) and kernel agree and every expectation "
        "holds\npass*: they agree, and both miss expectations written for other kernels\n"
        "FAIL dp: the model disagrees with the kernel (dp: the model's deciding decision point)\n"
        "FAIL? dp: it did in the run, but the recording (a second run) agrees with the model\n"
        "skip: not run (slow scenarios are left out of the fast suite); -: no result\n");
}

/* Scenario i where kernels behave differently: the classes of kernels that
 * behave alike, what differs and the profile changes behind it. */
static bool mx_behaviour_classes(struct lq_mx_kernel *ks, int nk, size_t i,
                                 const struct lq_scenario *sc, const char *label,
                                 struct lq_strbuf *out)
{
    int cls[LQ_MX_MAX_K], rep[LQ_MX_MAX_K], ncls = 0;
    struct lq_strbuf what;
    lq_sb_init(&what);
    for (int j = 0; j < nk; j++) {
        cls[j] = -1;
        enum lq_mx_verdict v = lq_mx_verdict(&ks[j], i, sc);
        if (v == LQ_MX_V_NONE || v == LQ_MX_V_SKIP || v == LQ_MX_V_ERROR)
            continue;
        for (int c = 0; c < ncls && cls[j] < 0; c++) {
            lq_sb_reset(&what);
            if (mx_same_behaviour(&ks[rep[c]], &ks[j], i, sc, &what))
                cls[j] = c;
        }
        if (cls[j] < 0) {
            rep[ncls] = j;
            cls[j] = ncls++;
        }
    }
    if (ncls < 2) {
        lq_sb_free(&what);
        return false;
    }
    lq_sb_addf(out, "  %s:", label);
    for (int c = 0; c < ncls; c++) {
        lq_sb_add(out, c ? " |" : "");
        for (int j = 0, first = 1; j < nk; j++)
            if (cls[j] == c) {
                lq_sb_addf(out, "%s %s", first ? "" : ",", ks[j].col);
                first = 0;
            }
    }
    lq_sb_add(out, "\n");
    for (int c = 1; c < ncls; c++) {
        lq_sb_reset(&what);
        mx_same_behaviour(&ks[rep[0]], &ks[rep[c]], i, sc, &what);
        lq_sb_addf(out, "    %s vs %s: %s", ks[rep[0]].col, ks[rep[c]].col, lq_sb_str(&what));
        mx_explain(&ks[rep[0]], &ks[rep[c]], i, sc, out);
    }
    lq_sb_free(&what);
    return true;
}

static void mx_print_differences(struct lq_mx_kernel *ks, int nk, const struct lq_corpus *corpus,
                                 char **labels, size_t pre)
{
    struct lq_strbuf out;
    lq_sb_init(&out);
    int ndiff = 0;
    for (size_t i = 0; i < corpus->n; i++)
        ndiff += mx_behaviour_classes(ks, nk, i, &corpus->sc[i], labels[i] + pre, &out);
    size_t nrec = 0;
    for (int j = 0; j < nk; j++)
        for (size_t i = 0; i < corpus->n; i++)
            nrec += ks[j].has_rec[i];
    printf("\nkernel behaviour differences (%d scenario%s; from %s):\n%s", ndiff,
           ndiff == 1 ? "" : "s",
           nrec ? "the kernels' recordings (listenq record)" : "the run reports: no recordings",
           ndiff ? lq_sb_str(&out) : "  none\n");
    lq_sb_free(&out);
}

/* Disagreements: wrong profiles. Returns how many are confirmed. */
static int mx_print_disagreements(struct lq_mx_kernel *ks, int nk, const struct lq_corpus *corpus,
                                  char **labels)
{
    struct lq_strbuf out;
    lq_sb_init(&out);
    int disagreements = 0, unconfirmed = 0, ran = 0;
    for (int j = 0; j < nk; j++)
        ran += ks[j].state == LQ_MX_DONE;
    for (int j = 0; j < nk; j++)
        for (size_t i = 0; i < corpus->n; i++) {
            const struct lq_mx_cell *c = &ks[j].cells[i];
            enum lq_mx_verdict v = lq_mx_verdict(&ks[j], i, &corpus->sc[i]);
            if (v != LQ_MX_V_DISAGREE && v != LQ_MX_V_UNCONFIRMED)
                continue;
            if (v == LQ_MX_V_DISAGREE)
                disagreements++;
            else
                unconfirmed++;
            if (v == LQ_MX_V_DISAGREE)
                lq_sb_addf(&out, "!! profile %s disagrees with the kernel %s on %s\n", ks[j].col,
                           ks[j].release, labels[i]);
            else
                lq_sb_addf(&out,
                           "!! unconfirmed: profile %s and the kernel %s parted on %s in the "
                           "run, but the recording (a second run in the same VM) agrees "
                           "with the model: timing-dependent, not counted\n",
                           ks[j].col, ks[j].release, labels[i]);
            if (c->diverged)
                lq_sb_addf(&out,
                           "!!   line %u `%s`: %s\n!!   model : %s\n!!   kernel: %s\n"
                           "!!   model decision points: %s\n",
                           c->div_line, c->div_event, c->div_what, c->div_model, c->div_kernel,
                           c->div_dps);
            if (c->kwhy[0])
                lq_sb_addf(&out, "!!   the kernel fails an expectation the model meets: %s\n",
                           c->kwhy);
            if (v == LQ_MX_V_DISAGREE)
                mx_suggest(&ks[j], i, &corpus->sc[i], &out);
        }
    if (disagreements || unconfirmed)
        printf("\n!! model/kernel disagreements: %d (each means a wrong profile in "
               "model/profile.c, or a kernel that is not the release its profile says: a "
               "patched one), unconfirmed: %d\n%s",
               disagreements, unconfirmed, lq_sb_str(&out));
    else if (ran)
        printf("\nprofiles: the model agrees with every kernel on every scenario that ran\n");
    else
        printf("\nno kernel brought results back: nothing to judge\n");
    lq_sb_free(&out);
    return disagreements;
}

void lq_mx_print(struct lq_mx_kernel *ks, int nk, const struct lq_corpus *corpus, char **labels,
                 const struct lq_mx_opts *o, int *disagreements)
{
    size_t pre = mx_label_prefix(corpus, labels);
    mx_print_kernels(ks, nk, o);
    mx_print_table(ks, nk, corpus, labels, pre);
    mx_print_differences(ks, nk, corpus, labels, pre);
    *disagreements = mx_print_disagreements(ks, nk, corpus, labels);
    struct lq_strbuf out;
    lq_sb_init(&out);
    lq_mx_print_attribution(ks, nk, corpus, labels, pre, &out);
    fputs(lq_sb_str(&out), stdout);
    lq_sb_free(&out);
}
