/* tests/unit/test_pcapout.c: harness/wire/pcapout.c, pcapin.c and
 * harness/util/fsutil.c.
 *
 * pcap files are read back with libpcap itself; failures must leave neither
 * a half file nor a temporary file behind. The reader (pcapin.c) gives back
 * what the writer wrote, in the file's order (lq_pcap_order says where each
 * record went), and refuses a file cut short.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "util/fsutil.h"
#include "wire/pcapin.h"
#include "wire/pcapout.h"
#include "tap.h"

static char dir[256];

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* Number of entries in dir whose name contains ".tmp." */
static int temp_files(const char *d)
{
    DIR *dh = opendir(d);
    if (!dh)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL)
        if (strstr(de->d_name, ".tmp."))
            n++;
    closedir(dh);
    return n;
}

static size_t read_all(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, cap);
    close(fd);
    return n < 0 ? 0 : (size_t)n;
}

static void test_pcap_roundtrip(void)
{
    static const uint8_t a[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0xaa};
    static const uint8_t b[] = {0xff, 0xfe, 0xfd};
    uint8_t c[300];
    for (size_t i = 0; i < sizeof(c); i++)
        c[i] = (uint8_t)i;
    /* Out of order on purpose; two with the same time keep their order. */
    struct lq_pcap_rec recs[] = {
        {3000000005ull, sizeof(a), a, 0},
        {1999999999ull, sizeof(b), b, 0},
        {1700000000123456789ull, 256, c, 300}, /* cut by a snap length */
        {3000000005ull, sizeof(b), b, 0},
    };
    char path[300];
    path_in(path, sizeof(path), "s.pcap");
    struct lq_err err = {0};
    int rc = lq_pcap_write_atomic(path, recs, 4, &err);
    is_int(rc, 0, "pcap written");
    if (rc)
        tap_diag("%s", err.msg);

    uint8_t raw[4];
    uint32_t magic = 0;
    if (read_all(path, (char *)raw, sizeof(raw)) == 4)
        memcpy(&magic, raw, 4);
    is_int(magic, 0xa1b23c4d, "nanosecond magic in host order");

    char ebuf[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    ok(p != NULL, "libpcap opens it");
    if (!p) {
        tap_diag("%s", ebuf);
        return;
    }
    is_int(pcap_datalink(p), DLT_EN10MB, "LINKTYPE_ETHERNET");
    is_int(pcap_get_tstamp_precision(p), PCAP_TSTAMP_PRECISION_NANO, "nanosecond precision");
    const struct {
        uint64_t ts;
        const uint8_t *data;
        uint32_t caplen, len;
    } want[] = {
        {1999999999ull, b, sizeof(b), sizeof(b)},
        {3000000005ull, a, sizeof(a), sizeof(a)},
        {3000000005ull, b, sizeof(b), sizeof(b)},
        {1700000000123456789ull, c, 256, 300},
    };
    struct pcap_pkthdr *h;
    const u_char *d;
    for (int i = 0; i < 4; i++) {
        if (pcap_next_ex(p, &h, &d) != 1) {
            ok(0, "record %d present", i);
            continue;
        }
        uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
        ok(ts == want[i].ts, "record %d: timestamp %llu ns", i, (unsigned long long)want[i].ts);
        ok(h->caplen == want[i].caplen && h->len == want[i].len, "record %d: lengths", i);
        ok(memcmp(d, want[i].data, h->caplen) == 0, "record %d: bytes", i);
    }
    is_int(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK, "nothing after the last record");
    pcap_close(p);
    is_int(temp_files(dir), 0, "no temporary file left after success");

    /* An empty scenario still gives a valid file. */
    rc = lq_pcap_write_atomic(path, NULL, 0, &err);
    p = rc == 0 ? pcap_open_offline(path, ebuf) : NULL;
    ok(p && pcap_next_ex(p, &h, &d) == PCAP_ERROR_BREAK, "zero records: a valid empty pcap");
    if (p)
        pcap_close(p);
}

static void test_pcap_read(void)
{
    static const uint8_t a[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00, 0xaa};
    static const uint8_t b[] = {0xff, 0xfe, 0xfd};
    uint8_t c[300];
    for (size_t i = 0; i < sizeof(c); i++)
        c[i] = (uint8_t)i;
    struct lq_pcap_rec recs[] = {
        {3000000005ull, sizeof(a), a, 0},
        {1999999999ull, sizeof(b), b, 0},
        {1700000000123456789ull, 256, c, 300},
        {3000000005ull, sizeof(b), b, 0},
    };
    /* by time, ties in their order: b (1), a (0), b (3), c (2) */
    size_t pos[4];
    lq_pcap_order(recs, 4, pos);
    ok(pos[0] == 1 && pos[1] == 0 && pos[2] == 3 && pos[3] == 2,
       "lq_pcap_order: where each record goes in the file");
    char path[300];
    path_in(path, sizeof(path), "r.pcap");
    struct lq_err err = {0};
    struct lq_pcap_file pf;
    int rc = lq_pcap_write_atomic(path, recs, 4, &err);
    ok(rc == 0 && lq_pcap_read(path, &pf, &err) == 0, "written and read back");
    if (rc || pf.n != 4) {
        tap_diag("%s", err.msg);
        return;
    }
    bool same = true;
    for (size_t i = 0; i < 4; i++) {
        const struct lq_pcap_frame *f = &pf.f[pos[i]];
        uint32_t len = recs[i].orig_len ? recs[i].orig_len : recs[i].len;
        same &= f->ts_ns == recs[i].ts_ns && f->caplen == recs[i].len && f->len == len &&
                memcmp(f->data, recs[i].data, f->caplen) == 0;
    }
    ok(same, "every frame: timestamp, lengths and bytes, at its place");
    lq_pcap_file_free(&pf);

    /* cut inside the last record: refused, the file and frame named */
    struct stat st;
    ok(stat(path, &st) == 0 && truncate(path, st.st_size - 5) == 0, "the file cut by 5 bytes");
    rc = lq_pcap_read(path, &pf, &err);
    ok(rc == -1 && err.status == LQ_EXIT_BADINPUT && strstr(err.msg, path) &&
           strstr(err.msg, "frame 3"),
       "a pcap cut short: bad input naming the file and frame 3 (%s)", err.msg);
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd >= 0) {
        ok(write(fd, "not a pcap at all, no", 21) == 21, "a file that is no pcap");
        close(fd);
    }
    rc = lq_pcap_read(path, &pf, &err);
    ok(rc == -1 && err.status == LQ_EXIT_BADINPUT && strstr(err.msg, "not a readable pcap"),
       "no pcap: bad input (%s)", err.msg);
    unlink(path);
}

static void test_failures(void)
{
    struct lq_err err = {0};
    static const uint8_t a[] = {1, 2, 3};
    struct lq_pcap_rec r = {1, sizeof(a), a, 0};

    /* The target is a non-empty directory: the temporary file gets written,
     * the rename fails, and the temporary file must go. */
    char target[300], inner[320];
    path_in(target, sizeof(target), "busy");
    snprintf(inner, sizeof(inner), "%s/x", target);
    mkdir(target, 0777);
    close(open(inner, O_WRONLY | O_CREAT, 0666));
    int rc = lq_pcap_write_atomic(target, &r, 1, &err);
    ok(rc == -1 && err.status == LQ_EXIT_ERROR, "rename over a directory fails");
    ok(strstr(err.msg, "rename") != NULL, "the message says what failed: %s", err.msg);
    is_int(temp_files(dir), 0, "failure leaves no temporary file");
    unlink(inner);
    rmdir(target);

    char missing[300];
    path_in(missing, sizeof(missing), "no/such/dir/s.pcap");
    err.status = 0;
    rc = lq_pcap_write_atomic(missing, &r, 1, &err);
    ok(rc == -1 && err.status == LQ_EXIT_ERROR, "missing directory is an error");
    is_int(temp_files(dir), 0, "still no temporary file");

    struct lq_pcap_rec huge = {1, 300000, a, 0};
    char path[300];
    path_in(path, sizeof(path), "huge.pcap");
    ok(lq_pcap_write_atomic(path, &huge, 1, &err) == -1 && access(path, F_OK) != 0,
       "a record beyond the snap length is refused before anything is written");
}

static void test_fsutil(void)
{
    struct lq_err err = {0};
    char path[300], buf[256];
    path_in(path, sizeof(path), "f.txt");
    is_int(lq_write_file_atomic(path, "old\n", 4, &err), 0, "atomic write");
    is_int(lq_write_file_atomic(path, "new contents\n", 13, &err), 0, "atomic replace");
    size_t n = read_all(path, buf, sizeof(buf));
    ok(n == 13 && memcmp(buf, "new contents\n", 13) == 0, "replaced contents");
    struct stat st;
    mode_t mask = umask(0);
    umask(mask);
    ok(stat(path, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask), "mode is 0666 minus umask");

    path_in(path, sizeof(path), "log.jsonl");
    is_int(lq_append_line_durable(path, "{\"a\":1}", &err), 0, "append without newline");
    is_int(lq_append_line_durable(path, "{\"b\":2}\n", &err), 0, "append with newline");
    n = read_all(path, buf, sizeof(buf));
    ok(n == 16 && memcmp(buf, "{\"a\":1}\n{\"b\":2}\n", 16) == 0,
       "one line each, newline added once");
    char nodir[300];
    path_in(nodir, sizeof(nodir), "nope/log.jsonl");
    ok(lq_append_line_durable(nodir, "x", &err) == -1 && strstr(err.msg, "nope"),
       "append into a missing directory fails naming it");

    char deep[300];
    path_in(deep, sizeof(deep), "a/b//c/d/");
    is_int(lq_mkdir_p(deep, &err), 0, "mkdir -p of a nested path");
    path_in(deep, sizeof(deep), "a/b/c/d");
    ok(stat(deep, &st) == 0 && S_ISDIR(st.st_mode), "the directory exists");
    is_int(lq_mkdir_p(deep, &err), 0, "mkdir -p of an existing directory is fine");
    path_in(deep, sizeof(deep), "f.txt");
    ok(lq_mkdir_p(deep, &err) == -1 && strstr(err.msg, "not a directory"),
       "a file in the way is an error");
    path_in(deep, sizeof(deep), "f.txt/sub");
    ok(lq_mkdir_p(deep, &err) == -1, "a file as a parent is an error");

    /* Leave nothing behind. */
    const char *rm[] = {"a/b/c/d", "a/b/c", "a/b", "a"};
    for (size_t i = 0; i < sizeof(rm) / sizeof(rm[0]); i++) {
        path_in(deep, sizeof(deep), rm[i]);
        rmdir(deep);
    }
    path_in(path, sizeof(path), "f.txt");
    unlink(path);
    path_in(path, sizeof(path), "log.jsonl");
    unlink(path);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/lq-pcapout-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp %s: %s", dir, strerror(errno));
        return tap_done();
    }
    test_pcap_roundtrip();
    test_pcap_read();
    test_failures();
    test_fsutil();
    char p[300];
    path_in(p, sizeof(p), "s.pcap");
    unlink(p);
    ok(rmdir(dir) == 0, "the test directory is empty at the end");
    return tap_done();
}
