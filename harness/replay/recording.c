/* harness/replay/recording.c: see recording.h. JSON through jansson. */
#include "recording.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/corpus.h"
#include "util/fsutil.h"
#include "util/json.h"
#include "lang/parse.h"
#include "lang/print.h"
#include "util/grow.h"
#include "util/strbuf.h"

static const char *const lq_rel_names[] = {
    [LQ_REL_NONE] = "none",     [LQ_REL_SRV_NEW] = "srv_new",  [LQ_REL_SRV] = "srv",
    [LQ_REL_COOKIE] = "cookie", [LQ_REL_TRIG_ACK] = "its_ack", [LQ_REL_ZERO] = "zero",
    [LQ_REL_CLI] = "cli",       [LQ_REL_OTHER] = "other"};
static const char *const lq_timing_names[] = {[LQ_PKT_NOW] = "now",
                                              [LQ_PKT_TIMER] = "timer",
                                              [LQ_PKT_DEFERRED] = "deferred",
                                              [LQ_PKT_DEFERRED_FIRED] = "deferred_fired",
                                              [LQ_PKT_NEXT_JIFFY] = "next_jiffy"};

static int lq_name_lookup(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (names[i] && strcmp(names[i], s) == 0)
            return (int)i;
    return -1;
}

/* frame: the packet's index in the pcap as written (lq_recording_write). */
static json_t *lq_pkt_json(const struct lq_obs_pkt *p, int32_t frame)
{
    json_t *j = json_pack(
        "{s:i, s:i, s:s, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:b, s:s, s:I, s:i}", "conn",
        p->conn, "flags", p->flags, "seq_rel", lq_rel_names[p->seq_rel], "seq_off", p->seq_off,
        "ack_rel", lq_rel_names[p->ack_rel], "ack_isn", p->ack_isn, "ack_off", p->ack_off, "len",
        (int)p->len, "mss", p->mss, "wscale", p->wscale, "sack", p->sack, "ts", p->ts, "cookie",
        p->cookie, "timing", lq_timing_names[p->timing], "t_us", (json_int_t)p->t_us, "frame",
        frame);
    /* the IPv6 flow label by relation (trace.h: lbl); IPv4 packets have none */
    if (j && p->lbl >= 0)
        json_object_set_new(j, "label", json_integer(p->lbl));
    /* a Fast Open option's cookie length (a SYN-ACK's); none: absent */
    if (j && p->tfo >= 0)
        json_object_set_new(j, "tfo", json_integer(p->tfo));
    return j;
}

/* pcap_pos[i]: where the backend's frame i is in the pcap (NULL: the same). */
static json_t *lq_trace_json(const struct lq_scenario *sc, const struct lq_trace *t,
                             const size_t *pcap_pos, size_t nrecs)
{
    json_t *obs = json_array();
    for (size_t i = 0; i < t->nobs; i++) {
        const struct lq_obs *o = &t->obs[i];
        json_t *pkts = json_array();
        for (uint32_t k = 0; k < o->npkts; k++) {
            const struct lq_obs_pkt *p = &t->pkts[o->first_pkt + k];
            int32_t f = p->frame;
            if (f >= 0 && pcap_pos && (size_t)f < nrecs)
                f = (int32_t)pcap_pos[f];
            json_array_append_new(pkts, lq_pkt_json(p, f));
        }
        json_t *ctr = json_null();
        if (o->ctr_valid) {
            ctr = json_object();
            for (int c = 0; c < LQ_CTR_COUNT; c++)
                if (t->ctr_present[c])
                    json_object_set_new(ctr, lq_counter_name(c), json_integer(o->ctr[c]));
        }
        struct lq_strbuf ev;
        lq_sb_init(&ev);
        lq_print_directive(sc, &sc->d[o->dir], &ev);
        json_t *j = json_pack("{s:i, s:i, s:s, s:I, s:I, s:i, s:i, s:i, s:i, s:i, s:o, s:o}", "dir",
                              (int)o->dir, "line", (int)sc->d[o->dir].line, "event", lq_sb_str(&ev),
                              "t_us", (json_int_t)o->t_us, "wait_us", (json_int_t)o->wait_us, "rc",
                              o->rc, "acceptq", o->acceptq, "backlog", o->backlog, "synq", o->synq,
                              "accept_mss", o->accept_mss, "counters", ctr, "packets", pkts);
        json_object_set_new(j, "accept",
                            o->accept == LQ_ACCEPT_NONE ? json_null() : json_integer(o->accept));
        if (sc->nlsn) {
            /* per declared listener: [acceptq, backlog, synq] */
            json_t *ls = json_array();
            for (size_t l = 0; l < sc->nlsn && l < LQ_MAX_LISTENERS; l++)
                json_array_append_new(
                    ls, json_pack("[i, i, i]", o->lacceptq[l], o->lbacklog[l], o->lsynq[l]));
            json_object_set_new(j, "listeners", ls);
        }
        lq_sb_free(&ev);
        json_array_append_new(obs, j);
    }
    json_t *present = json_array();
    for (int c = 0; c < LQ_CTR_COUNT; c++)
        if (t->ctr_present[c])
            json_array_append_new(present, json_string(lq_counter_name(c)));
    return json_pack("{s:s, s:o, s:o}", "backend", t->backend, "counters_present", present,
                     "observations", obs);
}

int lq_recording_write(const char *dir, const struct lq_scenario *sc, const struct lq_result *res,
                       enum lq_role role, const char *release, const char *kversion,
                       const char *profile, const struct lq_pcap_rec *recs, size_t nrecs,
                       struct lq_err *err)
{
    char flat[256], path[4096], pcap_name[300];
    lq_corpus_file_name(sc, flat, sizeof(flat));
    if (lq_mkdir_p(dir, err))
        return -1;
    snprintf(pcap_name, sizeof(pcap_name), "%s.pcap", flat);
    char pcap_path[4096];
    snprintf(pcap_path, sizeof(pcap_path), "%s/%s", dir, pcap_name);
    uint8_t *pcap_buf;
    size_t pcap_len;
    struct lq_err pe;
    if (lq_pcap_build(recs, nrecs, &pcap_buf, &pcap_len, &pe))
        return lq_errf(err, pe.status, "%s: %s", pcap_path, pe.msg);
    /* the pcap is in time order: a packet's frame is its place there */
    size_t *pcap_pos = lq_xcalloc(nrecs, sizeof(*pcap_pos));
    lq_pcap_order(recs, nrecs, pcap_pos);

    struct lq_strbuf text;
    lq_sb_init(&text);
    lq_print_scenario(sc, &text);
    json_t *exps = json_array();
    for (size_t i = 0; i < res->nexps; i++) {
        const struct lq_exp_result *e = &res->exps[i];
        if (e->role != role)
            continue;
        static const char *const out[] = {"holds", "fails", "unchecked"};
        json_array_append_new(exps,
                              json_pack("{s:i, s:s, s:o}", "line", (int)sc->d[e->dir].line,
                                        "outcome", out[e->outcome], "why", lq_json_text(e->why)));
    }
    static const char *const st[] = {"pass", "fail", "skip", "error"};
    /* text and names may hold any byte (a comment, a file name): made UTF-8 */
    json_t *root = json_pack(
        "{s:s, s:o, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "format", LQ_RECORDING_FORMAT,
        "scenario", lq_json_text(lq_corpus_label(sc)), "family",
        lq_family_name((enum lq_family)sc->run_family), "kernel", lq_json_text(release),
        "kernel_version", lq_json_text(kversion), "profile", lq_json_text(profile), "status",
        st[res->status], "text", lq_json_text(lq_sb_str(&text)), "pcap", lq_json_text(pcap_name),
        "expectations", exps, "trace", lq_trace_json(sc, &res->trace[role], pcap_pos, nrecs));
    free(pcap_pos);
    lq_sb_free(&text);
    char *s = root ? json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (!s) {
        free(pcap_buf);
        return lq_errf(err, LQ_EXIT_ERROR, "cannot build the recording of %s", flat);
    }
    snprintf(path, sizeof(path), "%s/%s.json", dir, flat);
    /* the pair together, the pcap first: a killed record never leaves a
     * recording (the JSON, which names the pcap) without its pcap; a pcap
     * without it only when SIGKILL itself lands in the microseconds between
     * the two renames (SIGTERM, SIGINT and SIGHUP wait for both) */
    const char *const paths[] = {pcap_path, path};
    const void *const data[] = {pcap_buf, s};
    const size_t lens[] = {pcap_len, strlen(s)};
    int rc = lq_write_files_atomic(2, paths, data, lens, err);
    free(pcap_buf);
    free(s);
    return rc;
}

/* ---- loading: every value is checked as it is read ---- */

/* "PATH: FIELD: what is wrong" (LQ_EXIT_BADINPUT). */
static int lq_rec_bad(struct lq_err *err, const char *path, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int lq_rec_bad(struct lq_err *err, const char *path, const char *field, const char *fmt, ...)
{
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return lq_errf(err, LQ_EXIT_BADINPUT, "%s: %s: %s", path, field, what);
}

/* Where a value sits in the JSON, for errors. */
struct lq_rec_at {
    const char *path;
    size_t obs, pkt;
    bool in_pkt;
    char buf[160];
};

static const char *lq_rec_field(struct lq_rec_at *at, const char *name)
{
    if (at->in_pkt)
        snprintf(at->buf, sizeof(at->buf), "trace.observations[%zu].packets[%zu].%s", at->obs,
                 at->pkt, name);
    else
        snprintf(at->buf, sizeof(at->buf), "trace.observations[%zu].%s", at->obs, name);
    return at->buf;
}

/* An integer member in [lo, hi]; -1 with err when it is missing or out of range. */
static int lq_rec_int(struct lq_rec_at *at, json_t *o, const char *name, json_int_t lo,
                      json_int_t hi, json_int_t *v, struct lq_err *err)
{
    json_t *j = json_object_get(o, name);
    if (!json_is_integer(j))
        return lq_rec_bad(err, at->path, lq_rec_field(at, name), "missing, or not an integer");
    *v = json_integer_value(j);
    if (*v < lo || *v > hi)
        return lq_rec_bad(err, at->path, lq_rec_field(at, name),
                          "%" JSON_INTEGER_FORMAT " is out of range (%" JSON_INTEGER_FORMAT
                          "..%" JSON_INTEGER_FORMAT ")",
                          *v, lo, hi);
    return 0;
}

static int lq_rec_bool(struct lq_rec_at *at, json_t *o, const char *name, bool *v,
                       struct lq_err *err)
{
    json_t *j = json_object_get(o, name);
    if (!json_is_boolean(j))
        return lq_rec_bad(err, at->path, lq_rec_field(at, name), "missing, or not true/false");
    *v = json_is_true(j);
    return 0;
}

/* A name out of names[n]; -1 with err. */
static int lq_rec_name(struct lq_rec_at *at, json_t *o, const char *key, const char *const *names,
                       size_t n, struct lq_err *err)
{
    const char *s = json_string_value(json_object_get(o, key));
    int k = lq_name_lookup(names, n, s);
    if (k < 0)
        return lq_rec_bad(err, at->path, lq_rec_field(at, key), "%s%s%s is no known value",
                          s ? "'" : "", s ? s : "missing", s ? "'" : "");
    return k;
}

#define LQ_REC_ERRNO_MAX 4095 /* -errno values lie in -4095..-1 (MAX_ERRNO) */
#define LQ_REC_REL_MAX   (1 << 20)

/* The relation of a number, and its offset, as the client can classify
 * them (client.c): offsets only where a relation has one. */
static int lq_rec_rel(struct lq_rec_at *at, json_t *o, const char *rel_key, const char *off_key,
                      uint8_t *rel, int32_t *off, struct lq_err *err)
{
    int r = lq_rec_name(at, o, rel_key, lq_rel_names, sizeof(lq_rel_names) / sizeof(*lq_rel_names),
                        err);
    if (r < 0)
        return -1;
    bool has_off = r == LQ_REL_SRV || r == LQ_REL_TRIG_ACK || r == LQ_REL_CLI;
    json_int_t v;
    if (lq_rec_int(at, o, off_key, has_off ? -LQ_REC_REL_MAX + 1 : 0,
                   has_off ? LQ_REC_REL_MAX - 1 : 0, &v, err))
        return -1;
    *rel = (uint8_t)r;
    *off = (int32_t)v;
    return 0;
}

/* A packet the recorded kernel sent: what a kernel can send at all. */
static int lq_load_pkt(struct lq_rec_at *at, json_t *jp, const struct lq_scenario *sc,
                       struct lq_obs_pkt *p, struct lq_err *err)
{
    if (!json_is_object(jp))
        return lq_rec_bad(err, at->path, lq_rec_field(at, "*"), "not an object");
    json_int_t conn, flags, isn, len, mss, ws, t_us, frame;
    bool sack, ts, cookie;
    if (lq_rec_int(at, jp, "conn", 0, sc->nconns ? (json_int_t)sc->nconns - 1 : -1, &conn, err) ||
        lq_rec_int(at, jp, "flags", 1,
                   LQ_TH_FIN | LQ_TH_SYN | LQ_TH_RST | LQ_TH_PSH | LQ_TH_ACK | LQ_TH_URG |
                       LQ_TH_ECE,
                   &flags, err) ||
        lq_rec_rel(at, jp, "seq_rel", "seq_off", &p->seq_rel, &p->seq_off, err) ||
        lq_rec_rel(at, jp, "ack_rel", "ack_off", &p->ack_rel, &p->ack_off, err) ||
        lq_rec_int(at, jp, "ack_isn", 0, p->ack_rel == LQ_REL_CLI ? 254 : 0, &isn, err) ||
        lq_rec_int(at, jp, "len", 0, 65535, &len, err) ||
        lq_rec_int(at, jp, "mss", -1, 65535, &mss, err) ||
        lq_rec_int(at, jp, "wscale", -1, 14, &ws, err) || lq_rec_bool(at, jp, "sack", &sack, err) ||
        lq_rec_bool(at, jp, "ts", &ts, err) || lq_rec_bool(at, jp, "cookie", &cookie, err) ||
        lq_rec_int(at, jp, "t_us", INT64_MIN / 2, INT64_MAX / 2, &t_us, err) ||
        lq_rec_int(at, jp, "frame", 0, INT32_MAX, &frame, err))
        return -1;
    int tm = lq_rec_name(at, jp, "timing", lq_timing_names,
                         sizeof(lq_timing_names) / sizeof(*lq_timing_names), err);
    if (tm < 0)
        return -1;
    bool synack = (flags & (LQ_TH_SYN | LQ_TH_ACK)) == (LQ_TH_SYN | LQ_TH_ACK);
    if ((flags & LQ_TH_SYN) && (!synack || (flags & (LQ_TH_FIN | LQ_TH_RST))))
        return lq_rec_bad(err, at->path, lq_rec_field(at, "flags"),
                          "0x%02x: a listener's side sends SYN only as a SYN-ACK", (int)flags);
    /* ECE: a SYN-ACK accepting ECN (tcp_ecn_make_synack); the child sends
     * no ECE (no CE mark ever reaches it) and never URG */
    if ((flags & LQ_TH_URG) || ((flags & LQ_TH_ECE) && !synack))
        return lq_rec_bad(err, at->path, lq_rec_field(at, "flags"),
                          "0x%02x: a listener's side sends ECE only on a SYN-ACK, never URG",
                          (int)flags);
    if (!(flags & (LQ_TH_ACK | LQ_TH_RST)))
        return lq_rec_bad(err, at->path, lq_rec_field(at, "flags"),
                          "0x%02x: a reply without ACK is an RST", (int)flags);
    if ((p->ack_rel == LQ_REL_NONE) != !(flags & LQ_TH_ACK))
        return lq_rec_bad(err, at->path, lq_rec_field(at, "ack_rel"),
                          "'none' exactly when the ACK flag is off (flags 0x%02x)", (int)flags);
    if (cookie && !synack)
        return lq_rec_bad(err, at->path, lq_rec_field(at, "cookie"), "only a SYN-ACK is a cookie");
    if ((p->seq_rel == LQ_REL_COOKIE) != (synack && cookie) ||
        (p->seq_rel == LQ_REL_SRV_NEW && !synack))
        return lq_rec_bad(err, at->path, lq_rec_field(at, "seq_rel"),
                          "'%s' does not go with cookie %s and flags 0x%02x",
                          lq_rel_names[p->seq_rel], cookie ? "true" : "false", (int)flags);
    if (mss == 0)
        return lq_rec_bad(err, at->path, lq_rec_field(at, "mss"), "0 is no MSS a kernel sends");
    if (tm != LQ_PKT_NOW && tm != LQ_PKT_TIMER && tm != LQ_PKT_DEFERRED)
        return lq_rec_bad(err, at->path, lq_rec_field(at, "timing"),
                          "'%s' is a model's prediction, not something a kernel was seen doing",
                          lq_timing_names[tm]);
    p->conn = (uint16_t)conn;
    p->flags = (uint8_t)flags;
    p->ack_isn = (uint8_t)isn;
    p->len = (uint32_t)len;
    p->mss = (int32_t)mss;
    p->wscale = (int16_t)ws;
    p->sack = sack;
    p->ts = ts;
    p->cookie = cookie;
    p->timing = (uint8_t)tm;
    p->t_us = t_us;
    p->frame = (int32_t)frame;
    /* "label": optional; recordings made before flow labels were compared
     * have none, and their packets' labels are unknown (compare.c) */
    p->lbl = LQ_LBL_UNKNOWN;
    if (json_object_get(jp, "label")) {
        json_int_t lbl;
        if (lq_rec_int(at, jp, "label", 0, LQ_LBL_HISTORY, &lbl, err))
            return -1;
        p->lbl = (int8_t)lbl;
    } else if (!lq_scenario_conn_ipv6(sc, p->conn)) {
        p->lbl = -1;
    }
    /* "tfo": optional, the cookie length of a SYN-ACK's Fast Open option */
    p->tfo = -1;
    if (json_object_get(jp, "tfo")) {
        json_int_t tfo;
        if (lq_rec_int(at, jp, "tfo", 0, LQ_TFO_COOKIE_MAX, &tfo, err))
            return -1;
        if (!synack)
            return lq_rec_bad(err, at->path, lq_rec_field(at, "tfo"),
                              "only a SYN-ACK carries a Fast Open option here");
        p->tfo = (int8_t)tfo;
    }
    return 0;
}

/* The observation of event directive `dir` (the one the trace is at). */
static int lq_load_obs(struct lq_rec_at *at, json_t *v, const struct lq_scenario *sc, uint32_t dir,
                       int64_t prev_t_us, struct lq_trace *t, struct lq_err *err)
{
    if (!json_is_object(v))
        return lq_rec_bad(err, at->path, lq_rec_field(at, "*"), "not an object");
    json_int_t d, t_us, wait_us, rc, aq, bl, sq, mss;
    if (lq_rec_int(at, v, "dir", 0, (json_int_t)sc->n - 1, &d, err))
        return -1;
    if ((uint32_t)d != dir)
        return lq_rec_bad(err, at->path, lq_rec_field(at, "dir"),
                          "%" JSON_INTEGER_FORMAT " where the scenario's next event is directive "
                          "%u (line %u)",
                          d, dir, sc->d[dir].line);
    uint8_t kind = sc->d[dir].kind;
    if (lq_rec_int(at, v, "t_us", prev_t_us, INT64_MAX / 2, &t_us, err) ||
        lq_rec_int(at, v, "wait_us", 0, INT64_MAX / 2, &wait_us, err) ||
        lq_rec_int(at, v, "rc", -LQ_REC_ERRNO_MAX, 0, &rc, err) ||
        lq_rec_int(at, v, "acceptq", 0, INT32_MAX, &aq, err) ||
        lq_rec_int(at, v, "backlog", 0, INT32_MAX, &bl, err) ||
        lq_rec_int(at, v, "synq", 0, INT32_MAX, &sq, err) ||
        lq_rec_int(at, v, "accept_mss", -1, 65535, &mss, err))
        return -1;
    json_t *accept = json_object_get(v, "accept"), *ctr = json_object_get(v, "counters");
    json_t *pkts = json_object_get(v, "packets");
    if (!json_is_array(pkts))
        return lq_rec_bad(err, at->path, lq_rec_field(at, "packets"), "missing, or not a list");
    int32_t acc = LQ_ACCEPT_NONE;
    if (kind == LQ_D_ACCEPT) {
        json_int_t a;
        if (lq_rec_int(at, v, "accept", -LQ_REC_ERRNO_MAX,
                       sc->nconns ? (json_int_t)sc->nconns - 1 : -1, &a, err))
            return -1;
        acc = (int32_t)a;
        if ((acc >= 0) != (mss >= 0))
            return lq_rec_bad(err, at->path, lq_rec_field(at, "accept_mss"),
                              "%" JSON_INTEGER_FORMAT " with accept %d", mss, acc);
    } else if (!json_is_null(accept) || mss != -1) {
        return lq_rec_bad(err, at->path, lq_rec_field(at, "accept"),
                          "an accept result on a directive that is no accept (line %u)",
                          sc->d[dir].line);
    }
    struct lq_obs *o = lq_trace_add_obs(t);
    o->dir = dir;
    o->t_us = t_us;
    o->wait_us = wait_us;
    o->rc = (int32_t)rc;
    o->acceptq = o->lacceptq[0] = (int32_t)aq;
    o->backlog = o->lbacklog[0] = (int32_t)bl;
    o->synq = o->lsynq[0] = (int32_t)sq;
    if (sc->nlsn) {
        json_t *ls = json_object_get(v, "listeners");
        if (!json_is_array(ls) || json_array_size(ls) != sc->nlsn)
            return lq_rec_bad(err, at->path, lq_rec_field(at, "listeners"),
                              "missing, or not a list of %zu [acceptq, backlog, synq]", sc->nlsn);
        for (size_t l = 0; l < sc->nlsn && l < LQ_MAX_LISTENERS; l++) {
            json_t *e = json_array_get(ls, l);
            int32_t q[3];
            for (int k = 0; k < 3; k++) {
                json_t *x = json_array_get(e, (size_t)k);
                if (!json_is_array(e) || json_array_size(e) != 3 || !json_is_integer(x) ||
                    json_integer_value(x) < 0 || json_integer_value(x) > INT32_MAX)
                    return lq_rec_bad(err, at->path, lq_rec_field(at, "listeners"),
                                      "listener %zu: expected [acceptq, backlog, synq], counts", l);
                q[k] = (int32_t)json_integer_value(x);
            }
            o->lacceptq[l] = q[0];
            o->lbacklog[l] = q[1];
            o->lsynq[l] = q[2];
        }
        if (o->lacceptq[0] != o->acceptq || o->lbacklog[0] != o->backlog || o->lsynq[0] != o->synq)
            return lq_rec_bad(err, at->path, lq_rec_field(at, "listeners"),
                              "the first listener's counts differ from acceptq, backlog, synq");
    }
    o->accept = acc;
    o->accept_mss = (int32_t)mss;
    if (json_is_object(ctr)) {
        o->ctr_valid = true;
        const char *key;
        json_t *cv;
        json_object_foreach(ctr, key, cv)
        {
            int c = lq_counter_by_name(key);
            if (c < 0)
                continue; /* a counter of a newer listenq: not compared */
            if (!json_is_integer(cv) || json_integer_value(cv) < 0) {
                char f[96];
                snprintf(f, sizeof(f), "counters.%s", key);
                return lq_rec_bad(err, at->path, lq_rec_field(at, f),
                                  "not a change since the scenario started (an integer, 0 or "
                                  "more)");
            }
            o->ctr[c] = json_integer_value(cv);
        }
    } else if (!json_is_null(ctr)) {
        return lq_rec_bad(err, at->path, lq_rec_field(at, "counters"), "not an object or null");
    }
    size_t k;
    json_t *jp;
    at->in_pkt = true;
    json_array_foreach(pkts, k, jp)
    {
        at->pkt = k;
        if (lq_load_pkt(at, jp, sc, lq_trace_add_pkt(t, &t->obs[t->nobs - 1]), err))
            return -1;
    }
    at->in_pkt = false;
    return 0;
}

/* The trace: one observation per event directive of the scenario, in order. */
static int lq_load_trace(const char *path, json_t *jt, struct lq_trace *t,
                         const struct lq_scenario *sc, struct lq_err *err)
{
    json_t *present = json_object_get(jt, "counters_present");
    json_t *obs = json_object_get(jt, "observations");
    if (!json_is_object(jt) || !json_is_array(present) || !json_is_array(obs))
        return lq_rec_bad(err, path, "trace",
                          "an object with counters_present and observations expected");
    lq_trace_reset(t, LQ_ROLE_REFERENCE, "recording", false);
    size_t i;
    json_t *v;
    json_array_foreach(present, i, v)
    {
        int c = lq_counter_by_name(json_string_value(v) ? json_string_value(v) : "");
        if (c >= 0)
            t->ctr_present[c] = true;
    }
    struct lq_rec_at at = {.path = path};
    uint32_t dir = 0;
    int64_t prev_t = 0;
    json_array_foreach(obs, i, v)
    {
        at.obs = i;
        while (dir < sc->n && !lq_dir_is_event(sc->d[dir].kind))
            dir++;
        if (dir >= sc->n)
            return lq_rec_bad(err, path, lq_rec_field(&at, "dir"),
                              "more observations than the scenario has events");
        if (lq_load_obs(&at, v, sc, dir, prev_t, t, err))
            return -1;
        prev_t = t->obs[t->nobs - 1].t_us;
        dir++;
    }
    while (dir < sc->n && !lq_dir_is_event(sc->d[dir].kind))
        dir++;
    if (dir < sc->n)
        return lq_rec_bad(err, path, "trace.observations",
                          "%zu observations: the scenario's event at line %u has none", t->nobs,
                          sc->d[dir].line);
    return 0;
}

/* The pcap named by the JSON, relative to the JSON file's folder. */
static char *lq_rec_pcap_file(const char *json_path, const char *pcap)
{
    const char *slash = strrchr(json_path, '/');
    size_t dlen = slash ? (size_t)(slash - json_path) + 1 : 0;
    size_t n = dlen + strlen(pcap) + 1;
    char *p = lq_xmalloc(n);
    snprintf(p, n, "%.*s%s", (int)dlen, json_path, pcap);
    return p;
}

int lq_recording_load(const char *json_path, struct lq_recording *rec, struct lq_err *err)
{
    memset(rec, 0, sizeof(*rec));
    lq_scenario_init(&rec->sc);
    json_error_t je;
    /* a FIFO would block the reader: only a regular file is read */
    FILE *f = lq_fopen_regular(json_path, err);
    if (!f)
        return -1;
    json_t *root = json_loadf(f, 0, &je);
    fclose(f);
    if (!root && je.line > 0)
        return lq_errf(err, LQ_EXIT_BADINPUT, "%s:%d:%d: %s", json_path, je.line, je.column,
                       je.text);
    if (!root) /* no position: the file could not be read, or is empty */
        return lq_errf(err, LQ_EXIT_BADINPUT, "%s: not JSON: %s", json_path, je.text);
    const char *format = NULL, *label = NULL, *kernel = "", *kversion = "", *profile = "",
               *status = "", *text = NULL, *pcap = NULL, *family = "ipv4";
    json_t *trace = NULL;
    int rc = -1;
    if (json_unpack(root, "{s:s, s:s, s?s, s?s, s?s, s?s, s?s, s:s, s:s, s:o}", "format", &format,
                    "scenario", &label, "family", &family, "kernel", &kernel, "kernel_version",
                    &kversion, "profile", &profile, "status", &status, "text", &text, "pcap", &pcap,
                    "trace", &trace)) {
        lq_errf(err, LQ_EXIT_BADINPUT,
                "%s: not a listenq recording: missing format, scenario, text, pcap or trace",
                json_path);
        goto out;
    }
    if (strcmp(format, LQ_RECORDING_FORMAT) != 0) {
        lq_errf(err, LQ_EXIT_BADINPUT, "%s: not a listenq recording: %s", json_path,
                strncmp(format, "listenq-recording/", 18) == 0
                    ? "made by another version of listenq (format " LQ_RECORDING_FORMAT
                      " expected): record it again"
                    : "unknown format (expected " LQ_RECORDING_FORMAT ")");
        goto out;
    }
    struct lq_err pe;
    if (lq_parse_text(text, strlen(text), json_path, &rec->sc, &pe)) {
        lq_errf(err, LQ_EXIT_BADINPUT, "%s: text: the recorded scenario does not parse: %s",
                json_path, pe.msg);
        goto out;
    }
    /* the family it ran as (recordings before IPv6 have none: IPv4); a
     * scenario with a family line must have run as that */
    int fam = -1;
    for (int k = 0; k < LQ_FAMILY_COUNT; k++)
        if (strcmp(family, lq_family_name((enum lq_family)k)) == 0)
            fam = k;
    if (fam < 0 || (rec->sc.family != LQ_SCN_NEUTRAL && fam != rec->sc.run_family)) {
        lq_errf(err, LQ_EXIT_BADINPUT, "%s: family: '%s' is not %s", json_path, family,
                fam < 0 ? "ipv4, ipv6 or dual" : "the family the scenario's family line says");
        goto out;
    }
    rec->sc.run_family = (uint8_t)fam;
    if (lq_load_trace(json_path, trace, &rec->trace, &rec->sc, err))
        goto out;
    rec->json_path = lq_xstrdup(json_path);
    rec->label = lq_xstrdup(label);
    rec->pcap_path = lq_xstrdup(pcap);
    rec->pcap_file = lq_rec_pcap_file(json_path, pcap);
    snprintf(rec->release, sizeof(rec->release), "%s", kernel);
    snprintf(rec->kversion, sizeof(rec->kversion), "%s", kversion);
    snprintf(rec->profile, sizeof(rec->profile), "%s", profile);
    snprintf(rec->status, sizeof(rec->status), "%s", status);
    /* the evidence: the pcap, which every recorded packet must be in */
    if (lq_pcap_read(rec->pcap_file, &rec->pcap, err) || lq_recording_check_pcap(rec, err))
        goto out;
    /* Reports name the scenario by its recorded label. */
    rec->sc.path = lq_xstrdup(label);
    rc = 0;
out:
    json_decref(root);
    if (rc)
        lq_recording_free(rec);
    return rc;
}

void lq_recording_free(struct lq_recording *rec)
{
    free(rec->json_path);
    free(rec->pcap_path);
    free(rec->pcap_file);
    free(rec->label);
    lq_scenario_free(&rec->sc);
    lq_trace_free(&rec->trace);
    lq_pcap_file_free(&rec->pcap);
    memset(rec, 0, sizeof(*rec));
    lq_scenario_init(&rec->sc);
}
