/* harness/findings/pd_fastopen.c: TCP Fast Open options in a packetdrill
 * script (pd_script.h).
 *
 * The model's cookie is a token (docs/model.md, "Fast Open"); a script
 * needs the kernel's. The kernel's is SipHash-2-4 of the SYN's addresses
 * under the namespace's key (wire/tfo_cookie.h), and the script fixes both:
 * the key in its set-up (LQ_TFO_KEY_SYSCTL, as the live backend) and the
 * flow's local address in its header (--local_ip; the remote is
 * packetdrill's default). So the exporter writes the kernel's cookie where
 * the model has its token, and that cookie with every bit flipped where the
 * client flipped the token (tfo=bad). pd-peer computes its own connections'
 * cookie from its own addresses (--fo kernel, /fo). */
#include "pd_script.h"

#include <arpa/inet.h>
#include <string.h>

#include "wire/tfo_cookie.h"

/* packetdrill's remote address (config.c's defaults) and the local one the
 * header sets, per family of the flow's SYN */
static const char *const lq_pd_fo_remote[2] = {"192.0.2.1", "2001:db8::1"};
static const char *const lq_pd_fo_local[2] = {"192.168.0.2", "fd3d:fa7b:d17d::2"};

const char *lq_pd_fo_local_ip(bool ipv6)
{
    return lq_pd_fo_local[ipv6];
}

bool lq_pd_fo_used(const struct lq_scenario *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        if (sc->d[i].kind == LQ_D_SYN && sc->d[i].u.seg.tfo)
            return true;
    return false;
}

void lq_pd_fo_learn(struct lq_pd *p, const struct lq_obs_pkt *r)
{
    const struct lq_tcpopt *o = &r->seg.opt;
    bool synack = (r->seg.flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK);
    if (!synack || !o->has_fo || !o->fo_len || o->fo_len > LQ_TFO_COOKIE_MAX ||
        r->conn >= p->sc->nconns)
        return;
    /* the client's cookie cache: per family of the connection (client.c) */
    bool v6 = lq_scenario_conn_ipv6(p->sc, r->conn);
    p->fo_model_len[v6] = o->fo_len;
    memcpy(p->fo_model[v6], o->fo, o->fo_len);
}

enum lq_pd_fo_kind lq_pd_fo_classify(const struct lq_pd *p, uint16_t conn,
                                     const struct lq_tcpopt *o)
{
    bool v6 = lq_scenario_conn_ipv6(p->sc, conn);
    uint8_t n = p->fo_model_len[v6];
    if (!o->fo_len)
        return LQ_PD_FO_REQUEST;
    if (n && o->fo_len == n && !memcmp(o->fo, p->fo_model[v6], n))
        return LQ_PD_FO_KERNEL;
    bool flipped = n && o->fo_len == n;
    for (unsigned i = 0; flipped && i < n; i++)
        flipped = (o->fo[i] ^ p->fo_model[v6][i]) == 0xff;
    return flipped ? LQ_PD_FO_KERNEL_FLIPPED : LQ_PD_FO_LITERAL;
}

static void lq_pd_fo_hex(const uint8_t *b, unsigned n, struct lq_strbuf *out)
{
    for (unsigned i = 0; i < n; i++)
        lq_sb_addf(out, "%02x", b[i]);
}

/* ",FO ..." (or "FOEXP"), padded to 4 bytes as the kernel pads it
 * (tcp_options_write: two NOPs after a 2 + 8-byte option) */
void lq_pd_fo_option(const struct lq_pd *p, uint16_t conn, const struct lq_tcpopt *o, bool in,
                     struct lq_strbuf *out, bool first)
{
    bool v6 = lq_scenario_conn_ipv6(p->sc, conn);
    uint8_t val[LQ_TFO_COOKIE_MAX];
    unsigned n = o->fo_len <= LQ_TFO_COOKIE_MAX ? o->fo_len : 0;
    memcpy(val, o->fo, n);
    /* a SYN-ACK's cookie is the model's own: the kernel's for the flow */
    enum lq_pd_fo_kind k = !in && n ? LQ_PD_FO_KERNEL : lq_pd_fo_classify(p, conn, o);
    if (k == LQ_PD_FO_KERNEL || k == LQ_PD_FO_KERNEL_FLIPPED) {
        uint8_t sa[16], da[16];
        inet_pton(v6 ? AF_INET6 : AF_INET, lq_pd_fo_remote[v6], sa);
        inet_pton(v6 ? AF_INET6 : AF_INET, lq_pd_fo_local[v6], da);
        lq_tfo_cookie(v6, sa, da, val);
        n = LQ_TFO_COOKIE_SIZE;
        for (unsigned i = 0; k == LQ_PD_FO_KERNEL_FLIPPED && i < n; i++)
            val[i] = (uint8_t)~val[i];
    }
    lq_sb_addf(out, "%s%s", first ? "" : ",", o->fo_exp ? "FOEXP" : "FO");
    if (n) {
        lq_sb_addc(out, ' ');
        lq_pd_fo_hex(val, n, out);
    }
    if ((((o->fo_exp ? 4u : 2u) + n) & 3u) == 2u)
        lq_sb_add(out, ",nop,nop");
}

void lq_pd_fo_peer_arg(const struct lq_pd *p, uint16_t conn, const struct lq_tcpopt *o,
                       struct lq_strbuf *out)
{
    switch (lq_pd_fo_classify(p, conn, o)) {
    case LQ_PD_FO_REQUEST: lq_sb_add(out, " --fo request"); break;
    case LQ_PD_FO_KERNEL: lq_sb_add(out, " --fo kernel"); break;
    case LQ_PD_FO_KERNEL_FLIPPED: lq_sb_add(out, " --fo kernel-flipped"); break;
    case LQ_PD_FO_LITERAL:
        lq_sb_add(out, " --fo ");
        lq_pd_fo_hex(o->fo, o->fo_len <= LQ_TFO_COOKIE_MAX ? o->fo_len : 0, out);
        break;
    }
}
