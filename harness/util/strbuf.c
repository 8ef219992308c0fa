/* harness/util/strbuf.c: see strbuf.h. */
#include "strbuf.h"

#include "grow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void lq_sb_init(struct lq_strbuf *b)
{
    memset(b, 0, sizeof(*b));
}

void lq_sb_free(struct lq_strbuf *b)
{
    free(b->s);
    lq_sb_init(b);
}

void lq_sb_reset(struct lq_strbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

static void lq_sb_reserve(struct lq_strbuf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap)
        b->s = lq_grow(b->s, &b->cap, b->len + extra + 1, 1);
}

void lq_sb_addn(struct lq_strbuf *b, const char *s, size_t n)
{
    lq_sb_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void lq_sb_add(struct lq_strbuf *b, const char *s)
{
    lq_sb_addn(b, s, strlen(s));
}

void lq_sb_addc(struct lq_strbuf *b, char c)
{
    lq_sb_addn(b, &c, 1);
}

void lq_sb_addf(struct lq_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(tmp)) {
        lq_sb_addn(b, tmp, (size_t)n);
        return;
    }
    lq_sb_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void lq_sb_add_xml(struct lq_strbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t k = lq_utf8_seq(p + i, n - i, &cp);
        if (!k || !lq_xml_char_ok(cp)) {
            /* not UTF-8, or a character XML 1.0 forbids even as a reference */
            lq_sb_add(b, LQ_UTF8_REPLACEMENT);
            i += k ? k : 1;
            continue;
        }
        switch (cp) {
        case '&': lq_sb_add(b, "&amp;"); break;
        case '<': lq_sb_add(b, "&lt;"); break;
        case '>': lq_sb_add(b, "&gt;"); break;
        case '"': lq_sb_add(b, "&quot;"); break;
        case '\'': lq_sb_add(b, "&apos;"); break;
        case '\r': lq_sb_add(b, "&#13;"); break; /* kept through end-of-line handling */
        default: lq_sb_addn(b, s + i, k);
        }
        i += k;
    }
}

const char *lq_sb_str(const struct lq_strbuf *b)
{
    return b->s ? b->s : "";
}
