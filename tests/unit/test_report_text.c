/* tests/unit/test_report_text.c: text that consumers accept (util/utf8.h,
 * report/ktap.h, report/kcidb.h). Expected values are written from the
 * rules: RFC 3629 (UTF-8: no overlong forms, no surrogates D800-DFFF, nothing
 * past U+10FFFF), XML 1.0 section 2.2 (Char), the KTAP name escape (%XX for
 * '#', '%', controls and bytes that are not UTF-8) and KCIDB's path pattern.
 */
#include <string.h>

#include "report/kcidb.h"
#include "report/ktap.h"
#include "tap.h"
#include "util/strbuf.h"
#include "util/utf8.h"

static const char *ktap_name(const char *s)
{
    static char buf[256];
    struct lq_strbuf b;
    lq_sb_init(&b);
    lq_ktap_name(s, &b);
    snprintf(buf, sizeof(buf), "%s", lq_sb_str(&b));
    lq_sb_free(&b);
    return buf;
}

static const char *xml(const char *s)
{
    static char buf[256];
    struct lq_strbuf b;
    lq_sb_init(&b);
    lq_sb_add_xml(&b, s);
    snprintf(buf, sizeof(buf), "%s", lq_sb_str(&b));
    lq_sb_free(&b);
    return buf;
}

static bool valid(const char *s)
{
    return lq_utf8_valid(s, strlen(s));
}

int main(void)
{
    ok(valid("plain ascii"), "ASCII is UTF-8");
    ok(valid("caf\xc3\xa9 \xe2\x94\x80 \xf0\x9f\x98\x80"), "2-, 3- and 4-byte sequences");
    ok(!valid("\x80"), "a lone continuation byte is not");
    ok(!valid("\xc0\xaf"), "an overlong '/' (C0 AF) is not");
    ok(!valid("\xe0\x80\xaf"), "an overlong 3-byte form is not");
    ok(!valid("\xed\xa0\x80"), "a surrogate (U+D800) is not");
    ok(!valid("\xf4\x90\x80\x80"), "U+110000 is not");
    ok(!valid("\xe2\x94"), "a cut sequence is not");
    ok(!valid("\xff"), "0xff is never UTF-8");

    struct lq_strbuf b;
    lq_sb_init(&b);
    lq_sb_add_utf8(&b, "a\xff"
                       "b\xe2\x94"
                       "c\xc3\xa9");
    is_str(lq_sb_str(&b),
           "a\xef\xbf\xbd"
           "b\xef\xbf\xbd\xef\xbf\xbd"
           "c\xc3\xa9",
           "each invalid byte becomes one U+FFFD; valid text stays");
    lq_sb_free(&b);

    is_str(xml("<a&\"'>"), "&lt;a&amp;&quot;&apos;&gt;", "XML: the five markup characters");
    is_str(xml("t\tn\nx"), "t\tn\nx", "XML: tab and newline stay");
    is_str(xml("c\x01"
               "d\x1b"),
           "c\xef\xbf\xbd"
           "d\xef\xbf\xbd",
           "XML: control characters (not allowed in XML 1.0, even as &#N;) become U+FFFD");
    is_str(xml("r\r"), "r&#13;", "XML: a carriage return survives end-of-line handling");
    is_str(xml("\xef\xbf\xbe"), "\xef\xbf\xbd", "XML: U+FFFE is not a Char");
    is_str(xml("\xff"), "\xef\xbf\xbd", "XML: a byte that is not UTF-8 becomes U+FFFD");

    is_str(ktap_name("conformance/acceptq_full"), "conformance/acceptq_full",
           "KTAP: an ordinary label is kept");
    is_str(ktap_name("odd/x # SKIP y"), "odd/x %23 SKIP y", "KTAP: '#' is escaped, no directive");
    is_str(ktap_name("100%"), "100%25", "KTAP: '%%' is escaped, so names decode back");
    is_str(ktap_name("a\nb\x7f"), "a%0Ab%7F", "KTAP: control characters are escaped");
    is_str(ktap_name("caf\xc3\xa9\xff"), "caf\xc3\xa9%FF", "KTAP: UTF-8 kept, other bytes escaped");

    char path[128];
    lq_kcidb_path("conformance/accept_fifo", path, sizeof(path));
    is_str(path, "listenq.conformance.accept_fifo", "KCIDB: folders become dotted parts");
    lq_kcidb_path("d/a.b c#\xc3\xa9", path, sizeof(path));
    is_str(path, "listenq.d.a_b_c__", "KCIDB: one _ per character outside [a-zA-Z0-9_-]");
    lq_kcidb_path("/lead//x", path, sizeof(path));
    is_str(path, "listenq.lead.x", "KCIDB: no empty parts");
    ok(lq_kcidb_origin_ok("my_ci2") && !lq_kcidb_origin_ok("My-CI") && !lq_kcidb_origin_ok(""),
       "KCIDB: origins are [a-z0-9_]+");
    return tap_done();
}
