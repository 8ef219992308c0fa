/* tests/unit/test_packetdrill.c: `listenq export --packetdrill`
 * (docs/packetdrill.md).
 *
 * The expected scripts below are written by hand from packetdrill's syntax,
 * the scripted client's rules (docs/scenario-format.md, section 3: the
 * mixing function gives the ISNs, the example gives seed 1's first TSval)
 * and the model's rules: a plain handshake with options; a scenario with a
 * second connection driven by `listenq pd-peer`, an accept() of it, a wait
 * with a SYN-ACK timer as a window and an expect line as an ss check;
 * counters, queue lengths and `expect none` as backtick checks; a flow
 * packetdrill cannot send, driven by pd-peer and said so in the header;
 * no check while the flow's delayed ACK is pending and a later segment must
 * find it so (tcp_fin enters pingpong mode: __tcp_ack_snd_check delays the
 * FIN's ACK; tcp_data_queue ACKs a retransmission at once, which supersedes
 * it); IPV6_V6ONLY by its number (26, include/uapi/linux/in6.h: packetdrill
 * has no symbol for it) at SOL_IPV6, refused by an IPv4 listener with
 * ENOPROTOOPT (ip_setsockopt); an expect none allows another connection's
 * delayed ACK the model has pending (c1's 17th segment, after its 16 quick
 * ACKs, tcp_incr_quickack: its ACK waits for the 40 ms timer, TCP_ATO_MIN,
 * and fires in the wait), not the flow's own (a > line packetdrill waits
 * for).
 */
#include <stdio.h>
#include <string.h>

#include "findings/packetdrill.h"
#include "lang/parse.h"
#include "tap.h"

/* docs/scenario-format.md, "The mixing function" */
static uint32_t mix(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t x = seed ^ (a << 32) ^ b ^ 0x9e3779b97f4a7c15ull;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (uint32_t)x;
}

#define FILES "/tmp/listenq-pd.$(stat -Lc %i /proc/self/ns/net)"

#define SYSCTLS_FIXED                                         \
    "`sysctl -q net.ipv4.tcp_no_metrics_save=1\n"             \
    "sysctl -q net.ipv4.tcp_rmem=\"4096 131072 6291456\"\n"   \
    "sysctl -q net.ipv4.tcp_challenge_ack_limit=2147483647\n" \
    "sysctl -q net.ipv4.tcp_invalid_ratelimit=500\n"          \
    "sysctl -q net.ipv4.tcp_min_snd_mss=48\n"                 \
    "sysctl -q net.ipv4.tcp_comp_sack_nr=0\n"                 \
    "sysctl -q net.ipv4.tcp_fastopen_key=03020100-07060504-0b0a0908-0f0e0d0c\n"

#define SYSCTLS_DEFAULT(cookies)                      \
    "sysctl -q net.core.somaxconn=4096\n"             \
    "sysctl -q net.ipv4.tcp_max_syn_backlog=128\n"    \
    "sysctl -q net.ipv4.tcp_syncookies=" cookies "\n" \
    "sysctl -q net.ipv4.tcp_abort_on_overflow=0\n"    \
    "sysctl -q net.ipv4.tcp_synack_retries=5\n"       \
    "sysctl -q net.ipv4.tcp_timestamps=1\n"           \
    "sysctl -q net.ipv4.tcp_sack=1\n"                 \
    "sysctl -q net.ipv4.tcp_window_scaling=1\n"       \
    "sysctl -q net.ipv4.tcp_ecn=2\n"                  \
    "sysctl -q net.ipv4.tcp_migrate_req=0\n"          \
    "sysctl -q net.ipv4.tcp_fastopen=1\n"

/* nstat's history reset, the files of an earlier run removed */
#define RESET             \
    "rm -f " FILES ".*\n" \
    "NSTAT_HISTORY=" FILES ".nstat nstat -n`\n"
#define RESET_OPEN        \
    "rm -f " FILES ".*\n" \
    "NSTAT_HISTORY=" FILES ".nstat nstat -n\n"

/* the model's state after an event (a scenario without waits) */
#define ST "+0 `sh " FILES ".state "
/* every counter the model tracks (model/counters.h), as nstat names them */
static const char tracked[] =
    "TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop TcpExtTCPReqQFullDoCookies "
    "TcpExtSyncookiesSent TcpExtSyncookiesRecv TcpExtSyncookiesFailed TcpExtEmbryonicRsts "
    "TcpExtTCPSynRetrans TcpExtTCPTimeouts TcpExtTCPACKSkippedSynRecv TcpExtTCPDeferAcceptDrop "
    "TcpExtPAWSEstab TcpExtTSEcrRejected TcpExtTCPChallengeACK TcpExtTCPACKSkippedChallenge "
    "TcpExtTCPACKSkippedSeq TcpExtTCPSYNChallenge TcpExtTCPAbortOnData TcpPassiveOpens "
    "TcpAttemptFails TcpOutRsts TcpRetransSegs TcpEstabResets";

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

/* seed 1's first TSval is 788232022 (docs/scenario-format.md's example),
 * the next segment's 788232023; the state after each event: the request
 * (synq 1), the child (acceptq 1, PassiveOpens, tcp_create_openreq_child),
 * accepted. */
static const char handshake_head[] =
    "// packetdrill script exported by listenq from handshake.lq: connection c1\n"
    "// The expected replies (>) are the model's (listenq profile 6.18.44), not a kernel\n"
    "// run's: a kernel that diverges from the model fails this script there.\n"
    "// The expect lines are backtick checks (nstat, ss) where they stand.\n"
    "// Run as root in a new network namespace (the sysctls are per namespace),\n"
    "// on one CPU (request timers are per CPU):\n"
    "//   unshare -n sh -c 'ip link set lo up && taskset -c 0 packetdrill --ip_version=ipv4 "
    "SCRIPT.pkt'\n"
    "// Nothing was left out.\n"
    "// The server's TS vals are numbered from 1000 (packetdrill checks the\n"
    "// echo, not an outbound TS val), one the model repeats from 2000000000\n"
    "// (an echo of it is of the first); the client's are listenq's.\n"
    "--tcp_ts_ecr_scaled\n"
    "\n" SYSCTLS_FIXED SYSCTLS_DEFAULT("0") RESET_OPEN "cat >" FILES ".state <<'EOF'\n";
static const char handshake_body[] =
    "EOF`\n"
    "\n" SOCKET_LINES "+0 listen(3, 1) = 0  // model: listen.backlog_kept, listen.start\n" ST
    "2 synq=0 acceptq=0 backlog=1`\n"
    "+0 < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 788232022 ecr 0,nop,wscale 7>  // model: "
    "conn_request.request_queued\n"
    "+0 > S. 0:0(0) ack 1 <mss 1460,sackOK,TS val 1000 ecr 788232022,nop,wscale 7>\n" ST
    "3 synq=1 acceptq=0 backlog=1`\n"
    "+0 < . 1:1(0) ack 1 win 65535 <nop,nop,TS val 788232023 ecr 1000>  // model: "
    "check_req.child_created, child.established\n" ST
    "4 synq=0 acceptq=1 backlog=1 TcpPassiveOpens=1`\n"
    "+0 accept(3, ..., ...) = 4\n"
    "+0 getsockopt(4, SOL_TCP, TCP_MAXSEG, [1448], [4]) = 0\n" ST
    "5 synq=0 acceptq=0 backlog=1 TcpPassiveOpens=1`\n"
    "+0 accept(3, ..., ...) = -1 EAGAIN (Resource temporarily unavailable)\n" ST
    "6 synq=0 acceptq=0 backlog=1 TcpPassiveOpens=1`\n";

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

/* c1's script: c2 (port 20001, ISN mix(1, 1, 1)) sends its SYN and ACK in
 * one pd-peer call (its ACK acknowledges the cookie ISN + 1 and draws
 * nothing), pd-peer accepts it (MSS 1460: the cookie's MSS table), c1's
 * SYN-ACK is retransmitted at 1 s: a window from 1 s less 50 ms for each of
 * the two backtick lines since the last packet line, to 10 ms after; the
 * script's cleanup command (a last backtick without a time) resets what
 * pd-peer accepted. */
static char two_conns_c1_body[2048];
static void two_conns_c1(void)
{
    snprintf(two_conns_c1_body, sizeof(two_conns_c1_body),
             "+0 listen(3, 0) = 0  // model: listen.backlog_kept, listen.start\n"
             "+0 < S 0:0(0) win 65535 <mss 1460>  // model: conn_request.request_queued\n"
             "+0 > S. 0:0(0) ack 1 <mss 1460>\n"
             "+0 `listenq pd-peer send --sport 20001 --flags S --seq %u --mss 1460 --expect "
             "synack/mss=1460 -- --sport 20001 --flags . --seq %u --ack-srv 1 --expect none`\n"
             "+0 `listenq pd-peer accept --sport 20001 --mss 1460`\n"
             "+0.900~+1.025 > S. 0:0(0) ack 1 <mss 1460>  // timer\n"
             "+0.500 < . 1:1(0) ack 1 win 65535  // model: check_req.child_created, "
             "child.established\n"
             "+0 `v=$(ss -Hltn 'sport = :8080' | awk '{print $2}'); [ \"${v:-0}\" -eq 1 ] || { "
             "echo \"line 9: expect acceptq 1: the kernel has ${v:-0}\" >&2; exit 1; }`\n"
             "// the connections pd-peer accepted, reset (packetdrill then ends)\n"
             "`listenq pd-peer release`\n",
             mix(1, 1, 1), mix(1, 1, 1) + 1);
}

/* c2's script: its SYN meets a full SYN queue and gets a cookie; the
 * accept() returns it; c1 (port 20000, ISN mix(1, 0, 1) = 1347007726, the
 * documented example) acknowledges its SYN-ACK after the wait. */
static const char two_conns_c2_body[] =
    "+0 listen(3, 0) = 0  // model: listen.backlog_kept, listen.start\n"
    "+0 `listenq pd-peer send --sport 20000 --flags S --seq 1347007726 --mss 1460 --expect "
    "synack/mss=1460`\n"
    "+0 < S 0:0(0) win 65535 <mss 1460>  // model: conn_request.synq_full_cookie, "
    "conn_request.cookie_clears_options, conn_request.cookie_sent\n"
    "+0 > S. 0:0(0) ack 1 <mss 1460>  // SYN cookie: ISN * and TS val * are the kernel's\n"
    "+0 < . 1:1(0) ack 1 win 65535  // model: cookie.child_created, child.established\n"
    "+0 accept(3, ..., ...) = 4\n"
    "+0 getsockopt(4, SOL_TCP, TCP_MAXSEG, [1460], [4]) = 0\n"
    "+1.500 `listenq pd-peer send --sport 20000 --flags . --seq 1347007727 --ack-srv 1 "
    "--expect none`\n"
    "+0 `v=$(ss -Hltn 'sport = :8080' | awk '{print $2}'); [ \"${v:-0}\" -eq 1 ] || { echo "
    "\"line 9: expect acceptq 1: the kernel has ${v:-0}\" >&2; exit 1; }`\n";

/* The SYN queue full (cookies off): the third SYN is dropped; what the
 * scenario asserts after it are checks. */
static const char drop_lq[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                              "listen 1\n"
                              "syn c1\n"
                              "syn c2\n"
                              "syn c3\n"
                              "expect none\n"
                              "expect synq 2\n"
                              "expect counter TCPReqQFullDrop 1\n"
                              "expect counter Tcp:PassiveOpens 0\n";

/* the fillers' SYN-ACKs carry the kernel's MSS (1460 on a 1500-byte MTU),
 * the dropped SYN counts TCPReqQFullDrop and ListenDrops (tcp_listendrop) */
static const char drop_c3_head[] =
    "+0 listen(3, 1) = 0  // model: listen.backlog_kept, listen.start\n"
    /* the state after listen(), after c1's SYN (a request) */
    ST "2 synq=0 acceptq=0 backlog=1`\n"
    "+0 `listenq pd-peer send --sport 20000 --flags S --seq 1347007726 --expect "
    "synack/mss=1460`\n" ST "3 synq=1 acceptq=0 backlog=1`\n";
static const char drop_c2_syn[] =
    "+0 `listenq pd-peer send --sport 20001 --flags S --seq %u --expect synack/mss=1460`\n";
static const char drop_c3_body[] =
    ST "4 synq=2 acceptq=0 backlog=1`\n"
       /* expect none: TcpOutSegs from just before the event */
       "+0 `NSTAT_HISTORY=" FILES ".ev nstat -n`\n"
       "+0 < S 0:0(0) win 65535  // model: conn_request.synq_full_drop\n" ST
       "5 synq=2 acceptq=0 backlog=1 TcpExtListenDrops=1 TcpExtTCPReqQFullDrop=1`\n"
       "+0 `v=$(NSTAT_HISTORY=" FILES ".ev nstat -sz TcpOutSegs | awk "
       "'$1==\"TcpOutSegs\"{print $2}'); [ \"${v:-0}\" -eq 0 ] || { echo \"line 6: expect none: "
       "the kernel has ${v:-0}\" >&2; exit 1; }`\n"
       "+0 `v=$(ss -Htni state syn-recv 'sport = :8080' | awk '/^[ \\t]+$/{n++} END{print n+0}'); "
       "[ \"${v:-0}\" -eq 2 ] || { echo \"line 7: expect synq 2: the kernel has ${v:-0}\" >&2; "
       "exit 1; }`\n"
       "+0 `v=$(NSTAT_HISTORY=" FILES ".nstat nstat -sz TcpExtTCPReqQFullDrop | awk "
       "'$1==\"TcpExtTCPReqQFullDrop\"{print $2}'); [ \"${v:-0}\" -eq 1 ] || { echo \"line 8: "
       "expect counter TCPReqQFullDrop 1: the kernel has ${v:-0}\" >&2; exit 1; }`\n"
       "+0 `v=$(NSTAT_HISTORY=" FILES ".nstat nstat -sz TcpPassiveOpens | awk "
       "'$1==\"TcpPassiveOpens\"{print $2}'); [ \"${v:-0}\" -eq 0 ] || { echo \"line 9: expect "
       "counter Tcp:PassiveOpens 0: the kernel has ${v:-0}\" >&2; exit 1; }`\n";

/* A SYN before listen(): packetdrill has no flow then, so pd-peer sends
 * it (and expects the RST|ACK of a port without a listener: OutRsts). */
static const char before_listen_lq[] = "syn c1\n"
                                       "expect c1 rst\n"
                                       "listen 1\n";

static const char before_listen_body[] =
    "+0 `listenq pd-peer send --sport 20000 --flags S --seq 1347007726 --expect rst`\n" ST
    "1 synq=0 acceptq=0 backlog=0 TcpOutRsts=1`\n"
    "+0 listen(3, 1) = 0  // model: listen.backlog_kept, listen.start\n" ST
    "3 synq=0 acceptq=0 backlog=1 TcpOutRsts=1`\n";

static const char stretch_lq[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                                 "listen 4\n"
                                 "syn c1\n"
                                 "ack c1\n"
                                 "ack c1 len=100\n"
                                 "expect c1 ack\n"
                                 "fin c1\n"
                                 "expect none\n"
                                 "expect acceptq 1\n"
                                 "ack c1 seq=-101 len=100\n"
                                 "expect c1 ack\n";
static const char stretch_body[] =
    "+0 < F. 101:101(0) ack 1 win 65535  // model: child.fin, child.ack_delayed\n"
    "// the model's delayed ACK, superseded by a later ACK: +0 > . 1:1(0) ack 102  // delayed "
    "ACK\n"
    "// line 8: expect none: not counted here (the delayed-ACK stretch); a packet to the flow "
    "would not match packetdrill's next > line\n"
    "+0 < P. 1:101(100) ack 1 win 65535  // model: child.data_retransmit\n"
    "+0 > . 1:1(0) ack 102\n" ST "10 synq=0 acceptq=1 backlog=4 TcpPassiveOpens=1`\n"
    "// line 9's check, held back to here (nothing it looks at changed\n"
    "// since in the model):\n"
    "+0 `v=$(ss -Hltn 'sport = :8080' | awk '{print $2}'); [ \"${v:-0}\" -eq 1 ] || { echo "
    "\"line 9: expect acceptq 1: the kernel has ${v:-0}\" >&2; exit 1; }`\n";

/* A dual-stack listener: packetdrill's bind() binds its own address only
 * (run_syscall_bind), so pd-peer binds [::] with IPV6_V6ONLY 0 first (as
 * backend_live.c makes it) and packetdrill's bind() fails with EINVAL; the
 * flow is IPv4 (ipv4-mapped-ipv6), the IPv6 peer needs an IPv6 address and
 * route on tun0; an IPv6 listener has IPV6_V6ONLY 1. */
static const char dual_lq[] = "family dual\n"
                              "listen 1\n"
                              "syn a mss=1460 ipv4\n"
                              "syn b mss=1460 ipv6\n";
static const char dual_lines[] =
    "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
    "+0 `ip -6 addr add fd3d:fa7b:d17d::1/48 dev tun0 nodad && ip -6 route add 2001:db8::/32 dev "
    "tun0 && listenq pd-peer bind --lport 8080 --v6only 0`\n"
    "+0 bind(3, ..., ...) = -1 EINVAL (Invalid argument)  // bound to [::]:8080 above: a "
    "dual-stack listener\n"
    "+0 listen(3, 1) = 0";
static const char v6_lq[] = "family ipv6\n"
                            "listen 1\n"
                            "syn a mss=1460\n";

#define ACK10 "ack c1 len=10\n"
static const char pending_lq[] = "sysctl net.ipv4.tcp_syncookies=0\n"
                                 "listen 4\n"
                                 "syn c1\n"
                                 "ack c1\n" ACK10 ACK10 ACK10 ACK10 ACK10 ACK10 ACK10 ACK10 ACK10
                                     ACK10 ACK10 ACK10 ACK10 ACK10 ACK10 ACK10 ACK10 "syn c2\n"
                                 "ack c2\n"
                                 "expect none\n"
                                 "wait 100ms\n"
                                 "expect c1 ack\n";

static const char v6only_lq[] = "sockopt IPV6_V6ONLY=1\n"
                                "listen 4\n";

static const char *tail_of(const char *got, const char *want)
{
    size_t gl = strlen(got), wl = strlen(want);
    return gl >= wl ? got + gl - wl : got;
}

static int export(const struct lq_profile *p, const char *name, const char *text, const char *conn,
                  struct lq_strbuf *out)
{
    struct lq_scenario sc;
    struct lq_err err = {0};
    if (lq_parse_text(text, strlen(text), name, &sc, &err)) {
        ok(false, "%s parses: %s", name, err.msg);
        return -1;
    }
    struct lq_pd_opts o = {.conn = conn, .source = name};
    int rc = lq_export_packetdrill(&sc, p, &o, out, &err);
    is_int(rc, 0, "%s%s%s: exported", name, conn ? " --conn " : "", conn ? conn : "");
    lq_scenario_free(&sc);
    return rc;
}

int main(void)
{
    struct lq_profile p;
    char err[128];
    if (lq_profile_resolve("6.18.44", &p, err, sizeof(err))) {
        tap_diag("%s", err);
        return 1;
    }
    struct lq_strbuf out;
    lq_sb_init(&out);

    if (!export(&p, "handshake.lq", handshake_lq, NULL, &out)) {
        const char *got = lq_sb_str(&out);
        size_t hl = strlen(handshake_head);
        char head[sizeof(handshake_head)];
        snprintf(head, sizeof(head), "%.*s", (int)hl, got);
        is_str(head, handshake_head, "handshake.lq: the header and set-up written by hand");
        is_str(tail_of(got, handshake_body), handshake_body,
               "handshake.lq: the events and the model's state after each");
        const char *helper = strstr(got, ".state <<'EOF'\n");
        ok(helper && strstr(helper, tracked) && strstr(helper, "sport = :8080"),
           "handshake.lq: the state check knows every counter the model tracks");
    }

    lq_sb_reset(&out);
    two_conns_c1();
    if (!export(&p, "two.lq", two_conns_lq, NULL, &out)) {
        const char *got = lq_sb_str(&out);
        is_str(tail_of(got, two_conns_c1_body), two_conns_c1_body,
               "two.lq: c1's flow, c2 through pd-peer, the timer as a window, the check");
        ok(strstr(got, "//   - the other connections are driven by `listenq pd-peer`") != NULL,
           "two.lq: the header says how the other connection is driven");
        ok(strstr(got, "due time less 50ms per backtick line") != NULL,
           "two.lq: the header says how wide the timer's window is");
    }
    lq_sb_reset(&out);
    if (!export(&p, "two.lq", two_conns_lq, "c2", &out)) {
        const char *got = lq_sb_str(&out);
        is_str(tail_of(got, two_conns_c2_body), two_conns_c2_body,
               "two.lq --conn c2: a cookie SYN-ACK marked, c1 through pd-peer");
        ok(strstr(got, "SYN cookie values (ISN, TS val): the kernel makes them, shown as *") !=
               NULL,
           "two.lq --conn c2: cookie values are said to be the kernel's");
        ok(strstr(got, "the other connections' timer packets during waits") != NULL,
           "two.lq --conn c2: c1's retransmitted SYN-ACK is said to be unchecked");
    }

    lq_sb_reset(&out);
    char want[4096];
    int wn = snprintf(want, sizeof(want), "%s", drop_c3_head);
    wn += snprintf(want + wn, sizeof(want) - (size_t)wn, drop_c2_syn, mix(1, 1, 1));
    snprintf(want + wn, sizeof(want) - (size_t)wn, "%s", drop_c3_body);
    if (!export(&p, "drop.lq", drop_lq, "c3", &out))
        is_str(tail_of(lq_sb_str(&out), want), want,
               "drop.lq --conn c3: the fillers, the dropped SYN, expect none, synq and "
               "counters as checks");

    lq_sb_reset(&out);
    if (!export(&p, "early.lq", before_listen_lq, NULL, &out)) {
        const char *got = lq_sb_str(&out);
        is_str(tail_of(got, before_listen_body), before_listen_body,
               "early.lq: a SYN before listen() is sent by pd-peer");
        ok(strstr(got, "packetdrill's own flow: it cannot send line 1 (packetdrill has no flow "
                       "before listen())") != NULL,
           "early.lq: the header says why");
    }

    /* tcp_v4_send_reset of a SYN no socket takes (the listener shut
     * down): seq 0, ack the SYN's seq + 1; before any SYN-ACK packetdrill
     * numbers it from 0 and checks it as a line, with no count besides
     * (which would read TcpOutRsts with no mark before the event: 2 here,
     * the shutdown's reset of the queued child and this one) */
    lq_sb_reset(&out);
    if (!export(&p, "rst.lq",
                "sysctl net.ipv4.tcp_syncookies=0\nlisten 1\nsyn c1\nack c1\n"
                "shutdown SHUT_RD\nsyn c2\nexpect c2 rst\n",
                "c2", &out)) {
        const char *got = lq_sb_str(&out);
        ok(strstr(got, "\n+0 > R. 0:0(0) ack 1\n") != NULL &&
               strstr(got, "the RST the model predicts") == NULL,
           "rst.lq: a flow's RST before any SYN-ACK is a > line, not a count");
    }

    /* Fast Open: the kernel's cookie where the model has its token. For
     * packetdrill's addresses (remote 192.0.2.1, its default; local
     * 192.168.0.2, the header's) under the key 00..0f the kernel's cookie
     * is a5fbd0c6401f8462: Linux 6.18.44 sent it to this script's c1 in a
     * packetdrill run (export --check), as SipHash-2-4 of the addresses
     * gives it; flipped, 5a042f39bfe07b9d. */
    static const char fo_lq[] = "sysctl net.ipv4.tcp_fastopen=3\nlisten 8\n"
                                "sockopt TCP_FASTOPEN=4\nsyn c1 mss=1460 tfo\n"
                                "expect c1 synack tfo-cookie\nsyn c2 mss=1460 len=100 tfo=echo\n"
                                "syn c3 mss=1460 len=10 tfo=bad\n";
    lq_sb_reset(&out);
    if (!export(&p, "fo.lq", fo_lq, "c1", &out)) {
        const char *got = lq_sb_str(&out);
        ok(strstr(got, "\n--local_ip=192.168.0.2\n") != NULL,
           "fo.lq c1: the header fixes --local_ip");
        ok(strstr(got, "sysctl -q net.ipv4.tcp_fastopen_key=03020100-07060504-0b0a0908-0f0e0d0c") !=
               NULL,
           "fo.lq c1: the set-up fixes the key");
        ok(strstr(got, "+0 < S 0:0(0) win 65535 <mss 1460,FO,nop,nop>") != NULL,
           "fo.lq c1: the cookie request, padded");
        ok(strstr(got, "+0 > S. 0:0(0) ack 1 <mss 1460,FO a5fbd0c6401f8462,nop,nop>") != NULL,
           "fo.lq c1: the SYN-ACK carries the kernel's cookie");
        ok(strstr(got, "--sport 20001 --flags S --seq 1744717512 --len 100 --mss 1460 --fo kernel "
                       "--expect synack/mss=1460`") != NULL,
           "fo.lq c1: pd-peer echoes the kernel's cookie for its addresses; no cookie back");
        ok(strstr(got, "--len 10 --mss 1460 --fo kernel-flipped --expect synack/mss=1460/fo`") !=
               NULL,
           "fo.lq c1: tfo=bad is the kernel's cookie flipped; a cookie back");
    }
    lq_sb_reset(&out);
    if (!export(&p, "fo.lq", fo_lq, "c2", &out)) {
        const char *got = lq_sb_str(&out);
        ok(strstr(got, "--fo request --expect synack/mss=1460/fo`") != NULL,
           "fo.lq c2: pd-peer asks for a cookie and checks it is the kernel's");
        ok(strstr(got, "+0 < S 0:100(100) win 65535 <mss 1460,FO a5fbd0c6401f8462,nop,nop>") !=
               NULL,
           "fo.lq c2: the flow echoes the kernel's cookie");
    }
    lq_sb_reset(&out);
    if (!export(&p, "fo.lq", fo_lq, "c3", &out)) {
        const char *got = lq_sb_str(&out);
        ok(strstr(got, "+0 < S 0:10(10) win 65535 <mss 1460,FO 5a042f39bfe07b9d,nop,nop>") != NULL,
           "fo.lq c3: the flow sends the kernel's cookie flipped");
        ok(strstr(got, "> S. 0:0(0) ack 1 <mss 1460,FO a5fbd0c6401f8462,nop,nop>") != NULL,
           "fo.lq c3: ... and gets the right one back with a normal SYN-ACK");
    }

    /* before 5.3 the kernel's cookie is AES of the addresses: refused */
    struct lq_profile p52;
    if (!lq_profile_resolve("5.2", &p52, err, sizeof(err))) {
        struct lq_scenario sc;
        struct lq_err e = {0};
        lq_sb_reset(&out);
        if (!lq_parse_text(fo_lq, strlen(fo_lq), "fo.lq", &sc, &e)) {
            struct lq_pd_opts o = {.source = "fo.lq"};
            int rc = lq_export_packetdrill(&sc, &p52, &o, &out, &e);
            ok(rc != 0 && e.status == LQ_EXIT_SKIP && strstr(e.msg, "line 4: a Fast Open option") &&
                   strstr(e.msg, "tfo_siphash_cookie"),
               "fo.lq for a 5.2 profile: refused by name (AES cookies): %s", e.msg);
            lq_scenario_free(&sc);
        }
    }

    lq_sb_reset(&out);
    if (!export(&p, "stretch.lq", stretch_lq, NULL, &out)) {
        const char *got = lq_sb_str(&out);
        is_str(tail_of(got, stretch_body), stretch_body,
               "stretch.lq: no check between the FIN and the retransmission; the held check "
               "after it");
        ok(strstr(got, "segment of the flow must find it so (lines 7-10)") != NULL,
           "stretch.lq: the header names the stretch");
    }
    lq_sb_reset(&out);
    if (!export(&p, "pending.lq", pending_lq, "c2", &out))
        ok(strstr(lq_sb_str(&out), "[ \"${v:-0}\" -le 1 ] || { echo \"line 24: expect none (the "
                                   "model's delayed ACKs aside)") != NULL,
           "pending.lq --conn c2: expect none allows c1's pending delayed ACK");
    lq_sb_reset(&out);
    if (!export(&p, "pending.lq", pending_lq, "c1", &out))
        ok(strstr(lq_sb_str(&out), "[ \"${v:-0}\" -eq 0 ] || { echo \"line 24: expect none: ") !=
               NULL,
           "pending.lq --conn c1: the flow's own delayed ACK is a > line, not allowed");
    lq_sb_reset(&out);
    if (!export(&p, "v6only.lq", v6only_lq, NULL, &out))
        ok(strstr(lq_sb_str(&out), "\n+0 setsockopt(3, SOL_IPV6, 26, [1], 4) = -1 ENOPROTOOPT "
                                   "(Protocol not available)  // IPV6_V6ONLY\n") != NULL,
           "v6only.lq: IPV6_V6ONLY by number at SOL_IPV6, ENOPROTOOPT on IPv4");

    lq_sb_reset(&out);
    if (!export(&p, "dual.lq", dual_lq, NULL, &out)) {
        const char *got = lq_sb_str(&out);
        ok(strstr(got, dual_lines) != NULL,
           "dual.lq: pd-peer binds the dual-stack listener, packetdrill's bind() fails");
        ok(strstr(got, "--seq 1744717512 --mss 1460 --ipv6 --expect synack/mss=1440`") != NULL,
           "dual.lq: the IPv6 peer is sent over IPv6 (MSS 1440: 1500 - 60)");
        ok(strstr(got, "--ip_version=ipv4-mapped-ipv6") != NULL,
           "dual.lq: an IPv4 flow to a dual-stack listener is ipv4-mapped-ipv6");
    }
    lq_sb_reset(&out);
    if (!export(&p, "v6.lq", v6_lq, NULL, &out)) {
        const char *got = lq_sb_str(&out);
        ok(strstr(got, "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
                       "+0 setsockopt(3, SOL_IPV6, 26, [1], 4) = 0  // IPV6_V6ONLY\n"
                       "+0 bind(3, ..., ...) = 0\n") != NULL &&
               strstr(got, "--ip_version=ipv6") != NULL,
           "v6.lq: an IPv6 listener has IPV6_V6ONLY 1 before bind(); --ip_version=ipv6");
    }

    struct lq_scenario sc;
    struct lq_err e = {0};
    lq_parse_text(handshake_lq, strlen(handshake_lq), "h", &sc, &e);
    lq_sb_reset(&out);
    struct lq_pd_opts o = {.conn = "nosuch"};
    ok(lq_export_packetdrill(&sc, &p, &o, &out, &e) == -1 && e.status == LQ_EXIT_BADINPUT &&
           strstr(e.msg, "nosuch") != NULL,
       "an unknown --conn is bad input, named in the error");
    uint16_t idx[4];
    lq_scenario_free(&sc);
    lq_parse_text(two_conns_lq, strlen(two_conns_lq), "two", &sc, &e);
    ok(lq_pd_conns(&sc, idx, 4) == 2 && idx[0] == 0 && idx[1] == 1,
       "lq_pd_conns: the connections a script can be written for, in order");
    lq_scenario_free(&sc);
    lq_sb_free(&out);
    return tap_done();
}
