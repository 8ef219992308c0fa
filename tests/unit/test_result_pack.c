/* tests/unit/test_result_pack.c: a result handed from a worker to the
 * command that reports it (run/result_pack.h) is the same result.
 *
 * The results are real runs: a model with a planted wrong rule held to the
 * correct model (a divergence, failed expectations, decision points, two
 * traces) and a scenario that passes. What is compared is what the reports
 * make of them (the JSON record and the failure's details), field by field
 * counts, and the traces compared with each other again. Bytes that are not
 * one whole packed result are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "lang/parse.h"
#include "report/report.h"
#include "run/backend_model.h"
#include "run/result_pack.h"
#include "tap.h"

static const char diverging[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                                "listen 1\n"
                                "syn a mss=1460 ts sack wscale=7\n"
                                "expect a synack\n"
                                "syn b mss=1460\n"
                                "expect b synack\n"
                                "expect synq 2\n"
                                "ack a\n"
                                "accept\n";

static const char passing[] = "listen 4\n"
                              "syn a mss=1460\n"
                              "expect a synack\n"
                              "ack a\n"
                              "expect acceptq 1\n"
                              "accept\n"
                              "expect accept a\n";

static void report_of(const struct lq_scenario *sc, const struct lq_result *res,
                      const struct lq_profile *p, struct lq_strbuf *out)
{
    lq_sb_reset(out);
    lq_report_json(sc, res, "x.pcap", "6.18.44", p, "0badcafe", out);
    lq_sb_add(out, "\n");
    lq_report_details(sc, res, "x.pcap", "  ", out);
}

static void check_round_trip(const struct lq_profile *p, enum lq_model_bug bug, const char *name,
                             const char *text, enum lq_status want)
{
    struct lq_err err = {0};
    struct lq_scenario sc;
    if (lq_parse_text(text, strlen(text), "test.lq", &sc, &err)) {
        ok(false, "%s: parses (%s)", name, err.msg);
        return;
    }
    struct lq_runner r;
    lq_runner_init(&r, p);
    struct lq_backend *ref = lq_backend_model_new(p, &err);
    struct lq_backend *subj = lq_backend_model_new(p, &err);
    lq_backend_model_set_bug(ref, bug);
    r.backend[LQ_ROLE_REFERENCE] = ref;
    r.backend[LQ_ROLE_SUBJECT] = subj;
    struct lq_result res, back;
    lq_result_init(&res);
    lq_result_init(&back);
    lq_run_scenario(&r, &sc, &res, &err);
    is_int(res.status, want, "%s: the run's status", name);

    struct lq_strbuf bytes, a, b;
    lq_sb_init(&bytes);
    lq_sb_init(&a);
    lq_sb_init(&b);
    lq_sb_add(&bytes, "prefix"); /* packing appends */
    lq_result_pack(&res, &bytes);
    const char *packed = bytes.s + 6;
    size_t plen = bytes.len - 6;
    is_int(lq_result_unpack(packed, plen, &back, &err), 0, "%s: unpacks", name);
    is_int(back.status, res.status, "%s: the same status", name);
    for (int k = 0; k < LQ_ROLE_COUNT; k++) {
        is_int((long long)back.trace[k].nobs, (long long)res.trace[k].nobs,
               "%s: trace %d, the same observations", name, k);
        is_int((long long)back.trace[k].npkts, (long long)res.trace[k].npkts,
               "%s: trace %d, the same packets", name, k);
        ok(res.trace[k].npkts == 0 || memcmp(back.trace[k].pkts, res.trace[k].pkts,
                                             res.trace[k].npkts * sizeof(*res.trace[k].pkts)) == 0,
           "%s: trace %d, packet by packet", name, k);
        is_int((long long)back.trace[k].ndps, (long long)res.trace[k].ndps,
               "%s: trace %d, the same decision points", name, k);
    }
    is_int((long long)back.nexps, (long long)res.nexps, "%s: the same expectation results", name);
    is_int((long long)back.nexp_failed, (long long)res.nexp_failed, "%s: as many failed", name);
    report_of(&sc, &res, p, &a);
    report_of(&sc, &back, p, &b);
    ok(a.len > 0, "%s: the report says something", name);
    is_str(lq_sb_str(&b), lq_sb_str(&a), "%s: the reports of both are the same", name);
    struct lq_divergence d1, d2;
    bool same1 = lq_compare_traces(&sc, &res.trace[0], &res.trace[1], &d1);
    bool same2 = lq_compare_traces(&sc, &back.trace[0], &back.trace[1], &d2);
    ok(same1 == same2 && (same1 || strcmp(d1.what, d2.what) == 0),
       "%s: the traces compare the same way again", name);

    /* a torn message, and one whose counts lie, are refused */
    struct lq_result junk;
    lq_result_init(&junk);
    ok(lq_result_unpack(packed, plen - 1, &junk, &err) != 0, "%s: one byte short is refused", name);
    ok(lq_result_unpack(packed, 10, &junk, &err) != 0, "%s: a head cut short is refused", name);
    char *bad = malloc(plen);
    memcpy(bad, packed, plen);
    bad[8] ^= 0x01; /* the first trace's count of observations */
    ok(lq_result_unpack(bad, plen, &junk, &err) != 0, "%s: counts that do not add up are refused",
       name);
    free(bad);
    lq_result_free(&junk);

    lq_sb_free(&bytes);
    lq_sb_free(&a);
    lq_sb_free(&b);
    lq_result_free(&res);
    lq_result_free(&back);
    lq_backend_destroy(ref);
    lq_backend_destroy(subj);
    lq_runner_free(&r);
    lq_scenario_free(&sc);
}

int main(void)
{
    struct lq_profile p;
    char err[256];
    if (lq_profile_resolve("6.18.44", &p, err, sizeof(err))) {
        printf("1..0 # SKIP no profile 6.18.44: %s\n", err);
        return 0;
    }
    check_round_trip(&p, LQ_BUG_SYNQ_FULL_GE, "a divergence", diverging, LQ_ST_FAIL);
    check_round_trip(&p, LQ_BUG_NONE, "a pass", passing, LQ_ST_PASS);
    return tap_done();
}
