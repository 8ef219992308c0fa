/* harness/util/num.c: see num.h. */
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

/* strto*() skip leading space and take a sign, which an option value must
 * not have (strtoull("-5") is 2^64 - 5). */
static bool lq_num_start_ok(const char *text, bool sign_ok)
{
    if (!text || !*text)
        return false;
    if (*text == '-' || *text == '+')
        return sign_ok && *text == '-' && isdigit((unsigned char)text[1]);
    return isdigit((unsigned char)*text);
}

int lq_parse_int(const char *text, long long min, long long max, long long *out)
{
    if (!lq_num_start_ok(text, min < 0))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int lq_parse_u64(const char *text, uint64_t *out)
{
    if (!lq_num_start_ok(text, false))
        return -1;
    int base = text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? 16 : 10;
    if (base == 16 && !isxdigit((unsigned char)text[2]))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, base);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}
