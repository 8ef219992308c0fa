/* harness/report/result_json.c: see result_json.h. */
#include "result_json.h"

#include "lang/corpus.h"
#include "lang/print.h"
#include "util/json.h"
#include "util/strbuf.h"

const char *lq_result_backend(const struct lq_result *res, enum lq_role role)
{
    return res->trace[role].backend;
}

static const char *lq_status_word(enum lq_status s)
{
    switch (s) {
    case LQ_ST_PASS: return "pass";
    case LQ_ST_FAIL: return "fail";
    case LQ_ST_SKIP: return "skip";
    case LQ_ST_ERROR: return "error";
    }
    return "error";
}

static json_t *lq_directive_json(const struct lq_scenario *sc, uint32_t dir)
{
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_print_directive(sc, &sc->d[dir], &t);
    json_t *v = lq_json_text(lq_sb_str(&t));
    lq_sb_free(&t);
    return v;
}

static json_t *lq_sysctls_json(const struct lq_scenario *sc, const struct lq_profile *profile)
{
    int64_t v[LQ_SYSCTL_COUNT];
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        v[s] = profile ? lq_model_sysctl_default(profile, (enum lq_sysctl)s) : 0;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->d[i].kind == LQ_D_SYSCTL)
            v[sc->d[i].u.sysctl.id] = sc->d[i].u.sysctl.value;
    json_t *o = json_object();
    for (int s = 0; s < LQ_SYSCTL_COUNT; s++)
        json_object_set_new(o, lq_sysctl_name((enum lq_sysctl)s), json_integer(v[s]));
    return o;
}

static json_t *lq_side_json(const struct lq_result *res, enum lq_role role)
{
    json_t *o = json_object();
    json_object_set_new(o, "backend", lq_json_text(lq_result_backend(res, role)));
    json_object_set_new(o, "ran", json_boolean(res->ran[role]));
    return o;
}

/* one expectation of the result: where it is, whose side judged it, and why */
static json_t *lq_exp_json(const struct lq_scenario *sc, const struct lq_result *res,
                           const struct lq_exp_result *e)
{
    json_t *x = json_object();
    json_object_set_new(x, "line", json_integer(sc->d[e->dir].line));
    json_object_set_new(x, "role", json_string(lq_role_name((enum lq_role)e->role)));
    json_object_set_new(x, "backend", lq_json_text(lq_result_backend(res, (enum lq_role)e->role)));
    json_object_set_new(x, "expect", lq_directive_json(sc, e->dir));
    json_object_set_new(x, "why", lq_json_text(e->why));
    return x;
}

json_t *lq_result_json(const struct lq_scenario *sc, const struct lq_result *res, const char *pcap,
                       const char *kernel_release, const struct lq_profile *profile)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "format", json_string(LQ_RESULT_FORMAT));
    json_object_set_new(o, "version", json_integer(LQ_RESULT_VERSION));
    json_object_set_new(o, "scenario", lq_json_text(lq_corpus_label(sc)));
    json_object_set_new(o, "file", lq_json_text(sc->path ? sc->path : ""));
    json_object_set_new(o, "status", json_string(lq_status_word(res->status)));
    json_object_set_new(o, "elapsed_us", json_integer(res->elapsed_us));
    json_object_set_new(o, "kernel", lq_json_text(kernel_release));
    json_object_set_new(o, "profile", lq_json_text(profile ? profile->name : ""));
    json_object_set_new(o, "family", json_string(lq_family_name((enum lq_family)sc->run_family)));
    json_object_set_new(o, lq_role_name(LQ_ROLE_REFERENCE), lq_side_json(res, LQ_ROLE_REFERENCE));
    json_object_set_new(o, lq_role_name(LQ_ROLE_SUBJECT), lq_side_json(res, LQ_ROLE_SUBJECT));
    json_object_set_new(o, "sysctls", lq_sysctls_json(sc, profile));
    if (res->status == LQ_ST_SKIP || res->status == LQ_ST_ERROR)
        json_object_set_new(o, "reason", lq_json_text(res->reason));
    if (res->div.beyond) {
        json_t *b = json_object();
        json_object_set_new(b, "line", json_integer(sc->d[res->div.beyond_dir].line));
        json_object_set_new(b, "why", lq_json_text(res->div.beyond_why));
        json_object_set_new(o, "beyond_model", b);
    }
    if (res->div.found) {
        const struct lq_divergence *d = &res->div;
        json_t *v = json_object();
        json_object_set_new(v, "line", json_integer(sc->d[d->dir].line));
        json_object_set_new(v, "event", lq_directive_json(sc, d->dir));
        json_object_set_new(v, "what", lq_json_text(d->what));
        json_t *ref = json_object(), *sub = json_object();
        json_object_set_new(ref, "backend", lq_json_text(d->a_name));
        json_object_set_new(ref, "observed", lq_json_text(d->a_side));
        json_object_set_new(sub, "backend", lq_json_text(d->b_name));
        json_object_set_new(sub, "observed", lq_json_text(d->b_side));
        json_object_set_new(v, "reference", ref);
        json_object_set_new(v, "subject", sub);
        json_t *dps = json_array();
        for (size_t i = 0; i < d->ndps; i++) {
            const struct lq_dp_info *info = lq_dp_info((enum lq_dp)d->dps[i]);
            json_array_append_new(dps, json_string(info ? info->name : "?"));
        }
        json_object_set_new(v, "decision_points", dps);
        json_object_set_new(o, "divergence", v);
    }
    json_t *exps = json_array();
    for (size_t i = 0; i < res->nexps; i++) {
        const struct lq_exp_result *e = &res->exps[i];
        if (e->outcome != LQ_EXP_FAILS)
            continue;
        json_array_append_new(exps, lq_exp_json(sc, res, e));
    }
    json_object_set_new(o, "expectations_failed", exps);
    /* only when there are some: the subject's clock decided them (run/follow.h) */
    json_t *unchecked = NULL;
    for (size_t i = 0; i < res->nexps; i++) {
        const struct lq_exp_result *e = &res->exps[i];
        if (!e->by_clock)
            continue;
        if (!unchecked)
            unchecked = json_array();
        json_array_append_new(unchecked, lq_exp_json(sc, res, e));
    }
    if (unchecked)
        json_object_set_new(o, "expectations_not_checked", unchecked);
    json_object_set_new(o, "pcap", pcap ? lq_json_text(pcap) : json_null());
    struct lq_strbuf t;
    lq_sb_init(&t);
    lq_print_scenario(sc, &t);
    json_object_set_new(o, "text", lq_json_text(lq_sb_str(&t)));
    lq_sb_free(&t);
    return o;
}
