/* harness/report/junit.c: see junit.h. */
#include "junit.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/corpus.h"
#include "lang/print.h"
#include "report/result_json.h"
#include "util/fsutil.h"

/* A run id safe in a dotted classname: [A-Za-z0-9_-], the rest as '_'. */
static void lq_junit_id(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        out[k++] = ok ? (char)c : '_';
    }
    out[k] = '\0';
}

void lq_junit_begin(struct lq_junit *j, const char *path, const char *mode,
                    const char *kernel_release, const char *profile_name, const char *families)
{
    memset(j, 0, sizeof(*j));
    j->path = path;
    lq_sb_init(&j->cases);
    lq_sb_init(&j->out);
    const char *rel = kernel_release && kernel_release[0] ? kernel_release : NULL;
    const char *prof = profile_name ? profile_name : "";
    snprintf(j->suite, sizeof(j->suite), "listenq %s%s%s, profile %s, %s", mode,
             rel ? ", kernel " : "", rel ? rel : "", prof, families);
    char id[160], raw[160];
    snprintf(raw, sizeof(raw), "%s%s", rel ? "kernel-" : "model-", rel ? rel : prof);
    lq_junit_id(raw, id, sizeof(id));
    char fam[32];
    lq_junit_id(families, fam, sizeof(fam)); /* "ipv4+ipv6" -> "ipv4_ipv6" */
    snprintf(j->package, sizeof(j->package), "listenq.%s.%s", id, fam);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(j->timestamp, sizeof(j->timestamp), "%Y-%m-%dT%H:%M:%S", &tm);
    if (gethostname(j->hostname, sizeof(j->hostname) - 1) || !j->hostname[0])
        snprintf(j->hostname, sizeof(j->hostname), "localhost");
    j->hostname[sizeof(j->hostname) - 1] = '\0';
}

void lq_junit_message(const struct lq_scenario *sc, const struct lq_result *res,
                      struct lq_strbuf *out)
{
    if (res->status == LQ_ST_SKIP || res->status == LQ_ST_ERROR) {
        lq_sb_add(out, res->reason);
        return;
    }
    if (res->div.found) {
        const struct lq_divergence *d = &res->div;
        lq_sb_addf(out, "divergence at line %u (", sc->d[d->dir].line);
        lq_print_directive(sc, &sc->d[d->dir], out);
        lq_sb_addf(out, "): %s: %s %s, %s %s", d->what, d->a_name, d->a_side, d->b_name, d->b_side);
        return;
    }
    for (size_t i = 0; i < res->nexps; i++) {
        const struct lq_exp_result *e = &res->exps[i];
        if (e->outcome != LQ_EXP_FAILS)
            continue;
        char side[32];
        lq_result_side_name(res, (enum lq_role)e->role, side, sizeof(side));
        lq_sb_addf(out, "expectation failed at line %u on the %s (", sc->d[e->dir].line, side);
        lq_print_directive(sc, &sc->d[e->dir], out);
        lq_sb_addf(out, "): %s", e->why);
        return;
    }
    lq_sb_add(out, "failed");
}

void lq_junit_case(struct lq_junit *j, const struct lq_scenario *sc, const struct lq_result *res,
                   const char *details, const char *human)
{
    double secs = (double)res->elapsed_us / 1e6;
    j->tests++;
    j->secs += secs;
    lq_sb_add(&j->out, human);
    /* "conformance/acceptq_full": class <package>.conformance, name acceptq_full */
    const char *label = lq_corpus_label(sc);
    const char *slash = strrchr(label, '/');
    char head[160] = "", dir[160] = "";
    if (slash) {
        size_t n = (size_t)(slash - label);
        if (n >= sizeof(head))
            n = sizeof(head) - 1;
        memcpy(head, label, n);
        head[n] = '\0';
        lq_junit_id(head, dir, sizeof(dir));
    }
    struct lq_strbuf *c = &j->cases;
    lq_sb_add(c, "    <testcase name=\"");
    lq_sb_add_xml(c, slash ? slash + 1 : label);
    lq_sb_add(c, "\" classname=\"");
    lq_sb_add_xml(c, j->package);
    if (dir[0]) {
        lq_sb_addc(c, '.');
        lq_sb_add_xml(c, dir);
    }
    lq_sb_addf(c, "\" time=\"%.6f\"", secs);
    if (res->status == LQ_ST_PASS) {
        lq_sb_add(c, "/>\n");
        return;
    }
    const char *tag = "error", *type = "error";
    if (res->status == LQ_ST_FAIL) {
        j->failures++;
        tag = "failure";
        type = res->div.found ? "divergence" : "expectation";
    } else if (res->status == LQ_ST_SKIP) {
        j->skipped++;
        tag = "skipped";
        type = NULL; /* the Ant schema has no type on skipped */
    } else {
        j->errors++;
    }
    struct lq_strbuf msg;
    lq_sb_init(&msg);
    lq_junit_message(sc, res, &msg);
    lq_sb_addf(c, ">\n      <%s message=\"", tag);
    lq_sb_add_xml(c, lq_sb_str(&msg));
    lq_sb_addc(c, '"');
    if (type)
        lq_sb_addf(c, " type=\"%s\"", type);
    lq_sb_add(c, ">");
    lq_sb_add_xml(c, details);
    lq_sb_addf(c, "</%s>\n    </testcase>\n", tag);
    lq_sb_free(&msg);
}

size_t lq_junit_size(const struct lq_junit *j)
{
    return j->cases.len + j->out.len;
}

int lq_junit_write(const struct lq_junit *j, const char *kernel_release, const char *profile_name,
                   const char *families, bool durable, struct lq_err *err)
{
    if (!j->path)
        return 0;
    struct lq_strbuf x;
    lq_sb_init(&x);
    lq_sb_add(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    lq_sb_add(&x, "  <testsuite name=\"");
    lq_sb_add_xml(&x, j->suite);
    lq_sb_add(&x, "\" package=\"");
    lq_sb_add_xml(&x, j->package);
    lq_sb_addf(&x, "\" id=\"0\" timestamp=\"%s\" hostname=\"", j->timestamp);
    lq_sb_add_xml(&x, j->hostname);
    lq_sb_addf(&x,
               "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
               "time=\"%.3f\">\n",
               j->tests, j->failures, j->errors, j->skipped, j->secs);
    lq_sb_add(&x, "    <properties>\n      <property name=\"kernel\" value=\"");
    lq_sb_add_xml(&x, kernel_release ? kernel_release : "");
    lq_sb_add(&x, "\"/>\n      <property name=\"profile\" value=\"");
    lq_sb_add_xml(&x, profile_name ? profile_name : "");
    lq_sb_add(&x, "\"/>\n      <property name=\"family\" value=\"");
    lq_sb_add_xml(&x, families);
    lq_sb_add(&x, "\"/>\n    </properties>\n");
    lq_sb_add(&x, lq_sb_str(&j->cases));
    lq_sb_add(&x, "    <system-out>");
    lq_sb_add_xml(&x, lq_sb_str(&j->out));
    lq_sb_add(&x, "</system-out>\n    <system-err></system-err>\n  </testsuite>\n</testsuites>\n");
    int rc = x.oom     ? lq_errf(err, LQ_EXIT_ERROR, "out of memory writing %s", j->path)
             : durable ? lq_write_file_atomic(j->path, x.s, x.len, err)
                       : lq_write_file_atomic_nosync(j->path, x.s, x.len, err);
    lq_sb_free(&x);
    return rc;
}

void lq_junit_free(struct lq_junit *j)
{
    lq_sb_free(&j->cases);
    lq_sb_free(&j->out);
}
