/* tests/kernel_dress.h: a model backend dressed as a kernel, for runner
 * tests that choose what "the kernel" does: the model's ops copied into a
 * table the test's own struct embeds (an op finds that struct from
 * b->ops), named "kernel", without what only a model has (it neither
 * predicts, follows a clock nor paces). The test then sets its own ops in
 * that table. */
#ifndef LISTENQ_TESTS_KERNEL_DRESS_H
#define LISTENQ_TESTS_KERNEL_DRESS_H

#include <stdio.h>
#include <stdlib.h>

#include "run/backend.h"
#include "run/backend_model.h"

static inline struct lq_backend *lq_test_kernel_dress(const struct lq_profile *p,
                                                      struct lq_backend_ops *ops,
                                                      const struct lq_backend_ops **inner)
{
    struct lq_err err;
    struct lq_backend *b = lq_backend_model_new(p, &err);
    if (!b) {
        printf("Bail out! %s\n", err.msg);
        exit(1);
    }
    *inner = b->ops;
    *ops = **inner;
    ops->name = "kernel";
    ops->caps &= ~(unsigned)(LQ_CAP_FOLLOWS | LQ_CAP_PREDICTS | LQ_CAP_PACES);
    b->ops = ops;
    return b;
}

/* The model's own ops back, then its destroy. */
static inline void lq_test_kernel_undress(struct lq_backend *b, const struct lq_backend_ops *inner)
{
    b->ops = inner;
    inner->destroy(b);
}

#endif
