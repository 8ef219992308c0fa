/* harness/util/fsutil.c: see fsutil.h. */
#include "fsutil.h"

#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { TEMP_ATTEMPTS = 64 };

/* Writes all of data, resuming after short writes and EINTR. */
static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* fsync of the directory holding path, so the rename itself is durable. */
static int fsync_parent(const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash) {
        strcpy(dir, ".");
    } else if (slash == path) {
        strcpy(dir, "/");
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof(dir)) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* Creates a fresh temporary file next to path; its name goes to tmp. O_EXCL
 * with a new name per attempt instead of mkstemp(), whose 0600 mode would
 * ignore the umask. */
static int open_temp(const char *path, char *tmp, size_t cap, int *slot)
{
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    for (int i = 0; i < TEMP_ATTEMPTS; i++) {
        int n = snprintf(tmp, cap, "%s.tmp.%ld.%lx", path, (long)getpid(),
                         (unsigned long)ts.tv_nsec + counter++);
        if (n < 0 || (size_t)n >= cap) {
            errno = ENAMETOOLONG;
            return -1;
        }
        /* known to the signal handler before it exists (cleanup.h) */
        *slot = lq_cleanup_temp_begin(tmp);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        int saved = errno;
        lq_cleanup_temp_end(*slot);
        *slot = -1;
        errno = saved;
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

/* Opens a stream output (a character device or a FIFO) for writing without
 * blocking on a FIFO that nobody reads (ENXIO then), and blocking after. */
static int open_stream(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

enum lq_output_kind lq_output_kind(const char *path, char *target, size_t cap)
{
    struct stat st;
    snprintf(target, cap, "%s", path);
    if (stat(path, &st) < 0)
        return LQ_OUT_FILE; /* absent (or a dangling link): made new */
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
        return LQ_OUT_STREAM;
    /* a rename would replace a block device or a socket; over a directory
     * it fails (EISDIR), and says so */
    if (S_ISBLK(st.st_mode) || S_ISSOCK(st.st_mode))
        return LQ_OUT_REFUSED;
    if (S_ISDIR(st.st_mode))
        return LQ_OUT_FILE;
    struct stat lst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        /* a rename over the link would replace the link, not the file */
        char real[PATH_MAX];
        if (!realpath(path, real) || (size_t)snprintf(target, cap, "%s", real) >= cap)
            snprintf(target, cap, "%s", path);
    }
    return LQ_OUT_FILE;
}

bool lq_output_is_stream(const char *path)
{
    char target[PATH_MAX];
    return lq_output_kind(path, target, sizeof(target)) == LQ_OUT_STREAM;
}

int lq_stream_open(const char *path, struct lq_err *err)
{
    int fd = open_stream(path);
    if (fd < 0 && errno == ENXIO)
        return lq_errf(err, LQ_EXIT_ERROR, "cannot open %s: a FIFO that no process reads", path);
    if (fd < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot open %s", path);
    return fd;
}

int lq_stream_write(int fd, const char *path, const void *data, size_t len, struct lq_err *err)
{
    if (write_all(fd, data, len) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot write %s", path);
    return 0;
}

/* A device or a FIFO is written in place: a temporary file renamed over it
 * would replace the device itself (/dev/null as a regular file). */
static int write_stream(const char *path, const void *data, size_t len, struct lq_err *err)
{
    int fd = lq_stream_open(path, err);
    if (fd < 0)
        return -1;
    int rc = lq_stream_write(fd, path, data, len, err);
    if (close(fd) < 0 && !rc)
        rc = lq_errno(err, LQ_EXIT_ERROR, "cannot write %s", path);
    return rc;
}

static int write_file_atomic(const char *given, const void *data, size_t len, bool durable,
                             struct lq_err *err)
{
    char path[PATH_MAX];
    switch (lq_output_kind(given, path, sizeof(path))) {
    case LQ_OUT_STREAM: return write_stream(given, data, len, err);
    case LQ_OUT_REFUSED: {
        struct stat st;
        if (stat(given, &st) < 0)
            st.st_mode = 0;
        return lq_errf(err, LQ_EXIT_ERROR, "cannot write %s: not a regular file (%s)", given,
                       lq_file_kind(st.st_mode));
    }
    case LQ_OUT_FILE: break;
    }
    char tmp[PATH_MAX];
    int slot = -1;
    int fd = open_temp(path, tmp, sizeof(tmp), &slot);
    if (fd < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot create a temporary file for %s", path);
    if (write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
        lq_errno(err, LQ_EXIT_ERROR, "cannot write %s", path);
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        lq_errno(err, LQ_EXIT_ERROR, "cannot write %s", path);
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        lq_errno(err, LQ_EXIT_ERROR, "cannot rename %s to %s", tmp, path);
        goto fail;
    }
    lq_cleanup_temp_end(slot);
    if (durable && fsync_parent(path) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot sync the directory of %s", path);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    lq_cleanup_temp_end(slot);
    return -1;
}

int lq_write_files_atomic(size_t n, const char *const *paths, const void *const *data,
                          const size_t *lens, struct lq_err *err)
{
    enum { MAX = 8 };
    if (n > MAX)
        return lq_errf(err, LQ_EXIT_ERROR, "lq_write_files_atomic: at most %d files", MAX);
    char tmp[MAX][PATH_MAX];
    int slot[MAX];
    size_t made = 0;
    int rc = 0;
    for (; made < n && !rc; made++) {
        slot[made] = -1;
        int fd = open_temp(paths[made], tmp[made], sizeof(tmp[made]), &slot[made]);
        if (fd < 0) {
            rc = lq_errno(err, LQ_EXIT_ERROR, "cannot create a temporary file for %s", paths[made]);
            break;
        }
        if (write_all(fd, data[made], lens[made]) < 0 || fsync(fd) < 0)
            rc = lq_errno(err, LQ_EXIT_ERROR, "cannot write %s", paths[made]);
        if (close(fd) < 0 && !rc)
            rc = lq_errno(err, LQ_EXIT_ERROR, "cannot write %s", paths[made]);
    }
    /* The renames with the cleanup signals held back (util/cleanup.h): a
     * SIGTERM (a worker whose command died) or SIGINT between two of them
     * would remove the temporary files not yet renamed and leave the set
     * half in place; held, it comes after the last rename. */
    sigset_t hold, old;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGHUP);
    bool held = pthread_sigmask(SIG_BLOCK, &hold, &old) == 0;
    size_t renamed = 0;
    for (; !rc && renamed < n; renamed++) {
        if (rename(tmp[renamed], paths[renamed]) < 0) {
            rc = lq_errno(err, LQ_EXIT_ERROR, "cannot rename %s to %s", tmp[renamed],
                          paths[renamed]);
            break;
        }
        lq_cleanup_temp_end(slot[renamed]);
    }
    if (held)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    for (size_t i = renamed; i < made; i++) {
        unlink(tmp[i]);
        lq_cleanup_temp_end(slot[i]);
    }
    if (!rc && n && fsync_parent(paths[0]) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot sync the directory of %s", paths[0]);
    return rc;
}

int lq_write_file_atomic(const char *path, const void *data, size_t len, struct lq_err *err)
{
    return write_file_atomic(path, data, len, true, err);
}

int lq_write_file_atomic_nosync(const char *path, const void *data, size_t len, struct lq_err *err)
{
    return write_file_atomic(path, data, len, false, err);
}

int lq_append_line_durable(const char *path, const char *line, struct lq_err *err)
{
    size_t len = strlen(line);
    struct iovec iov[2] = {{(void *)line, len}, {"\n", 1}};
    int iovcnt = len > 0 && line[len - 1] == '\n' ? 1 : 2;
    size_t want = len + (iovcnt == 2 ? 1 : 0);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0666);
    if (fd < 0 && errno == ENXIO)
        return lq_errf(err, LQ_EXIT_ERROR, "cannot open %s: a FIFO that no process reads", path);
    if (fd < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot open %s", path);
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    /* Appenders take turns, so that a failed append can be cut off again
     * without cutting another writer's line. */
    while (flock(fd, LOCK_EX) < 0 && errno == EINTR)
        ;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        lq_errno(err, LQ_EXIT_ERROR, "cannot stat %s", path);
        close(fd);
        return -1;
    }
    ssize_t w;
    do
        w = writev(fd, iov, iovcnt);
    while (w < 0 && errno == EINTR);
    int saved = errno;
    bool failed = w < 0 || (size_t)w != want;
    /* a device or a FIFO has nothing to sync or cut back */
    bool regular = S_ISREG(st.st_mode);
    if (!failed && regular && fdatasync(fd) < 0) {
        saved = errno;
        failed = true;
    }
    if (failed) {
        /* A line is there whole or not at all (a full disk stops a write
         * part way): cut back what this call added. */
        if (regular && w > 0 && ftruncate(fd, st.st_size) == 0)
            (void)fdatasync(fd);
        if (w >= 0 && (size_t)w != want)
            lq_errf(err, LQ_EXIT_ERROR,
                    "cannot append to %s: %zd of %zu bytes written (a full disk or a file size "
                    "limit); the line is left out",
                    path, w, want);
        else {
            errno = saved;
            lq_errno(err, LQ_EXIT_ERROR, "cannot append to %s", path);
        }
        close(fd);
        return -1;
    }
    if (close(fd) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot close %s", path);
    return 0;
}

const char *lq_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFLNK: return "a symbolic link";
    }
    return "not a regular file";
}

FILE *lq_fopen_regular(const char *path, struct lq_err *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        lq_errno(err, LQ_EXIT_BADINPUT, "%s: cannot open", path);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        lq_errno(err, LQ_EXIT_BADINPUT, "%s: cannot stat", path);
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        lq_errf(err, LQ_EXIT_BADINPUT, "%s: not a regular file (%s)", path,
                lq_file_kind(st.st_mode));
        close(fd);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        lq_errno(err, LQ_EXIT_ERROR, "%s: fdopen", path);
        close(fd);
    }
    return f;
}

int lq_mkdir_p(const char *path, struct lq_err *err)
{
    char buf[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0)
        return lq_errf(err, LQ_EXIT_ERROR, "mkdir: empty path");
    if (n >= sizeof(buf))
        return lq_errf(err, LQ_EXIT_ERROR, "mkdir: path too long: %.64s...", path);
    memcpy(buf, path, n + 1);
    /* Each prefix ending before a '/', then the whole path. */
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) < 0 && errno != EEXIST)
            return lq_errno(err, LQ_EXIT_ERROR, "cannot create directory %s", buf);
        buf[i] = saved;
    }
    struct stat st;
    if (stat(path, &st) < 0)
        return lq_errno(err, LQ_EXIT_ERROR, "cannot create directory %s", path);
    if (!S_ISDIR(st.st_mode))
        return lq_errf(err, LQ_EXIT_ERROR, "%s exists and is not a directory", path);
    return 0;
}
