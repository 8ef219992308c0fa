/* harness/lang/scenario.c: see scenario.h. */
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

bool lq_dir_is_segment(uint8_t kind)
{
    return kind == LQ_D_SYN || kind == LQ_D_ACK || kind == LQ_D_RST || kind == LQ_D_FIN ||
           kind == LQ_D_SEG || kind == LQ_D_ICMP;
}

const char *lq_icmp_kind_name(unsigned kind)
{
    static const char *const names[LQ_ICMP_KIND_COUNT] = {
        [LQ_ICMP_NET_UNREACH] = "net-unreach",     [LQ_ICMP_HOST_UNREACH] = "host-unreach",
        [LQ_ICMP_PROTO_UNREACH] = "proto-unreach", [LQ_ICMP_PORT_UNREACH] = "port-unreach",
        [LQ_ICMP_FRAG_NEEDED] = "frag-needed",     [LQ_ICMP_ADMIN_PROHIBITED] = "admin-prohibited",
        [LQ_ICMP_TTL_EXCEEDED] = "ttl-exceeded",   [LQ_ICMP_PARAM_PROBLEM] = "param-problem",
    };
    return kind < LQ_ICMP_KIND_COUNT ? names[kind] : NULL;
}

bool lq_dir_is_event(uint8_t kind)
{
    return lq_dir_is_segment(kind) || kind == LQ_D_ACCEPT || kind == LQ_D_WAIT ||
           kind == LQ_D_CLOSE || kind == LQ_D_SHUTDOWN || kind == LQ_D_LISTEN ||
           kind == LQ_D_SYSCTL || kind == LQ_D_SOCKOPT;
}

void lq_scenario_init(struct lq_scenario *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->seed = LQ_DEFAULT_SEED;
}

void lq_scenario_free(struct lq_scenario *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        free(sc->d[i].comment);
    free(sc->d);
    for (size_t i = 0; i < sc->nconns; i++)
        free(sc->conns[i]);
    free(sc->conns);
    for (size_t i = 0; i < sc->ncounter_names; i++)
        free(sc->counter_names[i]);
    free(sc->counter_names);
    free(sc->path);
    free(sc->name);
    free(sc->conn_ipv4);
    for (size_t i = 0; i < sc->nlsn; i++)
        free(sc->lsn_names[i]);
    free(sc->lsn_names);
    lq_scenario_init(sc);
}

struct lq_directive *lq_scenario_add(struct lq_scenario *sc, uint8_t kind)
{
    if (sc->n >= LQ_MAX_DIRECTIVES)
        return NULL;
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 32;
        struct lq_directive *d = realloc(sc->d, cap * sizeof(*d));
        if (!d)
            return NULL;
        sc->d = d;
        sc->cap = cap;
    }
    struct lq_directive *d = &sc->d[sc->n++];
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    return d;
}

static int lq_name_index(char ***names, size_t *n, const char *name, size_t max)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], name) == 0)
            return (int)i;
    if (*n >= max)
        return -1;
    char **v = realloc(*names, (*n + 1) * sizeof(*v));
    if (!v)
        return -1;
    *names = v;
    v[*n] = strdup(name);
    if (!v[*n])
        return -1;
    return (int)(*n)++;
}

int lq_scenario_conn(struct lq_scenario *sc, const char *name)
{
    return lq_name_index(&sc->conns, &sc->nconns, name, LQ_MAX_CONNS);
}

int lq_scenario_counter_name(struct lq_scenario *sc, const char *name)
{
    return lq_name_index(&sc->counter_names, &sc->ncounter_names, name, 1024);
}

int lq_scenario_listener(struct lq_scenario *sc, const char *name, bool reuseport)
{
    size_t before = sc->nlsn;
    int i = lq_name_index(&sc->lsn_names, &sc->nlsn, name, LQ_MAX_LISTENERS);
    if (i >= 0 && sc->nlsn > before)
        sc->lsn_reuseport[i] = reuseport;
    return i;
}

int lq_scenario_copy(struct lq_scenario *dst, const struct lq_scenario *src)
{
    lq_scenario_init(dst);
    dst->seed = src->seed;
    dst->family = src->family;
    dst->run_family = src->run_family;
    dst->family_label = src->family_label;
    if (src->conn_ipv4) {
        dst->conn_ipv4 = malloc(src->nconns ? src->nconns : 1);
        if (!dst->conn_ipv4)
            goto fail;
        memcpy(dst->conn_ipv4, src->conn_ipv4, src->nconns * sizeof(bool));
    }
    if (src->path && !(dst->path = strdup(src->path)))
        goto fail;
    if (src->name && !(dst->name = strdup(src->name)))
        goto fail;
    for (size_t i = 0; i < src->nconns; i++)
        if (lq_scenario_conn(dst, src->conns[i]) < 0)
            goto fail;
    for (size_t i = 0; i < src->ncounter_names; i++)
        if (lq_scenario_counter_name(dst, src->counter_names[i]) < 0)
            goto fail;
    for (size_t i = 0; i < src->nlsn; i++)
        if (lq_scenario_listener(dst, src->lsn_names[i], src->lsn_reuseport[i]) < 0)
            goto fail;
    for (size_t i = 0; i < src->n; i++) {
        struct lq_directive *d = lq_scenario_add(dst, src->d[i].kind);
        if (!d)
            goto fail;
        *d = src->d[i];
        d->comment = NULL;
        if (src->d[i].comment && !(d->comment = strdup(src->d[i].comment)))
            goto fail;
    }
    return 0;
fail:
    lq_scenario_free(dst);
    return -1;
}

uint64_t lq_scenario_wait_ms(const struct lq_scenario *sc)
{
    uint64_t t = 0;
    for (size_t i = 0; i < sc->n; i++)
        if (sc->d[i].kind == LQ_D_WAIT)
            t += sc->d[i].u.wait_ms;
    return t;
}

bool lq_scenario_is_slow(const struct lq_scenario *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        if (sc->d[i].kind == LQ_D_WAIT)
            return true;
    return false;
}

static bool lq_directive_equal(const struct lq_scenario *sa, const struct lq_directive *a,
                               const struct lq_scenario *sb, const struct lq_directive *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case LQ_D_BLANK:
    case LQ_D_COMMENT: return true;
    case LQ_D_ACCEPT: return a->lsn == b->lsn;
    case LQ_D_LISTENER:
        return strcmp(sa->lsn_names[a->u.listener.idx], sb->lsn_names[b->u.listener.idx]) == 0 &&
               a->u.listener.reuseport == b->u.listener.reuseport;
    case LQ_D_SEED: return a->u.seed == b->u.seed;
    case LQ_D_SYSCTL:
        return a->u.sysctl.id == b->u.sysctl.id && a->u.sysctl.value == b->u.sysctl.value;
    case LQ_D_LISTEN: return a->lsn == b->lsn && a->u.backlog == b->u.backlog;
    case LQ_D_SOCKOPT:
        return a->lsn == b->lsn && a->u.sockopt.opt == b->u.sockopt.opt &&
               a->u.sockopt.value == b->u.sockopt.value;
    case LQ_D_WAIT: return a->u.wait_ms == b->u.wait_ms;
    case LQ_D_CLOSE:
        return a->u.call.kind == b->u.call.kind &&
               (a->u.call.kind != LQ_CALL_CLOSE_CONN
                    ? a->lsn == b->lsn
                    : strcmp(sa->conns[a->conn], sb->conns[b->conn]) == 0);
    case LQ_D_SHUTDOWN: return a->lsn == b->lsn && a->u.call.how == b->u.call.how;
    case LQ_D_FAMILY: return a->u.family == b->u.family;
    case LQ_D_SYN:
    case LQ_D_ACK:
    case LQ_D_RST:
    case LQ_D_FIN:
    case LQ_D_SEG:
    case LQ_D_ICMP:
        return strcmp(sa->conns[a->conn], sb->conns[b->conn]) == 0 &&
               memcmp(&a->u.seg, &b->u.seg, sizeof(a->u.seg)) == 0;
    case LQ_D_EXPECT: {
        const struct lq_expect *x = &a->u.expect, *y = &b->u.expect;
        if (x->kind != y->kind)
            return false;
        switch (x->kind) {
        case LQ_X_PKT:
            return x->pkt == y->pkt && strcmp(sa->conns[x->conn], sb->conns[y->conn]) == 0 &&
                   x->mss == y->mss && x->mss6 == y->mss6 && x->wscale == y->wscale &&
                   x->wscale_tri == y->wscale_tri && x->sack_tri == y->sack_tri &&
                   x->ts_tri == y->ts_tri && x->cookie_tri == y->cookie_tri &&
                   x->ecn_tri == y->ecn_tri && x->tfo_tri == y->tfo_tri &&
                   x->label_tri == y->label_tri;
        case LQ_X_NONE: return true;
        case LQ_X_ACCEPT:
            if (x->accept_errno != y->accept_errno || x->mss != y->mss || x->mss6 != y->mss6)
                return false;
            return x->accept_errno || strcmp(sa->conns[x->conn], sb->conns[y->conn]) == 0;
        case LQ_X_COUNTER:
            return x->value == y->value &&
                   strcmp(sa->counter_names[x->counter], sb->counter_names[y->counter]) == 0;
        default: return x->value == y->value && x->lsn == y->lsn;
        }
    }
    }
    return false;
}

bool lq_scenario_equal(const struct lq_scenario *a, const struct lq_scenario *b)
{
    if (a->family != b->family || a->nlsn != b->nlsn)
        return false;
    size_t i = 0, j = 0;
    for (;;) {
        while (i < a->n && (a->d[i].kind == LQ_D_BLANK || a->d[i].kind == LQ_D_COMMENT))
            i++;
        while (j < b->n && (b->d[j].kind == LQ_D_BLANK || b->d[j].kind == LQ_D_COMMENT))
            j++;
        if (i == a->n || j == b->n)
            return i == a->n && j == b->n;
        if (!lq_directive_equal(a, &a->d[i], b, &b->d[j]))
            return false;
        i++;
        j++;
    }
}

const char *lq_sockopt_name(enum lq_sockopt opt)
{
    switch (opt) {
    case LQ_SOCKOPT_DEFER_ACCEPT: return "TCP_DEFER_ACCEPT";
    case LQ_SOCKOPT_SYNCNT: return "TCP_SYNCNT";
    case LQ_SOCKOPT_MAXSEG: return "TCP_MAXSEG";
    case LQ_SOCKOPT_V6ONLY: return "IPV6_V6ONLY";
    case LQ_SOCKOPT_REUSEPORT_CBPF: return "SO_ATTACH_REUSEPORT_CBPF";
    case LQ_SOCKOPT_FASTOPEN: return "TCP_FASTOPEN";
    case LQ_SOCKOPT_COUNT: break;
    }
    return "?";
}

int lq_scenario_index_families(struct lq_scenario *sc)
{
    free(sc->conn_ipv4);
    sc->conn_ipv4 = NULL;
    for (size_t i = 0; i < sc->n; i++) {
        const struct lq_directive *d = &sc->d[i];
        if (!lq_dir_is_segment(d->kind) || d->u.seg.via != LQ_VIA_IPV4 || d->conn >= sc->nconns)
            continue;
        if (!sc->conn_ipv4 && !(sc->conn_ipv4 = calloc(sc->nconns, sizeof(bool))))
            return -1;
        sc->conn_ipv4[d->conn] = true;
    }
    return 0;
}

bool lq_scenario_conn_ipv6(const struct lq_scenario *sc, uint16_t conn)
{
    switch (sc->run_family) {
    case LQ_FAMILY_IPV6: return true;
    case LQ_FAMILY_DUAL: return !(sc->conn_ipv4 && conn < sc->nconns && sc->conn_ipv4[conn]);
    default: return false;
    }
}

int32_t lq_expect_mss_for(const struct lq_scenario *sc, const struct lq_expect *x, uint16_t conn)
{
    return lq_scenario_conn_ipv6(sc, conn) ? x->mss6 : x->mss;
}

const char *lq_scn_family_name(enum lq_scn_family f)
{
    switch (f) {
    case LQ_SCN_IPV4: return "ipv4";
    case LQ_SCN_IPV6: return "ipv6";
    case LQ_SCN_DUAL: return "dual";
    default: return "";
    }
}

const char *lq_shut_how_name(unsigned how)
{
    static const char *const names[] = {"SHUT_RD", "SHUT_WR", "SHUT_RDWR"};
    return how < 3 ? names[how] : "?";
}

struct lq_sockcall lq_directive_sockcall(const struct lq_directive *d)
{
    struct lq_sockcall c = {.kind = d->kind == LQ_D_SHUTDOWN ? LQ_CALL_SHUTDOWN : d->u.call.kind,
                            .how = d->u.call.how,
                            .lsn = d->u.call.kind == LQ_CALL_CLOSE_CONN ? 0 : d->lsn,
                            .conn = d->conn};
    return c;
}
