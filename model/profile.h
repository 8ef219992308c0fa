/* model/profile.h: kernel versions as model profiles.
 *
 * A profile is a kernel version (major.minor.patch) and the set of listen-path
 * changes that version contains. Each change records the mainline release that
 * introduced it and the first point release of each stable branch that got it
 * as a backport, so "6.12" (the base release) and "6.12.117" (Debian's) can
 * differ. docs/profiles.md is the table with the evidence for each entry.
 */
#ifndef LISTENQ_MODEL_PROFILE_H
#define LISTENQ_MODEL_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

enum lq_change {
    /* 4.4 "tcp/dccp: lockless listener": SYN-queue limit is sk_max_ack_backlog;
     * before, a power of two >= 16 from max_qlen_log (the legacy profile). */
    LQ_CHG_SYNQ_LIMIT_IS_BACKLOG,
    /* 4.10 (4.4.178): a full accept queue drops every SYN (before: only when young > 1). */
    LQ_CHG_ACCEPTQ_FULL_ALWAYS_DROPS,
    /* 5.4: net.core.somaxconn defaults to 4096 (128 before). */
    LQ_CHG_SOMAXCONN_4096,
    /* 5.12: tcp_check_req counts EmbryonicRsts only when the request was
     * unlinked (only a race tells; the model is single-threaded). */
    LQ_CHG_EMBRYONIC_IF_UNLINKED,
    /* 6.10: the SYN-RECV window check uses min(rcv_wnd, 65535). */
    LQ_CHG_SYNACK_WINDOW_CAP,
    /* 6.10 "tcp: remove 64 KByte limit for initial tp->rcv_wnd value"
     * (378979e94e95): tcp_select_initial_window() no longer caps a request's
     * rcv_wnd at 65535 (it was min(space, U16_MAX)). */
    LQ_CHG_RCV_WND_OVER_64K,
    /* 6.13 "tcp/dccp: allow a connection when sk_max_ack_backlog is zero":
     * inet_csk_reqsk_queue_is_full is qlen > N (qlen >= N before). */
    LQ_CHG_SYNQ_FULL_GT,
    /* 6.15: tcp_check_req rejects a TSecr outside the SYN-ACKs' TSvals. */
    LQ_CHG_TSECR_CHECK,
    /* 7.2 (6.18.42, 6.12.105, 6.6.153, 6.1.191): RFC 5961 in SYN-RECV, a
     * non-exact in-window RST draws a challenge ACK; RST|ACK skips the ACK check. */
    LQ_CHG_SYNRECV_RST_CHALLENGE,
    /* 7.1 (6.18.33): tcp_ack() answers an ACK of data never sent with a
     * challenge ACK on an ESTABLISHED socket (RFC 5961 5.2). */
    LQ_CHG_ACK_UNSENT_CHALLENGE,
    /* 6.14 (6.13.6, 6.12.18, 6.6.81, 6.1.130): tcp_check_req no longer
     * updates req->ts_recent before it owns the request ("tcp: Defer
     * ts_recent changes until req is owned"). */
    LQ_CHG_TS_RECENT_DEFERRED,
    /* 6.7 (6.6.11): tcp_delack_max() = min(TCP_DELACK_MAX, rto_min - 1)
     * ("tcp: derive delack_max from rto_min"). */
    LQ_CHG_DELACK_MAX_RTO_MIN,
    /* 6.17 (6.12.42): tcp_data_queue_ofo() measures rcv_mss too ("tcp: call
     * tcp_measure_rcv_mss() for ooo packets"). */
    LQ_CHG_OFO_MEASURES_RCV_MSS,
    /* 6.17: tcp_sequence() drops a segment whose end_seq is past the window
     * while the receive queue holds data ("tcp: do not accept packets beyond
     * window", 9ca48d616ed7). */
    LQ_CHG_BEYOND_WINDOW_DROP,
    /* 6.17: tcp_validate_incoming() counts BeyondWindow (TcpExt) for a
     * segment tcp_sequence() refuses as past the window, not for an old one
     * nor an RST or a SYN ("tcp: add LINUX_MIB_BEYOND_WINDOW", 6c758062c64d,
     * and "tcp: do not increment BeyondWindow MIB for old seq", the same
     * merge window). */
    LQ_CHG_BEYOND_WINDOW_MIB,
    /* 7.0 (6.19.y, 6.18.44 seen live): ... except for a FIN one past it ("tcp:
     * re-enable acceptance of FIN packets when RWIN is 0", 1e3bb184e941). */
    LQ_CHG_FIN_BEYOND_WINDOW,
    /* 6.18 "tcp: AccECN core": tcp_ecn_accept_cwr() acts on CWR only when the
     * connection negotiated classic ECN (tcp_ecn_mode_rfc3168); before, a CWR
     * with data drew an immediate ACK on any connection. */
    LQ_CHG_ACCEPT_CWR_NEEDS_ECN,
    /* 6.11 (6.10.10, 6.6.51, 6.1.110: inferred) "tcp: Don't drop SYN+ACK for
     * simultaneous connect()" (23e89e8ee7be): tcp_validate_incoming() lets a
     * SYN|ACK through on a socket in SYN_RECV with sk_socket (an accepted
     * child left in SYN_RECV) when it sits at rcv_nxt - 1 and acks snd_nxt. */
    LQ_CHG_SYNRECV_SYNACK_PASS,
    /* 5.18 "tcp: Change SYN ACK retransmit behaviour to account for rehash"
     * (cb6cd2cec799): tcp_rtx_synack() draws a new txhash (an IPv6 SYN-ACK's
     * flow label) when sk_txrehash is enabled. */
    LQ_CHG_SYNACK_RTX_REHASH,
    /* 6.1 "ipv6: tcp: send consistent autoflowlabel in SYN_RECV state"
     * (aa51b80e1af4) and "... in RST packets" (9258b8b1be2e): a request's ACK
     * carries its txhash, a full socket's RST its sk_txhash. */
    LQ_CHG_V6_CONSISTENT_FLOWLABEL,
    /* 4.5 "soreuseport: setsockopt SO_ATTACH_REUSEPORT_[CE]BPF"
     * (538950a1b752): a reuseport group can hold a program. */
    LQ_CHG_REUSEPORT_CBPF,
    /* 4.6 "soreuseport: fast reuseport TCP socket selection" (c125e80b8868):
     * a TCP listener lookup runs reuseport_select_sock (the program); before,
     * __inet_lookup_listener chose among the group by hash. */
    LQ_CHG_REUSEPORT_TCP_STEER,
    /* Seen live on 6.18.44 (the commit is not resolved): tcp_rcv_established()'s
     * header prediction admits a pure ACK below snd_una, so tcp_store_ts_recent()
     * runs before tcp_ack() answers it with a challenge ACK (6.12 and 6.1 require
     * between(ack_seq, snd_una, snd_nxt) and take the slow path). */
    LQ_CHG_FAST_PATH_OLD_ACK,
    /* 5.14 "tcp: Migrate TCP_ESTABLISHED/TCP_SYN_RECV sockets in accept
     * queues" and its series (f9ac779f881c ... ): net.ipv4.tcp_migrate_req
     * moves a closing SO_REUSEPORT listener's children and requests to
     * another listener of the group (reuseport_migrate_sock). */
    LQ_CHG_MIGRATE_REQ,
    /* 5.15 "tcp: enable data-less, empty-cookie SYN with
     * TFO_SERVER_COOKIE_NOT_REQD" (e3faa49bcecd): tcp_try_fastopen's
     * no-cookie mode makes a child of a SYN without data too (before:
     * "if (syn_data && tcp_fastopen_no_cookie(...))"). */
    LQ_CHG_TFO_NO_COOKIE_DATALESS,
    /* 5.3 "net: ipv4: move tcp_fastopen server side code to SipHash library"
     * (the patch mail, June 2019; the commit is not resolved): the cookie is
     * SipHash-2-4 of the SYN's addresses (before, AES-128 of them). The
     * model's cookie is a token either way; a packetdrill script writes the
     * kernel's cookie, which listenq computes only as SipHash. */
    LQ_CHG_TFO_SIPHASH_COOKIE,
    LQ_CHG_COUNT
};

struct lq_kver {
    uint16_t major, minor, patch;
};

struct lq_profile {
    char name[32];         /* "6.18.44", "6.12", "legacy" */
    struct lq_kver ver;    /* the version the changes were resolved for */
    uint32_t changes;      /* bit (1u << enum lq_change) */
    int somaxconn_default; /* net.core.somaxconn of a new namespace */
};

static inline bool lq_profile_has(const struct lq_profile *p, enum lq_change c)
{
    return (p->changes >> c) & 1u;
}

/* Named profiles: "legacy" (4.3), "4.4", "5.10", "6.1", "6.6", "6.12", "6.18",
 * or any "X.Y" / "X.Y.Z". Returns 0, or -1 with a message in err (errlen bytes). */
int lq_profile_resolve(const char *version, struct lq_profile *out, char *err, int errlen);

/* The running kernel's version from uname's release and version strings: Debian
 * reports "6.1.0-47-amd64" as release and "... Debian 6.1.192-2 ..." as version,
 * and the point release is the one that counts. */
int lq_profile_from_uname(const char *release, const char *version, struct lq_profile *out,
                          char *err, int errlen);

/* The names of the profiles listed in --help and docs. */
extern const char *const lq_profile_names[];

struct lq_change_info {
    const char *id;        /* "synq_full_gt" */
    const char *summary;   /* one line */
    const char *mainline;  /* "6.13" */
    const char *backports; /* "6.12.? 6.6.? (see docs/profiles.md)" */
};
const struct lq_change_info *lq_change_info(enum lq_change c);

#endif
