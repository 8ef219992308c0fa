/* harness/matrix/matrix.c: see matrix.h. The shell helpers in ci/matrix/ fetch
 * kernels, build the initramfs and run the VM; this file decides what runs
 * where, bounds every step in time and reads the results back
 * (matrix_report.c judges them). */
#include "matrix.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lang/corpus.h"
#include "util/datadir.h"
#include "util/fsutil.h"
#include "model/profile.h"
#include "replay/recording.h"
#include "util/grow.h"
#include "util/spawn.h"

enum { MX_FETCH_S = 900, MX_BUILD_S = 300 };

/* snprintf that truncates silently (paths and messages here are bounded). */
static void mx_fmt(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void mx_fmt(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

static double mx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Copies /proc/self/exe to DIR/listenq (mode 0755). */
static int mx_copy_self(const char *dir, struct lq_err *err)
{
    char path[PATH_MAX + 16];
    mx_fmt(path, sizeof(path), "%s/listenq", dir);
    FILE *f = fopen("/proc/self/exe", "rb");
    if (!f || lq_mkdir_p(dir, err))
        return f ? -1 : lq_errno(err, LQ_EXIT_ERROR, "/proc/self/exe");
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 1 << 20);
            if (!nb) {
                free(buf);
                fclose(f);
                return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got);
    fclose(f);
    int rc = len ? lq_write_file_atomic(path, buf, len, err)
                 : lq_errf(err, LQ_EXIT_ERROR, "/proc/self/exe is empty");
    free(buf);
    return rc ? rc : chmod(path, 0755) ? lq_errno(err, LQ_EXIT_ERROR, "chmod %s", path) : 0;
}

/* The value of key in a file of key=value lines (the last one wins). */
static bool mx_kv(const char *path, const char *key, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[4096];
    size_t klen = strlen(key);
    bool found = false;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
            mx_fmt(out, cap, "%s", line + klen + 1);
            found = true;
        }
    }
    fclose(f);
    return found;
}

static double mx_kv_num(const char *path, const char *key)
{
    char v[64];
    return mx_kv(path, key, v, sizeof(v)) ? strtod(v, NULL) : -1;
}

/* The first line of a file, without its newline ("" when missing). */
static void mx_first_line(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(out, (int)cap, f))
        out[strcspn(out, "\r\n")] = '\0';
    fclose(f);
}

/* The last line of a log, to explain a failed step. */
static void mx_last_line(const char *path, char *out, size_t cap)
{
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof(line), f))
        if (line[0] != '\n')
            mx_fmt(out, cap, "%.*s", (int)strcspn(line, "\n"), line);
    fclose(f);
}

static void mx_flat(const char *s, char *out, size_t cap)
{
    size_t k = 0;
    for (; *s && k + 1 < cap; s++)
        out[k++] = (*s == '/' || *s == ' ' || *s == ':') ? '-' : *s;
    out[k] = '\0';
}

static int mx_fail(struct lq_mx_kernel *k, enum lq_mx_state st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int mx_fail(struct lq_mx_kernel *k, enum lq_mx_state st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->why, sizeof(k->why), fmt, ap);
    va_end(ap);
    k->state = st;
    fprintf(stderr, "matrix: %s: %s\n", k->spec, k->why);
    return -1;
}

static bool mx_is_version(const char *s)
{
    if (strchr(s, '/') || access(s, F_OK) == 0)
        return false;
    int dots = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '.')
            dots++;
        else if (*p < '0' || *p > '9')
            return false;
    }
    return dots == 1 || dots == 2;
}

/* The release a bzImage names in its setup header (kernel_version at 0x20e,
 * an offset from 0x200; "HdrS" at 0x202), or "" when it has none. */
static void mx_bzimage_release(const char *path, char *out, size_t cap)
{
    unsigned char hdr[0x210];
    char ver[128] = "";
    out[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && memcmp(hdr + 0x202, "HdrS", 4) == 0) {
        long off = 0x200 + (hdr[0x20e] | hdr[0x20f] << 8);
        if (fseek(f, off, SEEK_SET) == 0 && fgets(ver, sizeof(ver), f))
            mx_fmt(out, cap, "%.*s", (int)strcspn(ver, " \n"), ver);
    }
    fclose(f);
}

/* A symlink farm ROOT/lib/modules/REL -> dir, so modprobe -d ROOT finds a
 * user's lib/modules/<release> wherever it lives. */
static int mx_modules_dir(struct lq_mx_kernel *k, const struct lq_mx_opts *o)
{
    char real[PATH_MAX];
    if (!realpath(k->modules, real))
        return mx_fail(k, LQ_MX_FAILED, "--modules %s: %s", k->modules, strerror(errno));
    const char *base = strrchr(real, '/');
    mx_fmt(k->release, sizeof(k->release), "%s", base ? base + 1 : real);
    char dep[PATH_MAX + 16], link[PATH_MAX + 300];
    mx_fmt(dep, sizeof(dep), "%s/modules.dep", real);
    if (access(dep, R_OK))
        return mx_fail(k, LQ_MX_FAILED,
                       "%s has no modules.dep: run depmod -b ROOT %s for the tree that holds "
                       "lib/modules/%s",
                       real, k->release, k->release);
    mx_fmt(k->modroot, sizeof(k->modroot), "%s/modroot/%s", o->cache, k->id);
    mx_fmt(link, sizeof(link), "%s/lib/modules", k->modroot);
    struct lq_err e;
    if (lq_mkdir_p(link, &e))
        return mx_fail(k, LQ_MX_FAILED, "%s", e.msg);
    mx_fmt(link, sizeof(link), "%s/lib/modules/%s", k->modroot, k->release);
    unlink(link);
    if (symlink(real, link))
        return mx_fail(k, LQ_MX_FAILED, "symlink %s: %s", link, strerror(errno));
    return 0;
}

/* Decides where kernel k runs and gets its image and modules. */
static int mx_prepare(struct lq_mx_kernel *k, const struct lq_mx_opts *o)
{
    char flat[160];
    struct utsname u;
    uname(&u);
    if (strcmp(k->spec, "running") == 0 || strcmp(k->spec, "host") == 0) {
        mx_fmt(k->release, sizeof(k->release), "%s", u.release);
        mx_fmt(k->vmlinuz, sizeof(k->vmlinuz), "/boot/vmlinuz-%s", u.release);
        mx_flat(u.release, flat, sizeof(flat));
        if (access(k->vmlinuz, R_OK) == 0) {
            k->kind = LQ_MX_IMAGE;
            k->in_vm = true;
            mx_fmt(k->id, sizeof(k->id), "running-%s", flat);
            char dep[PATH_MAX];
            mx_fmt(dep, sizeof(dep), "/lib/modules/%s/modules.dep", u.release);
            if (access(dep, R_OK) == 0)
                mx_fmt(k->modroot, sizeof(k->modroot), "/");
        } else {
            k->kind = LQ_MX_HOST;
            mx_fmt(k->id, sizeof(k->id), "host-%s", flat);
            mx_fmt(k->why, sizeof(k->why), "runs on the host: %s is not readable", k->vmlinuz);
        }
        return 0;
    }
    if (mx_is_version(k->spec)) {
        k->kind = LQ_MX_DEBIAN;
        k->in_vm = true;
        char sh[PATH_MAX + 32], out[PATH_MAX + 32], err[PATH_MAX + 32];
        mx_fmt(sh, sizeof(sh), "%s/fetch-kernel.sh", o->scripts);
        mx_fmt(out, sizeof(out), "%s/fetch-%s.out", o->cache, k->spec);
        mx_fmt(err, sizeof(err), "%s/fetch-%s.log", o->cache, k->spec);
        fprintf(stderr,
                "matrix: %s: finding Debian's kernel package (apt-cache, apt-get download)\n",
                k->spec);
        char *argv[] = {"sh", sh, (char *)k->spec, (char *)o->cache, NULL};
        int rc = lq_spawn(argv, out, err, MX_FETCH_S);
        if (rc) {
            char last[400];
            mx_last_line(err, last, sizeof(last));
            return mx_fail(k, rc == 4 ? LQ_MX_CANNOT : LQ_MX_FAILED,
                           "fetch-kernel.sh failed (%d): %s", rc, last);
        }
        if (!mx_kv(out, "vmlinuz", k->vmlinuz, sizeof(k->vmlinuz)) ||
            !mx_kv(out, "modroot", k->modroot, sizeof(k->modroot)) ||
            !mx_kv(out, "release", k->release, sizeof(k->release)))
            return mx_fail(k, LQ_MX_FAILED, "fetch-kernel.sh printed no image (see %s)", err);
        mx_kv(out, "package", k->package, sizeof(k->package));
        mx_kv(out, "debversion", k->debver, sizeof(k->debver));
        mx_kv(out, "suite", k->suite, sizeof(k->suite));
        mx_flat(k->package, flat, sizeof(flat));
        mx_fmt(k->id, sizeof(k->id), "%s_%s", flat, k->debver);
        return 0;
    }
    k->kind = LQ_MX_IMAGE;
    k->in_vm = true;
    if (!realpath(k->spec, k->vmlinuz))
        return mx_fail(k, LQ_MX_FAILED, "no kernel image %s: %s", k->spec, strerror(errno));
    uint32_t h = 2166136261u; /* one folder per image, modules and profile */
    const char *parts[3] = {k->vmlinuz, k->modules ? k->modules : "",
                            k->profile_opt ? k->profile_opt : ""};
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p; p++)
            h = (h ^ (uint8_t)*p) * 16777619u;
    const char *base = strrchr(k->vmlinuz, '/');
    mx_flat(base ? base + 1 : k->vmlinuz, flat, sizeof(flat));
    mx_fmt(k->id, sizeof(k->id), "image-%s-%08x", flat, h);
    mx_bzimage_release(k->vmlinuz, k->release, sizeof(k->release));
    return k->modules ? mx_modules_dir(k, o) : 0;
}

/* Runs the suite (and record) for k into k->dir/results. */
static int mx_execute(struct lq_mx_kernel *k, const struct lq_mx_opts *o)
{
    char res[PATH_MAX + 16], a[PATH_MAX + 64], b[PATH_MAX + 64], c[PATH_MAX + 64];
    mx_fmt(res, sizeof(res), "%s/results", k->dir);
    char tmo[16];
    mx_fmt(tmo, sizeof(tmo), "%d", o->timeout);
    if (!k->in_vm) {
        struct lq_err e;
        char rm[PATH_MAX + 32];
        mx_fmt(rm, sizeof(rm), "%s/rec", res);
        char *rmv[] = {"rm", "-rf", res, NULL};
        lq_spawn(rmv, NULL, NULL, 60);
        if (lq_mkdir_p(res, &e))
            return mx_fail(k, LQ_MX_FAILED, "%s", e.msg);
        struct utsname u;
        uname(&u);
        mx_fmt(a, sizeof(a), "%s/uname-r", res);
        mx_fmt(b, sizeof(b), "%s/uname-v", res);
        lq_write_file_atomic(a, u.release, strlen(u.release), &e);
        lq_write_file_atomic(b, u.version, strlen(u.version), &e);
        fprintf(stderr, "matrix: %s: running the %s on the host kernel %s\n", k->spec,
                o->slow ? "suite" : "fast suite", u.release);
        mx_fmt(a, sizeof(a), "%s/run.jsonl", res);
        mx_fmt(b, sizeof(b), "%s/out", res);
        mx_fmt(c, sizeof(c), "%s/run.tap", res);
        char err[PATH_MAX + 32];
        mx_fmt(err, sizeof(err), "%s/run.stderr", res);
        char *av[24];
        int n = 0;
        lq_argv_push(av, &n, 24, (char *)o->self, "run", "--tap", "--no-progress", "--family",
                     "both", "--json", a, "--out", b, (char *)o->corpus, (char *)NULL);
        if (!o->slow)
            lq_argv_push(av, &n, 24, "--fast", (char *)NULL);
        if (k->profile_opt)
            lq_argv_push(av, &n, 24, "--kernel", (char *)k->profile_opt, (char *)NULL);
        double t0 = mx_now();
        int rc = lq_spawn(av, c, err, o->timeout);
        k->suite_s = mx_now() - t0;
        if (rc == 124)
            return mx_fail(k, LQ_MX_FAILED, "the suite did not finish within %d s", o->timeout);
        if (o->record) {
            n = 0;
            lq_argv_push(av, &n, 24, (char *)o->self, "record", "--no-progress", "--out", rm,
                         (char *)o->corpus, (char *)NULL);
            if (!o->slow)
                lq_argv_push(av, &n, 24, "--fast", (char *)NULL);
            if (k->profile_opt)
                lq_argv_push(av, &n, 24, "--kernel", (char *)k->profile_opt, (char *)NULL);
            mx_fmt(c, sizeof(c), "%s/record.out", res);
            t0 = mx_now();
            lq_spawn(av, c, c, o->timeout);
            k->record_s = mx_now() - t0;
        }
        char t[160]; /* the same timing file a VM writes */
        mx_fmt(t, sizeof(t), "boot_s=0\nsuite_start_s=0\nsuite_end_s=%.3f\n", k->suite_s);
        if (k->record_s >= 0)
            mx_fmt(t + strlen(t), sizeof(t) - strlen(t), "record_end_s=%.3f\n",
                   k->suite_s + k->record_s);
        mx_fmt(a, sizeof(a), "%s/timing", res);
        lq_write_file_atomic(a, t, strlen(t), &e);
        return 0;
    }
    char sh[PATH_MAX + 32], initrd[PATH_MAX + 32], log[PATH_MAX + 32], elog[PATH_MAX + 32];
    mx_fmt(sh, sizeof(sh), "%s/mkinitramfs.sh", o->scripts);
    mx_fmt(initrd, sizeof(initrd), "%s/initramfs.cpio.gz", k->dir);
    mx_fmt(elog, sizeof(elog), "%s/mkinitramfs.log", k->dir);
    char stmo[16];
    mx_fmt(stmo, sizeof(stmo), "%d", o->timeout > 120 ? o->timeout - 60 : o->timeout * 3 / 4);
    char *mk[24];
    int n = 0;
    /* both families on every kernel (the matrix's corpus is expanded so) */
    lq_argv_push(mk, &n, 24, "sh", sh, "--out", initrd, "--listenq", (char *)o->self, "--corpus",
                 (char *)o->corpus, "--suite-timeout", stmo, "--run-args", "--family both",
                 (char *)NULL);
    if (k->modroot[0])
        lq_argv_push(mk, &n, 24, "--modroot", k->modroot, "--release", k->release, (char *)NULL);
    if (k->profile_opt)
        lq_argv_push(mk, &n, 24, "--profile", (char *)k->profile_opt, (char *)NULL);
    if (o->slow)
        lq_argv_push(mk, &n, 24, "--slow", (char *)NULL);
    if (!o->record)
        lq_argv_push(mk, &n, 24, "--no-record", (char *)NULL);
    if (lq_spawn(mk, NULL, elog, MX_BUILD_S)) {
        char last[400];
        mx_last_line(elog, last, sizeof(last));
        return mx_fail(k, LQ_MX_FAILED, "building the initramfs failed: %s", last);
    }
    mx_fmt(sh, sizeof(sh), "%s/run-vm.sh", o->scripts);
    mx_fmt(log, sizeof(log), "%s/console.log", k->dir);
    mx_fmt(elog, sizeof(elog), "%s/run-vm.log", k->dir);
    char mem[16];
    mx_fmt(mem, sizeof(mem), "%d", o->mem);
    fprintf(stderr, "matrix: %s: booting %s in a VM (console: %s, at most %d s)\n", k->spec,
            k->release, log, o->timeout);
    char *vm[] = {"sh",        sh,          "--kernel", k->vmlinuz,       "--initrd",
                  initrd,      "--results", res,        "--log",          log,
                  "--timeout", tmo,         "--accel",  (char *)o->accel, "--mem",
                  mem,         NULL};
    int rc = lq_spawn(vm, NULL, elog, o->timeout + 60);
    if (rc) {
        char last[400];
        mx_last_line(elog, last, sizeof(last));
        return mx_fail(k, rc == 4 ? LQ_MX_CANNOT : LQ_MX_FAILED, "%s%s",
                       rc == 124 ? "timed out: " : "", last);
    }
    return 0;
}

/* The times a run left in DIR/vm.timing and DIR/results/timing. */
static void mx_timing(struct lq_mx_kernel *k)
{
    char a[PATH_MAX + 32];
    mx_fmt(a, sizeof(a), "%s/vm.timing", k->dir);
    if (!k->in_vm || !mx_kv(a, "accel", k->accel, sizeof(k->accel)))
        mx_fmt(k->accel, sizeof(k->accel), "host");
    k->wall_s = mx_kv_num(a, "vm_wall_s");
    mx_fmt(a, sizeof(a), "%s/results/timing", k->dir);
    k->boot_s = mx_kv_num(a, "boot_s");
    double s0 = mx_kv_num(a, "suite_start_s"), s1 = mx_kv_num(a, "suite_end_s");
    double r1 = mx_kv_num(a, "record_end_s");
    k->suite_s = s1 - s0;
    k->record_s = r1 > 0 ? r1 - s1 : -1;
}

/* The role of a failed expectation: "reference" (the model here) or
 * "subject" (the kernel); results of before format version 1 (a cache of
 * --reuse) said "side": "model"/"kernel". */
static const char *mx_role(json_t *e)
{
    /* the old format's side names, as run gave them their roles */
    static const struct {
        const char *side;
        enum lq_role role;
    } old[] = {{"model", LQ_ROLE_REFERENCE}, {"kernel", LQ_ROLE_SUBJECT}};
    const char *r = json_string_value(json_object_get(e, "role"));
    if (r)
        return r;
    const char *s = json_string_value(json_object_get(e, "side"));
    for (size_t i = 0; s && i < sizeof(old) / sizeof(old[0]); i++)
        if (strcmp(s, old[i].side) == 0)
            return lq_role_name(old[i].role);
    return s ? s : "";
}

/* What one side of a divergence observed: v1 {"reference": {"observed": ..}},
 * before it {"model": ..}. */
static void mx_observed(json_t *d, const char *role, const char *legacy, char *out, size_t cap)
{
    json_t *side = json_object_get(d, role);
    const char *s = json_is_object(side) ? json_string_value(json_object_get(side, "observed"))
                                         : json_string_value(json_object_get(d, legacy));
    mx_fmt(out, cap, "%s", s ? s : "");
}

static size_t mx_lines(json_t *arr, const char *role, uint32_t *out)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *s = mx_role(e);
        if (strcmp(s, role) == 0 && n < LQ_MX_LINES)
            out[n++] = (uint32_t)json_integer_value(json_object_get(e, "line"));
    }
    return n;
}

static void mx_str(json_t *o, const char *key, char *out, size_t cap)
{
    const char *s = json_string_value(json_object_get(o, key));
    mx_fmt(out, cap, "%s", s ? s : "");
}

/* Reads results/run.jsonl, the uname files and the recordings of k. */
static int mx_load(struct lq_mx_kernel *k, const struct lq_corpus *corpus, char **labels)
{
    char p[PATH_MAX + 64];
    mx_fmt(p, sizeof(p), "%s/results/uname-r", k->dir);
    mx_first_line(p, k->release, sizeof(k->release));
    mx_fmt(p, sizeof(p), "%s/results/uname-v", k->dir);
    mx_first_line(p, k->kversion, sizeof(k->kversion));
    mx_fmt(p, sizeof(p), "%s/results/run.jsonl", k->dir);
    FILE *f = fopen(p, "r");
    if (!f) {
        char tap[PATH_MAX + 64], last[300];
        mx_fmt(tap, sizeof(tap), "%s/results/run.stderr", k->dir);
        mx_last_line(tap, last, sizeof(last));
        return mx_fail(k, LQ_MX_FAILED, "no run.jsonl came back (%s)",
                       last[0] ? last : "see the console log");
    }
    char used_profile[32] = "";
    size_t got = 0;
    char *line = NULL;
    size_t linecap = 0;
    while (getline(&line, &linecap, f) > 0) {
        json_t *o = json_loads(line, 0, NULL);
        if (!o)
            continue;
        const char *label = json_string_value(json_object_get(o, "scenario"));
        for (size_t i = 0; label && i < corpus->n; i++) {
            if (strcmp(labels[i], label))
                continue;
            struct lq_mx_cell *c = &k->cells[i];
            c->present = true;
            got++;
            mx_str(o, "status", c->status, sizeof(c->status));
            mx_str(o, "reason", c->reason, sizeof(c->reason));
            if (!used_profile[0])
                mx_str(o, "profile", used_profile, sizeof(used_profile));
            json_t *d = json_object_get(o, "divergence");
            if (json_is_object(d)) {
                c->diverged = true;
                c->div_line = (uint32_t)json_integer_value(json_object_get(d, "line"));
                mx_str(d, "what", c->div_what, sizeof(c->div_what));
                mx_str(d, "event", c->div_event, sizeof(c->div_event));
                mx_observed(d, lq_role_name(LQ_ROLE_REFERENCE), "model", c->div_model,
                            sizeof(c->div_model));
                mx_observed(d, lq_role_name(LQ_ROLE_SUBJECT), "kernel", c->div_kernel,
                            sizeof(c->div_kernel));
                json_t *dps = json_object_get(d, "decision_points"), *e;
                size_t j;
                json_array_foreach(dps, j, e)
                {
                    const char *s = json_string_value(e);
                    size_t len = strlen(c->div_dps);
                    mx_fmt(c->div_dps + len, sizeof(c->div_dps) - len, "%s%s", len ? ", " : "",
                           s ? s : "?");
                    mx_fmt(c->div_dp, sizeof(c->div_dp), "%s", s ? s : "?");
                }
            }
            json_t *ef = json_object_get(o, "expectations_failed");
            c->nk = mx_lines(ef, lq_role_name(LQ_ROLE_SUBJECT), c->kfail);
            c->nm = mx_lines(ef, lq_role_name(LQ_ROLE_REFERENCE), c->mfail);
            size_t j;
            json_t *e;
            json_array_foreach(ef, j, e)
            {
                uint32_t ln = (uint32_t)json_integer_value(json_object_get(e, "line"));
                if (!c->kwhy[0] && strcmp(mx_role(e), lq_role_name(LQ_ROLE_SUBJECT)) == 0 &&
                    !lq_mx_has_line(c->mfail, c->nm, ln))
                    mx_fmt(c->kwhy, sizeof(c->kwhy), "line %u `%s`: %s", ln,
                           json_string_value(json_object_get(e, "expect")),
                           json_string_value(json_object_get(e, "why")));
            }
            break;
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    if (!got)
        return mx_fail(k, LQ_MX_FAILED, "run.jsonl holds no scenario of the corpus");
    char perr[256];
    if (lq_profile_resolve(used_profile, &k->prof, perr, sizeof(perr)) &&
        lq_profile_from_uname(k->release, k->kversion, &k->prof, perr, sizeof(perr)))
        return mx_fail(k, LQ_MX_FAILED, "no profile for %s: %s", k->release, perr);
    mx_fmt(k->col, sizeof(k->col), "%s", k->prof.name);
    for (size_t i = 0; i < corpus->n; i++) {
        char flat[300];
        mx_flat(labels[i], flat, sizeof(flat));
        mx_fmt(p, sizeof(p), "%s/results/rec/%s.json", k->dir, flat);
        struct lq_err e;
        if (access(p, R_OK) == 0 && lq_recording_load(p, &k->recs[i], &e) == 0) {
            k->has_rec[i] = true; /* compare.c names the traces by their backend */
            mx_fmt(k->recs[i].trace.backend, sizeof(k->recs[i].trace.backend), "%s", k->col);
        }
    }
    mx_timing(k);
    k->state = LQ_MX_DONE;
    return 0;
}

/* ---- a matrix run ---- */

int lq_mx_open(struct lq_mx_run *run, struct lq_mx_opts *o)
{
    memset(run, 0, sizeof(*run));
    run->lockfd = -1;
    ssize_t sl = readlink("/proc/self/exe", o->self, sizeof(o->self) - 1);
    if (sl <= 0) {
        fprintf(stderr, "listenq matrix: cannot find this binary (/proc/self/exe)\n");
        return LQ_EXIT_ERROR;
    }
    o->self[sl] = '\0';
    if (sl > 10 && strcmp(o->self + sl - 10, " (deleted)") == 0)
        o->self[sl - 10] = '\0'; /* rebuilt since it started */
    if (!o->scripts)
        o->scripts = getenv("LISTENQ_MATRIX_SCRIPTS");
    if (!o->scripts) { /* a source tree or an installed one (util/datadir.h) */
        lq_data_path("ci/matrix", run->scripts, sizeof(run->scripts));
        o->scripts = run->scripts;
    }
    if (!o->corpus) {
        lq_data_path("corpus/conformance", run->corpus_def, sizeof(run->corpus_def));
        o->corpus = run->corpus_def;
    }
    if (!o->cache) {
        lq_cache_path("matrix-cache", run->cache_def, sizeof(run->cache_def));
        o->cache = run->cache_def;
    }
    struct lq_err e = {0};
    if (lq_mkdir_p(o->cache, &e) || !realpath(o->cache, run->cache)) {
        fprintf(stderr, "listenq matrix: cache %s: %s\n", o->cache, e.msg);
        return LQ_EXIT_ERROR;
    }
    o->cache = run->cache;
    /* One matrix per cache at a time (the run folders are per kernel). */
    char lockf[PATH_MAX + 32];
    mx_fmt(lockf, sizeof(lockf), "%s/lock", run->cache);
    run->lockfd = open(lockf, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (run->lockfd >= 0 && flock(run->lockfd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK) {
        fprintf(stderr, "matrix: another listenq matrix uses %s; waiting for it\n", run->cache);
        flock(run->lockfd, LOCK_EX);
    }
    /* The VMs and the host run get a copy of this very binary: a rebuild of
     * build/listenq while the matrix runs must not change what they run. */
    char bin[PATH_MAX + 32];
    mx_fmt(bin, sizeof(bin), "%s/bin", run->cache);
    if (mx_copy_self(bin, &e)) {
        fprintf(stderr, "listenq matrix: cannot copy this binary into %s: %s\n", bin, e.msg);
        return LQ_EXIT_ERROR;
    }
    mx_fmt(o->self, sizeof(o->self), "%s/listenq", bin);
    if (!realpath(o->corpus, run->corpus_abs)) {
        fprintf(stderr, "listenq matrix: no corpus %s\n", o->corpus);
        return LQ_EXIT_BADINPUT;
    }
    o->corpus = run->corpus_abs;
    char *cargs[] = {run->corpus_abs}, *cerrs = NULL;
    if (lq_corpus_load(&run->corpus, cargs, 1, &cerrs, &e)) {
        if (cerrs)
            fputs(cerrs, stderr);
        else
            fprintf(stderr, "listenq matrix: %s\n", e.msg);
        free(cerrs);
        return e.status ? e.status : LQ_EXIT_BADINPUT;
    }
    /* every kernel runs both families: NAME@ipv4, NAME@ipv6 (record's
     * default too), so the corpus is judged so */
    if (lq_corpus_expand_families(&run->corpus, LQ_CORPUS_FAM_4 | LQ_CORPUS_FAM_6)) {
        fprintf(stderr, "listenq matrix: out of memory\n");
        lq_corpus_free(&run->corpus);
        return LQ_EXIT_ERROR;
    }
    run->have_corpus = true;
    run->labels = lq_xcalloc(run->corpus.n + 1, sizeof(*run->labels));
    for (size_t i = 0; i < run->corpus.n; i++)
        run->labels[i] = lq_xstrdup(lq_corpus_label(&run->corpus.sc[i]));
    /* A KVM that gave no sign of life once (nested KVM can be slower than
     * TCG) is not probed again on this host kernel: delete the file to retry. */
    char kvmrel[256] = "";
    uname(&run->host);
    mx_fmt(run->kvmf, sizeof(run->kvmf), "%s/kvm-unusable", o->cache);
    mx_first_line(run->kvmf, kvmrel, sizeof(kvmrel));
    if (strcmp(o->accel, "auto") == 0 && strcmp(kvmrel, run->host.release) == 0) {
        fprintf(stderr, "matrix: KVM was unusable on this host before (%s): TCG\n", run->kvmf);
        o->accel = "tcg";
    }
    lq_spawn_forward_signals();
    return 0;
}

void lq_mx_run_kernel(struct lq_mx_run *run, struct lq_mx_opts *o, struct lq_mx_kernel *k)
{
    const struct lq_corpus *corpus = &run->corpus;
    k->cells = lq_xcalloc(corpus->n, sizeof(*k->cells));
    k->recs = lq_xcalloc(corpus->n, sizeof(*k->recs));
    k->has_rec = lq_xcalloc(corpus->n, sizeof(*k->has_rec));
    k->record_s = -1;
    double t0 = mx_now();
    if (mx_prepare(k, o))
        return;
    struct lq_err e = {0};
    mx_fmt(k->dir, sizeof(k->dir), "%s/runs/%s", o->cache, k->id);
    if (lq_mkdir_p(k->dir, &e)) {
        mx_fail(k, LQ_MX_FAILED, "%s", e.msg);
        return;
    }
    char prev[PATH_MAX + 32];
    mx_fmt(prev, sizeof(prev), "%s/results/run.jsonl", k->dir);
    char why[sizeof(k->why)];
    memcpy(why, k->why, sizeof(why));
    bool reused = o->reuse && access(prev, R_OK) == 0 && mx_load(k, corpus, run->labels) == 0;
    if (o->reuse && !reused) { /* nothing usable there: run it */
        memset(k->cells, 0, corpus->n * sizeof(*k->cells));
        memcpy(k->why, why, sizeof(why));
        k->state = LQ_MX_PENDING;
    }
    if (reused)
        fprintf(stderr, "matrix: %s: the results in %s/results (--reuse)\n", k->spec, k->dir);
    else if (mx_execute(k, o) == 0 && mx_load(k, corpus, run->labels) == 0)
        fprintf(stderr, "matrix: %s: %s (profile %s) done in %.1f s\n", k->spec, k->release,
                k->prof.name, mx_now() - t0);
    char timing[PATH_MAX + 32], fb[256];
    mx_fmt(timing, sizeof(timing), "%s/vm.timing", k->dir);
    if (k->in_vm && strcmp(o->accel, "auto") == 0 &&
        mx_kv(timing, "kvm_fallback", fb, sizeof(fb))) {
        o->accel = "tcg"; /* KVM was found unusable: do not probe again */
        lq_write_file_atomic(run->kvmf, run->host.release, strlen(run->host.release), &e);
    }
}

int lq_mx_finish(struct lq_mx_run *run, const struct lq_mx_opts *o, struct lq_mx_kernel *ks, int nk)
{
    for (int j = 0; j < nk; j++) /* two kernels with one profile get distinct columns */
        for (int i = 0; i < j; i++)
            if (ks[j].state == LQ_MX_DONE && strcmp(ks[i].col, ks[j].col) == 0) {
                size_t len = strlen(ks[j].col);
                mx_fmt(ks[j].col + len, sizeof(ks[j].col) - len, "#%d", j + 1);
            }
    int disagreements = 0;
    lq_mx_print(ks, nk, &run->corpus, run->labels, o, &disagreements);
    int done = 0, cannot = 0, failed = 0;
    for (int j = 0; j < nk; j++) {
        done += ks[j].state == LQ_MX_DONE;
        cannot += ks[j].state == LQ_MX_CANNOT;
        failed += ks[j].state == LQ_MX_FAILED;
    }
    if (disagreements)
        return LQ_EXIT_FAIL;
    if (failed || (cannot && done))
        return LQ_EXIT_ERROR;
    if (!done)
        return LQ_EXIT_SKIP;
    return LQ_EXIT_OK;
}

void lq_mx_close(struct lq_mx_run *run, struct lq_mx_kernel *ks, int nk)
{
    for (int j = 0; j < nk; j++) {
        for (size_t i = 0; ks[j].has_rec && i < run->corpus.n; i++)
            if (ks[j].has_rec[i])
                lq_recording_free(&ks[j].recs[i]);
        free(ks[j].cells);
        free(ks[j].recs);
        free(ks[j].has_rec);
    }
    for (size_t i = 0; run->labels && i < run->corpus.n; i++)
        free(run->labels[i]);
    free(run->labels);
    if (run->have_corpus)
        lq_corpus_free(&run->corpus);
    if (run->lockfd >= 0)
        close(run->lockfd);
    memset(run, 0, sizeof(*run));
    run->lockfd = -1;
}
