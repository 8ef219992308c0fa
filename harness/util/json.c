/* harness/util/json.c: see json.h. */
#include "json.h"

#include "strbuf.h"
#include "utf8.h"

json_t *lq_json_text(const char *s)
{
    struct lq_strbuf b;
    lq_sb_init(&b);
    lq_sb_add_utf8(&b, s ? s : "");
    json_t *v = json_stringn(lq_sb_str(&b), b.len);
    lq_sb_free(&b);
    return v;
}

char *lq_json_line(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
}
