/* Gateway URL parsing (see route.h). */
#include <config.h>
#include "route.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *sim_route_template(const char *path)
{
    size_t n = strlen(path);
    char *out = sim_xmalloc(n * 2 + 8), *o = out;
    const char *p = path;
    while (*p) {
        if (p[0] == ':' && p[1] == ':') {
            memcpy(o, "::{id}", 6);
            o += 6;
            p += 2;
            while (*p && *p != '/')
                p++;
            continue;
        }
        *o++ = *p++;
    }
    *o = '\0';
    return out;
}

/* Copies segment [s, e) into dst; false when empty or too long. */
static bool seg(char *dst, size_t size, const char *s, const char *e)
{
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= size)
        return false;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

static const char *next_seg(const char *p, const char **end)
{
    const char *e = strchr(p, '/');
    *end = e ? e : p + strlen(p);
    return p;
}

bool sim_route_parse(const char *path, struct sim_route *r)
{
    const char *p, *e;
    memset(r, 0, sizeof(*r));
    if (strncmp(path, "/api/", 5))
        return false;
    p = path + 5;
    if (!strcmp(p, "login")) {
        r->kind = SIM_R_LOGIN;
        return true;
    }
    if (!strcmp(p, "logout")) {
        r->kind = SIM_R_LOGOUT;
        return true;
    }
    if (!strcmp(p, "version")) {
        r->kind = SIM_R_VERSION;
        return true;
    }
    if (!strncmp(p, "types/", 6)) {
        p += 6;
        next_seg(p, &e);
        if (!seg(r->type, sizeof(r->type), p, e) || strncmp(e, "/instances", 10))
            return false;
        p = e + 10;
        if (!*p) {
            r->kind = SIM_R_TYPE_LIST;
            return true;
        }
        if (!strncmp(p, "/action/", 8)) {
            p += 8;
            if (strchr(p, '/') || !seg(r->name, sizeof(r->name), p, p + strlen(p)))
                return false;
            r->kind = SIM_R_TYPE_ACTION;
            return true;
        }
        if (!strncmp(p, "/getByName::", 12)) {
            p += 12;
            if (!seg(r->arg, sizeof(r->arg), p, p + strlen(p)))
                return false;
            r->kind = SIM_R_TYPE_GETBYNAME;
            return true;
        }
        return false;
    }
    if (!strncmp(p, "instances/", 10)) {
        const char *sep;
        p += 10;
        next_seg(p, &e);
        sep = strstr(p, "::");
        if (sep && sep < e) {
            if (!seg(r->type, sizeof(r->type), p, sep))
                return false;
            if (!seg(r->id, sizeof(r->id), sep + 2, e) && sep + 2 != e)
                return false;
            r->has_id = true;
        } else if (!seg(r->type, sizeof(r->type), p, e)) {
            return false;
        }
        p = e;
        if (!*p) {
            r->kind = SIM_R_INSTANCE;
            return r->has_id;
        }
        if (!strncmp(p, "/relationships/", 15) && r->has_id) {
            p += 15;
            if (strchr(p, '/') || !seg(r->name, sizeof(r->name), p, p + strlen(p)))
                return false;
            r->kind = SIM_R_INSTANCE_REL;
            return true;
        }
        if (!strncmp(p, "/action/", 8)) {
            p += 8;
            if (strchr(p, '/') || !seg(r->name, sizeof(r->name), p, p + strlen(p)))
                return false;
            r->kind = SIM_R_INSTANCE_ACTION;
            return true;
        }
    }
    return false;
}

bool sim_route_mutates(const char *method, const char *path)
{
    struct sim_route r;

    if (strcmp(method, "POST") != 0 || !sim_route_parse(path, &r))
        return false;
    /* POST /api/types/T/instances creates; actions change, except the queries. */
    if (r.kind != SIM_R_TYPE_LIST && r.kind != SIM_R_TYPE_ACTION && r.kind != SIM_R_INSTANCE_ACTION)
        return false;
    return strncmp(r.name, "query", 5) != 0;
}
