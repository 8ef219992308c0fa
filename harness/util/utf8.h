/* harness/util/utf8.h: text that consumers accept, whatever bytes the input held.
 *
 * A .lq comment may hold any byte and a file name may be any byte string,
 * but JSON (RFC 8259) and XML 1.0 need UTF-8, and XML forbids most control
 * characters even as references. These helpers keep valid UTF-8 as it is and
 * replace each byte of an invalid sequence by U+FFFD, the way a lossy
 * decoder (Python's errors="replace") reads it.
 */
#ifndef LISTENQ_HARNESS_UTF8_H
#define LISTENQ_HARNESS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define LQ_UTF8_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Length (1..4) of the well-formed UTF-8 sequence at p (n bytes available),
 * with its code point in *cp; 0 when the byte at p starts no valid sequence
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
size_t lq_utf8_seq(const unsigned char *p, size_t n, uint32_t *cp);
bool lq_utf8_valid(const char *s, size_t n);
/* s with every invalid byte replaced by U+FFFD. */
void lq_sb_add_utf8(struct lq_strbuf *b, const char *s);
/* Whether XML 1.0 allows code point cp in a document (Char production). */
bool lq_xml_char_ok(uint32_t cp);

#endif
