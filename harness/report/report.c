/* harness/report/report.c: see report.h. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "lang/corpus.h"
#include "lang/print.h"
#include "result_json.h"
#include "run/follow.h"
#include "util/cleanup.h"
#include "util/fsutil.h"
#include "util/json.h"

static int64_t lq_report_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
        char side[32];
        lq_result_side_name(res, (enum lq_role)e->role, side, sizeof(side));
        lq_sb_addf(out, "%sexpectation failed at line %u on the %s: ", indent, sc->d[e->dir].line,
                   side);
        lq_directive_text(sc, e->dir, out);
        lq_sb_addf(out, "\n%s  %s\n", indent, e->why);
    }
    for (size_t i = 0; i < res->nexps; i++) {
        const struct lq_exp_result *e = &res->exps[i];
        if (!e->by_clock)
            continue;
        char side[32];
        lq_result_side_name(res, (enum lq_role)e->role, side, sizeof(side));
        lq_sb_addf(out, "%sexpectation not checked at line %u on the %s: ", indent,
                   sc->d[e->dir].line, side);
        lq_directive_text(sc, e->dir, out);
        lq_sb_addf(out, "\n%s  %s\n", indent, e->why);
    }
    if (pcap)
        lq_sb_addf(out, "%spcap: %s\n", indent, pcap);
}

void lq_report_json(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                    const char *kernel_release, const struct lq_profile *profile,
                    const char *run_id, struct lq_strbuf *out)
{
    json_t *o = lq_result_json(sc, res, pcap, kernel_release, profile);
    if (o && run_id)
        json_object_set_new(o, "run", lq_json_text(run_id));
    char *line = o ? lq_json_line(o) : NULL;
    json_decref(o);
    if (line)
        lq_sb_add(out, line);
    else
        out->oom = true;
    free(line);
}

void lq_report_write_error(struct lq_report *r, const char *msg)
{
    const char *s = lq_sb_str(&r->write_errors);
    size_t n = strlen(msg);
    for (const char *p = strstr(s, msg); p; p = strstr(p + 1, msg))
        if ((p == s || p[-1] == '\n') && p[n] == '\n')
            return; /* said already */
    lq_sb_addf(&r->write_errors, "%s\n", msg);
    r->nwrite_errors++;
}

void lq_report_written(struct lq_report *r, const char *path)
{
    const char *s = lq_sb_str(&r->written);
    size_t n = strlen(path);
    for (const char *p = strstr(s, path); p; p = strstr(p + 1, path))
        if ((p == s || p[-1] == '\n') && p[n] == '\n')
            return;
    lq_sb_addf(&r->written, "%s\n", path);
    r->nwritten++;
}

/* What a signal prints (util/cleanup.h): the run so far and its files. */
static void lq_report_interrupt_message(struct lq_report *r)
{
    struct lq_strbuf m;
    lq_sb_init(&m);
    lq_sb_addf(&m,
               "\nlistenq: interrupted after %zu of %zu scenarios: %zu passed, %zu failed, %zu "
               "skipped",
               r->index, r->total, r->passed, r->failed, r->skipped);
    if (r->errors)
        lq_sb_addf(&m, ", %zu errors", r->errors);
    lq_sb_add(&m, "\n");
    if (r->junit_path && !r->junit_stream)
        lq_sb_addf(&m, "listenq: written: %s (JUnit, up to the last scenario)\n", r->junit_path);
    if (r->json_path)
        lq_sb_addf(&m, "listenq: written: %s (JSON lines)\n", r->json_path);
    /* the first few pcaps and divergence records by name, then a count */
    const char *w = lq_sb_str(&r->written);
    size_t shown = 0;
    for (const char *p = w; *p && shown < 8; shown++) {
        const char *nl = strchr(p, '\n');
        lq_sb_addf(&m, "listenq: written: %.*s\n", (int)(nl - p), p);
        p = nl + 1;
    }
    if (r->nwritten > shown)
        lq_sb_addf(&m, "listenq: ... and %zu more files\n", r->nwritten - shown);
    lq_cleanup_set_message(lq_sb_str(&m));
    lq_sb_free(&m);
}

/* The JUnit file, replaced whole (temporary file and rename): after every
 * scenario, so that a killed run leaves it up to date; synced to disk every
 * 2 s and at the end. Past 1 MiB (some thousands of scenarios: --repeat
 * runs) a replacement waits until as long as the last one took has passed,
 * so that rewriting stays under half of the run. */
static void lq_junit_flush(struct lq_report *r, bool final)
{
    if (!r->junit_path || (r->junit_stream && !final))
        return;
    int64_t now = lq_report_now_us();
    bool due = final || now - r->last_junit_us > 2000000;
    if (!due && lq_junit_size(&r->junit) > (1u << 20) &&
        now - r->last_junit_write_us < r->junit_write_cost_us)
        return;
    struct lq_err e;
    if (lq_junit_write(&r->junit, r->kernel_release, r->profile_name,
                       r->families ? r->families : "ipv4", due, &e))
        lq_report_write_error(r, e.msg);
    r->last_junit_write_us = lq_report_now_us();
    if (!due)
        r->junit_write_cost_us = r->last_junit_write_us - now;
    else
        r->last_junit_us = now;
}

/* 8 random hex digits (time and pid when getrandom() has none). */
static void lq_report_new_run_id(char *buf, size_t len)
{
    uint32_t x = 0;
    if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != (ssize_t)sizeof(x)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        x = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec * 2654435761u ^ (uint32_t)getpid() << 16;
    }
    snprintf(buf, len, "%08" PRIx32, x);
}

void lq_report_pick_run_id(struct lq_report *r)
{
    if (!r->run_id) {
        lq_report_new_run_id(r->run_id_buf, sizeof(r->run_id_buf));
        r->run_id = r->run_id_buf;
    }
}

void lq_report_begin(struct lq_report *r, size_t total)
{
    lq_report_pick_run_id(r);
    r->total = total;
    r->index = r->passed = r->failed = r->skipped = r->errors = 0;
    memset(r->fam_total, 0, sizeof(r->fam_total));
    memset(r->fam_passed, 0, sizeof(r->fam_passed));
    lq_junit_begin(&r->junit, r->junit_path, r->mode ? r->mode : "", r->kernel_release,
                   r->profile_name, r->families ? r->families : "ipv4");
    r->started_us = r->last_junit_us = r->last_progress_us = lq_report_now_us();
    r->last_junit_write_us = r->junit_write_cost_us = 0;
    lq_sb_init(&r->write_errors);
    lq_sb_init(&r->written);
    r->nwrite_errors = r->nwritten = 0;
    if (r->tap)
        fprintf(r->out, "TAP version 13\n1..%zu\n", total);
    r->json_fd = -1;
    r->json_stream = r->json_path && lq_output_is_stream(r->json_path);
    r->junit_stream = r->junit_path && lq_output_is_stream(r->junit_path);
    if (r->json_path) {
        struct lq_err e;
        if (r->json_stream)
            r->json_fd = lq_stream_open(r->json_path, &e);
        if (r->json_stream ? r->json_fd < 0 : lq_write_file_atomic(r->json_path, "", 0, &e) != 0)
            lq_report_write_error(r, e.msg);
    }
    if (!r->junit_stream)
        lq_junit_flush(r, true);
    lq_report_interrupt_message(r);
    fflush(r->out);
}

/* A KTAP result line: diagnostics first (the kernel's kunit_parser gives
 * them to the next result), then `ok N name`, the name escaped (ktap.h). */
static void lq_report_ktap(struct lq_report *r, const char *label, const struct lq_result *res,
                           const char *details)
{
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_ktap_text(details, &t);
    lq_sb_addf(&t, "%sok %zu ",
               res->status == LQ_ST_PASS || res->status == LQ_ST_SKIP ? "" : "not ", r->index);
    lq_ktap_name(label, &t);
    if (res->status == LQ_ST_SKIP) {
        struct lq_strbuf why;
        lq_sb_init(&why);
        lq_ktap_text(res->reason, &why);
        for (size_t i = 0; i < why.len; i++)
            if (why.s[i] == '\n')
                why.s[i] = ' ';
        lq_sb_addf(&t, " # SKIP %s", lq_sb_str(&why));
        lq_sb_free(&why);
    }
    lq_sb_addc(&t, '\n');
    fputs(lq_sb_str(&t), r->out);
    lq_sb_free(&t);
}

void lq_report_scenario(struct lq_report *r, const struct lq_scenario *sc,
                        const struct lq_result *res, const char *pcap)
{
    r->index++;
    const char *label = lq_corpus_label(sc);
    bool explain = res->status != LQ_ST_PASS || r->verbose || res->div.beyond ||
                   lq_result_clock_unchecked(res);
    struct lq_strbuf human;
    lq_sb_init(&human);
    double ms = (double)res->elapsed_us / 1000.0;
    static const char *const word[] = {"ok", "FAIL", "SKIP", "ERROR"};
    lq_sb_addf(&human, "%-5s %-48s %9.1fms\n", word[res->status], label, ms);
    if (explain)
        lq_report_details(sc, res, pcap, "      ", &human);
    if (sc->family_label && sc->run_family < LQ_FAMILY_COUNT) {
        r->fam_total[sc->run_family]++;
        r->fam_passed[sc->run_family] += res->status == LQ_ST_PASS;
    }
    switch (res->status) {
    case LQ_ST_PASS: r->passed++; break;
    case LQ_ST_FAIL: r->failed++; break;
    case LQ_ST_SKIP: r->skipped++; break;
    case LQ_ST_ERROR: r->errors++; break;
    }
    if (r->progress)
        fprintf(stderr, "\r\033[K");
    if (r->tap) {
        struct lq_strbuf det;
        lq_sb_init(&det);
        if (explain)
            lq_report_details(sc, res, pcap, "# ", &det);
        lq_report_ktap(r, label, res, lq_sb_str(&det));
        lq_sb_free(&det);
    } else {
        fputs(lq_sb_str(&human), r->out);
    }
    fflush(r->out);

    if (r->json_path) {
        struct lq_strbuf j;
        lq_sb_init(&j);
        lq_report_json(sc, res, pcap, r->kernel_release, r->profile, r->run_id, &j);
        if (r->json_stream)
            lq_sb_addc(&j, '\n');
        struct lq_err e;
        if (j.oom) {
            snprintf(e.msg, sizeof(e.msg), "out of memory writing %s", r->json_path);
            lq_report_write_error(r, e.msg);
        } else if (r->json_stream ? r->json_fd >= 0 && lq_stream_write(r->json_fd, r->json_path,
                                                                       j.s, j.len, &e) != 0
                                  : lq_append_line_durable(r->json_path, lq_sb_str(&j), &e) != 0)
            lq_report_write_error(r, e.msg);
        lq_sb_free(&j);
    }
    if (r->junit_path) {
        /* the same body whatever the console format */
        struct lq_strbuf det;
        lq_sb_init(&det);
        if (res->status != LQ_ST_PASS)
            lq_report_details(sc, res, pcap, "", &det);
        lq_junit_case(&r->junit, sc, res, lq_sb_str(&det), lq_sb_str(&human));
        lq_sb_free(&det);
        lq_junit_flush(r, false);
    }
    lq_sb_free(&human);
    lq_report_interrupt_message(r);
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
    struct lq_strbuf sum;
    lq_sb_init(&sum);
    lq_sb_addf(&sum, "%zu scenarios: %zu passed, %zu failed, %zu skipped", r->index, r->passed,
               r->failed, r->skipped);
    if (r->errors)
        lq_sb_addf(&sum, ", %zu errors", r->errors);
    /* a --family run: how each family fared ("ipv4 94/94 passed, ...") */
    const char *sep = " [";
    for (int f = 0; f < LQ_FAMILY_COUNT; f++) {
        if (!r->fam_total[f])
            continue;
        lq_sb_addf(&sum, "%s%s %zu/%zu passed", sep, lq_family_name((enum lq_family)f),
                   r->fam_passed[f], r->fam_total[f]);
        sep = ", ";
    }
    if (sep[0] == ',')
        lq_sb_add(&sum, "]");
    lq_sb_addf(&sum, " (%s", r->mode);
    if (r->kernel_release && r->kernel_release[0])
        lq_sb_addf(&sum, ", kernel %s", r->kernel_release);
    lq_sb_addf(&sum, ", profile %s) in %.2fs\n", r->profile_name, secs);
    if (r->tap)
        fprintf(r->out, "# Totals: pass:%zu fail:%zu xfail:0 xpass:0 skip:%zu error:%zu\n",
                r->passed, r->failed, r->skipped, r->errors);
    else
        fputs(lq_sb_str(&sum), r->out);
    lq_sb_add(&r->junit.out, lq_sb_str(&sum));
    lq_sb_free(&sum);
    lq_junit_flush(r, true);
    lq_junit_free(&r->junit);
    if (r->json_fd >= 0 && close(r->json_fd) < 0) {
        struct lq_err e;
        lq_errno(&e, LQ_EXIT_ERROR, "cannot write %s", r->json_path);
        lq_report_write_error(r, e.msg);
    }
    r->json_fd = -1;
    /* every file that could not be written, not only the first */
    const char *w = lq_sb_str(&r->write_errors);
    for (const char *p = w; *p;) {
        const char *nl = strchr(p, '\n');
        fprintf(stderr, "listenq: could not write: %.*s\n", (int)(nl - p), p);
        p = nl + 1;
    }
    lq_cleanup_set_message(NULL);
    lq_sb_free(&r->write_errors);
    lq_sb_free(&r->written);
    fflush(r->out);
}

int lq_report_exit_status(const struct lq_report *r)
{
    if (r->nwrite_errors)
        return LQ_EXIT_ERROR;
    if (r->failed)
        return LQ_EXIT_FAIL;
    if (r->errors)
        return LQ_EXIT_ERROR;
    if (r->index && r->skipped == r->index)
        return LQ_EXIT_SKIP;
    return LQ_EXIT_OK;
}
