/* harness/replay/recording.c: see recording.h. JSON through jansson. */
#include "recording.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/corpus.h"
#include "util/fsutil.h"
#include "util/json.h"
#include "lang/parse.h"
#include "lang/print.h"
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

static void lq_flat_label(const struct lq_scenario *sc, char *out, size_t cap)
{
    const char *label = lq_corpus_label(sc);
    size_t k = 0;
    for (const char *p = label; *p && k < cap - 1; p++)
        out[k++] = *p == '/' ? '-' : *p;
    out[k] = '\0';
}

static json_t *lq_pkt_json(const struct lq_obs_pkt *p)
{
    return json_pack(
        "{s:i, s:i, s:s, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:b, s:s, s:I, s:i}", "conn",
        p->conn, "flags", p->flags, "seq_rel", lq_rel_names[p->seq_rel], "seq_off", p->seq_off,
        "ack_rel", lq_rel_names[p->ack_rel], "ack_isn", p->ack_isn, "ack_off", p->ack_off, "len",
        (int)p->len, "mss", p->mss, "wscale", p->wscale, "sack", p->sack, "ts", p->ts, "cookie",
        p->cookie, "timing", lq_timing_names[p->timing], "t_us", (json_int_t)p->t_us, "frame",
        p->frame);
}

static json_t *lq_trace_json(const struct lq_scenario *sc, const struct lq_trace *t)
{
    json_t *obs = json_array();
    for (size_t i = 0; i < t->nobs; i++) {
        const struct lq_obs *o = &t->obs[i];
        json_t *pkts = json_array();
        for (uint32_t k = 0; k < o->npkts; k++)
            json_array_append_new(pkts, lq_pkt_json(&t->pkts[o->first_pkt + k]));
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
    lq_flat_label(sc, flat, sizeof(flat));
    if (lq_mkdir_p(dir, err))
        return -1;
    snprintf(pcap_name, sizeof(pcap_name), "%s.pcap", flat);
    snprintf(path, sizeof(path), "%s/%s", dir, pcap_name);
    if (lq_pcap_write_atomic(path, recs, nrecs, err))
        return -1;

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
        "{s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}", "format", LQ_RECORDING_FORMAT,
        "scenario", lq_json_text(lq_corpus_label(sc)), "kernel", lq_json_text(release),
        "kernel_version", lq_json_text(kversion), "profile", lq_json_text(profile), "status",
        st[res->status], "text", lq_json_text(lq_sb_str(&text)), "pcap", lq_json_text(pcap_name),
        "expectations", exps, "trace", lq_trace_json(sc, &res->trace[role]));
    lq_sb_free(&text);
    if (!root)
        return lq_errf(err, LQ_EXIT_ERROR, "cannot build the recording of %s", flat);
    char *s = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!s)
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    snprintf(path, sizeof(path), "%s/%s.json", dir, flat);
    size_t len = strlen(s);
    int rc = lq_write_file_atomic(path, s, len, err);
    free(s);
    return rc;
}

static int lq_rec_bad(struct lq_err *err, const char *path, const char *what)
{
    return lq_errf(err, LQ_EXIT_BADINPUT, "%s: not a listenq recording: %s", path, what);
}

static int lq_load_pkt(json_t *jp, struct lq_obs_pkt *p)
{
    const char *seq_rel = NULL, *ack_rel = NULL, *timing = NULL;
    int conn = 0, flags = 0, seq_off = 0, isn_idx = 0, ack_off = 0, len = 0, mss = -1, wscale = -1,
        sack = 0, ts = 0, cookie = 0, frame = -1;
    json_int_t t_us = 0;
    json_error_t e;
    if (json_unpack_ex(jp, &e, 0,
                       "{s:i, s:i, s:s, s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:b, s:s, "
                       "s:I, s?i}",
                       "conn", &conn, "flags", &flags, "seq_rel", &seq_rel, "seq_off", &seq_off,
                       "ack_rel", &ack_rel, "ack_isn", &isn_idx, "ack_off", &ack_off, "len", &len,
                       "mss", &mss, "wscale", &wscale, "sack", &sack, "ts", &ts, "cookie", &cookie,
                       "timing", &timing, "t_us", &t_us, "frame", &frame))
        return -1;
    int sr = lq_name_lookup(lq_rel_names, sizeof(lq_rel_names) / sizeof(*lq_rel_names), seq_rel);
    int ar = lq_name_lookup(lq_rel_names, sizeof(lq_rel_names) / sizeof(*lq_rel_names), ack_rel);
    int tm =
        lq_name_lookup(lq_timing_names, sizeof(lq_timing_names) / sizeof(*lq_timing_names), timing);
    if (sr < 0 || ar < 0 || tm < 0 || conn < 0 || conn > 0xffff)
        return -1;
    p->conn = (uint16_t)conn;
    p->flags = (uint8_t)flags;
    p->seq_rel = (uint8_t)sr;
    p->seq_off = seq_off;
    p->ack_rel = (uint8_t)ar;
    p->ack_isn = (uint8_t)isn_idx;
    p->ack_off = ack_off;
    p->len = (uint32_t)len;
    p->mss = mss;
    p->wscale = (int16_t)wscale;
    p->sack = sack;
    p->ts = ts;
    p->cookie = cookie;
    p->timing = (uint8_t)tm;
    p->t_us = t_us;
    p->frame = frame;
    return 0;
}

static int lq_load_trace(json_t *jt, struct lq_trace *t, const struct lq_scenario *sc)
{
    const char *backend = "recording";
    json_t *present = NULL, *obs = NULL;
    if (json_unpack(jt, "{s?s, s:o, s:o}", "backend", &backend, "counters_present", &present,
                    "observations", &obs) ||
        !json_is_array(present) || !json_is_array(obs))
        return -1;
    lq_trace_reset(t, LQ_ROLE_REFERENCE, "recording", false);
    size_t i;
    json_t *v;
    json_array_foreach(present, i, v)
    {
        int c = lq_counter_by_name(json_string_value(v) ? json_string_value(v) : "");
        if (c >= 0)
            t->ctr_present[c] = true;
    }
    json_array_foreach(obs, i, v)
    {
        int dir = 0, rc = 0, acceptq = 0, backlog = 0, synq = 0, mss = -1;
        json_int_t t_us = 0, wait_us = 0;
        json_t *accept = NULL, *ctr = NULL, *pkts = NULL;
        if (json_unpack(v, "{s:i, s:I, s:I, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o}", "dir", &dir,
                        "t_us", &t_us, "wait_us", &wait_us, "rc", &rc, "acceptq", &acceptq,
                        "backlog", &backlog, "synq", &synq, "accept_mss", &mss, "accept", &accept,
                        "counters", &ctr, "packets", &pkts) ||
            dir < 0 || (size_t)dir >= sc->n || !json_is_array(pkts))
            return -1;
        struct lq_obs *o = lq_trace_add_obs(t);
        o->dir = (uint32_t)dir;
        o->t_us = t_us;
        o->wait_us = wait_us;
        o->rc = rc;
        o->acceptq = acceptq;
        o->backlog = backlog;
        o->synq = synq;
        o->accept_mss = mss;
        o->accept = json_is_integer(accept) ? (int32_t)json_integer_value(accept) : LQ_ACCEPT_NONE;
        if (json_is_object(ctr)) {
            o->ctr_valid = true;
            const char *key;
            json_t *cv;
            json_object_foreach(ctr, key, cv)
            {
                int c = lq_counter_by_name(key);
                if (c >= 0 && json_is_integer(cv))
                    o->ctr[c] = json_integer_value(cv);
            }
        }
        size_t k;
        json_t *jp;
        json_array_foreach(pkts, k, jp)
        {
            if (lq_load_pkt(jp, lq_trace_add_pkt(t, o)))
                return -1;
        }
    }
    return 0;
}

int lq_recording_load(const char *json_path, struct lq_recording *rec, struct lq_err *err)
{
    memset(rec, 0, sizeof(*rec));
    lq_scenario_init(&rec->sc);
    json_error_t je;
    json_t *root = json_load_file(json_path, 0, &je);
    if (!root)
        return lq_errf(err, LQ_EXIT_BADINPUT, "%s:%d:%d: %s", json_path, je.line, je.column,
                       je.text);
    const char *format = NULL, *label = NULL, *kernel = "", *kversion = "", *profile = "",
               *status = "", *text = NULL, *pcap = "";
    json_t *trace = NULL;
    int rc = -1;
    if (json_unpack(root, "{s:s, s:s, s?s, s?s, s?s, s?s, s:s, s?s, s:o}", "format", &format,
                    "scenario", &label, "kernel", &kernel, "kernel_version", &kversion, "profile",
                    &profile, "status", &status, "text", &text, "pcap", &pcap, "trace", &trace)) {
        lq_rec_bad(err, json_path, "missing format, scenario, text or trace");
        goto out;
    }
    if (strcmp(format, LQ_RECORDING_FORMAT) != 0) {
        lq_rec_bad(err, json_path,
                   strncmp(format, "listenq-recording/", 18) == 0
                       ? "made by another version of listenq (format " LQ_RECORDING_FORMAT
                         " expected): record it again"
                       : "unknown format (expected " LQ_RECORDING_FORMAT ")");
        goto out;
    }
    struct lq_err pe;
    if (lq_parse_text(text, strlen(text), json_path, &rec->sc, &pe)) {
        lq_errf(err, LQ_EXIT_BADINPUT, "%s: the recorded scenario does not parse: %s", json_path,
                pe.msg);
        goto out;
    }
    if (lq_load_trace(trace, &rec->trace, &rec->sc)) {
        lq_rec_bad(err, json_path, "malformed trace");
        goto out;
    }
    rec->json_path = strdup(json_path);
    rec->label = strdup(label);
    rec->pcap_path = strdup(pcap);
    snprintf(rec->release, sizeof(rec->release), "%s", kernel);
    snprintf(rec->kversion, sizeof(rec->kversion), "%s", kversion);
    snprintf(rec->profile, sizeof(rec->profile), "%s", profile);
    snprintf(rec->status, sizeof(rec->status), "%s", status);
    /* Reports name the scenario by its recorded label. */
    rec->sc.path = strdup(label);
    rc = (rec->json_path && rec->label && rec->pcap_path && rec->sc.path) ? 0 : -1;
    if (rc)
        lq_errf(err, LQ_EXIT_ERROR, "out of memory");
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
    free(rec->label);
    lq_scenario_free(&rec->sc);
    lq_trace_free(&rec->trace);
    memset(rec, 0, sizeof(*rec));
    lq_scenario_init(&rec->sc);
}
