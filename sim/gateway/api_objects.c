/* /api routes of the other types: System (incl. snapshot actions), ProtectionDomain,
 * StoragePool, VTree and Sdc, plus cinder's getByName lookups. */
#include <config.h>
#include "api.h"
#include "render.h"
#include "volops.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef bool (*vol_filter)(const struct sim_volume *v, const void *arg);

static void volumes_where(struct sim_ctx *c, struct sim_resp *rs, vol_filter f, const void *arg)
{
    sim_jw *w = sim_jw_new();
    sim_jw_arr(w);
    for (size_t i = 0; i < c->model->nvols; i++)
        if (f(c->model->vols[i], arg))
            sim_render_volume(w, c->model, c->model->vols[i]);
    sim_jw_arr_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
}

static bool in_pool(const struct sim_volume *v, const void *p)
{
    return v->vtree->pool == p;
}
static bool in_vtree(const struct sim_volume *v, const void *t)
{
    return v->vtree == t;
}
static bool on_sdc(const struct sim_volume *v, const void *s)
{
    return sim_volume_mapping((struct sim_volume *)v, s) != NULL;
}

static void snapshot_volumes(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    yajl_val defs = sim_jr_get(rq->json, "snapshotDefs");
    struct sim_snapdef *d;
    sim_idbuf group, *ids;
    size_t n;
    enum sim_err e;
    if (!defs || !YAJL_IS_ARRAY(defs) || defs->u.array.len == 0) {
        sim_resp_err(rs, SIM_E_BAD_REQUEST, "Request is missing the required parameter snapshotDefs");
        return;
    }
    n = defs->u.array.len;
    d = sim_xcalloc(n, sizeof(*d));
    ids = sim_xcalloc(n, sizeof(*ids));
    for (size_t i = 0; i < n; i++) {
        yajl_val o = defs->u.array.values[i], vid = sim_jr_get(o, "volumeId"),
                 name = sim_jr_get(o, "snapshotName");
        if (!vid || !YAJL_IS_STRING(vid) || (name && !YAJL_IS_STRING(name) && !YAJL_IS_NULL(name))) {
            sim_resp_err(rs, SIM_E_BAD_REQUEST, "Every snapshotDefs entry needs a volumeId string");
            goto out;
        }
        if (!sim_is_hex_id(vid->u.string)) {
            sim_resp_err(rs, SIM_E_BAD_ID, NULL);
            goto out;
        }
        d[i].volume_id = vid->u.string;
        d[i].name = name && YAJL_IS_STRING(name) ? name->u.string : NULL;
    }
    e = sim_snapshot_create(c->model, d, n, group, ids);
    if (e) {
        sim_resp_err(rs, e, NULL);
        goto out;
    }
    {
        sim_jw *w = sim_jw_new();
        sim_jw_obj(w);
        sim_jw_kstr(w, "snapshotGroupId", group);
        sim_jw_key(w, "volumeIdList");
        sim_jw_arr(w);
        for (size_t i = 0; i < n; i++)
            sim_jw_str(w, ids[i]);
        sim_jw_arr_end(w);
        sim_jw_obj_end(w);
        sim_resp_json(rs, sim_jw_finish(w));
    }
out:
    free(d);
    free(ids);
}

static void remove_group(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    char buf[64];
    const char *g = sim_api_need(rq, rs, "snapGroupId", buf, sizeof(buf));
    size_t removed = 0;
    enum sim_err e;
    if (!g)
        return;
    e = sim_snapshot_remove_group(c->model, g, &removed);
    if (e) {
        sim_resp_err(rs, e, NULL);
        return;
    }
    sim_jw *w = sim_jw_new();
    sim_jw_obj(w);
    sim_jw_kint(w, "numberOfVolumes", (int64_t)removed);
    sim_jw_obj_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
}

static bool system_stats(sim_jw *w, struct sim_model *m, const char *id)
{
    (void)id;
    sim_render_pool_stats(w, m, NULL);
    return true;
}

static bool pool_stats(sim_jw *w, struct sim_model *m, const char *id)
{
    struct sim_pool *p = sim_find_pool(m, id);
    if (!p)
        return false;
    sim_render_pool_stats(w, m, p);
    return true;
}

static bool vtree_stats(sim_jw *w, struct sim_model *m, const char *id)
{
    struct sim_vtree *t = sim_find_vtree(m, id);
    if (!t)
        return false;
    sim_render_vtree_stats(w, m, t);
    return true;
}

static bool pd_stats(sim_jw *w, struct sim_model *m, const char *id)
{
    struct sim_pd *pd = sim_find_pd(m, id);
    if (!pd)
        return false;
    sim_render_pd_stats(w, m, pd);
    return true;
}

#define ID_LISTER(fn, arr, n)                                                                                \
    static const char **fn(struct sim_model *m)                                                              \
    {                                                                                                        \
        const char **ids = sim_xcalloc(m->n + 1, sizeof(*ids));                                              \
        for (size_t i = 0; i < m->n; i++)                                                                    \
            ids[i] = m->arr[i]->id;                                                                          \
        return ids;                                                                                          \
    }
ID_LISTER(all_pools, pools, npools)
ID_LISTER(all_vtrees, vtrees, nvtrees)
ID_LISTER(all_sdcs, sdcs, nsdcs)
ID_LISTER(all_pds, pds, npds)

static bool sdc_stats(sim_jw *w, struct sim_model *m, const char *id)
{
    struct sim_sdc *s = sim_find_sdc(m, id);
    if (!s)
        return false;
    sim_render_sdc_stats(w, m, s);
    return true;
}

/* Lists every object of a type. */
static void list_all(struct sim_ctx *c, struct sim_resp *rs, const char *type)
{
    struct sim_model *m = c->model;
    sim_jw *w = sim_jw_new();
    sim_jw_arr(w);
    if (!strcmp(type, "System"))
        sim_render_system(w, m);
    else if (!strcmp(type, "ProtectionDomain"))
        for (size_t i = 0; i < m->npds; i++)
            sim_render_pd(w, m, m->pds[i]);
    else if (!strcmp(type, "StoragePool"))
        for (size_t i = 0; i < m->npools; i++)
            sim_render_pool(w, m, m->pools[i]);
    else if (!strcmp(type, "VTree"))
        for (size_t i = 0; i < m->nvtrees; i++)
            sim_render_vtree(w, m, m->vtrees[i]);
    else if (!strcmp(type, "Sdc"))
        for (size_t i = 0; i < m->nsdcs; i++)
            sim_render_sdc(w, m, m->sdcs[i]);
    sim_jw_arr_end(w);
    sim_resp_json(rs, sim_jw_finish(w));
}

static bool known_type(const char *t)
{
    static const char *const types[] = {"System", "ProtectionDomain", "StoragePool", "VTree", "Sdc", NULL};
    for (size_t i = 0; types[i]; i++)
        if (!strcmp(t, types[i]))
            return true;
    return false;
}

static bool vtree_known(struct sim_model *m, const char *id)
{
    return sim_find_vtree(m, id) != NULL;
}

static void type_action(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    struct sim_model *m = c->model;
    const char *type = rq->route.type, *a = rq->route.name;
    char buf[128];
    if (!strcmp(a, "querySelectedStatistics")) {
        if (!strcmp(type, "StoragePool"))
            sim_api_selected_stats(c, rq, rs, pool_stats, all_pools, false);
        else if (!strcmp(type, "VTree"))
            sim_api_selected_stats(c, rq, rs, vtree_stats, all_vtrees, false);
        else if (!strcmp(type, "Sdc"))
            sim_api_selected_stats(c, rq, rs, sdc_stats, all_sdcs, false);
        else if (!strcmp(type, "ProtectionDomain"))
            sim_api_selected_stats(c, rq, rs, pd_stats, all_pds, false);
        else if (!strcmp(type, "System"))
            sim_api_selected_stats(c, rq, rs, system_stats, NULL, true);
        else
            sim_resp_err(rs, SIM_E_NO_URL, NULL);
        return;
    }
    if (!strcmp(a, "queryIdByKey")) {
        const char *key = !strcmp(type, "Sdc") ? "ip" : "name";
        const char *val = sim_api_need(rq, rs, key, buf, sizeof(buf));
        const char *id = NULL;
        if (!val)
            return;
        if (!strcmp(type, "Sdc")) {
            struct sim_sdc *s = sim_find_sdc_by_ip(m, val);
            id = s ? s->id : NULL;
        } else if (!strcmp(type, "ProtectionDomain")) {
            struct sim_pd *pd = sim_find_pd_by_name(m, val);
            id = pd ? pd->id : NULL;
        } else if (!strcmp(type, "StoragePool")) {
            char b2[64];
            const char *pd_id = sim_api_param(rq, "protectionDomainId", b2, sizeof(b2));
            for (size_t i = 0; i < m->npools && !id; i++)
                if (!strcmp(m->pools[i]->name, val) && (!pd_id || !strcasecmp(m->pools[i]->pd->id, pd_id)))
                    id = m->pools[i]->id;
        } else {
            sim_resp_err(rs, SIM_E_NO_URL, NULL);
            return;
        }
        if (id)
            sim_resp_string(rs, id);
        else
            sim_resp_err(rs, SIM_E_NOT_FOUND, NULL);
        return;
    }
    if (!strcmp(a, "queryBySelectedIds") && !strcmp(type, "VTree")) {
        const char **ids = sim_api_selected_ids(c, rq, rs, vtree_known, SIM_E_VTREE_NOT_FOUND);
        sim_jw *w;
        if (!ids)
            return;
        w = sim_jw_new();
        sim_jw_arr(w);
        for (size_t i = 0; ids[i]; i++) {
            struct sim_vtree *t = sim_find_vtree(m, ids[i]);
            if (t)
                sim_render_vtree(w, m, t);
        }
        sim_jw_arr_end(w);
        free(ids);
        sim_resp_json(rs, sim_jw_finish(w));
        return;
    }
    sim_resp_err(rs, SIM_E_NO_URL, NULL);
}

/* cinder: /types/Domain/instances/getByName::NAME, /types/Pool/instances/getByName::PD,NAME */
static bool get_by_name(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    struct sim_model *m = c->model;
    const char *type = rq->route.type, *arg = rq->route.arg;
    if (!strcmp(type, "Domain")) {
        struct sim_pd *pd = sim_find_pd_by_name(m, arg);
        if (pd)
            sim_resp_string(rs, pd->id);
        else
            sim_resp_err(rs, SIM_E_NOT_FOUND, NULL);
        return true;
    }
    if (!strcmp(type, "Pool")) {
        const char *comma = strchr(arg, ',');
        if (!comma) {
            sim_resp_err(rs, SIM_E_BAD_REQUEST, "getByName needs <protection domain id>,<name>");
            return true;
        }
        for (size_t i = 0; i < m->npools; i++)
            if (!strncasecmp(m->pools[i]->pd->id, arg, (size_t)(comma - arg)) &&
                strlen(m->pools[i]->pd->id) == (size_t)(comma - arg) &&
                !strcmp(m->pools[i]->name, comma + 1)) {
                sim_resp_string(rs, m->pools[i]->id);
                return true;
            }
        sim_resp_err(rs, SIM_E_NOT_FOUND, NULL);
        return true;
    }
    return false;
}

static void instance(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    struct sim_model *m = c->model;
    const struct sim_route *r = &rq->route;
    const char *type = r->type, *rel = r->kind == SIM_R_INSTANCE_REL ? r->name : NULL;
    sim_jw *w = sim_jw_new();
    bool ok = true;
    if (!strcmp(type, "System")) {
        if (strcasecmp(r->id, m->system_id)) {
            sim_jw_free(w);
            sim_resp_err(rs, SIM_E_SYSTEM_MISMATCH, NULL);
            return;
        }
        if (!rel)
            sim_render_system(w, m);
        else if (!strcmp(rel, "Statistics"))
            sim_render_pool_stats(w, m, NULL);
        else if (!strcmp(rel, "ProtectionDomain") || !strcmp(rel, "Sdc") || !strcmp(rel, "StoragePool")) {
            sim_jw_free(w);
            list_all(c, rs, !strcmp(rel, "ProtectionDomain") ? "ProtectionDomain" : rel);
            return;
        } else
            ok = false;
    } else if (!strcmp(type, "ProtectionDomain")) {
        struct sim_pd *pd = sim_find_pd(m, r->id);
        if (!pd) {
            sim_jw_free(w);
            sim_resp_err(rs, SIM_E_PD_NOT_FOUND, NULL);
            return;
        }
        if (!rel)
            sim_render_pd(w, m, pd);
        else if (!strcmp(rel, "Statistics"))
            sim_render_pd_stats(w, m, pd);
        else if (!strcmp(rel, "StoragePool")) {
            sim_jw_arr(w);
            for (size_t i = 0; i < m->npools; i++)
                if (m->pools[i]->pd == pd)
                    sim_render_pool(w, m, m->pools[i]);
            sim_jw_arr_end(w);
        } else
            ok = false;
    } else if (!strcmp(type, "StoragePool")) {
        struct sim_pool *p = sim_find_pool(m, r->id);
        if (!p) {
            sim_jw_free(w);
            sim_resp_err(rs, SIM_E_POOL_NOT_FOUND, NULL);
            return;
        }
        if (!rel)
            sim_render_pool(w, m, p);
        else if (!strcmp(rel, "Statistics"))
            sim_render_pool_stats(w, m, p);
        else if (!strcmp(rel, "Volume")) {
            sim_jw_free(w);
            volumes_where(c, rs, in_pool, p);
            return;
        } else if (!strcmp(rel, "VTree")) {
            sim_jw_arr(w);
            for (size_t i = 0; i < m->nvtrees; i++)
                if (m->vtrees[i]->pool == p)
                    sim_render_vtree(w, m, m->vtrees[i]);
            sim_jw_arr_end(w);
        } else
            ok = false;
    } else if (!strcmp(type, "VTree")) {
        struct sim_vtree *t = sim_find_vtree(m, r->id);
        if (!t) {
            sim_jw_free(w);
            sim_resp_err(rs, SIM_E_VTREE_NOT_FOUND, NULL);
            return;
        }
        if (!rel)
            sim_render_vtree(w, m, t);
        else if (!strcmp(rel, "Statistics"))
            sim_render_vtree_stats(w, m, t);
        else if (!strcmp(rel, "Volume")) {
            sim_jw_free(w);
            volumes_where(c, rs, in_vtree, t);
            return;
        } else
            ok = false;
    } else if (!strcmp(type, "Sdc")) {
        struct sim_sdc *s = sim_find_sdc(m, r->id);
        if (!s) {
            sim_jw_free(w);
            sim_resp_err(rs, SIM_E_SDC_NOT_FOUND, NULL);
            return;
        }
        if (!rel)
            sim_render_sdc(w, m, s);
        else if (!strcmp(rel, "Statistics"))
            sim_render_sdc_stats(w, m, s);
        else if (!strcmp(rel, "Volume")) {
            sim_jw_free(w);
            volumes_where(c, rs, on_sdc, s);
            return;
        } else
            ok = false;
    } else {
        ok = false;
    }
    if (!ok) {
        sim_jw_free(w);
        sim_resp_err(rs, SIM_E_NO_URL, NULL);
        return;
    }
    sim_resp_json(rs, sim_jw_finish(w));
}

static void instance_action(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    const struct sim_route *r = &rq->route;
    if (!strcmp(r->type, "System")) {
        if (r->has_id && strcasecmp(r->id, c->model->system_id)) {
            sim_resp_err(rs, SIM_E_SYSTEM_MISMATCH, NULL);
            return;
        }
        if (!strcmp(r->name, "snapshotVolumes"))
            snapshot_volumes(c, rq, rs);
        else if (!strcmp(r->name, "removeConsistencyGroupSnapshots"))
            remove_group(c, rq, rs);
        else
            sim_resp_err(rs, SIM_E_NO_URL, NULL);
        return;
    }
    if (!strcmp(r->type, "Sdc") && r->has_id && !strcmp(r->name, "setSdcName")) {
        char buf[64];
        struct sim_sdc *s = sim_find_sdc(c->model, r->id);
        const char *name;
        if (!s) {
            sim_resp_err(rs, SIM_E_SDC_NOT_FOUND, NULL);
            return;
        }
        if (!(name = sim_api_need(rq, rs, "sdcName", buf, sizeof(buf))))
            return;
        free(s->name);
        s->name = sim_xstrdup(name);
        sim_resp_empty(rs);
        return;
    }
    sim_resp_err(rs, SIM_E_NO_URL, NULL);
}

bool sim_api_objects(struct sim_ctx *c, struct sim_req *rq, struct sim_resp *rs)
{
    const struct sim_route *r = &rq->route;
    bool get = !strcmp(rq->method, "GET"), post = !strcmp(rq->method, "POST");
    if (r->kind == SIM_R_TYPE_GETBYNAME) {
        if (!get) {
            sim_resp_err(rs, SIM_E_METHOD, NULL);
            return true;
        }
        return get_by_name(c, rq, rs);
    }
    if (!known_type(r->type))
        return false;
    switch (r->kind) {
    case SIM_R_TYPE_LIST:
        if (get)
            list_all(c, rs, r->type);
        else
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        return true;
    case SIM_R_TYPE_ACTION:
        if (post)
            type_action(c, rq, rs);
        else
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        return true;
    case SIM_R_INSTANCE:
    case SIM_R_INSTANCE_REL:
        if (get)
            instance(c, rq, rs);
        else
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        return true;
    case SIM_R_INSTANCE_ACTION:
        if (post)
            instance_action(c, rq, rs);
        else
            sim_resp_err(rs, SIM_E_METHOD, NULL);
        return true;
    default: return false;
    }
}
