/* harness/util/grow.h: the harness's one way to grow memory.
 *
 * Running out of memory while recording a trace, a capture or a report has
 * no useful recovery, and dropping what does not fit would make a result
 * silently wrong. So these never fail: out of memory ends the process with
 * a message on stderr and exit status 3 (LQ_EXIT_ERROR, "the harness
 * failed"). The model keeps its own allocator (model/ includes nothing
 * outside model/), which aborts, so that a fuzzer sees it. */
#ifndef LISTENQ_HARNESS_GROW_H
#define LISTENQ_HARNESS_GROW_H

#include <stddef.h>

/* Makes room for `need` elements of `elem` bytes in p (capacity *cap,
 * doubled as needed) and returns the array. */
void *lq_grow(void *p, size_t *cap, size_t need, size_t elem);
/* calloc, malloc and strdup that never return NULL. */
void *lq_xcalloc(size_t n, size_t elem);
void *lq_xmalloc(size_t n);
char *lq_xstrdup(const char *s);
/* The end of the process on out of memory (what the functions above call). */
_Noreturn void lq_out_of_memory(size_t bytes);

#endif
