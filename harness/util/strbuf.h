/* harness/util/strbuf.h: a growable string for printers and reporters. */
#ifndef LISTENQ_HARNESS_STRBUF_H
#define LISTENQ_HARNESS_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct lq_strbuf {
    char *s; /* always NUL-terminated once anything was added */
    size_t len;
    size_t cap; /* grown by lq_grow: out of memory ends the process (grow.h) */
    bool oom;   /* set by a writer whose encoder failed: the content is incomplete */
};

void lq_sb_init(struct lq_strbuf *b);
void lq_sb_free(struct lq_strbuf *b);
void lq_sb_reset(struct lq_strbuf *b);
void lq_sb_add(struct lq_strbuf *b, const char *s);
void lq_sb_addn(struct lq_strbuf *b, const char *s, size_t n);
void lq_sb_addf(struct lq_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lq_sb_addc(struct lq_strbuf *b, char c);
/* Text escaped for XML attribute and element content; bytes that are not
 * UTF-8 and characters XML 1.0 forbids become U+FFFD (utf8.h). JSON has no
 * counterpart here: it is written with jansson (json.h). */
void lq_sb_add_xml(struct lq_strbuf *b, const char *s);
const char *lq_sb_str(const struct lq_strbuf *b); /* "" when empty */

#endif
