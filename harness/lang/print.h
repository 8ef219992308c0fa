/* harness/lang/print.h: writes a scenario back as canonical .lq text.
 *
 * parse(print(sc)) equals sc, and print(parse(text)) == text for canonical
 * text (docs/scenario-format.md defines canonical: single spaces, options in
 * a fixed order, comments kept as " # ..." after the directive). */
#ifndef LISTENQ_HARNESS_PRINT_H
#define LISTENQ_HARNESS_PRINT_H

#include "scenario.h"
#include "util/strbuf.h"

void lq_print_scenario(const struct lq_scenario *sc, struct lq_strbuf *out);
/* One directive without its comment or newline. */
void lq_print_directive(const struct lq_scenario *sc, const struct lq_directive *d,
                        struct lq_strbuf *out);

#endif
