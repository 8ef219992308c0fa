/* harness/util/grow.h: growable arrays for the harness's bookkeeping. */
#ifndef LISTENQ_HARNESS_GROW_H
#define LISTENQ_HARNESS_GROW_H

#include <stddef.h>

/* Makes room for `need` elements of `elem` bytes in p (capacity *cap,
 * doubled as needed) and returns the array. Running out of memory while
 * recording a trace has no useful recovery: it aborts, as the model does. */
void *lq_grow(void *p, size_t *cap, size_t need, size_t elem);

#endif
