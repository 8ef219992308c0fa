/* harness/matrix/attribution.c: which profile change explains a kernel that
 * disagrees with its profile (see matrix.h).
 *
 * A kernel disagrees with its profile for one of two reasons: the profile
 * entry in model/profile.c is wrong (a backport listed for the wrong point
 * release), or the kernel is not the release it says, as a kernel developer's
 * patched tree is not. Either way the question is the same: which known
 * listen-path change, added to or taken from the profile, makes the model
 * behave as this kernel did? Each change is toggled alone and the model
 * re-run against the kernel's recordings (a second run in the same VM,
 * listenq record). A change explains the kernel when the model then agrees
 * with every confirmed disagreement and still agrees with every scenario
 * that agreed before; when none does, the kernel changed in a way no profile
 * describes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"

static struct lq_profile mx_toggled(const struct lq_profile *p, int c)
{
    struct lq_profile t = *p;
    t.changes ^= 1u << c;
    t.somaxconn_default = lq_profile_has(&t, LQ_CHG_SOMAXCONN_4096) ? 4096 : 128;
    return t;
}

void lq_mx_attribute(const struct lq_mx_kernel *k, const struct lq_corpus *corpus,
                     struct lq_mx_attribution *a)
{
    memset(a, 0, sizeof(*a));
    a->closest = -1;
    if (k->state != LQ_MX_DONE)
        return;
    /* The scenarios to fix (confirmed disagreements with a recording) and
     * the ones not to break (agreements the recording confirms). */
    enum { FIX = 1, KEEP = 2 };
    unsigned char *role = calloc(corpus->n ? corpus->n : 1, 1);
    if (!role)
        return;
    for (size_t i = 0; i < corpus->n; i++) {
        const struct lq_scenario *sc = &corpus->sc[i];
        enum lq_mx_verdict v = lq_mx_verdict(k, i, sc);
        if (v == LQ_MX_V_DISAGREE) {
            a->ndis++;
            if (k->has_rec[i])
                role[i] = FIX;
            else
                a->nunrecorded++;
        } else if ((v == LQ_MX_V_PASS || v == LQ_MX_V_PASS_EXP) &&
                   lq_mx_rec_agrees_with(k, i, sc, &k->prof) == 1) {
            role[i] = KEEP;
            a->nagreed++;
        }
    }
    size_t nfix = a->ndis - a->nunrecorded;
    for (int c = 0; nfix && c < LQ_CHG_COUNT; c++) {
        struct lq_profile t = mx_toggled(&k->prof, c);
        size_t fixed = 0, broken = 0;
        for (size_t i = 0; i < corpus->n; i++) {
            if (!role[i])
                continue;
            int agrees = lq_mx_rec_agrees_with(k, i, &corpus->sc[i], &t);
            fixed += role[i] == FIX && agrees == 1;
            broken += role[i] == KEEP && agrees != 1;
        }
        if (fixed == nfix && !broken && !a->nunrecorded)
            a->explains |= 1u << c;
        /* The closest: fixes the most, then breaks the least. */
        if (fixed && (a->closest < 0 || fixed > a->closest_fixed ||
                      (fixed == a->closest_fixed && broken < a->closest_broken))) {
            a->closest = c;
            a->closest_fixed = fixed;
            a->closest_broken = broken;
        }
    }
    free(role);
}

static void mx_change_line(struct lq_strbuf *out, const struct lq_mx_kernel *k, int c,
                           const struct lq_mx_attribution *a)
{
    const struct lq_change_info *ci = lq_change_info((enum lq_change)c);
    bool has = lq_profile_has(&k->prof, (enum lq_change)c);
    lq_sb_addf(out,
               "    explained by %s: the kernel behaves as profile %s %s it (the model then agrees "
               "on the %zu that disagreed, and still on the %zu that agreed)\n"
               "      %s %s: %s [mainline %s; backports %s]\n",
               ci->id, k->prof.name, has ? "without" : "with", a->ndis, a->nagreed, ci->id,
               has ? "(in the profile, not in this kernel)"
                   : "(in this kernel, not in the profile)",
               ci->summary, ci->mainline, ci->backports);
}

void lq_mx_print_attribution(const struct lq_mx_kernel *ks, int nk, const struct lq_corpus *corpus,
                             char **labels, size_t pre, struct lq_strbuf *out)
{
    bool any = false;
    for (int j = 0; j < nk; j++) {
        const struct lq_mx_kernel *k = &ks[j];
        struct lq_mx_attribution a;
        lq_mx_attribute(k, corpus, &a);
        if (!a.ndis)
            continue;
        if (!any)
            lq_sb_add(out, "\nwhich profile change explains each disagreeing kernel (each change "
                           "toggled alone in the kernel's profile, the model re-run against the "
                           "kernel's recordings):\n");
        any = true;
        lq_sb_addf(out, "  %s (%s, profile %s): %zu scenario%s disagree%s:", k->col, k->spec,
                   k->prof.name, a.ndis, a.ndis == 1 ? "" : "s", a.ndis == 1 ? "s" : "");
        for (size_t i = 0; i < corpus->n; i++)
            if (lq_mx_verdict(k, i, &corpus->sc[i]) == LQ_MX_V_DISAGREE)
                lq_sb_addf(out, " %s", labels[i] + pre);
        lq_sb_add(out, "\n");
        if (a.nunrecorded) {
            lq_sb_addf(out,
                       "    cannot tell: %zu of them %s no recording (a listenq without record, "
                       "or --no-record)\n",
                       a.nunrecorded, a.nunrecorded == 1 ? "has" : "have");
            continue;
        }
        for (int c = 0; c < LQ_CHG_COUNT; c++)
            if ((a.explains >> c) & 1u)
                mx_change_line(out, k, c, &a);
        if (a.explains)
            continue;
        lq_sb_addf(out, "    unexplained: no single profile change makes the model agree with this "
                        "kernel: it differs in a way no profile change describes (or in several at "
                        "once)\n");
        if (a.closest >= 0)
            lq_sb_addf(out,
                       "      closest: %s %s the profile agrees on %zu of the %zu and parts on %zu "
                       "that agreed\n",
                       lq_change_info((enum lq_change)a.closest)->id,
                       lq_profile_has(&k->prof, (enum lq_change)a.closest) ? "taken from"
                                                                           : "added to",
                       a.closest_fixed, a.ndis, a.closest_broken);
    }
}
