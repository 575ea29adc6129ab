/* Fault rules (see faults.h). SPEC is [METHOD ]PATH:KIND[:KEY=VALUE|:FLAG]...; since paths hold
 * "::", the trailing kind and options are peeled off from the right. */
#include <config.h>
#include "faults.h"
#include "json.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sim_fault {
    char *spec;
    char *method; /* NULL: any */
    char *path;   /* "*", a template, or a prefix ending in '*' */
    enum sim_fault_kind kind;
    int64_t ms;
    double p;
    int64_t nth, from, count;
    bool after;
    int64_t status, rc;
    char volume[17];
    uint64_t matched, fired;
};

static const char *const kind_names[] = {
    [SIM_FAULT_LATENCY] = "latency",
    [SIM_FAULT_HTTP500] = "http500",
    [SIM_FAULT_HTTP503] = "http503",
    [SIM_FAULT_DROP] = "drop",
    [SIM_FAULT_MALFORMED] = "malformed",
    [SIM_FAULT_TRUNCATE] = "truncate",
    [SIM_FAULT_EXPIRE_TOKENS] = "expire-tokens",
    [SIM_FAULT_DEVICE_DELAY] = "device-delay",
    [SIM_FAULT_READONLY] = "readonly",
    [SIM_FAULT_HTTP502] = "http502",
    [SIM_FAULT_HTTP504] = "http504",
    [SIM_FAULT_HTML] = "html",
    [SIM_FAULT_EMPTY] = "empty",
    [SIM_FAULT_BUSY] = "busy",
};
#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

void sim_faults_init(struct sim_faults *f, uint64_t seed)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    f->prng = seed ^ UINT64_C(0x5DEECE66D);
}

static void free_rule(struct sim_fault *r)
{
    free(r->spec);
    free(r->method);
    free(r->path);
}

void sim_faults_clear(struct sim_faults *f)
{
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->n; i++)
        free_rule(&f->rules[i]);
    free(f->rules);
    f->rules = NULL;
    f->n = 0;
    pthread_mutex_unlock(&f->lock);
}

void sim_faults_destroy(struct sim_faults *f)
{
    sim_faults_clear(f);
    pthread_mutex_destroy(&f->lock);
}

static int kind_from_name(const char *s)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (!strcmp(kind_names[i], s))
            return (int)i;
    return -1;
}

/* One option token (key=value or flag) into the rule; false when unknown or malformed. */
static bool apply_option(struct sim_fault *r, const char *key, const char *val, char *err, size_t errsz)
{
    int64_t n;
    if (!strcmp(key, "once") && !val) {
        r->count = 1;
        return true;
    }
    if (!strcmp(key, "after") && !val) {
        r->after = true;
        return true;
    }
    if (!val) {
        snprintf(err, errsz, "unknown fault flag '%s'", key);
        return false;
    }
    if (!strcmp(key, "p")) {
        char *end;
        errno = 0;
        r->p = strtod(val, &end);
        if (errno || *end || r->p < 0 || r->p > 1) {
            snprintf(err, errsz, "p must be a probability between 0 and 1, not '%s'", val);
            return false;
        }
        return true;
    }
    if (!strcmp(key, "volume")) {
        if (!sim_is_hex_id(val)) {
            snprintf(err, errsz, "volume must be a volume id, not '%s'", val);
            return false;
        }
        sim_strlcpy(r->volume, val, sizeof(r->volume));
        return true;
    }
    if (!strcmp(key, "after") || !strcmp(key, "once")) {
        bool on = !strcmp(val, "1") || !strcasecmp(val, "true");
        if (!strcmp(key, "after"))
            r->after = on;
        else
            r->count = on ? 1 : 0;
        return true;
    }
    if (!sim_parse_i64(val, &n) || n < 0) {
        snprintf(err, errsz, "%s needs a non-negative integer, not '%s'", key, val);
        return false;
    }
    if (!strcmp(key, "ms"))
        r->ms = n;
    else if (!strcmp(key, "nth"))
        r->nth = n;
    else if (!strcmp(key, "from"))
        r->from = n;
    else if (!strcmp(key, "count"))
        r->count = n;
    else if (!strcmp(key, "status") && n >= 200 && n <= 599)
        r->status = n;
    else if (!strcmp(key, "rc") && (n == 164 || n == 212))
        r->rc = n;
    else if (!strcmp(key, "status") || !strcmp(key, "rc")) {
        snprintf(err, errsz,
                 "%s=%lld is not one the simulator can answer with (status: 200-599; "
                 "rc: 212 or 164)",
                 key, (long long)n);
        return false;
    } else {
        snprintf(err, errsz, "unknown fault option '%s'", key);
        return false;
    }
    return true;
}

static void set_endpoint(struct sim_fault *r, const char *ep)
{
    const char *sp;
    while (isspace((unsigned char)*ep))
        ep++;
    sp = strchr(ep, ' ');
    if (sp) {
        r->method = strndup(ep, (size_t)(sp - ep));
        ep = sp + 1;
        while (isspace((unsigned char)*ep))
            ep++;
        if (r->method && !strcmp(r->method, "*")) {
            free(r->method);
            r->method = NULL;
        }
    }
    r->path = sim_xstrdup(*ep ? ep : "*");
}

static int add_rule(struct sim_faults *f, struct sim_fault *r, char *err, size_t errsz)
{
    if ((r->kind == SIM_FAULT_LATENCY || r->kind == SIM_FAULT_DEVICE_DELAY) && r->ms <= 0) {
        snprintf(err, errsz, "%s needs ms=N", kind_names[r->kind]);
        free_rule(r);
        return -1;
    }
    pthread_mutex_lock(&f->lock);
    f->rules = sim_xrealloc(f->rules, (f->n + 1) * sizeof(*f->rules));
    f->rules[f->n++] = *r;
    pthread_mutex_unlock(&f->lock);
    return 0;
}

int sim_faults_add_spec(struct sim_faults *f, const char *spec, char *err, size_t errsz)
{
    struct sim_fault r;
    char *copy = sim_xstrdup(spec), *end;
    int kind = -1;
    memset(&r, 0, sizeof(r));
    r.p = 1.0;
    /* Peel ":token" off the right while it is an option or the kind. */
    for (;;) {
        char *colon = strrchr(copy, ':');
        char *tok, *eq;
        if (!colon)
            break;
        tok = colon + 1;
        eq = strchr(tok, '=');
        if (eq) {
            *eq = '\0';
            if (!apply_option(&r, tok, eq + 1, err, errsz))
                goto fail;
        } else if (kind_from_name(tok) >= 0) {
            if (kind >= 0) {
                snprintf(err, errsz, "two fault kinds in '%s'", spec);
                goto fail;
            }
            kind = kind_from_name(tok);
        } else if (!strcmp(tok, "once") || !strcmp(tok, "after")) {
            if (!apply_option(&r, tok, NULL, err, errsz))
                goto fail;
        } else {
            break;
        }
        *colon = '\0';
        if (kind >= 0)
            break; /* everything left of the kind is the endpoint */
    }
    if (kind < 0 && !strchr(copy, ':') && kind_from_name(copy) >= 0) {
        kind = kind_from_name(copy); /* a bare kind applies to every request */
        strcpy(copy, "*");
    }
    if (kind < 0) {
        snprintf(err, errsz,
                 "no fault kind in '%s' (latency, http500, http502, http503, http504, "
                 "html, empty, busy, drop, malformed, truncate, expire-tokens, device-delay, "
                 "readonly)",
                 spec);
        goto fail;
    }
    end = copy;
    r.kind = (enum sim_fault_kind)kind;
    set_endpoint(&r, end);
    r.spec = sim_xstrdup(spec);
    free(copy);
    return add_rule(f, &r, err, errsz);
fail:
    free(copy);
    free_rule(&r);
    return -1;
}

static int add_object(struct sim_faults *f, yajl_val o, char *err, size_t errsz)
{
    struct sim_fault r;
    char buf[64];
    const char *spec = sim_jr_text(o, "spec", buf, sizeof(buf));
    const char *kind, *method, *path;
    static const char *const keys[] = {"ms",    "p",      "nth",    "from", "count", "once",
                                       "after", "volume", "status", "rc",   NULL};
    if (spec)
        return sim_faults_add_spec(f, spec, err, errsz);
    memset(&r, 0, sizeof(r));
    r.p = 1.0;
    kind = sim_jr_text(o, "kind", buf, sizeof(buf));
    if (!kind || kind_from_name(kind) < 0) {
        snprintf(err, errsz, "a fault needs \"spec\" or a valid \"kind\"");
        return -1;
    }
    r.kind = (enum sim_fault_kind)kind_from_name(kind);
    method = sim_jr_text(o, "method", buf, sizeof(buf));
    r.method = method && strcmp(method, "*") ? sim_xstrdup(method) : NULL;
    path = sim_jr_text(o, "path", buf, sizeof(buf));
    r.path = sim_xstrdup(path ? path : "*");
    for (size_t i = 0; keys[i]; i++) {
        char vbuf[64];
        const char *v = sim_jr_text(o, keys[i], vbuf, sizeof(vbuf));
        if (v && !apply_option(&r, keys[i], v, err, errsz)) {
            free_rule(&r);
            return -1;
        }
    }
    r.spec = sim_fmt("%s%s%s:%s", r.method ? r.method : "", r.method ? " " : "", r.path, kind_names[r.kind]);
    return add_rule(f, &r, err, errsz);
}

int sim_faults_add_json(struct sim_faults *f, yajl_val v, char *err, size_t errsz)
{
    if (v && YAJL_IS_ARRAY(v)) {
        for (size_t i = 0; i < v->u.array.len; i++)
            if (add_object(f, v->u.array.values[i], err, errsz))
                return -1;
        return 0;
    }
    if (v && YAJL_IS_OBJECT(v))
        return add_object(f, v, err, errsz);
    snprintf(err, errsz, "faults must be a JSON object or array");
    return -1;
}

static bool path_matches(const char *rule, const char *tmpl, const char *raw)
{
    size_t n = strlen(rule);
    if (!strcmp(rule, "*"))
        return true;
    if (n && rule[n - 1] == '*')
        return !strncmp(rule, tmpl, n - 1) || !strncmp(rule, raw, n - 1);
    return !strcmp(rule, tmpl) || !strcmp(rule, raw);
}

static double next_unit(struct sim_faults *f)
{
    uint64_t z = (f->prng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    z ^= z >> 31;
    return (double)(z >> 11) / (double)(UINT64_C(1) << 53);
}

void sim_faults_eval(struct sim_faults *f, const char *method, const char *template_path,
                     const char *raw_path, struct sim_fault_actions *out)
{
    memset(out, 0, sizeof(*out));
    out->device_delay_ms = -1;
    out->response = SIM_FAULT_LATENCY;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->n; i++) {
        struct sim_fault *r = &f->rules[i];
        bool fire;
        if (r->method && strcasecmp(r->method, method))
            continue;
        if (!path_matches(r->path, template_path, raw_path))
            continue;
        r->matched++;
        if (r->nth)
            fire = r->matched == (uint64_t)r->nth;
        else if (r->from)
            fire = r->matched >= (uint64_t)r->from;
        else
            fire = true;
        if (fire && r->count && r->fired >= (uint64_t)r->count)
            fire = false;
        if (fire && r->p < 1.0)
            fire = next_unit(f) < r->p;
        if (!fire)
            continue;
        r->fired++;
        switch (r->kind) {
        case SIM_FAULT_LATENCY: out->latency_ms += r->ms; break;
        case SIM_FAULT_EXPIRE_TOKENS: out->expire_tokens = true; break;
        case SIM_FAULT_DEVICE_DELAY: out->device_delay_ms = r->ms; break;
        case SIM_FAULT_READONLY:
            out->readonly = true;
            memcpy(out->readonly_volume, r->volume, sizeof(r->volume));
            break;
        default:
            if (out->response == SIM_FAULT_LATENCY) {
                out->response = r->kind;
                out->after = r->after;
                out->status = (int)r->status;
                out->rc = (int)r->rc;
            }
            break;
        }
    }
    pthread_mutex_unlock(&f->lock);
}

char *sim_faults_json(struct sim_faults *f)
{
    sim_jw *w = sim_jw_new();
    pthread_mutex_lock(&f->lock);
    sim_jw_arr(w);
    for (size_t i = 0; i < f->n; i++) {
        const struct sim_fault *r = &f->rules[i];
        sim_jw_obj(w);
        sim_jw_kstr(w, "spec", r->spec);
        sim_jw_kstr(w, "method", r->method);
        sim_jw_kstr(w, "path", r->path);
        sim_jw_kstr(w, "kind", kind_names[r->kind]);
        sim_jw_kint(w, "matched", (int64_t)r->matched);
        sim_jw_kint(w, "fired", (int64_t)r->fired);
        sim_jw_obj_end(w);
    }
    sim_jw_arr_end(w);
    pthread_mutex_unlock(&f->lock);
    return sim_jw_finish(w);
}
