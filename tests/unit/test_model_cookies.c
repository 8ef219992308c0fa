/* tests/unit/test_model_cookies.c: SYN cookies.
 *
 * Expectations from net/ipv4/syncookies.c of 7.2.12 (msstab[],
 * __cookie_v4_init_sequence, check_tcp_syn_cookie, cookie_tcp_check,
 * cookie_timestamp_decode, cookie_v4_check, tcp_get_cookie_sock),
 * tcp_synq_overflow() / tcp_synq_no_recent_overflow() / tcp_cookie_time()
 * (include/net/tcp.h), tcp_v4_do_rcv() (tcp_ipv4.c), and the live facts
 * measured on 6.18.44 (cookie MSS 1439 -> 1300, 9000 -> 1460, 400 -> 536,
 * 535 -> 536, 1440 -> 1440, cookie + TS with 1460 -> 1448).
 */
#include <stdlib.h>

#include "model/model_internal.h"
#include "model_test.h"

/* ---- helpers (each test file is self-contained) ---- */

/* A listener answering every SYN with a cookie (tcp_syncookies = 2). */
static struct lq_model *cookie_listener(const char *ver, int backlog)
{
    struct lq_model *m = mk(ver);
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 2);
    lq_model_listen(m, LPORT, backlog);
    inv(m, "listen");
    return m;
}

struct syn_opts {
    bool has_mss;
    uint16_t mss;
    bool ws;
    uint8_t wscale;
    bool sack, ts;
    uint32_t tsval;
};

struct cookie {
    uint16_t conn;
    uint32_t isn;
    uint32_t cookie; /* the SYN-ACK's seq */
    uint32_t tsval;  /* the SYN-ACK's TSval */
    bool ok;
};

static struct cookie send_syn(struct lq_model *m, uint16_t conn, struct syn_opts o)
{
    struct cookie c = {conn, cisn(conn), 0, 0, false};
    struct lq_seg s = mkseg(conn, LQ_TH_SYN, c.isn, 0);
    s.opt.has_mss = o.has_mss;
    s.opt.mss = o.mss;
    s.opt.has_wscale = o.ws;
    s.opt.wscale = o.wscale;
    s.opt.sack_perm = o.sack;
    s.opt.has_ts = o.ts;
    s.opt.tsval = o.tsval;
    input(m, s);
    const struct lq_model_out *out = lq_model_output(m);
    if (out->npkts == 1 && out->pkts[0].cookie) {
        c.ok = true;
        c.cookie = out->pkts[0].seg.seq;
        c.tsval = out->pkts[0].seg.opt.tsval;
    }
    return c;
}

static struct syn_opts mss_only(uint16_t mss)
{
    struct syn_opts o = {0};
    o.has_mss = true;
    o.mss = mss;
    return o;
}

/* The third ACK a client sends for a cookie SYN-ACK. */
static struct lq_seg cookie_ack(const struct cookie *c)
{
    return mkseg(c->conn, LQ_TH_ACK, c->isn + 1, c->cookie + 1);
}

static struct lq_seg cookie_ack_ts(const struct cookie *c, uint32_t tsval)
{
    struct lq_seg s = cookie_ack(c);
    s.opt.has_ts = true;
    s.opt.tsval = tsval;
    s.opt.tsecr = c->tsval;
    return s;
}

static bool is_rst_for(const struct lq_model *m, uint32_t ack)
{
    const struct lq_seg *o = pkt0(m);
    return npkts(m) == 1 && o->flags == LQ_TH_RST && o->seq == ack;
}

/* ---- the MSS table ---- */

static void test_mss_table(void)
{
    /* __cookie_v4_init_sequence: the largest msstab[] = {536, 1300, 1440, 1460}
     * entry <= the client's MSS (index 0 below it); the child's mss_clamp is that
     * value, and TCP_MAXSEG = min(1500 - 40, clamp) - 12 with TS (tcp_sync_mss). */
    const struct {
        bool has;
        uint16_t mss;
        uint16_t want;
    } rows[] = {
        {false, 0, 536}, /* no option: mss_clamp = TCP_MSS_DEFAULT 536 */
        {true, 0, 536},  /* "if (in_mss)": 0 is ignored */
        {true, 1, 536},      {true, 400, 536},   {true, 535, 536},   {true, 536, 536},
        {true, 1299, 536},   {true, 1300, 1300}, {true, 1439, 1300}, {true, 1440, 1440},
        {true, 1459, 1440},  {true, 1460, 1460}, {true, 1461, 1460}, {true, 9000, 1460},
        {true, 65535, 1460},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = cookie_listener("6.18.44", 8);
        struct syn_opts o = mss_only(rows[i].mss);
        o.has_mss = rows[i].has;
        struct cookie c = send_syn(m, 1, o);
        input(m, cookie_ack(&c));
        uint16_t conn = 0, mss = 0;
        int rc = lq_model_accept(m, &conn, &mss);
        inv(m, "accept");
        ok(c.ok && rc == 0 && conn == 1 && mss == rows[i].want,
           "cookie, client MSS %s%u -> accepted MSS %u (got %u)", rows[i].has ? "" : "none/",
           rows[i].mss, rows[i].want, mss);
        lq_model_free(m);
    }
    /* cookie + TS with 1460 -> 1448 (live) */
    struct lq_model *m = cookie_listener("6.18.44", 8);
    struct syn_opts o = mss_only(1460);
    o.ts = true;
    o.tsval = 1000;
    struct cookie c = send_syn(m, 1, o);
    input(m, cookie_ack_ts(&c, 1001));
    uint16_t conn = 0, mss = 0;
    ok(lq_model_accept(m, &conn, &mss) == 0 && mss == 1448, "cookie + TS, MSS 1460 -> 1448");
    lq_model_free(m);
}

/* ---- validation of the cookie ACK ---- */

static void test_validation(void)
{
    struct lq_model *m = cookie_listener("6.18.44", 8);
    struct cookie c = send_syn(m, 1, mss_only(1460));
    ok(c.ok && queues(m).synq == 0, "SYN-ACK with a cookie; nothing queued");
    input(m, cookie_ack(&c));
    ok(npkts(m) == 0 && queues(m).acceptq == 1 && ctr(m, LQ_CTR_SYNCOOKIES_RECV) == 1 &&
           ctr(m, LQ_CTR_PASSIVE_OPENS) == 1,
       "ACK with ack = cookie + 1, seq = ISN + 1: child (SyncookiesRecv 1, PassiveOpens 1)");
    lq_model_free(m);

    /* Wrong ack or seq: check_tcp_syn_cookie returns an out-of-range index:
     * SYNCOOKIESFAILED, cookie_v4_check returns the listener, which answers the
     * ACK with RST (seq = SEG.ACK).
     * The arithmetic: cookie = H0 + sseq + (count << 24) + ((H1 + mssind) & 0xffffff).
     * ack one too big adds 1 to the decoded index: 3 (1460) -> 4, out of the table.
     * seq one too big subtracts 1: index 0 (536) -> 0xffffff. Large offsets land
     * outside [0, 3] unless the hash is within 1000 of a 2^24 boundary (p < 1e-4). */
    const struct {
        const char *what;
        uint16_t mss;
        int32_t dack, dseq;
    } bad[] = {
        {"ack + 1, MSS 1460 (index 4)", 1460, 1, 0},
        {"seq + 1, MSS 536 (index -1)", 536, 0, 1},
        {"ack + 1000", 1460, 1000, 0},
        {"seq + 1000", 1460, 0, 1000},
        {"ack - 1000", 536, -1000, 0},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        m = cookie_listener("6.18.44", 8);
        c = send_syn(m, 1, mss_only(bad[i].mss));
        struct lq_seg a = cookie_ack(&c);
        a.ack += (uint32_t)bad[i].dack;
        a.seq += (uint32_t)bad[i].dseq;
        input(m, a);
        ok(is_rst_for(m, a.ack) && ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == 1 &&
               ctr(m, LQ_CTR_SYNCOOKIES_RECV) == 0 && queues(m).acceptq == 0,
           "cookie ACK with %s: SyncookiesFailed 1, RST seq = SEG.ACK", bad[i].what);
        lq_model_free(m);
    }

    /* The same arithmetic accepts neighbours: ack one too small decodes index
     * 3 - 1 = 2 (1440); seq one too big with index 3 also decodes 2. The kernel
     * builds a child with MSS 1440 (unless H1 + 3 is a multiple of 2^24). */
    const struct {
        const char *what;
        int32_t dack, dseq;
    } near[] = {{"ack - 1", -1, 0}, {"seq + 1", 0, 1}};
    for (size_t i = 0; i < 2; i++) {
        m = cookie_listener("6.18.44", 8);
        c = send_syn(m, 1, mss_only(1460));
        struct lq_seg a = cookie_ack(&c);
        a.ack += (uint32_t)near[i].dack;
        a.seq += (uint32_t)near[i].dseq;
        input(m, a);
        uint16_t conn = 0, mss = 0;
        ok(lq_model_accept(m, &conn, &mss) == 0 && mss == 1440 &&
               ctr(m, LQ_CTR_SYNCOOKIES_RECV) == 1,
           "cookie ACK with %s (MSS 1460): valid with index 2, accepted MSS 1440", near[i].what);
        lq_model_free(m);
    }

    /* cookie_v4_check: "if (!syncookies || !th->ack || th->rst) goto out". */
    m = cookie_listener("6.18.44", 8);
    c = send_syn(m, 1, mss_only(1460));
    struct lq_seg ra = cookie_ack(&c);
    ra.flags |= LQ_TH_RST;
    input(m, ra);
    ok(npkts(m) == 0 && queues(m).acceptq == 0 && ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == 0 &&
           ctr(m, LQ_CTR_SYNCOOKIES_RECV) == 0,
       "RST|ACK carrying a valid cookie: not checked, ignored (no RST to an RST)");
    lq_model_set_sysctl(m, LQ_SYSCTL_SYNCOOKIES, 0);
    input(m, cookie_ack(&c));
    ok(is_rst_for(m, c.cookie + 1) && queues(m).acceptq == 0 && ctr(m, LQ_CTR_SYNCOOKIES_RECV) == 0,
       "cookies turned off before the ACK: not checked, RST");
    lq_model_free(m);
}

/* ---- "no recent overflow" and where jiffies are ---- */

static void test_recent_overflow(void)
{
    /* cookie_tcp_check: "if (tcp_synq_no_recent_overflow(sk)) goto out": nothing is
     * counted and the listener answers RST. A fresh listener's stamp is 0. */
    struct lq_model *m = mk("6.18.44");
    lq_model_listen(m, LPORT, 8);
    input(m, mkseg(1, LQ_TH_ACK, 5, 0x55555555u));
    ok(is_rst_for(m, 0x55555555u) && ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == 0,
       "jiffies 0x40000000, no cookie sent: a stray ACK is not checked (RST, no "
       "SyncookiesFailed)");
    lq_model_free(m);

    /* !time_between32(now, last - HZ, last + 2 * 60 * HZ) with last = 0:
     * now in [-HZ, 120 HZ] counts as a recent overflow (a machine booted less
     * than 2 minutes ago in jiffies32 terms, or wrapped). */
    const struct {
        uint32_t j, hz;
        bool tried;
    } rows[] = {
        {5000, 1000, true},         {120000, 1000, true},       {120001, 1000, false},
        {0xfffffc18u, 1000, true},                                                  /* -1000 */
        {0xfffffc17u, 1000, false}, {0x40000000u, 1000, false}, {30000, 250, true}, /* 120 * 250 */
        {30001, 250, false},        {0xffffff06u, 250, true},                       /* -250 */
        {0xffffff05u, 250, false},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        m = mk("6.18.44");
        lq_model_set_clock(m, rows[i].j, rows[i].hz);
        lq_model_listen(m, LPORT, 8);
        input(m, mkseg(1, LQ_TH_ACK, 5, 0x55555555u));
        ok(is_rst_for(m, 0x55555555u) &&
               ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == (rows[i].tried ? 1u : 0u),
           "fresh listener, jiffies32 0x%08x HZ %u: stray ACK %s (SyncookiesFailed %d)", rows[i].j,
           rows[i].hz, rows[i].tried ? "checked as a cookie" : "not checked", rows[i].tried);
        lq_model_free(m);
    }

    /* tcp_synq_overflow(): "if (!time_between32(now, last, last + HZ)) stamp = now".
     * With jiffies32 500 and the stamp 0, a cookie does not move it; 119.6 s later
     * (jiffies 120100 > 0 + 120000) the listener has no recent overflow. With the
     * stamp written (jiffies 0x40000000) the window reaches 120 s after the cookie. */
    const struct {
        uint32_t j;
        bool tried;
    } st[] = {{500, false}, {0x40000000u, true}};
    for (int i = 0; i < 2; i++) {
        m = cookie_listener("6.18.44", 8);
        lq_model_set_clock(m, st[i].j, 1000);
        struct cookie c = send_syn(m, 1, mss_only(1460));
        advance(m, 119600);
        input(m, mkseg(2, LQ_TH_ACK, 5, 0x55555555u));
        ok(c.ok && is_rst_for(m, 0x55555555u) &&
               ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == (st[i].tried ? 1u : 0u),
           "cookie sent at jiffies 0x%x: a stray ACK 119.6 s later is %s", st[i].j,
           st[i].tried ? "checked" : "not checked (the stamp stayed 0)");
        lq_model_free(m);
    }

    /* The window after a cookie: last = jiffies of the cookie; [last - HZ, last +
     * 120 HZ]. Stray ACKs (another 4-tuple) probe it. */
    m = cookie_listener("6.18.44", 8);
    send_syn(m, 1, mss_only(1460));
    advance(m, 120000);
    input(m, mkseg(2, LQ_TH_ACK, 5, 0x55555555u));
    is_int(ctr(m, LQ_CTR_SYNCOOKIES_FAILED), 1, "120 s after the cookie: still checked");
    advance(m, 1);
    input(m, mkseg(3, LQ_TH_ACK, 5, 0x55555555u));
    ok(is_rst_for(m, 0x55555555u) && ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == 1,
       "120.001 s after: not checked any more");
    lq_model_free(m);
}

/* ---- cookie age ---- */

static void test_age(void)
{
    /* tcp_cookie_time() = jiffies / (60 HZ); check_tcp_syn_cookie: diff = count -
     * count_at_send (mod 256); "if (diff >= MAX_SYNCOOKIE_AGE (2)) return -1".
     * With jiffies 0x40000000 = 1073741824 at HZ 1000 the cookie's minute is
     * 17895 (17895 * 60000 = 1073700000, 41824 ms into it): the count reaches
     * +2 at 2 * 60000 - 41824 = 78176 ms. */
    const uint64_t j0 = 0x40000000u;
    const uint64_t expiry = (j0 / 60000 + 2) * 60000 - j0;
    is_int(expiry, 78176, "hand check: the cookie expires 78176 ms after it is sent");
    const struct {
        uint64_t after;
        bool valid;
    } rows[] = {{59000, true}, {expiry - 1, true}, {expiry, false}, {180000, false}};
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = cookie_listener("6.18.44", 8);
        struct cookie c = send_syn(m, 1, mss_only(1460));
        advance(m, rows[i].after);
        /* keep the listener "under flood" so that the cookie is checked at all */
        send_syn(m, 2, mss_only(1460));
        input(m, cookie_ack(&c));
        if (rows[i].valid)
            ok(queues(m).acceptq == 1 && ctr(m, LQ_CTR_SYNCOOKIES_RECV) == 1,
               "cookie ACK %llu ms later: valid, child created", (unsigned long long)rows[i].after);
        else
            ok(queues(m).acceptq == 0 && ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == 1 &&
                   is_rst_for(m, c.cookie + 1),
               "cookie ACK %llu ms later: too old, SyncookiesFailed 1, RST",
               (unsigned long long)rows[i].after);
        lq_model_free(m);
    }

    /* HZ 250: minutes of 15000 jiffies; 1073741824 = 71582 * 15000 + 11824, so the
     * count reaches +2 at 2 * 15000 - 11824 = 18176 jiffies = 72704 ms. */
    const struct {
        uint64_t after;
        bool valid;
    } r250[] = {{72703, true}, {72704, false}};
    for (int i = 0; i < 2; i++) {
        struct lq_model *m = cookie_listener("6.18.44", 8);
        lq_model_set_clock(m, 0x40000000u, 250);
        struct cookie c = send_syn(m, 1, mss_only(1460));
        advance(m, r250[i].after);
        send_syn(m, 2, mss_only(1460));
        input(m, cookie_ack(&c));
        ok(queues(m).acceptq == (r250[i].valid ? 1 : 0), "HZ 250: cookie ACK %llu ms later is %s",
           (unsigned long long)r250[i].after, r250[i].valid ? "valid" : "too old");
        lq_model_free(m);
    }

    /* tcp_cookie_time() divides get_jiffies_64(), which does not wrap where
     * jiffies32 does (INITIAL_JIFFIES puts the first wrap 5 minutes after boot).
     * A cookie sent 5 s before jiffies32 wraps and answered 10 s later is at most
     * one minute old whatever the upper 32 bits are: valid. */
    struct lq_model *m = cookie_listener("6.18.44", 8);
    lq_model_set_clock(m, 0u - 5001u, 1000);
    struct cookie c = send_syn(m, 1, mss_only(1460));
    advance(m, 10000);
    input(m, cookie_ack(&c));
    ok(queues(m).acceptq == 1 && ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == 0,
       "cookie across the jiffies32 wrap (sent at -5001, ACK 10 s later): valid");
    lq_model_free(m);
    /* Control: the same 10 s away from the wrap. */
    m = cookie_listener("6.18.44", 8);
    lq_model_set_clock(m, 0x80000000u, 1000);
    c = send_syn(m, 1, mss_only(1460));
    advance(m, 10000);
    input(m, cookie_ack(&c));
    is_int(queues(m).acceptq, 1, "the same 10 s away from the wrap: valid");
    lq_model_free(m);
}

/* ---- accept queue full ---- */

static void test_acceptq_full(void)
{
    /* tcp_get_cookie_sock -> tcp_v4_syn_recv_sock: sk_acceptq_is_full (1 > 0) ->
     * exit_overflow: LISTENOVERFLOWS, tcp_listendrop; cookie_v4_check returns NULL
     * and tcp_v4_do_rcv drops the segment ("if (!nsk) return 0"): no RST. */
    struct lq_model *m = cookie_listener("6.18.44", 0);
    struct cookie a = send_syn(m, 1, mss_only(1460));
    struct cookie b = send_syn(m, 2, mss_only(1460));
    ok(a.ok && b.ok, "N=0, cookies always: two cookie SYN-ACKs");
    input(m, cookie_ack(&a));
    is_int(queues(m).acceptq, 1, "first cookie ACK: child (acceptq 1 = N + 1)");
    input(m, cookie_ack(&b));
    ok(npkts(m) == 0 && queues(m).acceptq == 1, "second cookie ACK: silent drop");
    ok(ctr(m, LQ_CTR_LISTEN_OVERFLOWS) == 1 && ctr(m, LQ_CTR_LISTEN_DROPS) == 1 &&
           ctr(m, LQ_CTR_SYNCOOKIES_RECV) == 2 && ctr(m, LQ_CTR_PASSIVE_OPENS) == 1,
       "ListenOverflows 1, ListenDrops 1, SyncookiesRecv 2, PassiveOpens 1");
    uint16_t conn, mss;
    lq_model_accept(m, &conn, &mss);
    input(m, cookie_ack(&b));
    is_int(queues(m).acceptq, 1, "after accept(), the retransmitted cookie ACK succeeds");
    lq_model_free(m);
}

/* ---- options encoded in the TSval ---- */

static void test_ts_options(void)
{
    /* cookie_init_timestamp: low 6 bits = wscale (0xf: none) | SACK << 4 (| ECN << 5);
     * cookie_timestamp_decode restores them from the echoed TSecr - ts_off. */
    const struct {
        bool ws;
        uint8_t wscale;
        bool sack;
        bool e_ws;
        uint8_t e_snd;
    } rows[] = {
        {true, 9, true, true, 9},    {true, 0, false, true, 0},  {false, 0, true, false, 0},
        {true, 14, false, true, 14}, {true, 15, true, true, 14}, /* TCP_MAX_WSCALE */
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct lq_model *m = cookie_listener("6.18.44", 8);
        struct syn_opts o = mss_only(1460);
        o.ws = rows[i].ws;
        o.wscale = rows[i].wscale;
        o.sack = rows[i].sack;
        o.ts = true;
        o.tsval = 1000;
        struct cookie c = send_syn(m, 1, o);
        input(m, cookie_ack_ts(&c, 1001));
        bool child = queues(m).acceptq == 1 && m->nchildren == 1;
        const struct lq_child *ch = child ? &m->children[0] : NULL;
        ok(ch && ch->tstamp_ok && ch->sack_ok == rows[i].sack && ch->wscale_ok == rows[i].e_ws &&
               (!rows[i].e_ws || ch->snd_wscale == rows[i].e_snd) &&
               ch->rcv_wscale == (rows[i].e_ws ? 7 : 0) && ch->ts_recent == 1001,
           "TS round trip: wscale %s%u, SACK %d -> child wscale %s%u, SACK %d",
           rows[i].ws ? "" : "none/", rows[i].wscale, rows[i].sack, rows[i].e_ws ? "" : "none/",
           rows[i].e_snd, rows[i].sack);
        lq_model_free(m);
    }

    /* "if (tcp_opt->sack_ok && !sysctl_tcp_sack) return false" and likewise
     * window scaling: cookie_tcp_check goes to out -> the listener RSTs the ACK;
     * SyncookiesRecv was already counted. */
    const struct {
        const char *what;
        enum lq_sysctl off;
        bool ws, sack;
        bool fails;
    } dec[] = {
        {"SACK encoded, tcp_sack turned off", LQ_SYSCTL_SACK, false, true, true},
        {"wscale encoded, tcp_window_scaling turned off", LQ_SYSCTL_WINDOW_SCALING, true, false,
         true},
        {"no wscale (0xf), tcp_window_scaling turned off", LQ_SYSCTL_WINDOW_SCALING, false, false,
         false},
        {"no SACK, tcp_sack turned off", LQ_SYSCTL_SACK, true, false, false},
    };
    for (size_t i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
        struct lq_model *m = cookie_listener("6.18.44", 8);
        struct syn_opts o = mss_only(1460);
        o.ws = dec[i].ws;
        o.wscale = 3;
        o.sack = dec[i].sack;
        o.ts = true;
        o.tsval = 1000;
        struct cookie c = send_syn(m, 1, o);
        lq_model_set_sysctl(m, dec[i].off, 0);
        input(m, cookie_ack_ts(&c, 1001));
        if (dec[i].fails)
            ok(is_rst_for(m, c.cookie + 1) && queues(m).acceptq == 0 &&
                   ctr(m, LQ_CTR_SYNCOOKIES_RECV) == 1 && ctr(m, LQ_CTR_SYNCOOKIES_FAILED) == 0,
               "%s: decode fails, RST, SyncookiesRecv 1, no SyncookiesFailed", dec[i].what);
        else
            is_int(queues(m).acceptq, 1, "%s: child created", dec[i].what);
        lq_model_free(m);
    }

    /* No TS in the ACK, or tcp_timestamps off by then (tcp_parse_options does not
     * see it): "if (!tcp_opt->saw_tstamp) { tcp_clear_options(); return true; }"
     * -> a child without TS: MSS 1460, not 1448. */
    for (int k = 0; k < 2; k++) {
        struct lq_model *m = cookie_listener("6.18.44", 8);
        struct syn_opts o = mss_only(1460);
        o.ws = true;
        o.wscale = 3;
        o.sack = true;
        o.ts = true;
        o.tsval = 1000;
        struct cookie c = send_syn(m, 1, o);
        struct lq_seg a = cookie_ack_ts(&c, 1001);
        if (k == 0)
            a.opt.has_ts = false;
        else
            lq_model_set_sysctl(m, LQ_SYSCTL_TIMESTAMPS, 0);
        input(m, a);
        uint16_t conn = 0, mss = 0;
        int rc = lq_model_accept(m, &conn, &mss);
        ok(rc == 0 && mss == 1460 && m->nchildren == 1 && !m->children[0].sack_ok &&
               !m->children[0].wscale_ok,
           "cookie ACK %s: child without TS/SACK/wscale, MSS 1460",
           k == 0 ? "without TS" : "with tcp_timestamps turned off");
        lq_model_free(m);
    }
}

int main(void)
{
    test_mss_table();
    test_validation();
    test_recent_overflow();
    test_age();
    test_acceptq_full();
    test_ts_options();
    is_int(inv_broken, 0, "lq_model_check_invariants() held after every step");
    return tap_done();
}
