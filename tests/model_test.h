/* tests/model_test.h: what every model unit test starts with: a model of a
 * named profile and the bookkeeping invariants checked after each step. */
#ifndef LISTENQ_TESTS_MODEL_TEST_H
#define LISTENQ_TESTS_MODEL_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "model.h"
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

#endif
