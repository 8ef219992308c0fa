/* harness/lang/corpus.h: the scenario files named on a command line. */
#ifndef LISTENQ_HARNESS_CORPUS_H
#define LISTENQ_HARNESS_CORPUS_H

#include <stddef.h>

#include "util/err.h"
#include "scenario.h"

struct lq_corpus {
    struct lq_scenario *sc;
    size_t n, cap;
    char *label_root; /* common prefix stripped from names in reports */
};

/* Collects FILE or DIR arguments (directories: every *.lq below, sorted) and
 * parses them all. Parse errors are all gathered: on any, returns -1 with
 * err->status LQ_EXIT_BADINPUT and each error (file:line:col) written to
 * errs (one per line), so the user sees every typo at once. */
int lq_corpus_load(struct lq_corpus *c, char *const *args, int nargs, char **errs,
                   struct lq_err *err);
void lq_corpus_free(struct lq_corpus *c);
/* "conformance/acceptq_full" for corpus/conformance/acceptq_full.lq */
const char *lq_corpus_label(const struct lq_scenario *sc);
/* The label as one file name ("conformance-acceptq_full"), the same bytes a
 * JSON field naming the file holds: '/' becomes '-'; valid UTF-8 is kept but
 * for control characters and '%', which like every byte of an invalid
 * sequence become %XX (a label may hold any byte). At most cap - 1 bytes. */
void lq_corpus_file_name(const struct lq_scenario *sc, char *out, size_t cap);

#endif
