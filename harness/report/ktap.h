/* harness/report/ktap.h: text that every KTAP reader takes as it was meant.
 *
 * A KTAP result line is `ok|not ok N name[ # directive]`
 * (Documentation/dev-tools/ktap.rst). The readers split it differently:
 * kunit_parser.py takes the name as `[^#]*` (so any `#` breaks the line),
 * TAP::Parser reads ` # SKIP` anywhere as a directive, and netdev's NIPA stops
 * a name at its first `#`. A scenario's name comes from its file name, which
 * may hold any byte, so names are escaped.
 */
#ifndef LISTENQ_HARNESS_KTAP_H
#define LISTENQ_HARNESS_KTAP_H

#include "util/strbuf.h"

/* s as a KTAP test name: `#`, `%`, control characters and bytes that are not
 * UTF-8 become %XX (hex, as in a URL), so the name holds no directive, stays on
 * one line and can be mapped back to the file name. */
void lq_ktap_name(const char *s, struct lq_strbuf *out);
/* s as KTAP text (a diagnostic or a directive's reason): valid UTF-8, with
 * control characters other than newlines as spaces. Newlines are kept; the
 * caller starts every line with `# `. */
void lq_ktap_text(const char *s, struct lq_strbuf *out);

#endif
