/* tests/unit/test_parse_errors.c: every error the .lq parser can report.
 *
 * Each lq_perr/lq_errf/lq_errno call site of the parser (harness/lang/parse*.c) is fed a small
 * malformed text (or file). The test checks -1, the exit status, that the
 * scenario was freed, the "where:LINE:COL: " prefix with the line and column
 * counted by hand (columns are 1-based byte positions, see the comments) and
 * a distinctive part of the message. Memory failures are injected through
 * this program's own strdup/strndup (and realloc, outside AddressSanitizer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/parse.h"
#include "tap.h"

/* ---- failure injection: the n-th call from now fails (0: none does) ---- */

static int fail_dup_at, fail_realloc_at;

static char *lq_test_dup(const char *s, size_t n)
{
    if (fail_dup_at && --fail_dup_at == 0)
        return NULL;
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

#undef strdup
#undef strndup
char *strdup(const char *s)
{
    return lq_test_dup(s, strlen(s));
}

char *strndup(const char *s, size_t n)
{
    return lq_test_dup(s, strnlen(s, n));
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LQ_TEST_SANITIZED_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#define LQ_TEST_SANITIZED_HEAP 1
#endif
#endif

#if defined(__GLIBC__) && !defined(LQ_TEST_SANITIZED_HEAP)
#define LQ_TEST_CAN_FAIL_REALLOC 1
extern void *__libc_realloc(void *p, size_t n);
void *realloc(void *p, size_t n)
{
    if (fail_realloc_at && --fail_realloc_at == 0)
        return NULL;
    return __libc_realloc(p, n);
}
#else
#define LQ_TEST_CAN_FAIL_REALLOC 0
#endif

/* ---- checks ---- */

static bool scenario_is_freed(const struct lq_scenario *sc)
{
    return sc->n == 0 && sc->d == NULL && sc->nconns == 0 && sc->conns == NULL &&
           sc->ncounter_names == 0 && sc->counter_names == NULL && sc->seed == LQ_DEFAULT_SEED;
}

/* Parses len bytes of text as "t.lq" and checks the error. */
static void check_err_n(const char *text, size_t len, int status, unsigned line, unsigned col,
                        const char *part, const char *name)
{
    struct lq_scenario sc;
    struct lq_err err;
    memset(&err, 0, sizeof(err));
    int rc = lq_parse_text(text, len, "t.lq", &sc, &err);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "t.lq:%u:%u: ", line, col);
    size_t pl = strlen(prefix);
    bool good = rc == -1 && err.status == status && strncmp(err.msg, prefix, pl) == 0 &&
                strstr(err.msg + pl, part) != NULL && scenario_is_freed(&sc);
    char shown[120]; /* the name on one line: "\n" and "\#" escaped, the rest cut */
    size_t k = 0;
    for (size_t i = 0; name[i] && k + 3 < sizeof(shown); i++) {
        if (name[i] == '\n' || name[i] == '#') { /* '#' would start a TAP directive */
            shown[k++] = '\\';
            shown[k++] = name[i] == '#' ? '#' : 'n';
        } else {
            shown[k++] =
                (unsigned char)name[i] < 0x20 || (unsigned char)name[i] >= 0x7f ? '?' : name[i];
        }
    }
    shown[k] = '\0';
    ok(good, "%s", shown);
    if (!good) {
        tap_diag("rc %d, status %d (want %d), freed %d", rc, err.status, status,
                 scenario_is_freed(&sc));
        tap_diag("message:  \"%s\"", err.msg);
        tap_diag("expected: \"%s...%s...\"", prefix, part);
    }
    if (rc == 0)
        lq_scenario_free(&sc);
}

/* A bad-input error in a NUL-terminated text; the text is the test name. */
#define ERR(text, line, col, part) \
    check_err_n((text), strlen(text), LQ_EXIT_BADINPUT, (line), (col), (part), (text))

/* A text made of n copies of "<prefix><i><suffix>\n", i = 0 .. n-1, then tail. */
static char *numbered_lines(const char *prefix, const char *suffix, unsigned n, const char *tail)
{
    size_t cap = (size_t)n * (strlen(prefix) + strlen(suffix) + 12) + strlen(tail) + 1;
    char *s = malloc(cap);
    size_t len = 0;
    for (unsigned i = 0; s && i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%u%s\n", prefix, i, suffix);
    if (s)
        snprintf(s + len, cap - len, "%s", tail);
    return s;
}

/* ---- lexical errors (lq_parse_text, lq_parse_line) ---- */

static void test_lexical(void)
{
    /* line longer than 4096 bytes: the column reported is 4096 */
    char line[4200];
    memset(line, 'x', 4097);
    line[0] = '#';
    line[4097] = '\n';
    line[4098] = '\0';
    check_err_n(line, 4098, LQ_EXIT_BADINPUT, 1, 4096, "line longer than 4096 bytes",
                "a 4097-byte comment line");
    char two[4200] = "seed 1\n";
    memset(two + 7, ' ', 4096);
    two[7 + 4096] = '\r'; /* the CR counts: 4097 bytes before the newline */
    two[7 + 4097] = '\n';
    check_err_n(two, 7 + 4098, LQ_EXIT_BADINPUT, 2, 4096, "line longer than 4096 bytes",
                "4096 blanks and a CR on line 2");

    /* NUL anywhere, comments included: its own column */
    check_err_n("seed 1\nsee\0d 2\n", 15, LQ_EXIT_BADINPUT, 2, 4, "unexpected NUL byte",
                "NUL inside a word");
    check_err_n("seed 1 # a\0b\n", 13, LQ_EXIT_BADINPUT, 1, 11, "unexpected NUL byte",
                "NUL inside a comment");

    /* 33 words: "a a a ...", word k starts at column 2k - 1, the 33rd at 65 */
    char words[100] = "";
    for (int i = 0; i < 33; i++)
        strcat(words, "a ");
    ERR(words, 1, 65, "too many words on one line (at most 32)");

    /* bytes outside printable ASCII in the code part */
    ERR("seed \x01", 1, 6, "unexpected byte 0x01 (scenarios are printable ASCII)");
    ERR("seed 1\x7f", 1, 7, "unexpected byte 0x7f");
    ERR("syn c\xc3\xa9", 1, 6, "unexpected byte 0xc3");
    ERR("listen\v1", 1, 7, "unexpected byte 0x0b");

    /* unknown directive */
    ERR("listen 1\nconnect c1", 2, 1, "unknown directive 'connect' (expected seed, family, sysctl");
    ERR("  SYN c1", 1, 3, "unknown directive 'SYN'");
    ERR("expect\nsyn", 1, 7, "expected expect none"); /* the first error wins */
}

static void test_too_many_lines(void)
{
    /* 200000 directives at most: line 200001 fails, on either path */
    size_t n = 200000;
    char *s = malloc(n + 16);
    memset(s, '\n', n);
    strcpy(s + n, "\n");
    check_err_n(s, n + 1, LQ_EXIT_BADINPUT, 200001, 1, "too many lines (at most 200000)",
                "200001 blank lines");
    strcpy(s + n, "# c\n");
    check_err_n(s, n + 4, LQ_EXIT_BADINPUT, 200001, 1, "too many lines (at most 200000)",
                "200000 blank lines and a comment line");
    strcpy(s + n, "accept\n");
    check_err_n(s, n + 7, LQ_EXIT_BADINPUT, 200001, 1, "too many lines (at most 200000)",
                "200000 blank lines and a directive");
    free(s);
}

/* ---- connection names (lq_conn_arg) ---- */

static void test_connections(void)
{
    ERR("syn", 1, 4, "'syn' needs a connection name (for example: syn c1)");
    ERR("ack", 1, 4, "'ack' needs a connection name");
    ERR("  rst  ", 1, 6, "'rst' needs a connection name");
    ERR("fin # c1", 1, 4, "'fin' needs a connection name");

    ERR("syn 1c", 1, 5, "'1c' is not a connection name");
    ERR("syn c1@x", 1, 5, "'c1@x' is not a connection name");
    ERR("ack none", 1, 5, "'none' is not a connection name");
    ERR("rst acceptq", 1, 5, "'acceptq' is not a connection name");
    ERR("fin EAGAIN", 1, 5, "'EAGAIN' is not a connection name");
    ERR("syn EINVAL", 1, 5, "not a connection name");
    ERR("syn counter", 1, 5, "not a connection name");
    ERR("syn backlog", 1, 5, "not a connection name");
    ERR("syn synq", 1, 5, "not a connection name");
    ERR("syn accept", 1, 5, "not a connection name");
    ERR("syn mss=5", 1, 5, "'mss=5' is not a connection name");
    /* 65 characters: one too many */
    ERR("syn c1234567890123456789012345678901234567890123456789012345678901234", 1, 5,
        "is not a connection name");
    ERR("syn c1\nexpect accept 9", 2, 15, "'9' is not a connection name");
    ERR("syn c1\nexpect accept accept", 2, 15, "'accept' is not a connection name");

    ERR("expect c1 synack", 1, 8, "unknown connection 'c1': no event before this line uses it");
    ERR("syn c1\nexpect c2 ack", 2, 8, "unknown connection 'c2'");
    ERR("syn c1\nexpect accept c2", 2, 15, "unknown connection 'c2'");
    ERR("syn C1\nexpect c1 ack", 2, 8, "unknown connection 'c1'"); /* case matters */

    /* 4096 connections at most: the 4097th name, on line 4097, fails */
    char *s = numbered_lines("syn c", "", 4097, "");
    check_err_n(s, strlen(s), LQ_EXIT_BADINPUT, 4097, 5, "too many connections (at most 4096)",
                "4097 connections");
    free(s);
}

/* ---- set-up directives ---- */

static void test_setup(void)
{
    ERR("seed", 1, 5, "'seed' needs a number");
    ERR("seed -1", 1, 6, "expected an integer in 0..9223372036854775807 after 'seed', found '-1'");
    ERR("seed +1", 1, 6, "found '+1'");
    ERR("seed 9223372036854775808", 1, 6, "after 'seed'");
    ERR("seed 0x10", 1, 6, "found '0x10'");
    ERR("seed 1 2", 1, 8, "unexpected '2' at the end of the line (the form is: seed N)");

    ERR("listen", 1, 7, "'listen' needs a number");
    ERR("listen 2147483648", 1, 8,
        "expected an integer in -2147483648..2147483647 after 'listen', found '2147483648'");
    ERR("listen -2147483649", 1, 8, "after 'listen'");
    ERR("listen 1.5", 1, 8, "found '1.5'");
    ERR("listen -", 1, 8, "found '-'");
    ERR("listen 1 2", 1, 10, "unexpected '2' at the end of the line (the form is: listen BACKLOG)");

    ERR("sysctl", 1, 7, "expected sysctl NAME=VALUE, NAME one of net.core.somaxconn");
    ERR("sysctl net.core.somaxconn", 1, 8,
        "expected NAME=VALUE after 'sysctl', found 'net.core.somaxconn'");
    ERR("sysctl net.ipv4.tcp_fin_timeout=5", 1, 8,
        "unknown sysctl 'net.ipv4.tcp_fin_timeout' (expected NAME=VALUE");
    ERR("sysctl =5", 1, 8, "unknown sysctl ''");
    ERR("sysctl NET.CORE.SOMAXCONN=5", 1, 8, "unknown sysctl 'NET.CORE.SOMAXCONN'");
    /* the value's column: 8 + strlen("net.core.somaxconn") (18) + 1 = 27 */
    ERR("sysctl net.core.somaxconn=abc", 1, 27, "expected an integer value for net.core.somaxconn");
    ERR("sysctl net.core.somaxconn=", 1, 27, "expected an integer value");
    ERR("sysctl net.core.somaxconn=2147483648", 1, 27, "expected an integer value");
    ERR("sysctl net.core.somaxconn=1=2", 1, 27, "expected an integer value");
    /* 8 + strlen("net.ipv4.tcp_syncookies") (23) + 1 = 32 */
    ERR("sysctl net.ipv4.tcp_syncookies=3", 1, 32,
        "net.ipv4.tcp_syncookies=3 is out of range: the kernel accepts 0..2");
    ERR("sysctl net.core.somaxconn=-1", 1, 27,
        "net.core.somaxconn=-1 is out of range: the kernel accepts 0..2147483647");
    /* 8 + strlen("net.ipv4.tcp_abort_on_overflow") (30) + 1 = 39 */
    ERR("sysctl net.ipv4.tcp_abort_on_overflow=2", 1, 39, "the kernel accepts 0..1");
    /* 8 + strlen("net.ipv4.tcp_synack_retries") (27) + 1 = 36 */
    ERR("sysctl net.ipv4.tcp_synack_retries=256", 1, 36, "the kernel accepts 0..255");
    /* 8 + strlen("net.ipv4.tcp_timestamps") (23) + 1 = 32 */
    ERR("sysctl net.ipv4.tcp_timestamps=-1", 1, 32, "the kernel accepts 0..2");
    /* 8 + strlen("net.ipv4.tcp_sack") (17) + 1 = 26 */
    ERR("sysctl net.ipv4.tcp_sack=2", 1, 26, "the kernel accepts 0..1");
    /* 8 + strlen("net.ipv4.tcp_window_scaling") (27) + 1 = 36 */
    ERR("sysctl net.ipv4.tcp_window_scaling=5", 1, 36, "the kernel accepts 0..1");
    /* "net.core.somaxconn=1" is columns 8..27, the extra word starts at 29 */
    ERR("sysctl net.core.somaxconn=1 x", 1, 29,
        "unexpected 'x' at the end of the line (the form is: sysctl NAME=VALUE)");

    ERR("sockopt", 1, 8,
        "expected sockopt TCP_DEFER_ACCEPT=SECONDS, sockopt TCP_SYNCNT=N, sockopt TCP_MAXSEG=N, "
        "sockopt TCP_FASTOPEN=N or sockopt IPV6_V6ONLY=N");
    ERR("sockopt TCP_FASTOPEN", 1, 21, "expected =INTEGER after TCP_FASTOPEN");
    /* syn ... tfo: the value starts at column 12 */
    ERR("syn c1 tfo=good", 1, 12,
        "expected tfo (a cookie request), tfo=echo (the cookie the last SYN-ACK carried) or "
        "tfo=bad");
    ERR("syn c1 tfo tfo=echo", 1, 12, "option 'tfo' given twice");
    ERR("sockopt IPV6_V6ONLY", 1, 20, "expected =INTEGER after IPV6_V6ONLY");
    /* SO_ATTACH_REUSEPORT_CBPF is 24 characters: the value starts at 9 + 24 + 1 = 34 */
    ERR("sockopt SO_ATTACH_REUSEPORT_CBPF=0", 1, 34,
        "SO_ATTACH_REUSEPORT_CBPF=0 is out of range: N in 1..65535");
    ERR("sockopt SO_ATTACH_REUSEPORT_CBPF=65536", 1, 34,
        "SO_ATTACH_REUSEPORT_CBPF=65536 is out of range: N in 1..65535");
    ERR("sockopt SO_ATTACH_REUSEPORT_CBPF", 1, 33,
        "expected =INTEGER after SO_ATTACH_REUSEPORT_CBPF");

    /* listener NAME [reuseport] and the listener argument */
    ERR("listener", 1, 9, "'listener' needs a name (for example: listener L1 reuseport)");
    ERR("listener 1x", 1, 10, "'1x' is not a listener name");
    ERR("listener none", 1, 10, "'none' is not a listener name");
    ERR("listener L1 fast", 1, 13, "unexpected 'fast' (expected reuseport or nothing)");
    ERR("listener L1 reuseport x", 1, 23,
        "unexpected 'x' at the end of the line (the form is: listener NAME [reuseport])");
    /* printed after a listener exists, line 1 would name it: refused (a
     * parse fuzzer finding: print(parse(x)) did not parse) */
    ERR("expect synq 2\nlistener in0 reuseport", 2, 1,
        "'listener' must come before line 1, which names no listener");
    ERR("listen 1\nlistener L1", 2, 1,
        "'listener' must come before the first event (the listeners are bound when the "
        "scenario starts)");
    ERR("listener L1 reuseport\nlistener L1 reuseport", 2, 10, "a second listener 'L1'");
    ERR("listener L1\nlistener L2 reuseport", 2, 10,
        "listener 'L2' shares the port of 'L1': both need reuseport (SO_REUSEPORT before bind)");
    /* "listener L2" without reuseport: just after the name, 10 + 2 */
    ERR("listener L1 reuseport\nlistener L2", 2, 12, "listener 'L2' shares the port of 'L1'");
    ERR("listener a reuseport\nlistener b reuseport\nlistener c reuseport\nlistener d "
        "reuseport\nlistener e reuseport\nlistener f reuseport\nlistener g reuseport\nlistener "
        "h reuseport\nlistener i reuseport",
        9, 10, "too many listeners (at most 8)");
    ERR("listener L1 reuseport\nlisten 4", 2, 8,
        "'4' is not a listener: 'listen' needs a listener name here: this scenario declares "
        "listeners (the first is 'L1')");
    ERR("listener L1 reuseport\nlisten L2 4", 2, 8, "'L2' is not a listener: 'listen' needs");
    /* "accept" alone: just after the verb */
    ERR("listener L1 reuseport\naccept", 2, 7, "'accept' needs a listener name here");
    ERR("listener L1 reuseport\nsockopt TCP_SYNCNT=2", 2, 9,
        "'TCP_SYNCNT=2' is not a listener: 'sockopt' needs");
    ERR("listener L1 reuseport\nexpect synq 1", 2, 13,
        "'1' is not a listener: 'expect synq' needs a listener name here");
    ERR("listener L1 reuseport\nlisten L1 4 5", 2, 13,
        "unexpected '5' at the end of the line (the form is: listen BACKLOG)");
    ERR("listener L1 reuseport\naccept L1 x", 2, 11,
        "unexpected 'x' at the end of the line (the form is: accept LISTENER)");
    ERR("listen L1 4", 1, 8, "unknown listener 'L1' (declare it first: listener L1 reuseport)");
    ERR("sockopt L1 TCP_SYNCNT=2", 1, 9, "unknown listener 'L1'");
    ERR("expect acceptq L1 1", 1, 16, "unknown listener 'L1'");
    ERR("listener L1 reuseport\nsyn L1", 2, 5, "'L1' is a listener, not a connection");
    ERR("listener L1 reuseport\nlisten L1 1\nsyn c1\nexpect L1 synack", 4, 8,
        "'L1' is a listener, not a connection");
    ERR("sockopt IPV6_V6ONLY=yes", 1, 21, "expected =INTEGER after IPV6_V6ONLY");
    ERR("sockopt TCP_NODELAY=1", 1, 9, "unknown socket option 'TCP_NODELAY=1'");
    ERR("sockopt tcp_syncnt=1", 1, 9, "unknown socket option 'tcp_syncnt=1'");
    /* no '=': right after the name, 9 + strlen("TCP_SYNCNT") (10) = 19 */
    ERR("sockopt TCP_SYNCNT", 1, 19, "expected =INTEGER after TCP_SYNCNT");
    /* a bad value: 9 + strlen("TCP_DEFER_ACCEPT") (16) + 1 = 26 */
    ERR("sockopt TCP_DEFER_ACCEPT=x", 1, 26, "expected =INTEGER after TCP_DEFER_ACCEPT");
    ERR("sockopt TCP_DEFER_ACCEPT=", 1, 26, "expected =INTEGER after TCP_DEFER_ACCEPT");
    ERR("sockopt TCP_DEFER_ACCEPT=2147483648", 1, 26, "expected =INTEGER");
    /* 9 + 10 + 1 = 20 */
    ERR("sockopt TCP_SYNCNT=0", 1, 20, "TCP_SYNCNT=0 is out of range: the kernel accepts 1..127");
    ERR("sockopt TCP_SYNCNT=128", 1, 20, "TCP_SYNCNT=128 is out of range");
    /* tcp_sock_set_maxseg: 0 or TCP_MIN_MSS (88) .. MAX_TCP_WINDOW (32767) */
    ERR("sockopt TCP_MAXSEG=87", 1, 20,
        "TCP_MAXSEG=87 is out of range: the kernel accepts 0 or 88..32767");
    ERR("sockopt TCP_MAXSEG=32768", 1, 20, "TCP_MAXSEG=32768 is out of range");
    ERR("sockopt TCP_MAXSEG=-1", 1, 20, "TCP_MAXSEG=-1 is out of range");
    /* "TCP_SYNCNT=3" is columns 9..20 */
    ERR("sockopt TCP_SYNCNT=3 x", 1, 22,
        "unexpected 'x' at the end of the line (the form is: sockopt TCP_DEFER_ACCEPT");
}

/* ---- segment events (lq_parse_segment and its option parsers) ---- */

/* family ipv4|ipv6|dual, and a connection's ipv4/ipv6 in a dual scenario. */
static void test_family(void)
{
    ERR("family", 1, 7, "'family' needs ipv4, ipv6 or dual");
    ERR("family ip6", 1, 8, "unknown family 'ip6' (expected ipv4, ipv6 or dual)");
    ERR("family IPV6", 1, 8, "unknown family 'IPV6'");
    ERR("family ipv6 dual", 1, 13,
        "unexpected 'dual' at the end of the line (the form is: family ipv4|ipv6|dual)");
    ERR("family ipv6\nfamily ipv4", 2, 1, "a second 'family' line (the first is line 1)");
    ERR("family ipv6\n\n# x\nfamily ipv6", 4, 1, "a second 'family' line (the first is line 1)");
    ERR("listen 1\nfamily ipv6", 2, 1,
        "'family' must come before the first event (it chooses the listener's socket)");
    ERR("sysctl net.ipv4.tcp_syncookies=0\nfamily dual", 2, 1,
        "'family' must come before the first event");
    ERR("syn c1 ipv4", 1, 8,
        "'ipv4' chooses a connection's family in a dual-stack scenario only (this one has no "
        "'family dual' line before it)");
    ERR("family ipv6\nsyn c1 ipv6", 2, 8,
        "'ipv6' chooses a connection's family in a dual-stack scenario only");
    ERR("family dual\nsyn c1\nack c1 ipv4", 3, 8,
        "'ipv4': connection 'c1' is IPv6 (its first event chose it)");
    ERR("family dual\nsyn c1 ipv4\nack c2\nack c1 ipv6", 4, 8,
        "'ipv6': connection 'c1' is IPv4 (its first event chose it)");
    ERR("family dual\nsyn c1 ipv4 ipv6", 2, 13, "option 'ipv6' given twice");
    ERR("family dual\nsyn c1 ipv4 ipv4", 2, 13, "option 'ipv4' given twice");
    ERR("family dual\nsyn c1 IPv4", 2, 8, "unknown option 'IPv4' for syn");
}

static void test_segments(void)
{
    /* options start at column 8 after "syn c1 " */
    ERR("syn c1 mss", 1, 11, "expected mss=N with N in 0..65535");
    ERR("syn c1 mss=", 1, 12, "expected mss=N with N in 0..65535");
    ERR("syn c1 mss=65536", 1, 12, "expected mss=N");
    ERR("syn c1 mss=-1", 1, 12, "expected mss=N");
    ERR("syn c1 wscale", 1, 14, "expected wscale=N with N in 0..255");
    ERR("syn c1 wscale=256", 1, 15, "expected wscale=N with N in 0..255");
    ERR("syn c1 wscale=+1", 1, 15, "expected wscale=N");
    ERR("syn c1 newisn=0", 1, 15, "expected newisn or newisn=+N (a non-zero offset");
    ERR("syn c1 newisn=+0", 1, 15, "expected newisn or newisn=+N");
    ERR("syn c1 newisn=", 1, 15, "expected newisn or newisn=+N");
    ERR("syn c1 newisn=2147483648", 1, 15, "expected newisn or newisn=+N");
    ERR("syn c1 newisn=-2147483648", 1, 15, "expected newisn or newisn=+N");
    ERR("syn c1 newisn=bad", 1, 15, "expected newisn or newisn=+N");

    ERR("ack c1 ack=good", 1, 12, "expected ack=bad or ack=old");
    ERR("rst c1 ack=", 1, 12, "expected ack=bad or ack=old");
    ERR("fin c1 ack=BAD", 1, 12, "expected ack=bad or ack=old");
    ERR("ack c1 seq", 1, 11, "expected seq=bad or seq=+N");
    ERR("rst c1 seq", 1, 11, "expected seq=bad or seq=+N");
    ERR("ack c1 seq=5", 1, 12, "expected seq=bad or seq=+N / seq=-N (an offset");
    ERR("fin c1 seq=", 1, 12, "expected seq=bad or seq=+N / seq=-N");
    ERR("rst c1 seq=+1000000001", 1, 12, "expected seq=bad or seq=+N / seq=-N");
    ERR("ack c1 seq=-1000000001", 1, 12, "expected seq=bad or seq=+N / seq=-N");
    ERR("ack c1 seq=+", 1, 12, "expected seq=bad or seq=+N / seq=-N");
    ERR("ack c1 tsval", 1, 13, "expected tsval=old");
    ERR("ack c1 tsval=new", 1, 14, "expected tsval=old");
    ERR("ack c1 tsval=+0", 1, 14,
        "expected tsval=old or tsval=syn, or tsval=+N with N in 1..1073741824");
    ERR("fin c1 tsval=+1073741825", 1, 14, "expected tsval=old or tsval=syn, or tsval=+N");
    ERR("rst c1 tsval=5", 1, 14, "expected tsval=old or tsval=syn, or tsval=+N");
    ERR("ack c1 tsval=-5", 1, 14, "expected tsval=old or tsval=syn, or tsval=+N");
    ERR("ack c1 tsval=old tsval=+5", 1, 18, "given twice");
    ERR("ack c1 ack=+0", 1, 12, "expected ack=bad or ack=old, or ack=+N with N in 1..1073741824");
    ERR("ack c1 ack=+1073741825", 1, 12, "expected ack=bad or ack=old, or ack=+N");
    ERR("fin c1 ack=-1", 1, 12, "expected ack=bad or ack=old, or ack=+N");
    ERR("ack c1 ack=+1 ack=bad", 1, 15, "given twice");
    ERR("fin c1 noack ack=+1", 1, 1, "noack and ack=bad/old contradict each other");
    ERR("ack c1 win=65536", 1, 12, "expected win=N with N in 0..65535");
    ERR("ack c1 win=-1", 1, 12, "expected win=N with N in 0..65535");
    ERR("ack c1 win", 1, 11, "expected win=N with N in 0..65535");
    ERR("fin c1 win=100", 1, 8, "unknown option 'win=100' for fin");
    ERR("ack c1 win=1 win=2", 1, 14, "given twice");
    ERR("rst c1 tsval=", 1, 14, "expected tsval=old");
    ERR("ack c1 tsval=0", 1, 14, "expected tsval=old or tsval=syn");
    ERR("syn c1 tsval=1", 1, 14, "expected tsval=0 (a SYN timestamp of TSval 0)");
    ERR("syn c1 tsval", 1, 13, "expected tsval=0");
    ERR("syn c1 tsval=syn", 1, 14, "expected tsval=0");
    ERR("syn c1 ack ack", 1, 12, "option 'ack' given twice");
    ERR("ack c1 tsval=old tsval=syn", 1, 18, "option 'tsval' given twice");
    ERR("fin c1 tsecr", 1, 13, "expected tsecr=bad");
    ERR("fin c1 tsecr=ok", 1, 14, "expected tsecr=bad");
    ERR("rst c1 tsecr=", 1, 14, "expected tsecr=bad");
    ERR("ack c1 len", 1, 11, "expected len=N with N in 0..1400 (payload bytes)");
    ERR("ack c1 len=1401", 1, 12, "expected len=N with N in 0..1400");
    ERR("syn c1 len=+1", 1, 12, "expected len=N");
    ERR("fin c1 len=x", 1, 12, "expected len=N");

    /* options that do not belong to the verb */
    ERR("syn c1 ack=bad", 1, 8,
        "unknown option 'ack=bad' for syn (expected mss=N, ts, tsval=0, sack");
    ERR("syn c1 seq=bad", 1, 8, "unknown option 'seq=bad' for syn");
    ERR("syn c1 tsval=old", 1, 14, "expected tsval=0 (a SYN timestamp of TSval 0)");
    ERR("syn c1 noack", 1, 8, "unknown option 'noack' for syn");
    ERR("syn c1 ts=1", 1, 8, "unknown option 'ts=1' for syn");
    ERR("syn c1 SACK", 1, 8, "unknown option 'SACK' for syn");
    ERR("ack c1 ack", 1, 8, "unknown option 'ack' for ack (expected ack=bad|old, seq=bad|+N|-N");
    ERR("ack c1 noack", 1, 8, "unknown option 'noack' for ack");
    ERR("ack c1 mss=1460", 1, 8, "unknown option 'mss=1460' for ack");
    ERR("ack c1 fin", 1, 8, "unknown option 'fin' for ack");
    ERR("rst c1 len=5", 1, 8, "unknown option 'len=5' for rst (expected seq=bad|+N|-N, ack");
    ERR("rst c1 noack", 1, 8, "unknown option 'noack' for rst");
    ERR("fin c1 fin", 1, 8, "unknown option 'fin' for fin (expected ack=bad");
    ERR("fin c1 ack", 1, 8, "unknown option 'ack' for fin");
    ERR("fin c1 newisn", 1, 8, "unknown option 'newisn' for fin");

    /* twice: the second one is reported */
    ERR("syn c1 ts ts", 1, 11, "option 'ts' given twice");
    ERR("syn c1 mss=1 sack mss=2", 1, 19, "option 'mss' given twice");
    ERR("syn c1 newisn newisn=+1", 1, 15, "option 'newisn' given twice");
    ERR("syn c1 fin fin", 1, 12, "option 'fin' given twice");
    ERR("syn c1 len=1 len=1", 1, 14, "option 'len' given twice");
    ERR("syn c1 wscale=1 wscale=1", 1, 17, "option 'wscale' given twice");
    ERR("syn c1 sack sack", 1, 13, "option 'sack' given twice");
    ERR("ack c1 seq=+1 seq=bad", 1, 15, "option 'seq' given twice");
    ERR("ack c1 seq=+0 seq=+0", 1, 15, "option 'seq' given twice");
    ERR("fin c1 ack=bad ack=bad", 1, 16, "option 'ack' given twice");
    ERR("rst c1 ack ack", 1, 12, "option 'ack' given twice");
    ERR("fin c1 noack noack", 1, 14, "option 'noack' given twice");
    ERR("ack c1 tsval=old tsval=old", 1, 18, "option 'tsval' given twice");
    ERR("rst c1 tsecr=bad tsecr=bad", 1, 18, "option 'tsecr' given twice");

    /* contradiction: reported at the verb */
    ERR("fin c1 noack ack=bad", 1, 1, "noack and ack=bad/old contradict each other");
    ERR("  fin c1 ack=bad noack", 1, 3, "noack and ack=bad/old contradict each other");
    ERR("fin c1 ack=old noack", 1, 1, "noack and ack=bad/old contradict each other");
}

/* ---- accept, wait ---- */

static void test_accept_wait(void)
{
    ERR("accept now", 1, 8,
        "unexpected 'now' at the end of the line (the form is: accept, nothing after it)");
    ERR("accept c1", 1, 8,
        "unexpected 'c1' at the end of the line (the form is: accept, nothing after it)");

    ERR("wait", 1, 5, "'wait' needs a duration (for example: wait 1500ms, wait 2s)");
    ERR("wait 5", 1, 6, "expected a duration like 1500ms or 2s, found '5'");
    ERR("wait s", 1, 6, "expected a duration like 1500ms or 2s, found 's'");
    ERR("wait 5m", 1, 6, "expected a duration like 1500ms or 2s, found '5m'");
    ERR("wait 2S", 1, 6, "expected a duration like 1500ms or 2s");
    ERR("wait 0ms", 1, 6, "expected a duration between 1ms and 600s, found '0ms'");
    ERR("wait 0s", 1, 6, "expected a duration between 1ms and 600s, found '0s'");
    ERR("wait 601s", 1, 6, "expected a duration between 1ms and 600s, found '601s'");
    ERR("wait 600001ms", 1, 6, "found '600001ms'");
    ERR("wait 1.5s", 1, 6, "found '1.5s'");
    ERR("wait +1s", 1, 6, "found '+1s'");
    ERR("wait ms", 1, 6, "found 'ms'");
    ERR("wait 5mss", 1, 6, "found '5mss'");
    ERR("wait 1s 2s", 1, 9, "unexpected '2s' at the end of the line (the form is: wait DURATION)");
}

/* ---- expect (lq_parse_expect, lq_parse_expect_pkt) ---- */

static void test_expect(void)
{
    ERR("expect", 1, 7, "expected expect none | expect accept NAME [mss=N[@ipv4|@ipv6]]");
    ERR("expect # nothing", 1, 7, "expected expect none");
    ERR("expect none x", 1, 13, "unexpected 'x' at the end of the line (the form is: expect none)");
    ERR("expect 5", 1, 8, "unexpected '5' (expected expect none |");
    ERR("expect EAGAIN", 1, 8, "unexpected 'EAGAIN' (expected expect none |");
    ERR("expect NONE", 1, 8, "unknown connection 'NONE'");

    ERR("expect acceptq", 1, 15, "expected a count after 'expect acceptq'");
    ERR("expect synq -1", 1, 13, "expected a count after 'expect synq'");
    ERR("expect backlog x", 1, 16, "expected a count after 'expect backlog'");
    ERR("expect acceptq +1", 1, 16, "expected a count after 'expect acceptq'");
    ERR("expect synq 2147483648", 1, 13, "expected a count after 'expect synq'");
    ERR("expect acceptq 1 2", 1, 18,
        "unexpected '2' at the end of the line (the form is: expect acceptq|synq|backlog N)");
    ERR("expect backlog 1 # ok\nexpect synq 0 0", 2, 15, "unexpected '0'");

    ERR("expect counter", 1, 15, "expected a counter name (for example: expect counter");
    ERR("expect counter Listen-Overflows 1", 1, 16,
        "'Listen-Overflows' is not a counter name (at most 64 letters, digits, '_' and ':')");
    ERR("expect counter a.b 1", 1, 16, "'a.b' is not a counter name");
    /* a misspelt name is caught here rather than left unchecked */
    ERR("expect counter ListenOverflow 1", 1, 16,
        "unknown counter 'ListenOverflow' (expected a TcpExt or Tcp counter name");
    ERR("expect counter Udp:InDatagrams 1", 1, 16, "unknown counter 'Udp:InDatagrams'");
    /* 65 characters: one too many */
    ERR("expect counter C1234567890123456789012345678901234567890123456789012345678901234 1", 1, 16,
        "is not a counter name");
    /* "ListenDrops" is 11 characters at column 16: the value belongs at 28 */
    ERR("expect counter ListenDrops", 1, 27,
        "expected the change of ListenDrops since the scenario started (an integer)");
    ERR("expect counter ListenDrops 1.5", 1, 28, "expected the change of ListenDrops");
    ERR("expect counter ListenDrops 4611686018427387904", 1, 28, "expected the change of");
    ERR("expect counter ListenDrops 1 2", 1, 30,
        "unexpected '2' at the end of the line (the form is: expect counter NAME N)");

    ERR("expect accept", 1, 14, "expected a connection name or EAGAIN after 'expect accept'");
    ERR("expect accept EAGAIN mss=1", 1, 22,
        "unexpected 'mss=1' at the end of the line (the form is: expect accept EAGAIN)");
    ERR("expect accept EINVAL x", 1, 22,
        "unexpected 'x' at the end of the line (the form is: expect accept EAGAIN)");
    ERR("syn c1\nexpect accept c1 foo", 2, 18, "unexpected 'foo' (expected mss=N[@ipv4|@ipv6])");
    ERR("syn c1\nexpect accept c1 mss", 2, 18, "unexpected 'mss' (expected mss=N[@ipv4|@ipv6])");
    ERR("syn c1\nexpect accept c1 wscale=7", 2, 18,
        "unexpected 'wscale=7' (expected mss=N[@ipv4|@ipv6])");
    /* family-specific values: mss=N@ipv4 / mss=N@ipv6, each family once */
    ERR("syn c1\nexpect accept c1 mss=1460@ipv5", 2, 27,
        "expected @ipv4 or @ipv6 after mss=1460 (the family the value is for)");
    ERR("syn c1\nexpect accept c1 mss=1460@", 2, 27, "expected @ipv4 or @ipv6 after mss=1460");
    ERR("syn c1\nexpect accept c1 mss=@ipv6", 2, 22, "expected mss=N with N in 0..65535");
    ERR("syn c1\nexpect accept c1 mss=1460 mss=1440@ipv6", 2, 27,
        "'mss=1440@ipv6' repeats an earlier mss check on this line");
    ERR("syn c1\nexpect accept c1 mss=1@ipv4 mss=2@ipv4", 2, 29,
        "'mss=2@ipv4' repeats an earlier mss check on this line");
    ERR("syn c1\nexpect accept c1 mss=1@ipv4 mss=2@ipv6 x", 2, 40,
        "unexpected 'x' at the end of the line (the form is: expect accept NAME "
        "[mss=N[@ipv4|@ipv6] ...])");
    ERR("syn c1\nexpect c1 synack mss=1460@ipv6 mss=1@ipv6", 2, 32,
        "'mss=1@ipv6' contradicts or repeats an earlier check on this line");
    ERR("syn c1\nexpect c1 synack mss=1460 mss=1@ipv4", 2, 27,
        "'mss=1@ipv4' contradicts or repeats an earlier check on this line");
    ERR("syn c1\nexpect c1 synack mss=1460@ip", 2, 27, "expected @ipv4 or @ipv6 after mss=1460");
    /* the value of "mss=" at 18 starts at 22 */
    ERR("syn c1\nexpect accept c1 mss=70000", 2, 22, "expected mss=N with N in 0..65535");
    ERR("syn c1\nexpect accept c1 mss=", 2, 22, "expected mss=N with N in 0..65535");
    ERR("syn c1\nexpect accept c1 mss=1 x", 2, 24, "unexpected 'x' (expected mss=N[@ipv4|@ipv6])");

    ERR("syn c1\nexpect c1", 2, 10, "expected synack, ack, rst or fin after 'expect c1'");
    ERR("syn c1\nexpect c1 syn", 2, 11,
        "expected synack, ack, rst or fin after the connection, found 'syn'");
    ERR("syn c1\nexpect c1 fin ts", 2, 15, "'fin' takes no options (only synack does)");
    /* icmp: docs/scenario-format.md */
    ERR("icmp c1 port-unreach", 1, 6, "unknown connection 'c1': no event before this line uses it");
    ERR("syn c1\nicmp c1", 2, 8, "'icmp c1' needs the error's kind");
    ERR("syn c1\nicmp c1 port-unreachable", 2, 9, "unknown ICMP error 'port-unreachable'");
    ERR("syn c1\nicmp c1 frag-needed", 2, 20, "frag-needed needs mtu=N");
    ERR("syn c1\nicmp c1 frag-needed mtu=65536", 2, 25, "expected mtu=N with N in 0..65535");
    ERR("syn c1\nicmp c1 frag-needed mtu=1280 mtu=1400", 2, 30, "option 'mtu' given twice");
    ERR("syn c1\nicmp c1 port-unreach mtu=1280", 2, 22,
        "mtu=N belongs to frag-needed only (this is port-unreach)");
    ERR("syn c1\nicmp c1 param-problem seq=1", 2, 27, "expected seq=bad or seq=+N / seq=-N");
    ERR("syn c1\nicmp c1 param-problem seq=+1 seq=+2", 2, 30, "option 'seq' given twice");
    ERR("syn c1\nicmp c1 ttl-exceeded len=5", 2, 22, "unknown option 'len=5' for icmp");
    ERR("family dual\nsyn c1 ipv4\nicmp c1 ttl-exceeded ipv4", 3, 22,
        "unknown option 'ipv4' for icmp");
    ERR("listener a reuseport\nlistener b reuseport\nicmp a port-unreach", 3, 6,
        "'a' is a listener, not a connection");
    /* close, shutdown */
    ERR("close c9", 1, 7, "unknown connection 'c9': no event before this line uses it");
    ERR("syn c1\nclose c1 now", 2, 10,
        "unexpected 'now' at the end of the line (the form is: close [CONN])");
    ERR("close 3", 1, 7, "'3' is not a connection name");
    /* close / shutdown LISTENER: the name comes out of the line first */
    ERR("listener A reuseport\nlistener B reuseport\nsyn c1\nclose B c1", 4, 9,
        "unexpected 'c1' at the end of the line (the form is: close [LISTENER|CONN])");
    ERR("listener A reuseport\nlistener B reuseport\nshutdown B", 3, 11,
        "'shutdown' needs SHUT_RD, SHUT_WR or SHUT_RDWR");
    ERR("listener A reuseport\nlistener B reuseport\nshutdown B SHUT_RD A", 3, 20,
        "unexpected 'A' at the end of the line (the form is: shutdown [LISTENER] SHUT_RD|");
    ERR("close A", 1, 7, "unknown connection 'A': no event before this line uses it");
    ERR("shutdown", 1, 9, "'shutdown' needs SHUT_RD, SHUT_WR or SHUT_RDWR");
    ERR("shutdown SHUT_rd", 1, 10,
        "unknown shutdown mode 'SHUT_rd' (expected SHUT_RD, SHUT_WR or SHUT_RDWR)");
    ERR("shutdown SHUT_RD SHUT_WR", 1, 18, "unexpected 'SHUT_WR' at the end of the line");
    ERR("syn c1\nexpect c1 SYNACK", 2, 11, "found 'SYNACK'");
    ERR("syn c1\nexpect c1 none", 2, 11, "found 'none'");
    /* "expect c1 ack " is 14 characters: the option is at 15 */
    ERR("syn c1\nexpect c1 ack mss=5", 2, 15, "'ack' takes no options (only synack does)");
    ERR("syn c1\nexpect c1 rst cookie", 2, 15, "'rst' takes no options (only synack does)");
    /* "expect c1 synack " is 17 characters: checks start at 18 */
    ERR("syn c1\nexpect c1 synack mss=x", 2, 22, "expected mss=N with N in 0..65535");
    ERR("syn c1\nexpect c1 synack mss=65536", 2, 22, "expected mss=N with N in 0..65535");
    ERR("syn c1\nexpect c1 synack wscale=15", 2, 25, "expected wscale=N with N in 0..14");
    ERR("syn c1\nexpect c1 synack wscale=", 2, 25, "expected wscale=N with N in 0..14");
    ERR("syn c1\nexpect c1 synack mss", 2, 18,
        "unknown synack check 'mss' (expected mss=N[@ipv4|@ipv6], wscale=N, nowscale, sack, "
        "nosack, ts, nots, cookie, nocookie, ecn, noecn, tfo-cookie, notfo-cookie)");
    ERR("syn c1\nexpect c1 synack ecn noecn", 2, 22,
        "'noecn' contradicts or repeats an earlier check on this line");
    /* seg: any flags */
    ERR("syn c1 ecn ecn", 1, 12, "option 'ecn' given twice");
    ERR("ack c1 ecn", 1, 8, "unknown option 'ecn' for ack");
    ERR("seg c1", 1, 7, "'seg' needs flags=F|G|... (for example: seg c1 flags=SYN|ACK)");
    ERR("seg c1 seq=+1", 1, 14, "'seg' needs flags=F|G|...");
    ERR("seg c1 flags=", 1, 14, "expected flags=F|G|... with FIN, SYN, RST, PSH, ACK, URG, ECE");
    ERR("seg c1 flags=SYN|ACX", 1, 18, "unknown flag 'ACX' (expected FIN, SYN, RST, PSH, ACK");
    ERR("seg c1 flags=syn", 1, 14, "unknown flag 'syn'");
    ERR("seg c1 flags=SYN|SYN", 1, 18, "flag 'SYN' given twice");
    ERR("seg c1 flags=SYN|", 1, 18, "expected a flag after '|'");
    ERR("seg c1 flags=none|ACK", 1, 14, "unknown flag 'none'");
    ERR("seg c1 flags=ACK flags=SYN", 1, 18, "option 'flags' given twice");
    ERR("seg c1 flags=SYN ack=bad", 1, 1, "ack=bad/old/+N sets the acknowledgement number");
    ERR("seg c1 flags=ACK mss=1460", 1, 18, "unknown option 'mss=1460' for seg");
    ERR("seg c1 flags=ACK noack", 1, 18, "unknown option 'noack' for seg");
    ERR("seg c1 flags=ACK ipv4", 1, 18, "chooses a connection's family in a dual-stack");
    ERR("seg none flags=ACK", 1, 5, "'none' is not a connection name");
    ERR("sysctl net.ipv4.tcp_ecn=3", 1, 25,
        "net.ipv4.tcp_ecn=3 is out of range: the kernel accepts 0..2");
    ERR("syn c1\nexpect c1 synack wscale", 2, 18, "unknown synack check 'wscale'");
    ERR("syn c1\nexpect c1 ack flowlabel=x", 2, 25, "expected flowlabel=same or flowlabel=differs");
    ERR("syn c1\nexpect c1 rst flowlabel=same flowlabel=differs", 2, 30,
        "'flowlabel=differs' contradicts or repeats an earlier check on this line");
    ERR("syn c1\nexpect c1 synack fin", 2, 18, "unknown synack check 'fin'");
    ERR("syn c1\nexpect c1 synack nomss", 2, 18, "unknown synack check 'nomss'");
    ERR("syn c1\nexpect c1 synack sack nosack", 2, 23,
        "'nosack' contradicts or repeats an earlier check on this line");
    ERR("syn c1\nexpect c1 synack wscale=7 nowscale", 2, 27, "'nowscale' contradicts or repeats");
    ERR("syn c1\nexpect c1 synack nowscale wscale=7", 2, 27, "'wscale=7' contradicts or repeats");
    ERR("syn c1\nexpect c1 synack ts ts", 2, 21, "'ts' contradicts or repeats");
    ERR("syn c1\nexpect c1 synack nots ts", 2, 23, "'ts' contradicts or repeats");
    ERR("syn c1\nexpect c1 synack cookie nocookie", 2, 25, "'nocookie' contradicts or repeats");
    ERR("syn c1\nexpect c1 synack mss=1 mss=1", 2, 24, "'mss=1' contradicts or repeats");
}

/* ---- memory failures: LQ_EXIT_ERROR, "out of memory" at the line ---- */

static void oom(const char *text, int dup_at, int realloc_at, unsigned col, const char *name)
{
    fail_dup_at = dup_at;
    fail_realloc_at = realloc_at;
    check_err_n(text, strlen(text), LQ_EXIT_ERROR, 1, col, "out of memory", name);
    fail_dup_at = fail_realloc_at = 0;
}

static void test_oom(void)
{
    /* the directive's own copy of a comment (strndup) */
    oom("# c\n", 1, 0, 1, "no memory for a comment line");
    oom("accept # c\n", 1, 0, 1, "no memory for a trailing comment");
    /* a connection name's copy (strdup): at the name */
    oom("syn c1\n", 1, 0, 5, "no memory for a connection name");
    oom("expect counter ListenDrops 1\n", 1, 0, 16, "no memory for a counter name");
    if (!LQ_TEST_CAN_FAIL_REALLOC) {
        const char *why = "realloc cannot be made to fail under a sanitizer's allocator";
        tap_skip("no memory for a blank line's directive", why);
        tap_skip("no memory for a directive", why);
        tap_skip("no memory for the connection table", why);
        tap_skip("no memory for the counter name table", why);
        return;
    }
    /* realloc 1: the directive array; realloc 2: the name table */
    oom("\n", 0, 1, 1, "no memory for a blank line's directive");
    oom("accept\n", 0, 1, 1, "no memory for a directive");
    oom("syn c1\n", 0, 2, 5, "no memory for the connection table");
    oom("expect counter ListenDrops 1\n", 0, 2, 16, "no memory for the counter name table");
}

/* ---- lq_parse_file ---- */

static char tmpdir[256];

static char *write_file(const char *name, const char *text, size_t len)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(text, 1, len, f);
        fclose(f);
    }
    return path;
}

/* Checks a file error: message "<path>: <what>", status. */
static void check_file_err(const char *path, int status, const char *what, const char *name)
{
    struct lq_scenario sc;
    struct lq_err err;
    memset(&err, 0, sizeof(err));
    int rc = lq_parse_file(path, &sc, &err);
    char want[600];
    snprintf(want, sizeof(want), "%s: %s", path, what);
    bool good = rc == -1 && err.status == status && strncmp(err.msg, want, strlen(want)) == 0 &&
                scenario_is_freed(&sc) && sc.path == NULL && sc.name == NULL;
    ok(good, "%s", name);
    if (!good)
        tap_diag("rc %d status %d (want %d) message \"%s\", want \"%s...\"", rc, err.status, status,
                 err.msg, want);
    if (rc == 0)
        lq_scenario_free(&sc);
}

static void test_files(void)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/missing.lq", tmpdir);
    check_file_err(path, LQ_EXIT_BADINPUT, "cannot open: No such file or directory",
                   "a missing file");
    /* only a regular file is read: a directory is refused, and a FIFO (whose
     * open and read would block forever) is refused without blocking */
    check_file_err(tmpdir, LQ_EXIT_BADINPUT, "not a regular file (a directory)", "a directory");
    snprintf(path, sizeof(path), "%s/fifo.lq", tmpdir);
    if (mkfifo(path, 0600) == 0) {
        check_file_err(path, LQ_EXIT_BADINPUT, "not a regular file (a FIFO)",
                       "a FIFO is refused, not read");
        unlink(path);
    } else {
        tap_skip("a FIFO is refused, not read", "mkfifo failed in the temp dir");
    }

    /* a syntax error names the file */
    const char *bad = "listen 1\n\nsyn c1 mss=x\n";
    char *p = write_file("bad.lq", bad, strlen(bad));
    struct lq_scenario sc;
    struct lq_err err;
    char want[600];
    snprintf(want, sizeof(want), "%s:3:12: expected mss=N", p);
    int rc = lq_parse_file(p, &sc, &err);
    ok(rc == -1 && err.status == LQ_EXIT_BADINPUT && strncmp(err.msg, want, strlen(want)) == 0 &&
           sc.path == NULL,
       "a syntax error in a file is reported as file:3:12");

    /* 64 MiB + 1 byte (sparse, zeros): too large, before any parsing */
    snprintf(path, sizeof(path), "%s/huge.lq", tmpdir);
    FILE *f = fopen(path, "wb");
    bool made = f && ftruncate(fileno(f), (64 << 20) + 1) == 0;
    if (f)
        fclose(f);
    if (made)
        check_file_err(path, LQ_EXIT_BADINPUT, "larger than 64 MiB", "a file of 64 MiB + 1 byte");
    else
        tap_skip("a file of 64 MiB + 1 byte", "cannot create a sparse file in the temp dir");
    unlink(path);

    /* memory failures while reading and after parsing: LQ_EXIT_ERROR */
    const char *good = "accept\n";
    p = write_file("good.lq", good, strlen(good));
    snprintf(path, sizeof(path), "%s", p);
    fail_dup_at = 1; /* strdup(path) */
    check_file_err(path, LQ_EXIT_ERROR, "out of memory", "no memory for the scenario's path");
    fail_dup_at = 2; /* strndup(name) */
    check_file_err(path, LQ_EXIT_ERROR, "out of memory", "no memory for the scenario's name");
    fail_dup_at = 0;
    if (LQ_TEST_CAN_FAIL_REALLOC) {
        fail_realloc_at = 1; /* the read buffer */
        check_file_err(path, LQ_EXIT_ERROR, "out of memory", "no memory for the read buffer");
        fail_realloc_at = 0;
    } else {
        tap_skip("no memory for the read buffer",
                 "realloc cannot be made to fail under a sanitizer's allocator");
    }
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/lq-test-parse.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        printf("1..0 # SKIP cannot create a temporary directory\n");
        return 4;
    }
    test_lexical();
    test_too_many_lines();
    test_connections();
    test_setup();
    test_family();
    test_segments();
    test_accept_wait();
    test_expect();
    test_oom();
    test_files();

    char path[600];
    snprintf(path, sizeof(path), "%s/bad.lq", tmpdir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/good.lq", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return tap_done();
}
