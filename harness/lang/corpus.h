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

/* The families of `--family 4|6|both` (LQ_CORPUS_FAM_* bits). */
enum { LQ_CORPUS_FAM_4 = 1, LQ_CORPUS_FAM_6 = 2 };
/* A --family run: every family-neutral scenario once per family in fams
 * (NAME@ipv4, then NAME@ipv6), every scenario with a `family` line once in
 * its own family (NAME@ipv6, NAME@dual, NAME@ipv4). 0, or -1 out of memory
 * (c unchanged). */
int lq_corpus_expand_families(struct lq_corpus *c, unsigned fams);
/* "conformance/acceptq_full" for corpus/conformance/acceptq_full.lq */
const char *lq_corpus_label(const struct lq_scenario *sc);
/* The label as one file name ("conformance-acceptq_full"), the same bytes a
 * JSON field naming the file holds: '/' becomes '-'; valid UTF-8 is kept but
 * for control characters and '%', which like every byte of an invalid
 * sequence become %XX (a label may hold any byte). At most cap - 1 bytes. */
void lq_corpus_file_name(const struct lq_scenario *sc, char *out, size_t cap);

#endif
