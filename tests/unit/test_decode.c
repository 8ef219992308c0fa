/* tests/unit/test_decode.c: the fuzzers' bytes-to-scenario decoder.
 *
 * Every byte string of length 0..3 and 10000 random ones (both decoder
 * modes) decode to scenarios that print and re-parse to an equal scenario;
 * decoding is deterministic; the no-wait mode has no wait; the event cap
 * holds; a one-byte change of an event record changes one directive (and
 * retransmissions that copy a changed SYN); the encoder inverts the decoder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lang/decode.h"
#include "lang/parse.h"
#include "lang/print.h"
#include "tap.h"

static uint64_t rng_state = 0x1234567890abcdefull;

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* decode -> print -> parse -> equal, and print(parse(print)) is stable. */
static bool roundtrip(const struct lq_scenario *sc, char *why, size_t whylen)
{
    struct lq_strbuf t1, t2;
    lq_sb_init(&t1);
    lq_sb_init(&t2);
    lq_print_scenario(sc, &t1);
    struct lq_scenario back;
    struct lq_err err = {0};
    bool ok = false;
    if (lq_parse_text(lq_sb_str(&t1), t1.len, "decoded", &back, &err)) {
        snprintf(why, whylen, "does not parse: %s\n%s", err.msg, lq_sb_str(&t1));
        goto out;
    }
    if (!lq_scenario_equal(sc, &back)) {
        snprintf(why, whylen, "re-parsed scenario differs:\n%s", lq_sb_str(&t1));
        lq_scenario_free(&back);
        goto out;
    }
    lq_print_scenario(&back, &t2);
    lq_scenario_free(&back);
    if (strcmp(lq_sb_str(&t1), lq_sb_str(&t2)) != 0) {
        snprintf(why, whylen, "printing is not stable:\n%s---\n%s", lq_sb_str(&t1), lq_sb_str(&t2));
        goto out;
    }
    ok = true;
out:
    lq_sb_free(&t1);
    lq_sb_free(&t2);
    return ok;
}

/* A structural hash (what lq_scenario_equal compares) for the cache below. */
static uint64_t sc_hash(const struct lq_scenario *sc)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sc->n; i++) {
        const struct lq_directive *d = &sc->d[i];
        h = (h ^ d->kind) * 1099511628211ull;
        switch (d->kind) {
        case LQ_D_SYSCTL: h = (h ^ (uint64_t)d->u.sysctl.value ^ d->u.sysctl.id) * 31; break;
        case LQ_D_LISTEN: h = (h ^ (uint64_t)(int64_t)d->u.backlog) * 31; break;
        case LQ_D_SOCKOPT: h = (h ^ (uint64_t)d->u.sockopt.value ^ d->u.sockopt.opt) * 31; break;
        case LQ_D_WAIT: h = (h ^ d->u.wait_ms) * 31; break;
        default: break;
        }
    }
    return h;
}

#define CACHE_SLOTS          65536
#define EXHAUSTIVE_BLOCK     4096 /* strings per block handed to one process */
#define EXHAUSTIVE_MAX_PARTS 4

struct exhaustive_result {
    size_t tested, distinct, failed;
    char why[2048];
};

/* Every string of length 0..maxlen whose block number is part (mod nparts):
 * those decode to set-up prefixes only, of which there are few distinct
 * ones; each distinct scenario is printed and re-parsed once, the others are
 * compared with it. */
static void exhaustive_part(const struct lq_decode_opts *o, unsigned maxlen, unsigned part,
                            unsigned nparts, struct exhaustive_result *r)
{
    struct lq_scenario *cache = calloc(CACHE_SLOTS, sizeof(*cache));
    bool *used = calloc(CACHE_SLOTS, sizeof(*used));
    uint8_t buf[3];
    uint64_t index = 0;
    memset(r, 0, sizeof(*r));
    if (!cache || !used) {
        r->failed = 1;
        snprintf(r->why, sizeof(r->why), "out of memory");
        free(cache);
        free(used);
        return;
    }
    for (unsigned len = 0; len <= maxlen; len++) {
        uint32_t count = 1u << (8 * len);
        for (uint32_t v = 0; v < count; v++, index++) {
            if ((index / EXHAUSTIVE_BLOCK) % nparts != part)
                continue;
            for (unsigned k = 0; k < len; k++)
                buf[k] = (uint8_t)(v >> (8 * k));
            struct lq_scenario sc;
            if (lq_decode(buf, len, o, &sc)) {
                r->failed++;
                snprintf(r->why, sizeof(r->why), "out of memory");
                continue;
            }
            r->tested++;
            uint64_t h = sc_hash(&sc) % CACHE_SLOTS;
            bool done = false;
            while (used[h]) {
                if (lq_scenario_equal(&cache[h], &sc)) {
                    done = true;
                    break;
                }
                h = (h + 1) % CACHE_SLOTS;
            }
            if (!done) {
                if (!roundtrip(&sc, r->why, sizeof(r->why))) {
                    r->failed++;
                } else if (r->distinct < CACHE_SLOTS / 2) {
                    used[h] = true;
                    cache[h] = sc;
                    r->distinct++;
                    continue;
                }
            }
            lq_scenario_free(&sc);
        }
    }
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (used[i])
            lq_scenario_free(&cache[i]);
    free(cache);
    free(used);
}

/* The 16.8 million strings of length 3 take most of this test's time: they
 * are split over the online CPUs, one child process per part beyond the
 * first, each reporting its counts through a pipe. */
static void test_exhaustive(const struct lq_decode_opts *o, const char *mode, unsigned maxlen)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned nparts = cpus < 1                      ? 1
                      : cpus > EXHAUSTIVE_MAX_PARTS ? EXHAUSTIVE_MAX_PARTS
                                                    : (unsigned)cpus;
    pid_t pids[EXHAUSTIVE_MAX_PARTS] = {0};
    int fds[EXHAUSTIVE_MAX_PARTS] = {-1, -1, -1, -1};
    fflush(stdout);
    for (unsigned i = 1; i < nparts; i++) {
        int p[2];
        if (pipe(p))
            break;
        pid_t pid = fork();
        if (pid < 0) {
            close(p[0]);
            close(p[1]);
            break;
        }
        if (pid == 0) {
            struct exhaustive_result r;
            close(p[0]);
            exhaustive_part(o, maxlen, i, nparts, &r);
            bool whole = write(p[1], &r, sizeof(r)) == (ssize_t)sizeof(r);
            _exit(whole ? 0 : 1);
        }
        close(p[1]);
        pids[i] = pid;
        fds[i] = p[0];
    }
    struct exhaustive_result total, r;
    exhaustive_part(o, maxlen, 0, nparts, &total);
    for (unsigned i = 1; i < nparts; i++) {
        /* a part that could not be started runs here */
        if (!pids[i]) {
            exhaustive_part(o, maxlen, i, nparts, &r);
        } else {
            size_t got = 0;
            while (got < sizeof(r)) {
                ssize_t n = read(fds[i], (char *)&r + got, sizeof(r) - got);
                if (n <= 0)
                    break;
                got += (size_t)n;
            }
            close(fds[i]);
            int status = 0;
            bool exited = waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
                          WEXITSTATUS(status) == 0;
            if (got != sizeof(r) || !exited) {
                memset(&r, 0, sizeof(r));
                r.failed = 1;
                snprintf(r.why, sizeof(r.why), "part %u of %u: its process died (status %#x)", i,
                         nparts, (unsigned)status);
            }
        }
        total.tested += r.tested;
        total.distinct += r.distinct;
        if (r.failed && !total.failed)
            memcpy(total.why, r.why, sizeof(total.why));
        total.failed += r.failed;
    }
    size_t expected = 0;
    for (unsigned len = 0; len <= maxlen; len++)
        expected += (size_t)1 << (8 * len);
    ok(total.failed == 0 && total.tested == expected,
       "%s: all %zu strings of length 0..%u decode, print and re-parse (%u parts, %zu distinct "
       "in the parts)",
       mode, expected, maxlen, nparts, total.distinct);
    if (total.failed)
        tap_diag("%s", total.why);
    else if (total.tested != expected)
        tap_diag("only %zu strings tested", total.tested);
}

static size_t count_kind(const struct lq_scenario *sc, uint8_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->n; i++)
        n += sc->d[i].kind == kind;
    return n;
}

/* Where the events start: after the directives the header bytes alone
 * decode to (the set-up, up to the last listen of a group's listeners and
 * its program). */
static size_t first_event(const uint8_t *buf, size_t len, const struct lq_decode_opts *o)
{
    struct lq_scenario h;
    if (lq_decode(buf, len < LQ_DECODE_HEADER ? len : LQ_DECODE_HEADER, o, &h))
        return 0;
    size_t n = h.n;
    lq_scenario_free(&h);
    return n;
}

static bool dir_equal(const struct lq_scenario *a, size_t i, const struct lq_scenario *b, size_t j)
{
    struct lq_strbuf x, y;
    lq_sb_init(&x);
    lq_sb_init(&y);
    lq_print_directive(a, &a->d[i], &x);
    lq_print_directive(b, &b->d[j], &y);
    bool eq = strcmp(lq_sb_str(&x), lq_sb_str(&y)) == 0;
    lq_sb_free(&x);
    lq_sb_free(&y);
    return eq;
}

static void test_random(const struct lq_decode_opts *o, const char *mode, size_t n)
{
    size_t bad_rt = 0, bad_det = 0, bad_cap = 0, bad_wait = 0, bad_enc = 0, bad_conns = 0;
    size_t bad_small = 0, small_tried = 0;
    char why[2048] = "", why_enc[2048] = "", why_small[512] = "";
    size_t max = o->max_events ? o->max_events : LQ_DECODE_MAX_EVENTS;
    for (size_t it = 0; it < n; it++) {
        uint8_t buf[200];
        size_t len = (size_t)(rng() % sizeof(buf));
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)rng();
        struct lq_scenario a, b;
        if (lq_decode(buf, len, o, &a) || lq_decode(buf, len, o, &b)) {
            bad_rt++;
            continue;
        }
        if (!roundtrip(&a, why, sizeof(why)))
            bad_rt++;
        if (!lq_scenario_equal(&a, &b))
            bad_det++;
        size_t events = a.n - first_event(buf, len, o);
        if (events > max)
            bad_cap++;
        if (!o->waits && count_kind(&a, LQ_D_WAIT))
            bad_wait++;
        if (a.nconns > 8)
            bad_conns++;
        /* the encoder inverts the decoder */
        uint8_t *enc = NULL;
        size_t elen = 0;
        struct lq_scenario c;
        if (lq_encode(&a, o, &enc, &elen) || lq_decode(enc, elen, o, &c)) {
            bad_enc++;
        } else {
            if (!lq_scenario_equal(&a, &c)) {
                bad_enc++;
                struct lq_strbuf x, y;
                lq_sb_init(&x);
                lq_sb_init(&y);
                lq_print_scenario(&a, &x);
                lq_print_scenario(&c, &y);
                snprintf(why_enc, sizeof(why_enc), "decoded:\n%s---\nre-encoded:\n%s",
                         lq_sb_str(&x), lq_sb_str(&y));
                lq_sb_free(&x);
                lq_sb_free(&y);
            }
            lq_scenario_free(&c);
        }
        free(enc);
        /* one byte of one event record changed: one directive changes, plus
         * later SYNs (a retransmission copies a connection's last SYN) and
         * later close CONN records (shutdown SHUT_WR while CONN is unnamed) */
        if (o->waits && len > LQ_DECODE_HEADER + 1) {
            size_t pos = LQ_DECODE_HEADER + (size_t)(rng() % (len - LQ_DECODE_HEADER));
            uint8_t saved = buf[pos];
            buf[pos] = (uint8_t)(buf[pos] ^ (1u << (rng() % 8)));
            struct lq_scenario m;
            if (lq_decode(buf, len, o, &m) == 0) {
                small_tried++;
                size_t diffs = 0;
                if (m.n != a.n) {
                    diffs = 99;
                } else {
                    size_t rec = (pos - LQ_DECODE_HEADER) / 2;
                    size_t at = first_event(buf, len, o) + rec;
                    for (size_t k = 0; k < a.n; k++) {
                        if (dir_equal(&a, k, &m, k))
                            continue;
                        if (k == at ||
                            /* these depend on what came before: a SYN
                             * retransmission, close CONN and icmp (else
                             * SHUT_WR, accept) on a connection named before */
                            (k > at && (a.d[k].kind == LQ_D_SYN || a.d[k].kind == LQ_D_CLOSE ||
                                        a.d[k].kind == LQ_D_SHUTDOWN || a.d[k].kind == LQ_D_ICMP ||
                                        a.d[k].kind == LQ_D_ACCEPT)))
                            continue;
                        diffs++;
                    }
                }
                if (diffs) {
                    bad_small++;
                    snprintf(why_small, sizeof(why_small),
                             "byte %zu changed: %zu other directives changed", pos, diffs);
                }
                lq_scenario_free(&m);
            }
            buf[pos] = saved;
        }
        lq_scenario_free(&a);
        lq_scenario_free(&b);
    }
    ok(bad_rt == 0, "%s: %zu random strings decode, print and re-parse to equal scenarios", mode,
       n);
    if (bad_rt)
        tap_diag("%zu failed; last: %s", bad_rt, why);
    ok(bad_det == 0, "%s: decoding is deterministic", mode);
    ok(bad_cap == 0, "%s: at most %zu events", mode, max);
    ok(bad_conns == 0, "%s: at most 8 connections", mode);
    if (!o->waits)
        ok(bad_wait == 0, "%s: no wait directive", mode);
    ok(bad_enc == 0, "%s: decode(encode(decode(x))) == decode(x)", mode);
    if (bad_enc)
        tap_diag("%zu failed; last:\n%s", bad_enc, why_enc);
    if (o->waits) {
        ok(bad_small == 0 && small_tried > n / 2,
           "%s: a one-bit change of an event record changes that directive only (%zu tried)", mode,
           small_tried);
        if (bad_small)
            tap_diag("%s", why_small);
    }
}

static void test_shapes(void)
{
    struct lq_decode_opts o;
    lq_decode_opts_model(&o);
    struct lq_scenario sc;
    struct lq_strbuf t;
    lq_sb_init(&t);

    ok(lq_decode(NULL, 0, &o, &sc) == 0, "empty input decodes");
    lq_print_scenario(&sc, &t);
    is_str(lq_sb_str(&t), "sysctl net.ipv4.tcp_syncookies=0\nlisten 0\n",
           "empty input: cookies off, listen 0");
    lq_scenario_free(&sc);

    /* header: cookies 2, backlog 3, somaxconn 4, abort, max_syn_backlog 8,
     * defer 2, synack_retries 1, TCP_SYNCNT 3, 3 connections; then SYN c2
     * ts sack wscale=7, ACK c2, accept, wait 1s (waits allowed) */
    const uint8_t in2[] = {
        2,    3,    (4 << 2) | 3, 1 | 6 | (8 << 3), 3 | (1 << 2) | 0x30 | 0x40, (3 << 3) | (2 << 5),
        1,    0x10, 4 | 8 | 16, /* syn c2 mss=1460 ts sack wscale=7 */
        0x14, 0,                /* ack c2 */
        10,   0,                /* accept */
        13,   3};               /* wait 1s */
    lq_sb_reset(&t);
    ok(lq_decode(in2, sizeof(in2), &o, &sc) == 0, "a hand-made input decodes");
    lq_print_scenario(&sc, &t);
    is_str(lq_sb_str(&t),
           "sysctl net.ipv4.tcp_syncookies=2\n"
           "sysctl net.core.somaxconn=4\n"
           "sysctl net.ipv4.tcp_abort_on_overflow=1\n"
           "sysctl net.ipv4.tcp_max_syn_backlog=8\n"
           "sysctl net.ipv4.tcp_synack_retries=1\n"
           "sockopt TCP_DEFER_ACCEPT=2\n"
           "sockopt TCP_SYNCNT=3\n"
           "listen 3\n"
           "syn c2 mss=1460 ts sack wscale=7\n"
           "ack c2\n"
           "accept\n"
           "wait 1s\n",
           "the hand-made input gives the documented scenario");
    lq_scenario_free(&sc);

    struct lq_decode_opts nw;
    lq_decode_opts_diff(&nw);
    lq_sb_reset(&t);
    ok(lq_decode(in2, sizeof(in2), &nw, &sc) == 0, "no-wait mode decodes it too");
    lq_print_scenario(&sc, &t);
    ok(strstr(lq_sb_str(&t), "wait") == NULL && strstr(lq_sb_str(&t), "accept\n") != NULL,
       "no-wait mode skips the wait and keeps the rest");
    lq_scenario_free(&sc);

    /* a retransmission copies the connection's last SYN with the same ISN */
    const uint8_t rtx[] = {0,    1, 0, 0, 0, 0, 0, 0x00, 0x44 /* syn c1 mss=1460 ts newisn */,
                           0x03, 0 /* retransmission */};
    lq_sb_reset(&t);
    ok(lq_decode(rtx, sizeof(rtx), &o, &sc) == 0, "retransmission input decodes");
    lq_print_scenario(&sc, &t);
    is_str(lq_sb_str(&t),
           "sysctl net.ipv4.tcp_syncookies=0\nlisten 1\nsyn c1 mss=1460 ts newisn\n"
           "syn c1 mss=1460 ts\n",
           "a retransmitted SYN repeats the options with the same ISN");
    lq_scenario_free(&sc);

    /* byte 0 bits 2-3: the family; dual: bits 4-7 make connections IPv4. A
     * SYN's MSS choice 2 is 536 over IPv4, 1450 over IPv6 (decode.h). */
    const uint8_t v6[] = {0 | (1 << 2), 1, 0, 0, 0, 0, 0, 0x00, 2 /* syn c1 mss=1450 */};
    lq_sb_reset(&t);
    ok(lq_decode(v6, sizeof(v6), &o, &sc) == 0 && sc.family == LQ_SCN_IPV6 &&
           sc.run_family == LQ_FAMILY_IPV6,
       "family bits 1: an IPv6 scenario");
    lq_print_scenario(&sc, &t);
    is_str(lq_sb_str(&t),
           "family ipv6\nsysctl net.ipv4.tcp_syncookies=0\nlisten 1\nsyn c1 mss=1450\n",
           "an IPv6 scenario: its family line first, MSS choice 2 is 1450");
    lq_scenario_free(&sc);
    const uint8_t dual[] = {3 | (2 << 2) | (1 << 5),
                            1,
                            0,
                            0,
                            0,
                            0,
                            0,
                            0x00,
                            2, /* syn c1 */
                            0x10,
                            2 /* syn c2 */,
                            0x14,
                            0 /* ack c2 */};
    lq_sb_reset(&t);
    ok(lq_decode(dual, sizeof(dual), &o, &sc) == 0 && sc.family == LQ_SCN_DUAL &&
           lq_scenario_conn_ipv6(&sc, 0) && !lq_scenario_conn_ipv6(&sc, 1),
       "family bits 2: dual, bit 5 makes c2 (index 1) IPv4");
    lq_print_scenario(&sc, &t);
    is_str(lq_sb_str(&t),
           "family dual\nlisten 1\nsyn c1 mss=1450\nsyn c2 mss=536 ipv4\nack c2 ipv4\n",
           "dual: each event of an IPv4 connection says ipv4");
    uint8_t *enc = NULL;
    size_t elen = 0;
    struct lq_scenario back;
    ok(lq_encode(&sc, &o, &enc, &elen) == 0 && lq_decode(enc, elen, &o, &back) == 0 &&
           lq_scenario_equal(&sc, &back) && lq_scenario_conn_ipv6(&back, 0) &&
           !lq_scenario_conn_ipv6(&back, 1),
       "a dual scenario encodes back to itself, connection families included");
    lq_scenario_free(&back);
    free(enc);
    lq_scenario_free(&sc);
    const uint8_t v4[] = {3 << 2, 1, 0, 0, 0, 0, 0, 0x00, 2};
    lq_sb_reset(&t);
    ok(lq_decode(v4, sizeof(v4), &o, &sc) == 0 && sc.family == LQ_SCN_IPV4, "family bits 3: ipv4");
    lq_print_scenario(&sc, &t);
    ok(strstr(lq_sb_str(&t), "family ipv4\n") == lq_sb_str(&t) &&
           strstr(lq_sb_str(&t), "syn c1 mss=536\n"),
       "an IPv4 scenario keeps 536");
    lq_scenario_free(&sc);

    /* the cap: a long input stops at max_events */
    uint8_t big[7 + 2 * 200];
    memset(big, 0, sizeof(big));
    for (size_t k = 7; k < sizeof(big); k += 2)
        big[k] = 4; /* ack */
    struct lq_decode_opts capped = {.waits = false, .max_events = 5};
    ok(lq_decode(big, sizeof(big), &capped, &sc) == 0 && count_kind(&sc, LQ_D_ACK) == 5,
       "the event cap holds");
    lq_scenario_free(&sc);
    lq_sb_free(&t);
}

/* Scenarios from outside the decoder encode to their nearest decodable form. */
static void test_encode_foreign(void)
{
    static const char text[] = "sysctl net.ipv4.tcp_syncookies=1\n"
                               "sockopt TCP_DEFER_ACCEPT=3\n"
                               "listen 2\n"
                               "syn alpha mss=1460\n"
                               "syn beta mss=1460 ts\n"
                               "ack alpha\n"
                               "rst beta seq=+10\n"
                               "expect synq 0\n"
                               "accept\n"
                               "fin alpha len=100\n";
    struct lq_scenario sc, back;
    struct lq_err err;
    struct lq_decode_opts o;
    lq_decode_opts_model(&o);
    ok(lq_parse_text(text, sizeof(text) - 1, "t", &sc, &err) == 0, "foreign scenario parses");
    uint8_t *enc = NULL;
    size_t len = 0;
    ok(lq_encode(&sc, &o, &enc, &len) == 0 && lq_decode(enc, len, &o, &back) == 0,
       "foreign scenario encodes and decodes");
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_print_scenario(&back, &t);
    is_str(lq_sb_str(&t),
           "sysctl net.ipv4.tcp_syncookies=1\nsockopt TCP_DEFER_ACCEPT=3\nlisten 2\n"
           "syn c1 mss=1460\nsyn c2 mss=1460 ts\nack c1\nrst c2 seq=+10\naccept\n"
           "fin c1 len=100\n",
           "names become c1, c2; expectations are left out");
    lq_sb_free(&t);
    free(enc);
    lq_scenario_free(&sc);
    lq_scenario_free(&back);
}

/* lq_decode_reuse (what the fuzzers call) decodes as lq_decode does, input
 * after input, into the same scenario. */
static void test_reuse(void)
{
    struct lq_decode_opts o;
    lq_decode_opts_model(&o);
    struct lq_scenario kept;
    lq_scenario_init(&kept);
    size_t bad = 0;
    for (int it = 0; it < 2000; it++) {
        uint8_t buf[160];
        size_t len = (size_t)(rng() % sizeof(buf));
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)rng();
        struct lq_scenario fresh;
        if (lq_decode(buf, len, &o, &fresh) || lq_decode_reuse(buf, len, &o, &kept)) {
            bad++;
            continue;
        }
        if (!lq_scenario_equal(&fresh, &kept) || fresh.nconns != kept.nconns)
            bad++;
        lq_scenario_free(&fresh);
        if (it % 3 == 0)
            lq_decode_clear(&kept);
    }
    ok(bad == 0, "lq_decode_reuse decodes 2000 inputs into one scenario as lq_decode does");
    lq_scenario_free(&kept);
}

/* --family of listenq fuzz: the decoder chooses only in the given set, and
 * an input whose family is in it decodes as without the set. */
static void test_families(void)
{
    is_int((int)lq_decode_families_parse("ipv6,dual"), (1 << LQ_SCN_IPV6) | (1 << LQ_SCN_DUAL),
           "ipv6,dual");
    is_int((int)lq_decode_families_parse("neutral,ipv4,ipv6,dual"), 15, "all four");
    is_int((int)lq_decode_families_parse("ipv6,"), 1 << LQ_SCN_IPV6, "a trailing comma");
    is_int((int)lq_decode_families_parse("ip6"), 0, "an unknown name");
    is_int((int)lq_decode_families_parse(""), 0, "nothing");
    struct lq_decode_opts all, v6;
    lq_decode_opts_diff(&all);
    lq_decode_opts_diff(&v6);
    all.families = 0;
    v6.families = (1u << LQ_SCN_IPV6) | (1u << LQ_SCN_DUAL);
    unsigned seen = 0, outside = 0, changed = 0;
    for (unsigned b = 0; b < 256; b++) {
        uint8_t in[24];
        for (size_t k = 0; k < sizeof(in); k++)
            in[k] = (uint8_t)(b * 7u + k * 13u);
        in[0] = (uint8_t)b;
        struct lq_scenario a, r;
        if (lq_decode(in, sizeof(in), &all, &a) || lq_decode(in, sizeof(in), &v6, &r))
            break;
        seen |= 1u << r.family;
        outside += !((v6.families >> r.family) & 1u);
        /* inside the set the family (and so everything) is the same */
        if (((v6.families >> a.family) & 1u) && !lq_scenario_equal(&a, &r))
            changed++;
        lq_scenario_free(&a);
        lq_scenario_free(&r);
    }
    is_int((int)outside, 0, "held to ipv6,dual: no other family");
    is_int((int)seen, (int)v6.families, "both families of the set come up");
    is_int((int)changed, 0, "an input already in the set decodes as without it");
}

int main(void)
{
    struct lq_decode_opts model, diff;
    lq_decode_opts_model(&model);
    lq_decode_opts_diff(&diff);
    test_shapes();
    test_encode_foreign();
    test_reuse();
    test_families();
    /* up to 3 bytes only the set-up header is read, the same in both modes:
     * every string in one mode, up to 2 bytes in the other */
    test_exhaustive(&model, "waits", 3);
    test_exhaustive(&diff, "no waits", 2);
    test_random(&model, "waits", 10000);
    test_random(&diff, "no waits", 10000);
    return tap_done();
}
