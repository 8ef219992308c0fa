/* harness/report/report.c: see report.h. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lang/corpus.h"
#include "util/fsutil.h"
#include "lang/print.h"

static int64_t lq_report_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *lq_status_word(enum lq_status s)
{
    switch (s) {
    case LQ_ST_PASS: return "pass";
    case LQ_ST_FAIL: return "fail";
    case LQ_ST_SKIP: return "skip";
    case LQ_ST_ERROR: return "error";
    }
    return "?";
}

static void lq_directive_text(const struct lq_scenario *sc, uint32_t dir, struct lq_strbuf *out)
{
    lq_print_directive(sc, &sc->d[dir], out);
}

void lq_report_details(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                       const char *indent, struct lq_strbuf *out)
{
    if (res->status == LQ_ST_SKIP || res->status == LQ_ST_ERROR) {
        lq_sb_addf(out, "%s%s\n", indent, res->reason);
        return;
    }
    const struct lq_divergence *d = &res->div;
    if (d->found) {
        lq_sb_addf(out, "%sdivergence at line %u: ", indent, sc->d[d->dir].line);
        lq_directive_text(sc, d->dir, out);
        lq_sb_addf(out, "\n%s  %s\n", indent, d->what);
        lq_sb_addf(out, "%s  %-9s: %s\n", indent, d->a_name, d->a_side);
        lq_sb_addf(out, "%s  %-9s: %s\n", indent, d->b_name, d->b_side);
        if (d->ndps) {
            lq_sb_addf(out, "%s  %s decision points:\n", indent, d->a_name);
            for (size_t i = 0; i < d->ndps; i++) {
                const struct lq_dp_info *info = lq_dp_info((enum lq_dp)d->dps[i]);
                if (info)
                    lq_sb_addf(out, "%s    %-34s %s\n", indent, info->name, info->kfunc);
            }
        }
    }
    if (d->beyond)
        lq_sb_addf(out,
                   "%sthe model's scope ends at line %u (%s): nothing from there on is "
                   "compared\n",
                   indent, sc->d[d->beyond_dir].line, d->beyond_why);
    for (size_t i = 0; i < res->nexps; i++) {
        const struct lq_exp_result *e = &res->exps[i];
        if (e->outcome != LQ_EXP_FAILS)
            continue;
        lq_sb_addf(out, "%sexpectation failed at line %u on the %s: ", indent, sc->d[e->dir].line,
                   e->side == LQ_SIDE_MODEL ? "model" : "kernel");
        lq_directive_text(sc, e->dir, out);
        lq_sb_addf(out, "\n%s  %s\n", indent, e->why);
    }
    if (pcap)
        lq_sb_addf(out, "%spcap: %s\n", indent, pcap);
}

static void lq_json_sysctls(const struct lq_scenario *sc, const struct lq_profile *profile,
                            struct lq_strbuf *out)
{
    int64_t v[LQ_SYSCTL_COUNT];
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        v[s] = profile ? lq_model_sysctl_default(profile, (enum lq_sysctl)s) : 0;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->d[i].kind == LQ_D_SYSCTL)
            v[sc->d[i].u.sysctl.id] = sc->d[i].u.sysctl.value;
    lq_sb_add(out, "{");
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++) {
        lq_sb_addf(out, "%s", s ? "," : "");
        lq_sb_add_json(out, lq_sysctl_name((enum lq_sysctl)s));
        lq_sb_addf(out, ":%" PRId64, v[s]);
    }
    lq_sb_add(out, "}");
}

void lq_report_json(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                    const char *kernel_release, const struct lq_profile *profile,
                    struct lq_strbuf *out)
{
    struct lq_strbuf tmp;
    lq_sb_init(&tmp);
    lq_sb_add(out, "{\"scenario\":");
    lq_sb_add_json(out, lq_corpus_label(sc));
    lq_sb_add(out, ",\"file\":");
    lq_sb_add_json(out, sc->path ? sc->path : "");
    lq_sb_addf(out, ",\"status\":\"%s\",\"elapsed_us\":%" PRId64, lq_status_word(res->status),
               res->elapsed_us);
    lq_sb_add(out, ",\"kernel\":");
    lq_sb_add_json(out, kernel_release ? kernel_release : "");
    lq_sb_add(out, ",\"profile\":");
    lq_sb_add_json(out, profile ? profile->name : "");
    lq_sb_add(out, ",\"sysctls\":");
    lq_json_sysctls(sc, profile, out);
    if (res->status == LQ_ST_SKIP || res->status == LQ_ST_ERROR) {
        lq_sb_add(out, ",\"reason\":");
        lq_sb_add_json(out, res->reason);
    }
    if (res->div.beyond) {
        lq_sb_addf(out, ",\"beyond_model\":{\"line\":%u,\"why\":", sc->d[res->div.beyond_dir].line);
        lq_sb_add_json(out, res->div.beyond_why);
        lq_sb_add(out, "}");
    }
    if (res->div.found) {
        const struct lq_divergence *d = &res->div;
        lq_sb_addf(out, ",\"divergence\":{\"line\":%u,\"event\":", sc->d[d->dir].line);
        lq_directive_text(sc, d->dir, &tmp);
        lq_sb_add_json(out, lq_sb_str(&tmp));
        lq_sb_reset(&tmp);
        lq_sb_add(out, ",\"what\":");
        lq_sb_add_json(out, d->what);
        lq_sb_addf(out, ",\"%s\":", d->a_name);
        lq_sb_add_json(out, d->a_side);
        lq_sb_addf(out, ",\"%s\":", d->b_name);
        lq_sb_add_json(out, d->b_side);
        lq_sb_add(out, ",\"decision_points\":[");
        for (size_t i = 0; i < d->ndps; i++) {
            const struct lq_dp_info *info = lq_dp_info((enum lq_dp)d->dps[i]);
            lq_sb_addf(out, "%s", i ? "," : "");
            lq_sb_add_json(out, info ? info->name : "?");
        }
        lq_sb_add(out, "]}");
    }
    lq_sb_add(out, ",\"expectations_failed\":[");
    size_t k = 0;
    for (size_t i = 0; i < res->nexps; i++) {
        const struct lq_exp_result *e = &res->exps[i];
        if (e->outcome != LQ_EXP_FAILS)
            continue;
        lq_sb_addf(out, "%s{\"line\":%u,\"side\":\"%s\",\"expect\":", k++ ? "," : "",
                   sc->d[e->dir].line, e->side == LQ_SIDE_MODEL ? "model" : "kernel");
        lq_directive_text(sc, e->dir, &tmp);
        lq_sb_add_json(out, lq_sb_str(&tmp));
        lq_sb_reset(&tmp);
        lq_sb_add(out, ",\"why\":");
        lq_sb_add_json(out, e->why);
        lq_sb_add(out, "}");
    }
    lq_sb_add(out, "],\"pcap\":");
    if (pcap)
        lq_sb_add_json(out, pcap);
    else
        lq_sb_add(out, "null");
    lq_sb_add(out, ",\"text\":");
    lq_print_scenario(sc, &tmp);
    lq_sb_add_json(out, lq_sb_str(&tmp));
    lq_sb_add(out, "}");
    lq_sb_free(&tmp);
}

static void lq_junit_flush(struct lq_report *r)
{
    if (!r->junit_path)
        return;
    struct lq_strbuf x;
    lq_sb_init(&x);
    lq_sb_add(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    lq_sb_addf(&x,
               "  <testsuite name=\"listenq\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
               "skipped=\"%zu\" time=\"%.3f\">\n",
               r->index, r->failed, r->errors, r->skipped, r->junit_secs);
    lq_sb_add(&x, "    <properties>\n      <property name=\"kernel\" value=\"");
    lq_sb_add_xml(&x, r->kernel_release ? r->kernel_release : "");
    lq_sb_add(&x, "\"/>\n      <property name=\"profile\" value=\"");
    lq_sb_add_xml(&x, r->profile_name ? r->profile_name : "");
    lq_sb_add(&x, "\"/>\n    </properties>\n");
    lq_sb_add(&x, lq_sb_str(&r->junit_cases));
    lq_sb_add(&x, "  </testsuite>\n</testsuites>\n");
    struct lq_err e;
    if (lq_write_file_atomic(r->junit_path, x.s, x.len, &e) && !r->first_error[0])
        snprintf(r->first_error, sizeof(r->first_error), "%s", e.msg);
    lq_sb_free(&x);
    r->last_junit_us = lq_report_now_us();
}

void lq_report_begin(struct lq_report *r, size_t total)
{
    r->total = total;
    r->index = r->passed = r->failed = r->skipped = r->errors = 0;
    lq_sb_init(&r->junit_cases);
    r->started_us = r->last_junit_us = r->last_progress_us = lq_report_now_us();
    r->junit_secs = 0;
    if (r->tap)
        fprintf(r->out, "TAP version 13\n1..%zu\n", total);
    if (r->json_path) {
        struct lq_err e;
        if (lq_write_file_atomic(r->json_path, "", 0, &e))
            snprintf(r->first_error, sizeof(r->first_error), "%s", e.msg);
    }
    lq_junit_flush(r);
    fflush(r->out);
}

void lq_report_scenario(struct lq_report *r, const struct lq_scenario *sc,
                        const struct lq_result *res, const char *pcap)
{
    r->index++;
    const char *label = lq_corpus_label(sc);
    struct lq_strbuf det;
    lq_sb_init(&det);
    if (res->status != LQ_ST_PASS || r->verbose || res->div.beyond)
        lq_report_details(sc, res, pcap, r->tap ? "# " : "      ", &det);
    double ms = (double)res->elapsed_us / 1000.0;
    r->junit_secs += ms / 1000.0;
    switch (res->status) {
    case LQ_ST_PASS: r->passed++; break;
    case LQ_ST_FAIL: r->failed++; break;
    case LQ_ST_SKIP: r->skipped++; break;
    case LQ_ST_ERROR: r->errors++; break;
    }
    if (r->progress)
        fprintf(stderr, "\r\033[K");
    if (r->tap) {
        if (res->status == LQ_ST_SKIP)
            fprintf(r->out, "ok %zu %s # SKIP %s\n", r->index, label, res->reason);
        else
            fprintf(r->out, "%sok %zu %s\n", res->status == LQ_ST_PASS ? "" : "not ", r->index,
                    label);
        fputs(lq_sb_str(&det), r->out);
    } else {
        static const char *const word[] = {"ok", "FAIL", "SKIP", "ERROR"};
        fprintf(r->out, "%-5s %-48s %9.1fms\n", word[res->status], label, ms);
        fputs(lq_sb_str(&det), r->out);
    }
    fflush(r->out);

    if (r->json_path) {
        struct lq_strbuf j;
        lq_sb_init(&j);
        lq_report_json(sc, res, pcap, r->kernel_release, r->profile, &j);
        struct lq_err e;
        if (lq_append_line_durable(r->json_path, lq_sb_str(&j), &e) && !r->first_error[0])
            snprintf(r->first_error, sizeof(r->first_error), "%s", e.msg);
        lq_sb_free(&j);
    }
    if (r->junit_path) {
        struct lq_strbuf *c = &r->junit_cases;
        lq_sb_add(c, "    <testcase classname=\"listenq\" name=\"");
        lq_sb_add_xml(c, label);
        lq_sb_addf(c, "\" time=\"%.6f\"", ms / 1000.0);
        if (res->status == LQ_ST_PASS) {
            lq_sb_add(c, "/>\n");
        } else {
            lq_sb_add(c, ">\n      ");
            const char *tag = res->status == LQ_ST_FAIL   ? "failure"
                              : res->status == LQ_ST_SKIP ? "skipped"
                                                          : "error";
            lq_sb_addf(c, "<%s message=\"", tag);
            lq_sb_add_xml(c, res->status == LQ_ST_FAIL
                                 ? (res->div.found ? res->div.what : "expectation failed")
                                 : res->reason);
            lq_sb_add(c, "\">");
            lq_sb_add_xml(c, lq_sb_str(&det));
            lq_sb_addf(c, "</%s>\n    </testcase>\n", tag);
        }
        int64_t now = lq_report_now_us();
        if (res->status != LQ_ST_PASS || now - r->last_junit_us > 2000000)
            lq_junit_flush(r);
    }
    lq_sb_free(&det);
    if (r->progress && r->index < r->total) {
        int64_t now = lq_report_now_us();
        if (now - r->started_us > 1000000) {
            fprintf(stderr, "[%zu/%zu] %zu failed ...", r->index, r->total, r->failed);
            fflush(stderr);
        }
    }
}

void lq_report_end(struct lq_report *r)
{
    double secs = (double)(lq_report_now_us() - r->started_us) / 1e6;
    if (r->progress)
        fprintf(stderr, "\r\033[K");
    if (r->tap) {
        fprintf(r->out, "# Totals: pass:%zu fail:%zu xfail:0 xpass:0 skip:%zu error:%zu\n",
                r->passed, r->failed, r->skipped, r->errors);
    } else {
        fprintf(r->out, "%zu scenarios: %zu passed, %zu failed, %zu skipped", r->index, r->passed,
                r->failed, r->skipped);
        if (r->errors)
            fprintf(r->out, ", %zu errors", r->errors);
        fprintf(r->out, " (%s", r->mode);
        if (r->kernel_release && r->kernel_release[0])
            fprintf(r->out, ", kernel %s", r->kernel_release);
        fprintf(r->out, ", profile %s) in %.2fs\n", r->profile_name, secs);
    }
    lq_junit_flush(r);
    lq_sb_free(&r->junit_cases);
    if (r->first_error[0])
        fprintf(stderr, "listenq: writing a report failed: %s\n", r->first_error);
    fflush(r->out);
}

int lq_report_exit_status(const struct lq_report *r)
{
    if (r->first_error[0])
        return LQ_EXIT_ERROR;
    if (r->failed)
        return LQ_EXIT_FAIL;
    if (r->errors)
        return LQ_EXIT_ERROR;
    if (r->index && r->skipped == r->index)
        return LQ_EXIT_SKIP;
    return LQ_EXIT_OK;
}
