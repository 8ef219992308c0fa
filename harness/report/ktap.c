/* harness/report/ktap.c: see ktap.h. */
#include "ktap.h"

#include <stdint.h>
#include <string.h>

#include "util/utf8.h"

void lq_ktap_name(const char *s, struct lq_strbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t k = lq_utf8_seq(p + i, n - i, &cp);
        if (!k || cp < 0x20 || cp == 0x7f || cp == '#' || cp == '%') {
            lq_sb_addf(out, "%%%02X", p[i]);
            i++;
            continue;
        }
        lq_sb_addn(out, s + i, k);
        i += k;
    }
}

void lq_ktap_text(const char *s, struct lq_strbuf *out)
{
    struct lq_strbuf u;
    lq_sb_init(&u);
    lq_sb_add_utf8(&u, s);
    for (const char *p = lq_sb_str(&u); *p; p++) {
        unsigned char c = (unsigned char)*p;
        lq_sb_addc(out, c == '\n' || (c >= 0x20 && c != 0x7f) ? (char)c : ' ');
    }
    lq_sb_free(&u);
}
