/* model/sysctl.c: names and ranges of model/sysctl.h. */
#include "sysctl.h"

#include <string.h>

static const struct {
    const char *name;
    int64_t min, max;
} lq_sysctl_table[LQ_SYSCTL_COUNT] = {
#define LQ_SYSCTL_ROW(id, name, lo, hi) [LQ_SYSCTL_##id] = {name, lo, hi},
    LQ_SYSCTLS(LQ_SYSCTL_ROW)
#undef LQ_SYSCTL_ROW
};

const char *lq_sysctl_name(enum lq_sysctl s)
{
    return (unsigned)s < LQ_SYSCTL_COUNT ? lq_sysctl_table[s].name : "?";
}

int lq_sysctl_by_name(const char *name)
{
    for (int i = 0; i < LQ_SYSCTL_COUNT; i++)
        if (strcmp(lq_sysctl_table[i].name, name) == 0)
            return i;
    return -1;
}

bool lq_sysctl_in_range(enum lq_sysctl s, int64_t value)
{
    return (unsigned)s < LQ_SYSCTL_COUNT && value >= lq_sysctl_table[s].min &&
           value <= lq_sysctl_table[s].max;
}

int64_t lq_sysctl_min(enum lq_sysctl s)
{
    return lq_sysctl_table[s].min;
}

int64_t lq_sysctl_max(enum lq_sysctl s)
{
    return lq_sysctl_table[s].max;
}
