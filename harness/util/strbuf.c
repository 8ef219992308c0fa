/* harness/util/strbuf.c: see strbuf.h. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static bool lq_sb_reserve(struct lq_strbuf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void lq_sb_addn(struct lq_strbuf *b, const char *s, size_t n)
{
    if (!lq_sb_reserve(b, n))
        return;
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
    if (!lq_sb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void lq_sb_add_json(struct lq_strbuf *b, const char *s)
{
    lq_sb_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': lq_sb_add(b, "\\\""); break;
        case '\\': lq_sb_add(b, "\\\\"); break;
        case '\n': lq_sb_add(b, "\\n"); break;
        case '\r': lq_sb_add(b, "\\r"); break;
        case '\t': lq_sb_add(b, "\\t"); break;
        default:
            if (*p < 0x20)
                lq_sb_addf(b, "\\u%04x", *p);
            else
                lq_sb_addc(b, (char)*p);
        }
    }
    lq_sb_addc(b, '"');
}

void lq_sb_add_xml(struct lq_strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': lq_sb_add(b, "&amp;"); break;
        case '<': lq_sb_add(b, "&lt;"); break;
        case '>': lq_sb_add(b, "&gt;"); break;
        case '"': lq_sb_add(b, "&quot;"); break;
        case '\'': lq_sb_add(b, "&apos;"); break;
        default:
            if (*p < 0x20 && *p != '\n' && *p != '\t')
                lq_sb_addf(b, "&#%u;", *p); /* not valid XML 1.0, but never silent */
            else
                lq_sb_addc(b, (char)*p);
        }
    }
}

const char *lq_sb_str(const struct lq_strbuf *b)
{
    return b->s ? b->s : "";
}
