/* harness/report/kcidb.c: see kcidb.h. */
#include "kcidb.h"

#include <stdio.h>
#include <string.h>

#include "util/json.h"
#include "util/utf8.h"
#include "util/strbuf.h"

static bool lq_path_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

void lq_kcidb_path(const char *label, char *out, size_t cap)
{
    size_t k = (size_t)snprintf(out, cap, "listenq");
    bool part_open = false; /* a part has begun (no empty parts) */
    const unsigned char *p = (const unsigned char *)label;
    size_t n = strlen(label);
    for (size_t i = 0; i < n && k + 2 < cap;) {
        uint32_t cp;
        size_t len = lq_utf8_seq(p + i, n - i, &cp);
        if (p[i] == '/') {
            part_open = false;
            i++;
            continue;
        }
        if (!part_open) {
            out[k++] = '.';
            part_open = true;
        }
        out[k++] = lq_path_char(p[i]) ? (char)p[i] : '_'; /* one '_' per character */
        i += len ? len : 1;
    }
    out[k < cap ? k : cap - 1] = '\0';
}

bool lq_kcidb_origin_ok(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

json_t *lq_kcidb_new(void)
{
    return json_pack("{s:{s:i, s:i}, s:[], s:[], s:[]}", "version", "major", LQ_KCIDB_MAJOR,
                     "minor", LQ_KCIDB_MINOR, "checkouts", "builds", "tests");
}

static bool lq_has_id(const json_t *list, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *x = json_string_value(json_object_get(v, "id"));
        if (x && strcmp(x, id) == 0)
            return true;
    }
    return false;
}

static const char *lq_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The failure explanation, as the report gives it, for log_excerpt. */
static void lq_excerpt(const json_t *r, struct lq_strbuf *b)
{
    const json_t *d = json_object_get(r, "divergence");
    if (d) {
        const json_t *ra = json_object_get(d, "reference"), *sa = json_object_get(d, "subject");
        lq_sb_addf(b, "divergence at line %lld: %s\n  %s\n  %s: %s\n  %s: %s\n",
                   (long long)json_integer_value(json_object_get(d, "line")), lq_str(d, "event"),
                   lq_str(d, "what"), lq_str(ra, "backend"), lq_str(ra, "observed"),
                   lq_str(sa, "backend"), lq_str(sa, "observed"));
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r, "expectations_failed"), i, e)
    {
        lq_sb_addf(b, "expectation failed at line %lld on the %s: %s\n  %s\n",
                   (long long)json_integer_value(json_object_get(e, "line")), lq_str(e, "backend"),
                   lq_str(e, "expect"), lq_str(e, "why"));
    }
    if (json_object_get(r, "reason"))
        lq_sb_addf(b, "%s\n", lq_str(r, "reason"));
}

void lq_kcidb_add(json_t *doc, const json_t *r, const struct lq_kcidb_opts *o)
{
    const char *kernel = lq_str(r, "kernel");
    char kpart[200];
    lq_kcidb_path(kernel[0] ? kernel : "model", kpart, sizeof(kpart));
    const char *kid = kpart + strlen("listenq."); /* the release, sanitised */
    char build[512], checkout[512];
    if (o->build_id) {
        snprintf(build, sizeof(build), "%s", o->build_id);
    } else {
        snprintf(checkout, sizeof(checkout), "%s:listenq-checkout-%s", o->origin, kid);
        if (o->checkout_id)
            snprintf(checkout, sizeof(checkout), "%s", o->checkout_id);
        snprintf(build, sizeof(build), "%s:listenq-build-%s", o->origin, kid);
        json_t *cos = json_object_get(doc, "checkouts"), *bs = json_object_get(doc, "builds");
        if (!o->checkout_id && !lq_has_id(cos, checkout))
            json_array_append_new(cos, json_pack("{s:s, s:s, s:s}", "id", checkout, "origin",
                                                 o->origin, "comment",
                                                 "the kernel listenq ran on (no source known)"));
        if (!lq_has_id(bs, build))
            json_array_append_new(bs, json_pack("{s:s, s:s, s:s, s:{s:o}}", "id", build, "origin",
                                                o->origin, "checkout_id", checkout, "misc",
                                                "kernel_release", lq_json_text(kernel)));
    }
    const char *label = lq_str(r, "scenario");
    char path[512];
    lq_kcidb_path(label, path, sizeof(path));
    const char *st = lq_str(r, "status");
    const char *status = strcmp(st, "pass") == 0   ? "PASS"
                         : strcmp(st, "fail") == 0 ? "FAIL"
                         : strcmp(st, "skip") == 0 ? "SKIP"
                                                   : "ERROR";
    json_t *tests = json_object_get(doc, "tests");
    /* the id: origin:run:path, with #N when a path comes again (--repeat) */
    struct lq_strbuf id;
    lq_sb_init(&id);
    lq_sb_addf(&id, "%s:%s:%s", o->origin, o->run_id, path);
    for (int n = 2; lq_has_id(tests, lq_sb_str(&id)); n++) {
        lq_sb_reset(&id);
        lq_sb_addf(&id, "%s:%s:%s#%d", o->origin, o->run_id, path, n);
    }
    json_t *t = json_object();
    json_object_set_new(t, "id", lq_json_text(lq_sb_str(&id)));
    json_object_set_new(t, "origin", json_string(o->origin));
    json_object_set_new(t, "build_id", lq_json_text(build));
    json_object_set_new(t, "path", json_string(path));
    json_object_set_new(t, "status", json_string(status));
    json_object_set_new(t, "comment", lq_json_text(label));
    json_object_set_new(
        t, "duration",
        json_real((double)json_integer_value(json_object_get(r, "elapsed_us")) / 1e6));
    struct lq_strbuf ex;
    lq_sb_init(&ex);
    lq_excerpt(r, &ex);
    if (ex.len) {
        if (ex.len > 16000) /* the schema's maxLength is 16384 */
            ex.s[ex.len = 16000] = '\0';
        json_object_set_new(t, "log_excerpt", lq_json_text(lq_sb_str(&ex)));
    }
    lq_sb_free(&ex);
    json_t *misc = json_object();
    json_object_set_new(misc, "kernel_release", lq_json_text(kernel));
    json_object_set_new(misc, "profile", lq_json_text(lq_str(r, "profile")));
    json_object_set_new(misc, "family", lq_json_text(lq_str(r, "family")));
    json_object_set_new(misc, "file", lq_json_text(lq_str(r, "file")));
    json_object_set_new(misc, "reference",
                        lq_json_text(lq_str(json_object_get(r, "reference"), "backend")));
    json_object_set_new(misc, "subject",
                        lq_json_text(lq_str(json_object_get(r, "subject"), "backend")));
    const json_t *pcap = json_object_get(r, "pcap");
    if (json_is_string(pcap))
        json_object_set_new(misc, "pcap", json_copy((json_t *)pcap));
    json_object_set_new(t, "misc", misc);
    json_array_append_new(tests, t);
    lq_sb_free(&id);
}
