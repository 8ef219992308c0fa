/* harness/util/grow.c: see grow.h. */
#include "grow.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

_Noreturn void lq_out_of_memory(size_t bytes)
{
    fprintf(stderr, "listenq: out of memory (%zu bytes): the harness stops\n", bytes);
    exit(LQ_EXIT_ERROR);
}

void *lq_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    if (elem && n > SIZE_MAX / elem)
        lq_out_of_memory(SIZE_MAX);
    void *q = realloc(p, n * elem);
    if (!q)
        lq_out_of_memory(n * elem);
    *cap = n;
    return q;
}

void *lq_xcalloc(size_t n, size_t elem)
{
    void *p = calloc(n ? n : 1, elem ? elem : 1);
    if (!p)
        lq_out_of_memory(n * elem);
    return p;
}

void *lq_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        lq_out_of_memory(n);
    return p;
}

char *lq_xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        lq_out_of_memory(strlen(s) + 1);
    return d;
}
