/* tests/unit/test_corpus_name.c: lq_corpus_file_name, the one file name a
 * scenario's pcap and recording get (lang/corpus.h). The expected names are
 * written by hand: '/' becomes '-', valid UTF-8 stays, '%', control
 * characters and bytes of no valid UTF-8 sequence become %XX, so that a JSON
 * field (always UTF-8) can name the file byte for byte. */
#include <string.h>

#include "lang/corpus.h"
#include "tap.h"

static void name_is(const char *path, const char *want, const char *what)
{
    struct lq_scenario sc;
    lq_scenario_init(&sc);
    sc.path = (char *)path;
    char got[256];
    lq_corpus_file_name(&sc, got, sizeof(got));
    is_str(got, want, "%s", what);
}

int main(void)
{
    name_is("corpus/conformance/acceptq_full.lq", "conformance-acceptq_full",
            "a plain label: the folder and the name, joined by '-'");
    name_is("x/fmt/odd-\377\001name.lq", "fmt-odd-%FF%01name",
            "a byte of no UTF-8 sequence (0xff) and a control character (0x01): %XX");
    name_is("x/fmt/caf\303\251.lq", "fmt-caf\303\251", "valid UTF-8 (U+00E9) is kept");
    name_is("x/fmt/50%.lq", "fmt-50%25", "'%' itself is escaped, so the name reads back");
    name_is("x/fmt/del\177.lq", "fmt-del%7F", "DEL is a control character");
    struct lq_scenario sc;
    lq_scenario_init(&sc);
    sc.path = "a/b/abcdefghij.lq";
    char small[8];
    lq_corpus_file_name(&sc, small, sizeof(small));
    ok(strlen(small) < sizeof(small) && strncmp(small, "b-abcde", strlen(small)) == 0,
       "a short buffer: cut, still terminated (%s)", small);
    return tap_done();
}
