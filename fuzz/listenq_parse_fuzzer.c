/* fuzz/listenq_parse_fuzzer.c: arbitrary text -> lq_parse_text.
 *
 * No crash, no leak (ASan/LSan); an error always carries a message and the
 * bad-input status (or the error status when memory ran out); on success
 * print(parse(x)) parses back to an lq_scenario_equal scenario and printing
 * that gives the same text again (canonical text is a fixed point).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"
#include "lang/print.h"

#define LABEL "listenq_parse_fuzzer"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lq_fail(const char *what, const char *text)
{
    fprintf(stderr, "%s: %s\n--- text ---\n%s\n--- end ---\n", LABEL, what, text ? text : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct lq_scenario sc;
    struct lq_err err;
    memset(&err, 0, sizeof(err));
    if (lq_parse_text((const char *)data, size, "fuzz.lq", &sc, &err)) {
        if (!err.msg[0])
            lq_fail("a parse error without a message", NULL);
        if (err.status != LQ_EXIT_BADINPUT && err.status != LQ_EXIT_ERROR)
            lq_fail("a parse error with an unexpected status", err.msg);
        if (sc.n || sc.nconns || sc.d)
            lq_fail("a failed parse left a scenario behind", err.msg);
        return 0;
    }
    struct lq_strbuf t1, t2;
    lq_sb_init(&t1);
    lq_sb_init(&t2);
    lq_print_scenario(&sc, &t1);
    struct lq_scenario back;
    memset(&err, 0, sizeof(err));
    if (lq_parse_text(lq_sb_str(&t1), t1.len, "printed.lq", &back, &err)) {
        char msg[1024];
        snprintf(msg, sizeof(msg), "the printed scenario does not parse: %s", err.msg);
        lq_fail(msg, lq_sb_str(&t1));
    }
    if (!lq_scenario_equal(&sc, &back))
        lq_fail("print(parse(x)) parses to a different scenario", lq_sb_str(&t1));
    lq_print_scenario(&back, &t2);
    if (strcmp(lq_sb_str(&t1), lq_sb_str(&t2)) != 0)
        lq_fail("printing a re-parsed scenario changes the text", lq_sb_str(&t1));
    lq_sb_free(&t1);
    lq_sb_free(&t2);
    lq_scenario_free(&back);
    lq_scenario_free(&sc);
    return 0;
}
