/* tests/unit/test_profile.c: model/profile.c against the kernel history.
 *
 * Expected change sets come from /work/notes/kernel-versions.md (which
 * release first carried each change, with its evidence) and from the kernel
 * sources in /work/ksrc: 5.10.223 still has `qlen >= sk_max_ack_backlog`,
 * 6.1.192 / 6.12.117 / 7.2.12 have `>`; 6.1.176 lacks the SYN-RECV challenge
 * ACK and 6.1.192 has it. Nothing here is copied from the model's output.
 */
#include <stdlib.h>
#include <string.h>

#include "model/profile.h"
#include "tap.h"

#define BIT(c) (1u << (c))

static int resolve(const char *v, struct lq_profile *p)
{
    char err[256];
    err[0] = '\0';
    return lq_profile_resolve(v, p, err, (int)sizeof(err));
}

/* One row: the version string and the changes it must have, all others absent. */
static void check_changes(const char *v, uint32_t want, int somaxconn)
{
    struct lq_profile p;
    if (!ok(resolve(v, &p) == 0, "%s resolves", v)) {
        ok(0, "%s change set (not resolved)", v);
        ok(0, "%s somaxconn default (not resolved)", v);
        return;
    }
    for (int c = 0; c < LQ_CHG_COUNT; c++) {
        bool has = lq_profile_has(&p, (enum lq_change)c);
        bool exp = (want >> c) & 1u;
        if (has != exp)
            tap_diag("%s: change %s is %s, expected %s", v, lq_change_info((enum lq_change)c)->id,
                     has ? "present" : "absent", exp ? "present" : "absent");
    }
    is_int(p.changes, want, "%s change set", v);
    is_int(p.somaxconn_default, somaxconn, "%s somaxconn default", v);
}

static void check_has(const char *v, enum lq_change c, bool want, const char *why)
{
    struct lq_profile p;
    int rc = resolve(v, &p);
    ok(rc == 0 && lq_profile_has(&p, c) == want, "%s %s %s (%s)", v, want ? "has" : "lacks",
       lq_change_info(c)->id, why);
}

int main(void)
{
    struct lq_profile p;
    char err[256];

    /* ---- named profiles ---- */
    /* legacy: the last release before "tcp/dccp: lockless listener" (4.4, ef547f2ac16b),
     * notes Q7; before 4.10's 5ea8ea2cb7f1 (Q6); somaxconn 128 before 5.4 (Q8). */
    check_changes("legacy", 0, 128);
    ok(resolve("legacy", &p) == 0 && p.ver.major == 4 && p.ver.minor == 3,
       "legacy stands for 4.3 (reqsk_queue_alloc with max_qlen_log)");
    is_str(p.name, "legacy", "legacy profile keeps its name");

    /* 4.4.0: the lockless listener only; 5ea8ea2cb7f1 reached 4.4.y at 4.4.178 (Q6). */
    check_changes("4.4", BIT(LQ_CHG_SYNQ_LIMIT_IS_BACKLOG), 128);

    /* 5.10.0: SOMAXCONN 4096 (5.4, Q8); SipHash Fast Open cookies (5.3); EmbryonicRsts-if-unlinked
     * only from 5.10.27 (Q5);
     * `>` only from 5.10.234 (Q1). */
    check_changes("5.10",
                  BIT(LQ_CHG_SYNQ_LIMIT_IS_BACKLOG) | BIT(LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS) |
                      BIT(LQ_CHG_SOMAXCONN_4096) | BIT(LQ_CHG_REUSEPORT_CBPF) |
                      BIT(LQ_CHG_REUSEPORT_TCP_STEER) | BIT(LQ_CHG_TFO_SIPHASH_COOKIE),
                  4096);

    /* 6.1.0: 5.12's 7233da86697e native; `>` from 6.1.125 (Q1); challenge ACK from
     * 6.1.191 (Q2); the 65535 cap (6.10, Q4) never reached 6.1. */
    /* The IPv6 flow-label changes: cb6cd2cec799 (5.18, the rehash of a
     * retransmitted SYN-ACK) and aa51b80e1af4 + 9258b8b1be2e (6.1, the 6.1
     * merge window), neither backported: in 6.1.0, not in 5.10. */
    uint32_t base61 = BIT(LQ_CHG_SYNQ_LIMIT_IS_BACKLOG) | BIT(LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS) |
                      BIT(LQ_CHG_SOMAXCONN_4096) | BIT(LQ_CHG_EMBRYONIC_IF_UNLINKED) |
                      BIT(LQ_CHG_SYNACK_RTX_REHASH) | BIT(LQ_CHG_V6_CONSISTENT_FLOWLABEL) |
                      BIT(LQ_CHG_REUSEPORT_CBPF) | BIT(LQ_CHG_REUSEPORT_TCP_STEER) |
                      BIT(LQ_CHG_MIGRATE_REQ) | BIT(LQ_CHG_TFO_NO_COOKIE_DATALESS) |
                      BIT(LQ_CHG_TFO_SIPHASH_COOKIE);
    check_changes("6.1", base61, 4096);
    /* data-less no-cookie Fast Open: e3faa49bcecd, mainline 5.15 (its 5.10.y
     * AUTOSEL point release is unknown: 5.10 profiles stay without it) */
    check_has("5.14", LQ_CHG_TFO_NO_COOKIE_DATALESS, false, "mainline 5.15");
    /* SipHash cookies: the patch mail of June 2019 (5.3 merge window); the
     * 6.1.192 and 6.12.118 sources (SRC) compute siphash() */
    check_has("5.2.21", LQ_CHG_TFO_SIPHASH_COOKIE, false, "AES cookies before 5.3");
    check_has("5.3", LQ_CHG_TFO_SIPHASH_COOKIE, true, "SipHash cookies from 5.3");
    check_has("5.15", LQ_CHG_TFO_NO_COOKIE_DATALESS, true, "mainline 5.15");
    /* net.ipv4.tcp_migrate_req: f9ac779f881c, merged for 5.14, not backported */
    check_has("5.13", LQ_CHG_MIGRATE_REQ, false, "mainline 5.14");
    check_has("5.14", LQ_CHG_MIGRATE_REQ, true, "mainline 5.14");
    check_has("5.17", LQ_CHG_SYNACK_RTX_REHASH, false, "mainline 5.18");
    check_has("5.18", LQ_CHG_SYNACK_RTX_REHASH, true, "mainline 5.18");
    check_has("6.0", LQ_CHG_V6_CONSISTENT_FLOWLABEL, false, "mainline 6.1");
    check_has("5.15.190", LQ_CHG_V6_CONSISTENT_FLOWLABEL, false, "no stable backport");
    check_changes("6.6", base61, 4096);

    /* 6.12.0: f4dca95fc0f6 (6.10) and "tcp: derive delack_max from rto_min" (6.7,
     * R2-I) native (SRC 6.12.117 has tcp_synack_window and tcp_delack_max); `>` from
     * 6.12.10, challenge from 6.12.105, ooo rcv_mss from 6.12.42. */
    check_changes("6.12",
                  base61 | BIT(LQ_CHG_SYNACK_WINDOW_CAP) | BIT(LQ_CHG_RCV_WND_OVER_64K) |
                      BIT(LQ_CHG_DELACK_MAX_RTO_MIN) | BIT(LQ_CHG_SYNRECV_SYNACK_PASS),
                  4096);

    /* 6.18.0: `>` (6.13), the deferred ts_recent (6.14) and the TSecr check (6.15)
     * native; the SYN-RECV challenge ACK only from 6.18.42 (Q2, OSV ">=6.13
     * <6.18.42"); tcp_ack()'s challenge ACK for unsent data (42726ec644cb, 7.1)
     * only from 6.18.33 (round 2, R1: "[PATCH 6.18 713/957]"). */
    /* The D series of R2 (9ca48d616ed7 and "tcp: call tcp_measure_rcv_mss() for
     * ooo packets") is 6.17: native in 6.18.0; its FIN fix E (1e3bb184e941) is 7.0.
     * BeyondWindow (6c758062c64d, the commit before 9ca48d616ed7 in the same
     * net-next pull, and its "old seq" fix) is 6.17 too: the live 6.18.44 has
     * it in /proc/net/netstat. */
    check_changes("6.18",
                  base61 | BIT(LQ_CHG_SYNACK_WINDOW_CAP) | BIT(LQ_CHG_RCV_WND_OVER_64K) |
                      BIT(LQ_CHG_SYNQ_FULL_GT) | BIT(LQ_CHG_TSECR_CHECK) |
                      BIT(LQ_CHG_TS_RECENT_DEFERRED) | BIT(LQ_CHG_DELACK_MAX_RTO_MIN) |
                      BIT(LQ_CHG_OFO_MEASURES_RCV_MSS) | BIT(LQ_CHG_BEYOND_WINDOW_DROP) |
                      BIT(LQ_CHG_BEYOND_WINDOW_MIB) | BIT(LQ_CHG_ACCEPT_CWR_NEEDS_ECN) |
                      BIT(LQ_CHG_SYNRECV_SYNACK_PASS),
                  4096);
    check_has("6.16", LQ_CHG_BEYOND_WINDOW_MIB, false, "mainline 6.17");
    check_has("6.17", LQ_CHG_BEYOND_WINDOW_MIB, true, "mainline 6.17");
    check_has("6.12.200", LQ_CHG_BEYOND_WINDOW_MIB, false, "a new counter: not backported");
    /* 23e89e8ee7be "tcp: Don't drop SYN+ACK for simultaneous connect()": 6.11
     * (SRC 6.12.118 and 6.1.192 test "sk->sk_socket && th->ack" in
     * tcp_validate_incoming; the live 6.18.44 passes
     * corpus/conformance/child_synrecv_synack_pass.lq); 6.1.y got it after 6.1.108 (CIP's
     * 6.1.y log), in the stable queues of September 2024. */
    check_has("6.11", LQ_CHG_SYNRECV_SYNACK_PASS, true, "mainline 6.11");
    check_has("6.10", LQ_CHG_SYNRECV_SYNACK_PASS, false, "before 6.11");
    check_has("6.1.108", LQ_CHG_SYNRECV_SYNACK_PASS, false, "CIP 6.1.y: after 6.1.108");
    check_has("6.1.192", LQ_CHG_SYNRECV_SYNACK_PASS, true, "SRC 6.1.192 has it");
    check_has("6.12.118", LQ_CHG_SYNRECV_SYNACK_PASS, true, "SRC 6.12.118 has it");
    /* AccECN core (tcp_ecn_accept_cwr gated on tcp_ecn_mode_rfc3168): in 6.18
     * (live 6.18.44 delays an ACK of data with CWR on a connection without
     * ECN, corpus/conformance/child_cwr_without_ecn.lq); 6.12.118 and 6.1.192
     * (SRC) test only th->cwr. */
    check_has("6.18", LQ_CHG_ACCEPT_CWR_NEEDS_ECN, true, "AccECN core in 6.18");
    check_has("6.17", LQ_CHG_ACCEPT_CWR_NEEDS_ECN, false, "before AccECN");
    check_has("6.12.118", LQ_CHG_ACCEPT_CWR_NEEDS_ECN, false,
              "SRC 6.12.118: if (tcp_hdr(skb)->cwr)");
    check_has("6.1.192", LQ_CHG_ACCEPT_CWR_NEEDS_ECN, false, "SRC 6.1.192: if (tcp_hdr(skb)->cwr)");

    /* 7.2.12 (SRC): every change. */
    check_changes("7.2.12", (1u << LQ_CHG_COUNT) - 1, 4096);

    /* SO_ATTACH_REUSEPORT_CBPF arrived in 4.5 (538950a1b752, "soreuseport:
     * setsockopt SO_ATTACH_REUSEPORT_[CE]BPF"); TCP lookups ran the program
     * from 4.6 (c125e80b8868, "soreuseport: fast reuseport TCP socket
     * selection"). */
    check_has("4.4.300", LQ_CHG_REUSEPORT_CBPF, false, "no SO_ATTACH_REUSEPORT_CBPF in 4.4");
    check_has("4.5", LQ_CHG_REUSEPORT_CBPF, true, "SO_ATTACH_REUSEPORT_CBPF in 4.5");
    check_has("4.5", LQ_CHG_REUSEPORT_TCP_STEER, false, "4.5's TCP lookup ignores the program");
    check_has("4.6", LQ_CHG_REUSEPORT_TCP_STEER, true, "4.6 runs reuseport_select_sock for TCP");

    /* ---- point releases on either side of a backport ---- */
    /* Q1: 3479c7549fb1 in ChangeLog-6.12.10 (DEB). */
    check_has("6.12.9", LQ_CHG_SYNQ_FULL_GT, false, "qlen >= N until 6.12.9");
    check_has("6.12.10", LQ_CHG_SYNQ_FULL_GT, true, "qlen > N from 6.12.10");
    check_has("6.12.117", LQ_CHG_SYNQ_FULL_GT, true, "SRC 6.12.117 has `>`");
    check_has("6.1.124", LQ_CHG_SYNQ_FULL_GT, false, "6.1 backport is 6.1.125");
    check_has("6.1.125", LQ_CHG_SYNQ_FULL_GT, true, "6.1 backport is 6.1.125");
    check_has("5.10.223", LQ_CHG_SYNQ_FULL_GT, false, "SRC 5.10.223 still has `>=`");
    check_has("5.10.234", LQ_CHG_SYNQ_FULL_GT, true, "5.10 backport is 5.10.234");
    check_has("6.6.71", LQ_CHG_SYNQ_FULL_GT, false, "6.6 backport is 6.6.72");
    check_has("6.6.72", LQ_CHG_SYNQ_FULL_GT, true, "6.6 backport is 6.6.72");
    check_has("6.13", LQ_CHG_SYNQ_FULL_GT, true, "mainline 6.13");

    /* Q2: OSV ">=6.13 <6.18.42", ChangeLog-6.12.105, ChangeLog-6.1.191. */
    check_has("6.18.41", LQ_CHG_SYNRECV_RST_CHALLENGE, false, "affected < 6.18.42");
    check_has("6.18.42", LQ_CHG_SYNRECV_RST_CHALLENGE, true, "fixed in 6.18.42");
    check_has("6.18.44", LQ_CHG_SYNRECV_RST_CHALLENGE, true, "live 6.18.44 sends TCPChallengeACK");
    check_has("6.12.104", LQ_CHG_SYNRECV_RST_CHALLENGE, false, "affected < 6.12.105");
    check_has("6.12.105", LQ_CHG_SYNRECV_RST_CHALLENGE, true, "ChangeLog-6.12.105");
    check_has("6.1.176", LQ_CHG_SYNRECV_RST_CHALLENGE, false, "SRC 6.1.176 lacks it");
    check_has("6.1.192", LQ_CHG_SYNRECV_RST_CHALLENGE, true, "SRC 6.1.192 has it");
    check_has("6.6.152", LQ_CHG_SYNRECV_RST_CHALLENGE, false, "affected < 6.6.153");
    check_has("6.6.153", LQ_CHG_SYNRECV_RST_CHALLENGE, true, "fixed in 6.6.153");
    check_has("7.2", LQ_CHG_SYNRECV_RST_CHALLENGE, true, "mainline 7.2");

    /* 378979e94e95 "tcp: remove 64 KByte limit for initial tp->rcv_wnd value"
     * (6.10-rc1): SRC 6.1.192's tcp_select_initial_window() still has
     * min_t(u32, space, U16_MAX), 6.12.117's has (*rcv_wnd) = space. */
    check_has("6.1.192", LQ_CHG_RCV_WND_OVER_64K, false, "SRC 6.1.192 caps at U16_MAX");
    check_has("6.9", LQ_CHG_RCV_WND_OVER_64K, false, "mainline 6.10, the 6.9.y point unknown");
    check_has("6.10", LQ_CHG_RCV_WND_OVER_64K, true, "mainline 6.10");
    check_has("6.12.117", LQ_CHG_RCV_WND_OVER_64K, true, "SRC 6.12.117: (*rcv_wnd) = space");

    /* Q3: 3ba075278c11 mainline 6.15, `[PATCH 6.14 343/783]` -> 6.14.9; absent from
     * 6.12.117 and 6.1.192 (SRC). */
    check_has("6.14.8", LQ_CHG_TSECR_CHECK, false, "6.14 backport is 6.14.9");
    check_has("6.14.9", LQ_CHG_TSECR_CHECK, true, "6.14 backport is 6.14.9");
    check_has("6.15", LQ_CHG_TSECR_CHECK, true, "mainline 6.15");
    check_has("6.12.117", LQ_CHG_TSECR_CHECK, false, "SRC 6.12.117 lacks tsecr_reject");

    /* R1: "tcp: send a challenge ACK on SEG.ACK > SND.NXT" (42726ec644cb) is 7.1,
     * backported to 6.18.33; 6.12.117 and 6.1.192 drop silently (SRC). */
    check_has("6.18.32", LQ_CHG_ACK_UNSENT_CHALLENGE, false, "before the 6.18.33 backport");
    check_has("6.18.33", LQ_CHG_ACK_UNSENT_CHALLENGE, true, "backported to 6.18.33");
    check_has("6.18.44", LQ_CHG_ACK_UNSENT_CHALLENGE, true, "live 6.18.44 sends the challenge");
    check_has("7.1", LQ_CHG_ACK_UNSENT_CHALLENGE, true, "mainline 7.1");
    check_has("6.12.117", LQ_CHG_ACK_UNSENT_CHALLENGE, false, "SRC 6.12.117 drops silently");
    check_has("6.1.192", LQ_CHG_ACK_UNSENT_CHALLENGE, false, "SRC 6.1.192 drops silently");

    /* "tcp: Defer ts_recent changes until req is owned": 6.14; 6.13.6, 6.12.18,
     * 6.6.81, 6.1.130; SRC 5.10.223 still updates req->ts_recent. */
    check_has("6.12.17", LQ_CHG_TS_RECENT_DEFERRED, false, "before the 6.12.18 backport");
    check_has("6.12.18", LQ_CHG_TS_RECENT_DEFERRED, true, "backported to 6.12.18");
    check_has("6.1.129", LQ_CHG_TS_RECENT_DEFERRED, false, "before the 6.1.130 backport");
    check_has("6.1.130", LQ_CHG_TS_RECENT_DEFERRED, true, "backported to 6.1.130");
    check_has("6.14", LQ_CHG_TS_RECENT_DEFERRED, true, "mainline 6.14");
    check_has("5.10.223", LQ_CHG_TS_RECENT_DEFERRED, false, "SRC 5.10.223 updates it early");

    /* R2-I: ChangeLog-6.6.11 (DEB); SRC 6.1.192 still uses icsk_delack_max. */
    check_has("6.6.10", LQ_CHG_DELACK_MAX_RTO_MIN, false, "before the 6.6.11 backport");
    check_has("6.6.11", LQ_CHG_DELACK_MAX_RTO_MIN, true, "ChangeLog-6.6.11");
    check_has("6.1.192", LQ_CHG_DELACK_MAX_RTO_MIN, false, "SRC 6.1.192 has no tcp_delack_max");
    /* R2-D: ChangeLog-6.12.42 carries only the ooo rcv_mss patch of the series;
     * SRC 6.1.192 does not measure ooo packets. */
    check_has("6.12.41", LQ_CHG_OFO_MEASURES_RCV_MSS, false, "before ChangeLog-6.12.42");
    check_has("6.12.42", LQ_CHG_OFO_MEASURES_RCV_MSS, true, "ChangeLog-6.12.42");
    check_has("6.1.192", LQ_CHG_OFO_MEASURES_RCV_MSS, false, "SRC 6.1.192");
    check_has("6.12.117", LQ_CHG_BEYOND_WINDOW_DROP, false, "SRC 6.12.117: seq-only tcp_sequence");
    check_has("6.16", LQ_CHG_BEYOND_WINDOW_DROP, false, "before mainline 6.17");
    check_has("6.17", LQ_CHG_BEYOND_WINDOW_DROP, true, "mainline 6.17");
    check_has("6.19", LQ_CHG_FIN_BEYOND_WINDOW, false, "mainline 7.0 (6.19.y point unknown)");
    check_has("7.0", LQ_CHG_FIN_BEYOND_WINDOW, true, "mainline 7.0");

    /* Q4: the 65535 cap is 6.10; 6.1.192 still uses req->rsk_rcv_wnd (SRC). */
    check_has("6.9", LQ_CHG_SYNACK_WINDOW_CAP, false, "before 6.10");
    check_has("6.10", LQ_CHG_SYNACK_WINDOW_CAP, true, "mainline 6.10");
    check_has("6.1.192", LQ_CHG_SYNACK_WINDOW_CAP, false, "SRC 6.1.192 uses rsk_rcv_wnd");

    /* Q5: 7233da86697e in ChangeLog-5.10.27. */
    check_has("5.10.26", LQ_CHG_EMBRYONIC_IF_UNLINKED, false, "before 5.10.27");
    check_has("5.10.27", LQ_CHG_EMBRYONIC_IF_UNLINKED, true, "ChangeLog-5.10.27");

    /* Q6: 5ea8ea2cb7f1 is 4.10 (not 4.9). */
    check_has("4.9", LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS, false, "not in 4.9");
    check_has("4.10", LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS, true, "mainline 4.10");

    /* Q8: SOMAXCONN 4096 in 5.4, not backported: 128 before. */
    const struct {
        const char *v;
        int somaxconn;
    } smc[] = {{"4.19", 128}, {"4.19.325", 128}, {"5.3", 128}, {"5.3.18", 128},
               {"5.4", 4096}, {"5.4.0", 4096},   {"6.1", 4096}};
    for (size_t i = 0; i < sizeof(smc) / sizeof(smc[0]); i++)
        ok(resolve(smc[i].v, &p) == 0 && p.somaxconn_default == smc[i].somaxconn,
           "%s: somaxconn defaults to %d", smc[i].v, smc[i].somaxconn);

    /* ---- names and parsing ---- */
    ok(resolve("6.12.10", &p) == 0 && p.ver.major == 6 && p.ver.minor == 12 && p.ver.patch == 10,
       "6.12.10 parses as 6.12.10");
    is_str(p.name, "6.12.10", "profile name is the version string");
    ok(resolve("6.18", &p) == 0 && p.ver.patch == 0, "6.18 is 6.18.0");
    const char *bad[] = {"6", "x.y", "6.18.", "2.6", "", "6.x", "6.18.44-rc1", "3.11", ".6.1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        int rc = lq_profile_resolve(bad[i], &p, err, (int)sizeof(err));
        ok(rc == -1 && err[0] != '\0', "'%s' is rejected with a message", bad[i]);
    }
    /* tcp_syncookies=2 arrived in 3.12: 3.12 is the oldest accepted. */
    ok(resolve("3.12", &p) == 0 && !lq_profile_has(&p, LQ_CHG_SYNQ_LIMIT_IS_BACKLOG),
       "3.12 is accepted and behaves as legacy (no lockless listener)");
    /* A small error buffer is honoured (no overflow under ASan). */
    char tiny[8];
    ok(lq_profile_resolve("nope", &p, tiny, (int)sizeof(tiny)) == -1 && strlen(tiny) < 8,
       "the error message is truncated to the buffer");

    /* Every listed name resolves. */
    int listed = 0, resolved = 0;
    for (const char *const *n = lq_profile_names; *n; n++, listed++)
        resolved += resolve(*n, &p) == 0;
    ok(listed == 7 && resolved == 7, "the 7 listed profiles resolve (%d of %d)", resolved, listed);

    /* ---- uname ---- */
    /* Debian: the ABI name in the release, the point release in the version string. */
    err[0] = '\0';
    int rc = lq_profile_from_uname("6.1.0-47-amd64",
                                   "#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-10-01)", &p, err,
                                   (int)sizeof(err));
    ok(rc == 0 && p.ver.major == 6 && p.ver.minor == 1 && p.ver.patch == 192,
       "Debian uname -> 6.1.192");
    is_str(p.name, "6.1.192", "Debian uname profile name");
    ok(lq_profile_has(&p, LQ_CHG_SYNQ_FULL_GT) && lq_profile_has(&p, LQ_CHG_SYNRECV_RST_CHALLENGE),
       "6.1.192 from uname has `>` (6.1.125) and the challenge ACK (6.1.191)");
    rc = lq_profile_from_uname("6.18.44-fc-v669", "#1 SMP PREEMPT_DYNAMIC", &p, err,
                               (int)sizeof(err));
    ok(rc == 0 && p.ver.major == 6 && p.ver.minor == 18 && p.ver.patch == 44,
       "6.18.44-fc-v669 -> 6.18.44");
    is_str(p.name, "6.18.44", "custom-suffix uname profile name");
    rc = lq_profile_from_uname("6.18.44-fc-v669", NULL, &p, err, (int)sizeof(err));
    ok(rc == 0 && p.ver.patch == 44, "a NULL version string is tolerated");
    /* A Debian version of another series does not override the release. */
    rc =
        lq_profile_from_uname("6.12.5-amd64", "#1 SMP Debian 6.1.192-2", &p, err, (int)sizeof(err));
    ok(rc == 0 && p.ver.minor == 12 && p.ver.patch == 5,
       "a Debian version of another series is ignored");
    rc = lq_profile_from_uname("6.12.0-1-amd64", "#1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1", &p,
                               err, (int)sizeof(err));
    ok(rc == 0 && p.ver.patch == 117 && lq_profile_has(&p, LQ_CHG_SYNQ_FULL_GT),
       "Debian 6.12.117 -> `>` rule");
    err[0] = '\0';
    rc = lq_profile_from_uname("garbage", "#1", &p, err, (int)sizeof(err));
    ok(rc == -1 && err[0] != '\0', "an unparsable release is an error");
    rc = lq_profile_from_uname("2.6.32-754.el6.x86_64", "#1 SMP", &p, err, (int)sizeof(err));
    ok(rc == -1, "2.6.32 is older than the oldest model");

    /* lq_change_info covers every change and refuses others. */
    int infos = 0;
    for (int c = 0; c < LQ_CHG_COUNT; c++)
        infos += lq_change_info((enum lq_change)c) && lq_change_info((enum lq_change)c)->id;
    ok(infos == LQ_CHG_COUNT && lq_change_info(LQ_CHG_COUNT) == NULL,
       "lq_change_info: one row per change");

    return tap_done();
}
