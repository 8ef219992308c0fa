/* harness/live/snmp.c: see snmp.h.
 *
 * Both files are pairs of lines, "Group: Name1 Name2 ..." then
 * "Group: v1 v2 ...". lq_snmp_read runs after every scenario event, so it
 * only counts newlines to the values line found at open and walks that line
 * up to the last column it needs; the kernel formatting the text costs more
 * than this parsing.
 */
#include "snmp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    BUF_INITIAL = 16384,
    BUF_MAX = 1 << 20, /* a procfs file this big would be a kernel bug */
};

static const char NETSTAT_PATH[] = "/proc/thread-self/net/netstat";
static const char SNMP_PATH[] = "/proc/thread-self/net/snmp";

/* The whole file from offset 0 into s->buf (NUL-terminated); its length or -1. */
static ssize_t read_whole(struct lq_snmp *s, int fd, const char *what, struct lq_err *err)
{
    for (;;) {
        size_t got = 0;
        while (got < s->cap - 1) {
            ssize_t r = pread(fd, s->buf + got, s->cap - 1 - got, (off_t)got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                return lq_errno(err, LQ_EXIT_ERROR, "cannot read %s", what);
            if (r == 0)
                break;
            got += (size_t)r;
        }
        if (got < s->cap - 1) {
            s->buf[got] = '\0';
            return (ssize_t)got;
        }
        /* Filled the buffer: the file may be longer. Grow and read again. */
        if (s->cap >= BUF_MAX)
            return lq_errf(err, LQ_EXIT_ERROR, "%s is larger than %d bytes", what, BUF_MAX);
        char *nb = realloc(s->buf, s->cap * 2);
        if (!nb)
            return lq_errf(err, LQ_EXIT_ERROR, "out of memory reading %s", what);
        s->buf = nb;
        s->cap *= 2;
    }
}

/* Start of line number idx (0-based), or NULL. */
static const char *nth_line(const char *text, const char *end, int idx)
{
    const char *p = text;
    for (int i = 0; i < idx; i++) {
        p = memchr(p, '\n', (size_t)(end - p));
        if (!p)
            return NULL;
        p++;
    }
    return p < end ? p : NULL;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* Parses one (possibly negative) decimal number at *pp, skipping leading
 * blanks; advances *pp. False when there is none. */
static bool next_value(const char **pp, const char *end, uint64_t *v)
{
    const char *p = *pp;
    while (p < end && *p == ' ')
        p++;
    bool neg = p < end && *p == '-';
    if (neg)
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return false;
    uint64_t x = 0;
    while (p < end && *p >= '0' && *p <= '9')
        x = x * 10 + (uint64_t)(*p++ - '0');
    *v = neg ? (uint64_t)0 - x : x;
    *pp = p;
    return true;
}

static bool next_word(const char **pp, const char *end, const char **w, size_t *wlen)
{
    const char *p = *pp;
    while (p < end && *p == ' ')
        p++;
    const char *s = p;
    while (p < end && *p != ' ' && *p != '\n')
        p++;
    *w = s;
    *wlen = (size_t)(p - s);
    *pp = p;
    return *wlen > 0;
}

/* Finds group's header line (prefix "Group:"); returns its index or -1. The
 * values line is the next one, which must carry the same prefix. */
static int find_header(const char *text, const char *end, const char *group)
{
    size_t gl = strlen(group);
    const char *p = text;
    for (int idx = 0; p < end; idx++) {
        const char *e = line_end(p, end);
        if ((size_t)(e - p) > gl && memcmp(p, group, gl) == 0 && p[gl] == ':') {
            const char *v = e < end ? e + 1 : end;
            const char *ve = line_end(v, end);
            if ((size_t)(ve - v) > gl && memcmp(v, group, gl) == 0 && v[gl] == ':')
                return idx;
            return -1;
        }
        p = e + 1;
    }
    return -1;
}

/* Column of name in the header line at hdr (after the "Group:" prefix), or -1. */
static int find_column(const char *hdr, const char *end, size_t prefix_len, const char *name)
{
    const char *p = hdr + prefix_len;
    const char *le = line_end(hdr, end);
    size_t nl = strlen(name);
    const char *w;
    size_t wl;
    for (int col = 0; next_word(&p, le, &w, &wl); col++)
        if (wl == nl && memcmp(w, name, nl) == 0)
            return col;
    return -1;
}

static int count_values(const char *vline, const char *end, size_t prefix_len)
{
    const char *p = vline + prefix_len;
    const char *le = line_end(vline, end);
    uint64_t v;
    int n = 0;
    while (next_value(&p, le, &v))
        n++;
    return n;
}

static int setup_group(struct lq_snmp *s, struct lq_snmp_group *g, const char *group, int fd,
                       const char *path, struct lq_err *err)
{
    ssize_t len = read_whole(s, fd, path, err);
    if (len < 0)
        return -1;
    const char *text = s->buf, *end = s->buf + len;
    int hidx = find_header(text, end, group);
    if (hidx < 0)
        return lq_errf(err, LQ_EXIT_ERROR, "%s has no %s lines", path, group);
    memset(g, 0, sizeof(*g));
    snprintf(g->prefix, sizeof(g->prefix), "%s:", group);
    size_t pl = strlen(g->prefix);
    g->line = hidx + 1;
    const char *hdr = nth_line(text, end, hidx);
    const char *vline = nth_line(text, end, g->line);
    g->ncols = count_values(vline, end, pl);
    /* Counters in column order, so a read walks the values line once. */
    int cols[LQ_CTR_COUNT];
    enum lq_counter which[LQ_CTR_COUNT];
    int n = 0;
    for (int c = 0; c < LQ_CTR_COUNT; c++) {
        if (strcmp(lq_counter_group((enum lq_counter)c), group) != 0)
            continue;
        int col = find_column(hdr, end, pl, lq_counter_name((enum lq_counter)c));
        if (col < 0 || col >= g->ncols)
            continue;
        int k = n++;
        while (k > 0 && cols[k - 1] > col) {
            cols[k] = cols[k - 1];
            which[k] = which[k - 1];
            k--;
        }
        cols[k] = col;
        which[k] = (enum lq_counter)c;
        s->has[c] = true;
    }
    g->nwant = n;
    memcpy(g->col, cols, sizeof(int) * (size_t)n);
    memcpy(g->want, which, sizeof(which[0]) * (size_t)n);
    return 0;
}

int lq_snmp_open(struct lq_snmp *s, struct lq_err *err)
{
    memset(s, 0, sizeof(*s));
    s->netstat_fd = s->snmp_fd = -1;
    s->cap = BUF_INITIAL;
    s->buf = malloc(s->cap);
    if (!s->buf)
        return lq_errf(err, LQ_EXIT_ERROR, "out of memory");
    s->netstat_fd = open(NETSTAT_PATH, O_RDONLY | O_CLOEXEC);
    if (s->netstat_fd < 0) {
        lq_errno(err, LQ_EXIT_ERROR, "cannot open %s", NETSTAT_PATH);
        goto fail;
    }
    s->snmp_fd = open(SNMP_PATH, O_RDONLY | O_CLOEXEC);
    if (s->snmp_fd < 0) {
        lq_errno(err, LQ_EXIT_ERROR, "cannot open %s", SNMP_PATH);
        goto fail;
    }
    if (setup_group(s, &s->tcpext, "TcpExt", s->netstat_fd, NETSTAT_PATH, err) < 0 ||
        setup_group(s, &s->tcp, "Tcp", s->snmp_fd, SNMP_PATH, err) < 0)
        goto fail;
    return 0;
fail:
    lq_snmp_close(s);
    return -1;
}

/* Whether the line at p is g's values line (prefix, then a number). */
static bool is_values_line(const char *p, const char *end, const char *prefix, size_t pl)
{
    if (!p || (size_t)(end - p) < pl + 2 || memcmp(p, prefix, pl) != 0)
        return false;
    char c = p[pl] == ' ' ? p[pl + 1] : p[pl];
    return (c >= '0' && c <= '9') || c == '-';
}

static int read_group(struct lq_snmp *s, struct lq_snmp_group *g, int fd, const char *path,
                      uint64_t out[LQ_CTR_COUNT], struct lq_err *err)
{
    if (g->nwant == 0)
        return 0;
    ssize_t len = read_whole(s, fd, path, err);
    if (len < 0)
        return -1;
    const char *end = s->buf + len;
    size_t pl = strlen(g->prefix);
    const char *v = nth_line(s->buf, end, g->line);
    if (!is_values_line(v, end, g->prefix, pl)) {
        /* Lines come and go: /proc/net/snmp grows IcmpMsg lines once ICMP
         * has been seen. Find the group again and remember where it is. */
        char group[sizeof(g->prefix)];
        memcpy(group, g->prefix, pl - 1);
        group[pl - 1] = '\0';
        int hidx = find_header(s->buf, end, group);
        v = hidx < 0 ? NULL : nth_line(s->buf, end, hidx + 1);
        if (!is_values_line(v, end, g->prefix, pl))
            return lq_errf(err, LQ_EXIT_ERROR, "%s: no %s values any more", path, g->prefix);
        g->line = hidx + 1;
    }
    const char *p = v + pl;
    const char *le = line_end(v, end);
    int k = 0;
    for (int col = 0; k < g->nwant; col++) {
        uint64_t x;
        if (!next_value(&p, le, &x))
            return lq_errf(err, LQ_EXIT_ERROR, "%s: %s has fewer values than at open", path,
                           g->prefix);
        if (col == g->col[k])
            out[g->want[k++]] = x;
    }
    return 0;
}

int lq_snmp_read(struct lq_snmp *s, uint64_t out[LQ_CTR_COUNT], struct lq_err *err)
{
    memset(out, 0, sizeof(uint64_t) * LQ_CTR_COUNT);
    if (read_group(s, &s->tcpext, s->netstat_fd, NETSTAT_PATH, out, err) < 0 ||
        read_group(s, &s->tcp, s->snmp_fd, SNMP_PATH, out, err) < 0)
        return -1;
    return 0;
}

bool lq_snmp_has(const struct lq_snmp *s, enum lq_counter c)
{
    return (unsigned)c < LQ_CTR_COUNT && s->has[c];
}

/* Looks group:name up in the file behind fd. 1 found, 0 absent, -1 error. */
static int lookup(struct lq_snmp *s, int fd, const char *path, const char *group, const char *name,
                  uint64_t *out, struct lq_err *err)
{
    ssize_t len = read_whole(s, fd, path, err);
    if (len < 0)
        return -1;
    const char *end = s->buf + len;
    int hidx = find_header(s->buf, end, group);
    if (hidx < 0)
        return 0;
    size_t pl = strlen(group) + 1;
    int col = find_column(nth_line(s->buf, end, hidx), end, pl, name);
    if (col < 0)
        return 0;
    const char *v = nth_line(s->buf, end, hidx + 1);
    const char *p = v + pl, *le = line_end(v, end);
    for (int i = 0; i <= col; i++)
        if (!next_value(&p, le, out))
            return 0;
    return 1;
}

int lq_snmp_read_named(struct lq_snmp *s, const char *name, uint64_t *out, struct lq_err *err)
{
    char group[32];
    const char *colon = strchr(name, ':');
    int rc;
    if (colon) {
        size_t gl = (size_t)(colon - name);
        if (gl == 0 || gl >= sizeof(group) || colon[1] == '\0')
            return lq_errf(err, LQ_EXIT_BADINPUT, "bad counter name \"%s\"", name);
        memcpy(group, name, gl);
        group[gl] = '\0';
        rc = lookup(s, s->netstat_fd, NETSTAT_PATH, group, colon + 1, out, err);
        if (rc == 0)
            rc = lookup(s, s->snmp_fd, SNMP_PATH, group, colon + 1, out, err);
    } else {
        rc = lookup(s, s->netstat_fd, NETSTAT_PATH, "TcpExt", name, out, err);
        if (rc == 0)
            rc = lookup(s, s->snmp_fd, SNMP_PATH, "Tcp", name, out, err);
    }
    if (rc == 0)
        return lq_errf(err, LQ_EXIT_BADINPUT,
                       "unknown counter \"%s\" (this kernel prints no such %s)", name,
                       colon ? "group:name" : "TcpExt or Tcp name");
    return rc < 0 ? -1 : 0;
}

void lq_snmp_close(struct lq_snmp *s)
{
    if (s->netstat_fd >= 0)
        close(s->netstat_fd);
    if (s->snmp_fd >= 0)
        close(s->snmp_fd);
    free(s->buf);
    s->netstat_fd = s->snmp_fd = -1;
    s->buf = NULL;
    s->cap = 0;
}
