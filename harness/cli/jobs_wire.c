/* harness/cli/jobs_wire.c: see jobs_wire.h. */
#include "jobs_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/grow.h"

int lq_wire_write_full(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int lq_wire_read_full(int fd, void *p, size_t n)
{
    char *c = p;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, c + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return got ? -1 : 0;
        got += (size_t)r;
    }
    return 1;
}

int lq_wire_send_msg(int fd, uint32_t type, uint32_t task, const void *payload, size_t len)
{
    struct lq_msg_head h = {.type = type, .task = task, .len = len};
    if (lq_wire_write_full(fd, &h, sizeof(h)))
        return -1;
    return len ? lq_wire_write_full(fd, payload, len) : 0;
}

char *lq_wire_read_err(int errfd, uint64_t from, uint64_t to)
{
    if (to <= from)
        return NULL;
    size_t n = (size_t)(to - from);
    char *text = lq_xmalloc(n + 1);
    ssize_t r = pread(errfd, text, n, (off_t)from);
    if (r <= 0) {
        free(text);
        return NULL;
    }
    text[r] = '\0';
    return text;
}

uint64_t lq_wire_err_size(int errfd)
{
    struct stat st;
    return fstat(errfd, &st) == 0 ? (uint64_t)st.st_size : 0;
}
