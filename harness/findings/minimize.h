/* harness/findings/minimize.h: shrinks a diverging scenario to a minimal one that
 * diverges the same way (`listenq minimize`, docs/fuzzing.md).
 *
 * "The same way" is the signature of the first divergence: the kind of the
 * directive where the traces part, the role of its connection (the event's
 * own, for segment events, whatever its name; or none), the comparator's `what`
 * ("the kernel did not send a packet the model predicts", ...) and the first
 * differing decision point: the model's first decision point at that event
 * with demultiplexing (rcv.*) left out, the rule whose outcome the kernel
 * did not share. Delta debugging (ddmin) removes directives, then each
 * option of each directive is simplified (an option dropped, a number made
 * smaller), and both repeat until nothing more goes; connections are then
 * renamed c1, c2, ... in order of use.
 *
 * The runner decides what "diverges" means: model vs live kernel for
 * findings, model vs a model with a planted bug in tests. Expectations and
 * comments are left out first (a divergence is between the backends).
 */
#ifndef LISTENQ_HARNESS_MINIMIZE_H
#define LISTENQ_HARNESS_MINIMIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "run/runner.h"
#include "util/strbuf.h"

/* The first divergence of res as findings count it (filled into *div);
 * false when res did not diverge. Nothing past the end of the model's scope
 * is one: the comparison stops there (docs/model.md, "Scope"). */
bool lq_min_divergence(const struct lq_scenario *sc, const struct lq_result *res,
                       struct lq_divergence *div);

struct lq_min_sig {
    bool found;    /* the result diverged */
    uint8_t kind;  /* enum lq_dir_kind of the directive where the traces part */
    char conn[72]; /* its connection name, "" when it has none (compared by role) */
    char what[160];
    int dp; /* enum lq_dp: the first differing decision point, -1 when none */
};

/* The signature of a result's first divergence (found = false without one). */
void lq_min_signature(const struct lq_scenario *sc, const struct lq_result *res,
                      struct lq_min_sig *sig);
bool lq_min_sig_same(const struct lq_min_sig *a, const struct lq_min_sig *b);
/* The decision point's stable name ("conn_request.synq_full_drop"), or "none". */
const char *lq_min_sig_dp_name(const struct lq_min_sig *sig);
/* "syn c1: the kernel did not send ... [conn_request.synq_full_drop]" */
void lq_min_sig_format(const struct lq_min_sig *sig, struct lq_strbuf *out);

struct lq_min_opts {
    size_t max_runs; /* scenario runs at most; 0: 2000 */
    FILE *progress;  /* a line per improvement, or NULL */
};

struct lq_min_stats {
    size_t runs;          /* scenarios run */
    size_t before, after; /* directives (events and set-up) */
};

/* Minimizes sc with runner r (both sides set). Returns 0 with *out the
 * minimal scenario (name and path copied from sc) and *sig its signature;
 * 1 when sc does not diverge (nothing to minimize; *sig says found = false);
 * -1 when the harness failed (err). */
int lq_minimize(struct lq_runner *r, const struct lq_scenario *sc, const struct lq_min_opts *o,
                struct lq_scenario *out, struct lq_min_sig *sig, struct lq_min_stats *st,
                struct lq_err *err);

/* sc without expectations, comments and blank lines (a fresh copy). */
int lq_min_strip(const struct lq_scenario *sc, struct lq_scenario *out);

#endif
