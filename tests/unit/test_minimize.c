/* tests/unit/test_minimize.c: `listenq minimize` shrinks a diverging
 * scenario to a minimal one that diverges the same way.
 *
 * The divergence is planted: the runner's reference is a model with a wrong
 * rule (lq_backend_model_set_bug) and its subject the correct model, so no
 * privileges are needed. A scenario with padding (other connections,
 * sysctls, socket options, accept calls, waits, expectations) shrinks to the
 * few lines the planted rule needs, with the same signature.
 */
#include <stdlib.h>
#include <string.h>

#include "run/backend_model.h"
#include "findings/minimize.h"
#include "lang/parse.h"
#include "lang/print.h"
#include "tap.h"

struct sides {
    struct lq_runner r;
    struct lq_backend *bugged, *correct;
};

static void sides_open(struct sides *s, const struct lq_profile *p, enum lq_model_bug bug)
{
    struct lq_err err;
    lq_runner_init(&s->r, p);
    s->bugged = lq_backend_model_new(p, &err);
    s->correct = lq_backend_model_new(p, &err);
    lq_backend_model_set_bug(s->bugged, bug);
    s->r.backend[LQ_ROLE_REFERENCE] = s->bugged;
    s->r.backend[LQ_ROLE_SUBJECT] = s->correct;
}

static void sides_close(struct sides *s)
{
    lq_backend_destroy(s->bugged);
    lq_backend_destroy(s->correct);
    lq_runner_free(&s->r);
}

static bool parse(const char *text, struct lq_scenario *sc)
{
    struct lq_err err;
    if (lq_parse_text(text, strlen(text), "test.lq", sc, &err)) {
        tap_diag("%s", err.msg);
        return false;
    }
    return true;
}

/* Runs sc once and returns its signature. */
static void signature_of(struct sides *s, const struct lq_scenario *sc, struct lq_min_sig *sig)
{
    struct lq_result res;
    struct lq_err err;
    lq_result_init(&res);
    lq_run_scenario(&s->r, sc, &res, &err);
    lq_min_signature(sc, &res, sig);
    lq_result_free(&res);
}

static void check_minimize(const struct lq_profile *p, enum lq_model_bug bug, const char *name,
                           const char *padded, const char *want, const char *want_dp)
{
    struct sides s;
    sides_open(&s, p, bug);
    struct lq_scenario sc, min;
    if (!parse(padded, &sc)) {
        ok(false, "%s: the padded scenario parses", name);
        sides_close(&s);
        return;
    }
    struct lq_min_sig before, after, again;
    struct lq_min_stats st;
    struct lq_err err = {0};
    signature_of(&s, &sc, &before);
    ok(before.found, "%s: the padded scenario diverges", name);
    int rc = lq_minimize(&s.r, &sc, NULL, &min, &after, &st, &err);
    is_int(rc, 0, "%s: lq_minimize succeeds", name);
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_print_scenario(&min, &t);
    is_str(lq_sb_str(&t), want, "%s: %zu directives shrink to the few lines the bug needs", name,
           st.before);
    ok(st.after < st.before && st.runs > 1, "%s: %zu -> %zu directives in %zu runs", name,
       st.before, st.after, st.runs);
    is_str(lq_min_sig_dp_name(&after), want_dp, "%s: the first differing decision point", name);
    ok(after.kind == before.kind && after.dp == before.dp && strcmp(after.what, before.what) == 0,
       "%s: the minimal scenario diverges the same way as the padded one", name);
    signature_of(&s, &min, &again);
    ok(lq_min_sig_same(&again, &after), "%s: running the minimal scenario again: same signature",
       name);
    /* the minimal text parses back to the same scenario */
    struct lq_scenario back;
    ok(parse(lq_sb_str(&t), &back) && lq_scenario_equal(&back, &min),
       "%s: the minimal scenario prints and parses back", name);
    lq_scenario_free(&back);
    lq_sb_free(&t);
    lq_scenario_free(&min);
    lq_scenario_free(&sc);
    sides_close(&s);
}

static void test_no_divergence(const struct lq_profile *p)
{
    struct sides s;
    sides_open(&s, p, LQ_BUG_NONE);
    struct lq_scenario sc, min;
    struct lq_min_sig sig;
    struct lq_min_stats st;
    struct lq_err err = {0};
    parse("listen 1\nsyn c1\nack c1\naccept\n", &sc);
    int rc = lq_minimize(&s.r, &sc, NULL, &min, &sig, &st, &err);
    is_int(rc, 1, "a scenario that does not diverge: nothing to minimize (1)");
    ok(!sig.found, "its signature says no divergence");
    lq_scenario_free(&min);
    lq_scenario_free(&sc);
    sides_close(&s);
}

/* A finding's decision point is the rule that differs, not the family's way
 * into tcp_conn_request (tcp_v6_conn_request, and its v4-mapped branch to
 * tcp_v4_conn_request): the planted synq bug over IPv6 and over a dual-stack
 * listener is one finding with the IPv4 one (synq_full_drop). */
static void test_signature_family(const struct lq_profile *p)
{
    static const char *const texts[] = {
        "family ipv6\nsysctl net.ipv4.tcp_syncookies=0\nlisten 0\nsyn c1\n",
        "family dual\nsysctl net.ipv4.tcp_syncookies=0\nlisten 0\nsyn c1 ipv4\n",
    };
    static const char *const names[] = {"IPv6 listener", "dual-stack listener, IPv4 SYN"};
    struct sides s;
    sides_open(&s, p, LQ_BUG_SYNQ_FULL_GE);
    for (size_t i = 0; i < 2; i++) {
        struct lq_scenario sc;
        struct lq_min_sig sig;
        if (!parse(texts[i], &sc)) {
            ok(false, "%s: parses", names[i]);
            continue;
        }
        signature_of(&s, &sc, &sig);
        is_str(lq_min_sig_dp_name(&sig), "conn_request.synq_full_drop",
               "%s: the planted bug's decision point is the SYN-queue test", names[i]);
        lq_scenario_free(&sc);
    }
    sides_close(&s);
}

static void test_signature_format(const struct lq_profile *p)
{
    struct sides s;
    sides_open(&s, p, LQ_BUG_SYNQ_FULL_GE);
    struct lq_scenario sc;
    parse("sysctl net.ipv4.tcp_syncookies=0\nlisten 0\nsyn c1\n", &sc);
    struct lq_min_sig sig;
    signature_of(&s, &sc, &sig);
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_min_sig_format(&sig, &t);
    /* two models: the sides are named by role, not as a "kernel" */
    is_str(lq_sb_str(&t),
           "syn c1: the model (subject) sent a packet the model (reference) does not predict "
           "[conn_request.synq_full_drop]",
           "the signature: directive, connection, what, decision point");
    lq_sb_free(&t);
    lq_scenario_free(&sc);
    sides_close(&s);
}

int main(void)
{
    struct lq_profile p;
    char err[128];
    if (lq_profile_resolve("6.18.44", &p, err, sizeof(err))) {
        tap_diag("%s", err);
        return 1;
    }
    /* qlen >= N where 6.13+ says qlen > N: listen 3 takes four requests, the
     * bugged model three; the fourth SYN (f) is where they part. */
    check_minimize(&p, LQ_BUG_SYNQ_FULL_GE, "synq_full_ge",
                   "# padded: sysctls, socket options, other connections, accept, expects\n"
                   "seed 7\n"
                   "sysctl net.ipv4.tcp_syncookies=0\n"
                   "sysctl net.ipv4.tcp_abort_on_overflow=1\n"
                   "sysctl net.ipv4.tcp_synack_retries=3\n"
                   "sockopt TCP_DEFER_ACCEPT=1\n"
                   "listen 3\n"
                   "syn a mss=1460 ts sack wscale=7\n"
                   "syn b mss=536\n"
                   "ack a\n"
                   "accept\n"
                   "rst b\n"
                   "expect synq 1\n"
                   "syn c mss=1460 ts\n"
                   "syn d mss=1460 ts\n"
                   "syn e mss=1460 ts\n"
                   "syn f mss=1460 ts\n"
                   "expect f synack\n"
                   "ack c\n"
                   "accept\n"
                   "wait 2s\n"
                   "fin d\n",
                   "sysctl net.ipv4.tcp_syncookies=0\nlisten 0\nsyn c1\n",
                   "conn_request.synq_full_drop");
    /* the accept queue full at N instead of N + 1 */
    check_minimize(&p, LQ_BUG_ACCEPTQ_N, "acceptq_n",
                   "sysctl net.ipv4.tcp_syncookies=1\n"
                   "sysctl net.core.somaxconn=128\n"
                   "listen 2\n"
                   "syn x mss=1460\n"
                   "syn y mss=1460 ts\n"
                   "ack x\n"
                   "ack y\n"
                   "syn z mss=1460\n"
                   "syn w mss=1460\n"
                   "ack w\n"
                   "accept\n"
                   "accept\n"
                   "accept\n",
                   "listen 0\nsyn c1\n", "conn_request.acceptq_full");
    /* listeners: the lines that declare them stay (later directives name
     * listener B by its index), the rest shrinks as above */
    check_minimize(&p, LQ_BUG_SYNQ_FULL_GE, "listeners",
                   "listener A reuseport\n"
                   "listener B reuseport\n"
                   "sysctl net.ipv4.tcp_syncookies=0\n"
                   "sysctl net.ipv4.tcp_abort_on_overflow=1\n"
                   "sockopt A TCP_DEFER_ACCEPT=1\n"
                   "listen B 3\n"
                   "syn a mss=1460 ts\n"
                   "syn b mss=536\n"
                   "accept B\n"
                   "syn c mss=1460\n"
                   "syn d mss=1460\n"
                   "expect synq B 4\n",
                   "listener A reuseport\nlistener B reuseport\n"
                   "sysctl net.ipv4.tcp_syncookies=0\nlisten B 0\nsyn c1\n",
                   "conn_request.synq_full_drop");
    test_no_divergence(&p);
    test_signature_family(&p);
    test_signature_format(&p);
    return tap_done();
}
