/* harness/lang/parse.h: the .lq scenario parser (docs/scenario-format.md). */
#ifndef LISTENQ_HARNESS_PARSE_H
#define LISTENQ_HARNESS_PARSE_H

#include <stddef.h>

#include "util/err.h"
#include "scenario.h"

/* Parses text (len bytes, need not be NUL-terminated). `where` names the
 * source in errors ("file.lq"). On error: -1, sc freed, and err->msg is
 * "where:line:col: what was found, what was expected" (status LQ_EXIT_BADINPUT). */
int lq_parse_text(const char *text, size_t len, const char *where, struct lq_scenario *sc,
                  struct lq_err *err);
/* Reads and parses a file; sets sc->path and sc->name. */
int lq_parse_file(const char *path, struct lq_scenario *sc, struct lq_err *err);

#endif
