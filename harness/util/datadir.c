/* harness/util/datadir.c: see datadir.h. */
#include "datadir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LQ_DATADIR
#define LQ_DATADIR "/usr/local/share/listenq"
#endif

static int lq_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

void lq_self_dir(char *out, size_t cap)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    out[0] = '\0';
    if (n <= 0)
        return;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (!slash)
        return;
    *slash = '\0';
    snprintf(out, cap, "%s", buf);
}

int lq_data_path(const char *rel, char *out, size_t cap)
{
    char self[4096];
    lq_self_dir(self, sizeof(self));
    const char *env = getenv("LISTENQ_DATADIR");
    if (lq_exists(rel)) {
        snprintf(out, cap, "%s", rel);
        return 0;
    }
    if (env && env[0] && snprintf(out, cap, "%s/%s", env, rel) < (int)cap && lq_exists(out))
        return 0;
    if (self[0] && snprintf(out, cap, "%s/../share/listenq/%s", self, rel) < (int)cap &&
        lq_exists(out))
        return 0;
    if (self[0] && snprintf(out, cap, "%s/../%s", self, rel) < (int)cap && lq_exists(out))
        return 0;
    if (snprintf(out, cap, "%s/%s", LQ_DATADIR, rel) < (int)cap && lq_exists(out))
        return 0;
    snprintf(out, cap, "%s", rel);
    return -1;
}

void lq_cache_path(const char *name, char *out, size_t cap)
{
    struct stat st;
    if (stat("build", &st) == 0 && S_ISDIR(st.st_mode) && lq_exists("corpus/conformance")) {
        snprintf(out, cap, "build/%s", name);
        return;
    }
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        snprintf(out, cap, "%s/listenq/%s", xdg, name);
    else if (home && home[0] == '/')
        snprintf(out, cap, "%s/.cache/listenq/%s", home, name);
    else
        snprintf(out, cap, "/tmp/listenq-%u/%s", (unsigned)getuid(), name);
}
