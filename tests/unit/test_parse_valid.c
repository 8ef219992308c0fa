/* tests/unit/test_parse_valid.c: what valid .lq text parses into.
 *
 * Every directive and option, checked field by field against values written
 * here by hand from the language definition (docs/scenario-format.md); the
 * lexical rules (comments, blank lines, CRLF, blanks, limits), the
 * connection and counter name tables, and lq_parse_file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang/parse.h"
#include "tap.h"

/* Parses text as "v.lq"; a failure is reported and leaves sc empty. */
static bool parse(const char *text, struct lq_scenario *sc)
{
    struct lq_err err;
    memset(&err, 0, sizeof(err));
    int rc = lq_parse_text(text, strlen(text), "v.lq", sc, &err);
    if (rc)
        tap_diag("parsing \"%s\" failed: %s", text, err.msg);
    return rc == 0;
}

/* One directive of kind `kind` (comment-free text, one line). */
static const struct lq_directive *one(const char *text, uint8_t kind, struct lq_scenario *sc)
{
    if (!parse(text, sc))
        return NULL;
    if (sc->n != 1 || sc->d[0].kind != kind) {
        tap_diag("\"%s\": %zu directives, first of kind %d (want 1 of kind %d)", text, sc->n,
                 sc->n ? sc->d[0].kind : -1, kind);
        return NULL;
    }
    return &sc->d[0];
}

/* ---- set-up ---- */

static void test_seed(void)
{
    struct lq_scenario sc;
    const struct lq_directive *d;
    d = one("seed 0", LQ_D_SEED, &sc);
    ok(d && d->u.seed == 0 && sc.seed == 0, "seed 0");
    lq_scenario_free(&sc);
    d = one("seed 9223372036854775807", LQ_D_SEED, &sc);
    ok(d && d->u.seed == 9223372036854775807ull && sc.seed == 9223372036854775807ull,
       "seed 2^63 - 1");
    lq_scenario_free(&sc);
    d = one("seed 007", LQ_D_SEED, &sc);
    ok(d && d->u.seed == 7, "seed 007 is 7");
    lq_scenario_free(&sc);
    /* no seed: LQ_DEFAULT_SEED; several: the last one, wherever it is */
    ok(parse("listen 1\n", &sc) && sc.seed == 1, "no seed directive: seed 1");
    lq_scenario_free(&sc);
    ok(parse("seed 5\nlisten 1\nsyn c1\nseed 9\nack c1\n", &sc) && sc.seed == 9 &&
           sc.d[0].u.seed == 5 && sc.d[3].u.seed == 9,
       "the last seed directive is the scenario's seed");
    lq_scenario_free(&sc);
}

static void test_sysctl(void)
{
    static const struct {
        const char *text;
        uint8_t id;
        int64_t value;
    } cases[] = {
        {"sysctl net.core.somaxconn=0", LQ_SYSCTL_SOMAXCONN, 0},
        {"sysctl net.core.somaxconn=2147483647", LQ_SYSCTL_SOMAXCONN, 2147483647},
        {"sysctl net.ipv4.tcp_max_syn_backlog=-2147483648", LQ_SYSCTL_MAX_SYN_BACKLOG,
         -2147483647 - 1},
        {"sysctl net.ipv4.tcp_max_syn_backlog=2147483647", LQ_SYSCTL_MAX_SYN_BACKLOG, 2147483647},
        {"sysctl net.ipv4.tcp_syncookies=0", LQ_SYSCTL_SYNCOOKIES, 0},
        {"sysctl net.ipv4.tcp_syncookies=2", LQ_SYSCTL_SYNCOOKIES, 2},
        {"sysctl net.ipv4.tcp_abort_on_overflow=1", LQ_SYSCTL_ABORT_ON_OVERFLOW, 1},
        {"sysctl net.ipv4.tcp_synack_retries=0", LQ_SYSCTL_SYNACK_RETRIES, 0},
        {"sysctl net.ipv4.tcp_synack_retries=255", LQ_SYSCTL_SYNACK_RETRIES, 255},
        {"sysctl net.ipv4.tcp_timestamps=2", LQ_SYSCTL_TIMESTAMPS, 2},
        {"sysctl net.ipv4.tcp_sack=0", LQ_SYSCTL_SACK, 0},
        {"sysctl net.ipv4.tcp_window_scaling=1", LQ_SYSCTL_WINDOW_SCALING, 1},
        {"sysctl net.ipv4.tcp_sack=+1", LQ_SYSCTL_SACK, 1},
        {"sysctl net.core.somaxconn=-0", LQ_SYSCTL_SOMAXCONN, 0},
        {"sysctl net.core.somaxconn=0100", LQ_SYSCTL_SOMAXCONN, 100},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lq_scenario sc;
        const struct lq_directive *d = one(cases[i].text, LQ_D_SYSCTL, &sc);
        ok(d && d->u.sysctl.id == cases[i].id && d->u.sysctl.value == cases[i].value, "%s",
           cases[i].text);
        lq_scenario_free(&sc);
    }
}

static void test_listen_sockopt(void)
{
    static const struct {
        const char *text;
        int32_t backlog;
    } ls[] = {{"listen 0", 0},
              {"listen -1", -1},
              {"listen +3", 3},
              {"listen 2147483647", 2147483647},
              {"listen -2147483648", -2147483647 - 1}};
    for (size_t i = 0; i < sizeof(ls) / sizeof(ls[0]); i++) {
        struct lq_scenario sc;
        const struct lq_directive *d = one(ls[i].text, LQ_D_LISTEN, &sc);
        ok(d && d->u.backlog == ls[i].backlog, "%s", ls[i].text);
        lq_scenario_free(&sc);
    }
    static const struct {
        const char *text;
        uint8_t opt;
        int32_t value;
    } so[] = {{"sockopt TCP_DEFER_ACCEPT=0", LQ_SOCKOPT_DEFER_ACCEPT, 0},
              {"sockopt TCP_DEFER_ACCEPT=-5", LQ_SOCKOPT_DEFER_ACCEPT, -5},
              {"sockopt TCP_DEFER_ACCEPT=2147483647", LQ_SOCKOPT_DEFER_ACCEPT, 2147483647},
              {"sockopt TCP_SYNCNT=1", LQ_SOCKOPT_SYNCNT, 1},
              {"sockopt TCP_SYNCNT=127", LQ_SOCKOPT_SYNCNT, 127},
              {"sockopt TCP_SYNCNT=+5", LQ_SOCKOPT_SYNCNT, 5},
              {"sockopt TCP_MAXSEG=0", LQ_SOCKOPT_MAXSEG, 0},
              {"sockopt TCP_MAXSEG=88", LQ_SOCKOPT_MAXSEG, 88},
              {"sockopt TCP_MAXSEG=32767", LQ_SOCKOPT_MAXSEG, 32767}};
    for (size_t i = 0; i < sizeof(so) / sizeof(so[0]); i++) {
        struct lq_scenario sc;
        const struct lq_directive *d = one(so[i].text, LQ_D_SOCKOPT, &sc);
        ok(d && d->u.sockopt.opt == so[i].opt && d->u.sockopt.value == so[i].value, "%s",
           so[i].text);
        lq_scenario_free(&sc);
    }
}

/* ---- segments ---- */

/* The fields of a segment event; the defaults of a bare "syn c1". */
static struct lq_ev_seg seg_default(void)
{
    struct lq_ev_seg s;
    memset(&s, 0, sizeof(s));
    s.wscale = -1;
    s.isn_mode = LQ_ISN_SAME;
    s.seq_mode = LQ_SEQ_OK;
    return s;
}

static bool seg_is(const struct lq_ev_seg *a, const struct lq_ev_seg *b)
{
    return a->has_mss == b->has_mss && a->mss == b->mss && a->wscale == b->wscale &&
           a->sack == b->sack && a->ts == b->ts && a->isn_mode == b->isn_mode &&
           a->isn_off == b->isn_off && a->ack_bad == b->ack_bad && a->seq_mode == b->seq_mode &&
           a->seq_off == b->seq_off && a->len == b->len && a->rst_ack == b->rst_ack &&
           a->syn_fin == b->syn_fin && a->no_ack == b->no_ack && a->tsval_old == b->tsval_old &&
           a->tsval_ahead == b->tsval_ahead && a->tsecr_bad == b->tsecr_bad;
}

static void check_seg(const char *text, uint8_t kind, const struct lq_ev_seg *want)
{
    struct lq_scenario sc;
    const struct lq_directive *d = one(text, kind, &sc);
    bool good = d && d->conn == 0 && sc.nconns == 1 && strcmp(sc.conns[0], "c1") == 0 &&
                seg_is(&d->u.seg, want);
    ok(good, "%s", text);
    if (d && !good)
        tap_diag("got mss %d/%u wscale %d sack %d ts %d isn %u/%lld ack_bad %d seq %u/%d len %u "
                 "rst_ack %d fin %d noack %d tsval_old %d tsecr_bad %d",
                 d->u.seg.has_mss, d->u.seg.mss, d->u.seg.wscale, d->u.seg.sack, d->u.seg.ts,
                 d->u.seg.isn_mode, (long long)d->u.seg.isn_off, d->u.seg.ack_bad,
                 d->u.seg.seq_mode, d->u.seg.seq_off, d->u.seg.len, d->u.seg.rst_ack,
                 d->u.seg.syn_fin, d->u.seg.no_ack, d->u.seg.tsval_old, d->u.seg.tsecr_bad);
    lq_scenario_free(&sc);
}

static void test_syn(void)
{
    struct lq_ev_seg s = seg_default();
    check_seg("syn c1", LQ_D_SYN, &s);
    s.has_mss = true;
    s.mss = 1460;
    s.ts = true;
    s.sack = true;
    s.wscale = 7;
    check_seg("syn c1 mss=1460 ts sack wscale=7", LQ_D_SYN, &s);
    check_seg("syn c1 wscale=7 sack ts mss=1460", LQ_D_SYN, &s); /* any order */
    s = seg_default();
    s.has_mss = true; /* mss=0 is an option with value 0, not "no option" */
    s.wscale = 0;
    check_seg("syn c1 mss=0 wscale=0", LQ_D_SYN, &s);
    s = seg_default();
    s.has_mss = true;
    s.mss = 65535;
    s.wscale = 255;
    check_seg("syn c1 mss=65535 wscale=255", LQ_D_SYN, &s);
    s = seg_default();
    s.isn_mode = LQ_ISN_NEW;
    check_seg("syn c1 newisn", LQ_D_SYN, &s);
    s.isn_mode = LQ_ISN_OFFSET;
    s.isn_off = 100;
    check_seg("syn c1 newisn=+100", LQ_D_SYN, &s);
    check_seg("syn c1 newisn=100", LQ_D_SYN, &s); /* the sign is optional here */
    s.isn_off = -5;
    check_seg("syn c1 newisn=-5", LQ_D_SYN, &s);
    s.isn_off = 2147483647;
    check_seg("syn c1 newisn=+2147483647", LQ_D_SYN, &s);
    s.isn_off = -2147483647;
    check_seg("syn c1 newisn=-2147483647", LQ_D_SYN, &s);
    s = seg_default();
    s.len = 1400;
    s.syn_fin = true;
    check_seg("syn c1 len=1400 fin", LQ_D_SYN, &s);
    s.len = 0;
    check_seg("syn c1 fin len=0", LQ_D_SYN, &s);
}

static void test_ack_rst_fin(void)
{
    struct lq_ev_seg s = seg_default();
    check_seg("ack c1", LQ_D_ACK, &s);
    check_seg("ack c1 seq=+0", LQ_D_ACK, &s); /* +0 is the right sequence number */
    check_seg("ack c1 seq=-0 len=0", LQ_D_ACK, &s);
    s.ack_bad = true;
    check_seg("ack c1 ack=bad", LQ_D_ACK, &s);
    s = seg_default();
    s.seq_mode = LQ_SEQ_BAD;
    check_seg("ack c1 seq=bad", LQ_D_ACK, &s);
    s.seq_mode = LQ_SEQ_OFFSET;
    s.seq_off = 10;
    check_seg("ack c1 seq=+10", LQ_D_ACK, &s);
    s.seq_off = -1000000000;
    check_seg("ack c1 seq=-1000000000", LQ_D_ACK, &s);
    s.seq_off = 1000000000;
    check_seg("ack c1 seq=+1000000000", LQ_D_ACK, &s);
    s = seg_default();
    s.len = 50;
    s.tsval_old = true;
    s.tsecr_bad = true;
    check_seg("ack c1 tsecr=bad len=50 tsval=old", LQ_D_ACK, &s);
    s = seg_default();
    s.tsval_ahead = 1;
    check_seg("ack c1 tsval=+1", LQ_D_ACK, &s);
    s.tsval_ahead = 1073741824; /* 2^30, the largest */
    check_seg("fin c1 tsval=+1073741824", LQ_D_FIN, &s);
    s = seg_default();
    s.ack_ahead = 1;
    check_seg("ack c1 ack=+1", LQ_D_ACK, &s);
    s.has_win = true;
    s.win = 0;
    check_seg("ack c1 ack=+1 win=0", LQ_D_ACK, &s);
    s.win = 65535;
    check_seg("ack c1 win=65535 ack=+1", LQ_D_ACK, &s);
    s.has_win = false;
    s.win = 0;
    s.ack_ahead = 1073741824;
    check_seg("fin c1 ack=+1073741824", LQ_D_FIN, &s);
    s.ack_ahead = 7;
    s.rst_ack = true; /* on rst, ack=+N sets the ACK flag as ack=bad does */
    check_seg("rst c1 ack=+7", LQ_D_RST, &s);

    s = seg_default();
    check_seg("rst c1", LQ_D_RST, &s);
    s.rst_ack = true;
    check_seg("rst c1 ack", LQ_D_RST, &s);
    s.ack_bad = true; /* ack=bad on rst implies the ACK flag */
    check_seg("rst c1 ack=bad", LQ_D_RST, &s);
    check_seg("rst c1 ack ack=bad", LQ_D_RST, &s);
    check_seg("rst c1 ack=bad ack", LQ_D_RST, &s);
    s = seg_default();
    s.seq_mode = LQ_SEQ_OFFSET;
    s.seq_off = -3;
    s.tsval_old = true;
    s.tsecr_bad = true;
    check_seg("rst c1 tsecr=bad seq=-3 tsval=old", LQ_D_RST, &s);

    s = seg_default();
    check_seg("fin c1", LQ_D_FIN, &s);
    s.no_ack = true;
    check_seg("fin c1 noack", LQ_D_FIN, &s);
    s = seg_default();
    s.ack_bad = true;
    s.seq_mode = LQ_SEQ_BAD;
    s.len = 3;
    s.tsval_old = true;
    s.tsecr_bad = true;
    check_seg("fin c1 tsecr=bad tsval=old len=3 seq=bad ack=bad", LQ_D_FIN, &s);
    s = seg_default();
    s.no_ack = true;
    s.seq_mode = LQ_SEQ_OFFSET;
    s.seq_off = 1;
    check_seg("fin c1 noack seq=+1", LQ_D_FIN, &s);
}

/* ---- accept, wait ---- */

static void test_accept_wait(void)
{
    struct lq_scenario sc;
    ok(one("accept", LQ_D_ACCEPT, &sc) != NULL, "accept");
    lq_scenario_free(&sc);
    static const struct {
        const char *text;
        uint64_t ms;
    } w[] = {{"wait 1ms", 1},           {"wait 1500ms", 1500}, {"wait 2000ms", 2000},
             {"wait 2s", 2000},         {"wait 600s", 600000}, {"wait 600000ms", 600000},
             {"wait 599999ms", 599999}, {"wait 007s", 7000},   {"wait 1s", 1000}};
    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        const struct lq_directive *d = one(w[i].text, LQ_D_WAIT, &sc);
        ok(d && d->u.wait_ms == w[i].ms, "%s", w[i].text);
        lq_scenario_free(&sc);
    }
}

/* ---- expect ---- */

/* The expectation on the last line of text. */
static const struct lq_expect *last_expect(const char *text, struct lq_scenario *sc)
{
    if (!parse(text, sc) || sc->n == 0 || sc->d[sc->n - 1].kind != LQ_D_EXPECT)
        return NULL;
    return &sc->d[sc->n - 1].u.expect;
}

static void test_expect_state(void)
{
    struct lq_scenario sc;
    const struct lq_expect *x = last_expect("expect none", &sc);
    ok(x && x->kind == LQ_X_NONE, "expect none");
    lq_scenario_free(&sc);
    x = last_expect("expect acceptq 0", &sc);
    ok(x && x->kind == LQ_X_ACCEPTQ && x->value == 0, "expect acceptq 0");
    lq_scenario_free(&sc);
    x = last_expect("expect acceptq 2147483647", &sc);
    ok(x && x->kind == LQ_X_ACCEPTQ && x->value == 2147483647, "expect acceptq 2^31 - 1");
    lq_scenario_free(&sc);
    x = last_expect("expect synq 3", &sc);
    ok(x && x->kind == LQ_X_SYNQ && x->value == 3, "expect synq 3");
    lq_scenario_free(&sc);
    x = last_expect("expect backlog 05", &sc);
    ok(x && x->kind == LQ_X_BACKLOG && x->value == 5, "expect backlog 05");
    lq_scenario_free(&sc);

    x = last_expect("expect counter ListenOverflows 1", &sc);
    ok(x && x->kind == LQ_X_COUNTER && x->value == 1 && x->counter == 0 && sc.ncounter_names == 1 &&
           strcmp(sc.counter_names[0], "ListenOverflows") == 0,
       "expect counter ListenOverflows 1");
    lq_scenario_free(&sc);
    x = last_expect("expect counter Tcp:CurrEstab -1", &sc);
    ok(x && x->kind == LQ_X_COUNTER && x->value == -1 &&
           strcmp(sc.counter_names[0], "Tcp:CurrEstab") == 0,
       "expect counter Tcp:CurrEstab -1 (a named counter, a negative change)");
    lq_scenario_free(&sc);
    x = last_expect("expect counter InSegs +4611686018427387903", &sc);
    ok(x && x->value == 4611686018427387903ll && strcmp(sc.counter_names[0], "InSegs") == 0,
       "expect counter with the largest change (2^62 - 1)");
    lq_scenario_free(&sc);
    x = last_expect("expect counter OutSegs -4611686018427387904", &sc);
    ok(x && x->value == -4611686018427387903ll - 1, "expect counter with the smallest change");
    lq_scenario_free(&sc);
    /* a TcpExt name that the model does not predict, in Group:Name form */
    x = last_expect("expect counter TcpExt:TCPFastOpenActiveFail 0", &sc);
    ok(x && strcmp(sc.counter_names[0], "TcpExt:TCPFastOpenActiveFail") == 0,
       "a TcpExt counter the model does not predict, with its group");
    lq_scenario_free(&sc);
}

static void test_expect_accept(void)
{
    struct lq_scenario sc;
    const struct lq_expect *x = last_expect("syn a\nsyn c1\nexpect accept c1", &sc);
    ok(x && x->kind == LQ_X_ACCEPT && x->conn == 1 && x->accept_errno == 0 && x->mss == -1,
       "expect accept c1");
    lq_scenario_free(&sc);
    x = last_expect("syn c1\nexpect accept c1 mss=1448", &sc);
    ok(x && x->kind == LQ_X_ACCEPT && x->conn == 0 && x->mss == 1448, "expect accept c1 mss=1448");
    lq_scenario_free(&sc);
    x = last_expect("syn c1\nexpect accept c1 mss=0", &sc);
    ok(x && x->mss == 0, "expect accept c1 mss=0");
    lq_scenario_free(&sc);
    x = last_expect("expect accept EAGAIN", &sc);
    ok(x && x->kind == LQ_X_ACCEPT && x->accept_errno == EAGAIN && x->mss == -1,
       "expect accept EAGAIN");
    lq_scenario_free(&sc);
    x = last_expect("expect accept EINVAL", &sc);
    ok(x && x->kind == LQ_X_ACCEPT && x->accept_errno == EINVAL, "expect accept EINVAL");
    lq_scenario_free(&sc);
}

/* family, a dual scenario's connections, family-specific MSS values. */
static void test_family(void)
{
    struct lq_scenario sc;
    ok(parse("listen 1\n", &sc) && sc.family == LQ_SCN_NEUTRAL && sc.run_family == LQ_FAMILY_IPV4 &&
           !sc.conn_ipv4,
       "no family line: family-neutral, run over IPv4");
    lq_scenario_free(&sc);
    ok(parse("family ipv6\nlisten 1\nsyn a\n", &sc) && sc.family == LQ_SCN_IPV6 &&
           sc.run_family == LQ_FAMILY_IPV6 && sc.d[0].kind == LQ_D_FAMILY &&
           sc.d[0].u.family == LQ_SCN_IPV6 && lq_scenario_conn_ipv6(&sc, 0),
       "family ipv6: its connections are IPv6");
    lq_scenario_free(&sc);
    ok(parse("# c\nseed 3\nfamily ipv4\nsyn a\n", &sc) && sc.family == LQ_SCN_IPV4 &&
           !lq_scenario_conn_ipv6(&sc, 0),
       "family ipv4 after a comment and a seed");
    lq_scenario_free(&sc);
    ok(parse("family dual\nsyn a ipv4\nsyn b\nack c ipv6\nrst d ipv4\nack a\n", &sc) &&
           sc.family == LQ_SCN_DUAL && sc.run_family == LQ_FAMILY_DUAL && sc.conn_ipv4 &&
           !lq_scenario_conn_ipv6(&sc, 0) && lq_scenario_conn_ipv6(&sc, 1) &&
           lq_scenario_conn_ipv6(&sc, 2) && !lq_scenario_conn_ipv6(&sc, 3) &&
           sc.d[1].u.seg.via == LQ_VIA_IPV4 && sc.d[2].u.seg.via == LQ_VIA_DEFAULT &&
           sc.d[3].u.seg.via == LQ_VIA_IPV6 && sc.d[5].u.seg.via == LQ_VIA_DEFAULT,
       "family dual: a connection is IPv4 when its first event says ipv4, else IPv6");
    lq_scenario_free(&sc);
    ok(parse("family dual\nsyn a ipv4\nack a ipv4\nsyn b\nack b ipv6\n", &sc) &&
           !lq_scenario_conn_ipv6(&sc, 0) && lq_scenario_conn_ipv6(&sc, 1),
       "family dual: a later event may repeat its connection's family");
    lq_scenario_free(&sc);
    const struct lq_directive *d = one("sockopt IPV6_V6ONLY=1", LQ_D_SOCKOPT, &sc);
    ok(d && d->u.sockopt.opt == LQ_SOCKOPT_V6ONLY && d->u.sockopt.value == 1,
       "sockopt IPV6_V6ONLY=1");
    lq_scenario_free(&sc);
    d = one("sockopt IPV6_V6ONLY=-7", LQ_D_SOCKOPT, &sc);
    ok(d && d->u.sockopt.value == -7, "sockopt IPV6_V6ONLY takes any int (a boolean)");
    lq_scenario_free(&sc);
    const struct lq_expect *x = last_expect("syn c1\nexpect accept c1 mss=1460", &sc);
    ok(x && x->mss == 1460 && x->mss6 == 1460, "mss=N: both families");
    lq_scenario_free(&sc);
    x = last_expect("syn c1\nexpect accept c1 mss=1440@ipv6", &sc);
    ok(x && x->mss == -1 && x->mss6 == 1440, "mss=N@ipv6: IPv6 only");
    lq_scenario_free(&sc);
    x = last_expect("syn c1\nexpect c1 synack mss=1460@ipv4 mss=1440@ipv6 cookie", &sc);
    ok(x && x->mss == 1460 && x->mss6 == 1440 && x->cookie_tri == LQ_TRI_YES,
       "synack mss=1460@ipv4 mss=1440@ipv6");
    if (x) {
        ok(lq_expect_mss_for(&sc, x, 0) == 1460, "checked as 1460 over IPv4");
        sc.run_family = LQ_FAMILY_IPV6;
        ok(lq_expect_mss_for(&sc, x, 0) == 1440, "checked as 1440 over IPv6");
    } else {
        tap_skip("checked as 1460 over IPv4", "no expectation");
        tap_skip("checked as 1440 over IPv6", "no expectation");
    }
    lq_scenario_free(&sc);
}

static void test_listeners(void)
{
    struct lq_scenario sc;
    bool p = parse("listener L1 reuseport\nlistener L2 reuseport\nlisten L2 4\n"
                   "sockopt L1 SO_ATTACH_REUSEPORT_CBPF=2\nsyn c1\naccept L2\n"
                   "expect acceptq L2 1\nexpect synq L1 0\nexpect backlog L2 4\n",
                   &sc);
    ok(p && sc.nlsn == 2 && strcmp(sc.lsn_names[0], "L1") == 0 &&
           strcmp(sc.lsn_names[1], "L2") == 0 && sc.lsn_reuseport[0] && sc.lsn_reuseport[1] &&
           lq_scenario_nlisteners(&sc) == 2,
       "two listeners, both reuseport, in declaration order");
    ok(p && sc.d[0].kind == LQ_D_LISTENER && sc.d[0].u.listener.idx == 0 &&
           sc.d[0].u.listener.reuseport && sc.d[1].u.listener.idx == 1,
       "listener lines are directives");
    ok(p && sc.d[2].kind == LQ_D_LISTEN && sc.d[2].lsn == 1 && sc.d[2].u.backlog == 4,
       "listen L2 4: listener 1, backlog 4");
    ok(p && sc.d[3].kind == LQ_D_SOCKOPT && sc.d[3].lsn == 0 &&
           sc.d[3].u.sockopt.opt == LQ_SOCKOPT_REUSEPORT_CBPF && sc.d[3].u.sockopt.value == 2,
       "sockopt L1 SO_ATTACH_REUSEPORT_CBPF=2");
    ok(p && sc.d[5].kind == LQ_D_ACCEPT && sc.d[5].lsn == 1, "accept L2");
    ok(p && sc.d[6].u.expect.kind == LQ_X_ACCEPTQ && sc.d[6].u.expect.lsn == 1 &&
           sc.d[6].u.expect.value == 1 && sc.d[7].u.expect.kind == LQ_X_SYNQ &&
           sc.d[7].u.expect.lsn == 0 && sc.d[8].u.expect.kind == LQ_X_BACKLOG &&
           sc.d[8].u.expect.lsn == 1 && sc.d[8].u.expect.value == 4,
       "expect acceptq|synq|backlog LISTENER N");
    struct lq_scenario other;
    bool q = parse("listener L1 reuseport\nlistener L2 reuseport\nlisten L1 4\n"
                   "sockopt L1 SO_ATTACH_REUSEPORT_CBPF=2\nsyn c1\naccept L2\n"
                   "expect acceptq L2 1\nexpect synq L1 0\nexpect backlog L2 4\n",
                   &other);
    ok(p && q && !lq_scenario_equal(&sc, &other),
       "scenarios that listen on other listeners differ");
    struct lq_scenario copy;
    ok(p && lq_scenario_copy(&copy, &sc) == 0 && lq_scenario_equal(&copy, &sc) && copy.nlsn == 2 &&
           copy.lsn_reuseport[1],
       "a copy keeps the listeners");
    if (p)
        lq_scenario_free(&copy);
    lq_scenario_free(&other);
    lq_scenario_free(&sc);
    ok(parse("listener L1 reuseport\nlistener L2 reuseport\nsyn c1\nclose L2\nclose\n"
             "shutdown L2 SHUT_WR\nshutdown SHUT_RD\nclose c1\n",
             &sc) &&
           sc.d[3].kind == LQ_D_CLOSE && sc.d[3].u.call.kind == LQ_CALL_CLOSE && sc.d[3].lsn == 1 &&
           sc.d[4].u.call.kind == LQ_CALL_CLOSE && sc.d[4].lsn == 0 &&
           sc.d[5].kind == LQ_D_SHUTDOWN && sc.d[5].lsn == 1 && sc.d[5].u.call.how == LQ_SHUT_WR &&
           sc.d[6].lsn == 0 && sc.d[6].u.call.how == LQ_SHUT_RD &&
           sc.d[7].u.call.kind == LQ_CALL_CLOSE_CONN && sc.d[7].conn == 0 &&
           lq_directive_sockcall(&sc.d[3]).lsn == 1 && lq_directive_sockcall(&sc.d[7]).lsn == 0,
       "close L2 and shutdown L2 name a listener; without a name the first; close c1 a "
       "connection");
    lq_scenario_free(&sc);
    {
        /* the flow label's check is part of the expectation: same, differs
         * and none are three scenarios */
        struct lq_scenario same, differs, none;
        bool a = parse("syn c1\nexpect c1 synack flowlabel=same\n", &same);
        bool b = parse("syn c1\nexpect c1 synack flowlabel=differs\n", &differs);
        bool c = parse("syn c1\nexpect c1 synack\n", &none);
        ok(a && b && c && !lq_scenario_equal(&same, &differs) && !lq_scenario_equal(&same, &none) &&
               !lq_scenario_equal(&differs, &none) && lq_scenario_equal(&same, &same),
           "expect ... flowlabel=same, =differs and no flowlabel= are not equal");
        lq_scenario_free(&same);
        lq_scenario_free(&differs);
        lq_scenario_free(&none);
    }
    ok(parse("listener only\nlisten only -1\naccept only\n", &sc) && sc.nlsn == 1 &&
           !sc.lsn_reuseport[0] && sc.d[1].lsn == 0 && sc.d[1].u.backlog == -1,
       "one named listener without reuseport");
    lq_scenario_free(&sc);
    ok(parse("listen 4\naccept\nexpect acceptq 0\n", &sc) && sc.nlsn == 0 &&
           lq_scenario_nlisteners(&sc) == 1 && sc.d[0].lsn == 0 && sc.d[2].u.expect.lsn == 0,
       "without listener lines: the one unnamed listener");
    lq_scenario_free(&sc);
    ok(parse("# c\nfamily dual\nlistener a reuseport\nseed 3\nlistener b reuseport\nlisten a 1\n",
             &sc) &&
           sc.nlsn == 2 && sc.family == LQ_SCN_DUAL,
       "listener lines after family, comments and seed");
    lq_scenario_free(&sc);
}

static void test_expect_pkt(void)
{
    struct lq_scenario sc;
    const struct lq_expect *x = last_expect("syn a\nsyn c1\nexpect c1 synack", &sc);
    ok(x && x->kind == LQ_X_PKT && x->pkt == LQ_PK_SYNACK && x->conn == 1 && x->mss == -1 &&
           x->wscale == -1 && x->wscale_tri == LQ_TRI_ANY && x->sack_tri == LQ_TRI_ANY &&
           x->ts_tri == LQ_TRI_ANY && x->cookie_tri == LQ_TRI_ANY,
       "expect c1 synack: nothing checked but the kind");
    lq_scenario_free(&sc);
    x = last_expect("syn c1\nexpect c1 synack cookie ts sack wscale=14 mss=1460", &sc);
    ok(x && x->pkt == LQ_PK_SYNACK && x->mss == 1460 && x->wscale == 14 &&
           x->wscale_tri == LQ_TRI_YES && x->sack_tri == LQ_TRI_YES && x->ts_tri == LQ_TRI_YES &&
           x->cookie_tri == LQ_TRI_YES,
       "expect c1 synack with every positive check");
    lq_scenario_free(&sc);
    x = last_expect("syn c1\nexpect c1 synack nocookie nots nosack nowscale mss=0", &sc);
    ok(x && x->mss == 0 && x->wscale == -1 && x->wscale_tri == LQ_TRI_NO &&
           x->sack_tri == LQ_TRI_NO && x->ts_tri == LQ_TRI_NO && x->cookie_tri == LQ_TRI_NO,
       "expect c1 synack with every negative check");
    lq_scenario_free(&sc);
    x = last_expect("syn c1\nexpect c1 synack wscale=0", &sc);
    ok(x && x->wscale == 0 && x->wscale_tri == LQ_TRI_YES, "expect c1 synack wscale=0");
    lq_scenario_free(&sc);
    x = last_expect("ack c1\nexpect c1 ack", &sc);
    ok(x && x->kind == LQ_X_PKT && x->pkt == LQ_PK_ACK && x->conn == 0, "expect c1 ack");
    lq_scenario_free(&sc);
    x = last_expect("rst c1\nexpect c1 rst", &sc);
    ok(x && x->kind == LQ_X_PKT && x->pkt == LQ_PK_RST && x->conn == 0, "expect c1 rst");
    lq_scenario_free(&sc);
}

/* ---- lexical rules ---- */

static void test_lexical(void)
{
    struct lq_scenario sc;
    const char *text = "# head\n"
                       "\n"
                       "seed 1 # trailing\n"
                       "   # indented \t \r\n"
                       " \t\r\n"
                       "listen\t1#tight\n"
                       "#\n"
                       "syn c1#x\n"
                       "accept # a # b\n";
    bool good = parse(text, &sc) && sc.n == 9;
    ok(good, "comments and blank lines are directives of their own (9 lines)");
    if (good) {
        const struct lq_directive *d = sc.d;
        ok(d[0].kind == LQ_D_COMMENT && strcmp(d[0].comment, "# head") == 0, "a comment line");
        ok(d[1].kind == LQ_D_BLANK && d[1].comment == NULL, "an empty line");
        ok(d[2].kind == LQ_D_SEED && strcmp(d[2].comment, "# trailing") == 0,
           "a trailing comment, from '#' on");
        ok(d[3].kind == LQ_D_COMMENT && strcmp(d[3].comment, "# indented") == 0,
           "an indented comment line loses its indentation and trailing blanks");
        ok(d[4].kind == LQ_D_BLANK && d[4].comment == NULL, "a line of blanks is blank");
        ok(d[5].kind == LQ_D_LISTEN && d[5].u.backlog == 1 && strcmp(d[5].comment, "#tight") == 0,
           "tab separates words; '#' needs no blank before it");
        ok(d[6].kind == LQ_D_COMMENT && strcmp(d[6].comment, "#") == 0, "a bare '#'");
        ok(d[7].kind == LQ_D_SYN && sc.nconns == 1 && strcmp(sc.conns[0], "c1") == 0 &&
               strcmp(d[7].comment, "#x") == 0,
           "'#' inside a word starts the comment");
        ok(d[8].kind == LQ_D_ACCEPT && strcmp(d[8].comment, "# a # b") == 0,
           "the comment runs to the end of the line");
        is_int(d[2].line, 3, "line of the seed directive");
        is_int(d[2].col, 1, "column of the seed directive");
        is_int(d[5].line, 6, "line of the listen directive");
    }
    lq_scenario_free(&sc);

    ok(parse("", &sc) && sc.n == 0, "an empty text is an empty scenario");
    lq_scenario_free(&sc);
    ok(parse("\n", &sc) && sc.n == 1 && sc.d[0].kind == LQ_D_BLANK, "one newline: one blank line");
    lq_scenario_free(&sc);
    ok(parse("seed 5\r\nlisten 1\r\n", &sc) && sc.n == 2 && sc.d[0].u.seed == 5 &&
           sc.d[1].u.backlog == 1 && sc.d[0].comment == NULL,
       "CRLF line ends");
    lq_scenario_free(&sc);
    ok(parse("listen 1\nlisten 2", &sc) && sc.n == 2 && sc.d[1].u.backlog == 2,
       "the last line needs no newline");
    lq_scenario_free(&sc);
    ok(parse("  \t  syn   c1\t\tts  ", &sc) && sc.n == 1 && sc.d[0].col == 6 && sc.d[0].u.seg.ts,
       "blanks around and between words; the column is the verb's");
    lq_scenario_free(&sc);
    ok(parse("seed 1 # caf\xc3\xa9 \x01\n", &sc) && sc.n == 1 &&
           strcmp(sc.d[0].comment, "# caf\xc3\xa9 \x01") == 0,
       "comments may hold any byte but NUL and newline");
    lq_scenario_free(&sc);

    /* limits: a line of 4096 bytes, 32 words */
    char line[4200];
    memset(line, 'x', 4096);
    line[0] = '#';
    line[4096] = '\n';
    line[4097] = '\0';
    ok(parse(line, &sc) && sc.n == 1 && strlen(sc.d[0].comment) == 4096, "a line of 4096 bytes");
    lq_scenario_free(&sc);
    memset(line, ' ', 4095);
    line[4095] = '\r';
    line[4096] = '\n';
    ok(parse(line, &sc) && sc.n == 1 && sc.d[0].kind == LQ_D_BLANK,
       "4095 blanks and a CR are 4096 bytes");
    lq_scenario_free(&sc);
    /* 32 words: the parser splits them, then the directive is judged */
    char words[100] = "syn c1 ts";
    for (int i = 3; i < 32; i++)
        strcat(words, " ts");
    struct lq_err err;
    int rc = lq_parse_text(words, strlen(words), "v.lq", &sc, &err);
    ok(rc == -1 && strstr(err.msg, "given twice") != NULL,
       "32 words are split (the error is about the words, not their number)");

    /* directives up to LQ_MAX_DIRECTIVES */
    size_t n = 200000;
    char *many = malloc(n + 1);
    memset(many, '\n', n);
    many[n] = '\0';
    ok(parse(many, &sc) && sc.n == 200000, "200000 lines");
    lq_scenario_free(&sc);
    free(many);
}

/* ---- name tables ---- */

static void test_names(void)
{
    struct lq_scenario sc;
    bool good = parse("syn b\nsyn a\nack b\nrst c\nfin a\nexpect b ack\n", &sc) && sc.n == 6;
    ok(good && sc.nconns == 3 && strcmp(sc.conns[0], "b") == 0 && strcmp(sc.conns[1], "a") == 0 &&
           strcmp(sc.conns[2], "c") == 0,
       "connections are numbered in order of first use");
    ok(good && sc.d[0].conn == 0 && sc.d[1].conn == 1 && sc.d[2].conn == 0 && sc.d[3].conn == 2 &&
           sc.d[4].conn == 1 && sc.d[5].u.expect.conn == 0,
       "each event and expectation refers to its connection's number");
    lq_scenario_free(&sc);

    good = parse("syn _x\nsyn a-b.c_9\nsyn None\nsyn ack\nsyn synack\nexpect ack ack\n", &sc);
    ok(good && sc.nconns == 5 && strcmp(sc.conns[1], "a-b.c_9") == 0 && sc.d[5].u.expect.conn == 3,
       "names: '_', '-', '.', digits; keywords other than the reserved ones");
    lq_scenario_free(&sc);
    ok(parse("syn c123456789012345678901234567890123456789012345678901234567890123", &sc) &&
           strlen(sc.conns[0]) == 64,
       "a 64-character connection name");
    lq_scenario_free(&sc);
    ok(parse("expect none\nsyn Z\nexpect Z rst", &sc) && sc.nconns == 1,
       "expectations add no connection");
    lq_scenario_free(&sc);

    good = parse("expect counter ListenDrops 1\nexpect counter AttemptFails 2\n"
                 "expect counter ListenDrops 3\n",
                 &sc);
    ok(good && sc.ncounter_names == 2 && strcmp(sc.counter_names[0], "ListenDrops") == 0 &&
           strcmp(sc.counter_names[1], "AttemptFails") == 0 && sc.d[0].u.expect.counter == 0 &&
           sc.d[1].u.expect.counter == 1 && sc.d[2].u.expect.counter == 0 &&
           sc.d[2].u.expect.value == 3,
       "counter names are numbered in order of first use");
    lq_scenario_free(&sc);

    /* the largest tables */
    size_t cap = 4096 * 16;
    char *s = malloc(cap);
    size_t len = 0;
    for (unsigned i = 0; i < 4096; i++)
        len += (size_t)snprintf(s + len, cap - len, "syn c%u\n", i);
    ok(parse(s, &sc) && sc.nconns == 4096 && strcmp(sc.conns[4095], "c4095") == 0,
       "4096 connections");
    lq_scenario_free(&sc);
    free(s);
}

/* ---- lq_parse_file ---- */

static void test_files(void)
{
    char dir[256];
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/lq-test-parse-valid.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) {
        tap_skip("lq_parse_file", "cannot create a temporary directory");
        return;
    }
    char path[512], empty[512], noext[512], big[512];
    snprintf(path, sizeof(path), "%s/my.scen.lq", dir);
    snprintf(empty, sizeof(empty), "%s/empty.lq", dir);
    snprintf(noext, sizeof(noext), "%s/plain", dir);
    snprintf(big, sizeof(big), "%s/big.lq", dir);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs("# x\nlisten 2\n", f);
        fclose(f);
    }
    f = fopen(empty, "wb");
    if (f)
        fclose(f);
    f = fopen(noext, "wb");
    if (f) {
        fputs("accept", f);
        fclose(f);
    }

    struct lq_scenario sc;
    struct lq_err err;
    int rc = lq_parse_file(path, &sc, &err);
    ok(rc == 0 && sc.n == 2 && sc.d[1].u.backlog == 2 && sc.path && strcmp(sc.path, path) == 0 &&
           sc.name && strcmp(sc.name, "my.scen") == 0,
       "lq_parse_file: path kept, name without directory and .lq");
    if (rc == 0)
        lq_scenario_free(&sc);
    rc = lq_parse_file(empty, &sc, &err);
    ok(rc == 0 && sc.n == 0 && sc.name && strcmp(sc.name, "empty") == 0,
       "lq_parse_file: an empty file is an empty scenario");
    if (rc == 0)
        lq_scenario_free(&sc);
    rc = lq_parse_file(noext, &sc, &err);
    ok(rc == 0 && sc.n == 1 && sc.name && strcmp(sc.name, "plain") == 0,
       "lq_parse_file: a name without .lq stays whole");
    if (rc == 0)
        lq_scenario_free(&sc);

    /* exactly 64 MiB is not "larger than 64 MiB": 16384 lines of 4095 blanks */
    f = fopen(big, "wb");
    bool made = f != NULL;
    char line[4096];
    memset(line, ' ', 4095);
    line[4095] = '\n';
    for (int i = 0; made && i < 16384; i++)
        made = fwrite(line, 1, sizeof(line), f) == sizeof(line);
    if (f)
        made = fclose(f) == 0 && made;
    if (made) {
        rc = lq_parse_file(big, &sc, &err);
        ok(rc == 0 && sc.n == 16384, "lq_parse_file: a file of exactly 64 MiB");
        if (rc)
            tap_diag("%s", err.msg);
        else
            lq_scenario_free(&sc);
    } else {
        tap_skip("lq_parse_file: a file of exactly 64 MiB", "cannot write 64 MiB to TMPDIR");
    }
    unlink(big);
    unlink(path);
    unlink(empty);
    unlink(noext);
    rmdir(dir);
}

int main(void)
{
    test_seed();
    test_sysctl();
    test_listen_sockopt();
    test_syn();
    test_ack_rst_fin();
    test_accept_wait();
    test_expect_state();
    test_expect_accept();
    test_family();
    test_listeners();
    test_expect_pkt();
    test_lexical();
    test_names();
    test_files();
    return tap_done();
}
