/* model/profile.c: the listen-path changes per kernel version.
 *
 * Every entry cites the mainline release of a change and the first stable point
 * releases known to carry its backport; docs/profiles.md holds the evidence.
 * A backport list entry {M, m, p} means "M.m.p and later M.m.y have it".
 */
#include "profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lq_change_row {
    struct lq_change_info info;
    struct lq_kver mainline;
    struct lq_kver backports[8]; /* terminated by {0,0,0} */
};

static const struct lq_change_row lq_changes[LQ_CHG_COUNT] = {
    [LQ_CHG_SYNQ_LIMIT_IS_BACKLOG] =
        {{"synq_limit_is_backlog",
          "SYN-queue limit is sk_max_ack_backlog (was a power of two >= 16, max_qlen_log)", "4.4",
          "none"},
         {4, 4, 0},
         {{0, 0, 0}}},
    [LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS] =
        {{"acceptq_full_always_drops",
          "a full accept queue drops every SYN (was: only when young > 1); commit 5ea8ea2cb7f1",
          "4.10", "4.4.178 (inferred from the stable-review date)"},
         {4, 10, 0},
         {{4, 4, 178}, {0, 0, 0}}},
    [LQ_CHG_SOMAXCONN_4096] = {{"somaxconn_4096", "net.core.somaxconn defaults to 4096 (was 128)",
                                "5.4", "none"},
                               {5, 4, 0},
                               {{0, 0, 0}}},
    [LQ_CHG_EMBRYONIC_IF_UNLINKED] =
        {{"embryonic_if_unlinked",
          "EmbryonicRsts counted only when inet_csk_reqsk_queue_drop() unlinked the request; "
          "commit 7233da86697e",
          "5.12", "5.10.27, 5.4.109 and 4.19.185 (the last two inferred)"},
         {5, 12, 0},
         {{5, 10, 27}, {5, 4, 109}, {4, 19, 185}, {0, 0, 0}}},
    [LQ_CHG_SYNACK_WINDOW_CAP] =
        {{"synack_window_cap",
          "SYN-RECV window check uses min(rcv_wnd, 65535) (tcp_synack_window); commit f4dca95fc0f6",
          "6.10", "not needed where the initial window is still clamped to 65535"},
         {6, 10, 0},
         {{0, 0, 0}}},
    [LQ_CHG_RCV_WND_OVER_64K] = {{"rcv_wnd_over_64k",
                                  "a request's initial receive window is no longer capped at 65535 "
                                  "(tcp_select_initial_window); commit 378979e94e95",
                                  "6.10", "6.9.y (point release unknown: not resolved)"},
                                 {6, 10, 0},
                                 {{0, 0, 0}}},
    [LQ_CHG_SYNQ_FULL_GT] =
        {{"synq_full_gt",
          "inet_csk_reqsk_queue_is_full is qlen > N (was qlen >= N): listen(fd, 0) takes one SYN; "
          "commit 3479c7549fb1",
          "6.13", "6.12.10, 6.6.72, 6.1.125, 5.15.177, 5.10.234, 5.4.290"},
         {6, 13, 0},
         {{6, 12, 10},
          {6, 6, 72},
          {6, 1, 125},
          {5, 15, 177},
          {5, 10, 234},
          {5, 4, 290},
          {0, 0, 0}}},
    [LQ_CHG_TSECR_CHECK] = {{"tsecr_check",
                             "tcp_check_req rejects a TSecr outside the SYN-ACK TSvals "
                             "(TSEcrRejected); commit 3ba075278c11",
                             "6.15", "6.14.9"},
                            {6, 15, 0},
                            {{6, 14, 9}, {0, 0, 0}}},
    [LQ_CHG_SYNRECV_RST_CHALLENGE] =
        {{"synrecv_rst_challenge",
          "a non-exact in-window RST in SYN-RECV draws a challenge ACK (RFC 5961 3.2) and an "
          "RST|ACK "
          "with a wrong ack is no longer handed to the listener; commit a28c4fcbf774, "
          "CVE-2026-68118",
          "7.2", "6.18.42, 6.12.105, 6.6.153, 6.1.191 (5.10, 5.15: unknown)"},
         {7, 2, 0},
         {{6, 18, 42}, {6, 12, 105}, {6, 6, 153}, {6, 1, 191}, {0, 0, 0}}},
    [LQ_CHG_ACK_UNSENT_CHALLENGE] =
        {{"ack_unsent_challenge",
          "tcp_ack: an ACK of data never sent draws a challenge ACK on an ESTABLISHED socket (RFC "
          "5961 5.2) instead of a silent drop; commit 42726ec644cb",
          "7.1", "6.18.33; 7.0.y (point release unknown); not in 6.12.117 or 6.1.192"},
         {7, 1, 0},
         {{6, 18, 33}, {0, 0, 0}}},
    [LQ_CHG_TS_RECENT_DEFERRED] =
        {{"ts_recent_deferred",
          "tcp_check_req no longer updates req->ts_recent from an in-window segment before it "
          "owns the request (\"tcp: Defer ts_recent changes until req is owned\")",
          "6.14", "6.13.6, 6.12.18, 6.6.81, 6.1.130"},
         {6, 14, 0},
         {{6, 13, 6}, {6, 12, 18}, {6, 6, 81}, {6, 1, 130}, {0, 0, 0}}},
    [LQ_CHG_DELACK_MAX_RTO_MIN] =
        {{"delack_max_rto_min",
          "the delayed-ACK timeout is capped at rto_min - 1 jiffy (tcp_delack_max), not "
          "TCP_DELACK_MAX (\"tcp: derive delack_max from rto_min\")",
          "6.7", "6.6.11"},
         {6, 7, 0},
         {{6, 6, 11}, {0, 0, 0}}},
    [LQ_CHG_OFO_MEASURES_RCV_MSS] =
        {{"ofo_measures_rcv_mss",
          "out-of-order data updates rcv_mss too (\"tcp: call tcp_measure_rcv_mss() for ooo "
          "packets\")",
          "6.17", "6.12.42"},
         {6, 17, 0},
         {{6, 12, 42}, {0, 0, 0}}},
    [LQ_CHG_BEYOND_WINDOW_DROP] =
        {{"beyond_window_drop",
          "tcp_sequence drops a segment ending past the window while data is queued "
          "(TCP_INVALID_END_SEQUENCE, BeyondWindow); commit 9ca48d616ed7",
          "6.17", "none"},
         {6, 17, 0},
         {{0, 0, 0}}},
    [LQ_CHG_BEYOND_WINDOW_MIB] =
        {{"beyond_window_mib",
          "tcp_validate_incoming counts BeyondWindow for a segment past the window "
          "(TCP_INVALID_SEQUENCE, TCP_INVALID_END_SEQUENCE; not an old one, an RST or a SYN); "
          "commit 6c758062c64d and \"tcp: do not increment BeyondWindow MIB for old seq\"",
          "6.17", "none"},
         {6, 17, 0},
         {{0, 0, 0}}},
    [LQ_CHG_FIN_BEYOND_WINDOW] =
        {{"fin_beyond_window", "... but lets a FIN end one past it; commit 1e3bb184e941", "7.0",
          "6.18.44 (seen live: earlier 6.18.y not resolved); 6.19.y (point "
          "release unknown)"},
         {7, 0, 0},
         {{6, 18, 44}, {0, 0, 0}}},
    [LQ_CHG_ACCEPT_CWR_NEEDS_ECN] =
        {{"accept_cwr_needs_ecn",
          "tcp_ecn_accept_cwr: CWR with data asks for an immediate ACK only on a connection that "
          "negotiated classic ECN (tcp_ecn_mode_rfc3168), part of AccECN (\"tcp: AccECN core\")",
          "6.18", "none (a feature)"},
         {6, 18, 0},
         {{0, 0, 0}}},
    [LQ_CHG_SYNRECV_SYNACK_PASS] =
        {{"synrecv_synack_pass",
          "tcp_validate_incoming: a SYN|ACK at rcv_nxt - 1 acking snd_nxt passes step 4 on a "
          "SYN_RECV socket with sk_socket (an accepted child): established, not a challenge ACK; "
          "commit 23e89e8ee7be",
          "6.11", "6.10.10, 6.6.51, 6.1.110 (inferred: the September 2024 stable batch)"},
         {6, 11, 0},
         {{6, 10, 10}, {6, 6, 51}, {6, 1, 110}, {0, 0, 0}}},
    [LQ_CHG_SYNACK_RTX_REHASH] =
        {{"synack_rtx_rehash",
          "tcp_rtx_synack draws a new txhash when sk_txrehash is enabled (net.core.txrehash): a "
          "retransmitted IPv6 SYN-ACK has a new flow label; commit cb6cd2cec799",
          "5.18", "none"},
         {5, 18, 0},
         {{0, 0, 0}}},
    [LQ_CHG_V6_CONSISTENT_FLOWLABEL] =
        {{"v6_consistent_flowlabel",
          "an ACK sent for an IPv6 request carries the last SYN-ACK's flow label "
          "(tcp_v6_reqsk_send_ack passes tcp_rsk(req)->txhash), a child's RST the child's; commits "
          "aa51b80e1af4, 9258b8b1be2e",
          "6.1", "none"},
         {6, 1, 0},
         {{0, 0, 0}}},
    [LQ_CHG_MIGRATE_REQ] =
        {{"migrate_req",
          "net.ipv4.tcp_migrate_req: a closing SO_REUSEPORT listener's queued children and "
          "requests move to another listener of the group (reuseport_migrate_sock, "
          "TCPMigrateReqSuccess / TCPMigrateReqFailure); commit f9ac779f881c and its series",
          "5.14", "none"},
         {5, 14, 0},
         {{0, 0, 0}}},
    [LQ_CHG_TFO_NO_COOKIE_DATALESS] =
        {{"tfo_no_cookie_dataless",
          "tcp_try_fastopen: with tcp_fastopen 0x200 (no cookie needed) a SYN with a Fast Open "
          "option but no data makes a child too; before, only a SYN with data did (a data-less "
          "cookie request got a cookie); commit e3faa49bcecd",
          "5.15", "5.10.y by AUTOSEL (point release unknown)"},
         {5, 15, 0},
         {{0, 0, 0}}},
    [LQ_CHG_TFO_SIPHASH_COOKIE] =
        {{"tfo_siphash_cookie",
          "__tcp_fastopen_cookie_gen_cipher: the Fast Open cookie is SipHash-2-4 of the SYN's "
          "addresses under the key; before, AES-128 of them (invisible to the model, whose "
          "cookie is a token; an exported packetdrill script needs the kernel's); the patch "
          "\"net: ipv4: move tcp_fastopen server side code to SipHash library\" (June 2019), "
          "commit not resolved",
          "5.3", "none (a new algorithm, not backported)"},
         {5, 3, 0},
         {{0, 0, 0}}},
    [LQ_CHG_REUSEPORT_CBPF] =
        {{"reuseport_cbpf",
          "SO_ATTACH_REUSEPORT_CBPF: an SO_REUSEPORT group can hold a classic-BPF program; "
          "commit 538950a1b752",
          "4.5", "none"},
         {4, 5, 0},
         {{0, 0, 0}}},
    [LQ_CHG_REUSEPORT_TCP_STEER] =
        {{"reuseport_tcp_steer",
          "a TCP listener lookup runs the group's program "
          "(reuseport_select_sock); before, a hash chose; commit c125e80b8868",
          "4.6", "none"},
         {4, 6, 0},
         {{0, 0, 0}}},
    [LQ_CHG_FAST_PATH_OLD_ACK] =
        {{"fast_path_old_ack",
          "tcp_rcv_established's header prediction takes a pure ACK below snd_una too (6.12: "
          "between(ack, snd_una, snd_nxt)): tcp_store_ts_recent runs before tcp_ack's RFC 5961 "
          "5.2 challenge ACK, which then echoes that segment's TSval",
          "not resolved (seen live on 6.18.44; not in 6.12's or 6.1's source)", "not resolved"},
         {6, 18, 44},
         {{0, 0, 0}}},
};

const char *const lq_profile_names[] = {"legacy", "4.4",  "5.10", "6.1",
                                        "6.6",    "6.12", "6.18", NULL};

const struct lq_change_info *lq_change_info(enum lq_change c)
{
    return (unsigned)c < LQ_CHG_COUNT ? &lq_changes[c].info : NULL;
}

static int lq_kver_cmp(struct lq_kver a, struct lq_kver b)
{
    if (a.major != b.major)
        return a.major < b.major ? -1 : 1;
    if (a.minor != b.minor)
        return a.minor < b.minor ? -1 : 1;
    if (a.patch != b.patch)
        return a.patch < b.patch ? -1 : 1;
    return 0;
}

static bool lq_change_applies(const struct lq_change_row *row, struct lq_kver v)
{
    if (lq_kver_cmp(v, row->mainline) >= 0)
        return true;
    for (int i = 0; i < 8 && row->backports[i].major; i++) {
        const struct lq_kver *b = &row->backports[i];
        if (b->major == v.major && b->minor == v.minor && v.patch >= b->patch)
            return true;
    }
    return false;
}

static void lq_profile_fill(struct lq_profile *p, struct lq_kver v)
{
    p->ver = v;
    p->changes = 0;
    for (int c = 0; c < LQ_CHG_COUNT; c++)
        if (lq_change_applies(&lq_changes[c], v))
            p->changes |= 1u << c;
    p->somaxconn_default = lq_profile_has(p, LQ_CHG_SOMAXCONN_4096) ? 4096 : 128;
}

/* Parses "X.Y" or "X.Y.Z" (stops at the first character that is not part of
 * the version); returns the number of characters used, 0 on failure. */
static int lq_kver_parse(const char *s, struct lq_kver *v)
{
    const char *p = s;
    long part[3] = {0, 0, 0};
    int n = 0;
    while (n < 3) {
        if (*p < '0' || *p > '9')
            break;
        char *end;
        part[n] = strtol(p, &end, 10);
        if (part[n] > 65535)
            return 0;
        n++;
        p = end;
        if (*p != '.' || n == 3)
            break;
        if (p[1] < '0' || p[1] > '9')
            break;
        p++;
    }
    if (n < 2)
        return 0;
    v->major = (uint16_t)part[0];
    v->minor = (uint16_t)part[1];
    v->patch = (uint16_t)part[2];
    return (int)(p - s);
}

int lq_profile_resolve(const char *version, struct lq_profile *out, char *err, int errlen)
{
    struct lq_kver v;
    memset(out, 0, sizeof(*out));
    if (strcmp(version, "legacy") == 0) {
        /* The last release before the lockless listener (4.4). */
        v = (struct lq_kver){4, 3, 0};
        lq_profile_fill(out, v);
        snprintf(out->name, sizeof(out->name), "legacy");
        return 0;
    }
    int used = lq_kver_parse(version, &v);
    if (!used || version[used] != '\0') {
        snprintf(err, (size_t)errlen,
                 "unknown kernel profile '%s': expected legacy, 4.4, 5.10, 6.1, 6.6, 6.12, 6.18 or "
                 "a version X.Y[.Z]",
                 version);
        return -1;
    }
    if (v.major < 3 || (v.major == 3 && v.minor < 12)) {
        snprintf(err, (size_t)errlen,
                 "kernel %s is older than 3.12 (tcp_syncookies=2); listenq models 3.12 and later "
                 "('legacy' covers 3.12 to 4.3)",
                 version);
        return -1;
    }
    lq_profile_fill(out, v);
    snprintf(out->name, sizeof(out->name), "%s", version);
    return 0;
}

int lq_profile_from_uname(const char *release, const char *version, struct lq_profile *out,
                          char *err, int errlen)
{
    struct lq_kver v;
    int used = lq_kver_parse(release, &v);
    if (!used) {
        snprintf(err, (size_t)errlen, "cannot read a kernel version from uname release '%s'",
                 release);
        return -1;
    }
    /* Debian and Ubuntu keep the ABI name in the release ("6.1.0-47-amd64")
     * and put the real point release in the version string. */
    const char *deb = version ? strstr(version, "Debian ") : NULL;
    struct lq_kver dv;
    if (deb && lq_kver_parse(deb + 7, &dv) && dv.major == v.major && dv.minor == v.minor)
        v = dv;
    char name[32];
    if (v.patch)
        snprintf(name, sizeof(name), "%u.%u.%u", v.major, v.minor, v.patch);
    else
        snprintf(name, sizeof(name), "%u.%u", v.major, v.minor);
    return lq_profile_resolve(name, out, err, errlen);
}
