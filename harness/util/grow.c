/* harness/util/grow.c: see grow.h. */
#include "grow.h"

#include <stdio.h>
#include <stdlib.h>

void *lq_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * elem);
    if (!q) {
        fprintf(stderr, "listenq: out of memory (%zu bytes)\n", n * elem);
        abort();
    }
    *cap = n;
    return q;
}
