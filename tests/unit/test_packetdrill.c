/* tests/unit/test_packetdrill.c: `listenq export --packetdrill`.
 *
 * The expected scripts below are written by hand from packetdrill's syntax
 * and the model's rules: a plain handshake with options, and a scenario with
 * a second connection, an accept() of it, a wait with a SYN-ACK timer and an
 * expect line, where the comment lists what the single-connection script
 * leaves out.
 */
#include <string.h>

#include "findings/packetdrill.h"
#include "lang/parse.h"
#include "tap.h"

#define SYSCTLS_FIXED                                         \
    "`sysctl -q net.ipv4.tcp_no_metrics_save=1\n"             \
    "sysctl -q net.ipv4.tcp_rmem=\"4096 131072 6291456\"\n"   \
    "sysctl -q net.ipv4.tcp_challenge_ack_limit=2147483647\n" \
    "sysctl -q net.ipv4.tcp_invalid_ratelimit=500\n"          \
    "sysctl -q net.ipv4.tcp_min_snd_mss=48\n"                 \
    "sysctl -q net.ipv4.tcp_comp_sack_nr=0\n"

#define SOCKET_LINES                                           \
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"            \
    "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n" \
    "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"            \
    "+0 bind(3, ..., ...) = 0\n"

static const char handshake_lq[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                                   "listen 1\n"
                                   "syn c1 mss=1460 ts sack wscale=7\n"
                                   "ack c1\n"
                                   "accept\n"
                                   "accept\n";

static const char handshake_pkt[] =
    "// packetdrill script exported by listenq from handshake.lq: connection c1\n"
    "// The expected replies (>) are the model's (listenq profile 6.18.44), not a kernel\n"
    "// run's: a kernel that diverges from the model fails this script there.\n"
    "// Run as root in a new network namespace (the sysctls are per namespace):\n"
    "//   unshare -n packetdrill --ip_version=ipv4 SCRIPT.pkt\n"
    "// Nothing was left out.\n"
    "// Client TS vals start at 10000, the server's at 1000 (packetdrill does\n"
    "// not check an outbound TS val; it checks the echo).\n"
    "\n" SYSCTLS_FIXED "sysctl -q net.core.somaxconn=4096\n"
    "sysctl -q net.ipv4.tcp_max_syn_backlog=128\n"
    "sysctl -q net.ipv4.tcp_syncookies=0\n"
    "sysctl -q net.ipv4.tcp_abort_on_overflow=0\n"
    "sysctl -q net.ipv4.tcp_synack_retries=5\n"
    "sysctl -q net.ipv4.tcp_timestamps=1\n"
    "sysctl -q net.ipv4.tcp_sack=1\n"
    "sysctl -q net.ipv4.tcp_window_scaling=1`\n"
    "\n" SOCKET_LINES "+0 listen(3, 1) = 0  // model: listen.backlog_kept, listen.start\n"
    "+0 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 10000 ecr 0,nop,wscale 7>  // model: "
    "conn_request.request_queued\n"
    "+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 1000 ecr 10000,nop,wscale 7>\n"
    "+0 < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 10001 ecr 1000>  // model: "
    "check_req.child_created, child.established\n"
    "+0 accept(3, ..., ...) = 4\n"
    "+0 getsockopt(4, SOL_TCP, TCP_MAXSEG, [1448], [4]) = 0\n"
    "+0 accept(3, ..., ...) = -1 EAGAIN (Resource temporarily unavailable)\n";

/* listen 0 with cookies on: c1 gets a request, c2 (qlen 1 > 0) a cookie;
 * accept() returns c2; c1's SYN-ACK is retransmitted at 1 s; its ACK at
 * 1.5 s makes a child. */
static const char two_conns_lq[] = "sysctl net.ipv4.tcp_syncookies=1\n"
                                   "listen 0\n"
                                   "syn c1 mss=1460\n"
                                   "syn c2 mss=1460\n"
                                   "ack c2\n"
                                   "accept\n"
                                   "wait 1500ms\n"
                                   "ack c1\n"
                                   "expect acceptq 1\n";

static const char two_conns_pkt[] =
    "// packetdrill script exported by listenq from two.lq: connection c1\n"
    "// The expected replies (>) are the model's (listenq profile 6.18.44), not a kernel\n"
    "// run's: a kernel that diverges from the model fails this script there.\n"
    "// Run as root in a new network namespace (the sysctls are per namespace):\n"
    "//   unshare -n packetdrill --ip_version=ipv4 SCRIPT.pkt\n"
    "// Left out:\n"
    "//   - connection c2 (lines 4, 5): packetdrill scripts have one\n"
    "//   - accept() calls that return another connection: line 6 (c2)\n"
    "//   - expect lines (9): the replies written here stand for them\n"
    "//   - exact timer times: waits are kept as time and timer packets are\n"
    "//     written at the model's due times; the kernel's timer wheel is\n"
    "//     up to 12.5% late (run with --tolerance_usecs=200000 or more)\n"
    "\n" SYSCTLS_FIXED "sysctl -q net.core.somaxconn=4096\n"
    "sysctl -q net.ipv4.tcp_max_syn_backlog=128\n"
    "sysctl -q net.ipv4.tcp_syncookies=1\n"
    "sysctl -q net.ipv4.tcp_abort_on_overflow=0\n"
    "sysctl -q net.ipv4.tcp_synack_retries=5\n"
    "sysctl -q net.ipv4.tcp_timestamps=1\n"
    "sysctl -q net.ipv4.tcp_sack=1\n"
    "sysctl -q net.ipv4.tcp_window_scaling=1`\n"
    "\n" SOCKET_LINES "+0 listen(3, 0) = 0  // model: listen.backlog_kept, listen.start\n"
    "+0 < S 0:0(0) win 65535 <mss 1460>  // model: conn_request.request_queued\n"
    "+0 > S. 0:0(0) ack 1 <mss 1460>\n"
    "+1 > S. 0:0(0) ack 1 <mss 1460>  // timer\n"
    "+0.500 < . 1:1(0) ack 1 win 65535  // model: check_req.child_created, child.established\n";

/* The second connection on its own: its SYN meets a full SYN queue and gets
 * a cookie; the accept() returns it. */
static const char two_conns_c2_body[] =
    "+0 listen(3, 0) = 0  // model: listen.backlog_kept, listen.start\n"
    "+0 < S 0:0(0) win 65535 <mss 1460>  // model: conn_request.synq_full_cookie, "
    "conn_request.cookie_clears_options, conn_request.cookie_sent\n"
    "+0 > S. 0:0(0) ack 1 <mss 1460>  // SYN cookie: ISN * and TS val * are the kernel's\n"
    "+0 < . 1:1(0) ack 1 win 65535  // model: cookie.child_created, child.established\n"
    "+0 accept(3, ..., ...) = 4\n"
    "+0 getsockopt(4, SOL_TCP, TCP_MAXSEG, [1460], [4]) = 0\n";

static void check_export(const struct lq_profile *p, const char *name, const char *text,
                         const char *conn, const char *want, bool want_is_suffix)
{
    struct lq_scenario sc;
    struct lq_err err = {0};
    if (lq_parse_text(text, strlen(text), name, &sc, &err)) {
        ok(false, "%s parses: %s", name, err.msg);
        return;
    }
    struct lq_strbuf out;
    lq_sb_init(&out);
    struct lq_pd_opts o = {.conn = conn, .source = name};
    int rc = lq_export_packetdrill(&sc, p, &o, &out, &err);
    is_int(rc, 0, "%s%s%s: exported", name, conn ? " --conn " : "", conn ? conn : "");
    const char *got = lq_sb_str(&out);
    if (want_is_suffix) {
        size_t gl = strlen(got), wl = strlen(want);
        const char *tail = gl >= wl ? got + gl - wl : got;
        is_str(tail, want, "%s --conn %s: the connection's part, a cookie SYN-ACK marked", name,
               conn);
        ok(strstr(got, "//   - connection c1 (lines 3, 8)") != NULL,
           "%s --conn %s: the other connection is listed as left out", name, conn);
        ok(strstr(got, "SYN cookie values (ISN, TS val): the kernel makes them, shown as *") !=
               NULL,
           "%s --conn %s: cookie values are said to be the kernel's", name, conn);
    } else {
        is_str(got, want, "%s: the script written by hand", name);
    }
    lq_sb_free(&out);
    lq_scenario_free(&sc);
}

int main(void)
{
    struct lq_profile p;
    char err[128];
    if (lq_profile_resolve("6.18.44", &p, err, sizeof(err))) {
        tap_diag("%s", err);
        return 1;
    }
    check_export(&p, "handshake.lq", handshake_lq, NULL, handshake_pkt, false);
    check_export(&p, "two.lq", two_conns_lq, NULL, two_conns_pkt, false);
    check_export(&p, "two.lq", two_conns_lq, "c2", two_conns_c2_body, true);

    struct lq_scenario sc;
    struct lq_err e = {0};
    lq_parse_text(handshake_lq, strlen(handshake_lq), "h", &sc, &e);
    struct lq_strbuf out;
    lq_sb_init(&out);
    struct lq_pd_opts o = {.conn = "nosuch"};
    ok(lq_export_packetdrill(&sc, &p, &o, &out, &e) == -1 && e.status == LQ_EXIT_BADINPUT &&
           strstr(e.msg, "nosuch") != NULL,
       "an unknown --conn is bad input, named in the error");
    lq_sb_free(&out);
    lq_scenario_free(&sc);
    return tap_done();
}
