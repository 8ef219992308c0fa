/* harness/cli/cmd_kcidb.c: `listenq kcidb`: the JSON lines of `run --json` or
 * `replay --json` as one KCIDB v5.3 submission (report/kcidb.h), for
 * `kcidb-submit` or KernelCI's pipeline (docs/ci-integration.md). */
#include "cmd_kcidb.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/kcidb.h"
#include "report/result_json.h"
#include "util/err.h"
#include "util/fsutil.h"

static void lq_kcidb_usage(FILE *f)
{
    fprintf(f, "usage: listenq kcidb [options] RESULTS.jsonl...\n"
               "Writes the results of `listenq run --json` (or replay --json) as one KCIDB v5.3\n"
               "submission (JSON) for KernelCI: a test per scenario, path listenq.DIR.NAME,\n"
               "status PASS/FAIL/SKIP/ERROR.\n"
               "  --origin NAME       the submitting CI system, [a-z0-9_]+ (default: listenq)\n"
               "  --run-id ID         makes the test ids unique (default: HOST-UNIXTIME)\n"
               "  --build-id ID       the build the tests ran on (ORIGIN:...); default: a build\n"
               "                      and checkout of listenq's own, per kernel release\n"
               "  --checkout-id ID    the checkout of that own build\n"
               "  -o FILE             write there (atomically) instead of stdout\n");
}

static int lq_kcidb_read(const char *path, json_t *doc, const struct lq_kcidb_opts *o)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "listenq kcidb: %s: cannot open\n", path);
        return LQ_EXIT_BADINPUT;
    }
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    for (unsigned n = 1; getline(&line, &cap, f) > 0; n++) {
        json_error_t je;
        json_t *r = json_loads(line, 0, &je);
        const char *fmt = r ? json_string_value(json_object_get(r, "format")) : NULL;
        json_int_t ver = r ? json_integer_value(json_object_get(r, "version")) : 0;
        if (!r || !fmt || strcmp(fmt, LQ_RESULT_FORMAT) || ver != LQ_RESULT_VERSION) {
            fprintf(stderr, "listenq kcidb: %s:%u: %s\n", path, n,
                    r ? "not a " LQ_RESULT_FORMAT " version 1 object (docs/reports.md)" : je.text);
            json_decref(r);
            rc = LQ_EXIT_BADINPUT;
            break;
        }
        lq_kcidb_add(doc, r, o);
        json_decref(r);
    }
    free(line);
    fclose(f);
    return rc;
}

int lq_cmd_kcidb(int argc, char **argv)
{
    static const struct option opts[] = {
        {"origin", required_argument, 0, 'O'},   {"run-id", required_argument, 0, 'r'},
        {"build-id", required_argument, 0, 'b'}, {"checkout-id", required_argument, 0, 'c'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    struct lq_kcidb_opts o = {.origin = "listenq"};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'O': o.origin = optarg; break;
        case 'r': o.run_id = optarg; break;
        case 'b': o.build_id = optarg; break;
        case 'c': o.checkout_id = optarg; break;
        case 'o': out = optarg; break;
        case 'h': lq_kcidb_usage(stdout); return 0;
        default: lq_kcidb_usage(stderr); return LQ_EXIT_BADINPUT;
        }
    }
    if (optind >= argc) {
        lq_kcidb_usage(stderr);
        return LQ_EXIT_BADINPUT;
    }
    if (!lq_kcidb_origin_ok(o.origin)) {
        fprintf(stderr, "listenq kcidb: --origin must match [a-z0-9_]+ (KCIDB), not '%s'\n",
                o.origin);
        return LQ_EXIT_BADINPUT;
    }
    const char *ids[] = {o.build_id, o.checkout_id};
    for (int i = 0; i < 2; i++) {
        const char *colon = ids[i] ? strchr(ids[i], ':') : NULL;
        if (ids[i] && (!colon || colon == ids[i])) {
            fprintf(stderr, "listenq kcidb: an id is ORIGIN:..., not '%s'\n", ids[i]);
            return LQ_EXIT_BADINPUT;
        }
    }
    char run_id[300];
    if (!o.run_id) {
        char host[256] = "";
        if (gethostname(host, sizeof(host) - 1) || !host[0])
            snprintf(host, sizeof(host), "localhost");
        host[sizeof(host) - 1] = '\0';
        snprintf(run_id, sizeof(run_id), "%s-%lld", host, (long long)time(NULL));
        o.run_id = run_id;
    }
    json_t *doc = lq_kcidb_new();
    int rc = 0;
    for (int i = optind; i < argc && !rc; i++)
        rc = lq_kcidb_read(argv[i], doc, &o);
    char *s = rc ? NULL : json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (rc)
        return rc;
    if (!s)
        return LQ_EXIT_ERROR;
    size_t len = strlen(s);
    s[len] = '\0';
    struct lq_err e;
    if (out) {
        char *t = malloc(len + 2);
        if (!t) {
            free(s);
            return LQ_EXIT_ERROR;
        }
        memcpy(t, s, len);
        t[len] = '\n';
        rc = lq_write_file_atomic(out, t, len + 1, &e);
        free(t);
        if (rc)
            fprintf(stderr, "listenq kcidb: %s\n", e.msg);
        rc = rc ? LQ_EXIT_ERROR : 0;
    } else {
        printf("%s\n", s);
    }
    free(s);
    return rc;
}
