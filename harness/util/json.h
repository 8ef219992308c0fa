/* harness/util/json.h: every JSON listenq writes goes through jansson.
 *
 * jansson refuses strings that are not UTF-8 (json_string returns NULL), and
 * scenario text, comments and file names may hold any byte: lq_json_text
 * makes such text valid first (utf8.h), so no field is ever silently lost.
 */
#ifndef LISTENQ_HARNESS_JSON_H
#define LISTENQ_HARNESS_JSON_H

#include <jansson.h>

/* A JSON string of s (NULL: ""), invalid bytes replaced by U+FFFD. */
json_t *lq_json_text(const char *s);
/* One compact line (no newline) in insertion order; NULL when out of memory. */
char *lq_json_line(const json_t *v);

#endif
