/* /api entry: authentication, id checks, body parsing and dispatch (see api.h). */
#include <config.h>
#include "api.h"
#include "json.h"
#include "persist.h"
#include "route.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sim_resp_err(struct sim_resp *rs, enum sim_err e, const char *msg)
{
    free(rs->body);
    rs->status = sim_error_info(e)->http;
    rs->body = sim_error_body(e, msg);
}

void sim_resp_json(struct sim_resp *rs, char *body)
{
    free(rs->body);
    rs->status = 200;
    rs->body = body;
}

void sim_resp_empty(struct sim_resp *rs)
{
    sim_resp_json(rs, sim_xstrdup("{}"));
}

void sim_resp_string(struct sim_resp *rs, const char *s)
{
    sim_resp_json(rs, sim_json_quote(s));
}

const char *sim_api_param(struct sim_req *rq, const char *key, char *buf, size_t bufsz)
{
    return sim_jr_text(rq->json, key, buf, bufsz);
}

const char *sim_api_need(struct sim_req *rq, struct sim_resp *rs, const char *key, char *buf, size_t bufsz)
{
    const char *v = sim_api_param(rq, key, buf, bufsz);
    if (!v) {
        char *msg = sim_fmt("Request is missing the required parameter %s", key);
        sim_resp_err(rs, SIM_E_BAD_REQUEST, msg);
        free(msg);
    }
    return v;
}

int sim_api_bool(const char *s)
{
    if (!strcasecmp(s, "true"))
        return 1;
    if (!strcasecmp(s, "false"))
        return 0;
    return -1;
}

const char **sim_api_ids(struct sim_req *rq, const char *key)
{
    yajl_val v = sim_jr_get(rq->json, key);
    const char **ids;
    size_t n = 0;
    if (!v || !YAJL_IS_ARRAY(v))
        return NULL;
    ids = sim_xcalloc(v->u.array.len + 1, sizeof(*ids));
    for (size_t i = 0; i < v->u.array.len; i++)
        if (YAJL_IS_STRING(v->u.array.values[i]))
            ids[n++] = v->u.array.values[i]->u.string;
    return ids;
}

const char **sim_api_selected_ids(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs,
                                  bool (*known)(struct sim_model *m, const char *id), enum sim_err unknown)
{
    yajl_val v = sim_jr_get(rq->json, "ids");
    if (!v || !YAJL_IS_ARRAY(v)) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Request is missing the required parameter ids");
        return NULL;
    }
    for (size_t i = 0; i < v->u.array.len; i++) {
        yajl_val id = v->u.array.values[i];
        if (!YAJL_IS_STRING(id) || !sim_is_hex_id(id->u.string)) {
            sim_resp_err(rs, SIM_E_BAD_ID, NULL);
            return NULL;
        }
        /* All or nothing, as the GET of each object: see powerflex-sim.1. */
        if (!known(c->model, id->u.string)) {
            sim_resp_err(rs, unknown, NULL);
            return NULL;
        }
    }
    return sim_api_ids(rq, "ids");
}

/* Copies the named properties of a rendered statistics object; false on an unknown name. */
static bool select_props(sim_jw *out, yajl_val stats, yajl_val props, char *bad, size_t badsz)
{
    sim_jw_obj(out);
    for (size_t i = 0; props && i < props->u.array.len; i++) {
        yajl_val p = props->u.array.values[i], v;
        if (!YAJL_IS_STRING(p))
            continue;
        v = sim_jr_get(stats, p->u.string);
        if (!v) {
            sim_strlcpy(bad, p->u.string, badsz);
            return false;
        }
        sim_jw_key(out, p->u.string);
        if (YAJL_IS_INTEGER(v))
            sim_jw_int(out, YAJL_GET_INTEGER(v));
        else if (YAJL_IS_STRING(v))
            sim_jw_str(out, v->u.string);
        else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
            sim_jw_bool(out, YAJL_IS_TRUE(v));
        else if (YAJL_IS_ARRAY(v)) {
            sim_jw_arr(out);
            for (size_t j = 0; j < v->u.array.len; j++)
                if (YAJL_IS_STRING(v->u.array.values[j]))
                    sim_jw_str(out, v->u.array.values[j]->u.string);
            sim_jw_arr_end(out);
        } else if (YAJL_IS_OBJECT(v)) {
            /* Bandwidth counters: all zero in the simulator. */
            sim_jw_obj(out);
            for (size_t j = 0; j < v->u.object.len; j++)
                sim_jw_kint(out, v->u.object.keys[j], 0);
            sim_jw_obj_end(out);
        } else {
            sim_jw_null(out);
        }
    }
    sim_jw_obj_end(out);
    return true;
}

void sim_api_selected_stats(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs,
                            sim_stats_renderer render_one, sim_ids_lister all_ids, bool system)
{
    yajl_val props = sim_jr_get(rq->json, "properties");
    /* "allIds" (any value; clients send "") asks for every object of the type. */
    const char **ids = sim_jr_get(rq->json, "allIds") && all_ids ? all_ids(c->model) : sim_api_ids(rq, "ids");
    sim_jw *out = sim_jw_new();
    char bad[128] = "", err[64];
    bool ok = true;
    if (!props || !YAJL_IS_ARRAY(props)) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Request is missing the required parameter properties");
        goto out;
    }
    if (!system)
        sim_jw_obj(out);
    for (size_t i = 0; ok && (system ? i < 1 : ids && ids[i] != NULL); i++) {
        sim_jw *one = sim_jw_new();
        char *text;
        yajl_val tree;
        if (!render_one(one, c->model, system ? NULL : ids[i])) {
            sim_jw_free(one);
            continue; /* unknown ids are left out */
        }
        text = sim_jw_finish(one);
        tree = yajl_tree_parse(text, err, sizeof(err));
        free(text);
        if (!system)
            sim_jw_key(out, ids[i]);
        ok = select_props(out, tree, props, bad, sizeof(bad));
        yajl_tree_free(tree);
    }
    if (!ok) {
        char *msg = sim_fmt("Invalid statistics property: %s", bad);
        sim_resp_err(rs, SIM_E_BAD_REQUEST, msg);
        free(msg);
        goto out;
    }
    if (!system)
        sim_jw_obj_end(out);
    sim_resp_json(rs, sim_jw_finish(out));
    out = NULL;
out:
    sim_jw_free(out);
    free(ids);
}

static void login(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    enum sim_login why;
    char *token = sim_auth_login_ex(c->auth, rq->auth_user, rq->auth_pass, &why);
    if (!token) {
        sim_resp_err(rs, why == SIM_LOGIN_TOO_MANY ? SIM_E_TOO_MANY_SESSIONS : SIM_E_UNAUTHORIZED, NULL);
        return;
    }
    sim_resp_string(rs, token);
    free(token);
}

/* POSTs that only read: queries by id, key or statistics, and logout. */
static bool reads_only(const struct sim_route *r)
{
    return r->kind == SIM_R_LOGOUT ||
           (r->kind == SIM_R_TYPE_ACTION &&
            (!strcmp(r->name, "queryIdByKey") || !strcmp(r->name, "queryBySelectedIds") ||
             !strcmp(r->name, "querySelectedStatistics")));
}

void sim_api_handle(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    char perr[256];
    struct sim_route *r = &rq->route;
    bool post = !strcmp(rq->method, "POST"), may_write = false;
    if (!sim_route_parse(rq->path, r)) {
        sim_resp_err(rs, SIM_E_NO_URL, NULL);
        return;
    }
    if (r->kind == SIM_R_LOGIN) {
        if (strcmp(rq->method, "GET"))
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        else
            login(c, rq, rs);
        return;
    }
    if (rq->bearer) {
        /* 4.x takes a Bearer token: an access token of /rest/auth/login or, as goscaleio sends
         * it, a token of /api/login. 3.5 knows basic authentication only. */
        if (!c->api4 ||
            !sim_auth_check(c->auth, rq->bearer, SIM_TOKEN_LEGACY | SIM_TOKEN_ACCESS, &may_write)) {
            sim_resp_err(rs, SIM_E_UNAUTHORIZED, NULL);
            return;
        }
        sim_auth_count_bearer(c->auth);
    } else if (!sim_auth_check(c->auth, rq->auth_pass, SIM_TOKEN_LEGACY, &may_write)) {
        sim_resp_err(rs, SIM_E_UNAUTHORIZED, NULL);
        return;
    }
    if (post && !may_write && !reads_only(r)) {
        /* The MDM refuses a change from a user whose role may only look (Monitor) or may
         * not touch volumes (BackEndConfigure, Security). */
        sim_resp_err(rs, SIM_E_NO_PERMISSIONS, NULL);
        return;
    }
    if (r->kind == SIM_R_LOGOUT) {
        sim_auth_logout(c->auth, rq->bearer ? rq->bearer : rq->auth_pass);
        sim_resp_empty(rs);
        return;
    }
    if (r->kind == SIM_R_VERSION) {
        sim_resp_string(rs, c->api_version);
        return;
    }
    if (r->has_id && !sim_is_hex_id(r->id)) {
        sim_resp_err(rs, SIM_E_BAD_ID, NULL);
        return;
    }
    if (post) {
        rq->json = sim_jr_parse(rq->body, perr, sizeof(perr));
        if (!rq->json || !YAJL_IS_OBJECT(rq->json)) {
            char *msg = sim_fmt("Malformed JSON request body: %s", rq->json ? "not an object" : perr);
            for (char *p = msg; *p; p++)
                if (*p == '\n')
                    *p = ' ';
            sim_resp_err(rs, SIM_E_BAD_REQUEST, msg);
            free(msg);
            return;
        }
    }
    sim_model_lock(c->model);
    sim_model_tick(c->model, sim_now_ms());
    if (!sim_api_volume(c, rq, rs) && !sim_api_objects(c, rq, rs))
        sim_resp_err(rs, SIM_E_NO_URL, NULL);
    if (post && rs->status == 200) {
        c->model->dirty = true;
        /* A change is on disk before it is answered: a simulator killed after answering never
         * forgets what it acknowledged. Queries change nothing and are not saved. */
        if (sim_route_mutates(rq->method, rq->path) && sim_persist_save(c->model) == 0) {
            c->model->dirty = false;
            c->model->saved_at = sim_now_ms();
        }
    }
    sim_model_unlock(c->model);
}
