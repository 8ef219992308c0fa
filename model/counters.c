/* model/counters.c: names of the counters in model/counters.h. */
#include "counters.h"

#include <string.h>

static const struct {
    const char *group;
    const char *name;
} lq_counter_table[LQ_CTR_COUNT] = {
#define LQ_COUNTER_ROW(id, group, name) [LQ_CTR_##id] = {group, name},
    LQ_COUNTERS(LQ_COUNTER_ROW)
#undef LQ_COUNTER_ROW
};

const char *lq_counter_name(enum lq_counter c)
{
    return (unsigned)c < LQ_CTR_COUNT ? lq_counter_table[c].name : "?";
}

const char *lq_counter_group(enum lq_counter c)
{
    return (unsigned)c < LQ_CTR_COUNT ? lq_counter_table[c].group : "?";
}

int lq_counter_by_name(const char *name)
{
    for (int i = 0; i < LQ_CTR_COUNT; i++)
        if (strcmp(lq_counter_table[i].name, name) == 0)
            return i;
    return -1;
}
